/* A minimal streaming JSON writer for --json output: objects, arrays,
 * strings (escaped per RFC 8259), numbers, booleans, null. Keys are given
 * inside objects and NULL inside arrays. */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
/* A string literal, escaped, for writers of compact JSON (QMP lines). */
void json_write_string(FILE *f, const char *s);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value); /* NULL: null */
void json_int(struct json *j, const char *key, long long value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* An array of strings. */
void json_strings(struct json *j, const char *key, const char *const *v, size_t n);

#endif
