#!/bin/sh
# Runs in the guest: copies what the host tool reads from sysfs and /proc
# into a tree with the same layout (relative links kept), and prints it as
# a base64 tar between PT-CAPTURE markers (not with --no-print).
c=/tmp/capture
mkdir -p $c
copy_attrs() { # DIR ATTR...
	d=$1; shift
	mkdir -p "$c$d"
	for a in "$@"; do
		[ -f "$d/$a" ] && [ -r "$d/$a" ] && cat "$d/$a" >"$c$d/$a" 2>/dev/null
	done
	return 0
}
copy_link() { [ -L "$1" ] && mkdir -p "$c$(dirname "$1")" && ln -sf "$(readlink "$1")" "$c$1"; }

for l in /sys/bus/pci/devices/*; do
	copy_link "$l"
	d=$(readlink -f "$l")
	copy_attrs "$d" vendor device subsystem_vendor subsystem_device class boot_vga \
		reset_method driver_override modalias revision uevent
	dd if="$d/config" of="$c$d/config" bs=4096 count=1 2>/dev/null
	copy_link "$d/driver"; copy_link "$d/iommu_group"
done
for dr in /sys/bus/pci/drivers/*; do
	mkdir -p "$c$dr"; copy_link "$dr/module"
	m=$(readlink -f "$dr/module" 2>/dev/null) && [ -n "$m" ] && copy_attrs "$m" initstate
done
for g in /sys/kernel/iommu_groups/*; do
	mkdir -p "$c$g/devices"
	for l in "$g"/devices/*; do copy_link "$l"; done
done
for l in /sys/bus/usb/devices/*; do
	copy_link "$l"
	copy_attrs "$(readlink -f "$l")" busnum devnum idVendor idProduct product manufacturer
done
for l in /sys/block/*; do
	copy_link "$l"
	b=$(readlink -f "$l")
	copy_attrs "$b" dev size removable ro
	[ -e "$b/device" ] && copy_attrs "$(readlink -f "$b/device")" model vendor serial
	copy_link "$b/device"
	copy_attrs "$b/dm" name uuid
	mkdir -p "$c$b/holders"; for h in "$b"/holders/*; do copy_link "$h"; done
	for p in "$b"/"$(basename "$b")"*; do
		[ -f "$p/partition" ] || continue
		copy_attrs "$p" dev size partition
		mkdir -p "$c$p/holders"; for h in "$p"/holders/*; do copy_link "$h"; done
	done
done
for l in /sys/class/net/*; do
	copy_link "$l"; n=$(readlink -f "$l"); mkdir -p "$c$n"; copy_link "$n/device"
done
mkdir -p $c/proc/self/net $c/proc/net $c/proc/sys/kernel $c/dev/vfio
cat /proc/sys/kernel/osrelease >$c/proc/sys/kernel/osrelease
cat /proc/self/mountinfo >$c/proc/self/mountinfo
for f in swaps cmdline cpuinfo interrupts net/route net/ipv6_route; do
	cat /proc/$f >$c/proc/$f 2>/dev/null
done
for v in /dev/vfio/*; do [ -e "$v" ] && : >"$c$v"; done
[ "${1:-}" = --no-print ] && exit 0
echo PT-CAPTURE-BEGIN
tar -C $c -cf - . | gzip -9 | base64
echo PT-CAPTURE-END
