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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_with_long_lists),
		cmocka_unit_test(nothing_is_cut),
		cmocka_unit_test(the_boot_display_keeps_efifb_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
