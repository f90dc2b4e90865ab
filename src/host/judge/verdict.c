#include "verdict.h"
#include "check.h"
#include "drivers.h"
#include "findings.h"

#include <stdio.h>
#include <string.h>

void pt_host_disks_behind(const struct pt_machine *m, size_t device, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < m->disks.n; k++)
		if (m->disks.v[k].has_controller && m->disks.v[k].uses &&
		    !pt_pci_addr_compare(&m->disks.v[k].controller, &m->devs.v[device].addr))
			pt_append_list(buf, len, m->disks.v[k].name);
}

/* Members that never spoil a group: bridges stay, drivers that take no
 * device's DMA (vfio-pci, pci-stub) are safe, and Intel's driverless
 * "Shared SRAM" goes along (as pt_group_is_isolated judges). */
static bool neutral(const struct pt_device *o)
{
	return pt_device_is_bridge(o) || pt_is_stub_driver(o->driver) ||
	       ((o->class >> 16) == 0x05 && !o->driver[0]);
}

void pt_group_member_role(const struct pt_machine *m, size_t member, char *buf, size_t len)
{
	const struct pt_device *o = &m->devs.v[member];
	char disks[128];

	pt_host_disks_behind(m, member, disks, sizeof(disks));
	if (pt_device_is_bridge(o))
		snprintf(buf, len, "bridge: stays with the host");
	else if (pt_is_stub_driver(o->driver))
		snprintf(buf, len, "already safe");
	else if (pt_device_is_platform(o))
		snprintf(buf, len, "chipset: stays with the host");
	else if (disks[0])
		snprintf(buf, len, "holds the host's disk %s: stays with the host", disks);
	else if (neutral(o))
		snprintf(buf, len, "goes along (no driver, memory)");
	else
		snprintf(buf, len, "goes with it");
}

void pt_pass_verdict(const struct pt_machine *m, size_t i, struct pt_pass_verdict *out)
{
	const struct pt_device *d = &m->devs.v[i];
	char with[384] = "", chipset[256] = "", disks[256] = "", own[128];
	bool same_slot = true;

	out->pass = PT_PASS_NO;
	pt_host_disks_behind(m, i, own, sizeof(own));
	if (d->iommu_group < 0) {
		snprintf(out->text, sizeof(out->text), "no: it has no IOMMU group (the IOMMU is off)");
		return;
	}
	if (pt_device_is_bridge(d)) {
		snprintf(out->text, sizeof(out->text), "no: it is a bridge, which stays with the host");
		return;
	}
	if (pt_device_is_platform(d)) {
		snprintf(out->text, sizeof(out->text), "no: it is a chipset device, which "
			 "cannot leave the host");
		return;
	}
	if (own[0]) {
		snprintf(out->text, sizeof(out->text), "no: the host uses its disk %s", own);
		return;
	}
	size_t n_members;
	const size_t *members = pt_machine_group(m, d->iommu_group, &n_members);

	for (size_t at = 0; at < n_members; at++) {
		size_t k = members[at];
		const struct pt_device *o = &m->devs.v[k];
		char held[128], who[160];

		if (k == i || neutral(o))
			continue;
		pt_host_disks_behind(m, k, held, sizeof(held));
		if (pt_device_is_platform(o)) {
			pt_append_list(chipset, sizeof(chipset), o->bdf);
		} else if (held[0]) {
			snprintf(who, sizeof(who), "%s behind %s", held, o->bdf);
			pt_append_list(disks, sizeof(disks), who);
		} else {
			pt_append_list(with, sizeof(with), o->bdf);
			same_slot &= pt_pci_addr_same_slot(&o->addr, &d->addr);
		}
	}
	if (chipset[0])
		snprintf(out->text, sizeof(out->text), "no: its IOMMU group %ld holds chipset "
			 "devices (%s), which cannot leave the host", d->iommu_group, chipset);
	else if (disks[0])
		snprintf(out->text, sizeof(out->text), "no: its IOMMU group %ld holds the host's "
			 "disk (%s), which must stay; not in this slot", d->iommu_group, disks);
	else if (!with[0])
		snprintf(out->text, sizeof(out->text), "can be passed alone");
	else if (same_slot)
		snprintf(out->text, sizeof(out->text), "can be passed only with %s: functions = all",
			 with);
	else
		snprintf(out->text, sizeof(out->text), "can be passed only with the rest of IOMMU "
			 "group %ld (%s): group = %ld, or a slot with its own group",
			 d->iommu_group, with, d->iommu_group);
	if (!chipset[0] && !disks[0])
		out->pass = !with[0] ? PT_PASS_ALONE : same_slot ? PT_PASS_WITH_SLOT : PT_PASS_WITH_GROUP;
	/* check refuses the boot display unless the rule allows it */
	if (out->pass != PT_PASS_NO && d->boot_vga)
		snprintf(out->text + strlen(out->text), sizeof(out->text) - strlen(out->text),
			 ", with allow_boot_vga = yes: it is the host's boot display");
}
