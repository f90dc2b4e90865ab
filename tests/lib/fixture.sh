# Changes to a copy of the captured QEMU tree (tests/fixtures/qemu) that
# the capture itself has no example of. Sourced.
# shellcheck shell=bash

# add_function ROOT FROM TO: a second function in FROM's slot (TO, such
# as 0000:01:00.1), a copy of FROM's directory with FROM's IDs and group,
# bound to vfio-pci like FROM after `fixture_bind ROOT FROM vfio-pci`:
# the GPU-and-audio shape of a card.
add_function() {
	local r=$1 from=$2 to=$3 fromdir todir
	fromdir=$(readlink -f "$r/sys/bus/pci/devices/$from")
	todir=${fromdir%/*}/$to
	cp -a "$fromdir" "$todir" && rm -rf "$todir/driver" "$todir/net"
	ln -s "$(readlink "$r/sys/bus/pci/devices/$from" | sed "s/$from\$/$to/")" \
		"$r/sys/bus/pci/devices/$to"
	mkdir -p "$(readlink -f "$todir/iommu_group")/devices"
	ln -sf "$todir" "$(readlink -f "$todir/iommu_group")/devices/$to"
}

# fixture_bind ROOT ADDRESS DRIVER: the device's driver link
fixture_bind() {
	local dev
	dev=$(readlink -f "$1/sys/bus/pci/devices/$2")
	rm -f "$dev/driver"
	mkdir -p "$1/sys/bus/pci/drivers/$3"
	ln -s "$(realpath --relative-to="$dev" "$1/sys/bus/pci/drivers/$3")" "$dev/driver"
}
