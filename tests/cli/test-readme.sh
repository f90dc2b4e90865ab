#!/usr/bin/env bash
# Every config example in README.md and docs/*.md (the ```ini blocks)
# passes `passthrough check` on the machine the examples are written for:
# the tree captured from the QEMU topology (tests/fixtures/qemu) with the
# cards the recipes name added to it, and with its second AHCI
# controller's disk no longer used by the host. An example fails on an
# unknown key, a syntax error, any check error, or when it selects
# nothing (then check said nothing about it). Output: TAP, one line per
# example, naming its file and line.
set -euo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
cd "$TAP_TMP"

R=$TAP_TMP/root
cp -a "$TOP/tests/fixtures/qemu" "$R"
rel=$(cat "$R/proc/sys/kernel/osrelease")
mkdir -p "$R/lib/modules/$rel" "$R/etc"
# vfio_pci, pci_stub and vendor-reset are there (built in: nothing loads)
printf '%s\n' kernel/drivers/vfio/pci/vfio-pci.ko kernel/drivers/vfio/vfio_iommu_type1.ko \
	kernel/drivers/pci/pci-stub.ko extra/vendor-reset.ko >"$R/lib/modules/$rel/modules.builtin"
: >"$R/lib/modules/$rel/modules.order"
depmod -b "$R" "$rel" 2>/dev/null

# The guest's disk: sda behind 0000:00:05.0 neither mounted nor held.
sed -i '\# /mnt/data #d' "$R/proc/self/mountinfo"
rm -f "$R"/sys/devices/pci0000:00/0000:00:05.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2/holders/dm-0

# add_fn PARENT BDF VENDOR DEVICE CLASS DRIVER GROUP RESET: a PCI function
# below PARENT (a directory under sys/devices), modelled on the NIC at
# 0000:02:00.0 (the config space of a bridge on the root port 00:03.0).
add_fn() {
	local parent=$1 bdf=$2 ven=$3 dev=$4 cls=$5 drv=$6 grp=$7 reset=$8 d like
	d=$R/sys/devices/$parent/$bdf
	like=$R/sys/devices/pci0000:00/0000:00:03.0
	[ "${cls:0:4}" = 0604 ] || like=$like/0000:02:00.0
	mkdir -p "$d"
	cp "$like/config" "$d/config"
	printf '0x%s\n' "$ven" >"$d/vendor"
	printf '0x%s\n' "$dev" >"$d/device"
	printf '0x%s\n' "$cls" >"$d/class"
	printf '0x%s\n' "$ven" >"$d/subsystem_vendor"
	printf '0x0000\n' >"$d/subsystem_device"
	printf '0x00\n' >"$d/revision"
	printf '(null)\n' >"$d/driver_override"
	printf '%s\n' "$reset" >"$d/reset_method"
	printf 'pci:v0000%sd0000%ssv0000%ssd00000000bc%ssc%si%s\n' "${ven^^}" "${dev^^}" "${ven^^}" \
		"${cls:0:2}" "${cls:2:2}" "${cls:4:2}" >"$d/modalias"
	mkdir -p "$R/sys/bus/pci/drivers/$drv" "$R/sys/kernel/iommu_groups/$grp/devices"
	if [ "$drv" != pcieport ] && [ ! -e "$R/sys/module/$drv/initstate" ]; then
		mkdir -p "$R/sys/module/$drv" # a loaded module, not built in
		echo live >"$R/sys/module/$drv/initstate"
		ln -s ../../../../module/"$drv" "$R/sys/bus/pci/drivers/$drv/module"
	fi
	ln -s "$(realpath --relative-to="$d" "$R/sys/bus/pci/drivers/$drv")" "$d/driver"
	ln -s "$(realpath --relative-to="$d" "$R/sys/kernel/iommu_groups/$grp")" "$d/iommu_group"
	ln -s "$(realpath --relative-to="$R/sys/bus/pci/devices" "$d")" "$R/sys/bus/pci/devices/$bdf"
	ln -s "$(realpath --relative-to="$R/sys/kernel/iommu_groups/$grp/devices" "$d")" \
		"$R/sys/kernel/iommu_groups/$grp/devices/$bdf"
}
P=pci0000:00
# A second graphics card with its HDMI audio (GeForce GTX 1080) in slot 03:00.
add_fn "$P" 0000:00:06.0 1b36 000c 060400 pcieport 9 ""
add_fn "$P/0000:00:06.0" 0000:03:00.0 10de 1b80 030000 nouveau 12 bus
add_fn "$P/0000:00:06.0" 0000:03:00.1 10de 10f0 040300 snd_hda_intel 12 bus
# A card that cannot reset itself (AMD Polaris 10, RX 480/580), with
# vendor-reset loaded (it offers device_specific), in slot 04:00.
add_fn "$P" 0000:00:07.0 1b36 000c 060400 pcieport 10 ""
add_fn "$P/0000:00:07.0" 0000:04:00.0 1002 67df 030000 amdgpu 13 "device_specific bus"
add_fn "$P/0000:00:07.0" 0000:04:00.1 1002 aaf0 040300 snd_hda_intel 13 bus
# An NVMe drive (Samsung 970 EVO Plus) that holds no disk of the host, in 05:00.
add_fn "$P" 0000:00:08.0 1b36 000c 060400 pcieport 11 ""
add_fn "$P/0000:00:08.0" 0000:05:00.0 144d a808 010802 nvme 14 "flr bus"
# A 10 GbE NIC with SR-IOV (Intel X550-T2: 63 virtual functions), in 06:00.
add_fn "$P" 0000:00:09.0 1b36 000c 060400 pcieport 15 ""
add_fn "$P/0000:00:09.0" 0000:06:00.0 8086 1563 020000 ixgbe 16 "flr bus"
printf '63\n' >"$R/sys/bus/pci/devices/0000:06:00.0/sriov_totalvfs"
printf '0\n' >"$R/sys/bus/pci/devices/0000:06:00.0/sriov_numvfs"

# examples FILE...: "FILE LINE" of each ```ini block, its text in
# $TAP_TMP/ex.N. A block ends at the next ``` line.
examples() {
	awk -v dir="$TAP_TMP" '
		/^```ini[ \t]*$/ { n++; start = FNR + 1; out = dir "/ex." n
			printf "" >out; print FILENAME, start; inblock = 1; next }
		inblock && /^```/ { inblock = 0; close(out); next }
		inblock { print >out }
		END { if (inblock) print "unterminated"; }' "$@"
}
# judge N: check exits 0 and the example selects something.
judge() {
	cp "$TAP_TMP/ex.$1" "$R/etc/passthrough.conf"
	chmod 0644 "$R/etc/passthrough.conf"
	local rc=0
	"$PT" --pci-ids "$TOP/tests/fixtures/pci.ids" --root "$R" check >"$TAP_TMP/check.txt" 2>&1 || rc=$?
	cat "$TAP_TMP/check.txt"
	"$PT" --pci-ids "$TOP/tests/fixtures/pci.ids" --root "$R" check --json >"$TAP_TMP/check.json" 2>/dev/null || :
	[ "$rc" -eq 0 ] || { echo "check exited with $rc"; return 1; }
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
bad = [f["code"] for f in d["findings"] if f["severity"] == "error" or f["code"] == "selects-nothing"]
assert d["errors"] == 0 and not bad, "findings: %s" % bad
' "$TAP_TMP/check.json"
}

cd "$TOP"
shopt -s nullglob
docs=(README.md docs/*.md)
shopt -u nullglob
n=0
while read -r file line; do
	if [ "$file" = unterminated ]; then
		check "every \`\`\`ini block is closed" false
		continue
	fi
	n=$((n + 1))
	check "$file:$line: the config example passes check" judge "$n"
done < <(examples "${docs[@]}")
check "examples found: $n (at least one)" test "$n" -gt 0
# A config example fenced as something else would escape the test: no
# other fence may open on a [global] or [device.NAME] line.
fenced_as_ini() {
	local fence='```'
	! grep -n -A1 -E "^$fence(conf|cfg|toml|dosini|INI)?[[:space:]]*\$" "$@" |
		grep -E '^[^:]+-[0-9]+-\[(global|device\.)'
}
check "config examples are fenced as \`\`\`ini" fenced_as_ini "${docs[@]}"
tap_end
exit $((TAP_FAILED > 0))
