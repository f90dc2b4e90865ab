/* kernelstub's configuration (/etc/kernelstub/configuration, JSON) on
 * Pop!_OS: the kernel options it puts on every boot entry are
 * user.kernel_options, a list of strings (a string of blank-separated
 * options in files older than config_rev 3). Pure text functions: read
 * them, and edit only our options in place, so that taking out what was
 * added gives the file back byte for byte, in the one-line layout the
 * installer writes and the indented one kernelstub saves. */
#ifndef PT_KERNELSTUB_H
#define PT_KERNELSTUB_H

#include "shellvars.h"
#include "tokens.h"

/* The options of user.kernel_options. -EINVAL, with `err` naming the
 * line and why, for a file that is not JSON passthrough can edit (no
 * user.kernel_options, an escaped character in an option). */
int pt_kernelstub_options(const char *text, struct pt_tokens *out, struct pt_shell_error *err);
/* Drops the options of `remove` not in `add`, then appends those of
 * `add` it lacks. NULL when out of memory or not editable (`err`). */
char *pt_kernelstub_edit(const char *text, const struct pt_tokens *remove,
			 const struct pt_tokens *add, struct pt_shell_error *err);

#endif
