#include "table.h"
#include "report-internal.h"
#include "verdict.h"
#include "text.h"

#include <errno.h>
#include <libsmartcols/libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A column: its name (lsblk's style: upper case), what it says, and
 * whether it holds the tree. */
struct column {
	const char *name;
	const char *help;
	bool tree;
};

enum list_column { L_DEVICE, L_GROUP, L_CLASS, L_ID, L_NAME, L_DRIVER, L_RESET,
		   L_FLAGS, L_USES, L_SELECTED, L_COUNT };

static const struct column list_columns[L_COUNT] = {
	[L_DEVICE] = { "DEVICE", "group, PCI address, USB device or disk", true },
	[L_GROUP] = { "GROUP", "IOMMU group", false },
	[L_CLASS] = { "CLASS", "PCI class and subclass", false },
	[L_ID] = { "ID", "vendor:device (PCI or USB)", false },
	[L_NAME] = { "NAME", "vendor and device name, USB product, disk model", false },
	[L_DRIVER] = { "DRIVER", "the driver it is on", false },
	[L_RESET] = { "RESET", "the kernel's reset methods", false },
	[L_FLAGS] = { "FLAGS", "boot-vga, builtin-driver, default-route", false },
	[L_USES] = { "USES", "what the host uses a disk for", false },
	[L_SELECTED] = { "SELECTED", "the rule that selects it, and the verdict", false },
};
static const int list_default[] = { L_DEVICE, L_GROUP, L_CLASS, L_ID, L_DRIVER,
						  L_SELECTED, L_NAME };

enum disk_column { D_NAME, D_SIZE, D_TYPE, D_UUID, D_LABEL, D_CONTROLLER, D_GROUP,
		   D_USES, D_MODEL, D_COUNT };

static const struct column disk_columns[D_COUNT] = {
	[D_NAME] = { "NAME", "disk or partition", true },
	[D_SIZE] = { "SIZE", "size", false },
	[D_TYPE] = { "TYPE", "filesystem, LUKS or partition table", false },
	[D_UUID] = { "UUID", "filesystem or LUKS UUID", false },
	[D_LABEL] = { "LABEL", "filesystem label", false },
	[D_CONTROLLER] = { "CONTROLLER", "the PCI device it sits behind", false },
	[D_GROUP] = { "GROUP", "that device's IOMMU group", false },
	[D_USES] = { "USES", "what the host uses it for", false },
	[D_MODEL] = { "MODEL", "disk model", false },
};
static const int disk_default[] = { D_NAME, D_SIZE, D_TYPE, D_CONTROLLER,
						  D_GROUP, D_USES, D_MODEL };

/* --output A,B,C to column indexes; an unknown name is refused with the
 * list of known ones. */
static int parse_columns(const char *spec, const struct column *cols, size_t n_cols,
			 int *out, size_t cap, size_t *n_out, const struct pt_log *log)
{
	char *copy, *tok, *save = NULL;
	int r = 0;

	*n_out = 0;
	if (!(copy = strdup(spec)))
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < n_cols && strcasecmp(tok, cols[i].name); i++)
			;
		if (i == n_cols) {
			char known[512] = "";

			for (i = 0; i < n_cols; i++)
				pt_append(known, sizeof(known), " %s", cols[i].name);
			pt_log(log, PT_ERR, "--output: unknown column '%s'; known:%s", tok, known);
			r = -EINVAL;
		} else if (*n_out < cap) {
			out[(*n_out)++] = (int)i;
		}
	}
	free(copy);
	return r;
}

/* A table of the columns --output names, else the defaults, chosen into
 * `chosen` (room for n_cols); *err says why when it returns NULL. */
static struct libscols_table *new_table(const struct pt_table_opts *o, const char *name,
					const struct column *cols, size_t n_cols,
					const int *defaults, size_t n_defaults,
					int *chosen, size_t *n_chosen, int *err)
{
	struct libscols_table *tb;
	size_t n = n_defaults;

	memcpy(chosen, defaults, n_defaults * sizeof(*chosen));
	/* lsblk's -o +COL: the defaults, then those */
	if (o->output && o->output[0] == '+') {
		size_t more = 0;

		if (parse_columns(o->output + 1, cols, n_cols, chosen + n_defaults,
				  n_cols - n_defaults, &more, o->log) < 0) {
			*err = -EINVAL;
			return NULL;
		}
		n = n_defaults + more;
	} else if (o->output &&
		   parse_columns(o->output, cols, n_cols, chosen, n_cols, &n, o->log) < 0) {
		*err = -EINVAL;
		return NULL;
	}
	*n_chosen = n;
	*err = -ENOMEM;
	if (!(tb = scols_new_table()))
		return NULL;
	scols_table_set_name(tb, name); /* the JSON array's name */
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_export(tb, o->pairs);
	scols_table_enable_json(tb, o->json);
	scols_table_enable_noheadings(tb, o->noheadings);
	for (size_t i = 0; i < n; i++) {
		const struct column *c = &cols[chosen[i]];

		/* lsblk draws no tree in raw and pairs output either */
		bool tree = c->tree && !o->flat && !o->raw && !o->pairs;

		struct libscols_column *cl = scols_table_new_column(tb, c->name, 0,
								    tree ? SCOLS_FL_TREE : 0);

		if (!cl) {
			scols_unref_table(tb);
			return NULL;
		}
		/* a group is a number in JSON, as in --json */
		if (!strcmp(c->name, "GROUP"))
			scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
	}
	return tb;
}

/* Sets column `which` of a line when the caller chose it. The text goes in
 * raw: libsmartcols encodes what a terminal must not get (\x1b) in tables,
 * raw and pairs output, and writes JSON strings itself. */
static void set(struct libscols_line *ln, const int *chosen, size_t n, int which,
		const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (chosen[i] == which)
			scols_line_set_data(ln, i, text ? text : "");
}

static void device_line(const struct pt_report *r, struct libscols_line *ln, size_t i,
			const int *c, size_t n)
{
	const struct pt_device *d = &r->m->devs.v[i];
	const struct pt_devinfo *info = &r->m->info[i];
	const struct pt_decision *dec = pt_plan_decision(r->plan, i);
	char buf[512];

	set(ln, c, n, L_DEVICE, d->bdf);
	snprintf(buf, sizeof(buf), "%ld", d->iommu_group);
	set(ln, c, n, L_GROUP, d->iommu_group >= 0 ? buf : "");
	snprintf(buf, sizeof(buf), "%04x", d->class >> 8);
	set(ln, c, n, L_CLASS, buf);
	snprintf(buf, sizeof(buf), "%04x:%04x", d->vendor, d->device);
	set(ln, c, n, L_ID, buf);
	snprintf(buf, sizeof(buf), "%s%s%s", info->vendor_name,
		 info->vendor_name[0] ? " " : "", info->device_name);
	set(ln, c, n, L_NAME, buf);
	set(ln, c, n, L_DRIVER, d->driver);
	set(ln, c, n, L_RESET, info->reset_known ?
		(info->reset_methods[0] ? info->reset_methods : "none") : "");
	buf[0] = '\0';
	if (d->boot_vga)
		pt_append(buf, sizeof(buf), "%sboot-vga", buf[0] ? "," : "");
	if (info->driver_builtin)
		pt_append(buf, sizeof(buf), "%sbuiltin-driver", buf[0] ? "," : "");
	if (info->default_route)
		pt_append(buf, sizeof(buf), "%sdefault-route", buf[0] ? "," : "");
	set(ln, c, n, L_FLAGS, buf);
	buf[0] = '\0';
	if (dec) {
		struct pt_pass_verdict v;

		/* what check would refuse is not shown as taken (as list) */
		pt_pass_verdict(r->m, i, &v);
		snprintf(buf, sizeof(buf), "[device.%s] %s", r->cfg->rules[dec->rule].name,
			 dec->verdict == PT_BIND && v.pass == PT_PASS_NO ? "refused" :
			 dec->verdict == PT_BIND ? pt_driver_name(dec->driver) :
						   pt_verdict_name(dec->verdict));
	}
	set(ln, c, n, L_SELECTED, buf);
}

static int add_children(const struct pt_report *r, struct libscols_table *tb,
			struct libscols_line *parent, size_t i, const int *c, size_t n,
			bool flat)
{
	const struct pt_machine *m = r->m;
	const struct pt_device *d = &m->devs.v[i];
	char buf[256];

	for (size_t b = 0; b < m->n_usb; b++) {
		const struct pt_usb_bus *bus = &m->usb[b];

		if (pt_pci_addr_compare(&bus->controller, &d->addr))
			continue;
		for (size_t k = 0; k < bus->n; k++) {
			struct libscols_line *ln = scols_table_new_line(tb, flat ? NULL : parent);

			if (!ln)
				return -ENOMEM;
			snprintf(buf, sizeof(buf), "usb %u-%u", bus->devs[k].busnum,
				 bus->devs[k].devnum);
			set(ln, c, n, L_DEVICE, buf);
			snprintf(buf, sizeof(buf), "%04x:%04x", bus->devs[k].vendor,
				 bus->devs[k].product);
			set(ln, c, n, L_ID, buf);
			set(ln, c, n, L_NAME, bus->devs[k].product_name);
		}
	}
	for (size_t k = 0; k < m->disks.n; k++) {
		const struct pt_disk *disk = &m->disks.v[k];
		struct libscols_line *ln;

		if (!disk->has_controller || pt_pci_addr_compare(&disk->controller, &d->addr))
			continue;
		if (!(ln = scols_table_new_line(tb, flat ? NULL : parent)))
			return -ENOMEM;
		snprintf(buf, sizeof(buf), "disk %s", disk->name);
		set(ln, c, n, L_DEVICE, buf);
		set(ln, c, n, L_NAME, disk->model);
		pt_disk_uses_text(disk->uses, buf, sizeof(buf));
		set(ln, c, n, L_USES, buf);
	}
	return 0;
}

int pt_table_list(const struct pt_report *r, const struct pt_table_opts *o)
{
	int chosen[L_COUNT], err;
	size_t n;
	struct libscols_table *tb = new_table(o, "devices", list_columns, L_COUNT, list_default,
					      sizeof(list_default) / sizeof(list_default[0]),
					      chosen, &n, &err);

	if (!tb)
		return err;
	err = 0;
	/* Groups in numeric order, devices in address order under each;
	 * lspci's -s and -d decide which are shown. */
	const size_t *members;
	size_t at = 0, n_members;
	long next;

	while (!err && (members = pt_report_next_group(r, &at, &n_members, &next))) {
		struct libscols_line *group = NULL;
		char name[32];

		if (!o->flat) {
			if (!(group = scols_table_new_line(tb, NULL))) {
				err = -ENOMEM;
				break;
			}
			snprintf(name, sizeof(name), next < 0 ? "no group" : "group %ld", next);
			set(group, chosen, n, L_DEVICE, name);
		}
		for (size_t k = 0; k < n_members && !err; k++) {
			size_t i = members[k];
			struct libscols_line *ln;

			if (!pt_report_shown(r, i))
				continue;
			if (!(ln = scols_table_new_line(tb, group))) {
				err = -ENOMEM;
				break;
			}
			device_line(r, ln, i, chosen, n);
			err = add_children(r, tb, ln, i, chosen, n, o->flat);
		}
	}
	if (!err && scols_print_table(tb) < 0)
		err = -EIO;
	scols_unref_table(tb);
	return err;
}

static int part_line(struct libscols_table *tb, struct libscols_line *parent,
		     const struct pt_part *p, const int *c, size_t n)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);
	char buf[256];

	if (!ln)
		return -ENOMEM;
	set(ln, c, n, D_NAME, p->name);
	pt_format_size(p->size, buf, sizeof(buf));
	set(ln, c, n, D_SIZE, buf);
	set(ln, c, n, D_TYPE, p->has_luks ? p->luks.type : p->fs.type[0] ? p->fs.type :
			     p->fs.pttype);
	set(ln, c, n, D_UUID, p->has_luks ? p->luks.uuid : p->fs.uuid);
	set(ln, c, n, D_LABEL, p->fs.label);
	pt_disk_uses_text(p->uses, buf, sizeof(buf));
	set(ln, c, n, D_USES, p->uses ? buf : "");
	return 0;
}

int pt_table_disks(const struct pt_machine *m, const struct pt_table_opts *o)
{
	int chosen[D_COUNT], err;
	size_t n;
	struct libscols_table *tb = new_table(o, "disks", disk_columns, D_COUNT, disk_default,
					      sizeof(disk_default) / sizeof(disk_default[0]),
					      chosen, &n, &err);

	if (!tb)
		return err;
	err = 0;
	for (size_t k = 0; k < m->disks.n && !err; k++) {
		const struct pt_disk *d = &m->disks.v[k];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char buf[256];
		long dev = d->has_controller ? pt_machine_find(m, &d->controller) : -1;

		if (!ln) {
			err = -ENOMEM;
			break;
		}
		set(ln, chosen, n, D_NAME, d->name);
		pt_format_size(d->size, buf, sizeof(buf));
		set(ln, chosen, n, D_SIZE, buf);
		if (!d->n_parts) {
			set(ln, chosen, n, D_TYPE, d->whole.has_luks ? d->whole.luks.type :
						   d->whole.fs.type);
			set(ln, chosen, n, D_UUID, d->whole.has_luks ? d->whole.luks.uuid :
						   d->whole.fs.uuid);
			set(ln, chosen, n, D_LABEL, d->whole.fs.label);
		} else {
			set(ln, chosen, n, D_TYPE, d->whole.fs.pttype);
		}
		set(ln, chosen, n, D_CONTROLLER, dev >= 0 ? m->devs.v[dev].bdf : "");
		snprintf(buf, sizeof(buf), "%ld", dev >= 0 ? m->devs.v[dev].iommu_group : -1);
		set(ln, chosen, n, D_GROUP, dev >= 0 && m->devs.v[dev].iommu_group >= 0 ? buf : "");
		pt_disk_uses_text(d->uses, buf, sizeof(buf));
		set(ln, chosen, n, D_USES, d->uses ? buf : "");
		set(ln, chosen, n, D_MODEL, d->model);
		for (size_t p = 0; p < d->n_parts && !err; p++)
			err = part_line(tb, o->flat ? NULL : ln, &d->parts[p], chosen, n);
	}
	if (!err && scols_print_table(tb) < 0)
		err = -EIO;
	scols_unref_table(tb);
	return err;
}

void pt_table_help(FILE *f)
{
	fprintf(f, "Columns of list --output:\n");
	for (size_t i = 0; i < L_COUNT; i++)
		fprintf(f, "  %-10s %s\n", list_columns[i].name, list_columns[i].help);
	fprintf(f, "Columns of disks --output:\n");
	for (size_t i = 0; i < D_COUNT; i++)
		fprintf(f, "  %-10s %s\n", disk_columns[i].name, disk_columns[i].help);
}
