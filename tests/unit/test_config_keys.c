/* The key table (src/core/config-keys.c): one home for reading and writing
 * every key. Proven by round trip: for every config the reader accepts,
 * reading what pt_config_render wrote gives a config of the same meaning,
 * every rendered line is one the reader takes, and the plan on a machine
 * is the same. And passthrough.conf(5) lists exactly the table's keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "select.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse_text(const char *text, struct pt_config *cfg)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(pt_config_parse_stream(f, "t.conf", cfg), 0);
	fclose(f);
}

static char *render(const struct pt_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(pt_config_render(cfg, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* A machine for the plans: identical devices, a group of several, a slot
 * with two functions, the boot display, an SR-IOV PF with two VFs. */
static struct pt_device topo[] = {
	{ .bdf = "0000:00:01.0", .vendor = 0x1234, .device = 0x1111, .class = 0x030000, .iommu_group = 1, .boot_vga = true },
	{ .bdf = "0000:00:04.0", .vendor = 0x1b36, .device = 0x000d, .class = 0x0c0330, .iommu_group = 4 },
	{ .bdf = "0000:00:05.0", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 5 },
	{ .bdf = "0000:00:06.0", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 5 },
	{ .bdf = "0000:01:00.0", .vendor = 0x8086, .device = 0x10d3, .class = 0x020000, .iommu_group = 7, .subvendor = 0x8086, .subdevice = 0x0001 },
	{ .bdf = "0000:02:00.0", .vendor = 0x8086, .device = 0x10d3, .class = 0x020000, .iommu_group = 8 },
	{ .bdf = "0000:03:00.0", .vendor = 0x10de, .device = 0x1b80, .class = 0x030000, .iommu_group = 9 },
	{ .bdf = "0000:03:00.1", .vendor = 0x10de, .device = 0x10f0, .class = 0x040300, .iommu_group = 9 },
	{ .bdf = "0000:04:00.0", .vendor = 0x1b36, .device = 0x0010, .class = 0x010802, .iommu_group = 10, .sriov_totalvfs = 4, .sriov_numvfs = 2 },
	{ .bdf = "0000:04:00.1", .vendor = 0x1b36, .device = 0x0010, .class = 0x010802, .iommu_group = 11, .is_vf = true, .vf_index = 0 },
	{ .bdf = "0000:04:00.2", .vendor = 0x1b36, .device = 0x0010, .class = 0x010802, .iommu_group = 12, .is_vf = true, .vf_index = 1 },
};
static struct pt_devices devs = { topo, sizeof(topo) / sizeof(topo[0]) };

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < devs.n; i++) {
		assert_int_equal(pt_pci_addr_parse(topo[i].bdf, &topo[i].addr), 0);
		if (topo[i].is_vf)
			topo[i].physfn = topo[8].addr;
	}
	return 0;
}

/* The plan as text: "BDF verdict driver rule reason" a device. */
static char *plan_text(const struct pt_config *cfg)
{
	struct pt_plan plan;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(pt_select_devices(cfg, &devs, NULL, &plan), 0);
	for (size_t i = 0; i < plan.n; i++)
		fprintf(f, "%s %s %s %zu %s\n", topo[plan.v[i].device].bdf,
			pt_verdict_name(plan.v[i].verdict), pt_driver_name(plan.v[i].driver),
			plan.v[i].rule, plan.v[i].reason ? plan.v[i].reason : "");
	pt_plan_free(&plan);
	fclose(f);
	return text;
}

/* Every line of a rendered file fits the reader's buffer. */
static void lines_fit(const char *text)
{
	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");

		if (n > PT_CONFIG_LINE_MAX)
			fail_msg("a rendered line of %zu bytes: %.60s...", n, line);
		line += n + (line[n] == '\n');
	}
}

/* render -> parse: no error, the same meaning, the same plan; and the
 * rendering is a fixed point (render of the re-read config is the same
 * text), so nothing is lost on the second trip either. */
static void round_trip(const char *admin)
{
	struct pt_config cfg, again;
	char *text, *text2, *plan1, *plan2;
	const char *why;

	parse_text(admin, &cfg);
	if (cfg.n_errors)
		fail_msg("the generator wrote a config with errors: line %u: %s\n%s",
			 cfg.errors[0].line, cfg.errors[0].text, admin);
	text = render(&cfg);
	lines_fit(text);
	parse_text(text, &again);
	if (again.n_errors)
		fail_msg("the rendered config has errors: line %u: %s\n%s", again.errors[0].line,
			 again.errors[0].text, text);
	if ((why = pt_config_difference(&cfg, &again)))
		fail_msg("%s differs after the round trip:\n%s\n---\n%s", why, admin, text);
	plan1 = plan_text(&cfg);
	plan2 = plan_text(&again);
	assert_string_equal(plan1, plan2);
	text2 = render(&again);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	free(plan1);
	free(plan2);
	pt_config_free(&cfg);
	pt_config_free(&again);
}

/* A small deterministic generator (xorshift): the same configs on every
 * run, so a failure is reproduced by its seed. */
static uint64_t rng;

static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const pool_addr[] = { "0000:00:01.0", "00:04.0", "0000:00:05.0", "00:06.0",
					 "0000:01:00.0", "02:00.0", "0000:03:00.0", "04:00.0",
					 "10000:e1:1f.7" };
static const char *const pool_ids[] = { "8086:10d3", "8086:2922", "10de:1b80", "1b36:0010",
					"8086:10d3:8086:0001", "1234:1111", "1b36:000d" };
static const char *const pool_class[] = { "0x02", "0x0300", "0x010601", "0x0c03", "0x04" };
static const char *const pool_methods[] = { "flr", "pm", "bus", "device_specific", "acpi",
					    "af_flr", "cxl_bus" };

/* Writes `count` values of one key, a few to a line, the admin's way:
 * blanks and commas, one line or several. */
static void write_list(FILE *f, const char *key, const char *const *pool, size_t n_pool,
		       unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		if (i % 4 == 0)
			fprintf(f, "%s%s = ", i ? "\n" : "", key);
		else
			fputs(pick(2) ? ", " : " ", f);
		fputs(pool[pick((unsigned)n_pool)], f);
	}
	if (count)
		fputc('\n', f);
}

static char *random_config(void)
{
	static const char *const iommu[] = { "auto", "intel", "amd", "off" };
	static const char *const yesno[] = { "yes", "no", "on", "off", "true", "0" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	unsigned rules = pick(5);

	fprintf(f, "[global]\niommu = %s\niommu_pt = %s\n", iommu[pick(4)], yesno[pick(6)]);
	if (pick(2))
		fprintf(f, "driver = %s\nunsafe_interrupts = %s\ndisable_vga = %s\n",
			pick(2) ? "vfio-pci" : "pci-stub", yesno[pick(6)], yesno[pick(6)]);
	if (pick(2))
		fprintf(f, "disable_idle_d3 = %s\nheadless = %s\n", yesno[pick(6)], yesno[pick(6)]);
	for (unsigned r = 0; r < rules; r++) {
		bool any = false;

		fprintf(f, "\n[device.rule-%u_%s]\n", r, pick(2) ? "x.y" : "gpu");
		if (pick(2)) {
			write_list(f, "address", pool_addr, 9, 1 + pick(40));
			any = true;
		}
		if (pick(2) || !any)
			write_list(f, "ids", pool_ids, 7, 1 + pick(30));
		if (pick(3) == 0)
			write_list(f, "class", pool_class, 5, 1 + pick(4));
		if (pick(3) == 0)
			fprintf(f, "group = %u %u\n", pick(13), pick(100000));
		if (pick(4) == 0)
			fprintf(f, "usb = 46f4:0001\nusb_bus = %u\n", 1 + pick(255));
		if (pick(4) == 0)
			fprintf(f, "disk = /dev/disk/by-id/ata-QEMU_HARDDISK_QM0000%u\n", pick(10));
		for (unsigned g = pick(3) ? 0 : 1 + pick(20); g > 0; g--)
			fprintf(f, "guard = %s=8086:%04x:%06x\n", pool_addr[pick(9)], pick(0x10000),
				pick(0x1000000));
		for (unsigned g = pick(3) ? 0 : 1 + pick(20); g > 0; g--)
			fprintf(f, "group_guard = %u/%s=8086:%04x:%06x\n", pick(20),
				pool_addr[pick(9)], pick(0x10000), pick(0x1000000));
		if (pick(2))
			fprintf(f, "functions = %s\n", pick(2) ? "all" : "selected");
		if (pick(3) == 0)
			fprintf(f, "allow_boot_vga = %s\n", yesno[pick(6)]);
		if (pick(3) == 0) {
			unsigned vfs = 1 + pick(256);

			fprintf(f, "sriov_vfs = %u\n", vfs);
			if (pick(2))
				fputs("vfs = all\n", f);
			else
				for (unsigned v = pick(40); v > 0; v--)
					fprintf(f, "vfs = %u\n", pick(vfs));
		}
		if (pick(4) == 0) {
			fputs("reset_method = default\n", f);
		} else if (pick(3) == 0) {
			bool used[7] = { false };

			/* each method once, in any order, over one or more lines */
			for (unsigned k = 1 + pick(7); k > 0; k--) {
				unsigned m = pick(7);

				if (!used[m])
					fprintf(f, "reset_method = %s\n", pool_methods[m]);
				used[m] = true;
			}
		}
		if (pick(3) == 0)
			fprintf(f, "driver = %s\n", pick(2) ? "vfio-pci" : "pci-stub");
	}
	fclose(f);
	return text;
}

static void every_accepted_config_survives_the_round_trip(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3000; seed++) {
		char *admin;

		rng = seed * 0x9e3779b97f4a7c15ULL;
		admin = random_config();
		round_trip(admin);
		free(admin);
	}
}

/* The defects the round trip was made for, by name. */
static void sriov_keys_and_long_lists_survive(void **state)
{
	struct pt_config cfg;
	char *text;

	(void)state;
	round_trip("[device.nic]\nids = 1b36:0010\nsriov_vfs = 2\nvfs = 1\n");
	/* 7 addresses with guards: the old renderer wrote 8 to a line */
	round_trip("[device.many]\naddress = 10000:e1:1f.7 10000:e1:1e.7 10000:e1:1d.7 "
		   "10000:e1:1c.7\naddress = 10000:e1:1b.7 10000:e1:1a.7 10000:e1:19.7\n"
		   "guard = 10000:e1:1f.7=8086:10d3:020000 10000:e1:1e.7=8086:10d3:020000\n"
		   "guard = 10000:e1:1d.7=8086:10d3:020000 10000:e1:1c.7=8086:10d3:020000\n"
		   "guard = 10000:e1:1b.7=8086:10d3:020000 10000:e1:1a.7=8086:10d3:020000\n"
		   "guard = 10000:e1:19.7=8086:10d3:020000 10000:e1:18.7=8086:10d3:020000\n");
	/* every reset method, one a line */
	round_trip("[device.r]\naddress = 01:00.0\nreset_method = device_specific\n"
		   "reset_method = acpi\nreset_method = flr\nreset_method = af_flr\n"
		   "reset_method = pm\nreset_method = bus\nreset_method = cxl_bus\n");
	parse_text("[device.nic]\nids = 1b36:0010\nsriov_vfs = 2\nvfs = 1\n", &cfg);
	text = render(&cfg);
	assert_non_null(strstr(text, "sriov_vfs = 2\nvfs = 1\n"));
	free(text);
	pt_config_free(&cfg);
}

/* What we render cannot be longer than the reader takes: a value that
 * fits no line is refused, not written. */
static void a_value_no_line_can_hold_is_refused(void **state)
{
	struct pt_config cfg = { .driver = PT_DRIVER_VFIO_PCI };
	struct pt_rule *rule = pt_config_add_rule(&cfg, "d", 1);
	struct pt_match m = { .kind = PT_MATCH_DISK };
	char path[260] = "/dev/disk/by-id/";
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	memset(path + 16, 'x', 230);
	path[246] = '\0';
	m.u.path = path;
	assert_non_null(rule);
	assert_int_equal(pt_rule_add_match(rule, &m), 0);
	assert_int_equal(pt_config_render(&cfg, f), -EOVERFLOW);
	fclose(f);
	pt_config_free(&cfg);
}

/* passthrough.conf(5) lists the keys of the table, each once, in its
 * section, with the table's syntax: ".BR name \" = syntax\"". */
static void the_man_page_lists_the_table(void **state)
{
	FILE *f = fopen("man/passthrough.conf.5", "r");
	char line[512], section[64] = "";
	size_t next = 0;

	(void)state;
	if (!f)
		fail_msg("man/passthrough.conf.5: run the unit tests from the source tree");
	while (fgets(line, sizeof(line), f)) {
		char name[64], syntax[128];
		const char *want_name, *want_syntax;
		bool global;

		if (sscanf(line, ".SH %63[A-Z ]", section) == 1)
			continue;
		if (strcmp(section, "GLOBAL KEYS") && strcmp(section, "RULE KEYS"))
			continue;
		if (sscanf(line, ".B%*1[RI] %63s \" = %127[^\"]\"", name, syntax) != 2)
			continue;
		if (!pt_config_key_info(next++, &want_name, &global, &want_syntax))
			fail_msg("the man page has a key the table lacks: %s", name);
		assert_string_equal(name, want_name);
		assert_string_equal(syntax, want_syntax);
		assert_string_equal(section, global ? "GLOBAL KEYS" : "RULE KEYS");
	}
	fclose(f);
	if (next != pt_config_key_count())
		fail_msg("the man page lists %zu keys, the table has %zu", next,
			 pt_config_key_count());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_accepted_config_survives_the_round_trip),
		cmocka_unit_test(sriov_keys_and_long_lists_survive),
		cmocka_unit_test(a_value_no_line_can_hold_is_refused),
		cmocka_unit_test(the_man_page_lists_the_table),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
