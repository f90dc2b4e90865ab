#!/usr/bin/env bash
# packaging/alpine/APKBUILD, run the way abuild runs it, on the release
# tarball (make dist): build() and package() give exactly what `make
# install DISTRO=alpine` installs from the same tree, the mkinitfs feature
# included; with the musl static binder built, the package carries it.
# The pre-deinstall script takes back `passthrough apply`. Output: TAP.
#
# What stands in for abuild (there is none on Debian): the APKBUILD is
# sourced by sh (dash, POSIX like Alpine's busybox ash) with `set -e` and
# umask 022, after abuild's variables (startdir, srcdir, pkgdir,
# builddir="$srcdir/$pkgname-$pkgver") and exports (CFLAGS, LDFLAGS,
# MAKEFLAGS and CC of abuild's default.conf), in $builddir as abuild's
# runpart does; msg, msg2, warning and die print; the tarball is unpacked
# with tar, as abuild's default_unpack does. What that misses: fetching
# and `abuild verify` (sha512sums), makedepends from Alpine (these are
# Debian's -dev packages, glibc and not musl), fakeroot, and everything
# abuild does after package(): the -doc split (default_doc moves
# usr/share/man and gzips it), stripping, the so: dependencies from
# scanelf, .PKGINFO, the install script's embedding, the .apk and its
# signature.
set -uo pipefail
# A builder starts from a clean environment, not inside make check's make.
unset MAKEFLAGS MAKELEVEL MFLAGS
BUILD=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
APKBUILD=packaging/alpine/APKBUILD
umask 022

VERSION=$(sed -n 's/^#define PT_VERSION "\(.*\)"/\1/p' src/core/version.h)
TARBALL=$BUILD/passthrough-$VERSION.tar.gz

# The APKBUILD itself: shell, abuild's fields.
check "APKBUILD is valid sh (sh -n)" sh -n "$APKBUILD"
# SC2034: pkgname, pkgver, ... are read by abuild; SC2154: srcdir, pkgdir
# are abuild's.
check "APKBUILD passes shellcheck -s sh (abuild's variables excluded)" \
	shellcheck -s sh -e SC2034,SC2154 "$APKBUILD"
check "the deinstall script passes shellcheck" shellcheck packaging/alpine/passthrough.pre-deinstall
# field NAME: the value the APKBUILD gives it.
field() { (cd packaging/alpine && sh -c '. ./APKBUILD && eval "printf %s \"\$$1\""' field "$1"); }
check "pkgname is passthrough" same "$(field pkgname)" passthrough
check "pkgver is the program's version ($VERSION)" same "$(field pkgver)" "$VERSION"
check "pkgrel is a number" bash -c '[[ $0 =~ ^[0-9]+$ ]]' "$(field pkgrel)"
check "license is LICENSE's (MIT)" \
	bash -c '[ "$0" = MIT ] && head -n 1 LICENSE | grep -qx "MIT License"' "$(field license)"
check "depends on mkinitfs" same "$(field depends)" mkinitfs
check "makedepends: the -dev packages of libkmod, inih (and its .a), libpci, libblkid and libsmartcols, libcryptsetup" \
	same "$(field makedepends | xargs -n 1 | sort | xargs)" \
	"cryptsetup-dev inih-dev inih-static kmod-dev linux-headers pciutils-dev util-linux-dev"
check "subpackages: -doc and -bash-completion (abuild moves the man pages and the completion there)" \
	same "$(field subpackages)" "passthrough-doc passthrough-bash-completion"
check "source is the release tarball" same "$(field source)" "passthrough-$VERSION.tar.gz"
check "each install= script is beside the APKBUILD" \
	bash -c 'for s in $0; do test -f "packaging/alpine/$s" || { echo "missing: $s"; exit 1; }; done' "$(field install)"
# The real sum is written by `abuild checksum` at release: the tarball
# holds the APKBUILD, so the APKBUILD cannot hold the tarball's sum.
check "sha512sums has the tarball's line (its sum comes from abuild checksum at release)" \
	bash -c 'printf "%s\n" "$0" | grep -Eq "^[^ ]+  passthrough-$1\.tar\.gz$"' "$(field sha512sums)" "$VERSION"

# The aport: a startdir with the APKBUILD, its install script and the
# tarball (abuild's SRCDEST defaults to startdir).
if [ -e .git ]; then
	check "make dist writes the release tarball" make --no-print-directory -s BUILD="$BUILD" dist
fi
check "the release tarball is there: $TARBALL" test -s "$TARBALL"
A=$TAP_TMP/aport
mkdir -p "$A/src"
cp "$APKBUILD" packaging/alpine/passthrough.pre-deinstall "$A/"
cp "$TARBALL" "$A/" 2>/dev/null
check "the tarball unpacks into srcdir (abuild's default_unpack)" \
	tar -xzf "$A/passthrough-$VERSION.tar.gz" -C "$A/src"
B=$A/src/passthrough-$VERSION
# Without the network where a namespace can be made (root), as abuild's
# rootbld builds: nothing may be downloaded.
NONET=(unshare -n)
unshare -n true 2>/dev/null || NONET=()
# abuild_run PHASE: one function of the APKBUILD, as abuild runs it.
abuild_run() {
	env -u BUILD -u MAKELEVEL -u MFLAGS -u CPPFLAGS -u CARGO_HOME \
		CFLAGS="-Os -fstack-clash-protection -Wformat -Werror=format-security" \
		LDFLAGS="-Wl,--as-needed,-O1,--sort-common" \
		JOBS="$(nproc)" MAKEFLAGS="-j$(nproc)" CC=cc \
		SOURCE_DATE_EPOCH="$(stat -c %Y "$A/APKBUILD")" GIT_CEILING_DIRECTORIES="$A" \
		"${NONET[@]}" sh -ec '
			umask 022
			msg() { echo ">>> $*"; }
			msg2() { echo "	$*"; }
			warning() { echo ">>> WARNING: $*" >&2; }
			die() { echo ">>> ERROR: $*" >&2; exit 1; }
			default_prepare() { :; } # applies the source= patches: there are none
			phase=$1 startdir=$2
			srcdir=$startdir/src pkgbasedir=$startdir/pkg tmpdir=$startdir/tmp
			cd "$startdir"
			. "$startdir/APKBUILD"
			builddir=${builddir:-"$srcdir/$pkgname-$pkgver"}
			pkgdir=$pkgbasedir/$pkgname
			[ -d "$builddir" ] && cd "$builddir"
			"$phase"
		' abuild "$1" "$A" >"$TAP_TMP/$1.log" 2>&1 && return 0
	tail -n 20 "$TAP_TMP/$1.log"
	return 1
}
check "build() builds the tarball${NONET[*]:+, without network}" abuild_run build
check "build() compiles with abuild's CFLAGS after the Makefile's own" \
	grep -Eq -- '-std=c11 .*-Os -fstack-clash-protection -Wformat -Werror=format-security -c -o build/obj/early/early.o' \
	"$TAP_TMP/build.log"
check "build() links with abuild's LDFLAGS" \
	grep -Eq -- '-Wl,--as-needed,-O1,--sort-common -o build/passthrough-early ' "$TAP_TMP/build.log"
check "package() installs into pkgdir" abuild_run package
P=$A/pkg/passthrough

# Against make install DISTRO=alpine from the same tree: the same paths,
# modes and contents.
listing() { (cd "$1" 2>/dev/null && find . -mindepth 1 -printf '%m %P\n' | LC_ALL=C sort); }
install_alpine() { # DESTDIR: make install DISTRO=alpine of the unpacked tree
	env -u BUILD -u MAKEFLAGS -u MAKELEVEL make --no-print-directory -s -C "$B" DESTDIR="$1" DISTRO=alpine install
}
install_alpine "$TAP_TMP/y" >/dev/null 2>&1
listing "$P" >"$TAP_TMP/pkg.list"
listing "$TAP_TMP/y" >"$TAP_TMP/make.list"
check "make install DISTRO=alpine installs files ($(find "$TAP_TMP/y" -type f | wc -l))" \
	test -s "$TAP_TMP/make.list"
check "package()'s paths and modes are make install DISTRO=alpine's" \
	diff -u "$TAP_TMP/make.list" "$TAP_TMP/pkg.list"
check "and their contents" diff -r "$TAP_TMP/y" "$P"
for f in "644 etc/mkinitfs/features.d/passthrough.modules" "644 etc/mkinitfs/features.d/passthrough.files" \
	"755 usr/share/passthrough/mkinitfs-init" "755 usr/sbin/passthrough-early" "755 usr/sbin/passthrough" \
	"644 etc/passthrough.conf" "644 usr/share/man/man8/passthrough.8" "644 usr/share/man/man8/passthrough-early.8" \
	"644 usr/share/man/man5/passthrough.conf.5"; do
	check "the package has $f" grep -qx "$f" "$TAP_TMP/pkg.list"
done
check "the mkinitfs feature's files are the tree's" \
	bash -c 'cmp "$0/etc/mkinitfs/features.d/passthrough.files" "$1/mkinitfs/passthrough.files" &&
		cmp "$0/usr/share/passthrough/mkinitfs-init" "$1/mkinitfs/passthrough-init"' "$P" "$TOP"
check "no other family's glue (dracut, initramfs-tools, systemd, udev)" \
	bash -c '! grep -E " (usr/lib/(dracut|systemd|udev)|usr/share/initramfs-tools|etc/default)" "$0"' "$TAP_TMP/pkg.list"
check "the binder built by plain make is dynamic (musl on Alpine, glibc here)" \
	bash -c 'file -L "$0" | grep -q "dynamically linked"' "$P/usr/sbin/passthrough-early"

# With the musl static binder built (`make static LIBC=musl`: a cross
# build from Debian), package() carries it, as make install DISTRO=alpine
# does. Built in the unpacked tree from BUILD's musl libraries (copied,
# so they are newer than the tree and nothing is downloaded); else BUILD's
# binder is copied in.
MUSL=$B/build/passthrough-early-musl
musl_why=""
if [ -f "$BUILD/static-musl/lib/libkmod.a" ] && command -v musl-gcc >/dev/null; then
	mkdir -p "$B/build/static-musl"
	cp -r "$BUILD/static-musl/lib" "$BUILD/static-musl/include" "$B/build/static-musl/"
	check "make static LIBC=musl in the unpacked tree (BUILD's musl libraries)" \
		env -u BUILD -u MAKEFLAGS -u MAKELEVEL "${NONET[@]}" make --no-print-directory -s -C "$B" static LIBC=musl
elif [ -f "$BUILD/passthrough-early-musl" ]; then
	mkdir -p "$B/build" && cp "$BUILD/passthrough-early-musl" "$MUSL"
else
	musl_why="no musl binder: make BUILD=$BUILD static LIBC=musl first (musl-tools; downloads Debian's sources once)"
fi
if [ -z "$musl_why" ] && [ -f "$MUSL" ]; then
	rm -rf "$A/pkg"
	check "package() again, the musl binder built" abuild_run package
	check "the package's binder is the musl static one" cmp "$P/usr/sbin/passthrough-early" "$MUSL"
	check "file says it is statically linked" \
		bash -c 'file -L "$0" | grep -q "statically linked"' "$P/usr/sbin/passthrough-early"
	install_alpine "$TAP_TMP/z" >/dev/null 2>&1
	check "the same as make install DISTRO=alpine installs" \
		cmp "$TAP_TMP/z/usr/sbin/passthrough-early" "$P/usr/sbin/passthrough-early"
	listing "$P" >"$TAP_TMP/pkg-musl.list"
	check "and the same files otherwise" diff -u "$TAP_TMP/make.list" "$TAP_TMP/pkg-musl.list"
else
	check "the musl static binder in the package # skip ${musl_why:-make static LIBC=musl made none}" true
fi

# pre-deinstall, run with its paths moved into a scratch root and a
# passthrough that records its arguments (and fails when told to).
S=$TAP_TMP/root
mkdir -p "$S/sbin" "$S/state"
printf '#!/bin/sh\necho "$*" >>"%s/calls"\n[ ! -e "%s/fail" ]\n' "$S" "$S" >"$S/sbin/passthrough"
chmod +x "$S/sbin/passthrough"
sed -e "s,/usr/sbin/passthrough,$S/sbin/passthrough,g; s,/var/lib/passthrough,$S/state,g" \
	packaging/alpine/passthrough.pre-deinstall >"$S/pre-deinstall"
check "pre-deinstall is valid sh (sh -n)" sh -n packaging/alpine/passthrough.pre-deinstall
check "pre-deinstall, nothing applied: runs nothing" \
	bash -c 'sh "$0/pre-deinstall" && test ! -e "$0/calls"' "$S"
: >"$S/state/applied"
check "pre-deinstall, apply's state file there: runs apply --undo" \
	bash -c 'sh "$0/pre-deinstall" && [ "$(cat "$0/calls")" = "apply --undo" ]' "$S"
rm -f "$S/calls" "$S/state/applied"
: >"$S/state/rebuild-pending"
check "pre-deinstall, a rebuild pending (an apply or undo that stopped): runs apply --undo" \
	bash -c 'sh "$0/pre-deinstall" && [ "$(cat "$0/calls")" = "apply --undo" ]' "$S"
: >"$S/state/applied"
: >"$S/fail"
sh "$S/pre-deinstall" >/dev/null 2>"$TAP_TMP/deinstall.err"
check "pre-deinstall, the undo failing: fails and tells the admin what is left" \
	bash -c '[ "$0" -ne 0 ] && grep -q "mkinitfs.conf" "$1"' "$?" "$TAP_TMP/deinstall.err"
check "apply's state files are /var/lib/passthrough/applied and rebuild-pending (src/host/apply)" \
	bash -c 'grep -q "\"var/lib/passthrough/applied\"" src/host/apply/*.h &&
		grep -q "\"var/lib/passthrough/rebuild-pending\"" src/host/apply/*.h'
tap_end
exit $((TAP_FAILED > 0))
