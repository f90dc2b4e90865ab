#!/usr/bin/env bash
# make install: DESTDIR, PREFIX, SBINDIR and SYSCONFDIR, and an admin's
# config is never overwritten.
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
D=$TAP_TMP/dest
inst() { make --no-print-directory -s BUILD="$BUILD" DESTDIR="$D" "$@" install; }

check "make install into DESTDIR" inst
check "the binder lands in PREFIX/sbin" test -x "$D/usr/sbin/passthrough-early"
check "the config lands in /etc, mode 0644" same "$(stat -c %a "$D/etc/passthrough.conf")" 644
echo "; mine" >>"$D/etc/passthrough.conf"
check "a second install keeps the admin's config" bash -c 'inst() { make --no-print-directory -s BUILD="$0" DESTDIR="$1" install; }; inst "$0" "$1" && tail -n 1 "$1/etc/passthrough.conf" | grep -q "; mine"' "$BUILD" "$D"
check "SBINDIR and SYSCONFDIR are honoured" \
	bash -c 'make --no-print-directory -s BUILD="$0" DESTDIR="$1/x" SBINDIR=/sbin SYSCONFDIR=/opt/etc install &&
		test -x "$1/x/sbin/passthrough-early" && test -f "$1/x/opt/etc/passthrough.conf"' "$BUILD" "$TAP_TMP"
check "PREFIX is honoured" \
	bash -c 'make --no-print-directory -s BUILD="$0" DESTDIR="$1/y" PREFIX=/usr/local install &&
		test -x "$1/y/usr/local/sbin/passthrough-early"' "$BUILD" "$TAP_TMP"
for d in debian fedora alpine arch; do
	make --no-print-directory -s BUILD="$BUILD" DESTDIR="$TAP_TMP/$d" DISTRO=$d install >/dev/null 2>&1
done
check "DISTRO=debian: initramfs-tools hook and init-top script, executable; GRUB drop-in" \
	bash -c 'test -x "$0/usr/share/initramfs-tools/hooks/passthrough" &&
		test -x "$0/usr/share/initramfs-tools/scripts/init-top/passthrough" &&
		test -f "$0/etc/default/grub.d/passthrough.cfg"' "$TAP_TMP/debian"
check "DISTRO=fedora: the dracut module and its dracut.conf.d file" \
	bash -c 'test -x "$0/usr/lib/dracut/modules.d/90passthrough/module-setup.sh" &&
		test -x "$0/usr/lib/dracut/modules.d/90passthrough/passthrough-pre-udev.sh" &&
		test -f "$0/usr/lib/dracut/dracut.conf.d/90-passthrough.conf"' "$TAP_TMP/fedora"
check "DISTRO=alpine: the mkinitfs feature and the init wrapper" \
	bash -c 'test -f "$0/etc/mkinitfs/features.d/passthrough.modules" &&
		test -f "$0/etc/mkinitfs/features.d/passthrough.files" &&
		test -x "$0/usr/share/passthrough/mkinitfs-init"' "$TAP_TMP/alpine"
check "DISTRO=arch: the mkinitcpio hooks and unit, the programs in /usr/bin" \
	bash -c 'test -f "$0/usr/lib/initcpio/install/passthrough" && test -f "$0/usr/lib/initcpio/hooks/passthrough" &&
		test -f "$0/usr/lib/systemd/system/passthrough-early.service" &&
		test -x "$0/usr/bin/passthrough-early" && test -x "$0/usr/bin/passthrough" &&
		! test -e "$0/usr/sbin"' "$TAP_TMP/arch"
if [ -x "$BUILD/passthrough-early-musl" ]; then
	check "DISTRO=alpine: the musl static binder, as it was built; others the dynamic one" \
		bash -c 'cmp "$0/usr/sbin/passthrough-early" "$1/passthrough-early-musl" &&
			cmp "$2/usr/sbin/passthrough-early" "$1/passthrough-early"' \
		"$TAP_TMP/alpine" "$BUILD" "$TAP_TMP/debian"
fi
check "each family gets only its own glue" \
	bash -c '! test -e "$0/usr/lib/dracut" && ! test -e "$1/etc/mkinitfs" &&
		! test -e "$2/usr/share/initramfs-tools"' "$TAP_TMP/debian" "$TAP_TMP/fedora" "$TAP_TMP/alpine"
for f in hooks/passthrough.hook hooks/passthrough.init-top mkinitfs/passthrough-init \
	dracut/90passthrough/passthrough-pre-udev.sh grub/passthrough.cfg; do
	check "$f is valid sh (sh -n)" sh -n "$f"
done
check "dracut/90passthrough/module-setup.sh is valid bash" bash -n dracut/90passthrough/module-setup.sh
check "mkinitcpio/install/passthrough and the drop-in are valid bash" \
	bash -c 'bash -n mkinitcpio/install/passthrough && bash -n mkinitcpio/passthrough.conf'
check "mkinitcpio/hooks/passthrough is valid sh (sh -n)" sh -n mkinitcpio/hooks/passthrough
check "initramfs-tools script names are [[:alnum:]._-]+" \
	bash -c 'for f in "$0"/usr/share/initramfs-tools/hooks/* "$0"/usr/share/initramfs-tools/scripts/init-top/*; do
		basename "$f" | grep -Eq "^[[:alnum:]._-]+$" || exit 1; done' "$TAP_TMP/debian"
check "the man pages land in MANDIR" \
	bash -c 'test -f "$0/usr/share/man/man8/passthrough.8" && test -f "$0/usr/share/man/man8/passthrough-early.8" &&
		test -f "$0/usr/share/man/man5/passthrough.conf.5"' "$D"
for m in man/*.[58]; do
	check "$m has no mandoc warning" mandoc -Tlint -W warning "$m"
done
check "debian: the udev rule and the hotplug service land where udev and systemd read them" \
	bash -c 'test -f "$0/usr/lib/udev/rules.d/90-passthrough.rules" &&
		test -f "$0/usr/lib/systemd/system/passthrough-hotplug.service"' "$TAP_TMP/debian"
check "the hotplug service passes systemd-analyze verify" \
	systemd-analyze verify "$TAP_TMP/debian/usr/lib/systemd/system/passthrough-hotplug.service"
check "the bash completion lands where bash-completion's loader looks" \
	test -f "$D/usr/share/bash-completion/completions/passthrough"
# While apply's state says the boot was changed, uninstall refuses and
# names the undo; a stopped apply (rebuild-pending) counts too.
for state in applied rebuild-pending; do
	mkdir -p "$TAP_TMP/alpine/var/lib/passthrough"
	: >"$TAP_TMP/alpine/var/lib/passthrough/$state"
	check "make uninstall refuses while var/lib/passthrough/$state is there, naming apply --undo" \
		bash -c '! make --no-print-directory -s BUILD="$0" DESTDIR="$1" DISTRO=alpine uninstall >"$1.out" 2>&1 &&
			grep -q "passthrough --root $1 apply --undo" "$1.out" &&
			test -x "$1/usr/share/passthrough/mkinitfs-init" && test -f "$1/etc/mkinitfs/features.d/passthrough.files" ||
			{ cat "$1.out"; exit 1; }' "$BUILD" "$TAP_TMP/alpine"
	rm -rf "$TAP_TMP/alpine/var"
done
# Where make uninstall and the packages decide "applied", they name
# apply's own state files (src/host/apply/apply.h): a name changed in C and
# not there would let a removal skip the undo.
applied=$(sed -n 's/^#define PT_APPLIED_FILE "\(.*\)"/\1/p' src/host/apply/apply.h)
pending=$(sed -n 's/^#define PT_REBUILD_PENDING "\(.*\)"/\1/p' src/host/apply/apply.h)
for f in Makefile packaging/debian/passthrough.prerm packaging/rpm/passthrough.spec \
	packaging/alpine/passthrough.pre-deinstall; do
	check "$f names apply's state files (/$applied, /$pending)" \
		bash -c '[ -n "$1" ] && [ "${1%/*}" = "${2%/*}" ] && grep -q "/${1%/*}\b" "$0" &&
			grep -q "/${1##*/}\b" "$0" && grep -q "/${2##*/}\b" "$0"' "$f" "$applied" "$pending"
done
for d in debian fedora alpine; do
	make --no-print-directory -s BUILD="$BUILD" DESTDIR="$TAP_TMP/$d" DISTRO=$d uninstall >/dev/null 2>&1
	check "make uninstall DISTRO=$d leaves only the admin's config" \
		bash -c '[ "$(cd "$0" && find . -type f)" = "./etc/passthrough.conf" ]' "$TAP_TMP/$d"
done
tap_end
exit $((TAP_FAILED > 0))
