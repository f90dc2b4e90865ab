#!/usr/bin/env bash
# The musl static binder (`make static LIBC=musl`, what the Alpine glue
# installs) on the three kernels: this machine's 6.1, Debian 11's 5.10 and
# Debian 13's 6.12, whose modules are xz-compressed. Its libkmod, compiled
# for musl with the decompressors, must read them as the kernel ships
# them: the 6.12 image keeps the vfio modules as .ko.xz, and a 6.1 image
# has them gzip-compressed, as Alpine ships its modules. Each boot binds
# the demo's three devices and leaves the second NIC to e1000e. Output: TAP.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"

LOGS="$BUILD/boot/musl-logs"
mkdir -p "$LOGS"
prepare_disks
images_on_three_kernels "$BUILD/boot/initrd-musl" musl
# Alpine's modules are gzip-compressed: 6.1's vfio modules made so.
fetch_kernel
MODULE_GZIP=1 build_initramfs "$BUILD/boot/initrd-musl-61gz.gz" musl
# shellcheck disable=SC2153 # set by images_on_three_kernels
export VMLINUZ_61gz=$VMLINUZ_61

n=0
# The image must hold what the kernel ships: compressed on 6.12, so the
# boot below cannot pass by reading a plain .ko.
n=$((n + 1))
listing=$(zcat "$BUILD/boot/initrd-musl-612.gz" | cpio -t --quiet 2>/dev/null)
if grep -q 'kernel/drivers/vfio/pci/vfio-pci.ko.xz$' <<<"$listing" &&
	! grep -q 'kernel/drivers/vfio/pci/vfio-pci.ko$' <<<"$listing"; then
	echo "ok $n - the 6.12 image carries vfio-pci.ko.xz, not a plain .ko"
else
	echo "not ok $n - the 6.12 image carries vfio-pci.ko.xz, not a plain .ko"
fi
n=$((n + 1))
if zcat "$BUILD/boot/initrd-musl-61gz.gz" | cpio -t --quiet 2>/dev/null |
	grep -q 'kernel/drivers/vfio/pci/vfio-pci.ko.gz$'; then
	echo "ok $n - the gzip image carries vfio-pci.ko.gz"
else
	echo "not ok $n - the gzip image carries vfio-pci.ko.gz"
fi
n=$((n + 1))
if ! file -L "$BUILD/passthrough-early-musl" | grep -q 'statically linked' ||
	readelf -l "$BUILD/passthrough-early-musl" | grep -q INTERP; then
	echo "not ok $n - the musl binder needs no shared library"
	file -L "$BUILD/passthrough-early-musl" | sed 's/^/#   /'
else
	echo "ok $n - the musl binder needs no shared library"
fi

musl_boot() {
	local kernel=$1 vmlinuz="VMLINUZ_$1"
	VMLINUZ=${!vmlinuz} boot_guest "$BUILD/boot/initrd-musl-$kernel.gz" \
		"$LOGS/musl-$kernel.log" pt.test=demo || true
}
export -f musl_boot boot_guest die
export BUILD LOGS
printf '%s\n' 61 510 612 61gz | xargs -P "${BOOT_JOBS:-2}" -I{} bash -c 'musl_boot "$1"' _ {}

for kernel in 61 510 612 61gz; do
	n=$((n + 1))
	boot_verdict "$n" "musl binder, kernel $kernel: demo" "$LOGS/musl-$kernel.log" \
		"00:04.0=vfio-pci 00:05.0=vfio-pci 01:00.0=vfio-pci 02:00.0=e1000e" \
		"done: 3 bound, 0 already bound, 0 refused, 0 failed"
done
echo "1..$n"
