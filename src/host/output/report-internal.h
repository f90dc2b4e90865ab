/* Inside output/: what the report files share. */
#ifndef PT_REPORT_INTERNAL_H
#define PT_REPORT_INTERNAL_H

#include "json.h"
#include "report.h"

#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RED "\033[31m"
#define RESET "\033[0m"

/* code when the report is in colour, else "". */
const char *pt_report_colour(const struct pt_report *r, const char *code);

/* Whether device i passes -s and -d. */
bool pt_report_shown(const struct pt_report *r, size_t i);
/* The next IOMMU group, in numeric order from *at (a position in the
 * machine's group index, advanced past it), with a device that is shown:
 * its *n members (shown or not) and its number; NULL after the last. */
const size_t *pt_report_next_group(const struct pt_report *r, size_t *at, size_t *n, long *group);
/* One device as list --json and show --json give it; the whole list. */
void pt_report_device_json(const struct pt_report *r, struct pt_json *j, size_t i);
void pt_report_list_json(const struct pt_report *r);

#endif
