#include "fakesys.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fakesys: %s %s: %s\n", what, path, strerror(errno));
	abort();
}

static void mkdirs(const char *path)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			die("mkdir", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		die("mkdir", buf);
}

void fakesys_init(struct fakesys *fs)
{
	char path[400];

	snprintf(fs->root, sizeof(fs->root), "/tmp/pt-fakesys.XXXXXX");
	if (!mkdtemp(fs->root))
		die("mkdtemp", fs->root);
	snprintf(fs->sysfs, sizeof(fs->sysfs), "%s/sys", fs->root);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", fs->sysfs);
	mkdirs(path);
	fakesys_write(fs, "sys/bus/pci/drivers_probe", "");
	fakesys_write(fs, "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n");
	fakesys_write(fs, "dev/kmsg", "");
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fakesys_cleanup(struct fakesys *fs)
{
	nftw(fs->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fakesys_write(struct fakesys *fs, const char *rel, const char *content)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	f = fopen(path, "w");
	if (!f)
		die("fopen", path);
	fputs(content, f);
	fclose(f);
}

const char *fakesys_read(struct fakesys *fs, const char *rel)
{
	static char buf[4096];
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	f = fopen(path, "r");
	if (!f)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

void fakesys_remove(struct fakesys *fs, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fakesys_add_pci(struct fakesys *fs, const struct fake_pci *d)
{
	char rel[256], val[64], path[512], target[128];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/", d->bdf);
#define ATTR(name, fmt, ...)                                                   \
	do {                                                                   \
		char r2[300];                                                  \
		snprintf(val, sizeof(val), fmt, __VA_ARGS__);                  \
		snprintf(r2, sizeof(r2), "%s%s", rel, name);                   \
		fakesys_write(fs, r2, val);                                    \
	} while (0)
	ATTR("vendor", "0x%04x\n", d->vendor);
	ATTR("device", "0x%04x\n", d->device);
	ATTR("subsystem_vendor", "0x%04x\n", d->subvendor);
	ATTR("subsystem_device", "0x%04x\n", d->subdevice);
	ATTR("class", "0x%06x\n", d->class);
	ATTR("driver_override", "%s\n", "(null)");
	ATTR("boot_vga", "%d\n", d->boot_vga ? 1 : 0);
#undef ATTR
	if (d->group >= 0) {
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
			 fs->sysfs, d->group);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group",
			 fs->sysfs, d->bdf);
		snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%d",
			 d->group);
		if (symlink(target, path) < 0)
			die("symlink", path);
	}
	if (d->driver) {
		snprintf(path, sizeof(path), "sys/bus/pci/drivers/%s/unbind",
			 d->driver);
		fakesys_write(fs, path, "");
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver",
			 fs->sysfs, d->bdf);
		snprintf(target, sizeof(target), "../../drivers/%s", d->driver);
		if (symlink(target, path) < 0)
			die("symlink", path);
	}
}

void fakesys_add_pci_uevent(struct fakesys *fs, const struct fake_pci *d)
{
	char rel[256], text[512], driver[96] = "";

	if (d->driver)
		snprintf(driver, sizeof(driver), "DRIVER=%s\n", d->driver);
	snprintf(text, sizeof(text),
		 "%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n"
		 "MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		 driver, d->class, d->vendor, d->device, d->subvendor, d->subdevice, d->bdf,
		 d->vendor, d->device, d->subvendor, d->subdevice, d->class >> 16,
		 (d->class >> 8) & 0xff, d->class & 0xff);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/uevent", d->bdf);
	fakesys_write(fs, rel, text);
}
