#include "state.h"

#include <stdio.h>
#include <string.h>

const char *pt_setup_state_name(enum pt_setup_state s)
{
	static const char *const names[] = {
		[PT_STATE_NOT_APPLIED] = "not-applied",
		[PT_STATE_UNDONE] = "undone",
		[PT_STATE_STEP1_PENDING] = "step1-reboot-pending",
		[PT_STATE_STEP1_BOOTED] = "step1-booted",
		[PT_STATE_APPLIED_PENDING] = "applied-reboot-pending",
		[PT_STATE_ARGS_MISSING] = "arguments-not-in-this-boot",
		[PT_STATE_BINDER_SILENT] = "binder-did-not-run",
		[PT_STATE_APPLIED_BOOTED] = "applied",
		[PT_STATE_UNFINISHED] = "unfinished",
	};

	return names[s];
}

static void say(struct pt_setup *out, enum pt_setup_state s, bool as_applied, bool judge,
		const char *summary, const char *next)
{
	out->state = s;
	out->as_applied = as_applied;
	out->judge_devices = judge;
	snprintf(out->summary, sizeof(out->summary), "%s", summary);
	snprintf(out->next, sizeof(out->next), "%s", next);
}

void pt_setup_decide(const struct pt_state_facts *f, struct pt_setup *out)
{
	/* applied after this boot began, or (no boot time) not in it yet */
	bool pending = f->applied_before_boot == PT_NO ||
		       (f->applied_before_boot == PT_UNKNOWN && !f->args_in_boot);
	char buf[512];

	memset(out, 0, sizeof(*out));
	out->config_edited = f->applied && f->binder_on && f->config_edited;
	if (f->unfinished) {
		/* The boot files are neither the old nor the new ones: what the
		 * initramfs and boot loader hold is unknown until a rebuild. */
		say(out, PT_STATE_UNFINISHED, false, false, f->applied ?
		    "unfinished: the last apply stopped before the initramfs and the boot "
		    "loader were rebuilt" :
		    "unfinished: the last apply or undo stopped before the initramfs and "
		    "the boot loader were rebuilt", f->applied ?
		    "fix what apply reported and run `passthrough apply` again" :
		    "fix what it reported and run `passthrough apply --undo` again (or "
		    "`passthrough apply` to turn passthrough on)");
	} else if (!f->applied && f->binder_ran) {
		say(out, PT_STATE_UNDONE, true, false,
		    "not applied (undone): the binder ran at this boot, so devices stay "
		    "on vfio-pci until the next one",
		    "reboot to give the devices back to their host drivers");
	} else if (!f->applied) {
		snprintf(buf, sizeof(buf), f->has_rules ?
			 "run `passthrough apply`: it checks %s, sets the kernel arguments "
			 "and puts the binder in the initramfs" :
			 "add a [device.NAME] rule to %s (see passthrough.conf(5)), then run "
			 "`passthrough apply`", f->config);
		say(out, PT_STATE_NOT_APPLIED, true, false, "not applied: nothing is bound at boot",
		    buf);
	} else if (!f->binder_on && f->args_in_boot) {
		say(out, PT_STATE_STEP1_BOOTED, true, false,
		    "step 1 of 2 applied and booted: the IOMMU's arguments are on this "
		    "boot's command line, the binder is still off",
		    "run `passthrough apply` again: it checks the IOMMU groups and turns "
		    "the binder on (if the IOMMU is still off, enable VT-d or AMD-Vi in "
		    "the firmware setup)");
	} else if (!f->binder_on && pending) {
		snprintf(buf, sizeof(buf), "reboot, then run `passthrough apply` again (this "
			 "boot lacks %s)", f->args);
		say(out, PT_STATE_STEP1_PENDING, true, false,
		    "step 1 of 2 applied, reboot pending: the IOMMU's arguments are set, "
		    "the binder is off", buf);
	} else if (pending) {
		say(out, PT_STATE_APPLIED_PENDING, false, true,
		    "applied, reboot pending: this boot still runs without what apply set",
		    "reboot, then run `passthrough status`");
	} else if (!f->args_in_boot) {
		snprintf(buf, sizeof(buf), "the arguments apply set (%s) are not on this "
			 "boot's command line: %s; run `passthrough apply --dry-run` to see "
			 "where they are written, fix that, and reboot", f->args,
			 f->missing_cause);
		say(out, PT_STATE_ARGS_MISSING, false, f->binder_on, f->binder_on ?
		    "applied, but this boot did not get its kernel arguments" :
		    "step 1 of 2 applied, but this boot did not get its kernel arguments", buf);
	} else if (!f->binder_ran) {
		snprintf(buf, sizeof(buf), "rebuild the initramfs (%s) and reboot; check "
			 "that its hook is installed (make install)", f->rebuild);
		say(out, PT_STATE_BINDER_SILENT, false, true,
		    "applied, but the binder left no line in this boot's kernel log: the "
		    "initramfs this boot used does not run it", buf);
	} else {
		say(out, PT_STATE_APPLIED_BOOTED, true, true, "applied and booted", "");
	}
	if (out->config_edited) {
		snprintf(buf, sizeof(buf), "%s changed after the last apply: the devices are "
			 "judged against the config applied; run `passthrough apply` to check "
			 "and use the edits", f->config);
		if (!out->next[0])
			snprintf(out->next, sizeof(out->next), "%s", buf);
		else
			snprintf(out->next + strlen(out->next), sizeof(out->next) - strlen(out->next),
				 "; then: %s changed after the last apply, run `passthrough "
				 "apply` to use the edits", f->config);
	}
}
