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
tap_end
exit $((TAP_FAILED > 0))
