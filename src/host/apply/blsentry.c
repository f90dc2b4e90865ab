#include "blsentry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of a `key value` line: where it starts (past the key and its
 * blanks), or NULL when the line is another key's. */
static const char *key_value(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);

	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	if (len <= klen || strncmp(line, key, klen) || (line[klen] != ' ' && line[klen] != '\t'))
		return NULL;
	for (line += klen; *line == ' ' || *line == '\t'; line++)
		;
	return line;
}

bool pt_bls_is_linux(const char *text)
{
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");

		if (key_value(l, n, "linux"))
			return true;
		l += n + (l[n] == '\n');
	}
	return false;
}

int pt_bls_options(const char *text, struct pt_tokens *out)
{
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (const char *l = text; *l && r == 0;) {
		size_t n = strcspn(l, "\n");
		const char *v = key_value(l, n, "options");

		if (v) {
			char *value = strndup(v, n - (size_t)(v - l));
			struct pt_tokens words;

			r = value ? pt_tokens_split(value, ' ', &words) : -ENOMEM;
			if (r == 0)
				r = pt_tokens_merge(out, &words);
			if (value && r >= 0)
				pt_tokens_free(&words);
			free(value);
		}
		l += n + (l[n] == '\n');
	}
	if (r < 0)
		pt_tokens_free(out);
	return r;
}

/* Line by line: each options line with `remove` out, the last with `add`
 * in (pt_edit_cmdline_file on the value alone: the key, its blanks and
 * the newline stay). */
char *pt_bls_edit_options(const char *text, const struct pt_tokens *remove,
			  const struct pt_tokens *add, struct pt_shell_error *err)
{
	static const struct pt_tokens none;
	const char *last = NULL;
	size_t line = 1, len = 0, cap = strlen(text) + 1;
	char *out;

	for (const char *l = text; *l; line++) {
		size_t n = strcspn(l, "\n");
		const char *v = key_value(l, n, "options");

		if (v && memchr(v, '"', n - (size_t)(v - l))) {
			size_t quotes = 0;

			for (const char *c = v; c < l + n; c++)
				quotes += *c == '"';
			if (quotes % 2) {
				err->line = line;
				snprintf(err->what, sizeof(err->what), "an unterminated double quote "
					 "on the options line");
				return NULL;
			}
		}
		if (v)
			last = l;
		l += n + (l[n] == '\n');
	}
	if (!last) {
		err->line = 1;
		snprintf(err->what, sizeof(err->what), "the entry has no options line: add "
			 "`options root=...` as systemd-boot needs");
		return NULL;
	}
	for (size_t i = 0; i < add->n; i++)
		cap += strlen(add->v[i]) + 1;
	if (!(out = malloc(cap)))
		return NULL;
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n"), m;
		const char *v = key_value(l, n, "options");
		char *value, *edited;

		if (!v) {
			memcpy(out + len, l, n + (l[n] == '\n'));
			len += n + (l[n] == '\n');
			l += n + (l[n] == '\n');
			continue;
		}
		value = strndup(v, n - (size_t)(v - l));
		edited = value ? pt_edit_cmdline_file(value, remove, l == last ? add : &none) : NULL;
		free(value);
		if (!edited) {
			free(out);
			return NULL;
		}
		m = strlen(edited);
		if (len + (size_t)(v - l) + m + 2 > cap) {
			char *grown = realloc(out, (cap = len + (size_t)(v - l) + m + 2 + strlen(l)));

			if (!grown) {
				free(edited);
				free(out);
				return NULL;
			}
			out = grown;
		}
		memcpy(out + len, l, (size_t)(v - l));
		len += (size_t)(v - l);
		memcpy(out + len, edited, m);
		len += m;
		free(edited);
		if (l[n] == '\n')
			out[len++] = '\n';
		l += n + (l[n] == '\n');
	}
	out[len] = '\0';
	return out;
}
