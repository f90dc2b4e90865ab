#!/usr/bin/env bash
# Regenerates tests/fixtures/qemu: the sysfs and /proc facts of the QEMU
# topology, captured from Debian's kernel in the guest, with a mounted ext4
# and an open LUKS volume on the extra AHCI controller's disk. The golden
# tests of `passthrough list/check/status` run on it.
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-$(dirname "$0")/../fixtures/qemu}
. "$(dirname "$0")/lib.sh"
mkdir -p "$BUILD/boot"
fetch_kernel
build_initramfs "$BUILD/boot/initrd.gz"
prepare_disks
boot_guest "$BUILD/boot/initrd.gz" "$BUILD/boot/capture.log" pt.test=none pt.disks=1 pt.capture=1 loglevel=1
grep -q PT-CAPTURE-END "$BUILD/boot/capture.log" || die "no capture in $BUILD/boot/capture.log"
rm -rf "$OUT" && mkdir -p "$OUT"
sed -n '/^PT-CAPTURE-BEGIN$/,/^PT-CAPTURE-END$/p' "$BUILD/boot/capture.log" |
	sed '1d;$d' | base64 -d | tar -xzf - -C "$OUT"
echo "captured into $OUT"
