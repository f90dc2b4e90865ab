#!/usr/bin/env bash
# passthrough doctor (issue 26), table-driven on fake roots of the
# captured QEMU machine: a healthy NIC on vfio-pci where doctor finds
# nothing (exit 0), then one provocation a row, each with the kernel log
# line the kernel prints for it and the error text QEMU prints, as their
# sources have them:
#   QEMU 7.2 hw/vfio/common.c vfio_get_group(): "vfio: error, group %d is not
#     viable, please ensure all devices within the iommu_group are bound to
#     their vfio bus driver." and "vfio: error opening %s: %m"
#   QEMU 7.2 hw/vfio/common.c vfio_listener_region_add():
#     "vfio_dma_map(%p, 0x%"HWADDR_PRIx", 0x%"HWADDR_PRIx", %p) = %d (%m)"
#   QEMU 7.2 hw/vfio/common.c vfio_connect_container(): "failed to set iommu
#     for container" (errno EPERM: "Operation not permitted")
#   Linux drivers/vfio/vfio_iommu_type1.c: "%s: RLIMIT_MEMLOCK (%ld) exceeded"
#     and "No interrupt remapping support.  Use the module param
#     \"allow_unsafe_interrupts\" to enable VFIO IOMMU support on this platform"
#   Linux drivers/pci/pci.c __pci_request_region(): "BAR %d: can't reserve %pR"
#   Linux drivers/pci/pci.c pci_dev_wait(): "not ready %dms after %s; giving up"
# These are provoked here on fake trees; tests/boot/test-binder.sh's
# doctor-* cases provoke five of them on a real kernel. Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
. "$TOP/tests/lib/fixture.sh"
cd "$TAP_TMP" || exit 1

# healthy ROOT: the NIC applied before this boot and on vfio-pci
healthy() {
	local r=$1
	cp -a "$TOP/tests/fixtures/qemu" "$r"
	mkdir -p "$r/etc" "$r/dev/vfio"
	printf '[device.nic]\naddress = 01:00.0\nids = 8086:10d3\n' >"$r/etc/passthrough.conf"
	chmod 0644 "$r/etc/passthrough.conf"
	"$PT" --root "$r" generate >/dev/null 2>&1
	echo cmdline >"$r/var/lib/passthrough/applied" && touch -d '2000-01-01' "$r/var/lib/passthrough/applied"
	fixture_bind "$r" 0000:01:00.0 vfio-pci
	: >"$r/dev/vfio/7"
	printf '<6>passthrough: 0000:01:00.0: bound to vfio-pci, taken from e1000e\n<6>e1000e: Intel(R) PRO/1000 Network Driver\n' >"$r/dev/kmsg"
}
kmsg() { printf '<3>%s\n' "$2" >>"$1/dev/kmsg"; }

# row NAME CODE ERROR-TEXT: doctor on ROOT NAME (made by the caller); CODE
# must be found, first when the error names it; "" for a healthy machine
row() {
	local name=$1 code=$2 error=$3 rc
	"$PT" --root "$name" doctor ${error:+--error "$error"} >"$name.out" 2>&1
	rc=$?
	"$PT" --root "$name" doctor ${error:+--error "$error"} --json >"$name.json" 2>/dev/null
	if [ -z "$code" ]; then
		check "doctor: $name: nothing found, exit 0" \
			bash -c '[ "$1" = 0 ] && grep -q "^No problem found for 0000:01:00.0" "$0.out" &&
				python3 -c "import json,sys; d = json.load(open(sys.argv[1])); assert d[\"ok\"] and d[\"problems\"] == []" "$0.json" ||
				{ cat "$0.out"; exit 1; }' "$name" "$rc"
	else
		check "doctor: $name: $code found${error:+, first, named by the error}; cause, evidence and fix; exit 1" \
			bash -c '[ "$1" = 1 ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
p = d[\"problems\"]
codes = [x[\"code\"] for x in p]
assert sys.argv[2] in codes, codes
if sys.argv[3]:
    assert p[0][\"code\"] == sys.argv[2] and p[0][\"named_by_error\"], p[0]
x = p[codes.index(sys.argv[2])]
assert x[\"cause\"] and x[\"evidence\"] and x[\"fix\"], x
" "$0.json" "$2" "$3" || { cat "$0.out"; exit 1; }' "$name" "$rc" "$code" "$error"
	fi
}

healthy healthy
row healthy "" ""

healthy not-on-vfio
fixture_bind not-on-vfio 0000:01:00.0 e1000e
printf '<6>passthrough: 0000:01:00.0: left with its host driver: vfio-pci is not available\n' >not-on-vfio/dev/kmsg
row not-on-vfio not-on-vfio "qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: no such host device: No such file or directory"
check "doctor: not-on-vfio: the binder's own line is the evidence" \
	grep -q "evidence: the binder logged: 0000:01:00.0: left with its host driver: vfio-pci is not available" not-on-vfio.out

healthy group
set_group_of() { # ROOT BDF N
	local dev
	dev=$(readlink -f "$1/sys/bus/pci/devices/$2")
	rm -f "$dev/iommu_group"
	mkdir -p "$1/sys/kernel/iommu_groups/$3/devices"
	ln -s "$(realpath --relative-to="$dev" "$1/sys/kernel/iommu_groups/$3")" "$dev/iommu_group"
}
set_group_of group 0000:02:00.0 7
row group group-not-viable "qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio: error, group 7 is not viable, please ensure all devices within the iommu_group are bound to their vfio bus driver."
check "doctor: group: the member that spoils it is named, with its driver" grep -q "evidence: 0000:02:00.0 on e1000e (goes with it)" group.out

healthy nonode
rm nonode/dev/vfio/7
row nonode vfio-node-missing "qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio: error opening /dev/vfio/7: No such file or directory"

healthy access
mkdir -p access/etc/libvirt && echo 'user = "libvirt-qemu"' >access/etc/libvirt/qemu.conf
echo 'libvirt-qemu:x:64055:108:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin' >access/etc/passwd
chmod 0600 access/dev/vfio/7
row access vfio-node-access "qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio: error opening /dev/vfio/7: Permission denied"

# a rootless QEMU: no libvirt, its error says the node is closed to it
healthy rootless
chmod 0600 rootless/dev/vfio/7
row rootless vfio-node-access "qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio: error opening /dev/vfio/7: Permission denied"
check "doctor: rootless: the node's mode and owner are the evidence" grep -q "evidence: /dev/vfio/7: mode 600, owner uid" rootless.out

healthy memlock
kmsg memlock "vfio_pin_pages_remote: RLIMIT_MEMLOCK (65536) exceeded"
row memlock memlock "qemu-system-x86_64: vfio_dma_map(0x55d5c1a0f2c0, 0x0, 0x80000000, 0x7f3bd3e00000) = -12 (Cannot allocate memory)"

healthy irq
kmsg irq 'vfio_iommu_type1: No interrupt remapping support.  Use the module param "allow_unsafe_interrupts" to enable VFIO IOMMU support on this platform'
row irq no-irq-remap "qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0: vfio 0000:01:00.0: failed to setup container for group 7: Failed to set iommu for container: Operation not permitted"

healthy bar
kmsg bar "vfio-pci 0000:01:00.0: BAR 0: can't reserve [mem 0xc0000000-0xcfffffff 64bit pref]"
row bar bar-reserve ""

healthy reset
kmsg reset "vfio-pci 0000:01:00.0: not ready 65535ms after FLR; giving up"
row reset reset ""

# the error alone, on a machine that shows nothing: its cause still comes
healthy erroronly
row erroronly memlock "qemu-system-x86_64: vfio_dma_map(0x55d5c1a0f2c0, 0x0, 0x80000000, 0x7f3bd3e00000) = -12 (Cannot allocate memory)"
check "doctor --error -: the error read from standard input" \
	bash -c 'echo "vfio_dma_map(0x1, 0x0, 0x1000, 0x2) = -12 (Cannot allocate memory)" |
		"$0" --root erroronly doctor --error - | grep -q "^1. memlock (named by the error)"' "$PT"
check "doctor DEVICE: one device not in the config is examined as for vfio-pci" \
	bash -c '"$0" --root healthy doctor 00:04.0 | grep -q "^1. not-on-vfio 0000:00:04.0"' "$PT"
# --domain: a libvirt domain's <hostdev>s (fake-virsh here; the real
# libvirtd in tests/boot/test-libvirt.sh)
healthy dom
mkdir -p virsh/vms virsh/xml && echo running >virsh/vms/win11
cat >virsh/xml/win11 <<'XML'
<domain type='kvm'>
  <name>win11</name>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
      </source>
      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <source>
        <address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
      </source>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <source>
        <address domain='0x0000' bus='0x09' slot='0x00' function='0x0'/>
      </source>
    </hostdev>
    <hostdev mode='subsystem' type='usb' managed='yes'>
      <source><vendor id='0x046d'/><product id='0xc52b'/></source>
    </hostdev>
  </devices>
</domain>
XML
mkdir -p vbin && cp "$TOP/tests/cli/fake-virsh" vbin/virsh && chmod +x vbin/virsh
FAKE_VIRSH_DIR=$PWD/virsh PATH=$PWD/vbin:$PATH "$PT" --root dom doctor --domain win11 --json >dom.json 2>&1
check "doctor --domain: managed='yes' on a device the binder takes, a managed='no' device not configured, an address not there" \
	python3 -c '
import json, sys
p = json.load(open("dom.json"))["problems"]
got = sorted((x["code"], x["device"]) for x in p)
want = [("domain-address-missing", "0000:09:00.0"), ("domain-managed", "0000:01:00.0"),
        ("domain-not-in-config", "0000:02:00.0")]
assert all(w in got for w in want), got
'
FAKE_VIRSH_DIR=$PWD/virsh PATH=$PWD/vbin:$PATH "$PT" --root dom doctor --domain nosuch >nosuch.out 2>&1; echo $? >nosuch.rc
check "doctor --domain of a VM that does not exist: exit 5, virsh's words" \
	bash -c '[ "$(cat nosuch.rc)" = 5 ] && grep -q "failed to get domain" nosuch.out'
tap_end
exit $((TAP_FAILED > 0))
