# The preamble of the CLI suites (tests/cli/): BUILD (absolute), TOP, PT
# (the host tool), GOLDEN (expected outputs) and the TAP helpers with
# their scratch directory $TAP_TMP. Sourced with the build directory as
# the argument: . "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
# shellcheck shell=bash
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # for the suites that source this
PT=$BUILD/passthrough
# shellcheck disable=SC2034 # read by tap.sh's golden()
GOLDEN=$TOP/tests/golden
# shellcheck source=tests/lib/tap.sh
. "$TOP/tests/lib/tap.sh"

# grub_probe_standin FILE: what grub-mkconfig asks grub-probe, answered for
# a fixed disk (a container's / and /boot are no disk GRUB knows): the
# stand-in of the suites that run the real grub-mkconfig.
grub_probe_standin() {
	printf '#!/bin/sh\nfor a; do case $a in\n--target=device) echo /dev/vda1 ;;\n--target=fs) echo ext2 ;;\n--target=fs_uuid) echo 0ba5e000-0000-4000-8000-000000000001 ;;\n--target=drive) echo "(hd0,msdos1)" ;;\nesac; done\nexit 0\n' >"$1"
	chmod +x "$1"
}
