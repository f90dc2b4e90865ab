/* Boot Loader Specification type 1 entries (the .conf files of loader/entries), as
 * systemd-boot reads them: `key value` lines, the kernel's command line
 * being every `options` line joined. Pure text functions for entries the
 * admin writes by hand (Arch): read the options, and edit only our tokens
 * on the last `options` line, so that undo gives the entry back byte for
 * byte. */
#ifndef PT_BLSENTRY_H
#define PT_BLSENTRY_H

#include "shellvars.h"
#include "tokens.h"

#include <stdbool.h>

/* Whether the entry boots a Linux kernel (a `linux` line). */
bool pt_bls_is_linux(const char *text);
/* The tokens of every `options` line, in order. */
int pt_bls_options(const char *text, struct pt_tokens *out);
/* The tokens of `remove` not in `add` out of every options line, those of
 * `add` missing appended to the last; NULL with err set when the entry
 * has no options line (or an odd double quote there), NULL alone when
 * out of memory. The apply_edit editor of entries. */
char *pt_bls_edit_options(const char *text, const struct pt_tokens *remove,
			  const struct pt_tokens *add, struct pt_shell_error *err);

#endif
