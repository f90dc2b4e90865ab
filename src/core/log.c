#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pt_log(const struct pt_log *log, enum pt_prio prio, const char *fmt, ...)
{
	/* Most lines fit: formatted once, on the stack (the binder logs a
	 * line per selected device, thousands on a big SR-IOV host). A longer
	 * one is formatted again into memory of its size. */
	char line[512], *msg = line;
	va_list ap;
	int n;

	if (!log || !log->fn)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line)) {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0) {
			/* Out of memory: the message as far as it fits, marked. */
			msg = line;
			memcpy(line + sizeof(line) - 4, "...", 4);
		}
		va_end(ap);
	}
	log->fn(log->data, prio, n < 0 ? fmt : msg);
	if (msg != line)
		free(msg);
}

void pt_log_join(const struct pt_log *log, enum pt_prio prio, ...)
{
	char line[512];
	size_t len = 0;
	const char *piece;
	va_list ap;

	if (!log || !log->fn)
		return;
	va_start(ap, prio);
	while ((piece = va_arg(ap, const char *))) {
		size_t n = strlen(piece);

		if (n > sizeof(line) - 1 - len)
			n = sizeof(line) - 1 - len; /* cut, as snprintf would */
		memcpy(line + len, piece, n);
		len += n;
	}
	va_end(ap);
	line[len] = '\0';
	log->fn(log->data, prio, line);
}

const char *pt_hex4(unsigned v, char out[5])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 3; i >= 0; i--, v >>= 4)
		out[i] = digits[v & 0xf];
	out[4] = '\0';
	return out;
}
