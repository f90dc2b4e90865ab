/* The device model: what the kernel says about each PCI function, read
 * from sysfs. Shared by the binder and the host tool. */
#ifndef PT_DEVICE_H
#define PT_DEVICE_H

#include "compiler.h"

#include "log.h"
#include "pciid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_DRIVER_NAME_MAX 64

struct pt_device {
	struct pt_pci_addr addr;
	char bdf[PT_PCI_ADDR_STRLEN];
	uint16_t vendor, device;
	uint16_t subvendor, subdevice;
	uint32_t class; /* 24 bits: class, subclass, programming interface */
	long iommu_group; /* -1: none (IOMMU off) */
	char driver[PT_DRIVER_NAME_MAX]; /* "" when unbound */
	bool boot_vga;
	/* SR-IOV. A physical function: how many virtual functions it can
	 * have (0: it has no SR-IOV) and has now. A virtual function: its
	 * physical function and its index there. */
	unsigned sriov_totalvfs, sriov_numvfs;
	bool is_vf;
	struct pt_pci_addr physfn;
	unsigned vf_index;
};

struct pt_devices {
	struct pt_device *v;
	size_t n;
};

/* Class codes that never go to a guest: vfio-pci refuses bridges (their
 * header type is not "normal"), and host bridges belong to the chipset. */
bool pt_device_is_bridge(const struct pt_device *d);

/* The platform's own functions, which no guest may take whatever a config
 * says: the binder refuses them at boot and `check` calls a group that
 * holds one a chipset group. */
bool pt_device_is_platform(const struct pt_device *d);

/* Reads every device under SYSFS/bus/pci/devices, sorted by address.
 * A device whose attributes cannot be read is left out with a warning. */
PT_MUST_CHECK int pt_scan_devices(const char *sysfs, struct pt_devices *out,
		    const struct pt_log *log);
/* Reads one device; -ENOENT when it is gone. */
PT_MUST_CHECK int pt_read_device(const char *sysfs, const struct pt_pci_addr *addr,
		   struct pt_device *dev);
const struct pt_device *pt_find_device(const struct pt_devices *devs,
				       const struct pt_pci_addr *addr);
void pt_devices_free(struct pt_devices *devs);

/* Driver names come from symlinks in sysfs: letters, digits, '-', '_'. */
bool pt_valid_driver_name(const char *s);

#endif
