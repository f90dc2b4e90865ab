#include "generate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char generated_by[] =
	"# Written by `passthrough generate` from /etc/passthrough.conf:\n"
	"# edit that file and run `passthrough apply`, not this one.\n";

/* A text built in memory, starting with the "generated" header. */
struct text {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *text_begin(struct text *t)
{
	t->buf = NULL;
	t->f = open_memstream(&t->buf, &t->len);
	if (t->f)
		fputs(generated_by, t->f);
	return t->f;
}

static char *text_end(struct text *t)
{
	if (fclose(t->f) != 0) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}

char *pt_render_modprobe_conf(const struct pt_config *cfg,
			      char (*host_modules)[64], size_t n_host_modules)
{
	struct text t;
	FILE *f = text_begin(&t);

	if (!f)
		return NULL;
	if (cfg->disable_vga)
		fputs("options vfio_pci disable_vga=1\n", f);
	if (cfg->unsafe_interrupts)
		fputs("options vfio_iommu_type1 allow_unsafe_interrupts=1\n", f);
	if (n_host_modules)
		fputs("# vfio_pci first, whatever loads these drivers (passthrough-early\n"
		      "# binds before them; this covers a module loaded another way).\n", f);
	for (size_t i = 0; i < n_host_modules; i++)
		fprintf(f, "softdep %s pre: vfio_pci\n", host_modules[i]);
	return text_end(&t);
}

static void write_class(FILE *f, const struct pci_class_match *c)
{
	if (c->mask == 0xff0000)
		fprintf(f, " 0x%02x", c->value >> 16);
	else if (c->mask == 0xffff00)
		fprintf(f, " 0x%04x", c->value >> 8);
	else
		fprintf(f, " 0x%06x", c->value);
}

static void write_matches(FILE *f, const struct pt_rule *rule, enum pt_match_kind kind,
			  const char *key)
{
	bool any = false;

	for (size_t i = 0; i < rule->n_matches; i++) {
		const struct pt_match *m = &rule->matches[i];
		char addr[PCI_ADDR_STRLEN];

		if (m->kind != kind)
			continue;
		if (!any)
			fprintf(f, "%s =", key);
		any = true;
		switch (kind) {
		case PT_MATCH_ADDRESS:
			pci_addr_format(&m->u.addr, addr);
			fprintf(f, " %s", addr);
			break;
		case PT_MATCH_IDS:
			fprintf(f, " %04x:%04x", m->u.id.vendor, m->u.id.device);
			if (m->u.id.has_subsystem)
				fprintf(f, ":%04x:%04x", m->u.id.subvendor, m->u.id.subdevice);
			break;
		case PT_MATCH_CLASS:
			write_class(f, &m->u.cls);
			break;
		case PT_MATCH_GROUP:
			fprintf(f, " %lu", m->u.number);
			break;
		default:
			break;
		}
	}
	if (any)
		fputc('\n', f);
}

static bool has_host_only(const struct pt_rule *rule)
{
	for (size_t i = 0; i < rule->n_matches; i++)
		if (pt_match_is_host_only(rule->matches[i].kind))
			return true;
	return false;
}

/* address = what the rule selects now; ids = their IDs, as the guard. */
static void write_resolved(FILE *f, const struct pt_rule *rule,
			   const struct pt_devices *devs)
{
	fputs("address =", f);
	for (size_t i = 0; i < devs->n; i++)
		if (rule_matches(rule, &devs->v[i]))
			fprintf(f, " %s", devs->v[i].bdf);
	fputs("\nids =", f);
	for (size_t i = 0; i < devs->n; i++) {
		bool seen = false;

		if (!rule_matches(rule, &devs->v[i]))
			continue;
		for (size_t j = 0; j < i; j++)
			if (rule_matches(rule, &devs->v[j]) &&
			    devs->v[j].vendor == devs->v[i].vendor &&
			    devs->v[j].device == devs->v[i].device)
				seen = true;
		if (!seen)
			fprintf(f, " %04x:%04x", devs->v[i].vendor, devs->v[i].device);
	}
	fputc('\n', f);
}

char *pt_render_initramfs_conf(const struct pt_config *cfg,
			       const struct pt_devices *devs)
{
	struct text t;
	FILE *f = text_begin(&t);

	if (!f)
		return NULL;
	fprintf(f, "[global]\niommu = %s\niommu_pt = %s\ndriver = %s\n"
		   "unsafe_interrupts = %s\ndisable_vga = %s\n",
		pt_iommu_name(cfg->iommu), cfg->iommu_pt ? "yes" : "no",
		pt_driver_name(cfg->driver), cfg->unsafe_interrupts ? "yes" : "no",
		cfg->disable_vga ? "yes" : "no");
	for (size_t r = 0; r < cfg->n_rules; r++) {
		const struct pt_rule *rule = &cfg->rules[r];
		size_t hits = 0;

		for (size_t i = 0; i < devs->n; i++)
			hits += rule_matches(rule, &devs->v[i]);
		if (has_host_only(rule) && hits == 0) {
			/* A rule without selectors would be an error, and an
			 * error binds nothing at all: leave it out. */
			fprintf(f, "\n# [device.%s] selected nothing when this was "
				   "written: left out\n", rule->name);
			continue;
		}
		fprintf(f, "\n[device.%s]\n", rule->name);
		if (has_host_only(rule)) {
			write_resolved(f, rule, devs);
		} else {
			write_matches(f, rule, PT_MATCH_ADDRESS, "address");
			write_matches(f, rule, PT_MATCH_IDS, "ids");
			write_matches(f, rule, PT_MATCH_CLASS, "class");
			write_matches(f, rule, PT_MATCH_GROUP, "group");
		}
		if (rule->all_functions)
			fputs("functions = all\n", f);
		if (rule->allow_boot_vga)
			fputs("allow_boot_vga = yes\n", f);
		if (rule->driver != PT_DRIVER_DEFAULT)
			fprintf(f, "driver = %s\n", pt_driver_name(rule->driver));
	}
	return text_end(&t);
}

const char *pt_iommu_argument(enum pt_iommu setting, enum pt_cpu_vendor cpu)
{
	/* AMD's IOMMU is on by default; amd_iommu=on is not a documented
	 * value, so nothing is emitted for it. */
	if (setting == PT_IOMMU_INTEL || (setting == PT_IOMMU_AUTO && cpu == PT_CPU_INTEL))
		return "intel_iommu=on";
	return NULL;
}

int pt_kernel_arguments(const struct pt_config *cfg, enum pt_cpu_vendor cpu,
			struct pt_tokens *out)
{
	const char *iommu = pt_iommu_argument(cfg->iommu, cpu);
	int r = 0;

	out->v = NULL;
	out->n = 0;
	if (iommu)
		r = pt_tokens_add(out, iommu);
	if (r == 0 && cfg->iommu_pt && cfg->iommu != PT_IOMMU_OFF)
		r = pt_tokens_add(out, "iommu=pt");
	if (r == 0 && cfg->unsafe_interrupts)
		r = pt_tokens_add(out, "vfio_iommu_type1.allow_unsafe_interrupts=1");
	if (r == 0 && cfg->disable_vga)
		r = pt_tokens_add(out, "vfio_pci.disable_vga=1");
	return r;
}

void pt_ids_only_argument(const struct pt_config *cfg, char *arg, size_t len)
{
	size_t n = 0;

	arg[0] = '\0';
	for (size_t r = 0; r < cfg->n_rules; r++) {
		const struct pt_rule *rule = &cfg->rules[r];
		bool ids_only = rule->n_matches > 0 &&
				pt_rule_driver(cfg, rule) == PT_DRIVER_VFIO_PCI;

		for (size_t i = 0; i < rule->n_matches; i++)
			ids_only &= rule->matches[i].kind == PT_MATCH_IDS;
		for (size_t i = 0; ids_only && i < rule->n_matches && n < len; i++) {
			const struct pci_id_match *id = &rule->matches[i].u.id;

			n += (size_t)snprintf(arg + n, len - n, "%s%04x:%04x",
					      n ? "," : "vfio_pci.ids=", id->vendor,
					      id->device);
			if (id->has_subsystem && n < len)
				n += (size_t)snprintf(arg + n, len - n, ":%04x:%04x",
						      id->subvendor, id->subdevice);
		}
	}
}
