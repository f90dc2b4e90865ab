#!/usr/bin/env bash
# The release tarball (make dist) is what Debian's and Fedora's builders
# start from: unpacked in an empty folder, with no network (a private
# network namespace when we are root) and no git, it builds and passes
# `make check-offline`; and it holds every file git tracks, nothing else.
# Output: TAP.
set -uo pipefail
# A builder starts from a clean environment, not inside make check's make.
unset MAKEFLAGS MAKELEVEL MFLAGS
BUILD=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1

check "make dist writes passthrough-VERSION.tar.gz" \
	bash -c 'make --no-print-directory -s BUILD="$0" dist >"$1/dist.out" && tail -n 1 "$1/dist.out" | grep -q "/passthrough-[0-9.]*\.tar\.gz$"' \
	"$BUILD" "$TAP_TMP"
tarball=$(tail -n 1 "$TAP_TMP/dist.out")
version=$(sed -n 's/^#define PT_VERSION "\(.*\)"/\1/p' src/core/version.h)
check "the version in its name is the program's ($version)" \
	same "$(basename "$tarball")" "passthrough-$version.tar.gz"
check "every file under passthrough-$version/, the ones git tracks and no other" \
	bash -c 'diff <(git ls-files --cached --others --exclude-standard | while read -r f; do if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done | LC_ALL=C sort) \
		<(tar tzf "$0" | grep -v "/$" | sed "s,^passthrough-$1/,," | LC_ALL=C sort)' "$tarball" "$version"
check "symbolic links keep their targets (the sysfs fixtures)" \
	bash -c 'tar tvzf "$0" | grep -- "-> " | grep -q -- "-> passthrough-"; test $? -eq 1' "$tarball"
check "nothing built or downloaded is in it (build/, objects)" \
	bash -c '! tar tzf "$0" | grep -E "^passthrough-[^/]*/(build/|.*\.o$)"' "$tarball"

# No network: as root a namespace of our own (only lo, down); otherwise as is.
offline=()
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then offline=(unshare -n); fi
src=$TAP_TMP/empty
mkdir -p "$src"
check "it unpacks into an empty folder" tar xzf "$tarball" -C "$src"
tree=$src/passthrough-$version
check "it builds there${offline:+ with no network} (make)" \
	bash -c 'cd "$0" && "$@" make -j2 >"$0.build.log" 2>&1 || { tail -20 "$0.build.log"; exit 1; }' \
	"$tree" "${offline[@]}"
check "make check-offline passes there" \
	bash -c 'cd "$0" && "$@" make check-offline >"$0.check.log" 2>&1 && grep -Eq "^[0-9]+ passed, 0 failed$" "$0.check.log" ||
		{ grep -A5 "not ok" "$0.check.log" | head -40; tail -3 "$0.check.log"; exit 1; }' "$tree" "${offline[@]}"
grep -E "^[0-9]+ passed, [0-9]+ failed" "$tree.check.log" | sed 's/^/# check-offline in the tarball: /'
tap_end
exit $((TAP_FAILED > 0))
