/* What every action of both programs runs in, resolved once in main():
 * where the system is (root and sysfs), which kernel runs, where messages
 * go, whether anything may change, and one libkmod context, opened the
 * first time a module is needed and shared by every load after it. */
#ifndef PT_CONTEXT_H
#define PT_CONTEXT_H

#include "compiler.h"
#include "log.h"

#include <limits.h>
#include <stdbool.h>

struct kmod_ctx;

/* The libkmod context, opened once: a cache the const functions that ask
 * the module index may fill. */
struct pt_kmod_cache {
	struct kmod_ctx *kmod;
	bool failed; /* opening it failed once: not tried again */
};

/* Made by pt_context_init in place, and not copied after: `kmod` points
 * into the struct itself. */
struct pt_context {
	/* "" for the running system; else a directory standing for "/":
	 * ROOT/proc, ROOT/dev, ROOT/etc, ROOT/lib/modules (tests, chroots). */
	const char *root;
	/* --sysfs; else ROOT/sys (with no root, /sys): --root means the same
	 * in passthrough and passthrough-early. */
	char sysfs[PATH_MAX];
	/* ROOT/proc/sys/kernel/osrelease (a fake root brings its own), else
	 * uname: a chroot configures another kernel than the one running. */
	char release[65];
	const struct pt_log *log;
	bool dry_run; /* print what would change; change nothing */
	/* The host tool asks the index questions (is vfio_pci there?) and
	 * gives the answer in its own words: libkmod's are not logged. */
	bool kmod_quiet;
	struct pt_kmod_cache *kmod; /* pt_context_kmod() opens it */
	struct pt_kmod_cache kmod_storage;
};

/* sysfs: NULL for the default above. -ENAMETOOLONG when a path does not
 * fit. */
PT_MUST_CHECK int pt_context_init(struct pt_context *ctx, const char *root, const char *sysfs,
				  const struct pt_log *log, bool dry_run);
/* The libkmod context for ctx->release under ctx->root, its indexes
 * loaded; NULL (logged once) when there are none. */
struct kmod_ctx *pt_context_kmod(const struct pt_context *ctx);
void pt_context_fini(struct pt_context *ctx);

#endif
