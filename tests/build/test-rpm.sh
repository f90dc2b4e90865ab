#!/usr/bin/env bash
# packaging/rpm/passthrough.spec: rpmbuild makes a package of the release
# tarball (make dist) that holds exactly what `make install DISTRO=fedora`
# installs with the spec's dirs, the config as %config(noreplace), and a
# preun scriptlet that takes back `passthrough apply` on erase. rpmlint,
# when installed, finds no error. Skipped (never passed) without rpmbuild.
# Output: TAP.
set -uo pipefail
# A builder starts from a clean environment, not inside make check's make.
unset MAKEFLAGS MAKELEVEL MFLAGS
BUILD=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
SPEC=packaging/rpm/passthrough.spec

if ! command -v rpmbuild >/dev/null || ! command -v rpmspec >/dev/null; then
	check "rpm package # skip rpmbuild not installed (Debian: rpm)" true
	tap_end
	exit 0
fi

VERSION=$(sed -n 's/^#define PT_VERSION "\(.*\)"/\1/p' src/core/version.h)
TARBALL=$BUILD/passthrough-$VERSION.tar.gz
check "the spec's Version is the program's ($VERSION)" \
	same "$(rpmspec -q --srpm --qf '%{VERSION}' "$SPEC" 2>/dev/null)" "$VERSION"
# A git checkout makes the tarball afresh; an unpacked tarball has none
# to make, and uses the one in BUILD.
if [ -e .git ]; then
	check "make dist writes the release tarball" make --no-print-directory -s BUILD="$BUILD" dist
fi
check "the release tarball is there: $TARBALL" test -s "$TARBALL"

R=$TAP_TMP/rpm
mkdir -p "$R/SOURCES" && cp "$TARBALL" "$R/SOURCES/" 2>/dev/null
# Without the network where a namespace can be made (root): a build that
# downloads fails here as it would in Fedora's builders.
NONET=(unshare -n)
unshare -n true 2>/dev/null || NONET=()
rpm_build() {
	# --nodeps: Debian's rpmbuild checks BuildRequires against the rpm
	# database, which is empty here (the libraries are dpkg's), so it
	# would refuse every one of them.
	# __brp_compress: Debian's brp-compress is a bash script (read -d)
	# started by /bin/sh, which is dash there: it fails without stopping
	# the build and the man pages stay uncompressed. With bash, as on
	# Fedora (where /bin/sh is bash), they are gzipped.
	# A make above this test (make check) or a BUILD in the environment
	# must not reach the spec's make.
	env -u BUILD -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		"${NONET[@]}" rpmbuild -bb --nodeps --define "_topdir $R" \
			--define '__brp_compress /bin/bash %{_rpmconfigdir}/brp-compress %{?_prefix}' \
			"$SPEC" >"$TAP_TMP/rpmbuild.log" 2>&1 && return 0
	{ grep -E '^(error|warning): ' "$TAP_TMP/rpmbuild.log" | head -n 8; grep -vE '^(Requires|Provides)' "$TAP_TMP/rpmbuild.log" | tail -n 10; }
	return 1
}
check "rpmbuild -bb builds the spec from the tarball${NONET[*]:+, without network}" rpm_build
RPM=$(find "$R/RPMS" -name "passthrough-$VERSION-*.rpm" 2>/dev/null | head -n 1)
check "the package is written: RPMS/*/passthrough-$VERSION-*.rpm" test -f "$RPM"
# Nothing more to look at without it.
[ -f "$RPM" ] || { tap_end; exit 1; }

# The files of the package, "MODE PATH" (directories left out), against
# those of make install with the dirs the spec's %install passes (read
# from the parsed spec, so whatever this rpm's macros say). Left out of
# the package's list: what rpm adds itself (build-id links, %doc,
# %license); man pages lose the .gz rpm gave them.
rpm -qp --qf '[%{FILEMODES:octal} %{FILENAMES}\n]' "$RPM" 2>/dev/null |
	awk '$1 !~ /^40/' |
	grep -v -e ' /usr/lib/\.build-id/' -e ' /usr/share/doc/passthrough' -e ' /usr/share/licenses/passthrough' |
	sed -E 's/^10([0-7]{4}) /\1 /; s/^0([0-7]{3}) /\1 /; s/^12[0-7]{4} /link /; s,^([0-9]+ /usr/share/man/.*)\.gz$,\1,' |
	LC_ALL=C sort >"$TAP_TMP/rpm.list"
mapfile -t DIRS < <(rpmspec -P "$SPEC" 2>/dev/null |
	grep -oE '\b(PREFIX|SBINDIR|SYSCONFDIR|MANDIR|DRACUTDIR|UDEVRULESDIR|SYSTEMDUNITDIR)=[^[:space:]]+')
check "%install passes every dir to make install (${#DIRS[@]} of 7)" same "${#DIRS[@]}" 7
D=$TAP_TMP/make-install
make --no-print-directory -s BUILD="$BUILD" DESTDIR="$D" DISTRO=fedora "${DIRS[@]}" install >/dev/null 2>&1
(cd "$D" && find . -type f -printf '%m /%P\n' -o -type l -printf 'link /%P\n') | LC_ALL=C sort >"$TAP_TMP/make.list"
check "make install DISTRO=fedora installs files ($(wc -l <"$TAP_TMP/make.list"))" test -s "$TAP_TMP/make.list"
check "the package's files and modes are make install DISTRO=fedora's" \
	diff -u "$TAP_TMP/make.list" "$TAP_TMP/rpm.list"
rpm -qlp "$RPM" >"$TAP_TMP/files" 2>&1
check "it holds the dracut module and its dracut.conf.d file" \
	bash -c 'grep -qx "$1/modules.d/90passthrough/module-setup.sh" "$0" &&
		grep -qx "$1/modules.d/90passthrough/passthrough-pre-udev.sh" "$0" &&
		grep -qx "$1/modules.d/90passthrough" "$0" &&
		grep -qx "$1/dracut.conf.d/90-passthrough.conf" "$0"' "$TAP_TMP/files" /usr/lib/dracut
check "README.md is %doc, LICENSE %license" \
	bash -c 'rpm -qp --docfiles "$0" | grep -q "/README\.md$" &&
		rpm -qp --licensefiles "$0" | grep -q "/LICENSE$"' "$RPM"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM" 2>/dev/null | grep '^c' >"$TAP_TMP/config"
check "the only config file is /etc/passthrough.conf, %config(noreplace)" \
	same "$(cat "$TAP_TMP/config")" "cn /etc/passthrough.conf"
rpm -qp --requires "$RPM" >"$TAP_TMP/requires" 2>&1
check "it requires libkmod (found by rpm in the binaries)" contains "$TAP_TMP/requires" "libkmod.so.2"
check "it requires dracut" grep -qx 'dracut' "$TAP_TMP/requires"

# The erase scriptlets. The state files are the ones apply writes.
rpm -qp --scripts "$RPM" >"$TAP_TMP/scripts" 2>&1
check "apply's state files are /var/lib/passthrough/applied and rebuild-pending (src/host/apply)" \
	bash -c 'grep -q "\"var/lib/passthrough/applied\"" src/host/apply/*.h &&
		grep -q "\"var/lib/passthrough/rebuild-pending\"" src/host/apply/*.h'
check "preun runs 'passthrough apply --undo' on erase when apply changed the boot" \
	bash -c 'rpm -qp --qf "%{PREUN}" "$0" | tr -s " \n" " " |
		grep -qF "if [ \"\$1\" -eq 0 ] && { [ -e /var/lib/passthrough/applied ] || [ -e /var/lib/passthrough/rebuild-pending ]; }; then if ! /usr/sbin/passthrough apply --undo; then"' "$RPM"
check "rpm -qp --scripts shows it" contains "$TAP_TMP/scripts" "/usr/sbin/passthrough apply --undo"
for s in PREUN POSTUN; do
	rpm -qp --qf "%{$s}" "$RPM" >"$TAP_TMP/$s.sh" 2>/dev/null
	check "the $s scriptlet is valid sh (sh -n)" sh -n "$TAP_TMP/$s.sh"
done
# The scriptlets run, with their two paths moved into a scratch root and
# a passthrough that records its arguments (and fails when told to).
S=$TAP_TMP/root
mkdir -p "$S/sbin" "$S/state"
printf '#!/bin/sh\necho "$*" >>"%s/calls"\n[ ! -e "%s/fail" ]\n' "$S" "$S" >"$S/sbin/passthrough"
chmod +x "$S/sbin/passthrough"
for s in PREUN POSTUN; do
	sed -e "s,/usr/sbin/passthrough,$S/sbin/passthrough,g; s,/var/lib/passthrough,$S/state,g" \
		"$TAP_TMP/$s.sh" >"$S/$s.sh"
done
scriptlet() { sh "$S/$1.sh" "$2" 2>/dev/null; }
: >"$S/state/applied"
scriptlet PREUN 1
check "preun on upgrade (\$1 = 1) runs nothing" test ! -e "$S/calls"
scriptlet PREUN 0
check "preun on erase with the state file runs apply --undo" same "$(cat "$S/calls" 2>/dev/null)" "apply --undo"
rm -f "$S/calls" "$S/state/applied"
scriptlet PREUN 0
check "preun on erase without the state file runs nothing" test ! -e "$S/calls"
: >"$S/state/rebuild-pending"
scriptlet PREUN 0
check "preun on erase with an unfinished rebuild (rebuild-pending) runs apply --undo" \
	same "$(cat "$S/calls" 2>/dev/null)" "apply --undo"
scriptlet POSTUN 0
check "postun on erase keeps the state folder while the rebuild is pending" test -e "$S/state/rebuild-pending"
rm -f "$S/calls" "$S/state/rebuild-pending"
: >"$S/state/applied"
: >"$S/fail"
check "preun fails (rpm keeps the package) when the undo fails" bash -c '! sh "$0" 0 2>/dev/null' "$S/PREUN.sh"
scriptlet POSTUN 0
check "postun on erase keeps the state folder while an undo is owed" test -e "$S/state/applied"
rm -f "$S/state/applied"
: >"$S/state/initramfs.conf"
scriptlet POSTUN 1
check "postun on upgrade keeps the state folder" test -e "$S/state/initramfs.conf"
scriptlet POSTUN 0
check "postun on erase, the undo done, removes the state folder" test ! -e "$S/state"

# Where systemd-rpm-macros defines them (Fedora), the unit's scriptlets
# are there; here they stand in as markers.
rpmspec -P --define 'systemd_post() SYSTEMD_POST %{?*}' --define 'systemd_preun() SYSTEMD_PREUN %{?*}' \
	--define 'systemd_postun() SYSTEMD_POSTUN %{?*}' "$SPEC" >"$TAP_TMP/parsed" 2>&1
for m in SYSTEMD_POST SYSTEMD_PREUN SYSTEMD_POSTUN; do
	check "with Fedora's systemd macros: $m passthrough-hotplug.service" \
		grep -qx "$m passthrough-hotplug.service" "$TAP_TMP/parsed"
done

if command -v rpmlint >/dev/null; then
	# rpmlint as Fedora configures it (rpmlint's configs/Fedora/fedora.toml),
	# for what Debian's defaults report otherwise: man pages are gzipped,
	# and these findings are filtered there too. no-signature: packages
	# are signed by the distribution's release tooling, not by rpmbuild.
	# no-packager-tag, no-group-tag, no-buildroot-tag: tags Fedora's
	# guidelines leave out. hardcoded-library-path: /usr/lib/dracut and
	# /usr/lib/udev are the same on every architecture (not %{_libdir}).
	cat >"$TAP_TMP/fedora.toml" <<-'EOF'
		CompressExtension = "gz"
		Filters = [
		    ' no-signature',
		    ' no-packager-tag',
		    '.*no-group-tag.*',
		    '.*no-buildroot-tag.*',
		    'hardcoded-library-path',
		]
	EOF
	rpmlint -c "$TAP_TMP/fedora.toml" "$SPEC" "$RPM" >"$TAP_TMP/rpmlint" 2>&1
	check "rpmlint: no error in the spec or the package" \
		bash -c 'grep -q "checked;" "$0" && ! grep -E ": E: " "$0"' "$TAP_TMP/rpmlint"
	grep -E ': W: ' "$TAP_TMP/rpmlint" | sed 's/^/# rpmlint /'
else
	check "rpmlint # skip rpmlint not installed" true
fi
tap_end
exit $((TAP_FAILED > 0))
