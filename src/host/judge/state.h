/* Where the admin stands: one state of the setup, decided from what apply
 * left (its state file, the initramfs config), this boot (its command
 * line, when it started, the binder's lines in the kernel log) and the
 * admin's file, and the one command to run next. status, check and list
 * say it first, so none of them sends the admin to a command that would
 * do nothing. A pure function: the facts are read by the session. */
#ifndef PT_STATE_H
#define PT_STATE_H

#include "machine.h"

#include <stdbool.h>

enum pt_setup_state {
	PT_STATE_NOT_APPLIED,     /* apply never ran (or its state is gone) */
	PT_STATE_UNDONE,          /* undone; this boot's binder still bound devices */
	PT_STATE_STEP1_PENDING,   /* step 1 written; reboot for its arguments */
	PT_STATE_STEP1_BOOTED,    /* step 1's arguments in this boot: apply again */
	PT_STATE_APPLIED_PENDING, /* applied after this boot started: reboot */
	PT_STATE_ARGS_MISSING,    /* booted since apply, its arguments are not here */
	PT_STATE_BINDER_SILENT,   /* booted since apply, the binder left no line */
	PT_STATE_APPLIED_BOOTED,  /* applied, and this boot is the applied one */
	PT_STATE_UNFINISHED,      /* apply or its undo stopped before its rebuild */
};

struct pt_state_facts {
	bool has_rules;             /* the admin's config has a [device.*] rule */
	bool applied;               /* apply's state file is there */
	bool unfinished;            /* ... its rebuild-pending file: a rebuild failed */
	bool binder_on;             /* ... and the initramfs config (step 2) */
	bool config_edited;         /* the admin's file differs from the one applied */
	bool args_in_boot;          /* every argument apply set is on /proc/cmdline */
	enum pt_known applied_before_boot; /* the state file predates this boot */
	bool binder_ran;            /* the binder's lines are in the kernel log */
	const char *args;           /* the arguments apply set, "" when none */
	const char *config;         /* the admin's file, for the texts */
	const char *missing_cause;  /* why arguments may miss a boot (the loader's) */
	const char *rebuild;        /* the family's initramfs rebuild command */
};

struct pt_setup {
	enum pt_setup_state state;
	bool config_edited;
	/* the machine is as the applied state says (status exits 0) */
	bool as_applied;
	/* the devices are judged against the applied config */
	bool judge_devices;
	char summary[256]; /* what the state is, one sentence */
	char next[512];    /* the one thing to do next, "" when nothing */
	/* with config_edited: which devices the edit would take or give
	 * back ("" when none is known); filled by status */
	char edit[512];
};

void pt_setup_decide(const struct pt_state_facts *f, struct pt_setup *out);
/* "not-applied", "step1-pending"...: for --json and scripts */
const char *pt_setup_state_name(enum pt_setup_state s);

#endif
