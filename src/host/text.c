#include "text.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void mark_cut(char *buf, size_t len)
{
	if (len >= 4)
		memcpy(buf + len - 4, "...", 4);
}

void pt_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int n;

	if (len < 4 || used + 1 >= len) {
		mark_cut(buf, len);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - used)
		mark_cut(buf, len);
}

const char *pt_printable(const char *s, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, room_for_dots = 0, avail = strlen(s);

	if (len < 4) {
		if (len)
			out[0] = '\0';
		return out;
	}
	for (size_t i = 0; i < avail;) {
		size_t seq = pt_utf8_sequence_length(p + i, avail - i);
		/* U+0080..U+009F, the C1 controls, are C2 80..C2 9F */
		bool c1 = seq == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0;
		char piece[8];
		int plen;

		if (seq == 1 && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '\\')
			plen = snprintf(piece, sizeof(piece), "%c", p[i]);
		else if (seq == 1 && p[i] == '\\')
			plen = snprintf(piece, sizeof(piece), "\\\\");
		else if (seq > 1 && !c1)
			plen = snprintf(piece, sizeof(piece), "%.*s", (int)seq, s + i);
		else {
			seq = 1; /* one byte at a time: a control, or not UTF-8 */
			plen = snprintf(piece, sizeof(piece), "\\x%02x", p[i]);
		}
		if (n + (size_t)plen + 1 > len) {
			memcpy(out + room_for_dots, "...", 4);
			return out;
		}
		memcpy(out + n, piece, (size_t)plen);
		n += (size_t)plen;
		if (n + 4 <= len)
			room_for_dots = n;
		i += seq;
	}
	out[n] = '\0';
	return out;
}
