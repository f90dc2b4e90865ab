/* libFuzzer: the round trip of the key table. Whatever config the reader
 * accepts, pt_config_render writes lines the reader takes (none over
 * PT_CONFIG_LINE_MAX), reading them back gives the same meaning
 * (pt_config_difference) and the same plan on a small machine, and a
 * second rendering is the same text. Any difference aborts. */
#include "config.h"
#include "select.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pt_device v[] = {
	{ .bdf = "0000:00:01.0", .addr = { 0, 0, 1, 0 }, .vendor = 0x1234, .device = 0x1111,
	  .class = 0x030000, .iommu_group = 1, .boot_vga = true },
	{ .bdf = "0000:00:05.0", .addr = { 0, 0, 5, 0 }, .vendor = 0x8086, .device = 0x2922,
	  .class = 0x010601, .iommu_group = 5 },
	{ .bdf = "0000:01:00.0", .addr = { 0, 1, 0, 0 }, .vendor = 0x8086, .device = 0x10d3,
	  .class = 0x020000, .iommu_group = 5 },
	{ .bdf = "0000:01:00.1", .addr = { 0, 1, 0, 1 }, .vendor = 0x8086, .device = 0x10d3,
	  .class = 0x020000, .iommu_group = 6, .sriov_totalvfs = 2, .sriov_numvfs = 1 },
	{ .bdf = "0000:01:10.0", .addr = { 0, 1, 0x10, 0 }, .vendor = 0x8086, .device = 0x10ca,
	  .class = 0x020000, .iommu_group = 7, .is_vf = true, .physfn = { 0, 1, 0, 1 } },
};
static const struct pt_devices devs = { v, sizeof(v) / sizeof(v[0]) };

static char *render(const struct pt_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	if (pt_config_render(cfg, f) != 0) {
		fprintf(stderr, "an accepted config could not be rendered\n");
		abort();
	}
	fclose(f);
	return text;
}

static char *plan_text(const struct pt_config *cfg)
{
	struct pt_plan plan;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f || pt_select_devices(cfg, &devs, NULL, &plan) < 0)
		abort();
	for (size_t i = 0; i < plan.n; i++)
		fprintf(f, "%zu %d %d %zu %s\n", plan.v[i].device, plan.v[i].verdict,
			plan.v[i].driver, plan.v[i].rule, plan.v[i].reason ? plan.v[i].reason : "");
	pt_plan_free(&plan);
	fclose(f);
	return text;
}

static void parse(const char *text, size_t len, struct pt_config *cfg)
{
	FILE *f = fmemopen((void *)text, len, "r");

	if (!f || pt_config_parse_stream(f, "fuzz.conf", cfg) < 0)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_config cfg, again;
	char *text, *text2, *p1, *p2;
	const char *why;

	if (size == 0)
		return 0;
	parse((const char *)data, size, &cfg);
	if (cfg.n_errors) {
		pt_config_free(&cfg);
		return 0;
	}
	text = render(&cfg);
	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");

		if (n > PT_CONFIG_LINE_MAX) {
			fprintf(stderr, "a rendered line of %zu bytes\n", n);
			abort();
		}
		line += n + (line[n] == '\n');
	}
	parse(text, strlen(text), &again);
	if (again.n_errors) {
		fprintf(stderr, "rendered config refused: %u: %s\n%s", again.errors[0].line,
			again.errors[0].text, text);
		abort();
	}
	if ((why = pt_config_difference(&cfg, &again))) {
		fprintf(stderr, "%s differs after the round trip\n%s", why, text);
		abort();
	}
	p1 = plan_text(&cfg);
	p2 = plan_text(&again);
	text2 = render(&again);
	if (strcmp(p1, p2) || strcmp(text, text2)) {
		fprintf(stderr, "the plan or the second rendering differs\n");
		abort();
	}
	free(p1);
	free(p2);
	free(text);
	free(text2);
	pt_config_free(&cfg);
	pt_config_free(&again);
	return 0;
}
