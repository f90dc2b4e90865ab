#!/usr/bin/env bash
# apply on Alpine with the real update-extlinux (aports' script, from
# ../shared/field-tools): apply edits the fake root's
# /etc/update-extlinux.conf; update-extlinux then runs for real in a
# chroot over an overlay of this machine (changes go to the overlay) with
# that file and a /boot holding a kernel and its initramfs, and the APPEND
# line of the /boot/extlinux.conf it writes is what is checked: quoted,
# unquoted (with backslash escapes) and escaped-quote values, after apply
# and after --undo. What stands in: the syslinux .c32 modules it copies
# (empty files: they are not read) and the kernel files; /boot is no ext
# filesystem here, so it does not run `extlinux --update`. Without the
# field tools each case is skipped. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
FT=${FIELD_TOOLS:-$TOP/../shared/field-tools}
UE=$FT/alpine/update-extlinux
cd "$TAP_TMP" || exit 1

CASES=(quoted unquoted escaped)
if [ ! -f "$UE" ] || ! unshare -m true 2>/dev/null; then
	for c in "${CASES[@]}"; do
		check "update-extlinux, $c value: APPEND after apply # skip no $UE or no mount namespace" true
		check "update-extlinux, $c value: APPEND after --undo # skip no $UE or no mount namespace" true
	done
	tap_end
	exit 0
fi

# alpine_root NAME OPTS-LINE: the captured machine as an Alpine host
alpine_root() {
	local r=$1
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/mkinitfs"
	ln -s "$KROOT/lib/modules" "$r/lib/modules"
	printf 'NAME="Alpine Linux"\nID=alpine\n' >"$r/etc/os-release"
	printf 'overwrite=1\n%s\nmodules=sd-mod,ext4\nroot=UUID=6a3c4b9e\n' "$2" >"$r/etc/update-extlinux.conf"
	echo 'features="ata base ext4"' >"$r/etc/mkinitfs/mkinitfs.conf"
	printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' \
		>"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
}

# append ROOT: update-extlinux for the root's update-extlinux.conf; the
# kernel's APPEND line
append() {
	local r=$1 w=$TAP_TMP/$1.ue
	rm -rf "$w" && mkdir -p "$w"
	unshare -m bash -c '
		set -e
		W=$0 UE=$1 R=$2
		mount --make-rprivate /
		mkdir -p "$W/up" "$W/wk" "$W/m" && M=$W/m
		mount -t overlay overlay -o lowerdir=/,upperdir="$W/up",workdir="$W/wk" "$M"
		mount -t tmpfs tmpfs "$M/boot" && mount -t tmpfs tmpfs "$M/tmp"
		: >"$M/boot/vmlinuz-lts" && : >"$M/boot/initramfs-lts"
		mkdir -p "$M/usr/share/syslinux"
		for c in libutil libcom32 mboot menu vesamenu; do : >"$M/usr/share/syslinux/$c.c32"; done
		cp "$R/etc/update-extlinux.conf" "$M/etc/update-extlinux.conf"
		install -m 0755 "$UE" "$M/usr/sbin/update-extlinux"
		mount -t proc proc "$M/proc"
		chroot "$M" /usr/sbin/update-extlinux --warn-only
		cp "$M/boot/extlinux.conf" "$W/extlinux.conf"' "$w" "$UE" "$PWD/$r" >"$w.log" 2>&1
	grep -m1 '^  APPEND root=' "$w/extlinux.conf"
}
pt_in() { local r=$1; shift; "$PT" --sysfs "$r/sys" --root "$r" "$@"; }
export -f append pt_in
export PT UE TAP_TMP

# NAME | the line in update-extlinux.conf | APPEND before | APPEND after apply
while IFS='|' read -r root line before after; do
	alpine_root "$root" "$line"
	export root before after
	check "update-extlinux, $root value: APPEND after apply" \
		bash -c 'pt_in "$root" apply >"$root.out" 2>&1 && [ "$(append "$root")" = "$after" ] ||
			{ append "$root"; cat "$root.out" "$TAP_TMP/$root.ue.log"; exit 1; }'
	check "update-extlinux, $root value: APPEND after --undo" \
		bash -c 'pt_in "$root" apply --undo >/dev/null 2>&1 && [ "$(append "$root")" = "$before" ]'
done <<'CASES'
quoted|default_kernel_opts="quiet rootfstype=ext4"|  APPEND root=UUID=6a3c4b9e modules=sd-mod,ext4 quiet rootfstype=ext4|  APPEND root=UUID=6a3c4b9e modules=sd-mod,ext4 quiet rootfstype=ext4 intel_iommu=on iommu=pt
unquoted|default_kernel_opts=quiet\ rootfstype=ext4|  APPEND root=UUID=6a3c4b9e modules=sd-mod,ext4 quiet rootfstype=ext4|  APPEND root=UUID=6a3c4b9e modules=sd-mod,ext4 quiet rootfstype=ext4 intel_iommu=on iommu=pt
escaped|default_kernel_opts="quiet acpi_osi=\"Windows 2015\""|  APPEND root=UUID=6a3c4b9e modules=sd-mod,ext4 quiet acpi_osi="Windows 2015"|  APPEND root=UUID=6a3c4b9e modules=sd-mod,ext4 quiet acpi_osi="Windows 2015" intel_iommu=on iommu=pt
CASES
tap_end
exit $((TAP_FAILED > 0))
