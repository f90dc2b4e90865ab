#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void pt_log(const struct pt_log *log, enum pt_prio prio, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!log || !log->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->fn(log->data, prio, msg);
}
