#include "drivers.h"

#include <stddef.h>
#include <string.h>

static const struct pt_stub_driver drivers[] = {
	{ PT_DRIVER_VFIO_PCI, "vfio-pci", "vfio_pci", "vfio_pci" },
	{ PT_DRIVER_PCI_STUB, "pci-stub", "pci_stub", "pci_stub" },
};

const struct pt_stub_driver *pt_stub_driver(enum pt_driver id)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i].id == id)
			return &drivers[i];
	return &drivers[0]; /* PT_DRIVER_DEFAULT before the [global] one is known */
}

const struct pt_stub_driver *pt_stub_driver_named(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(name, drivers[i].name) || !strcmp(name, drivers[i].module) ||
		    !strcmp(name, drivers[i].alias))
			return &drivers[i];
	return NULL;
}

bool pt_is_stub_driver(const char *sysfs_name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(sysfs_name, drivers[i].name))
			return true;
	return false;
}

const char *pt_driver_name(enum pt_driver d)
{
	return pt_stub_driver(d)->name;
}

const char *pt_driver_module(enum pt_driver d)
{
	return pt_stub_driver(d)->module;
}
