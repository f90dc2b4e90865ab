#!/usr/bin/env bash
# Fault injection for every file `passthrough apply` writes (Alpine: it
# writes the most, backups included). At each write step in turn the
# step fails (EIO) or the process is killed there (FAULT_AT, read by the
# preloaded tests/cli/faultinject.c; the program has no such switch).
# Afterwards every file is either the admin's version or the finished one,
# never a part, and a second apply without faults finishes the job exactly.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
cd "$TAP_TMP" || exit 1

FILES="etc/modprobe.d/passthrough.conf var/lib/passthrough/initramfs.conf
var/lib/passthrough/applied etc/update-extlinux.conf etc/mkinitfs/mkinitfs.conf
etc/update-extlinux.conf.passthrough-backup etc/mkinitfs/mkinitfs.conf.passthrough-backup"

cp -a "$TOP/tests/fixtures/qemu" template
echo "$KVER" >template/proc/sys/kernel/osrelease
mkdir -p template/lib template/etc/modprobe.d template/etc/mkinitfs
ln -s "$KROOT/lib/modules" template/lib/modules
printf 'ID=alpine\n' >template/etc/os-release
printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\n[device.usb]\nids = 1b36:000d\n' \
	>template/etc/passthrough.conf
printf 'overwrite=1\ndefault_kernel_opts="quiet rootfstype=ext4"\nmodules=sd-mod,ext4\n' \
	>template/etc/update-extlinux.conf
echo 'features="base ext4"' >template/etc/mkinitfs/mkinitfs.conf
cp -a template final
"$PT" --sysfs final/sys --root final apply >/dev/null || echo "# the clean apply failed"

# old_or_new ROOT: each file is the template's (or absent like it) or the final one
old_or_new() {
	local f
	for f in $FILES; do
		if [ -e "$1/$f" ]; then
			cmp -s "$1/$f" "final/$f" || cmp -s "$1/$f" "template/$f" ||
				{ echo "$f is neither the old nor the new version"; return 1; }
		elif [ -e "template/$f" ]; then
			echo "$f vanished"; return 1
		fi
	done
}
finished() { # ROOT: every file as the clean apply left it
	local f
	for f in $FILES; do
		cmp -s "$1/$f" "final/$f" || { echo "$f differs from a clean apply"; return 1; }
	done
}

undone() { # ROOT: every file as before any apply (absent where it was)
	local f
	for f in $FILES; do
		if [ -e "template/$f" ]; then
			cmp -s "$1/$f" "template/$f" || { echo "$f is not the admin's again"; return 1; }
		elif [ -e "$1/$f" ]; then
			echo "$f is still there"; return 1
		fi
	done
}
export -f old_or_new finished undone
export FILES

cc -shared -fPIC -o "$TAP_TMP/faultinject.so" "$TOP/tests/cli/faultinject.c" -ldl
faulty() { # SPEC ARGS...: passthrough on r, its write steps counted, SPEC's failing
	local spec=$1; shift
	FAULT_ROOT=r FAULT_AT=$spec LD_PRELOAD="$TAP_TMP/faultinject.so" \
		"$PT" --sysfs r/sys --root r "$@"
}
# interrupt_everywhere LABEL: apply, then --undo, failed or killed at each
# write step in turn, from template/ (final/: the clean apply).
interrupt_everywhere() {
	local label=$1 mode n spec rc
	for mode in fail kill; do
		n=1
		while :; do
			rm -rf r && cp -a template r
			spec=$n; [ $mode = kill ] && spec=kill:$n
			faulty "$spec" apply >apply.out 2>&1
			rc=$?
			[ $rc -eq 0 ] && break # past the last write step
			[ $n -gt 200 ] && { check "$label$mode: the write steps end" false; break; }
			check "$label$mode at write step $n: every file old or new, then a second apply finishes" \
				bash -c 'old_or_new r && "$0" --sysfs r/sys --root r apply >/dev/null && finished r' "$PT"
			n=$((n + 1))
		done
		check "$label$mode: there were write steps to interrupt ($((n - 1)))" test "$n" -gt 5
	done
	# --undo interrupted the same ways: each file is the applied or the
	# original one, and a second --undo finishes.
	for mode in fail kill; do
		n=1
		while :; do
			rm -rf r && cp -a final r
			spec=$n; [ $mode = kill ] && spec=kill:$n
			faulty "$spec" apply --undo >apply.out 2>&1 && break
			[ $n -gt 200 ] && { check "${label}undo $mode: the steps end" false; break; }
			check "${label}undo, $mode at step $n: every file old or new, then a second --undo finishes" \
				bash -c 'old_or_new r && "$0" --sysfs r/sys --root r apply --undo >/dev/null && undone r' "$PT"
			n=$((n + 1))
		done
	done
}
interrupt_everywhere ""

# A full disk: /var/lib/passthrough on a tmpfs that is full.
rm -rf r && cp -a template r && mkdir -p r/var/lib/passthrough
unshare -m --propagation private bash -c '
	mount -t tmpfs -o size=16k tmpfs r/var/lib/passthrough &&
	dd if=/dev/zero of=r/var/lib/passthrough/filler bs=1k count=64 2>/dev/null
	"$0" --sysfs r/sys --root r apply >enospc.out 2>&1; echo $? >enospc.rc
	rm -f r/var/lib/passthrough/filler
	old_or_new r >old-or-new.out 2>&1; echo $? >old-or-new.rc' "$PT"
check "a full disk: apply stops with ENOSPC and says what is in place" \
	bash -c '[ "$(cat enospc.rc)" = 1 ] && grep -q "apply stopped (No space left on device)" enospc.out ||
		{ echo "exit $(cat enospc.rc)"; cat enospc.out; false; }'
check "a full disk: every file old or new" bash -c '[ "$(cat old-or-new.rc)" = 0 ] || { cat old-or-new.out; false; }'
check "a full disk: with room again, apply finishes" \
	bash -c '"$0" --sysfs r/sys --root r apply >/dev/null && finished r' "$PT"

# systemd-boot: the admin's /etc/kernel/cmdline and its backup (Debian,
# no GRUB), the same faults at each step.
FILES="etc/modprobe.d/passthrough.conf var/lib/passthrough/initramfs.conf
var/lib/passthrough/applied etc/kernel/cmdline etc/kernel/cmdline.passthrough-backup"
export FILES
rm -rf template final
cp -a "$TOP/tests/fixtures/qemu" template
echo "$KVER" >template/proc/sys/kernel/osrelease
mkdir -p template/lib template/etc/kernel template/boot/efi/EFI/systemd
ln -s "$KROOT/lib/modules" template/lib/modules
: >template/boot/efi/EFI/systemd/systemd-bootx64.efi
printf 'ID=debian\n' >template/etc/os-release
printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\n' >template/etc/passthrough.conf
printf 'root=UUID=0ba5e ro\nquiet\n' >template/etc/kernel/cmdline
cp -a template final
"$PT" --sysfs final/sys --root final apply >/dev/null || echo "# the clean apply failed"
interrupt_everywhere "systemd-boot: "

tap_end
exit $((TAP_FAILED > 0))
