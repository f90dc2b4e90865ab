/* initramfs-tools on Debian and Ubuntu: our hook (hooks/) puts the binder
 * in every image update-initramfs builds. */
#include "pass.h"

/* With systemd-boot, Debian's post-update hook
 * (/etc/initramfs/post-update.d/systemd-boot) runs kernel-install for
 * each image: the entries get the new /etc/kernel/cmdline. */
static int initramfs_tools_rebuild(const struct pt_apply_plan *p)
{
	char *argv[] = { "update-initramfs", "-u", "-k", "all", NULL };

	return apply_run(p, argv);
}

const struct pt_generator pt_generator_initramfs_tools = {
	.family = PT_DISTRO_DEBIAN,
	.name = "initramfs-tools",
	.rebuild = initramfs_tools_rebuild,
};
