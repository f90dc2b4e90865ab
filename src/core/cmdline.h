/* The kernel command line, as /proc/cmdline shows it. */
#ifndef PT_CMDLINE_H
#define PT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Finds key=value; the last occurrence wins, as in the kernel and in
 * dracut's getarg. Double quotes around a value are removed. Returns true
 * when found; a bare "key" gives an empty value. */
bool pt_cmdline_get(const char *cmdline, const char *key, char *value,
		    size_t len);

/* passthrough=off (or 0, no, false): the rescue switch. */
bool pt_cmdline_disabled(const char *cmdline);

#endif
