/* Inside judge/: recording findings (findings.c), for check.c. */
#ifndef PT_FINDINGS_H
#define PT_FINDINGS_H

#include "check.h"

/* What a finding is about: a rule (-1: the config or the machine as a
 * whole), its line, a device. */
struct finding_where {
	long rule;
	unsigned line;
	const char *device;
};

void pt_finding_add(struct pt_findings *out, enum pt_severity sev, const char *code,
		    struct finding_where w, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Memory ran out: an error finding of its own (pt_findings.incomplete). */
void pt_findings_incomplete(struct pt_findings *out);
struct finding_where pt_nowhere(void);
struct finding_where pt_at_rule(const struct pt_config *cfg, size_t rule, const char *device);
/* Appends ", item" (or item) to a list bounded by len, marked when cut. */
void pt_append_list(char *buf, size_t len, const char *item);

#endif
