#!/usr/bin/env bash
# Disks and LUKS: images made here (mkfs.ext4, LUKS1 and LUKS2, a detached
# header, GPT and MBR partitions, a damaged header, btrfs on one device and on
# two, a ZFS vdev label) with fixed UUIDs, read by
# libblkid and libcryptsetup without root; the captured QEMU tree as the
# machine, its /dev nodes being those images; libvirt through a virsh
# stand-in for the error cases. Golden outputs, JSON read back by Python,
# QMP checked against the seed's sequence, the disk XML validated by
# virt-xml-validate inside a whole domain.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
cd "$TAP_TMP" || exit 1

# shellcheck disable=SC2034 # read by tap.sh\'s golden()
GOLDEN_SED="s|$TAP_TMP|TMP|g; s|/tmp/passthrough-disk-[A-Za-z0-9]*|/tmp/passthrough-disk-XXXXXX|g"
KEY=$TAP_TMP/key
printf 'not-a-secret-test-key' >"$KEY"
luks() { # luks IMG TYPE UUID [EXTRA...]: a fast LUKS format with a fixed UUID
	local img=$1 type=$2 uuid=$3; shift 3
	cryptsetup luksFormat -q --type "$type" --uuid "$uuid" --pbkdf pbkdf2 \
		--pbkdf-force-iterations 1000 --key-file "$KEY" "$@" "$img" >/dev/null
}
[ "$(id -u)" = 0 ] || true

# --- images -----------------------------------------------------------------
truncate -s 20M p1.img
mkfs.ext4 -q -F -L guestdata -U 0ba5e000-0000-4000-8000-000000000001 p1.img
truncate -s $(((131072 - 43008 - 34) * 512)) p2.img
luks p2.img luks2 0ba5e000-0000-4000-8000-000000000002
truncate -s 64M gpt.img
printf 'label: gpt\nlabel-id: 0BA5E000-0000-4000-8000-00000000000A\nstart=2048, size=40960, name=data\nstart=43008, name=vault\n' |
	sfdisk -q gpt.img >/dev/null
dd if=p1.img of=gpt.img bs=512 seek=2048 conv=notrunc status=none
dd if=p2.img of=gpt.img bs=512 seek=43008 conv=notrunc status=none
truncate -s 16M whole-luks1.img
luks whole-luks1.img luks1 0ba5e000-0000-4000-8000-000000000003
truncate -s 8M mbr.img
printf 'label: dos\nlabel-id: 0x0ba5e000\nstart=2048, type=83\n' | sfdisk -q mbr.img >/dev/null
truncate -s 16M hdr.img
truncate -s 64M payload.img
luks payload.img luks2 0ba5e000-0000-4000-8000-000000000004 --header hdr.img
cp whole-luks1.img damaged.img
dd if=/dev/zero of=damaged.img bs=512 count=1 conv=notrunc status=none
truncate -s 16M mapping.img
mkfs.ext4 -q -F -U 0ba5e000-0000-4000-8000-000000000005 mapping.img

# --- the fake root: the captured machine, /dev nodes are the images -----------
cp -a "$TOP/tests/fixtures/qemu" root
mkdir -p root/dev/disk/by-id root/etc
ln gpt.img root/dev/sda && ln p1.img root/dev/sda1 && ln p2.img root/dev/sda2
ln whole-luks1.img root/dev/sdb && ln mapping.img root/dev/dm-0
ln -s ../../sda root/dev/disk/by-id/ata-QEMU_HARDDISK_QM00005
ln -s ../../sda root/dev/disk/by-id/wwn-0x5000c500a1b2c3d4
ln -s ../../sda1 root/dev/disk/by-id/ata-QEMU_HARDDISK_QM00005-part1
ln -s ../../sdb root/dev/disk/by-id/usb-QEMU_QEMU_HARDDISK_1-0000:00:04.0-1:0
pt() { "$PT" --pci-ids "$TOP/tests/fixtures/pci.ids" --sysfs root/sys --root root "$@"; }

# --- disks and list -------------------------------------------------------------
golden disks pt disks
json disks '[(x["name"], x["controller"], x["group"], x["by_id"]) for x in d["disks"]] == [("sda", "0000:00:05.0", 5, "/dev/disk/by-id/ata-QEMU_HARDDISK_QM00005"), ("sdb", "0000:00:04.0", 4, "/dev/disk/by-id/usb-QEMU_QEMU_HARDDISK_1-0000:00:04.0-1:0")] and [(p["name"], p["type"], p["uuid"], p["uses"]) for p in d["disks"][0]["partitions"]] == [("sda1", "ext4", "0ba5e000-0000-4000-8000-000000000001", ["mounted"]), ("sda2", "crypto_LUKS", "0ba5e000-0000-4000-8000-000000000002", ["crypt-open"])] and d["disks"][0]["partitions"][1]["luks"]["version"] == "LUKS2" and d["disks"][1]["content"]["luks"]["version"] == "LUKS1" and d["disks"][0]["content"]["partition_table"] == "gpt"' pt disks --json
check "list shows the same disks under their controllers" \
	bash -c '"$0" --pci-ids "$1" --sysfs root/sys --root root list | grep -q "disk sda, 64.0 MiB, \"QEMU HARDDISK\": mounted, crypt-open"' "$PT" "$TOP/tests/fixtures/pci.ids"

# --- disk xml -------------------------------------------------------------------
golden disk-xml-unused pt disk xml /dev/sdb
golden disk-xml-target-bus pt disk xml /dev/disk/by-id/usb-QEMU_QEMU_HARDDISK_1-0000:00:04.0-1:0 --target sdc --bus scsi
golden disk-xml-mounted-partitions pt disk xml /dev/sda
golden disk-xml-mounted pt disk xml /dev/sda1
golden disk-xml-crypt-open pt disk xml /dev/sda2
golden disk-xml-not-found pt disk xml /dev/sdz
golden disk-xml-bad-path pt disk xml /etc/passwd
golden disk-xml-bad-bus pt disk xml /dev/sdb --bus ide
new_root_use() { # a copy of root where sdb is the host's root, or swap
	# images hard-linked (they are large), /proc copied (it is edited)
	rm -rf "root-$1" && cp -al root "root-$1" && rm -rf "root-$1/proc" &&
		cp -a root/proc "root-$1/proc"
	case $1 in
	root) echo "30 1 8:16 / / rw - ext4 /dev/sdb rw" >>"root-$1/proc/self/mountinfo" ;;
	swap) printf 'Filename Type Size Used Priority\n/dev/sdb partition 16380 0 -2\n' >"root-$1/proc/swaps" ;;
	esac
}
for use in root swap; do
	new_root_use $use
	golden disk-xml-host-$use "$PT" --sysfs root-$use/sys --root root-$use disk xml /dev/sdb
done
if command -v virt-xml-validate >/dev/null; then
	pt disk xml /dev/sdb >disk.xml
	printf "<domain type='kvm'>\n  <name>t</name>\n  <memory unit='MiB'>128</memory>\n  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n  <devices>\n%s\n  </devices>\n</domain>\n" "$(cat disk.xml)" >domain.xml
	check "the disk XML is valid inside a whole domain (virt-xml-validate)" virt-xml-validate domain.xml domain
else
	TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - virt-xml-validate is missing (libvirt-clients)"; TAP_FAILED=$((TAP_FAILED + 1))
fi

# --- disk attach / detach / attached, through the virsh stand-in ---------------------
export FAKE_VIRSH_DIR=$TAP_TMP/virsh
mkdir -p virsh/vms bin && echo running >virsh/vms/guest1 && echo "shut off" >virsh/vms/stopped1
echo running >virsh/vms/broken && : >virsh/fail-broken
cp "$TOP/tests/cli/fake-virsh" bin/virsh
export PATH="$TAP_TMP/bin:$PATH"
golden disk-attach pt disk attach guest1 /dev/sdb
check "attach: virsh got the XML with the by-id path, next free target, --live" \
	bash -c 'grep -q "^attach-device guest1 /tmp/passthrough-disk-.* --live$" virsh/calls &&
		grep -q "<source dev=.\/dev\/disk\/by-id\/usb-QEMU_QEMU_HARDDISK_1-0000:00:04.0-1:0./>" virsh/last.xml &&
		grep -q "<target dev=.vdb. bus=.virtio./>" virsh/last.xml'
check "attach: the temporary XML file is gone" bash -c '! ls /tmp/passthrough-disk-* 2>/dev/null'
golden disk-attached pt disk attached guest1
golden disk-xml-next-free-target pt disk xml /dev/sdb --domain guest1
golden disk-attach-mounted pt disk attach guest1 /dev/sda
golden disk-attach-no-vm pt disk attach nosuchvm /dev/sdb
golden disk-attach-not-running pt disk attach stopped1 /dev/sdb
golden disk-attach-persistent-stopped pt disk attach stopped1 /dev/sdb --persistent
golden disk-attach-failed pt disk attach broken /dev/sdb
golden disk-detach pt disk detach guest1 /dev/sdb
golden disk-detach-not-attached pt disk detach guest1 /dev/sdb
golden disk-usage pt disk frobnicate

# --- luks -------------------------------------------------------------------------
golden luks-inspect-luks1 pt luks inspect whole-luks1.img
golden luks-inspect-detached pt luks inspect payload.img --header hdr.img
json luks-inspect '(d["version"], d["detached"], d["data_offset"], d["key_slots"], d["uuid"]) == ("LUKS2", True, 0, [0], "0ba5e000-0000-4000-8000-000000000004")' pt luks inspect payload.img --header hdr.img --json
golden luks-inspect-no-header pt luks inspect payload.img
golden luks-inspect-damaged pt luks inspect damaged.img
golden luks-inspect-not-luks pt luks inspect p1.img
golden luks-inspect-partition pt luks inspect p2.img
truncate -s 0 empty.img
golden luks-inspect-header-too-big-for-data pt luks inspect empty.img --header hdr.img
golden luks-inspect-missing pt luks inspect no-such.img
printf 'sup3r-s3cret-value' >secret && chmod 600 secret
pt luks qmp --header hdr.img --data payload.img --secret-id sec0 --secret-file secret --node vault >qmp.out 2>qmp.err
check "luks qmp: the seed's sequence, as JSON, with one secret id throughout" python3 -c '
import json, sys
cmds = [json.loads(l) for l in open("qmp.out")]
seq = [(c["execute"], c["arguments"].get("driver") or c["arguments"].get("qom-type")) for c in cmds]
assert seq == [("blockdev-add", "file"), ("blockdev-add", "file"), ("object-add", "secret"),
               ("blockdev-add", "raw"), ("blockdev-add", "luks"), ("device_add", "virtio-blk-pci")], seq
a = [c["arguments"] for c in cmds]
assert a[0]["filename"].endswith("/payload.img") and a[1]["filename"].endswith("/hdr.img"), a
assert a[2]["id"] == "sec0" and a[2]["file"].endswith("/secret") and "data" not in a[2], a[2]
assert a[3]["file"] == a[0]["node-name"], a[3]
assert a[4]["file"] == a[3]["node-name"] and a[4]["header"] == a[1]["node-name"] and a[4]["key-secret"] == "sec0", a[4]
assert a[5]["drive"] == a[4]["node-name"] == "vault", a[5]
'
check "luks qmp: the secret's value is never printed" bash -c '! grep -q sup3r-s3cret-value qmp.out qmp.err'
chmod 644 secret
golden luks-qmp-readable-secret pt luks qmp --header hdr.img --data payload.img --secret-id sec0 --secret-file secret
golden luks-qmp-not-a-pair pt luks qmp --header hdr.img --data empty.img --secret-id sec0
golden luks-qmp-bad-id pt luks qmp --header hdr.img --data payload.img --secret-id '0bad"id'
golden luks-backup-header pt luks backup-header whole-luks1.img backup.img
check "backup-header: mode 0600, and it restores a damaged header" \
	bash -c '[ "$(stat -c %a backup.img)" = 600 ] &&
		cryptsetup luksHeaderRestore -q --header-backup-file backup.img damaged.img &&
		"$0" luks inspect damaged.img >/dev/null' "$PT"
golden luks-backup-header-exists pt luks backup-header whole-luks1.img backup.img
golden luks-backup-header-not-luks pt luks backup-header p1.img backup2.img

# --- an MBR disk, and LVM: the same machine with other contents -------------------------
rm -rf root-lvm && cp -al root root-lvm && rm -rf root-lvm/sys root-lvm/dev/sdb && cp -a root/sys root-lvm/sys
ln mbr.img root-lvm/dev/sdb
# dm-0 (the LUKS mapping of sda2) now holds an LVM volume, dm-1, with ext4
dm0=$(readlink -f root-lvm/sys/block/dm-0)
mkdir -p root-lvm/sys/devices/virtual/block/dm-1/dm "$dm0/holders"
echo "LVM-q8nR3cWcFvZ2e0tM4wJ5pXyK7aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3" \
	>root-lvm/sys/devices/virtual/block/dm-1/dm/uuid
echo vgguesthd1-lvguesthd1 >root-lvm/sys/devices/virtual/block/dm-1/dm/name
ln -s ../devices/virtual/block/dm-1 root-lvm/sys/block/dm-1
ln -s ../../dm-1 "$dm0/holders/dm-1"
rm root-lvm/dev/dm-0 && : >root-lvm/dev/dm-0 && ln mapping.img root-lvm/dev/dm-1
ptl() { "$PT" --pci-ids "$TOP/tests/fixtures/pci.ids" --sysfs root-lvm/sys --root root-lvm "$@"; }
golden disks-mbr-and-lvm ptl disks
golden disk-xml-lvm ptl disk xml /dev/sda2
golden guest-mounts-lvm ptl guest-mounts /dev/sda2 --key-file /root/.extkey --mountpoint /data/guesthd1
check "guest-mounts: a blank in the mount point is written as fstab's \\040" \
	bash -c '"$0" --sysfs root-lvm/sys --root root-lvm guest-mounts /dev/sda2 --key-file /root/.extkey \
		--mountpoint "/data/guest hd" | grep -qP "^UUID=\S+\t/data/guest\\\\040hd\text4\t"' "$PT"

# --- btrfs, ZFS, bcachefs: mountinfo gives them an anonymous 0:NN --------------------
# Real btrfs images (one device, and one filesystem on two), a ZFS vdev label
# libblkid takes for a zfs_member of pool rpool (no ZFS tools here: four
# uberblocks and the label's nvlist with the pool's name, as libblkid reads
# them), and bcachefs by its mountinfo line alone.
BTRFS1=0ba5e000-0000-4000-8000-0000000000b1
BTRFS2=0ba5e000-0000-4000-8000-0000000000b2
truncate -s 16M btrfs.img
mkfs.btrfs -q -f -M -L hostroot -U $BTRFS1 btrfs.img >/dev/null 2>&1
truncate -s 48M btrfs-a.img btrfs-b.img
mkfs.btrfs -q -f -d single -m single -L hostpool -U $BTRFS2 btrfs-a.img btrfs-b.img >/dev/null 2>&1
zfs_member() { # zfs_member IMG POOL: 64 MiB (libblkid's least for ZFS), sparse
	python3 - "$1" "$2" <<'PY'
import struct, sys
path, pool = sys.argv[1], sys.argv[2].encode()
pad4 = lambda b: b + b"\0" * (-len(b) % 4)
value = struct.pack(">III", 9, 1, len(pool)) + pad4(pool)  # DATA_TYPE_STRING
pair = struct.pack(">II", 0, 4) + pad4(b"name") + value     # namelen 4
pair = struct.pack(">I", 4 + len(pair)) + pair               # nvp_size first
with open(path, "wb") as f:
    f.truncate(64 << 20)
    f.seek(16 << 10)                                         # the label's nvlist
    f.write(b"\0" * 12 + pair + b"\0" * 8)
    for i in range(4):                                       # uberblocks at 128 KiB
        f.seek((128 << 10) + i * 1024)
        f.write(struct.pack("<QQ", 0x00bab10c, 5000))
PY
}
zfs_member zfs-a.img rpool && zfs_member zfs-b.img rpool
# new_anon_root NAME SDA1 SDB MOUNTINFO: a copy of root with these images as
# sda1 and sdb, mountinfo without sda1's ext4 and with MOUNTINFO added
new_anon_root() {
	local r=root-$1
	rm -rf "$r" && cp -al root "$r" && rm -rf "$r/proc" && cp -a root/proc "$r/proc"
	rm "$r/dev/sda1" "$r/dev/sdb" && ln "$2" "$r/dev/sda1" && ln "$3" "$r/dev/sdb"
	sed -i '/ext4 \/dev\/sda1/d' "$r/proc/self/mountinfo"
	printf '%s\n' "$4" >>"$r/proc/self/mountinfo"
	printf '[device.usb]\naddress = 00:04.0\n' >"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
}
btrfs_members() { # btrfs_members ROOT UUID NAME...: SYS/fs/btrfs/UUID/devices/NAME
	local r=$1 uuid=$2 n dev dir; shift 2
	dir=$r/sys/fs/btrfs/$uuid/devices
	mkdir -p "$dir" "$r/sys/fs/btrfs/features"
	for n; do # a link to the device's directory, as the kernel makes it
		dev=$(readlink -f "$r/sys/block/${n%%[0-9]*}")
		[ "$n" = "${n%%[0-9]*}" ] || dev=$dev/$n
		ln -s "$(realpath --relative-to="$dir" "$dev")" "$dir/$n"
	done
}
# host_needs_sdb NAME: disk xml refuses sdb (exit 4), and check refuses its
# controller, 00:04.0, for the host disk (exit 1)
host_needs_sdb() {
	local r=root-$1
	check "$1: disk xml refuses /dev/sdb (exit 4)" bash -c \
		'"$0" --sysfs "$1/sys" --root "$1" disk xml /dev/sdb; [ $? = 4 ]' "$PT" "$r"
	check "$1: check refuses sdb's controller (exit 1, host-disk)" bash -c \
		'"$0" --pci-ids "$2" --sysfs "$1/sys" --root "$1" check >check.out 2>&1; rc=$?; cat check.out
		[ $rc = 1 ] && grep -q "the host uses" check.out && grep -q "disk sdb (" check.out' \
		"$PT" "$r" "$TOP/tests/fixtures/pci.ids"
}
ptr() { local r=root-$1; shift; "$PT" --pci-ids "$TOP/tests/fixtures/pci.ids" --sysfs "$r/sys" --root "$r" "$@"; }

new_anon_root btrfs p1.img btrfs.img \
	'30 1 0:31 /@ / rw,relatime shared:1 - btrfs /dev/sdb rw,space_cache=v2,subvolid=256,subvol=/@'
btrfs_members root-btrfs $BTRFS1 sdb
golden disks-btrfs-root ptr btrfs disks
json disks-btrfs-root '[(x["name"], x["uses"], x["content"]["type"], x["content"]["uuid"]) for x in d["disks"]][1] == ("sdb", ["root"], "btrfs", "'$BTRFS1'")' ptr btrfs disks --json
host_needs_sdb btrfs
new_anon_root btrfs-control p1.img btrfs.img ''
check "btrfs: the control, the same tree with nothing on sdb, passes check" bash -c \
	'"$0" --pci-ids "$2" --sysfs "$1/sys" --root "$1" check >check.out 2>&1; ! grep -q "the host uses" check.out' \
	"$PT" root-btrfs-control "$TOP/tests/fixtures/pci.ids"

new_anon_root btrfs-boot p1.img btrfs.img '31 1 0:32 / /boot rw,relatime - btrfs /dev/sdb rw'
btrfs_members root-btrfs-boot $BTRFS1 sdb
json disks-btrfs-boot 'd["disks"][1]["uses"] == ["/boot"]' ptr btrfs-boot disks --json
host_needs_sdb btrfs-boot

# one btrfs on sda1 and sdb, mounted from sda1: sdb holds half the root
new_anon_root btrfs-two btrfs-a.img btrfs-b.img \
	'30 1 0:31 / / rw,relatime - btrfs /dev/sda1 rw,space_cache=v2,subvolid=5,subvol=/'
btrfs_members root-btrfs-two $BTRFS2 sda1 sdb
golden disks-btrfs-two-devices ptr btrfs-two disks
host_needs_sdb btrfs-two

# Issue 22: a btrfs root the kernel mounted itself (no initramfs) is
# "/dev/root" in mountinfo, with an anonymous number: the host's root disk
# was invisible to check, disk xml and bind. The kernel's root= names it.
devroot_case() { # NAME ROOT=VALUE: btrfs on sdb as /dev/root, the kernel given root=VALUE
	new_anon_root "$1" p1.img btrfs.img \
		'30 1 0:31 / / rw,relatime - btrfs /dev/root rw,space_cache=v2,subvolid=5,subvol=/'
	btrfs_members "root-$1" $BTRFS1 sdb
	printf 'BOOT_IMAGE=/vmlinuz root=%s ro quiet\n' "$2" >"root-$1/proc/cmdline"
}
devroot_case devroot-name /dev/sdb
json disks-devroot-name '[(x["name"], x["uses"]) for x in d["disks"]][1] == ("sdb", ["root"])' ptr devroot-name disks --json
host_needs_sdb devroot-name
devroot_case devroot-number 8:16
json disks-devroot-number 'd["disks"][1]["uses"] == ["root"]' ptr devroot-number disks --json
devroot_case devroot-hex 0810
json disks-devroot-hex 'd["disks"][1]["uses"] == ["root"]' ptr devroot-hex disks --json
# root=PARTUUID= of sda1, the first partition of the GPT disk sda (gpt.img)
new_anon_root devroot-partuuid btrfs.img mapping.img \
	'30 1 0:31 / / rw,relatime - btrfs /dev/root rw,space_cache=v2,subvolid=5,subvol=/'
btrfs_members root-devroot-partuuid $BTRFS1 sda1
printf 'root=PARTUUID=%s ro\n' "$(sfdisk --part-uuid gpt.img 1 | tr 'A-F' 'a-f')" >root-devroot-partuuid/proc/cmdline
json disks-devroot-partuuid '"root" in d["disks"][0]["uses"] and d["disks"][0]["name"] == "sda"' ptr devroot-partuuid disks --json
devroot_case devroot-unknown /dev/nfs
json disks-devroot-unknown 'd["disks"][1]["uses"] == []' ptr devroot-unknown disks --json

# a ZFS root pool mirrored on sda1 and all of sdb
new_anon_root zfs zfs-a.img zfs-b.img "$(printf '%s\n' \
	'40 1 0:45 / / rw,relatime shared:1 - zfs rpool/ROOT/debian rw,xattr,posixacl' \
	'41 40 0:46 / /home rw,relatime shared:2 - zfs rpool/home rw,xattr,posixacl')"
golden disks-zfs-root ptr zfs disks
json disks-zfs-root '[(x["name"], x["uses"]) for x in d["disks"]] == [("sda", ["root", "mounted", "crypt-open"]), ("sdb", ["root", "mounted"])] and d["disks"][1]["content"]["type"] == "zfs_member"' ptr zfs disks --json
host_needs_sdb zfs

new_anon_root bcachefs p1.img btrfs.img '50 1 0:47 / / rw,relatime - bcachefs /dev/sda1:/dev/sdb rw'
json disks-bcachefs '[(x["name"], x["uses"]) for x in d["disks"]] == [("sda", ["root", "crypt-open"]), ("sdb", ["root"])]' ptr bcachefs disks --json
host_needs_sdb bcachefs

golden disks-table pt disks -o NAME,SIZE,TYPE,UUID,LABEL,CONTROLLER,GROUP,USES,MODEL
golden disks-table-raw pt disks -r -n -o NAME,TYPE,USES

# --- guest-mounts -------------------------------------------------------------------
golden guest-mounts pt guest-mounts /dev/sda2 --key-file /root/.extkey --mountpoint /data/guesthd1
# Issue 11: a blank split the crypttab field, a newline injected a line.
check "guest-mounts: a key file crypttab cannot hold is refused (exit 2)" \
	bash -c '"$0" --sysfs root/sys --root root guest-mounts /dev/sda2 --key-file "/root/my key" --mountpoint /data >out.gm 2>&1; [ $? = 2 ] && grep -q "a crypttab path cannot hold blanks" out.gm && ! grep -q "^sda2_crypt" out.gm' "$PT"
check "guest-mounts: a mount point with a newline is refused (exit 2)" \
	bash -c '"$0" --sysfs root/sys --root root guest-mounts /dev/sda2 --key-file /root/k --mountpoint "$(printf "/data\n/etc")" >out.gm 2>&1; [ $? = 2 ] && grep -q "control characters cannot be written in fstab" out.gm' "$PT"
golden guest-mounts-closed pt guest-mounts /dev/sdb --key-file /root/.extkey --mountpoint /data/guesthd1
golden guest-mounts-not-luks pt guest-mounts /dev/sda1 --key-file /root/.extkey --mountpoint /data
golden guest-mounts-usage pt guest-mounts /dev/sda2 --mountpoint data
# Issue 22: the LUKS header's UUID went verbatim into the crypttab line
# to paste: whoever wrote the disk could add lines (LUKS1 has no checksum,
# and libcryptsetup takes any UUID field).
truncate -s 16M evil-uuid.img
luks evil-uuid.img luks1 0ba5e000-0000-4000-8000-000000000009
printf 'x\n/dev/sda / ext4 defaults 0 0\n#\0' | dd of=evil-uuid.img bs=1 seek=168 conv=notrunc status=none
rm root/dev/sdb && ln evil-uuid.img root/dev/sdb
pt guest-mounts /dev/sdb --key-file /root/k --mountpoint /data >out.evil 2>&1; echo $? >rc.evil
check "guest-mounts: a LUKS UUID that is not a UUID is refused, escaped, exit 1" \
	bash -c '[ "$(cat rc.evil)" = 1 ] && ! grep -q "^/dev/sda /" out.evil && ! grep -q "_crypt UUID=" out.evil &&
		grep -qF "UUID '"'"'x\x0a/dev/sda / ext4 defaults 0 0\x0a#'"'"' is not a UUID" out.evil'
pt luks inspect evil-uuid.img >out.evil-inspect 2>&1
check "luks inspect: the header's UUID is shown escaped, on one line" \
	grep -qF "  UUID         x\x0a/dev/sda / ext4 defaults 0 0\x0a#" out.evil-inspect
rm root/dev/sdb && ln whole-luks1.img root/dev/sdb

tap_end
exit $((TAP_FAILED > 0))
