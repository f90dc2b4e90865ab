/* grubby on Fedora and RHEL: it edits every boot entry itself. */
#include "pass.h"
#include "shellvars.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fedora: the arguments the running kernel booted with and those grubby
 * gives new kernels (/etc/kernel/cmdline); either file may be missing. */
static int grubby_read_cmdline(const struct pt_apply_plan *p, struct pt_tokens *present)
{
	static const char *const files[] = { "proc/cmdline", "etc/kernel/cmdline" };
	int r = 0;

	for (size_t i = 0; i < 2 && r == 0; i++) {
		char path[PATH_MAX], *text;
		struct pt_tokens t;

		if (pt_path(path, sizeof(path), p->root, "%s", files[i]) ||
		    !(text = pt_read_file(path)))
			continue;
		r = pt_tokens_split(text, ' ', &t);
		free(text);
		for (size_t j = 0; r == 0 && j < t.n; j++)
			r = pt_tokens_add(present, t.v[j]);
		if (r == 0)
			pt_tokens_free(&t);
	}
	return r;
}

static int grubby_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	return grubby_read_cmdline(p, &a->cmdline);
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
	.edit = grubby_edit,
	.says_arguments = true,
};
