#!/bin/sh
# The reference for the boot benchmark: what the common
# vfio-pci-override.sh scripts do, for the same three devices the binder
# binds in that guest (tests/boot/configs/demo.conf), with busybox.
for dev in 0000:01:00.0 0000:00:04.0 0000:00:05.0; do
	echo vfio-pci >/sys/bus/pci/devices/$dev/driver_override
	[ -e /sys/bus/pci/devices/$dev/driver ] && echo $dev >/sys/bus/pci/devices/$dev/driver/unbind
done
# the modules the binder loads, so that both do the same work (libkmod
# follows vfio's softdep on vfio_iommu_type1; busybox's modprobe does not)
modprobe vfio_iommu_type1
modprobe vfio-pci
for dev in 0000:01:00.0 0000:00:04.0 0000:00:05.0; do
	echo $dev >/sys/bus/pci/drivers_probe
done
