/* mkinitcpio on Arch Linux and its derivatives: our hook (mkinitcpio/) in
 * HOOKS through a drop-in of /etc/mkinitcpio.conf.d, then `mkinitcpio -P`
 * for every preset. A preset that names its config (`default_config=`,
 * `ALL_config=`) makes mkinitcpio run with -c, which skips the drop-ins:
 * such a config must list the hook itself, or apply refuses. */
#include "pass.h"
#include "presets.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MKINITCPIO_DROPIN "etc/mkinitcpio.conf.d/passthrough.conf"
#define PRESETS_DIR "etc/mkinitcpio.d"

/* mkinitcpio/passthrough.conf, as the package's copy of it */
static const char dropin[] =
#include "mkinitcpio-dropin.inc"
	;

/* The config a preset names reads no drop-in: refused unless it lists
 * the hook already. */
static int check_named_config(const struct pt_apply_plan *p, const char *preset,
			      const struct pt_preset_setting *s)
{
	char path[PATH_MAX], *text;
	bool has_hook;

	if (pt_path(path, sizeof(path), p->root, "%s", s->value))
		return -ENAMETOOLONG;
	text = pt_read_file(path);
	has_hook = text && pt_mkinitcpio_config_has_hook(text, "passthrough");
	free(text);
	if (has_hook)
		return 0;
	apply_problem(p, "refused    /%s/%s line %zu: %s=\"%s\" makes mkinitcpio skip "
		      "/etc/mkinitcpio.conf.d, where apply turns the passthrough hook on: "
		      "add passthrough to HOOKS in %s (or remove that line), then run apply "
		      "again", PRESETS_DIR, preset, s->line, s->name, s->value, s->value);
	return -EINVAL;
}

static int mkinitcpio_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent **names = NULL;
	int n, r = 0;

	(void)a;
	if (p->undo || p->arguments_only)
		return 0;
	if (pt_path(dir, sizeof(dir), p->root, PRESETS_DIR))
		return -ENAMETOOLONG;
	n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name), line = 0;
		struct pt_preset_setting s;
		const char *pos;
		char *text = NULL;

		if (r == 0 && len > 7 && !strcmp(names[i]->d_name + len - 7, ".preset")) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			text = pt_read_file(path);
		}
		for (pos = text; r == 0 && text && pt_preset_next(&pos, &line, "_config", &s);)
			if (s.value[0])
				r = check_named_config(p, names[i]->d_name, &s);
		free(text);
		free(names[i]);
	}
	free(names);
	return r;
}

/* The drop-in, or none with the binder off (undo, step 1). */
static int mkinitcpio_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
			   bool *changed)
{
	(void)before;
	if (p->undo || p->arguments_only)
		return apply_drop_file(p, MKINITCPIO_DROPIN, changed);
	return apply_put_file(p, MKINITCPIO_DROPIN, dropin, false, changed);
}

/* Every preset's images (and UKIs, whose command line is /etc/cmdline.d). */
static int mkinitcpio_rebuild(const struct pt_apply_plan *p)
{
	char *argv[] = { "mkinitcpio", "-P", NULL };

	return apply_run(p, argv);
}

const struct pt_generator pt_generator_mkinitcpio = {
	.family = PT_DISTRO_ARCH,
	.name = "mkinitcpio",
	.read = mkinitcpio_read,
	.edit = mkinitcpio_edit,
	.rebuild = mkinitcpio_rebuild,
};
