/* Lists of words as the kernel command line holds them: what apply adds
 * to and takes from the admin's files, one token at a time. */
#ifndef PT_TOKENS_H
#define PT_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

/* A list of tokens, as in "intel_iommu=on iommu=pt". */
struct pt_tokens {
	char **v;
	size_t n;
};

int pt_tokens_split(const char *text, char sep, struct pt_tokens *out);
bool pt_tokens_contain(const struct pt_tokens *t, const char *token);
int pt_tokens_add(struct pt_tokens *t, const char *token);
/* Adds each token of `more` that t does not hold yet, in order. */
int pt_tokens_merge(struct pt_tokens *t, const struct pt_tokens *more);
void pt_tokens_free(struct pt_tokens *t);
/* The tokens of `wanted` apply may call its own: those it added before
 * (`ours_before`) and those the admin's file lacks (`present`). A token
 * the admin already had stays theirs, so undo never removes it. */
int pt_tokens_ours(const struct pt_tokens *wanted, const struct pt_tokens *present,
		   const struct pt_tokens *ours_before, struct pt_tokens *out);

#endif
