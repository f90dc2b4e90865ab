#!/usr/bin/env bash
# apply on Proxmox VE with the real proxmox-boot-tool (proxmox-kernel-helper,
# ../shared/field-tools): apply edits the fake root's /etc/kernel/cmdline,
# then `proxmox-boot-tool refresh` runs for real in a chroot over an
# overlay of this machine (changes go to the overlay) with the root's
# /etc/kernel, a boot partition (an ext4 loop image: no vfat here; the
# tool takes any filesystem mount takes) listed in proxmox-boot-uuids, and
# /sys/firmware/efi, so it writes systemd-boot entries. The entry's
# options are what is checked. What stands in: systemd-detect-virt (this
# is a container, where the hook would stop at once) and the kernel and
# initrd files (empty). Without the field tools, or without loop devices,
# each case is skipped. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
FT=${FIELD_TOOLS:-$TOP/../shared/field-tools}
PBT=$FT/proxmox/proxmox-kernel-helper/src
cd "$TAP_TMP" || exit 1

CASES=("one line: the entry gets the arguments" "one line: none after --undo, the file back byte for byte"
	"two lines: the arguments go to the first, the entry has them"
	"a first line without root= is refused, nothing written" "BIOS (GRUB mode): the drop-in, no file edited")
skip_all() {
	for c in "${CASES[@]}"; do check "proxmox: $c # skip $1" true; done
	tap_end
	exit 0
}
[ -x "$PBT/bin/proxmox-boot-tool" ] || skip_all "no $PBT (FIELD_TOOLS)"
{ command -v losetup >/dev/null && losetup -f >/dev/null 2>&1 && unshare -m true 2>/dev/null &&
	command -v debugfs >/dev/null; } || skip_all "no loop device, mount namespace or debugfs here"

# pve_root NAME CMDLINE [bios]: the captured machine as a Proxmox host;
# CMDLINE (printf format) is its /etc/kernel/cmdline, none when empty
pve_root() {
	local r=$1
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/kernel" "$r/etc/default/grub.d" "$r/usr/sbin"
	ln -s "$KROOT/lib/modules" "$r/lib/modules"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' >"$r/etc/os-release"
	: >"$r/usr/sbin/update-grub"
	echo 0BA5-E000 >"$r/etc/kernel/proxmox-boot-uuids"
	# shellcheck disable=SC2059 # the argument is the file, in printf's format
	[ -z "$2" ] || printf "$2" >"$r/etc/kernel/cmdline"
	[ "${3:-}" = bios ] || mkdir -p "$r/sys/firmware/efi"
	printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' \
		>"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
}

# refresh ROOT: proxmox-boot-tool refresh on a new boot partition; prints
# the options line of the entry it wrote for the kernel
refresh() {
	local r=$1 w=$TAP_TMP/$1.pbt loop
	rm -rf "$w" && mkdir -p "$w/esp/loader/entries" "$w/esp/EFI/proxmox"
	echo "timeout 3" >"$w/esp/loader/loader.conf"
	mkfs.ext4 -q -F -d "$w/esp" "$w/esp.img" 16M >/dev/null 2>&1
	loop=$(losetup -f --show "$w/esp.img") || return 1
	unshare -m bash -c '
		set -e
		W=$0 PBT=$1 LOOP=$2 KVER=$3 R=$4
		mount --make-rprivate /
		mkdir -p "$W/up" "$W/wk" "$W/m" && M=$W/m
		mount -t overlay overlay -o lowerdir=/,upperdir="$W/up",workdir="$W/wk" "$M"
		install -D -m755 "$PBT/bin/proxmox-boot-tool" "$M/usr/sbin/proxmox-boot-tool"
		install -D -m755 "$PBT/proxmox-boot/functions" "$M/usr/share/proxmox-kernel-helper/scripts/functions"
		install -D -m755 "$PBT/proxmox-boot/zz-proxmox-boot" "$M/etc/kernel/postinst.d/zz-proxmox-boot"
		printf "#!/bin/sh\nexit 1\n" >"$M/usr/bin/systemd-detect-virt"
		chmod +x "$M/usr/bin/systemd-detect-virt"
		cp "$R/etc/kernel/cmdline" "$R/etc/kernel/proxmox-boot-uuids" "$M/etc/kernel/"
		echo "$KVER" >"$M/etc/kernel/proxmox-boot-manual-kernels"
		: >"$M/boot/vmlinuz-$KVER" && : >"$M/boot/initrd.img-$KVER"
		mount -t proc proc "$M/proc"
		mount -t tmpfs tmpfs "$M/dev" && cp -a /dev/null /dev/zero /dev/urandom "$LOOP" "$M/dev/"
		mkdir -p "$M/dev/disk/by-uuid" && ln -s "../../${LOOP#/dev/}" "$M/dev/disk/by-uuid/0BA5-E000"
		mount -t tmpfs tmpfs "$M/sys" && mkdir -p "$M/sys/firmware/efi"
		mount -t tmpfs tmpfs "$M/tmp" && mount -t tmpfs tmpfs "$M/var/tmp"
		chroot "$M" proxmox-boot-tool refresh --hook zz-proxmox-boot' \
		"$w" "$PBT" "$loop" "$KVER" "$PWD/$r" >"$w.log" 2>&1
	losetup -d "$loop"
	debugfs -R "cat /loader/entries/proxmox-$KVER.conf" "$w/esp.img" 2>/dev/null |
		sed -n 's/^options *//p'
}
pt_in() { local r=$1; shift; "$PT" --sysfs "$r/sys" --root "$r" "$@"; }
export -f refresh pt_in
export PT PBT KVER TAP_TMP

pve_root one 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\n' && cp -a one one.orig
pt_in one apply >one.out 2>&1
check "proxmox: one line: the entry gets the arguments" \
	bash -c '[ "$(refresh one)" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt" ] ||
		{ cat one.out one.pbt.log; exit 1; }'
pt_in one apply --undo >/dev/null 2>&1
check "proxmox: one line: none after --undo, the file back byte for byte" \
	bash -c '[ "$(refresh one)" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs" ] && diff -r one.orig/etc one/etc'

# Issue 24: the arguments went to the last line, which proxmox-boot-tool
# never reads.
pve_root two 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\nquiet\n'
pt_in two apply >/dev/null 2>&1
check "proxmox: two lines: the arguments go to the first, the entry has them" \
	bash -c '[ "$(head -1 two/etc/kernel/cmdline)" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt" ] &&
		[ "$(tail -1 two/etc/kernel/cmdline)" = quiet ] &&
		[ "$(refresh two)" = "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt" ]'

pve_root noroot 'quiet\nroot=/dev/sda1\n' && cp -a noroot noroot.orig
pt_in noroot apply >noroot.out 2>&1; echo $? >noroot.rc
check "proxmox: a first line without root= is refused, nothing written" \
	bash -c '[ "$(cat noroot.rc)" = 1 ] && grep -q "its first line has no root=" noroot.out &&
		diff -r noroot.orig/etc noroot/etc && [ ! -e noroot/var/lib/passthrough/applied ]'

pve_root bios '' bios
pt_in bios apply >bios.out 2>&1
check "proxmox: BIOS (GRUB mode): the drop-in, no file edited" \
	bash -c '[ ! -e bios/etc/kernel/cmdline ] && grep -q "kernel arguments: intel_iommu=on iommu=pt" bios.out &&
		grep -q "would run  update-initramfs -u -k all" bios.out'
tap_end
exit $((TAP_FAILED > 0))
