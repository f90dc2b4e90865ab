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
#include "tokens.h"

#include <stdbool.h>
#include <stdio.h>

/* What an apply did, for `apply --json` (configuration management). */
struct pt_apply_file {
	char *path;        /* "/etc/kernel/cmdline" */
	const char *action; /* written, removed, unchanged, would write, would remove */
	char *backup;      /* the admin's version apply keeps, or NULL */
};

struct pt_apply_command {
	char **argv;       /* NULL-terminated */
	bool ran;          /* false: --dry-run or --root */
	int status;        /* its exit status; -1 when it could not start */
};

struct pt_apply_journal {
	struct pt_apply_file *files;
	size_t n_files;
	struct pt_apply_command *commands;
	size_t n_commands;
	char **problems;   /* each refused, failed or missing line */
	size_t n_problems;
	struct pt_tokens args_before, args_after; /* set when they changed */
	bool args_changed;
	bool changed;      /* a file or the boot entries changed: reboot */
};

void pt_apply_journal_free(struct pt_apply_journal *j);

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
	/* NULL, or where apply records what it does (and commands' output
	 * goes to stderr, leaving stdout to the JSON) */
	struct pt_apply_journal *journal;
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
