#include "json.h"
#include "utf8.h"

#include <string.h>

void pt_json_init(struct pt_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->has_items[0] = false;
}

/* Strings come from sysfs and USB descriptors too: bytes that are not
 * UTF-8 become U+FFFD, so the output is always valid JSON. */
static void write_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	fputc('"', f);
	for (; *p; p++, left--) {
		if (*p >= 0x80) {
			size_t n = pt_utf8_sequence_length(p, left);

			if (n == 0) {
				fputs("\ufffd", f);
			} else {
				fwrite(p, 1, n, f);
				p += n - 1;
				left -= n - 1;
			}
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void pt_json_write_string(FILE *f, const char *s)
{
	write_escaped(f, s);
}

/* Comma, newline and indent before an item; then its key. */
static void item(struct pt_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->has_items[j->depth])
			fputc(',', j->f);
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	j->has_items[j->depth] = true;
	if (key) {
		write_escaped(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_container(struct pt_json *j, const char *key, char c)
{
	item(j, key);
	fputc(c, j->f);
	if (j->depth < PT_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void close_container(struct pt_json *j, char c)
{
	bool had = j->has_items[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void pt_json_object_begin(struct pt_json *j, const char *key)
{
	open_container(j, key, '{');
}

void pt_json_object_end(struct pt_json *j)
{
	close_container(j, '}');
}

void pt_json_array_begin(struct pt_json *j, const char *key)
{
	open_container(j, key, '[');
}

void pt_json_array_end(struct pt_json *j)
{
	close_container(j, ']');
}

void pt_json_string(struct pt_json *j, const char *key, const char *value)
{
	item(j, key);
	if (value)
		write_escaped(j->f, value);
	else
		fputs("null", j->f);
}

void pt_json_int(struct pt_json *j, const char *key, long long value)
{
	item(j, key);
	fprintf(j->f, "%lld", value);
}

void pt_json_bool(struct pt_json *j, const char *key, bool value)
{
	item(j, key);
	fputs(value ? "true" : "false", j->f);
}

void pt_json_strings(struct pt_json *j, const char *key, const char *const *v, size_t n)
{
	pt_json_array_begin(j, key);
	for (size_t i = 0; i < n; i++)
		pt_json_string(j, NULL, v[i]);
	pt_json_array_end(j);
}

void pt_json_null(struct pt_json *j, const char *key)
{
	item(j, key);
	fputs("null", j->f);
}
