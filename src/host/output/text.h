/* Text for people: bounded buffers that say when they were cut, and
 * strings from devices made safe for a terminal. */
#ifndef PT_TEXT_H
#define PT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Appends to the string in buf (of size len). What does not fit is cut
 * and the text ends in "..." instead, so a cut never goes unseen. */
void pt_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The one filter for strings from devices, disks and headers in human
 * output: s as a terminal shows it safely. Control characters, DEL, C1
 * controls and invalid UTF-8 as \xNN, a backslash as \\, Unicode format
 * characters (bidi overrides and isolates, zero-width ones) and the line
 * and paragraph separators as \uNNNN. USB product strings and disk models
 * come from devices: raw, they could move the cursor, clear the screen,
 * reorder a line or fake one of ours. Returns out; cut with "..." when
 * longer than len. */
const char *pt_printable(const char *s, char *out, size_t len);

/* The same, in a string of its own (malloc'd; NULL without memory):
 * findings quote what devices and the config say, escaped for the
 * terminal, kept raw in JSON. */
char *pt_printable_copy(const char *s);

/* A filesystem or LUKS UUID as fstab and crypttab can take it after
 * "UUID=": 1 to 36 hex digits and dashes (8-4-4-4-12, vfat's XXXX-XXXX,
 * NTFS's 16 digits). Anything else came from whoever wrote the disk and
 * could carry a newline into the lines the admin is told to paste. */
bool pt_valid_uuid(const char *s);

#endif
