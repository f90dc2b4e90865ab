#include "report.h"
#include "generate.h"
#include "json.h"
#include "text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define RED "\033[31m"
#define RESET "\033[0m"

static const char *c(const struct pt_report *r, const char *code)
{
	return r->color ? code : "";
}

/* --- human form -------------------------------------------------------- */

/* Findings quote what devices and the config say: escaped for the
 * terminal here, kept raw in JSON. */
static char *printable_copy(const char *s)
{
	size_t len = strlen(s) * 4 + 1; /* "\xNN" is the widest a byte gets */
	char *out = malloc(len);

	return out ? (char *)pt_printable(s, out, len) : NULL;
}

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
			disk->uses ? c(r, YELLOW) : "", uses, disk->uses ? c(r, RESET) : "");
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

	fprintf(r->out, "  %s%s%s  %s [%04x]\n", c(r, BOLD), d->bdf, c(r, RESET),
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

		fprintf(r->out, "%s%s* selected by [device.%s] (line %u): ", indent,
			c(r, col), r->cfg->rules[dec->rule].name,
			r->cfg->rules[dec->rule].line);
		if (dec->verdict == PT_BIND)
			fprintf(r->out, "%s%s\n", pt_driver_name(dec->driver), c(r, RESET));
		else
			fprintf(r->out, "%s: %s%s\n", pt_verdict_name(dec->verdict),
				dec->reason, c(r, RESET));
	}
}

static void print_iommu_off(const struct pt_report *r)
{
	const char *arg = pt_iommu_argument(PT_IOMMU_AUTO, r->m->cpu);

	fprintf(r->out, "%sNo IOMMU groups: the IOMMU is off.%s\n", c(r, YELLOW),
		c(r, RESET));
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

static bool shown(const struct pt_report *r, size_t i)
{
	return !r->filter || pt_pci_filter_matches(r->filter, &r->m->devs.v[i]);
}

static void list_human(const struct pt_report *r)
{
	const struct pt_machine *m = r->m;
	long printed_group = -2;

	if (!m->iommu_on)
		print_iommu_off(r);
	/* Groups in numeric order; within a group, address order. */
	for (;;) {
		long next = -1;
		bool any = false;

		for (size_t i = 0; i < m->devs.n; i++) {
			long g = m->devs.v[i].iommu_group;

			if (shown(r, i) && g > printed_group && (!any || g < next)) {
				next = g;
				any = true;
			}
		}
		if (!any)
			break;
		if (next < 0)
			fprintf(r->out, "%sDevices without an IOMMU group%s\n", c(r, BOLD),
				c(r, RESET));
		else
			fprintf(r->out, "%sIOMMU group %ld%s\n", c(r, BOLD), next,
				c(r, RESET));
		for (size_t i = 0; i < m->devs.n; i++)
			if (m->devs.v[i].iommu_group == next && shown(r, i))
				print_device(r, i);
		printed_group = next;
	}
	if (r->cfg && r->plan)
		for (size_t k = 0; k < r->cfg->n_rules; k++)
			if (r->plan->rule_hits[k] == 0)
				fprintf(r->out, "%s[device.%s] (line %u) selects no device%s\n",
					c(r, YELLOW), r->cfg->rules[k].name,
					r->cfg->rules[k].line, c(r, RESET));
}

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

static void json_device(const struct pt_report *r, struct pt_json *j, size_t i)
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
	if (dec) {
		pt_json_object_begin(j, "selected");
		pt_json_string(j, "rule", r->cfg->rules[dec->rule].name);
		pt_json_int(j, "line", r->cfg->rules[dec->rule].line);
		pt_json_string(j, "driver", pt_driver_name(dec->driver));
		pt_json_string(j, "verdict", pt_verdict_name(dec->verdict));
		pt_json_string(j, "reason", dec->reason);
		pt_json_object_end(j);
	} else {
		pt_json_null(j, "selected");
	}
	pt_json_object_end(j);
}

static const char *cpu_name(enum pt_cpu_vendor cpu)
{
	return cpu == PT_CPU_INTEL ? "intel" : cpu == PT_CPU_AMD ? "amd" : "unknown";
}

static void list_json(const struct pt_report *r)
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
	pt_json_array_begin(&j, "devices");
	for (size_t i = 0; i < m->devs.n; i++)
		if (shown(r, i))
			json_device(r, &j, i);
	pt_json_array_end(&j);
	pt_json_object_end(&j);
}

void pt_report_list(const struct pt_report *r)
{
	if (r->json)
		list_json(r);
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
		json_device(r, &j, i);
		return;
	}
	print_device(r, i);
	fprintf(r->out, "\n");
	if (d->iommu_group < 0) {
		fprintf(r->out, "No IOMMU group: the IOMMU is off; vfio-pci cannot take "
			"it.\n");
	} else {
		fprintf(r->out, "IOMMU group %ld:", d->iommu_group);
		for (size_t k = 0; k < m->devs.n; k++) {
			const struct pt_device *o = &m->devs.v[k];

			if (k == i || o->iommu_group != d->iommu_group)
				continue;
			fprintf(r->out, "\n  %s [%04x:%04x] %s, %s", o->bdf, o->vendor,
				o->device, o->driver[0] ? o->driver : "no driver",
				pt_device_is_bridge(o) ? "bridge: stays with the host" :
				pt_is_stub_driver(o->driver) ?
							 "already safe" :
							 "must be bound too");
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
}

/* --- check --------------------------------------------------------------- */

/* Words onto lines of at most `width` columns (0: one line, for a pipe);
 * continuation lines indented. `used` is what the line already holds. A
 * word longer than a line (a path) stands alone. */
static void print_wrapped(FILE *f, size_t used, size_t width, const char *indent,
			  const char *text)
{
	if (!width)
		width = (size_t)-1;
	while (*text) {
		size_t word = strcspn(text, " ");

		if (used > strlen(indent) && used + 1 + word > width) {
			fprintf(f, "\n%s", indent);
			used = strlen(indent);
		} else if (used > strlen(indent)) {
			fputc(' ', f);
			used++;
		}
		fwrite(text, 1, word, f);
		used += word;
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

void pt_report_findings_json(struct pt_json *j, const struct pt_config *cfg,
			     const struct pt_findings *f)
{
	pt_json_array_begin(j, "findings");
	for (size_t i = 0; i < f->n; i++) {
		const struct pt_finding *x = &f->v[i];

		pt_json_object_begin(j, NULL);
		pt_json_string(j, "severity", pt_severity_name(x->severity));
		pt_json_string(j, "code", x->code);
		pt_json_string(j, "rule", x->rule >= 0 ? cfg->rules[x->rule].name : NULL);
		if (x->line)
			pt_json_int(j, "line", x->line);
		else
			pt_json_null(j, "line");
		pt_json_string(j, "device", x->device[0] ? x->device : NULL);
		pt_json_string(j, "message", x->message);
		pt_json_string(j, "fix", x->fix);
		pt_json_object_end(j);
	}
	pt_json_array_end(j);
}

void pt_report_check(const struct pt_report *r, const struct pt_findings *f)
{
	static const char *const colors[] = { "", YELLOW, RED };

	if (r->json) {
		struct pt_json j;

		pt_json_init(&j, r->out);
		pt_json_object_begin(&j, NULL);
		pt_json_string(&j, "config", r->cfg ? r->cfg->path : NULL);
		pt_json_int(&j, "errors", (long long)f->count[PT_SEV_ERROR]);
		pt_json_int(&j, "warnings", (long long)f->count[PT_SEV_WARNING]);
		pt_json_int(&j, "notes", (long long)f->count[PT_SEV_NOTE]);
		pt_json_bool(&j, "incomplete", f->incomplete);
		pt_report_findings_json(&j, r->cfg, f);
		pt_json_object_end(&j);
		return;
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct pt_finding *x = &f->v[i];
		char where[PATH_MAX + 160] = "";
		size_t n = 0;

		if (x->line)
			n += (size_t)snprintf(where + n, sizeof(where) - n, "%s:%u: ",
					      r->cfg->path, x->line);
		else if (!strcmp(x->code, "config-syntax"))
			n += (size_t)snprintf(where + n, sizeof(where) - n, "%s: ",
					      r->cfg->path);
		if (x->rule >= 0)
			n += (size_t)snprintf(where + n, sizeof(where) - n, "[device.%s] ",
					      r->cfg->rules[x->rule].name);
		if (x->device[0])
			snprintf(where + n, sizeof(where) - n, "%s: ", x->device);
		/* "warning[no-reset]:": the code the README's table explains */
		fprintf(r->out, "%s%s%s[%s]:", c(r, colors[x->severity]),
			pt_severity_name(x->severity), c(r, RESET), x->code);
		{
			char *text = NULL, *shown = NULL;

			if (asprintf(&text, "%s%s", where, x->message) >= 0 &&
			    (shown = printable_copy(text)))
				print_wrapped(r->out, strlen(pt_severity_name(x->severity)) +
							      strlen(x->code) + 3,
					      r->terminal ? 80 : 0, "    ", shown);
			free(text);
			free(shown);
		}
		if (x->fix) {
			char *shown = printable_copy(x->fix);

			fputs("  fix:", r->out);
			if (shown)
				print_wrapped(r->out, 6, r->terminal ? 80 : 0, "    ", shown);
			free(shown);
		}
	}
	if (f->incomplete)
		fprintf(r->out, "%serror%s: memory ran out: this check is incomplete, "
			"so it counts as failed\n", c(r, RED), c(r, RESET));
	fprintf(r->out, "%zu error%s, %zu warning%s, %zu note%s\n",
		f->count[PT_SEV_ERROR], f->count[PT_SEV_ERROR] == 1 ? "" : "s",
		f->count[PT_SEV_WARNING], f->count[PT_SEV_WARNING] == 1 ? "" : "s",
		f->count[PT_SEV_NOTE], f->count[PT_SEV_NOTE] == 1 ? "" : "s");
}

/* --- status -------------------------------------------------------------- */

void pt_report_status(const struct pt_report *r, const struct pt_status *st, size_t n,
		   char **kmsg, size_t n_kmsg, bool all_ok)
{
	const struct pt_machine *m = r->m;

	if (r->json) {
		struct pt_json j;

		pt_json_init(&j, r->out);
		pt_json_object_begin(&j, NULL);
		pt_json_bool(&j, "ok", all_ok);
		pt_json_array_begin(&j, "devices");
		for (size_t i = 0; i < n; i++) {
			const struct pt_decision *d = &r->plan->v[st[i].decision];
			const struct pt_device *dev = &m->devs.v[d->device];

			pt_json_object_begin(&j, NULL);
			pt_json_string(&j, "address", dev->bdf);
			pt_json_string(&j, "rule", r->cfg->rules[d->rule].name);
			pt_json_string(&j, "verdict", pt_verdict_name(d->verdict));
			pt_json_string(&j, "expected", st[i].expected);
			pt_json_string(&j, "driver", dev->driver[0] ? dev->driver : NULL);
			if (dev->iommu_group >= 0)
				pt_json_int(&j, "group", dev->iommu_group);
			else
				pt_json_null(&j, "group");
			pt_json_bool(&j, "group_viable", st[i].group_viable);
			pt_json_string(&j, "vfio_device", st[i].vfio_node[0] ? st[i].vfio_node : NULL);
			pt_json_bool(&j, "vfio_device_present", st[i].vfio_node_present);
			pt_json_bool(&j, "ok", st[i].ok);
			pt_json_object_end(&j);
		}
		pt_json_array_end(&j);
		pt_json_array_begin(&j, "log");
		for (size_t i = 0; i < n_kmsg; i++)
			pt_json_string(&j, NULL, kmsg[i]);
		pt_json_array_end(&j);
		pt_json_object_end(&j);
		return;
	}
	if (!r->cfg->n_rules) {
		/* "All as configured" would read as if something were. */
		fprintf(r->out, "Nothing is configured: %s has no [device.NAME] rule.\n",
			r->cfg->path ? r->cfg->path : "the config");
		return;
	}
	/* Columns as wide as their longest value: nothing is cut. */
	int rule_w = 14, drv_w = 9;

	for (size_t i = 0; i < n; i++) {
		const struct pt_decision *d = &r->plan->v[st[i].decision];
		int rl = (int)strlen(r->cfg->rules[d->rule].name);
		int dl = (int)strlen(m->devs.v[d->device].driver);

		rule_w = rl > rule_w ? rl : rule_w;
		drv_w = dl > drv_w ? dl : drv_w;
	}
	fprintf(r->out, "%-13s %-*s %-9s %-*s %-6s %s\n", "DEVICE", rule_w, "RULE", "EXPECTED",
		drv_w, "DRIVER", "GROUP", "STATE");
	for (size_t i = 0; i < n; i++) {
		const struct pt_decision *d = &r->plan->v[st[i].decision];
		const struct pt_device *dev = &m->devs.v[d->device];
		char group[16], state[128];

		snprintf(group, sizeof(group), dev->iommu_group >= 0 ? "%ld" : "-",
			 dev->iommu_group);
		if (d->verdict == PT_MAKE_VFS)
			snprintf(state, sizeof(state), "PF: %u of %u VFs made", dev->sriov_numvfs,
				 r->cfg->rules[d->rule].sriov_vfs);
		else if (d->verdict != PT_BIND)
			snprintf(state, sizeof(state), "%s by the config", pt_verdict_name(d->verdict));
		else if (!st[i].ok && strcmp(st[i].expected, dev->driver))
			snprintf(state, sizeof(state), "NOT BOUND");
		else if (!st[i].group_viable)
			snprintf(state, sizeof(state), "group not viable");
		else if (st[i].vfio_node[0] && !st[i].vfio_node_present)
			snprintf(state, sizeof(state), "no %s", st[i].vfio_node);
		else
			snprintf(state, sizeof(state), "ok%s%s", st[i].vfio_node[0] ? ", " : "",
				 st[i].vfio_node);
		if (dev->is_vf) {
			char pf[PT_PCI_ADDR_STRLEN];

			pt_pci_addr_format(&dev->physfn, pf);
			pt_append(state, sizeof(state), " (VF %u of %s)", dev->vf_index, pf);
		}
		fprintf(r->out, "%-13s %-*s %-9s %-*s %-6s %s%s%s\n", dev->bdf,
			rule_w, r->cfg->rules[d->rule].name, st[i].expected,
			drv_w, dev->driver[0] ? dev->driver : "none", group,
			c(r, st[i].ok ? GREEN : RED), state, c(r, RESET));
	}
	if (n_kmsg) {
		fprintf(r->out, "\nThe binder at boot (kernel log):\n");
		for (size_t i = 0; i < n_kmsg; i++)
			fprintf(r->out, "  %s\n", kmsg[i]);
	}
	fprintf(r->out, "%s\n", all_ok ? "All selected devices are as configured." :
					 "Some devices are not as configured.");
}
