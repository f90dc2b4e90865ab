/* systemd-boot entries written by hand: our tokens on the last options
 * line and only there; taking them out gives the entry back byte for
 * byte; an entry without options, or with an odd quote, is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "blsentry.h"

#include <stdlib.h>
#include <string.h>

static struct pt_tokens toks(const char *s)
{
	struct pt_tokens t = { 0 };

	assert_int_equal(pt_tokens_split(s, ' ', &t), 0);
	return t;
}

/* The Arch wiki's entry, tabs and all */
static const char arch_conf[] = "title   Arch Linux\n"
				"linux   /vmlinuz-linux\n"
				"initrd  /intel-ucode.img\n"
				"initrd  /initramfs-linux.img\n"
				"options\troot=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw\n";

static void adds_to_the_last_options_line_and_back(void **state)
{
	struct pt_tokens ours = toks("intel_iommu=on iommu=pt"), none = { 0 }, got;
	struct pt_shell_error err = { 0 };
	char *e, *back;

	(void)state;
	assert_true(pt_bls_is_linux(arch_conf));
	e = pt_bls_edit_options(arch_conf, &none, &ours, &err);
	assert_non_null(strstr(e, "options\troot=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw "
				  "intel_iommu=on iommu=pt\n"));
	assert_int_equal(pt_bls_options(e, &got), 0);
	assert_int_equal(got.n, 4);
	pt_tokens_free(&got);
	back = pt_bls_edit_options(e, &ours, &none, &err);
	assert_string_equal(back, arch_conf);
	free(back);
	free(e);
	/* two options lines: systemd-boot joins them; ours go on the last,
	 * and come out of whichever holds them */
	const char *two = "linux /vmlinuz\noptions root=/dev/sda2\noptions quiet intel_iommu=on";
	struct pt_tokens one = toks("intel_iommu=on");

	e = pt_bls_edit_options(two, &none, &ours, &err);
	assert_string_equal(e, "linux /vmlinuz\noptions root=/dev/sda2\noptions quiet intel_iommu=on iommu=pt");
	back = pt_bls_edit_options(e, &one, &none, &err);
	assert_string_equal(back, "linux /vmlinuz\noptions root=/dev/sda2\noptions quiet iommu=pt");
	free(back);
	free(e);
	pt_tokens_free(&one);
	pt_tokens_free(&ours);
}

static void refuses_what_it_cannot_edit(void **state)
{
	struct pt_tokens ours = toks("iommu=pt"), none = { 0 };
	struct pt_shell_error err = { 0 };

	(void)state;
	assert_null(pt_bls_edit_options("title x\nlinux /vmlinuz\n", &none, &ours, &err));
	assert_non_null(strstr(err.what, "no options line"));
	memset(&err, 0, sizeof(err));
	assert_null(pt_bls_edit_options("linux /v\noptions a=\"b c\n", &none, &ours, &err));
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.what, "unterminated double quote"));
	/* not an options line: "optionsfoo", or a key in a value */
	assert_false(pt_bls_is_linux("title linux\nefi /shell.efi\n"));
	struct pt_tokens got;

	assert_int_equal(pt_bls_options("optionsx a\ntitle options b\n", &got), 0);
	assert_int_equal(got.n, 0);
	pt_tokens_free(&ours);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adds_to_the_last_options_line_and_back),
		cmocka_unit_test(refuses_what_it_cannot_edit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
