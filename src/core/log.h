/* Logging through a callback the front end sets: the core never decides
 * where messages go (kmsg in early boot, stderr in the host tool, a buffer
 * in tests). */
#ifndef PT_LOG_H
#define PT_LOG_H

/* syslog priorities, as /dev/kmsg expects them in "<N>" prefixes. */
enum pt_prio {
	PT_ERR = 3,
	PT_WARNING = 4,
	PT_NOTICE = 5,
	PT_INFO = 6,
	PT_DEBUG = 7,
};

typedef void (*pt_log_fn)(void *data, enum pt_prio prio, const char *msg);

struct pt_log {
	pt_log_fn fn;
	void *data;
};

void pt_log(const struct pt_log *log, enum pt_prio prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Logs the strings given, joined, up to a NULL (cut at 511 bytes; the
 * lines it is for are names sysfs and the config bound, under 300). For
 * the lines logged once per selected device, thousands on an SR-IOV host,
 * where printf's parsing of the format was half of the binder's
 * instructions. */
void pt_log_join(const struct pt_log *log, enum pt_prio prio, ...)
	__attribute__((sentinel));
/* v as 4 lower-case hex digits, the way sysfs and lspci show IDs. */
const char *pt_hex4(unsigned v, char out[5]);

#endif
