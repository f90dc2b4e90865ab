#!/usr/bin/env bash
# The binder under valgrind (memcheck) on fake trees: no invalid access,
# no uninitialised use, no definite leak, in a dry run and in a run that
# writes to the fake sysfs.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/../lib/tap.sh"
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
t="$TAP_TMP/tree"
python3 "$TOP/tests/bench/mktree.py" 64 "$t" >/dev/null
mkdir -p "$t/etc" "$t/dev" && : >"$t/dev/kmsg" && : >"$t/sys/bus/pci/drivers_probe"
for d in "$t"/sys/bus/pci/drivers/*/; do : >"$d/unbind"; done
printf '[device.vfs]\nids = 8086:10ed\n[device.one]\naddress = 00:00.0\n[device.none]\nids = dead:beef\n' >"$t/etc/passthrough.conf"
check "valgrind: a dry run" "${VG[@]}" "$BUILD/passthrough-early" --dry-run --sysfs "$t/sys" --root "$t"
check "valgrind: a run that binds (and restores) on the fake tree" \
	"${VG[@]}" "$BUILD/passthrough-early" --sysfs "$t/sys" --root "$t"
printf '[device.x]\naddres = 01:00.0\nids = zz\n[bad\n' >"$t/etc/passthrough.conf"
check "valgrind: a broken config" "${VG[@]}" "$BUILD/passthrough-early" --sysfs "$t/sys" --root "$t"
check "valgrind: passthrough list and check" \
	bash -c '"${@:3}" "$0" --sysfs "$1/sys" --root "$1" list >/dev/null &&
		"${@:3}" "$0" --sysfs "$1/sys" --root "$1" check >/dev/null; [ $? -ne 99 ]' \
	"$BUILD/passthrough" "$t" x "${VG[@]}"
tap_end
exit $((TAP_FAILED > 0))
