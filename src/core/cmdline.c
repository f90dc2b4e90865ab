#include "cmdline.h"

#include <string.h>

static bool blank(char c, char sep)
{
	return c == ' ' || c == '\t' || c == '\n' || (sep == ',' && c == ',');
}

int pt_cmdline_split(const char *text, size_t len, char sep,
		     int (*each)(const char *text, size_t start, size_t end, void *ctx),
		     void *ctx)
{
	size_t i = 0;

	while (i < len) {
		size_t start;
		bool quoted = false;
		int r;

		while (i < len && blank(text[i], sep))
			i++;
		if (i == len)
			break;
		start = i;
		for (; i < len; i++) {
			if (text[i] == '"')
				quoted = !quoted;
			else if (!quoted && blank(text[i], sep))
				break;
		}
		if ((r = each(text, start, i, ctx)))
			return r;
	}
	return 0;
}

struct wanted_key {
	const char *key;
	size_t klen;
	char *value;
	size_t len;
	bool found;
};

/* Each key=value (or bare key) token: its value, quotes removed; a later
 * one replaces it. */
static int take_value(const char *text, size_t start, size_t end, void *ctx)
{
	struct wanted_key *w = ctx;
	const char *tok = text + start, *val;
	size_t n = 0, tlen = end - start;

	if (tlen < w->klen || strncmp(tok, w->key, w->klen) != 0)
		return 0;
	if (tlen == w->klen)
		val = tok + tlen;
	else if (tok[w->klen] == '=')
		val = tok + w->klen + 1;
	else
		return 0;
	if (w->len == 0)
		return 0;
	for (; val < tok + tlen && n + 1 < w->len; val++)
		if (*val != '"')
			w->value[n++] = *val;
	w->value[n] = '\0';
	w->found = true;
	return 0;
}

bool pt_cmdline_get(const char *cmdline, const char *key, char *value,
		    size_t len)
{
	struct wanted_key w = { key, strlen(key), value, len, false };

	(void)pt_cmdline_split(cmdline, strlen(cmdline), ' ', take_value, &w);
	return w.found;
}

bool pt_cmdline_disabled(const char *cmdline)
{
	static const char *const off[] = { "off", "0", "no", "false" };
	char v[16];

	if (!pt_cmdline_get(cmdline, "passthrough", v, sizeof(v)))
		return false;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (strcmp(v, off[i]) == 0)
			return true;
	return false;
}
