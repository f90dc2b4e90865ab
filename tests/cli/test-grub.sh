#!/usr/bin/env bash
# The GRUB drop-in (grub/passthrough.cfg) run by Debian's real
# grub-mkconfig, as update-grub runs it: apply on a fake Debian root, then
# grub-mkconfig in a private mount namespace whose /etc/default,
# /var/lib/passthrough and /boot are the fake root's, with `passthrough`
# in PATH. What stands in: grub-probe (this container's / and /boot are no
# disk grub knows; it answers a fixed device and UUID). The grub.cfg it
# writes is what is checked. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
cd "$TAP_TMP" || exit 1

if ! command -v grub-mkconfig >/dev/null || ! unshare -m true 2>/dev/null; then
	for name in "normal entries get apply's arguments" "recovery entries do not" \
		"an edit never applied changes nothing" "none after --undo" \
		"Alpine with GRUB: /etc/default/grub's arguments reach the entries" \
		"Alpine with GRUB: none after --undo"; do
		check "grub-mkconfig: $name # skip no grub-mkconfig (grub-common) or no mount namespace" true
	done
	tap_end
	exit 0
fi

r=deb
cp -a "$TOP/tests/fixtures/qemu" "$r"
echo "$KVER" >"$r/proc/sys/kernel/osrelease"
mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/default/grub.d" "$r/usr/sbin" "$r/boot/grub" \
	"$r/var/lib/passthrough" shim
ln -s "$KROOT/lib/modules" "$r/lib/modules"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' >"$r/etc/os-release"
: >"$r/usr/sbin/update-grub"
: >"$r/boot/vmlinuz-$KVER"
printf 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=Debian\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=ttyS0"\n' \
	>"$r/etc/default/grub"
cp "$TOP/grub/passthrough.cfg" "$r/etc/default/grub.d/"
printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' >"$r/etc/passthrough.conf"
chmod 0644 "$r/etc/passthrough.conf"
# the stand-in for grub-probe, and `passthrough` as installed
grub_probe_standin shim/grub-probe
printf '#!/bin/sh\nexec "%s" "$@"\n' "$PT" >shim/passthrough
chmod +x shim/grub-probe shim/passthrough

mkconfig() { # the linux lines of the grub.cfg grub-mkconfig writes for the root
	local abs; abs=$(cd "$r" && pwd)
	rm -f "$r/boot/grub/grub.cfg"
	# /var/lib as a whole: the host's has no passthrough/ to bind over
	unshare -m bash -c 'mount --make-rprivate / && mount --bind "$0/etc/default" /etc/default &&
		mount --bind "$0/var/lib" /var/lib &&
		mount --bind "$0/boot" /boot && mount --bind "$1/grub-probe" /usr/sbin/grub-probe &&
		PATH="$1:$PATH" grub-mkconfig -o /boot/grub/grub.cfg' "$abs" "$PWD/shim" >"$r.mkconfig" 2>&1
	grep -P '^\s*linux\s' "$r/boot/grub/grub.cfg"
}
export -f mkconfig
export r PT

check "grub-mkconfig: before apply, no argument of ours" \
	bash -c '! mkconfig | grep -q intel_iommu'
"$PT" --sysfs "$r/sys" --root "$r" apply >/dev/null 2>&1
check "grub-mkconfig: normal entries get apply's arguments" \
	bash -c 'mkconfig | grep -v single | grep -q "console=ttyS0 quiet intel_iommu=on iommu=pt$" || { cat "$r.mkconfig"; exit 1; }'
check "grub-mkconfig: recovery entries do not" \
	bash -c 'mkconfig | grep single | grep -vq intel_iommu'
echo "bogus = 1" >>"$r/etc/passthrough.conf"
check "grub-mkconfig: an edit never applied changes nothing" \
	bash -c 'mkconfig | grep -v single | grep -q "quiet intel_iommu=on iommu=pt$"'
sed -i '/^bogus/d' "$r/etc/passthrough.conf"
"$PT" --sysfs "$r/sys" --root "$r" apply --undo >/dev/null 2>&1
check "grub-mkconfig: none after --undo" \
	bash -c '! mkconfig | grep -q intel_iommu'

# Alpine installed for UEFI: no drop-in (its grub-mkconfig has no grub.d),
# apply edits GRUB_CMDLINE_LINUX_DEFAULT itself. Debian's grub-mkconfig
# reads /etc/default/grub as upstream's does.
r=alp
cp -a "$TOP/tests/fixtures/qemu" "$r"
echo "$KVER" >"$r/proc/sys/kernel/osrelease"
mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/mkinitfs" "$r/etc/default" "$r/boot/grub" "$r/var/lib"
ln -s "$KROOT/lib/modules" "$r/lib/modules"
printf 'NAME="Alpine Linux"\nID=alpine\n' >"$r/etc/os-release"
: >"$r/boot/vmlinuz-lts"
printf 'GRUB_TIMEOUT=2\nGRUB_DISTRIBUTOR="Alpine"\nGRUB_CMDLINE_LINUX_DEFAULT="modules=sd-mod,ext4 quiet"\n' \
	>"$r/etc/default/grub"
echo 'features="ata base ext4"' >"$r/etc/mkinitfs/mkinitfs.conf"
printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' >"$r/etc/passthrough.conf"
chmod 0644 "$r/etc/passthrough.conf"
export r
"$PT" --sysfs "$r/sys" --root "$r" apply >"$r.apply" 2>&1
check "grub-mkconfig: Alpine with GRUB: /etc/default/grub's arguments reach the entries" \
	bash -c 'mkconfig | grep -v single | grep -q "modules=sd-mod,ext4 quiet intel_iommu=on iommu=pt$" ||
		{ cat "$r.apply" "$r.mkconfig"; exit 1; }'
"$PT" --sysfs "$r/sys" --root "$r" apply --undo >/dev/null 2>&1
check "grub-mkconfig: Alpine with GRUB: none after --undo" \
	bash -c '! mkconfig | grep -q intel_iommu'
tap_end
exit $((TAP_FAILED > 0))
