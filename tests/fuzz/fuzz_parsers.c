/* libFuzzer: the strict parsers of addresses, IDs, classes, numbers, a
 * PCI function's uevent and the kernel command line. Every accepted
 * address must print back to a string that parses to the same address;
 * every accepted uevent, written again the kernel's way, to the same
 * device. */
#include "cmdline.h"
#include "pciid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile int outcomes;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), value[64], again[PT_PCI_ADDR_STRLEN];
	struct pt_pci_addr a, b;
	struct pt_pci_id id;
	struct pt_pci_class cls;
	unsigned long n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (pt_pci_addr_parse(s, &a) == 0) {
		pt_pci_addr_format(&a, again);
		if (pt_pci_addr_parse_canonical(again, &b) != 0 || pt_pci_addr_compare(&a, &b) != 0)
			abort();
	}
	/* canonical: exactly what parses and prints back the same */
	if ((pt_pci_addr_parse_canonical(s, &b) == 0) !=
	    (pt_pci_addr_parse(s, &a) == 0 && (pt_pci_addr_format(&a, again), !strcmp(again, s)) &&
	     strchr(s, ':') != strrchr(s, ':')))
		abort();
	{
		char *text = strdup(s), again_text[160];
		struct pt_pci_uevent u, v;

		if (text && pt_parse_pci_uevent(text, &u) == 0) {
			/* the kernel's formats (pci_uevent) */
			snprintf(again_text, sizeof(again_text),
				 "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n", u.class,
				 u.vendor, u.device, u.subvendor, u.subdevice);
			if (pt_parse_pci_uevent(again_text, &v) != 0 || v.class != u.class ||
			    v.vendor != u.vendor || v.device != u.device ||
			    v.subvendor != u.subvendor || v.subdevice != u.subdevice)
				abort();
		}
		free(text);
	}
	/* Only that they return, whatever the bytes: */
	outcomes += pt_pci_addr_parse_canonical(s, &a) + pt_pci_id_parse(s, &id) +
		    pt_pci_class_parse(s, &cls) + pt_parse_decimal(s, 1000000, &n) +
		    pt_parse_sysfs_hex(s, 0xffffff, &n);
	pt_cmdline_get(s, "passthrough", value, sizeof(value));
	pt_cmdline_disabled(s);
	free(s);
	return 0;
}
