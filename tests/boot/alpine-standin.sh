#!/bin/busybox sh
# shellcheck shell=dash
# Stands in for Alpine's /usr/share/mkinitfs/initramfs-init in the Alpine
# boot tests, doing what matters here in its order: install busybox's
# applets, mount, `modprobe -a` the modules= of the command line (busybox
# modprobe, which reads MODULE.PARAM= options from /proc/cmdline), then
# coldplug every device (nlplug-findfs's job), then report. Alpine's real
# init cannot run here: it needs Alpine's nlplug-findfs and apk tools.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
read -r cmdline </proc/cmdline
for opt in $cmdline; do
	# shellcheck disable=SC2046 # one module a word
	case $opt in modules=*) modprobe -a $(echo "${opt#modules=}" | tr ',' ' ') ;; esac
done
for d in /sys/bus/pci/devices/*; do modprobe -q "$(cat "$d/modalias")" 2>/dev/null; done
for d in /sys/bus/pci/devices/*; do
	drv=none
	[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	echo "PT-DRIVER $(basename "$d") $(cat "$d/vendor"):$(cat "$d/device") $drv"
done
dmesg | grep -E 'passthrough:|vfio_pci: add' | sed 's/^/PT-KMSG /'
echo PT-END
poweroff -f
