/* bind and unbind: a device to vfio-pci now, with the checks of a boot,
 * and back to its host driver. */
#include "commands.h"
#include "bind.h"
#include "take.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one device bind and unbind name, with the machine and config
 * loaded: its index, or minus the exit code (the error already said). */
static long named_device(struct host *h, int argc, char **argv)
{
	if (argc != 1)
		return -EXIT_USAGE;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return -EXIT_PROBLEMS;
	return pt_host_find_device(h, argv[0]);
}

/* bind: the boot's rules for one device (a temporary rule selecting it by
 * address, with the config's global settings), plus the check's errors
 * about it, so a bind now refuses what a boot would and never takes a
 * controller of the host's own disks. */
static int cmd_bind(struct host *h, int argc, char **argv)
{
	struct pt_match match = { .kind = PT_MATCH_ADDRESS };
	struct pt_rule rule = { .name = "command-line", .matches = &match, .n_matches = 1 };
	struct pt_take_state st = { { 0 }, false, 0 };
	struct pt_config one;
	struct pt_plan plan;
	struct pt_findings f = { 0 };
	struct pt_check_env env;
	const struct pt_device *dev;
	const struct pt_decision *configured;
	struct pt_decision d;
	long i;
	int rc = EXIT_PROBLEMS;

	if ((i = named_device(h, argc, argv)) < 0)
		return (int)-i;
	dev = &h->m.devs.v[i];
	/* The device as one rule of its own, with the config's globals: what
	 * a boot would refuse is refused, and what the config decided for
	 * the device (its reset_method) is kept. */
	one = h->cfg_status == 0 && !h->cfg.n_errors ? h->cfg : (struct pt_config){
		.path = h->config_path, .driver = PT_DRIVER_VFIO_PCI };
	one.rules = &rule;
	one.n_rules = 1;
	one.errors = NULL;
	one.n_errors = 0;
	match.u.addr = dev->addr;
	if (h->have_plan && (configured = pt_plan_decision(&h->plan, (size_t)i)))
		rule.reset_method = (char *)configured->reset_method;
	if (pt_select_devices(&one, &h->m.devs, NULL, &plan) < 0)
		return EXIT_PROBLEMS;
	d = plan.v[0];
	if (d.verdict != PT_BIND) {
		pt_host_error(h, "%s: refused: %s", dev->bdf, d.reason);
		goto out;
	}
	pt_host_check_env(h, &env);
	if (pt_check_against_machine(&one, &h->m, &plan, &env, &f) < 0) {
		pt_host_error(h, "%s: refused: memory ran out while checking it", dev->bdf);
		goto out;
	}
	for (size_t k = 0; k < f.n; k++) {
		if (f.v[k].severity != PT_SEV_ERROR)
			continue;
		pt_host_error(h, "%s: refused: %s\n  fix: %s", dev->bdf,
			f.v[k].message, f.v[k].fix ? f.v[k].fix : "");
		goto out;
	}
	switch (pt_take_device(&h->ctx, &one, dev, &d, &st)) {
	case PT_BIND_DONE:
	case PT_BIND_ALREADY:
		printf("%s: on %s\n", dev->bdf, pt_driver_name(d.driver));
		rc = EXIT_OK;
		break;
	case PT_BIND_DRY_RUN:
		rc = EXIT_OK;
		break;
	default:
		break;
	}
out:
	pt_findings_free(&f);
	pt_plan_free(&plan);
	return rc;
}

static int cmd_unbind(struct host *h, int argc, char **argv)
{
	const struct pt_device *dev;
	long i;

	if ((i = named_device(h, argc, argv)) < 0)
		return (int)-i;
	dev = &h->m.devs.v[i];
	/* Like bind of a bound device: already where it was asked to be. */
	if (dev->driver[0] && !pt_is_stub_driver(dev->driver)) {
		printf("%s: on %s already\n", dev->bdf, dev->driver);
		return EXIT_OK;
	}
	if (!dev->driver[0]) {
		pt_host_error(h, "%s has no driver: nothing to give back; `echo %s > "
			"/sys/bus/pci/drivers_probe` asks the host drivers to take it",
			dev->bdf, dev->bdf);
		return EXIT_PROBLEMS;
	}
	if (pt_release_device(&h->ctx, dev, dev->driver, "") < 0)
		return EXIT_PROBLEMS;
	if (h->have_plan)
		for (size_t k = 0; k < h->plan.n; k++)
			if (h->plan.v[k].device == (size_t)i && h->plan.v[k].verdict == PT_BIND)
				pt_host_error(h, "note: %s still selects it: it is "
					"bound again at the next boot", h->cfg.path);
	return EXIT_OK;
}


static const char *const bind_options[] = { NULL };

const struct pt_command pt_command_bind = {
	.name = "bind",
	.run = cmd_bind,
	.json = false,
	.options = bind_options,
	.synopsis = "bind DEVICE",
	.description = "Binds it to vfio-pci now, refusing what a boot would refuse.",
};

static const char *const unbind_options[] = { NULL };

const struct pt_command pt_command_unbind = {
	.name = "unbind",
	.run = cmd_unbind,
	.json = false,
	.options = unbind_options,
	.synopsis = "unbind DEVICE",
	.description = "Gives it back to its host driver now.",
};
