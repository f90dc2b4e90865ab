/* Selection: which devices do the rules select, and which of those may be
 * bound. Pure functions over the config and the device model; nothing here
 * touches the system, so every decision is unit-tested. */
#ifndef PT_SELECT_H
#define PT_SELECT_H

#include "compiler.h"

#include "config.h"
#include "device.h"

enum pt_verdict {
	PT_BIND,    /* give it to the rule's driver */
	PT_REFUSED, /* selected, but binding it would be wrong: say why */
	PT_SKIPPED, /* pulled in by a group or a slot, but never bound */
	PT_MAKE_VFS, /* an SR-IOV rule's physical function: it keeps its
		      * host driver and gets the rule's virtual functions */
};

struct pt_decision {
	size_t device; /* index into the device list */
	size_t rule;   /* the first rule that selected it */
	enum pt_driver driver;
	enum pt_verdict verdict;
	const char *reason; /* for PT_REFUSED and PT_SKIPPED */
	size_t other_rule;  /* the second rule, when two rules conflict */
	const struct pt_guard *guard; /* PT_REASON_CHANGED: what was there */
	long changed_group; /* PT_REASON_GROUP_CHANGED: which group; else -1 */
	/* How to take it, decided here once for the binder, check and
	 * `passthrough bind`: the rule whose reset_method it gets (see
	 * pt_reset_rule; -1: none) and that method, and whether the
	 * firmware framebuffer holds its memory (the boot display). */
	long reset_rule;
	const char *reset_method;
	bool release_framebuffer;
};

struct pt_plan {
	struct pt_decision *v; /* in device address order */
	size_t n;
	size_t *rule_hits; /* per rule: how many devices it selected */
};

/* The host-only selectors (usb, usb_bus, disk) name things that do not
 * exist yet in early boot. The host tool knows which PCI controllers they
 * sit behind and passes a resolver; without one (the binder) they select
 * nothing, and `passthrough generate` writes the initramfs addresses and
 * an ID guard instead. */
struct pt_resolver {
	bool (*selects)(const void *data, const struct pt_match *m,
			const struct pt_device *dev);
	const void *data;
};

bool pt_rule_matches(const struct pt_rule *rule, const struct pt_device *dev,
		     const struct pt_resolver *resolver);
bool pt_rule_has_kind(const struct pt_rule *rule, enum pt_match_kind kind);
/* The rule whose reset_method a device gets: the first in the file that
 * has one and whose own selectors name the device (a function pulled in
 * by functions = all, or a VF, is not named: it may have no such reset);
 * -1 when none. Whichever rule selected the device: the same at boot, in
 * check and for `passthrough bind`. */
long pt_reset_rule(const struct pt_config *cfg, const struct pt_device *dev,
		   const struct pt_resolver *resolver);
/* Whether the rule's values of one key alone match some device: which
 * key of a rule that selects nothing is the one that matches nothing. */
bool pt_rule_kind_matches_any(const struct pt_rule *rule, enum pt_match_kind kind,
			      const struct pt_devices *devs, const struct pt_resolver *resolver);

PT_MUST_CHECK int pt_select_devices(const struct pt_config *cfg, const struct pt_devices *devs,
		      const struct pt_resolver *resolver, struct pt_plan *plan);
void pt_plan_free(struct pt_plan *plan);
/* The decision about one device, or NULL when no rule selected it. */
const struct pt_decision *pt_plan_decision(const struct pt_plan *plan, size_t device);
/* "bind", "refused", "skipped" or "make-vfs", as check, list and status
 * say it. */
const char *pt_verdict_name(enum pt_verdict v);

extern const char PT_REASON_BRIDGE[];
extern const char PT_REASON_BOOT_VGA[];
extern const char PT_REASON_NO_IOMMU[];
extern const char PT_REASON_SRIOV_PF[];
extern const char PT_REASON_CONFLICT[];
extern const char PT_REASON_PLATFORM[];
extern const char PT_REASON_CHANGED[];
extern const char PT_REASON_GROUP_CHANGED[];

/* Whether an IOMMU group holds other devices than the rule's group guards
 * recorded for it (virtual functions aside: the binder makes them). */
bool pt_group_changed(const struct pt_rule *rule, unsigned long group,
		      const struct pt_devices *devs);

/* The guard of a rule for an address, or NULL. */
const struct pt_guard *pt_rule_guard(const struct pt_rule *rule, const struct pt_pci_addr *a);

#endif
