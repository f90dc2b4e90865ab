#include "distro.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const distro_names[] = { "unknown", "debian", "fedora", "alpine" };

const char *pt_distro_name(enum pt_distro d)
{
	return distro_names[d];
}

static enum pt_distro family_of(const char *id)
{
	if (!strcmp(id, "debian") || !strcmp(id, "ubuntu"))
		return PT_DISTRO_DEBIAN;
	if (!strcmp(id, "fedora") || !strcmp(id, "rhel") || !strcmp(id, "centos"))
		return PT_DISTRO_FEDORA;
	if (!strcmp(id, "alpine"))
		return PT_DISTRO_ALPINE;
	return PT_DISTRO_UNKNOWN;
}

int pt_distro_from_name(const char *name, enum pt_distro *out)
{
	if (!strcmp(name, "auto")) {
		*out = PT_DISTRO_UNKNOWN;
		return 0;
	}
	*out = family_of(name);
	return *out == PT_DISTRO_UNKNOWN ? -1 : 0;
}

/* The value of KEY= in os-release, quotes removed. */
static void os_release_value(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	buf[0] = '\0';
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		line += klen + 1;
		size_t n = strcspn(line, "\n");

		if (n && (*line == '"' || *line == '\'')) {
			line++;
			n = n >= 2 ? n - 2 : 0;
		}
		snprintf(buf, len, "%.*s", (int)n, line);
		return;
	}
}

enum pt_distro pt_distro_from_os_release(const char *text)
{
	char id[64], like[256], *tok, *save = NULL;
	enum pt_distro d;

	os_release_value(text, "ID", id, sizeof(id));
	if ((d = family_of(id)) != PT_DISTRO_UNKNOWN)
		return d;
	os_release_value(text, "ID_LIKE", like, sizeof(like));
	for (tok = strtok_r(like, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if ((d = family_of(tok)) != PT_DISTRO_UNKNOWN)
			return d;
	return PT_DISTRO_UNKNOWN;
}

int pt_tokens_add(struct pt_tokens *t, const char *token)
{
	char **v = realloc(t->v, (t->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->v = v;
	if (!(t->v[t->n] = strdup(token)))
		return -ENOMEM;
	t->n++;
	return 0;
}

int pt_tokens_split(const char *text, char sep, struct pt_tokens *out)
{
	const char *p = text;

	out->v = NULL;
	out->n = 0;
	while (*p) {
		size_t n;
		char tok[512];

		while (*p == sep || *p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, sep == ' ' ? " \t" : ", \t");
		if (!n)
			break;
		snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
		if (pt_tokens_add(out, tok) < 0)
			return -ENOMEM;
		p += n;
	}
	return 0;
}

bool pt_tokens_contain(const struct pt_tokens *t, const char *token)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], token))
			return true;
	return false;
}

void pt_tokens_free(struct pt_tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Finds VAR= at the start of a line (after blanks). Sets the value's
 * bounds, quotes excluded, and its quote character (0 if none). */
static const char *find_assignment(const char *text, const char *var,
				   const char **vstart, const char **vend, char *quote)
{
	size_t vlen = strlen(var);

	for (const char *line = text; line; line = strchr(line, '\n')) {
		const char *p;

		if (*line == '\n')
			line++;
		p = line + strspn(line, " \t");
		if (strncmp(p, var, vlen) || p[vlen] != '=')
			continue;
		p += vlen + 1;
		*quote = (*p == '"' || *p == '\'') ? *p : 0;
		if (*quote)
			p++;
		*vstart = p;
		*vend = *quote ? strchr(p, *quote) : p + strcspn(p, " \t\n#");
		if (!*vend)
			*vend = p + strcspn(p, "\n");
		return line;
	}
	return NULL;
}

int pt_assignment_tokens(const char *text, const char *var, char sep,
			 struct pt_tokens *out)
{
	const char *start, *end;
	char quote, *value;
	int r;

	out->v = NULL;
	out->n = 0;
	if (!find_assignment(text, var, &start, &end, &quote))
		return 0;
	value = strndup(start, (size_t)(end - start));
	if (!value)
		return -ENOMEM;
	r = pt_tokens_split(value, sep, out);
	free(value);
	return r;
}

char *pt_edit_assignment(const char *text, const char *var, char sep,
			 const struct pt_tokens *remove, const struct pt_tokens *add)
{
	struct pt_tokens cur;
	const char *start = NULL, *end = NULL;
	char quote = '"', *out = NULL, *value = NULL;
	size_t len = 0;
	FILE *f;

	if (find_assignment(text, var, &start, &end, &quote)) {
		char *old = strndup(start, (size_t)(end - start));

		if (!old || pt_tokens_split(old, sep, &cur) < 0) {
			free(old);
			return NULL;
		}
		free(old);
	} else {
		if (add->n == 0)
			return strdup(text);
		cur.v = NULL;
		cur.n = 0;
	}
	f = open_memstream(&value, &len);
	if (!f) {
		pt_tokens_free(&cur);
		return NULL;
	}
	bool first = true;

	for (size_t i = 0; i < cur.n; i++) {
		if (pt_tokens_contain(remove, cur.v[i]) && !pt_tokens_contain(add, cur.v[i]))
			continue;
		fprintf(f, "%s%s", first ? "" : (sep == ',' ? "," : " "), cur.v[i]);
		first = false;
	}
	for (size_t i = 0; i < add->n; i++) {
		if (pt_tokens_contain(&cur, add->v[i]))
			continue;
		fprintf(f, "%s%s", first ? "" : (sep == ',' ? "," : " "), add->v[i]);
		first = false;
	}
	fclose(f);
	pt_tokens_free(&cur);
	if (!value)
		return NULL;

	f = open_memstream(&out, &len);
	if (f) {
		if (start) {
			/* Keep everything around the value; re-quote it when it
			 * now holds a blank. */
			char q = quote ? quote : (strchr(value, ' ') ? '"' : 0);
			const char *vs = quote ? start - 1 : start;
			const char *ve = quote && *end == quote ? end + 1 : end;

			fprintf(f, "%.*s", (int)(vs - text), text);
			if (q)
				fprintf(f, "%c%s%c", q, value, q);
			else
				fputs(value, f);
			fputs(ve, f);
		} else {
			fputs(text, f);
			if (text[0] && text[strlen(text) - 1] != '\n')
				fputc('\n', f);
			fprintf(f, "%s=\"%s\"\n", var, value);
		}
		fclose(f);
	}
	free(value);
	return out;
}

char *pt_edit_assignment_or_drop(const char *text, const char *var, char sep,
				 const struct pt_tokens *remove,
				 const struct pt_tokens *add)
{
	char *edited = pt_edit_assignment(text, var, sep, remove, add);
	const char *start, *end, *line;
	char quote;

	if (!edited || !(line = find_assignment(edited, var, &start, &end, &quote)) ||
	    end != start)
		return edited;
	/* Cut the line, its newline included. */
	{
		const char *eol = strchr(line, '\n');
		size_t head = (size_t)(line - edited);

		memmove(edited + head, eol ? eol + 1 : line + strlen(line),
			strlen(eol ? eol + 1 : line + strlen(line)) + 1);
	}
	return edited;
}

int pt_applied_parse(const char *text, struct pt_applied *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		struct pt_tokens *t = NULL;
		struct pt_tokens words;
		size_t n;

		if (*line == '\n')
			line++;
		n = strcspn(line, "\n");
		if (!strncmp(line, "cmdline ", 8))
			t = &out->cmdline;
		else if (!strncmp(line, "modules ", 8))
			t = &out->modules;
		if (!t)
			continue;
		char *copy = strndup(line + 8, n - 8);

		if (!copy || pt_tokens_split(copy, ' ', &words) < 0) {
			free(copy);
			return -ENOMEM;
		}
		free(copy);
		for (size_t i = 0; i < words.n; i++)
			if (pt_tokens_add(t, words.v[i]) < 0) {
				pt_tokens_free(&words);
				return -ENOMEM;
			}
		pt_tokens_free(&words);
	}
	return 0;
}

char *pt_applied_render(const struct pt_applied *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs("# What `passthrough apply` added, for the next apply and for --undo.\n", f);
	fputs("cmdline", f);
	for (size_t i = 0; i < a->cmdline.n; i++)
		fprintf(f, " %s", a->cmdline.v[i]);
	fputs("\nmodules", f);
	for (size_t i = 0; i < a->modules.n; i++)
		fprintf(f, " %s", a->modules.v[i]);
	fputc('\n', f);
	fclose(f);
	return text;
}

void pt_applied_free(struct pt_applied *a)
{
	pt_tokens_free(&a->cmdline);
	pt_tokens_free(&a->modules);
}
