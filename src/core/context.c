#include "context.h"
#include "modules.h"
#include "sysfs.h"

#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>

int pt_context_init(struct pt_context *ctx, const char *root, const char *sysfs,
		    const struct pt_log *log, bool dry_run)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->root = root ? root : "";
	ctx->log = log;
	ctx->dry_run = dry_run;
	ctx->kmod = &ctx->kmod_storage;
	if (sysfs ? snprintf(ctx->sysfs, sizeof(ctx->sysfs), "%s", sysfs) >= (int)sizeof(ctx->sysfs)
		  : pt_path(ctx->sysfs, sizeof(ctx->sysfs), *ctx->root ? ctx->root : "/", "sys"))
		return -ENAMETOOLONG;
	pt_kernel_release(ctx->root, ctx->release, sizeof(ctx->release));
	return 0;
}

struct kmod_ctx *pt_context_kmod(const struct pt_context *ctx)
{
	struct pt_kmod_cache *c = ctx->kmod;

	if (!c->kmod && !c->failed) {
		c->kmod = pt_kmod_open(ctx->root, ctx->release, ctx->kmod_quiet ? NULL : ctx->log);
		c->failed = !c->kmod;
	}
	return c->kmod;
}

void pt_context_fini(struct pt_context *ctx)
{
	if (ctx->kmod && ctx->kmod->kmod)
		kmod_unref(ctx->kmod->kmod);
	ctx->kmod_storage = (struct pt_kmod_cache){ NULL, false };
}
