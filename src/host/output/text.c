#include "text.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The code point of a valid sequence of seq bytes. */
static unsigned long code_point(const unsigned char *p, size_t seq)
{
	static const unsigned char lead_bits[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned long c = p[0] & lead_bits[seq];

	for (size_t i = 1; i < seq; i++)
		c = (c << 6) | (p[i] & 0x3f);
	return c;
}

/* Unicode's format characters (category Cf) and the line and paragraph
 * separators: invisible, they reorder what follows (U+202E, right-to-left
 * override, shows "exe.txt" for "txt.exe"), hide text or break a line, so
 * a device name could pass for another or fake a line of ours. */
static bool format_control(unsigned long c)
{
	static const unsigned long ranges[][2] = {
		{ 0x00ad, 0x00ad }, { 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd },
		{ 0x070f, 0x070f }, { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 }, { 0x180e, 0x180e },
		{ 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x2064 }, { 0x2066, 0x206f },
		{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
		{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
		{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return true;
	return false;
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
		unsigned long c = seq > 1 ? code_point(p + i, seq) : 0;
		char piece[16];
		int plen;

		if (seq == 1 && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '\\')
			plen = snprintf(piece, sizeof(piece), "%c", p[i]);
		else if (seq == 1 && p[i] == '\\')
			plen = snprintf(piece, sizeof(piece), "\\\\");
		else if (seq > 1 && format_control(c))
			plen = snprintf(piece, sizeof(piece), c > 0xffff ? "\\U%08lx" : "\\u%04lx", c);
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

char *pt_printable_copy(const char *s)
{
	size_t len = strlen(s) * 4 + 1; /* "\xNN" is the widest a byte gets */
	char *out = malloc(len);

	return out ? (char *)pt_printable(s, out, len) : NULL;
}

bool pt_valid_uuid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 36 || s[0] == '-')
		return false;
	return strspn(s, "0123456789abcdefABCDEF-") == n;
}
