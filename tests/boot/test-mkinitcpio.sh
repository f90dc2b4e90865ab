#!/usr/bin/env bash
# Arch Linux: `passthrough apply` on a fake Arch root, then Arch's real
# mkinitcpio (../shared/field-tools/arch/mkinitcpio, v41) runs `-P` with
# the files apply wrote and our hooks (mkinitcpio/), and the images it
# builds boot the QEMU topology to a root disk that reports each device's
# driver. The busybox image must bind before udev's coldplug and before
# its own MODULES=(e1000e) load; the systemd image (HOOKS=(base systemd
# ...)) through passthrough-early.service. After `apply --undo` the
# rebuilt image has no hook and binds nothing.
#
# mkinitcpio runs in a chroot over an overlay of this machine (nothing of
# the host changes): meson >= 1.4 is not in Debian 12, so its files are
# staged as its meson install would (placeholders substituted), Debian's kernel
# is laid out the Arch way (/usr/lib/modules/KVER, /boot/vmlinuz-linux),
# Debian's dynamic busybox stands in for Arch's mkinitcpio-busybox,
# and programs Debian keeps in /usr/sbin get links in /usr/bin
# (mkinitcpio's PATH), libkmod one in /usr/lib. Output: TAP.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
MK=$FT/arch/mkinitcpio
# shellcheck disable=SC2034 # read by lib.sh's result()
SUITE=mkinitcpio
n=0

CASES=("apply on Arch: the drop-in, the applied config, GRUB's default line; mkinitcpio -P and grub-mkconfig next"
	"a preset naming its own config without the hook is refused, naming the line"
	"mkinitcpio -P builds the image with the hook (early hook, binder, config, vfio modules)"
	"busybox image boots: bound before coldplug and MODULES, the rest on host drivers"
	"systemd image: the unit ordered before udev's coldplug binds"
	"after apply --undo: mkinitcpio -P builds an image without the hook, nothing bound"
	"UKIs: apply writes /etc/cmdline.d/passthrough.conf, the UKI mkinitcpio -P builds carries it; undo removes it")
[ -f "$MK/mkinitcpio" ] || skip_all "no $MK (FIELD_TOOLS)"
command -v bsdtar >/dev/null || skip_all "no bsdtar (libarchive-tools)"
unshare -m true 2>/dev/null || skip_all "no mount namespace here"

W="$BUILD/boot/mkinitcpio"
rm -rf "$W" && mkdir -p "$W"
W=$(cd "$W" && pwd)
fetch_kernel
prepare_disks
make_report_root "$W/root.img"

# --- the staged mkinitcpio: an overlay layer over this machine's / --------
S=$W/stage
subst() { subst_text "$1" >"$2"; }
subst_text() {
	sed -e "s|@VERSION@|41|g; s|@BINDIR@|/usr/bin|g; s|@SYSCONFDIR@|/etc|g
		s|@INITCPIO_LIBDIR@|/usr/lib/initcpio|g; s|@INITCPIO_SYSCONFDIR@|/etc/initcpio|g
		s|@VCONSOLE_CONF@|/etc/vconsole.conf|g; s|@UDEVD_PATH@|/usr/lib/systemd/systemd-udevd|g
		s|@MKINITCPIO_HOOKS@|base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck|g
		s|@TMPFILES_PATH@|/usr/bin/systemd-tmpfiles|g" "$1"
}
mkdir -p "$S"/usr/bin "$S"/usr/lib/initcpio/{hooks,install,udev} "$S"/etc/{mkinitcpio.d,udev} \
	"$S/usr/lib/modules/$KVER" "$S/usr/lib/systemd/system" "$S/boot"
for f in mkinitcpio lsinitcpio; do subst "$MK/$f" "$S/usr/bin/$f"; chmod 755 "$S/usr/bin/$f"; done
for f in functions init init_functions shutdown; do subst "$MK/$f" "$S/usr/lib/initcpio/$f"; done
for d in hooks install; do
	for f in "$MK/$d"/*; do
		[ "${f##*/}" = meson.build ] || subst "$f" "$S/usr/lib/initcpio/$d/${f##*/}"
	done
done
cp "$MK"/udev/*.rules "$S/usr/lib/initcpio/udev/"
# Arch's busybox runs modprobe and mount from PATH (kmod's, util-linux's);
# Debian's busybox-static prefers its own applets (FEATURE_SH_STANDALONE),
# whose modprobe cannot read kmod's index and whose mount loads no
# filesystem module: Debian's dynamic busybox, which does not, stands in.
BB=$KERNEL_CACHE/busybox-dynamic
if [ ! -x "$BB/bin/busybox" ]; then
	rm -rf "$BB" && mkdir -p "$BB/deb"
	if ! (cd "$BB/deb" && apt-get download busybox >/dev/null 2>&1) ||
		! dpkg-deb -x "$BB"/deb/*.deb "$BB"; then
		skip_all "apt-get download busybox failed"
	fi
fi
cp "$BB/bin/busybox" "$S/usr/lib/initcpio/busybox"
# (copies for those the image takes: a link to /usr/sbin/X would loop
# there, where /usr/sbin is a link to bin as on Arch)
for p in /usr/sbin/*; do
	[ ! -e "/usr/bin/${p##*/}" ] || continue
	case ${p##*/} in
	blkid | switch_root) cp "$p" "$S/usr/bin/" ;;
	*) ln -s "$p" "$S/usr/bin/${p##*/}" ;;
	esac
done
# mkinitcpio's UKI assembly needs gawk (strtonum), Arch's awk
ln -s /usr/bin/gawk "$S/usr/bin/awk"
# the udev hook takes libkmod from Arch's /usr/lib
ln -s "$(readlink -f /usr/lib/x86_64-linux-gnu/libkmod.so.2)" "$S/usr/lib/libkmod.so.2"
# Debian keeps udev's hwdb.bin in /usr/lib/udev, where mkinitcpio does not look
cp /usr/lib/udev/hwdb.bin "$S/etc/udev/hwdb.bin"
cp "$KROOT/boot/vmlinuz-$KVER" "$S/boot/vmlinuz-linux"
echo linux >"$S/usr/lib/modules/$KVER/pkgbase"
# the package's files: our hooks and unit, the programs in /usr/bin
install -m 0644 "$TOP/mkinitcpio/install/passthrough" "$S/usr/lib/initcpio/install/passthrough"
install -m 0644 "$TOP/mkinitcpio/hooks/passthrough" "$S/usr/lib/initcpio/hooks/passthrough"
install -m 0644 "$TOP/mkinitcpio/passthrough-early.service" "$S/usr/lib/systemd/system/"
install -m 0755 "$BUILD/passthrough" "$BUILD/passthrough-early" "$S/usr/bin/"
# the preset Arch's linux package writes (libalpm's hook.preset)
sed -e 's|%PKGBASE%|linux|g' "$MK/mkinitcpio.d/hook.preset" >"$S/etc/mkinitcpio.d/linux.preset"

# The admin's mkinitcpio.conf: Arch's, with MODULES that load the NIC's
# driver right after the early hooks, no autodetect (it reads this
# machine's devices, not the guest's). HOOKS=... is what an admin edits.
admin_conf() { # HOOKS
	subst_text "$MK/mkinitcpio.conf" |
		sed -e 's/^MODULES=.*/MODULES=(e1000e)/' -e "s/^HOOKS=.*/HOOKS=($1)/"
}

# in_arch ETC ROOT IMAGE-DIR COMMAND: COMMAND in the chroot, with ETC's
# files over /etc, ROOT's /var/lib/passthrough, /boot in IMAGE-DIR.
in_arch() {
	local etc=$1 root=$2 out=$3
	shift 3
	# EFI/Linux: where `bootctl install` makes systemd-boot look for UKIs
	mkdir -p "$out/EFI/Linux"
	cp "$S/boot/vmlinuz-linux" "$out/"
	unshare -m --propagation private bash -euc '
		W=$1 S=$2 ETC=$3 OUT=$4 KROOTMODS=$5 KVER=$6 R=$7; shift 7
		# the layers on a tmpfs of their own: overlayfs refuses an
		# upper directory inside its lower one (/)
		O=$(mktemp -d "$W/ovl.XXXXXX")
		mount -t tmpfs tmpfs "$O"
		mkdir -p "$O/lower" "$O/up" "$O/wk" "$O/m"
		cp -a "$S/." "$O/lower/"
		cp -a "$ETC/." "$O/lower/etc/"
		mkdir -p "$O/lower/var/lib/passthrough"
		[ ! -d "$R/var/lib/passthrough" ] || cp -a "$R/var/lib/passthrough/." "$O/lower/var/lib/passthrough/"
		M=$O/m
		mount -t overlay overlay -o "lowerdir=$O/lower:/,upperdir=$O/up,workdir=$O/wk" "$M"
		mount --bind "$KROOTMODS/$KVER" "$M/usr/lib/modules/$KVER"
		mount --bind "$OUT" "$M/boot"
		mount -t proc proc "$M/proc"
		mount --bind /dev "$M/dev"
		mount --bind /sys "$M/sys"
		mount -t tmpfs tmpfs "$M/tmp"
		mount -t tmpfs tmpfs "$M/run"
		chroot "$M" "$@"' _ "$W" "$S" "$etc" "$out" "$KROOT/lib/modules" "$KVER" "$root" "$@"
}

# --- apply on a fake Arch root ---------------------------------------------
CONFIG='[global]
iommu = intel

[device.nic]
address = 0000:01:00.0
ids = 8086:10d3

[device.usb]
class = 0x0c03
'
arch_root() { # ROOT HOOKS
	local r=$1
	rm -rf "$r"
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	mkdir -p "$r/lib" "$r/etc/mkinitcpio.d" "$r/etc/default" "$r/boot/grub" "$r/usr/bin"
	ln -s "$KROOT/lib/modules" "$r/lib/modules"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	echo "console=ttyS0 root=/dev/vda rw intel_iommu=on iommu=pt" >"$r/proc/cmdline"
	printf 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n' >"$r/etc/os-release"
	admin_conf "$2" >"$r/etc/mkinitcpio.conf"
	cp "$S/etc/mkinitcpio.d/linux.preset" "$r/etc/mkinitcpio.d/"
	printf 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="Arch"\nGRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet"\nGRUB_CMDLINE_LINUX=""\n' \
		>"$r/etc/default/grub"
	: >"$r/boot/grub/grub.cfg"
	: >"$r/usr/bin/mkinitcpio"
	printf '%s' "$CONFIG" >"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
}
pt_root() { local r=$1; shift; "$BUILD/passthrough" --sysfs "$r/sys" --root "$r" "$@"; }

r=$W/arch-root
arch_root "$r" "base udev modconf block filesystems"
cp "$r/etc/default/grub" "$W/grub.before"
pt_root "$r" apply >"$W/apply.log" 2>&1 || true
problems=()
cmp -s "$r/etc/mkinitcpio.conf.d/passthrough.conf" "$TOP/mkinitcpio/passthrough.conf" ||
	problems+=("/etc/mkinitcpio.conf.d/passthrough.conf is not the shipped drop-in")
[ -s "$r/var/lib/passthrough/initramfs.conf" ] || problems+=("no applied config")
grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet intel_iommu=on iommu=pt"$' "$r/etc/default/grub" ||
	problems+=("GRUB_CMDLINE_LINUX_DEFAULT: $(grep DEFAULT= "$r/etc/default/grub")")
grep -q 'mkinitcpio -P' "$W/apply.log" || problems+=("apply does not name mkinitcpio -P")
grep -q 'grub-mkconfig -o /boot/grub/grub.cfg' "$W/apply.log" || problems+=("apply does not name grub-mkconfig")
[ ${#problems[@]} -eq 0 ] || problems+=("see $W/apply.log")
result "${CASES[0]}" "${problems[@]}"

# A preset that names a config: mkinitcpio -c skips the drop-ins.
p=$W/preset-root
cp -a "$r" "$p"
pt_root "$p" apply --undo >/dev/null 2>&1 || true
cp "$p/etc/mkinitcpio.conf" "$p/etc/mkinitcpio-vfio.conf"
sed -i 's|^#default_config=.*|default_config="/etc/mkinitcpio-vfio.conf"|' "$p/etc/mkinitcpio.d/linux.preset"
find "$p/etc" "$p/var" -type f -print0 | sort -z | xargs -0 md5sum >"$W/preset.before"
pt_root "$p" apply >"$W/apply-preset.log" 2>&1 && rc=0 || rc=$?
find "$p/etc" "$p/var" -type f -print0 | sort -z | xargs -0 md5sum >"$W/preset.after"
problems=()
[ "$rc" -ne 0 ] || problems+=("apply exited 0")
grep -q 'refused    /etc/mkinitcpio.d/linux.preset line 10: default_config="/etc/mkinitcpio-vfio.conf" makes mkinitcpio skip' \
	"$W/apply-preset.log" || problems+=("no refusal naming the preset's line (see $W/apply-preset.log)")
cmp -s "$W/preset.before" "$W/preset.after" || problems+=("a file changed")
# once that config lists the hook, apply goes on
sed -i 's/^HOOKS=(\(.*\))/HOOKS=(\1 passthrough)/' "$p/etc/mkinitcpio-vfio.conf"
pt_root "$p" apply >"$W/apply-preset2.log" 2>&1 || problems+=("apply refused the config that lists the hook (see $W/apply-preset2.log)")
result "${CASES[1]}" "${problems[@]}"

# --- the images, built by the real mkinitcpio -P ----------------------------
build_images() { # NAME ROOT: mkinitcpio -P with ROOT's /etc files
	local name=$1 root=$2 etc=$W/$1.etc
	rm -rf "$etc" && mkdir -p "$etc"
	cp -a "$root/etc/mkinitcpio.conf" "$root/etc/passthrough.conf" "$etc/"
	[ ! -d "$root/etc/mkinitcpio.conf.d" ] || cp -a "$root/etc/mkinitcpio.conf.d" "$etc/"
	for d in modprobe.d kernel cmdline.d mkinitcpio.d; do
		[ ! -d "$root/etc/$d" ] || cp -a "$root/etc/$d" "$etc/"
	done
	# lsinitcpio (mkinitcpio's own) unpacks it for the checks below
	in_arch "$etc" "$root" "$W/$name.boot" bash -c 'mkinitcpio -P; rc=$?
		if [ -f /boot/initramfs-linux.img ]; then
			mkdir /boot/unpacked && cd /boot/unpacked && lsinitcpio -x /boot/initramfs-linux.img || rc=1
		fi
		exit $rc' >"$W/$name.build.log" 2>&1
}
problems=()
build_images busybox "$r" || problems+=("mkinitcpio -P failed (see $W/busybox.build.log)")
u=$W/busybox.boot/unpacked
for f in hooks/passthrough usr/bin/passthrough-early etc/passthrough.conf etc/modprobe.d/passthrough.conf; do
	[ -e "$u/$f" ] || problems+=("no /$f in the image")
done
ls "$u/usr/lib/modules/$KVER/kernel/drivers/vfio/pci/vfio-pci.ko"* >/dev/null 2>&1 ||
	problems+=("no vfio-pci module in the image")
grep -q "^EARLYHOOKS=.*passthrough" "$u/config" 2>/dev/null ||
	problems+=("passthrough is not among the image's EARLYHOOKS")
cmp -s "$u/etc/passthrough.conf" "$r/var/lib/passthrough/initramfs.conf" ||
	problems+=("the image's config is not the one apply wrote")
result "${CASES[2]}" "${problems[@]}"

# systemd in the initramfs: Debian's systemd 252 under Arch's systemd hook
s=$W/systemd-root
cp -a "$r" "$s"
admin_conf "base systemd modconf block filesystems" >"$s/etc/mkinitcpio.conf"
# Arch's systemd hook (v41) lists files of newer systemd than Debian's 252:
# systemd-executor (255), systemd-validatefs (258) and 20-systemd-stub.conf
# (256). 252 runs without them; any other error fails the case.
build_images systemd "$s" || true
SYSTEMD_ERRORS=$(grep 'ERROR' "$W/systemd.build.log" | grep -v -e "file not found: '/usr/lib/systemd/systemd-executor'" \
	-e "file not found: '/usr/lib/systemd/systemd-validatefs'" \
	-e "file not found: '/usr/lib/tmpfiles.d/20-systemd-stub.conf'" || true)
[ -e "$W/systemd.boot/unpacked/usr/lib/systemd/system/sysinit.target.wants/passthrough-early.service" ] ||
	SYSTEMD_ERRORS="$SYSTEMD_ERRORS no passthrough-early.service in sysinit.target.wants of the image"

# after undo: the drop-in is gone, the image has no hook
u=$W/undone-root
cp -a "$r" "$u"
pt_root "$u" apply --undo >"$W/apply-undo.log" 2>&1 || true
UNDO_PROBLEMS=()
[ ! -e "$u/etc/mkinitcpio.conf.d/passthrough.conf" ] || UNDO_PROBLEMS+=("the drop-in is still there")
cmp -s "$u/etc/default/grub" "$W/grub.before" || UNDO_PROBLEMS+=("/etc/default/grub differs from before apply")
build_images undone "$u" || UNDO_PROBLEMS+=("mkinitcpio -P failed (see $W/undone.build.log)")
[ ! -e "$W/undone.boot/unpacked/hooks/passthrough" ] || UNDO_PROBLEMS+=("the image after undo has the hook")

# UKIs: a preset with default_uki= (systemd-boot finds them in EFI/Linux);
# mkinitcpio seals /etc/kernel/cmdline and /etc/cmdline.d into .cmdline.
section_cmdline() { # NAME: the .cmdline of NAME's UKI, blanks squeezed
	objcopy -O binary --only-section=.cmdline "$W/$1.boot/EFI/Linux/arch-linux.efi" "$W/$1.cmdline" &&
		tr -d '\0' <"$W/$1.cmdline" | tr -s '\n ' '  '
}
k=$W/uki-root
arch_root "$k" "base udev modconf block filesystems"
rm -f "$k/etc/default/grub" "$k/boot/grub/grub.cfg"
sed -i -e 's|^#default_uki=.*|default_uki="/boot/EFI/Linux/arch-linux.efi"|' \
	-e 's|^default_image=|#default_image=|' "$k/etc/mkinitcpio.d/linux.preset"
mkdir -p "$k/etc/kernel" && echo "root=/dev/vda rw quiet" >"$k/etc/kernel/cmdline"
cp -a "$k/etc/kernel/cmdline" "$W/uki-cmdline.before"
pt_root "$k" apply >"$W/apply-uki.log" 2>&1 || true
UKI_PROBLEMS=()
grep -q 'unified kernel images' "$W/apply-uki.log" || grep -q 'cmdline.d/passthrough.conf' "$W/apply-uki.log" ||
	UKI_PROBLEMS+=("apply did not take the UKI path (see $W/apply-uki.log)")
cmp -s "$k/etc/kernel/cmdline" "$W/uki-cmdline.before" || UKI_PROBLEMS+=("apply edited the admin's /etc/kernel/cmdline")
build_images uki "$k" || UKI_PROBLEMS+=("mkinitcpio -P failed (see $W/uki.build.log)")
uki_cmdline=$(section_cmdline uki)
[ "$uki_cmdline" = "root=/dev/vda rw quiet intel_iommu=on iommu=pt " ] ||
	UKI_PROBLEMS+=("the UKI's .cmdline is '$uki_cmdline'")
pt_root "$k" apply --undo >"$W/apply-uki-undo.log" 2>&1 || true
[ ! -e "$k/etc/cmdline.d/passthrough.conf" ] || UKI_PROBLEMS+=("undo left /etc/cmdline.d/passthrough.conf")
build_images uki-undone "$k" || UKI_PROBLEMS+=("mkinitcpio -P after undo failed (see $W/uki-undone.build.log)")
uki_cmdline=$(section_cmdline uki-undone)
[ "$uki_cmdline" = "root=/dev/vda rw quiet " ] || UKI_PROBLEMS+=("after undo the UKI's .cmdline is '$uki_cmdline'")

# --- boot ---------------------------------------------------------------------
export EXTRA_QEMU_ARGS="-drive if=none,id=root,file=$W/root.img,format=raw,snapshot=on -device virtio-blk-pci,drive=root,addr=0x10"
export -f boot_guest die
export BUILD VMLINUZ W
for b in busybox systemd undone; do [ ! -s "$W/$b.boot/initramfs-linux.img" ] || echo "$b"; done |
	xargs -P "${BOOT_JOBS:-2}" -I{} bash -c \
		'boot_guest "$W/$1.boot/initramfs-linux.img" "$W/$1.boot.log" root=/dev/vda rw || true' _ {}

mapfile -t problems < <(root_driver_problems "$W/busybox.boot.log" 01:00.0=vfio-pci 00:04.0=vfio-pci 02:00.0=e1000e 00:05.0=ahci)
grep -q 'passthrough: 0000:01:00.0: bound to vfio-pci$' "$W/busybox.boot.log" 2>/dev/null ||
	problems+=("the binder did not bind 01:00.0 before any host driver had it")
result "${CASES[3]}" "${problems[@]}"

if [ -z "$SYSTEMD_ERRORS" ]; then
	mapfile -t problems < <(root_driver_problems "$W/systemd.boot.log" 01:00.0=vfio-pci 00:04.0=vfio-pci 02:00.0=e1000e 00:05.0=ahci)
	grep -q 'passthrough: 0000:01:00.0: bound to vfio-pci$' "$W/systemd.boot.log" 2>/dev/null ||
		problems+=("the binder did not bind 01:00.0 before any host driver had it")
	result "${CASES[4]}" "${problems[@]}"
else
	result "${CASES[4]}" "mkinitcpio -P with the systemd hook: $SYSTEMD_ERRORS (see $W/systemd.build.log)"
fi

mapfile -t problems < <(root_driver_problems "$W/undone.boot.log" 01:00.0=e1000e 00:04.0=xhci_hcd 02:00.0=e1000e 00:05.0=ahci)
! grep -q 'passthrough: 0000:..:..\..: bound to' "$W/undone.boot.log" 2>/dev/null || problems+=("the binder bound a device")
result "${CASES[5]}" "${UNDO_PROBLEMS[@]}" "${problems[@]}"
result "${CASES[6]}" "${UKI_PROBLEMS[@]}"
echo "1..$n"
