#include "check.h"
#include "verdict.h"
#include "findings.h"
#include "cmdline.h"
#include "generate.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool rides_along(const struct pt_device *d)
{
	return (d->class >> 16) == 0x05 && !d->driver[0];
}

bool pt_group_is_isolated(const struct pt_devices *devs, long group,
		       const bool *selected, bool unbound_ok)
{
	for (size_t i = 0; i < devs->n; i++) {
		const struct pt_device *d = &devs->v[i];

		if (d->iommu_group != group || pt_device_is_bridge(d) ||
		    (selected && selected[i]) || (unbound_ok && !d->driver[0]) ||
		    rides_along(d))
			continue;
		if (!pt_is_stub_driver(d->driver))
			return false;
	}
	return true;
}

/* Whether the running kernel asked for VT-d: its last intel_iommu= (a
 * list of options: "on,sm_on"; the kernel takes the last one given), else
 * its build's default. Unknown without /proc/cmdline, or with neither an
 * argument nor the kernel's config. */
static enum pt_known intel_iommu_requested(const struct pt_machine *m)
{
	char value[256];
	enum pt_known asked = PT_UNKNOWN;

	if (!m->cmdline)
		return PT_UNKNOWN;
	if (pt_cmdline_get(m->cmdline, "intel_iommu", value, sizeof(value)))
		for (char *save = NULL, *opt = strtok_r(value, ",", &save); opt;
		     opt = strtok_r(NULL, ",", &save))
			if (!strcmp(opt, "on") || !strcmp(opt, "off"))
				asked = strcmp(opt, "on") ? PT_NO : PT_YES;
	return asked != PT_UNKNOWN ? asked : m->intel_iommu_default_on;
}

static void check_platform(const struct pt_config *cfg, const struct pt_machine *m,
			   const struct pt_check_env *env, bool wants_vfio,
			   bool wants_stub, struct pt_findings *out)
{
	const char *iommu_arg = pt_iommu_argument(cfg->iommu, m->cpu);
	enum pt_known requested = intel_iommu_requested(m);

	/* Off, and the kernel was not asked for it (or cannot be known to
	 * have been): apply's first step (PT_FIRST_STEP_CODE) sets the
	 * argument and binds nothing until a boot with the IOMMU on lets
	 * check see the groups. */
	if (!m->iommu_on && wants_vfio && iommu_arg && m->cmdline && requested != PT_YES)
		pt_finding_add(out, PT_SEV_ERROR, PT_FIRST_STEP_CODE, pt_nowhere(),
		    "run `passthrough apply`: it adds the argument and binds nothing "
		    "yet; reboot, then apply again once the IOMMU groups are there "
		    "(enable VT-d in the firmware setup too if it is off)",
		    "the IOMMU is off: the running kernel was not given %s, so it "
		    "made no IOMMU groups and vfio-pci cannot take any device",
		    iommu_arg);
	else if (!m->iommu_on && wants_vfio)
		pt_finding_add(out, PT_SEV_ERROR, "iommu-off", pt_nowhere(),
		    m->cpu == PT_CPU_AMD ?
			    "enable AMD-Vi (IOMMU) in the firmware setup; AMD's "
			    "IOMMU is on by default once the firmware has it" :
		    iommu_arg && requested == PT_YES ?
			    "enable VT-d in the firmware setup: the kernel was asked for "
			    "the IOMMU (intel_iommu=on, or on by default in its build) "
			    "and found none" :
			    "enable VT-d in the firmware setup and add intel_iommu=on "
			    "to the kernel command line (see `passthrough cmdline`)",
		    "the IOMMU is off: the kernel made no IOMMU groups, so vfio-pci "
		    "cannot take any device");
	if ((cfg->iommu == PT_IOMMU_INTEL && m->cpu == PT_CPU_AMD) ||
	    (cfg->iommu == PT_IOMMU_AMD && m->cpu == PT_CPU_INTEL))
		pt_finding_add(out, PT_SEV_WARNING, "iommu-vendor", pt_nowhere(),
		    "set iommu = auto, which follows the CPU",
		    "iommu = %s, but this machine's CPU is %s: %s",
		    pt_iommu_name(cfg->iommu), m->cpu == PT_CPU_AMD ? "AMD" : "Intel",
		    m->cpu == PT_CPU_AMD ?
			    "intel_iommu=on does nothing here (AMD's IOMMU needs no argument)" :
			    "intel_iommu=on is not added, and without it many kernels "
			    "leave VT-d off");
	if (wants_vfio && env->vfio_available <= 0)
		pt_finding_add(out, PT_SEV_ERROR, "vfio-missing", pt_nowhere(),
		    "install the kernel's modules package, or build a kernel with "
		    "CONFIG_VFIO_PCI",
		    "no vfio_pci module for the running kernel %s", m->release);
	if (wants_stub && env->stub_available <= 0)
		pt_finding_add(out, PT_SEV_ERROR, "pci-stub-missing", pt_nowhere(),
		    "use driver = vfio-pci, or a kernel with CONFIG_PCI_STUB",
		    "no pci_stub module for the running kernel %s", m->release);
	if (wants_vfio && m->iommu_on && m->irq_remap == PT_NO) {
		if (cfg->unsafe_interrupts)
			pt_finding_add(out, PT_SEV_NOTE, "no-irq-remap", pt_nowhere(), NULL,
			    "no interrupt remapping: unsafe_interrupts = yes lets "
			    "vfio work anyway, with weaker isolation from the guest");
		else
			pt_finding_add(out, PT_SEV_WARNING, "no-irq-remap", pt_nowhere(),
			    "enable interrupt remapping in the firmware (with VT-d/"
			    "AMD-Vi), or set unsafe_interrupts = yes in [global]",
			    "no interrupt remapping: vfio refuses to assign devices "
			    "unless unsafe interrupts are allowed");
	}
}

/* A USB device whose vendor:product is `id`, and the controller it is
 * behind: an `ids` that names it wants `usb =`. */
static const struct pt_usb_bus *usb_device_with(const struct pt_machine *m,
						const struct pt_pci_id *id)
{
	for (size_t b = 0; b < m->n_usb; b++)
		for (size_t k = 0; k < m->usb[b].n; k++)
			if (m->usb[b].devs[k].vendor == id->vendor &&
			    m->usb[b].devs[k].product == id->device)
				return &m->usb[b];
	return NULL;
}

/* Says which key matched nothing (the keys of a rule must all match one
 * device): the first, in the rule's order, whose values alone match no
 * device; or that each matches some device but none all of them. */
static void check_selects_nothing(const struct pt_config *cfg, const struct pt_machine *m,
				  const struct pt_check_env *env, size_t r,
				  struct pt_findings *out)
{
	const struct pt_rule *rule = &cfg->rules[r];
	const struct pt_match *none = NULL;
	char fix[200];

	for (size_t i = 0; i < rule->n_matches && !none; i++)
		if (!pt_rule_kind_matches_any(rule, rule->matches[i].kind, &m->devs, env->resolver))
			none = &rule->matches[i];
	for (size_t i = 0; none && none->kind == PT_MATCH_IDS && i < rule->n_matches; i++) {
		const struct pt_match *x = &rule->matches[i];
		const struct pt_usb_bus *bus;
		char controller[PT_PCI_ADDR_STRLEN];

		if (x->kind != PT_MATCH_IDS || !(bus = usb_device_with(m, &x->u.id)))
			continue;
		pt_pci_addr_format(&bus->controller, controller);
		snprintf(fix, sizeof(fix), "use usb = %04x:%04x instead of ids: it "
			 "selects the controller the device is plugged into (with "
			 "every other device on it)", x->u.id.vendor, x->u.id.device);
		pt_finding_add(out, PT_SEV_ERROR, "selects-nothing", pt_at_rule(cfg, r, NULL), fix,
		    "the rule selects no device on this machine: %04x:%04x in ids "
		    "is a USB device (on USB bus %u, behind %s), and ids takes PCI IDs",
		    x->u.id.vendor, x->u.id.device, bus->busnum, controller);
		return;
	}
	if (none) {
		snprintf(fix, sizeof(fix), "compare %s with `passthrough list`; a "
			 "device that moved or changed no longer matches (for a device "
			 "added later, accept = selects-nothing)",
			 pt_match_key(none->kind));
		pt_finding_add(out, PT_SEV_ERROR, "selects-nothing", pt_at_rule(cfg, r, NULL), fix,
		    "the rule selects no device on this machine: no device matches "
		    "its %s", pt_match_key(none->kind));
	} else
		pt_finding_add(out, PT_SEV_ERROR, "selects-nothing", pt_at_rule(cfg, r, NULL),
		    "a rule's keys must all match the same device: compare them "
		    "with `passthrough show` of the device you want",
		    "the rule selects no device on this machine: each of its keys "
		    "matches some device, but no device matches them all");
}

/* The IDs of what the rule selects now, each once: "8086:10d3 10de:1b80". */
static void ids_selected(const struct pt_rule *rule, const struct pt_machine *m,
			 const struct pt_check_env *env, char *list, size_t len)
{
	list[0] = '\0';
	for (size_t i = 0; i < m->devs.n; i++)
		if (pt_rule_matches(rule, &m->devs.v[i], env->resolver)) {
			char id[16];

			snprintf(id, sizeof(id), "%04x:%04x", m->devs.v[i].vendor,
				 m->devs.v[i].device);
			if (!strstr(list, id))
				pt_append_list(list, len, id);
		}
}

/* `ids = 10de:1b80 10de:10f0` (the guides' form, one ID per function of a
 * card) is not ambiguous: only an ID that several selected devices share
 * (two identical NICs) is. */
static bool one_id_matches_several(const struct pt_rule *rule, const struct pt_machine *m,
				   const struct pt_check_env *env)
{
	for (size_t i = 0; i < rule->n_matches; i++) {
		const struct pt_match *x = &rule->matches[i];
		size_t hits = 0;

		if (x->kind != PT_MATCH_IDS)
			continue;
		for (size_t d = 0; d < m->devs.n; d++)
			hits += pt_rule_matches(rule, &m->devs.v[d], env->resolver) &&
				m->devs.v[d].vendor == x->u.id.vendor &&
				m->devs.v[d].device == x->u.id.device;
		if (hits > 1)
			return true;
	}
	return false;
}

static void check_rules_hits(const struct pt_config *cfg, const struct pt_machine *m,
			     const struct pt_plan *plan, const struct pt_check_env *env,
			     struct pt_findings *out)
{
	for (size_t r = 0; r < cfg->n_rules; r++) {
		const struct pt_rule *rule = &cfg->rules[r];
		char list[512] = "", fix[600];

		if (plan->rule_hits[r] == 0) {
			check_selects_nothing(cfg, m, env, r, out);
			continue;
		}
		if (pt_rule_has_kind(rule, PT_MATCH_ADDRESS) && !pt_rule_has_kind(rule, PT_MATCH_IDS) &&
		    !pt_rule_has_kind(rule, PT_MATCH_CLASS) && !rule->n_guards) {
			ids_selected(rule, m, env, list, sizeof(list));
			snprintf(fix, sizeof(fix),
				 "add ids = %s (what is there now) to the rule; apply "
				 "records them for the initramfs as well", list);
			pt_finding_add(out, PT_SEV_WARNING, "address-only", pt_at_rule(cfg, r, NULL), fix,
			    "the rule selects by address alone: after a firmware update "
			    "or a new card, another device may sit there");
		}
		if (pt_rule_has_kind(rule, PT_MATCH_GROUP) && !pt_rule_has_kind(rule, PT_MATCH_IDS) &&
		    !pt_rule_has_kind(rule, PT_MATCH_CLASS) && !pt_rule_has_kind(rule, PT_MATCH_ADDRESS) &&
		    !rule->n_group_guards) {
			ids_selected(rule, m, env, list, sizeof(list));
			snprintf(fix, sizeof(fix),
				 "add ids = %s (what the group holds now) to the rule; apply "
				 "records the group's members for the initramfs, and the binder "
				 "refuses the group when they change", list);
			pt_finding_add(out, PT_SEV_WARNING, "group-only", pt_at_rule(cfg, r, NULL), fix,
			    "the rule selects by IOMMU group alone: a firmware update or a new "
			    "card renumbers the groups, and other devices may be in the group then");
		}
		if (!pt_rule_has_kind(rule, PT_MATCH_IDS) ||
		    pt_rule_has_kind(rule, PT_MATCH_ADDRESS) || plan->rule_hits[r] < 2 ||
		    !one_id_matches_several(rule, m, env))
			continue;
		for (size_t i = 0; i < m->devs.n; i++)
			if (pt_rule_matches(rule, &m->devs.v[i], env->resolver))
				pt_append_list(list, sizeof(list), m->devs.v[i].bdf);
		snprintf(fix, sizeof(fix),
			 "if only some are meant, add address = ... next to ids, "
			 "so the rule picks them by slot and the IDs guard them");
		pt_finding_add(out, PT_SEV_WARNING, "ids-ambiguous", pt_at_rule(cfg, r, NULL), fix,
		    "ids select %zu devices: %s", plan->rule_hits[r], list);
	}
}

/* Whether the device offers each method of `wanted` ("device_specific
 * bus"); the first it lacks goes to missing. */
static bool offers_reset_methods(const char *offered, const char *wanted, char *missing,
				 size_t len)
{
	char copy[128], *tok, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", wanted);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char padded[80], list[80];

		if (!strcmp(tok, "default"))
			continue;
		snprintf(padded, sizeof(padded), " %s ", tok);
		snprintf(list, sizeof(list), " %s ", offered);
		if (!strstr(list, padded)) {
			snprintf(missing, len, "%s", tok);
			return false;
		}
	}
	return true;
}

/* The firmware's framebuffer inside a BAR of a display given away: before
 * 6.1, vfio-pci cannot reserve that BAR while efifb (or simplefb) holds
 * it, and the VM fails at its first access. The binder releases it. */
static void check_framebuffer(const struct pt_config *cfg, const struct pt_machine *m,
			      const struct pt_decision *d, struct pt_findings *out)
{
	const struct pt_device *dev = &m->devs.v[d->device];
	const struct pt_devinfo *info = &m->info[d->device];

	for (size_t k = 0; k < m->n_fb; k++)
		for (int b = 0; b < 6; b++) {
			const struct pt_fb_range *fb = &m->fb[k];

			if (!info->bar[b][1] || fb->start > info->bar[b][1] ||
			    fb->end < info->bar[b][0])
				continue;
			pt_finding_add(out, PT_SEV_NOTE, "firmware-framebuffer",
			    pt_at_rule(cfg, d->rule, dev->bdf),
			    "nothing to do: passthrough-early releases it at boot, before "
			    "binding (the host's boot console on this display goes with it)",
			    "the firmware framebuffer (%s, %llx-%llx) is inside its BAR %d: "
			    "kernels before 6.1 keep it, and a VM could not use the card",
			    fb->name, (unsigned long long)fb->start,
			    (unsigned long long)fb->end, b);
			return;
		}
}

static void check_reset(const struct pt_config *cfg, const struct pt_machine *m,
			const struct pt_decision *d, const struct pt_check_env *env,
			struct pt_findings *out)
{
	const struct pt_device *dev = &m->devs.v[d->device];
	const struct pt_devinfo *info = &m->info[d->device];
	const struct pt_rule *rule;
	const struct pt_reset_quirk *quirk = pt_reset_quirk_for(dev->vendor, dev->device);
	struct finding_where w = pt_at_rule(cfg, d->rule, dev->bdf);
	char missing[64], fix[512];

	if (quirk) {
		snprintf(fix, sizeof(fix),
			 "%s; then add reset_method = device_specific to the rule "
			 "(kernels 5.15 and later)",
			 env->vendor_reset_available > 0 ?
				 "vendor-reset is installed: apply loads it before vfio-pci" :
				 "install the vendor-reset module (vendor-reset-dkms)");
		pt_finding_add(out, PT_SEV_WARNING, "reset-quirk", w, fix,
		    "%s cards do not reset by themselves: after a guest stops, the "
		    "card stays unusable until the host reboots, unless vendor-reset "
		    "resets it",
		    quirk->family);
	}
	/* The reset_method the plan decided, from the rule that names the
	 * device (not always the rule that selected it). */
	if (d->reset_rule < 0)
		return;
	rule = &cfg->rules[d->reset_rule];
	w = pt_at_rule(cfg, (size_t)d->reset_rule, dev->bdf);
	if (!info->reset_known)
		pt_finding_add(out, PT_SEV_ERROR, "reset-method", w,
		    "remove reset_method from the rule, or boot a kernel 5.15 or later",
		    "reset_method = %s: this kernel has no per-device reset_method",
		    rule->reset_method);
	else if (!offers_reset_methods(info->reset_methods, rule->reset_method, missing,
				       sizeof(missing)))
		pt_finding_add(out, PT_SEV_ERROR, "reset-method", w,
		    !strcmp(missing, "device_specific") ?
			    "device_specific comes with a module that knows the card "
			    "(vendor-reset): load it, or choose among the methods the "
			    "device offers" :
			    "choose among the methods the device offers",
		    "reset_method = %s: the device offers '%s', not %s; the binder "
		    "would leave it unbound",
		    rule->reset_method, info->reset_methods[0] ? info->reset_methods : "none",
		    missing);
}

/* An SR-IOV rule's physical function: can it make what the rule asks? */
static void check_sriov(const struct pt_config *cfg, const struct pt_device *pf,
			const struct pt_decision *d, struct finding_where w,
			struct pt_findings *out)
{
	const struct pt_rule *rule = &cfg->rules[d->rule];
	char fix[160];

	if (!pf->sriov_totalvfs) {
		pt_finding_add(out, PT_SEV_ERROR, "sriov-unsupported", w,
		    "select the physical function of an SR-IOV device (`passthrough "
		    "show` says SR-IOV), or remove sriov_vfs to bind the device itself",
		    "it has no SR-IOV (no sriov_totalvfs): it cannot make virtual "
		    "functions; the binder skips the rule");
	} else if (rule->sriov_vfs > pf->sriov_totalvfs) {
		snprintf(fix, sizeof(fix), "set sriov_vfs = %u or fewer", pf->sriov_totalvfs);
		pt_finding_add(out, PT_SEV_ERROR, "sriov-too-many", w, fix,
		    "sriov_vfs = %u, but it can make %u virtual functions; the binder "
		    "would make none", rule->sriov_vfs, pf->sriov_totalvfs);
	} else if (!pf->driver[0]) {
		pt_finding_add(out, PT_SEV_NOTE, "sriov-no-driver", w, NULL,
		    "it has no host driver now; at boot the binder loads the one "
		    "its modalias names before it makes the virtual functions");
	}
}

static void check_decision(const struct pt_config *cfg, const struct pt_machine *m,
			   const struct pt_decision *d, struct pt_findings *out)
{
	const struct pt_device *dev = &m->devs.v[d->device];
	const struct pt_devinfo *info = &m->info[d->device];
	struct finding_where w = pt_at_rule(cfg, d->rule, dev->bdf);
	char fix[512];

	if (d->verdict == PT_MAKE_VFS) {
		check_sriov(cfg, dev, d, w, out);
		return;
	}
	if (d->verdict == PT_REFUSED) {
		if (d->reason == PT_REASON_SRIOV_PF)
			pt_finding_add(out, PT_SEV_ERROR, "sriov-pf-bound", w,
			    "take the physical function out of one rule: the one that "
			    "binds it, or the one with sriov_vfs",
			    "rule %s asks for its virtual functions, so it must keep its "
			    "host driver, but rule %s binds it",
			    cfg->rules[d->rule].sriov_vfs ? cfg->rules[d->rule].name :
							    cfg->rules[d->other_rule].name,
			    cfg->rules[d->rule].sriov_vfs ? cfg->rules[d->other_rule].name :
							    cfg->rules[d->rule].name);
		else if (d->reason == PT_REASON_BOOT_VGA)
			pt_finding_add(out, PT_SEV_ERROR, "boot-vga", w,
			    "if the host has another display or a serial console, "
			    "set allow_boot_vga = yes in the rule",
			    "it is the boot display: the host's console would go dark");
		else if (d->reason == PT_REASON_CONFLICT)
			pt_finding_add(out, PT_SEV_ERROR, "driver-conflict", w,
			    "remove the device from one of the rules",
			    "rules %s and %s select it with different drivers",
			    cfg->rules[d->rule].name, cfg->rules[d->other_rule].name);
		else if (d->reason == PT_REASON_PLATFORM)
			pt_finding_add(out, PT_SEV_ERROR, "platform-device", w,
			    "remove it from the rule; pass the devices you need "
			    "from another group",
			    "it is part of the platform (class %06x): the binder "
			    "refuses it at every boot", dev->class);
		else if (d->reason == PT_REASON_CHANGED)
			pt_finding_add(out, PT_SEV_ERROR, "device-changed", w,
			    "check the address with `passthrough list`, fix the "
			    "rule, and run `passthrough apply` again",
			    "the config was applied for %04x:%04x class %06x at "
			    "this address; now %04x:%04x class %06x sits there",
			    d->guard->vendor, d->guard->device, d->guard->class,
			    dev->vendor, dev->device, dev->class);
		else if (d->reason == PT_REASON_BRIDGE)
			pt_finding_add(out, PT_SEV_WARNING, "bridge", w,
			    "select the devices behind the bridge instead",
			    "it is a bridge: it stays with the host");
		return; /* no IOMMU: reported once, as iommu-off */
	}
	if (d->verdict != PT_BIND)
		return;
	if (info->default_route)
		pt_finding_add(out, PT_SEV_WARNING, "default-route", w,
		    "make sure the host has another way in (another NIC, a "
		    "console) before it loses this one",
		    "it carries the host's default route (%s)", info->netdevs);
	if (info->reset_known && !info->reset_methods[0])
		pt_finding_add(out, PT_SEV_WARNING, "no-reset", w,
		    "expect to reboot the host after a guest that used it stops; "
		    "prefer a device with FLR",
		    "it has no reset method: after a guest stops it may be stuck "
		    "until the host reboots");
	if (info->driver_builtin) {
		snprintf(fix, sizeof(fix),
			 "nothing to do: passthrough-early unbinds %s at boot",
			 dev->driver);
		pt_finding_add(out, PT_SEV_NOTE, "builtin-driver", w, fix,
		    "its host driver %s is built into the kernel; "
		    "vfio-pci.ids= alone would lose to it",
		    dev->driver);
	}
	for (size_t k = 0; k < m->disks.n; k++) {
		const struct pt_disk *disk = &m->disks.v[k];
		char size[32];

		if (!disk->has_controller ||
		    pt_pci_addr_compare(&disk->controller, &dev->addr) != 0 ||
		    !disk->uses)
			continue;
		pt_format_size(disk->size, size, sizeof(size));
		pt_finding_add(out, PT_SEV_ERROR, "host-disk", w,
		    "never pass the controller of disks the host uses: unmount "
		    "them, close their mappings and remove them from fstab, "
		    "crypttab and LVM, or pass only a disk (`passthrough disk`)",
		    "the host uses disk %s (%s%s%s) behind it: %s", disk->name, size,
		    disk->model[0] ? ", " : "", disk->model, disk->why);
	}
}

static void check_groups(const struct pt_config *cfg, const struct pt_machine *m,
			 const struct pt_plan *plan, const bool *selected,
			 struct pt_findings *out)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct pt_decision *d = &plan->v[i];
		const struct pt_device *dev = &m->devs.v[d->device];
		char others[512] = "", chipset[512] = "", host_disks[256] = "", fix[600];
		bool first_of_group = true, same_slot = true;

		if (d->verdict != PT_BIND || dev->iommu_group < 0)
			continue;
		/* one finding per group, at its first selected device */
		for (size_t j = 0; j < i; j++)
			if (plan->v[j].verdict == PT_BIND &&
			    m->devs.v[plan->v[j].device].iommu_group == dev->iommu_group)
				first_of_group = false;
		if (!first_of_group)
			continue;
		size_t n_members;
		const size_t *members = pt_machine_group(m, dev->iommu_group, &n_members);

		for (size_t at = 0; at < n_members; at++) {
			size_t k = members[at];
			const struct pt_device *o = &m->devs.v[k];

			if (pt_device_is_platform(o))
				pt_append_list(chipset, sizeof(chipset), o->bdf);
			if (pt_device_is_bridge(o))
				continue;
			if (!selected[k] && !pt_is_stub_driver(o->driver) && !rides_along(o)) {
				char who[96], held[48];

				snprintf(who, sizeof(who), "%s (on %s)", o->bdf,
					 o->driver[0] ? o->driver : "no driver yet");
				pt_append_list(others, sizeof(others), who);
				same_slot &= pt_pci_addr_same_slot(&o->addr, &dev->addr);
				pt_host_disks_behind(m, k, held, sizeof(held));
				if (held[0]) {
					snprintf(who, sizeof(who), "%s behind %s", held, o->bdf);
					pt_append_list(host_disks, sizeof(host_disks), who);
				}
			}
		}
		if (chipset[0]) {
			pt_finding_add(out, PT_SEV_ERROR, "chipset-group", pt_at_rule(cfg, d->rule, dev->bdf),
			    "use a device in another slot: the platform's own devices "
			    "cannot leave the host",
			    "IOMMU group %ld holds chipset devices (%s): binding it "
			    "takes them from the host",
			    dev->iommu_group, chipset);
		} else if (!pt_group_is_isolated(&m->devs, dev->iommu_group, selected, false)) {
			/* A GPU without its audio function is the common case:
			 * the fix that keeps the slot together comes first. */
			if (host_disks[0])
				snprintf(fix, sizeof(fix),
					 "this device cannot be passed in this slot: its group "
					 "also holds the host's disk (%s), which must stay; move "
					 "the card to a slot with its own group",
					 host_disks);
			else if (same_slot)
				snprintf(fix, sizeof(fix),
					 "add functions = all to the rule: the other "
					 "functions of the slot go with it");
			else
				snprintf(fix, sizeof(fix),
					 "add them to the config (group = %ld selects the "
					 "whole group), or move the card to a slot with its "
					 "own group",
					 dev->iommu_group);
			pt_finding_add(out, PT_SEV_ERROR, "group-not-isolated",
			    pt_at_rule(cfg, d->rule, dev->bdf), fix,
			    "IOMMU group %ld is not viable: %s stay%s with the host, and "
			    "vfio cannot use the group until they are bound too",
			    dev->iommu_group, others, strchr(others, ',') ? "" : "s");
		}
	}
}

static void check_displays(const struct pt_config *cfg, const struct pt_machine *m,
			   const struct pt_plan *plan, const bool *selected,
			   struct pt_findings *out)
{
	size_t displays = 0, taken = 0, last = 0;

	for (size_t i = 0; i < m->devs.n; i++) {
		if (!pt_device_is_display(&m->devs.v[i]))
			continue;
		displays++;
		if (selected[i])
			taken++;
	}
	if (!displays || taken < displays)
		return;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].verdict == PT_BIND &&
		    pt_device_is_display(&m->devs.v[plan->v[i].device]))
			last = i;
	if (cfg->headless)
		pt_finding_add(out, PT_SEV_WARNING, "last-display",
		    pt_at_rule(cfg, plan->v[last].rule, m->devs.v[plan->v[last].device].bdf),
		    "make sure a serial console (console=ttyS0,115200 on the kernel "
		    "command line) or the network reaches the host; to get the "
		    "display back for a boot, add passthrough=off to the kernel "
		    "command line",
		    "every display adapter goes to guests (headless = yes): the host "
		    "loses its local console and the firmware's boot screen after "
		    "the initramfs");
	else
		pt_finding_add(out, PT_SEV_ERROR, "last-display",
		    pt_at_rule(cfg, plan->v[last].rule, m->devs.v[plan->v[last].device].bdf),
		    "keep one display adapter for the host; or, for a server managed "
		    "over a serial console or the network, set headless = yes in "
		    "[global]",
		    "every display adapter of the host would be bound: the host keeps "
		    "no display");
}

/* What a rule's `accept` may name: its warnings, and the two errors that
 * depend on intent (a rule for a device added later; a group whose other
 * devices are bound some other way). */
static const char *const acceptable_codes[] = {
	"address-only", "bridge", "default-route", "group-only", "ids-ambiguous",
	"last-display", "no-reset", "reset-quirk", "selects-nothing", "group-not-isolated",
};

static bool acceptable(const char *code)
{
	for (size_t i = 0; i < sizeof(acceptable_codes) / sizeof(acceptable_codes[0]); i++)
		if (!strcmp(code, acceptable_codes[i]))
			return true;
	return false;
}

static bool word_listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Each rule's `accept`: the findings it names become notes; a code that
 * is unknown or cannot be accepted is an error of its own. */
static void apply_accepted(const struct pt_config *cfg, struct pt_findings *out)
{
	size_t n = out->n;

	for (size_t i = 0; i < n; i++) {
		struct pt_finding *f = &out->v[i];
		char *message;

		if (f->rule < 0 || f->severity == PT_SEV_NOTE || !acceptable(f->code) ||
		    !word_listed(cfg->rules[f->rule].accept, f->code) ||
		    asprintf(&message, "accepted (accept = %s): %s", f->code, f->message) < 0)
			continue;
		out->count[f->severity]--;
		out->count[PT_SEV_NOTE]++;
		f->severity = PT_SEV_NOTE;
		free(f->message);
		f->message = message;
	}
	for (size_t r = 0; r < cfg->n_rules; r++) {
		char copy[256], *tok, *save = NULL;

		snprintf(copy, sizeof(copy), "%s", cfg->rules[r].accept ? cfg->rules[r].accept : "");
		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			if (!acceptable(tok))
				pt_finding_add(out, PT_SEV_ERROR, "accept-unknown", pt_at_rule(cfg, r, NULL),
				    "accept takes address-only, bridge, default-route, group-only, "
				    "ids-ambiguous, last-display, no-reset, reset-quirk, "
				    "selects-nothing or group-not-isolated",
				    "accept = %s: no finding of that code can be accepted", tok);
	}
}

int pt_check_against_machine(const struct pt_config *cfg, const struct pt_machine *m,
			     const struct pt_plan *plan, const struct pt_check_env *env,
			     struct pt_findings *out)
{
	bool *selected = calloc(m->devs.n ? m->devs.n : 1, sizeof(bool));
	bool wants_vfio = false, wants_stub = false;
	struct pt_decision *as_if_on = NULL;
	struct pt_plan judged = *plan;

	/* Without an IOMMU the boot refuses every vfio-pci device for that
	 * alone (said once, as iommu-off). The rest is judged as the boot
	 * with the IOMMU on will see it, so the host's disks, its last
	 * display and resets are said before apply's first step. */
	if (!m->iommu_on && plan->n &&
	    (as_if_on = malloc(plan->n * sizeof(*as_if_on)))) {
		memcpy(as_if_on, plan->v, plan->n * sizeof(*as_if_on));
		for (size_t i = 0; i < plan->n; i++)
			if (as_if_on[i].reason == PT_REASON_NO_IOMMU) {
				as_if_on[i].verdict = PT_BIND;
				as_if_on[i].reason = NULL;
			}
		judged.v = as_if_on;
		plan = &judged;
	}
	if (!selected || (!m->iommu_on && plan->n && !as_if_on)) {
		free(selected);
		pt_findings_incomplete(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].verdict == PT_BIND)
			selected[plan->v[i].device] = true;
	for (size_t r = 0; r < cfg->n_rules; r++) {
		if (pt_rule_driver(cfg, &cfg->rules[r]) == PT_DRIVER_PCI_STUB)
			wants_stub = true;
		else
			wants_vfio = true;
	}
	check_platform(cfg, m, env, wants_vfio, wants_stub, out);
	check_rules_hits(cfg, m, plan, env, out);
	for (size_t i = 0; i < plan->n; i++) {
		check_decision(cfg, m, &plan->v[i], out);
		if (plan->v[i].verdict == PT_BIND) {
			check_reset(cfg, m, &plan->v[i], env, out);
			check_framebuffer(cfg, m, &plan->v[i], out);
		}
	}
	check_groups(cfg, m, plan, selected, out);
	check_displays(cfg, m, plan, selected, out);
	apply_accepted(cfg, out);
	free(selected);
	free(as_if_on);
	return out->incomplete ? -ENOMEM : 0;
}

