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

/* On the machine itself, GRUB without our drop-in would boot without the
 * arguments: refused before anything is written. */
static int grub_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	(void)a;
	if (apply_on_running_system(p) && !p->undo && access("/" GRUB_DROPIN, F_OK) != 0) {
		apply_problem(p, "refused    /%s is missing: install it (make install "
			      "DISTRO=debian), or GRUB boots without the kernel arguments",
			      GRUB_DROPIN);
		return -ENOENT;
	}
	return 0;
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
