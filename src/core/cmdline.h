/* The kernel command line, as /proc/cmdline shows it. */
#ifndef PT_CMDLINE_H
#define PT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Splits text the way the kernel splits its command line: at blanks (and,
 * for a ',' list, commas) outside double quotes, so acpi_osi="Windows 2015"
 * is one token. Calls `each` with each token's bounds in text; stops at
 * its first non-zero return, and returns it (0 when every token was seen). */
int pt_cmdline_split(const char *text, size_t len, char sep,
		     int (*each)(const char *text, size_t start, size_t end, void *ctx),
		     void *ctx);

/* Finds key=value; the last occurrence wins, as in the kernel and in
 * dracut's getarg. Double quotes around a value are removed. Returns true
 * when found; a bare "key" gives an empty value. */
bool pt_cmdline_get(const char *cmdline, const char *key, char *value,
		    size_t len);

/* passthrough=off (or 0, no, false): the rescue switch. */
bool pt_cmdline_disabled(const char *cmdline);

#endif
