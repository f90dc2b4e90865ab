/* SR-IOV at boot: a physical function gets its virtual functions from its
 * own (host) driver, so the binder loads that driver first, then creates
 * the VFs with sriov_drivers_autoprobe off, so that no host driver probes
 * a VF before the binder gave the selected ones to vfio-pci. */
#ifndef PT_SRIOV_H
#define PT_SRIOV_H

#include "compiler.h"

#include "context.h"
#include "device.h"
#include "log.h"

#include <stdbool.h>

/* Makes `n` virtual functions on pf, loading and waiting for pf's host
 * driver when it has none (through libkmod, as pt_load_driver). New VFs are not probed by any driver: the caller binds
 * the selected ones, then calls pt_sriov_finish. 0, or -errno with the
 * reason logged; pf then keeps its driver and has no VF of ours. */
PT_MUST_CHECK int pt_sriov_create(const struct pt_context *ctx, const struct pt_device *pf,
				  unsigned n);
/* The VFs nobody bound go to their host driver (drivers_probe), and pf's
 * sriov_drivers_autoprobe is on again. */
void pt_sriov_finish(const struct pt_context *ctx, const struct pt_device *pf,
		     const struct pt_devices *devs);

#endif
