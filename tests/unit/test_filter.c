/* lspci's -s and -d forms (issue 17: `-s 2:0.0`, `-s 02:00` were refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "filter.h"

static bool slot_matches(const char *spec, const char *bdf)
{
	struct pt_pci_filter f;
	struct pt_device d = { .vendor = 0x10de, .device = 0x1b80, .class = 0x030000 };

	pt_pci_filter_init(&f);
	assert_int_equal(pt_pci_filter_slot(&f, spec), 0);
	assert_int_equal(pt_pci_addr_parse(bdf, &d.addr), 0);
	return pt_pci_filter_matches(&f, &d);
}

static void slots_as_lspci_takes_them(void **state)
{
	struct pt_pci_filter f;

	(void)state;
	assert_true(slot_matches("2:0.0", "0000:02:00.0"));
	assert_true(slot_matches("02:00", "0000:02:00.1"));
	assert_false(slot_matches("02:00", "0000:03:00.0"));
	assert_true(slot_matches("0000:02:00.1", "0000:02:00.1"));
	assert_true(slot_matches(".1", "0000:05:1f.1"));
	assert_true(slot_matches("1f", "0000:00:1f.3"));
	assert_true(slot_matches("*:1f.3", "0000:00:1f.3"));
	assert_false(slot_matches("0001:02:00.0", "0000:02:00.0"));
	pt_pci_filter_init(&f);
	assert_int_not_equal(pt_pci_filter_slot(&f, "2:0.8"), 0);
	assert_int_not_equal(pt_pci_filter_slot(&f, "zz:00"), 0);
	assert_int_not_equal(pt_pci_filter_slot(&f, "1:2:3:4"), 0);
}

static void ids_as_lspci_takes_them(void **state)
{
	struct pt_pci_filter f;
	struct pt_device d = { .vendor = 0x10de, .device = 0x1b80, .class = 0x030000 };

	(void)state;
	pt_pci_filter_init(&f);
	assert_int_equal(pt_pci_filter_id(&f, "10de:"), 0);
	assert_true(pt_pci_filter_matches(&f, &d));
	pt_pci_filter_init(&f);
	assert_int_equal(pt_pci_filter_id(&f, ":1b80:0300"), 0);
	assert_true(pt_pci_filter_matches(&f, &d));
	pt_pci_filter_init(&f);
	assert_int_equal(pt_pci_filter_id(&f, "8086:"), 0);
	assert_false(pt_pci_filter_matches(&f, &d));
	assert_int_not_equal(pt_pci_filter_id(&f, "10de"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slots_as_lspci_takes_them),
		cmocka_unit_test(ids_as_lspci_takes_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
