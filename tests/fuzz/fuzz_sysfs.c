/* libFuzzer: the sysfs device model reading a fuzzed fake tree. The input
 * is split at NUL bytes into the contents of each attribute (uevent
 * included) and link target of two devices; the tree is rebuilt each run
 * under /tmp. */
#include "device.h"
#include "select.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const attrs[] = { "vendor", "device", "class", "subsystem_vendor",
				     "subsystem_device", "boot_vga", "uevent", "driver", "iommu_group" };
#define FIRST_LINK 7 /* driver, iommu_group: symbolic links */

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char root[64];
	static const char *const names[] = { "0000:00:01.0", "0000:01:00.0" };
	const char *p = (const char *)data, *end = p + size;
	struct pt_devices devs;
	char path[256];

	if (!root[0]) {
		snprintf(root, sizeof(root), "/tmp/pt-fuzz-sysfs.XXXXXX");
		if (!mkdtemp(root))
			abort();
	}
	nftw(root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	mkdir(root, 0700);
	snprintf(path, sizeof(path), "%s/bus", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/pci", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", root);
	mkdir(path, 0700);
	for (size_t d = 0; d < 2; d++) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root, names[d]);
		mkdir(path, 0700);
		for (size_t a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
			size_t len = p < end ? strnlen(p, (size_t)(end - p)) : 0;
			char *value = strndup(p, len);

			p += len + (p + len < end);
			if (!value)
				return 0;
			snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", root, names[d], attrs[a]);
			if (a >= FIRST_LINK) {
				if (len && symlink(value, path) < 0 && errno != EEXIST)
					abort();
			} else {
				int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

				if (fd >= 0) {
					if (write(fd, value, len) < 0) { /* a fuzzed tree may lack room */ }
					close(fd);
				}
			}
			free(value);
		}
	}
	if (pt_scan_devices(root, &devs, NULL) == 0)
		pt_devices_free(&devs);
	return 0;
}
