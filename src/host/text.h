/* Text for people: bounded buffers that say when they were cut, and
 * strings from devices made safe for a terminal. */
#ifndef PT_TEXT_H
#define PT_TEXT_H

#include <stddef.h>

/* Appends to the string in buf (of size len). What does not fit is cut
 * and the text ends in "..." instead, so a cut never goes unseen. */
void pt_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s as a terminal shows it safely: control characters, DEL, C1 controls
 * and invalid UTF-8 as \xNN, a backslash as \\. USB product strings and
 * disk models come from devices: raw, they could move the cursor, clear
 * the screen or fake a line of our output. Returns out; cut with "..."
 * when longer than len. */
const char *pt_printable(const char *s, char *out, size_t len);

#endif
