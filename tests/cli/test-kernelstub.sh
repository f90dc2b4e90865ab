#!/usr/bin/env bash
# apply on Pop!_OS with the real kernelstub (pop-os/kernelstub,
# ../shared/field-tools): apply edits user.kernel_options of the fake
# root's /etc/kernelstub/configuration; then kernelstub runs for real, as
# update-initramfs's zz-kernelstub hook runs it (`kernelstub --verbose
# --preserve-live-mode`), in a chroot whose / and /boot/efi are loop ext4
# images (no vfat here: kernelstub takes any filesystem) and whose /usr is
# this machine's, read-only. The loader entries it writes on the ESP are
# what is checked, for the installer's one-line layout and for the
# indented one kernelstub saves itself; undo must give the configuration
# back byte for byte. What stands in: the kernels and initrds (random
# bytes), and efibootmgr is absent (kernelstub logs it and goes on).
# Without the field tools, loop devices or python3-debian each case is
# skipped. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/kernel.sh"
fetch_kernel >/dev/null
FT=${FIELD_TOOLS:-$TOP/../shared/field-tools}
KS=$FT/pop/kernelstub
cd "$TAP_TMP" || exit 1

CASES=("installer's layout: both loader entries get the arguments"
	"installer's layout: --undo gives the configuration back byte for byte, entries without them"
	"kernelstub's own layout (indented): both entries get the arguments"
	"kernelstub's own layout: --undo gives the configuration back byte for byte"
	"an option the admin has stays theirs; a configuration kernelstub cannot read is refused")
skip_all() {
	for c in "${CASES[@]}"; do check "kernelstub: $c # skip $1" true; done
	tap_end
	exit 0
}
[ -f "$KS/bin/kernelstub" ] || skip_all "no $KS (FIELD_TOOLS)"
/usr/bin/python3 -c 'import debian' 2>/dev/null || skip_all "no python3-debian"
{ command -v losetup >/dev/null && losetup -f >/dev/null 2>&1 && unshare -m true 2>/dev/null; } ||
	skip_all "no loop device or mount namespace here"

NEW=6.9.3-76060903-generic OLD=6.8.0-76060800-generic
# The configuration distinst (the Pop!_OS installer) writes
INSTALLER='{
  "default": {
    "kernel_options": ["quiet", "splash"],
    "esp_path": "/boot/efi",
    "setup_loader": false,
    "manage_mode": false,
    "force_update": false,
    "live_mode": false,
    "config_rev": 3
  },
  "user": {
    "kernel_options": ["quiet", "loglevel=0", "systemd.show_status=false", "splash"],
    "esp_path": "/boot/efi",
    "setup_loader": true,
    "manage_mode": true,
    "force_update": false,
    "live_mode": false,
    "config_rev": 3
  }
}'

pop_root() { # NAME CONFIGURATION-FILE: the captured machine as Pop!_OS
	local r=$1
	rm -rf "$r"
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	mkdir -p "$r/lib" "$r/etc/modprobe.d" "$r/etc/kernelstub" "$r/usr/bin"
	ln -s "$KROOT/lib/modules" "$r/lib/modules"
	printf 'NAME="Pop!_OS"\nID=pop\nID_LIKE="ubuntu debian"\nVERSION_ID="22.04"\n' >"$r/etc/os-release"
	: >"$r/usr/bin/kernelstub"
	cp "$2" "$r/etc/kernelstub/configuration"
	printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' \
		>"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
}
pt() { local r=$1; shift; "$PT" --sysfs "$r/sys" --root "$r" "$@"; }

# kernelstub_run CONFIGURATION OUT: the real kernelstub on a fresh Pop!_OS
# root and ESP; OUT gets the loader entries' options lines (sorted by
# entry) and the configuration kernelstub saved.
kernelstub_run() {
	local conf=$1 out=$2 w
	w=$(mktemp -d "$TAP_TMP/ks.XXXXXX")
	mkdir -p "$w/root"/{usr,proc,sys,dev,tmp,opt,boot/efi/EFI,etc/kernelstub,var/log}
	for d in bin lib lib64 sbin; do ln -s "usr/$d" "$w/root/$d"; done
	printf 'NAME="Pop!_OS"\nID=pop\nID_LIKE="ubuntu debian"\nPRETTY_NAME="Pop!_OS 22.04 LTS"\nVERSION_ID="22.04"\n' \
		>"$w/root/etc/os-release"
	for v in $NEW $OLD; do head -c 4096 /dev/urandom >"$w/root/boot/vmlinuz-$v"; echo "initrd $v" >"$w/root/boot/initrd.img-$v"; done
	ln -s "vmlinuz-$NEW" "$w/root/boot/vmlinuz" && ln -s "initrd.img-$NEW" "$w/root/boot/initrd.img"
	ln -s "vmlinuz-$OLD" "$w/root/boot/vmlinuz.old" && ln -s "initrd.img-$OLD" "$w/root/boot/initrd.img.old"
	cp "$conf" "$w/root/etc/kernelstub/configuration"
	cp -a "$KS/." "$w/root/opt/kernelstub/"
	mkfs.ext4 -q -F -d "$w/root" "$w/root.img" 64M >/dev/null 2>&1 &&
		mkfs.ext4 -q -F "$w/esp.img" 16M >/dev/null 2>&1 || return 1
	local rl el
	rl=$(losetup -f --show "$w/root.img") || return 1
	el=$(losetup -f --show "$w/esp.img") || { losetup -d "$rl"; return 1; }
	unshare -m bash -c '
		set -e
		W=$0 RL=$1 EL=$2 M=$0/m
		mount --make-rprivate /
		mkdir -p "$M" && mount "$RL" "$M"
		mount --bind -o ro /usr "$M/usr" && mount -o remount,bind,ro "$M/usr"
		mount -t proc proc "$M/proc" && mount --bind /sys "$M/sys" && mount --bind /dev "$M/dev"
		mount "$EL" "$M/boot/efi"
		chroot "$M" /usr/bin/env -i PATH=/usr/sbin:/usr/bin PYTHONPATH=/opt/kernelstub \
			/usr/bin/python3 /opt/kernelstub/bin/kernelstub --verbose --preserve-live-mode
		for e in "$M"/boot/efi/loader/entries/*.conf; do
			echo "${e##*/} $(grep "^options" "$e")"
		done >"$W/entries"
		cp "$M/etc/kernelstub/configuration" "$W/saved"
		umount "$M/boot/efi"' "$w" "$rl" "$el" >"$w.log" 2>&1
	local rc=$?
	losetup -d "$el"; losetup -d "$rl"
	[ $rc -eq 0 ] && cp "$w/entries" "$out" && cp "$w/saved" "$out.saved"
}

# entries_have FILE ARGS: both Pop_OS entries, each options line with ARGS
# ("" for none of ours) after the admin's options
entries_have() {
	local f=$1 args=$2
	[ "$(wc -l <"$f")" = 2 ] || return 1
	while read -r name line; do
		case $name in Pop_OS-current.conf | Pop_OS-oldkern.conf) ;; *) return 1 ;; esac
		case $line in
		*"quiet loglevel=0 systemd.show_status=false splash${args:+ $args}") ;;
		*) echo "$name: $line"; return 1 ;;
		esac
	done <"$f"
}

export -f entries_have

cycle() { # NAME CONFIGURATION: apply, kernelstub; undo, kernelstub
	local r=$1
	pop_root "$r" "$2"
	pt "$r" apply >"$r.apply" 2>&1
	grep -q "would run  update-initramfs -u -k all" "$r.apply" || echo "apply: $(cat "$r.apply")" >"$r.problem"
	kernelstub_run "$r/etc/kernelstub/configuration" "$r.after" || echo "kernelstub failed" >>"$r.problem"
	pt "$r" apply --undo >"$r.undo" 2>&1
	kernelstub_run "$r/etc/kernelstub/configuration" "$r.undone" || echo "kernelstub failed" >>"$r.problem"
}

printf '%s\n' "$INSTALLER" >installer.json
cycle pop installer.json
check "kernelstub: ${CASES[0]}" bash -c '[ ! -e pop.problem ] && entries_have pop.after "intel_iommu=on iommu=pt" ||
	{ cat pop.problem pop.after ks.*.log 2>/dev/null; exit 1; }'
check "kernelstub: ${CASES[1]}" bash -c 'cmp installer.json pop/etc/kernelstub/configuration &&
	! test -e pop/etc/kernelstub/configuration.passthrough-backup && entries_have pop.undone ""'
# kernelstub saved its configuration (json.dump, indented) after undo: the admin's
# file from now on. The same cycle on it.
cp pop.undone.saved saved.json
cycle pop2 saved.json
check "kernelstub: ${CASES[2]}" bash -c 'grep -q "\"kernel_options\": \[$" saved.json && [ ! -e pop2.problem ] &&
	entries_have pop2.after "intel_iommu=on iommu=pt" || { cat pop2.problem pop2.after 2>/dev/null; exit 1; }'
check "kernelstub: ${CASES[3]}" bash -c 'cmp saved.json pop2/etc/kernelstub/configuration && entries_have pop2.undone ""'

# The admin's intel_iommu=on stays theirs (apply adds only what is
# missing); a file kernelstub's json.load would reject is refused with
# its line, nothing written.
sed 's/"splash"\]/"splash", "intel_iommu=on"]/' installer.json >admin.json
pop_root popadm admin.json
pt popadm apply >popadm.out 2>&1
printf '{\n  "user": {\n    "kernel_options": ["quiet",\n' >broken.json
pop_root popbad broken.json
pt popbad apply >popbad.out 2>&1
check "kernelstub: ${CASES[4]}" bash -c '
	grep -q "\"kernel_options\": \[\"quiet\", \"loglevel=0\", \"systemd.show_status=false\", \"splash\", \"intel_iommu=on\", \"iommu=pt\"\]" popadm/etc/kernelstub/configuration &&
	grep -q "kernel arguments: iommu=pt (were: none)" popadm.out &&
	grep -q "refused    /etc/kernelstub/configuration line 4: a value was expected" popbad.out &&
	cmp broken.json popbad/etc/kernelstub/configuration || { cat popadm.out popbad.out; exit 1; }'
tap_end
exit $((TAP_FAILED > 0))
