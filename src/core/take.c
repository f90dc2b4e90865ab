#include "take.h"
#include "framebuffer.h"
#include "modules.h"

#include <time.h>

enum pt_bind_result pt_take_device(const struct pt_context *ctx, const struct pt_config *cfg,
				   const struct pt_device *dev, const struct pt_decision *d,
				   struct pt_take_state *st)
{
	signed char *driver = &st->driver[d->driver];

	if (!*driver) {
		struct timespec start, end;

		clock_gettime(CLOCK_MONOTONIC, &start);
		*driver = pt_load_driver(ctx, cfg, d->driver) == 0 ? 1 : -1;
		clock_gettime(CLOCK_MONOTONIC, &end);
		st->modules_us += (end.tv_sec - start.tv_sec) * 1000000L +
				  (end.tv_nsec - start.tv_nsec) / 1000L;
	}
	if (*driver < 0) {
		pt_log(ctx->log, PT_ERR, "%s: left with its host driver: %s is not available",
		       dev->bdf, pt_driver_name(d->driver));
		return PT_BIND_UNTOUCHED;
	}
	if (ctx->dry_run) {
		pt_log_join(ctx->log, PT_INFO, dev->bdf, ": would bind to ",
			    pt_driver_name(d->driver), d->reset_method ? ", reset_method " : "",
			    d->reset_method ? d->reset_method : "", (char *)NULL);
		return PT_BIND_DRY_RUN;
	}
	/* The boot display's memory is held by the firmware's framebuffer: a
	 * VM could not use the BAR. Released first, once (from 6.1 on
	 * vfio-pci would do it too). */
	if (d->release_framebuffer && !st->framebuffer_released) {
		if (pt_release_firmware_framebuffers(ctx) < 0) {
			pt_log(ctx->log, PT_ERR, "%s: left with its host driver: a VM could not "
			       "use it", dev->bdf);
			return PT_BIND_UNTOUCHED;
		}
		st->framebuffer_released = true;
	}
	if (d->reset_method && pt_set_reset_method(ctx, dev, d->reset_method) < 0)
		return PT_BIND_UNTOUCHED;
	return pt_bind_device(ctx, dev, pt_driver_name(d->driver));
}
