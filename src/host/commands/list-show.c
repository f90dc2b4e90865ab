/* list and show: the machine as the admin asks about it. */
#include "commands.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_list(struct host *h, int argc, char **argv)
{
	struct pt_setup setup;
	struct pt_report r;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	r = pt_host_report(h);
	if (h->o.as_table)
		return pt_table_status(pt_table_list(&r, &h->o.table));
	/* Where the setup stands, first, once there is one to speak of: a
	 * machine without a rule is just being looked at. */
	pt_host_setup(h, &setup);
	if (setup.state != PT_STATE_NOT_APPLIED || (h->cfg_status == 0 && h->cfg.n_rules))
		r.setup = &setup;
	pt_report_list(&r);
	return EXIT_OK;
}

static int cmd_show(struct host *h, int argc, char **argv)
{
	struct pt_report r;
	long i;

	if (argc > 1 || (argc == 0 && !h->o.filtered)) {
		pt_host_error(h, "show: name one device (an address or vendor:device), or "
			      "select with -s SLOT or -d VENDOR:DEVICE as lspci does");
		return EXIT_USAGE;
	}
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	r = pt_host_report(h);
	if (argc == 1) {
		if ((i = pt_host_find_device(h, argv[0])) < 0)
			return (int)-i;
		pt_report_show(&r, (size_t)i);
		return EXIT_OK;
	}
	for (size_t k = 0, shown = 0; k < h->m.devs.n; k++) {
		if (!pt_pci_filter_matches(&h->o.filter, &h->m.devs.v[k]))
			continue;
		if (shown++)
			fputc('\n', stdout);
		pt_report_show(&r, k);
	}
	for (size_t k = 0; k < h->m.devs.n; k++)
		if (pt_pci_filter_matches(&h->o.filter, &h->m.devs.v[k]))
			return EXIT_OK;
	pt_host_error(h, "no device matches -s/-d (see `passthrough list`)");
	return EXIT_PROBLEMS;
}


static const char *const list_options[] = { "slot", "ids", "json", "output", "raw", "pairs", "noheadings", "list", NULL };

const struct pt_command pt_command_list = {
	.name = "list",
	.run = cmd_list,
	.json = true,
	.options = list_options,
	.synopsis = "list [-s SLOT] [-d VENDOR:DEVICE] [--json] [-o COLUMNS [-r|-P|-n|-l]]",
	.description = "IOMMU groups, devices, the USB devices and disks behind each controller,\n"
		       "and what the config selects.",
};

static const char *const show_options[] = { "slot", "ids", "json", NULL };

const struct pt_command pt_command_show = {
	.name = "show",
	.run = cmd_show,
	.json = true,
	.options = show_options,
	.synopsis = "show DEVICE | show -s SLOT | show -d VENDOR:DEVICE [--json]",
	.description = "One device: its group and what else is in it, the other functions of\n"
		       "its slot, reset support. DEVICE: an address or vendor:device.",
};
