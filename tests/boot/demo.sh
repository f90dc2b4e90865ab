#!/usr/bin/env bash
# make demo: boots the test topology twice under QEMU with Debian's kernel,
# once with passthrough=off and once with tests/boot/configs/demo.conf, and
# shows each device's driver before and after.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
mkdir -p "$BUILD/boot"
fetch_kernel
echo "Building an initramfs with passthrough-early, vfio and the host drivers ($KVER)..."
build_initramfs "$BUILD/boot/initrd.gz"
prepare_disks
echo "The config (/etc/passthrough.conf in the guest):"
sed 's/^/    /' "$BOOT_DIR/configs/demo.conf"
echo
echo "Booting twice under QEMU (TCG, q35, emulated Intel IOMMU): ~10 s each..."
boot_guest "$BUILD/boot/initrd.gz" "$BUILD/boot/demo-off.log" pt.test=demo passthrough=off &
boot_guest "$BUILD/boot/initrd.gz" "$BUILD/boot/demo-on.log" pt.test=demo
wait
for l in demo-off demo-on; do
	grep -q PT-END "$BUILD/boot/$l.log" || die "the guest did not finish booting: see $BUILD/boot/$l.log"
done
echo
printf '%-13s %-10s %-7s %-6s %-15s %s\n' DEVICE ID CLASS GROUP "WITHOUT" "WITH passthrough"
while read -r _ bdf id drv class group; do
	id=${id//0x/}
	printf '%-13s %-10s %-7s %-6s %-15s %s\n' "$bdf" "$id" "${class:2:4}" "${group#group=}" \
		"$drv" "$(guest_driver "$BUILD/boot/demo-on.log" "$bdf")"
done < <(grep '^PT-DRIVER' "$BUILD/boot/demo-off.log")
echo
echo "What the binder logged (dmesg | grep passthrough):"
grep '^PT-KMSG' "$BUILD/boot/demo-on.log" | sed 's/^PT-KMSG /    /'
