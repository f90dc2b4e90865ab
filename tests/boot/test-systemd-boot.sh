#!/usr/bin/env bash
# systemd-boot, the Debian way, with the real tools: `passthrough apply` on
# a fake root whose boot loader is systemd-boot writes /etc/kernel/cmdline;
# Debian's own hook (/etc/initramfs/post-update.d/systemd-boot, which
# update-initramfs runs) calls the real kernel-install, whose
# 90-loaderentry.install writes the loader entry; `bootctl install` (from
# Debian's systemd-boot package) puts systemd-boot on the ESP. All of it
# runs in a private mount namespace where /boot and /boot/efi are tmpfs,
# /etc/kernel is the fake root's and /etc/machine-id a fixed one: the
# host's files are never changed. Then the ESP, copied into a FAT image
# with mtools, boots under OVMF: systemd-boot starts the kernel with the
# entry's options, and the test initramfs reports /proc/cmdline and binds
# 01:00.0. After `apply --undo` the same again: the arguments are gone.
# Output: TAP.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
W="$BUILD/boot/systemd-boot"
rm -rf "$W" && mkdir -p "$W"
W=$(cd "$W" && pwd)
fetch_kernel
prepare_disks
# the binder suite's image, built again when run alone after a change
[ "$BUILD/boot/initrd.gz" -nt "$BOOT_DIR/guest-init.sh" ] || build_initramfs "$BUILD/boot/initrd.gz"
command -v bootctl >/dev/null || die "no bootctl: install systemd-boot (sh tests/deps.sh)"

n=0
# shellcheck disable=SC2034 # read by lib.sh's result()
SUITE=systemd-boot

# The fake root: the captured QEMU machine on Debian with systemd-boot and
# no GRUB, and the admin's /etc/kernel/cmdline for the test guest
# (pt.test=by-address makes the test initramfs bind 01:00.0).
r="$W/root"
cp -a "$TOP/tests/fixtures/qemu" "$r"
mkdir -p "$r/lib" "$r/etc/kernel" "$r/boot/efi/EFI/systemd" && ln -s "$KROOT/lib/modules" "$r/lib/modules"
: >"$r/boot/efi/EFI/systemd/systemd-bootx64.efi"
echo "$KVER" >"$r/proc/sys/kernel/osrelease"
sed -i "s/AuthenticAMD/GenuineIntel/" "$r/proc/cpuinfo" # the q35 guest: VT-d
printf 'ID=debian\n' >"$r/etc/os-release"
printf '[device.nic]\naddress = 0000:01:00.0\nids = 8086:10d3\n' >"$r/etc/passthrough.conf"
printf 'console=ttyS0 panic=-1 loglevel=4\npt.test=by-address\n' >"$r/etc/kernel/cmdline"
cp "$r/etc/kernel/cmdline" "$W/cmdline.admin"
pt_root() { "$BUILD/passthrough" --sysfs "$r/sys" --root "$r" "$@"; }

# entries NAME: in a private mount namespace, systemd-boot installed on a
# tmpfs ESP and Debian's post-update hook run for the kernel, as
# update-initramfs runs it; the ESP is left in $W/NAME.esp and its FAT
# image in $W/NAME.img.
entries() {
	local name=$1
	rm -rf "$W/$name.esp" && mkdir -p "$W/$name.esp"
	echo 0ba5e000000040008000000000000017 >"$W/machine-id"
	unshare -m --propagation private bash -c '
		set -e
		W=$1 r=$2 name=$3 KROOT=$4 KVER=$5 initrd=$6
		# bootctl and kernel-install look for the ESP at /boot/efi
		export SYSTEMD_RELAX_ESP_CHECKS=1 SYSTEMD_ESP_PATH=/boot/efi SYSTEMD_XBOOTLDR_PATH=/boot/efi BOOT_ROOT=/boot/efi
		mount -t tmpfs tmpfs /boot
		mkdir /boot/efi && mount -t tmpfs tmpfs /boot/efi
		mount --bind "$r/etc/kernel" /etc/kernel
		mount --bind "$W/machine-id" /etc/machine-id
		cp "$KROOT/boot/vmlinuz-$KVER" /boot/
		cp "$initrd" "/boot/initrd.img-$KVER"
		bootctl install --no-variables
		/etc/initramfs/post-update.d/systemd-boot "$KVER" "/boot/initrd.img-$KVER"
		cp -a /boot/efi/. "$W/$name.esp/"
	' _ "$W" "$r" "$name" "$KROOT" "$KVER" "$BUILD/boot/initrd.gz" >"$W/$name.log" 2>&1 || return 1
	# The firmware reads FAT: the tree goes into an image without mounting it.
	rm -f "$W/$name.img"
	mkfs.vfat -C -n ESP "$W/$name.img" $((128 * 1024)) >>"$W/$name.log" 2>&1 &&
		mcopy -s -i "$W/$name.img" "$W/$name.esp"/* ::/ >>"$W/$name.log" 2>&1
}
entry_options() { sed -n "s/^options[[:space:]]*//p" "$W/$1.esp"/loader/entries/*.conf 2>/dev/null || true; }

# --- apply, then the real tools ---------------------------------------------
pt_root apply --dry-run >"$W/apply-dry-run.log" 2>&1 || true
if grep -q "boot path  systemd-boot (kernel-install, /etc/kernel/cmdline)" "$W/apply-dry-run.log"; then
	result "apply --dry-run names the boot path: systemd-boot through kernel-install"
else
	result "apply --dry-run names the boot path: systemd-boot through kernel-install" "see $W/apply-dry-run.log"
fi
pt_root apply >"$W/apply.log" 2>&1 || true
want="console=ttyS0 panic=-1 loglevel=4 pt.test=by-address intel_iommu=on iommu=pt"
if entries applied; then
	got=$(entry_options applied)
	case " $got " in
	*" $want "*) result "after apply, the loader entry kernel-install writes carries the arguments" ;;
	*) result "after apply, the loader entry kernel-install writes carries the arguments" \
		"options: $got" "expected them to start with: $want" ;;
	esac
else
	result "after apply, the loader entry kernel-install writes carries the arguments" "see $W/applied.log"
fi
pt_root apply --undo >"$W/undo.log" 2>&1 || true
if entries undone; then
	got=$(entry_options undone)
	if cmp -s "$W/cmdline.admin" "$r/etc/kernel/cmdline" && [[ " $got " != *" intel_iommu=on "* ]] &&
		[[ " $got " != *" iommu=pt "* ]] && [[ " $got " == *" pt.test=by-address "* ]]; then
		result "after --undo, /etc/kernel/cmdline is the admin's again and the entry has no argument of ours"
	else
		result "after --undo, /etc/kernel/cmdline is the admin's again and the entry has no argument of ours" \
			"options: $got" "see $W/undo.log"
	fi
else
	result "after --undo, /etc/kernel/cmdline is the admin's again and the entry has no argument of ours" "see $W/undone.log"
fi

# --- the firmware boots each ESP --------------------------------------------
export -f boot_guest die
export BUILD VMLINUZ W
printf '%s\n' applied undone | xargs -P "${BOOT_JOBS:-2}" -I{} bash -c \
	'[ -s "$W/$1.img" ] && UEFI=1 BOOT_ESP="$W/$1.img" boot_guest - "$W/$1.boot.log" || true' _ {}
for name in applied undone; do
	log="$W/$name.boot.log"
	problems=()
	cmdline=$(sed -n 's/^PT-CMDLINE //p' "$log" 2>/dev/null | head -1)
	[ -n "$cmdline" ] || problems+=("systemd-boot did not start the test kernel (log: $log)")
	if [ "$name" = applied ]; then
		[[ " $cmdline " == *" intel_iommu=on iommu=pt "* ]] ||
			problems+=("the kernel's command line lacks intel_iommu=on iommu=pt: $cmdline")
		what="with apply's arguments: the kernel got them from the entry; 01:00.0 on vfio-pci"
	else
		[[ " $cmdline " != *" iommu=pt "* && " $cmdline " != *" intel_iommu=on "* ]] ||
			problems+=("after --undo the kernel still got our arguments: $cmdline")
		what="after --undo: the kernel's command line has no argument of ours"
	fi
	got=$(guest_driver "$log" 0000:01:00.0 2>/dev/null || true)
	[ "$got" = vfio-pci ] || problems+=("0000:01:00.0 is on '${got:-?}', expected vfio-pci (the test initramfs binds it)")
	result "OVMF and systemd-boot, $what" "${problems[@]}"
done
echo "1..$n"
