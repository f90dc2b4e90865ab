#!/bin/sh
# Unpacks the upstream source of a Debian source package, the version this
# machine has installed, into OUTDIR/src: for what no distribution ships
# ready to link (libkmod.a for `make static`) and for building a library
# with the sanitizers of the fuzzers (inih). Uses a private deb-src list,
# so the system's apt configuration is untouched.
# Usage: debian-source.sh SOURCE-PACKAGE BINARY-PACKAGE OUTDIR
set -eu
srcpkg=$1 binpkg=$2 out=$3
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -d "$out/src" ] && exit 0

version=$(dpkg-query -W -f='${source:Version}' "$binpkg" 2>/dev/null || true)
[ -n "$version" ] || { echo "debian-source: $binpkg is not installed" >&2; exit 1; }
apt="$out/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/dl"
. /etc/os-release
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $VERSION_CODENAME main" >"$apt/sources.list"
opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $opts update >/dev/null
# shellcheck disable=SC2086
(cd "$out/dl" && apt-get $opts source --download-only "$srcpkg=$version" >/dev/null)
rm -rf "$out/src.tmp" && mkdir -p "$out/src.tmp"
tar -xf "$out"/dl/"${srcpkg}"_*.orig.tar.* -C "$out/src.tmp" --strip-components=1
# Debian's own patches change what the library does (inih's build options
# become run-time globals): apply them, so the copy is the library we link.
if [ -f "$out"/dl/"${srcpkg}"_*.debian.tar.* ] 2>/dev/null; then :; fi
for deb in "$out"/dl/"${srcpkg}"_*.debian.tar.*; do
	[ -f "$deb" ] || continue
	tar -xf "$deb" -C "$out/src.tmp"
	if [ -f "$out/src.tmp/debian/patches/series" ]; then
		while read -r p; do
			case $p in ''|'#'*) continue ;; esac
			patch -s -d "$out/src.tmp" -p1 <"$out/src.tmp/debian/patches/$p"
		done <"$out/src.tmp/debian/patches/series"
	fi
done
mv "$out/src.tmp" "$out/src"
