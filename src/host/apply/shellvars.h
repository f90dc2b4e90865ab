/* Shell-style files the admin owns (/etc/default/grub, update-extlinux.conf,
 * mkinitfs.conf) and /etc/kernel/cmdline, as pure text functions: read an
 * assignment the way sh reads it, and edit only our tokens in it, so undo
 * gives the file back byte for byte. */
#ifndef PT_SHELLVARS_H
#define PT_SHELLVARS_H

#include "tokens.h"

#include <stdbool.h>
#include <stddef.h>

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

#endif
