/* Shared by the config reader (config.c) and the key table (config-keys.c),
 * nothing else: the reader's state while inih walks a file. */
#ifndef PT_CONFIG_INTERNAL_H
#define PT_CONFIG_INTERNAL_H

#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A section header as the line reader saw it. inih reports sections only
 * through the keys inside them, so the reader notes every header: that is
 * how empty and repeated sections are found and how errors get the line of
 * the header they belong to. */
struct section_header {
	unsigned line;
	char *name;
	bool opened;
	bool valid;       /* known, not a duplicate: its keys are applied */
	bool is_global;
	size_t rule;      /* index into cfg->rules when !is_global */
	uint32_t seen_keys; /* bit per key of the table, for duplicates */
	bool unknown_key;   /* its error explains an empty rule: no second one */
	/* Where errors about vfs point: its first line, and the line that
	 * names the highest index (vfs_end: that index + 1, 0 for none). */
	unsigned vfs_line, last_vf_line, vfs_end;
};

struct parse_ctx {
	FILE *f;
	struct pt_config *cfg;
	unsigned line;
	char *buf;
	size_t cap;
	struct section_header *headers;
	size_t n_headers;
	bool oom;
};

/* Records an error at `line` (0: the file); -ENOMEM (ctx->oom set). */
int pt_config_add_error(struct parse_ctx *ctx, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One `key = value` of a valid section, through the key table. */
void pt_config_apply_key(struct parse_ctx *ctx, struct section_header *h, const char *key,
			 const char *value);
/* After the whole file: what only the rule as a whole can tell (no
 * selector, vfs without sriov_vfs). */
void pt_config_check_rules(struct parse_ctx *ctx);

#endif
