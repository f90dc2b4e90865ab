/* The machine as the host tool sees it: the device model of the binder,
 * plus what an admin needs to decide what can be passed through: names
 * (libpci, pci.ids), reset support, ACS, built-in drivers, the USB devices
 * and disks behind each controller, network interfaces, the IOMMU and
 * interrupt remapping. Read once; the decisions over it are pure. */
#ifndef PT_MACHINE_H
#define PT_MACHINE_H

#include "config.h"
#include "device.h"
#include "disks.h"
#include "log.h"
#include "select.h"

#include <stdbool.h>

enum pt_cpu_vendor { PT_CPU_UNKNOWN, PT_CPU_INTEL, PT_CPU_AMD };

/* A tri-state for facts that cannot always be read (old kernels, no
 * root, fake trees). */
enum pt_known { PT_NO = 0, PT_YES = 1, PT_UNKNOWN = -1 };

struct pt_usb_device {
	unsigned busnum, devnum;
	uint16_t vendor, product;
	char product_name[96];
};

struct pt_usb_bus {
	unsigned busnum;
	struct pt_pci_addr controller;
	struct pt_usb_device *devs; /* root hub excluded */
	size_t n;
};

/* Per PCI device, parallel to machine.devs.v. */
struct pt_devinfo {
	char vendor_name[96];
	char device_name[128];
	char class_name[64];
	char subsys_name[128];
	char reset_methods[64]; /* "flr bus"; "" with reset_known: none */
	bool reset_known;
	enum pt_known flr;
	char upstream[PT_PCI_ADDR_STRLEN]; /* the bridge above it; "" on a root bus */
	enum pt_known upstream_acs;     /* request and completion redirect on */
	bool driver_builtin;
	char netdevs[64];      /* "enp1s0 enp1s0d1" */
	bool default_route;    /* one of its netdevs carries a default route */
	/* Its memory BARs (sysfs resource), [start, end]; end 0: none. */
	uint64_t bar[6][2];
};

struct pt_machine {
	struct pt_devices devs;
	struct pt_devinfo *info;
	/* devs' indexes by IOMMU group, then address (pt_machine_index_groups):
	 * a group's devices are one run of it, so asking for them costs a
	 * binary search, not a pass over thousands of functions. */
	size_t *by_group;
	struct pt_usb_bus *usb;
	size_t n_usb;
	struct pt_disks disks;
	bool iommu_on; /* the kernel made IOMMU groups */
	enum pt_cpu_vendor cpu;
	enum pt_known irq_remap;
	char release[65]; /* the running kernel, for its modules */
	char *cmdline;    /* what it booted with (/proc/cmdline); NULL: unknown */
	/* Its build turns VT-d on without intel_iommu=on (boot/config-*) */
	enum pt_known intel_iommu_default_on;
	/* Memory the firmware's framebuffer holds (/proc/iomem, root only) */
	struct pt_fb_range {
		uint64_t start, end;
		char name[32]; /* efifb, BOOTFB, simplefb, vesafb */
	} *fb;
	size_t n_fb;
};

struct pt_machine_paths {
	const char *sysfs;   /* "/sys" */
	const char *root;    /* "" or a fake root holding proc/, dev/, lib/modules */
	const char *pci_ids; /* NULL: libpci's default pci.ids */
	const char *release; /* the kernel's release (pt_context) */
};

int pt_machine_read(const struct pt_machine_paths *p, struct pt_machine *m,
		    const struct pt_log *log);
/* From ROOT/proc/cpuinfo; unknown without /proc (a rescue chroot). */
enum pt_cpu_vendor pt_read_cpu_vendor(const char *root);
void pt_machine_free(struct pt_machine *m);

/* A config's host-only selectors (usb, usb_bus, disk) resolved on this
 * machine: the PCI controllers each one sits behind. A selector that names
 * nothing has none, and its rule then selects nothing. */
struct pt_resolved_selector {
	const struct pt_match *match;
	struct pt_pci_addr *controllers;
	size_t n;
};

struct pt_selectors {
	struct pt_resolved_selector *v;
	size_t n;
};

int pt_resolve_host_selectors(const struct pt_config *cfg, const struct pt_machine *m,
			      const struct pt_machine_paths *p, struct pt_selectors *out);
/* What pt_select_devices asks about host-only selectors: valid while s is. */
struct pt_resolver pt_selectors_resolver(const struct pt_selectors *s);
void pt_selectors_free(struct pt_selectors *s);

/* Builds m->by_group (pt_machine_read does; a machine put together by
 * hand calls it once its devices are in). */
int pt_machine_index_groups(struct pt_machine *m);
/* The devices of IOMMU group GROUP (-1: those without one), in address
 * order: *n indexes into m->devs.v. */
const size_t *pt_machine_group(const struct pt_machine *m, long group, size_t *n);

/* Indexes into m->devs.v, or -1. */
long pt_machine_find(const struct pt_machine *m, const struct pt_pci_addr *a);
bool pt_device_is_usb_controller(const struct pt_device *d);
bool pt_device_is_storage_controller(const struct pt_device *d);
bool pt_device_is_display(const struct pt_device *d);

#endif
