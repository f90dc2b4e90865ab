#ifndef PT_UTF8_H
#define PT_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when the bytes
 * there are not valid UTF-8 (overlong forms and surrogates included). */
size_t pt_utf8_sequence_length(const unsigned char *s, size_t avail);

#endif
