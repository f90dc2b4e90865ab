#include "sriov.h"
#include "modules.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* How long a driver that probes asynchronously (nvme) may take to bind
 * the physical function after its module loaded. */
#define DRIVER_WAIT_MS 5000

static int pf_attr(char *path, size_t len, const char *sysfs, const struct pt_device *pf,
		   const char *name)
{
	return pt_path(path, len, sysfs, "bus/pci/devices/%s/%s", pf->bdf, name);
}

static bool has_driver(const char *sysfs, const struct pt_device *pf)
{
	char path[PATH_MAX], name[64];

	return pf_attr(path, sizeof(path), sysfs, pf, "driver") == 0 &&
	       pt_read_link_name(path, name, sizeof(name)) == 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The PF's host driver, as coldplug would load it: its modalias through
 * libkmod. Drivers may probe asynchronously: waited for. */
static int bring_host_driver(const struct pt_context *ctx, const struct pt_device *pf)
{
	const char *sysfs = ctx->sysfs;
	const struct pt_log *log = ctx->log;
	char path[PATH_MAX], alias[256];
	int r;

	if (has_driver(sysfs, pf))
		return 0;
	r = pf_attr(path, sizeof(path), sysfs, pf, "modalias");
	if (r == 0)
		r = pt_read_attr(path, alias, sizeof(alias));
	if (r == 0)
		r = pt_load_module(ctx, alias);
	if (r < 0) {
		pt_log(log, PT_ERR, "%s: no host driver to make its virtual functions: %s",
		       pf->bdf, strerror(-r));
		return r;
	}
	for (long waited = 0; waited < DRIVER_WAIT_MS; waited += 20) {
		if (has_driver(sysfs, pf))
			return 0;
		sleep_ms(20);
	}
	pt_log(log, PT_ERR, "%s: its host driver did not take it within %d ms: no "
	       "virtual functions", pf->bdf, DRIVER_WAIT_MS);
	return -ETIMEDOUT;
}

static int write_number(const char *sysfs, const struct pt_device *pf, const char *name,
			unsigned value)
{
	char path[PATH_MAX], buf[16];
	int r = pf_attr(path, sizeof(path), sysfs, pf, name);

	snprintf(buf, sizeof(buf), "%u", value);
	return r ? r : pt_write_attr(path, buf);
}

int pt_sriov_create(const struct pt_context *ctx, const struct pt_device *pf, unsigned n)
{
	const char *sysfs = ctx->sysfs;
	const struct pt_log *log = ctx->log;
	int r;

	if (!pf->sriov_totalvfs || n > pf->sriov_totalvfs) {
		pt_log(log, PT_ERR, "%s: %s: no virtual functions made", pf->bdf,
		       !pf->sriov_totalvfs ? "it has no SR-IOV" : "it cannot have that many");
		return -EINVAL;
	}
	if ((r = bring_host_driver(ctx, pf)) < 0)
		return r;
	if (pf->sriov_numvfs == n)
		return 0; /* made before (a second run): the binds take them over */
	/* The count changes only through 0 (the kernel's rule) */
	if (pf->sriov_numvfs && (r = write_number(sysfs, pf, "sriov_numvfs", 0)) < 0) {
		pt_log(log, PT_ERR, "%s: removing its %u virtual functions failed: %s",
		       pf->bdf, pf->sriov_numvfs, strerror(-r));
		return r;
	}
	r = write_number(sysfs, pf, "sriov_drivers_autoprobe", 0);
	if (r == 0 && (r = write_number(sysfs, pf, "sriov_numvfs", n)) < 0)
		(void)write_number(sysfs, pf, "sriov_drivers_autoprobe", 1);
	if (r < 0) {
		pt_log(log, PT_ERR, "%s: making %u virtual functions failed: %s; it keeps "
		       "its driver", pf->bdf, n, strerror(-r));
		return r;
	}
	pt_log(log, PT_INFO, "%s: %u virtual functions made", pf->bdf, n);
	return 0;
}

void pt_sriov_finish(const struct pt_context *ctx, const struct pt_device *pf,
		     const struct pt_devices *devs)
{
	const char *sysfs = ctx->sysfs;
	const struct pt_log *log = ctx->log;
	char path[PATH_MAX];

	for (size_t i = 0; i < devs->n; i++) {
		const struct pt_device *vf = &devs->v[i];

		if (!vf->is_vf || vf->driver[0] || pt_pci_addr_compare(&vf->physfn, &pf->addr))
			continue;
		if (pt_path(path, sizeof(path), sysfs, "bus/pci/drivers_probe") ||
		    pt_write_attr(path, vf->bdf) < 0)
			pt_log(log, PT_INFO, "%s: no host driver took it", vf->bdf);
	}
	if (write_number(sysfs, pf, "sriov_drivers_autoprobe", 1) < 0)
		pt_log(log, PT_WARNING, "%s: sriov_drivers_autoprobe stays 0", pf->bdf);
}
