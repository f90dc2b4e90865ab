/* What the host tool prints: the human form (80 columns, colour only on a
 * terminal) and the --json form (stable, documented in README.md) of
 * list, show, check and status. Printing only; the facts come from the
 * machine model, the plan and the findings. */
#ifndef PT_REPORT_H
#define PT_REPORT_H

#include "check.h"
#include "json.h"
#include "config.h"
#include "filter.h"
#include "machine.h"
#include "select.h"

#include <stdio.h>

struct pt_setup;
struct pt_report {
	FILE *out;
	bool json;
	bool color;
	bool terminal; /* a person reads it: names cut and text wrapped to 80
			* columns; otherwise nothing is cut or wrapped */
	const struct pt_machine *m;
	const struct pt_config *cfg; /* NULL: no config */
	const struct pt_plan *plan;  /* NULL with cfg */
	const struct pt_pci_filter *filter; /* lspci's -s and -d; NULL: all */
	const struct pt_setup *setup; /* where the admin stands; NULL: not said */
};

void pt_report_list(const struct pt_report *r);
/* One disk as JSON: the short form of `list`, or with `detail` the full
 * one of `disks` (controller, group, contents, partitions). */
struct pt_json;
void pt_report_disk_json(struct pt_json *j, const struct pt_machine *m,
			 const struct pt_disk *d, bool detail);
void pt_report_show(const struct pt_report *r, size_t device);
void pt_report_check(const struct pt_report *r, const struct pt_findings *f);
/* "findings": [...] of check's JSON, inside another object (apply's) */
void pt_report_findings_json(struct pt_json *j, const struct pt_config *cfg,
			     const struct pt_findings *f);

/* One selected device after boot. */
struct pt_status {
	size_t decision;      /* index into plan */
	const char *expected; /* driver, or the host's when refused */
	bool group_viable;
	char vfio_node[64];   /* /dev/vfio/N, "" when not applicable */
	bool vfio_node_present;
	bool ok;
};

struct pt_setup;
/* The state of the setup (state.h): "State: ..." and "Next: ..." lines,
 * or the "state" object of a JSON document. */
void pt_report_setup(const struct pt_report *r, const struct pt_setup *setup);
void pt_report_setup_json(struct pt_json *j, const struct pt_setup *setup);
void pt_report_status(const struct pt_report *r, const struct pt_setup *setup,
		      const struct pt_status *st, size_t n, char **kmsg, size_t n_kmsg,
		      bool all_ok);

struct pt_apply_plan;
struct pt_apply_journal;
struct pt_apply_event;

/* apply's events as lines for people, on the FILE * in data (a
 * pt_apply_show_fn); and the journal as one JSON document on stdout. */
void pt_report_apply_event(const struct pt_apply_plan *p, const struct pt_apply_journal *j,
			   const struct pt_apply_event *e, void *data);
void pt_report_apply_json(const struct pt_apply_plan *p, const struct pt_apply_journal *jr,
			  const struct pt_config *cfg, const struct pt_findings *f,
			  const char *result, const char *error, bool first_step);

#endif
