#include "tokens.h"
#include "cmdline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

bool pt_tokens_contain(const struct pt_tokens *t, const char *token)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i], token))
			return true;
	return false;
}

int pt_tokens_merge(struct pt_tokens *t, const struct pt_tokens *more)
{
	int r = 0;

	for (size_t i = 0; i < more->n && r == 0; i++)
		if (!pt_tokens_contain(t, more->v[i]))
			r = pt_tokens_add(t, more->v[i]);
	return r;
}

int pt_tokens_ours(const struct pt_tokens *wanted, const struct pt_tokens *present,
		   const struct pt_tokens *ours_before, struct pt_tokens *out)
{
	out->v = NULL;
	out->n = 0;
	/* A token of ours the admin removed by hand since is ours again
	 * (the config still asks for it): to drop it, change the config. */
	for (size_t i = 0; i < wanted->n; i++)
		if ((pt_tokens_contain(ours_before, wanted->v[i]) ||
		     !pt_tokens_contain(present, wanted->v[i])) &&
		    pt_tokens_add(out, wanted->v[i]) < 0) {
			pt_tokens_free(out);
			return -ENOMEM;
		}
	return 0;
}

void pt_tokens_free(struct pt_tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int add_token(const char *text, size_t start, size_t end, void *ctx)
{
	char *tok = strndup(text + start, end - start);
	int r = tok ? pt_tokens_add(ctx, tok) : -ENOMEM;

	free(tok);
	return r;
}

int pt_tokens_split(const char *text, char sep, struct pt_tokens *out)
{
	int r;

	out->v = NULL;
	out->n = 0;
	r = pt_cmdline_split(text, strlen(text), sep, add_token, out);
	if (r < 0)
		pt_tokens_free(out);
	return r;
}
