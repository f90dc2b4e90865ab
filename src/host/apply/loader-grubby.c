/* grubby on Fedora and RHEL: it edits every boot entry itself. */
#include "pass.h"
#include "shellvars.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each token of text, once, into present; a variable grub expands
 * ("$kernelopts", "$tuned_params") is no argument itself. */
static int add_tokens(struct pt_tokens *present, const char *text)
{
	struct pt_tokens t;
	int r = pt_tokens_split(text, ' ', &t);

	for (size_t i = 0; r == 0 && i < t.n; i++)
		if (t.v[i][0] != '$' && !pt_tokens_contain(present, t.v[i]))
			r = pt_tokens_add(present, t.v[i]);
	pt_tokens_free(&t);
	return r;
}

static char *read_rel(const struct pt_apply_plan *p, const char *rel)
{
	char path[PATH_MAX];

	return pt_path(path, sizeof(path), p->root, "%s", rel) ? NULL : pt_read_file(path);
}

/* The options of every boot entry (BLS: /boot/loader/entries/NAME.conf),
 * with RHEL 8's "$kernelopts" taken from grubenv. */
static int read_entries(const struct pt_apply_plan *p, struct pt_tokens *present)
{
	char dir[PATH_MAX], *grubenv = read_rel(p, "boot/grub2/grubenv"), *kernelopts = NULL;
	struct dirent **names = NULL;
	int n, r = 0;

	for (char *line = grubenv; line && *line; line += strcspn(line, "\n") + !!line[strcspn(line, "\n")])
		if (!strncmp(line, "kernelopts=", 11))
			kernelopts = strndup(line + 11, strcspn(line + 11, "\n"));
	if (pt_path(dir, sizeof(dir), p->root, "boot/loader/entries") == 0 &&
	    (n = scandir(dir, &names, NULL, alphasort)) > 0) {
		for (int i = 0; i < n; i++) {
			char rel[PATH_MAX], *text;
			size_t len = strlen(names[i]->d_name);

			if (r == 0 && len > 5 && !strcmp(names[i]->d_name + len - 5, ".conf") &&
			    snprintf(rel, sizeof(rel), "boot/loader/entries/%s", names[i]->d_name) <
				    (int)sizeof(rel) && (text = read_rel(p, rel))) {
				for (char *line = strtok(text, "\n"); line && r == 0; line = strtok(NULL, "\n"))
					if (!strncmp(line, "options", 7) && (line[7] == ' ' || line[7] == '\t'))
						r = add_tokens(present, line + 8);
				free(text);
			}
			free(names[i]);
		}
		free(names);
	}
	if (r == 0 && kernelopts)
		r = add_tokens(present, kernelopts);
	free(kernelopts);
	free(grubenv);
	return r;
}

/* What the admin's boot configuration holds, where grubby reads and
 * writes it: every entry (and grubenv's kernelopts), /etc/kernel/cmdline
 * (new kernels' entries) and GRUB_CMDLINE_LINUX in /etc/default/grub.
 * Not the running command line: an argument typed once at the GRUB
 * prompt is in no entry, and apply must still make it persistent. */
static int grubby_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	char *text = read_rel(p, "etc/kernel/cmdline");
	int r = read_entries(p, &a->cmdline);

	if (r == 0 && text)
		r = add_tokens(&a->cmdline, text);
	free(text);
	if (r == 0 && (text = read_rel(p, "etc/default/grub"))) {
		struct pt_tokens grub;

		if (pt_assignment_tokens(text, "GRUB_CMDLINE_LINUX", ' ', &grub) == 0) {
			r = pt_tokens_merge(&a->cmdline, &grub);
			pt_tokens_free(&grub);
		}
		free(text);
	}
	return r;
}

/* grubby replaces every value of a name (grubby-bls update_args): adding
 * intel_iommu=on where the admin has intel_iommu=on,sm_on would destroy
 * theirs, and removing ours on undo would lose it for good. Such a pair is
 * refused before anything is written, with both values named; a value we
 * added before is ours to replace. */
static int grubby_plan(const struct pt_apply_plan *p, const struct apply_admin *a,
		       const struct pt_applied *before, struct pt_applied *now)
{
	for (size_t i = 0; i < now->cmdline.n; i++) {
		const char *ours = now->cmdline.v[i], *eq = strchr(ours, '=');

		if (!eq)
			continue;
		for (size_t k = 0; k < a->cmdline.n; k++) {
			const char *theirs = a->cmdline.v[k];

			if (strncmp(theirs, ours, (size_t)(eq - ours) + 1) || !strcmp(theirs, ours) ||
			    pt_tokens_contain(&before->cmdline, theirs))
				continue;
			apply_problem(p, "refused    the boot entries have %s, and passthrough would "
				      "set %s: grubby replaces every value of a name, so the admin's "
				      "would be lost; make them agree (change the config, or remove "
				      "yours: grubby --update-kernel=ALL --remove-args=%s), then run "
				      "apply again", theirs, ours, theirs);
			return -EEXIST;
		}
	}
	return 0;
}

/* grubby --update-kernel=ALL with our tokens added and the ones we no
 * longer want removed. */
static int grubby_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
		       const struct pt_applied *now, const struct apply_admin *a, bool *changed)
{
	struct pt_tokens gone = { 0 };
	char *add, *del, *remove_arg = NULL, *args_arg = NULL;
	int r = 0;

	(void)a;
	if (apply_tokens_equal(&before->cmdline, &now->cmdline))
		return 0;
	add = apply_join(&now->cmdline, ' ');
	for (size_t i = 0; i < before->cmdline.n; i++)
		if (!pt_tokens_contain(&now->cmdline, before->cmdline.v[i]))
			pt_tokens_add(&gone, before->cmdline.v[i]);
	del = apply_join(&gone, ' ');
	if (add && del && asprintf(&remove_arg, "--remove-args=%s", del) >= 0 &&
	    asprintf(&args_arg, "--args=%s", add) >= 0) {
		char *argv[5] = { "grubby", "--update-kernel=ALL", NULL, NULL, NULL };
		size_t n = 2;

		if (gone.n)
			argv[n++] = remove_arg;
		if (now->cmdline.n)
			argv[n++] = args_arg;
		r = apply_run(p, argv);
		*changed = true;
	}
	free(add);
	free(del);
	free(remove_arg);
	free(args_arg);
	pt_tokens_free(&gone);
	return r;
}

const struct pt_loader_backend pt_loader_grubby = {
	.loader = PT_LOADER_GRUBBY,
	.read = grubby_read,
	.plan = grubby_plan,
	.edit = grubby_edit,
	.says_arguments = true,
};
