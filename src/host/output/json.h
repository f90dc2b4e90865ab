/* A minimal streaming JSON writer for --json output: objects, arrays,
 * strings (escaped per RFC 8259), numbers, booleans, null. Keys are given
 * inside objects and NULL inside arrays. */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define PT_JSON_MAX_DEPTH 16

struct pt_json {
	FILE *f;
	int depth;
	bool has_items[PT_JSON_MAX_DEPTH];
};

void pt_json_init(struct pt_json *j, FILE *f);
/* A string literal, escaped, for writers of compact JSON (QMP lines). */
void pt_json_write_string(FILE *f, const char *s);
void pt_json_object_begin(struct pt_json *j, const char *key);
void pt_json_object_end(struct pt_json *j);
void pt_json_array_begin(struct pt_json *j, const char *key);
void pt_json_array_end(struct pt_json *j);
void pt_json_string(struct pt_json *j, const char *key, const char *value); /* NULL: null */
void pt_json_int(struct pt_json *j, const char *key, long long value);
void pt_json_bool(struct pt_json *j, const char *key, bool value);
void pt_json_null(struct pt_json *j, const char *key);
/* An array of strings. */
void pt_json_strings(struct pt_json *j, const char *key, const char *const *v, size_t n);

#endif
