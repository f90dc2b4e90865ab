/* What the host tool asks of the module index: whether a driver exists
 * for a kernel, and which modules would drive a device (for softdeps). */
#ifndef PT_MODINFO_H
#define PT_MODINFO_H

#include "modules.h"

/* Whether a module exists for the context's kernel (loadable or built
 * in): 1 yes, 0 no, -errno when there is no module index at all. Both ask
 * the context's one libkmod context. */
int pt_module_available(const struct pt_context *ctx, const char *module);

/* The loadable modules that would drive a device with this modalias, by
 * libkmod's alias lookup as coldplug does it; built-in ones and our own
 * drivers are left out. fn gets each name; a negative return stops. */
int pt_modalias_modules(const struct pt_context *ctx, const char *modalias,
			int (*fn)(void *data, const char *name), void *data);

#endif
