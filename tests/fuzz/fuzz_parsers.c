/* libFuzzer: the strict parsers of addresses, IDs, classes, numbers and
 * the kernel command line. Every accepted address must print back to a
 * string that parses to the same address. */
#include "cmdline.h"
#include "pciid.h"

#include <stdint.h>
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
	/* Only that they return, whatever the bytes: */
	outcomes += pt_pci_addr_parse_canonical(s, &a) + pt_pci_id_parse(s, &id) +
		    pt_pci_class_parse(s, &cls) + pt_parse_decimal(s, 1000000, &n) +
		    pt_parse_sysfs_hex(s, 0xffffff, &n);
	pt_cmdline_get(s, "passthrough", value, sizeof(value));
	pt_cmdline_disabled(s);
	free(s);
	return 0;
}
