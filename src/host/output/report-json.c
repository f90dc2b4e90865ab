/* list, show and the others in JSON: the same facts as the human form,
 * for programs. */
#include "report.h"
#include "report-internal.h"
#include "verdict.h"
#include "generate.h"
#include "json.h"
#include "text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* --- JSON form ---------------------------------------------------------- */

static void json_hex4(struct pt_json *j, const char *key, unsigned v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04x", v);
	pt_json_string(j, key, buf);
}

static void json_known(struct pt_json *j, const char *key, enum pt_known k)
{
	if (k == PT_UNKNOWN)
		pt_json_null(j, key);
	else
		pt_json_bool(j, key, k == PT_YES);
}

static void json_words(struct pt_json *j, const char *key, const char *words)
{
	char copy[256], *tok, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", words);
	pt_json_array_begin(j, key);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		pt_json_string(j, NULL, tok);
	pt_json_array_end(j);
}

static void json_part(struct pt_json *j, const char *key, const struct pt_part *p)
{
	const char *uses[8];

	pt_json_object_begin(j, key);
	pt_json_string(j, "name", p->name);
	pt_json_int(j, "size", (long long)p->size);
	pt_json_string(j, "type", p->fs.probed ? p->fs.type : NULL);
	pt_json_string(j, "uuid", p->fs.uuid[0] ? p->fs.uuid : NULL);
	pt_json_string(j, "label", p->fs.label[0] ? p->fs.label : NULL);
	pt_json_string(j, "partition_table", p->fs.pttype[0] ? p->fs.pttype : NULL);
	if (p->has_luks) {
		pt_json_object_begin(j, "luks");
		pt_json_string(j, "version", p->luks.type);
		pt_json_string(j, "uuid", p->luks.uuid);
		pt_json_string(j, "cipher", p->luks.cipher);
		pt_json_int(j, "key_bits", p->luks.key_bits);
		pt_json_bool(j, "detached_header", p->luks.detached);
		pt_json_object_end(j);
	} else {
		pt_json_null(j, "luks");
	}
	pt_json_strings(j, "uses", uses, pt_disk_uses_words(p->uses, uses, 8));
	pt_json_string(j, "why", p->why);
	pt_json_object_end(j);
}

/* One disk as JSON, for `list` (under its controller) and, with its
 * controller, group and contents, for `disks`. */
void pt_report_disk_json(struct pt_json *j, const struct pt_machine *m,
			 const struct pt_disk *d, bool detail)
{
	const char *uses[8];

	pt_json_object_begin(j, NULL);
	pt_json_string(j, "name", d->name);
	pt_json_int(j, "size", (long long)d->size);
	pt_json_string(j, "model", d->model);
	pt_json_string(j, "serial", d->serial);
	if (detail) {
		char addr[PT_PCI_ADDR_STRLEN] = "";
		long i = d->has_controller ? pt_machine_find(m, &d->controller) : -1;

		if (d->has_controller)
			pt_pci_addr_format(&d->controller, addr);
		pt_json_string(j, "by_id", d->by_id[0] ? d->by_id : NULL);
		pt_json_string(j, "controller", addr[0] ? addr : NULL);
		if (i >= 0 && m->devs.v[i].iommu_group >= 0)
			pt_json_int(j, "group", m->devs.v[i].iommu_group);
		else
			pt_json_null(j, "group");
	}
	pt_json_strings(j, "uses", uses, pt_disk_uses_words(d->uses, uses, 8));
	pt_json_string(j, "why", d->why);
	if (detail) {
		json_part(j, "content", &d->whole);
		pt_json_array_begin(j, "partitions");
		for (size_t k = 0; k < d->n_parts; k++)
			json_part(j, NULL, &d->parts[k]);
		pt_json_array_end(j);
	}
	pt_json_object_end(j);
}

void pt_report_device_json(const struct pt_report *r, struct pt_json *j, size_t i)
{
	const struct pt_machine *m = r->m;
	const struct pt_device *d = &m->devs.v[i];
	const struct pt_devinfo *info = &m->info[i];
	const struct pt_decision *dec = pt_plan_decision(r->plan, i);
	char cls[8];

	pt_json_object_begin(j, NULL);
	pt_json_string(j, "address", d->bdf);
	if (d->iommu_group >= 0)
		pt_json_int(j, "group", d->iommu_group);
	else
		pt_json_null(j, "group");
	snprintf(cls, sizeof(cls), "%06x", d->class);
	pt_json_string(j, "class", cls);
	pt_json_string(j, "class_name", info->class_name);
	json_hex4(j, "vendor", d->vendor);
	json_hex4(j, "device", d->device);
	pt_json_string(j, "vendor_name", info->vendor_name);
	pt_json_string(j, "device_name", info->device_name);
	json_hex4(j, "subsystem_vendor", d->subvendor);
	json_hex4(j, "subsystem_device", d->subdevice);
	pt_json_string(j, "subsystem_name", info->subsys_name);
	pt_json_string(j, "driver", d->driver[0] ? d->driver : NULL);
	pt_json_bool(j, "driver_builtin", info->driver_builtin);
	pt_json_bool(j, "boot_vga", d->boot_vga);
	if (info->reset_known)
		json_words(j, "reset_methods", info->reset_methods);
	else
		pt_json_null(j, "reset_methods");
	json_known(j, "flr", info->flr);
	pt_json_string(j, "upstream", info->upstream[0] ? info->upstream : NULL);
	json_known(j, "upstream_acs", info->upstream_acs);
	json_words(j, "netdevs", info->netdevs);
	pt_json_bool(j, "default_route", info->default_route);
	pt_json_object_begin(j, "sriov");
	pt_json_int(j, "total_vfs", d->sriov_totalvfs);
	pt_json_int(j, "num_vfs", d->sriov_numvfs);
	if (d->is_vf) {
		char pf[PT_PCI_ADDR_STRLEN];

		pt_pci_addr_format(&d->physfn, pf);
		pt_json_string(j, "physfn", pf);
		pt_json_int(j, "vf_index", d->vf_index);
	} else {
		pt_json_null(j, "physfn");
		pt_json_null(j, "vf_index");
	}
	pt_json_object_end(j);
	pt_json_array_begin(j, "usb_buses");
	for (size_t b = 0; b < m->n_usb; b++) {
		const struct pt_usb_bus *bus = &m->usb[b];

		if (pt_pci_addr_compare(&bus->controller, &d->addr))
			continue;
		pt_json_object_begin(j, NULL);
		pt_json_int(j, "bus", bus->busnum);
		pt_json_array_begin(j, "devices");
		for (size_t k = 0; k < bus->n; k++) {
			pt_json_object_begin(j, NULL);
			pt_json_int(j, "device", bus->devs[k].devnum);
			json_hex4(j, "vendor", bus->devs[k].vendor);
			json_hex4(j, "product", bus->devs[k].product);
			pt_json_string(j, "name", bus->devs[k].product_name);
			pt_json_object_end(j);
		}
		pt_json_array_end(j);
		pt_json_object_end(j);
	}
	pt_json_array_end(j);
	pt_json_array_begin(j, "disks");
	for (size_t k = 0; k < m->disks.n; k++) {
		const struct pt_disk *disk = &m->disks.v[k];

		if (!disk->has_controller || pt_pci_addr_compare(&disk->controller, &d->addr))
			continue;
		pt_report_disk_json(j, m, disk, false);
	}
	pt_json_array_end(j);
	struct pt_pass_verdict v;
	static const char *const pass_names[] = {
		[PT_PASS_ALONE] = "alone", [PT_PASS_WITH_SLOT] = "with-slot",
		[PT_PASS_WITH_GROUP] = "with-group", [PT_PASS_NO] = "no",
	};

	pt_pass_verdict(m, i, &v);
	if (dec) {
		/* what check would refuse is not shown as taken */
		bool refused = dec->verdict == PT_BIND && v.pass == PT_PASS_NO;

		pt_json_object_begin(j, "selected");
		pt_json_string(j, "rule", r->cfg->rules[dec->rule].name);
		pt_json_int(j, "line", r->cfg->rules[dec->rule].line);
		pt_json_string(j, "driver", pt_driver_name(dec->driver));
		pt_json_string(j, "verdict", refused ? "refused" : pt_verdict_name(dec->verdict));
		pt_json_string(j, "reason", refused ? v.text : dec->reason);
		pt_json_object_end(j);
	} else {
		pt_json_null(j, "selected");
	}
	pt_json_object_begin(j, "passthrough");
	pt_json_string(j, "verdict", pass_names[v.pass]);
	pt_json_string(j, "text", v.text);
	pt_json_object_end(j);
	pt_json_object_end(j);
}

static const char *cpu_name(enum pt_cpu_vendor cpu)
{
	return cpu == PT_CPU_INTEL ? "intel" : cpu == PT_CPU_AMD ? "amd" : "unknown";
}

void pt_report_list_json(const struct pt_report *r)
{
	const struct pt_machine *m = r->m;
	struct pt_json j;

	pt_json_init(&j, r->out);
	pt_json_object_begin(&j, NULL);
	pt_json_bool(&j, "iommu", m->iommu_on);
	pt_json_string(&j, "cpu", cpu_name(m->cpu));
	json_known(&j, "interrupt_remapping", m->irq_remap);
	pt_json_string(&j, "iommu_argument",
		    m->iommu_on ? NULL : pt_iommu_argument(PT_IOMMU_AUTO, m->cpu));
	pt_json_string(&j, "config", r->cfg ? r->cfg->path : NULL);
	if (r->setup)
		pt_report_setup_json(&j, r->setup);
	pt_json_array_begin(&j, "devices");
	for (size_t i = 0; i < m->devs.n; i++)
		if (pt_report_shown(r, i))
			pt_report_device_json(r, &j, i);
	pt_json_array_end(&j);
	pt_json_object_end(&j);
}

