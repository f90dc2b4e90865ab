#!/usr/bin/env bash
# Boot tests of passthrough-early on Debian's kernel under QEMU (TCG, q35,
# emulated Intel IOMMU). Each case boots the topology with one config and
# asserts the driver every device ends up with after coldplug, and what the
# binder wrote to the kernel log. Output: TAP.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"

LOGS="$BUILD/boot/logs"
mkdir -p "$LOGS"
fetch_kernel
build_initramfs "$BUILD/boot/initrd.gz"
build_initramfs "$BUILD/boot/initrd-novfio.gz" without-vfio
build_initramfs "$BUILD/boot/initrd-static.gz" static
prepare_disks

# name | initramfs | kernel arguments | expected drivers | expected kmsg text
CASES=$(cat <<'TABLE'
by-address|initrd|pt.test=by-address|01:00.0=vfio-pci 02:00.0=e1000e|0000:01:00.0: bound to vfio-pci
by-ids|initrd|pt.test=by-ids|01:00.0=vfio-pci 02:00.0=vfio-pci|2 bound
group|initrd|pt.test=group|00:1f.0=none 00:1f.2=vfio-pci 00:1f.3=none 00:02.0=pcieport 00:05.0=ahci|0000:00:1f.0 [8086:2918] rule chipset: refused: it is part of the platform
guard|initrd|pt.test=guard|01:00.0=e1000e 02:00.0=e1000e|rule [device.nic] (/etc/passthrough.conf:3) selects no device
rescue-switch|initrd|pt.test=by-ids passthrough=off|01:00.0=e1000e 02:00.0=e1000e|passthrough=off on the kernel command line: binding nothing
no-vfio-modules|initrd-novfio|pt.test=by-ids|01:00.0=e1000e 02:00.0=e1000e|0000:01:00.0: left with its host driver: vfio-pci is not available
host-driver-first|initrd|pt.test=by-address pt.preload=e1000e|01:00.0=vfio-pci 02:00.0=e1000e|0000:01:00.0: bound to vfio-pci, taken from e1000e
broken-config|initrd|pt.test=broken|01:00.0=e1000e 02:00.0=e1000e|/etc/passthrough.conf:6: [device.typo] adress: unknown key
boot-vga-refused|initrd|pt.test=boot-vga|00:01.0=bochs-drm|rule gpu: refused: it is the boot display
boot-vga-allowed|initrd|pt.test=boot-vga-allowed|00:01.0=vfio-pci|0000:00:01.0: bound to vfio-pci
pci-stub|initrd|pt.test=pci-stub|00:05.0=pci-stub 00:04.0=vfio-pci 00:1f.2=ahci|0000:00:05.0: bound to pci-stub
built-in-drivers|initrd|pt.test=pci-stub pt.preload=xhci_pci,ahci|00:05.0=pci-stub 00:04.0=vfio-pci 00:1f.2=ahci|0000:00:04.0: bound to vfio-pci, taken from xhci_hcd
no-iommu|initrd|pt.test=by-ids intel_iommu=off|01:00.0=e1000e 02:00.0=e1000e|refused: it has no IOMMU group
blacklisted|initrd|pt.test=by-ids pt.modprobe=blacklist|01:00.0=e1000e 02:00.0=e1000e|module vfio_pci is blacklisted in modprobe.d
install-command-ignored|initrd|pt.test=by-address pt.modprobe=install|01:00.0=vfio-pci 02:00.0=e1000e|0000:01:00.0: bound to vfio-pci
static-binder|initrd-static|pt.test=by-address pt.preload=e1000e|01:00.0=vfio-pci 02:00.0=e1000e|0000:01:00.0: bound to vfio-pci, taken from e1000e
host-tool|initrd|pt.test=by-address pt.disks=1 pt.host=1|01:00.0=vfio-pci 02:00.0=e1000e|0000:01:00.0: bound to vfio-pci
worst-case|initrd|pt.test=everything pt.modprobe=blacklist|00:01.0=bochs-drm 00:02.0=pcieport 00:04.0=xhci_hcd 00:05.0=ahci 00:1f.2=ahci 01:00.0=e1000e 02:00.0=e1000e|done: 0 bound, 0 already bound, 5 refused, 6 failed (11 devices
no-config|initrd|pt.test=none|01:00.0=e1000e 00:04.0=xhci_hcd|no /etc/passthrough.conf: nothing to bind
reset-method|initrd|pt.test=reset-method|01:00.0=vfio-pci 02:00.0=e1000e|0000:01:00.0: reset_method bus
reset-method-refused|initrd|pt.test=reset-method-refused|01:00.0=e1000e 02:00.0=e1000e|0000:01:00.0: reset_method 'device_specific' refused
sriov|initrd|pt.test=sriov|03:00.0=nvme 03:00.1=vfio-pci 01:00.0=e1000e|0000:03:00.1: bound to vfio-pci
hotplug|initrd|pt.test=hotplug pt.hotplug=1|01:00.0=e1000e 02:00.0=e1000e 00:04.0=vfio-pci|PT-HOT 0000:03:00.0 vfio-pci
doctor-ok|initrd|pt.test=by-address pt.doctor=ok|01:00.0=vfio-pci 02:00.0=e1000e|"problems": []
doctor-not-bound|initrd|pt.test=by-address pt.doctor=ok passthrough=off|01:00.0=e1000e|"code": "not-on-vfio"
doctor-memlock|initrd|pt.test=by-address pt.doctor=memlock|01:00.0=vfio-pci|"code": "memlock"
doctor-irq-remap|initrd|pt.test=by-address pt.doctor=ok|01:00.0=vfio-pci|"code": "no-irq-remap"
doctor-group|initrd|pt.test=by-address pt.doctor=group|01:00.0=vfio-pci 00:1f.2=ahci|"code": "group-not-viable"
doctor-args|initrd|pt.test=by-address pt.doctor=args|01:00.0=e1000e|"code": "not-on-vfio"
generate-first-boot|initrd|pt.generate=1|01:00.0=e1000e 02:00.0=e1000e 00:04.0=xhci_hcd 00:05.0=ahci 03:00.0=nvme 04:00.0=snd_hda_intel|PT-GENERATE-EXIT 0
TABLE
)

# The sriov case adds QEMU's SR-IOV NVMe controller (two VFs at most) on a
# root port of its own: bus 3, the PF at 03:00.0.
truncate -s 16M "$BUILD/boot/disks/nvme.img"
SRIOV_QEMU_ARGS="-device pcie-root-port,id=rpn,chassis=4,slot=4 -drive if=none,id=nv,file=$BUILD/boot/disks/nvme.img,format=raw,snapshot=on -device nvme-subsys,id=ss0 -device nvme,id=nvme0,bus=rpn,serial=pt1,subsys=ss0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=5 -device nvme-ns,drive=nv,bus=nvme0,shared=false"

# The hotplug case: two free root ports (buses 3 and 4); once the guest's
# udev runs, a NIC is plugged into each through the QEMU monitor.
HOTPLUG_QEMU_ARGS="-device pcie-root-port,id=rph,chassis=5,slot=5 -device pcie-root-port,id=rpi,chassis=6,slot=6"
plug_when_ready() { # LOG SOCKET
	for _ in $(seq 300); do grep -q '^PT-HOTPLUG-READY' "$1" 2>/dev/null && break; sleep 1; done
	python3 - "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
for dev in ("ich9-intel-hda,id=hot1,bus=rph", "e1000e,id=hot2,bus=rpi,romfile="):
    s.sendall(("device_add " + dev + "\n").encode())
    time.sleep(2)
s.close()
PY
}

# The generate case: the SR-IOV NVMe (bus 3) and an HD audio controller on
# a root port of its own (bus 4, a group of its own), in both its boots.
GENERATE_QEMU_ARGS="$SRIOV_QEMU_ARGS -device pcie-root-port,id=rpa,chassis=7,slot=7 -device ich9-intel-hda,bus=rpa"

boot_case() {
	local name initrd args extra='' monitor='' iommu=intel-iommu,intremap=on
	IFS='|' read -r name initrd args _ _ <<<"$1"
	[ "$name" = sriov ] && extra=$SRIOV_QEMU_ARGS
	# doctor's interrupt-remapping case: an IOMMU without it, as on old
	# boards (vfio_iommu_type1 then refuses the container)
	[ "$name" = doctor-irq-remap ] && iommu=intel-iommu,intremap=off
	# doctor's arguments case: this boot without apply's intel_iommu=on
	local iommu_args=intel_iommu=on
	[ "$name" = doctor-args ] && iommu_args=intel_iommu=off
	[ "${name#generate-}" != "$name" ] && extra=$GENERATE_QEMU_ARGS
	if [ "$name" = hotplug ]; then
		extra=$HOTPLUG_QEMU_ARGS monitor="$LOGS/$name.sock"
		rm -f "$LOGS/$name.log"
		plug_when_ready "$LOGS/$name.log" "$monitor" &
	fi
	IOMMU_ARGS=$iommu_args IOMMU_DEVICE=$iommu EXTRA_QEMU_ARGS=$extra QEMU_MONITOR=$monitor boot_guest "$BUILD/boot/$initrd.gz" \
		"$LOGS/$name.log" "$args" || true
	wait
}
export -f boot_case boot_guest die plug_when_ready
export BUILD VMLINUZ LOGS SRIOV_QEMU_ARGS HOTPLUG_QEMU_ARGS GENERATE_QEMU_ARGS
# Two guests at a time: one per core.
printf '%s\n' "$CASES" | xargs -d '\n' -P "${BOOT_JOBS:-2}" -I{} bash -c 'boot_case "$1"' _ {}

# The generate case's second boot (issue 22: the boot tests gave the
# binder its config directly, so none saw that generate dropped keys): the
# binder's config is the file `passthrough generate` wrote in the first
# boot, added to the common image as a second cpio archive, which the
# kernel unpacks over the first.
GENERATED=$BUILD/boot/generated.conf
sed -n '/^PT-GENERATED-BEGIN$/,/^PT-GENERATED-END$/p' "$LOGS/generate-first-boot.log" |
	sed '1d;$d' | base64 -d >"$GENERATED" 2>/dev/null || :
overlay=$(mktemp -d "$BUILD/boot/tree.XXXXXX")
mkdir -p "$overlay/etc/tests" && cp "$GENERATED" "$overlay/etc/tests/generated.conf"
{ cat "$BUILD/boot/initrd.gz"; (cd "$overlay" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1); } \
	>"$BUILD/boot/initrd-generated.gz"
rm -rf "$overlay"
EXTRA_QEMU_ARGS=$GENERATE_QEMU_ARGS boot_guest "$BUILD/boot/initrd-generated.gz" \
	"$LOGS/generate-second-boot.log" pt.test=generated || true

n=0
while IFS='|' read -r name _ _ expect kmsg; do
	n=$((n + 1))
	boot_verdict "$n" "boot: $name" "$LOGS/$name.log" "$expect" "$kmsg"
done <<<"$CASES"
doctor_verdict doctor-ok "" no 0
doctor_verdict doctor-not-bound not-on-vfio yes 1
doctor_verdict doctor-memlock memlock yes 1
doctor_verdict doctor-irq-remap no-irq-remap yes 1
doctor_verdict doctor-group group-not-viable yes 1
doctor_verdict doctor-args not-on-vfio no 1
n=$((n + 1))
if grep -q '"evidence": ".*this boot lacks apply.s arguments' "$LOGS/doctor-args.log" &&
	grep -q '"fix": "the arguments apply set (intel_iommu=on iommu=pt) are not on this boot.s command line' "$LOGS/doctor-args.log"; then
	echo "ok $n - boot: doctor-args: the evidence and the fix name the arguments this boot lacks"
else
	echo "not ok $n - boot: doctor-args: the evidence and the fix name the arguments this boot lacks"
fi
n=$((n + 1))
boot_verdict "$n" "boot: generate-second-boot: every rule kind, through generate, as configured" \
	"$LOGS/generate-second-boot.log" \
	"01:00.0=vfio-pci 02:00.0=e1000e 00:04.0=vfio-pci 00:05.0=vfio-pci 00:1f.2=ahci 03:00.0=nvme 03:00.2=vfio-pci 04:00.0=vfio-pci" \
	"passthrough: 0000:01:00.0: reset_method bus"

# The host tool in the guest of the host-tool case: status after the
# binder, check refusing the controller of a disk the host uses, and a
# real unbind and bind.
log="$LOGS/host-tool.log"
section() { sed -n "/^PT-$1-BEGIN\$/,/^PT-$1-EXIT/p" "$log"; }
host_case() { # NAME TEST...
	local name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - boot: host-tool: $name"; else
		echo "not ok $n - boot: host-tool: $name"; section STATUS | sed 's/^/#   /'
		section CHECK | sed 's/^/#   /'; grep -E '^PT-(UNBIND|REBIND)' "$log" | sed 's/^/#   /'
	fi
}
host_case "status: the bound NIC is ok, exit 0" \
	bash -c 'sed -n "/^PT-STATUS-BEGIN$/,/^PT-STATUS-EXIT/p" "$0" | grep -q "^0000:01:00.0  nic .* vfio-pci  vfio-pci  7      ok, /dev/vfio/7" && grep -q "^PT-STATUS-EXIT 0$" "$0"' "$log"
host_case "status: shows the binder's kernel log lines" \
	bash -c 'sed -n "/^PT-STATUS-BEGIN$/,/^PT-STATUS-EXIT/p" "$0" | grep -q "^  0000:01:00.0: bound to vfio-pci$"' "$log"
host_case "check: refuses the controller of a mounted disk and an open LUKS volume, exit 1" \
	bash -c 'sed -n "/^PT-CHECK-BEGIN$/,/^PT-CHECK-EXIT/p" "$0" | tr -s " \n" "  " | grep -q "error\[host-disk\]: .*\[device.sata\] 0000:00:05.0: the host uses disk sd[a-z] (64.0 MiB, QEMU HARDDISK) behind it: sd[a-z]1 mounted on /mnt/data; sd[a-z]2 held by dm-0 (LUKS mapping vault)" && grep -q "^PT-CHECK-EXIT 1$" "$0"' "$log"
host_case "unbind gives the NIC back to e1000e" grep -q '^PT-UNBIND 0 e1000e$' "$log"
host_case "bind takes it again to vfio-pci" grep -q '^PT-REBIND 0 vfio-pci$' "$log"
host_case "disks: the LUKS disk behind the extra AHCI controller, in its group" \
	bash -c 'sed -n "/^PT-DISKS-BEGIN$/,/^PT-DISKS-EXIT/p" "$0" >"$0.disks" &&
		grep -q "^    behind 0000:00:05.0 (IOMMU group 5)$" "$0.disks" &&
		grep -Eq "^    sd[a-z]2 .* LUKS2 aes-xts-plain64, UUID [0-9a-f-]{36}$" "$0.disks" &&
		grep -q "^    the host needs it: mounted, crypt-open$" "$0.disks" &&
		grep -q "^PT-DISKS-EXIT 0$" "$0"' "$log"
host_case "guest-mounts: crypttab by the LUKS UUID, fstab by the filesystem inside" \
	bash -c 'sed -n "/^PT-MOUNTS-BEGIN$/,/^PT-MOUNTS-EXIT/p" "$0" >"$0.mounts" &&
		grep -Eq "^sd[a-z]2_crypt UUID=[0-9a-f-]{36} /etc/tests/luks.key luks,noearly$" "$0.mounts" &&
		grep -Pq "^UUID=[0-9a-f-]{36}\t/data\text4\tdefaults,noinit_itable\t0\t2$" "$0.mounts" &&
		grep -q "^PT-MOUNTS-EXIT 0$" "$0"' "$log"
host_case "the scan reads the kernel's uevent files as it reads the attributes they repeat" \
	bash -c 'grep -Eq "^PT-UEVENT [1-9][0-9]* uevent files, same, [1-9][0-9]* addresses$" "$0" ||
		{ grep "^PT-UEVENT" "$0" | sed "s/^/#   /"; false; }' "$log"
# log_case NAME LOG SHOWN TEST...: one TAP line for what the guest's log
# shows; on failure, its lines matching SHOWN (an ERE).
log_case() {
	local name=$1 log=$2 shown=$3; shift 3
	n=$((n + 1))
	if "$@"; then echo "ok $n - boot: $name"; else
		echo "not ok $n - boot: $name"
		grep -E "$shown" "$log" | sed 's/^/#   /'
	fi
}
# SR-IOV: the VF given to vfio-pci was never probed by nvme (its probe
# says "pci function ADDRESS"), and the PF kept nvme.
log_case "sriov: nvme never probed the VF given to vfio-pci" "$LOGS/sriov.log" '^PT-(KMSG|DRIVER)' \
	bash -c 'grep -q "PT-KMSG .*nvme nvme0: pci function 0000:03:00.0" "$0" &&
		! grep -q "pci function 0000:03:00.1" "$0" &&
		grep -q "PT-KMSG .*passthrough: 0000:03:00.0: 2 virtual functions made" "$0"' "$LOGS/sriov.log"
# Hotplug: the selected HD audio controller went to vfio-pci without its
# host driver ever taking it (udev loaded snd_hda_intel, which did not
# attach: the bus probes no new device by itself); the NIC nobody selected
# went to e1000e, not left without a driver.
log_case "hotplug: the selected device on vfio-pci, never taken by its host driver; the other on e1000e" \
	"$LOGS/hotplug.log" '^PT-(HOT|KMSG)' \
	bash -c 'grep -q "^PT-HOT 0000:03:00.0 vfio-pci$" "$0" && grep -q "^PT-HOT 0000:04:00.0 e1000e$" "$0" &&
		grep -q "^PT-HOT-MODULE snd_hda_intel loaded$" "$0" && ! grep -q "snd_hda_intel 0000:03:00.0" "$0" &&
		grep -q "passthrough: 0000:03:00.0 \[8086:293e\] rule hot: for vfio-pci (now no driver)$" "$0" &&
		grep -q "passthrough: 0000:03:00.0: bound to vfio-pci$" "$0"' "$LOGS/hotplug.log"
# What generate wrote: every line within the binder's limit, the SR-IOV
# keys, the seven guards, the USB and disk rules as addresses with IDs,
# the group's members; the binder read it without an error and made the
# VFs.
log_case "generate: the file generate wrote holds every key, and the binder read it whole" \
	"$LOGS/generate-second-boot.log" '^PT-KMSG' \
	bash -c '! awk "length > 197" "$0" | grep -q . && grep -q "^sriov_vfs = 2$" "$0" && grep -q "^vfs = 1$" "$0" &&
		[ "$(grep "^guard = " "$0" | tr " " "\n" | grep -c "=....:....:......$")" = 8 ] &&
		grep -q "^group_guard = [0-9]*/0000:04:00.0=8086:293e:040300$" "$0" &&
		grep -q "^address = 0000:00:04.0$" "$0" && grep -q "^address = 0000:00:05.0$" "$0" &&
		grep -q "^reset_method = bus$" "$0" && grep -q "^functions = all$" "$0" &&
		! grep -q "the config has errors" "$1" &&
		grep -q "PT-KMSG .*passthrough: 0000:03:00.0: 2 virtual functions made" "$1" &&
		grep -q "rule \[device.many\] .* selects no device" "$1"' "$GENERATED" "$LOGS/generate-second-boot.log"
# Coldplug (udevadm trigger: synthetic events) does not run the binder
# again for the devices the initramfs bound: one plan line for 00:04.0.
log_case "hotplug: coldplug's replayed add events do not run the binder again" \
	"$LOGS/hotplug.log" '^PT-(COLDPLUG|KMSG)' grep -q '^PT-COLDPLUG-BINDER-RUNS 1$' "$LOGS/hotplug.log"
echo "1..$n"
