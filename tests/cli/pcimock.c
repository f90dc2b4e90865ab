/* LD_PRELOAD model of the kernel's PCI driver core for tests, on a fake
 * sysfs tree (PCIMOCK_SYSFS), in the spirit of libvirt's virpcimock: the
 * writes the binder makes move the `driver` links the way the kernel does.
 *
 *   devices/BDF/driver_override   stored; "\n" clears it
 *   drivers/DRV/unbind   BDF      removes devices/BDF/driver
 *   drivers_probe        BDF      an unbound device goes to its override's
 *                                 driver, else to the driver named in
 *                                 devices/BDF/mock-host-driver (what its
 *                                 modalias would match), if that driver
 *                                 is loaded (drivers/DRV exists)
 *   drivers/DRV/bind     BDF      binds it, unless it is bound or its
 *                                 override names another driver
 *
 * Switches: PCIMOCK_FAIL=SUFFIX:ERRNO[,SUFFIX:ERRNO...] makes a write to a
 * path ending in SUFFIX fail with ERRNO before anything happens, as a real
 * sysfs write fails (EACCES, EBUSY, ENODEV); PCIMOCK_REFUSE=DRV makes DRV's
 * probe fail (the device stays unbound, and the write still succeeds, as
 * drivers_probe does). Without PCIMOCK_SYSFS only PCIMOCK_FAIL acts. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);

static int failure_for(const char *path)
{
	const char *spec = getenv("PCIMOCK_FAIL");
	char buf[1024], *item, *save = NULL;

	if (!spec || strlen(spec) >= sizeof(buf))
		return 0;
	strcpy(buf, spec);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(item, ':');
		size_t n, len = strlen(path);

		if (!colon)
			continue;
		*colon = '\0';
		n = strlen(item);
		if (len >= n && !strcmp(path + len - n, item))
			return atoi(colon + 1);
	}
	return 0;
}

static void read_value(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "(null)"))
		buf[0] = '\0';
}

static void device_path(char *out, size_t len, const char *sysfs, const char *bdf,
			const char *attr)
{
	snprintf(out, len, "%s/bus/pci/devices/%s/%s", sysfs, bdf, attr);
}

static bool is_bound(const char *sysfs, const char *bdf)
{
	char p[PATH_MAX];

	device_path(p, sizeof(p), sysfs, bdf, "driver");
	return access(p, F_OK) == 0;
}

/* The kernel's bind: only a loaded driver, and never one that refuses. */
static int bind_to(const char *sysfs, const char *bdf, const char *drv)
{
	const char *refuse = getenv("PCIMOCK_REFUSE");
	char p[PATH_MAX], target[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s", sysfs, drv);
	if (!drv[0] || access(p, F_OK) != 0)
		return -ENODEV;
	if (refuse && !strcmp(refuse, drv))
		return -ENXIO;
	device_path(p, sizeof(p), sysfs, bdf, "driver");
	snprintf(target, sizeof(target), "../../drivers/%s", drv);
	return symlink(target, p) == 0 ? 0 : -errno;
}

static int model(const char *sysfs, const char *path, const char *value)
{
	char bdf[64], p[PATH_MAX], drv[128];
	size_t slen = strlen(sysfs);
	const char *rel;

	if (strncmp(path, sysfs, slen) || path[slen] != '/')
		return 0;
	rel = path + slen + 1;
	snprintf(bdf, sizeof(bdf), "%.*s", (int)strcspn(value, "\n"), value);
	if (!strcmp(rel, "bus/pci/drivers_probe")) {
		if (is_bound(sysfs, bdf))
			return 0;
		device_path(p, sizeof(p), sysfs, bdf, "driver_override");
		read_value(p, drv, sizeof(drv));
		if (!drv[0]) {
			device_path(p, sizeof(p), sysfs, bdf, "mock-host-driver");
			read_value(p, drv, sizeof(drv));
		}
		bind_to(sysfs, bdf, drv); /* a failed probe is not an error here */
		return 0;
	}
	if (!strncmp(rel, "bus/pci/drivers/", 16)) {
		const char *name = rel + 16, *slash = strchr(name, '/');

		if (!slash)
			return 0;
		snprintf(drv, sizeof(drv), "%.*s", (int)(slash - name), name);
		if (!strcmp(slash, "/unbind")) {
			device_path(p, sizeof(p), sysfs, bdf, "driver");
			return unlink(p) == 0 ? 0 : -ENODEV;
		}
		if (!strcmp(slash, "/bind")) {
			char ovr[128];

			if (is_bound(sysfs, bdf))
				return -EBUSY;
			device_path(p, sizeof(p), sysfs, bdf, "driver_override");
			read_value(p, ovr, sizeof(ovr));
			if (ovr[0] && strcmp(ovr, drv))
				return -ENODEV;
			return bind_to(sysfs, bdf, drv);
		}
	}
	return 0;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	const char *sysfs = getenv("PCIMOCK_SYSFS");
	char link[64], path[PATH_MAX], value[256];
	ssize_t len;
	int err;

	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len <= 0)
		return real_write(fd, buf, n);
	path[len] = '\0';
	if ((err = failure_for(path))) {
		errno = err;
		return -1;
	}
	if (sysfs && n < sizeof(value)) {
		char real_sysfs[PATH_MAX];

		memcpy(value, buf, n);
		value[n] = '\0';
		if (realpath(sysfs, real_sysfs) && (err = model(real_sysfs, path, value))) {
			errno = -err;
			return -1;
		}
	}
	return real_write(fd, buf, n);
}
