#!/usr/bin/env bash
# apply on Fedora and RHEL with the real grubby (grubby-bls, Fedora's
# /usr/sbin/grubby, from ../shared/field-tools): apply runs on a fake root,
# where its commands only "would run"; each grubby command of its --json
# is then run for real, in a private mount namespace whose /boot,
# /etc/kernel and /etc/default are the fake root's. The boot entries are
# what is checked: apply -> a config change -> undo gives them back byte
# for byte, on Fedora's BLS entries and on RHEL 8's ($kernelopts in
# grubenv); and an admin's value grubby would replace is refused. Without
# the field tools every case is skipped, never passed. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
FT=${FIELD_TOOLS:-$TOP/../shared/field-tools}
GRUBBY=$FT/fedora/grubby/grubby-bls
cd "$TAP_TMP" || exit 1

skip_all() {
	for name in "fedora: the entries get the arguments" "fedora: a config change replaces ours only" \
		"fedora: --undo gives the entries back byte for byte" "rhel 8: the arguments go to grubenv's kernelopts" \
		"rhel 8: --undo gives grubenv and the entries back" "the admin's intel_iommu=on,sm_on survives: apply refuses"; do
		check "$name # skip $1" true
	done
	tap_end
	exit 0
}
[ -f "$GRUBBY" ] || skip_all "no $GRUBBY (FIELD_TOOLS)"
command -v grub-editenv >/dev/null || skip_all "no grub-editenv (grub-common)"
{ [ -f /etc/machine-id ] && unshare -m true 2>/dev/null; } || skip_all "no private mount namespace or /etc/machine-id here"

# grubby-bls calls grub2-editenv, Fedora's name for grub-editenv
mkdir -p bin && ln -sf "$(command -v grub-editenv)" bin/grub2-editenv

# fedora_root NAME STYLE: the captured machine as a Fedora host whose
# /boot has two kernels' BLS entries; STYLE literal (options written out,
# Fedora 30+) or kernelopts (options $kernelopts, grubenv: RHEL 8).
fedora_root() {
	local r=$1 style=$2 mid base="root=UUID=2b1c7a0e ro rhgb quiet"
	mid=$(cat /etc/machine-id)
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	sed -i 's/ intel_iommu=on//' "$r/proc/cmdline"
	mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/kernel" "$r/etc/default" "$r/usr/sbin" \
		"$r/boot/loader/entries" "$r/boot/grub2"
	ln -s "$KROOT/lib/modules" "$r/lib/modules"
	printf 'NAME="Fedora Linux"\nID=fedora\n' >"$r/etc/os-release"
	: >"$r/usr/sbin/grubby"
	for v in 6.11.4-301.fc41.x86_64 6.12.5-200.fc41.x86_64; do
		: >"$r/boot/vmlinuz-$v"
		{
			echo "title Fedora Linux ($v) 41"
			echo "version $v"
			echo "linux /vmlinuz-$v"
			echo "initrd /initramfs-$v.img"
			if [ "$style" = kernelopts ]; then echo "options \$kernelopts"; else echo "options $base"; fi
			echo "grub_class fedora"
		} >"$r/boot/loader/entries/$mid-$v.conf"
	done
	grub-editenv "$r/boot/grub2/grubenv" create
	[ "$style" != kernelopts ] || grub-editenv "$r/boot/grub2/grubenv" set "kernelopts=$base"
	printf 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="rhgb quiet"\nGRUB_ENABLE_BLSCFG=true\n' \
		>"$r/etc/default/grub"
	printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' \
		>"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
}

# step ROOT [ARGS]: apply --json on the fake root, then its grubby commands
# for real with the root's /boot, /etc/kernel and /etc/default
step() {
	local r=$1 abs; shift
	abs=$(cd "$r" && pwd)
	"$PT" --sysfs "$r/sys" --root "$r" apply --json "$@" >"$r.json" 2>"$r.err"
	python3 -c 'import json, shlex, sys
for c in json.load(open(sys.argv[1]))["commands"]:
    if c["argv"][0] == "grubby": print(" ".join(shlex.quote(a) for a in c["argv"][1:]))' "$r.json" |
	while IFS= read -r line; do
		eval "set -- $line"
		unshare -m bash -c 'mount --make-rprivate / && mount --bind "$0/boot" /boot &&
			mount --bind "$0/etc/kernel" /etc/kernel && mount --bind "$0/etc/default" /etc/default &&
			PATH="$1:$PATH" bash "$2" "${@:3}"' "$abs" "$PWD/bin" "$GRUBBY" "$@" \
			>>"$r.grubby" 2>&1 || echo "grubby failed: $*" >>"$r.grubby"
	done
}
options() { grep -h '^options' "$1"/boot/loader/entries/*.conf | sort -u; }
kernelopts() { grub-editenv "$1/boot/grub2/grubenv" list | sed -n 's/^kernelopts=//p'; }
export -f options kernelopts

fedora_root fed literal && cp -a fed fed.orig
step fed
check "fedora: the entries get the arguments" \
	bash -c '[ "$(options fed)" = "options root=UUID=2b1c7a0e ro rhgb quiet intel_iommu=on iommu=pt" ] || { options fed; cat fed.grubby; exit 1; }'
sed -i 's/^iommu = intel/iommu = intel\niommu_pt = no/' fed/etc/passthrough.conf
step fed
check "fedora: a config change replaces ours only" \
	bash -c '[ "$(options fed)" = "options root=UUID=2b1c7a0e ro rhgb quiet intel_iommu=on" ] || { options fed; exit 1; }'
step fed --undo
check "fedora: --undo gives the entries back byte for byte" \
	bash -c 'diff -r fed.orig/boot fed/boot && diff fed.orig/etc/default/grub fed/etc/default/grub'

fedora_root rhel kernelopts && cp -a rhel rhel.orig
step rhel
check "rhel 8: the arguments go to grubenv's kernelopts" \
	bash -c '[ "$(kernelopts rhel)" = "root=UUID=2b1c7a0e ro rhgb quiet intel_iommu=on iommu=pt" ] || { kernelopts rhel; cat rhel.grubby; exit 1; }'
step rhel --undo
check "rhel 8: --undo gives grubenv and the entries back" \
	bash -c '[ "$(kernelopts rhel)" = "root=UUID=2b1c7a0e ro rhgb quiet" ] && diff -r rhel.orig/boot/loader rhel/boot/loader'

# Issue 24: grubby replaces every value of a name; apply refuses instead.
fedora_root sm literal
sed -i 's/^options .*/& intel_iommu=on,sm_on/' sm/boot/loader/entries/*.conf && cp -a sm sm.orig
step sm
check "the admin's intel_iommu=on,sm_on survives: apply refuses" \
	bash -c 'grep -q "intel_iommu=on,sm_on" sm.json && diff -r sm.orig/boot sm/boot && [ ! -s sm.grubby ]'
tap_end
exit $((TAP_FAILED > 0))
