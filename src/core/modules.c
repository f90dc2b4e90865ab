#include "modules.h"

#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "sysfs.h"

struct wanted_module {
	const char *name;
	const char *options; /* from the config; modprobe.d adds its own */
	bool required;
};

__attribute__((format(printf, 6, 0)))
static void kmod_to_log(void *data, int priority, const char *file, int line,
			const char *fn, const char *format, va_list args)
{
	const struct pt_log *log = data;
	char msg[400];
	size_t n;

	(void)file;
	(void)line;
	(void)fn;
	vsnprintf(msg, sizeof(msg), format, args);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	pt_log(log, priority <= PT_ERR ? PT_ERR : PT_DEBUG, "libkmod: %s", msg);
}

/* libkmod's dry-run callback has no data pointer: the log of the load
 * in progress (one at a time: the programs are single-threaded). */
static const struct pt_log *dry_run_log;

static void print_action(struct kmod_module *m, bool install,
			 const char *options)
{
	(void)install;
	pt_log(dry_run_log, PT_INFO, "would load %s%s%s", kmod_module_get_name(m),
	       options && *options ? " " : "", options ? options : "");
}

struct kmod_ctx *pt_kmod_open(const char *root, const char *release,
			      const struct pt_log *log)
{
	/* On the real root, libkmod's modprobe.d directories. */
	char dir[PATH_MAX], conf[4][PATH_MAX];
	const char *confs[5];
	struct kmod_ctx *ctx;
	struct timespec start, ready;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	/* The release given, not uname's: a chroot or a rescue system runs
	 * another kernel than the one it configures. */
	if (!root || !*root) {
		snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
		ctx = kmod_new(dir, NULL);
	} else {
		static const char *const conf_dirs[] = {
			"etc/modprobe.d", "run/modprobe.d",
			"usr/local/lib/modprobe.d", "lib/modprobe.d"
		};

		snprintf(dir, sizeof(dir), "%s/lib/modules/%s", root, release);
		for (size_t i = 0; i < 4; i++) {
			snprintf(conf[i], sizeof(conf[i]), "%s/%s", root, conf_dirs[i]);
			confs[i] = conf[i];
		}
		confs[4] = NULL;
		ctx = kmod_new(dir, confs);
	}
	if (!ctx) {
		pt_log(log, PT_ERR, "libkmod cannot start (out of memory?)");
		return NULL;
	}
	kmod_set_log_fn(ctx, kmod_to_log, log);
	r = kmod_load_resources(ctx);
	if (r < 0) {
		pt_log(log, PT_ERR,
		       "no module index for kernel %s in %s (%s); rebuild the "
		       "initramfs with the vfio modules (passthrough apply)",
		       release, kmod_get_dirname(ctx), strerror(-r));
		kmod_unref(ctx);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &ready);
	pt_log(log, PT_DEBUG, "libkmod: context and indexes in %ld us",
	       (ready.tv_sec - start.tv_sec) * 1000000L +
	       (ready.tv_nsec - start.tv_nsec) / 1000);
	return ctx;
}

static int load_one(struct kmod_ctx *ctx, const struct wanted_module *w,
		    bool dry_run, const struct pt_log *log)
{
	struct kmod_list *list = NULL, *it;
	int flags = KMOD_PROBE_APPLY_BLACKLIST | KMOD_PROBE_IGNORE_COMMAND;
	int r;

	if (dry_run)
		flags |= KMOD_PROBE_DRY_RUN;
	dry_run_log = log;
	r = kmod_module_new_from_lookup(ctx, w->name, &list);
	if (r < 0 || !list) {
		pt_log(log, w->required ? PT_ERR : PT_INFO,
		       "module %s is not in this kernel's modules (%s)%s", w->name,
		       kmod_get_dirname(ctx),
		       w->required ? "; add it to the initramfs" : "");
		return w->required ? -ENOENT : 0;
	}
	kmod_list_foreach(it, list) {
		struct kmod_module *m = kmod_module_get_module(it);

		r = kmod_module_probe_insert_module(m, flags, w->options, NULL,
						    NULL, dry_run ? print_action : NULL);
		if (r > 0) {
			pt_log(log, PT_ERR,
			       "module %s is blacklisted in modprobe.d; remove "
			       "the blacklist line to pass devices through",
			       kmod_module_get_name(m));
			r = -EPERM;
		} else if (r < 0) {
			pt_log(log, PT_ERR, "loading module %s failed: %s",
			       kmod_module_get_name(m), strerror(-r));
		} else {
			pt_log(log, PT_DEBUG, "module %s ready%s%s",
			       kmod_module_get_name(m), w->options ? " with " : "",
			       w->options ? w->options : "");
		}
		kmod_module_unref(m);
		if (r)
			break;
	}
	kmod_module_unref_list(list);
	return w->required ? r : 0;
}

/* Loaded and initialised (initstate "live"), or built in (its directory,
 * without initstate: vfio_pci, vfio_iommu_type1 and pci_stub all have
 * parameters, so a built-in one has a directory). */
static bool module_live(const char *sysfs, const char *name)
{
	char path[PATH_MAX], state[16];
	int r;

	if (pt_path(path, sizeof(path), sysfs, "module/%s/initstate", name))
		return false;
	r = pt_read_attr(path, state, sizeof(state));
	if (r == 0)
		return strcmp(state, "live") == 0;
	return r == -ENOENT && pt_path(path, sizeof(path), sysfs, "module/%s", name) == 0 &&
	       access(path, F_OK) == 0;
}

int pt_load_driver(const struct pt_context *c, const struct pt_config *cfg, enum pt_driver driver)
{
	const struct pt_log *log = c->log;
	bool dry_run = c->dry_run;
	struct wanted_module wanted[2];
	char vfio_options[64];
	size_t n = 0;
	struct kmod_ctx *ctx;
	bool all_live;
	int r = 0;

	if (driver == PT_DRIVER_PCI_STUB) {
		wanted[n++] = (struct wanted_module){ pt_driver_module(PT_DRIVER_PCI_STUB), NULL, true };
	} else {
		/* vfio pulls in its IOMMU backend only as a soft dependency:
		 * load it first so its option applies. Other architectures
		 * have other backends, so it is not required. */
		wanted[n++] = (struct wanted_module){
			"vfio_iommu_type1",
			cfg->unsafe_interrupts ? "allow_unsafe_interrupts=1" : NULL,
			false };
		snprintf(vfio_options, sizeof(vfio_options), "%s%s%s",
			 cfg->disable_vga ? "disable_vga=1" : "",
			 cfg->disable_vga && cfg->disable_idle_d3 ? " " : "",
			 cfg->disable_idle_d3 ? "disable_idle_d3=1" : "");
		wanted[n++] = (struct wanted_module){ pt_driver_module(PT_DRIVER_VFIO_PCI),
						      vfio_options[0] ? vfio_options : NULL,
						      true };
	}
	/* Already there (a device added after boot, a second run, built in):
	 * libkmod would find the same and load nothing, after reading its
	 * configuration and indexes; the options of a module already loaded
	 * cannot change either way. */
	all_live = !dry_run;
	for (size_t i = 0; i < n && all_live; i++)
		all_live = module_live(c->sysfs, wanted[i].name);
	if (all_live) {
		pt_log(log, PT_DEBUG, "module %s already loaded", pt_driver_module(driver));
		return 0;
	}
	ctx = pt_context_kmod(c);
	if (!ctx)
		return -ENOENT;
	for (size_t i = 0; i < n && r == 0; i++)
		r = load_one(ctx, &wanted[i], dry_run, log);
	return r;
}

int pt_load_module(const struct pt_context *c, const char *name)
{
	const struct wanted_module w = { name, NULL, true };
	struct kmod_ctx *ctx = pt_context_kmod(c);

	if (!ctx)
		return -ENOENT;
	return load_one(ctx, &w, c->dry_run, c->log);
}

void pt_kernel_release(const char *root, char *buf, size_t len)
{
	char path[PATH_MAX];
	struct utsname uts;

	if (pt_path(path, sizeof(path), root, "proc/sys/kernel/osrelease") == 0 &&
	    pt_read_attr(path, buf, len) == 0 && buf[0])
		return;
	snprintf(buf, len, "%s", uname(&uts) == 0 ? uts.release : "unknown");
}
