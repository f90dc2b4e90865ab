/* GRUB on Debian and Ubuntu: the kernel's arguments come from our
 * drop-in (grub/passthrough.cfg in /etc/default/grub.d), which asks
 * `passthrough cmdline --applied` at every update-grub; nothing of the
 * admin's is edited. */
#include "pass.h"
#include "shellvars.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int grub_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	(void)a;
	return apply_require_grub_dropin(p);
}

/* The drop-in asks `passthrough cmdline` at every update-grub, once the
 * applied state exists: nothing to edit, only to miss. */
static int grub_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
		     const struct pt_applied *now, const struct apply_admin *a, bool *changed)
{
	char path[PATH_MAX];

	(void)before, (void)now, (void)a, (void)changed;
	if (pt_path(path, sizeof(path), p->root, GRUB_DROPIN) == 0 &&
	    access(path, F_OK) != 0 && !p->undo)
		apply_problem(p, "missing    /%s: install grub/passthrough.cfg there "
			      "(make install DISTRO=debian), or GRUB boots without the "
			      "kernel arguments", GRUB_DROPIN);
	return 0;
}

static int grub_refresh(const struct pt_apply_plan *p)
{
	char *argv[] = { "update-grub", NULL };

	return apply_run(p, argv);
}

const struct pt_loader_backend pt_loader_grub = {
	.loader = PT_LOADER_GRUB,
	.read = grub_read,
	.edit = grub_edit,
	.refresh = grub_refresh,
};
