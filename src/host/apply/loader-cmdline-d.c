/* Unified kernel images built by mkinitcpio (a preset's `*_uki=`): the
 * command line is sealed into each image from /etc/kernel/cmdline and
 * the .conf files of /etc/cmdline.d (lines not starting with '#'), so our arguments
 * are a file of our own there, and `mkinitcpio -P` (the generator's
 * rebuild) seals them in. The admin's files are only read. */
#include "pass.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMDLINE_D "etc/cmdline.d"
#define OURS "passthrough.conf"
#define HEADER "# Written by `passthrough apply` (removed by `passthrough apply --undo`)\n"

/* The tokens of a cmdline file as mkinitcpio reads it: comment lines out. */
static int add_file_tokens(const char *path, struct pt_tokens *out)
{
	char *text = pt_read_file(path);
	int r = 0;

	if (!text)
		return errno == ENOENT ? 0 : -errno;
	for (char *l = text; l && *l && r == 0;) {
		char *end = strchr(l, '\n');
		struct pt_tokens words = { 0 };

		if (end)
			*end = '\0';
		if (*l != '#' && (r = pt_tokens_split(l, ' ', &words)) == 0)
			r = pt_tokens_merge(out, &words);
		pt_tokens_free(&words);
		l = end ? end + 1 : NULL;
	}
	free(text);
	return r;
}

static bool is_ours(const char *path)
{
	char *text = pt_read_file(path);
	bool ours = !text || !strncmp(text, HEADER, strlen(HEADER));

	free(text);
	return ours;
}

static int cmdline_d_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent **names = NULL;
	int n, r;

	if (pt_path(path, sizeof(path), p->root, KERNEL_CMDLINE) ||
	    pt_path(dir, sizeof(dir), p->root, CMDLINE_D))
		return -ENAMETOOLONG;
	r = add_file_tokens(path, &a->cmdline);
	n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (r == 0 && !strcmp(names[i]->d_name, OURS) && !is_ours(path)) {
			apply_problem(p, "refused    /%s/%s was not written by passthrough (it "
				      "lacks the \"%.40s...\" header): rename it and run apply "
				      "again", CMDLINE_D, OURS, HEADER);
			r = -EEXIST;
		} else if (r == 0 && strcmp(names[i]->d_name, OURS) && len > 5 &&
			   !strcmp(names[i]->d_name + len - 5, ".conf")) {
			r = add_file_tokens(path, &a->cmdline);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

static int cmdline_d_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
			  const struct pt_applied *now, const struct apply_admin *a,
			  bool *changed)
{
	char *args, *text;
	int r;

	(void)before;
	(void)a;
	if (p->undo || !now->cmdline.n)
		return apply_drop_file(p, CMDLINE_D "/" OURS, changed);
	if (!(args = apply_join(&now->cmdline, ' ')))
		return -ENOMEM;
	r = asprintf(&text, "%s%s\n", HEADER, args) < 0 ? -ENOMEM : 0;
	free(args);
	if (r == 0) {
		r = apply_put_file(p, CMDLINE_D "/" OURS, text, false, changed);
		free(text);
	}
	return r;
}

const struct pt_loader_backend pt_loader_cmdline_d = {
	.loader = PT_LOADER_UKI_CMDLINE_D,
	.read = cmdline_d_read,
	.edit = cmdline_d_edit,
};
