#!/usr/bin/env bash
# make bench: what passthrough costs, against what admins use today, each
# pair measured in the same run (these machines are noisy: only ratios
# hold). Prints one table and writes it as JSON to build/bench/results.json.
#   1. the binder in a QEMU boot vs the vfio-pci-override.sh approach
#   2. planning on fake trees of 64, 512 and 4096 devices: callgrind
#      instructions and CPU time, and how they grow
#   3. `passthrough list` vs the guides' shell loops and `lspci -nnk`
#   4. `passthrough check` on the same trees
#   5. sizes: the binder, dynamic and static (glibc, musl); what each adds
#      to an initramfs; what the hook adds to one built by mkinitramfs
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
# kmod_version dynamic|musl: the libkmod a binder is built with.
kmod_version() {
	case $1 in
	dynamic) dpkg-query -W -f='${Version}' libkmod2 2>/dev/null | sed 's/[+-].*//' ;;
	*) sed -n 's/^#define VERSION "\(.*\)"/\1/p' "$TOP/build-aux/static-libkmod-config.h" ;;
	esac
}
# kvm_unusable: why a KVM guest cannot be measured here (exit 1: it can).
# /dev/kvm can exist where a guest does not start (nested, a CPU model
# the host refuses): a kernel must print its first line within 30 s.
kvm_unusable() {
	[ -w /dev/kvm ] || { echo "no /dev/kvm (or not writable): KVM rows need a host with virtualization"; return 0; }
	local log; log=$(mktemp)
	timeout 30 qemu-system-x86_64 -accel kvm -M q35 -m 128 -display none -nodefaults -no-reboot \
		-kernel "$VMLINUZ" -append "console=ttyS0 panic=-1" -serial "file:$log" >/dev/null 2>"$log.err" || true
	if grep -q "Linux version" "$log"; then rm -f "$log" "$log.err"; return 1; fi
	echo "/dev/kvm is there but a guest does not start (no kernel line in 30 s; $(head -c 120 "$log.err" | tr '\n' ' '))"
	rm -f "$log" "$log.err"
}

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
	# CPU time is sampled at each tick: many runs, their mean (measure.py)
	python3 "$HERE/measure.py" "${BENCH_CPU_RUNS:-1000}" "${plan[@]}" >"$BENCH/plan-$n.json"
	row "planning, $n devices (callgrind)" "${ir[$n]}" "" "instructions" "$(( ${ir[$n]} / n )) per device"
	row "planning, $n devices (user CPU)" "$(ms user_ms <"$BENCH/plan-$n.json")" "" "ms" \
		"mean of ${BENCH_CPU_RUNS:-1000} runs, +-$(ms user_ms_ci95 <"$BENCH/plan-$n.json") (95%); goal: 4096 under 5 ms; the kernel's part: $(ms sys_ms <"$BENCH/plan-$n.json") ms"
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
musl_startup=$(python3 "$HERE/measure.py" "$((RUNS * 20))" "$BUILD/passthrough-early-musl" --dry-run \
	--sysfs "$t/sys" --root "$t" | ms wall_ms)
row "musl static binder, exec to exit, 64 devices" "$musl_startup" "$floor" "ms" "the same"
# The same runs in instructions (callgrind), whole process: what starting
# costs, with and without shared libraries.
for b in passthrough-early passthrough-early-static passthrough-early-musl; do
	case $b in
	*-static) what="static (glibc)" ;;
	*-musl) what="static (musl)" ;;
	*) what="dynamic (Debian's libkmod, libcrypto)" ;;
	esac
	n_ir=$(valgrind --tool=callgrind --callgrind-out-file="$BENCH/run-$b.callgrind" "$BUILD/$b" \
		--dry-run --sysfs "$t/sys" --root "$t" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	ldso=$(callgrind_annotate --inclusive=no "$BENCH/run-$b.callgrind" 2>/dev/null |
		awk '/ld-linux/ {gsub(",", "", $1); s += $1} END {print s + 0}')
	row "binder run, 64 devices, $what" "$n_ir" "" "instructions" "$ldso of them in the dynamic loader"
done
# The dynamic binder's run by phase (the static ones are stripped): the
# functions' inclusive instructions; before main() is the dynamic loader.
phases_of() { # CALLGRIND-FILE TOTAL: "what instructions" lines
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null | python3 -c '
import re, sys
total = int(sys.argv[1]); ir = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) .*:(\w+) \[", line)
    if m and m.group(2) not in ir:
        ir[m.group(2)] = int(m.group(1).replace(",", ""))
g = lambda *names: sum(ir.get(n, 0) for n in names)
print("before main() (exec, dynamic linking)", total - g("main"))
print("reading the config", g("pt_config_load"))
print("reading the devices", g("pt_scan_devices"))
print("selecting, logging the plan", g("pt_select_devices", "log_plan_decisions"))
print("modules and binds (dry run)", g("carry_out", "make_vfs"))
' "$2"
}
for n in 64 4096; do
	t="$BENCH/trees/$n"
	valgrind --tool=callgrind --callgrind-out-file="$BENCH/phases-$n.callgrind" "$BUILD/passthrough-early" \
		--dry-run --sysfs "$t/sys" --root "$t" >/dev/null 2>&1
	phases_of "$BENCH/phases-$n.callgrind" "${ir[$n]}" | while read -r line; do
		row "binder run by phase, $n devices: ${line% *}" "${line##* }" "" "instructions" \
			"$(( ${line##* } / n )) per device; dynamic binder, natively, --dry-run"
	done
done

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
# The guest reads which method to run before its first mark, so each span
# holds the method alone (tests/boot/guest-init.sh).
#   binder          the dynamic binder, -v: its phases in the kernel log
#   binder-static   `make static` (glibc);  binder-musl: `make static LIBC=musl`
#   binder-warm     the dynamic binder once with --dry-run before the mark:
#                   the same run with its code already read and translated
#   shell           vfio-pci-override.sh, given the same modules
#   floor           only the modules the binder loads (what every method pays)
#   ids             vfio-pci's own ID table, the in-kernel path, as a reference
fetch_kernel
build_initramfs "$BENCH/initrd.gz"
build_initramfs "$BENCH/initrd-static.gz" static
build_initramfs "$BENCH/initrd-musl.gz" musl
prepare_disks
export -f boot_guest die
export BUILD VMLINUZ BENCH
kinds="binder binder-static binder-musl binder-warm shell floor ids"
for i in $(seq "$BOOTS"); do
	for kind in $kinds; do echo "$kind $i"; done
done |
	xargs -P "${BOOT_JOBS:-2}" -L 1 bash -c \
	'img=$BENCH/initrd.gz bench=$0
	 case $0 in
	 binder-static) img=$BENCH/initrd-static.gz bench=binder ;;
	 binder-musl) img=$BENCH/initrd-musl.gz bench=binder ;;
	 binder-warm) bench=warm ;;
	 esac
	 boot_guest "$img" "$BENCH/boot-$0-$1.log" pt.test=demo pt.bench=$bench || true'
for kind in $kinds; do
	python3 "$HERE/phases.py" "$BENCH/boot-$kind-"[0-9]*.log >"$BENCH/phases-$kind.json"
	case $kind in binder* | shell)
		for f in "$BENCH/boot-$kind-"[0-9]*.log; do
			for dev in 0000:01:00.0 0000:00:04.0 0000:00:05.0; do
				[ "$(guest_driver "$f" "$dev")" = vfio-pci ] ||
					echo "bench: $kind boot $f left $dev off vfio-pci: the comparison is void" >&2
			done
		done
	esac
done
phase() { # KIND NAME: that phase's median in ms (nan when no log has it)
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], "nan"))' \
		"$BENCH/phases-$1.json" "$2"
}
floor=$(phase floor span)
shell=$(phase shell span)
over() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) - float(sys.argv[2])))' "$1" "$floor"; }
row "floor: only loading vfio_iommu_type1, vfio_pci" "$floor" "" "ms" \
	"median of $BOOTS boots each, QEMU TCG; what every method pays"
row "in-kernel: vfio_pci ids= (binds by ID only)" "$(phase ids span)" "" "ms" "reference"
row "script (vfio-pci-override.sh), same modules" "$shell" "" "ms" ""
for kind in binder binder-static binder-musl binder-warm; do
	case $kind in
	binder) what="binder (dynamic)" ;;
	binder-static) what="static binder (glibc)" ;;
	binder-musl) what="static binder (musl)" ;;
	binder-warm) what="binder (dynamic), code already warm" ;;
	esac
	row "$what in the same boot" "$(phase "$kind" span)" "$shell" "ms" "reference: the script"
	row "overhead above the floor: $what vs script" "$(over "$(phase "$kind" span)")" "$(over "$shell")" "ms" \
		"goals: at most 1/5 of the script's, at most 10% of the floor"
done
# Where the binder's time goes in the boot: its phases, dynamic and musl.
for p in exec:"exec and dynamic linking" config:"reading the config" scan:"reading the devices" \
	plan:"selecting, logging the plan" kmod:"libkmod context and indexes" modules:"loading the modules (with libkmod's context)" \
	binds:"override, probe, confirm, log" exit:"exit, back in the shell"; do
	row "boot phase: ${p#*:}" "$(phase binder "${p%%:*}")" "$(phase binder-musl "${p%%:*}")" "ms" \
		"dynamic binder; reference: musl static"
done

# --- 5: sizes ------------------------------------------------------------------------------
strip -o "$BENCH/passthrough-early.stripped" "$BUILD/passthrough-early"
row "binder size, dynamic (stripped)" "$(stat -c %s "$BENCH/passthrough-early.stripped")" "" "bytes" \
	"+ libkmod $(stat -L -c %s "$(ldd "$BUILD/passthrough-early" | awk '/libkmod/ {print $3}')") shared"
row "binder size, static (glibc, libkmod, xz, zstd)" "$(stat -c %s "$BUILD/passthrough-early-static")" "" "bytes" "goal: under 1.2 MB"
row "binder size, static (musl, libkmod, gzip, xz, zstd)" "$(stat -c %s "$BUILD/passthrough-early-musl")" "" "bytes" "goal: under 400 KB"
# What each variant adds to an initramfs that has libc (Alpine's has no
# libkmod; Debian's has it, with libcrypto, for kmod): the files, as a
# gzip -9 cpio.
growth() { # FILE...: bytes of their gzip -9 newc cpio
	local d; d=$(mktemp -d "$BENCH/growth.XXXXXX")
	for f in "$@"; do install -D -m 0755 "$f" "$d$f"; done
	(cd "$d" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9 | wc -c)
	rm -rf "$d"
}
dyn_files=("$BUILD/passthrough-early")
for lib in $(ldd "$BUILD/passthrough-early" | awk '$3 ~ /^\// && $1 !~ /^libc\.so/ {print $3}'); do
	dyn_files+=("$(readlink -f "$lib")")
done
row "initramfs growth, dynamic binder and its libraries (gzip)" "$(growth "${dyn_files[@]}")" "" "bytes" \
	"$(for f in "${dyn_files[@]}"; do basename "$f"; done | tr '\n' ' ')"
row "initramfs growth, static binder, glibc (gzip)" "$(growth "$BUILD/passthrough-early-static")" "" "bytes" ""
row "initramfs growth, static binder, musl (gzip)" "$(growth "$BUILD/passthrough-early-musl")" "" "bytes" \
	"what the Alpine glue puts in"
for hook in without with; do
	if [ "$hook" = with ]; then want="with-hook"; else want=; fi
	initramfs_tools_conf "$BENCH/itools-$hook" "$want"
	generator_namespace "$BENCH/ovl" "$(cat "$TOP/tests/boot/configs/demo.conf")" \
		mkinitramfs -d "$BENCH/itools-$hook" -o "$BENCH/initrd-$hook.img" "$KVER" >/dev/null 2>&1
done
with=$(stat -c %s "$BENCH/initrd-with.img")
without=$(stat -c %s "$BENCH/initrd-without.img")
row "initramfs from mkinitramfs, with our hook" "$with" "$without" "bytes" "+$((with - without)) bytes (gzip)"

# --- per kernel: the same binders on 5.10, 6.1 and 6.12 ----------------------------------------
# 6.12's modules are .ko.xz: a libkmod older than 31 decompresses them in
# user space; 31 and later hand them to a kernel that can decompress them
# (/sys/module/compression) with finit_module(MODULE_INIT_COMPRESSED_FILE).
images_on_three_kernels "$BENCH/initrd-k" ""
images_on_three_kernels "$BENCH/initrd-k-musl" musl
# floor: the same image loading only the modules, no binder: what every
# method pays on that kernel. unsigned: the floor again with the vfio
# modules' signatures removed, which shows what verifying them costs
# (Debian 12 signs its modules with RSA, Debian 13 with ECDSA).
for k in 61 612; do
	tree=$(mktemp -d "$BENCH/unsigned.XXXXXX")
	(cd "$tree" && gzip -dc "$BENCH/initrd-k-$k.gz" | cpio -id --quiet)
	find "$tree/lib/modules" \( -path '*/vfio/*' -o -path '*/virt/lib/*' \) -name '*.ko' \
		-exec python3 "$HERE/strip-signatures.py" {} +
	(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$BENCH/initrd-k-unsigned-$k.gz"
	rm -rf "$tree"
done
for i in $(seq "$BOOTS"); do
	for k in 510 61 612; do echo "$k '' binder $i"; echo "$k -musl binder $i"; echo "$k -floor floor $i"; done
	for k in 61 612; do echo "$k -unsigned floor $i"; done
done |
	xargs -P "${BOOT_JOBS:-2}" -L 1 bash -c \
	'vm=VMLINUZ_$0 img=$1; [ "$1" = -floor ] && img=""
	 VMLINUZ=${!vm} boot_guest "$BENCH/initrd-k$img-$0.gz" "$BENCH/boot-k$1-$0-$3.log" \
		pt.test=demo pt.bench=$2 || true'
for k in 61 612; do
	python3 "$HERE/phases.py" "$BENCH/boot-k-unsigned-$k-"[0-9]*.log >"$BENCH/phases-k-unsigned-$k.json"
done
for k in 510 61 612; do
	python3 "$HERE/phases.py" "$BENCH/boot-k-floor-$k-"[0-9]*.log >"$BENCH/phases-k-floor-$k.json"
	for v in "" -musl; do
		python3 "$HERE/phases.py" "$BENCH/boot-k$v-$k-"[0-9]*.log >"$BENCH/phases-k$v-$k.json"
		for f in "$BENCH/boot-k$v-$k-"[0-9]*.log; do
			[ "$(guest_driver "$f" 0000:01:00.0)" = vfio-pci ] ||
				echo "bench: $f left 0000:01:00.0 off vfio-pci: the comparison is void" >&2
		done
	done
done
kname() { case $1 in 510) echo 5.10 ;; 61) echo 6.1 ;; 612) echo 6.12 ;; esac; }
for v in "" -musl; do
	case $v in -musl) what="static binder (musl, libkmod $(kmod_version musl))" ;;
	*) what="binder (dynamic, Debian 12's libkmod $(kmod_version dynamic))" ;; esac
	for k in 510 61 612; do
		row "$what on $(kname $k): in the boot" "$(phase "k$v-$k" span)" "$(phase "k$v-61" span)" "ms" \
			"median of $BOOTS boots; reference: 6.1; goal: 6.12 at most 1.2x"
		row "$what on $(kname $k): loading the modules" "$(phase "k$v-$k" modules)" "$(phase "k$v-61" modules)" "ms" \
			"the same boots"
		row "$what on $(kname $k): above the floor" \
			"$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) - float(sys.argv[2])))' \
				"$(phase "k$v-$k" span)" "$(phase "k-floor-$k" span)")" \
			"$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) - float(sys.argv[2])))' \
				"$(phase "k$v-61" span)" "$(phase k-floor-61 span)")" "ms" \
			"the binder's own cost; reference: on 6.1"
	done
	[ -n "$v" ] || for k in 510 61 612; do
		row "floor on $(kname $k): only loading the modules" "$(phase "k-floor-$k" span)" "$(phase k-floor-61 span)" "ms" \
			"what every method pays; reference: 6.1"
	done
	[ -n "$v" ] || for k in 61 612; do
		row "floor on $(kname $k), the modules' signatures removed" "$(phase "k-unsigned-$k" span)" \
			"$(phase k-unsigned-61 span)" "ms" \
			"the kernel's signature check is the rest of its floor; reference: 6.1 the same way"
	done
done
# Under KVM the emulator's translation of a new program does not dominate.
if kvm_why=$(kvm_unusable); then
	row "binder (dynamic) under KVM: skipped" "" "" "" "$kvm_why"
else
	KERNEL_SUITE='' fetch_kernel
	for i in $(seq "$BOOTS"); do
		for kind in binder shell floor; do echo "$kind $i"; done
	done | QEMU_ACCEL=kvm xargs -P "${BOOT_JOBS:-2}" -L 1 bash -c \
		'boot_guest "$BENCH/initrd.gz" "$BENCH/boot-kvm-$0-$1.log" pt.test=demo pt.bench=$0 || true'
	for kind in binder shell floor; do
		python3 "$HERE/phases.py" "$BENCH/boot-kvm-$kind-"[0-9]*.log >"$BENCH/phases-kvm-$kind.json"
	done
	row "binder (dynamic) under KVM, in the boot" "$(phase kvm-binder span)" "$(phase kvm-shell span)" "ms" \
		"median of $BOOTS boots; reference: the script; floor $(phase kvm-floor span) ms"
fi
KERNEL_SUITE='' fetch_kernel

# --- the table ------------------------------------------------------------------------------
python3 - "$results" "$BENCH/results.json" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    what, ours, ref, unit, note = line.rstrip("\n").split("\t")
    num_or_none = lambda v: None if not v or float(v) != float(v) else float(v)  # "" or nan
    r = {"what": what, "ours": num_or_none(ours), "reference": num_or_none(ref),
         "unit": unit, "note": note}
    r["ratio"] = round(r["reference"] / r["ours"], 1) if r["reference"] and r["ours"] else None
    rows.append(r)
json.dump(rows, open(sys.argv[2], "w"), indent=1)
fmt = "%-62s %12s %12s %7s  %s"
print(fmt % ("", "passthrough", "reference", "ratio", "unit, note"))
for r in rows:
    num = lambda v: "" if v is None else ("%.0f" % v if v >= 100 else "%.2f" % v)
    print(fmt % (r["what"], num(r["ours"]), num(r["reference"]),
                 "" if r["ratio"] is None else "%.1fx" % r["ratio"],
                 ", ".join(x for x in (r["unit"], r["note"]) if x)))
PY
echo "(written to $BENCH/results.json)"
