#!/bin/sh
# Builds the static libraries `make static` links the binder with, from
# the Debian sources of the versions this machine uses (apt-get source
# through a private deb-src list, so the system's apt configuration is
# untouched; Debian's patches applied, as its packages have them).
#
#   static-deps.sh OUTDIR glibc CC   libkmod.a only: no distribution ships
#                                    it (kmod's build refuses --enable-static);
#                                    xz, zstd, zlib and inih come from the
#                                    system's -dev packages.
#   static-deps.sh OUTDIR musl CC    everything the binder links, compiled
#                                    with CC (musl-gcc): libkmod, inih (with
#                                    Debian's runtime switches), and the
#                                    decompressors only of zlib, xz and zstd;
#                                    and kmod's tools (bin/depmod) on them.
#
# libkmod reads xz and zstd modules in both (Debian 13 and Fedora compress
# theirs with xz, Arch and Ubuntu with zstd), and gzip in the musl one
# (Alpine's).
# OUTDIR gets lib/*.a and include/.
set -eu
out=$1
libc=$2
cc=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/lib" "$out/include" "$out/src"
out=$(cd "$out" && pwd)
jobs=$(nproc 2>/dev/null || echo 1)

say() { echo "static-deps: $*" >&2; }

# debian_source SRCPKG BINPKG [SUITE]: unpacks the source of the installed
# BINPKG's version (or SUITE's) into $out/src/SRCPKG, with Debian's
# patches, once.
debian_source() {
	src=$1 bin=$2 from=${3:-}
	version=$(dpkg-query -W -f='${source:Version}' "$bin" 2>/dev/null || true)
	[ -z "$from" ] || version=$from
	# unpacked before, for the same version (or suite)
	[ -d "$out/src/$src" ] && [ "$(cat "$out/src/$src.version" 2>/dev/null)" = "$version" ] && return 0
	rm -rf "${out:?}/src/$src"
	# shellcheck disable=SC1091
	. /etc/os-release
	[ -n "$version" ] || { say "$bin is not installed (its version is the one built)"; exit 1; }
	apt="$out/apt"
	if [ ! -f "$apt/sources.list" ]; then
		mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
		for suite in "$VERSION_CODENAME" trixie; do
			echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main"
		done | uniq >"$apt/sources.list.tmp"
		mv "$apt/sources.list.tmp" "$apt/sources.list"
		rm -f "$apt/updated"
	fi
	opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null
	      -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Sandbox::User=root"
	if [ ! -f "$apt/updated" ]; then
		# shellcheck disable=SC2086
		apt-get $opts update >/dev/null && touch "$apt/updated"
	fi
	dl="$out/dl/$src"
	rm -rf "$dl" && mkdir -p "$dl"
	say "fetching the source of $src $version"
	# The archive keeps the current version only: after a point release,
	# an older installed one is built from the suite's (same upstream);
	# a source the mirror lacks (bookworm's inih) from the next release's.
	# A suite's source whose .dsc the mirror lacks (trixie's kmod) is
	# taken from its tarballs when they came.
	wants="$src=$version $src/$VERSION_CODENAME $src"
	[ -z "$from" ] || wants="$src/$from"
	# shellcheck disable=SC2086 # $opts and $wants are lists
	(cd "$dl" && for want in $wants; do
		apt-get $opts source --download-only "$want" >/dev/null 2>&1 && exit 0
		[ -z "$from" ] || ! ls ./*.orig.tar.* >/dev/null 2>&1 || exit 0
		rm -f ./*
	done; say "cannot download the source of $src"; exit 1)
	say "$(cd "$dl" && echo *.orig.tar.*)"
	tmp="$out/src/$src.tmp"
	rm -rf "$tmp" && mkdir -p "$tmp"
	for t in "$dl"/*.orig.tar.*; do
		case $t in *.asc) continue ;; esac
		tar -xf "$t" -C "$tmp" --strip-components=1
	done
	for t in "$dl"/*.debian.tar.*; do
		[ -f "$t" ] || continue
		tar -xf "$t" -C "$tmp"
		if [ -f "$tmp/debian/patches/series" ]; then
			sed 's/#.*//' "$tmp/debian/patches/series" | while read -r p _; do
				[ -n "$p" ] && patch -s -d "$tmp" -p1 <"$tmp/debian/patches/$p"
			done
		fi
	done
	mv "$tmp" "$out/src/$src"
	echo "$version" >"$out/src/$src.version"
}

# libkmod comes from Debian 13's kmod (34), not this machine's: since
# kmod 31 libkmod hands a compressed module to a kernel that decompresses
# it itself (/sys/module/compression; finit_module with
# MODULE_INIT_COMPRESSED_FILE) instead of decompressing it in user space,
# which doubled the binder's module loading on 6.12's .ko.xz under TCG
# (docs/performance.md). Older kernels get the user-space path, as before.
KMOD_SUITE=trixie

# kmod_cc ARGS...: compiles kmod's sources with what its meson setup finds
# on Debian (static-libkmod-config.h).
kmod_cc() {
	"$cc" -std=gnu11 -D_GNU_SOURCE -include "$here/static-libkmod-config.h" \
		-DSYSCONFDIR='"/etc"' -I"$out/src/kmod" -w "$@"
}

build_libkmod() { # CFLAGS...
	debian_source kmod libkmod2 "$KMOD_SUITE"
	rm -rf "$out/obj/kmod" && mkdir -p "$out/obj/kmod"
	for f in "$out"/src/kmod/libkmod/libkmod*.c "$out"/src/kmod/shared/*.c; do
		# gzip only where ENABLE_ZLIB is asked for (the musl build)
		case "$f $*" in *file-zlib.c*ENABLE_ZLIB=1*) ;; *file-zlib.c*) continue ;; esac
		kmod_cc -O2 -ffunction-sections -fdata-sections "$@" -Ddlopen=kmod_no_dlopen -c "$f" \
			-o "$out/obj/kmod/$(basename "$f" .c).o"
	done
	# shared/util.c's dlsym_many() is never called (the decompressors are
	# linked in, ENABLE_*_DLOPEN 0), but it names dlopen, which glibc warns
	# about in every static link: it names this stand-in instead.
	printf '#include <stddef.h>\nvoid *kmod_no_dlopen(const char *f, int flags);\nvoid *kmod_no_dlopen(const char *f, int flags) { (void)f; (void)flags; return NULL; }\n' |
		kmod_cc -O2 -x c -c - -o "$out/obj/kmod/no-dlopen.o"
	rm -f "$out/lib/libkmod.a"
	ar rcs "$out/lib/libkmod.a" "$out"/obj/kmod/*.o
	cp "$out/src/kmod/libkmod/libkmod.h" "$out/include/"
}

if [ "$libc" = glibc ]; then
	build_libkmod
	say "built $out/lib/libkmod.a"
	exit 0
fi
[ "$libc" = musl ] || { say "LIBC is glibc or musl, not '$libc'"; exit 2; }
small="-Os -ffunction-sections -fdata-sections"

debian_source zlib zlib1g
if [ ! -f "$out/lib/libz.a" ]; then
	say "building zlib"
	(cd "$out/src/zlib" && CC=$cc CFLAGS="$small" ./configure --static --prefix="$out" >/dev/null &&
		make -s -j"$jobs" libz.a >/dev/null && cp libz.a "$out/lib/" && cp zlib.h zconf.h "$out/include/")
fi

debian_source xz-utils liblzma5
if [ ! -f "$out/lib/liblzma.a" ]; then
	say "building liblzma (decoders only)"
	(cd "$out/src/xz-utils" &&
		./configure -q CC="$cc" CFLAGS="$small" --disable-shared --enable-static \
			--disable-encoders --enable-decoders=lzma1,lzma2,delta,x86 \
			--disable-match-finders --disable-lzip-decoder --disable-threads \
			--disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
			--disable-lzma-links --disable-scripts --disable-doc --disable-nls >/dev/null &&
		make -s -j"$jobs" -C src/liblzma >/dev/null &&
		cp src/liblzma/.libs/liblzma.a "$out/lib/" &&
		cp -r src/liblzma/api/lzma.h src/liblzma/api/lzma "$out/include/")
fi

debian_source libzstd libzstd1
if [ ! -f "$out/lib/libzstd.a" ]; then
	say "building libzstd (decompression only)"
	# shellcheck disable=SC2086
	(cd "$out/src/libzstd/lib" &&
		make -s -j"$jobs" libzstd.a CC="$cc" MOREFLAGS="$small" \
			ZSTD_LIB_COMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 ZSTD_LIB_DEPRECATED=0 \
			ZSTD_LEGACY_SUPPORT=0 ZSTD_STRIP_ERROR_STRINGS=1 ZSTD_NO_UNUSED_FUNCTIONS=1 \
			HUF_FORCE_DECOMPRESS_X1=1 ZSTD_FORCE_DECOMPRESS_SEQUENCES_SHORT=1 >/dev/null &&
		cp libzstd.a "$out/lib/" && cp zstd.h zstd_errors.h "$out/include/")
fi

debian_source libinih libinih1
if [ ! -f "$out/lib/libinih.a" ]; then
	say "building inih"
	# The same defaults as Debian's build (ini.h's own), Debian's patches.
	# shellcheck disable=SC2086 # $small is a list of flags
	"$cc" $small -c "$out/src/libinih/ini.c" -o "$out/src/libinih/ini.o"
	ar rcs "$out/lib/libinih.a" "$out/src/libinih/ini.o"
	cp "$out/src/libinih/ini.h" "$out/include/"
fi

# libkmod and its tools every time make runs this (the script or the
# config header changed): the kmod version may have changed with them.
say "building libkmod"
build_libkmod -DENABLE_ZLIB=1 -I"$out/include"
# kmod's own tools on the same libkmod: a depmod that indexes gzip
# modules (Debian's kmod has no zlib), for the boot test of Alpine's.
rm -rf "$out/obj/tools"
mkdir -p "$out/bin" "$out/obj/tools"
for f in "$out"/src/kmod/tools/*.c; do
	kmod_cc -Os -DENABLE_ZLIB=1 -I"$out/include" -c "$f" \
		-o "$out/obj/tools/$(basename "$f" .c).o"
done
"$cc" -static -o "$out/bin/kmod" "$out"/obj/tools/*.o -L"$out/lib" -lkmod -lzstd -llzma -lz
ln -sf kmod "$out/bin/depmod"
say "built $(cd "$out/lib" && echo *.a) in $out/lib, kmod in $out/bin"
