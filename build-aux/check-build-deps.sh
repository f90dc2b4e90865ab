#!/bin/sh
# Run by `make` before it compiles anything: every library passthrough
# builds against is there (pkg-config), and the C compiler runs. When one
# is missing it stops with the package that provides it, for this
# family (DISTRO), and the one command that installs all the missing ones,
# instead of a compiler error about a header.
# Usage: check-build-deps.sh DEPS-FILE DISTRO   (env: PKG_CONFIG, CC)
deps=$1 distro=$2
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}
case $distro in
debian | ubuntu) col=2 install="apt-get install" ;;
fedora) col=3 install="dnf install" ;;
alpine) col=4 install="apk add" ;;
arch) col=5 install="pacman -S --needed" ;;
*) echo "check-build-deps: DISTRO is debian, fedora, alpine or arch, not '$distro'" >&2; exit 2 ;;
esac

package_for() { awk -v what="$1" -v col="$col" '!/^#/ && $1 == what { print $col }' "$deps"; }

missing="" packages=""
need() { # need WHAT: WHAT is missing; remember its package once
	p=$(package_for "$1")
	missing="$missing $1"
	case " $packages " in *" $p "*) ;; *) packages="$packages $p" ;; esac
}

command -v "${CC%% *}" >/dev/null 2>&1 || need cc
if ! command -v "$PKG_CONFIG" >/dev/null 2>&1; then
	need pkg-config
else
	# every row but the tools is a pkg-config module
	libs=$(awk '!/^#/ && NF && $1 != "cc" && $1 != "make" && $1 != "pkg-config" { print $1 }' "$deps")
	for lib in $libs; do
		"$PKG_CONFIG" --exists "$lib" || need "$lib"
	done
fi
[ -z "$missing" ] && exit 0
echo "passthrough: cannot build, missing:$missing" >&2
echo "  install them ($distro):  sudo $install$packages" >&2
echo "  (DISTRO=debian|fedora|alpine|arch names another family's packages)" >&2
exit 1
