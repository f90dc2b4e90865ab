# Debian's kernel for the tests, downloaded once through apt (a private
# sources list for other suites) and unpacked under $KERNEL_CACHE: the boot
# suites boot it, the CLI suites read its module index. Sourced.
# shellcheck shell=bash
: "${BUILD:=build}"
KERNEL_CACHE=${KERNEL_CACHE:-$BUILD/kernel}
mkdir -p "$KERNEL_CACHE" && KERNEL_CACHE=$(cd "$KERNEL_CACHE" && pwd)

die() { echo "boot: $*" >&2; exit 1; }

# apt-get and apt-cache for KERNEL_SUITE (bullseye, trixie...) through a
# private sources list: the host's apt configuration and lists stay as
# they are. Without KERNEL_SUITE, the host's own apt.
kernel_apt() { # kernel_apt apt-get|apt-cache ARGS...
	local tool=$1; shift
	if [ -z "${KERNEL_SUITE:-}" ]; then "$tool" "$@"; return; fi
	local apt="$KERNEL_CACHE/apt-$KERNEL_SUITE"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $KERNEL_SUITE main" \
		>"$apt/sources.list"
	"$tool" -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=- \
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
		-o APT::Sandbox::User=root "$@"
}

# The kernel package: the suite's (or this machine's) linux-image-amd64,
# or $KERNEL_PKG.
kernel_package() {
	if [ -n "${KERNEL_PKG:-}" ]; then echo "$KERNEL_PKG"; return; fi
	local pkg
	pkg=$(kernel_apt apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
		kernel_apt apt-get update >/dev/null 2>&1
		pkg=$(kernel_apt apt-cache depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	fi
	if [ -z "$pkg" ]; then
		# Offline: take whatever was fetched before.
		for d in "$KERNEL_CACHE"/linux-image-*; do [ -d "$d" ] && pkg=${d##*/}; done
	fi
	[ -n "$pkg" ] || die "cannot tell which linux-image package to use: run apt-get update"
	echo "$pkg"
}

# Sets KROOT (unpacked package), KVER and VMLINUZ. KERNEL_SUITE=bullseye
# gives Debian 11's 5.10, trixie Debian 13's 6.12 (merged /usr: its modules
# are under usr/lib/modules, and xz-compressed).
fetch_kernel() {
	local pkg dir
	pkg=$(kernel_package)
	dir="$KERNEL_CACHE/$pkg"
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir" && mkdir -p "$dir/deb"
		echo "boot: downloading $pkg (once; cached in $dir)" >&2
		(cd "$dir/deb" && kernel_apt apt-get download "$pkg" >/dev/null 2>&1) ||
			die "apt-get download $pkg failed"
		dpkg-deb -x "$dir"/deb/*.deb "$dir/root" || die "cannot unpack $pkg"
		rm -rf "$dir/deb"
		[ -d "$dir/root/lib/modules" ] || ln -s usr/lib "$dir/root/lib"
		touch "$dir/.done"
	fi
	KROOT="$dir/root"
	for d in "$KROOT"/lib/modules/*; do KVER=${d##*/}; break; done
	VMLINUZ="$KROOT/boot/vmlinuz-$KVER"
	[ -f "$VMLINUZ" ] || die "no kernel image in $dir"
	if [ ! -f "$KROOT/lib/modules/$KVER/modules.dep.bin" ]; then
		depmod -b "$KROOT" "$KVER" || die "depmod failed"
	fi
}

# copy_with_libs FILE DESTROOT: the binary and every shared library it uses.
copy_with_libs() {
	local f=$1 dest=$2 lib
	install -D -m 0755 "$f" "$dest/sbin/$(basename "$f")"
	for lib in $(ldd "$f" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$dest$(dirname "$lib")"
		cp -L "$lib" "$dest$lib"
	done
}

