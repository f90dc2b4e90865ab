#include "presets.h"
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The value of an assignment's right-hand side: one word, quoted or not
 * (presets hold paths and file names; anything fancier is kept as is). */
static void preset_value(const char *v, char *out, size_t len)
{
	size_t n = 0;
	char quote = 0;

	if (*v == '"' || *v == '\'')
		quote = *v++;
	for (; *v && *v != '\n' && n + 1 < len; v++) {
		if (quote ? *v == quote : (*v == ' ' || *v == '\t' || *v == '#' || *v == ';'))
			break;
		out[n++] = *v;
	}
	out[n] = '\0';
}

bool pt_preset_next(const char **pos, size_t *line, const char *suffix,
		    struct pt_preset_setting *out)
{
	size_t slen = strlen(suffix);

	while (**pos) {
		const char *s = *pos, *end = strchr(s, '\n'), *name;
		size_t nlen;

		*pos = end ? end + 1 : s + strlen(s);
		(*line)++;
		while (*s == ' ' || *s == '\t')
			s++;
		for (name = s; ident_char(*s); s++)
			;
		nlen = (size_t)(s - name);
		if (*s != '=' || nlen <= slen || nlen >= sizeof(out->name) ||
		    strncmp(s - slen, suffix, slen))
			continue;
		out->line = *line;
		snprintf(out->name, sizeof(out->name), "%.*s", (int)nlen, name);
		preset_value(s + 1, out->value, sizeof(out->value));
		return true;
	}
	return false;
}

bool pt_mkinitcpio_config_has_hook(const char *text, const char *hook)
{
	size_t hlen = strlen(hook);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *s = l, *end = strchr(l, '\n'), *hit;

		end = end ? end : l + strlen(l);
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "HOOKS", 5) || (s[5] != '=' && strncmp(s + 5, "+=", 2)))
			continue;
		for (hit = s; (hit = strstr(hit, hook)) && hit < end; hit += hlen) {
			const char *comment = memchr(s, '#', (size_t)(end - s));

			if (comment && comment < hit)
				break;
			if (!ident_char(hit[-1]) && !ident_char(hit[hlen]) && hit[-1] != '-' &&
			    hit[hlen] != '-')
				return true;
		}
	}
	return false;
}

bool pt_presets_build_uki(const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	bool uki = false;
	DIR *d;

	if (pt_path(dir, sizeof(dir), root, "etc/mkinitcpio.d") || !(d = opendir(dir)))
		return false;
	while (!uki && (e = readdir(d))) {
		size_t n = strlen(e->d_name), line = 0;
		struct pt_preset_setting s;
		const char *pos;
		char *text;

		if (n < 8 || strcmp(e->d_name + n - 7, ".preset"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(text = pt_read_file(path)))
			continue;
		/* _efi_image: the name before mkinitcpio 36, still read */
		for (pos = text, line = 0; !uki && pt_preset_next(&pos, &line, "_uki", &s);)
			uki = s.value[0] != '\0';
		for (pos = text, line = 0; !uki && pt_preset_next(&pos, &line, "_efi_image", &s);)
			uki = s.value[0] != '\0';
		free(text);
	}
	closedir(d);
	return uki;
}
