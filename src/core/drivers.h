/* The drivers passthrough gives devices to: one table, so the names the
 * config accepts, the names sysfs shows, and the modules libkmod loads
 * are never spelled apart. */
#ifndef PT_DRIVERS_H
#define PT_DRIVERS_H

#include <stdbool.h>

enum pt_driver { PT_DRIVER_DEFAULT, PT_DRIVER_VFIO_PCI, PT_DRIVER_PCI_STUB };

struct pt_stub_driver {
	enum pt_driver id;
	const char *name;     /* as sysfs names the driver: "vfio-pci" */
	const char *module;   /* as libkmod names its module: "vfio_pci" */
	const char *alias;    /* also accepted in the config */
};

/* The driver for an id other than PT_DRIVER_DEFAULT. */
const struct pt_stub_driver *pt_stub_driver(enum pt_driver id);
/* By any of its names, or NULL. */
const struct pt_stub_driver *pt_stub_driver_named(const char *name);
/* A device on one of these is already kept from the host. */
bool pt_is_stub_driver(const char *sysfs_name);

const char *pt_driver_name(enum pt_driver d);
const char *pt_driver_module(enum pt_driver d);

#endif
