#!/usr/bin/env bash
# The bash completion, completions/passthrough: driven as bash drives it
# (COMP_WORDS split at COMP_WORDBREAKS, COMP_CWORD, COMP_LINE, COMP_POINT)
# on a fake root, with bash-completion's helpers and without them; and
# held against the program, both ways, so the two cannot drift apart:
# every command, sub-command, option and --output column it offers the
# program takes, and everything the program's usage names it offers.
# Never reads the real /sys or /etc: every case names a fake root, or
# offers nothing read from the machine. Output: TAP.
# Usage: test-completion.sh [BUILD] (default build)
set -uo pipefail
BUILD=$(cd "${1:-build}" && pwd)
. "$(dirname "$0")/../lib/tap.sh"
cd "$(dirname "$0")/../.." || exit 1
PT=$BUILD/passthrough
BC=/usr/share/bash-completion/bash_completion
[ -f "$BC" ] || BC=

# --- the fake machine -------------------------------------------------------
ROOT=$TAP_TMP/root
pci() { # pci SYSFS ADDRESS VENDOR DEVICE CLASS
	local d=$1/bus/pci/devices/$2
	mkdir -p "$d"
	echo "0x$3" >"$d/vendor"
	echo "0x$4" >"$d/device"
	echo "0x$5" >"$d/class"
}
pci "$ROOT/sys" 0000:01:00.0 8086 10d3 020000 # two NICs of one ID
pci "$ROOT/sys" 0000:02:00.0 8086 10d3 020000
pci "$ROOT/sys" 0000:00:04.0 1b36 000d 0c0330 # a USB controller
mkdir -p "$ROOT/sys/class/block/sda" "$ROOT/sys/class/block/nvme0n1" "$ROOT/etc"
cat >"$ROOT/etc/passthrough.conf" <<'EOF'
; [device.commented] is no rule
[global]
iommu = auto

[device.gpu]
address = 0000:01:00.0

  [device.usb-ctrl]
ids = 1b36:000d
EOF
OTHER=$TAP_TMP/other.conf
printf '[device.vm-disk]\ndisk = /dev/sda\n' >"$OTHER"
SYS2=$TAP_TMP/sys2 # what --sysfs names wins over ROOT/sys
pci "$SYS2" 0000:05:00.0 10de 1b80 030000
FILES=$TAP_TMP/files
mkdir -p "$FILES/subdir"
touch "$FILES/passthrough.conf" "$FILES/pci.ids"
mkdir -p "$TAP_TMP/bin" "$TAP_TMP/nobin" "$TAP_TMP/empty" "$TAP_TMP/probe"
printf '#!/bin/sh\n[ "$*" = "list --all --name" ] && printf "win10\\nubuntu-vm\\n\\n"\n' >"$TAP_TMP/bin/virsh"
chmod +x "$TAP_TMP/bin/virsh"
# the stand-in, never the machine's virsh and its libvirt
export PATH="$TAP_TMP/bin:$PATH"

# --- the driver ---------------------------------------------------------------
# drive.sh MODE LINE, in bash --norc: sources bash-completion (MODE bc)
# or not (MODE plain), then completions/passthrough, and calls the function
# `complete -p passthrough` names as bash would with the cursor at the end
# of LINE. Prints each reply as the word it makes once readline puts it
# in, which replaces only what follows the word's last COMP_WORDBREAKS
# character: "show 0000:0" and the reply 01:00.0 make 0000:01:00.0.
# DRIVE_PATH, when set, is the PATH the function runs with.
cat >"$TAP_TMP/drive.sh" <<'EOF'
mode=$1 line=$2
if [ "$mode" = bc ]; then
	. /usr/share/bash-completion/bash_completion || exit 1
	declare -F _init_completion >/dev/null || { echo "no _init_completion" >&2; exit 1; }
fi
. completions/passthrough || exit 1
spec=$(complete -p passthrough) || exit 1
func=${spec#*-F }
func=${func%% *}
# COMP_WORDS as bash makes them: split at blanks, and each run of the
# other COMP_WORDBREAKS characters (: =) a word of its own.
COMP_WORDS=() w="" wt=""
for ((i = 0; i < ${#line}; i++)); do
	ch=${line:i:1}
	if [[ $ch == [[:blank:]] ]]; then
		[ -n "$w" ] && COMP_WORDS+=("$w")
		w="" wt=""
		continue
	fi
	if [[ $COMP_WORDBREAKS == *"$ch"* ]]; then t=break; else t=text; fi
	if [ -n "$w" ] && [ "$t" != "$wt" ]; then
		COMP_WORDS+=("$w")
		w=""
	fi
	w+=$ch wt=$t
done
COMP_WORDS+=("$w")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line COMP_POINT=${#line} COMP_TYPE=9 COMP_KEY=9
# readline's word: what follows the last blank, and in it the last break
tok=${line##*[[:blank:]]}
text=$tok
for ((i = ${#tok} - 1; i >= 0; i--)); do
	if [[ $COMP_WORDBREAKS == *"${tok:i:1}"* ]]; then
		text=${tok:i+1}
		break
	fi
done
COMPREPLY=()
[ -n "${DRIVE_PATH-}" ] && PATH=$DRIVE_PATH
"$func" passthrough "$text" "${COMP_WORDS[COMP_CWORD - 1]}"
for r in "${COMPREPLY[@]}"; do
	printf '%s\n' "${tok%"$text"}$r"
done
EOF

M=plain
# comp LINE: the words completing LINE makes in mode $M, sorted, on one line.
comp() {
	bash --norc "$TAP_TMP/drive.sh" "$M" "$1" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # skip $2"; }
# offers "REPLIES" WORD...: each WORD is among the replies; offers_not: none.
offers() {
	local w
	for w in "${@:2}"; do
		[[ " $1 " == *" $w "* ]] || { echo "'$w' is not offered; offered: $1"; return 1; }
	done
}
offers_not() {
	local w
	for w in "${@:2}"; do
		[[ " $1 " != *" $w "* ]] || { echo "'$w' is offered: $1"; return 1; }
	done
}
# tc NAME LINE PREDICATE ARGS...: check "NAME (mode)" PREDICATE "$(comp LINE)" ARGS...
tc() {
	local name="$1 ($M)" line=$2 got
	shift 2
	if [ "$M" = bc ] && [ -z "$BC" ]; then
		skip "$name" "bash-completion not installed"
		return
	fi
	got=$(comp "$line")
	check "$name" "$1" "$got" "${@:2}"
}

# --- the cases, with bash-completion and without ------------------------------
for M in bc plain; do
	if [ "$M" = bc ] && [ -z "$BC" ]; then
		skip "complete -p passthrough names _passthrough ($M)" "bash-completion not installed"
		skip "bash-completion's on-demand loader finds completions/passthrough ($M)" \
			"bash-completion not installed"
	elif [ "$M" = bc ]; then
		check "complete -p passthrough names _passthrough ($M)" same \
			"$(bash --norc -c '. "$0" && . completions/passthrough && complete -p passthrough' "$BC")" \
			"complete -F _passthrough passthrough"
		# the file name is the one __load_completion looks for
		mkdir -p "$TAP_TMP/user/completions" && cp completions/passthrough "$TAP_TMP/user/completions/"
		check "bash-completion's on-demand loader finds completions/passthrough ($M)" same \
			"$(BASH_COMPLETION_USER_DIR=$TAP_TMP/user bash --norc -c \
				'. "$0" && __load_completion passthrough && complete -p passthrough' "$BC")" \
			"complete -F _passthrough passthrough"
	else
		check "complete -p passthrough names _passthrough, without bash-completion ($M)" same \
			"$(bash --norc -c '. completions/passthrough && ! declare -F _init_completion >/dev/null &&
				complete -p passthrough')" "complete -F _passthrough passthrough"
	fi

	# commands
	tc "the commands after 'passthrough '" "passthrough " offers list show check status cmdline \
		hostdev bind unbind generate apply initramfs-config disks disk luks guest-mounts add remove \
		doctor help
	tc "no option among the commands" "passthrough " offers_not --json --root -c
	tc "'passthrough ap' is apply" "passthrough ap" same apply
	tc "'passthrough di' is disk and disks" "passthrough di" same "disk disks"
	tc "'passthrough help ap': the commands after help" "passthrough help ap" same apply
	tc "disk's sub-commands" "passthrough disk " same "attach attached detach xml"
	tc "luks's sub-commands" "passthrough luks " same "backup-header inspect qmp"

	# options: the global ones, and each command's own
	tc "the global options before a command" "passthrough -" same \
		"--config --help --json --pci-ids --root --sysfs --verbose --version -c -h -v"
	tc "'passthrough --r' is --root" "passthrough --r" same --root
	tc "apply's options, and the global ones" "passthrough apply --" offers --dry-run --undo --json \
		--detailed-exitcodes --distro --config --root --sysfs --pci-ids
	tc "apply offers no other command's option (doctor's --domain)" "passthrough apply --" offers_not \
		--domain --error --format --slot --output --guest-bus
	tc "doctor's options" "passthrough doctor --" offers --domain --error --json --root
	tc "doctor offers no --dry-run" "passthrough doctor --" offers_not --dry-run --undo
	tc "hostdev's options, and no --json (it has no JSON form)" "passthrough hostdev --" same \
		"--config --format --guest-bus --help --pci-ids --root --sysfs --verbose --version"
	tc "list's options, lspci's and lsblk's letters too" "passthrough list -" offers -s -d -o -r -P -n \
		-l -J --json --slot --ids --output --raw --pairs --noheadings --list
	tc "list offers no --dry-run" "passthrough list -" offers_not --dry-run --distro --domain
	tc "cmdline's options" "passthrough cmdline --" offers --applied --format --json
	tc "guest-mounts' options" "passthrough guest-mounts --" offers --key-file --mountpoint
	tc "bind takes only the global options" "passthrough bind -" same \
		"--config --help --pci-ids --root --sysfs --verbose --version -c -h -v"
	tc "disk xml: --target --bus --domain, not --live" "passthrough disk xml --" offers --target --bus --domain
	tc "disk detach: --live --persistent, not --target" "passthrough disk detach --" same \
		"--config --help --live --pci-ids --persistent --root --sysfs --verbose --version"
	tc "luks qmp: its options, not --json" "passthrough luks qmp --" same \
		"--config --data --header --help --node --pci-ids --root --secret-file --secret-id --sysfs --verbose --version"
	tc "options after the command's argument too" "passthrough remove gpu --d" same --dry-run

	# option values
	tc "cmdline --format" "passthrough cmdline --format " same "extlinux grub plain"
	tc "hostdev --format" "passthrough hostdev --format " same "libvirt qemu virt-install"
	tc "apply --distro" "passthrough apply --distro " offers auto debian ubuntu fedora alpine arch
	tc "disk xml --bus" "passthrough disk xml --bus " same "sata scsi virtio"
	tc "doctor --error: - for standard input" "passthrough doctor --error " same -

	# PCI devices, from the sysfs the line names
	tc "--root ROOT show 0000:0: the fake root's addresses" "passthrough --root $ROOT show 0000:0" same \
		"0000:00:04.0 0000:01:00.0 0000:02:00.0"
	tc "show: addresses and the ID only one device has" "passthrough --root $ROOT show " same \
		"0000:00:04.0 0000:01:00.0 0000:02:00.0 1b36:000d"
	tc "bind 0000:01: one address" "passthrough --root $ROOT bind 0000:01" same 0000:01:00.0
	tc "--root=ROOT (one word) and the option after the command" "passthrough unbind --root=$ROOT 0000:02" \
		same 0000:02:00.0
	tc "--sysfs wins over --root" "passthrough --sysfs $SYS2 --root $ROOT show 0000:" same 0000:05:00.0
	tc "--sysfs alone" "passthrough --sysfs $ROOT/sys doctor 0000:00" same 0000:00:04.0
	tc "show 1b: the USB controller's ID" "passthrough --root $ROOT show 1b" same 1b36:000d
	tc "add 8086: no ID two devices share (the program refuses it)" "passthrough --root $ROOT add 8086" \
		same ""
	tc "add takes one device" "passthrough --root $ROOT add 0000:01:00.0 " same ""
	tc "doctor --domain VM: no device besides" "passthrough --root $ROOT doctor --domain vm1 " same ""
	tc "list -d: every ID" "passthrough --root $ROOT list -d " same "1b36:000d 8086:10d3"
	tc "list -d 8086:" "passthrough --root $ROOT list -d 8086:" same 8086:10d3
	tc "list --ids=1b" "passthrough --root $ROOT list --ids=1b" same --ids=1b36:000d
	tc "list -s 02: as lspci writes it" "passthrough --root $ROOT list -s 02" same 02:00.0
	tc "show -s0000:01 (the value in the option's word)" "passthrough --root $ROOT show -s0000:01" same \
		-s0000:01:00.0

	# rule names, from the config the line names
	tc "--root ROOT remove: the rules of ROOT/etc/passthrough.conf" "passthrough --root $ROOT remove " same \
		"gpu usb-ctrl"
	tc "hostdev u: a rule" "passthrough --root $ROOT hostdev u" same usb-ctrl
	tc "--config FILE remove: that file's rules" "passthrough --config $OTHER remove " same vm-disk
	tc "-c FILE wins over --root" "passthrough --root $ROOT -c $OTHER remove " same vm-disk
	tc "remove takes one rule" "passthrough --root $ROOT remove gpu " same ""

	# --output columns
	tc "list -o: list's columns" "passthrough list -o " same \
		"CLASS DEVICE DRIVER FLAGS GROUP ID NAME RESET SELECTED USES"
	tc "list -o +: the +COL form" "passthrough list -o +" same \
		"+CLASS +DEVICE +DRIVER +FLAGS +GROUP +ID +NAME +RESET +SELECTED +USES"
	tc "list -o DEVICE,G: after a comma" "passthrough list -o DEVICE,G" same DEVICE,GROUP
	tc "list --output=+dr" "passthrough list --output=+dr" same --output=+DRIVER
	tc "disks -o: disks' columns" "passthrough disks -o " same \
		"CONTROLLER GROUP LABEL MODEL NAME SIZE TYPE USES UUID"

	# files, directories, block devices
	tc "--config completes files" "passthrough --config $FILES/" same \
		"$FILES/passthrough.conf $FILES/pci.ids $FILES/subdir"
	tc "--config=FILE" "passthrough --config=$FILES/pa" same "--config=$FILES/passthrough.conf"
	tc "--pci-ids completes files" "passthrough --pci-ids $FILES/pc" same "$FILES/pci.ids"
	tc "--root completes directories only" "passthrough --root $FILES/" same "$FILES/subdir"
	tc "--sysfs completes directories only" "passthrough list --sysfs $FILES/s" same "$FILES/subdir"
	tc "disk xml: the block devices of the fake root" "passthrough --root $ROOT disk xml /dev/" same \
		"/dev/nvme0n1 /dev/sda"
	tc "guest-mounts /dev/s" "passthrough --root $ROOT guest-mounts /dev/s" same /dev/sda

	# libvirt domains: from virsh (a stand-in here), nothing without it
	tc "doctor --domain: virsh's domains" "passthrough doctor --domain " same "ubuntu-vm win10"
	tc "disk attach: a domain first" "passthrough disk attach w" same win10
	tc "disk attach VM: then a block device" "passthrough --root $ROOT disk attach win10 /dev/n" same \
		/dev/nvme0n1
	tc "disk attached: a domain" "passthrough disk attached " same "ubuntu-vm win10"
done

# the virsh cases above ran with the stand-in first in PATH; the one below
# without any virsh (DRIVE_PATH)
for M in bc plain; do
	if [ "$M" = bc ] && [ -z "$BC" ]; then
		skip "doctor --domain without virsh: nothing ($M)" "bash-completion not installed"
		continue
	fi
	check "doctor --domain without virsh: nothing ($M)" same \
		"$(DRIVE_PATH=$TAP_TMP/nobin comp "passthrough doctor --domain ")" ""
done

# --- the completion against the program, both ways ----------------------------
# Once, in the real case when bash-completion is here. The program runs in
# an empty directory on an empty root, with five arguments more than any
# command takes: a usage error before it reads or writes anything.
M=plain
[ -z "$BC" ] || M="bc"
EMPTY=$TAP_TMP/empty
pt() { "$PT" --root "$EMPTY" "$@"; }
probe() { (cd "$TAP_TMP/probe" && pt "$@" x x x x x 2>&1); }
pt --help >"$TAP_TMP/usage" 2>&1
check "passthrough --help lists the commands" contains "$TAP_TMP/usage" "Commands (passthrough COMMAND --help"
# The synopsis lines, a continuation line joined to its command's.
awk '/^Commands/ { on = 1; next } on && /^$/ { exit }
	on && /^   / { line = line $0; next } on { if (line != "") print line; line = $0 }
	END { if (line != "") print line }' "$TAP_TMP/usage" >"$TAP_TMP/synopses"
read -ra offered <<<"$(comp "passthrough ")"

# known: the program knows command $1: its help is its own, and run it
# does not say "unknown command".
known() {
	local out
	if [ "$1" = help ]; then
		pt help list | head -1 | grep -qF "Usage: passthrough [OPTIONS] list" && return 0
		echo "passthrough help list is not list's usage"; return 1
	fi
	out=$(pt "$1" --help 2>&1) || { echo "passthrough $1 --help: $out"; return 1; }
	[[ $out == "Usage: passthrough [OPTIONS] $1"* ]] || { echo "not $1's usage: $out"; return 1; }
	out=$(probe "$1")
	[[ $out != *"unknown command"* ]] || { echo "$out"; return 1; }
}
fails() { ! "$@"; }
check "a word the program does not know fails that check (the check can fail)" fails known no-such-command
for c in "${offered[@]}"; do
	check "offered command '$c' is known to the program" known "$c"
done
while read -r c _; do
	check "the usage's command '$c' is offered" offers "${offered[*]}" "$c"
done < <(awk '{ print $1 }' "$TAP_TMP/synopses" | uniq)
for c in disk luks; do
	read -ra subs <<<"$(comp "passthrough $c ")"
	check "$c: each sub-command offered is in the usage" bash -c '
		for s in "${@:2}"; do grep -q "^  $0 $s " "$1" || { echo "$0 $s is not in the usage"; exit 1; }; done' \
		"$c" "$TAP_TMP/synopses" "${subs[@]}"
	mapfile -t usage_subs < <(awk -v c="$c" '$1 == c { print $2 }' "$TAP_TMP/synopses")
	check "$c: each sub-command of the usage is offered" offers "${subs[*]}" "${usage_subs[@]}"
done

# taken CMD [SUB] -- OPTION...: the program takes each OPTION after CMD
# (an option that takes a value gets 01:00, a slot and an ID to -s and -d).
taken() {
	local words=() out o
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	for o in "$@"; do
		out=$(probe "${words[@]}" "$o" 01:00)
		case $out in
		*"does not take"* | *"unknown option"* | *"has no --json output"* | *"unknown command"*)
			echo "passthrough ${words[*]} $o: $out"; return 1 ;;
		esac
	done
}
check "an option apply does not take fails that check (the check can fail)" fails taken apply -- --domain
for c in "${offered[@]}"; do
	[ "$c" = help ] && continue
	forms=("$c")
	case $c in disk | luks) read -ra subs <<<"$(comp "passthrough $c ")"
		for s in "${subs[@]}"; do forms+=("$c $s"); done ;;
	esac
	for f in "${forms[@]}"; do
		read -ra opts <<<"$(comp "passthrough $f -")"
		# shellcheck disable=SC2086 # f is a command and its sub-command
		check "every option offered after '$f' is taken by the program" taken $f -- "${opts[@]}"
	done
done
# Each synopsis's options, and the values it lists (--format a|b|c), are
# offered after its command (and sub-command).
while read -r line; do
	read -ra w <<<"$line"
	f=${w[0]}
	case $f in disk | luks) f="$f ${w[1]}" ;; esac
	mapfile -t opts < <(grep -oE -- '(^|[^[:alnum:]-])--?[[:alpha:]][[:alnum:]-]*' <<<"$line" | sed 's/^[^-]//')
	[ ${#opts[@]} -gt 0 ] || continue
	check "the usage's options of '$f' are offered" offers "$(comp "passthrough $f -")" "${opts[@]}"
	while read -r o vals; do
		# shellcheck disable=SC2086 # the values, split at |
		check "the usage's values of '$f $o' are offered" offers "$(comp "passthrough $f $o ")" ${vals//|/ }
	done < <(grep -oE -- '--[a-z-]+ [a-z][a-z-]*(\|[a-z][a-z-]*)+' <<<"$line")
done <"$TAP_TMP/synopses"
# The options the usage gives every command: before a command, and after
# each (--json only before: after, its commands' own).
mapfile -t globals < <(awk '/^Options:/ { on = 1; next } on && /^$/ { exit }
	on && /^ +-/ && !/  list, / { for (i = 1; i <= NF && $i ~ /^-/; i++) { o = $i; sub(/,$/, "", o); print o } }' \
	"$TAP_TMP/usage")
check "the usage names global options (-c, --root, --version)" offers "${globals[*]}" -c --root --version
check "the usage's global options are offered before a command" offers "$(comp "passthrough -")" "${globals[@]}"
mapfile -t everywhere < <(printf '%s\n' "${globals[@]}" | grep -vx -- --json)
for c in "${offered[@]}"; do
	[ "$c" = help ] && continue
	check "the usage's global options are offered after '$c'" offers "$(comp "passthrough $c -")" \
		"${everywhere[@]}"
done
# The --output columns: those of passthrough --help.
for t in list disks; do
	cols=$(awk -v t="$t" '$0 == "Columns of " t " --output:" { on = 1; next } /^Columns/ { on = 0 }
		on { print $1 }' "$TAP_TMP/usage" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
	check "$t -o offers the columns of passthrough --help" same "$(comp "passthrough $t -o ")" "$cols"
done

check "shellcheck completions/passthrough" shellcheck -s bash completions/passthrough
tap_end
exit $((TAP_FAILED > 0))
