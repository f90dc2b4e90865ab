#!/usr/bin/env bash
# generate and apply on fake roots of each family (Debian, Fedora, Alpine),
# built from the captured QEMU tree with Debian's real module index, so
# softdeps come from libkmod's modalias lookup. Golden outputs and files,
# a second apply that changes nothing, --undo back to the admin's files,
# --dry-run that writes nothing, refusals, and the GRUB drop-in sourced
# the way grub-mkconfig sources it. Commands (update-initramfs, grubby,
# mkinitfs...) only run on the real root: here they are printed.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
cd "$TAP_TMP" || exit 1

# new_root NAME DISTRO: the captured machine, the real module index, an
# os-release, and the config given on stdin.
new_root() {
	local r=$1
	# a root made twice would put its lib/modules link inside the kernel's
	rm -rf "$r" "$r.orig"
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/mkinitfs" "$r/etc/default/grub.d"
	ln -s "$KROOT/lib/modules" "$r/lib/modules"
	case $2 in
	debian) printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' ;;
	fedora) printf 'NAME="Fedora Linux"\nID=fedora\n' ;;
	alpine) printf 'NAME="Alpine Linux"\nID=alpine\n' ;;
	arch) printf 'NAME="Arch Linux"\nID=arch\n' ;;
	esac >"$r/etc/os-release"
	# The boot loader tool apply finds (empty: only their presence counts)
	mkdir -p "$r/usr/sbin"
	case $2 in
	debian) : >"$r/usr/sbin/update-grub" ;;
	fedora) : >"$r/usr/sbin/grubby" ;;
	esac
	cat >"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
	cp -a "$r" "$r.orig"
}
pt() { local r=$1; shift; "$PT" --sysfs "$r/sys" --root "$r" "$@"; }
# shellcheck disable=SC2034 # read by tap.sh\'s golden()
GOLDEN_SED="s/$KVER/KVER/g"
golden_file() { # NAME FILE: a file's content as golden
	local name=$1
	[ "${UPDATE_GOLDEN:-}" = 1 ] && cp "$2" "$GOLDEN/$name"
	check "golden file: $name" diff -u "$GOLDEN/$name" "$2"
}
same_tree() { # A B: identical files (empty directories aside)
	diff -r "$1/etc" "$2/etc" || return 1
	diff -r "$1/var" "$2/var" 2>/dev/null && return 0
	[ ! -e "$1/var" ] && [ ! -e "$2/var/lib/passthrough/applied" ]
}

CONF='[global]
iommu = intel
[device.nic]
address = 01:00.0
ids = 8086:10d3
[device.usb]
ids = 1b36:000d
[device.stick]
usb = 46f4:0001
'

# --- a FIFO where a file should be ---------------------------------------
# Issue 22: every file is read through one function that refuses what is
# not a regular file without waiting for a writer: update-initramfs calls
# initramfs-config, update-grub calls cmdline --applied, apply reads
# /etc/os-release. Each must answer at once (timeout's 124 is a hang).
fifo_case() { # NAME FILE ARGS...: FILE (under the root) made a FIFO, then pt ARGS
	local r=$TAP_TMP/fifo-$1 file=$2 rc; shift 2
	new_root "$r" debian <<<"$CONF"
	mkdir -p "$(dirname "$r/$file")"; rm -f "$r/$file"; mkfifo "$r/$file"
	timeout 10 "$PT" --sysfs "$r/sys" --root "$r" "$@" >"$r.out" 2>&1; rc=$?
	echo "$rc" >"$r.rc"
}
fifo_case conf etc/passthrough.conf initramfs-config
check "initramfs-config with a FIFO as the config: answers at once" \
	bash -c '[ "$(cat "$0.rc")" != 124 ]' "$TAP_TMP/fifo-conf"
fifo_case applied var/lib/passthrough/applied cmdline --applied
check "cmdline --applied with a FIFO as the state file: refused at once, says why" \
	bash -c '[ "$(cat "$0.rc")" = 1 ] && grep -q "applied: not a regular file" "$0.out"' \
	"$TAP_TMP/fifo-applied"
fifo_case os etc/os-release apply --dry-run
check "apply with a FIFO as /etc/os-release: answers at once" \
	bash -c '[ "$(cat "$0.rc")" != 124 ]' "$TAP_TMP/fifo-os"

# --- generate -------------------------------------------------------------
new_root gen debian <<<"$CONF"
golden generate pt gen generate
golden_file generate-modprobe.conf gen/etc/modprobe.d/passthrough.conf
golden_file generate-initramfs.conf gen/var/lib/passthrough/initramfs.conf
# The modprobe.d file read back by kmod's own parser: every line taken
# (libkmod says "ignoring bad line" on stderr for one it is not), and the
# softdeps it reports are the ones we wrote.
check "kmod's modprobe reads the generated modprobe.d file: no line ignored, the same softdeps" \
	bash -c 'modprobe -C "$0" -c >"$1.kmod" 2>"$1.err" && [ ! -s "$1.err" ] &&
		[ "$(grep "^softdep " "$1.kmod")" = "$(grep "^softdep " "$0/passthrough.conf")" ] &&
		[ "$(grep -c "^softdep .* pre: vfio_pci$" "$1.kmod")" = 2 ] ||
		{ cat "$1.err" "$1.kmod"; exit 1; }' gen/etc/modprobe.d "$TAP_TMP/modprobe"
golden generate-again pt gen generate
check "the generated initramfs config is a valid config for the binder" \
	"$BUILD/passthrough-early" --dry-run --sysfs gen/sys --root gen -c gen/var/lib/passthrough/initramfs.conf

# --- Alpine ----------------------------------------------------------------
new_root alp alpine <<<"$CONF"
cat >alp/etc/update-extlinux.conf <<'X'
# Configuration for update-extlinux
overwrite=1
default_kernel_opts="cryptroot=UUID=eec5190e-eebd-4985-9abc-36a61341e038 cryptdm=root quiet rootfstype=ext4"
modules=sd-mod,usb-storage,ext4
root=UUID=6a3c4b9e
X
echo 'features="ata base ide scsi usb virtio ext4 cryptsetup"' >alp/etc/mkinitfs/mkinitfs.conf
rm -rf alp.orig && cp -a alp alp.orig
golden apply-alpine-dry-run pt alp apply --dry-run
check "alpine: --dry-run writes nothing" same_tree alp.orig alp
golden apply-alpine pt alp apply
golden_file apply-alpine-extlinux.conf alp/etc/update-extlinux.conf
golden_file apply-alpine-mkinitfs.conf alp/etc/mkinitfs/mkinitfs.conf
check "alpine: the backup is the admin's file" \
	diff alp.orig/etc/update-extlinux.conf alp/etc/update-extlinux.conf.passthrough-backup
golden apply-alpine-again pt alp apply
golden apply-alpine-undo pt alp apply --undo
check "alpine: --undo gives back the admin's files exactly" same_tree alp.orig alp

# Issue 11: a symlinked file was replaced by a plain one. Kept as links
# (one relative, one absolute: taken inside the root), their targets edited
# and given back byte for byte.
new_root alnk alpine <<<"$CONF"
mkdir -p alnk/srv/config
cp alp.orig/etc/update-extlinux.conf alnk/srv/config/update-extlinux.conf
echo 'features="ata base ext4"' >alnk/srv/config/mkinitfs.conf
ln -s /srv/config/update-extlinux.conf alnk/etc/update-extlinux.conf
ln -s ../../srv/config/mkinitfs.conf alnk/etc/mkinitfs/mkinitfs.conf
rm -rf alnk.orig && cp -a alnk alnk.orig
pt alnk apply >/dev/null
check "alpine: symlinked files stay links, their targets are edited" \
	bash -c '[ -L alnk/etc/update-extlinux.conf ] && [ -L alnk/etc/mkinitfs/mkinitfs.conf ] &&
		grep -q "intel_iommu=on" alnk/srv/config/update-extlinux.conf &&
		grep -q "passthrough" alnk/srv/config/mkinitfs.conf &&
		[ -f alnk/srv/config/mkinitfs.conf.passthrough-backup ]'
pt alnk apply --undo >/dev/null
check "alpine: --undo gives the linked files back, links and all" \
	bash -c '[ -L alnk/etc/update-extlinux.conf ] && [ -L alnk/etc/mkinitfs/mkinitfs.conf ] &&
		diff -r alnk.orig/srv alnk/srv && [ ! -e alnk/srv/config/mkinitfs.conf.passthrough-backup ]'

# The admin's own tokens (intel_iommu=on, vfio-pci), an unquoted value,
# Alpine's default init= and a 0600 file: apply adds only what is
# missing, records only that, and --undo gives every byte (and mode) back.
new_root alpadm alpine <<<"$CONF"
cat >alpadm/etc/update-extlinux.conf <<'X'
default_kernel_opts=intel_iommu=on
modules=sd-mod,vfio-pci # the admin's
X
chmod 0600 alpadm/etc/update-extlinux.conf
printf 'features="base"\ninit=/usr/share/mkinitfs/initramfs-init\n' >alpadm/etc/mkinitfs/mkinitfs.conf
rm -rf alpadm.orig && cp -a alpadm alpadm.orig
golden apply-alpine-admin-tokens pt alpadm apply
golden_file apply-alpine-admin-extlinux.conf alpadm/etc/update-extlinux.conf
golden_file apply-alpine-admin-applied alpadm/var/lib/passthrough/applied
check "alpine: Alpine's default init= is replaced by ours" \
	contains alpadm/etc/mkinitfs/mkinitfs.conf 'init=/usr/share/passthrough/mkinitfs-init'
check "alpine: an edited file keeps its mode" \
	same "$(stat -c %a alpadm/etc/update-extlinux.conf)" 600
golden apply-alpine-admin-again pt alpadm apply
pt alpadm apply --undo >/dev/null
check "alpine: --undo keeps the admin's tokens and gives back every byte" \
	same_tree alpadm.orig alpadm
check "alpine: --undo keeps the mode" same "$(stat -c %a alpadm/etc/update-extlinux.conf)" 600

new_root alpquote alpine <<<"$CONF"
printf 'default_kernel_opts="quiet acpi_osi=\\"Windows 2015\\""\n' >alpquote/etc/update-extlinux.conf
echo 'features="base"' >alpquote/etc/mkinitfs/mkinitfs.conf
rm -rf alpquote.orig && cp -a alpquote alpquote.orig
pt alpquote apply >/dev/null
check "alpine: an escaped quote in the value: still one value, edited" \
	contains alpquote/etc/update-extlinux.conf 'default_kernel_opts="quiet acpi_osi=\"Windows 2015\" intel_iommu=on'
pt alpquote apply --undo >/dev/null
check "alpine: ... and given back" same_tree alpquote.orig alpquote
# Issue 24: `export` assignments were not seen: apply appended its own
# line, which replaced the admin's value (cryptroot= gone from the command
# line, mkinitfs without ext4). Found and edited in place now; one inside
# an if is refused with its line, nothing written.
new_root alpexp alpine <<<"$CONF"
printf 'set -a\nexport default_kernel_opts="cryptroot=UUID=1 quiet"\n' >alpexp/etc/update-extlinux.conf
printf 'export features="ata base ext4 cryptsetup"\n' >alpexp/etc/mkinitfs/mkinitfs.conf
rm -rf alpexp.orig && cp -a alpexp alpexp.orig
pt alpexp apply >/dev/null
check "alpine: export assignments are edited in place, the admin's values kept" \
	bash -c '[ "$(grep -c default_kernel_opts alpexp/etc/update-extlinux.conf)" = 1 ] &&
		grep -q "^export default_kernel_opts=\"cryptroot=UUID=1 quiet intel_iommu=on iommu=pt " alpexp/etc/update-extlinux.conf &&
		grep -qx "export features=\"ata base ext4 cryptsetup passthrough\"" alpexp/etc/mkinitfs/mkinitfs.conf ||
		{ cat alpexp/etc/update-extlinux.conf alpexp/etc/mkinitfs/mkinitfs.conf; exit 1; }'
pt alpexp apply --undo >/dev/null
check "alpine: ... and given back byte for byte" same_tree alpexp.orig alpexp
new_root alpif alpine <<<"$CONF"
printf 'default_kernel_opts="quiet"\n' >alpif/etc/update-extlinux.conf
printf 'features="base"\nif [ -e /etc/crypttab ]; then\n\tfeatures="base cryptsetup"\nfi\n' >alpif/etc/mkinitfs/mkinitfs.conf
rm -rf alpif.orig && cp -a alpif alpif.orig
pt alpif apply >alpif.out 2>&1; echo $? >alpif.rc
check "alpine: an assignment inside an if is refused with its line, nothing written" \
	bash -c '[ "$(cat alpif.rc)" = 1 ] && grep -q "mkinitfs.conf line 3: features= is set inside an if" alpif.out &&
		diff -r alpif.orig/etc alpif/etc || { cat alpif.out; exit 1; }'
# Issue 24: Alpine installed for UEFI boots GRUB (no update-extlinux.conf):
# our tokens in /etc/default/grub's GRUB_CMDLINE_LINUX_DEFAULT, then
# mkinitfs and grub-mkconfig; undo gives the file back byte for byte.
# (tests/cli/test-grub.sh runs the real grub-mkconfig over it.)
new_root alpgrub alpine <<<"$CONF"
mkdir -p alpgrub/etc/default && printf 'GRUB_TIMEOUT=2\nGRUB_CMDLINE_LINUX_DEFAULT="modules=sd-mod,usb-storage,ext4 quiet rootfstype=ext4"\n' \
	>alpgrub/etc/default/grub
echo 'features="ata base ext4"' >alpgrub/etc/mkinitfs/mkinitfs.conf
rm -rf alpgrub.orig && cp -a alpgrub alpgrub.orig
pt alpgrub apply >alpgrub.out 2>&1
check "alpine with GRUB: /etc/default/grub gets the arguments, grub-mkconfig rebuilds" \
	bash -c 'grep -q "^GRUB_CMDLINE_LINUX_DEFAULT=\"modules=sd-mod,usb-storage,ext4 quiet rootfstype=ext4 intel_iommu=on iommu=pt" alpgrub/etc/default/grub &&
		grep -q "would run  grub-mkconfig -o /boot/grub/grub.cfg" alpgrub.out &&
		grep -q "features=\"ata base ext4 passthrough\"" alpgrub/etc/mkinitfs/mkinitfs.conf || { cat alpgrub.out; exit 1; }'
pt alpgrub apply --undo >/dev/null 2>&1
check "alpine with GRUB: --undo gives the files back byte for byte" same_tree alpgrub.orig alpgrub
new_root alpbad alpine <<<"$CONF"
printf 'overwrite=1\ndefault_kernel_opts="quiet $EXTRA"\n' >alpbad/etc/update-extlinux.conf
echo 'features="base"' >alpbad/etc/mkinitfs/mkinitfs.conf
rm -rf alpbad.orig && cp -a alpbad alpbad.orig
golden apply-alpine-unparsable pt alpbad apply
check "alpine: a value it cannot edit: nothing written" same_tree alpbad.orig alpbad

new_root alpinit alpine <<<"$CONF"
printf 'features="base"\ninit="/usr/local/my-init"\n' >alpinit/etc/mkinitfs/mkinitfs.conf
echo 'default_kernel_opts="quiet"' >alpinit/etc/update-extlinux.conf
golden apply-alpine-foreign-init pt alpinit apply

# --- Arch (tests/boot/test-mkinitcpio.sh runs the real mkinitcpio) ----------
arch_root() { # NAME: Arch with GRUB, mkinitcpio's config and preset
	new_root "$1" arch <<<"$CONF"
	mkdir -p "$1/etc/mkinitcpio.d" "$1/etc/mkinitcpio.conf.d" "$1/boot/grub"
	printf 'MODULES=()\nHOOKS=(base udev autodetect modconf block filesystems fsck)\n' >"$1/etc/mkinitcpio.conf"
	printf 'ALL_kver="/boot/vmlinuz-linux"\nPRESETS=(default)\ndefault_image="/boot/initramfs-linux.img"\n' \
		>"$1/etc/mkinitcpio.d/linux.preset"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="loglevel=3 quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$1/etc/default/grub"
	: >"$1/boot/grub/grub.cfg"
	rm -rf "$1.orig" && cp -a "$1" "$1.orig"
}
arch_root arch
pt arch apply >arch.out 2>&1
check "arch with GRUB: the mkinitcpio drop-in, GRUB's default line, mkinitcpio -P then grub-mkconfig" \
	bash -c 'cmp -s arch/etc/mkinitcpio.conf.d/passthrough.conf "$0/mkinitcpio/passthrough.conf" &&
		grep -q "^GRUB_CMDLINE_LINUX_DEFAULT=\"loglevel=3 quiet intel_iommu=on iommu=pt\"" arch/etc/default/grub &&
		grep -A1 "would run  mkinitcpio -P" arch.out | grep -q "would run  grub-mkconfig -o /boot/grub/grub.cfg" ||
		{ cat arch.out; exit 1; }' "$TOP"
pt arch apply --undo >/dev/null 2>&1
check "arch with GRUB: --undo gives the files back byte for byte" same_tree arch.orig arch
# systemd-boot with entries written by hand (the Arch wiki's): our tokens
# on each Linux entry's options line; systemd's own parser (bootctl list,
# in a mount namespace where the ESP is a mount point) reads them back.
arch_root archsd
rm -f archsd/etc/default/grub archsd/boot/grub/grub.cfg
mkdir -p archsd/efi/EFI/systemd archsd/efi/loader/entries && : >archsd/efi/EFI/systemd/systemd-bootx64.efi
: >archsd/efi/vmlinuz-linux && : >archsd/efi/initramfs-linux.img && : >archsd/efi/initramfs-linux-fallback.img
printf 'title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions\troot=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw quiet\n' \
	>archsd/efi/loader/entries/arch.conf
printf 'title   Arch Linux (fallback)\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux-fallback.img\noptions root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw\n' \
	>archsd/efi/loader/entries/arch-fallback.conf
printf 'title UEFI shell\nefi /shellx64.efi\n' >archsd/efi/loader/entries/shell.conf
rm -rf archsd.orig && cp -a archsd archsd.orig
pt archsd apply >archsd.out 2>&1
bootctl_options() { # ESP: the options bootctl list reads, one line per entry
	unshare -m bash -c 'mount --bind "$0" "$0" && SYSTEMD_RELAX_ESP_CHECKS=1 bootctl --esp-path="$0" --boot-path="$0" list --no-pager' \
		"$(cd "$1" && pwd)" 2>/dev/null | sed -n 's/^ *options: //p'
}
check "arch with systemd-boot's entries: each Linux entry's options line gets the arguments, the shell's none" \
	bash -c 'grep -q "^options	root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw quiet intel_iommu=on iommu=pt$" archsd/efi/loader/entries/arch.conf &&
		grep -q "^options root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw intel_iommu=on iommu=pt$" archsd/efi/loader/entries/arch-fallback.conf &&
		cmp archsd.orig/efi/loader/entries/shell.conf archsd/efi/loader/entries/shell.conf &&
		grep -q "would run  mkinitcpio -P" archsd.out && ! grep -q grub-mkconfig archsd.out ||
		{ cat archsd.out; exit 1; }'
export -f bootctl_options
if command -v bootctl >/dev/null && unshare -m true 2>/dev/null; then
	check "arch with systemd-boot's entries: bootctl list (systemd's parser) reads the arguments in both" \
		bash -c '[ "$(bootctl_options "$0" | grep -c " rw\( quiet\)\? intel_iommu=on iommu=pt$")" = 2 ]' archsd/efi
else
	check "arch with systemd-boot's entries: bootctl list reads the arguments # skip no bootctl or mount namespace" true
fi
pt archsd apply --undo >/dev/null 2>&1
entries_as_before() { diff -r archsd.orig/efi archsd/efi && same_tree archsd.orig archsd; }
check "arch with systemd-boot's entries: --undo gives the entries back byte for byte" entries_as_before
# a token in one entry and not the other: whose it is would differ
sed -i 's/ rw quiet$/ rw quiet iommu=pt/' archsd/efi/loader/entries/arch.conf
rm -rf archsd.orig && cp -a archsd archsd.orig
pt archsd apply >archsd.out 2>&1; echo $? >archsd.rc
check "arch with systemd-boot's entries: a token some entries have and others lack is refused, nothing written" \
	bash -c '[ "$(cat archsd.rc)" != 0 ] && grep -q "iommu=pt is in some systemd-boot entries and not in others" archsd.out &&
		diff -r archsd.orig/efi archsd/efi && diff -r archsd.orig/etc archsd/etc || { cat archsd.out; exit 1; }'
arch_root archuki
rm -f archuki/etc/default/grub archuki/boot/grub/grub.cfg
echo 'default_uki="/efi/EFI/Linux/arch-linux.efi"' >>archuki/etc/mkinitcpio.d/linux.preset
mkdir -p archuki/etc/cmdline.d archuki/etc/kernel && echo "root=UUID=1234 rw intel_iommu=on" >archuki/etc/kernel/cmdline
echo "iommu=pt" >archuki/etc/cmdline.d/passthrough.conf
rm -rf archuki.orig && cp -a archuki archuki.orig
pt archuki apply >archuki.out 2>&1; echo $? >archuki.rc
check "arch with UKIs: an admin's /etc/cmdline.d/passthrough.conf is refused, nothing written" \
	bash -c '[ "$(cat archuki.rc)" != 0 ] && grep -q "cmdline.d/passthrough.conf was not written by passthrough" archuki.out &&
		diff -r archuki.orig/etc archuki/etc || { cat archuki.out; exit 1; }'
rm archuki/etc/cmdline.d/passthrough.conf && echo quiet >archuki/etc/cmdline.d/50-admin.conf
rm -rf archuki.orig && cp -a archuki archuki.orig
pt archuki apply >archuki.out 2>&1
check "arch with UKIs: what the admin's cmdline files lack (iommu=pt), in a file of our own" \
	bash -c '[ "$(grep -v "^#" archuki/etc/cmdline.d/passthrough.conf)" = "iommu=pt" ] &&
		diff -r -x passthrough.conf archuki.orig/etc archuki/etc >/dev/null ||
		{ cat archuki.out; exit 1; }'
pt archuki apply --undo >/dev/null 2>&1
check "arch with UKIs: --undo gives the files back" same_tree archuki.orig archuki

# --- issue 25's smaller points ----------------------------------------------
if command -v setpriv >/dev/null; then
	check "apply as another user than root: told to run it as root, before anything is read" \
		bash -c 'setpriv --reuid=65534 --regid=65534 --clear-groups "$0" apply 2>&1 | grep -q "run it as root (sudo passthrough apply)"; [ "${PIPESTATUS[0]}" = 1 ]' "$PT"
else
	check "apply as another user than root # skip no setpriv" true
fi
new_root norule debian <<<'[global]
iommu = intel
'
pt norule apply >norule.out 2>&1; echo $? >norule.rc
check "apply with no [device.*] rule: refused, pointing at add and --undo; nothing written" \
	bash -c '[ "$(cat norule.rc)" = 1 ] && grep -q "has no \[device.NAME\] rule, so there is nothing to bind" norule.out &&
		grep -q "passthrough apply --undo" norule.out && diff -r norule.orig/etc norule/etc &&
		[ ! -e norule/var/lib/passthrough ] || { cat norule.out; exit 1; }'
check "an unknown option: did you mean, not the whole usage" \
	bash -c '"$0" --root norule apply --jsn 2>&1 | grep -qx "passthrough: --jsn: unknown option; did you mean --json?" &&
		[ "$("$0" --root norule apply --jsn 2>&1 | wc -l)" = 2 ]' "$PT"
new_root pend debian <<<"$CONF"
cp "$TOP/grub/passthrough.cfg" pend/etc/default/grub.d/
pt pend apply >/dev/null 2>&1
mkdir -p pend/var/lib/passthrough && echo pending >pend/var/lib/passthrough/rebuild-pending
check "apply --dry-run with a rebuild pending says it would rebuild, not that it does" \
	bash -c '"$0" --sysfs pend/sys --root pend apply --dry-run >pend.out 2>&1;
		grep -q "apply would rebuild now" pend.out && ! grep -q "rebuilding now" pend.out || { cat pend.out; exit 1; }' "$PT"

# --- Debian ------------------------------------------------------------------
new_root deb debian <<<"$CONF"
golden apply-debian-no-dropin pt deb apply
# The admin installs the drop-in (make install): the admin's tree has it.
cp "$TOP/grub/passthrough.cfg" deb/etc/default/grub.d/
cp "$TOP/grub/passthrough.cfg" deb.orig/etc/default/grub.d/
golden apply-debian-again pt deb apply
# The one place that decides what an initramfs gets (issue 10): the
# checked file apply wrote, never an edit that was not applied.
check "initramfs-config: the file apply wrote, silently" \
	bash -c '[ "$("$0" --sysfs deb/sys --root deb initramfs-config 2>deb.err)" = deb/var/lib/passthrough/initramfs.conf ] && [ ! -s deb.err ]' "$PT"
cp deb/etc/passthrough.conf deb.conf.saved
echo "; an edit, even a comment" >>deb/etc/passthrough.conf
check "initramfs-config: an edit not applied is said loudly, the applied file kept" \
	bash -c '[ "$("$0" --sysfs deb/sys --root deb initramfs-config 2>deb.err)" = deb/var/lib/passthrough/initramfs.conf ] &&
		grep -q "WARNING: deb/etc/passthrough.conf changed after the last .passthrough apply." deb.err' "$PT"
pt deb apply >/dev/null
check "initramfs-config: after apply the edit is the checked config" \
	bash -c '"$0" --sysfs deb/sys --root deb initramfs-config >/dev/null 2>deb.err && [ ! -s deb.err ]' "$PT"
cp deb.conf.saved deb/etc/passthrough.conf && pt deb apply >/dev/null
golden apply-debian-undo pt deb apply --undo
check "debian: --undo leaves no file of ours" same_tree deb.orig deb
check "initramfs-config: after --undo, no config for the initramfs" \
	bash -c '[ -z "$("$0" --sysfs deb/sys --root deb initramfs-config 2>deb.err)" ] &&
		grep -q "has not been applied: this initramfs binds nothing" deb.err' "$PT"

# The drop-in as grub-mkconfig uses it: /etc/default/grub, then every
# grub.d/*.cfg, sourced; `passthrough` found in PATH (here a shim for the
# fake root).
mkdir -p shim && printf '#!/bin/sh\nexec "%s" --sysfs "$PT_ROOT/sys" --root "$PT_ROOT" "$@"\n' "$PT" >shim/passthrough
chmod +x shim/passthrough
grub_cmdline() { # ROOT: sources like grub-mkconfig, prints both variables
	PT_ROOT="$PWD/$1" PATH="$PWD/shim:$PATH" sh -c '
		GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"; GRUB_CMDLINE_LINUX="console=ttyS0"
		for f in "$0"/etc/default/grub.d/*.cfg; do
			sed "s|/var/lib/passthrough/applied|$0/var/lib/passthrough/applied|" "$f" >"$f.sh"
			. "$f.sh"; rm "$f.sh"
		done
		echo "DEFAULT=$GRUB_CMDLINE_LINUX_DEFAULT"; echo "LINUX=$GRUB_CMDLINE_LINUX"' "$1"
}
export -f grub_cmdline
check "grub drop-in: inactive before apply" \
	bash -c '[ "$(grub_cmdline deb | head -1)" = "DEFAULT=quiet splash" ]'
pt deb apply >/dev/null
check "grub drop-in: normal entries get the arguments after apply" \
	bash -c '[ "$(grub_cmdline deb | head -1)" = "DEFAULT=quiet splash intel_iommu=on iommu=pt" ]'
check "grub drop-in: recovery entries (GRUB_CMDLINE_LINUX) do not" \
	bash -c '[ "$(grub_cmdline deb | tail -1)" = "LINUX=console=ttyS0" ]'
# An edit never applied (never checked) does not reach the boot entries,
# as it does not reach the initramfs: the drop-in asks `cmdline --applied`,
# which needs neither the config nor /sys (a rescue chroot).
cp deb/etc/passthrough.conf deb.conf.saved && echo "bogus = 1" >>deb/etc/passthrough.conf
check "grub drop-in: an edit never applied (even a broken one) changes nothing" \
	bash -c '[ "$(grub_cmdline deb 2>&1 | head -1)" = "DEFAULT=quiet splash intel_iommu=on iommu=pt" ]'
cp deb.conf.saved deb/etc/passthrough.conf
# Issue 11: a failure made the drop-in print nothing, silently.
mv deb/var/lib/passthrough/applied deb/applied.saved && mkdir deb/var/lib/passthrough/applied
check "grub drop-in: a failure is said in update-grub's output" \
	bash -c 'grub_cmdline deb 2>&1 | grep -q "passthrough cmdline --applied. failed: this grub.cfg has NO passthrough kernel arguments"'
rmdir deb/var/lib/passthrough/applied && mv deb/applied.saved deb/var/lib/passthrough/applied
pt deb apply --undo >/dev/null
check "grub drop-in: inactive again after --undo" \
	bash -c '[ "$(grub_cmdline deb | head -1)" = "DEFAULT=quiet splash" ]'

# Issue 11: update-grub in a rescue chroot, without /sys or /proc, printed
# nothing or dropped intel_iommu=on. The arguments that do not depend on
# the machine come out, and the IOMMU one as the last apply found it.
new_root resc debian <<<"${CONF/iommu = intel/iommu = auto}"
sed -i 's/AuthenticAMD/GenuineIntel/' resc/proc/cpuinfo
pt resc apply >/dev/null
rm -rf resc/sys resc/proc
check "cmdline without /sys and /proc: every argument, and why on stderr" \
	bash -c '[ "$("$0" --sysfs resc/sys --root resc cmdline 2>resc.err)" = "intel_iommu=on iommu=pt" ] &&
		grep -q "keeping intel_iommu=on, as the last apply found an Intel CPU" resc.err' "$PT"

check "cmdline --applied without /sys and /proc: what the last apply set" \
	bash -c '[ "$("$0" --sysfs resc/sys --root resc cmdline --applied)" = "intel_iommu=on iommu=pt" ]' "$PT"

# --- the first apply on an Intel host whose IOMMU is off (issue 17) ----------
# VT-d is off only because the kernel was not given intel_iommu=on: apply
# sets the IOMMU's arguments and binds nothing (no groups to judge yet);
# after a boot with them, apply again turns the binder on.
iommu_off_for_want_of_argument() { # ROOT
	rm -rf "$1/sys/kernel/iommu_groups"
	find "$1/sys/devices" -name iommu_group -type l -delete
	sed -i 's/AuthenticAMD/GenuineIntel/' "$1/proc/cpuinfo"
	echo "BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet" >"$1/proc/cmdline"
}
new_root step debian <<<"${CONF/iommu = intel/iommu = auto
headless = yes}
[device.gpu]
address = 00:01.0
allow_boot_vga = yes"
cp "$TOP/grub/passthrough.cfg" step/etc/default/grub.d/
cp "$TOP/grub/passthrough.cfg" step.orig/etc/default/grub.d/
iommu_off_for_want_of_argument step
golden check-first-step pt step check
golden apply-first-step pt step apply
check "first step: no initramfs config, no modprobe.d file: the binder is off" \
	bash -c '[ ! -e step/var/lib/passthrough/initramfs.conf ] && [ ! -e step/etc/modprobe.d/passthrough.conf ] &&
		[ -z "$("$0" --sysfs step/sys --root step initramfs-config 2>/dev/null)" ]' "$PT"
check "first step: GRUB gets the IOMMU's arguments only (not video=efifb:off)" \
	bash -c '[ "$(grub_cmdline step | head -1)" = "DEFAULT=quiet splash intel_iommu=on iommu=pt" ]'
check "first step: status says step 1 is done and the reboot comes next, exit 0" \
	bash -c '"$0" --sysfs step/sys --root step status >step.status; [ $? = 0 ] &&
		grep -q "^State: step 1 of 2 applied, reboot pending" step.status &&
		grep -q "^Next: reboot, then run .passthrough apply. again" step.status' "$PT"
golden apply-first-step-again pt step apply
# The reboot: the kernel was given the arguments, the IOMMU made groups.
rm -rf step/sys && cp -a "$TOP/tests/fixtures/qemu/sys" step/sys
echo "BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet intel_iommu=on iommu=pt" >step/proc/cmdline
golden apply-second-step pt step apply
check "second step: the initramfs gets the checked config" \
	bash -c '[ "$("$0" --sysfs step/sys --root step initramfs-config)" = step/var/lib/passthrough/initramfs.conf ]' "$PT"
check "second step: GRUB gets every argument" \
	bash -c '[ "$(grub_cmdline step | head -1)" = "DEFAULT=quiet splash intel_iommu=on iommu=pt video=efifb:off" ]'
pt step apply --undo >/dev/null
check "two steps, then --undo: nothing of ours is left" same_tree step.orig step
# On VT-d off in the firmware the argument is there already: refused.
new_root fw debian <<<"$CONF"
iommu_off_for_want_of_argument fw
echo "BOOT_IMAGE=/vmlinuz root=/dev/vda ro intel_iommu=on" >fw/proc/cmdline
golden apply-iommu-off-in-firmware pt fw apply
check "refused when the kernel had intel_iommu=on: nothing written" same_tree fw.orig fw
# Alpine: the first step leaves mkinitfs.conf (the init wrapper) alone.
new_root alpstep alpine <<<"$CONF"
printf 'default_kernel_opts="quiet"\nmodules="sd-mod,usb-storage,ext4"\n' >alpstep/etc/update-extlinux.conf
printf 'features="ata base ext4"\n' >alpstep/etc/mkinitfs/mkinitfs.conf
cp -a alpstep/etc/. alpstep.orig/etc/
iommu_off_for_want_of_argument alpstep
golden apply-alpine-first-step pt alpstep apply
check "alpine first step: mkinitfs.conf untouched, extlinux gets intel_iommu=on" \
	bash -c 'cmp -s alpstep.orig/etc/mkinitfs/mkinitfs.conf alpstep/etc/mkinitfs/mkinitfs.conf &&
		grep -q "^default_kernel_opts=\"quiet intel_iommu=on iommu=pt\"" alpstep/etc/update-extlinux.conf'

# --- the boot path, not only the distribution (issue 14) ----------------------
# systemd-boot without GRUB: the arguments go to /etc/kernel/cmdline, which
# kernel-install puts on every entry; without the file (kernel-install then
# takes the running command line) apply creates it from that line.
systemd_boot() { mkdir -p "$1/boot/efi/EFI/systemd" && : >"$1/boot/efi/EFI/systemd/systemd-bootx64.efi"; }
new_root sdb debian <<<"$CONF"
rm sdb/usr/sbin/update-grub sdb.orig/usr/sbin/update-grub
systemd_boot sdb && systemd_boot sdb.orig
echo "BOOT_IMAGE=/vmlinuz-6.1.0 root=UUID=0ba5e root=/dev/vda ro quiet initrd=\\initrd.img" >sdb/proc/cmdline
golden apply-systemd-boot-dry-run pt sdb apply --dry-run
golden apply-systemd-boot pt sdb apply
golden_file apply-systemd-boot-kernel-cmdline sdb/etc/kernel/cmdline
golden apply-systemd-boot-again pt sdb apply
golden apply-systemd-boot-undo pt sdb apply --undo
check "systemd-boot: --undo removes the /etc/kernel/cmdline apply created" same_tree sdb.orig sdb
# Issue 24: the file created from this boot's command line keeps none of
# its one-off arguments (a rescue boot's passthrough=off would be in every
# future entry); an admin's edit of it since makes it theirs: undo takes
# only our tokens out. Each later apply keeps the first backup.
new_root sdbo debian <<<"$CONF"
rm sdbo/usr/sbin/update-grub && systemd_boot sdbo
echo "BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet passthrough=off systemd.unit=rescue.target single init=/bin/sh rd.break break=top initrd=\\initrd.img" >sdbo/proc/cmdline
pt sdbo apply >/dev/null
check "systemd-boot: the created /etc/kernel/cmdline has none of this boot's one-off arguments" \
	same "$(cat sdbo/etc/kernel/cmdline)" "root=/dev/vda ro quiet intel_iommu=on iommu=pt"
sed -i 's/$/ mitigations=off/' sdbo/etc/kernel/cmdline
pt sdbo apply --undo >sdbo.undo 2>&1
check "systemd-boot: undo of a created file the admin edited since takes only our tokens out" \
	bash -c '[ "$(cat sdbo/etc/kernel/cmdline)" = "root=/dev/vda ro quiet mitigations=off" ] &&
		[ ! -e sdbo/var/lib/passthrough/kernel-cmdline.written ]'
new_root sdbk debian <<<"$CONF"
rm sdbk/usr/sbin/update-grub && systemd_boot sdbk
mkdir -p sdbk/etc/kernel && printf 'root=/dev/vda ro quiet\n' >sdbk/etc/kernel/cmdline
pt sdbk apply >/dev/null
printf '[global]\niommu = intel\ndisable_vga = yes\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' \
	>sdbk/etc/passthrough.conf
pt sdbk apply >/dev/null
check "a later apply that changes the file keeps the first backup, the admin's" \
	bash -c 'grep -q "vfio_pci.disable_vga=1" sdbk/etc/kernel/cmdline &&
		[ "$(cat sdbk/etc/kernel/cmdline.passthrough-backup)" = "root=/dev/vda ro quiet" ]'
# The admin's own file: several lines, the kernel's double quotes, one of
# our tokens already there (theirs: undo keeps it). Byte for byte back.
new_root sdba debian <<<"$CONF"
rm sdba/usr/sbin/update-grub && systemd_boot sdba
mkdir -p sdba/etc/kernel
printf 'root=UUID=0ba5e ro\n  quiet  iommu=pt\nacpi_osi="Windows 2015" \n' >sdba/etc/kernel/cmdline
cp -a sdba/etc/kernel sdba.orig/etc/ && rm -f sdba.orig/usr/sbin/update-grub && systemd_boot sdba.orig
golden apply-systemd-boot-admin pt sdba apply
golden_file apply-systemd-boot-admin-kernel-cmdline sdba/etc/kernel/cmdline
pt sdba apply --undo >/dev/null
check "systemd-boot: the admin's /etc/kernel/cmdline back byte for byte after --undo" same_tree sdba.orig sdba
printf 'root=/dev/vda ro\nquiet splash="a b\n' >sdba/etc/kernel/cmdline
golden apply-systemd-boot-unparsable pt sdba apply
# Both installed: systemd-boot only when it started this boot (LoaderInfo).
new_root both debian <<<"$CONF"
systemd_boot both && mkdir -p both/boot/grub && : >both/boot/grub/grub.cfg
golden apply-grub-and-systemd-boot pt both apply --dry-run
mkdir -p both/sys/firmware/efi/efivars
: >both/sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
golden apply-systemd-boot-started-this-boot pt both apply --dry-run
# Fedora with systemd-boot: kernel-install again for each kernel.
new_root fsdb fedora <<<"$CONF"
rm fsdb/usr/sbin/grubby && systemd_boot fsdb
golden apply-fedora-systemd-boot pt fsdb apply --dry-run
# Pop!_OS (tests/cli/test-kernelstub.sh runs the real kernelstub): without
# kernelstub's configuration, refused, saying how it is made.
new_root pop debian <<<"$CONF"
mkdir -p pop/usr/bin pop.orig/usr/bin && : >pop/usr/bin/kernelstub && : >pop.orig/usr/bin/kernelstub
golden apply-popos-kernelstub pt pop apply
# Proxmox is driven (issue 24; tests/cli/test-proxmox.sh runs the real
# proxmox-boot-tool): booted by a BIOS, as this machine was, it is GRUB's
# drop-in, and no /etc/kernel/cmdline is written.
new_root pve debian <<<"$CONF"
for d in pve pve.orig; do
	systemd_boot $d && mkdir -p $d/etc/kernel && echo 0ba5-e000 >$d/etc/kernel/proxmox-boot-uuids
done
golden apply-proxmox pt pve apply
# Arch with no boot loader apply knows: refused, naming what it looked for
new_root archbare arch <<<"$CONF"
mkdir -p archbare/usr/bin && : >archbare/usr/bin/mkinitcpio
golden apply-arch-mkinitcpio pt archbare apply
new_root noloader debian <<<"$CONF"
rm noloader/usr/sbin/update-grub noloader.orig/usr/sbin/update-grub
golden apply-no-boot-loader pt noloader apply
export -f same_tree
check "refused boot paths change nothing" bash -c 'for r in pop arch noloader; do same_tree $r.orig $r || exit 1; done'

# --- Fedora ----------------------------------------------------------------
new_root fed fedora <<<"$CONF"
golden apply-fedora pt fed apply
sed -i 's/^iommu = intel/iommu = intel\niommu_pt = no/' fed/etc/passthrough.conf
golden apply-fedora-changed pt fed apply
golden apply-fedora-undo pt fed apply --undo

# Issue 24: grubby replaces every value of a name. "Already there" is read
# from the boot entries (and grubenv's kernelopts, /etc/kernel/cmdline,
# GRUB_CMDLINE_LINUX), not from the running command line; another value of
# a name we add is refused before anything is written, both values named.
bls_entry() { # ROOT OPTIONS: a Fedora-style BLS entry
	mkdir -p "$1/boot/loader/entries"
	printf 'title Fedora Linux\nversion 6.1.0\nlinux /vmlinuz-6.1.0\noptions %s\n' "$2" \
		>"$1/boot/loader/entries/0ba5e-6.1.0.conf"
}
new_root fedc fedora <<<"$CONF"
bls_entry fedc "root=/dev/vda ro intel_iommu=on,sm_on iommu=nopt" && cp -a fedc/boot fedc.orig/
pt fedc apply >fedc.out 2>&1; echo $? >fedc.rc
check "grubby: the admin's intel_iommu=on,sm_on is refused, not replaced (exit 1, nothing written)" \
	bash -c '[ "$(cat fedc.rc)" = 1 ] && grep -qF "the boot entries have intel_iommu=on,sm_on, and passthrough would set intel_iommu=on" fedc.out &&
		same_tree fedc.orig fedc'
new_root fedr fedora <<<"$CONF"
bls_entry fedr '$kernelopts' && mkdir -p fedr/boot/grub2 &&
	printf '# GRUB Environment Block\nkernelopts=root=/dev/vda ro iommu=nopt\n' >fedr/boot/grub2/grubenv
pt fedr apply >fedr.out 2>&1; echo $? >fedr.rc
check "grubby, RHEL 8 layout: grubenv's kernelopts are read; iommu=nopt refused (exit 1)" \
	bash -c '[ "$(cat fedr.rc)" = 1 ] && grep -qF "have iommu=nopt, and passthrough would set iommu=pt" fedr.out'
new_root feda fedora <<<"$CONF"
bls_entry feda "root=/dev/vda ro intel_iommu=on iommu=pt"
check "grubby: arguments the entries have already are the admin's: not added, not removed on undo" \
	bash -c '"$0" --sysfs feda/sys --root feda apply 2>&1 | grep -q "grubby" && exit 1
		"$0" --sysfs feda/sys --root feda apply --undo 2>&1 | grep -q "grubby" && exit 1; exit 0' "$PT"

# --- refusals ----------------------------------------------------------------
new_root refuse debian <<<'[device.sata]
address = 00:05.0
'
golden apply-refused-host-disk pt refuse apply
check "a refused apply writes nothing" same_tree refuse.orig refuse
new_root nodistro debian <<<"$CONF"
printf 'ID=plan9\n' >nodistro/etc/os-release
golden apply-unknown-distro pt nodistro apply
: >nodistro/usr/sbin/grubby # what --distro fedora then finds
golden apply-distro-option pt nodistro apply --distro fedora --dry-run
golden apply-bad-distro pt nodistro apply --distro gentoo
new_root foreign debian <<<"$CONF"
echo 'options vfio-pci ids=10de:1b80' >foreign/etc/modprobe.d/passthrough.conf
rm -rf foreign.orig && cp -a foreign foreign.orig
golden apply-foreign-modprobe pt foreign apply
check "a foreign modprobe.d/passthrough.conf: refused, nothing written" same_tree foreign.orig foreign
check "... and no rebuild is left pending for the next apply" \
	test ! -e foreign/var/lib/passthrough/rebuild-pending
golden apply-foreign-modprobe-undo pt foreign apply --undo
check "... and --undo does not delete it" same_tree foreign.orig foreign

# --- apply --json, for configuration management (issue 14) ------------------
# One object on stdout (parsed here by Python's json), apply's own lines on
# stderr; --detailed-exitcodes: 7 changed, 0 nothing to do, 1 refused.
new_root js debian <<<"$CONF"
cp "$TOP/grub/passthrough.cfg" js/etc/default/grub.d/
pt_json() { # NAME EXPECTED-EXIT ARGS...: the JSON in NAME.json, the exit status checked
	local name=$1 want=$2; shift 2
	pt js "$@" --json --detailed-exitcodes >"$name.json" 2>"$name.err"
	local rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, expected $want"; cat "$name.err"; return 1; }
}
json_is() { # NAME PYTHON-EXPRESSION over d
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert eval("(" + sys.argv[2] + ")"), json.dumps(d, indent=1)' "$1.json" "$2"
}
export PT && export -f pt pt_json json_is
check "apply --json --dry-run: would change, no reboot yet, exit 7" \
	bash -c 'pt_json jdry 7 apply --dry-run && json_is jdry "d[\"result\"] == \"changed\" and d[\"dry_run\"] and not d[\"reboot_needed\"] and {f[\"action\"] for f in d[\"files\"]} == {\"would write\"}"'
check "apply --json: files written, commands listed, arguments, reboot needed, exit 7" \
	bash -c 'pt_json j1 7 apply && json_is j1 "d[\"result\"] == \"changed\" and d[\"reboot_needed\"] and d[\"step\"] == \"complete\" and
		{\"path\": \"/etc/modprobe.d/passthrough.conf\", \"action\": \"written\", \"backup\": None} in d[\"files\"] and
		[c[\"argv\"] for c in d[\"commands\"]] == [[\"update-initramfs\", \"-u\", \"-k\", \"all\"], [\"update-grub\"]] and
		d[\"kernel_arguments\"] == {\"changed\": True, \"before\": [], \"after\": [\"intel_iommu=on\", \"iommu=pt\"]} and
		d[\"boot_path\"][\"loader\"] == \"GRUB (update-grub)\" and \"no-reset\" in [f[\"code\"] for f in d[\"findings\"]]" &&
		grep -q "^passthrough apply (debian, root js):" j1.err'
check "apply --json again: unchanged, exit 0" \
	bash -c 'pt_json j2 0 apply && json_is j2 "d[\"result\"] == \"unchanged\" and not d[\"changed\"] and not d[\"commands\"]"'
check "apply --undo --json: removed, exit 7" \
	bash -c 'pt_json j3 7 apply --undo && json_is j3 "d[\"undo\"] and d[\"step\"] is None and \"removed\" in {f[\"action\"] for f in d[\"files\"]}"'
check "apply --json refused by check: the findings and the error, exit 1" \
	bash -c 'printf "[device.sata]\naddress = 00:05.0\n" >js/etc/passthrough.conf && pt_json j4 1 apply &&
		json_is j4 "d[\"result\"] == \"refused\" and not d[\"changed\"] and \"check\" in d[\"error\"] and any(f[\"code\"] == \"host-disk\" for f in d[\"findings\"])"'
check "apply --json on Alpine: the backup of each file the admin owns" \
	bash -c '"$0" --sysfs alpadm/sys --root alpadm apply --undo >/dev/null && "$0" --sysfs alpadm/sys --root alpadm apply --json >j5.json 2>/dev/null &&
		json_is j5 "{\"path\": \"/etc/update-extlinux.conf\", \"action\": \"written\", \"backup\": \"/etc/update-extlinux.conf.passthrough-backup\"} in d[\"files\"]"' "$PT"
check "apply --json on a boot path apply does not drive: refused, why, exit 1" \
	bash -c '"$0" --sysfs archbare/sys --root archbare apply --json >j6.json 2>/dev/null; [ $? = 1 ] &&
		json_is j6 "d[\"result\"] == \"refused\" and \"no boot loader apply knows on Arch\" in d[\"error\"]"' "$PT"
check "apply --json with a usage error: still one JSON document, exit 2 (issue 22)" \
	bash -c 'pt_json j7 2 apply --bogus-option && json_is j7 "d[\"result\"] == \"usage\" and not d[\"changed\"] and \"--help\" in d[\"error\"]" &&
		pt_json j8 2 apply extra-argument && json_is j8 "d[\"result\"] == \"usage\"" &&
		pt_json j9 2 apply --distro gentoo && json_is j9 "d[\"result\"] == \"usage\""'

# --- a rebuild that fails is done by the next apply --------------------------
# Commands run only on the running system, so this apply runs as the root
# of a chroot: the fake root with the host tool, its libraries, a shell and
# an update-initramfs that fails while /fail exists (a full /boot).
new_root chr debian <<<"$CONF"
rm -f chr/lib/modules && mkdir -p "chr/lib/modules/$KVER" chr/bin chr/usr/sbin
cp "$KROOT/lib/modules/$KVER"/modules.* "chr/lib/modules/$KVER/"
cp /bin/busybox chr/bin/busybox && ln -s busybox chr/bin/sh
copy_with_libs "$PT" chr
printf '#!/bin/sh\n[ -e /fail ] && { echo "update-initramfs: No space left on device" >&2; exit 1; }\necho "$0 $*" >>/ran\necho "$0: done"\n' \
	>chr/usr/sbin/update-initramfs
cp chr/usr/sbin/update-initramfs chr/usr/sbin/update-grub
chmod 0755 chr/usr/sbin/update-initramfs chr/usr/sbin/update-grub
cp "$TOP/grub/passthrough.cfg" chr/etc/default/grub.d/
# The real /proc inside (the sanitizers need it): the module index is put
# under the running kernel's release too.
cp -r "chr/lib/modules/$KVER" "chr/lib/modules/$(uname -r)" 2>/dev/null
in_chroot() {
	unshare -m --propagation private sh -c 'mount -t proc proc chr/proc && exec chroot chr /sbin/passthrough "$@"' _ "$@"
}
# Issue 17: on the machine itself GRUB without our drop-in would boot
# without the arguments: refused, nothing written.
mv chr/etc/default/grub.d/passthrough.cfg chr/dropin.saved
in_chroot apply >chr-0.out 2>&1
check "chroot: no GRUB drop-in on the real root: refused, nothing written (exit 1)" \
	bash -c 'grep -q "refused    /etc/default/grub.d/passthrough.cfg is missing" chr-0.out &&
		[ ! -e chr/var/lib/passthrough/applied ] && [ ! -e chr/etc/modprobe.d/passthrough.conf ]'
mv chr/dropin.saved chr/etc/default/grub.d/passthrough.cfg
touch chr/fail
in_chroot apply >chr-1.out 2>&1
check "chroot: the rebuild fails, apply says so and exits 1" \
	bash -c 'grep -q "failed     update-initramfs exited with status 1" chr-1.out && [ -e chr/var/lib/passthrough/rebuild-pending ]'
rm chr/fail
in_chroot apply >chr-2.out 2>&1
check "chroot: the next apply, with no file to change, rebuilds" \
	bash -c 'grep -q "an earlier apply did not finish rebuilding: rebuilding now" chr-2.out &&
		grep -q "^/usr/sbin/update-initramfs -u -k all$" chr/ran && grep -q "^/usr/sbin/update-grub" chr/ran &&
		[ ! -e chr/var/lib/passthrough/rebuild-pending ]' || cat chr-2.out
in_chroot apply >chr-3.out 2>&1
check "chroot: then apply has nothing to do" \
	bash -c 'grep -q "nothing changed" chr-3.out && [ "$(wc -l <chr/ran)" = 2 ]'
# apply --json where the commands really run: their status in the JSON,
# their output on stderr, so stdout stays one JSON document.
in_chroot apply --undo --json >chr-4.json 2>chr-4.err
check "chroot: apply --undo --json, the commands run: their status, their output on stderr" \
	bash -c 'python3 -c "import json, sys; d = json.load(open(\"chr-4.json\")); assert [(c[\"argv\"][0], c[\"ran\"], c[\"status\"]) for c in d[\"commands\"]] == [(\"update-initramfs\", True, 0), (\"update-grub\", True, 0)], d" &&
		grep -q "update-initramfs: done" chr-4.err'
touch chr/fail
in_chroot apply --json >chr-5.json 2>chr-5.err
echo $? >chr-5.rc
check "chroot: apply --json, a rebuild that fails: result failed, its status, exit 1" \
	bash -c '[ "$(cat chr-5.rc)" = 1 ] && python3 -c "import json, sys; d = json.load(open(\"chr-5.json\")); assert d[\"result\"] == \"failed\" and d[\"commands\"][0][\"status\"] == 1 and \"exited with status 1\" in d[\"error\"], d"'
rm chr/fail

tap_end
exit $((TAP_FAILED > 0))
