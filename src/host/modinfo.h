/* What the host tool asks of the module index: whether a driver exists
 * for a kernel, and which modules would drive a device (for softdeps). */
#ifndef PT_MODINFO_H
#define PT_MODINFO_H

#include "modules.h"

/* Whether a module exists for the kernel `release` (loadable or built
 * in): 1 yes, 0 no, -errno when there is no module index at all. */
int pt_module_available(const char *root, const char *release,
			const char *module);

/* The loadable modules that would drive a device with this modalias, by
 * libkmod's alias lookup as coldplug does it; built-in ones and our own
 * drivers are left out. fn gets each name; a negative return stops. */
int pt_modalias_modules(const char *root, const char *release, const char *modalias,
			int (*fn)(void *data, const char *name), void *data);

#endif
