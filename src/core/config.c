#include "config-internal.h"
#include "sysfs.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pt_config_add_error(struct parse_ctx *ctx, unsigned line, const char *fmt, ...)
{
	struct pt_config *cfg = ctx->cfg;
	struct pt_config_error *e;
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	e = realloc(cfg->errors, (cfg->n_errors + 1) * sizeof(*e));
	if (!e) {
		free(text);
		goto oom;
	}
	cfg->errors = e;
	e[cfg->n_errors].line = line;
	e[cfg->n_errors].text = text;
	cfg->n_errors++;
	return 0;
oom:
	ctx->oom = true;
	return -ENOMEM;
}

static bool valid_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if (!(n = pt_utf8_sequence_length(s + i, len - i)))
			return false;
	return true;
}

/* inih skips these before a section header or a key (isspace), so the
 * reader must too: a form feed before "[global]" hides nothing. */
static bool ini_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char utf8_bom[] = "\xef\xbb\xbf";

static int note_section_header(struct parse_ctx *ctx, const char *line)
{
	const char *start, *end;
	struct section_header *h;

	/* inih accepts a byte-order mark before the first line (Windows
	 * editors write one). */
	if (ctx->line == 1 && strncmp(line, utf8_bom, 3) == 0)
		line += 3;
	while (ini_blank(*line))
		line++;
	if (*line != '[')
		return 0;
	start = line + 1;
	end = strchr(start, ']');
	if (!end)
		return 0; /* inih reports the syntax error */
	h = realloc(ctx->headers, (ctx->n_headers + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	ctx->headers = h;
	h = &h[ctx->n_headers];
	memset(h, 0, sizeof(*h));
	h->line = ctx->line;
	h->name = strndup(start, (size_t)(end - start));
	if (!h->name)
		return -ENOMEM;
	ctx->n_headers++;
	return 0;
}

enum pt_line_status pt_config_line(char *out, int num, const char *in, size_t len,
				   size_t *content)
{
	size_t n = len;

	/* The line ending, however many '\r' it has, is not content: it must
	 * neither count against the limit nor be copied. */
	while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r'))
		n--;
	*content = n;
	if (num < 3)
		return PT_LINE_TOO_LONG;
	strcpy(out, "\n");
	if (memchr(in, '\0', len))
		return PT_LINE_NUL;
	if (!valid_utf8((const unsigned char *)in, n))
		return PT_LINE_NOT_UTF8;
	/* inih's own limit: room for "\r\n" and the terminating NUL. */
	if (n > (size_t)num - 3)
		return PT_LINE_TOO_LONG;
	memcpy(out, in, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	return PT_LINE_OK;
}

/* fgets-like reader for inih that counts lines and refuses what inih would
 * silently mangle: lines longer than its buffer (it splits them into a
 * truncated value and a bogus later line), NUL bytes and invalid UTF-8.
 * A refused line is recorded as an error and handed to inih as blank. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	ssize_t len;
	size_t content;

	len = getline(&ctx->buf, &ctx->cap, ctx->f);
	if (len < 0 || num < 3)
		return NULL;
	ctx->line++;
	switch (pt_config_line(str, num, ctx->buf, (size_t)len, &content)) {
	case PT_LINE_OK:
		if (note_section_header(ctx, str) < 0)
			ctx->oom = true;
		break;
	case PT_LINE_NUL:
		pt_config_add_error(ctx, ctx->line,
			  "the line contains a NUL byte; the file is not text: "
			  "rewrite it with a text editor");
		break;
	case PT_LINE_NOT_UTF8:
		pt_config_add_error(ctx, ctx->line,
			  "the line is not valid UTF-8; rewrite it in plain "
			  "ASCII");
		break;
	case PT_LINE_TOO_LONG:
		pt_config_add_error(ctx, ctx->line,
			  "the line is %zu characters long, more than the %d "
			  "the parser accepts; split a list over several lines "
			  "that each start with the key, or shorten the comment",
			  content, num - 3);
		break;
	}
	return str;
}

static bool valid_rule_name(const char *s)
{
	if (!*s || strlen(s) > PT_RULE_NAME_MAX)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return false;
	}
	return true;
}

static struct section_header *find_header(struct parse_ctx *ctx,
					  const char *name, size_t before)
{
	for (size_t i = 0; i < before; i++)
		if (strcmp(ctx->headers[i].name, name) == 0)
			return &ctx->headers[i];
	return NULL;
}

/* Decides what a section is, once, whether or not it has keys. */
static int open_section(struct parse_ctx *ctx, size_t index)
{
	struct section_header *h = &ctx->headers[index];
	struct section_header *first = find_header(ctx, h->name, index);
	struct pt_config *cfg = ctx->cfg;
	const char *name;

	h->opened = true;
	if (first) {
		pt_config_add_error(ctx, h->line,
			  "[%s]: the section appears again (first at line %u); "
			  "merge the two, or give the rule another name",
			  h->name, first->line);
		return 0;
	}
	if (strcmp(h->name, "global") == 0) {
		h->is_global = true;
		h->valid = true;
		return 0;
	}
	if (strncmp(h->name, "device.", 7) != 0) {
		pt_config_add_error(ctx, h->line,
			  "[%s]: unknown section; expected [global] or "
			  "[device.NAME]",
			  h->name);
		return 0;
	}
	name = h->name + 7;
	if (!valid_rule_name(name)) {
		pt_config_add_error(ctx, h->line,
			  "[%s]: the rule name '%s' must be 1 to %d letters, "
			  "digits, '-', '_' or '.'",
			  h->name, name, PT_RULE_NAME_MAX);
		return 0;
	}
	if (!pt_config_add_rule(cfg, name, h->line))
		return -ENOMEM;
	h->rule = cfg->n_rules - 1;
	h->valid = true;
	return 0;
}

/* The header a key belongs to: the last one the reader noted before it.
 * inih says which section it put the key in; when the two disagree, the
 * file does not mean the same thing to every reader, and nothing in it
 * may be trusted. */
static struct section_header *header_of_key(struct parse_ctx *ctx, size_t *index)
{
	for (size_t i = ctx->n_headers; i > 0; i--) {
		if (ctx->headers[i - 1].line > ctx->line)
			continue;
		*index = i - 1;
		return &ctx->headers[i - 1];
	}
	return NULL;
}

static bool same_section(const struct section_header *h, const char *section)
{
	/* inih cuts longer names; such a name is refused anyway. */
	return strlen(h->name) > PT_INI_SECTION_MAX ?
		       strncmp(h->name, section, PT_INI_SECTION_MAX) == 0 :
				      strcmp(h->name, section) == 0;
}

static int handle_key(void *user, const char *section, const char *key,
		      const char *value)
{
	struct parse_ctx *ctx = user;
	struct section_header *h;
	size_t hi = 0;

	h = header_of_key(ctx, &hi);
	if (!h && !*section) {
		pt_config_add_error(ctx, ctx->line,
			  "%s: the key is outside any section; put it under "
			  "[global] or [device.NAME]",
			  key);
		return !ctx->oom;
	}
	if (!h || !same_section(h, section)) {
		pt_config_add_error(ctx, ctx->line,
			  "%s: INI readers disagree on which section this key is "
			  "in ([%s] or [%s]); put each section header alone on its "
			  "line, with nothing but spaces before it",
			  key, h ? h->name : "", section);
		return !ctx->oom;
	}
	if (!h->opened && open_section(ctx, hi) < 0)
		ctx->oom = true;
	if (!h->valid)
		return !ctx->oom; /* the section's own error says it all */

	pt_config_apply_key(ctx, h, key, value);
	return !ctx->oom;
}

static int compare_errors(const void *a, const void *b)
{
	const struct pt_config_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* stable enough: errors of one line are added in reading order */
	return x < y ? -1 : x > y;
}

int pt_config_parse_stream(FILE *f, const char *path, struct pt_config *cfg)
{
	struct parse_ctx ctx = { .f = f, .cfg = cfg };
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = strdup(path);
	if (!cfg->path)
		return -ENOMEM;
	cfg->iommu = PT_IOMMU_AUTO;
	cfg->iommu_pt = true;
	cfg->driver = PT_DRIVER_VFIO_PCI;

	/* Continuation lines would make one key's values depend on the
	 * indentation of the next line; values go on one line instead. */
	ini_allow_multiline = false;
	r = ini_parse_stream(read_line, &ctx, handle_key, &ctx);
	if (r > 0 && !ctx.oom)
		pt_config_add_error(&ctx, (unsigned)r,
			  "syntax error: expected '[section]', 'key = value' "
			  "or a comment starting with ';' or '#'");
	for (size_t i = 0; i < ctx.n_headers && !ctx.oom; i++)
		if (!ctx.headers[i].opened && open_section(&ctx, i) < 0)
			ctx.oom = true;
	pt_config_check_rules(&ctx);
	if (cfg->n_errors > 1)
		qsort(cfg->errors, cfg->n_errors, sizeof(*cfg->errors),
		      compare_errors);

	for (size_t i = 0; i < ctx.n_headers; i++)
		free(ctx.headers[i].name);
	free(ctx.headers);
	free(ctx.buf);
	return ctx.oom || r == -2 ? -ENOMEM : 0;
}

static int config_file_error(struct pt_config *cfg, const char *path,
			     const char *text)
{
	struct parse_ctx ctx = { .cfg = cfg };

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = strdup(path);
	if (!cfg->path)
		return -ENOMEM;
	cfg->driver = PT_DRIVER_VFIO_PCI;
	return pt_config_add_error(&ctx, 0, "%s", text);
}

int pt_config_load(const char *path, struct pt_config *cfg)
{
	char text[256];
	FILE *f;
	int fd, r;

	/* Through the one way files are read: a FIFO would make the boot,
	 * update-grub and apply wait for a writer forever. */
	fd = pt_open_regular(path);
	if (fd == -EINVAL)
		return config_file_error(cfg, path,
					 "the config is not a regular file; "
					 "it must be a plain file");
	if (fd < 0) {
		snprintf(text, sizeof(text), "cannot open the config: %s", strerror(-fd));
		r = config_file_error(cfg, path, text);
		return r < 0 ? r : (fd == -ENOENT ? -ENOENT : 0);
	}
	if (!(f = fdopen(fd, "r"))) {
		snprintf(text, sizeof(text), "cannot read the config: %s",
			 strerror(errno));
		close(fd);
		return config_file_error(cfg, path, text);
	}
	r = pt_config_parse_stream(f, path, cfg);
	if (r == 0 && ferror(f)) {
		struct parse_ctx ctx = { .cfg = cfg };

		snprintf(text, sizeof(text), "reading the config failed: %s",
			 strerror(errno));
		r = pt_config_add_error(&ctx, 0, "%s", text);
	}
	fclose(f);
	return r;
}

void pt_config_free(struct pt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_rules; i++) {
		for (size_t k = 0; k < cfg->rules[i].n_matches; k++) {
			struct pt_match *m = &cfg->rules[i].matches[k];

			if (m->kind == PT_MATCH_DISK)
				free(m->u.path);
		}
		free(cfg->rules[i].name);
		free(cfg->rules[i].matches);
		free(cfg->rules[i].guards);
		free(cfg->rules[i].group_guards);
		free(cfg->rules[i].reset_method);
		free(cfg->rules[i].accept);
	}
	for (size_t i = 0; i < cfg->n_errors; i++)
		free(cfg->errors[i].text);
	free(cfg->rules);
	free(cfg->errors);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

enum pt_driver pt_rule_driver(const struct pt_config *cfg,
			      const struct pt_rule *rule)
{
	return rule->driver == PT_DRIVER_DEFAULT ? cfg->driver : rule->driver;
}
