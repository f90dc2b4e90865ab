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
/* Adds each token of `more` that t does not hold yet, in order. */
int pt_tokens_merge(struct pt_tokens *t, const struct pt_tokens *more);
void pt_tokens_free(struct pt_tokens *t);
/* The tokens of `wanted` apply may call its own: those it added before
 * (`ours_before`) and those the admin's file lacks (`present`). A token
 * the admin already had stays theirs, so undo never removes it. */
int pt_tokens_ours(const struct pt_tokens *wanted, const struct pt_tokens *present,
		   const struct pt_tokens *ours_before, struct pt_tokens *out);

/* Where a shell-style file cannot be edited safely: its line and why. */
struct pt_shell_error {
	size_t line;
	char what[160];
};

/* 0 when VAR's last assignment (the one sh keeps) is a value passthrough
 * can edit: one word of unquoted, "..." (with backslash escapes) and
 * '...' parts, then at most a comment. Otherwise -EINVAL and `err` says
 * which line and why (an unterminated quote, an expansion, a command
 * after the value). A missing VAR is fine. */
int pt_assignment_check(const char *text, const char *var, struct pt_shell_error *err);

/* Rewrites the assignment VAR=... in a shell-style file: drops the tokens
 * in `remove` that are not in `add`, then appends those of `add` it lacks,
 * in the value's own quoting. Tokens split as the kernel splits its
 * command line (blanks, or commas too when `sep` is ','; not inside
 * double quotes). Only those tokens' bytes change: removing what was added
 * gives the file back byte for byte. A missing assignment is appended
 * (marked, so that it goes again with its last token) when there is
 * something to add. Returns the new text (malloc), or NULL when out of
 * memory or the value is not one pt_assignment_check accepts. */
char *pt_edit_assignment(const char *text, const char *var, char sep,
			 const struct pt_tokens *remove, const struct pt_tokens *add);
/* The tokens of VAR's value, or none. */
int pt_assignment_tokens(const char *text, const char *var, char sep,
			 struct pt_tokens *out);

/* /etc/kernel/cmdline, which kernel-install puts on each boot entry: the
 * kernel's command line itself (blanks and newlines separate; no
 * comments, no shell quoting; the kernel's own double quotes). -EINVAL
 * and `err` for a line the kernel would misread (an odd double quote). */
int pt_cmdline_file_check(const char *text, struct pt_shell_error *err);
/* Drops the tokens of `remove` not in `add`, then appends those of `add`
 * the file lacks at the end of its last line; only those tokens and one
 * blank each change, so removing what was added gives it back byte for
 * byte. NULL when out of memory. */
char *pt_edit_cmdline_file(const char *text, const struct pt_tokens *remove,
			   const struct pt_tokens *add);

/* What apply added, so the next apply replaces it and --undo removes it:
 * "cmdline TOKEN..." and "modules TOKEN..." lines; "init-was TOKEN" when
 * apply replaced Alpine's own init= value, to put it back on undo;
 * "created PATH..." for files apply made (etc/kernel/cmdline). */
struct pt_applied {
	struct pt_tokens cmdline;
	struct pt_tokens modules;
	struct pt_tokens init_was;
	struct pt_tokens created; /* files apply created, which undo removes */
};

int pt_applied_parse(const char *text, struct pt_applied *out);
char *pt_applied_render(const struct pt_applied *a);
void pt_applied_free(struct pt_applied *a);

#endif
