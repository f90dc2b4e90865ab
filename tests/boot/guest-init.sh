#!/bin/busybox sh
# /init of the test initramfs. It does what a real initramfs does in the
# order that matters: mount /proc /sys /dev, run the binder (as init-top
# does, before udev), then coldplug (load a module for every device's
# modalias, as udev would), then report every device's driver.
# Kernel arguments: pt.test=NAME selects /etc/tests/NAME.conf;
# pt.preload=MOD[,MOD] loads host drivers before the binder, as if built in;
# pt.modprobe=blacklist|install writes a modprobe.d file that blacklists
# vfio_pci, or gives it an install command that must not run in early boot.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
report() {
	for d in /sys/bus/pci/devices/*; do
		drv=none
		[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		echo "PT-DRIVER $(basename "$d") $(cat "$d/vendor"):$(cat "$d/device") $drv $(cat "$d/class") group=$(basename "$(readlink "$d/iommu_group")")"
	done
}

test=$(arg pt.test)
[ -n "$test" ] && [ -f "/etc/tests/$test.conf" ] && cp "/etc/tests/$test.conf" /etc/passthrough.conf
for m in $(arg pt.preload | tr ',' ' '); do modprobe "$m"; done
mkdir -p /etc/modprobe.d
case $(arg pt.modprobe) in
blacklist) echo "blacklist vfio_pci" >/etc/modprobe.d/test.conf ;;
install) echo "install vfio_pci /bin/touch /tmp/install-command-ran" >/etc/modprobe.d/test.conf ;;
esac

start=$(cut -d' ' -f1 /proc/uptime)
/sbin/passthrough-early
echo "PT-EXIT $?"
end=$(cut -d' ' -f1 /proc/uptime)
echo "PT-TIME $start $end"

for d in /sys/bus/pci/devices/*; do modprobe -q "$(cat "$d/modalias")" 2>/dev/null; done
report
[ -e /tmp/install-command-ran ] && echo "PT-INSTALL-COMMAND-RAN"
dmesg | grep 'passthrough:' | sed 's/^/PT-KMSG /'
echo PT-END
poweroff -f
