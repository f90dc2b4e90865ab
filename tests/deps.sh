#!/bin/sh
# The developers' lab: everything `make check`, `make demo`, `make bench`
# and `make fuzz` need on Debian or Ubuntu, far more than building needs
# (QEMU, the libvirt daemon, OVMF, three initramfs generators, package
# builders). Not for a production host: to build and install passthrough
# there, README.md#1-install gives each family's one line of build
# dependencies. As root it runs apt-get; otherwise it prints the line.
set -u

# What building needs is build-aux/build-deps' (the README's install line
# is checked against it too): its Debian column.
BUILD_DEPS=$(awk '!/^#/ && NF { print $2 }' "$(dirname "$0")/../build-aux/build-deps" | tr '\n' ' ')
# Each group: what it is for, then its packages.
LAB="
build|$BUILD_DEPS clang pci.ids
static binders|liblzma-dev libzstd-dev zlib1g-dev musl-tools patch
unit tests and sanitizers|libcmocka-dev valgrind python3 file mandoc shellcheck
boot tests under QEMU|qemu-system-x86 ovmf busybox-static cpio kmod gzip xz-utils zstd fdisk e2fsprogs btrfs-progs cryptsetup-bin pciutils dosfstools mtools
initramfs generators and boot loaders|initramfs-tools dracut-core udev systemd systemd-boot grub-common libarchive-tools gawk binutils pax-utils python3-debian
libvirt|libvirt-clients libvirt-daemon-system libvirt-daemon-driver-qemu
packages and integrations|debhelper lintian rpm rpmlint debootstrap ansible-core bash-completion"

missing="" count=0
echo "$LAB" | {
	while IFS='|' read -r what packages; do
		[ -n "$what" ] || continue
		need=""
		for p in $packages; do
			dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
				need="$need $p"
		done
		[ -z "$need" ] || printf '%s\n' "passthrough: for $what:$need" >&2
		missing="$missing$need"
	done
	[ -z "$missing" ] && exit 0
	for _ in $missing; do count=$((count + 1)); done

	if [ "$(id -u)" -ne 0 ]; then
		echo "run:  sudo apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
	echo "passthrough: installing $count packages (apt-get's progress follows)" >&2
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing ||
		{ apt-get update && apt-get install -y --no-install-recommends $missing; } ||
		{ echo "passthrough: apt-get install$missing failed" >&2; exit 1; }
	echo "passthrough: installed $count packages" >&2
}
