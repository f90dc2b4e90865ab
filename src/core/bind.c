#include "bind.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static int device_attr_path(char *path, size_t len, const char *sysfs,
			    const struct pt_device *dev, const char *attr)
{
	return pt_path(path, len, sysfs, "bus/pci/devices/%s/%s", dev->bdf, attr);
}

static int write_device_attr(const char *sysfs, const struct pt_device *dev,
			     const char *attr, const char *value)
{
	char path[PATH_MAX];
	int r;

	r = device_attr_path(path, sizeof(path), sysfs, dev, attr);
	return r ? r : pt_write_attr(path, value);
}

static int current_driver(const char *sysfs, const struct pt_device *dev,
			  char *buf, size_t len)
{
	char path[PATH_MAX];
	int r;

	buf[0] = '\0';
	r = device_attr_path(path, sizeof(path), sysfs, dev, "driver");
	if (r == 0)
		r = pt_read_link_name(path, buf, len);
	if (r == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return r;
}

static int probe(const char *sysfs, const struct pt_device *dev)
{
	char path[PATH_MAX];
	int r;

	r = pt_path(path, sizeof(path), sysfs, "bus/pci/drivers_probe");
	return r ? r : pt_write_attr(path, dev->bdf);
}

static bool device_present(const char *sysfs, const struct pt_device *dev)
{
	char path[PATH_MAX], buf[16];

	return device_attr_path(path, sizeof(path), sysfs, dev, "vendor") == 0 &&
	       pt_read_attr(path, buf, sizeof(buf)) == 0;
}

int pt_set_reset_method(const struct pt_context *ctx, const struct pt_device *dev,
			const char *methods)
{
	const char *sysfs = ctx->sysfs;
	const struct pt_log *log = ctx->log;
	char path[PATH_MAX], offered[128] = "";
	int r;

	/* What it offers, read first: for the message if the kernel refuses. */
	if (device_attr_path(path, sizeof(path), sysfs, dev, "reset_method") == 0)
		pt_read_attr_or_empty(path, offered, sizeof(offered));
	r = write_device_attr(sysfs, dev, "reset_method", methods);
	if (r == -ENOENT) {
		pt_log(log, PT_ERR, "%s: this kernel has no per-device reset_method "
		       "(5.15 and later have it); left as it was", dev->bdf);
	} else if (r) {
		pt_log(log, PT_ERR, "%s: reset_method '%s' refused (%s); it offers '%s'; "
		       "left as it was", dev->bdf, methods, strerror(-r),
		       offered[0] ? offered : "none");
	} else {
		pt_log(log, PT_INFO, "%s: reset_method %s", dev->bdf, methods);
	}
	return r;
}

/* The last resort when drivers_probe fails: the host driver's own bind
 * file, so a device whose host driver is built in is not left without
 * one for the rest of the boot. */
static int bind_directly(const char *sysfs, const struct pt_device *dev,
			 const char *driver, const struct pt_log *log)
{
	char path[PATH_MAX];
	int r;

	if (!pt_valid_driver_name(driver))
		return -EINVAL;
	r = pt_path(path, sizeof(path), sysfs, "bus/pci/drivers/%s/bind", driver);
	if (r == 0)
		r = pt_write_attr(path, dev->bdf);
	if (r)
		pt_log(log, PT_ERR, "%s: binding it to %s directly failed too: %s",
		       dev->bdf, driver, strerror(-r));
	return r;
}

static int release_device(const char *sysfs, const struct pt_device *dev,
			  const char *from_driver, const char *host_driver,
			  const struct pt_log *log)
{
	char drv[PT_DRIVER_NAME_MAX];
	int r;

	/* An empty line clears the override; "" would be a no-op write. */
	r = write_device_attr(sysfs, dev, "driver_override", "\n");
	if (r) {
		pt_log(log, PT_ERR, "%s: cannot clear driver_override: %s",
		       dev->bdf, strerror(-r));
		return r;
	}
	if (current_driver(sysfs, dev, drv, sizeof(drv)) == 0 &&
	    strcmp(drv, from_driver) == 0 &&
	    (r = write_device_attr(sysfs, dev, "driver/unbind", dev->bdf))) {
		pt_log(log, PT_ERR, "%s: cannot unbind it from %s: %s", dev->bdf,
		       drv, strerror(-r));
		return r;
	}
	if (current_driver(sysfs, dev, drv, sizeof(drv)) == 0 && !drv[0]) {
		if ((r = probe(sysfs, dev)))
			pt_log(log, PT_ERR, "%s: drivers_probe failed: %s", dev->bdf,
			       strerror(-r));
		/* drivers_probe also succeeds when no driver matched (a host
		 * driver bound through new_id or by hand): the link decides. */
		if (host_driver[0] && strcmp(host_driver, from_driver) &&
		    current_driver(sysfs, dev, drv, sizeof(drv)) == 0 && !drv[0])
			bind_directly(sysfs, dev, host_driver, log);
	}
	if (current_driver(sysfs, dev, drv, sizeof(drv)) != 0)
		return 0;
	if (drv[0] && strcmp(drv, from_driver) == 0) {
		pt_log(log, PT_ERR, "%s: still on %s after unbinding it", dev->bdf, drv);
		return -EBUSY;
	}
	if (drv[0]) {
		pt_log(log, PT_INFO, "%s: back on its host driver %s", dev->bdf, drv);
		return 0;
	}
	if (host_driver[0]) {
		pt_log(log, PT_ERR,
		       "%s: left without a driver: %s did not take it back; "
		       "reboot, or try `passthrough unbind %s` once the cause is "
		       "fixed",
		       dev->bdf, host_driver, dev->bdf);
		return -ENODEV;
	}
	pt_log(log, PT_INFO, "%s: released; its host driver takes it when it loads",
	       dev->bdf);
	return 0;
}

int pt_release_device(const struct pt_context *ctx, const struct pt_device *dev,
		      const char *from_driver, const char *host_driver)
{
	return release_device(ctx->sysfs, dev, from_driver, host_driver, ctx->log);
}

enum pt_bind_result pt_bind_device(const struct pt_context *ctx, const struct pt_device *dev,
				   const char *driver)
{
	const char *sysfs = ctx->sysfs;
	const struct pt_log *log = ctx->log;
	char before[PT_DRIVER_NAME_MAX], after[PT_DRIVER_NAME_MAX];
	int r;

	/* A device that is gone has no driver link: the override write
	 * below tells, one read fewer for every device that is there. */
	r = current_driver(sysfs, dev, before, sizeof(before));
	if (r) {
		pt_log(log, PT_ERR, "%s: cannot read its driver link: %s; left "
		       "alone", dev->bdf, strerror(-r));
		return PT_BIND_UNTOUCHED;
	}

	/* Set the override even when already bound: it keeps the device on
	 * our driver if something unbinds and reprobes it later. */
	r = write_device_attr(sysfs, dev, "driver_override", driver);
	if (r == -ENOENT && !before[0] && !device_present(sysfs, dev)) {
		pt_log(log, PT_WARNING, "%s: the device is gone; nothing to bind",
		       dev->bdf);
		return PT_BIND_VANISHED;
	}
	if (r) {
		pt_log(log, PT_ERR,
		       "%s: cannot write driver_override: %s; left with %s",
		       dev->bdf, strerror(-r), before[0] ? before : "no driver");
		return r == -ENOENT ? PT_BIND_VANISHED : PT_BIND_UNTOUCHED;
	}
	if (strcmp(before, driver) == 0) {
		pt_log(log, PT_INFO, "%s: already on %s", dev->bdf, driver);
		return PT_BIND_ALREADY;
	}
	if (before[0]) {
		r = write_device_attr(sysfs, dev, "driver/unbind", dev->bdf);
		if (r) {
			pt_log(log, PT_ERR, "%s: cannot unbind it from %s: %s",
			       dev->bdf, before, strerror(-r));
			goto restore;
		}
	}
	/* drivers_probe can report success while nothing bound (and an error
	 * while the bind worked): only the driver link tells. */
	r = probe(sysfs, dev);
	if (current_driver(sysfs, dev, after, sizeof(after)) == 0 &&
	    strcmp(after, driver) == 0) {
		pt_log_join(log, PT_NOTICE, dev->bdf, ": bound to ", driver,
			    before[0] ? ", taken from " : "", before, (char *)NULL);
		return PT_BIND_DONE;
	}
	pt_log(log, PT_ERR, "%s: %s did not take it (%s)", dev->bdf, driver,
	       r ? strerror(-r) : "no driver link after probing");
restore:
	if (!device_present(sysfs, dev)) {
		pt_log(log, PT_WARNING, "%s: the device is gone", dev->bdf);
		return PT_BIND_VANISHED;
	}
	return release_device(sysfs, dev, driver, before, log) == 0 ?
		       PT_BIND_RESTORED : PT_BIND_LOST;
}
