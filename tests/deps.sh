#!/bin/sh
# Installs what building, testing and the demo need, on Debian or Ubuntu.
# As root it runs apt-get; otherwise it prints the exact line to run.
PACKAGES="gcc clang make pkg-config libkmod-dev libinih-dev libcmocka-dev libpci-dev pci.ids python3 libblkid-dev libcryptsetup-dev libsmartcols-dev \
liblzma-dev libzstd-dev zlib1g-dev musl-tools patch file \
qemu-system-x86 busybox-static cpio kmod gzip cryptsetup-bin fdisk e2fsprogs \
btrfs-progs initramfs-tools udev dracut-core libvirt-clients libvirt-daemon-system \
libvirt-daemon-driver-qemu valgrind pciutils mandoc shellcheck ovmf xz-utils \
systemd systemd-boot dosfstools mtools grub-common libarchive-tools zstd gawk binutils \
python3-debian pax-utils"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "passthrough: missing packages:$missing" >&2
	echo "run:  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "passthrough: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing >/dev/null ||
	{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; } ||
	{ echo "passthrough: apt-get install$missing failed" >&2; exit 1; }
