/* The session every command runs in: loading the machine and the config,
 * finding a device a command names, check's inputs, and the one way the
 * host tool speaks to a person (pt_host_error). */
#include "session.h"
#include "modinfo.h"
#include "sysfs.h"
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pt_host_log_stderr(void *data, enum pt_prio prio, const char *msg)
{
	const struct options *o = data;

	if (prio == PT_DEBUG && !o->verbose)
		return;
	fprintf(stderr, "passthrough: %s\n", msg);
}

void pt_host_error(const struct host *h, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	h->log.fn(h->log.data, PT_ERR, msg);
	free(msg);
}

static bool use_color(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term &&
	       strcmp(term, "dumb") != 0;
}

struct pt_report pt_host_report(const struct host *h)
{
	bool cfg_ok = h->cfg_status == 0 && h->cfg.n_errors == 0;

	return (struct pt_report){
		.out = stdout,
		.json = h->o.json,
		.color = !h->o.json && use_color(),
		.terminal = !h->o.json && isatty(STDOUT_FILENO),
		.m = &h->m,
		.cfg = cfg_ok || h->have_plan ? &h->cfg : NULL,
		.plan = h->have_plan ? &h->plan : NULL,
		.filter = h->o.filtered ? &h->o.filter : NULL,
	};
}

int pt_host_config_path(struct host *h, char *buf, size_t size)
{
	if (h->o.config ? snprintf(buf, size, "%s", h->o.config) >= (int)size :
			  pt_path(buf, size, h->ctx.root, PT_CONFIG_RELPATH) != 0) {
		pt_host_error(h, "the config's path is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

int pt_host_load(struct host *h, enum config_need need)
{
	bool need_config = need == CONFIG_REQUIRED || need == CONFIG_ONLY;

	struct pt_machine_paths paths = { h->ctx.sysfs, h->ctx.root, h->o.pci_ids, h->ctx.release };
	int r;

	if (pt_host_config_path(h, h->config_path, sizeof(h->config_path)) < 0)
		return -ENAMETOOLONG;
	r = need == CONFIG_ONLY ? 0 : pt_machine_read(&paths, &h->m, &h->log);
	if (r < 0) {
		pt_host_error(h, "cannot read PCI devices in %s/bus/pci/devices: "
			"%s", h->ctx.sysfs, strerror(-r));
		return r;
	}
	h->cfg_status = pt_config_load(h->config_path, &h->cfg);
	if (h->cfg_status == -ENOMEM)
		return -ENOMEM;
	if (h->cfg_status == -ENOENT && !need_config)
		return 0;
	if (h->cfg_status == 0 && h->cfg.n_errors == 0 && need == CONFIG_ONLY) {
		return 0;
	} else if (h->cfg_status == 0 && h->cfg.n_errors == 0) {
		if (pt_resolve_host_selectors(&h->cfg, &h->m, &paths, &h->selectors) < 0)
			return -ENOMEM;
		h->resolver = pt_selectors_resolver(&h->selectors);
		if (pt_select_devices(&h->cfg, &h->m.devs, &h->resolver, &h->plan) < 0)
			return -ENOMEM;
		h->have_plan = true;
	} else if (need_config) {
		for (size_t i = 0; i < h->cfg.n_errors; i++)
			pt_host_error(h, "%s:%u: %s", h->cfg.path, h->cfg.errors[i].line,
				      h->cfg.errors[i].text);
		pt_host_error(h, "the config has errors (see `passthrough "
			"check`)");
		return -EINVAL;
	} else if (h->cfg.n_errors && need == CONFIG_OPTIONAL) {
		pt_host_error(h, "%s has errors, so nothing is marked as "
			"selected; see `passthrough check`", h->config_path);
	}
	return 0;
}

/* DEVICE as an address, or as vendor:device when exactly one matches. */
/* The index of the one device SPEC names, or -EXIT_NOT_FOUND (nothing
 * there), -EXIT_USAGE (not an address or ID, or an ID several share). */
long pt_host_find_device(const struct host *h, const char *spec)
{
	struct pt_pci_id id;
	struct pt_pci_addr a;
	long found = -1;
	size_t count = 0;

	if (pt_pci_addr_parse(spec, &a) == 0) {
		found = pt_machine_find(&h->m, &a);
		if (found < 0) {
			pt_host_error(h, "no PCI device at %s (see "
				"`passthrough list`)", spec);
			return -EXIT_NOT_FOUND;
		}
		return found;
	}
	if (pt_pci_id_parse(spec, &id) != 0) {
		pt_host_error(h, "'%s' is neither a PCI address (0000:01:00.0) "
			"nor a vendor:device ID (10de:1b80)", spec);
		return -EXIT_USAGE;
	}
	for (size_t i = 0; i < h->m.devs.n; i++) {
		const struct pt_device *d = &h->m.devs.v[i];

		if (d->vendor == id.vendor && d->device == id.device) {
			if (count++ == 0)
				found = (long)i;
		}
	}
	if (count == 0) {
		pt_host_error(h, "no device has the ID %s", spec);
		return -EXIT_NOT_FOUND;
	}
	if (count > 1) {
		char list[1024] = "";

		for (size_t i = 0; i < h->m.devs.n; i++)
			if (h->m.devs.v[i].vendor == id.vendor &&
			    h->m.devs.v[i].device == id.device)
				pt_append(list, sizeof(list), " %s", h->m.devs.v[i].bdf);
		pt_host_error(h, "%zu devices have the ID %s; name one by address:%s", count,
			      spec, list);
		return -EXIT_USAGE;
	}
	return found;
}

int pt_table_status(int r)
{
	return r == -EINVAL ? EXIT_USAGE : r < 0 ? EXIT_PROBLEMS : EXIT_OK;
}

void pt_host_check_env(const struct host *h, struct pt_check_env *env)
{
	struct stat st;

	memset(env, 0, sizeof(*env));
	env->resolver = &h->resolver;
	env->vfio_available = pt_module_available(&h->ctx, pt_driver_module(PT_DRIVER_VFIO_PCI));
	env->stub_available = pt_module_available(&h->ctx, pt_driver_module(PT_DRIVER_PCI_STUB));
	env->vendor_reset_available = pt_module_available(&h->ctx, "vendor_reset");
	if (lstat(h->config_path, &st) == 0)
		env->config_is_link = S_ISLNK(st.st_mode);
	if (stat(h->config_path, &env->config_stat) == 0)
		env->have_config_stat = true;
	else
		env->config_missing = errno == ENOENT;
}

/* Everything `check` judges, in the order it prints it. Memory running
 * out is an error finding of its own (pt_findings.incomplete): whoever
 * reads f sees it, so the status adds nothing here. */
void pt_host_run_checks(const struct host *h, struct pt_findings *f)
{
	struct pt_check_env env;

	pt_host_check_env(h, &env);
	if (pt_check_config_errors(&h->cfg, &env, f) == 0 &&
	    pt_check_config_file(&h->cfg, &env, f) == 0 && h->have_plan &&
	    pt_check_against_machine(&h->cfg, &h->m, &h->plan, &env, f) < 0)
		pt_host_error(h, "memory ran out while checking");
	pt_findings_sort(f);
}
