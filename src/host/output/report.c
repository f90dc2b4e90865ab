/* list and show for people: the machine as IOMMU groups, with names, the
 * USB devices and disks behind each controller, and what the config
 * selects. */
#include "report.h"
#include "report-internal.h"
#include "verdict.h"
#include "generate.h"
#include "json.h"
#include "text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *pt_report_colour(const struct pt_report *r, const char *code)
{
	return r->color ? code : "";
}

/* --- human form -------------------------------------------------------- */

/* On a terminal, names are cut to keep lines within 80 columns; the IDs
 * always show. Through a pipe nothing is cut. */
static void print_name_line(const struct pt_report *r, FILE *f, const char *indent,
			    const char *name, const char *ids)
{
	int room = 80 - (int)strlen(indent) - (int)strlen(ids) - 1;

	if (room < 10)
		room = 10;
	if (r->terminal && (int)strlen(name) > room)
		fprintf(f, "%s%.*s... %s\n", indent, room - 3, name, ids);
	else
		fprintf(f, "%s%s%s%s\n", indent, name, name[0] ? " " : "", ids);
}

static void print_usb_and_disks(const struct pt_report *r, size_t i, const char *indent)
{
	const struct pt_machine *m = r->m;
	const struct pt_device *d = &m->devs.v[i];

	for (size_t b = 0; b < m->n_usb; b++) {
		const struct pt_usb_bus *bus = &m->usb[b];

		if (pt_pci_addr_compare(&bus->controller, &d->addr))
			continue;
		fprintf(r->out, "%sUSB bus %u:%s\n", indent, bus->busnum,
			bus->n ? "" : " no devices");
		for (size_t k = 0; k < bus->n; k++) {
			char ids[32];

			snprintf(ids, sizeof(ids), "[%04x:%04x]", bus->devs[k].vendor,
				 bus->devs[k].product);
			char name[sizeof(bus->devs[k].product_name) * 4];

			fprintf(r->out, "%s  device %-3u ", indent, bus->devs[k].devnum);
			print_name_line(r, r->out, "",
					pt_printable(bus->devs[k].product_name, name, sizeof(name)),
					ids);
		}
	}
	for (size_t k = 0; k < m->disks.n; k++) {
		const struct pt_disk *disk = &m->disks.v[k];
		char size[32], uses[96], model[sizeof(disk->model) * 4], why[sizeof(disk->why) * 4];

		if (!disk->has_controller || pt_pci_addr_compare(&disk->controller, &d->addr))
			continue;
		pt_format_size(disk->size, size, sizeof(size));
		pt_disk_uses_text(disk->uses, uses, sizeof(uses));
		fprintf(r->out, "%sdisk %s, %s%s%s%s: %s%s%s\n", indent, disk->name, size,
			disk->model[0] ? ", \"" : "",
			pt_printable(disk->model, model, sizeof(model)),
			disk->model[0] ? "\"" : "",
			disk->uses ? pt_report_colour(r, YELLOW) : "", uses, disk->uses ? pt_report_colour(r, RESET) : "");
		if (disk->why[0])
			fprintf(r->out, "%s  %s\n", indent, pt_printable(disk->why, why, sizeof(why)));
	}
}

static void print_device(const struct pt_report *r, size_t i)
{
	const struct pt_device *d = &r->m->devs.v[i];
	const struct pt_devinfo *info = &r->m->info[i];
	const struct pt_decision *dec = pt_plan_decision(r->plan, i);
	static const char indent[] = "      ";
	char ids[32], facts[512] = "", netdevs[sizeof(info->netdevs) * 4];
	size_t n = 0;

	fprintf(r->out, "  %s%s%s  %s [%04x]\n", pt_report_colour(r, BOLD), d->bdf, pt_report_colour(r, RESET),
		info->class_name[0] ? info->class_name : "Class", d->class >> 8);
	snprintf(ids, sizeof(ids), "[%04x:%04x]", d->vendor, d->device);
	{
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s", info->vendor_name,
			 info->vendor_name[0] ? " " : "", info->device_name);
		print_name_line(r, r->out, indent, name, ids);
	}
	if (d->subvendor || d->subdevice) {
		snprintf(ids, sizeof(ids), "[%04x:%04x]", d->subvendor, d->subdevice);
		fprintf(r->out, "%ssubsystem ", indent);
		print_name_line(r, r->out, "", info->subsys_name, ids);
	}
#define FACT(...) n += (size_t)snprintf(facts + n, sizeof(facts) - n, __VA_ARGS__)
	FACT("driver %s%s", d->driver[0] ? d->driver : "none",
	     info->driver_builtin ? " (built in)" : "");
	if (info->reset_known)
		FACT(", reset %s", info->reset_methods[0] ? info->reset_methods : "none");
	if (info->upstream[0] && info->upstream_acs != PT_UNKNOWN)
		FACT(", ACS%c upstream", info->upstream_acs == PT_YES ? '+' : '-');
	if (d->boot_vga)
		FACT(", boot VGA");
	if (info->netdevs[0])
		FACT(", net %s%s", pt_printable(info->netdevs, netdevs, sizeof(netdevs)),
		     info->default_route ? " (default route)" : "");
	if (d->sriov_totalvfs)
		FACT(", SR-IOV %u of %u VFs", d->sriov_numvfs, d->sriov_totalvfs);
	if (d->is_vf) {
		char pf[PT_PCI_ADDR_STRLEN];

		pt_pci_addr_format(&d->physfn, pf);
		FACT(", VF %u of %s", d->vf_index, pf);
	}
#undef FACT
	fprintf(r->out, "%s%s\n", indent, facts);
	print_usb_and_disks(r, i, indent);
	if (dec) {
		const char *col = dec->verdict == PT_BIND ? GREEN : YELLOW;

		struct pt_pass_verdict v;

		pt_pass_verdict(r->m, i, &v);
		if (dec->verdict == PT_BIND && v.pass == PT_PASS_NO)
			col = RED;
		fprintf(r->out, "%s%s* selected by [device.%s] (line %u): ", indent,
			pt_report_colour(r, col), r->cfg->rules[dec->rule].name,
			r->cfg->rules[dec->rule].line);
		/* what check would refuse is not shown as taken */
		if (dec->verdict == PT_BIND && v.pass == PT_PASS_NO)
			fprintf(r->out, "refused by check: %s%s\n", v.text + strlen("no: "),
				pt_report_colour(r, RESET));
		else if (dec->verdict == PT_BIND)
			fprintf(r->out, "%s%s\n", pt_driver_name(dec->driver), pt_report_colour(r, RESET));
		else
			fprintf(r->out, "%s: %s%s\n", pt_verdict_name(dec->verdict),
				dec->reason, pt_report_colour(r, RESET));
	}
}

static void print_iommu_off(const struct pt_report *r)
{
	const char *arg = pt_iommu_argument(PT_IOMMU_AUTO, r->m->cpu);

	fprintf(r->out, "%sNo IOMMU groups: the IOMMU is off.%s\n", pt_report_colour(r, YELLOW),
		pt_report_colour(r, RESET));
	if (arg)
		fprintf(r->out, "Enable VT-d in the firmware and add %s to the kernel "
			"command line.\n\n", arg);
	else if (r->m->cpu == PT_CPU_AMD)
		fprintf(r->out, "Enable AMD-Vi (IOMMU) in the firmware; AMD's IOMMU is "
			"on by default then.\n\n");
	else
		fprintf(r->out, "Enable the IOMMU in the firmware (VT-d on Intel: also "
			"add intel_iommu=on).\n\n");
}

bool pt_report_shown(const struct pt_report *r, size_t i)
{
	return !r->filter || pt_pci_filter_matches(r->filter, &r->m->devs.v[i]);
}

const size_t *pt_report_next_group(const struct pt_report *r, size_t *at, size_t *n, long *group)
{
	const struct pt_machine *m = r->m;

	while (*at < m->devs.n) {
		const size_t *members;

		*group = m->devs.v[m->by_group[*at]].iommu_group;
		members = pt_machine_group(m, *group, n);
		*at += *n;
		for (size_t k = 0; k < *n; k++)
			if (pt_report_shown(r, members[k]))
				return members;
	}
	return NULL;
}

static void list_human(const struct pt_report *r)
{
	const struct pt_machine *m = r->m;

	if (r->setup) {
		pt_report_setup(r, r->setup);
		fputc('\n', r->out);
	}
	if (!m->iommu_on)
		print_iommu_off(r);
	/* Groups in numeric order; within a group, address order. */
	const size_t *members;
	size_t at = 0, n;
	long group;

	while ((members = pt_report_next_group(r, &at, &n, &group))) {
		if (group < 0)
			fprintf(r->out, "%sDevices without an IOMMU group%s\n", pt_report_colour(r, BOLD),
				pt_report_colour(r, RESET));
		else
			fprintf(r->out, "%sIOMMU group %ld%s\n", pt_report_colour(r, BOLD), group,
				pt_report_colour(r, RESET));
		for (size_t k = 0; k < n; k++)
			if (pt_report_shown(r, members[k]))
				print_device(r, members[k]);
	}
	if (r->cfg && r->plan)
		for (size_t k = 0; k < r->cfg->n_rules; k++)
			if (r->plan->rule_hits[k] == 0)
				fprintf(r->out, "%s[device.%s] (line %u) selects no device%s\n",
					pt_report_colour(r, YELLOW), r->cfg->rules[k].name,
					r->cfg->rules[k].line, pt_report_colour(r, RESET));
}

void pt_report_list(const struct pt_report *r)
{
	if (r->json)
		pt_report_list_json(r);
	else
		list_human(r);
}

/* --- show ---------------------------------------------------------------- */

void pt_report_show(const struct pt_report *r, size_t i)
{
	const struct pt_machine *m = r->m;
	const struct pt_device *d = &m->devs.v[i];
	const struct pt_devinfo *info = &m->info[i];
	bool any = false;

	if (r->json) {
		struct pt_json j;

		pt_json_init(&j, r->out);
		pt_report_device_json(r, &j, i);
		return;
	}
	print_device(r, i);
	fprintf(r->out, "\n");
	if (d->iommu_group < 0) {
		fprintf(r->out, "No IOMMU group: the IOMMU is off; vfio-pci cannot take "
			"it.\n");
	} else {
		size_t n;
		const size_t *members = pt_machine_group(m, d->iommu_group, &n);

		fprintf(r->out, "IOMMU group %ld:", d->iommu_group);
		for (size_t at = 0; at < n; at++) {
			size_t k = members[at];
			const struct pt_device *o = &m->devs.v[k];
			char role[160];

			if (k == i)
				continue;

			pt_group_member_role(m, k, role, sizeof(role));
			fprintf(r->out, "\n  %s [%04x:%04x] %s, %s", o->bdf, o->vendor,
				o->device, o->driver[0] ? o->driver : "no driver", role);
			any = true;
		}
		fprintf(r->out, "%s\n", any ? "" : " only this device: it can go alone");
	}
	any = false;
	fprintf(r->out, "Other functions of slot %.*s:", (int)strlen(d->bdf) - 2, d->bdf);
	for (size_t k = 0; k < m->devs.n; k++)
		if (k != i && pt_pci_addr_same_slot(&m->devs.v[k].addr, &d->addr)) {
			fprintf(r->out, " %s", m->devs.v[k].bdf);
			any = true;
		}
	fprintf(r->out, "%s\n", any ? " (functions = all takes them along)" : " none");
	fprintf(r->out, "Reset: %s", !info->reset_known ? "unknown (kernel before 5.15)" :
			     info->reset_methods[0] ? info->reset_methods :
						      "none: it may need a host reboot after a guest used it");
	if (info->flr != PT_UNKNOWN)
		fprintf(r->out, "; FLR %s", info->flr == PT_YES ? "supported" : "not supported");
	fprintf(r->out, "\n");
	if (pt_reset_quirk_for(d->vendor, d->device))
		fprintf(r->out, "Reset quirk: %s cards do not reset by themselves; the "
			"vendor-reset module resets them (reset_method = device_specific)\n",
			pt_reset_quirk_for(d->vendor, d->device)->family);
	{
		struct pt_pass_verdict v;

		pt_pass_verdict(m, i, &v);
		fprintf(r->out, "%sPassthrough: %s%s\n",
			pt_report_colour(r, v.pass == PT_PASS_NO ? YELLOW : GREEN), v.text,
			pt_report_colour(r, RESET));
	}
}

