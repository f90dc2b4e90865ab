/* `passthrough apply`: puts generate's files in place, edits the
 * bootloader's command line the distribution's way, rebuilds the
 * initramfs, and says what changed. Every file is written atomically; the
 * admin's own files keep a backup and only our tokens in them change;
 * nothing is written or run when nothing changed, so a second apply is a
 * no-op. --undo removes every argument and file apply added. */
#ifndef PT_APPLY_H
#define PT_APPLY_H

#include "bootpath.h"
#include "distro.h"

#include <stdbool.h>
#include <stdio.h>

struct pt_apply_plan {
	const char *root;  /* "" for the running system: only then commands run */
	enum pt_distro distro;
	struct pt_boot_path boot;   /* who owns the kernel command line */
	bool dry_run;
	bool undo;
	/* The first of two steps (the IOMMU is off for want of its kernel
	 * argument): set the IOMMU's arguments alone; the binder stays off
	 * (no initramfs config, no modprobe.d file) until an apply can check
	 * the IOMMU groups. */
	bool arguments_only;
	const char *modprobe_conf;  /* generate's texts (unused with undo) */
	const char *initramfs_conf;
	struct pt_tokens cmdline;   /* kernel arguments the config implies */
	struct pt_tokens modules;   /* Alpine: modules= for ID-only rules */
};

/* Relative to the root: the config for early boot that apply writes after
 * `check` passed; the only one the initramfs hooks take. */
#define PT_INITRAMFS_CONF "var/lib/passthrough/initramfs.conf"
/* What apply added (pt_applied), for the next apply and --undo. */
#define PT_APPLIED_FILE "var/lib/passthrough/applied"

/* Where make install puts the Alpine init wrapper. */
#define PT_MKINITFS_INIT "/usr/share/passthrough/mkinitfs-init"

/* Returns 0 when done (or nothing to do), -errno on the first failure;
 * everything done and not done is reported on `out`. */
int pt_apply(const struct pt_apply_plan *plan, FILE *out);

/* generate's part alone: the modprobe.d file and the initramfs config. */
int pt_write_generated(const struct pt_apply_plan *plan, FILE *out, bool *changed);

#endif
