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

/* What the pass records, in order; a renderer (output/report-apply.c)
 * shows each as it comes, for the text, and the JSON is the journal as a
 * whole at the end: two renderings of one record, as check's findings. */
enum pt_apply_event_kind {
	PT_EVENT_BEGIN,     /* the pass starts (the plan says which) */
	PT_EVENT_BOOT_PATH, /* a dry run: the boot path found, and why */
	PT_EVENT_FILE,      /* path, action */
	PT_EVENT_COMMAND,   /* argv, about to run (will_run) or what would */
	PT_EVENT_PROBLEM,   /* text: refused, failed or missing, and why */
	PT_EVENT_ARGUMENTS, /* before, after: the kernel's arguments changed */
	PT_EVENT_NOTE,      /* text: about the pass itself */
	PT_EVENT_NEXT,      /* text: what to do now */
	PT_EVENT_STOPPED,   /* text: why the pass stopped, and what it left */
};

struct pt_apply_event {
	enum pt_apply_event_kind kind;
	const char *path, *action; /* PT_EVENT_FILE: "/etc/...", "written" */
	char *const *argv;         /* PT_EVENT_COMMAND */
	bool will_run;
	const char *text;
	const struct pt_tokens *before, *after;
};

struct pt_apply_plan;
struct pt_apply_journal;
typedef void pt_apply_show_fn(const struct pt_apply_plan *p, const struct pt_apply_journal *j,
			      const struct pt_apply_event *e, void *data);

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
	char *next;        /* the next step said, or NULL */
	char *stopped;     /* why the pass stopped, or NULL */
	/* Shows each event as it is recorded; NULL: a rehearsal, quiet. */
	pt_apply_show_fn *show;
	void *show_data;
	/* With --json stdout is the JSON's: the commands speak on stderr. */
	bool commands_to_stderr;
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
	/* Where the pass records what it does (never NULL when it runs). */
	struct pt_apply_journal *journal;
};

/* Relative to the root: the config for early boot that apply writes after
 * `check` passed; the only one the initramfs hooks take. */
#define PT_INITRAMFS_CONF "var/lib/passthrough/initramfs.conf"
/* What apply added (pt_applied), for the next apply and --undo. */
#define PT_APPLIED_FILE "var/lib/passthrough/applied"
/* Exists from before apply (or its undo) changes anything until the
 * initramfs and the boot loader were rebuilt: a rebuild that failed (a full
 * /boot) or never ran (a crash) is done by the next apply, even when no
 * file changes; status says so meanwhile. */
#define PT_REBUILD_PENDING "var/lib/passthrough/rebuild-pending"

/* Where make install puts the Alpine init wrapper. */
#define PT_MKINITFS_INIT "/usr/share/passthrough/mkinitfs-init"

/* Returns 0 when done (or nothing to do), -errno on the first failure;
 * everything done and not done is in plan->journal. */
int pt_apply(const struct pt_apply_plan *plan);

/* generate's part alone: the modprobe.d file and the initramfs config. */
int pt_write_generated(const struct pt_apply_plan *plan, bool *changed);

#endif
