#!/bin/bash
# dracut module: runs passthrough-early as a pre-udev hook, before udev
# loads any host driver. Enabled by /usr/lib/dracut/dracut.conf.d/90-passthrough.conf.

check() {
	require_binaries passthrough-early || return 1
	return 0
}

depends() {
	return 0
}

installkernel() {
	# hostonly mode would skip modules no device needs yet: vfio is needed
	# before any device is bound to it.
	hostonly='' instmods vfio vfio_iommu_type1 vfio_pci pci_stub
	hostonly='' instmods vfio_virqfd 2>/dev/null || :
}

install() {
	local conf

	inst_binary "$(command -v passthrough-early)" /usr/sbin/passthrough-early
	# Only the config `passthrough apply` wrote after `check` passed; the
	# host tool names it and warns about an edit never applied.
	conf=$(passthrough initramfs-config) || conf=
	[[ -n $conf && -f $conf ]] && inst_simple "$conf" /etc/passthrough.conf
	# /etc/modprobe.d is copied in hostonly mode only; ours is needed always.
	[[ -f /etc/modprobe.d/passthrough.conf ]] &&
		inst_simple /etc/modprobe.d/passthrough.conf
	# shellcheck disable=SC2154 # dracut sets moddir
	inst_hook pre-udev 10 "$moddir/passthrough-pre-udev.sh"
}
