#!/usr/bin/env bash
# The Debian package (packaging/debian), as a packager and an admin meet it:
# built by dpkg-buildpackage -b from the release tarball (make dist) with no
# network, checked by lintian, then installed, upgraded, removed and purged
# by dpkg in a throwaway Debian 12 root (debootstrap, cached beside the
# kernel in KERNEL_CACHE) holding Debian's kernel, initramfs-tools and GRUB:
# - the initramfs follows the package through initramfs-tools' trigger;
# - `passthrough apply` run there by the admin reaches grub.cfg and the
#   image; removing the package undoes it first (prerm), and refuses when
#   the undo fails; the admin's edited config survives remove;
# - purge leaves no file of ours.
# What stands in: grub-probe (the chroot's / is no disk GRUB knows), and
# /proc and /sys are the captured QEMU machine's files (tests/fixtures/qemu),
# not the kernel's. The chroot needs root (skipped otherwise); the first
# run needs the Debian mirror for debootstrap (~30 s). Output: TAP.
set -uo pipefail
# A builder starts from a clean environment, not inside make check's make.
unset MAKEFLAGS MAKELEVEL MFLAGS
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
cd "$TOP" || exit 1

CASES=("dpkg-buildpackage -b builds the package from the tarball with no network"
	"its files are make install DISTRO=debian's, man pages compressed, plus the copyright"
	"the config and the GRUB drop-in are conffiles"
	"initramfs-tools' trigger, and no maintainer script runs update-initramfs"
	"lintian: no error, no warning but the ones named in the test")
LIFE=("install: the trigger builds the image with the binder and its init-top script"
	"apply in the root: grub.cfg's normal entries and the image get what apply set"
	"reinstall (upgrade) keeps what apply did"
	"remove while the undo fails: refused, the package stays, status says unfinished"
	"remove: undone first; grub.cfg without the arguments, the image without the binder"
	"remove keeps the admin's edited /etc/passthrough.conf"
	"purge: no file of ours is left, the root's files are as before install"
	"README's install on a fresh Debian 12: its apt-get line, make, make install, then passthrough runs")
skip_cases() { # skip_cases REASON NAME...
	local reason=$1 n; shift
	for n in "$@"; do check "$n # skip $reason" true; done
}
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	skip_cases "no dpkg-buildpackage or debhelper (Debian: dpkg-dev debhelper)" "${CASES[@]}" "${LIFE[@]}"
	tap_end; exit 0
fi

# --- build --------------------------------------------------------------
make --no-print-directory -s BUILD="$BUILD" dist >"$TAP_TMP/dist.out" 2>&1
tarball=$(tail -n 1 "$TAP_TMP/dist.out")
offline=()
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then offline=(unshare -n); fi
src=$TAP_TMP/src
mkdir -p "$src" && tar xzf "$tarball" -C "$src"
tree=$(echo "$src"/passthrough-*)
cp -a "$tree/packaging/debian" "$tree/debian"
# nocheck: tests/build/test-dist.sh runs make check-offline in this tarball.
check "${CASES[0]}" bash -c 'cd "$0" && DEB_BUILD_OPTIONS="nocheck parallel=2" "${@:1}" dpkg-buildpackage -b -us -uc \
	>../build.log 2>&1 || { tail -30 ../build.log; exit 1; }' "$tree" "${offline[@]}"
deb=$(echo "$src"/passthrough_*_amd64.deb)
if [ ! -f "$deb" ]; then
	skip_cases "the package did not build" "${CASES[@]:1}" "${LIFE[@]}"
	tap_end; exit 1
fi

# The package's files against make install's, with the same directories.
make --no-print-directory -s BUILD="$BUILD" DESTDIR="$TAP_TMP/inst" DISTRO=debian \
	UDEVRULESDIR=/lib/udev/rules.d SYSTEMDUNITDIR=/lib/systemd/system install >/dev/null 2>&1
(cd "$TAP_TMP/inst" && find . -type f | sed 's,^\.,,; s,\(/usr/share/man/.*\),\1.gz,'
	echo /usr/share/doc/passthrough/copyright
	echo /usr/share/doc/passthrough/changelog.Debian.gz) | LC_ALL=C sort >"$TAP_TMP/want"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's,^\.,,' | LC_ALL=C sort >"$TAP_TMP/got"
check "${CASES[1]}" diff -u "$TAP_TMP/want" "$TAP_TMP/got"
dpkg-deb -e "$deb" "$TAP_TMP/control"
check "${CASES[2]}" diff -u <(printf '/etc/default/grub.d/passthrough.cfg\n/etc/passthrough.conf\n') \
	<(LC_ALL=C sort "$TAP_TMP/control/conffiles")
check "${CASES[3]}" bash -c 'grep -qx "activate-noawait update-initramfs" "$0/triggers" &&
	! grep -v "^[[:space:]]*#" "$0"/preinst "$0"/postinst "$0"/prerm "$0"/postrm 2>/dev/null | grep -w update-initramfs' \
	"$TAP_TMP/control"
if command -v lintian >/dev/null; then
	# Each accepted warning has its reason in the closing note of issue 27:
	# initial-upload-closes-no-bugs: not uploaded to Debian, no ITP bug.
	lintian --pedantic -I "$(echo "$src"/passthrough_*_amd64.changes)" >"$TAP_TMP/lintian" 2>/dev/null
	check "${CASES[4]}" bash -c '! grep -E "^[EW]: " "$0" | grep -v -e initial-upload-closes-no-bugs' "$TAP_TMP/lintian"
	sed 's/^/# lintian: /' "$TAP_TMP/lintian"
else
	skip_cases "no lintian" "${CASES[4]}"
fi

# --- the throwaway root ---------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	skip_cases "needs root and a mount namespace (chroot)" "${LIFE[@]}"
	tap_end; exit $((TAP_FAILED > 0))
fi
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
# Debian 12 minbase with what the package and the test use, made once.
base=$KERNEL_CACHE/debootstrap-bookworm
if [ ! -f "$base/.done" ] && command -v debootstrap >/dev/null; then
	rm -rf "$base"
	echo "# debootstrap: a Debian 12 root, once (cached in $base)" >&2
	if debootstrap --variant=minbase \
		--include=initramfs-tools,grub2-common,libkmod2,libpci3,libcryptsetup12,libsmartcols1,zstd \
		bookworm "$base/root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$TAP_TMP/debootstrap.log" 2>&1
	then touch "$base/.done"
	else tail -5 "$TAP_TMP/debootstrap.log" >&2
	fi
fi
if [ ! -f "$base/.done" ]; then
	skip_cases "no Debian root: debootstrap (package debootstrap) could not reach the mirror" "${LIFE[@]}"
	tap_end; exit $((TAP_FAILED > 0))
fi
R=$TAP_TMP/root
cp -a "$base/root" "$R"
cp -a tests/fixtures/qemu/proc/. "$R/proc/"
cp -a tests/fixtures/qemu/sys/. "$R/sys/"
echo "$KVER" >"$R/proc/sys/kernel/osrelease"
cp "$KROOT/boot/vmlinuz-$KVER" "$KROOT/boot/config-$KVER" "$KROOT/boot/System.map-$KVER" "$R/boot/"
mkdir -p "$R/lib/modules/$KVER" "$R/boot/grub"
# MODULES=list: an image in a second, not a minute.
sed -i 's/^MODULES=.*/MODULES=list/' "$R/etc/initramfs-tools/initramfs.conf"
printf 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=Debian\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=ttyS0"\n' \
	>"$R/etc/default/grub"
grub_probe_standin "$R/usr/sbin/grub-probe"
cp "$deb" "$R/tmp/passthrough.deb"
in_root() { # in_root COMMAND...: in the chroot, the kernel's modules bound read-only
	unshare -m sh -c 'r=$2; mount --make-rprivate / &&
		mount --bind -o ro "$0/lib/modules/$1" "$r/lib/modules/$1" && shift 2 &&
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"' \
		"$KROOT" "$KVER" "$R" "$@"
}
files_of_root() { # every path but dpkg's own records, logs, caches and /tmp
	(cd "$R" && find . -path ./proc -prune -o -path ./sys -prune -o -path ./tmp -prune -o \
		-path ./var/lib/dpkg -prune -o -path ./var/log -prune -o -path ./var/cache -prune -o -print) |
		LC_ALL=C sort
}
image_has() { in_root lsinitramfs "/boot/initrd.img-$KVER" | grep -qx "$1"; }
normal_entries() { grep -P '^\s*linux\s' "$R/boot/grub/grub.cfg" | grep -v single; }
export -f in_root image_has normal_entries files_of_root
export R KROOT KVER

if ! { in_root update-initramfs -c -k "$KVER" && in_root update-grub; } >"$TAP_TMP/setup.log" 2>&1; then
	sed 's/^/# setup: /' "$TAP_TMP/setup.log"
fi
files_of_root >"$TAP_TMP/files.before"

check "${LIFE[0]}" bash -c 'in_root dpkg -i /tmp/passthrough.deb >"$0" 2>&1 || { cat "$0"; exit 1; }
	grep -q "^Processing triggers for initramfs-tools" "$0" || { cat "$0"; exit 1; }
	image_has usr/sbin/passthrough-early && image_has scripts/init-top/passthrough' "$TAP_TMP/install.log"

# The admin's edit: the USB controller, then apply, as root in the root.
printf '\n[device.usb]\naddress = 00:04.0\n' >>"$R/etc/passthrough.conf"
check "${LIFE[1]}" bash -c 'in_root passthrough apply >"$0" 2>&1 || { cat "$0"; exit 1; }
	normal_entries | grep -q "quiet iommu=pt$" && image_has etc/modprobe.d/passthrough.conf &&
	test -e "$R/var/lib/passthrough/applied"' "$TAP_TMP/apply.log"
check "${LIFE[2]}" bash -c 'in_root dpkg -i /tmp/passthrough.deb >"$0" 2>&1 &&
	test -e "$R/var/lib/passthrough/applied" && normal_entries | grep -q "quiet iommu=pt$" &&
	image_has usr/sbin/passthrough-early' "$TAP_TMP/upgrade.log"

# update-grub fails during the undo (grub-probe cannot read the disk).
mv "$R/usr/sbin/grub-probe" "$R/usr/sbin/grub-probe.ok"
printf '#!/bin/sh\necho "grub-probe: error: failed to get canonical path of /dev/vda1" >&2\nexit 1\n' \
	>"$R/usr/sbin/grub-probe"
chmod +x "$R/usr/sbin/grub-probe"
check "${LIFE[3]}" bash -c '! in_root dpkg -r passthrough >"$0" 2>&1 &&
	grep -q "not removing the package" "$0" &&
	in_root dpkg-query -W -f="\${Status}\n" passthrough | grep -q " installed$" &&
	in_root passthrough status >"$0.status" 2>&1; grep -q "^State: unfinished" "$0.status" ||
	{ cat "$0" "$0.status"; exit 1; }' "$TAP_TMP/remove-fails.log"
mv "$R/usr/sbin/grub-probe.ok" "$R/usr/sbin/grub-probe"

check "${LIFE[4]}" bash -c 'in_root dpkg -r passthrough >"$0" 2>&1 || { cat "$0"; exit 1; }
	grep -q "undoing it before removal" "$0" && ! normal_entries | grep -q iommu=pt &&
	! image_has usr/sbin/passthrough-early && ! test -e "$R/var/lib/passthrough/applied" &&
	! test -e "$R/var/lib/passthrough/rebuild-pending" &&
	in_root dpkg-query -W -f="\${Status}\n" passthrough | grep -q "config-files$" || { cat "$0"; exit 1; }' \
	"$TAP_TMP/remove.log"
check "${LIFE[5]}" bash -c 'tail -n 2 "$R/etc/passthrough.conf" | grep -q "^address = 00:04.0$"'
check "${LIFE[6]}" bash -c 'in_root dpkg -P passthrough >"$0" 2>&1 || { cat "$0"; exit 1; }
	diff -u "$1" <(files_of_root)' \
	"$TAP_TMP/purge.log" "$TAP_TMP/files.before"

# An admin's first commands, as README.md#1-install writes them, on a fresh
# Debian 12 (the same debootstrap root, untouched): the family's apt-get
# line (the mirror is needed; the .debs are kept in KERNEL_CACHE for the
# next run), make, make install. sudo is left out: we are root there.
F=$TAP_TMP/fresh
cp -a "$base/root" "$F"
cp /etc/resolv.conf "$F/etc/resolv.conf" 2>/dev/null
mkdir -p "$base/archives/partial" "$F/src"
tar xzf "$tarball" -C "$F/src"
line=$(grep -E '^sudo apt-get install ' README.md | sed 's/#.*//; s/^sudo //')
check "${LIFE[7]}" bash -c 'unshare -m sh -c "mount --make-rprivate / && mount --bind \"\$0\" \"\$1/var/cache/apt/archives\" &&
	mount -t proc proc \"\$1/proc\" &&
	chroot \"\$1\" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive sh -c \"
		apt-get update -q && $2 -y -q && cd /src/passthrough-* && make && make install\"" \
		"$0/archives" "$1" >"$1.log" 2>&1 || { tail -30 "$1.log"; exit 1; }
	chroot "$1" /usr/sbin/passthrough --version | grep -q "^passthrough [0-9]" &&
	test -x "$1/usr/share/initramfs-tools/hooks/passthrough" && test -f "$1/etc/passthrough.conf" &&
	test -f "$1/usr/share/bash-completion/completions/passthrough"' "$base" "$F" "$line"
tap_end
exit $((TAP_FAILED > 0))
