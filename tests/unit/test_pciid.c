#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pciid.h"

#include <errno.h>
#include <stdio.h>

static void addr_accepts_the_spellings_lspci_prints(void **state)
{
	struct pt_pci_addr a;
	char s[PT_PCI_ADDR_STRLEN];

	(void)state;
	assert_int_equal(pt_pci_addr_parse("0000:01:00.0", &a), 0);
	pt_pci_addr_format(&a, s);
	assert_string_equal(s, "0000:01:00.0");
	assert_int_equal(pt_pci_addr_parse("01:00.1", &a), 0);
	pt_pci_addr_format(&a, s);
	assert_string_equal(s, "0000:01:00.1");
	assert_int_equal(pt_pci_addr_parse("0000:0A:1F.7", &a), 0);
	pt_pci_addr_format(&a, s);
	assert_string_equal(s, "0000:0a:1f.7");
	assert_int_equal(pt_pci_addr_parse("10000:e1:00.0", &a), 0); /* VMD */
	pt_pci_addr_format(&a, s);
	assert_string_equal(s, "10000:e1:00.0");
}

static void addr_rejects_anything_else(void **state)
{
	static const char *const bad[] = {
		"", "0", "1:00.0", "01:0.0", "01:00", "01:00.", "01:00.8",
		"01:20.0", "001:00.0", "0000:01:00.0 ", " 0000:01:00.0",
		"../01:00.0", "0000:01:00.0/../x", "0000:01:00.0x", "0000::00.0",
		"000000000:01:00.0", "g0:00.0", "0000:01:00.00", "+1:00.0",
		"0000:01:00.0\n",
	};
	struct pt_pci_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pt_pci_addr_parse(bad[i], &a) == 0)
			fail_msg("accepted '%s'", bad[i]);
}

static void canonical_addr_is_the_kernel_spelling_only(void **state)
{
	struct pt_pci_addr a;

	(void)state;
	assert_int_equal(pt_pci_addr_parse_canonical("0000:00:1f.2", &a), 0);
	assert_int_not_equal(pt_pci_addr_parse_canonical("0000:00:1F.2", &a), 0);
	assert_int_not_equal(pt_pci_addr_parse_canonical("00:1f.2", &a), 0);
	assert_int_not_equal(pt_pci_addr_parse_canonical("000:00:1f.2", &a), 0);
	assert_int_not_equal(pt_pci_addr_parse_canonical("..", &a), 0);
}

static void addr_order_and_slots(void **state)
{
	struct pt_pci_addr a, b, c;

	(void)state;
	assert_int_equal(pt_pci_addr_parse("0000:01:00.0", &a), 0);
	assert_int_equal(pt_pci_addr_parse("0000:01:00.1", &b), 0);
	assert_int_equal(pt_pci_addr_parse("0000:00:1f.7", &c), 0);
	assert_true(pt_pci_addr_compare(&c, &a) < 0);
	assert_true(pt_pci_addr_compare(&a, &b) < 0);
	assert_int_equal(pt_pci_addr_compare(&a, &a), 0);
	assert_true(pt_pci_addr_same_slot(&a, &b));
	assert_false(pt_pci_addr_same_slot(&a, &c));
}

static void ids_take_two_or_four_fields_of_four_digits(void **state)
{
	struct pt_pci_id id;

	(void)state;
	assert_int_equal(pt_pci_id_parse("10de:1b80", &id), 0);
	assert_int_equal(id.vendor, 0x10de);
	assert_int_equal(id.device, 0x1b80);
	assert_false(id.has_subsystem);
	assert_int_equal(pt_pci_id_parse("10DE:1B80:1458:3702", &id), 0);
	assert_true(id.has_subsystem);
	assert_int_equal(id.subvendor, 0x1458);
	assert_int_equal(id.subdevice, 0x3702);
	assert_int_not_equal(pt_pci_id_parse("10de", &id), 0);
	assert_int_not_equal(pt_pci_id_parse("10de:1b8", &id), 0);
	assert_int_not_equal(pt_pci_id_parse("10de:1b800", &id), 0);
	assert_int_not_equal(pt_pci_id_parse("10de:1b80:1458", &id), 0);
	assert_int_not_equal(pt_pci_id_parse("0x10de:1b80", &id), 0);
	assert_int_not_equal(pt_pci_id_parse("10de:1b80:", &id), 0);
}

static void class_prefixes(void **state)
{
	struct pt_pci_class c;

	(void)state;
	assert_int_equal(pt_pci_class_parse("0x03", &c), 0);
	assert_int_equal(c.value, 0x030000);
	assert_int_equal(c.mask, 0xff0000);
	assert_int_equal(pt_pci_class_parse("0x0300", &c), 0);
	assert_int_equal(c.value, 0x030000);
	assert_int_equal(c.mask, 0xffff00);
	assert_int_equal(pt_pci_class_parse("0c0330", &c), 0);
	assert_int_equal(c.value, 0x0c0330);
	assert_int_equal(c.mask, 0xffffff);
	assert_int_not_equal(pt_pci_class_parse("0x3", &c), 0);
	assert_int_not_equal(pt_pci_class_parse("0x030", &c), 0);
	assert_int_not_equal(pt_pci_class_parse("0x03000000", &c), 0);
	assert_int_not_equal(pt_pci_class_parse("0x", &c), 0);
	assert_int_not_equal(pt_pci_class_parse("vga", &c), 0);
}

static void decimal_numbers(void **state)
{
	unsigned long v;

	(void)state;
	assert_int_equal(pt_parse_decimal("0", 100, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(pt_parse_decimal("14", 100, &v), 0);
	assert_int_equal(v, 14);
	assert_int_equal(pt_parse_decimal("101", 100, &v), -ERANGE);
	assert_int_equal(pt_parse_decimal("99999999999999999999999", 1000, &v), -ERANGE);
	assert_int_not_equal(pt_parse_decimal("", 100, &v), 0);
	assert_int_not_equal(pt_parse_decimal("-1", 100, &v), 0);
	assert_int_not_equal(pt_parse_decimal("+1", 100, &v), 0);
	assert_int_not_equal(pt_parse_decimal("07", 100, &v), 0);
	assert_int_not_equal(pt_parse_decimal("1 ", 100, &v), 0);
}

static void sysfs_hex_values(void **state)
{
	unsigned long v;

	(void)state;
	assert_int_equal(pt_parse_sysfs_hex("0x8086\n", 0xffff, &v), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(pt_parse_sysfs_hex("0x060400", 0xffffff, &v), 0);
	assert_int_equal(v, 0x060400);
	assert_int_not_equal(pt_parse_sysfs_hex("8086", 0xffff, &v), 0);
	assert_int_not_equal(pt_parse_sysfs_hex("0x18086", 0xffff, &v), 0);
	assert_int_not_equal(pt_parse_sysfs_hex("0x", 0xffff, &v), 0);
	assert_int_not_equal(pt_parse_sysfs_hex("0x80 86", 0xffff, &v), 0);
}

static void uevent_gives_ids_class_and_driver(void **state)
{
	/* what Debian's 6.1 writes for the test topology's NIC */
	char nic[] = "DRIVER=e1000e\nPCI_CLASS=20000\nPCI_ID=8086:10D3\nPCI_SUBSYS_ID=8086:0000\n"
		     "PCI_SLOT_NAME=0000:01:00.0\nMODALIAS=pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00\n";
	/* unbound, class with programming interface, keys in another order */
	char xhci[] = "PCI_SUBSYS_ID=1AF4:1100\nPCI_ID=1b36:000d\nPCI_CLASS=C0330";
	/* an old device's class 0 (four digits at least: %04X) */
	char old[] = "PCI_CLASS=0000\nPCI_ID=1234:5678\nPCI_SUBSYS_ID=0000:0000\n";
	struct pt_pci_uevent u;

	(void)state;
	assert_int_equal(pt_parse_pci_uevent(nic, &u), 0);
	assert_int_equal(u.vendor, 0x8086);
	assert_int_equal(u.device, 0x10d3);
	assert_int_equal(u.subvendor, 0x8086);
	assert_int_equal(u.subdevice, 0);
	assert_int_equal(u.class, 0x020000);
	assert_string_equal(u.driver, "e1000e");
	assert_int_equal(pt_parse_pci_uevent(xhci, &u), 0);
	assert_int_equal(u.class, 0x0c0330);
	assert_int_equal(u.subvendor, 0x1af4);
	assert_int_equal(u.subdevice, 0x1100);
	assert_null(u.driver);
	assert_int_equal(pt_parse_pci_uevent(old, &u), 0);
	assert_int_equal(u.class, 0);
}

static void uevent_without_what_the_scan_needs_is_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"DRIVER=e1000e\n",
		"PCI_CLASS=20000\nPCI_ID=8086:10D3\n",                      /* no subsystem */
		"PCI_CLASS=20000\nPCI_SUBSYS_ID=8086:0000\n",               /* no IDs */
		"PCI_ID=8086:10D3\nPCI_SUBSYS_ID=8086:0000\n",              /* no class */
		"PCI_CLASS=1000000\nPCI_ID=8086:10D3\nPCI_SUBSYS_ID=0:0\n", /* seven digits */
		"PCI_CLASS=20000\nPCI_ID=8086:10D3:0000:0000\nPCI_SUBSYS_ID=8086:0000\n",
		"PCI_CLASS=20000\nPCI_ID=8086-10D3\nPCI_SUBSYS_ID=8086:0000\n",
		"PCI_CLASS=2000g\nPCI_ID=8086:10D3\nPCI_SUBSYS_ID=8086:0000\n",
		"PCI_CLASS=\nPCI_ID=8086:10D3\nPCI_SUBSYS_ID=8086:0000\n",
		"PCI_CLASS=20000 \nPCI_ID=8086:10D3\nPCI_SUBSYS_ID=8086:0000\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		struct pt_pci_uevent u;

		snprintf(text, sizeof(text), "%s", bad[i]);
		if (pt_parse_pci_uevent(text, &u) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_accepts_the_spellings_lspci_prints),
		cmocka_unit_test(addr_rejects_anything_else),
		cmocka_unit_test(canonical_addr_is_the_kernel_spelling_only),
		cmocka_unit_test(addr_order_and_slots),
		cmocka_unit_test(ids_take_two_or_four_fields_of_four_digits),
		cmocka_unit_test(class_prefixes),
		cmocka_unit_test(decimal_numbers),
		cmocka_unit_test(sysfs_hex_values),
		cmocka_unit_test(uevent_gives_ids_class_and_driver),
		cmocka_unit_test(uevent_without_what_the_scan_needs_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
