# Shared by the boot tests and `make demo`: fetch Debian's kernel, build a
# busybox initramfs with the binder, boot the test topology under QEMU.
# Nothing is installed on the host; everything lives under $BUILD.
# shellcheck shell=bash

BOOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BOOT_DIR/../.." && pwd)
: "${BUILD:=build}"
BUILD=$(cd "$BUILD" && pwd)
# shellcheck source=tests/lib/kernel.sh
. "$TOP/tests/lib/kernel.sh"

# The modules the guest needs: our drivers and the topology's host drivers
# (e1000e, xhci, usb-storage, ahci, bochs), with their dependencies.
GUEST_MODULES="vfio_pci vfio_iommu_type1 pci_stub e1000e xhci_pci usb_storage ahci sd_mod bochs
ext4 crc32c_generic dm_crypt xts ecb virtio_pci virtio_blk snd_hda_intel bochs_drm nvme"

# build_initramfs OUT [without-vfio|static|musl]: busybox, the binder,
# the modules, the test configs and the guest's /init. "static" puts in
# the binder of `make static`, without any shared library; "musl" the one
# of `make static LIBC=musl`, with the vfio modules compressed as the
# kernel ships them (6.12: xz; with MODULE_GZIP=1 gzip, as Alpine's are),
# which its libkmod reads. (Alpine's own images are built by its real
# mkinitfs: tests/boot/test-alpine.sh.)
build_initramfs() {
	local out=$1 variant=${2:-} tree mods f
	mkdir -p "$BUILD/boot" # a fresh clone: make bench builds images before any test
	tree=$(mktemp -d "$BUILD/boot/tree.XXXXXX")
	mkdir -p "$tree"/{bin,sbin,etc/tests,proc,sys,dev,run,tmp,lib/modules/"$KVER"}
	cp /bin/busybox "$tree/bin/busybox"
	# The host tool and cryptsetup, for the status/check/capture cases.
	copy_with_libs "$BUILD/passthrough" "$tree"
	copy_with_libs "$(command -v cryptsetup)" "$tree"
	copy_with_libs "$(command -v mke2fs)" "$tree"
	# Real udev for the hotplug case, with the project's rule (which runs
	# /usr/sbin/passthrough-early, as installed).
	copy_with_libs /bin/udevadm "$tree"
	ln -s udevadm "$tree/sbin/systemd-udevd"
	install -D -m 0644 "$TOP/hooks/90-passthrough.rules" "$tree/etc/udev/rules.d/90-passthrough.rules"
	install -D -m 0644 /lib/udev/rules.d/80-drivers.rules "$tree/lib/udev/rules.d/80-drivers.rules"
	mkdir -p "$tree/usr/sbin" && ln -s ../../sbin/passthrough-early "$tree/usr/sbin/passthrough-early"
	# What QEMU does with a device, for the GPU tests (tests/boot/vfio-bar.c):
	# in every image, so no image depends on which suite ran first.
	if [ ! "$BUILD/boot/vfio-bar" -nt "$BOOT_DIR/vfio-bar.c" ]; then
		cc -std=c11 -static -O2 -Wall -Wextra -o "$BUILD/boot/vfio-bar.$$" "$BOOT_DIR/vfio-bar.c"
		mv "$BUILD/boot/vfio-bar.$$" "$BUILD/boot/vfio-bar"
	fi
	install -m 0755 "$BUILD/boot/vfio-bar" "$tree/sbin/vfio-bar"
	install -D -m 0644 /usr/share/misc/pci.ids "$tree/usr/share/misc/pci.ids"
	install -m 0600 "$BOOT_DIR/luks.key" "$tree/etc/tests/luks.key"
	if [ "$variant" = static ]; then
		install -D -m 0755 "$BUILD/passthrough-early-static" "$tree/sbin/passthrough-early"
	elif [ "$variant" = musl ]; then
		install -D -m 0755 "$BUILD/passthrough-early-musl" "$tree/sbin/passthrough-early"
	else
		copy_with_libs "$BUILD/passthrough-early" "$tree"
	fi
	mods=$(for m in $GUEST_MODULES; do
		# a name may exist in one kernel only (bochs_drm in 5.10, bochs in 6.1)
		{ modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>/dev/null || true; } |
			awk '$1 == "insmod" {print $2}'
	done | sort -u)
	for f in $mods; do
		case "$variant:$f" in without-vfio:*/vfio/*) continue ;; esac
		dest="$tree/lib/modules/$KVER/${f#"$KROOT/lib/modules/$KVER/"}"
		install -D -m 0644 "$f" "$dest"
		# busybox's modprobe reads plain .ko files (6.12's are .ko.xz);
		# the musl binder loads the vfio modules as the kernel ships them.
		# MODULE_GZIP=1: gzip-compressed instead, as Alpine ships them.
		case "$variant:$f" in musl:*/vfio/* | musl:*/virt/lib/*)
			[ -n "${MODULE_GZIP:-}" ] || continue
			case $f in *.ko.xz) xz -d "$dest" && dest=${dest%.xz} ;; esac
			gzip -9 -n "$dest"
			continue ;;
		esac
		case $f in *.ko.xz) xz -d "$dest" ;; *.ko.zst) zstd -q -d --rm "$dest" ;; esac
	done
	cp "$KROOT/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$tree/lib/modules/$KVER/"
	if [ "$variant" = musl ]; then
		sed -i '/\/vfio\/\|\/virt\/lib\//!s/\.ko\.\(xz\|zst\)$/.ko/' "$tree/lib/modules/$KVER/modules.order"
		[ -z "${MODULE_GZIP:-}" ] ||
			sed -i '/\/vfio\/\|\/virt\/lib\//s/\.ko\(\.xz\)\?$/.ko.gz/' "$tree/lib/modules/$KVER/modules.order"
	else
		sed -i 's/\.ko\.\(xz\|zst\)$/.ko/' "$tree/lib/modules/$KVER/modules.order"
	fi
	if [ -n "${MODULE_GZIP:-}" ]; then
		# Debian's depmod skips .ko.gz (its kmod has no zlib): kmod's own,
		# built with it for the musl binder (build-aux/static-deps.sh)
		"$BUILD/static-musl/bin/depmod" -b "$tree" "$KVER"
	else
		depmod -b "$tree" "$KVER"
	fi
	cp "$BOOT_DIR"/configs/*.conf "$tree/etc/tests/"
	if [ "$variant" = libvirt ]; then
		install -m 0755 "$BOOT_DIR/libvirt-guest-init.sh" "$tree/init"
	else
		install -m 0755 "$BOOT_DIR/guest-init.sh" "$tree/init"
	fi
	install -m 0755 "$BOOT_DIR/capture-guest.sh" "$tree/etc/tests/capture-guest.sh"
	install -m 0755 "$BOOT_DIR/../bench/override.sh" "$tree/etc/tests/override.sh"
	(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$tree"
}

# images_on_three_kernels PREFIX [VARIANT]: the kernel-dependent suites run
# on this machine's 6.1, Debian 11's 5.10 and Debian 13's 6.12 (fetched
# through a private sources list): an image PREFIX-61.gz, -510.gz and
# -612.gz of each, and VMLINUZ_61, VMLINUZ_510, VMLINUZ_612 exported.
images_on_three_kernels() {
	local prefix=$1 variant=${2:-} k
	for k in 61: 510:bullseye 612:trixie; do
		KERNEL_SUITE=${k#*:} fetch_kernel
		build_initramfs "$prefix-${k%%:*}.gz" "$variant"
		eval "VMLINUZ_${k%%:*}=\$VMLINUZ"
	done
	export VMLINUZ_61 VMLINUZ_510 VMLINUZ_612
}

# The extra AHCI controller's disk: GPT, an ext4 partition ("guestdata")
# and a LUKS2 partition, so the guest can mount one and open the other.
make_data_disk() {
	local img=$1 tmp
	[ -f "$img" ] && return 0
	tmp=$(mktemp -d "$BUILD/boot/disk.XXXXXX")
	truncate -s 64M "$tmp/disk"
	printf 'label: gpt\nstart=2048, size=40960, name=data\nstart=43008, name=vault\n' |
		sfdisk -q "$tmp/disk" >/dev/null
	mkfs.ext4 -q -F -L guestdata -E offset=$((2048 * 512)) "$tmp/disk" 20M >/dev/null
	truncate -s $(((131072 - 43008 - 34) * 512)) "$tmp/luks"
	cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
		--key-file "$BOOT_DIR/luks.key" "$tmp/luks" >/dev/null
	dd if="$tmp/luks" of="$tmp/disk" bs=512 seek=43008 conv=notrunc status=none
	mv "$tmp/disk" "$img"
	rm -rf "$tmp"
}

# The guest's disks, made once before any guest boots (guests boot in
# parallel and must not race to create them).
prepare_disks() {
	mkdir -p "$BUILD/boot/disks"
	[ -f "$BUILD/boot/disks/usb.img" ] || truncate -s 16M "$BUILD/boot/disks/usb.img"
	make_data_disk "$BUILD/boot/disks/sata-data.img"
}

# boot_guest INITRD LOG APPEND...: boots the topology of ../shared/REFERENCE.md
# and waits for the guest to power off.
#   00:01.0 VGA 1234:1111 (boot_vga)    00:04.0 qemu-xhci + usb-storage
#   01:00.0, 02:00.0 e1000e 8086:10d3 behind two root ports (two groups)
#   00:05.0 ich9-ahci 8086:2922 + disk  00:1f.{0,2,3} chipset (one group)
#
# With UEFI=1 the firmware is OVMF (Debian's ovmf; a fresh copy of its
# variables per boot) and a discrete-GPU-like slot is added: a second
# display adapter with its HDMI-audio function on one root port, at
# 03:00.0 and 03:00.1, in one IOMMU group. The boot display (00:01.0) then
# holds the firmware framebuffer (efifb). With BOOT_ESP too, no kernel is
# given: OVMF starts the boot loader of that ESP image. IOMMU_ARGS (default
# intel_iommu=on) are the IOMMU's arguments; set empty, the kernel boots
# without them and leaves VT-d off (Debian's kernels are built without
# CONFIG_INTEL_IOMMU_DEFAULT_ON).
boot_guest() {
	local initrd=$1 log=$2; shift 2
	local disks="$BUILD/boot/disks" uefi=() direct
	direct=(-kernel "$VMLINUZ" -initrd "$initrd"
		-append "console=ttyS0 ${IOMMU_ARGS-intel_iommu=on} panic=-1 loglevel=4 $*")
	# BOOT_ESP (with UEFI=1): the firmware starts the boot loader on that
	# disk image, which picks the kernel, initrd and command line.
	# shellcheck disable=SC2054 # QEMU's option values hold commas
	[ -z "${BOOT_ESP:-}" ] ||
		direct=(-drive "if=none,id=esp,file=$BOOT_ESP,format=raw,snapshot=on"
			-device virtio-blk-pci,drive=esp,addr=0x11,bootindex=1)
	[ -f "$disks/sata-data.img" ] || die "no $disks/sata-data.img: call prepare_disks first"
	if [ "${UEFI:-}" = 1 ]; then
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$log.vars"
		# shellcheck disable=SC2054 # QEMU's option values hold commas
		uefi=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
			-drive if=pflash,format=raw,file="$log.vars"
			-device pcie-root-port,id=rpg,chassis=3,slot=3
			-device secondary-vga,bus=rpg,addr=00.0,multifunction=on
			-device ich9-intel-hda,bus=rpg,addr=00.1)
	fi
	# shellcheck disable=SC2086 # EXTRA_QEMU_ARGS is a list of arguments
	timeout "${BOOT_TIMEOUT:-180}" qemu-system-x86_64 \
		-M q35,kernel-irqchip=split -accel "${QEMU_ACCEL:-tcg}" -m 512 -smp 1 \
		-nographic -no-reboot -nic none -serial mon:stdio \
		-device "${IOMMU_DEVICE:-intel-iommu,intremap=on}" \
		-device pcie-root-port,id=rp1,chassis=1,slot=1 \
		-device e1000e,bus=rp1,romfile= \
		-device pcie-root-port,id=rp2,chassis=2,slot=2 \
		-device e1000e,bus=rp2,romfile= \
		-device qemu-xhci,id=xhci \
		-drive if=none,id=usbdisk,file="$disks/usb.img",format=raw,snapshot=on \
		-device usb-storage,bus=xhci.0,drive=usbdisk \
		-device ich9-ahci,id=ahci2 \
		-drive if=none,id=satadisk,file="$disks/sata-data.img",format=raw,snapshot=on \
		-device ide-hd,bus=ahci2.0,drive=satadisk \
		"${uefi[@]}" ${EXTRA_QEMU_ARGS:-} \
		"${direct[@]}" \
		${QEMU_MONITOR:+-monitor "unix:$QEMU_MONITOR,server=on,wait=off"} \
		</dev/null 2>&1 | stdbuf -oL tr -d '\r' >"$log"
}

# The distributions' own tools (../shared/field-tools; FIELD_TOOLS).
# shellcheck disable=SC2034 # for the suites that source this
FT=${FIELD_TOOLS:-$TOP/../shared/field-tools}

# skip_all REASON: every case of the suite's CASES (an array) skipped,
# when a tool it needs is not here; fail_all REASON: failed, when the tool
# is here and does not work. Then the plan, and the suite ends.
skip_all() {
	local c
	for c in "${CASES[@]}"; do echo "ok $((n += 1)) - $SUITE: $c # skip $1"; done
	echo "1..$n"
	exit 0
}
fail_all() {
	local c
	for c in "${CASES[@]}"; do result "$c" "$1"; done
	echo "1..$n"
	exit 0
}

# result NAME PROBLEMS...: one TAP line of the suite $SUITE, numbered by
# $n: ok without PROBLEMS, else not ok with each PROBLEM below it.
result() {
	local name=$1; shift
	n=$((n + 1))
	if [ $# -eq 0 ]; then echo "ok $n - $SUITE: $name"; else
		echo "not ok $n - $SUITE: $name"; printf '#   %s\n' "$@"; fi
}

# root_driver_problems LOG ADDRESS=DRIVER...: one line per problem of a
# boot to the reporting root disk (root-init.sh): it never reported, or a
# device is not on the driver expected.
root_driver_problems() {
	local log=$1 e got; shift
	grep -q '^PT-END' "$log" 2>/dev/null || { echo "the root's init did not report (log: $log)"; return; }
	for e in "$@"; do
		got=$(guest_driver "$log" "0000:${e%%=*}" 2>/dev/null || true)
		[ "$got" = "${e#*=}" ] || echo "0000:${e%%=*} is on '${got:-?}', expected ${e#*=}"
	done
}

# doctor_verdict: doctor in a guest (pt.doctor): the JSON it printed, the cause found (first, named
# by the error vfio-bar printed in QEMU's words, where one is expected)
doctor_verdict() { # NAME CODE-OR-EMPTY NAMED-BY-ERROR EXIT [LOG]
	local log=${5:-$LOGS/$1.log}
	n=$((n + 1))
	if sed -n '/^PT-DOCTOR-BEGIN$/,/^PT-DOCTOR-EXIT/p' "$log" | sed '1d;$d' >"$log.doctor.json" &&
		grep -q "^PT-DOCTOR-EXIT $4\$" "$log" && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["problems"]
if not sys.argv[2]:
    assert d["ok"] and p == [], p
else:
    assert p[0]["code"] == sys.argv[2], [x["code"] for x in p]
    assert p[0]["named_by_error"] == (sys.argv[3] == "yes"), p[0]
    assert p[0]["evidence"] and p[0]["fix"], p[0]
' "$log.doctor.json" "$2" "$3" 2>"$log.doctor.err"; then
		echo "ok $n - boot: $1: doctor on the real kernel finds ${2:-nothing}"
	else
		echo "not ok $n - boot: $1: doctor on the real kernel finds ${2:-nothing}"
		sed 's/^/#   /' "$log.doctor.err" "$log.doctor.json" | head -30
		grep '^PT-VFIO-BAR' "$log" | sed 's/^/#   /'
	fi
}

# The driver the guest reported for a device: "none" when unbound.
guest_driver() { awk -v d="$2" '$1 == "PT-DRIVER" && $2 == d {print $4; exit}' "$1"; }

# boot_verdict N NAME LOG EXPECTED TEXT [PROBLEM...]: the TAP line of one
# boot case. It passes when the guest finished, the binder exited 0 where
# the test's init ran it, every ADDRESS=DRIVER of EXPECTED holds, TEXT is
# in the log, no modprobe.d install command ran, and the suite found no
# PROBLEM of its own.
boot_verdict() {
	local n=$1 name=$2 log=$3 expected=$4 text=$5 e dev want got
	shift 5
	local problems=("$@")
	grep -q '^PT-END' "$log" || problems+=("the guest did not finish booting")
	! grep -a -q 'PT-EXIT' "$log" || grep -a -q 'PT-EXIT 0$' "$log" ||
		problems+=("passthrough-early did not exit 0")
	for e in $expected; do
		dev="0000:${e%%=*}" want=${e#*=}
		got=$(guest_driver "$log" "$dev" || true)
		[ "$got" = "$want" ] || problems+=("$dev is on '${got:-?}', expected $want")
	done
	grep -F -q -- "$text" "$log" || problems+=("the log lacks: $text")
	! grep -q PT-INSTALL-COMMAND-RAN "$log" ||
		problems+=("a modprobe.d install command ran in early boot")
	if [ ${#problems[@]} -eq 0 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		printf '#   %s\n' "${problems[@]}" "log: $log"
		grep -E '^PT-(KMSG|DRIVER|VFIO|IOMEM)' "$log" | sed 's/^/#     /' | head -30 || true
	fi
}

# make_report_root IMAGE: the root disk the generators' images switch to:
# busybox and the init that reports each device's driver, as ext4.
make_report_root() {
	local tree="$1.tree"
	rm -rf "$tree" && mkdir -p "$tree"/{bin,sbin,proc,sys,dev,tmp,etc}
	# systemd's switch-root wants an OS tree: os-release says it is one.
	printf 'ID=passthrough-test\nNAME="passthrough test root"\n' >"$tree/etc/os-release"
	cp /bin/busybox "$tree/bin/busybox"
	install -m 0755 "$BOOT_DIR/root-init.sh" "$tree/sbin/init"
	mkfs.ext4 -q -F -L root -d "$tree" "$1" 32M
}

# generator_namespace OVERLAYDIR CONFIG COMMAND...: runs an initramfs
# generator in a private mount namespace where /usr/lib/modules shows the
# downloaded kernel, /etc/passthrough.conf holds CONFIG, /usr/sbin holds the
# binder and the host tool, /var/lib/passthrough/initramfs.conf the file
# $APPLIED_CONFIG (what `passthrough apply` wrote), /boot the kernel's
# config, and /usr/lib/dracut our module. The host's own files are never
# changed.
generator_namespace() {
	local o=$1 config=$2; shift 2
	rm -rf "$o"
	mkdir -p "$o"/{lib-u,lib-w,etc-u/modprobe.d,etc-w,sbin-u,sbin-w,varlib-u/passthrough,varlib-w,boot} \
		"$o/lib-u/modules/$KVER" "$o/lib-u/dracut/modules.d" "$o/lib-u/dracut/dracut.conf.d"
	printf '%s' "$config" >"$o/etc-u/passthrough.conf"
	cp "$BUILD/passthrough-early" "$BUILD/passthrough" "$o/sbin-u/"
	[ -z "${APPLIED_CONFIG:-}" ] || cp "$APPLIED_CONFIG" "$o/varlib-u/passthrough/initramfs.conf"
	cp "$KROOT/boot/config-$KVER" "$o/boot/"
	cp -a "$TOP/dracut/90passthrough" "$o/lib-u/dracut/modules.d/"
	cp "$TOP/dracut/90-passthrough.conf" "$o/lib-u/dracut/dracut.conf.d/"
	unshare -m --propagation private bash -euc '
		o=$1; krootmods=$2; kver=$3; shift 3
		mount -t overlay overlay -o lowerdir=/usr/lib,upperdir=$o/lib-u,workdir=$o/lib-w /usr/lib
		mount --bind "$krootmods/$kver" "/usr/lib/modules/$kver"
		mount -t overlay overlay -o lowerdir=/etc,upperdir=$o/etc-u,workdir=$o/etc-w /etc
		mount -t overlay overlay -o lowerdir=/usr/sbin,upperdir=$o/sbin-u,workdir=$o/sbin-w /usr/sbin
		mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$o/varlib-u,workdir=$o/varlib-w /var/lib
		mount --bind "$o/boot" /boot
		"$@"' _ "$o" "$KROOT/lib/modules" "$KVER" "$@"
}

# initramfs_tools_conf DIR [with-hook]: a copy of /etc/initramfs-tools,
# with our hook and init-top script when asked.
initramfs_tools_conf() {
	rm -rf "$1"
	cp -a /etc/initramfs-tools "$1"
	if [ "${2:-}" = with-hook ]; then
		install -D -m 0755 "$TOP/hooks/passthrough.hook" "$1/hooks/passthrough"
		install -D -m 0755 "$TOP/hooks/passthrough.init-top" "$1/scripts/init-top/passthrough"
	fi
	sed -i 's/^COMPRESS=.*/COMPRESS=gzip/' "$1/initramfs.conf"
}
