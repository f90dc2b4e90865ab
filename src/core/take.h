/* Taking one device for the driver its plan decided, the whole sequence
 * in one place, for the binder at boot and for `passthrough bind`: load
 * the driver, release the firmware framebuffer that holds the boot
 * display's memory, write the decided reset_method, bind. */
#ifndef PT_TAKE_H
#define PT_TAKE_H

#include "bind.h"
#include "config.h"
#include "context.h"
#include "select.h"

/* What one run did that is done once: the drivers it loaded (1) or could
 * not (-1), 0 before trying; and the framebuffer release. Zeroed at the
 * start of a run. */
struct pt_take_state {
	signed char driver[3]; /* by enum pt_driver */
	bool framebuffer_released;
	long modules_us; /* spent loading drivers, for -v */
};

/* d->verdict must be PT_BIND. Every failure is logged and leaves the
 * device with its host driver (PT_BIND_UNTOUCHED when nothing changed);
 * with ctx->dry_run, logs what it would do and returns PT_BIND_DRY_RUN. */
PT_MUST_CHECK enum pt_bind_result pt_take_device(const struct pt_context *ctx,
						 const struct pt_config *cfg,
						 const struct pt_device *dev,
						 const struct pt_decision *d,
						 struct pt_take_state *st);

#endif
