/* The apply pass: the same steps on every boot path, its backends
 * (pass.h) doing what is theirs. Read the state and the admin's files
 * (anything that refuses, refuses before a write), plan the tokens that
 * are ours, claim them in the state, write generate's files, edit the
 * boot loader's and the generator's files, write the state, rebuild. */
#include "pass.h"
#include "fileio.h"
#include "generate.h"
#include "shellvars.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_applied(const struct pt_apply_plan *p, struct pt_applied *a)
{
	char path[PATH_MAX], *text;
	int r;

	memset(a, 0, sizeof(*a));
	if (pt_path(path, sizeof(path), p->root, APPLIED_FILE))
		return -ENAMETOOLONG;
	text = pt_read_file(path);
	if (!text)
		return errno == ENOENT ? 0 : -errno;
	r = pt_applied_parse(text, a);
	free(text);
	return r;
}

/* A modprobe.d/passthrough.conf without generate's header is the admin's,
 * never overwritten nor removed. */
static int check_modprobe_file_is_ours(const struct pt_apply_plan *p)
{
	char path[PATH_MAX], *text;
	bool ours;

	if (pt_path(path, sizeof(path), p->root, MODPROBE_FILE))
		return -ENAMETOOLONG;
	if (!(text = pt_read_file(path)))
		return errno == ENOENT ? 0 : -errno;
	ours = !strncmp(text, PT_GENERATED_HEADER, strlen(PT_GENERATED_HEADER));
	free(text);
	if (ours)
		return 0;
	apply_problem(p, "refused    /%s was not written by passthrough (it lacks the "
		"\"%s\" header): rename it (any name ending in .conf) and run apply "
		"again", MODPROBE_FILE, PT_GENERATED_HEADER);
	return -EEXIST;
}

/* Before anything is written, what can refuse the whole apply: the
 * modprobe.d file not ours, and each backend's reading of the admin's
 * files. */
static int read_admin_files(const struct pt_apply_plan *p, const struct pt_loader_backend *loader, const struct pt_generator *gen,
			    struct apply_admin *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = check_modprobe_file_is_ours(p)) < 0)
		return r;
	if (loader->read && (r = loader->read(p, a)) < 0)
		return r;
	return gen->read ? gen->read(p, a) : 0;
}

int pt_write_generated(const struct pt_apply_plan *p, bool *changed)
{
	int r = check_modprobe_file_is_ours(p);

	if (r == 0)
		r = apply_put_file(p, MODPROBE_FILE, p->modprobe_conf, false, changed);

	return r ? r : apply_put_file(p, INITRAMFS_CONF, p->initramfs_conf, false, changed);
}

/* The arguments into the boot loader's files, the binder into the
 * generator's; the change of arguments recorded and said. */
static int edit_boot(const struct pt_apply_plan *p, const struct pt_loader_backend *loader, const struct pt_generator *gen,
		     const struct pt_applied *before, const struct pt_applied *now,
		     const struct apply_admin *admin, bool *changed)
{
	static const struct pt_tokens none;
	bool args_changed = !apply_tokens_equal(&before->cmdline, &now->cmdline);
	int r = 0;

	if (loader->edit)
		r = loader->edit(p, before, now, admin, changed);
	if (r == 0 && gen->edit)
		r = gen->edit(p, before, changed);
	if (args_changed && p->journal && !p->journal->args_changed) {
		p->journal->args_changed = true;
		if (pt_tokens_merge(&p->journal->args_before, &before->cmdline) < 0 ||
		    pt_tokens_merge(&p->journal->args_after, p->undo ? &none : &now->cmdline) < 0)
			r = r ? r : -ENOMEM;
	}
	if (args_changed && !loader->says_arguments)
		apply_arguments(p, &before->cmdline, &now->cmdline);
	return r;
}

/* The images again, then the boot entries. */
static int rebuild(const struct pt_apply_plan *p, const struct pt_loader_backend *loader, const struct pt_generator *gen)
{
	int r = loader->rebuild ? loader->rebuild(p, gen) :
		gen->rebuild ? gen->rebuild(p) : 0;

	return r == 0 && loader->refresh ? loader->refresh(p) : r;
}

/* Before the admin's files are edited, the state claims every token apply
 * had or is about to add: a crash between the edits and the final state
 * must not leave tokens of ours in a file that the next apply would take
 * for the admin's (and never remove). Silent: the final state write
 * reports. Sets *claimed to the text written, if any. */
static int claim_tokens(const struct pt_apply_plan *p, const struct pt_applied *before,
			const struct pt_applied *now, char **claimed)
{
	struct pt_applied both = { 0 };
	char path[PATH_MAX];
	int r = 0;

	if (p->dry_run)
		return 0;
	r = pt_tokens_merge(&both.cmdline, &before->cmdline);
	if (r == 0)
		r = pt_tokens_merge(&both.cmdline, &now->cmdline);
	if (r == 0)
		r = pt_tokens_merge(&both.modules, &before->modules);
	if (r == 0)
		r = pt_tokens_merge(&both.modules, &now->modules);
	if (r == 0)
		r = pt_tokens_merge(&both.init_was, &now->init_was);
	if (r == 0)
		r = pt_tokens_merge(&both.created, &now->created);
	if (r == 0 && !(*claimed = pt_applied_render(&both)))
		r = -ENOMEM;
	if (r == 0 && pt_path(path, sizeof(path), p->root, APPLIED_FILE))
		r = -ENAMETOOLONG;
	if (r == 0)
		r = pt_write_file_atomic(path, *claimed, 0644, false, false);
	if (r == PT_FILE_UNCHANGED) {
		free(*claimed);
		*claimed = NULL;
	}
	pt_applied_free(&both);
	return r < 0 ? r : 0;
}

static int apply_pass(const struct pt_apply_plan *p, bool pending,
		      bool *changed);

static bool rebuild_pending(const struct pt_apply_plan *p)
{
	char path[PATH_MAX];

	return pt_path(path, sizeof(path), p->root, REBUILD_PENDING) == 0 &&
	       access(path, F_OK) == 0;
}

/* Whether a pass would change a file: the same pass, dry, its report
 * discarded. A pass that would refuse changes nothing. */
static bool would_change(const struct pt_apply_plan *p)
{
	struct pt_apply_journal quiet = { 0 }; /* a rehearsal: not what apply did */
	struct pt_apply_plan dry = *p;
	bool changed = false;

	dry.dry_run = true;
	dry.journal = &quiet;
	if (apply_pass(&dry, false, &changed) < 0)
		changed = false;
	pt_apply_journal_free(&quiet);
	return changed;
}

int pt_apply(const struct pt_apply_plan *p)
{
	char path[PATH_MAX];
	bool pending = rebuild_pending(p), changed = false;
	int r;

	apply_event(p, PT_EVENT_BEGIN, NULL);
	if (p->dry_run)
		apply_event(p, PT_EVENT_BOOT_PATH, p->boot.why);
	if (pt_path(path, sizeof(path), p->root, REBUILD_PENDING))
		return -ENAMETOOLONG;
	if (!p->dry_run && !pending && would_change(p)) {
		r = pt_write_file_atomic(path, "# `passthrough apply` has not finished "
					 "rebuilding; the next apply does it.\n",
					 0644, false, false);
		if (r < 0) {
			apply_problem(p, "failed     /%s: %s", REBUILD_PENDING, strerror(-r));
			apply_eventf(p, PT_EVENT_STOPPED, "apply stopped (%s): nothing was changed",
				     strerror(-r));
			return r;
		}
		pending = true;
	}
	r = apply_pass(p, pending, &changed);
	if (p->journal)
		p->journal->changed = changed || pending;
	if (r == 0 && pending && !p->dry_run)
		r = pt_remove_file(path, false) < 0 ? -EIO : 0;
	return r;
}

/* What turns the binder on at boot: the config for the initramfs and
 * the modprobe.d file. */
static int drop_binder_files(const struct pt_apply_plan *p, bool *changed)
{
	int r = apply_drop_file(p, MODPROBE_FILE, changed);

	return r ? r : apply_drop_file(p, INITRAMFS_CONF, changed);
}

/* How the pass ended, and what to do next. */
static void say_outcome(const struct pt_apply_plan *p, int r, bool changed, bool pending)
{
	if (r == 0 && !changed && !pending)
		apply_event(p, PT_EVENT_NOTE, "nothing changed");
	if (r == 0 && (changed || pending) && !p->dry_run)
		apply_event(p, PT_EVENT_NEXT, p->undo ?
			"Next: reboot; no device is bound by passthrough then." :
			p->arguments_only ?
			"Next: reboot (step 1 of 2 done: the kernel arguments are set, no "
			"device is bound). Then run `passthrough apply` again: it checks "
			"the IOMMU groups and turns the binder on. If the IOMMU is still "
			"off, enable VT-d in the firmware setup." :
			"Next: reboot, then run `passthrough status`. If the host does not "
			"come back, boot once with passthrough=off on the kernel command "
			"line (GRUB or systemd-boot: press e on the entry), fix the config, and apply "
			"again.");
	if (r < 0 && !changed)
		apply_eventf(p, PT_EVENT_STOPPED, "apply stopped (%s): nothing was changed",
			     strerror(-r));
	else if (r < 0)
		apply_eventf(p, PT_EVENT_STOPPED, "apply stopped (%s): the files listed as "
			     "written are in place, the others are as they were; run %s "
			     "again once the cause is fixed", strerror(-r),
			     p->undo ? "`passthrough apply --undo`" : "`passthrough apply`");
}

/* One pass of apply; with `pending`, the rebuild runs even when no file
 * changes (an earlier apply's rebuild did not finish). */
static int apply_pass(const struct pt_apply_plan *p, bool pending,
		      bool *changed_out)
{
	const struct pt_loader_backend *loader = pt_loader_backend_of(p->boot.loader);
	const struct pt_generator *gen = pt_generator_of(p->distro);
	struct pt_applied before, now = { 0 };
	struct apply_admin admin = { 0 };
	bool changed = false;
	char *state = NULL, *claimed = NULL;
	int r;

	r = read_applied(p, &before);
	/* What can refuse the whole apply is decided before anything is
	 * written. */
	if (r == 0)
		r = read_admin_files(p, loader, gen, &admin);
	if (r < 0)
		goto out;
	if (!p->undo) {
		r = pt_tokens_ours(&p->cmdline, &admin.cmdline, &before.cmdline, &now.cmdline);
		if (r == 0)
			r = pt_tokens_ours(&p->modules, &admin.modules, &before.modules,
					   &now.modules);
		if (r == 0 && gen->plan)
			r = gen->plan(p, &admin, &before, &now);
		/* a file apply created stays apply's to remove */
		if (r == 0)
			r = pt_tokens_merge(&now.created, &before.created);
		if (r == 0 && loader->plan)
			r = loader->plan(p, &admin, &before, &now);
		if (r == 0 && !p->arguments_only)
			r = pt_write_generated(p, &changed);
		else if (r == 0)
			r = drop_binder_files(p, &changed);
	} else {
		r = drop_binder_files(p, &changed);
	}
	if (r == 0 && !p->undo)
		r = claim_tokens(p, &before, &now, &claimed);
	if (r == 0)
		r = edit_boot(p, loader, gen, &before, &now, &admin, &changed);
	if (r == 0 && !p->undo) {
		state = pt_applied_render(&now);
		if (state && claimed && !strcmp(state, claimed)) {
			apply_say(p, "written", APPLIED_FILE); /* by claim_tokens, already final */
			changed = true;
		} else {
			r = state ? apply_put_file(p, APPLIED_FILE, state, false, &changed) : -ENOMEM;
		}
	} else if (r == 0) {
		r = apply_drop_file(p, APPLIED_FILE, &changed);
	}
	if (r == 0 && !changed && pending)
		apply_event(p, PT_EVENT_NOTE, p->dry_run ?
			    "an earlier apply did not finish rebuilding: apply would rebuild now" :
			    "an earlier apply did not finish rebuilding: rebuilding now");
	if (r == 0 && (changed || pending))
		r = rebuild(p, loader, gen);
out:
	*changed_out = changed;
	say_outcome(p, r, changed, pending);
	free(state);
	free(claimed);
	pt_applied_free(&before);
	pt_applied_free(&now);
	apply_admin_free(&admin);
	return r;
}
