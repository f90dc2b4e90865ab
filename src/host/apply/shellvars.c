#include "shellvars.h"
#include "cmdline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The word after VAR= read the way sh reads it: the decoded value and,
 * for each decoded byte, the source bytes it came from, so an edit cuts
 * exactly a token's bytes and leaves the admin's quoting as it was. */
struct shell_value {
	size_t line, line_no;   /* offset of the assignment's line, its number */
	size_t start, end;      /* the word's source bytes */
	char closing_quote;     /* the quote that ends the word, or 0 */
	size_t rest_end;        /* end of the line (after any comment) */
	char *value;            /* decoded, NUL-terminated */
	size_t len;
	size_t *src;            /* src[i]..src_end[i]: decoded byte i's source */
	size_t *src_end;
};

static void shell_value_free(struct shell_value *v)
{
	free(v->value);
	free(v->src);
	free(v->src_end);
	memset(v, 0, sizeof(*v));
}

static int fail(struct pt_shell_error *err, size_t line_no, const char *var, const char *what)
{
	if (err) {
		err->line = line_no;
		snprintf(err->what, sizeof(err->what), "%s= %s", var, what);
	}
	return -EINVAL;
}

static int emit(struct shell_value *v, char c, size_t from, size_t to)
{
	/* len + 2: room for this byte and the NUL */
	char *value = realloc(v->value, v->len + 2);
	size_t *src = value ? realloc(v->src, (v->len + 1) * sizeof(*src)) : NULL;
	size_t *src_end = src ? realloc(v->src_end, (v->len + 1) * sizeof(*src_end)) : NULL;

	if (value)
		v->value = value;
	if (src)
		v->src = src;
	if (!src_end)
		return -ENOMEM;
	v->src_end = src_end;
	v->value[v->len] = c;
	v->src[v->len] = from;
	v->src_end[v->len] = to;
	v->value[++v->len] = '\0';
	return 0;
}

static bool unpaired_quote(const char *value)
{
	size_t n = 0;

	for (; *value; value++)
		n += *value == '"';
	return n % 2;
}

/* Reads the word starting at text[i]: unquoted bytes, "..." (where a
 * backslash escapes $ ` " \ and newline) and '...' (no escapes), glued
 * together; then blanks, an optional comment and the end of the line.
 * Expansions ($, `) and anything more on the line are refused: their
 * value is not in the file. */
static int read_shell_word(const char *text, size_t i, const char *var,
			   struct shell_value *v, struct pt_shell_error *err)
{
	char quote = 0;
	size_t closed_at = (size_t)-1;
	int r = 0;

	v->start = i;
	if (!(v->value = strdup("")))
		return -ENOMEM;
	while (text[i] && r == 0) {
		char c = text[i];

		if (quote == '\'') {
			if (c == '\'') {
				quote = 0;
				closed_at = ++i;
				continue;
			}
			r = emit(v, c, i, i + 1);
			i++;
			continue;
		}
		if (c == '$' || c == '`')
			return fail(err, v->line_no, var, "uses an expansion ($ or `), whose value "
				    "is not in the file");
		if (quote == '"' && c == '"') {
			quote = 0;
			closed_at = ++i;
			continue;
		}
		if (c == '\\' && text[i + 1] == '\n') {
			i += 2; /* a line continuation: no byte of the value */
			continue;
		}
		if (c == '\\' && !text[i + 1])
			return fail(err, v->line_no, var, "ends the file with a lone backslash");
		if (c == '\\' &&
		    (!quote || strchr("$`\"\\", text[i + 1]))) {
			r = emit(v, text[i + 1], i, i + 2);
			i += 2;
			continue;
		}
		if (!quote && (c == '"' || c == '\'')) {
			quote = c;
			i++;
			continue;
		}
		if (!quote && strchr(" \t\n;&|<>()", c))
			break;
		r = emit(v, c, i, i + 1);
		i++;
	}
	if (r)
		return r;
	if (quote)
		return fail(err, v->line_no, var, quote == '"' ? "has an unterminated double quote" :
			    "has an unterminated single quote");
	if (unpaired_quote(v->value))
		return fail(err, v->line_no, var, "has an unpaired \" inside its value (the "
			    "kernel would read the rest as one argument)");
	v->end = i;
	v->closing_quote = closed_at == i ? text[i - 1] : 0;
	i += strspn(text + i, " \t");
	if (text[i] == '#')
		i += strcspn(text + i, "\n");
	if (text[i] && text[i] != '\n')
		return fail(err, v->line_no, var, "is followed by more than a comment on its "
			    "line; passthrough edits only a plain VAR=value line");
	v->rest_end = i;
	return 0;
}

/* How many compound commands (if, case, loops, braces) a line opens
 * less those it closes: "if x; then y; fi" is 0. Words at the line's
 * command positions are what counts; a config file's shell is simple. */
static int block_change(const char *line, size_t len)
{
	static const char *const opens[] = { "if", "case", "for", "while", "until", "select", "{" };
	static const char *const closes[] = { "fi", "esac", "done", "}" };
	int change = 0;

	for (size_t i = 0; i < len;) {
		size_t n;

		i += strspn(line + i, " \t;&|(");
		n = strcspn(line + i, " \t;&|()\n");
		if (n == 0 || i >= len)
			break;
		if (line[i] == '#')
			break;
		for (size_t k = 0; k < sizeof(opens) / sizeof(opens[0]); k++)
			change += strlen(opens[k]) == n && !strncmp(line + i, opens[k], n);
		for (size_t k = 0; k < sizeof(closes) / sizeof(closes[0]); k++)
			change -= strlen(closes[k]) == n && !strncmp(line + i, closes[k], n);
		/* only the first word of a simple command: skip its arguments */
		i += n;
		i += strcspn(line + i, ";&|\n");
	}
	return change;
}

/* Where VAR= starts on this line: at its start, after blanks and an
 * optional `export` or `readonly` (sh assigns the same way); NULL when
 * the line does not assign VAR. */
static const char *assignment_at(const char *line, const char *var)
{
	size_t vlen = strlen(var);
	const char *p = line + strspn(line, " \t");

	for (size_t k = 0; k < 2; k++) {
		static const char *const words[] = { "export", "readonly" };
		size_t n = strlen(words[k]);

		if (!strncmp(p, words[k], n) && (p[n] == ' ' || p[n] == '\t')) {
			p += n;
			p += strspn(p, " \t");
			break;
		}
	}
	return !strncmp(p, var, vlen) && p[vlen] == '=' ? p : NULL;
}

/* How much of the line sh reads: a comment ("# ..." at its start or after
 * a blank) ends it. */
static size_t code_length(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
			return i;
	return len;
}

/* Whether the line assigns VAR anywhere sh reads (not in a comment):
 * a word VAR= at its start or after a blank or a separator. */
static bool assigns(const char *line, size_t len, const char *var)
{
	size_t vlen = strlen(var);

	len = code_length(line, len);
	for (const char *p = line; (p = strstr(p, var)) && (size_t)(p - line) < len; p += vlen)
		if (p[vlen] == '=' && (p == line || strchr(" \t;&|()", p[-1])))
			return true;
	return false;
}

/* Whether VAR= is assigned on this line behind another command
 * ("[ -e f ] && VAR=x", "if c; then VAR=x; fi"): a word VAR= after a
 * separator or a keyword. */
static bool assigned_later_on(const char *line, size_t len, const char *var)
{
	size_t vlen = strlen(var);

	len = code_length(line, len);
	for (const char *p = line; (p = strstr(p, var)) && (size_t)(p - line) < len; p += vlen) {
		char before = p > line ? p[-1] : ' ';

		if (p[vlen] == '=' && p > line && strchr(" \t;&|", before) &&
		    strcspn(line, ";&|") < (size_t)(p - line))
			return true;
	}
	return false;
}

/* The last VAR= of the file, as sh would leave it; `export VAR=` and
 * `readonly VAR=` count as well. An assignment inside an if, case, loop
 * or braces is refused: which value sh keeps then depends on the run,
 * and an edit (or a line appended) could undo the admin's. 1 when found,
 * 0 when not, -errno. */
static int find_assignment(const char *text, const char *var, struct shell_value *v,
			   struct pt_shell_error *err)
{
	size_t line_no = 0, found = (size_t)-1, found_no = 0, at = 0;
	int depth = 0, r;

	memset(v, 0, sizeof(*v));
	for (const char *line = text; line; line = strchr(line, '\n')) {
		const char *p;
		size_t len;

		if (*line == '\n')
			line++;
		line_no++;
		len = strcspn(line, "\n");
		if (depth > 0 && assigns(line, len, var))
			return fail(err, line_no, var, "is set inside an if, case, loop or "
				    "braces: which value sh keeps depends on the run; set it "
				    "once, outside any block");
		if (!(p = assignment_at(line, var)) && assigned_later_on(line, len, var))
			return fail(err, line_no, var, "is set after another command on this line "
				    "(a condition, a loop): which value sh keeps depends on the "
				    "run; set it on a line of its own");
		if (p) {
			found = (size_t)(line - text);
			found_no = line_no;
			at = (size_t)(p - text);
		}
		depth += block_change(line, len);
		if (depth < 0)
			depth = 0;
	}
	if (found == (size_t)-1)
		return 0;
	v->line = found;
	v->line_no = found_no;
	r = read_shell_word(text, at + strlen(var) + 1, var, v, err);
	if (r < 0)
		shell_value_free(v);
	return r < 0 ? r : 1;
}

int pt_assignment_check(const char *text, const char *var, struct pt_shell_error *err)
{
	struct shell_value v;
	int r = find_assignment(text, var, &v, err);

	shell_value_free(&v);
	return r < 0 ? r : 0;
}

int pt_assignment_tokens(const char *text, const char *var, char sep,
			 struct pt_tokens *out)
{
	struct shell_value v;
	int r;

	out->v = NULL;
	out->n = 0;
	r = find_assignment(text, var, &v, NULL);
	if (r == 1)
		r = pt_tokens_split(v.value, sep, out);
	shell_value_free(&v);
	return r;
}

/* Text without the source bytes of decoded bytes [from, to) of v: quotes
 * and line continuations around them stay. */
static char *cut_decoded(const char *text, const struct shell_value *v, size_t from, size_t to)
{
	size_t len = strlen(text), o = 0, k = from;
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		while (k < to && v->src_end[k] <= i)
			k++;
		if (k < to && i >= v->src[k] && i < v->src_end[k])
			continue;
		out[o++] = text[i];
	}
	out[o] = '\0';
	return out;
}

/* The tokens of a decoded value with their bounds. */
struct spans {
	size_t n, cap;
	size_t *start, *end;
};

static int add_span(const char *text, size_t start, size_t end, void *ctx)
{
	struct spans *s = ctx;

	(void)text;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		size_t *a = realloc(s->start, cap * sizeof(*a));
		size_t *b = a ? realloc(s->end, cap * sizeof(*b)) : NULL;

		if (a)
			s->start = a;
		if (!b)
			return -ENOMEM;
		s->end = b;
		s->cap = cap;
	}
	s->start[s->n] = start;
	s->end[s->n++] = end;
	return 0;
}

/* Removes one token of `remove` (not in `add`) from VAR's value: its bytes
 * and one separator before it (the separator apply put there), or the
 * whole run of separators when that is not a plain `sep`. 1 when one was
 * removed, 0 when none is left, -errno. */
static int remove_one(char **text, const char *var, char sep, const struct pt_tokens *remove,
		      const struct pt_tokens *add, struct pt_shell_error *err)
{
	struct shell_value v;
	struct spans s = { 0 };
	int r = find_assignment(*text, var, &v, err);

	if (r == 1 && (r = pt_cmdline_split(v.value, v.len, sep, add_span, &s)) == 0)
		r = 1;
	for (size_t i = 0; r == 1 && i < s.n; i++) {
		char *tok = strndup(v.value + s.start[i], s.end[i] - s.start[i]), *cut;
		size_t from = s.start[i], to = s.end[i];

		if (!tok) {
			r = -ENOMEM;
			break;
		}
		if (!pt_tokens_contain(remove, tok) || pt_tokens_contain(add, tok)) {
			free(tok);
			continue;
		}
		free(tok);
		if (i > 0 && v.value[from - 1] == (sep == ',' ? ',' : ' '))
			from--;
		else if (i > 0)
			from = s.end[i - 1];
		else if (s.n > 1)
			to = s.start[1];
		cut = cut_decoded(*text, &v, from, to);
		if (!cut) {
			r = -ENOMEM;
			break;
		}
		free(*text);
		*text = cut;
		r = 1;
		goto out;
	}
	if (r == 1)
		r = 0; /* nothing of ours left */
out:
	free(s.start);
	free(s.end);
	shell_value_free(&v);
	return r;
}

/* Appends `s` to f escaped for where it goes: inside "..." (\ before
 * $ ` " \), inside '...' (no ' possible), or unquoted (\ before any byte
 * sh would treat specially, a blank included). */
static void put_escaped(FILE *f, const char *s, char context)
{
	for (; *s; s++) {
		if (context == '"' && strchr("$`\"\\", *s))
			fputc('\\', f);
		else if (!context && !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789_./:=,@%+-", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

#define ADDED_MARK "# added by passthrough apply"

/* Adds one token at the end of VAR's value, in the value's own quoting:
 * before a closing quote, or escaped after an unquoted word (so
 * `opts=quiet` becomes `opts=quiet\ iommu=pt` and comes back as it was
 * when the token goes). A missing VAR gets a line of its own, marked so
 * that removing our last token removes the line too. */
static char *add_one(const char *text, const char *var, char sep, const char *tok,
		     struct pt_shell_error *err)
{
	struct shell_value v;
	char *out = NULL, sep_s[2] = { sep == ',' ? ',' : ' ', 0 }, *joined;
	size_t len = 0;
	int r = find_assignment(text, var, &v, err);
	FILE *f;

	if (r < 0 || !(f = open_memstream(&out, &len))) {
		shell_value_free(&v);
		return NULL;
	}
	if (r == 0) {
		/* A file without a final newline gets none after our line
		 * either, so that dropping the line (and the newline before
		 * it) gives it back as it was. */
		bool unterminated = text[0] && text[strlen(text) - 1] != '\n';

		fputs(text, f);
		fputs(unterminated ? "\n" : "", f);
		fprintf(f, "%s=\"", var);
		put_escaped(f, tok, '"');
		fputs("\" " ADDED_MARK, f);
		fputs(unterminated ? "" : "\n", f);
	} else if (asprintf(&joined, "%s%s", v.len ? sep_s : "", tok) >= 0) {
		char context = v.closing_quote;
		size_t at = v.end;

		if (context == '\'' && strchr(joined, '\''))
			context = 0; /* after the closing quote, unquoted */
		else if (context)
			at--;
		fwrite(text, 1, at, f);
		put_escaped(f, joined, context);
		fputs(text + at, f);
		free(joined);
	}
	if (fclose(f) != 0) {
		free(out);
		out = NULL;
	}
	shell_value_free(&v);
	return out;
}

/* Drops VAR's line when its value is empty and it is the line apply
 * added (it carries ADDED_MARK). */
static char *drop_if_ours_and_empty(char *text, const char *var)
{
	struct shell_value v;
	const char *rest;

	if (find_assignment(text, var, &v, NULL) != 1)
		return text;
	rest = text + v.end + strspn(text + v.end, " \t");
	if (v.len == 0 && !strncmp(rest, ADDED_MARK, strlen(ADDED_MARK)) &&
	    text + v.rest_end == rest + strlen(ADDED_MARK)) {
		size_t start = v.line, end = v.rest_end;

		if (text[end] == '\n')
			end++;
		else if (start > 0)
			start--; /* the last line, unterminated: its newline is before it */
		memmove(text + start, text + end, strlen(text + end) + 1);
	}
	shell_value_free(&v);
	return text;
}

char *pt_edit_assignment(const char *text, const char *var, char sep,
			 const struct pt_tokens *remove, const struct pt_tokens *add)
{
	struct pt_tokens cur;
	char *out = strdup(text);
	int r = 1;

	while (out && r == 1)
		r = remove_one(&out, var, sep, remove, add, NULL);
	if (r < 0 || !out || pt_assignment_tokens(out, var, sep, &cur) < 0) {
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < add->n && out; i++) {
		char *next;

		if (pt_tokens_contain(&cur, add->v[i]))
			continue;
		next = add_one(out, var, sep, add->v[i], NULL);
		free(out);
		out = next;
		if (out && pt_tokens_add(&cur, add->v[i]) < 0) {
			free(out);
			out = NULL;
		}
	}
	pt_tokens_free(&cur);
	return out ? drop_if_ours_and_empty(out, var) : NULL;
}

/* --- /etc/kernel/cmdline ---------------------------------------------------- */

int pt_cmdline_file_check(const char *text, struct pt_shell_error *err)
{
	size_t line = 1;

	for (const char *p = text; *p; line++) {
		size_t n = strcspn(p, "\n"), quotes = 0;

		for (size_t i = 0; i < n; i++)
			quotes += p[i] == '"';
		if (quotes % 2) {
			err->line = line;
			snprintf(err->what, sizeof(err->what), "an unterminated double "
				 "quote: the kernel would take the rest of the command "
				 "line as one value");
			return -EINVAL;
		}
		p += n + (p[n] == '\n');
	}
	return 0;
}

struct token_at {
	const struct pt_tokens *remove, *keep;
	size_t start, end;
	bool found;
};

static int find_removable(const char *text, size_t start, size_t end, void *ctx)
{
	struct token_at *t = ctx;
	char *tok = strndup(text + start, end - start);
	bool hit = tok && pt_tokens_contain(t->remove, tok) && !pt_tokens_contain(t->keep, tok);

	free(tok);
	if (!tok)
		return -ENOMEM;
	if (!hit)
		return 0;
	t->start = start;
	t->end = end;
	t->found = true;
	return 1;
}

char *pt_edit_cmdline_file(const char *text, const struct pt_tokens *remove,
			   const struct pt_tokens *add)
{
	struct token_at at = { .remove = remove, .keep = add };
	struct pt_tokens cur;
	char *out = strdup(text);
	int r = 0;

	/* Each token goes with the blank before it (the one apply put there),
	 * or the one after it at the start of a line. */
	while (out && (r = pt_cmdline_split(out, strlen(out), ' ', find_removable, &at)) == 1) {
		size_t start = at.start, end = at.end;

		if (start > 0 && (out[start - 1] == ' ' || out[start - 1] == '\t'))
			start--;
		else if (out[end] == ' ' || out[end] == '\t')
			end++;
		memmove(out + start, out + end, strlen(out + end) + 1);
	}
	if (!out || r < 0 || pt_tokens_split(out, ' ', &cur) < 0) {
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < add->n && out; i++) {
		size_t len = strlen(out), at_end = len;
		char *next;

		if (pt_tokens_contain(&cur, add->v[i]))
			continue;
		while (at_end > 0 && strchr(" \t\n", out[at_end - 1]))
			at_end--;
		/* At the very start, before blanks (a line of blanks only), a
		 * blank of its own after it: removing the token takes that
		 * one, and the admin's blanks stay. */
		bool blank_after = at_end == 0 && (out[0] == ' ' || out[0] == '\t');

		next = NULL;
		if (asprintf(&next, "%.*s%s%s%s%s", (int)at_end, out, at_end ? " " : "",
			     add->v[i], blank_after ? " " : "", out + at_end) < 0)
			next = NULL;
		free(out);
		out = next;
	}
	pt_tokens_free(&cur);
	return out;
}
