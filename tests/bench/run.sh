#!/usr/bin/env bash
# make bench: what passthrough costs, against what admins use today, each
# pair measured in the same run (these machines are noisy: only ratios
# hold). Prints one table and writes it as JSON to build/bench/results.json.
#   1. the binder in a QEMU boot vs the vfio-pci-override.sh approach
#   2. planning on fake trees of 64, 512 and 4096 devices: callgrind
#      instructions and CPU time, and how they grow
#   3. `passthrough list` vs the guides' shell loops and `lspci -nnk`
#   4. `passthrough check` on the same trees
#   5. sizes: the binder, dynamic and static; what the hook adds to an
#      initramfs built by mkinitramfs
set -euo pipefail
BUILD=${1:-build}
. "$(dirname "$0")/../boot/lib.sh"
BENCH="$BUILD/bench"
rm -rf "$BENCH" && mkdir -p "$BENCH/trees"
BENCH=$(cd "$BENCH" && pwd)
HERE="$TOP/tests/bench"
RUNS=${BENCH_RUNS:-5}
BOOTS=${BENCH_BOOTS:-5}
results="$BENCH/results.tsv"
: >"$results"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; } # what ours reference unit note
ms() { python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)[sys.argv[1]])' "$1"; }
REL=$(uname -r)

echo "bench: machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" >&2

# --- 2, 3, 4: fake trees --------------------------------------------------------------
for n in 64 512 4096; do
	t="$BENCH/trees/$n"
	python3 "$HERE/mktree.py" "$n" "$t"
	# a module index where vfio_pci is built in: planning touches no kernel
	mkdir -p "$t/lib/modules/$REL" "$t/etc"
	printf '%s\n' kernel/drivers/vfio/pci/vfio-pci.ko kernel/drivers/vfio/vfio_iommu_type1.ko \
		>"$t/lib/modules/$REL/modules.builtin"
	: >"$t/lib/modules/$REL/modules.order"
	depmod -b "$t" "$REL" 2>/dev/null
	printf '[device.vfs]\nids = 8086:10ed\n' >"$t/etc/passthrough.conf"
	chmod 0644 "$t/etc/passthrough.conf"
done
echo "bench: trees built" >&2

declare -A ir
for n in 64 512 4096; do
	t="$BENCH/trees/$n"
	plan=("$BUILD/passthrough-early" --dry-run --sysfs "$t/sys" --root "$t")
	ir[$n]=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "${plan[@]}" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	python3 "$HERE/measure.py" "$((RUNS * 4))" "${plan[@]}" >"$BENCH/plan-$n.json"
	row "planning, $n devices (callgrind)" "${ir[$n]}" "" "instructions" "$(( ${ir[$n]} / n )) per device"
	row "planning, $n devices (user CPU)" "$(ms user_ms <"$BENCH/plan-$n.json")" "" "ms" \
		"goal: 4096 under 10 ms; the kernel's part: $(ms sys_ms <"$BENCH/plan-$n.json") ms"
done

# The binder's whole run, exec to exit (dynamic linking, libkmod, config,
# scan, plan; --dry-run: the fake tree cannot bind), next to the floor for
# reading what it reads: one cat of the same attributes.
t="$BENCH/trees/64"
startup=$(python3 "$HERE/measure.py" "$((RUNS * 20))" "$BUILD/passthrough-early" --dry-run \
	--sysfs "$t/sys" --root "$t" | ms wall_ms)
floor=$(python3 "$HERE/measure.py" "$((RUNS * 20))" sh -c 'cat "$0"/sys/bus/pci/devices/*/vendor \
	"$0"/sys/bus/pci/devices/*/device "$0"/sys/bus/pci/devices/*/class \
	"$0"/sys/bus/pci/devices/*/subsystem_vendor "$0"/sys/bus/pci/devices/*/subsystem_device' \
	"$t" | ms wall_ms)
row "binder, exec to exit, 64 devices" "$startup" "$floor" "ms" \
	"reference: cat of the attributes it reads; goal: at most 2x that"

for n in 64 512 4096; do
	t="$BENCH/trees/$n"
	pci="$t/sys/bus/pci"
	ours=$(python3 "$HERE/measure.py" "$RUNS" "$BUILD/passthrough" --sysfs "$t/sys" --root "$t" list | ms wall_ms)
	lspci_k=$(python3 "$HERE/measure.py" "$RUNS" lspci -A linux-sysfs -O "sysfs.path=$pci" -nnk | ms wall_ms)
	# The guides' shell loops (the usual IOMMU-group listing), pointed at the tree: IOMMU
	# groups with `lspci -nns` per device, then USB buses to controllers
	# (lsusb reads the real system; the bus's devices are read from sysfs).
	cat >"$BENCH/seed-loops.sh" <<SEED
shopt -s nullglob
for g in \$(find $t/sys/kernel/iommu_groups/* -maxdepth 0 -type d | sort -V); do
	echo "IOMMU Group \${g##*/}:"
	for d in \$g/devices/*; do
		echo -e "\\t\$(lspci -A linux-sysfs -O sysfs.path=$pci -nns \${d##*/})"
	done
done
for usb_ctrl in \$(find $t/sys/bus/usb/devices/usb* -maxdepth 0 -type l); do
	pci_path="\$(dirname "\$(realpath "\${usb_ctrl}")")"
	echo "Bus \$(cat "\${usb_ctrl}/busnum") --> \$(basename \$pci_path) (IOMMU group \$(basename \$(realpath \$pci_path/iommu_group)))"
	cat "\$(dirname "\$(realpath "\${usb_ctrl}")")"/usb*/*-*/idVendor
done
SEED
	# quadratic (each lspci -s rescans the bus): once, capped, at 4096
	note="goal at 512: 20x"
	if [ "$n" -le 512 ]; then
		loops=$(python3 "$HERE/measure.py" 3 bash "$BENCH/seed-loops.sh" | ms wall_ms)
	else
		loops=$(python3 "$HERE/measure.py" 1 timeout "${BENCH_LOOP_CAP:-120}" bash "$BENCH/seed-loops.sh" | ms wall_ms)
		note="one run (stopped at ${BENCH_LOOP_CAP:-120} s if longer)"
	fi
	row "list, $n devices, vs the guides' loops" "$ours" "$loops" "ms" "$note"
	row "list, $n devices, vs lspci -nnk" "$ours" "$lspci_k" "ms" "goal: not slower"
	chk=$(python3 "$HERE/measure.py" "$RUNS" "$BUILD/passthrough" --sysfs "$t/sys" --root "$t" check | ms wall_ms)
	row "check, $n devices" "$chk" "" "ms" ""
done
echo "bench: host tool measured" >&2

# --- 1: the binder in a QEMU boot ---------------------------------------------------------
fetch_kernel
build_initramfs "$BENCH/initrd.gz"
build_initramfs "$BENCH/initrd-static.gz" static
prepare_disks
export -f boot_guest die
export BUILD VMLINUZ BENCH
# binder-static: the same binder from `make static`, no shared libraries
# floor: only the modules the binder loads (what every method pays);
# ids: vfio-pci's own ID table, the in-kernel path, as a reference.
for i in $(seq "$BOOTS"); do
	echo "binder $i"; echo "shell $i"; echo "binder-static $i"; echo "floor $i"; echo "ids $i"
done |
	xargs -P "${BOOT_JOBS:-2}" -L 1 bash -c \
	'img=$BENCH/initrd.gz; [ "$0" = binder-static ] && img=$BENCH/initrd-static.gz
	 boot_guest "$img" "$BENCH/boot-$0-$1.log" pt.test=demo pt.bench=${0%-static} || true'
boot_ms() { # KIND: the median, in ms, of the marked span over the boots
	for f in "$BENCH"/boot-"$1"-[0-9]*.log; do
		grep -a '^PT-MARK' "$f" | sed 's/.*\[ *\([0-9.]*\)\].*/\1/' | tr '\n' ' '
		echo
	done | python3 -c '
import statistics, sys
spans = [(float(b) - float(a)) * 1000 for a, b in (l.split() for l in sys.stdin if len(l.split()) == 2)]
print("%.1f" % statistics.median(spans) if spans else "nan")'
}
binder=$(boot_ms binder)
static=$(boot_ms binder-static)
shell=$(boot_ms shell)
floor=$(boot_ms floor)
ids=$(boot_ms ids)
for kind in binder binder-static shell; do
	for f in "$BENCH/boot-$kind-"[0-9]*.log; do
		for dev in 0000:01:00.0 0000:00:04.0 0000:00:05.0; do
			[ "$(guest_driver "$f" "$dev")" = vfio-pci ] ||
				echo "bench: $kind boot $f left $dev off vfio-pci: the comparison is void" >&2
		done
	done
done
row "binder in a QEMU TCG boot, 3 devices" "$binder" "$shell" "ms" \
	"median of $BOOTS boots each; reference: the script, same modules"
row "static binder in the same boot" "$static" "$shell" "ms" "no shared libraries to load"
row "floor: only loading vfio_iommu_type1, vfio_pci" "$floor" "" "ms" "what every method pays"
row "in-kernel: vfio_pci ids= (binds by ID only)" "$ids" "" "ms" "reference"
over() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) - float(sys.argv[2])))' "$1" "$floor"; }
row "overhead above the floor: binder vs script" "$(over "$binder")" "$(over "$shell")" "ms" \
	"goals: at most 1/5 of the script's, at most 10% of the floor"
row "overhead above the floor: static binder vs script" "$(over "$static")" "$(over "$shell")" "ms"

# --- 5: sizes ------------------------------------------------------------------------------
strip -o "$BENCH/passthrough-early.stripped" "$BUILD/passthrough-early"
row "binder size, dynamic (stripped)" "$(stat -c %s "$BENCH/passthrough-early.stripped")" "" "bytes" \
	"+ libkmod $(stat -L -c %s "$(ldd "$BUILD/passthrough-early" | awk '/libkmod/ {print $3}')") shared"
if [ -f "$BUILD/passthrough-early-static" ]; then
	row "binder size, static (glibc, libkmod, xz, zstd)" "$(stat -c %s "$BUILD/passthrough-early-static")" "" "bytes" "goal: under 1.2 MB"
fi
for hook in without with; do
	if [ "$hook" = with ]; then want="with-hook"; else want=; fi
	initramfs_tools_conf "$BENCH/itools-$hook" "$want"
	generator_namespace "$BENCH/ovl" "$(cat "$TOP/tests/boot/configs/demo.conf")" \
		mkinitramfs -d "$BENCH/itools-$hook" -o "$BENCH/initrd-$hook.img" "$KVER" >/dev/null 2>&1
done
with=$(stat -c %s "$BENCH/initrd-with.img")
without=$(stat -c %s "$BENCH/initrd-without.img")
row "initramfs from mkinitramfs, with our hook" "$with" "$without" "bytes" "+$((with - without)) bytes (gzip)"

# --- the table ------------------------------------------------------------------------------
python3 - "$results" "$BENCH/results.json" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    what, ours, ref, unit, note = line.rstrip("\n").split("\t")
    r = {"what": what, "ours": float(ours), "reference": float(ref) if ref else None,
         "unit": unit, "note": note}
    r["ratio"] = round(r["reference"] / r["ours"], 1) if r["reference"] and r["ours"] else None
    rows.append(r)
json.dump(rows, open(sys.argv[2], "w"), indent=1)
fmt = "%-48s %12s %12s %7s  %s"
print(fmt % ("", "passthrough", "reference", "ratio", "unit, note"))
for r in rows:
    num = lambda v: "" if v is None else ("%.0f" % v if v >= 100 else "%.2f" % v)
    print(fmt % (r["what"], num(r["ours"]), num(r["reference"]),
                 "" if r["ratio"] is None else "%.1fx" % r["ratio"], (r["unit"] + (", " + r["note"] if r["note"] else ""))))
PY
echo "(written to $BENCH/results.json)"
