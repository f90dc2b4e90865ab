/* passthrough add and remove edit the admin's file as text: a rule
 * appended, a rule taken out with the blank lines above it; the rest,
 * comments and layout, byte for byte; add then remove is the identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conftext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const layouts[] = {
	"",
	"[global]\niommu = auto\n",
	("# mine\n[global]\niommu = auto ; follows the CPU\n\n# the router's NIC\n[device.nic]\n"
	 "address = 01:00.0\n"),
	"[device.nic]\naddress = 01:00.0\n\n\n",
	"[device.nic]\r\naddress = 01:00.0\r\n",
	"[device.nic]\naddress = 01:00.0", /* no newline at the end */
};

static void add_then_remove_is_the_identity(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		char *added = pt_conftext_append(layouts[i], "[device.usb]\naddress = 00:04.0\n");
		char *back = NULL;

		assert_non_null(strstr(added, "[device.usb]\naddress = 00:04.0\n"));
		assert_int_equal(pt_conftext_remove(added, "usb", &back), 0);
		/* a file without a final newline gets one */
		if (i == 5)
			assert_string_equal(back, "[device.nic]\naddress = 01:00.0\n");
		else
			assert_string_equal(back, layouts[i]);
		free(added);
		free(back);
	}
}

static void removes_exactly_that_rule(void **state)
{
	const char *text = "[global]\niommu = auto\n\n[device.a]\naddress = 01:00.0\n"
			   "# the next one is the GPU\n\n[ device.gpu ]\nids = 10de:1b80\n"
			   "functions = all\n\n# keep: about usb\n[device.usb]\nclass = 0x0c03\n";
	char *out = NULL;

	(void)state;
	assert_int_equal(pt_conftext_remove(text, "gpu", &out), 0);
	assert_string_equal(out, "[global]\niommu = auto\n\n[device.a]\naddress = 01:00.0\n"
				 "# the next one is the GPU\n\n# keep: about usb\n[device.usb]\n"
				 "class = 0x0c03\n");
	free(out);
	assert_int_equal(pt_conftext_remove(text, "a", &out), 0);
	assert_string_equal(out, "[global]\niommu = auto\n# the next one is the GPU\n\n[ device.gpu ]\n"
				 "ids = 10de:1b80\nfunctions = all\n\n# keep: about usb\n[device.usb]\n"
				 "class = 0x0c03\n");
	free(out);
	assert_int_equal(pt_conftext_remove(text, "gp", &out), -ENOENT);
	assert_int_equal(pt_conftext_remove(text, "global", &out), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_then_remove_is_the_identity),
		cmocka_unit_test(removes_exactly_that_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
