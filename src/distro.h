/* The distribution-specific pieces of `passthrough apply`, as pure text
 * functions: which family a root is, edits of shell-style assignments in
 * files the admin owns (only our tokens are added or removed), and the
 * state that remembers what apply added. */
#ifndef PT_DISTRO_H
#define PT_DISTRO_H

#include <stdbool.h>
#include <stddef.h>

enum pt_distro { PT_DISTRO_UNKNOWN, PT_DISTRO_DEBIAN, PT_DISTRO_FEDORA, PT_DISTRO_ALPINE };

/* From os-release text: ID, then ID_LIKE. */
enum pt_distro pt_distro_from_os_release(const char *text);
/* "auto" gives PT_DISTRO_UNKNOWN; -1 for an unknown name. */
int pt_distro_from_name(const char *name, enum pt_distro *out);
const char *pt_distro_name(enum pt_distro d);

/* A list of tokens, as in "intel_iommu=on iommu=pt". */
struct pt_tokens {
	char **v;
	size_t n;
};

int pt_tokens_split(const char *text, char sep, struct pt_tokens *out);
bool pt_tokens_contain(const struct pt_tokens *t, const char *token);
int pt_tokens_add(struct pt_tokens *t, const char *token);
void pt_tokens_free(struct pt_tokens *t);

/* Rewrites the assignment VAR=... (quoted or not) in a shell-style file:
 * drops the tokens in `remove`, then appends those of `add` it lacks;
 * everything else in the file and in the value stays as it was. A missing
 * assignment is appended when there is something to add. `sep` is ' ' or
 * ','. Returns the new text (malloc) or NULL. */
char *pt_edit_assignment(const char *text, const char *var, char sep,
			 const struct pt_tokens *remove, const struct pt_tokens *add);
/* The same, but a value left empty takes its whole line with it (for a
 * setting like mkinitfs's init=, where empty is not "unset"). */
char *pt_edit_assignment_or_drop(const char *text, const char *var, char sep,
				 const struct pt_tokens *remove,
				 const struct pt_tokens *add);
/* The tokens of VAR's value, or none. */
int pt_assignment_tokens(const char *text, const char *var, char sep,
			 struct pt_tokens *out);

/* What apply added, so the next apply replaces it and --undo removes it:
 * "cmdline TOKEN..." and "modules TOKEN..." lines. */
struct pt_applied {
	struct pt_tokens cmdline;
	struct pt_tokens modules;
};

int pt_applied_parse(const char *text, struct pt_applied *out);
char *pt_applied_render(const struct pt_applied *a);
void pt_applied_free(struct pt_applied *a);

#endif
