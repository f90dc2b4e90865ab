/* lspci's device filters, so `show` and `list` take the forms admins
 * already type: -s [[[DOMAIN]:]BUS:][SLOT][.[FUNC]] and
 * -d [VENDOR]:[DEVICE][:CLASS], every part optional, hex. */
#ifndef PT_FILTER_H
#define PT_FILTER_H

#include "device.h"

#include <stdbool.h>

struct pt_pci_filter {
	long domain, bus, slot, func;     /* -1: any */
	long vendor, device, class_;      /* -1: any; class_ is base+sub (0x0300) */
};

void pt_pci_filter_init(struct pt_pci_filter *f);
int pt_pci_filter_slot(struct pt_pci_filter *f, const char *spec);
int pt_pci_filter_id(struct pt_pci_filter *f, const char *spec);
bool pt_pci_filter_matches(const struct pt_pci_filter *f, const struct pt_device *d);

#endif
