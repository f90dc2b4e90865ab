/* Binding one device to a driver through driver_override, the kernel's
 * per-device switch: once set, only the named driver may take the device,
 * so identical devices are told apart by address and built-in drivers are
 * taken over (unbound) instead of racing us. */
#ifndef PT_BIND_H
#define PT_BIND_H

#include "compiler.h"

#include "context.h"
#include "device.h"
#include "log.h"

enum pt_bind_result {
	PT_BIND_DONE,      /* now on the driver */
	PT_BIND_ALREADY,   /* it was on the driver before */
	PT_BIND_UNTOUCHED, /* failed before anything changed */
	PT_BIND_RESTORED,  /* failed; back as it was (on its driver, or on
			    * none when it had none) */
	PT_BIND_LOST,      /* failed, and giving it back failed too */
	PT_BIND_VANISHED,  /* the device is gone */
	PT_BIND_DRY_RUN,   /* a dry run: it would be bound, nothing changed */
};

/* Binds dev to driver (a validated driver name). Never leaves the device
 * with an override that its host driver cannot get past. */
PT_MUST_CHECK enum pt_bind_result pt_bind_device(const struct pt_context *ctx,
						 const struct pt_device *dev, const char *driver);
/* Writes the rule's reset methods ("device_specific bus") to the device's
 * reset_method (kernels 5.15+), before binding: vfio-pci resets a device
 * when a guest starts and stops, with what that file says. Logged when it
 * fails: no reset_method file (an older kernel), a method the device does
 * not offer. */
PT_MUST_CHECK int pt_set_reset_method(const struct pt_context *ctx, const struct pt_device *dev,
				      const char *methods);

/* Clears the override, unbinds the device if from_driver holds it, and
 * reprobes, so it goes back to whatever host driver matches it; when the
 * reprobe fails, binds it to host_driver ("" when unknown) through that
 * driver's bind file. 0 when it is on a host driver, or unbound and no
 * host driver was expected; else -errno, with the reason logged. */
PT_MUST_CHECK int pt_release_device(const struct pt_context *ctx, const struct pt_device *dev,
				    const char *from_driver, const char *host_driver);

#endif
