#include "conftext.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pt_conftext_append(const char *text, const char *rule)
{
	size_t len = strlen(text);
	char *out;

	if (asprintf(&out, "%s%s%s%s", text, len && text[len - 1] != '\n' ? "\n" : "",
		     len ? "\n" : "", rule) < 0)
		return NULL;
	return out;
}

/* A section header line: its name ("device.gpu") in name, as inih reads
 * it (blanks around it dropped). */
static bool header(const char *line, size_t n, char *name, size_t len)
{
	const char *end = line + n, *close;

	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	if (line == end || *line != '[' || !(close = memchr(line, ']', (size_t)(end - line))))
		return false;
	for (line++; line < close && (*line == ' ' || *line == '\t'); line++)
		;
	while (close > line && (close[-1] == ' ' || close[-1] == '\t'))
		close--;
	snprintf(name, len, "%.*s", (int)(close - line), line);
	return true;
}

static bool blank(const char *line, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

static bool comment_or_blank(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i == n || line[i] == '#' || line[i] == ';' || blank(line, n);
}

int pt_conftext_remove(const char *text, const char *name, char **out)
{
	char want[300], got[300];
	const char *start = NULL, *end = NULL, *kept_from = NULL;

	snprintf(want, sizeof(want), "device.%s", name);
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		const char *next = l + n + (l[n] == '\n');

		if (header(l, n, got, sizeof(got))) {
			if (start && !end) {
				/* comments and blank lines just above the next
				 * header are the next section's */
				end = kept_from ? kept_from : l;
				break;
			}
			if (!strcmp(got, want))
				start = l;
		} else if (start) {
			if (!comment_or_blank(l, n))
				kept_from = NULL;
			else if (!kept_from)
				kept_from = l;
		}
		l = next;
	}
	if (!start)
		return -ENOENT;
	if (!end)
		end = text + strlen(text);
	/* the blank line that sets it apart from what is above goes too
	 * (the one add puts there) */
	if (start > text) {
		const char *prev = start - 1, *p = prev;

		while (p > text && p[-1] != '\n')
			p--;
		if (blank(p, (size_t)(prev - p)))
			start = p;
	}
	if (asprintf(out, "%.*s%s", (int)(start - text), text, end) < 0)
		return -ENOMEM;
	return 0;
}
