/* Fake sysfs/proc/dev trees for tests, built in a temporary directory in
 * the layout the kernel uses, so the code under test reads and writes them
 * exactly as it would the real ones. */
#ifndef FAKESYS_H
#define FAKESYS_H

#include <stdbool.h>
#include <stddef.h>

struct fakesys {
	char root[256];  /* --root */
	char sysfs[300]; /* --sysfs: ROOT/sys */
};

struct fake_pci {
	const char *bdf;
	unsigned vendor, device;
	unsigned class;
	int group; /* -1: no iommu_group link */
	const char *driver; /* NULL: unbound */
	bool boot_vga;
	unsigned subvendor, subdevice;
};

void fakesys_init(struct fakesys *fs);
void fakesys_cleanup(struct fakesys *fs);
void fakesys_add_pci(struct fakesys *fs, const struct fake_pci *d);
/* The device's uevent file, as the kernel writes it (dev_uevent, then
 * pci_uevent): what real sysfs has besides the attributes. */
void fakesys_add_pci_uevent(struct fakesys *fs, const struct fake_pci *d);
/* Writes ROOT/rel (creating directories). */
void fakesys_write(struct fakesys *fs, const char *rel, const char *content);
/* Reads ROOT/rel into a static buffer; "" when missing. */
const char *fakesys_read(struct fakesys *fs, const char *rel);
void fakesys_remove(struct fakesys *fs, const char *rel);

#endif
