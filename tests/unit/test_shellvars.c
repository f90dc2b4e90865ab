/* The text edits apply makes in the admin's files: only our tokens change,
 * the rest of the file and of the value stays byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bootpath.h"
#include "presets.h"
#include "applied.h"
#include "distro.h"
#include "shellvars.h"

#include <errno.h>
#include <stdio.h>
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
		    "root=UUID=1\ndefault_kernel_opts=\"iommu=pt\" # added by passthrough apply");
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

/* apply then undo: the admin's file comes back byte for byte */
static void expect_round_trip(const char *text, const char *var, char sep, const char *ours,
			      const char *applied)
{
	struct pt_tokens o = toks(ours), none = { 0 };
	char *added = pt_edit_assignment(text, var, sep, &none, &o), *removed;

	assert_non_null(added);
	assert_string_equal(added, applied);
	removed = pt_edit_assignment(added, var, sep, &o, &none);
	assert_non_null(removed);
	assert_string_equal(removed, text);
	free(added);
	free(removed);
	pt_tokens_free(&o);
}

static void undo_gives_the_file_back_byte_for_byte(void **state)
{
	(void)state;
	/* unquoted stays unquoted: our blank is escaped, not the value requoted */
	expect_round_trip("default_kernel_opts=quiet\n", "default_kernel_opts", ' ',
			  "intel_iommu=on iommu=pt",
			  "default_kernel_opts=quiet\\ intel_iommu=on\\ iommu=pt\n");
	expect_round_trip("opts=\"quiet\"\n", "opts", ' ', "iommu=pt",
			  "opts=\"quiet iommu=pt\"\n");
	expect_round_trip("opts='quiet' # mine\n", "opts", ' ', "iommu=pt",
			  "opts='quiet iommu=pt' # mine\n");
	expect_round_trip("opts=\"quiet \"\n", "opts", ' ', "iommu=pt",
			  "opts=\"quiet  iommu=pt\"\n");
	expect_round_trip("opts=\"\"\n", "opts", ' ', "iommu=pt", "opts=\"iommu=pt\"\n");
	/* an empty init= stays, empty */
	expect_round_trip("features=\"base\"\ninit=\nx=1\n", "init", ' ',
			  "/usr/share/passthrough/mkinitfs-init",
			  "features=\"base\"\ninit=/usr/share/passthrough/mkinitfs-init\nx=1\n");
	expect_round_trip("modules=\"sd-mod, ext4\"\n", "modules", ',', "vfio-pci",
			  "modules=\"sd-mod, ext4,vfio-pci\"\n");
	/* a line apply added goes with its last token */
	expect_round_trip("features=\"base\"\n", "init", ' ', "/usr/share/passthrough/mkinitfs-init",
			  "features=\"base\"\ninit=\"/usr/share/passthrough/mkinitfs-init\" "
			  "# added by passthrough apply\n");
	expect_round_trip("features=\"base\"", "init", ' ', "/usr/share/passthrough/mkinitfs-init",
			  "features=\"base\"\ninit=\"/usr/share/passthrough/mkinitfs-init\" "
			  "# added by passthrough apply");
	expect_round_trip("", "init", ' ', "/init",
			  "init=\"/init\" # added by passthrough apply\n");
}

static void reads_values_the_way_sh_does(void **state)
{
	struct pt_tokens t;

	(void)state;
	/* an escaped quote does not end the value; the kernel's own quotes
	 * keep acpi_osi="Windows 2015" one token */
	expect_round_trip("default_kernel_opts=\"quiet acpi_osi=\\\"Windows 2015\\\"\"\nroot=x\n",
			  "default_kernel_opts", ' ', "iommu=pt",
			  "default_kernel_opts=\"quiet acpi_osi=\\\"Windows 2015\\\" iommu=pt\"\n"
			  "root=x\n");
	assert_int_equal(pt_assignment_tokens("o=\"quiet acpi_osi=\\\"Windows 2015\\\"\"\n", "o",
					      ' ', &t), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[1], "acpi_osi=\"Windows 2015\"");
	pt_tokens_free(&t);
	/* removing one of ours in the middle, among quoted parts */
	expect_edit("o='a b'\" intel_iommu=on\"\\ c\n", "o", ' ', "intel_iommu=on", "",
		    "o='a b'\"\"\\ c\n");
	/* sh keeps the last assignment */
	expect_edit("o=\"a\"\no=\"b\"\n", "o", ' ', "", "c", "o=\"a\"\no=\"b c\"\n");
}

static void long_tokens_are_not_cut(void **state)
{
	char big[2000], text[2100];
	struct pt_tokens t;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "a=", 2);
	snprintf(text, sizeof(text), "quiet %s", big);
	assert_int_equal(pt_tokens_split(text, ' ', &t), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[1], big);
	pt_tokens_free(&t);
}

static void expect_refused(const char *text, size_t line, const char *what)
{
	struct pt_shell_error err;

	assert_int_equal(pt_assignment_check(text, "o", &err), -22);
	assert_int_equal(err.line, line);
	assert_non_null(strstr(err.what, what));
	assert_null(pt_edit_assignment(text, "o", ' ', &(struct pt_tokens){ 0 },
				       &(struct pt_tokens){ 0 }));
}

static void refuses_what_it_cannot_edit_naming_the_line(void **state)
{
	struct pt_shell_error err;

	(void)state;
	expect_refused("# c\no=\"quiet\n", 2, "unterminated double quote");
	expect_refused("o='quiet\n", 1, "unterminated single quote");
	expect_refused("x=1\n\no=\"$EXTRA quiet\"\n", 3, "expansion");
	expect_refused("o=quiet reboot\n", 1, "more than a comment");
	expect_refused("o=\"quiet a=\\\"b\"\n", 1, "unpaired");
	expect_refused("o=quiet\\", 1, "lone backslash");
	assert_int_equal(pt_assignment_check("o=\"a\nb\" # two lines\nx=1\n", "o", &err), 0);
	assert_int_equal(pt_assignment_check("x=1\n", "o", &err), 0);
}

/* Issue 24: an `export`ed assignment was not seen, so apply appended its
 * own line, which replaced the admin's value (cryptroot= gone, mkinitfs
 * without ext4); one inside a block or behind a condition is refused. */
static void every_form_sh_assigns_is_found_or_refused(void **state)
{
	struct pt_shell_error err;
	struct pt_tokens t;

	(void)state;
	expect_edit("export default_kernel_opts=\"quiet cryptroot=UUID=1\"\n", "default_kernel_opts", ' ',
		    "", "intel_iommu=on",
		    "export default_kernel_opts=\"quiet cryptroot=UUID=1 intel_iommu=on\"\n");
	expect_edit("set -a\n\treadonly features=\"ata base ext4\"\n", "features", ' ', "",
		    "passthrough", "set -a\n\treadonly features=\"ata base ext4 passthrough\"\n");
	assert_int_equal(pt_assignment_tokens("x=1\nexport features=\"a b\"\n", "features", ' ', &t), 0);
	assert_int_equal(t.n, 2);
	pt_tokens_free(&t);
	expect_refused("if [ -e /etc/x ]; then\n\to=\"a b\"\nfi\n", 2, "inside an if");
	expect_refused("case $x in\ny) o=a ;;\nesac\n", 2, "inside an if, case");
	expect_refused("[ -e /etc/x ] && o=\"a\"\n", 1, "after another command");
	expect_refused("if true; then o=a; fi\n", 1, "after another command");
	/* a block closed on its own line, a comment, a one-line if: not nested */
	assert_int_equal(pt_assignment_check("if true; then x=1; fi\nfeatures=a\n", "features", &err), 0);
	assert_int_equal(pt_assignment_check("# old; features=b\nfeatures=a # x; features=c\n",
					     "features", &err), 0);
	assert_int_equal(pt_assignment_check("while false; do\n\tx=1\ndone\nfeatures=a\n",
					     "features", &err), 0);
}

static void only_what_apply_added_is_ours(void **state)
{
	struct pt_tokens want = toks("intel_iommu=on iommu=pt x=1"),
			 present = toks("quiet intel_iommu=on iommu=pt"),
			 before = toks("iommu=pt"), ours;

	(void)state;
	/* intel_iommu=on was the admin's; iommu=pt ours from before */
	assert_int_equal(pt_tokens_ours(&want, &present, &before, &ours), 0);
	assert_int_equal(ours.n, 2);
	assert_string_equal(ours.v[0], "iommu=pt");
	assert_string_equal(ours.v[1], "x=1");
	pt_tokens_free(&ours);
	pt_tokens_free(&want);
	pt_tokens_free(&present);
	pt_tokens_free(&before);
}

static void os_release_families(void **state)
{
	(void)state;
	assert_int_equal(pt_distro_from_os_release("NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n"),
			 PT_DISTRO_DEBIAN);
	assert_int_equal(pt_distro_from_os_release("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n"),
			 PT_DISTRO_FEDORA);
	assert_int_equal(pt_distro_from_os_release("ID=alpine\n"), PT_DISTRO_ALPINE);
	assert_int_equal(pt_distro_from_os_release("ID=arch\n"), PT_DISTRO_ARCH);
	assert_int_equal(pt_distro_from_os_release("NAME=\"Manjaro Linux\"\nID=manjaro\nID_LIKE=arch\n"),
			 PT_DISTRO_ARCH);
	assert_int_equal(pt_distro_from_os_release("ID=gentoo\n"), PT_DISTRO_UNKNOWN);
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

static void expect_cmdline_edit(const char *text, const char *old, const char *add,
				const char *expected)
{
	struct pt_tokens o = toks(old), a = toks(add), had = toks(text), none = { 0 }, ours = { 0 };
	char *got = pt_edit_cmdline_file(text, &o, &a), *back;

	assert_non_null(got);
	assert_string_equal(got, expected);
	/* removing what was added (not what the text had) gives it back */
	for (size_t i = 0; i < a.n; i++)
		if (!pt_tokens_contain(&had, a.v[i]))
			assert_int_equal(pt_tokens_add(&ours, a.v[i]), 0);
	back = pt_edit_cmdline_file(got, &ours, &none);
	if (!o.n)
		assert_string_equal(back, text);
	free(back);
	pt_tokens_free(&had);
	pt_tokens_free(&ours);
	free(got);
	pt_tokens_free(&o);
	pt_tokens_free(&a);
}

static void kernel_cmdline_file_edits(void **state)
{
	struct pt_shell_error err;

	(void)state;
	expect_cmdline_edit("root=/dev/vda ro quiet\n", "", "intel_iommu=on iommu=pt",
			    "root=/dev/vda ro quiet intel_iommu=on iommu=pt\n");
	/* several lines, blanks kept; the tokens go at the end of the last */
	expect_cmdline_edit("root=UUID=x ro\n  quiet\n\n", "", "iommu=pt",
			    "root=UUID=x ro\n  quiet iommu=pt\n\n");
	/* the kernel's quotes: a blank inside is not a separator */
	expect_cmdline_edit("acpi_osi=\"Windows 2015\" iommu=pt", "", "iommu=pt intel_iommu=on",
			    "acpi_osi=\"Windows 2015\" iommu=pt intel_iommu=on");
	/* ours replaced, the admin's left where they are */
	expect_cmdline_edit("ro intel_iommu=on iommu=pt quiet\n", "intel_iommu=on iommu=pt",
			    "intel_iommu=on", "ro intel_iommu=on quiet\n");
	expect_cmdline_edit("iommu=pt ro\n", "iommu=pt", "", "ro\n");
	expect_cmdline_edit("", "", "iommu=pt", "iommu=pt");
	assert_int_equal(pt_cmdline_file_check("ro\nquiet x=\"a b\"\n", &err), 0);
	assert_int_equal(pt_cmdline_file_check("ro\nquiet x=\"a b\n", &err), -EINVAL);
	assert_int_equal(err.line, 2);
}

/* Arch: UKIs first (their command line is sealed in by mkinitcpio), then
 * GRUB with a grub.cfg, then systemd-boot: its entries, or kernel-install
 * with /etc/kernel/cmdline; nothing known: -ENOENT naming what was
 * looked for. */
static void arch_boot_paths(void **state)
{
	struct pt_boot_facts f = { .mkinitcpio = true };
	struct pt_boot_path b;

	(void)state;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_ARCH, &f, &b), -ENOENT);
	assert_non_null(strstr(b.why, "looked for unified kernel images"));
	snprintf(f.systemd_boot, sizeof(f.systemd_boot), "efi");
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_ARCH, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_BLS_ENTRIES);
	f.kernel_cmdline = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_ARCH, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_KERNEL_INSTALL);
	f.kernel_cmdline = false;
	f.grub_default = true; /* Arch's grub package installs it even unused */
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_ARCH, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_BLS_ENTRIES);
	f.grub_cfg = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_ARCH, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_GRUB_DEFAULT);
	f.mkinitcpio_uki = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_ARCH, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_UKI_CMDLINE_D);
}

/* Presets are bash: settings found by name suffix, commented ones not,
 * quoted or not; HOOKS found as a word, not inside another or a comment. */
static void mkinitcpio_presets_and_hooks(void **state)
{
	const char *preset = "# mkinitcpio preset file for the 'linux' package\n"
			     "#ALL_config=\"/etc/mkinitcpio.conf\"\n"
			     "ALL_kver=\"/boot/vmlinuz-linux\"\n"
			     "PRESETS=('default' 'fallback')\n"
			     "  default_config='/etc/vfio.conf' # ours\n"
			     "default_uki=\"/efi/EFI/Linux/arch-linux.efi\"\n"
			     "fallback_config=\n";
	const char *pos = preset;
	struct pt_preset_setting s;
	size_t line = 0;

	(void)state;
	assert_true(pt_preset_next(&pos, &line, "_config", &s));
	assert_string_equal(s.name, "default_config");
	assert_string_equal(s.value, "/etc/vfio.conf");
	assert_int_equal(s.line, 5);
	assert_true(pt_preset_next(&pos, &line, "_config", &s));
	assert_string_equal(s.name, "fallback_config");
	assert_string_equal(s.value, "");
	assert_int_equal(s.line, 7);
	assert_false(pt_preset_next(&pos, &line, "_config", &s));
	pos = preset;
	line = 0;
	assert_true(pt_preset_next(&pos, &line, "_uki", &s));
	assert_string_equal(s.value, "/efi/EFI/Linux/arch-linux.efi");
	/* "_config" alone is no setting name */
	pos = "_config=x\n";
	line = 0;
	assert_false(pt_preset_next(&pos, &line, "_config", &s));

	assert_true(pt_mkinitcpio_config_has_hook("HOOKS=(base udev passthrough block)\n", "passthrough"));
	assert_true(pt_mkinitcpio_config_has_hook("MODULES=()\n  HOOKS+=(passthrough)\n", "passthrough"));
	assert_false(pt_mkinitcpio_config_has_hook("#HOOKS=(base passthrough)\n", "passthrough"));
	assert_false(pt_mkinitcpio_config_has_hook("HOOKS=(base udev) # passthrough\n", "passthrough"));
	assert_false(pt_mkinitcpio_config_has_hook("HOOKS=(base sd-passthrough)\n", "passthrough"));
	assert_false(pt_mkinitcpio_config_has_hook("HOOKS=(base passthrough2)\n", "passthrough"));
	assert_false(pt_mkinitcpio_config_has_hook("MYHOOKS=(passthrough)\n", "passthrough"));
}

static void boot_path_from_what_is_installed(void **state)
{
	struct pt_boot_facts f = { 0 };
	struct pt_boot_path b;

	(void)state;
	f.update_grub = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_DEBIAN, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_GRUB);
	f.grubby = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_FEDORA, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_GRUBBY);
	/* systemd-boot with GRUB but no grub.cfg: systemd-boot */
	snprintf(f.systemd_boot, sizeof(f.systemd_boot), "boot/efi");
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_DEBIAN, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_KERNEL_INSTALL);
	/* both configured: the one that started this boot, else GRUB */
	f.grub_cfg = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_DEBIAN, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_GRUB);
	f.loader_info = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_DEBIAN, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_KERNEL_INSTALL);
	/* Alpine: extlinux, or GRUB's /etc/default/grub when installed for
	 * UEFI (no update-extlinux.conf) */
	{
		struct pt_boot_facts alpine = { .grub_default = true };

		assert_int_equal(pt_boot_path_decide(PT_DISTRO_ALPINE, &alpine, &b), 0);
		assert_int_equal(b.loader, PT_LOADER_GRUB_DEFAULT);
		alpine.extlinux_conf = true;
		assert_int_equal(pt_boot_path_decide(PT_DISTRO_ALPINE, &alpine, &b), 0);
		assert_int_equal(b.loader, PT_LOADER_EXTLINUX);
	}
	/* Proxmox (driven) and Pop!_OS (refused) before the rest; Arch and
	 * nothing: refused */
	f.proxmox_uuids = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_DEBIAN, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_PROXMOX);
	f.kernelstub = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_DEBIAN, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_KERNELSTUB);
	memset(&f, 0, sizeof(f));
	f.mkinitcpio = true;
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_UNKNOWN, &f, &b), -ENOENT);
	assert_non_null(strstr(b.why, "give --distro"));
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_DEBIAN, &f, &b), -ENOENT);
	assert_non_null(strstr(b.why, "looked for update-grub, systemd-boot"));
	assert_int_equal(pt_boot_path_decide(PT_DISTRO_ALPINE, &f, &b), 0);
	assert_int_equal(b.loader, PT_LOADER_EXTLINUX);
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
		cmocka_unit_test(undo_gives_the_file_back_byte_for_byte),
		cmocka_unit_test(reads_values_the_way_sh_does),
		cmocka_unit_test(long_tokens_are_not_cut),
		cmocka_unit_test(refuses_what_it_cannot_edit_naming_the_line),
		cmocka_unit_test(every_form_sh_assigns_is_found_or_refused),
		cmocka_unit_test(only_what_apply_added_is_ours),
		cmocka_unit_test(os_release_families),
		cmocka_unit_test(arch_boot_paths),
		cmocka_unit_test(mkinitcpio_presets_and_hooks),
		cmocka_unit_test(applied_state_round_trip),
		cmocka_unit_test(kernel_cmdline_file_edits),
		cmocka_unit_test(boot_path_from_what_is_installed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
