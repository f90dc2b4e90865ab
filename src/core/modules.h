/* Loading the drivers' modules through libkmod, so modprobe.d options,
 * softdeps and blacklists apply exactly as with modprobe. */
#ifndef PT_MODULES_H
#define PT_MODULES_H

#include "compiler.h"

#include "config.h"
#include "context.h"
#include "log.h"

#include <stdbool.h>
#include <stddef.h>

struct kmod_ctx;

/* Loads what `driver` needs, with the options the config asks for, for
 * ctx->release under ctx->root (with ctx->dry_run, logs "would load"
 * instead). When ctx->sysfs/module shows every module it needs live or
 * built in, libkmod is not started. Returns 0 when the driver is usable
 * (loaded, already loaded or built in), else -errno (or -EPERM when a
 * blacklist stopped it); the reason is logged. */
PT_MUST_CHECK int pt_load_driver(const struct pt_context *ctx, const struct pt_config *cfg,
				 enum pt_driver driver);
/* Loads one module by name or modalias (a device's host driver), as
 * modprobe would: blacklists and modprobe.d options apply. */
PT_MUST_CHECK int pt_load_module(const struct pt_context *ctx, const char *name);
/* The running kernel's release: ROOT/proc/sys/kernel/osrelease (so a
 * fake root brings its own), else uname. */
void pt_kernel_release(const char *root, char *buf, size_t len);

/* A libkmod context for the kernel `release` under root ("" for the
 * running system), its indexes loaded; NULL (logged) when there are none. */
struct kmod_ctx *pt_kmod_open(const char *root, const char *release,
			      const struct pt_log *log);

#endif
