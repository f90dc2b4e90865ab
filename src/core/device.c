#include "device.h"
#include "sysfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

bool pt_device_is_bridge(const struct pt_device *d)
{
	uint32_t cls = d->class >> 8;

	return cls == 0x0600 || cls == 0x0604 || cls == 0x0607 || cls == 0x0609;
}

bool pt_device_is_platform(const struct pt_device *d)
{
	/* By class (base class and subclass):
	 *   06 00  host bridge: the CPU's path to memory and to every device;
	 *   06 01  ISA bridge (LPC/eSPI): firmware flash, TPM, embedded
	 *          controller, keyboard, RTC and power buttons hang off it;
	 *   06 02, 06 03  EISA and MCA bridges: the same on old machines;
	 *   0c 05  SMBus: memory SPD, sensors, fan and voltage control;
	 *   08 00..08 03  interrupt controller, DMA, timer, RTC;
	 *   08 06  the IOMMU itself, the isolation vfio rests on.
	 * Not here: RAM controllers (05 xx). Intel puts a driverless "Shared
	 * SRAM" function in the chipset xHCI's group, and a driverless
	 * function does not stop vfio from using a group. */
	switch (d->class >> 8) {
	case 0x0600: case 0x0601: case 0x0602: case 0x0603:
	case 0x0c05:
	case 0x0800: case 0x0801: case 0x0802: case 0x0803:
	case 0x0806:
		return true;
	}
	return false;
}

bool pt_valid_driver_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* A device's files, named relative to bus/pci/devices ("0000:01:00.0/
 * uevent"): no folder opened and closed per device, two system calls of
 * eight, at thousands of functions. */
struct device_files {
	int devices; /* bus/pci/devices, open */
	char path[PT_PCI_ADDR_STRLEN + 32];
	size_t prefix; /* "0000:01:00.0/" */
};

static const char *file(struct device_files *f, const char *name)
{
	size_t n = strlen(name);

	if (n >= sizeof(f->path) - f->prefix)
		n = sizeof(f->path) - f->prefix - 1; /* a name of ours: never */
	memcpy(f->path + f->prefix, name, n);
	f->path[f->prefix + n] = '\0';
	return f->path;
}

static int read_hex_at(struct device_files *f, const char *attr, unsigned long max,
		       unsigned long *out)
{
	char buf[32];
	int r = pt_read_attr_at(f->devices, file(f, attr), buf, sizeof(buf));

	return r ? r : pt_parse_sysfs_hex(buf, max, out);
}

/* sriov_totalvfs and sriov_numvfs on a PF; on a VF, the physfn link and
 * which of the PF's virtfnN links names it. */
static void read_sriov(struct device_files *f, struct pt_device *dev)
{
	char buf[PT_DRIVER_NAME_MAX], link[32];
	unsigned long n;

	/* The kernel shows both sriov_ files or neither */
	if (pt_read_attr_at(f->devices, file(f, "sriov_totalvfs"), buf, sizeof(buf)) == 0) {
		if (pt_parse_decimal(buf, 65535, &n) == 0)
			dev->sriov_totalvfs = (unsigned)n;
		if (pt_read_attr_at(f->devices, file(f, "sriov_numvfs"), buf, sizeof(buf)) == 0 &&
		    pt_parse_decimal(buf, 65535, &n) == 0)
			dev->sriov_numvfs = (unsigned)n;
	}
	if (pt_read_link_name_at(f->devices, file(f, "physfn"), buf, sizeof(buf)) != 0 ||
	    pt_pci_addr_parse(buf, &dev->physfn) != 0)
		return;
	dev->is_vf = true;
	for (unsigned k = 0; k < 65536; k++) {
		snprintf(link, sizeof(link), "physfn/virtfn%u", k);
		if (pt_read_link_name_at(f->devices, file(f, link), buf, sizeof(buf)) != 0)
			break;
		if (!strcmp(buf, dev->bdf)) {
			dev->vf_index = k;
			break;
		}
	}
}

static void set_driver(struct pt_device *dev, const char *name)
{
	if (name && strlen(name) < sizeof(dev->driver) && pt_valid_driver_name(name))
		strcpy(dev->driver, name);
}

/* IDs, class and driver, from the uevent file: one read where the five
 * attributes and the driver link were six (a scan of thousands of
 * functions spends its time in system calls). A tree without it (or
 * with one that does not parse) is read attribute by attribute. */
static int read_identity(struct device_files *f, struct pt_device *dev)
{
	unsigned long vendor, device, subvendor = 0, subdevice = 0, cls;
	char text[1024], buf[PT_DRIVER_NAME_MAX];
	struct pt_pci_uevent u;
	int r;

	if (pt_read_attr_at(f->devices, file(f, "uevent"), text, sizeof(text)) == 0 &&
	    pt_parse_pci_uevent(text, &u) == 0) {
		dev->vendor = u.vendor;
		dev->device = u.device;
		dev->subvendor = u.subvendor;
		dev->subdevice = u.subdevice;
		dev->class = u.class;
		set_driver(dev, u.driver);
		return 0;
	}
	r = read_hex_at(f, "vendor", 0xffff, &vendor);
	if (r == 0)
		r = read_hex_at(f, "device", 0xffff, &device);
	if (r == 0)
		r = read_hex_at(f, "class", 0xffffff, &cls);
	if (r)
		return r;
	/* Optional: old kernels and some virtual functions lack these. */
	if (read_hex_at(f, "subsystem_vendor", 0xffff, &subvendor) ||
	    read_hex_at(f, "subsystem_device", 0xffff, &subdevice))
		subvendor = subdevice = 0;
	dev->vendor = (uint16_t)vendor;
	dev->device = (uint16_t)device;
	dev->subvendor = (uint16_t)subvendor;
	dev->subdevice = (uint16_t)subdevice;
	dev->class = (uint32_t)cls;
	if (pt_read_link_name_at(f->devices, file(f, "driver"), buf, sizeof(buf)) == 0)
		set_driver(dev, buf);
	return 0;
}

/* Reads one device from its folder under bus/pci/devices (DEVICES, open). */
static int read_device_at(int devices, const struct pt_pci_addr *addr, struct pt_device *dev)
{
	struct device_files f = { .devices = devices };
	unsigned long g;
	char buf[PT_DRIVER_NAME_MAX];
	int r;

	memset(dev, 0, sizeof(*dev));
	dev->addr = *addr;
	pt_pci_addr_format(addr, dev->bdf);
	f.prefix = strlen(dev->bdf);
	memcpy(f.path, dev->bdf, f.prefix);
	f.path[f.prefix++] = '/';
	r = read_identity(&f, dev);
	if (r)
		return r;
	dev->iommu_group = -1;
	if (pt_read_link_name_at(devices, file(&f, "iommu_group"), buf, sizeof(buf)) == 0 &&
	    pt_parse_decimal(buf, LONG_MAX, &g) == 0)
		dev->iommu_group = (long)g;
	/* boot_vga exists for display devices only */
	if ((dev->class >> 16) == 0x03 &&
	    pt_read_attr_at(devices, file(&f, "boot_vga"), buf, sizeof(buf)) == 0)
		dev->boot_vga = strcmp(buf, "1") == 0;
	read_sriov(&f, dev);
	return 0;
}

static int open_devices(const char *sysfs)
{
	char path[PATH_MAX];
	int r = pt_path(path, sizeof(path), sysfs, "bus/pci/devices");

	if (r)
		return r;
	r = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

int pt_read_device(const char *sysfs, const struct pt_pci_addr *addr, struct pt_device *dev)
{
	int devices = open_devices(sysfs), r;

	if (devices < 0)
		return devices;
	r = read_device_at(devices, addr, dev);
	close(devices);
	return r;
}

static int compare_devices(const void *a, const void *b)
{
	const struct pt_device *x = a, *y = b;

	return pt_pci_addr_compare(&x->addr, &y->addr);
}

static int compare_keys(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The addresses under bus/pci/devices, sorted, as pt_pci_addr_key
 * numbers: sorting these and reading the devices in order is what keeps a
 * scan of thousands of functions linear (sorting the devices themselves
 * moved each one a dozen times; comparing numbers is the cheapest
 * comparison). */
static int list_addresses(int devices, const char *sysfs, uint64_t **out, size_t *n,
			  const struct pt_log *log)
{
	uint64_t *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	int fd = dup(devices); /* closedir closes its own */
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);

	*n = 0;
	if (!dir) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return -e;
	}
	while ((de = readdir(dir))) {
		struct pt_pci_addr addr;

		if (de->d_name[0] == '.')
			continue;
		if (pt_pci_addr_parse_canonical(de->d_name, &addr)) {
			pt_log(log, PT_WARNING,
			       "ignoring '%s' in %s/bus/pci/devices: not a PCI address",
			       de->d_name, sysfs);
			continue;
		}
		if (*n == cap) {
			uint64_t *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				closedir(dir);
				free(v);
				return -ENOMEM;
			}
			v = grown;
		}
		v[(*n)++] = pt_pci_addr_key(&addr);
	}
	closedir(dir);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), compare_keys);
	*out = v;
	return 0;
}

int pt_scan_devices(const char *sysfs, struct pt_devices *out,
		    const struct pt_log *log)
{
	uint64_t *keys = NULL;
	size_t n;
	int devices = open_devices(sysfs), r;

	out->v = NULL;
	out->n = 0;
	if (devices < 0)
		return devices;
	r = list_addresses(devices, sysfs, &keys, &n, log);
	if (r) {
		close(devices);
		return r;
	}
	if (n && !(out->v = calloc(n, sizeof(*out->v)))) {
		close(devices);
		free(keys);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct pt_pci_addr addr = pt_pci_addr_from_key(keys[i]);

		r = read_device_at(devices, &addr, &out->v[out->n]);
		if (r) {
			char bdf[PT_PCI_ADDR_STRLEN];

			pt_pci_addr_format(&addr, bdf);
			pt_log(log, PT_WARNING,
			       "ignoring %s: its vendor, device or class cannot "
			       "be read (%s)",
			       bdf, strerror(-r));
			continue;
		}
		out->n++;
	}
	close(devices);
	free(keys);
	return 0;
}

const struct pt_device *pt_find_device(const struct pt_devices *devs,
				       const struct pt_pci_addr *addr)
{
	struct pt_device key = { .addr = *addr };

	if (!devs->n)
		return NULL;
	return bsearch(&key, devs->v, devs->n, sizeof(key), compare_devices);
}

void pt_devices_free(struct pt_devices *devs)
{
	free(devs->v);
	devs->v = NULL;
	devs->n = 0;
}
