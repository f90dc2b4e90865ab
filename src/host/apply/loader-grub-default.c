/* GRUB without Debian's grub.d drop-ins (upstream grub-mkconfig, as on
 * Alpine installed for UEFI): the kernel's arguments are our tokens in
 * GRUB_CMDLINE_LINUX_DEFAULT of /etc/default/grub, which grub-mkconfig
 * puts on the normal entries (recovery entries take GRUB_CMDLINE_LINUX
 * alone). */
#include "pass.h"
#include "shellvars.h"

#include <stdlib.h>

#define DEFAULT_GRUB "etc/default/grub"
#define VAR "GRUB_CMDLINE_LINUX_DEFAULT"

static int grub_default_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	static const char *const vars[] = { VAR, NULL };
	char *text;
	int r;

	if (!(text = apply_read_editable(p, DEFAULT_GRUB, vars, &r)))
		return r;
	r = pt_assignment_tokens(text, VAR, ' ', &a->cmdline);
	free(text);
	return r;
}

static int grub_default_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
			     const struct pt_applied *now, const struct apply_admin *a,
			     bool *changed)
{
	const struct apply_edit edit = { .var = VAR, .sep = ' ', .old = &before->cmdline,
					 .add = &now->cmdline };

	(void)a;
	return apply_edit_file(p, DEFAULT_GRUB, &edit, 1, changed);
}

static int grub_default_refresh(const struct pt_apply_plan *p)
{
	char *argv[] = { "grub-mkconfig", "-o", "/boot/grub/grub.cfg", NULL };

	return apply_run(p, argv);
}

const struct pt_loader_backend pt_loader_grub_default = {
	.loader = PT_LOADER_GRUB_DEFAULT,
	.read = grub_default_read,
	.edit = grub_default_edit,
	.refresh = grub_default_refresh,
};
