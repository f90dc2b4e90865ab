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
