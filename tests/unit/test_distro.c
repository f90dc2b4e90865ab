/* The text edits apply makes in the admin's files: only our tokens change,
 * the rest of the file and of the value stays byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "distro.h"

#include <stdlib.h>
#include <string.h>

static struct pt_tokens toks(const char *s)
{
	struct pt_tokens t;

	assert_int_equal(pt_tokens_split(s, ' ', &t), 0);
	return t;
}

static void expect_edit(const char *text, const char *var, char sep, const char *old,
			const char *add, const char *expected)
{
	struct pt_tokens o = toks(old), a = toks(add);
	char *got = pt_edit_assignment(text, var, sep, &o, &a);

	assert_non_null(got);
	assert_string_equal(got, expected);
	free(got);
	pt_tokens_free(&o);
	pt_tokens_free(&a);
}

static void adds_to_a_quoted_value_keeping_the_admins(void **state)
{
	(void)state;
	expect_edit("# comment\ndefault_kernel_opts=\"quiet rootfstype=ext4\"\nroot=UUID=1\n",
		    "default_kernel_opts", ' ', "", "intel_iommu=on iommu=pt",
		    "# comment\ndefault_kernel_opts=\"quiet rootfstype=ext4 intel_iommu=on "
		    "iommu=pt\"\nroot=UUID=1\n");
}

static void replaces_only_our_previous_tokens(void **state)
{
	(void)state;
	/* iommu=pt was the admin's own too: it stays when we still want it */
	expect_edit("opts=\"quiet intel_iommu=on iommu=pt\"\n", "opts", ' ',
		    "intel_iommu=on iommu=pt", "iommu=pt",
		    "opts=\"quiet iommu=pt\"\n");
	/* undo: all ours go, the admin's stay */
	expect_edit("opts=\"quiet intel_iommu=on splash\"\n", "opts", ' ', "intel_iommu=on",
		    "", "opts=\"quiet splash\"\n");
}

static void second_edit_is_a_no_op(void **state)
{
	(void)state;
	expect_edit("opts=\"quiet intel_iommu=on\"\n", "opts", ' ', "intel_iommu=on",
		    "intel_iommu=on", "opts=\"quiet intel_iommu=on\"\n");
}

static void comma_lists_unquoted(void **state)
{
	(void)state;
	expect_edit("modules=sd-mod,usb-storage,ext4\n", "modules", ',', "",
		    "vfio_iommu_type1 vfio-pci",
		    "modules=sd-mod,usb-storage,ext4,vfio_iommu_type1,vfio-pci\n");
	expect_edit("modules=sd-mod,usb-storage,ext4,vfio-pci\n", "modules", ',',
		    "vfio-pci", "", "modules=sd-mod,usb-storage,ext4\n");
}

static void missing_assignment_is_appended_or_left_alone(void **state)
{
	(void)state;
	expect_edit("root=UUID=1", "default_kernel_opts", ' ', "", "iommu=pt",
		    "root=UUID=1\ndefault_kernel_opts=\"iommu=pt\"\n");
	expect_edit("root=UUID=1\n", "default_kernel_opts", ' ', "iommu=pt", "",
		    "root=UUID=1\n");
}

static void finds_the_variable_exactly(void **state)
{
	(void)state;
	/* default_kernel_opts_extra must not be taken for default_kernel_opts */
	expect_edit("default_kernel_opts_extra=\"a\"\n  default_kernel_opts='b'\n",
		    "default_kernel_opts", ' ', "", "c",
		    "default_kernel_opts_extra=\"a\"\n  default_kernel_opts='b c'\n");
}

static void init_line_dropped_when_empty(void **state)
{
	struct pt_tokens ours = toks("/usr/share/passthrough/mkinitfs-init"), none = { 0 };
	char *got = pt_edit_assignment_or_drop(
		"features=\"base\"\ninit=\"/usr/share/passthrough/mkinitfs-init\"\nx=1\n",
		"init", ' ', &ours, &none);

	(void)state;
	assert_string_equal(got, "features=\"base\"\nx=1\n");
	free(got);
	pt_tokens_free(&ours);
}

static void os_release_families(void **state)
{
	(void)state;
	assert_int_equal(pt_distro_from_os_release("NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n"),
			 PT_DISTRO_DEBIAN);
	assert_int_equal(pt_distro_from_os_release("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n"),
			 PT_DISTRO_FEDORA);
	assert_int_equal(pt_distro_from_os_release("ID=alpine\n"), PT_DISTRO_ALPINE);
	assert_int_equal(pt_distro_from_os_release("ID=arch\n"), PT_DISTRO_UNKNOWN);
	assert_int_equal(pt_distro_from_os_release(""), PT_DISTRO_UNKNOWN);
}

static void applied_state_round_trip(void **state)
{
	struct pt_applied a = { 0 }, b;
	char *text;

	(void)state;
	pt_tokens_add(&a.cmdline, "intel_iommu=on");
	pt_tokens_add(&a.cmdline, "iommu=pt");
	pt_tokens_add(&a.modules, "vfio-pci");
	text = pt_applied_render(&a);
	assert_int_equal(pt_applied_parse(text, &b), 0);
	assert_int_equal(b.cmdline.n, 2);
	assert_string_equal(b.cmdline.v[1], "iommu=pt");
	assert_int_equal(b.modules.n, 1);
	free(text);
	pt_applied_free(&a);
	pt_applied_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adds_to_a_quoted_value_keeping_the_admins),
		cmocka_unit_test(replaces_only_our_previous_tokens),
		cmocka_unit_test(second_edit_is_a_no_op),
		cmocka_unit_test(comma_lists_unquoted),
		cmocka_unit_test(missing_assignment_is_appended_or_left_alone),
		cmocka_unit_test(finds_the_variable_exactly),
		cmocka_unit_test(init_line_dropped_when_empty),
		cmocka_unit_test(os_release_families),
		cmocka_unit_test(applied_state_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
