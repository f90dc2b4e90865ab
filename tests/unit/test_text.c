/* Text for people: cuts are marked, device strings cannot drive the
 * terminal (issue 11: a crafted USB product string could send escape
 * sequences or fake a "selected by" line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text.h"

#include <string.h>

static void device_strings_are_made_printable(void **state)
{
	char out[128];

	(void)state;
	assert_string_equal(pt_printable("QEMU USB HARDDRIVE", out, sizeof(out)),
			    "QEMU USB HARDDRIVE");
	assert_string_equal(pt_printable("\x1b[2J\x1b[Hx", out, sizeof(out)),
			    "\\x1b[2J\\x1b[Hx");
	assert_string_equal(pt_printable("a\n      * selected by [device.x]", out, sizeof(out)),
			    "a\\x0a      * selected by [device.x]");
	assert_string_equal(pt_printable("tab\there\x7f", out, sizeof(out)), "tab\\x09here\\x7f");
	/* UTF-8 stays; C1 controls (CSI is C2 9B) and broken bytes do not */
	assert_string_equal(pt_printable("Caf\xc3\xa9 \xc2\x9b" "2J \xff", out, sizeof(out)),
			    "Caf\xc3\xa9 \\xc2\\x9b2J \\xff");
	assert_string_equal(pt_printable("back\\slash", out, sizeof(out)), "back\\\\slash");
}

/* Issue 22: U+202E (right-to-left override) in a USB product string
 * reached the terminal raw in list and show; so did the other invisible
 * format characters and the line separator. */
static void bidi_and_format_characters_are_shown_as_escapes(void **state)
{
	char out[128];

	(void)state;
	assert_string_equal(pt_printable("USB \xe2\x80\xae" "exe.txt", out, sizeof(out)),
			    "USB \\u202eexe.txt");
	assert_string_equal(pt_printable("a\xe2\x81\xa6" "b\xe2\x81\xa9" "c", out, sizeof(out)),
			    "a\\u2066b\\u2069c"); /* isolates */
	assert_string_equal(pt_printable("zero\xe2\x80\x8bwidth\xef\xbb\xbf", out, sizeof(out)),
			    "zero\\u200bwidth\\ufeff");
	assert_string_equal(pt_printable("line\xe2\x80\xa8" "fake", out, sizeof(out)),
			    "line\\u2028fake");
	assert_string_equal(pt_printable("tag\xf3\xa0\x80\x81", out, sizeof(out)),
			    "tag\\U000e0001");
	/* letters of every script stay */
	assert_string_equal(pt_printable("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe6\x97\xa5", out, sizeof(out)),
			    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe6\x97\xa5");
}

static void cuts_are_marked(void **state)
{
	char out[8], buf[12] = "";

	(void)state;
	assert_string_equal(pt_printable("abcdefghij", out, sizeof(out)), "abcd...");
	assert_string_equal(pt_printable("abcdefg", out, sizeof(out)), "abcdefg");
	assert_string_equal(pt_printable("\x1b\x1b", out, sizeof(out)), "\\x1b...");
	pt_append(buf, sizeof(buf), "%s", "one");
	pt_append(buf, sizeof(buf), ", %s", "two");
	assert_string_equal(buf, "one, two");
	pt_append(buf, sizeof(buf), ", %s", "three");
	assert_string_equal(buf, "one, two...");
	pt_append(buf, sizeof(buf), ", %s", "four");
	assert_string_equal(buf, "one, two...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(device_strings_are_made_printable),
		cmocka_unit_test(cuts_are_marked),
		cmocka_unit_test(bidi_and_format_characters_are_shown_as_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
