#!/usr/bin/env bash
# The host tool on copies of the tree captured from the QEMU topology
# (tests/fixtures/qemu), each changed to show one case: golden outputs in
# tests/golden (UPDATE_GOLDEN=1 rewrites them), JSON checked with Python's
# parser, exit codes, and the bind/unbind paths on the fake tree.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
cd "$TAP_TMP" || exit 1

# new_root NAME: a copy of the captured tree, with a module index in which
# vfio_pci and pci_stub are built in (nothing is ever loaded), and an empty
# config owned by root with mode 0644.
new_root() {
	local r=$1 rel
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	rel=$(cat "$r/proc/sys/kernel/osrelease")
	mkdir -p "$r/lib/modules/$rel" "$r/etc"
	printf '%s\n' kernel/drivers/vfio/pci/vfio-pci.ko kernel/drivers/vfio/vfio_iommu_type1.ko \
		kernel/drivers/pci/pci-stub.ko >"$r/lib/modules/$rel/modules.builtin"
	: >"$r/lib/modules/$rel/modules.order"
	depmod -b "$r" "$rel" 2>/dev/null
	# write-only in sysfs, so not captured
	for d in "$r"/sys/bus/pci/drivers/*/; do : >"$d/unbind"; done
	: >"$r/sys/bus/pci/drivers_probe"
	: >"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
}
conf() { cat >"$1/etc/passthrough.conf"; }
# applied ROOT: the config as if `passthrough apply` had applied it before
# this boot: generate's checked config and an apply state that set no
# argument (status judges what was applied, issue 25).
applied() {
	"$PT" --pci-ids "$TOP/tests/fixtures/pci.ids" --sysfs "$1/sys" --root "$1" generate >/dev/null 2>&1
	mkdir -p "$1/var/lib/passthrough" && echo "cmdline" >"$1/var/lib/passthrough/applied"
}
pt() { # pt ROOT ARGS...
	local r=$1; shift
	"$PT" --pci-ids "$TOP/tests/fixtures/pci.ids" --sysfs "$r/sys" --root "$r" "$@"
}
# set_driver ROOT BDF DRIVER|"": moves a device to another driver.
set_driver() {
	local dev
	dev=$(readlink -f "$1/sys/bus/pci/devices/$2")
	rm -f "$dev/driver"
	[ -n "$3" ] || return 0
	mkdir -p "$1/sys/bus/pci/drivers/$3"
	ln -s "$(realpath --relative-to="$dev" "$1/sys/bus/pci/drivers/$3")" "$dev/driver"
}
# set_group ROOT BDF N
set_group() {
	local dev
	dev=$(readlink -f "$1/sys/bus/pci/devices/$2")
	mkdir -p "$1/sys/kernel/iommu_groups/$3"
	rm -f "$dev/iommu_group"
	ln -s "$(realpath --relative-to="$dev" "$1/sys/kernel/iommu_groups/$3")" "$dev/iommu_group"
}


# --- list --------------------------------------------------------------
new_root base
golden list-plain pt base list
golden list-json pt base list --json
json list '[x["address"] for x in d["devices"]][:2] == ["0000:00:00.0", "0000:00:01.0"] and d["iommu"] and len(d["devices"]) == 11' pt base list --json
# Issue 17: lspci's -s and -d; --root alone implies its sys/.
check "show -s 02:00 (lspci's form) shows the slot's device" \
	bash -c '"$0" --pci-ids "$1" --root base show -s 02:00 | grep -q "^  0000:02:00.0 "' "$PT" "$TOP/tests/fixtures/pci.ids"
check "list -d 8086:10d3 lists only the two NICs" \
	bash -c '[ "$("$0" --root base list -d 8086:10d3 | grep -c "^  0000:")" = 2 ]' "$PT"
check "show without a device names what it needs (exit 2)" \
	bash -c '"$0" --root base show 2>err; [ $? = 2 ] && grep -q "name one device" err' "$PT"

# list as a table, lsblk's way (libsmartcols): columns, raw, pairs, JSON.
golden list-table pt base list -o DEVICE,GROUP,CLASS,ID,DRIVER,RESET,FLAGS,USES,NAME
golden list-table-pairs pt base list -P -o DEVICE,DRIVER,ID
golden list-table-bad-column pt base list -o DEVICE,BOGUS
json list-table '[c["device"] for g in d["devices"] for c in g.get("children", [])][:2] == ["0000:00:00.0", "0000:00:01.0"]' pt base list --json -o DEVICE,DRIVER
# Issue 11: device strings reach the terminal escaped. A USB stick whose
# product string clears the screen and fakes a line of our output.
new_root evil
p=$(readlink -f evil/sys/bus/usb/devices/2-1)/product
rm -f "$p" && printf '\033[2J\033[HStick\n      * selected by [device.x]\n' >"$p"
pt evil list >evil.out 2>&1
check "list: a USB product string cannot send escapes or fake a line" \
	bash -c '! grep -q "$(printf "\033")" evil.out && ! grep -q "^      \* selected by \[device.x\]" evil.out &&
		grep -qF "device 2   \x1b[2J\x1b[HStick\x0a      * selected by [device.x] [46f4:0001]" evil.out'
pt evil list -o DEVICE,NAME >evil-table.out 2>&1
check "list -o: libsmartcols encodes the product string, once" \
	bash -c '! grep -q "$(printf "\033")" evil-table.out &&
		grep -qF "usb 2-2    \x1b[2J\x1b[HStick\x0a      * selected by [device.x]" evil-table.out'
json list-table-evil '[u["name"] for g in d["devices"] for c in g.get("children", []) for u in c.get("children", []) if u["device"] == "usb 2-2"] == ["\x1b[2J\x1b[HStick\n      * selected by [device.x]"]' pt evil list --json -o DEVICE,NAME
json list-evil '[u["name"] for x in d["devices"] for b in x["usb_buses"] for u in b["devices"]] == ["\x1b[2J\x1b[HStick\n      * selected by [device.x]"]' pt evil list --json
# Issue 22: a right-to-left override (U+202E) in the product string
# reordered the line in list and show; every format character is escaped.
new_root rlo
p=$(readlink -f rlo/sys/bus/usb/devices/2-1)/product
rm -f "$p" && printf 'Stick \342\200\256gnp.exe\n' >"$p"
pt rlo list >rlo-list.out 2>&1
pt rlo show 00:04.0 >rlo-show.out 2>&1
pt rlo list -o DEVICE,NAME >rlo-table.out 2>&1
check "list and show: a bidi override in a USB product string is shown as \\u202e" \
	bash -c 'for f in rlo-list.out rlo-show.out rlo-table.out; do
		! grep -q "$(printf "\342\200\256")" "$f" || exit 1; done
		grep -qF "Stick \u202egnp.exe" rlo-list.out && grep -qF "Stick \u202egnp.exe" rlo-show.out'
json list-usb-and-disks 'next(x for x in d["devices"] if x["address"] == "0000:00:04.0")["usb_buses"][1]["devices"][0]["vendor"] == "46f4" and next(x for x in d["devices"] if x["address"] == "0000:00:05.0")["disks"][0]["uses"] == ["mounted", "crypt-open"]' pt base list --json
check "list: names fall back to numbers without pci.ids" \
	bash -c '"$0" --pci-ids /nonexistent --sysfs base/sys --root base list | grep -q "Device 10d3 \[8086:10d3\]"' "$PT"

new_root marked
conf marked <<'CONF'
[device.nic]
address = 01:00.0
ids = 8086:10d3

[device.usb]
class = 0x0c03

[device.gone]
ids = dead:beef
CONF
golden list-with-config pt marked list
json list-selected 'next(x for x in d["devices"] if x["address"] == "0000:01:00.0")["selected"] == {"rule": "nic", "line": 1, "driver": "vfio-pci", "verdict": "bind", "reason": None}' pt marked list --json

new_root noiommu
rm -rf noiommu/sys/kernel/iommu_groups
find noiommu/sys/devices -name iommu_group -type l -delete
sed -i 's/AuthenticAMD/GenuineIntel/' noiommu/proc/cpuinfo
golden list-no-iommu pt noiommu list
json list-no-iommu '(not d["iommu"]) and d["iommu_argument"] == "intel_iommu=on"' pt noiommu list --json

new_root hostsel
conf hostsel <<'CONF'
[device.stick]
usb = 46f4:0001

[device.bus2]
usb_bus = 2

[device.vault]
disk = /dev/sda2

[device.nothing]
usb = dead:beef
disk = /dev/sdz
CONF
golden list-host-selectors pt hostsel list
json host-selectors '[(x["address"], x["selected"]["rule"]) for x in d["devices"] if x["selected"]] == [("0000:00:04.0", "stick"), ("0000:00:05.0", "vault")]' pt hostsel list --json

# --- show ----------------------------------------------------------------
golden show-nic pt base show 01:00.0
golden show-chipset-sata pt base show 0000:00:1f.2
golden show-ambiguous-id pt base show 8086:10d3
golden show-unknown pt base show 07:00.0
golden show-bad-spec pt base show ../etc
json show '(d["address"], d["reset_methods"], d["upstream"], d["upstream_acs"]) == ("0000:01:00.0", ["pm", "bus"], "0000:00:02.0", True)' pt base show 01:00.0 --json

# --- check ---------------------------------------------------------------
new_root ok
conf ok <<'CONF'
[device.nic]
address = 01:00.0
ids = 8086:10d3
CONF
golden check-clean pt ok check

new_root bad
conf bad <<'CONF'
[device.sata]
address = 00:05.0

[device.nics]
ids = 8086:10d3

[device.chipset]
address = 00:1f.2

[device.none]
ids = dead:beef
CONF
golden check-host-disk-chipset-ids pt bad check
golden check-json pt bad check --json
json check 'd["errors"] == 3 and sorted({f["code"] for f in d["findings"]}) == ["address-only", "chipset-group", "host-disk", "ids-ambiguous", "no-reset", "selects-nothing"]' pt bad check --json

new_root syntax
printf '[device.a]\naddres = 01:00.0\n[device.b]\nids = 8086:10d3 zz\n' | conf syntax
golden check-syntax pt syntax check

new_root vga
printf '[device.gpu]\nclass = 0x0300\n' | conf vga
golden check-boot-vga pt vga check
printf '[device.gpu]\nclass = 0x0300\nallow_boot_vga = yes\n' | conf vga
golden check-last-display pt vga check

new_root group
set_group group 0000:02:00.0 7
printf '[device.nic]\naddress = 01:00.0\n' | conf group
golden check-group-not-isolated pt group check
# Issue 25: a USB controller sharing its group with the SATA controller of
# the host's mounted disk: the fix says it cannot be passed in this slot,
# never "add them (group = N)", which leads into error[host-disk].
new_root usbsata
set_group usbsata 0000:00:05.0 4
set_group usbsata 0000:00:04.0 4
printf '[device.usb]\naddress = 00:04.0\nids = 1b36:000d\n' | conf usbsata
golden check-group-host-disk pt usbsata check
golden show-group-host-disk pt usbsata show 00:04.0
check "a group holding the host's disk: no fix proposes taking the group" \
	bash -c '"$0" --sysfs usbsata/sys --root usbsata check | grep -A1 "^error\[group-not-isolated\]" |
		grep -q "fix: this device cannot be passed in this slot: its group also holds the host.s disk (sd[a-z] behind 0000:00:05.0)" &&
		! "$0" --sysfs usbsata/sys --root usbsata check | grep -q "group = 4"' "$PT"
printf '[device.nic]\naddress = 01:00.0\nids = 8086:10d3\naccept = group-not-isolated\n[device.later]\naddress = 09:00.0\naccept = selects-nothing no-such-code\n' | conf group
golden check-accept pt group check

new_root route
printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' >route/proc/net/route
printf '[device.nic]\naddress = 01:00.0\n' | conf route
golden check-default-route pt route check

new_root rootdisk
echo "30 1 8:16 / / rw,relatime - ext4 /dev/sdb rw" >>rootdisk/proc/self/mountinfo
printf '[device.usb]\naddress = 00:04.0\n' | conf rootdisk
golden check-root-disk pt rootdisk check

new_root bootdisk
echo "30 1 8:16 / /boot rw,relatime - ext4 /dev/sdb rw" >>bootdisk/proc/self/mountinfo
printf '[device.usb]\naddress = 00:04.0\n' | conf bootdisk
golden check-boot-disk pt bootdisk check

new_root swap
printf 'Filename\tType\tSize\tUsed\tPriority\n/dev/sdb\tpartition\t16380\t0\t-2\n' >swap/proc/swaps
printf '[device.usb]\naddress = 00:04.0\n' | conf swap
golden check-swap pt swap check

new_root lvm
sed -i 's/^CRYPT-LUKS2-[0-9a-f]*-vault$/LVM-Xq3zQpXGdH0lKRxsGnXkE1EX7Xd1z2Y3a4b5c6d7e8f9g0h1i2j3k4l5m6n7o8p9/' \
	"$(readlink -f lvm/sys/block/dm-0)/dm/uuid"
echo vg0-data >"$(readlink -f lvm/sys/block/dm-0)/dm/name"
sed -i '/\/mnt\/data/d' lvm/proc/self/mountinfo
printf '[device.sata]\naddress = 00:05.0\n' | conf lvm
golden check-lvm pt lvm check

new_root builtin
rm builtin/sys/bus/pci/drivers/e1000e/module
printf '[device.nic]\naddress = 01:00.0\n' | conf builtin
golden check-builtin-driver pt builtin check

new_root noir
sed -i 's/ IR-/ /g' noir/proc/interrupts
printf '[device.nic]\naddress = 01:00.0\n' | conf noir
golden check-no-irq-remap pt noir check
printf '[global]\nunsafe_interrupts = yes\n[device.nic]\naddress = 01:00.0\n' | conf noir
golden check-no-irq-remap-allowed pt noir check

new_root novfio
rm -rf novfio/lib/modules
printf '[device.nic]\naddress = 01:00.0\n' | conf novfio
golden check-no-vfio-modules pt novfio check

# The kernel was given intel_iommu=on (the fixture's cmdline): the firmware
# is what is left. Without it: apply's first step sets it (test-apply.sh).
golden check-iommu-off bash -c 'printf "[device.nic]\naddress = 01:00.0\n" >"$0/etc/passthrough.conf"; "$1" --pci-ids "$2" --sysfs "$0/sys" --root "$0" check' noiommu "$PT" "$TOP/tests/fixtures/pci.ids"

cp -a noiommu noarg
echo "console=ttyS0 root=/dev/vda" >noarg/proc/cmdline
golden check-iommu-argument bash -c 'printf "[device.nic]\naddress = 01:00.0\n" >"$0/etc/passthrough.conf"; "$1" --pci-ids "$2" --sysfs "$0/sys" --root "$0" check' noarg "$PT" "$TOP/tests/fixtures/pci.ids"
# Debian builds its kernels to turn VT-d on without the argument
# (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF): off there is the firmware's.
mkdir -p noarg/boot
echo CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y >"noarg/boot/config-$(cat noarg/proc/sys/kernel/osrelease)"
check "check: a kernel built with VT-d on by default: the firmware is left" \
	bash -c '"$0" --sysfs noarg/sys --root noarg check 2>&1 | grep -q "error\[iommu-off\].*" &&
		"$0" --sysfs noarg/sys --root noarg check 2>&1 | grep -q "or on by default in its build"' "$PT"
rm -r noarg/boot
# intel_iommu= takes a list: "on" among others counts.
echo "console=ttyS0 intel_iommu=sm_on,on root=/dev/vda" >noarg/proc/cmdline
check "check: intel_iommu=sm_on,on counts as given: the firmware is left" \
	bash -c '"$0" --sysfs noarg/sys --root noarg check 2>&1 | grep -q "error\[iommu-off\].*" &&
		! "$0" --sysfs noarg/sys --root noarg check 2>&1 | grep -q iommu-argument' "$PT"

new_root perms
printf '[device.nic]\naddress = 01:00.0\n' | conf perms
chmod 0666 perms/etc/passthrough.conf
golden check-config-world-writable pt perms check
if [ "$(id -u)" = 0 ]; then
	chmod 0644 perms/etc/passthrough.conf
	chown 1000 perms/etc/passthrough.conf
	golden check-config-not-root pt perms check
else
	TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - golden: check-config-not-root # SKIP needs root to chown"
fi
new_root linked
printf '[device.nic]\naddress = 01:00.0\n' >linked/etc/real.conf && chmod 0644 linked/etc/real.conf
rm linked/etc/passthrough.conf && ln -s real.conf linked/etc/passthrough.conf
check "check: a config that is a symbolic link gets a note" \
	bash -c '"$0" --sysfs linked/sys --root linked check | tr -s " \n" "  " |
		grep -q "note\[config-symlink\]: linked/etc/passthrough.conf is a symbolic link fix: the initramfs gets a copy of the file it points to"' "$PT"
# Findings quote the config and the devices: escaped on the terminal, raw in JSON.
new_root escq
printf '[device.nic]\naddress = 01:00.0\nadr\033[2Jess = 1\n' | conf escq
pt escq check >escq.out 2>&1
check "check: a control character in a finding is escaped in text" \
	bash -c 'grep -qF "[device.nic] adr\x1b[2Jess: unknown key" escq.out && ! grep -q $'"'"'\033'"'"' escq.out'
json check-escape 'any(f["message"].startswith("[device.nic] adr\x1b[2Jess:") for f in d["findings"])' pt escq check --json
new_root vendor
printf '[global]\niommu = intel\n[device.nic]\naddress = 01:00.0\n' | conf vendor
golden check-iommu-vendor pt vendor check
# A rule that selects nothing says which key matched nothing; USB IDs
# given as ids point to usb =.
new_root nothing
printf '[device.stick]\nids = 46f4:0001\n[device.mixed]\naddress = 01:00.0\nids = 1b36:000d\n[device.gone]\nclass = 0x0c03\naddress = 07:00.0\n' | conf nothing
golden check-selects-nothing pt nothing check
# One exit-status table: --help, passthrough(8) and the README list the
# same statuses.
exit_statuses() { # SOURCE: the statuses its exit-status table lists
	case $1 in
	help) "$PT" --help | sed -n '/^Exit status/,/^$/p' | awk '$1 ~ /^[0-9]$/ {print $1}' ;;
	man) sed -n '/^\.SH EXIT STATUS/,/^\.SH FILES/p' "$TOP/man/passthrough.8" | awk '$1 == ".B" && $2 ~ /^[0-9]$/ {print $2}' ;;
	readme) sed -n '/^### Exit status/,/^### Findings/p' "$TOP/README.md" | awk -F'|' '$2 ~ /^ [0-9] $/ {gsub(/ /, "", $2); print $2}' ;;
	esac | tr '\n' ' '
}
export -f exit_statuses
export PT TOP
check "exit statuses: --help, passthrough(8) and the README list 0 to 7" \
	bash -c 'for s in help man readme; do [ "$(exit_statuses $s)" = "0 1 2 3 4 5 6 7 " ] || { echo "$s: $(exit_statuses $s)"; exit 1; }; done'
# SR-IOV rules: a device without SR-IOV, more VFs than it can make, and a
# physical function another rule binds.
new_root sriov
printf '2\n' >sriov/sys/bus/pci/devices/0000:02:00.0/sriov_totalvfs
printf '0\n' >sriov/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs
printf '[device.a]\naddress = 01:00.0\nids = 8086:10d3\nsriov_vfs = 2\n[device.b]\naddress = 02:00.0\nids = 8086:10d3\nsriov_vfs = 4\n' | conf sriov
golden check-sriov-errors pt sriov check
printf '[device.vfs]\naddress = 02:00.0\nids = 8086:10d3\nsriov_vfs = 2\nvfs = 1\n[device.pf]\naddress = 02:00.0\nids = 8086:10d3\n' | conf sriov
golden check-sriov-pf-bound pt sriov check
printf '[device.vfs]\naddress = 02:00.0\nids = 8086:10d3\nsriov_vfs = 2\n' | conf sriov
golden check-sriov-ok pt sriov check
check "show: a physical function says how many virtual functions it has and can have" \
	bash -c '"$0" --sysfs sriov/sys --root sriov show 02:00.0 | grep -q "driver e1000e, reset .*SR-IOV 0 of 2 VFs"' "$PT"
# Its virtual function 0, as the binder makes it at boot (the NIC's
# directory copied to 02:00.1, without a driver): show says whose VF it
# is, status expects it on vfio-pci, hostdev gives it to the VM.
pfdir=$(readlink -f sriov/sys/bus/pci/devices/0000:02:00.0)
vfdir=${pfdir%/*}/0000:02:00.1
cp -a "$pfdir" "$vfdir" && rm -rf "$vfdir/driver" "$vfdir/net" "$vfdir"/sriov_*
ln -s ../0000:02:00.0 "$vfdir/physfn" && ln -s ../0000:02:00.1 "$pfdir/virtfn0"
echo 1 >"$pfdir/sriov_numvfs"
ln -s "$(readlink sriov/sys/bus/pci/devices/0000:02:00.0 | sed 's/02:00\.0$/02:00.1/')" \
	sriov/sys/bus/pci/devices/0000:02:00.1
printf '[device.vfs]\naddress = 02:00.0\nids = 8086:10d3\nsriov_vfs = 1\n' | conf sriov
check "show: a virtual function names its physical function" \
	bash -c '"$0" --sysfs sriov/sys --root sriov show 02:00.1 | grep -q "driver none.*, VF 0 of 0000:02:00.0"' "$PT"
applied sriov
mkdir -p sriov/dev && printf '<6>passthrough: 0000:02:00.0: 1 virtual function made\n' >sriov/dev/kmsg
golden status-sriov pt sriov status
check "hostdev: the rule's virtual function, not its physical function" \
	bash -c '[ "$("$0" --sysfs sriov/sys --root sriov hostdev --format qemu)" = "-device vfio-pci,host=0000:02:00.1" ]' "$PT"
new_root missing
rm missing/etc/passthrough.conf
golden check-no-config pt missing check
check "check: exit 2 on a usage error" bash -c '"$0" check extra 2>/dev/null; [ $? -eq 2 ]' "$PT"
check "an unknown command is a usage error" bash -c '"$0" frobnicate 2>/dev/null; [ $? -eq 2 ]' "$PT"
check "COMMAND --help shows that command's usage, exit 0" \
	bash -c '"$0" apply --help | grep -q "^Usage: passthrough \[OPTIONS\] apply \[--dry-run\] \[--undo\]"' "$PT"
check "help COMMAND is the same as COMMAND --help" \
	bash -c '[ "$("$0" help hostdev)" = "$("$0" hostdev --help)" ]' "$PT"
check "help with no command prints the global usage" \
	bash -c '"$0" help | grep -q "^Usage: passthrough"' "$PT"
check "help for an unknown command is a usage error" \
	bash -c '"$0" help frobnicate >/dev/null; [ $? -eq 2 ]' "$PT"
check "every command has a usage" bash -c 'for c in list show check status cmdline hostdev bind unbind generate apply initramfs-config disks disk luks guest-mounts add remove doctor; do
		"$0" "$c" --help | grep -q "^Usage: passthrough \[OPTIONS\] $c" || exit 1; done' "$PT"
check "--json on a command without JSON output is refused, exit 2, still as JSON on stdout" \
	bash -c 'out=$("$0" hostdev --json 2>err); [ $? -eq 2 ] && [ "$(cat err)" = "passthrough: hostdev has no --json output" ] &&
		python3 -c "import json, sys; assert json.loads(sys.argv[1])[\"result\"] == \"usage\"" "$out"' "$PT"
check "hostdev with two rules says it takes one" \
	bash -c '"$0" hostdev a b 2>&1 | grep -qx "passthrough: hostdev takes one rule, or none for all; run it once per rule"' "$PT"
check "show without a device says what to name" \
	bash -c '"$0" show 2>&1 | grep -q "^passthrough: show: name one device"' "$PT"
# Issue 23: each command takes its own options; another is a usage error
# that names the command's help (list --undo once exited 0).
check "an option the command does not take: exit 2, naming its help" \
	bash -c 'for args in "list --undo" "list --live" "cmdline --header foo" "check --dry-run" "bind --format qemu 01:00.0"; do
		"$0" $args >/dev/null 2>err; rc=$?; cmd=${args%% *}
		[ $rc = 2 ] && grep -qx "passthrough: $cmd does not take --.*; see passthrough $cmd --help" err || { echo "$args: $rc $(cat err)"; exit 1; }
	done' "$PT"
check "the global usage lists every command, and --json's" \
	bash -c 'for c in list show check status cmdline hostdev bind unbind generate apply initramfs-config disks disk luks guest-mounts add remove doctor; do
		"$0" --help | grep -q "^  $c\b" || exit 1; done; "$0" --help | grep -q "(list, show, check, status, cmdline, apply, disks, luks, doctor)"' "$PT"
check "a usage error points at that command's help" \
	bash -c '"$0" check extra 2>&1 | grep -qx "passthrough: wrong arguments for .check.; see passthrough check --help"' "$PT"

# --- status --------------------------------------------------------------
new_root booted
set_driver booted 0000:01:00.0 vfio-pci
mkdir -p booted/dev/vfio && : >booted/dev/vfio/7
printf '<6>passthrough: 0000:01:00.0: bound to vfio-pci, taken from e1000e\n<6>unrelated: line\n' >booted/dev/kmsg
printf '[device.nic]\naddress = 01:00.0\n' | conf booted
applied booted
golden status-ok pt booted status
new_root empty
golden status-nothing-configured pt empty status
golden status-json pt booted status --json
json status '(d["ok"], d["devices"][0]["vfio_device"], d["log"]) == (True, "/dev/vfio/7", ["0000:01:00.0: bound to vfio-pci, taken from e1000e"])' pt booted status --json
rm booted/dev/vfio/7
golden status-no-vfio-node pt booted status
printf '[device.nic]\naddress = 01:00.0\n[device.usb]\naddress = 00:04.0\n[device.gpu]\nclass = 0x0300\n' | conf booted
set_group booted 0000:02:00.0 7
applied booted
: >booted/dev/vfio/7
golden status-not-bound pt booted status
# Issue 17: through a pipe nothing is cut (snd_hda_intel was snd_hda_i).
printf '[device.a-rule-with-a-long-name]\naddress = 00:04.0\n' | conf booted
applied booted
set_driver booted 0000:00:04.0 snd_hda_intel
check "status: long rule and driver names are not cut" \
	bash -c '"$0" --sysfs booted/sys --root booted status | grep -q "^0000:00:04.0  a-rule-with-a-long-name vfio-pci  snd_hda_intel "' "$PT"
check "--version names the program and its version" \
	bash -c '"$0" --version | grep -qx "passthrough [0-9][0-9.]*" && "$1" --version | grep -qx "passthrough-early [0-9][0-9.]*"' "$PT" "$BUILD/passthrough-early"

# --- add and remove (issue 25) ----------------------------------------------
new_root addrm
printf '# my VFIO setup\n[global]\niommu = auto   ; follows the CPU\n\n# the router VM\x27s NIC\n[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' >addrm/etc/passthrough.conf
chmod 0600 addrm/etc/passthrough.conf
cp addrm/etc/passthrough.conf addrm.orig
golden add-usb pt addrm add 00:04.0
check "add: the rule after the admin's lines, comments kept, mode 0600 kept, check clean for it" \
	bash -c 'head -c "$(stat -c %s addrm.orig)" addrm/etc/passthrough.conf | cmp - addrm.orig &&
		[ "$(tail -n 4 addrm/etc/passthrough.conf)" = "$(printf "\n[device.usb]\naddress = 0000:00:04.0\nids = 1b36:000d")" ] &&
		[ "$(stat -c %a addrm/etc/passthrough.conf)" = 600 ] &&
		! "$0" --sysfs addrm/sys --root addrm check | grep -q "^error.*\[device.usb\]"' "$PT"
cp addrm/etc/passthrough.conf addrm.added
golden add-chipset-refused pt addrm add 00:1f.2
golden add-name-taken pt addrm add 02:00.0 nic
check "add refused: nothing written" cmp addrm.added addrm/etc/passthrough.conf
pt addrm add 02:00.0 --dry-run >/dev/null 2>&1
check "add --dry-run: nothing written" cmp addrm.added addrm/etc/passthrough.conf
golden remove-usb pt addrm remove usb
check "remove after add: the file back byte for byte" cmp addrm.orig addrm/etc/passthrough.conf
golden remove-missing pt addrm remove nope
new_root addnew
rm -f addnew/etc/passthrough.conf
pt addnew add 8086:2922 >/dev/null 2>&1 && echo unexpected >addnew.rc
check "add with an ID two devices share: refused as ambiguous; no file made" \
	bash -c '[ ! -e addnew.rc ] && [ ! -e addnew/etc/passthrough.conf ]'
check "add to a machine without a config: the file made, mode 0644, one rule" \
	bash -c '"$0" --sysfs addnew/sys --root addnew add 1b36:000d usb-ctl >/dev/null &&
		[ "$(cat addnew/etc/passthrough.conf)" = "$(printf "[device.usb-ctl]\naddress = 0000:00:04.0\nids = 1b36:000d")" ] &&
		[ "$(stat -c %a addnew/etc/passthrough.conf)" = 644 ]' "$PT"

# --- cmdline and hostdev ---------------------------------------------------
new_root cmd
printf '[global]\nunsafe_interrupts = yes\ndisable_vga = yes\n[device.nic]\naddress = 01:00.0\n' | conf cmd
golden cmdline-plain pt cmd cmdline
golden cmdline-grub pt cmd cmdline --format grub
golden cmdline-extlinux pt cmd cmdline --format extlinux
json cmdline 'd["arguments"] == ["iommu=pt", "vfio_iommu_type1.allow_unsafe_interrupts=1", "vfio_pci.disable_vga=1"]' pt cmd cmdline --json
printf '[global]\niommu = intel\niommu_pt = no\n[device.nic]\naddress = 01:00.0\n' | conf cmd
golden cmdline-intel pt cmd cmdline
golden cmdline-bad-format pt cmd cmdline --format yaml
printf '[device.nics]\nids = 8086:10d3\n[device.usb]\nclass = 0x0c03\n' | conf cmd
golden hostdev-libvirt pt cmd hostdev
golden hostdev-virt-install pt cmd hostdev nics --format virt-install
golden hostdev-qemu pt cmd hostdev usb --format qemu
golden hostdev-no-rule pt cmd hostdev gpu
# issue 25: a card's functions in one guest slot (tests/boot/test-libvirt.sh
# has libvirt define it)
. "$TOP/tests/lib/fixture.sh"
new_root card
add_function card 0000:01:00.0 0000:01:00.1
fixture_bind card 0000:01:00.0 vfio-pci && fixture_bind card 0000:01:00.1 vfio-pci
printf '[device.card]\naddress = 01:00.0\nids = 8086:10d3\nfunctions = all\n' | conf card
golden hostdev-card pt card hostdev
golden hostdev-card-guest-bus pt card hostdev --guest-bus 6
golden hostdev-card-virt-install pt card hostdev --guest-bus 0x6 --format virt-install
golden hostdev-bad-guest-bus pt card hostdev --guest-bus 0
check "hostdev warns of a device not on vfio-pci yet, naming the fix" \
	bash -c '"$0" --sysfs cmd/sys --root cmd hostdev usb --format qemu 2>&1 >/dev/null |
		grep -q "warning: 0000:00:04.0 is on xhci_hcd, not vfio-pci: the VM cannot start with it"' "$PT"

# Issue 25: -s and -d in the table views too; lsblk's -o +COL and -J; the
# group a number in the table's JSON, as in --json
check "list -d ::0300 -o DEVICE,ID: only the display adapter" \
	bash -c '[ "$("$0" --root cmd list -d ::0300 -o DEVICE,ID -l -n)" = "0000:00:01.0 1234:1111" ]' "$PT"
check "list -s 01:00.0 -o +RESET -J: the defaults and RESET, one device, its group a number" \
	bash -c '"$0" --root cmd list -s 01:00.0 -o +RESET -J -l >t.json && python3 -c "
import json; d = json.load(open(\"t.json\"))[\"devices\"]
assert len(d) == 1 and d[0][\"group\"] == 7 and d[0][\"reset\"] and d[0][\"id\"] == \"8086:10d3\", d"' "$PT"

# --- bind and unbind (changes sysfs: here, the fake tree) -------------------
new_root bind
golden bind-host-disk-refused pt bind bind 00:05.0
golden bind-boot-vga-refused pt bind bind 00:01.0
golden bind-nic pt bind bind 02:00.0
check "bind: the override was written and the unbind asked" \
	bash -c '[ "$(cat bind/sys/bus/pci/drivers/e1000e/unbind)" = 0000:02:00.0 ] && [ "$(cat bind/sys/bus/pci/drivers_probe)" = 0000:02:00.0 ]'
# The reset_method the config gives the device is set as at boot, even
# from a rule that is not the one bind makes.
new_root bind-reset
printf '[device.nic]\nids = 8086:10d3\nreset_method = bus\n' | conf bind-reset
pt bind-reset bind 02:00.0 >/dev/null 2>&1
check "bind: the config's reset_method for the device is written first" \
	same "$(cat bind-reset/sys/bus/pci/devices/0000:02:00.0/reset_method)" bus
printf '[device.nic]\nids = 8086:10d3\nreset_method = device_specific\n' | conf bind-reset
: >bind-reset/sys/bus/pci/drivers_probe
pt bind-reset bind 02:00.0 >"$TAP_TMP/bind-reset.out" 2>&1
echo "[exit $?]" >>"$TAP_TMP/bind-reset.out"
check "bind: a reset_method the device does not offer is refused, nothing written" \
	bash -c 'grep -q "reset_method = device_specific" "$0" && grep -q "exit 1" "$0" &&
		[ "$(cat "$1")" = bus ] && [ ! -s "$2" ]' "$TAP_TMP/bind-reset.out" \
		bind-reset/sys/bus/pci/devices/0000:02:00.0/reset_method bind-reset/sys/bus/pci/drivers_probe
golden unbind-not-vfio pt bind unbind 01:00.0
set_driver bind 0000:01:00.0 vfio-pci
: >bind/sys/bus/pci/drivers/vfio-pci/unbind
golden unbind-vfio pt bind unbind 01:00.0
check "unbind: override cleared and vfio-pci let go" \
	bash -c '[ "$(cat "$0/driver_override")" = "" ] && [ "$(cat bind/sys/bus/pci/drivers/vfio-pci/unbind)" = 0000:01:00.0 ]' \
	"$(readlink -f bind/sys/bus/pci/devices/0000:01:00.0)"

tap_end
exit $((TAP_FAILED > 0))
