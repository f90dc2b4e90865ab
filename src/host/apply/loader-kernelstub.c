/* kernelstub (Pop!_OS): it writes the systemd-boot entries on the ESP
 * from user.kernel_options of /etc/kernelstub/configuration, which apply
 * edits option by option in place. `kernelstub -a` is not used: it saves
 * the whole file again (json.dump), `--dry-run` writes too
 * (application.py), and `-d` reorders what stays. Pop!_OS builds its
 * images with initramfs-tools, whose post-update hook zz-kernelstub runs
 * kernelstub: the generator's rebuild writes the entries. */
#include "pass.h"
#include "kernelstub.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#define KERNELSTUB_CONF "etc/kernelstub/configuration"

static int kernelstub_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	char path[PATH_MAX], *text;
	struct pt_shell_error err = { 0 };
	int r;

	if ((r = apply_follow_links(p, KERNELSTUB_CONF, path, sizeof(path))))
		return r;
	if (!(text = pt_read_file(path))) {
		r = -errno;
		apply_problem(p, "refused    /%s: %s; kernelstub keeps the kernel options there "
			      "(run `kernelstub --verbose` once to write it)", KERNELSTUB_CONF,
			      pt_file_error(-r));
		return r;
	}
	r = pt_kernelstub_options(text, &a->cmdline, &err);
	free(text);
	if (r == -EINVAL)
		apply_problem(p, "refused    /%s line %zu: %s; fix it by hand (or set the "
			      "options with kernelstub -a) and run apply again", KERNELSTUB_CONF,
			      err.line, err.what);
	return r;
}

static int kernelstub_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
			   const struct pt_applied *now, const struct apply_admin *a,
			   bool *changed)
{
	const struct apply_edit edit = { .old = &before->cmdline, .add = &now->cmdline,
					 .editor = pt_kernelstub_edit };

	(void)a;
	return apply_edit_file(p, KERNELSTUB_CONF, &edit, 1, changed);
}

const struct pt_loader_backend pt_loader_kernelstub = {
	.loader = PT_LOADER_KERNELSTUB,
	.read = kernelstub_read,
	.edit = kernelstub_edit,
};
