/* libFuzzer: the config parser and validator on any bytes, then selection
 * over a small fixed machine with whatever config came out. */
#include "config.h"
#include "select.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pt_device v[3] = {
		{ .bdf = "0000:00:01.0", .addr = { 0, 0, 1, 0 }, .vendor = 0x1234, .device = 0x1111,
		  .class = 0x030000, .iommu_group = 1, .boot_vga = true },
		{ .bdf = "0000:00:02.0", .addr = { 0, 0, 2, 0 }, .vendor = 0x1b36, .device = 0x000c,
		  .class = 0x060400, .iommu_group = 2 },
		{ .bdf = "0000:01:00.0", .addr = { 0, 1, 0, 0 }, .vendor = 0x8086, .device = 0x10d3,
		  .class = 0x020000, .iommu_group = 2 },
	};
	struct pt_devices devs = { v, 3 };
	struct pt_config cfg;
	struct pt_plan plan;
	FILE *f = fmemopen((void *)data, size, "r");

	if (!f)
		return 0;
	if (pt_config_parse_stream(f, "fuzz.conf", &cfg) == 0 && cfg.n_errors == 0 &&
	    pt_select_devices(&cfg, &devs, NULL, &plan) == 0)
		pt_plan_free(&plan);
	pt_config_free(&cfg);
	fclose(f);
	return 0;
}
