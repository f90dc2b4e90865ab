/* generate's initramfs config must always be a config the binder reads,
 * meaning the same: issue 10 found a valid 191-character admin line that
 * came out as one 308-character line, over the binder's line limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "generate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse(const char *text, struct pt_config *cfg)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(pt_config_parse_stream(f, "t.conf", cfg), 0);
	fclose(f);
}

static void round_trip_with_long_lists(void **state)
{
	struct pt_device dev = { .bdf = "0000:01:00.0", .vendor = 0x8086, .device = 0x10d3,
				 .class = 0x020000, .iommu_group = 7 };
	struct pt_devices devs = { &dev, 1 };
	struct pt_config cfg, again;
	char *text, *conf = NULL, *out;
	size_t len = 0;
	FILE *f = open_memstream(&conf, &len);

	(void)state;
	assert_int_equal(pt_pci_addr_parse(dev.bdf, &dev.addr), 0);
	/* Many short values, each admin line well within the limit. */
	fputs("[device.many]\n", f);
	for (int i = 0; i < 60; i++)
		fprintf(f, "address = 01:%02x.%d 02:%02x.%d\n", i % 32, i % 8, i % 32, i % 8);
	for (int i = 0; i < 60; i++)
		fprintf(f, "ids = 10de:%04x 8086:%04x:1458:%04x\n", i, i, i);
	fputs("class = 0x03 0x0c03 0x010601\n[device.g]\ngroup = 1 2 3 4 5 6 7 8 9 10 11 12\n", f);
	fclose(f);
	parse(conf, &cfg);
	assert_int_equal(cfg.n_errors, 0);

	text = pt_render_initramfs_conf(&cfg, &devs, NULL);
	assert_non_null(text);
	for (char *line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
		assert_true(strcspn(line, "\n") <= 197);
	parse(text, &again);
	if (again.n_errors)
		fail_msg("line %u: %s", again.errors[0].line, again.errors[0].text);
	assert_int_equal(again.n_rules, 2);
	/* The same selectors, plus the guard of the one device found. */
	assert_int_equal(again.rules[0].n_matches, cfg.rules[0].n_matches);
	assert_int_equal(again.rules[0].n_guards, 1);
	assert_int_equal(again.rules[1].n_matches, 12);
	out = pt_render_initramfs_conf(&again, &devs, NULL);
	assert_string_equal(out, text); /* a fixed point */
	free(out);
	free(text);
	free(conf);
	pt_config_free(&again);
	pt_config_free(&cfg);
}

/* Issue 11: vfio_pci.ids= was cut at 1023 bytes and softdeps at 8
 * modules a device, 32 in all. */
static void nothing_is_cut(void **state)
{
	struct pt_tokens modules = { 0 };
	struct pt_config cfg;
	char *conf = NULL, *arg, *text, name[32];
	size_t len = 0;
	FILE *f = open_memstream(&conf, &len);

	(void)state;
	fputs("[device.many]\n", f);
	for (int i = 0; i < 150; i++)
		fprintf(f, "ids = 10de:%04x\n", i);
	fclose(f);
	parse(conf, &cfg);
	arg = pt_ids_only_argument(&cfg);
	assert_non_null(arg);
	assert_int_equal(strlen(arg), strlen("vfio_pci.ids=") + 150 * 10 - 1);
	assert_non_null(strstr(arg, ",10de:0095"));
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "driver%02d", i);
		assert_int_equal(pt_tokens_add(&modules, name), 0);
	}
	text = pt_render_modprobe_conf(&cfg, &modules, false);
	assert_non_null(strstr(text, "softdep driver39 pre: vfio_pci\n"));
	free(text);
	free(arg);
	free(conf);
	pt_tokens_free(&modules);
	pt_config_free(&cfg);
}

/* Issue 13: a rule that may take the boot display keeps efifb off at boot
 * (it would hold the card's memory: tried on 5.10, 6.1 and 6.12). */
static void the_boot_display_keeps_efifb_off(void **state)
{
	struct pt_config cfg;
	struct pt_tokens args;

	(void)state;
	parse("[global]\niommu = intel\ndisable_idle_d3 = yes\n[device.gpu]\n"
	      "address = 01:00.0\nallow_boot_vga = yes\n", &cfg);
	assert_int_equal(pt_kernel_arguments(&cfg, PT_CPU_INTEL, &args), 0);
	assert_true(pt_tokens_contain(&args, "video=efifb:off"));
	assert_true(pt_tokens_contain(&args, "vfio_pci.disable_idle_d3=1"));
	pt_tokens_free(&args);
	pt_config_free(&cfg);
	parse("[device.gpu]\naddress = 03:00.0\n", &cfg);
	assert_int_equal(pt_kernel_arguments(&cfg, PT_CPU_INTEL, &args), 0);
	assert_false(pt_tokens_contain(&args, "video=efifb:off"));
	pt_tokens_free(&args);
	pt_config_free(&cfg);
}

/* The plan for one config on a machine, "BDF=verdict" words, with the
 * reason code for refusals (changed, group-changed). */
static const char *plan_of(const struct pt_config *cfg, const struct pt_devices *devs)
{
	static char out[1024];
	struct pt_plan plan;
	size_t n = 0;

	assert_int_equal(pt_select_devices(cfg, devs, NULL, &plan), 0);
	out[0] = '\0';
	for (size_t i = 0; i < plan.n; i++) {
		const struct pt_decision *d = &plan.v[i];

		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%s%s", n ? " " : "",
				      devs->v[d->device].bdf, pt_verdict_name(d->verdict),
				      d->reason == PT_REASON_GROUP_CHANGED ? ":group-changed" :
				      d->reason == PT_REASON_CHANGED ? ":changed" : "");
	}
	pt_plan_free(&plan);
	return out;
}

/* What generate writes for the initramfs, read back as the binder reads
 * it: no error, every line within the limit. */
static void generated(const char *admin, const struct pt_devices *devs, struct pt_config *boot)
{
	struct pt_config cfg;
	char *text;

	parse(admin, &cfg);
	assert_int_equal(cfg.n_errors, 0);
	text = pt_render_initramfs_conf(&cfg, devs, NULL);
	assert_non_null(text);
	for (char *line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
		if (strcspn(line, "\n") > PT_CONFIG_LINE_MAX)
			fail_msg("a generated line of %zu bytes", strcspn(line, "\n"));
	parse(text, boot);
	if (boot->n_errors)
		fail_msg("line %u: %s\n%s", boot->errors[0].line, boot->errors[0].text, text);
	free(text);
	pt_config_free(&cfg);
}

static void set_addresses(struct pt_device *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pt_pci_addr_parse(v[i].bdf, &v[i].addr), 0);
}

/* Issue 22: generate dropped sriov_vfs and vfs, and the binder bound the
 * physical function itself (booted: the NVMe went to vfio-pci, no VF). */
static void an_sriov_rule_reaches_the_binder_whole(void **state)
{
	struct pt_device v[] = {
		{ .bdf = "0000:04:00.0", .vendor = 0x1b36, .device = 0x0010, .class = 0x010802,
		  .iommu_group = 10, .driver = "nvme", .sriov_totalvfs = 2 },
	};
	struct pt_devices devs = { v, 1 };
	struct pt_config boot;

	(void)state;
	set_addresses(v, 1);
	generated("[device.nvme]\naddress = 04:00.0\nsriov_vfs = 2\nvfs = 1\n", &devs, &boot);
	assert_int_equal(boot.rules[0].sriov_vfs, 2);
	assert_false(pt_rule_takes_vf(&boot.rules[0], 0));
	assert_true(pt_rule_takes_vf(&boot.rules[0], 1));
	assert_string_equal(plan_of(&boot, &devs), "0000:04:00.0=make-vfs");
	pt_config_free(&boot);
}

/* Issue 22: guard lines held 8 values (247 bytes): a rule naming 7 or more
 * present addresses made the whole initramfs config unreadable. */
static void many_present_addresses_make_readable_guards(void **state)
{
	struct pt_device v[12];
	struct pt_devices devs = { v, 12 };
	struct pt_config boot;
	char admin[1024] = "[device.many]\n";

	(void)state;
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 12; i++) {
		snprintf(v[i].bdf, sizeof(v[i].bdf), "10000:e1:%02x.7", i);
		v[i].vendor = 0x8086;
		v[i].device = 0x10d3;
		v[i].class = 0x020000;
		v[i].iommu_group = 20 + i;
		snprintf(admin + strlen(admin), sizeof(admin) - strlen(admin), "address = %s\n",
			 v[i].bdf);
	}
	set_addresses(v, 12);
	generated(admin, &devs, &boot);
	assert_int_equal(boot.rules[0].n_guards, 12);
	pt_config_free(&boot);
}

/* Issue 22: group = N had no guard; after the groups were renumbered the
 * binder took whatever was in group N (the SATA controller). */
static void a_group_is_refused_when_its_members_changed(void **state)
{
	struct pt_device then[] = {
		{ .bdf = "0000:00:04.0", .vendor = 0x1b36, .device = 0x000d, .class = 0x0c0330, .iommu_group = 5 },
		{ .bdf = "0000:00:05.0", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 4 },
	};
	struct pt_device renumbered[] = {
		{ .bdf = "0000:00:04.0", .vendor = 0x1b36, .device = 0x000d, .class = 0x0c0330, .iommu_group = 4 },
		{ .bdf = "0000:00:05.0", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 5 },
	};
	struct pt_device grown[] = {
		{ .bdf = "0000:00:04.0", .vendor = 0x1b36, .device = 0x000d, .class = 0x0c0330, .iommu_group = 5 },
		{ .bdf = "0000:00:05.0", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 5 },
	};
	struct pt_devices devs_then = { then, 2 }, devs_renumbered = { renumbered, 2 },
			  devs_grown = { grown, 2 };
	struct pt_config boot;

	(void)state;
	set_addresses(then, 2);
	set_addresses(renumbered, 2);
	set_addresses(grown, 2);
	generated("[device.usb]\ngroup = 5\n", &devs_then, &boot);
	assert_int_equal(boot.rules[0].n_group_guards, 1);
	assert_string_equal(plan_of(&boot, &devs_then), "0000:00:04.0=bind");
	assert_string_equal(plan_of(&boot, &devs_renumbered), "0000:00:05.0=refused:group-changed");
	assert_string_equal(plan_of(&boot, &devs_grown),
			    "0000:00:04.0=refused:group-changed 0000:00:05.0=refused:group-changed");
	pt_config_free(&boot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_with_long_lists),
		cmocka_unit_test(nothing_is_cut),
		cmocka_unit_test(the_boot_display_keeps_efifb_off),
		cmocka_unit_test(an_sriov_rule_reaches_the_binder_whole),
		cmocka_unit_test(many_present_addresses_make_readable_guards),
		cmocka_unit_test(a_group_is_refused_when_its_members_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
