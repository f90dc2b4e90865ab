/* A JSON scanner just wide enough to find one member and check that the
 * rest is well formed: the file is rewritten around that member's bytes
 * only, never re-serialised (json.dump's layout, the admin's or the
 * installer's, stays as it was). */
#include "kernelstub.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct scan {
	const char *text, *p;
	struct pt_shell_error *err;
};

static int fail(struct scan *s, const char *what)
{
	size_t line = 1;

	for (const char *c = s->text; c < s->p && *c; c++)
		line += *c == '\n';
	s->err->line = line;
	snprintf(s->err->what, sizeof(s->err->what), "%s", what);
	return -EINVAL;
}

static void blanks(struct scan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

/* Past a string; *plain says it had no escape. */
static int string(struct scan *s, bool *plain)
{
	if (*s->p != '"')
		return fail(s, "a string was expected");
	*plain = true;
	for (s->p++; *s->p != '"'; s->p++) {
		if ((unsigned char)*s->p < 0x20)
			return fail(s, "a string is not closed on its line");
		if (*s->p == '\\') {
			*plain = false;
			if ((unsigned char)*++s->p < 0x20)
				return fail(s, "a string is not closed on its line");
		}
	}
	s->p++;
	return 0;
}

static int value(struct scan *s, int depth);

static int members(struct scan *s, int depth, char open, char close)
{
	bool plain;
	int r;

	s->p++;
	blanks(s);
	if (*s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		if (open == '{') {
			if ((r = string(s, &plain)) < 0)
				return r;
			blanks(s);
			if (*s->p++ != ':')
				return fail(s, "':' was expected after a member's name");
			blanks(s);
		}
		if ((r = value(s, depth + 1)) < 0)
			return r;
		blanks(s);
		if (*s->p == close) {
			s->p++;
			return 0;
		}
		if (*s->p++ != ',')
			return fail(s, open == '{' ? "',' or '}' was expected" : "',' or ']' was expected");
		blanks(s);
	}
}

static int value(struct scan *s, int depth)
{
	bool plain;

	if (depth > MAX_DEPTH)
		return fail(s, "nested too deep");
	if (*s->p == '{' || *s->p == '[')
		return members(s, depth, *s->p, *s->p == '{' ? '}' : ']');
	if (*s->p == '"')
		return string(s, &plain);
	if (!strchr("-0123456789tfn", *s->p) || !*s->p)
		return fail(s, "a value was expected");
	while (*s->p && strchr("+-.0123456789eEtruefalsn", *s->p))
		s->p++;
	return 0;
}

/* The value of member `name` of the object at s->p (left there), after
 * checking the object whole; NULL when absent. */
static const char *member(struct scan *s, const char *name, int *r)
{
	const char *found = NULL, *start = s->p;
	size_t len = strlen(name);
	bool plain;

	*r = 0;
	if (*s->p != '{') {
		*r = fail(s, "an object was expected");
		return NULL;
	}
	s->p++;
	blanks(s);
	while (*s->p != '}' && *r == 0) {
		const char *key = s->p + 1;

		if ((*r = string(s, &plain)) < 0)
			break;
		bool match = plain && (size_t)(s->p - 1 - key) == len && !strncmp(key, name, len);

		blanks(s);
		if (*s->p++ != ':') {
			*r = fail(s, "':' was expected after a member's name");
			break;
		}
		blanks(s);
		if (match)
			found = s->p; /* the last one, as Python's json keeps */
		if ((*r = value(s, 1)) < 0)
			break;
		blanks(s);
		if (*s->p == ',') {
			s->p++;
			blanks(s);
		} else if (*s->p != '}') {
			*r = fail(s, "',' or '}' was expected");
		}
	}
	if (*r == 0 && *s->p == '}')
		s->p++;
	(void)start;
	return *r < 0 ? NULL : found;
}

/* Where user.kernel_options' value starts, the whole text checked. */
static const char *find_options(const char *text, struct pt_shell_error *err, int *r)
{
	struct scan s = { .text = text, .p = text, .err = err };
	const char *user, *options;

	blanks(&s);
	if (!(user = member(&s, "user", r)))
		return *r < 0 ? NULL : (*r = fail(&s, "there is no \"user\" object"), NULL);
	blanks(&s);
	if (*s.p) {
		*r = fail(&s, "text after the configuration's object");
		return NULL;
	}
	s.p = user;
	if (!(options = member(&s, "kernel_options", r)) && *r == 0)
		*r = fail(&s, "\"user\" has no \"kernel_options\"");
	return options;
}

/* One option of the list: its bytes with their quotes. */
struct element {
	const char *start, *end;
};

/* The strings of the list at p; -EINVAL for an escape or a non-string. */
static int elements(const char *text, const char *p, struct element **out, size_t *n,
		    const char **close, struct pt_shell_error *err)
{
	struct scan s = { .text = text, .p = p + 1, .err = err };
	struct element *v = NULL;
	bool plain;
	int r = 0;

	*n = 0;
	for (blanks(&s); *s.p != ']' && r == 0;) {
		struct element *grown = realloc(v, (*n + 1) * sizeof(*v));
		const char *start = s.p;

		if (!grown) {
			r = -ENOMEM;
			break;
		}
		v = grown;
		if ((r = string(&s, &plain)) < 0)
			break;
		if (!plain || memchr(start + 1, ' ', (size_t)(s.p - start - 2))) {
			r = fail(&s, "an option in kernel_options has an escaped character or a "
				 "blank");
			break;
		}
		v[(*n)++] = (struct element){ start, s.p };
		blanks(&s);
		if (*s.p == ',') {
			s.p++;
			blanks(&s);
		}
	}
	*close = s.p;
	if (r < 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return r;
}

int pt_kernelstub_options(const char *text, struct pt_tokens *out, struct pt_shell_error *err)
{
	const char *v, *close;
	struct element *e;
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	if (!(v = find_options(text, err, &r)))
		return r;
	if (*v == '"') {
		char *inner = strndup(v + 1, (size_t)(strchr(v + 1, '"') - v - 1));

		if (!inner)
			return -ENOMEM;
		r = strchr(inner, '\\') ? -EINVAL : pt_tokens_split(inner, ' ', out);
		if (r == -EINVAL)
			snprintf(err->what, sizeof(err->what), "kernel_options has an escaped character");
		free(inner);
		return r;
	}
	if (*v != '[') {
		struct scan s = { .text = text, .p = v, .err = err };

		return fail(&s, "kernel_options is neither a list nor a string");
	}
	if ((r = elements(text, v, &e, &n, &close, err)) < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		char *opt = strndup(e[i].start + 1, (size_t)(e[i].end - e[i].start - 2));

		r = opt ? pt_tokens_add(out, opt) : -ENOMEM;
		free(opt);
	}
	free(e);
	if (r < 0)
		pt_tokens_free(out);
	return r;
}

static bool element_is(const struct element *e, const char *token)
{
	size_t len = strlen(token);

	return (size_t)(e->end - e->start - 2) == len && !strncmp(e->start + 1, token, len);
}

/* The list rebuilt from its own bytes: each kept option with the
 * separator before it (none for the first kept), the new ones after the
 * last with the list's last separator (", " for a list of one or none). */
static char *edit_list(const char *text, const char *open, const struct pt_tokens *remove,
		       const struct pt_tokens *add, struct pt_shell_error *err)
{
	const char *close, *first_kept = NULL;
	struct element *e;
	size_t n, len = 0, cap;
	char *out;

	if (elements(text, open, &e, &n, &close, err) < 0)
		return NULL;
	const char *lead_end = n ? e[0].start : close, *trail = n ? e[n - 1].end : close;
	const char *sep = n >= 2 ? e[n - 2].end : ", ";
	size_t seplen = n >= 2 ? (size_t)(e[n - 1].start - e[n - 2].end) : 2;

	cap = strlen(text) + 1;
	for (size_t i = 0; i < add->n; i++)
		cap += strlen(add->v[i]) + seplen + 2;
	if (!(out = malloc(cap))) {
		free(e);
		return NULL;
	}
#define PUT(p, l) (memcpy(out + len, (p), (l)), len += (l))
	PUT(text, (size_t)(lead_end - text));
	for (size_t i = 0; i < n; i++) {
		bool gone = false;

		for (size_t j = 0; j < remove->n && !gone; j++)
			gone = element_is(&e[i], remove->v[j]) && !pt_tokens_contain(add, remove->v[j]);
		if (gone)
			continue;
		if (first_kept)
			PUT(e[i - 1].end, (size_t)(e[i].start - e[i - 1].end));
		else
			first_kept = e[i].start;
		PUT(e[i].start, (size_t)(e[i].end - e[i].start));
	}
	for (size_t i = 0; i < add->n; i++) {
		bool there = false;

		for (size_t j = 0; j < n && !there; j++)
			there = element_is(&e[j], add->v[i]);
		if (there)
			continue;
		if (first_kept)
			PUT(sep, seplen);
		first_kept = "";
		out[len++] = '"';
		PUT(add->v[i], strlen(add->v[i]));
		out[len++] = '"';
	}
	PUT(trail, strlen(trail));
	out[len] = '\0';
#undef PUT
	free(e);
	return out;
}

char *pt_kernelstub_edit(const char *text, const struct pt_tokens *remove,
			 const struct pt_tokens *add, struct pt_shell_error *err)
{
	struct pt_tokens check;
	const char *v;
	char *inner, *edited, *out = NULL;
	int r;

	if (pt_kernelstub_options(text, &check, err) < 0)
		return NULL;
	pt_tokens_free(&check);
	v = find_options(text, err, &r);
	if (*v == '[')
		return edit_list(text, v, remove, add, err);
	/* the old string form: blank-separated, edited as a command line */
	const char *end = strchr(v + 1, '"');

	if (!(inner = strndup(v + 1, (size_t)(end - v - 1))))
		return NULL;
	edited = pt_edit_cmdline_file(inner, remove, add);
	if (edited && asprintf(&out, "%.*s%s%s", (int)(v + 1 - text), text, edited, end) < 0)
		out = NULL;
	free(inner);
	free(edited);
	return out;
}
