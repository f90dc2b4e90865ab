#!/usr/bin/env bash
# Alpine: `passthrough apply` on a fake Alpine root, then Alpine's real
# mkinitfs (../shared/field-tools/alpine/mkinitfs, built from its pinned
# source with lddtree) builds the image from the files apply wrote, and
# the image boots the QEMU topology through Alpine's own initramfs-init and
# nlplug-findfs (coldplug) and switch_root to a root disk that reports each
# device's driver. The arguments are the APPEND line update-extlinux would
# make from the update-extlinux.conf apply wrote. After `apply --undo`, an
# image mkinitfs builds again boots Alpine's init alone, nothing bound.
#
# What stands in, and why: nlplug-findfs and the binder's shared libraries
# are Debian's glibc ones (Alpine's are musl), built with a strlcpy glibc
# 2.36 lacks, and with pthread_cond_destroy made a no-op, as musl's
# effectively is: under glibc it waits forever at exit for the trigger
# thread that still waits on the condition. Debian's busybox-static is
# /bin/busybox, and Debian's kernel and modules are the kernel. mkinitfs
# runs in a private mount namespace where /usr/share holds what the root
# would (init= names a path on the host, as on Alpine). Output: TAP.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
MKSRC=$FT/alpine/mkinitfs
# shellcheck disable=SC2034 # read by lib.sh's result()
SUITE=alpine
n=0

CASES=("apply on Alpine: init= and the passthrough feature in mkinitfs.conf, the arguments in update-extlinux.conf"
	"Alpine's mkinitfs builds the image: our /init, Alpine's initramfs-init (0644), nlplug-findfs, the binder, its config, vfio"
	"boots through Alpine's initramfs-init and nlplug-findfs to switch_root: bound before coldplug, the rest on host drivers"
	"after apply --undo: mkinitfs builds Alpine's image alone, which boots to the root with nothing bound"
	"a rule by IDs alone, binder off (passthrough=off): Alpine's modules= and vfio_pci.ids= that apply wrote bind both NICs")
[ -f "$MKSRC/mkinitfs.in" ] || skip_all "no $MKSRC (FIELD_TOOLS)"
[ -f "$FT/alpine/lddtree/lddtree.sh" ] || skip_all "no $FT/alpine/lddtree (FIELD_TOOLS)"
command -v scanelf >/dev/null || skip_all "no scanelf (pax-utils), which lddtree needs"
unshare -m true 2>/dev/null || skip_all "no mount namespace here"
[ -x "$BUILD/passthrough-early-musl" ] || skip_all "no $BUILD/passthrough-early-musl (make static LIBC=musl)"

W="$BUILD/boot/alpine"
rm -rf "$W" && mkdir -p "$W"
W=$(cd "$W" && pwd)
fetch_kernel
prepare_disks
make_report_root "$W/root.img"

# --- Alpine's tools, built from the pinned source ------------------------------
T=$W/tools
cp -a "$MKSRC" "$T" && chmod -R u+w "$T"
cat >"$W/glibc-shim.h" <<'EOF'
/* Alpine's nlplug-findfs is written for musl */
#include <pthread.h>
#include <string.h>
static inline size_t pt_test_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len >= size ? size - 1 : len;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
#define strlcpy pt_test_strlcpy
#define pthread_cond_destroy(c) ((void)(c))
EOF
make -C "$T" CPPFLAGS="-include $W/glibc-shim.h" mkinitfs initramfs-init nlplug-findfs/nlplug-findfs \
	>"$W/tools.log" 2>&1 || fail_all "building mkinitfs failed (see $W/tools.log)"
mkdir -p "$W/bin"
install -m 0755 "$FT/alpine/lddtree/lddtree.sh" "$W/bin/lddtree"

# --- apply on a fake Alpine root ----------------------------------------------
CONFIG='[global]
iommu = intel

[device.nic]
address = 0000:01:00.0
ids = 8086:10d3

[device.usb]
class = 0x0c03
'
r=$W/alpine-root
cp -a "$TOP/tests/fixtures/qemu" "$r"
mkdir -p "$r/lib" "$r/etc/mkinitfs" "$r/etc/modprobe.d"
ln -s "$KROOT/lib/modules" "$r/lib/modules"
echo "$KVER" >"$r/proc/sys/kernel/osrelease"
echo "console=ttyS0 root=/dev/vda intel_iommu=on iommu=pt" >"$r/proc/cmdline"
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.22.0\n' >"$r/etc/os-release"
# as setup-disk leaves them (sys mode, BIOS): extlinux, Alpine's features
printf 'overwrite=1\ndefault_kernel_opts="quiet rootfstype=ext4"\nmodules=sd-mod,usb-storage,ext4\nroot=/dev/vda\n' \
	>"$r/etc/update-extlinux.conf"
echo 'features="ata base ide scsi usb virtio ext4"' >"$r/etc/mkinitfs/mkinitfs.conf"
printf '%s' "$CONFIG" >"$r/etc/passthrough.conf" && chmod 0644 "$r/etc/passthrough.conf"
cp -a "$r/etc/mkinitfs/mkinitfs.conf" "$W/mkinitfs.conf.before"
pt_root() { local root=$1; shift; "$BUILD/passthrough" --sysfs "$root/sys" --root "$root" "$@"; }
pt_root "$r" apply >"$W/apply.log" 2>&1 || true
problems=()
grep -q '^init="/usr/share/passthrough/mkinitfs-init"' "$r/etc/mkinitfs/mkinitfs.conf" ||
	problems+=("mkinitfs.conf has no init= of ours")
grep -q '^features="ata base ide scsi usb virtio ext4 passthrough"' "$r/etc/mkinitfs/mkinitfs.conf" ||
	problems+=("mkinitfs.conf: $(grep features= "$r/etc/mkinitfs/mkinitfs.conf")")
[ -s "$r/var/lib/passthrough/initramfs.conf" ] || problems+=("no applied config")
[ ${#problems[@]} -eq 0 ] || problems+=("see $W/apply.log")
result "${CASES[0]}" "${problems[@]}"

# The -b root mkinitfs reads: what an Alpine host with passthrough
# installed (make install-alpine) holds, and the files apply wrote.
# extlinux's APPEND: root= modules= default_kernel_opts (update-extlinux).
append_line() { # ROOT
	(
		# shellcheck disable=SC1091 # the file apply wrote, sourced as update-extlinux does
		. "$1/etc/update-extlinux.conf"
		# shellcheck disable=SC2154 # set by the file
		echo "root=$root modules=$modules $default_kernel_opts"
	)
}
base_root() { # DIR ADMIN-ROOT
	local b=$1 a=$2
	rm -rf "$b"
	mkdir -p "$b"/{bin,sbin,etc/mkinitfs,usr/share/mkinitfs,usr/share/passthrough,usr/sbin,lib/modules}
	cp -a "$KROOT/lib/modules/$KVER" "$b/lib/modules/"
	cp /bin/busybox "$b/bin/busybox"
	ln -s busybox "$b/bin/sh"
	ln -s ../bin/busybox "$b/sbin/modprobe"
	install -m 0755 "$T/nlplug-findfs/nlplug-findfs" "$b/sbin/nlplug-findfs"
	# nlplug-findfs's libraries, where lddtree -R looks for them
	ldd "$T/nlplug-findfs/nlplug-findfs" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$b$(dirname "$lib")" && cp -L "$lib" "$b$lib"
	done
	cp -a "$T/features.d" "$b/etc/mkinitfs/"
	install -m 0644 "$TOP/mkinitfs/passthrough.modules" "$TOP/mkinitfs/passthrough.files" \
		"$b/etc/mkinitfs/features.d/"
	# Alpine's package installs initramfs-init 0644 (mkinitfs >= 3.10)
	install -m 0644 "$T/initramfs-init" "$b/usr/share/mkinitfs/initramfs-init"
	install -m 0644 "$T/fstab" "$T/passwd" "$T/group" "$b/usr/share/mkinitfs/"
	install -m 0755 "$TOP/mkinitfs/passthrough-init" "$b/usr/share/passthrough/mkinitfs-init"
	install -m 0755 "$BUILD/passthrough-early-musl" "$b/usr/sbin/passthrough-early"
	cp -a "$a/etc/mkinitfs/mkinitfs.conf" "$b/etc/mkinitfs/"
	[ ! -d "$a/etc/modprobe.d" ] || cp -a "$a/etc/modprobe.d" "$b/etc/"
	[ ! -d "$a/var/lib/passthrough" ] || { mkdir -p "$b/var/lib" && cp -a "$a/var/lib/passthrough" "$b/var/lib/"; }
}
# mkinitfs NAME ADMIN-ROOT: Alpine's mkinitfs with the root's own config,
# /usr/share showing the root's (init= is a host path there)
mkinitfs_image() {
	local name=$1 b=$W/$1.base
	base_root "$b" "$2"
	mkdir -p "$W/$name.share-u" "$W/$name.share-w"
	cp -a "$b/usr/share/mkinitfs" "$b/usr/share/passthrough" "$W/$name.share-u/"
	unshare -m --propagation private bash -euc '
		W=$1 B=$2 NAME=$3 KVER=$4 T=$5
		mount -t overlay overlay -o "lowerdir=/usr/share,upperdir=$W/$NAME.share-u,workdir=$W/$NAME.share-w" /usr/share
		PATH=$W/bin:$PATH SYSCONFDIR=$B/etc/mkinitfs DATADIR=$B/usr/share/mkinitfs \
			sh "$T/mkinitfs" -c "$B/etc/mkinitfs/mkinitfs.conf" -P "$B/etc/mkinitfs/features.d" \
			-b "$B" -o "$W/$NAME.img" "$KVER"' _ "$W" "$b" "$name" "$KVER" "$T" >"$W/$name.build.log" 2>&1
}

problems=()
mkinitfs_image applied "$r" || problems+=("mkinitfs failed (see $W/applied.build.log)")
u=$W/applied.unpacked
rm -rf "$u" && mkdir -p "$u"
(cd "$u" && gzip -dc "$W/applied.img" | cpio -id --quiet) 2>/dev/null || problems+=("the image does not unpack")
cmp -s "$u/init" "$TOP/mkinitfs/passthrough-init" || problems+=("/init is not mkinitfs/passthrough-init")
[ "$(stat -c %a "$u/usr/share/mkinitfs/initramfs-init" 2>/dev/null)" = 644 ] ||
	problems+=("Alpine's initramfs-init is not there with mode 0644")
for f in sbin/nlplug-findfs usr/sbin/passthrough-early var/lib/passthrough/initramfs.conf etc/modprobe.d/passthrough.conf; do
	[ -e "$u/$f" ] || problems+=("no /$f in the image")
done
ls "$u/lib/modules/$KVER/kernel/drivers/vfio/pci/vfio-pci.ko"* >/dev/null 2>&1 || problems+=("no vfio-pci module in the image")
result "${CASES[1]}" "${problems[@]}"

# after undo: Alpine's own image again
d=$W/undone-root
cp -a "$r" "$d"
pt_root "$d" apply --undo >"$W/apply-undo.log" 2>&1 || true
UNDO_PROBLEMS=()
cmp -s "$d/etc/mkinitfs/mkinitfs.conf" "$W/mkinitfs.conf.before" || UNDO_PROBLEMS+=("mkinitfs.conf differs from before apply")
mkinitfs_image undone "$d" || UNDO_PROBLEMS+=("mkinitfs failed (see $W/undone.build.log)")

# A rule by IDs alone: apply also writes the usual Alpine way, vfio-pci
# in modules= and vfio_pci.ids=, which busybox modprobe honours; booted
# with the binder switched off, that path alone must bind both NICs.
i=$W/ids-root
cp -a "$r" "$i"
pt_root "$i" apply --undo >/dev/null 2>&1 || true
printf '[global]\niommu = intel\n\n[device.nics]\nids = 8086:10d3\n' >"$i/etc/passthrough.conf"
pt_root "$i" apply >"$W/apply-ids.log" 2>&1 || true
IDS_PROBLEMS=()
mkinitfs_image ids "$i" || IDS_PROBLEMS+=("mkinitfs failed (see $W/ids.build.log)")

# --- boot ---------------------------------------------------------------------
export EXTRA_QEMU_ARGS="-drive if=none,id=root,file=$W/root.img,format=raw,snapshot=on -device virtio-blk-pci,drive=root,addr=0x10"
export -f boot_guest die
export BUILD VMLINUZ W
APPLIED_ARGS=$(append_line "$r") UNDONE_ARGS=$(append_line "$d") IDS_ARGS=$(append_line "$i")
export APPLIED_ARGS UNDONE_ARGS IDS_ARGS
# The IOMMU's arguments are apply's (in the APPEND line): none from boot_guest
for b in applied undone ids; do [ ! -s "$W/$b.img" ] || echo "$b"; done |
	xargs -P "${BOOT_JOBS:-2}" -I{} bash -c '
		case $1 in
		applied) args=$APPLIED_ARGS ;;
		undone) args="$UNDONE_ARGS intel_iommu=on" ;;
		ids) args="$IDS_ARGS passthrough=off" ;;
		esac
		# shellcheck disable=SC2086 # the APPEND line, word by word
		IOMMU_ARGS= boot_guest "$W/$1.img" "$W/$1.boot.log" $args || true' _ {}

# The root's init reporting at all is the proof of switch_root: only
# Alpine's initramfs-init mounts the root. nlplug-findfs loads what the
# image's features hold (ata, usb, virtio...): e1000e is not among them,
# so the twin NIC waits, driverless, for the root's own coldplug.
mapfile -t problems < <(root_driver_problems "$W/applied.boot.log" 01:00.0=vfio-pci 00:04.0=vfio-pci 02:00.0=none 00:05.0=ahci)
for a in 01:00.0 00:04.0; do
	grep -q "passthrough: 0000:$a: bound to vfio-pci\$" "$W/applied.boot.log" 2>/dev/null ||
		problems+=("the binder did not bind $a before any host driver had it")
done
result "${CASES[2]}" "${problems[@]}"

mapfile -t problems < <(root_driver_problems "$W/undone.boot.log" 01:00.0=none 00:04.0=xhci_hcd 02:00.0=none 00:05.0=ahci)
! grep -q 'passthrough: 0000:..:..\..: bound to' "$W/undone.boot.log" 2>/dev/null || problems+=("the binder bound a device")
result "${CASES[3]}" "${UNDO_PROBLEMS[@]}" "${problems[@]}"

mapfile -t problems < <(root_driver_problems "$W/ids.boot.log" 01:00.0=vfio-pci 02:00.0=vfio-pci 00:04.0=xhci_hcd)
case $IDS_ARGS in
*modules=*vfio-pci*vfio_pci.ids=8086:10d3*) ;;
*) problems+=("the APPEND line lacks vfio-pci in modules= or vfio_pci.ids=: $IDS_ARGS") ;;
esac
grep -q 'passthrough=off on the kernel command line' "$W/ids.boot.log" 2>/dev/null ||
	problems+=("the binder did not say it was switched off")
result "${CASES[4]}" "${IDS_PROBLEMS[@]}" "${problems[@]}"
echo "1..$n"
