#!/usr/bin/env bash
# Where the admin stands (issue 25): a new admin's journey on three fake
# hosts (Debian+GRUB, Fedora+grubby, Alpine+extlinux), Intel with the
# IOMMU off for want of intel_iommu=on,
# replayed step by step with the real `apply` and fake reboots (a new
# /proc/cmdline, /proc/stat's btime after apply's state file, the
# binder's lines in /dev/kmsg). At each step status and check say the
# state and the one command to run next, status exits 0 exactly when the
# machine is as the applied state says, and no step tells the admin to
# run a command that would change nothing. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
cd "$TAP_TMP" || exit 1

# journey DISTRO: the whole walk on a fake host of that family
journey() {
	local distro=$1 r=host-$1 lost rebuild
	case $distro in
	debian) lost="the GRUB drop-in /etc/default/grub.d/passthrough.cfg is missing"
		rebuild="update-initramfs -u -k all" ;;
	fedora) lost="another boot entry was chosen, or the boot entries were not rebuilt"
		rebuild="dracut -f --regenerate-all" ;;
	alpine) lost="another boot entry was chosen, or the boot entries were not rebuilt"
		rebuild="mkinitfs" ;;
	esac
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/default/grub.d" "$r/usr/sbin" "$r/dev" "$r/etc/mkinitfs"
	ln -s "$KROOT/lib/modules" "$r/lib/modules"
	case $distro in
	debian) printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' >"$r/etc/os-release"
		: >"$r/usr/sbin/update-grub" ;;
	fedora) printf 'NAME="Fedora Linux"\nID=fedora\n' >"$r/etc/os-release"
		: >"$r/usr/sbin/grubby" ;;
	alpine) printf 'NAME="Alpine Linux"\nID=alpine\n' >"$r/etc/os-release"
		echo 'default_kernel_opts="quiet rootfstype=ext4"' >"$r/etc/update-extlinux.conf"
		echo 'features="ata base ide scsi usb virtio ext4"' >"$r/etc/mkinitfs/mkinitfs.conf" ;;
	esac
	printf '[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' >"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
	# the IOMMU off: no groups, an Intel CPU, a kernel not given intel_iommu=on
	rm -rf "$r.iommu-on-sys" && cp -a "$r/sys" "$r.iommu-on-sys"
	rm -rf "$r/sys/kernel/iommu_groups"
	find "$r/sys/devices" -name iommu_group -type l -delete
	sed -i 's/AuthenticAMD/GenuineIntel/' "$r/proc/cpuinfo"
	echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet" >"$r/proc/cmdline"
	printf 'cpu  1 2 3 4\nbtime 1000\n' >"$r/proc/stat"

	pt_in() { "$PT" --sysfs "$r/sys" --root "$r" "$@"; }
	reboot_now() { # [ARGS]: a boot after the last apply, with ARGS on its command line
		echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet${1:+ $1}" >"$r/proc/cmdline"
		printf 'cpu  1 2 3 4\nbtime %s\n' $(($(stat -c %Y "$r/var/lib/passthrough/applied" 2>/dev/null || date +%s) + 60)) \
			>"$r/proc/stat"
		: >"$r/dev/kmsg"
	}
	# step NAME STATE EXIT NEXT-TEXT: status in text and JSON, check's and
	# list's State line
	step() {
		local name=$distro-$1 state=$2 want_rc=$3 next=$4 rc
		pt_in status >"$name.status" 2>&1
		rc=$?
		pt_in status --json >"$name.json" 2>/dev/null
		pt_in check >"$name.check" 2>&1
		pt_in list >"$name.list" 2>&1
		check "$distro: state $1: status says '$state', exits $want_rc, names the next step; check and list say it too" \
			bash -c '[ "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d[\"state\"][\"name\"], d[\"ok\"])" "$0.json")" = \
				"$1 $([ "$2" = 0 ] && echo True || echo False)" ] && [ "$3" = "$2" ] &&
				grep -qF -- "$4" "$0.status" &&
				[ "$(sed -n 1p "$0.check")" = "$(sed -n 1p "$0.status")" ] &&
				[ "$(sed -n 1p "$0.list")" = "$(sed -n 1p "$0.status")" ] ||
				{ cat "$0.status" "$0.check"; exit 1; }' "$name" "$state" "$want_rc" "$rc" "$next"
	}

	step fresh not-applied 0 "Next: run \`passthrough apply\`"
	check "$distro: fresh: status shows no NOT BOUND table for a config never applied" \
		bash -c '! grep -q "NOT BOUND\|not as configured" "$0"' "$distro-fresh.status"

	pt_in apply >"$distro-apply1.out" 2>&1
	check "$distro: apply, IOMMU off: step 1 of 2" grep -q "step 1 of 2" "$distro-apply1.out"
	step step1 step1-reboot-pending 0 "Next: reboot, then run \`passthrough apply\` again (this boot lacks intel_iommu=on iommu=pt)"
	check "$distro: step1: check's fix for the IOMMU is the reboot, not an apply that changes nothing" \
		bash -c 'grep -A1 "^error\[iommu-argument\]" "$0" | grep -q "fix: reboot, then run .passthrough apply. again" &&
			! grep -q "fix: run .passthrough apply." "$0"' "$distro-step1.check"
	pt_in apply >"$distro-apply1b.out" 2>&1
	check "$distro: step1: apply again indeed changes nothing (so nothing sent the admin there)" \
		grep -q "nothing changed" "$distro-apply1b.out"

	# a reboot where the arguments did not arrive
	reboot_now
	step lost arguments-not-in-this-boot 1 "$lost"

	# the reboot that works: the arguments are there, and with them the groups
	rm -rf "$r/sys" && cp -a "$r.iommu-on-sys" "$r/sys"
	reboot_now "intel_iommu=on iommu=pt"
	step step1-booted step1-booted 0 "Next: run \`passthrough apply\` again: it checks the IOMMU groups and turns the binder on"

	pt_in apply >"$distro-apply2.out" 2>&1
	check "$distro: apply after the reboot: the binder on" \
		bash -c '[ -s "$0/var/lib/passthrough/initramfs.conf" ] || { cat "$1"; exit 1; }' "$r" "$distro-apply2.out"
	# this boot began an hour before that apply
	printf 'cpu  1 2 3 4\nbtime %s\n' $(($(date +%s) - 3600)) >"$r/proc/stat"
	step pending applied-reboot-pending 1 "Next: reboot, then run \`passthrough status\`"

	reboot_now "intel_iommu=on iommu=pt"
	step silent binder-did-not-run 1 "rebuild the initramfs ($rebuild)"

	printf '<6>passthrough: 0000:01:00.0: bound to vfio-pci\n' >"$r/dev/kmsg"
	local dev
	dev=$(readlink -f "$r/sys/bus/pci/devices/0000:01:00.0")
	rm -f "$dev/driver" && mkdir -p "$r/sys/bus/pci/drivers/vfio-pci" &&
		ln -s "$(realpath --relative-to="$dev" "$r/sys/bus/pci/drivers/vfio-pci")" "$dev/driver"
	mkdir -p "$r/dev/vfio" && : >"$r/dev/vfio/$(basename "$(readlink "$dev/iommu_group")")"
	step booted applied 0 "0000:01:00.0  nic"

	# the admin edits the config and does not apply: status judges what the
	# boot used, and says how to use the edit
	printf '[device.nic]\naddress = 02:00.0\nids = 8086:10d3\n' >"$r/etc/passthrough.conf"
	step edited applied 0 "changed after the last apply: the devices are judged against the config applied"
	check "$distro: edited: the table is the applied rule's device, the edit's effect said, JSON says config_edited" \
		bash -c 'grep -q "^0000:01:00.0  nic" "$0.status" && ! grep -q "^0000:02:00.0" "$0.status" &&
			grep -qx "The edit, once applied, would also take 0000:02:00.0; give back 0000:01:00.0." "$0.status" &&
			python3 -c "import json,sys; assert json.load(open(sys.argv[1]))[\"state\"][\"config_edited\"]" "$0.json"' \
		"$distro-edited"

	# an apply whose rebuild failed (a full /boot): unfinished until rerun
	echo "# test" >"$r/var/lib/passthrough/rebuild-pending"
	step unfinished unfinished 1 "Next: fix what apply reported and run \`passthrough apply\` again"
	rm "$r/var/lib/passthrough/rebuild-pending"

	pt_in apply --undo >"$distro-undo.out" 2>&1
	step undone undone 0 "Next: reboot to give the devices back to their host drivers"
	reboot_now
	step after-undo not-applied 0 "Next: run \`passthrough apply\`"
	echo "# test" >"$r/var/lib/passthrough/rebuild-pending"
	step undo-unfinished unfinished 1 "run \`passthrough apply --undo\` again"
	rm "$r/var/lib/passthrough/rebuild-pending"
}

for distro in debian fedora alpine; do
	journey "$distro"
done
tap_end
exit $((TAP_FAILED > 0))
