#!/usr/bin/env bash
# Disks and LUKS: images made here (mkfs.ext4, LUKS1 and LUKS2, a detached
# header, GPT and MBR partitions, a damaged header) with fixed UUIDs, read by
# libblkid and libcryptsetup without root; the captured QEMU tree as the
# machine, its /dev nodes being those images; libvirt through a virsh
# stand-in for the error cases. Golden outputs, JSON read back by Python,
# QMP checked against the seed's sequence, the disk XML validated by
# virt-xml-validate inside a whole domain.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PT=$BUILD/passthrough
GOLDEN=$TOP/tests/golden
. "$(dirname "$0")/tap.sh"
cd "$TAP_TMP" || exit 1

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

# --- guest-mounts -------------------------------------------------------------------
golden guest-mounts pt guest-mounts /dev/sda2 --key-file /root/.extkey --mountpoint /data/guesthd1
golden guest-mounts-closed pt guest-mounts /dev/sdb --key-file /root/.extkey --mountpoint /data/guesthd1
golden guest-mounts-not-luks pt guest-mounts /dev/sda1 --key-file /root/.extkey --mountpoint /data
golden guest-mounts-usage pt guest-mounts /dev/sda2 --mountpoint data

tap_end
exit $((TAP_FAILED > 0))
