#!/usr/bin/env bash
# Graphics cards on the machines people have: UEFI firmware (OVMF) with
# its framebuffer on the boot display, and a discrete-GPU-like slot (a
# display adapter and its HDMI audio in one group). Each case boots the
# topology and checks every device's driver, what the binder logged, and,
# where a VM would use the card, that a VFIO user can really use its BAR 0
# (tests/boot/vfio-bar.c does what QEMU does). Output: TAP.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"

LOGS="$BUILD/boot/gpu-logs"
mkdir -p "$LOGS"
prepare_disks
images_on_three_kernels "$BUILD/boot/initrd-gpu"

# boot-display-by-hand|510 runs none of our code: it is the control that
# shows the 5.10 boot-display case would fail without the binder's release.
# name | kernel | kernel arguments | expected drivers | expected text in the log
CASES=$(cat <<'TABLE'
gpu-and-audio|61|pt.test=gpu-slot pt.vfiobar=0000:03:00.0|03:00.0=vfio-pci 03:00.1=vfio-pci 00:01.0=bochs-drm|VFIO-BAR0 ok
identical-displays|61|pt.test=gpu-ids|03:00.0=vfio-pci 00:01.0=bochs-drm|rule gpu: refused: it is the boot display
boot-display|61|pt.test=boot-display pt.vfiobar=0000:00:01.0|00:01.0=vfio-pci 03:00.0=bochs-drm|VFIO-BAR0 ok
broken-config|61|pt.test=broken|00:01.0=bochs-drm 03:00.0=bochs-drm 03:00.1=snd_hda_intel 01:00.0=e1000e 00:04.0=xhci_hcd|the config has errors: binding nothing
boot-display-by-hand|510|pt.test=none pt.manualbind=0000:00:01.0 pt.vfiobar=0000:00:01.0|00:01.0=vfio-pci|BAR 0: can't reserve [mem 0xc0000000-0xc0ffffff pref]
doctor-bar|510|pt.test=none pt.manualbind=0000:00:01.0 pt.doctor=bar|00:01.0=vfio-pci|"code": "bar-reserve"
boot-display|510|pt.test=boot-display pt.vfiobar=0000:00:01.0|00:01.0=vfio-pci 03:00.0=bochs-drm|VFIO-BAR0 ok
gpu-and-audio|510|pt.test=gpu-slot pt.vfiobar=0000:03:00.0|03:00.0=vfio-pci 03:00.1=vfio-pci 00:01.0=bochs-drm|VFIO-BAR0 ok
boot-display|612|pt.test=boot-display pt.vfiobar=0000:00:01.0|00:01.0=vfio-pci 03:00.0=bochs-drm|VFIO-BAR0 ok
gpu-and-audio|612|pt.test=gpu-slot pt.vfiobar=0000:03:00.0|03:00.0=vfio-pci 03:00.1=vfio-pci 00:01.0=bochs-drm|VFIO-BAR0 ok
TABLE
)

boot_case() {
	local name kernel args vmlinuz
	IFS='|' read -r name kernel args _ _ <<<"$1"
	vmlinuz="VMLINUZ_$kernel"
	VMLINUZ=${!vmlinuz} UEFI=1 boot_guest "$BUILD/boot/initrd-gpu-$kernel.gz" \
		"$LOGS/$name-$kernel.log" "$args" || true
}
export -f boot_case boot_guest die
export BUILD LOGS
printf '%s\n' "$CASES" | xargs -d '\n' -P "${BOOT_JOBS:-2}" -I{} bash -c 'boot_case "$1"' _ {}

n=0
while IFS='|' read -r name kernel _ expect text; do
	n=$((n + 1))
	log="$LOGS/$name-$kernel.log"
	firmware=()
	grep -q 'BAR 0: assigned to efifb\|efifb: framebuffer at' "$log" ||
		firmware=("no firmware framebuffer: did OVMF boot it?")
	boot_verdict "$n" "uefi, kernel $kernel: $name" "$log" "$expect" "$text" "${firmware[@]}"
done <<<"$CASES"
# doctor in the BAR case: the kernel's "can't reserve" found first
doctor_verdict doctor-bar bar-reserve no 1 "$LOGS/doctor-bar-510.log"
echo "1..$n"
