/* dracut on Fedora and RHEL: our module (dracut/90passthrough) puts the
 * binder in every image. */
#include "pass.h"

static int dracut_rebuild(const struct pt_apply_plan *p)
{
	char *argv[] = { "dracut", "-f", "--regenerate-all", NULL };

	return apply_run(p, argv);
}

const struct pt_generator pt_generator_dracut = {
	.family = PT_DISTRO_FEDORA,
	.name = "dracut",
	.rebuild = dracut_rebuild,
	.built_by_kernel_install = true,
};
