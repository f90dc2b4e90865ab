#include "machine.h"
#include "fileio.h"
#include "modules.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool pt_device_is_usb_controller(const struct pt_device *d)
{
	return (d->class >> 8) == 0x0c03;
}

bool pt_device_is_storage_controller(const struct pt_device *d)
{
	return (d->class >> 16) == 0x01;
}

bool pt_device_is_display(const struct pt_device *d)
{
	return (d->class >> 16) == 0x03;
}

long pt_machine_find(const struct pt_machine *m, const struct pt_pci_addr *a)
{
	const struct pt_device *d = pt_find_device(&m->devs, a);

	return d ? d - m->devs.v : -1;
}

/* libpci's default error handler exits, and a replacement must not
 * return: it jumps back to pt_machine_read, which carries on without
 * names and capabilities. */
static jmp_buf libpci_escape;

__attribute__((noreturn)) static void pci_fatal(char *msg, ...)
{
	(void)msg;
	longjmp(libpci_escape, 1);
}

static void pci_quiet(char *msg, ...)
{
	(void)msg; /* a missing pci.ids or config file only costs names */
}

static struct pci_access *open_libpci(const struct pt_machine_paths *p)
{
	struct pci_access *a = pci_alloc();
	char path[PATH_MAX];

	if (!a)
		return NULL;
	a->error = pci_fatal;
	a->warning = pci_quiet;
	a->debug = pci_quiet;
	a->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(a, "hwdb.disable", "1");
	if (pt_path(path, sizeof(path), p->sysfs, "bus/pci") == 0)
		pci_set_param(a, "sysfs.path", path);
	if (p->pci_ids)
		pci_set_name_list_path(a, (char *)p->pci_ids, 0);
	pci_init(a);
	return a;
}

static void lookup_names(struct pci_access *a, const struct pt_device *d,
			 struct pt_devinfo *info)
{
	char buf[256];

	snprintf(info->vendor_name, sizeof(info->vendor_name), "%s",
		 pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_VENDOR, d->vendor));
	snprintf(info->device_name, sizeof(info->device_name), "%s",
		 pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_DEVICE, d->vendor,
				 d->device));
	snprintf(info->class_name, sizeof(info->class_name), "%s",
		 pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_CLASS, d->class >> 8));
	if (d->subvendor || d->subdevice)
		snprintf(info->subsys_name, sizeof(info->subsys_name), "%s",
			 pci_lookup_name(a, buf, sizeof(buf),
					 PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR |
						 PCI_LOOKUP_DEVICE,
					 d->vendor, d->device, d->subvendor,
					 d->subdevice));
}

/* Config space beyond the first 64 bytes is readable by root only: capa-
 * bilities stay unknown otherwise. */
static struct pci_dev *config_dev(struct pci_access *a, const struct pt_pci_addr *addr)
{
	struct pci_dev *d = pci_get_dev(a, (int)addr->domain, addr->bus, addr->slot,
					addr->function);
	u8 probe[256];

	if (!d)
		return NULL;
	if (!pci_read_block(d, 0, probe, sizeof(probe))) {
		pci_free_dev(d);
		return NULL;
	}
	return d;
}

static void read_capabilities(struct pci_access *a, const struct pt_device *dev,
			      struct pt_devinfo *info)
{
	struct pt_pci_addr up;
	struct pci_dev *d;
	struct pci_cap *cap;

	if ((d = config_dev(a, &dev->addr))) {
		pci_fill_info(d, PCI_FILL_CAPS | PCI_FILL_EXT_CAPS);
		cap = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
		if (cap)
			info->flr = (pci_read_long(d, cap->addr + PCI_EXP_DEVCAP) &
				     PCI_EXP_DEVCAP_FLRESET) ? PT_YES : PT_NO;
		else
			info->flr = PT_NO;
		pci_free_dev(d);
	}
	if (!info->upstream[0] || pt_pci_addr_parse_canonical(info->upstream, &up) ||
	    !(d = config_dev(a, &up)))
		return;
	pci_fill_info(d, PCI_FILL_EXT_CAPS);
	cap = pci_find_cap(d, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
	if (!cap) {
		info->upstream_acs = PT_NO;
	} else {
		u16 ctrl = pci_read_word(d, cap->addr + PCI_ACS_CTRL);

		info->upstream_acs = (ctrl & PCI_ACS_CTRL_REQ_RED) &&
						     (ctrl & PCI_ACS_CTRL_CMPLT_RED) ?
					     PT_YES : PT_NO;
	}
	pci_free_dev(d);
}

/* The bridge above a device: the PCI address before its own in the link
 * /sys/bus/pci/devices/BDF -> ../../../devices/pci0000:00/0000:00:02.0/BDF.
 * One readlink, where realpath would walk every component. */
static void find_upstream(const char *sysfs, const struct pt_device *d,
			  char out[PT_PCI_ADDR_STRLEN])
{
	char path[PATH_MAX], target[PATH_MAX], *last, *prev;
	struct pt_pci_addr a;
	ssize_t n;

	out[0] = '\0';
	if (pt_path(path, sizeof(path), sysfs, "bus/pci/devices/%s", d->bdf) ||
	    (n = readlink(path, target, sizeof(target) - 1)) < 0)
		return;
	target[n] = '\0';
	last = strrchr(target, '/');
	if (!last)
		return;
	*last = '\0';
	prev = strrchr(target, '/');
	if (prev && pt_pci_addr_parse_canonical(prev + 1, &a) == 0)
		snprintf(out, PT_PCI_ADDR_STRLEN, "%s", prev + 1);
}

/* A driver is built in when sysfs shows no loadable module behind it: no
 * module link, or a module without initstate (built-ins have none). */
static bool driver_is_builtin_uncached(const char *sysfs, const char *driver)
{
	char path[PATH_MAX], mod[128];

	if (pt_path(path, sizeof(path), sysfs, "bus/pci/drivers/%s/module", driver) ||
	    pt_read_link_name(path, mod, sizeof(mod)))
		return true;
	if (pt_path(path, sizeof(path), sysfs, "module/%s/initstate", mod))
		return false;
	return access(path, F_OK) != 0;
}

/* Hundreds of functions share a handful of drivers: ask sysfs once each. */
struct builtin_cache {
	char name[PT_DRIVER_NAME_MAX];
	bool builtin;
};

static bool driver_is_builtin(const char *sysfs, const char *driver,
			      struct builtin_cache *cache, size_t *n, size_t max)
{
	bool b;

	if (!driver[0])
		return false;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(cache[i].name, driver))
			return cache[i].builtin;
	b = driver_is_builtin_uncached(sysfs, driver);
	if (*n < max) {
		snprintf(cache[*n].name, sizeof(cache[*n].name), "%s", driver);
		cache[(*n)++].builtin = b;
	}
	return b;
}

static void read_reset_methods(const char *sysfs, const struct pt_device *d,
			       struct pt_devinfo *info, bool *any_seen)
{
	char path[PATH_MAX];

	if (pt_path(path, sizeof(path), sysfs, "bus/pci/devices/%s/reset_method",
		    d->bdf) == 0 &&
	    pt_read_attr(path, info->reset_methods, sizeof(info->reset_methods)) == 0) {
		info->reset_known = true;
		*any_seen = true;
	}
}

static int compare_usb_devs(const void *a, const void *b)
{
	const struct pt_usb_device *x = a, *y = b;

	return x->devnum < y->devnum ? -1 : x->devnum > y->devnum;
}

static int compare_usb_buses(const void *a, const void *b)
{
	const struct pt_usb_bus *x = a, *y = b;

	return x->busnum < y->busnum ? -1 : x->busnum > y->busnum;
}

static unsigned long read_ulong(const char *dir, const char *attr, int base)
{
	char path[PATH_MAX], buf[32];

	if (pt_path(path, sizeof(path), dir, "%s", attr) ||
	    pt_read_attr(path, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, base);
}

/* USB: root hubs usbN name the bus and sit under their controller; other
 * devices (N-port, no ':' which marks interfaces) belong to bus busnum. */
static void read_usb(const char *sysfs, struct pt_machine *m)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *dh;

	if (pt_path(dir, sizeof(dir), sysfs, "bus/usb/devices") || !(dh = opendir(dir)))
		return;
	while ((de = readdir(dh))) {
		struct pt_usb_bus *b;
		unsigned long n;
		char *end;

		if (strncmp(de->d_name, "usb", 3) != 0)
			continue;
		n = strtoul(de->d_name + 3, &end, 10);
		if (*end || !n || pt_path(path, sizeof(path), dir, "%s", de->d_name))
			continue;
		b = realloc(m->usb, (m->n_usb + 1) * sizeof(*b));
		if (!b)
			break;
		m->usb = b;
		b = &b[m->n_usb];
		memset(b, 0, sizeof(*b));
		b->busnum = (unsigned)n;
		if (pt_pci_device_behind(path, &b->controller))
			m->n_usb++;
	}
	rewinddir(dh);
	while ((de = readdir(dh))) {
		struct pt_usb_device u = { 0 }, *v;
		char udir[PATH_MAX];

		if (!strchr(de->d_name, '-') || strchr(de->d_name, ':') ||
		    pt_path(udir, sizeof(udir), dir, "%s", de->d_name))
			continue;
		u.busnum = (unsigned)read_ulong(udir, "busnum", 10);
		u.devnum = (unsigned)read_ulong(udir, "devnum", 10);
		u.vendor = (uint16_t)read_ulong(udir, "idVendor", 16);
		u.product = (uint16_t)read_ulong(udir, "idProduct", 16);
		if (pt_path(path, sizeof(path), udir, "product") == 0)
			pt_read_attr_or_empty(path, u.product_name, sizeof(u.product_name));
		for (size_t i = 0; i < m->n_usb; i++) {
			struct pt_usb_bus *b = &m->usb[i];

			if (b->busnum != u.busnum)
				continue;
			v = realloc(b->devs, (b->n + 1) * sizeof(*v));
			if (v) {
				b->devs = v;
				b->devs[b->n++] = u;
			}
		}
	}
	closedir(dh);
	for (size_t i = 0; i < m->n_usb; i++)
		if (m->usb[i].n > 1) /* qsort(NULL, 0) is undefined */
			qsort(m->usb[i].devs, m->usb[i].n, sizeof(struct pt_usb_device),
			      compare_usb_devs);
	if (m->n_usb > 1)
		qsort(m->usb, m->n_usb, sizeof(*m->usb), compare_usb_buses);
}

/* Interfaces with a default route, from /proc/net/route and ipv6_route. */
static bool has_default_route(const char *root, const char *iface)
{
	char path[PATH_MAX], line[512], name[64], dest[64], mask[64];
	bool found = false;
	FILE *f;

	if (pt_path(path, sizeof(path), root, "proc/net/route") == 0 &&
	    (f = pt_fopen_regular(path))) {
		while (!found && fgets(line, sizeof(line), f))
			found = sscanf(line, "%63s %63s %*s %*s %*s %*s %*s %63s", name,
				       dest, mask) == 3 &&
				strcmp(name, iface) == 0 && strcmp(dest, "00000000") == 0 &&
				strcmp(mask, "00000000") == 0;
		fclose(f);
	}
	if (!found && pt_path(path, sizeof(path), root, "proc/net/ipv6_route") == 0 &&
	    (f = pt_fopen_regular(path))) {
		while (!found && fgets(line, sizeof(line), f)) {
			char dst[64], plen[8], *last = strrchr(line, ' ');

			if (!last || sscanf(line, "%63s %7s", dst, plen) != 2)
				continue;
			last++;
			last[strcspn(last, "\n")] = '\0';
			found = strcmp(plen, "00") == 0 && strspn(dst, "0") == 32 &&
				strcmp(last, iface) == 0;
		}
		fclose(f);
	}
	return found;
}

static void read_netdevs(const struct pt_machine_paths *p, struct pt_machine *m)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *dh;

	if (pt_path(dir, sizeof(dir), p->sysfs, "class/net") || !(dh = opendir(dir)))
		return;
	while ((de = readdir(dh))) {
		struct pt_pci_addr a;
		long i;

		if (de->d_name[0] == '.' ||
		    pt_path(path, sizeof(path), dir, "%s/device", de->d_name) ||
		    !pt_pci_device_behind(path, &a) || (i = pt_machine_find(m, &a)) < 0)
			continue;
		struct pt_devinfo *info = &m->info[i];
		size_t used = strlen(info->netdevs);

		snprintf(info->netdevs + used, sizeof(info->netdevs) - used, "%s%s",
			 used ? " " : "", de->d_name);
		if (has_default_route(p->root, de->d_name))
			info->default_route = true;
	}
	closedir(dh);
}

enum pt_cpu_vendor pt_read_cpu_vendor(const char *root)
{
	enum pt_cpu_vendor cpu = PT_CPU_UNKNOWN;
	char path[PATH_MAX], line[512];
	FILE *f;

	if (pt_path(path, sizeof(path), root, "proc/cpuinfo") == 0 &&
	    (f = pt_fopen_regular(path))) {
		while (cpu == PT_CPU_UNKNOWN && fgets(line, sizeof(line), f)) {
			if (strncmp(line, "vendor_id", 9) != 0)
				continue;
			if (strstr(line, "GenuineIntel"))
				cpu = PT_CPU_INTEL;
			else if (strstr(line, "AuthenticAMD") || strstr(line, "HygonGenuine"))
				cpu = PT_CPU_AMD;
		}
		fclose(f);
	}
	return cpu;
}

/* The memory BARs: the first six lines of sysfs' resource file, "start
 * end flags" in hex; a BAR that is not there reads as zeros. */
static void read_bars(const char *sysfs, const struct pt_device *d, struct pt_devinfo *info)
{
	char path[PATH_MAX], line[128];
	FILE *f;

	if (pt_path(path, sizeof(path), sysfs, "bus/pci/devices/%s/resource", d->bdf) ||
	    !(f = pt_fopen_regular(path)))
		return;
	for (int i = 0; i < 6 && fgets(line, sizeof(line), f); i++) {
		unsigned long long start, end, flags;

		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3 &&
		    (flags & 0x200) /* IORESOURCE_MEM */ && end) {
			info->bar[i][0] = start;
			info->bar[i][1] = end;
		}
	}
	fclose(f);
}

/* The ranges /proc/iomem gives to a firmware framebuffer, at any depth
 * ("  c0000000-c03e7fff : efifb"). */
static void read_framebuffers(const char *root, struct pt_machine *m)
{
	static const char *const names[] = { "efifb", "BOOTFB", "simplefb",
					     "simple-framebuffer", "vesafb" };
	char path[PATH_MAX], line[256];
	FILE *f;

	if (pt_path(path, sizeof(path), root, "proc/iomem") || !(f = pt_fopen_regular(path)))
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end;
		char name[64];
		struct pt_fb_range *v;

		if (sscanf(line, " %llx-%llx : %63[^\n]", &start, &end, name) != 3 || !end)
			continue; /* unprivileged readers see zeros */
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(name, names[i]) || !(v = realloc(m->fb, (m->n_fb + 1) * sizeof(*v))))
				continue;
			m->fb = v;
			v[m->n_fb].start = start;
			v[m->n_fb].end = end;
			snprintf(v[m->n_fb].name, sizeof(v->name), "%s", names[i]);
			m->n_fb++;
		}
	}
	fclose(f);
}

/* Whether the running kernel's build turns VT-d on without intel_iommu=on:
 * Debian's kernels are built with CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF
 * (on, except for the integrated GPU), Fedora's and others with it off.
 * From /boot/config-RELEASE; unknown without it. */
static enum pt_known read_intel_iommu_default(const char *root, const char *release)
{
	enum pt_known on = PT_UNKNOWN;
	char path[PATH_MAX], line[256];
	FILE *f;

	if (!release[0] || pt_path(path, sizeof(path), root, "boot/config-%s", release) ||
	    !(f = pt_fopen_regular(path)))
		return PT_UNKNOWN;
	on = PT_NO;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "CONFIG_INTEL_IOMMU_DEFAULT_ON=y\n") ||
		    !strcmp(line, "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y\n"))
			on = PT_YES;
	fclose(f);
	return on;
}

static void read_platform(const struct pt_machine_paths *p, struct pt_machine *m)
{
	char path[PATH_MAX], line[512];
	FILE *f;
	DIR *dh;

	m->cpu = pt_read_cpu_vendor(p->root);
	if (pt_path(path, sizeof(path), p->root, "proc/cmdline") == 0)
		m->cmdline = pt_read_file(path);
	/* With interrupt remapping on, irq chips are named IR-PCI-MSI,
	 * IR-IO-APIC and so on. */
	m->irq_remap = PT_UNKNOWN;
	if (pt_path(path, sizeof(path), p->root, "proc/interrupts") == 0 &&
	    (f = pt_fopen_regular(path))) {
		m->irq_remap = PT_NO;
		while (m->irq_remap == PT_NO && fgets(line, sizeof(line), f))
			if (strstr(line, " IR-"))
				m->irq_remap = PT_YES;
		fclose(f);
	}
	m->iommu_on = false;
	if (pt_path(path, sizeof(path), p->sysfs, "kernel/iommu_groups") == 0 &&
	    (dh = opendir(path))) {
		struct dirent *de;

		while ((de = readdir(dh)))
			if (de->d_name[0] != '.')
				m->iommu_on = true;
		closedir(dh);
	}
	snprintf(m->release, sizeof(m->release), "%s", p->release);
	m->intel_iommu_default_on = read_intel_iommu_default(p->root, m->release);
	read_framebuffers(p->root, m);
}

/* Names and capabilities through libpci. Alone in its function: after the
 * longjmp only its own state is lost, and there is none worth keeping. */
static void read_libpci(const struct pt_machine_paths *p, struct pt_machine *m,
			const struct pt_log *log)
{
	struct pci_access *volatile a = NULL;

	if (setjmp(libpci_escape) == 0) {
		a = open_libpci(p);
		for (size_t i = 0; a && i < m->devs.n; i++) {
			lookup_names(a, &m->devs.v[i], &m->info[i]);
			read_capabilities(a, &m->devs.v[i], &m->info[i]);
		}
	} else {
		pt_log(log, PT_WARNING, "libpci failed: device names and "
		       "capabilities are left out");
		a = NULL; /* its state is unknown after the jump: leak it */
	}
	if (a)
		pci_cleanup(a);
}

int pt_machine_read(const struct pt_machine_paths *p, struct pt_machine *m,
		    const struct pt_log *log)
{
	struct builtin_cache drivers[32];
	size_t n_drivers = 0;
	bool reset_attr_seen = false;
	int r;

	memset(m, 0, sizeof(*m));
	r = pt_scan_devices(p->sysfs, &m->devs, log);
	if (r < 0)
		return r;
	m->info = calloc(m->devs.n ? m->devs.n : 1, sizeof(*m->info));
	if (!m->info || pt_machine_index_groups(m) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->devs.n; i++) {
		const struct pt_device *d = &m->devs.v[i];
		struct pt_devinfo *info = &m->info[i];

		find_upstream(p->sysfs, d, info->upstream);
		read_reset_methods(p->sysfs, d, info, &reset_attr_seen);
		read_bars(p->sysfs, d, info);
		info->driver_builtin = driver_is_builtin(p->sysfs, d->driver, drivers,
							 &n_drivers, 32);
		info->flr = info->upstream_acs = PT_UNKNOWN;
	}
	read_libpci(p, m, log);
	/* Kernels since 5.15 show reset_method only for devices that have a
	 * method: where others show it, its absence means "none". */
	for (size_t i = 0; i < m->devs.n && reset_attr_seen; i++)
		m->info[i].reset_known = true;
	read_usb(p->sysfs, m);
	read_netdevs(p, m);
	read_platform(p, m);
	return pt_read_disks(p->sysfs, p->root, true, &m->disks);
}

struct group_key {
	long group;
	size_t index; /* the scan's order is address order */
};

static int compare_group_keys(const void *pa, const void *pb)
{
	const struct group_key *a = pa, *b = pb;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

int pt_machine_index_groups(struct pt_machine *m)
{
	struct group_key *keys = malloc((m->devs.n ? m->devs.n : 1) * sizeof(*keys));
	size_t *order = malloc((m->devs.n ? m->devs.n : 1) * sizeof(*order));

	if (!keys || !order) {
		free(keys);
		free(order);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->devs.n; i++)
		keys[i] = (struct group_key){ m->devs.v[i].iommu_group, i };
	qsort(keys, m->devs.n, sizeof(*keys), compare_group_keys);
	for (size_t i = 0; i < m->devs.n; i++)
		order[i] = keys[i].index;
	free(keys);
	free(m->by_group);
	m->by_group = order;
	return 0;
}

/* The first position in by_group whose group is at least GROUP. */
static size_t group_lower_bound(const struct pt_machine *m, long group)
{
	size_t lo = 0, hi = m->devs.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->devs.v[m->by_group[mid]].iommu_group < group)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const size_t *pt_machine_group(const struct pt_machine *m, long group, size_t *n)
{
	size_t first = group_lower_bound(m, group), end = group_lower_bound(m, group + 1);

	*n = end - first;
	return m->by_group + first;
}

void pt_machine_free(struct pt_machine *m)
{
	free(m->by_group);
	for (size_t i = 0; i < m->n_usb; i++)
		free(m->usb[i].devs);
	free(m->usb);
	free(m->fb);
	free(m->info);
	free(m->cmdline);
	pt_disks_free(&m->disks);
	pt_devices_free(&m->devs);
	memset(m, 0, sizeof(*m));
}
