/* mkinitcpio's presets (/etc/mkinitcpio.d/NAME.preset), bash files the
 * kernel packages install: which configs they name (mkinitcpio -c, with
 * which /etc/mkinitcpio.conf.d/ goes unread) and whether they build
 * unified kernel images (UKIs, whose command line is /etc/cmdline.d). */
#ifndef PT_PRESETS_H
#define PT_PRESETS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* One setting of a preset: `default_config="/etc/x.conf"`. */
struct pt_preset_setting {
	size_t line;          /* 1-based */
	char name[64];        /* default_config, ALL_config, fallback_uki... */
	char value[PATH_MAX]; /* quotes removed; empty when unset */
};

/* The next assignment at or after *pos whose name ends in `suffix`
 * ("_config", "_uki"), commented lines skipped; *pos and *line move past
 * it. false at the end of the text. */
bool pt_preset_next(const char **pos, size_t *line, const char *suffix,
		    struct pt_preset_setting *out);
/* Whether a mkinitcpio config's HOOKS name `hook` on a line that is not
 * a comment (HOOKS=(...) or HOOKS+=(...)). */
bool pt_mkinitcpio_config_has_hook(const char *text, const char *hook);
/* Whether a preset of ROOT/etc/mkinitcpio.d builds a UKI. */
bool pt_presets_build_uki(const char *root);

#endif
