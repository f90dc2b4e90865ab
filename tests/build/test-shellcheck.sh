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
tap_end
exit $((TAP_FAILED > 0))
