#!/bin/sh
# Builds libkmod.a for `make static`: no distribution ships it, and kmod's
# own build refuses --enable-static. Takes the source of the libkmod this
# machine uses from Debian's archive (apt-get source, through a private
# deb-src list so the system's apt configuration is untouched), and
# compiles libkmod and kmod's shared helpers with xz and zstd support
# (Fedora and Alpine compress their modules).
# Usage: static-libkmod.sh OUTDIR [CC]
set -eu
out=$1
cc=${2:-cc}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
apt="$out/apt"

version=$(dpkg-query -W -f='${source:Version}' libkmod2 2>/dev/null || true)
[ -n "$version" ] || { echo "static-libkmod: libkmod2 is not installed" >&2; exit 1; }

if [ ! -d "$out/src" ]; then
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/dl"
	. /etc/os-release
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $VERSION_CODENAME main" >"$apt/sources.list"
	opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null
	      -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	apt-get $opts update >/dev/null
	# shellcheck disable=SC2086
	(cd "$out/dl" && apt-get $opts source --download-only "kmod=$version" >/dev/null)
	mkdir -p "$out/src.tmp"
	tar -xf "$out"/dl/kmod_*.orig.tar.* -C "$out/src.tmp" --strip-components=1
	mv "$out/src.tmp" "$out/src"
fi

mkdir -p "$out/obj"
for f in "$out"/src/libkmod/libkmod*.c "$out"/src/shared/*.c; do
	"$cc" -O2 -ffunction-sections -fdata-sections -std=gnu11 -D_GNU_SOURCE \
		-include "$here/static-libkmod-config.h" -DSYSCONFDIR='"/etc"' \
		-I"$out/src" -w -c "$f" -o "$out/obj/$(basename "$f" .c).o"
done
rm -f "$out/libkmod.a"
ar rcs "$out/libkmod.a" "$out"/obj/*.o
