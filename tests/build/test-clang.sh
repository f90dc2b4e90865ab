#!/usr/bin/env bash
# The code must build without warnings under clang as well as gcc.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
check "clang builds everything with -Werror" \
	make --no-print-directory CC=clang WERROR=-Werror BUILD="$BUILD/clang" all unit-check
tap_end
exit $((TAP_FAILED > 0))
