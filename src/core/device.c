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

static int read_hex_at(int dfd, const char *attr, unsigned long max, unsigned long *out)
{
	char buf[32];
	int r = pt_read_attr_at(dfd, attr, buf, sizeof(buf));

	return r ? r : pt_parse_sysfs_hex(buf, max, out);
}

/* sriov_totalvfs and sriov_numvfs on a PF; on a VF, the physfn link and
 * which of the PF's virtfnN links names it. */
static void read_sriov(int dfd, struct pt_device *dev)
{
	char buf[PT_DRIVER_NAME_MAX], link[32];
	unsigned long n;

	if (pt_read_attr_at(dfd, "sriov_totalvfs", buf, sizeof(buf)) == 0 &&
	    pt_parse_decimal(buf, 65535, &n) == 0)
		dev->sriov_totalvfs = (unsigned)n;
	if (pt_read_attr_at(dfd, "sriov_numvfs", buf, sizeof(buf)) == 0 &&
	    pt_parse_decimal(buf, 65535, &n) == 0)
		dev->sriov_numvfs = (unsigned)n;
	if (pt_read_link_name_at(dfd, "physfn", buf, sizeof(buf)) != 0 ||
	    pt_pci_addr_parse(buf, &dev->physfn) != 0)
		return;
	dev->is_vf = true;
	for (unsigned k = 0; k < 65536; k++) {
		snprintf(link, sizeof(link), "physfn/virtfn%u", k);
		if (pt_read_link_name_at(dfd, link, buf, sizeof(buf)) != 0)
			break;
		if (!strcmp(buf, dev->bdf)) {
			dev->vf_index = k;
			break;
		}
	}
}

int pt_read_device(const char *sysfs, const struct pt_pci_addr *addr,
		   struct pt_device *dev)
{
	unsigned long vendor, device, subvendor = 0, subdevice = 0, cls, g;
	char path[PATH_MAX], buf[PT_DRIVER_NAME_MAX];
	int dfd, r;

	memset(dev, 0, sizeof(*dev));
	dev->addr = *addr;
	pt_pci_addr_format(addr, dev->bdf);
	r = pt_path(path, sizeof(path), sysfs, "bus/pci/devices/%s", dev->bdf);
	if (r)
		return r;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	r = read_hex_at(dfd, "vendor", 0xffff, &vendor);
	if (r == 0)
		r = read_hex_at(dfd, "device", 0xffff, &device);
	if (r == 0)
		r = read_hex_at(dfd, "class", 0xffffff, &cls);
	if (r) {
		close(dfd);
		return r;
	}
	/* Optional: old kernels and some virtual functions lack these. */
	if (read_hex_at(dfd, "subsystem_vendor", 0xffff, &subvendor) ||
	    read_hex_at(dfd, "subsystem_device", 0xffff, &subdevice))
		subvendor = subdevice = 0;
	dev->vendor = (uint16_t)vendor;
	dev->device = (uint16_t)device;
	dev->subvendor = (uint16_t)subvendor;
	dev->subdevice = (uint16_t)subdevice;
	dev->class = (uint32_t)cls;

	dev->iommu_group = -1;
	if (pt_read_link_name_at(dfd, "iommu_group", buf, sizeof(buf)) == 0 &&
	    pt_parse_decimal(buf, LONG_MAX, &g) == 0)
		dev->iommu_group = (long)g;
	if (pt_read_link_name_at(dfd, "driver", buf, sizeof(buf)) == 0 &&
	    pt_valid_driver_name(buf))
		strcpy(dev->driver, buf);
	/* boot_vga exists for display devices only */
	if ((cls >> 16) == 0x03 && pt_read_attr_at(dfd, "boot_vga", buf, sizeof(buf)) == 0)
		dev->boot_vga = strcmp(buf, "1") == 0;
	read_sriov(dfd, dev);
	close(dfd);
	return 0;
}

static int compare_devices(const void *a, const void *b)
{
	const struct pt_device *x = a, *y = b;

	return pt_pci_addr_compare(&x->addr, &y->addr);
}

static int compare_addrs(const void *a, const void *b)
{
	return pt_pci_addr_compare(a, b);
}

/* The addresses under bus/pci/devices, sorted: sorting these (8 bytes
 * each) and reading the devices in order is what keeps a scan of
 * thousands of functions linear; sorting the devices themselves moved
 * each one a dozen times. */
static int list_addresses(const char *path, struct pt_pci_addr **out, size_t *n,
			  const struct pt_log *log)
{
	struct pt_pci_addr *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *dir = opendir(path);

	*n = 0;
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		struct pt_pci_addr addr;

		if (de->d_name[0] == '.')
			continue;
		if (pt_pci_addr_parse_canonical(de->d_name, &addr)) {
			pt_log(log, PT_WARNING,
			       "ignoring '%s' in %s: not a PCI address", de->d_name,
			       path);
			continue;
		}
		if (*n == cap) {
			struct pt_pci_addr *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				closedir(dir);
				free(v);
				return -ENOMEM;
			}
			v = grown;
		}
		v[(*n)++] = addr;
	}
	closedir(dir);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), compare_addrs);
	*out = v;
	return 0;
}

int pt_scan_devices(const char *sysfs, struct pt_devices *out,
		    const struct pt_log *log)
{
	char path[PATH_MAX];
	struct pt_pci_addr *addrs = NULL;
	size_t n;
	int r;

	out->v = NULL;
	out->n = 0;
	r = pt_path(path, sizeof(path), sysfs, "bus/pci/devices");
	if (r)
		return r;
	r = list_addresses(path, &addrs, &n, log);
	if (r)
		return r;
	if (n && !(out->v = calloc(n, sizeof(*out->v)))) {
		free(addrs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		r = pt_read_device(sysfs, &addrs[i], &out->v[out->n]);
		if (r) {
			char bdf[PT_PCI_ADDR_STRLEN];

			pt_pci_addr_format(&addrs[i], bdf);
			pt_log(log, PT_WARNING,
			       "ignoring %s: its vendor, device or class cannot "
			       "be read (%s)",
			       bdf, strerror(-r));
			continue;
		}
		out->n++;
	}
	free(addrs);
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
