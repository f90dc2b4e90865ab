#!/usr/bin/env bash
# `passthrough disk attach/detach/attached` against a real libvirtd: a
# transient TCG domain boots the test kernel; a loop device over an image
# is attached live, shows in `virsh domblklist` and inside the guest, and
# is detached live (the guest's pciehp honours the unplug). The loop
# device and libvirtd are real; this test reads the host's /sys for the
# loop device, and writes nothing but through virsh and losetup.
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"
W="$BUILD/boot/libvirt"
rm -rf "$W" && mkdir -p "$W" && W=$(cd "$W" && pwd)
PT="$BUILD/passthrough"
DOMAIN=passthrough-test-$$
n=0
# shellcheck disable=SC2034 # read by lib.sh's result()
SUITE=libvirt
loop=
started=()
cleanup() {
	virsh -c qemu:///system destroy "$DOMAIN" >/dev/null 2>&1 || true
	if [ -n "$loop" ]; then losetup -d "$loop" 2>/dev/null || true; fi
	# the daemons this test started, and only those
	for d in "${started[@]}"; do pkill -x "$d" 2>/dev/null || true; done
}
trap cleanup EXIT

fetch_kernel
build_initramfs "$W/initrd.gz" libvirt
# libvirtd runs qemu as its own user: the files it opens must be readable
chmod 0755 "$W" && chmod 0644 "$W/initrd.gz"
cp "$VMLINUZ" "$W/vmlinuz" && chmod 0644 "$W/vmlinuz"

pgrep -x virtlogd >/dev/null || { virtlogd -d && started+=(virtlogd); }
pgrep -x libvirtd >/dev/null || { libvirtd -d && started+=(libvirtd); }
for _ in $(seq 30); do virsh -c qemu:///system list >/dev/null 2>&1 && break; sleep 0.5; done
export LIBVIRT_DEFAULT_URI=qemu:///system

# Native PCIe hotplug (pciehp in the guest) on the root ports, as on
# hardware: QEMU's q35 would use ACPI hotplug otherwise.
cat >"$W/domain.xml" <<XML
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$DOMAIN</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$W/vmlinuz</kernel>
    <initrd>$W/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 loglevel=4</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_crash>destroy</on_crash>
  <devices>
    <controller type='pci' model='pcie-root'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <serial type='pty'><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-global'/>
    <qemu:arg value='ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off'/>
  </qemu:commandline>
</domain>
XML
truncate -s 32M "$W/disk.img"
loop=$(losetup -f --show "$W/disk.img")

if virsh create "$W/domain.xml" >"$W/create.log" 2>&1; then
	result "a transient TCG domain starts"
else
	result "a transient TCG domain starts" "$(cat "$W/create.log")"
	echo "1..$n"; exit 0
fi
pty=$(virsh ttyconsole "$DOMAIN")
cat "$pty" >"$W/console.log" 2>/dev/null &
reader=$!
trap 'kill $reader 2>/dev/null; cleanup' EXIT
wait_for() { # SECONDS COMMAND...: until COMMAND succeeds
	local limit=$1; shift
	for _ in $(seq $((limit * 2))); do "$@" && return 0; sleep 0.5; done
	return 1
}
guest_disks() { tail -n 1 <(grep -a 'PT-GUEST-VIRTIO-DISKS' "$W/console.log" 2>/dev/null) | grep -q "PT-GUEST-VIRTIO-DISKS $1"; }
wait_for 120 guest_disks 0 || true

out=$("$PT" disk attach "$DOMAIN" "$loop" 2>&1) && rc=0 || rc=$?
virsh domblklist "$DOMAIN" >"$W/blk.txt" 2>&1 || true
if [ "$rc" -eq 0 ] && grep -q "$loop" "$W/blk.txt"; then
	result "disk attach --live: the loop device shows in virsh domblklist"
else
	result "disk attach --live: the loop device shows in virsh domblklist" "exit $rc: $out"
fi
if wait_for 120 guest_disks 1; then
	result "disk attach: the guest sees a new virtio disk"
else
	result "disk attach: the guest sees a new virtio disk" "$(grep -a PT-GUEST "$W/console.log" | tail -3)"
fi
"$PT" disk attached "$DOMAIN" >"$W/attached.txt" 2>&1 || true
if grep -q "^vdb .*$loop" "$W/attached.txt"; then
	result "disk attached lists it as vdb"
else
	result "disk attached lists it as vdb" "$(cat "$W/attached.txt")"
fi
out=$("$PT" disk detach "$DOMAIN" "$loop" 2>&1) && rc=0 || rc=$?
gone() { virsh domblklist "$DOMAIN" >"$W/blk.txt" 2>&1 && ! grep -q "$loop" "$W/blk.txt"; }
if [ "$rc" -eq 0 ] && wait_for 60 gone; then
	result "disk detach --live: gone from virsh domblklist"
else
	result "disk detach --live: gone from virsh domblklist" "exit $rc: $out"
fi
if wait_for 60 guest_disks 0; then
	result "disk detach: the guest saw the hot-unplug (pciehp)"
else
	result "disk detach: the guest saw the hot-unplug (pciehp)" "$(grep -a PT-GUEST "$W/console.log" | tail -3)"
fi
out=$("$PT" disk attach "$DOMAIN-missing" "$loop" 2>&1) && rc=0 || rc=$?
if [ "$rc" -eq 5 ]; then result "disk attach to a VM that does not exist: exit 5"; else
	result "disk attach to a VM that does not exist: exit 5" "exit $rc: $out"; fi

# hostdev --guest-bus: the two functions of one card (a fake second
# function on the captured tree) in one guest slot; libvirt takes the
# domain (define, never started: nothing of this host is touched) and
# keeps them on bus 6, function 0 multifunction, adding the root ports.
. "$TOP/tests/lib/fixture.sh"
mf=$W/mf-root
cp -a "$TOP/tests/fixtures/qemu" "$mf"
add_function "$mf" 0000:01:00.0 0000:01:00.1
fixture_bind "$mf" 0000:01:00.0 vfio-pci && fixture_bind "$mf" 0000:01:00.1 vfio-pci
mkdir -p "$mf/etc" && printf '[device.card]\naddress = 01:00.0\nids = 8086:10d3\nfunctions = all\n' >"$mf/etc/passthrough.conf"
"$PT" --root "$mf" hostdev --guest-bus 6 >"$W/hostdev.xml" 2>"$W/hostdev.err" || true
printf "<domain type='qemu'>\n  <name>%s-mf</name>\n  <memory unit='MiB'>128</memory>\n  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n  <devices>\n%s\n  </devices>\n</domain>\n" \
	"$DOMAIN" "$(cat "$W/hostdev.xml")" >"$W/mf-domain.xml"
problems=()
if virsh define "$W/mf-domain.xml" >"$W/mf-define.log" 2>&1; then
	virsh dumpxml "$DOMAIN-mf" >"$W/mf-dump.xml" 2>&1 || true
	virsh undefine "$DOMAIN-mf" >/dev/null 2>&1 || true
	grep -q "<address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0' multifunction='on'/>" "$W/mf-dump.xml" ||
		problems+=("function 0 is not on bus 6 slot 0 multifunction (see $W/mf-dump.xml)")
	grep -q "<address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x1'/>" "$W/mf-dump.xml" ||
		problems+=("function 1 is not beside it (see $W/mf-dump.xml)")
	grep -q "<controller type='pci' index='6' model='pcie-root-port'>" "$W/mf-dump.xml" ||
		problems+=("libvirt did not add the root port of bus 6")
else
	problems+=("virsh define refused it: $(cat "$W/mf-define.log")")
fi
result "hostdev --guest-bus: a card's two functions in one guest slot, as libvirt defines it" "${problems[@]}"

# doctor --domain against the real libvirtd: a defined domain (never
# started) whose <hostdev>s doctor reads back through virsh dumpxml.
cat >"$W/doc-domain.xml" <<XML
<domain type='qemu'>
  <name>$DOMAIN-doc</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <source><address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <source><address domain='0x0000' bus='0x09' slot='0x00' function='0x0'/></source>
    </hostdev>
  </devices>
</domain>
XML
problems=()
if virsh define "$W/doc-domain.xml" >"$W/doc-define.log" 2>&1; then
	"$PT" --root "$mf" doctor --domain "$DOMAIN-doc" --json >"$W/doctor.json" 2>"$W/doctor.err" || true
	virsh undefine "$DOMAIN-doc" >/dev/null 2>&1 || true
	python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["problems"]
got = [(x["code"], x["device"]) for x in p]
for w in [("domain-managed", "0000:01:00.0"), ("domain-not-in-config", "0000:02:00.0"),
          ("domain-address-missing", "0000:09:00.0")]:
    assert w in got, (w, got)
' "$W/doctor.json" 2>"$W/doctor.check" || problems+=("$(cat "$W/doctor.check" "$W/doctor.err")")
else
	problems+=("virsh define refused it: $(cat "$W/doc-define.log")")
fi
result "doctor --domain reads a real domain's <hostdev>s: managed='yes', not configured, not there" "${problems[@]}"
echo "1..$n"
