/* The table of backends (pass.h), in the spirit of pciutils' lib/init.c:
 * a boot path found by bootpath.c is a loader backend and the family's
 * initramfs generator. A new one is a file of its own and a line here. */
#include "pass.h"

extern const struct pt_loader_backend pt_loader_grub, pt_loader_grubby, pt_loader_extlinux,
	pt_loader_kernel_install, pt_loader_proxmox, pt_loader_grub_default, pt_loader_cmdline_d,
	pt_loader_kernelstub, pt_loader_bls_entries;
extern const struct pt_generator pt_generator_initramfs_tools, pt_generator_dracut,
	pt_generator_mkinitfs, pt_generator_mkinitcpio;

static const struct pt_loader_backend *const loaders[] = {
	&pt_loader_grub, &pt_loader_grubby, &pt_loader_extlinux, &pt_loader_kernel_install,
	&pt_loader_proxmox, &pt_loader_grub_default, &pt_loader_cmdline_d, &pt_loader_kernelstub,
	&pt_loader_bls_entries,
};

static const struct pt_generator *const generators[] = {
	&pt_generator_initramfs_tools, &pt_generator_dracut, &pt_generator_mkinitfs,
	&pt_generator_mkinitcpio,
};

/* What apply cannot drive (refused before the pass: bootpath.c says
 * what to do by hand): no hook at all. */
static const struct pt_loader_backend no_loader = { .loader = PT_LOADER_UNKNOWN };
static const struct pt_generator no_generator = { .family = PT_DISTRO_UNKNOWN, .name = "none" };

const struct pt_loader_backend *pt_loader_backend_of(enum pt_loader loader)
{
	for (size_t i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		if (loaders[i]->loader == loader)
			return loaders[i];
	return &no_loader;
}

const struct pt_generator *pt_generator_of(enum pt_distro family)
{
	for (size_t i = 0; i < sizeof(generators) / sizeof(generators[0]); i++)
		if (generators[i]->family == family)
			return generators[i];
	return &no_generator;
}
