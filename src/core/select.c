#include "select.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char PT_REASON_BRIDGE[] =
	"it is a bridge; bridges stay with the host (vfio-pci cannot own them)";
const char PT_REASON_BOOT_VGA[] =
	"it is the boot display; set allow_boot_vga = yes in its rule if the "
	"host has another console";
const char PT_REASON_NO_IOMMU[] =
	"it has no IOMMU group: the IOMMU is off; enable VT-d/AMD-Vi in the "
	"firmware and add the arguments of `passthrough cmdline` to the "
	"kernel command line";
const char PT_REASON_CONFLICT[] =
	"two rules select it with different drivers; remove it from one";
const char PT_REASON_SRIOV_PF[] =
	"one rule gives it virtual functions (so it keeps its host driver), "
	"another binds it; remove it from one";
const char PT_REASON_PLATFORM[] =
	"it is part of the platform (host bridge, ISA/LPC bridge, SMBus, "
	"interrupt controller or IOMMU): the host cannot run without it";
const char PT_REASON_CHANGED[] =
	"another device sits at its address than when `passthrough apply` "
	"wrote the initramfs";

const char PT_REASON_GROUP_CHANGED[] =
	"its IOMMU group holds other devices than when `passthrough apply` "
	"wrote the initramfs";

const struct pt_guard *pt_rule_guard(const struct pt_rule *rule, const struct pt_pci_addr *a)
{
	for (size_t i = 0; i < rule->n_guards; i++)
		if (pt_pci_addr_compare(&rule->guards[i].addr, a) == 0)
			return &rule->guards[i];
	return NULL;
}

static bool guard_holds(const struct pt_guard *g, const struct pt_device *d)
{
	return g->vendor == d->vendor && g->device == d->device && g->class == d->class;
}

static bool match_one(const struct pt_match *m, const struct pt_device *d,
		      const struct pt_resolver *resolver)
{
	switch (m->kind) {
	case PT_MATCH_ADDRESS:
		return pt_pci_addr_compare(&m->u.addr, &d->addr) == 0;
	case PT_MATCH_IDS:
		return m->u.id.vendor == d->vendor && m->u.id.device == d->device &&
		       (!m->u.id.has_subsystem ||
			(m->u.id.subvendor == d->subvendor &&
			 m->u.id.subdevice == d->subdevice));
	case PT_MATCH_CLASS:
		return (d->class & m->u.cls.mask) == m->u.cls.value;
	case PT_MATCH_GROUP:
		return d->iommu_group >= 0 &&
		       (unsigned long)d->iommu_group == m->u.number;
	case PT_MATCH_USB:
	case PT_MATCH_USB_BUS:
	case PT_MATCH_DISK:
		return resolver && resolver->selects(resolver->data, m, d);
	case PT_MATCH_KIND_COUNT:
		break;
	}
	return false;
}

bool pt_rule_matches(const struct pt_rule *rule, const struct pt_device *dev,
		     const struct pt_resolver *resolver)
{
	bool present[PT_MATCH_KIND_COUNT] = { false };
	bool matched[PT_MATCH_KIND_COUNT] = { false };

	if (rule->n_matches == 0)
		return false;
	for (size_t i = 0; i < rule->n_matches; i++) {
		const struct pt_match *m = &rule->matches[i];

		present[m->kind] = true;
		if (!matched[m->kind] && match_one(m, dev, resolver))
			matched[m->kind] = true;
	}
	for (int k = 0; k < PT_MATCH_KIND_COUNT; k++)
		if (present[k] && !matched[k])
			return false;
	return true;
}

bool pt_rule_kind_matches_any(const struct pt_rule *rule, enum pt_match_kind kind,
			      const struct pt_devices *devs, const struct pt_resolver *resolver)
{
	for (size_t d = 0; d < devs->n; d++)
		for (size_t i = 0; i < rule->n_matches; i++)
			if (rule->matches[i].kind == kind &&
			    match_one(&rule->matches[i], &devs->v[d], resolver))
				return true;
	return false;
}

bool pt_rule_has_kind(const struct pt_rule *rule, enum pt_match_kind kind)
{
	for (size_t i = 0; i < rule->n_matches; i++)
		if (rule->matches[i].kind == kind)
			return true;
	return false;
}

static bool is_member(const struct pt_device *d, unsigned long group)
{
	return !d->is_vf && d->iommu_group >= 0 && (unsigned long)d->iommu_group == group;
}

bool pt_group_changed(const struct pt_rule *rule, unsigned long group,
		      const struct pt_devices *devs)
{
	size_t recorded = 0, present = 0;

	for (size_t i = 0; i < rule->n_group_guards; i++) {
		const struct pt_group_guard *g = &rule->group_guards[i];
		const struct pt_device *d;

		if (g->group != group)
			continue;
		recorded++;
		d = pt_find_device(devs, &g->member.addr);
		if (!d || !is_member(d, group) || !guard_holds(&g->member, d))
			return true;
	}
	for (size_t i = 0; i < devs->n; i++)
		present += is_member(&devs->v[i], group);
	return present != recorded;
}

/* The group of dev that its rule names and that changed since apply
 * recorded it, or -1. Only rules with group guards are judged (generate
 * writes them; an admin's own file has none). memo: per match of the
 * rule, 0 not judged yet, 1 the same, 2 changed. */
static long changed_group(const struct pt_rule *rule, const struct pt_device *dev,
			  const struct pt_devices *devs, unsigned char *memo)
{
	if (!memo || dev->iommu_group < 0)
		return -1;
	for (size_t k = 0; k < rule->n_matches; k++) {
		if (rule->matches[k].kind != PT_MATCH_GROUP ||
		    rule->matches[k].u.number != (unsigned long)dev->iommu_group)
			continue;
		if (!memo[k])
			memo[k] = pt_group_changed(rule, rule->matches[k].u.number, devs) ? 2 : 1;
		return memo[k] == 2 ? dev->iommu_group : -1;
	}
	return -1;
}

/* Per device, while rules are applied: who selected it and how. */
struct claim {
	bool selected;
	bool implicit; /* only through a group or a sibling function */
	bool conflict;
	bool pf;       /* by an SR-IOV rule, as the physical function */
	bool pf_conflict; /* ... and by another rule to bind it */
	long changed_group; /* the first rule's group changed since apply; -1 */
	size_t rule, other_rule;
	enum pt_driver driver;
};

/* A device the rule selected, or a function it pulled along: it is
 * refused when the group it was selected through changed. */
static void note_group_change(struct claim *c, size_t rule, long group)
{
	if (c->rule == rule && group >= 0)
		c->changed_group = group;
}

static void claim_as(struct claim *c, const struct pt_config *cfg, size_t rule,
		     bool implicit, bool pf)
{
	enum pt_driver drv = pt_rule_driver(cfg, &cfg->rules[rule]);

	if (!c->selected) {
		c->selected = true;
		c->changed_group = -1;
		c->implicit = implicit;
		c->rule = rule;
		c->driver = drv;
		c->pf = pf;
		return;
	}
	if (!implicit)
		c->implicit = false;
	if ((drv != c->driver || pf != c->pf) && !c->conflict) {
		c->conflict = true;
		c->pf_conflict = pf != c->pf;
		c->other_rule = rule;
	}
}

static void claim_device(struct claim *c, const struct pt_config *cfg,
			 size_t rule, bool implicit)
{
	claim_as(c, cfg, rule, implicit, false);
}

/* An SR-IOV rule: its selectors name physical functions (never a virtual
 * one, though a VF often has the same IDs); the virtual functions of
 * those, as far as they exist, are taken by index. */
static size_t claim_sriov(struct claim *claims, const struct pt_config *cfg, size_t r,
			  const struct pt_devices *devs, const struct pt_resolver *resolver,
			  unsigned char *memo)
{
	const struct pt_rule *rule = &cfg->rules[r];
	size_t hits = 0;

	for (size_t i = 0; i < devs->n; i++) {
		if (devs->v[i].is_vf || !pt_rule_matches(rule, &devs->v[i], resolver))
			continue;
		claim_as(&claims[i], cfg, r, false, true);
		note_group_change(&claims[i], r, changed_group(rule, &devs->v[i], devs, memo));
		hits++;
		for (size_t j = 0; j < devs->n; j++)
			if (devs->v[j].is_vf &&
			    pt_pci_addr_compare(&devs->v[j].physfn, &devs->v[i].addr) == 0 &&
			    pt_rule_takes_vf(rule, devs->v[j].vf_index))
				claim_device(&claims[j], cfg, r, false);
	}
	return hits;
}

static void decide(const struct pt_config *cfg, const struct pt_device *dev,
		   const struct pt_resolver *resolver, const struct claim *c,
		   struct pt_decision *out)
{
	const struct pt_rule *rule = &cfg->rules[c->rule];

	out->reset_rule = pt_reset_rule(cfg, dev, resolver);
	out->reset_method = out->reset_rule >= 0 ? cfg->rules[out->reset_rule].reset_method : NULL;
	out->release_framebuffer = dev->boot_vga;
	out->rule = c->rule;
	out->driver = c->driver;
	out->changed_group = -1;
	out->other_rule = c->other_rule;
	out->verdict = PT_REFUSED;
	if (c->conflict) {
		out->reason = c->pf_conflict ? PT_REASON_SRIOV_PF : PT_REASON_CONFLICT;
	} else if (pt_device_is_bridge(dev)) {
		out->reason = PT_REASON_BRIDGE;
		if (c->implicit)
			out->verdict = PT_SKIPPED;
	} else if (pt_device_is_platform(dev)) {
		out->reason = PT_REASON_PLATFORM;
	} else if (c->changed_group >= 0) {
		out->reason = PT_REASON_GROUP_CHANGED;
		out->changed_group = c->changed_group;
	} else if ((out->guard = pt_rule_guard(rule, &dev->addr)) &&
		   !guard_holds(out->guard, dev)) {
		out->reason = PT_REASON_CHANGED;
	} else if (c->pf) {
		out->verdict = PT_MAKE_VFS;
		out->reason = NULL;
	} else if (dev->boot_vga && !rule->allow_boot_vga) {
		out->reason = PT_REASON_BOOT_VGA;
	} else if (c->driver == PT_DRIVER_VFIO_PCI && dev->iommu_group < 0) {
		out->reason = PT_REASON_NO_IOMMU;
	} else {
		out->verdict = PT_BIND;
		out->reason = NULL;
	}
}

long pt_reset_rule(const struct pt_config *cfg, const struct pt_device *dev,
		   const struct pt_resolver *resolver)
{
	for (size_t r = 0; r < cfg->n_rules; r++)
		if (cfg->rules[r].reset_method && pt_rule_matches(&cfg->rules[r], dev, resolver))
			return (long)r;
	return -1;
}

int pt_select_devices(const struct pt_config *cfg, const struct pt_devices *devs,
		      const struct pt_resolver *resolver, struct pt_plan *plan)
{
	struct claim *claims;

	memset(plan, 0, sizeof(*plan));
	claims = calloc(devs->n ? devs->n : 1, sizeof(*claims));
	plan->rule_hits = calloc(cfg->n_rules ? cfg->n_rules : 1, sizeof(size_t));
	if (!claims || !plan->rule_hits) {
		free(claims);
		free(plan->rule_hits);
		plan->rule_hits = NULL;
		return -ENOMEM;
	}

	for (size_t r = 0; r < cfg->n_rules; r++) {
		const struct pt_rule *rule = &cfg->rules[r];
		/* A group expands to its members; bridges among them are
		 * expected there and skipped quietly, not refused. */
		bool by_group = pt_rule_has_kind(rule, PT_MATCH_GROUP);
		unsigned char *memo = NULL;

		if (rule->n_group_guards && !(memo = calloc(rule->n_matches, 1))) {
			free(claims);
			pt_plan_free(plan);
			return -ENOMEM;
		}
		if (rule->sriov_vfs) {
			plan->rule_hits[r] = claim_sriov(claims, cfg, r, devs, resolver, memo);
			free(memo);
			continue;
		}
		for (size_t i = 0; i < devs->n; i++) {
			long changed;

			if (!pt_rule_matches(rule, &devs->v[i], resolver))
				continue;
			changed = changed_group(rule, &devs->v[i], devs, memo);
			claim_device(&claims[i], cfg, r, by_group);
			note_group_change(&claims[i], r, changed);
			plan->rule_hits[r]++;
			if (!rule->all_functions)
				continue;
			/* Devices are sorted by address: a slot's functions
			 * are neighbours. */
			/* Virtual functions share a PF's slot, but are not
			 * the card's other functions. */
			for (size_t j = i; j-- > 0 &&
			     pt_pci_addr_same_slot(&devs->v[j].addr, &devs->v[i].addr);)
				if (!devs->v[j].is_vf) {
					claim_device(&claims[j], cfg, r, true);
					note_group_change(&claims[j], r, changed);
				}
			for (size_t j = i + 1; j < devs->n &&
			     pt_pci_addr_same_slot(&devs->v[j].addr, &devs->v[i].addr);
			     j++)
				if (!devs->v[j].is_vf) {
					claim_device(&claims[j], cfg, r, true);
					note_group_change(&claims[j], r, changed);
				}
		}
		free(memo);
	}

	for (size_t i = 0; i < devs->n; i++)
		if (claims[i].selected)
			plan->n++;
	plan->v = calloc(plan->n ? plan->n : 1, sizeof(*plan->v));
	if (!plan->v) {
		free(claims);
		pt_plan_free(plan);
		return -ENOMEM;
	}
	plan->n = 0;
	for (size_t i = 0; i < devs->n; i++) {
		if (!claims[i].selected)
			continue;
		plan->v[plan->n].device = i;
		decide(cfg, &devs->v[i], resolver, &claims[i], &plan->v[plan->n]);
		plan->n++;
	}
	free(claims);
	return 0;
}

const struct pt_decision *pt_plan_decision(const struct pt_plan *plan, size_t device)
{
	/* The decisions are in device order: a binary search (the host tool
	 * asks once per device, thousands on an SR-IOV host). */
	size_t lo = 0, hi = plan ? plan->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (plan->v[mid].device < device)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (plan ? plan->n : 0) && plan->v[lo].device == device ? &plan->v[lo] : NULL;
}

const char *pt_verdict_name(enum pt_verdict v)
{
	return v == PT_BIND ? "bind" : v == PT_REFUSED ? "refused" :
	       v == PT_MAKE_VFS ? "make-vfs" : "skipped";
}

void pt_plan_free(struct pt_plan *plan)
{
	free(plan->v);
	free(plan->rule_hits);
	memset(plan, 0, sizeof(*plan));
}
