#!/bin/busybox sh
# shellcheck shell=dash
# /init of the guest in the libvirt test: reports on its serial console
# how many virtio disks it sees, whenever that changes, so the test can
# check a live attach and detach from inside the guest. PCIe hotplug
# (pciehp) is built into Debian's kernel; virtio_blk is loaded here.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
modprobe virtio_pci
modprobe virtio_blk
echo "PT-GUEST-READY"
while :; do
	# new PCI devices need a driver bound; coldplug by hand, as udev would
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/driver" ] || modprobe -q "$(cat "$d/modalias")" 2>/dev/null
	done
	# said again and again: the test may start reading at any time
	n=0; for b in /sys/block/vd*; do [ -e "$b" ] && n=$((n + 1)); done
	echo "PT-GUEST-VIRTIO-DISKS $n"
	sleep 1
done
