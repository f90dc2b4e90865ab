/* kernelstub's configuration: user.kernel_options read from the JSON the
 * Pop!_OS installer writes (one-line lists) and the one kernelstub saves
 * (json.dump, indent=2), edited in place: adding then removing our
 * options gives the file back byte for byte, and nothing else changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernelstub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What distinst writes */
static const char installer[] =
	"{\n"
	"  \"default\": {\n"
	"    \"kernel_options\": [\"quiet\", \"splash\"],\n"
	"    \"esp_path\": \"/boot/efi\",\n"
	"    \"config_rev\": 3\n"
	"  },\n"
	"  \"user\": {\n"
	"    \"kernel_options\": [\"quiet\", \"loglevel=0\", \"systemd.show_status=false\", \"splash\"],\n"
	"    \"esp_path\": \"/boot/efi\",\n"
	"    \"setup_loader\": true,\n"
	"    \"live_mode\": false,\n"
	"    \"config_rev\": 3\n"
	"  }\n"
	"}\n";

/* What kernelstub's save_config writes: json.dump(indent=2), no newline */
static const char saved[] =
	"{\n"
	"  \"default\": {\n"
	"    \"kernel_options\": [\n"
	"      \"quiet\",\n"
	"      \"splash\"\n"
	"    ],\n"
	"    \"config_rev\": 3\n"
	"  },\n"
	"  \"user\": {\n"
	"    \"kernel_options\": [\n"
	"      \"quiet\",\n"
	"      \"splash\"\n"
	"    ],\n"
	"    \"esp_path\": \"/boot/efi\",\n"
	"    \"config_rev\": 3\n"
	"  }\n"
	"}";

static struct pt_tokens toks(const char *s)
{
	struct pt_tokens t = { 0 };

	assert_int_equal(pt_tokens_split(s, ' ', &t), 0);
	return t;
}

/* add ADD to TEXT, check the options, take them out again: TEXT back */
static char *round_trip(const char *text, const char *add, const char *expect_options)
{
	struct pt_tokens none = { 0 }, a = toks(add), got;
	struct pt_shell_error err = { 0 };
	char *edited = pt_kernelstub_edit(text, &none, &a, &err), *back, *opts;

	assert_non_null(edited);
	assert_int_equal(pt_kernelstub_options(edited, &got, &err), 0);
	assert_non_null(opts = calloc(1, 4096));
	for (size_t i = 0; i < got.n; i++)
		strcat(strcat(opts, i ? " " : ""), got.v[i]);
	assert_string_equal(opts, expect_options);
	/* again: nothing to add */
	back = pt_kernelstub_edit(edited, &none, &a, &err);
	assert_string_equal(back, edited);
	free(back);
	back = pt_kernelstub_edit(edited, &a, &none, &err);
	assert_non_null(back);
	assert_string_equal(back, text);
	free(back);
	free(opts);
	pt_tokens_free(&a);
	pt_tokens_free(&got);
	return edited;
}

static void one_line_list(void **state)
{
	char *e;

	(void)state;
	e = round_trip(installer, "intel_iommu=on iommu=pt",
		       "quiet loglevel=0 systemd.show_status=false splash intel_iommu=on iommu=pt");
	assert_non_null(strstr(e, "[\"quiet\", \"loglevel=0\", \"systemd.show_status=false\", "
				  "\"splash\", \"intel_iommu=on\", \"iommu=pt\"],"));
	/* the default section is kernelstub's own: untouched */
	assert_non_null(strstr(e, "\"kernel_options\": [\"quiet\", \"splash\"],\n    \"esp_path\""));
	free(e);
}

static void indented_list(void **state)
{
	char *e;

	(void)state;
	e = round_trip(saved, "intel_iommu=on", "quiet splash intel_iommu=on");
	assert_non_null(strstr(e, "      \"splash\",\n      \"intel_iommu=on\"\n    ],\n    \"esp_path\""));
	free(e);
}

static void empty_list_and_string_form(void **state)
{
	char *e;

	(void)state;
	e = round_trip("{\"user\": {\"kernel_options\": []}}", "iommu=pt", "iommu=pt");
	assert_string_equal(e, "{\"user\": {\"kernel_options\": [\"iommu=pt\"]}}");
	free(e);
	e = round_trip("{\"user\": {\"kernel_options\": [\"quiet\"]}}", "a b", "quiet a b");
	assert_string_equal(e, "{\"user\": {\"kernel_options\": [\"quiet\", \"a\", \"b\"]}}");
	free(e);
	/* before config_rev 3: one string */
	e = round_trip("{\"user\": {\"kernel_options\": \"quiet splash\", \"config_rev\": 2}}",
		       "iommu=pt", "quiet splash iommu=pt");
	assert_string_equal(e, "{\"user\": {\"kernel_options\": \"quiet splash iommu=pt\", "
			       "\"config_rev\": 2}}");
	free(e);
}

/* Only our options go; the admin's stay, wherever they are */
static void removes_only_ours(void **state)
{
	const char *text = "{\"user\": {\"kernel_options\": [\"iommu=pt\", \"quiet\", \"x=1\"]}}";
	struct pt_tokens ours = toks("iommu=pt x=1"), keep = toks("x=1"), got;
	struct pt_shell_error err = { 0 };
	char *e = pt_kernelstub_edit(text, &ours, &keep, &err);

	(void)state;
	assert_string_equal(e, "{\"user\": {\"kernel_options\": [\"quiet\", \"x=1\"]}}");
	assert_int_equal(pt_kernelstub_options(e, &got, &err), 0);
	assert_int_equal(got.n, 2);
	free(e);
	pt_tokens_free(&ours);
	pt_tokens_free(&keep);
	pt_tokens_free(&got);
}

static void refuses_what_it_cannot_edit(void **state)
{
	static const struct {
		const char *text;
		size_t line;
		const char *what;
	} cases[] = {
		{ "{\"default\": {}}", 1, "no \"user\" object" },
		{ "{\"user\": {\"esp_path\": \"/boot/efi\"}}", 1, "no \"kernel_options\"" },
		{ "{\"user\": {\"kernel_options\": [\"a\\\"b\"]}}", 1, "escaped character" },
		{ "{\"user\": {\"kernel_options\": [\"a b\"]}}", 1, "blank" },
		{ "{\"user\": {\"kernel_options\": 3}}", 1, "neither a list nor a string" },
		{ "{\"user\": {\"kernel_options\": [\"a\", 3]}}", 1, "a string was expected" },
		{ "{\n\"user\": {\n\"kernel_options\": [\"a\"]\n}\n", 5, "',' or '}' was expected" },
		{ "{\"user\": {\"kernel_options\": [\"a\"]}} x", 1, "text after" },
		{ "{\"user\": {\"kernel_options\": [\"a\n\"]}}", 1, "not closed on its line" },
		{ "", 1, "an object was expected" },
	};
	struct pt_tokens t, none = { 0 };
	struct pt_shell_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(pt_kernelstub_options(cases[i].text, &t, &err), -EINVAL);
		if (!strstr(err.what, cases[i].what) || err.line != cases[i].line)
			fail_msg("case %zu: line %zu, '%s'", i, err.line, err.what);
		assert_null(pt_kernelstub_edit(cases[i].text, &none, &none, &err));
	}
}

/* A deep or long file is scanned within limits, never overflowing */
static void deep_and_long(void **state)
{
	char *deep = malloc(20000), *e;
	struct pt_tokens t;
	struct pt_shell_error err = { 0 };
	size_t n = 0;

	(void)state;
	n += (size_t)sprintf(deep, "{\"x\": ");
	for (int i = 0; i < 5000; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(pt_kernelstub_options(deep, &t, &err), -EINVAL);
	assert_non_null(strstr(err.what, "nested too deep"));
	free(deep);
	e = round_trip("{\"user\":{\"kernel_options\":[\"a\",\"b\",\"c\"],\"z\":[1,2.5e3,true,null,{}]}}",
		       "d", "a b c d");
	assert_string_equal(e, "{\"user\":{\"kernel_options\":[\"a\",\"b\",\"c\",\"d\"],"
			       "\"z\":[1,2.5e3,true,null,{}]}}");
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_line_list),
		cmocka_unit_test(indented_list),
		cmocka_unit_test(empty_list_and_string_form),
		cmocka_unit_test(removes_only_ours),
		cmocka_unit_test(refuses_what_it_cannot_edit),
		cmocka_unit_test(deep_and_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
