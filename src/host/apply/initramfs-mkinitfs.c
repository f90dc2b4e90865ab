/* mkinitfs on Alpine: the passthrough feature in /etc/mkinitfs/mkinitfs.conf
 * and our init wrapper as its init=, which runs the binder before
 * nlplug-findfs (mkinitfs/). */
#include "pass.h"
#include "shellvars.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mkinitfs.conf must be editable, and its init= ours, unset or Alpine's
 * own default (which apply replaces and undo puts back): another custom
 * init would be silently replaced. */
static int mkinitfs_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	static const char *const vars[] = { "features", "init", NULL };
	char *text;
	int r;

	if (!(text = apply_read_editable(p, MKINITFS_CONF, vars, &r)))
		return r;
	r = pt_assignment_tokens(text, "init", ' ', &a->init);
	free(text);
	if (r == 0 && !p->undo && a->init.n &&
	    (a->init.n > 1 || (strcmp(a->init.v[0], PT_MKINITFS_INIT) &&
			       strcmp(a->init.v[0], ALPINE_INIT)))) {
		apply_problem(p, "refused    /%s sets init=%s already; passthrough needs "
			      "init=%s to run before nlplug-findfs",
			      MKINITFS_CONF, a->init.v[0], PT_MKINITFS_INIT);
		r = -EEXIST;
	}
	return r;
}

/* The init= value apply replaces: Alpine's default, once; with the binder
 * off (step 1) none, and init is put back as by undo. */
static int mkinitfs_plan(const struct pt_apply_plan *p, const struct apply_admin *a,
			 const struct pt_applied *before, struct pt_applied *now)
{
	int r = 0;

	if (p->arguments_only)
		return 0;
	if (pt_tokens_contain(&a->init, ALPINE_INIT))
		return pt_tokens_add(&now->init_was, ALPINE_INIT);
	if (pt_tokens_contain(&a->init, PT_MKINITFS_INIT))
		for (size_t i = 0; i < before->init_was.n && r == 0; i++)
			r = pt_tokens_add(&now->init_was, before->init_was.v[i]);
	return r;
}

/* The passthrough feature and our init in mkinitfs.conf; with the binder
 * off (undo, step 1), neither, and the init= apply replaced back. */
static int mkinitfs_edit(const struct pt_apply_plan *p, const struct pt_applied *before, bool *changed)
{
	static const struct pt_tokens none;
	bool binder_off = p->undo || p->arguments_only;
	struct pt_tokens feature = { 0 }, init = { 0 }, old_init = { 0 };
	int r;

	pt_tokens_add(&feature, "passthrough");
	pt_tokens_add(&init, PT_MKINITFS_INIT);
	/* ours replaces Alpine's default, which undo puts back */
	pt_tokens_add(&old_init, PT_MKINITFS_INIT);
	pt_tokens_add(&old_init, ALPINE_INIT);
	const struct apply_edit edits[] = {
		{ .var = "features", .sep = ' ', .old = &feature,
		  .add = binder_off ? &none : &feature },
		{ .var = "init", .sep = ' ', .old = binder_off ? &init : &old_init,
		  .add = binder_off ? &before->init_was : &init },
	};

	r = apply_edit_file(p, MKINITFS_CONF, edits, 2, changed);
	pt_tokens_free(&feature);
	pt_tokens_free(&init);
	pt_tokens_free(&old_init);
	return r;
}

/* One image per installed kernel (update-extlinux writes the entries). */
static int mkinitfs_rebuild(const struct pt_apply_plan *p)
{
	struct pt_tokens kernels;
	int r = apply_installed_kernels(p, &kernels);

	for (size_t i = 0; i < kernels.n && r == 0; i++) {
		char *argv[] = { "mkinitfs", kernels.v[i], NULL };

		r = apply_run(p, argv);
	}
	if (r == 0 && !kernels.n) {
		char *argv[] = { "mkinitfs", NULL };

		r = apply_run(p, argv);
	}
	pt_tokens_free(&kernels);
	return r;
}

const struct pt_generator pt_generator_mkinitfs = {
	.family = PT_DISTRO_ALPINE,
	.name = "mkinitfs",
	.read = mkinitfs_read,
	.plan = mkinitfs_plan,
	.edit = mkinitfs_edit,
	.rebuild = mkinitfs_rebuild,
};
