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
