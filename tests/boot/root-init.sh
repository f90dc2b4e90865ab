#!/bin/busybox sh
# shellcheck shell=dash
# /sbin/init of the root disk the generator tests boot into: the real
# initramfs (built by mkinitramfs or dracut) has run the binder and udev's
# coldplug by now. Reports every device's driver and the binder's log.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for d in /sys/bus/pci/devices/*; do
	drv=none
	[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	echo "PT-DRIVER $(basename "$d") $(cat "$d/vendor"):$(cat "$d/device") $drv"
done
set -- /sys/kernel/iommu_groups/*
[ -e "$1" ] || set --
echo "PT-IOMMU-GROUPS $#"
dmesg | grep 'passthrough:' | sed 's/^/PT-KMSG /'
echo PT-END
poweroff -f
