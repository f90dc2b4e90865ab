#!/usr/bin/env bash
# passthrough-early as a program, on fake roots: options, exit codes, what
# it writes to the kernel log, and that failure paths touch nothing. The
# fake root's module index lists vfio-pci as built in, so libkmod "loads"
# it without touching the running kernel.
set -uo pipefail
BUILD=${1:-build}
EARLY=$(cd "$BUILD" && pwd)/passthrough-early
. "$(dirname "$0")/../lib/tap.sh"
REL=$(uname -r)

# fake_root DIR: the two identical NICs, the first on e1000e, and a
# module index where vfio_pci and pci_stub are built in.
fake_root() {
	local r=$1 bdf
	mkdir -p "$r"/{proc,dev,etc,"lib/modules/$REL"} "$r/sys/bus/pci/devices"
	echo "BOOT_IMAGE=/vmlinuz ro quiet" >"$r/proc/cmdline"
	: >"$r/dev/kmsg"
	: >"$r/sys/bus/pci/drivers_probe"
	for bdf in 0000:01:00.0 0000:02:00.0; do
		local d="$r/sys/bus/pci/devices/$bdf"
		mkdir -p "$d"
		echo 0x8086 >"$d/vendor"; echo 0x10d3 >"$d/device"
		echo 0x020000 >"$d/class"; echo "(null)" >"$d/driver_override"
		local group=$((10#${bdf:5:2}))
		mkdir -p "$r/sys/kernel/iommu_groups/$group"
		ln -s "../../../../kernel/iommu_groups/$group" "$d/iommu_group"
	done
	mkdir -p "$r/sys/bus/pci/drivers/e1000e"
	: >"$r/sys/bus/pci/drivers/e1000e/unbind"
	ln -s ../../drivers/e1000e "$r/sys/bus/pci/devices/0000:01:00.0/driver"
	printf '%s\n' kernel/drivers/vfio/pci/vfio-pci.ko \
		kernel/drivers/vfio/vfio_iommu_type1.ko kernel/drivers/pci/pci-stub.ko \
		>"$r/lib/modules/$REL/modules.builtin"
	: >"$r/lib/modules/$REL/modules.order"
	depmod -b "$r" "$REL" 2>/dev/null
	printf '[device.nic]\naddress = 01:00.0\n' >"$r/etc/passthrough.conf"
}

run() { # run ROOT [ARGS...]: the binder on ROOT; stdout+stderr to ROOT/out
	local r=$1; shift
	"$EARLY" --root "$r" --sysfs "$r/sys" "$@" >"$r/out" 2>&1
	echo $? >"$r/rc"
}
override() { cat "$1/sys/bus/pci/devices/$2/driver_override"; }

R=$TAP_TMP/usage; mkdir -p "$R"
check "an extra argument is a usage error (exit 2)" \
	bash -c '"$0" extra 2>/dev/null; [ $? -eq 2 ]' "$EARLY"
check "an unknown option is a usage error (exit 2)" \
	bash -c '"$0" --bogus 2>/dev/null; [ $? -eq 2 ]' "$EARLY"
check "--help exits 0 and names the rescue switch" \
	bash -c '"$0" --help | grep -q "passthrough=off"' "$EARLY"

# --device: one device added after boot (the udev rule). Not selected and
# without a driver: offered to the host drivers (drivers_probe), nothing
# else touched, no word about the rules that select other devices.
R=$TAP_TMP/hot; fake_root "$R"; run "$R" --device 0000:02:00.0
check "--device, a device no rule selects: probed for its host driver, exit 0" \
	bash -c '[ "$(cat "$0/rc")" = 0 ] && [ "$(cat "$0/sys/bus/pci/drivers_probe")" = 0000:02:00.0 ] &&
		[ "$(cat "$0/sys/bus/pci/devices/0000:02:00.0/driver_override")" = "(null)" ] &&
		! grep -q "selects no device" "$0/dev/kmsg"' "$R"
check "--device takes only a PCI address (exit 2)" \
	bash -c '"$0" --device ../../etc 2>/dev/null; [ $? -eq 2 ]' "$EARLY"

R=$TAP_TMP/dry; fake_root "$R"; run "$R" --dry-run
check "--dry-run prints the plan" contains "$R/out" "passthrough: 0000:01:00.0 [8086:10d3] rule nic: for vfio-pci (now e1000e)"
check "--dry-run says what it would bind" contains "$R/out" "passthrough: 0000:01:00.0: would bind to vfio-pci"
check "--dry-run touches no driver_override" same "$(override "$R" 0000:01:00.0)" "(null)"
check "--dry-run writes nothing to the kernel log" same "$(cat "$R/dev/kmsg")" ""
check "--dry-run unbinds nothing" same "$(cat "$R/sys/bus/pci/drivers/e1000e/unbind")" ""

# Issue 22: --root means what it means for passthrough: ROOT/sys too,
# unless --sysfs says otherwise (the binder used to read the real /sys).
R=$TAP_TMP/rootonly; fake_root "$R"
"$EARLY" --root "$R" --dry-run >"$R/out" 2>&1
check "--root alone reads ROOT/sys" contains "$R/out" \
	"passthrough: 0000:01:00.0 [8086:10d3] rule nic: for vfio-pci (now e1000e)"

# One libkmod context a run, opened when first needed: two drivers (and
# their modules) load through the same one.
R=$TAP_TMP/onekmod; fake_root "$R"
printf '[device.nic]\naddress = 01:00.0\n[device.other]\naddress = 02:00.0\ndriver = pci-stub\n' \
	>"$R/etc/passthrough.conf"
run "$R" --dry-run -v
check "two drivers, one libkmod context" \
	bash -c '[ "$(grep -c "libkmod: context and indexes in" "$0/out")" = 1 ] &&
		grep -q "would bind to pci-stub" "$0/out" && grep -q "would bind to vfio-pci" "$0/out"' "$R"

R=$TAP_TMP/bind; fake_root "$R"; run "$R"
check "a bind goes through override, unbind and probe" \
	same "$(cat "$R/sys/bus/pci/drivers/e1000e/unbind") $(cat "$R/sys/bus/pci/drivers_probe")" "0000:01:00.0 0000:01:00.0"
check "a bind that does not take is undone (override cleared)" same "$(override "$R" 0000:01:00.0)" ""
check "the identical NIC is left alone" same "$(override "$R" 0000:02:00.0)" "(null)"
check "kmsg lines carry a priority and the passthrough: prefix" \
	contains "$R/dev/kmsg" "<3>passthrough: 0000:01:00.0: vfio-pci did not take it (no driver link after probing)"
check "kmsg ends with the summary" \
	bash -c 'tail -n 1 "$0" | grep -q "^<5>passthrough: done: 0 bound, 0 already bound, 0 refused, 1 failed (2 devices, [0-9]* us)$"' "$R/dev/kmsg"
check "exit status 0 after a failed bind" same "$(cat "$R/rc")" 0
R2=$TAP_TMP/long-line; fake_root "$R2"
long="$R2/$(printf 'd%.0s' $(seq 200))/$(printf 'e%.0s' $(seq 200))/$(printf 'f%.0s' $(seq 200)).conf"
run "$R2" -c "$long"
check "a line longer than 512 bytes reaches the kernel log whole" \
	contains "$R2/dev/kmsg" "<6>passthrough: no $long: nothing to bind"
check "nothing on stderr without -v" same "$(cat "$R/out")" ""

R=$TAP_TMP/verbose; fake_root "$R"; run "$R" -v
check "-v echoes to stderr and shows libkmod's view" contains "$R/out" "passthrough: module vfio_pci ready"

R=$TAP_TMP/broken; fake_root "$R"
printf '[device.nic]\naddress = 01:00.0\n[device.bad]\nids = nvidia\n' >"$R/etc/passthrough.conf"
run "$R"
check "a broken config names file, line and key" \
	contains "$R/dev/kmsg" "<3>passthrough: $R/etc/passthrough.conf:4: [device.bad] ids: 'nvidia' is not a vendor:device ID"
check "a broken config binds nothing, not even its good rules" same "$(override "$R" 0000:01:00.0)" "(null)"
check "a broken config still exits 0" same "$(cat "$R/rc")" 0

R=$TAP_TMP/off; fake_root "$R"; echo "ro quiet passthrough=off" >"$R/proc/cmdline"; run "$R"
check "passthrough=off binds nothing" same "$(override "$R" 0000:01:00.0)" "(null)"
check "passthrough=off says so in kmsg" contains "$R/dev/kmsg" "passthrough=off on the kernel command line: binding nothing"

R=$TAP_TMP/nomod; fake_root "$R"; rm -rf "$R/lib/modules"; run "$R"
check "no module index: the kernel log says what to do" \
	contains "$R/dev/kmsg" "no module index for kernel $REL in $R/lib/modules/$REL"
check "no module index: the device keeps its host driver, untouched" \
	bash -c '[ "$(cat "$0")" = "(null)" ] && [ ! -s "$1" ]' \
	"$R/sys/bus/pci/devices/0000:01:00.0/driver_override" "$R/sys/bus/pci/drivers/e1000e/unbind"
check "no module index: exit 0" same "$(cat "$R/rc")" 0

# Modules already there (a device added after boot, built in): sysfs says
# so and libkmod is not started, so a missing index does not matter; one
# still initialising ("coming") is left to libkmod.
live_modules() { # ROOT STATE: vfio_pci loaded in STATE, vfio_iommu_type1 built in
	mkdir -p "$1/sys/module/vfio_pci" "$1/sys/module/vfio_iommu_type1/parameters"
	echo "$2" >"$1/sys/module/vfio_pci/initstate"
}
R=$TAP_TMP/live; fake_root "$R"; rm -rf "$R/lib/modules"; live_modules "$R" live; run "$R" -v
check "modules live or built in: bind tried without libkmod (no module index needed)" \
	bash -c 'grep -q "module vfio_pci already loaded" "$0" && ! grep -q "module index" "$0" &&
		[ "$(cat "$1")" = 0000:01:00.0 ]' "$R/out" "$R/sys/bus/pci/drivers/e1000e/unbind"
R=$TAP_TMP/coming; fake_root "$R"; rm -rf "$R/lib/modules"; live_modules "$R" coming; run "$R"
check "a module still coming is left to libkmod" \
	contains "$R/dev/kmsg" "no module index for kernel $REL"

R=$TAP_TMP/noconf; fake_root "$R"; rm "$R/etc/passthrough.conf"; run "$R"
check "no config: nothing to bind, exit 0" \
	bash -c 'grep -q "<6>passthrough: no .*/etc/passthrough.conf: nothing to bind" "$0" && [ "$(cat "$1")" = 0 ]' "$R/dev/kmsg" "$R/rc"

R=$TAP_TMP/confdir; fake_root "$R"; rm "$R/etc/passthrough.conf"; mkdir "$R/etc/passthrough.conf"; run "$R"
check "a config that is a directory binds nothing" \
	contains "$R/dev/kmsg" "passthrough.conf:0: the config is not a regular file"

# Issue 10: a run of carriage returns after a value overflowed inih's line
# buffer and the binder died with SIGSEGV (exit 139).
R=$TAP_TMP/crlf; fake_root "$R"
{ printf '[device.nic]\naddress = 01:00.0'; head -c 300 /dev/zero | tr '\0' '\r'; printf '\n'; } >"$R/etc/passthrough.conf"
run "$R" --dry-run
check "a line ending in 300 carriage returns: read, exit 0" \
	bash -c 'grep -q "0000:01:00.0: would bind to vfio-pci" "$0" && [ "$(cat "$1")" = 0 ]' "$R/out" "$R/rc"
R=$TAP_TMP/fifo; fake_root "$R"; rm "$R/etc/passthrough.conf"; mkfifo "$R/etc/passthrough.conf"
timeout 10 "$EARLY" --root "$R" --sysfs "$R/sys" >"$R/out" 2>&1; echo $? >"$R/rc"
check "a FIFO as the config: refused at once, not waited on, exit 0" \
	bash -c 'grep -q "passthrough.conf:0: the config is not a regular file" "$0" && [ "$(cat "$1")" = 0 ]' "$R/dev/kmsg" "$R/rc"
R=$TAP_TMP/vt; fake_root "$R"; printf '[device.nic]\naddress = 01:00.0\n\v[global]\ndriver = pci-stub\n' >"$R/etc/passthrough.conf"
run "$R" --dry-run
check "a vertical tab before [global] hides nothing: its keys are global" \
	contains "$R/out" "0000:01:00.0 [8086:10d3] rule nic: for pci-stub"

R=$TAP_TMP/conf-c; fake_root "$R"; printf '[device.x]\naddress = 02:00.0\n' >"$R/other.conf"; run "$R" -c "$R/other.conf" --dry-run
check "-c picks another config" contains "$R/out" "0000:02:00.0: would bind to vfio-pci"

R=$TAP_TMP/nokmsg; fake_root "$R"; rm "$R/dev/kmsg"; run "$R"
check "without /dev/kmsg the messages go to stderr" contains "$R/out" "passthrough: done: 0 bound"

R=$TAP_TMP/nosys; fake_root "$R"; rm -rf "$R/sys/bus"; run "$R"
check "without sysfs: logged, exit 0" \
	bash -c 'grep -q "cannot list PCI devices" "$0" && [ "$(cat "$1")" = 0 ]' "$R/dev/kmsg" "$R/rc"

R=$TAP_TMP/vanish; fake_root "$R"; printf '[device.n]\nids = 8086:10d3\n' >"$R/etc/passthrough.conf"
rm "$R/sys/bus/pci/devices/0000:02:00.0/vendor" # unreadable: left out with a warning
run "$R"
check "a device whose attributes cannot be read is left out" \
	contains "$R/dev/kmsg" "<4>passthrough: ignoring 0000:02:00.0: its vendor, device or class cannot be read"

# Writes that fail as a real sysfs makes them fail, through the kernel
# model (tests/cli/pcimock.c), here with only its failure switch.
cc -shared -fPIC -o "$TAP_TMP/pcimock.so" "$(dirname "$0")/pcimock.c" -ldl
failing() { # SUFFIX ERRNO ROOT: the binder with writes to *SUFFIX failing
	# (ASan wants its runtime first; the shim only wraps write)
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	PCIMOCK_FAIL="$1:$2" LD_PRELOAD="$TAP_TMP/pcimock.so" \
		"$EARLY" --root "$3" --sysfs "$3/sys" >"$3/out" 2>&1
	echo $? >"$3/rc"
}
R=$TAP_TMP/eacces; fake_root "$R"; failing /driver_override 13 "$R"
check "EACCES on driver_override: logged, nothing unbound, exit 0" \
	bash -c 'grep -q "<3>passthrough: 0000:01:00.0: cannot write driver_override: Permission denied; left with e1000e" "$0/dev/kmsg" &&
		[ ! -s "$0/sys/bus/pci/drivers/e1000e/unbind" ] && [ "$(cat "$0/rc")" = 0 ]' "$R"
R=$TAP_TMP/ebusy; fake_root "$R"; failing /unbind 16 "$R"
check "EBUSY on unbind: logged, override undone, the host driver keeps it" \
	bash -c 'grep -q "cannot unbind it from e1000e: Device or resource busy" "$0/dev/kmsg" &&
		grep -q "0000:01:00.0: back on its host driver e1000e" "$0/dev/kmsg" &&
		[ "$(cat "$0/sys/bus/pci/devices/0000:01:00.0/driver_override")" = "" ] &&
		[ "$(cat "$0/rc")" = 0 ]' "$R"
R=$TAP_TMP/enodev; fake_root "$R"; failing /drivers_probe 19 "$R"
check "ENODEV on drivers_probe: the bind is checked, undone, logged" \
	bash -c 'grep -q "0000:01:00.0: vfio-pci did not take it (No such device)" "$0/dev/kmsg" &&
		[ "$(cat "$0/sys/bus/pci/devices/0000:01:00.0/driver_override")" = "" ] &&
		[ "$(cat "$0/rc")" = 0 ]' "$R"

R=$TAP_TMP/unreadable; fake_root "$R"; chmod -R a+rX "$TAP_TMP"; chmod 0600 "$R/etc/passthrough.conf"
if [ "$(id -u)" = 0 ]; then
	# root reads anything: an unprivileged user meets the unreadable file
	setpriv --reuid=65534 --regid=65534 --clear-groups "$EARLY" --root "$R" --sysfs "$R/sys" \
		>"$R/out" 2>&1; echo $? >"$R/rc"
	check "an unreadable config: the reason, nothing bound, exit 0" \
		bash -c 'grep -q "passthrough.conf:0: cannot open the config: Permission denied" "$0/out" &&
			grep -q "the config has errors: binding nothing" "$0/out" &&
			[ "$(cat "$0/sys/bus/pci/devices/0000:01:00.0/driver_override")" = "(null)" ] &&
			[ "$(cat "$0/rc")" = 0 ]' "$R"
else
	TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - an unreadable config # SKIP needs root to switch user"
fi
R=$TAP_TMP/symlink; fake_root "$R"; mv "$R/etc/passthrough.conf" "$R/etc/real.conf"
ln -s real.conf "$R/etc/passthrough.conf"; run "$R" --dry-run
check "a config that is a symbolic link is followed" contains "$R/out" "0000:01:00.0: would bind to vfio-pci"

# The kernel model: writes move the driver links as the PCI core does, so
# every outcome of a bind is reached without a kernel. e1000e and vfio-pci
# are loaded (their driver directories exist); 01:00.0 starts on e1000e.
modelled() { # ROOT [VAR=VALUE...]: the binder under the kernel model
	local r=$1; shift
	mkdir -p "$r/sys/bus/pci/drivers/vfio-pci"
	for d in "$r"/sys/bus/pci/drivers/*; do : >"$d/bind"; : >>"$d/unbind"; done
	# NO_MODALIAS_MATCH: e1000e had it through new_id or a manual bind
	[ -n "${NO_MODALIAS_MATCH:-}" ] ||
		echo e1000e >"$r/sys/bus/pci/devices/0000:01:00.0/mock-host-driver"
	env ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		PCIMOCK_SYSFS="$r/sys" LD_PRELOAD="$TAP_TMP/pcimock.so" "$@" \
		"$EARLY" --root "$r" --sysfs "$r/sys" >"$r/out" 2>&1
	echo $? >"$r/rc"
}
driver_of() { local l; l=$(readlink "$1/sys/bus/pci/devices/$2/driver") && basename "$l" || echo none; }
export -f driver_of
R=$TAP_TMP/m-bind; fake_root "$R"; modelled "$R"
check "model: a bind takes the device from its host driver" \
	bash -c '[ "$(driver_of "$0" 0000:01:00.0)" = vfio-pci ] &&
		grep -q "<5>passthrough: 0000:01:00.0: bound to vfio-pci, taken from e1000e" "$0/dev/kmsg"' "$R"
R=$TAP_TMP/m-refused; fake_root "$R"; modelled "$R" PCIMOCK_REFUSE=vfio-pci
check "model: vfio-pci refuses it: back on e1000e, reported as restored" \
	bash -c '[ "$(driver_of "$0" 0000:01:00.0)" = e1000e ] &&
		grep -q "0000:01:00.0: vfio-pci did not take it (no driver link after probing)" "$0/dev/kmsg" &&
		grep -q "0000:01:00.0: back on its host driver e1000e" "$0/dev/kmsg" &&
		grep -q "done: 0 bound, 0 already bound, 0 refused, 1 failed" "$0/dev/kmsg"' "$R"
# Issue 10: a failing drivers_probe on the way back left a device whose
# host driver is built in without any driver, logged at debug level only.
R=$TAP_TMP/m-probe-fails; fake_root "$R"; modelled "$R" PCIMOCK_REFUSE=vfio-pci PCIMOCK_FAIL=drivers_probe:19
check "model: drivers_probe fails on the way back: an error, then the host driver's bind file" \
	bash -c '[ "$(driver_of "$0" 0000:01:00.0)" = e1000e ] &&
		grep -q "<3>passthrough: 0000:01:00.0: drivers_probe failed: No such device" "$0/dev/kmsg" &&
		grep -q "0000:01:00.0: back on its host driver e1000e" "$0/dev/kmsg"' "$R"
R=$TAP_TMP/m-no-match; fake_root "$R"; NO_MODALIAS_MATCH=1 modelled "$R" PCIMOCK_REFUSE=vfio-pci
check "model: drivers_probe succeeds but no driver matches: the host driver's bind file" \
	bash -c '[ "$(driver_of "$0" 0000:01:00.0)" = e1000e ] &&
		grep -q "0000:01:00.0: back on its host driver e1000e" "$0/dev/kmsg"' "$R"
R=$TAP_TMP/m-lost; fake_root "$R"; modelled "$R" PCIMOCK_REFUSE=vfio-pci PCIMOCK_FAIL=drivers_probe:19,e1000e/bind:19
check "model: nothing takes it back: said as an error, never as restored" \
	bash -c '[ "$(driver_of "$0" 0000:01:00.0)" = none ] &&
		grep -q "<3>passthrough: 0000:01:00.0: binding it to e1000e directly failed too: No such device" "$0/dev/kmsg" &&
		grep -q "<3>passthrough: 0000:01:00.0: left without a driver: e1000e did not take it back" "$0/dev/kmsg" &&
		! grep -q "back on its host driver" "$0/dev/kmsg" && [ "$(cat "$0/rc")" = 0 ]' "$R"
# Issue 13: a rule's reset_method goes to the device before the bind; a
# method the device refuses, or a kernel without the file, leaves it as it was.
R=$TAP_TMP/m-reset; fake_root "$R"; printf '[device.nic]\naddress = 01:00.0\nreset_method = bus\n' >"$R/etc/passthrough.conf"
echo "flr bus" >"$R/sys/bus/pci/devices/0000:01:00.0/reset_method"; modelled "$R"
check "model: reset_method is written, then the device is bound" \
	bash -c '[ "$(cat "$0/sys/bus/pci/devices/0000:01:00.0/reset_method")" = bus ] &&
		[ "$(driver_of "$0" 0000:01:00.0)" = vfio-pci ]' "$R"
R=$TAP_TMP/m-reset-refused; fake_root "$R"; printf '[device.nic]\naddress = 01:00.0\nreset_method = device_specific\n' >"$R/etc/passthrough.conf"
echo "flr bus" >"$R/sys/bus/pci/devices/0000:01:00.0/reset_method"; modelled "$R" PCIMOCK_FAIL=reset_method:22
check "model: a reset method the device refuses: logged, left on its driver" \
	bash -c 'grep -q "<3>passthrough: 0000:01:00.0: reset_method .device_specific. refused (Invalid argument); it offers .flr bus.; left as it was" "$0/dev/kmsg" &&
		[ "$(driver_of "$0" 0000:01:00.0)" = e1000e ]' "$R"
# The reset_method of a second rule that names the device, when the first
# rule selected it: still written.
R=$TAP_TMP/m-reset-second; fake_root "$R"
printf '[device.nic]\naddress = 01:00.0\n[device.reset]\nids = 8086:10d3\nreset_method = bus\n' >"$R/etc/passthrough.conf"
echo "flr bus" >"$R/sys/bus/pci/devices/0000:01:00.0/reset_method"; modelled "$R"
check "model: the reset_method of a second rule naming the device is written too" \
	bash -c '[ "$(cat "$0/sys/bus/pci/devices/0000:01:00.0/reset_method")" = bus ] &&
		[ "$(driver_of "$0" 0000:01:00.0)" = vfio-pci ]' "$R"
R=$TAP_TMP/m-reset-old; fake_root "$R"; printf '[device.nic]\naddress = 01:00.0\nreset_method = bus\n' >"$R/etc/passthrough.conf"
modelled "$R"
check "model: no reset_method file (before 5.15): logged, left on its driver" \
	bash -c 'grep -q "this kernel has no per-device reset_method (5.15 and later have it); left as it was" "$0/dev/kmsg" &&
		[ "$(driver_of "$0" 0000:01:00.0)" = e1000e ]' "$R"

# Issue 13: the boot display's firmware framebuffer is released before the
# bind (efifb holds its memory on kernels before 6.1), unless a process
# holds /dev/fb0 open.
boot_display() { # ROOT: 01:00.0 as the boot display, efifb bound, consent given
	local d="$1/sys/bus/pci/devices/0000:01:00.0" fb="$1/sys/bus/platform/drivers/efi-framebuffer"
	echo 0x030000 >"$d/class"; echo 1 >"$d/boot_vga"
	mkdir -p "$fb" "$1/sys/devices/platform/efi-framebuffer.0" && : >"$fb/unbind"
	ln -s ../../../../devices/platform/efi-framebuffer.0 "$fb/efi-framebuffer.0"
	printf '[device.gpu]\naddress = 01:00.0\nallow_boot_vga = yes\n' >"$1/etc/passthrough.conf"
}
R=$TAP_TMP/m-fb; fake_root "$R"; boot_display "$R"; modelled "$R"
check "model: the firmware framebuffer is released, then the boot display bound" \
	bash -c '[ "$(cat "$0/sys/bus/platform/drivers/efi-framebuffer/unbind")" = efi-framebuffer.0 ] &&
		grep -q "<5>passthrough: released the firmware framebuffer efi-framebuffer.0" "$0/dev/kmsg" &&
		[ "$(driver_of "$0" 0000:01:00.0)" = vfio-pci ]' "$R"
R=$TAP_TMP/m-fb-held; fake_root "$R"; boot_display "$R"
mkdir -p "$R/proc/4242/fd" && ln -s /dev/fb0 "$R/proc/4242/fd/5"; modelled "$R"
check "model: /dev/fb0 held open: nothing released, the display left with its driver" \
	bash -c '[ ! -s "$0/sys/bus/platform/drivers/efi-framebuffer/unbind" ] &&
		grep -q "<3>passthrough: process 4242 holds /dev/fb0 open: the firmware framebuffer cannot be released now" "$0/dev/kmsg" &&
		[ "$(driver_of "$0" 0000:01:00.0)" = e1000e ]' "$R"

# As in early boot before coldplug: no driver yet, its module not loaded.
R=$TAP_TMP/m-unbound; fake_root "$R"; rm "$R/sys/bus/pci/devices/0000:01:00.0/driver"
rm -r "$R/sys/bus/pci/drivers/e1000e"; modelled "$R" PCIMOCK_REFUSE=vfio-pci
check "model: a device that had no driver is released to none, without an error" \
	bash -c '[ "$(driver_of "$0" 0000:01:00.0)" = none ] &&
		grep -q "<6>passthrough: 0000:01:00.0: released; its host driver takes it when it loads" "$0/dev/kmsg" &&
		! grep -q "<3>.*left without" "$0/dev/kmsg"' "$R"

EXAMPLE=$(dirname "$0")/../../conf/passthrough.conf
R=$TAP_TMP/example; fake_root "$R"; cp "$EXAMPLE" "$R/etc/passthrough.conf"; run "$R" --dry-run
check "the shipped example binds nothing as installed" contains "$R/out" "dry run: 0 bound, 0 already bound, 0 refused, 0 failed"
R=$TAP_TMP/example-on; fake_root "$R"; sed 's/^#//' "$EXAMPLE" >"$R/etc/passthrough.conf"; run "$R" --dry-run
check "every example in the shipped config is valid" \
	bash -c '! grep -q "config has errors" "$0" && grep -q "rule \[device.gpu\]" "$0"' "$R/out"

# The musl static binder (`make static LIBC=musl`, what the Alpine glue
# installs) is built from other sources of libkmod and inih (Debian's, for
# musl; the mirror may give the next release's inih): config by config, it
# must say what the glibc binder says, but for the timing. Only where it
# was built (make check builds it; make check-offline does not).
MUSL=$(cd "$BUILD" && pwd)/passthrough-early-musl
if [ -x "$MUSL" ]; then
	R=$TAP_TMP/musl; fake_root "$R"
	TOP=$(cd "$(dirname "$0")/../.." && pwd)
	check "the musl binder reads every config as the glibc one does" bash -c '
		R=$0; EARLY=$1; MUSL=$2; shift 2; bad=0
		for f in "$@"; do
			a=$("$EARLY" --root "$R" --sysfs "$R/sys" --dry-run -c "$f" 2>&1; echo "[exit $?]")
			b=$("$MUSL" --root "$R" --sysfs "$R/sys" --dry-run -c "$f" 2>&1; echo "[exit $?]")
			a=$(sed "s/, [0-9]* us)$/)/" <<<"$a"); b=$(sed "s/, [0-9]* us)$/)/" <<<"$b")
			[ "$a" = "$b" ] || { echo "$f:"; diff <(echo "$a") <(echo "$b"); bad=1; }
		done
		exit $bad' "$R" "$EARLY" "$MUSL" "$TOP"/tests/fuzz/corpus/config/* \
		"$TOP"/tests/boot/configs/*.conf "$TOP/conf/passthrough.conf"
	# And binds as it does: the same log and the same sysfs writes.
	for b in glibc musl; do
		fake_root "$R.$b"
		[ $b = glibc ] && bin=$EARLY || bin=$MUSL
		"$bin" --root "$R.$b" --sysfs "$R.$b/sys" >/dev/null 2>&1
		sed 's/, [0-9]* us)$/)/' "$R.$b/dev/kmsg" >"$R.$b.kmsg"
		override "$R.$b" 0000:01:00.0 >>"$R.$b.kmsg"
		cat "$R.$b/sys/bus/pci/drivers_probe" >>"$R.$b.kmsg"
	done
	check "the musl binder binds on a fake root as the glibc one does" \
		bash -c 'grep -q "bound to vfio-pci\|vfio-pci did not take it" "$0" && diff -u "$0" "$1"' \
		"$R.glibc.kmsg" "$R.musl.kmsg"
fi

tap_end
exit $((TAP_FAILED > 0))
