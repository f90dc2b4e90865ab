#include "bootpath.h"
#include "presets.h"
#include "sysfs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool exists(const char *root, const char *rel)
{
	char path[PATH_MAX];

	return pt_path(path, sizeof(path), root, "%s", rel) == 0 && access(path, F_OK) == 0;
}

void pt_boot_facts_read(const char *root, struct pt_boot_facts *f)
{
	/* Where bootctl and kernel-install look for the ESP (or XBOOTLDR) */
	static const char *const esps[] = { "efi", "boot/efi", "boot" };
	char rel[64];

	memset(f, 0, sizeof(*f));
	f->update_grub = exists(root, "usr/sbin/update-grub");
	f->grub_cfg = exists(root, "boot/grub/grub.cfg") || exists(root, "boot/grub2/grub.cfg");
	f->grubby = exists(root, "usr/sbin/grubby") || exists(root, "usr/bin/grubby");
	f->extlinux_conf = exists(root, "etc/update-extlinux.conf");
	f->grub_default = exists(root, "etc/default/grub");
	for (size_t i = 0; i < sizeof(esps) / sizeof(esps[0]) && !f->systemd_boot[0]; i++) {
		snprintf(rel, sizeof(rel), "%s/EFI/systemd/systemd-bootx64.efi", esps[i]);
		if (exists(root, rel))
			snprintf(f->systemd_boot, sizeof(f->systemd_boot), "%s", esps[i]);
	}
	/* systemd-boot sets LoaderInfo for the system it started */
	f->loader_info = exists(root, "sys/firmware/efi/efivars/"
				"LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f");
	f->proxmox_uuids = exists(root, "etc/kernel/proxmox-boot-uuids");
	f->kernelstub = exists(root, "usr/bin/kernelstub") ||
			exists(root, "etc/kernelstub/configuration");
	f->mkinitcpio = exists(root, "usr/bin/mkinitcpio") || exists(root, "etc/mkinitcpio.conf");
	f->mkinitcpio_uki = pt_presets_build_uki(root);
	f->kernel_cmdline = exists(root, "etc/kernel/cmdline");
}

const char *pt_loader_name(enum pt_loader l)
{
	switch (l) {
	case PT_LOADER_GRUB: return "GRUB (update-grub)";
	case PT_LOADER_GRUBBY: return "GRUB (grubby)";
	case PT_LOADER_EXTLINUX: return "extlinux (update-extlinux)";
	case PT_LOADER_KERNEL_INSTALL: return "systemd-boot (kernel-install, /etc/kernel/cmdline)";
	case PT_LOADER_PROXMOX: return "proxmox-boot-tool";
	case PT_LOADER_KERNELSTUB: return "kernelstub";
	case PT_LOADER_GRUB_DEFAULT: return "GRUB (/etc/default/grub, grub-mkconfig)";
	case PT_LOADER_UKI_CMDLINE_D: return "unified kernel images (mkinitcpio, /etc/cmdline.d)";
	case PT_LOADER_BLS_ENTRIES: return "systemd-boot (its entries, loader/entries/*.conf)";
	case PT_LOADER_UNKNOWN: break;
	}
	return "unknown";
}

static int decided(struct pt_boot_path *out, enum pt_loader l, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int decided(struct pt_boot_path *out, enum pt_loader l, int r, const char *fmt, ...)
{
	va_list ap;

	out->loader = l;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return r;
}

/* Arch: UKIs carry their command line (mkinitcpio seals /etc/cmdline.d
 * in); else GRUB, which Arch's grub-mkconfig configures from
 * /etc/default/grub alone (no grub.d); else systemd-boot, whose entries
 * are the admin's own files there (no kernel-install hook), unless
 * /etc/kernel/cmdline says kernel-install writes them. */
static int arch_boot_path(const struct pt_boot_facts *f, struct pt_boot_path *out)
{
	if (f->mkinitcpio_uki)
		return decided(out, PT_LOADER_UKI_CMDLINE_D, 0, "a preset in etc/mkinitcpio.d "
			       "builds unified kernel images: their command line is "
			       "/etc/kernel/cmdline and /etc/cmdline.d");
	if (f->grub_default && f->grub_cfg)
		return decided(out, PT_LOADER_GRUB_DEFAULT, 0, "Arch with GRUB: etc/default/grub "
			       "and boot/grub/grub.cfg");
	if (f->systemd_boot[0] && f->kernel_cmdline)
		return decided(out, PT_LOADER_KERNEL_INSTALL, 0, "systemd-boot (in /%s) with "
			       "etc/kernel/cmdline: kernel-install writes the entries",
			       f->systemd_boot);
	if (f->systemd_boot[0])
		return decided(out, PT_LOADER_BLS_ENTRIES, 0, "systemd-boot (in /%s) with "
			       "entries written by hand: apply edits their options lines",
			       f->systemd_boot);
	return decided(out, PT_LOADER_UNKNOWN, -ENOENT,
		       "no boot loader apply knows on Arch: looked for unified kernel "
		       "images (a preset's default_uki= in etc/mkinitcpio.d), GRUB "
		       "(etc/default/grub and boot/grub/grub.cfg) and systemd-boot");
}

int pt_boot_path_decide(enum pt_distro distro, const struct pt_boot_facts *f,
			struct pt_boot_path *out)
{
	bool grub = distro == PT_DISTRO_FEDORA ? f->grubby : f->update_grub;
	enum pt_loader grub_kind = distro == PT_DISTRO_FEDORA ? PT_LOADER_GRUBBY : PT_LOADER_GRUB;

	/* Tools that take the command line over, whatever else is installed */
	if (f->kernelstub)
		return decided(out, PT_LOADER_KERNELSTUB, 0,
			       "kernelstub is installed (Pop!_OS): it writes the boot "
			       "entries from user.kernel_options of "
			       "/etc/kernelstub/configuration at every update-initramfs");
	if (f->proxmox_uuids)
		return decided(out, PT_LOADER_PROXMOX, 0,
			       "etc/kernel/proxmox-boot-uuids exists: proxmox-boot-tool keeps "
			       "the boot entries (systemd-boot from the first line of "
			       "/etc/kernel/cmdline when booted by UEFI, else GRUB)");
	/* Alpine installed for UEFI boots GRUB (setup-disk: grub-efi) and has
	 * no update-extlinux.conf; its grub-mkconfig has no grub.d. */
	if (distro == PT_DISTRO_ALPINE && !f->extlinux_conf && f->grub_default)
		return decided(out, PT_LOADER_GRUB_DEFAULT, 0, "Alpine with GRUB: etc/default/grub, "
			       "and no etc/update-extlinux.conf");
	if (distro == PT_DISTRO_ALPINE)
		return decided(out, PT_LOADER_EXTLINUX, 0, "Alpine: etc/update-extlinux.conf%s",
			       f->extlinux_conf ? "" : " (missing: apply refuses to edit it)");
	if (distro == PT_DISTRO_ARCH)
		return arch_boot_path(f, out);
	if (distro == PT_DISTRO_UNKNOWN)
		return decided(out, PT_LOADER_UNKNOWN, -ENOENT,
			       "cannot tell the distribution from etc/os-release (ID, "
			       "ID_LIKE): looked for Debian, Ubuntu, Fedora, RHEL, Alpine "
			       "and Arch; give --distro");
	if (f->systemd_boot[0] && (!grub || !f->grub_cfg))
		return decided(out, PT_LOADER_KERNEL_INSTALL, 0,
			       "systemd-boot is installed in /%s and GRUB %s", f->systemd_boot,
			       grub ? "has no grub.cfg" : "is not installed");
	if (f->systemd_boot[0] && f->loader_info)
		return decided(out, PT_LOADER_KERNEL_INSTALL, 0,
			       "systemd-boot (in /%s) and GRUB are both installed; "
			       "systemd-boot started this boot (its LoaderInfo EFI "
			       "variable is set)", f->systemd_boot);
	if (f->systemd_boot[0])
		return decided(out, grub_kind, 0,
			       "GRUB and systemd-boot (in /%s) are both installed; GRUB "
			       "is taken: systemd-boot did not start this boot (no "
			       "LoaderInfo EFI variable)", f->systemd_boot);
	if (grub)
		return decided(out, grub_kind, 0, "%s is installed",
			       distro == PT_DISTRO_FEDORA ? "grubby" : "update-grub");
	return decided(out, PT_LOADER_UNKNOWN, -ENOENT,
		       "no boot loader apply knows: looked for %s, systemd-boot "
		       "(EFI/systemd/systemd-bootx64.efi in /efi, /boot/efi or /boot), "
		       "proxmox-boot-tool and kernelstub",
		       distro == PT_DISTRO_FEDORA ? "grubby" : "update-grub");
}
