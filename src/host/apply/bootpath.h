/* Which tool owns the kernel command line on a host, decided from what
 * the machine boots with rather than from the distribution alone: Pop!_OS
 * is Ubuntu but boots through kernelstub, a Proxmox host on ZFS boots
 * systemd-boot through proxmox-boot-tool, and a Debian or Fedora host may
 * boot systemd-boot with kernel-install instead of GRUB. The facts are
 * read once (pt_boot_facts_read); the decision over them is pure. */
#ifndef PT_BOOTPATH_H
#define PT_BOOTPATH_H

#include "distro.h"
#include "tokens.h"

#include <limits.h>
#include <stdbool.h>

enum pt_loader {
	PT_LOADER_UNKNOWN,
	PT_LOADER_GRUB,           /* Debian/Ubuntu: update-grub, our drop-in */
	PT_LOADER_GRUBBY,         /* Fedora/RHEL: grubby */
	PT_LOADER_EXTLINUX,       /* Alpine: update-extlinux */
	PT_LOADER_KERNEL_INSTALL, /* systemd-boot: /etc/kernel/cmdline */
	PT_LOADER_PROXMOX,        /* proxmox-boot-tool: /etc/kernel/cmdline line 1, or GRUB */
	PT_LOADER_KERNELSTUB,     /* Pop!_OS: /etc/kernelstub/configuration */
	PT_LOADER_GRUB_DEFAULT,   /* GRUB without Debian's grub.d (Alpine for UEFI,
				   * Arch): /etc/default/grub, grub-mkconfig */
	PT_LOADER_UKI_CMDLINE_D,  /* UKIs by mkinitcpio: /etc/cmdline.d */
	PT_LOADER_BLS_ENTRIES,    /* systemd-boot entries written by hand (Arch) */
};

struct pt_boot_facts {
	bool update_grub;     /* usr/sbin/update-grub */
	bool grub_cfg;        /* boot/grub/grub.cfg or boot/grub2/grub.cfg */
	bool grubby;          /* usr/sbin/grubby or usr/bin/grubby */
	bool extlinux_conf;   /* etc/update-extlinux.conf */
	bool grub_default;    /* etc/default/grub */
	char systemd_boot[32]; /* the ESP holding EFI/systemd/systemd-bootx64.efi: "boot/efi" */
	bool loader_info;     /* the running system was started by systemd-boot (LoaderInfo) */
	bool proxmox_uuids;   /* etc/kernel/proxmox-boot-uuids: ESPs proxmox-boot-tool keeps */
	bool kernelstub;      /* usr/bin/kernelstub or etc/kernelstub/configuration */
	bool mkinitcpio;      /* usr/bin/mkinitcpio or etc/mkinitcpio.conf */
	bool mkinitcpio_uki;  /* a preset of etc/mkinitcpio.d builds a UKI */
	bool kernel_cmdline;  /* etc/kernel/cmdline (kernel-install's) */
};

struct pt_boot_path {
	enum pt_loader loader;
	/* Why, in one sentence: what was found, and which one was chosen
	 * when two are installed; or, unknown, what was looked for. */
	char why[400];
};

void pt_boot_facts_read(const char *root, struct pt_boot_facts *f);
/* 0, or -ENOTSUP for a boot path apply does not handle yet (why says
 * which and what to do by hand), -ENOENT when it cannot tell. */
int pt_boot_path_decide(enum pt_distro distro, const struct pt_boot_facts *f,
			struct pt_boot_path *out);
const char *pt_loader_name(enum pt_loader l);

#endif
