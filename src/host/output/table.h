/* `list` and `disks` as tables and trees, the way lsblk prints them
 * (libsmartcols): --output columns, --raw, --pairs, --noheadings, --list,
 * and --json in lsblk's form. The default views of both commands stay
 * hand-written: their free text (the facts line, "selected by ...", the
 * reasons a disk is in use) and the nested JSON documented in the README
 * are not columns. */
#ifndef PT_TABLE_H
#define PT_TABLE_H

#include "report.h"

#include <stdbool.h>
#include <stdio.h>

struct pt_table_opts {
	const char *output; /* "DEVICE,DRIVER": the columns; NULL: the default */
	bool raw, pairs, noheadings, flat, json;
	const struct pt_log *log; /* where an unknown column is said */
};

/* 0, -EINVAL for an unknown column (said through o->log), -ENOMEM, -EIO. */
int pt_table_list(const struct pt_report *r, const struct pt_table_opts *o);
int pt_table_disks(const struct pt_machine *m, const struct pt_table_opts *o);
/* The columns and what they hold, for --help. */
void pt_table_help(FILE *f);

#endif
