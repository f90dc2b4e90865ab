/* check and status: the config judged against the machine, before the
 * boot and after it. */
#include "commands.h"
#include "findings.h"
#include "apply.h"
#include "applied.h"
#include "report.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

/* Where apply's step 1 was done but has not reached this boot, "run
 * apply" would change nothing: the fix says what the state says. */
static void fix_by_state(struct pt_findings *f, const struct pt_setup *setup)
{
	if (setup->state != PT_STATE_STEP1_PENDING && setup->state != PT_STATE_ARGS_MISSING &&
	    setup->state != PT_STATE_APPLIED_PENDING)
		return;
	for (size_t i = 0; i < f->n; i++) {
		char *fix;

		if (strcmp(f->v[i].code, PT_FIRST_STEP_CODE) || !(fix = strdup(setup->next)))
			continue;
		free(f->v[i].fix);
		f->v[i].fix = fix;
	}
}

static int cmd_check(struct host *h, int argc, char **argv)
{
	struct pt_findings f = { 0 };
	struct pt_setup setup;
	struct pt_report r;
	int rc;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_JUDGED) < 0)
		return EXIT_PROBLEMS;
	pt_host_run_checks(h, &f);
	pt_host_setup(h, &setup);
	fix_by_state(&f, &setup);
	r = pt_host_report(h);
	r.setup = &setup;
	r.cfg = &h->cfg;
	pt_report_check(&r, &f);
	rc = f.count[PT_SEV_ERROR] ? EXIT_PROBLEMS : EXIT_OK;
	pt_findings_free(&f);
	return rc;
}

/* Which devices a plan binds, one flag a device; NULL when out of memory. */
static bool *plan_binds(const struct host *h)
{
	bool *binds = calloc(h->m.devs.n ? h->m.devs.n : 1, sizeof(*binds));

	for (size_t i = 0; binds && i < h->plan.n; i++)
		if (h->plan.v[i].verdict == PT_BIND)
			binds[h->plan.v[i].device] = true;
	return binds;
}

/* What applying the admin's edit would change, against the applied plan:
 * "also take 0000:02:00.0; give back 0000:01:00.0". */
static void say_edit(const struct host *h, const bool *edited, struct pt_setup *setup)
{
	bool *applied = plan_binds(h);
	char take[240] = "", give[240] = "";

	for (size_t i = 0; applied && i < h->m.devs.n; i++) {
		if (edited[i] && !applied[i])
			pt_append_list(take, sizeof(take), h->m.devs.v[i].bdf);
		else if (!edited[i] && applied[i])
			pt_append_list(give, sizeof(give), h->m.devs.v[i].bdf);
	}
	free(applied);
	if (!take[0] && !give[0])
		snprintf(setup->edit, sizeof(setup->edit), "bind the same devices (it changes "
			 "other settings)");
	else
		snprintf(setup->edit, sizeof(setup->edit), "%s%s%s%s%s", take[0] ? "also take " : "",
			 take, take[0] && give[0] ? "; " : "", give[0] ? "give back " : "", give);
}

static int cmd_status(struct host *h, int argc, char **argv)
{
	struct pt_status *st;
	struct pt_setup setup;
	struct pt_report r;
	char **kmsg;
	size_t n_kmsg, n = 0;
	bool all_ok = true, *edited_bind;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	/* The admin's config may be gone or broken after an apply: what
	 * was applied is what is judged. */
	if (pt_host_load(h, CONFIG_JUDGED) < 0)
		return EXIT_PROBLEMS;
	pt_host_setup(h, &setup);
	edited_bind = setup.config_edited && h->have_plan ? plan_binds(h) : NULL;
	if (setup.judge_devices && !h->o.config && pt_host_load_applied(h) < 0) {
		free(edited_bind);
		return EXIT_PROBLEMS;
	}
	if (edited_bind && h->have_plan)
		say_edit(h, edited_bind, &setup);
	free(edited_bind);
	if (setup.judge_devices && h->have_plan)
		n = h->plan.n;
	st = calloc(n ? n : 1, sizeof(*st));
	if (!st)
		return EXIT_PROBLEMS;
	for (size_t i = 0; i < n; i++) {
		const struct pt_decision *d = &h->plan.v[i];
		const struct pt_device *dev = &h->m.devs.v[d->device];
		struct pt_status *s = &st[i];

		s->decision = i;
		if (d->verdict != PT_BIND) {
			s->expected = "host";
			s->group_viable = true;
			s->ok = true;
			continue;
		}
		s->expected = pt_driver_name(d->driver);
		s->group_viable = dev->iommu_group >= 0 &&
				  pt_group_is_isolated(&h->m.devs, dev->iommu_group, NULL, true);
		s->vfio_node_present = true;
		if (d->driver == PT_DRIVER_VFIO_PCI && dev->iommu_group >= 0) {
			char path[PATH_MAX];

			snprintf(s->vfio_node, sizeof(s->vfio_node), "/dev/vfio/%ld",
				 dev->iommu_group);
			s->vfio_node_present =
				pt_path(path, sizeof(path), h->ctx.root, "dev/vfio/%ld",
					dev->iommu_group) == 0 && access(path, F_OK) == 0;
		}
		s->ok = strcmp(dev->driver, s->expected) == 0 &&
			(d->driver == PT_DRIVER_PCI_STUB || s->group_viable) &&
			s->vfio_node_present;
		if (!s->ok)
			all_ok = false;
	}
	/* 0 when the machine is as the applied state says: nothing applied,
	 * undone or step 1 is no failure; a reboot pending is. */
	all_ok = setup.as_applied && all_ok;
	n_kmsg = pt_host_kmsg(h, &kmsg);
	r = pt_host_report(h);
	pt_report_status(&r, &setup, st, n, kmsg, n_kmsg, all_ok);
	for (size_t i = 0; i < n_kmsg; i++)
		free(kmsg[i]);
	free(kmsg);
	free(st);
	return all_ok ? EXIT_OK : EXIT_PROBLEMS;
}


static const char *const check_options[] = { "json", NULL };

const struct pt_command pt_command_check = {
	.name = "check",
	.run = cmd_check,
	.json = true,
	.options = check_options,
	.synopsis = "check [--json]",
	.description = "Judges the config against this machine; exit 1 on errors.",
};

static const char *const status_options[] = { "json", NULL };

const struct pt_command pt_command_status = {
	.name = "status",
	.run = cmd_status,
	.json = true,
	.options = status_options,
	.synopsis = "status [--json]",
	.description = "After boot: is every selected device as configured?",
};
