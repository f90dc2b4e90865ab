#!/usr/bin/env bash
# Runs every test suite, each speaking TAP, and ends with one line:
# "N passed, M failed" (", K skipped" when a test said "ok N # skip
# REASON": a tool it needs is not here; skipped is never counted as
# passed). A suite that dies without reporting a failure counts as one
# failure, so a crash never reads as a pass.
set -uo pipefail
BUILD=${1:-build}
TESTS=$(cd "$(dirname "$0")" && pwd)
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"
passed=0 failed=0 skipped=0

suite() { # suite NAME COMMAND...
	local name=$1 log="$LOGDIR/${1//\//-}.tap" rc p f s; shift
	"$@" >"$log" 2>&1
	rc=$?
	s=$(grep -ciE '^ok [0-9]+[^#]*# *skip' "$log")
	p=$(($(grep -c '^ok ' "$log") - s))
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		f=1
		echo "not ok - $name ran no test" >>"$log"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	local skipped_text=''
	[ "$s" -eq 0 ] || skipped_text=", $s skipped"
	printf '%-28s %4d passed, %d failed%s\n' "$name" "$p" "$f" "$skipped_text"
	[ "$s" -eq 0 ] || { grep -iE '^ok [0-9]+[^#]*# *skip' "$log" | sed 's/^/    /'; }
	if [ "$f" -ne 0 ]; then
		grep -A30 '^not ok' "$log" | head -60 | sed 's/^/    /'
		echo "    (full output: $log)"
	fi
}

summary() {
	if [ "$skipped" -eq 0 ]; then echo "$passed passed, $failed failed"
	else echo "$passed passed, $failed failed, $skipped skipped"; fi
}

MODE=${2:-all} # "offline": what needs neither network nor QEMU (make check-offline)

for t in "$BUILD"/tests/test_*; do
	suite "unit/$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
suite "cli/passthrough-early" "$TESTS/cli/test-early.sh" "$BUILD"
suite "cli/passthrough" "$TESTS/cli/test-host.sh" "$BUILD"
suite "cli/disks-luks" "$TESTS/cli/test-storage.sh" "$BUILD"
suite "cli/readme-examples" "$TESTS/cli/test-readme.sh" "$BUILD"
suite "cli/doctor" "$TESTS/cli/test-doctor.sh" "$BUILD"
suite "build/shellcheck" "$TESTS/build/test-shellcheck.sh"
suite "build/install" "$TESTS/build/test-install.sh" "$BUILD"
suite "build/source-map" "$TESTS/build/test-source-map.sh"
suite "build/build-deps" "$TESTS/build/test-build-deps.sh" "$BUILD"
suite "build/bash-completion" "$TESTS/build/test-completion.sh" "$BUILD"
suite "cli/ansible" "$TESTS/cli/test-ansible.sh" "$BUILD"
if [ "$MODE" = offline ]; then
	summary
	[ "$failed" -eq 0 ]
	exit
fi
# The release tarball and the packages built from it (not offline: the
# tarball's own check-offline and the rpm's %check would run these again).
suite "build/dist" "$TESTS/build/test-dist.sh" "$BUILD"
suite "build/debian-package" "$TESTS/build/test-deb.sh" "$BUILD"
suite "build/rpm" "$TESTS/build/test-rpm.sh" "$BUILD"
suite "build/apkbuild" "$TESTS/build/test-apkbuild.sh" "$BUILD"
# These read the module index of Debian's kernel, downloaded once.
suite "cli/generate-apply" "$TESTS/cli/test-apply.sh" "$BUILD"
suite "cli/write-faults" "$TESTS/cli/test-faults.sh" "$BUILD"
suite "cli/setup-state" "$TESTS/cli/test-state.sh" "$BUILD"
# The distributions' own tools (../shared/field-tools, FIELD_TOOLS):
# skipped, never passed, without them.
suite "cli/grubby" "$TESTS/cli/test-grubby.sh" "$BUILD"
suite "cli/grub-mkconfig" "$TESTS/cli/test-grub.sh" "$BUILD"
suite "cli/proxmox" "$TESTS/cli/test-proxmox.sh" "$BUILD"
suite "cli/update-extlinux" "$TESTS/cli/test-extlinux.sh" "$BUILD"
suite "cli/kernelstub" "$TESTS/cli/test-kernelstub.sh" "$BUILD"
# The same tests on the sanitizer build: any ASan/UBSan report fails them.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86
KERNEL_CACHE="$(cd "$BUILD" && pwd)/kernel" # the sanitizer build shares the kernel
export KERNEL_CACHE
for t in "$BUILD"/asan/tests/test_*; do
	suite "asan/unit/$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
suite "asan/cli/passthrough-early" "$TESTS/cli/test-early.sh" "$BUILD/asan"
suite "asan/cli/passthrough" "$TESTS/cli/test-host.sh" "$BUILD/asan"
suite "asan/cli/generate-apply" "$TESTS/cli/test-apply.sh" "$BUILD/asan"
suite "asan/cli/disks-luks" "$TESTS/cli/test-storage.sh" "$BUILD/asan"
suite "valgrind/passthrough-early" "$TESTS/build/test-valgrind.sh" "$BUILD"
unset ASAN_OPTIONS UBSAN_OPTIONS
suite "build/clang" "$TESTS/build/test-clang.sh" "$BUILD"
suite "boot/passthrough-early" "$TESTS/boot/test-binder.sh" "$BUILD"
suite "boot/musl-binder" "$TESTS/boot/test-musl.sh" "$BUILD"
suite "boot/generators" "$TESTS/boot/test-generators.sh" "$BUILD"
suite "boot/uefi-gpu" "$TESTS/boot/test-gpu.sh" "$BUILD"
suite "boot/systemd-boot" "$TESTS/boot/test-systemd-boot.sh" "$BUILD"
suite "boot/libvirt" "$TESTS/boot/test-libvirt.sh" "$BUILD"
suite "boot/mkinitcpio" "$TESTS/boot/test-mkinitcpio.sh" "$BUILD"
suite "boot/alpine" "$TESTS/boot/test-alpine.sh" "$BUILD"

summary
[ "$failed" -eq 0 ]
