/* extlinux on Alpine: the kernel's arguments are default_kernel_opts (and
 * modules=) in /etc/update-extlinux.conf, which update-extlinux turns
 * into the boot entries. */
#include "pass.h"
#include "shellvars.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int extlinux_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	static const char *const vars[] = { "default_kernel_opts", "modules", NULL };
	char *text;
	int r;

	if (!(text = apply_read_editable(p, EXTLINUX_CONF, vars, &r)))
		return r;
	r = pt_assignment_tokens(text, "default_kernel_opts", ' ', &a->cmdline);
	if (r == 0)
		r = pt_assignment_tokens(text, "modules", ',', &a->modules);
	free(text);
	return r;
}

static int extlinux_edit(const struct pt_apply_plan *p, const struct pt_applied *before, const struct pt_applied *now,
			 const struct apply_admin *a, bool *changed)
{
	const struct apply_edit edits[] = {
		{ .var = "default_kernel_opts", .sep = ' ', .old = &before->cmdline,
		  .add = &now->cmdline },
		{ .var = "modules", .sep = ',', .old = &before->modules, .add = &now->modules },
	};

	(void)a;
	return apply_edit_file(p, EXTLINUX_CONF, edits, 2, changed);
}

static int extlinux_refresh(const struct pt_apply_plan *p)
{
	char *argv[] = { "update-extlinux", NULL };

	return apply_run(p, argv);
}

const struct pt_loader_backend pt_loader_extlinux = {
	.loader = PT_LOADER_EXTLINUX,
	.read = extlinux_read,
	.edit = extlinux_edit,
	.refresh = extlinux_refresh,
};
