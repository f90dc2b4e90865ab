#!/usr/bin/env bash
# The shell glue that runs at boot and at initramfs build time, and the
# test scripts, pass shellcheck (settings and the reasons for them:
# .shellcheckrc). Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
for f in hooks/passthrough.* dracut/90passthrough/*.sh mkinitfs/passthrough-init grub/passthrough.cfg \
	build-aux/*.sh tests/*.sh tests/*/*.sh; do
	check "shellcheck $f" shellcheck "$f"
done
# mkinitcpio's: the build hook and drop-in are sourced by its bash, the
# runtime hook by busybox ash (#!/usr/bin/ash, which shellcheck does not know)
check "shellcheck mkinitcpio/install/passthrough" shellcheck -s bash mkinitcpio/install/passthrough
check "shellcheck mkinitcpio/passthrough.conf" shellcheck -s bash mkinitcpio/passthrough.conf
check "shellcheck mkinitcpio/hooks/passthrough" shellcheck -s dash mkinitcpio/hooks/passthrough
# What the packages run: the .deb's maintainer scripts and Alpine's
# (sh), the APKBUILD (sourced by abuild: its variables are abuild's, set
# there and read there), and the bash completion.
for f in packaging/debian/passthrough.prerm packaging/debian/passthrough.postrm \
	packaging/alpine/passthrough.pre-deinstall; do
	check "shellcheck $f" shellcheck -s sh "$f"
done
check "shellcheck packaging/alpine/APKBUILD (abuild's variables aside)" \
	shellcheck -s sh -e SC2034,SC2154 packaging/alpine/APKBUILD
check "shellcheck completions/passthrough" shellcheck -s bash completions/passthrough
# run-all.sh runs each suite as a program: one without +x dies with 126.
check "every test suite script is executable" \
	bash -c 'for f in tests/*/test-*.sh; do [ -x "$f" ] || { echo "$f is not executable"; exit 1; }; done'
tap_end
exit $((TAP_FAILED > 0))
