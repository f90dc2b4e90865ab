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

# What `passthrough apply` wrote for CONFIG (generate's part, on a fake
# root of the captured QEMU machine); then the admin edits the config to
# take 02:00.0 too and never runs apply: the "kernel upgrade" that builds
# the images below must keep the applied config and say so loudly.
r="$W/applied-root"
cp -a "$TOP/tests/fixtures/qemu" "$r"
mkdir -p "$r/lib" "$r/etc" && ln -s "$KROOT/lib/modules" "$r/lib/modules"
echo "$KVER" >"$r/proc/sys/kernel/osrelease"
printf 'ID=debian\n' >"$r/etc/os-release"
printf '%s' "$CONFIG" >"$r/etc/passthrough.conf"
"$BUILD/passthrough" --sysfs "$r/sys" --root "$r" generate >"$W/generate.log" 2>&1
export APPLIED_CONFIG="$r/var/lib/passthrough/initramfs.conf"
CONFIG="$CONFIG
[device.edited-never-applied]
address = 0000:02:00.0
"

# The root disk: busybox and the reporting init, as an ext4 image.
mkdir -p "$W/rootfs"/{bin,sbin,proc,sys,dev,tmp,etc}
# systemd's switch-root wants an OS tree: os-release says it is one.
printf 'ID=passthrough-test\nNAME="passthrough test root"\n' >"$W/rootfs/etc/os-release"
cp /bin/busybox "$W/rootfs/bin/busybox"
install -m 0755 "$BOOT_DIR/root-init.sh" "$W/rootfs/sbin/init"
mkfs.ext4 -q -F -L root -d "$W/rootfs" "$W/root.img" 32M

in_namespace() { generator_namespace "$W/ovl" "$CONFIG" "$@"; }

build_initramfs_tools() {
	initramfs_tools_conf "$W/itools-conf" with-hook
	in_namespace mkinitramfs -d "$W/itools-conf" -o "$W/initramfs-tools.img" "$KVER"
}

build_dracut() { # NAME DRACUT-ARGS...
	local name=$1; shift
	in_namespace dracut --quiet --force --no-hostonly --no-compress --kver "$KVER" \
		--add-drivers "virtio_blk virtio_pci ext4 e1000e xhci_pci ahci" "$@" "$W/$name.img"
}

n=0
result() { # NAME PROBLEMS...
	local name=$1; shift
	n=$((n + 1))
	if [ $# -eq 0 ]; then echo "ok $n - generators: $name"; else
		echo "not ok $n - generators: $name"; printf '#   %s\n' "$@"; fi
}

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
printf '%s\n' initramfs-tools dracut-systemd dracut-no-systemd |
	xargs -P "${BOOT_JOBS:-2}" -I{} bash -c \
	'[ -s "$W/$1.img" ] && boot_guest "$W/$1.img" "$W/$1.boot.log" root=/dev/vda rw rd.emergency=poweroff || true' _ {}

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
echo "1..$n"
