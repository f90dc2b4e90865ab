#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test initramfs. It does what a real initramfs does in the
# order that matters: mount /proc /sys /dev, run the binder (as init-top
# does, before udev), then coldplug (load a module for every device's
# modalias, as udev would), then report every device's driver.
# Kernel arguments: pt.test=NAME selects /etc/tests/NAME.conf;
# pt.preload=MOD[,MOD] loads host drivers before the binder, as if built in;
# pt.modprobe=blacklist|install writes a modprobe.d file that blacklists
# vfio_pci, or gives it an install command that must not run in early boot;
# pt.disks=1 mounts the extra AHCI disk's ext4 and opens its LUKS volume
# first; pt.host=1 runs `passthrough status` and `check` after coldplug;
# pt.generate=1 runs `passthrough generate` after coldplug and prints what
# it wrote for the initramfs;
# pt.capture=1 prints the sysfs/proc facts the host tool reads, as a
# base64 tar (tests/boot/capture.sh turns it into tests/fixtures/qemu).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
echo "PT-CMDLINE $(cat /proc/cmdline)"
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

if [ "$(arg pt.disks)" = 1 ]; then
	# Loaded by hand: what ext4's checksums and dm-crypt's aes-xts need
	# is otherwise requested through /sbin/modprobe, which is not here.
	for m in ahci sd_mod crc32c_generic ext4 dm_crypt ecb xts; do modprobe "$m"; done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		ls /sys/block/sd*/sd*1 >/dev/null 2>&1 && break
		sleep 0.5
	done
	for b in /sys/block/sd*; do
		readlink -f "$b" | grep -q 0000:00:05.0 || continue
		disk=$(basename "$b")
		mkdir -p /mnt/data /run/cryptsetup
		mount -t ext4 "/dev/${disk}1" /mnt/data
		cryptsetup open --key-file /etc/tests/luks.key "/dev/${disk}2" vault
		/sbin/mke2fs -q -t ext4 /dev/mapper/vault # e2fsprogs', not busybox's
		echo "PT-DISKS $disk"
	done
fi

# The binder, or with pt.bench=shell the shell script it replaces; the
# kernel log's timestamps around it are what `make bench` measures, so
# the method is read before the first mark: the span holds it alone.
bench=$(arg pt.bench)
# warm: the binder's code read and translated first (a dry run changes
# nothing), to tell what starting a program costs here from its work
[ "$bench" = warm ] && /sbin/passthrough-early --dry-run >/dev/null 2>&1
echo "PT-BENCH-START" >/dev/kmsg
case "$bench" in
shell) sh /etc/tests/override.sh ;;
# the floor: loading the modules the binder loads, binding nothing
floor) modprobe vfio_iommu_type1 && modprobe vfio_pci ;;
# the in-kernel path: vfio-pci's own ID table (it cannot tell the two
# NICs, nor the chipset's AHCI from the other one, apart)
ids) modprobe vfio_iommu_type1 && modprobe vfio_pci ids=8086:10d3,1b36:000d,8086:2922 ;;
# the binder with its time per phase in the kernel log (-v; not on the
# console: its stderr goes nowhere)
binder | warm) /sbin/passthrough-early -v 2>/dev/null ;;
*) /sbin/passthrough-early ;;
esac
echo "PT-EXIT $?"
echo "PT-BENCH-END" >/dev/kmsg
dmesg | grep -E 'PT-BENCH-(START|END)' | sed 's/^/PT-MARK /'
# pt.manualbind=BDF: bind it to vfio-pci by hand before coldplug, as the
# guides do (vfio-pci.ids, a driver_override script), without the binder:
# what the kernel does when nobody releases what holds the device.
b=$(arg pt.manualbind)
if [ -n "$b" ]; then
	modprobe vfio-pci; modprobe vfio_iommu_type1
	echo vfio-pci >"/sys/bus/pci/devices/$b/driver_override"
	[ -e "/sys/bus/pci/devices/$b/driver" ] && echo "$b" >"/sys/bus/pci/devices/$b/driver/unbind"
	echo "$b" >/sys/bus/pci/drivers_probe
fi


for d in /sys/bus/pci/devices/*; do modprobe -q "$(cat "$d/modalias")" 2>/dev/null; done
# USB devices appear once their controller's driver is up.
sleep 1
for m in /sys/bus/usb/devices/*/modalias; do modprobe -q "$(cat "$m")" 2>/dev/null; done
report
[ -e /tmp/install-command-ran ] && echo "PT-INSTALL-COMMAND-RAN"
dmesg | grep -E 'passthrough:|efifb|nvme' | sed 's/^/PT-KMSG /'
driver_of() { basename "$(readlink "/sys/bus/pci/devices/$1/driver")"; }
if [ "$(arg pt.host)" = 1 ]; then
	export NO_COLOR=1 # the serial console is a terminal
	# as if `passthrough apply` had run before this boot: status judges
	# what was applied (generate's checked config, apply's state file)
	mkdir -p /var/lib/passthrough && passthrough generate >/dev/null 2>&1
	echo cmdline >/var/lib/passthrough/applied && touch -d '2000-01-01 00:00' /var/lib/passthrough/applied
	echo PT-STATUS-BEGIN; passthrough status; echo "PT-STATUS-EXIT $?"
	echo PT-CHECK-BEGIN; passthrough -c /etc/tests/check-sata.conf check
	echo "PT-CHECK-EXIT $?"
	passthrough unbind 0000:01:00.0; echo "PT-UNBIND $? $(driver_of 0000:01:00.0)"
	passthrough bind 0000:01:00.0; echo "PT-REBIND $? $(driver_of 0000:01:00.0)"
	echo PT-LIST-BEGIN; passthrough list; echo "PT-LIST-EXIT $?"
	echo PT-DISKS-BEGIN; passthrough disks; echo "PT-DISKS-EXIT $?"
	echo PT-MOUNTS-BEGIN
	passthrough guest-mounts "/dev/${disk}2" --key-file /etc/tests/luks.key --mountpoint /data
	echo "PT-MOUNTS-EXIT $?"
	# The scan reads each function's uevent file, which repeats its IDs,
	# class and driver; without one it reads those attributes. This
	# kernel's copy of the machine, read both ways, must give one answer.
	/etc/tests/capture-guest.sh --no-print
	c=/tmp/capture
	passthrough --sysfs $c/sys --root $c list --json >/tmp/by-uevent.json
	uevents=$(find $c/sys/devices -name uevent | wc -l)
	find $c/sys/devices -name uevent -exec rm -f {} +
	passthrough --sysfs $c/sys --root $c list --json >/tmp/by-attributes.json
	if cmp -s /tmp/by-uevent.json /tmp/by-attributes.json; then same=same; else same=differ; fi
	echo "PT-UEVENT $uevents uevent files, $same, $(grep -c '"address"' /tmp/by-uevent.json) addresses"
	diff /tmp/by-uevent.json /tmp/by-attributes.json | head -20 | sed 's/^/PT-UEVENT-DIFF /'
fi
# pt.vfiobar=BDF: use the device through VFIO as QEMU would (BAR 0), and
# show what holds framebuffer memory.
bdf=$(arg pt.vfiobar)
if [ -n "$bdf" ]; then
	grep -iE 'efifb|bootfb|simple|vesafb' /proc/iomem | sed 's/^/PT-IOMEM /'
	/sbin/vfio-bar "$bdf" | sed 's/^/PT-/'
	dmesg | grep -E "can't reserve|simple-framebuffer" | sed 's/^/PT-KMSG /'
fi
# pt.hotplug=1: devices added after boot, through real udev and the
# project's rule, with the PCI bus not probing new devices by itself (what
# passthrough-hotplug.service does after coldplug). The test adds two NICs
# through the QEMU monitor once it reads PT-HOTPLUG-READY.
if [ "$(arg pt.hotplug)" = 1 ]; then
	mkdir -p /run/udev /var/lib/passthrough
	cp "/etc/tests/$(arg pt.test).conf" /var/lib/passthrough/initramfs.conf
	/sbin/systemd-udevd --daemon --resolve-names=never
	# coldplug, as systemd-udev-trigger.service does it: synthetic add
	# events, which the rule leaves to what the initramfs did
	udevadm trigger --action=add --subsystem-match=pci && udevadm settle -t 60
	echo "PT-COLDPLUG-BINDER-RUNS $(dmesg | grep -c 'rule usb: for vfio-pci')"
	echo 0 >/sys/bus/pci/drivers_autoprobe
	echo PT-HOTPLUG-READY
	for _ in $(seq 120); do
		[ -e /sys/bus/pci/devices/0000:03:00.0 ] && [ -e /sys/bus/pci/devices/0000:04:00.0 ] && break
		sleep 1
	done
	udevadm settle -t 60
	for b in 0000:03:00.0 0000:04:00.0; do echo "PT-HOT $b $(driver_of $b)"; done
	[ -e /sys/module/snd_hda_intel ] && echo "PT-HOT-MODULE snd_hda_intel loaded"
	dmesg | grep -E 'passthrough:|e1000e 0000:0[34]|snd_hda_intel' | sed 's/^/PT-KMSG /'
fi
# pt.generate=1: the first of the two boots of the generate case: with
# every host driver up (coldplug above), `passthrough generate` turns
# /etc/tests/generate-all.conf into the binder's config, as apply does on
# a host; the test boots again with what it wrote. The SATA disk's name
# and the audio controller's group are found here.
if [ "$(arg pt.generate)" = 1 ]; then
	modprobe sd_mod
	satadisk=''
	for _ in $(seq 40); do
		for b in /sys/block/sd*; do
			readlink -f "$b" | grep -q 0000:00:05.0 && satadisk=$(basename "$b")
		done
		[ -n "$satadisk" ] && break
		sleep 0.5
	done
	audio=$(basename "$(readlink /sys/bus/pci/devices/0000:04:00.0/iommu_group)")
	{ cat /etc/tests/generate-all.conf
	  printf '\n# a disk: its controller\n[device.sata]\ndisk = /dev/%s\n' "$satadisk"
	  printf '\n# a group, recorded with its members\n[device.audio]\ngroup = %s\n' "$audio"
	} >/etc/passthrough.conf
	mkdir -p /var/lib/passthrough
	passthrough generate --distro debian >/dev/null; echo "PT-GENERATE-EXIT $?"
	echo PT-GENERATED-BEGIN; base64 /var/lib/passthrough/initramfs.conf; echo PT-GENERATED-END
fi
# pt.doctor=MODE (issue 26): as if apply had run before this boot, open a
# device as QEMU does (vfio-bar) and give its error to `passthrough
# doctor`. ok: the applied NIC; memlock: the same, mapping 16 MiB for DMA
# under a 64 KiB locked-memory limit; group: the chipset's SMBus function
# put on vfio-pci by hand while its group's other members keep theirs;
# bar: the boot display bound by hand (pt.manualbind), its framebuffer
# kept; args: apply's state names IOMMU arguments this boot lacks.
doctor=$(arg pt.doctor)
if [ -n "$doctor" ]; then
	export NO_COLOR=1
	mkdir -p /var/lib/passthrough && passthrough generate >/dev/null 2>&1
	echo cmdline >/var/lib/passthrough/applied && touch -d '2000-01-01 00:00' /var/lib/passthrough/applied
	dev=0000:01:00.0
	case $doctor in
	args) echo "cmdline intel_iommu=on iommu=pt" >/var/lib/passthrough/applied
		touch -d '2000-01-01 00:00' /var/lib/passthrough/applied ;;
	bar) dev=0000:00:01.0 ;;
	memlock) ulimit -l 64; export VFIO_BAR_DMA=16777216 ;;
	group)
		dev=0000:00:1f.3
		echo vfio-pci >/sys/bus/pci/devices/$dev/driver_override
		[ -e /sys/bus/pci/devices/$dev/driver ] && echo $dev >/sys/bus/pci/devices/$dev/driver/unbind
		echo $dev >/sys/bus/pci/drivers_probe ;;
	esac
	err=$(/sbin/vfio-bar $dev)
	unset VFIO_BAR_DMA
	echo "PT-VFIO-BAR $err"
	echo PT-DOCTOR-BEGIN
	if [ "$doctor" = group ] || [ "$doctor" = bar ]; then passthrough doctor $dev --error "$err" --json
	else passthrough doctor --error "$err" --json; fi
	echo "PT-DOCTOR-EXIT $?"
fi
[ "$(arg pt.capture)" = 1 ] && /etc/tests/capture-guest.sh
echo PT-END
poweroff -f
