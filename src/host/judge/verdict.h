/* Can this device be passed to a VM, and with what: the one judgement
 * `show` ends with and `list` marks a selection by, made as check makes it
 * (a chipset device, the host's disk, a group shared with either: no; the
 * slot's other functions: with functions = all; other devices of the
 * group: with the whole group). Pure: the machine model in. */
#ifndef PT_VERDICT_H
#define PT_VERDICT_H

#include "machine.h"

#include <stddef.h>

enum pt_pass {
	PT_PASS_ALONE,      /* the device alone */
	PT_PASS_WITH_SLOT,  /* with the slot's other functions: functions = all */
	PT_PASS_WITH_GROUP, /* with the rest of its IOMMU group: group = N */
	PT_PASS_NO,         /* not in this slot, or never */
};

struct pt_pass_verdict {
	enum pt_pass pass;
	char text[512]; /* "can be passed alone", "only with ...", "no: ..." */
};

void pt_pass_verdict(const struct pt_machine *m, size_t device, struct pt_pass_verdict *out);
/* What another member of the device's group is to it, for show: "bridge:
 * stays with the host", "already safe", "goes with it", "chipset: stays
 * with the host", "holds the host's disk sda: stays with the host". */
void pt_group_member_role(const struct pt_machine *m, size_t member, char *buf, size_t len);
/* The host's disks (in use) behind a controller, "sda sdb"; "" when none. */
void pt_host_disks_behind(const struct pt_machine *m, size_t device, char *buf, size_t len);

#endif
