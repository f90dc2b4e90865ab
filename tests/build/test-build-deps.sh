#!/usr/bin/env bash
# Building, as an admin meets it: the README's one line of build
# dependencies per family is build-aux/build-deps' column (one home, read
# by make too); `make` with a library missing stops before compiling and
# names the family's package; warnings are errors in `make check`, not in
# a plain `make`. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1

# readme_line COMMAND: the packages of the README's install line using it
readme_line() {
	grep -E "^sudo $1 " README.md | sed "s/#.*//; s/^sudo $1 //; s/-S --needed //" | tr ' ' '\n' | grep . | LC_ALL=C sort -u
}
table_column() { awk -v c="$1" '!/^#/ && NF { print $c }' build-aux/build-deps | LC_ALL=C sort -u; }
check "README's Debian line is build-aux/build-deps' debian column" \
	diff <(table_column 2) <(readme_line "apt-get install")
check "README's Fedora line is its fedora column" diff <(table_column 3) <(readme_line "dnf install")
check "README's Alpine line is its alpine column" diff <(table_column 4) <(readme_line "apk add")
check "README's Arch line is its arch column" diff <(table_column 5) <(readme_line pacman)

# A pkg-config that knows neither libkmod nor smartcols.
mkdir -p "$TAP_TMP/bin"
cat >"$TAP_TMP/bin/pkg-config" <<'SH'
#!/bin/sh
for a; do case $a in libkmod | smartcols) exit 1 ;; esac; done
exec pkg-config "$@"
SH
chmod +x "$TAP_TMP/bin/pkg-config"
for want in "debian:apt-get install libkmod-dev libsmartcols-dev" "fedora:dnf install kmod-devel libsmartcols-devel" \
	"alpine:apk add kmod-dev util-linux-dev" "arch:pacman -S --needed kmod util-linux-libs"; do
	d=${want%%:*}
	check "make DISTRO=$d with libkmod and libsmartcols missing: stops before compiling, names ${want#*:}" \
		bash -c '! make --no-print-directory BUILD="$0/b-$1" PKG_CONFIG="$0/bin/pkg-config" DISTRO="$1" all >"$0/$1.out" 2>&1 &&
			grep -qF "missing: libkmod smartcols" "$0/$1.out" && grep -qF "sudo $2" "$0/$1.out" &&
			! grep -q -- "-c -o" "$0/$1.out" && ! test -d "$0/b-$1/obj" || { cat "$0/$1.out"; exit 1; }' \
		"$TAP_TMP" "$d" "${want#*:}"
done
check "with everything there, make goes on (the check passes on this machine)" \
	bash -c 'PKG_CONFIG=pkg-config CC=cc build-aux/check-build-deps.sh build-aux/build-deps debian'

# -Werror: in make check's builds, not in a plain make.
check "a plain make compiles without -Werror" \
	bash -c '! make --no-print-directory -n BUILD="$0/w" all | grep -- "-c -o" | grep -q -- -Werror' "$TAP_TMP"
check "WERROR=-Werror puts it on every compile" \
	bash -c 'make --no-print-directory -n BUILD="$0/w" WERROR=-Werror all | grep -- "-c -o" | grep -vq -- -Werror; test $? -eq 1' "$TAP_TMP"
check "make check builds with WERROR=-Werror (its recipe)" \
	bash -c 'make --no-print-directory -pn -f Makefile BUILD="$0/w" .DEFAULT 2>/dev/null |
		awk "/^check: /{on=1; next} on && /^\t/{print} on && !/^\t/ && !/^#/{on=0}" | grep -q "WERROR=-Werror unit-check"' "$TAP_TMP"
tap_end
exit $((TAP_FAILED > 0))
