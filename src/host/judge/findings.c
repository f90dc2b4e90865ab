/* Findings: how check records what it found (with the rule, line and
 * device it is about), and the findings about the config itself: its
 * errors and the file (owner, mode, a link). */
#include "check.h"
#include "findings.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pt_severity_name(enum pt_severity s)
{
	static const char *const names[] = { "note", "warning", "error" };

	return names[s];
}

void pt_findings_incomplete(struct pt_findings *out)
{
	if (!out->incomplete)
		out->count[PT_SEV_ERROR]++;
	out->incomplete = true;
}

void pt_finding_add(struct pt_findings *out, enum pt_severity sev, const char *code,
		    struct finding_where w, const char *fix, const char *fmt, ...)
{
	struct pt_finding *v, *f;
	va_list ap;

	v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (!v) {
		pt_findings_incomplete(out);
		return;
	}
	out->v = v;
	f = &v[out->n];
	memset(f, 0, sizeof(*f));
	f->severity = sev;
	f->code = code;
	f->rule = w.rule;
	f->line = w.line;
	snprintf(f->device, sizeof(f->device), "%s", w.device ? w.device : "");
	va_start(ap, fmt);
	if (vasprintf(&f->message, fmt, ap) < 0)
		f->message = NULL;
	va_end(ap);
	f->fix = fix ? strdup(fix) : NULL;
	if (!f->message || (fix && !f->fix)) {
		free(f->message);
		free(f->fix);
		pt_findings_incomplete(out);
		return;
	}
	out->n++;
	out->count[sev]++;
}

struct finding_where pt_nowhere(void)
{
	return (struct finding_where){ -1, 0, NULL };
}

struct finding_where pt_at_rule(const struct pt_config *cfg, size_t rule,
				    const char *device)
{
	return (struct finding_where){ (long)rule, cfg->rules[rule].line, device };
}

int pt_check_config_errors(const struct pt_config *cfg, const struct pt_check_env *env,
			   struct pt_findings *out)
{
	/* The only error a missing file has: say where to start. */
	const char *fix = env->config_missing ?
		"create it: passthrough.conf(5) explains every key and ends with an "
		"example; `passthrough list` shows each device's address and group" : NULL;

	/* a missing file is no syntax error at line 0 */
	for (size_t i = 0; i < cfg->n_errors; i++)
		pt_finding_add(out, PT_SEV_ERROR, env->config_missing ? "config-missing" : "config-syntax",
		    (struct finding_where){ -1, cfg->errors[i].line, NULL }, fix,
		    "%s", cfg->errors[i].text);
	return out->incomplete ? -ENOMEM : 0;
}

int pt_check_config_file(const struct pt_config *cfg, const struct pt_check_env *env,
			 struct pt_findings *out)
{
	char fix[512];

	if (!env->have_config_stat)
		return 0;
	/* The binder runs as root at every boot from what this file says:
	 * whoever can write it can hand any device to a guest. */
	if (env->config_stat.st_uid != 0) {
		snprintf(fix, sizeof(fix), "chown root:root %s", cfg->path);
		pt_finding_add(out, PT_SEV_ERROR, "config-owner", pt_nowhere(), fix,
		    "%s is owned by uid %u, not root", cfg->path,
		    (unsigned)env->config_stat.st_uid);
	}
	if (env->config_stat.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(fix, sizeof(fix), "chmod go-w %s", cfg->path);
		pt_finding_add(out, PT_SEV_ERROR, "config-writable", pt_nowhere(), fix,
		    "%s is writable by %s (mode %04o)", cfg->path,
		    (env->config_stat.st_mode & S_IWOTH) ? "everyone" : "its group",
		    (unsigned)(env->config_stat.st_mode & 07777));
	}
	if (env->config_is_link)
		pt_finding_add(out, PT_SEV_NOTE, "config-symlink", pt_nowhere(),
		    "the initramfs gets a copy of the file it points to; keep "
		    "that file root-owned too",
		    "%s is a symbolic link", cfg->path);
	return out->incomplete ? -ENOMEM : 0;
}

/* A RAM controller without a driver (Intel's "Shared SRAM" beside the
 * chipset xHCI) has nothing a host driver could claim it for: it does not
 * keep vfio from using the group, so the group goes without it. */
void pt_append_list(char *buf, size_t len, const char *item)
{
	pt_append(buf, len, "%s%s", buf[0] ? ", " : "", item);
}

void pt_findings_sort(struct pt_findings *f)
{
	/* Insertion sort: stable, and a check finds a handful. */
	for (size_t i = 1; i < f->n; i++) {
		struct pt_finding x = f->v[i];
		size_t j = i;

		for (; j > 0 && f->v[j - 1].line > x.line; j--)
			f->v[j] = f->v[j - 1];
		f->v[j] = x;
	}
}

void pt_findings_free(struct pt_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].message);
		free(f->v[i].fix);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}
