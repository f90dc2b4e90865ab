#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmdline.h"

static void finds_values_last_one_wins(void **state)
{
	char v[32];

	(void)state;
	assert_true(pt_cmdline_get("root=/dev/sda1 quiet passthrough=on passthrough=off\n",
				   "passthrough", v, sizeof(v)));
	assert_string_equal(v, "off");
	assert_true(pt_cmdline_get("quiet", "quiet", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(pt_cmdline_get("passthroughx=off passthrough.x=1", "passthrough", v, sizeof(v)));
	assert_true(pt_cmdline_get("a=\"x y\" b=2", "a", v, sizeof(v)));
	assert_string_equal(v, "x y");
	assert_true(pt_cmdline_get("a=0123456789abcdef", "a", v, 8));
	assert_string_equal(v, "0123456");
}

static void rescue_switch(void **state)
{
	(void)state;
	assert_true(pt_cmdline_disabled("ro quiet passthrough=off"));
	assert_true(pt_cmdline_disabled("passthrough=0"));
	assert_true(pt_cmdline_disabled("passthrough=no splash"));
	assert_false(pt_cmdline_disabled("passthrough=off passthrough=on"));
	assert_false(pt_cmdline_disabled("ro quiet"));
	assert_false(pt_cmdline_disabled(""));
	assert_false(pt_cmdline_disabled("\"passthrough=off"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_values_last_one_wins),
		cmocka_unit_test(rescue_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
