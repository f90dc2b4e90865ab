/* initramfs-tools on Debian and Ubuntu: our hook (hooks/) puts the binder
 * in every image update-initramfs builds. */
#include <stdlib.h>

#include "pass.h"

/* With systemd-boot, Debian's post-update hook
 * (/etc/initramfs/post-update.d/systemd-boot) runs kernel-install for
 * each image: the entries get the new /etc/kernel/cmdline.
 * Run from a package's maintainer script (the .deb's prerm undoes apply
 * before its files go), the rebuild is left to initramfs-tools' dpkg
 * trigger: it runs once, after dpkg has removed or unpacked every file,
 * so the image is built without a hook that is about to disappear. */
static int initramfs_tools_rebuild(const struct pt_apply_plan *p)
{
	char *argv[] = { "update-initramfs", "-u", "-k", "all", NULL };
	char *trigger[] = { "dpkg-trigger", "--no-await", "update-initramfs", NULL };
	const char *package = getenv("DPKG_MAINTSCRIPT_PACKAGE");

	return apply_run(p, package && *package ? trigger : argv);
}

const struct pt_generator pt_generator_initramfs_tools = {
	.family = PT_DISTRO_DEBIAN,
	.name = "initramfs-tools",
	.rebuild = initramfs_tools_rebuild,
};
