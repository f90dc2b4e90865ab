/* Strict parsers for the PCI identifiers that appear in the config and in
 * sysfs: addresses, vendor:device IDs, class codes, group numbers. Pure
 * functions; every one rejects anything it does not fully understand, so a
 * value never reaches a path or a sysfs write unvalidated. */
#ifndef PT_PCIID_H
#define PT_PCIID_H

#include "compiler.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pt_pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t slot;     /* 0..0x1f */
	uint8_t function; /* 0..7 */
};

/* "0000:01:00.0", "10000:01:00.0" (VMD domains) or "01:00.0" (domain 0). */
#define PT_PCI_ADDR_STRLEN sizeof("ffffffff:ff:1f.7")

struct pt_pci_id {
	uint16_t vendor, device;
	bool has_subsystem;
	uint16_t subvendor, subdevice;
};

/* A class code prefix: 0x03 (class), 0x0300 (class + subclass) or
 * 0x030000 (with programming interface). */
struct pt_pci_class {
	uint32_t value; /* left-aligned into 24 bits */
	uint32_t mask;
};

PT_MUST_CHECK int pt_pci_addr_parse(const char *s, struct pt_pci_addr *out);
/* Like pt_pci_addr_parse, but only the kernel's canonical spelling
 * (lower case, domain of at least 4 digits) is accepted: used for names
 * read from sysfs directories. */
PT_MUST_CHECK int pt_pci_addr_parse_canonical(const char *s, struct pt_pci_addr *out);
void pt_pci_addr_format(const struct pt_pci_addr *a, char out[PT_PCI_ADDR_STRLEN]);
int pt_pci_addr_compare(const struct pt_pci_addr *a, const struct pt_pci_addr *b);
/* The address as one number in the same order (domain, bus, slot,
 * function), and back. */
uint64_t pt_pci_addr_key(const struct pt_pci_addr *a);
struct pt_pci_addr pt_pci_addr_from_key(uint64_t key);
bool pt_pci_addr_same_slot(const struct pt_pci_addr *a, const struct pt_pci_addr *b);

PT_MUST_CHECK int pt_pci_id_parse(const char *s, struct pt_pci_id *out);
PT_MUST_CHECK int pt_pci_class_parse(const char *s, struct pt_pci_class *out);
/* A non-negative decimal number without sign or leading zeros (except "0"). */
PT_MUST_CHECK int pt_parse_decimal(const char *s, unsigned long max, unsigned long *out);
/* "0x1af4\n" as found in sysfs attributes: 0x prefix, hex digits. */
PT_MUST_CHECK int pt_parse_sysfs_hex(const char *s, unsigned long max, unsigned long *out);

/* What a PCI function's uevent file says of it (the kernel's pci_uevent
 * and dev_uevent write it): the same values as its vendor, device,
 * subsystem_vendor, subsystem_device and class attributes and its driver
 * link, in one read. */
struct pt_pci_uevent {
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;
	const char *driver; /* into the text parsed; NULL: no driver */
};
/* Parses "DRIVER=e1000e\nPCI_CLASS=20000\nPCI_ID=8086:10D3\n
 * PCI_SUBSYS_ID=8086:0000\n..." in place (lines are cut at their ends);
 * -EINVAL unless the class and both IDs are there and well formed. */
PT_MUST_CHECK int pt_parse_pci_uevent(char *text, struct pt_pci_uevent *out);

#endif
