#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pt_log(const struct pt_log *log, enum pt_prio prio, const char *fmt, ...)
{
	char fallback[512], *msg = NULL;
	va_list ap;

	if (!log || !log->fn)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		/* Out of memory: the message as far as it fits, marked. */
		va_start(ap, fmt);
		if (vsnprintf(fallback, sizeof(fallback), fmt, ap) >= (int)sizeof(fallback))
			memcpy(fallback + sizeof(fallback) - 4, "...", 4);
		va_end(ap);
	}
	log->fn(log->data, prio, msg ? msg : fallback);
	free(msg);
}
