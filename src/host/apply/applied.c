#include "applied.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		else if (!strncmp(line, "init-was ", 9))
			t = &out->init_was;
		else if (!strncmp(line, "created ", 8))
			t = &out->created;
		if (!t)
			continue;
		size_t key = t == &out->init_was ? 9 : 8;
		char *copy = strndup(line + key, n - key);

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
	if (a->init_was.n) {
		fputs("init-was", f);
		for (size_t i = 0; i < a->init_was.n; i++)
			fprintf(f, " %s", a->init_was.v[i]);
		fputc('\n', f);
	}
	if (a->created.n) {
		fputs("created", f);
		for (size_t i = 0; i < a->created.n; i++)
			fprintf(f, " %s", a->created.v[i]);
		fputc('\n', f);
	}
	fclose(f);
	return text;
}

void pt_applied_free(struct pt_applied *a)
{
	pt_tokens_free(&a->cmdline);
	pt_tokens_free(&a->modules);
	pt_tokens_free(&a->init_was);
	pt_tokens_free(&a->created);
}
