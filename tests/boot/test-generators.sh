#!/usr/bin/env bash
# The real initramfs generators with our glue: Debian's mkinitramfs with
# hooks/, and dracut with dracut/90passthrough (systemd in the initrd, and
# dracut's own init without it). Each image boots the QEMU topology with a
# root disk whose /sbin/init reports every device's driver; the selected
# devices must be on vfio-pci, bound before any host driver (no "taken
# from"), the others on their host drivers. Output: TAP.
#
# The generators read /lib/modules, /etc, /usr/sbin and /boot: each build
# runs in a private mount namespace where overlays put the downloaded
# kernel, our config and our binary there. The host's own files are never
# changed.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
W="$BUILD/boot/generators"
rm -rf "$W" && mkdir -p "$W"
W=$(cd "$W" && pwd)
fetch_kernel
prepare_disks

CONFIG='[device.nic]
address = 0000:01:00.0
ids = 8086:10d3

[device.usb]
class = 0x0c03
'

# What `passthrough apply` does for CONFIG on a fake root of the captured
# QEMU machine, as a new admin meets it: an Intel host whose kernel was not
# given intel_iommu=on, so VT-d is off and there are no IOMMU groups. Step
# 1 sets the IOMMU's arguments and binds nothing; "after the reboot" (the
# captured tree, which has them) step 2 checks the groups and turns the
# binder on. --undo on a copy turns it off again. Then the admin edits the
# config to take 02:00.0 too and never runs apply: the "kernel upgrade"
# that builds the images below must keep the applied config, loudly.
r="$W/applied-root"
cp -a "$TOP/tests/fixtures/qemu" "$r"
mkdir -p "$r/lib" "$r/etc" && ln -s "$KROOT/lib/modules" "$r/lib/modules"
echo "$KVER" >"$r/proc/sys/kernel/osrelease"
printf 'ID=debian\n' >"$r/etc/os-release"
mkdir -p "$r/usr/sbin" && : >"$r/usr/sbin/update-grub"
printf '%s' "$CONFIG" >"$r/etc/passthrough.conf"
rm -rf "$r/sys/kernel/iommu_groups"
find "$r/sys/devices" -name iommu_group -type l -delete
sed -i 's/AuthenticAMD/GenuineIntel/' "$r/proc/cpuinfo"
echo "console=ttyS0 panic=-1" >"$r/proc/cmdline"
pt_root() { "$BUILD/passthrough" --sysfs "$r/sys" --root "$r" "$@"; }
pt_root apply >"$W/apply-step1.log" 2>&1 || true
STEP1_ARGS=$(pt_root cmdline --applied 2>>"$W/apply-step1.log" || true)
STEP1_OFF=yes
[ -e "$r/var/lib/passthrough/initramfs.conf" ] && STEP1_OFF=no
rm -rf "$r/sys" && cp -a "$TOP/tests/fixtures/qemu/sys" "$r/sys"
echo "console=ttyS0 panic=-1 $STEP1_ARGS" >"$r/proc/cmdline"
pt_root apply >"$W/apply-step2.log" 2>&1 || true
export APPLIED_CONFIG="$r/var/lib/passthrough/initramfs.conf"
cp -a "$r" "$W/undone-root"
"$BUILD/passthrough" --sysfs "$W/undone-root/sys" --root "$W/undone-root" apply --undo \
	>"$W/apply-undo.log" 2>&1 || true
CONFIG="$CONFIG
[device.edited-never-applied]
address = 0000:02:00.0
"

make_report_root "$W/root.img"

in_namespace() { generator_namespace "$W/ovl" "$CONFIG" "$@"; }

build_initramfs_tools() { # [IMAGE]
	initramfs_tools_conf "$W/itools-conf" with-hook
	in_namespace mkinitramfs -d "$W/itools-conf" -o "${1:-$W/initramfs-tools.img}" "$KVER"
}

build_dracut() { # NAME DRACUT-ARGS...
	local name=$1; shift
	in_namespace dracut --quiet --force --no-hostonly --no-compress --kver "$KVER" \
		--add-drivers "virtio_blk virtio_pci ext4 e1000e xhci_pci ahci" "$@" "$W/$name.img"
}

n=0
# shellcheck disable=SC2034 # read by lib.sh's result()
SUITE=generators

# --- apply in two steps, and --undo (on the fake root) ------------------------
if grep -q "step 1 of 2" "$W/apply-step1.log" && [ "$STEP1_ARGS" = "intel_iommu=on iommu=pt" ] &&
	[ "$STEP1_OFF" = yes ] && [ -s "$APPLIED_CONFIG" ] &&
	[ ! -e "$W/undone-root/var/lib/passthrough/initramfs.conf" ]; then
	result "apply: step 1 sets intel_iommu=on iommu=pt and no config, step 2 the config, --undo none"
else
	result "apply: step 1 sets intel_iommu=on iommu=pt and no config, step 2 the config, --undo none" \
		"step 1 args '$STEP1_ARGS', binder off after step 1: $STEP1_OFF" \
		"see $W/apply-step1.log, apply-step2.log, apply-undo.log"
fi

# --- build -----------------------------------------------------------------
if build_initramfs_tools >"$W/initramfs-tools.build.log" 2>&1; then
	result "mkinitramfs builds an image with the hook"
else
	result "mkinitramfs builds an image with the hook" "see $W/initramfs-tools.build.log"
fi
mkdir -p "$W/itools-unpacked"
unmkinitramfs "$W/initramfs-tools.img" "$W/itools-unpacked" 2>/dev/null || true
u="$W/itools-unpacked"; [ -d "$u/main" ] && u="$u/main"
order=$(grep -o 'init-top/[a-z_]*' "$u/scripts/init-top/ORDER" 2>/dev/null | tr '\n' ' ' || true)
case " $order " in
*" init-top/passthrough "*"init-top/udev "*) result "init-top ORDER runs passthrough before udev" ;;
*) result "init-top ORDER runs passthrough before udev" "ORDER: $order" ;;
esac
if grep -q "WARNING: /etc/passthrough.conf changed after the last .passthrough apply." "$W/initramfs-tools.build.log" &&
	cmp -s "$u/etc/passthrough.conf" "$APPLIED_CONFIG"; then
	result "an edit never applied: mkinitramfs warns and the image keeps the applied config"
else
	result "an edit never applied: mkinitramfs warns and the image keeps the applied config" \
		"see $W/initramfs-tools.build.log and $u/etc/passthrough.conf"
fi
missing=()
for f in sbin/passthrough-early etc/passthrough.conf; do [ -e "$u/$f" ] || missing+=("no /$f in the image"); done
ls "$u"/usr/lib/modules/*/kernel/drivers/vfio/pci/vfio-pci.ko* >/dev/null 2>&1 || missing+=("no vfio-pci module in the image")
result "the image holds the binder, the config and vfio-pci" "${missing[@]}"

# After step 1 or --undo there is no applied config: the image binds
# nothing, though the binder is in it and the admin's config is there.
if (unset APPLIED_CONFIG; build_initramfs_tools "$W/binder-off.img") >"$W/binder-off.build.log" 2>&1 &&
	grep -q "has not been applied: this initramfs binds nothing" "$W/binder-off.build.log"; then
	result "mkinitramfs after --undo: an image without config, and says so"
else
	result "mkinitramfs after --undo: an image without config, and says so" "see $W/binder-off.build.log"
fi

for variant in dracut-systemd dracut-no-systemd; do
	args=()
	[ "$variant" = dracut-no-systemd ] && args=(--omit "systemd systemd-initrd dracut-systemd")
	if build_dracut "$variant" "${args[@]}" >"$W/$variant.build.log" 2>&1 &&
		grep -q "WARNING: /etc/passthrough.conf changed after the last" "$W/$variant.build.log"; then
		result "dracut ($variant) builds an image with 90passthrough, warning of the unapplied edit"
	else
		result "dracut ($variant) builds an image with 90passthrough, warning of the unapplied edit" \
			"see $W/$variant.build.log"
	fi
done

# --- boot ------------------------------------------------------------------
export EXTRA_QEMU_ARGS="-drive if=none,id=root,file=$W/root.img,format=raw,snapshot=on -device virtio-blk-pci,drive=root,addr=0x10"
export -f boot_guest die
export BUILD VMLINUZ W
export STEP1_ARGS
# binder-off boots three times. With no IOMMU argument: Debian's kernel
# turns VT-d on by default (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF), so
# check reads boot/config-* before it asks for step 1. With
# intel_iommu=off: VT-d off, as on a kernel built without that default
# (the host before step 1). With intel_iommu=off followed by step 1's
# arguments, as GRUB puts them (GRUB_CMDLINE_LINUX_DEFAULT last): the
# host after step 1, or after --undo.
printf '%s\n' initramfs-tools dracut-systemd dracut-no-systemd binder-off:no-argument \
	binder-off:iommu-off binder-off:step1-arguments |
	xargs -P "${BOOT_JOBS:-2}" -I{} bash -c '
	img=${1%%:*} args=intel_iommu=on
	case $1 in
	*:no-argument) args= ;;
	*:iommu-off) args=intel_iommu=off ;;
	*:step1-arguments) args="intel_iommu=off $STEP1_ARGS" ;;
	esac
	[ -s "$W/$img.img" ] && IOMMU_ARGS=$args boot_guest "$W/$img.img" "$W/${1/:/.}.boot.log" \
		root=/dev/vda rw rd.emergency=poweroff || true' _ {}

for variant in initramfs-tools dracut-systemd dracut-no-systemd; do
	log="$W/$variant.boot.log"
	problems=()
	grep -q '^PT-END' "$log" 2>/dev/null || problems+=("the root's init did not report (log: $log)")
	for e in 01:00.0=vfio-pci 00:04.0=vfio-pci 02:00.0=e1000e 00:05.0=ahci; do
		got=$(guest_driver "$log" "0000:${e%%=*}" 2>/dev/null || true)
		[ "$got" = "${e#*=}" ] || problems+=("0000:${e%%=*} is on '${got:-?}', expected ${e#*=}")
	done
	grep -q 'passthrough: 0000:01:00.0: bound to vfio-pci$' "$log" 2>/dev/null ||
		problems+=("the binder did not bind 01:00.0 before any host driver had it")
	result "$variant image boots: selected devices on vfio-pci, the rest on host drivers" "${problems[@]}"
done
for boot in no-argument iommu-off step1-arguments; do
	log="$W/binder-off.$boot.boot.log"
	problems=()
	grep -q '^PT-END' "$log" 2>/dev/null || problems+=("the root's init did not report (log: $log)")
	for e in 01:00.0=e1000e 00:04.0=xhci_hcd 02:00.0=e1000e 00:05.0=ahci; do
		got=$(guest_driver "$log" "0000:${e%%=*}" 2>/dev/null || true)
		[ "$got" = "${e#*=}" ] || problems+=("0000:${e%%=*} is on '${got:-?}', expected ${e#*=}")
	done
	groups=$(awk '$1 == "PT-IOMMU-GROUPS" {print $2}' "$log" 2>/dev/null)
	case $boot in
	no-argument)
		[ "${groups:-0}" -gt 0 ] || problems+=("Debian's kernel made no IOMMU groups without an argument")
		name="no IOMMU argument: Debian's kernel has VT-d on by default; nothing bound" ;;
	iommu-off)
		[ "$groups" = 0 ] || problems+=("with intel_iommu=off the kernel made ${groups:-?} IOMMU groups, expected 0")
		name="intel_iommu=off: no IOMMU groups (the host step 1 is for); nothing bound" ;;
	*)
		[ "${groups:-0}" -gt 0 ] || problems+=("with 'intel_iommu=off $STEP1_ARGS' the kernel made no IOMMU groups")
		name="step 1's arguments after intel_iommu=off: IOMMU groups; after step 1 or --undo nothing bound" ;;
	esac
	grep -q 'passthrough: 0000:..:..\..: bound to' "$log" 2>/dev/null && problems+=("the binder bound a device")
	result "$name" "${problems[@]}"
done
echo "1..$n"
