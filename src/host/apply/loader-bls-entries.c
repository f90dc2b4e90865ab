/* systemd-boot entries the admin writes by hand, as Arch installs
 * systemd-boot (bootctl install and loader/entries/arch.conf; no
 * kernel-install hook): our tokens go on each Linux entry's last
 * `options` line, in place, and undo takes exactly them out. The entries
 * are on the ESP, or on an XBOOTLDR partition mounted at /boot. No
 * command rebuilds them: systemd-boot reads them at the next boot. */
#include "pass.h"
#include "blsentry.h"
#include "bootpath.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The Linux entries, relative to the root, sorted. */
static int list_entries(const struct pt_apply_plan *p, struct pt_tokens *out)
{
	struct pt_boot_facts f;
	char dirs[2][64], dir[PATH_MAX], rel[PATH_MAX];
	int r = 0;

	memset(out, 0, sizeof(*out));
	pt_boot_facts_read(p->root, &f);
	snprintf(dirs[0], sizeof(dirs[0]), "%s/loader/entries", f.systemd_boot[0] ? f.systemd_boot : "boot");
	snprintf(dirs[1], sizeof(dirs[1]), "boot/loader/entries");
	for (int d = 0; d < (strcmp(dirs[0], dirs[1]) ? 2 : 1) && r == 0; d++) {
		struct dirent **names = NULL;
		int n;

		if (pt_path(dir, sizeof(dir), p->root, "%s", dirs[d]))
			return -ENAMETOOLONG;
		n = scandir(dir, &names, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			size_t len = strlen(names[i]->d_name);
			char *text = NULL;

			if (r == 0 && len > 5 && !strcmp(names[i]->d_name + len - 5, ".conf") &&
			    snprintf(rel, sizeof(rel), "%s/%s", dirs[d], names[i]->d_name) <
				    (int)sizeof(rel) &&
			    !pt_path(dir, sizeof(dir), p->root, "%s", rel) &&
			    (text = pt_read_file(dir)) && pt_bls_is_linux(text))
				r = pt_tokens_add(out, rel);
			free(text);
			free(names[i]);
		}
		free(names);
	}
	return r;
}

/* The options every entry holds. A token we would add that some entries
 * have and others lack is refused: whose it is would differ by entry,
 * and undo could take the admin's away. */
static int entries_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	struct pt_tokens entries, *each = NULL;
	char path[PATH_MAX];
	int r = list_entries(p, &entries);

	if (r == 0 && !entries.n) {
		apply_problem(p, "refused    no systemd-boot entry for Linux in loader/entries: "
			      "write one (bootctl install, then an entry with linux, initrd and "
			      "options root=...) and run apply again");
		r = -ENOENT;
	}
	if (r == 0 && !(each = calloc(entries.n, sizeof(*each))))
		r = -ENOMEM;
	for (size_t i = 0; i < entries.n && r == 0; i++) {
		char *text;

		if ((r = pt_path(path, sizeof(path), p->root, "%s", entries.v[i])))
			break;
		if (!(text = pt_read_file(path))) {
			r = -errno;
			break;
		}
		r = pt_bls_options(text, &each[i]);
		free(text);
		if (r == 0)
			r = pt_tokens_merge(&a->cmdline, &each[i]);
	}
	for (size_t t = 0; t < p->cmdline.n && r == 0 && !p->undo; t++) {
		size_t have = 0;

		for (size_t i = 0; i < entries.n; i++)
			have += pt_tokens_contain(&each[i], p->cmdline.v[t]);
		if (have && have < entries.n) {
			apply_problem(p, "refused    %s is in some systemd-boot entries and not in "
				      "others (/%s): put it in all or none, then run apply again",
				      p->cmdline.v[t], entries.v[0]);
			r = -EINVAL;
		}
	}
	for (size_t i = 0; each && i < entries.n; i++)
		pt_tokens_free(&each[i]);
	free(each);
	pt_tokens_free(&entries);
	return r;
}

static int entries_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
			const struct pt_applied *now, const struct apply_admin *a, bool *changed)
{
	static const struct pt_tokens none;
	const struct apply_edit edit = { .old = &before->cmdline,
					 .add = p->undo ? &none : &now->cmdline,
					 .editor = pt_bls_edit_options };
	struct pt_tokens entries;
	int r = list_entries(p, &entries);

	(void)a;
	for (size_t i = 0; i < entries.n && r == 0; i++)
		r = apply_edit_file(p, entries.v[i], &edit, 1, changed);
	pt_tokens_free(&entries);
	return r;
}

const struct pt_loader_backend pt_loader_bls_entries = {
	.loader = PT_LOADER_BLS_ENTRIES,
	.read = entries_read,
	.edit = entries_edit,
};
