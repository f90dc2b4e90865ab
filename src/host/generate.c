#include "generate.h"

#include <errno.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char generated_by[] =
	PT_GENERATED_HEADER " from /etc/passthrough.conf:\n"
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

#define DIGEST_LINE "# checked config digest: "

uint64_t pt_config_digest(const char *text)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits */

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

char *pt_stamp_initramfs_conf(const char *rendered, const char *admin_text)
{
	char *out;

	if (asprintf(&out, "%s" DIGEST_LINE "%016llx\n", rendered,
		     (unsigned long long)pt_config_digest(admin_text)) < 0)
		return NULL;
	return out;
}

int pt_initramfs_conf_digest(const char *text, uint64_t *out)
{
	const char *p = strstr(text, DIGEST_LINE);
	char *end;

	if (!p)
		return -ENOENT;
	*out = strtoull(p + strlen(DIGEST_LINE), &end, 16);
	return end == p + strlen(DIGEST_LINE) + 16 ? 0 : -EINVAL;
}

char *pt_render_modprobe_conf(const struct pt_config *cfg,
			      const struct pt_tokens *host_modules, bool vendor_reset)
{
	struct text t;
	FILE *f = text_begin(&t);

	if (!f)
		return NULL;
	if (cfg->disable_vga)
		fputs("options vfio_pci disable_vga=1\n", f);
	if (cfg->disable_idle_d3)
		fputs("options vfio_pci disable_idle_d3=1\n", f);
	if (cfg->unsafe_interrupts)
		fputs("options vfio_iommu_type1 allow_unsafe_interrupts=1\n", f);
	if (vendor_reset)
		fputs("# vendor-reset resets a selected card that cannot reset itself:\n"
		      "# it must be there before vfio-pci takes the card.\n"
		      "softdep vfio_pci pre: vendor_reset\n", f);
	if (host_modules->n)
		fputs("# vfio_pci first, whatever loads these drivers (passthrough-early\n"
		      "# binds before them; this covers a module loaded another way).\n", f);
	for (size_t i = 0; i < host_modules->n; i++)
		fprintf(f, "softdep %s pre: vfio_pci\n", host_modules->v[i]);
	return text_end(&t);
}

/* A key's values, eight to a line: a long list stays far below the
 * binder's line limit (inih's 200-byte buffer); each line repeats the
 * key, and the values add up. */
struct list_writer {
	FILE *f;
	const char *key;
	size_t n;
};

#define VALUES_PER_LINE 8

static void list_add(struct list_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void list_add(struct list_writer *w, const char *fmt, ...)
{
	va_list ap;

	if (w->n % VALUES_PER_LINE == 0)
		fprintf(w->f, "%s%s =", w->n ? "\n" : "", w->key);
	fputc(' ', w->f);
	va_start(ap, fmt);
	vfprintf(w->f, fmt, ap);
	va_end(ap);
	w->n++;
}

static void list_end(struct list_writer *w)
{
	if (w->n)
		fputc('\n', w->f);
}

static void write_match(struct list_writer *w, const struct pt_match *m)
{
	char addr[PT_PCI_ADDR_STRLEN];

	switch (m->kind) {
	case PT_MATCH_ADDRESS:
		pt_pci_addr_format(&m->u.addr, addr);
		list_add(w, "%s", addr);
		break;
	case PT_MATCH_IDS:
		if (m->u.id.has_subsystem)
			list_add(w, "%04x:%04x:%04x:%04x", m->u.id.vendor, m->u.id.device,
				 m->u.id.subvendor, m->u.id.subdevice);
		else
			list_add(w, "%04x:%04x", m->u.id.vendor, m->u.id.device);
		break;
	case PT_MATCH_CLASS:
		if (m->u.cls.mask == 0xff0000)
			list_add(w, "0x%02x", m->u.cls.value >> 16);
		else if (m->u.cls.mask == 0xffff00)
			list_add(w, "0x%04x", m->u.cls.value >> 8);
		else
			list_add(w, "0x%06x", m->u.cls.value);
		break;
	case PT_MATCH_GROUP:
		list_add(w, "%lu", m->u.number);
		break;
	default:
		break;
	}
}

static void write_matches(FILE *f, const struct pt_rule *rule, enum pt_match_kind kind,
			  const char *key)
{
	struct list_writer w = { f, key, 0 };

	for (size_t i = 0; i < rule->n_matches; i++)
		if (rule->matches[i].kind == kind)
			write_match(&w, &rule->matches[i]);
	list_end(&w);
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
			   const struct pt_devices *devs, const struct pt_resolver *resolver)
{
	struct list_writer addresses = { f, "address", 0 }, ids = { f, "ids", 0 };

	for (size_t i = 0; i < devs->n; i++)
		if (pt_rule_matches(rule, &devs->v[i], resolver))
			list_add(&addresses, "%s", devs->v[i].bdf);
	list_end(&addresses);
	for (size_t i = 0; i < devs->n; i++) {
		bool seen = false;

		if (!pt_rule_matches(rule, &devs->v[i], resolver))
			continue;
		for (size_t j = 0; j < i; j++)
			if (pt_rule_matches(rule, &devs->v[j], resolver) &&
			    devs->v[j].vendor == devs->v[i].vendor &&
			    devs->v[j].device == devs->v[i].device)
				seen = true;
		if (!seen)
			list_add(&ids, "%04x:%04x", devs->v[i].vendor, devs->v[i].device);
	}
	list_end(&ids);
}

/* What sits at each address the rule names now, so the binder can refuse
 * another device there at boot: the admin's guards as they are, then one
 * for each address that has none. */
static void write_guards(FILE *f, const struct pt_rule *rule, const struct pt_devices *devs)
{
	struct list_writer w = { f, "guard", 0 };
	char addr[PT_PCI_ADDR_STRLEN];

	for (size_t i = 0; i < rule->n_guards; i++) {
		const struct pt_guard *g = &rule->guards[i];

		pt_pci_addr_format(&g->addr, addr);
		list_add(&w, "%s=%04x:%04x:%06x", addr, g->vendor, g->device, g->class);
	}
	for (size_t i = 0; i < devs->n; i++) {
		const struct pt_device *d = &devs->v[i];
		bool named = false;

		for (size_t k = 0; k < rule->n_matches && !named; k++)
			named = rule->matches[k].kind == PT_MATCH_ADDRESS &&
				!pt_pci_addr_compare(&rule->matches[k].u.addr, &d->addr);
		if (named && !pt_rule_guard(rule, &d->addr))
			list_add(&w, "%s=%04x:%04x:%06x", d->bdf, d->vendor, d->device, d->class);
	}
	list_end(&w);
}

char *pt_render_initramfs_conf(const struct pt_config *cfg, const struct pt_devices *devs,
			       const struct pt_resolver *resolver)
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
	if (cfg->disable_idle_d3)
		fputs("disable_idle_d3 = yes\n", f);
	if (cfg->headless)
		fputs("headless = yes\n", f);
	for (size_t r = 0; r < cfg->n_rules; r++) {
		const struct pt_rule *rule = &cfg->rules[r];
		size_t hits = 0;

		for (size_t i = 0; i < devs->n; i++)
			hits += pt_rule_matches(rule, &devs->v[i], resolver);
		if (has_host_only(rule) && hits == 0) {
			/* A rule without selectors would be an error, and an
			 * error binds nothing at all: leave it out. */
			fprintf(f, "\n# [device.%s] selected nothing when this was "
				   "written: left out\n", rule->name);
			continue;
		}
		fprintf(f, "\n[device.%s]\n", rule->name);
		if (has_host_only(rule)) {
			write_resolved(f, rule, devs, resolver);
		} else {
			write_matches(f, rule, PT_MATCH_ADDRESS, "address");
			write_matches(f, rule, PT_MATCH_IDS, "ids");
			write_matches(f, rule, PT_MATCH_CLASS, "class");
			write_matches(f, rule, PT_MATCH_GROUP, "group");
			write_guards(f, rule, devs);
		}
		if (rule->all_functions)
			fputs("functions = all\n", f);
		if (rule->reset_method)
			fprintf(f, "reset_method = %s\n", rule->reset_method);
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

/* A rule that may take the boot display: its firmware framebuffer (efifb)
 * is kept off at boot, so nothing can hold the card's memory when a VM
 * wants it (the binder also releases it; this covers a later `passthrough
 * bind` and an initramfs without the binder). initcall_blacklist=
 * sysfb_init would work as well; nofb and video=simplefb:off do not
 * (tried on Debian's 5.10, 6.1 and 6.12). */
static bool gives_boot_display(const struct pt_config *cfg)
{
	for (size_t r = 0; r < cfg->n_rules; r++)
		if (cfg->rules[r].allow_boot_vga)
			return true;
	return false;
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
	if (r == 0 && gives_boot_display(cfg))
		r = pt_tokens_add(out, "video=efifb:off");
	if (r == 0 && cfg->disable_idle_d3)
		r = pt_tokens_add(out, "vfio_pci.disable_idle_d3=1");
	return r;
}

char *pt_ids_only_argument(const struct pt_config *cfg)
{
	char *arg = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&arg, &len);
	bool any = false;

	if (!f)
		return NULL;
	for (size_t r = 0; r < cfg->n_rules; r++) {
		const struct pt_rule *rule = &cfg->rules[r];
		bool ids_only = rule->n_matches > 0 &&
				pt_rule_driver(cfg, rule) == PT_DRIVER_VFIO_PCI;

		for (size_t i = 0; i < rule->n_matches; i++)
			ids_only &= rule->matches[i].kind == PT_MATCH_IDS;
		for (size_t i = 0; ids_only && i < rule->n_matches; i++) {
			const struct pt_pci_id *id = &rule->matches[i].u.id;

			fprintf(f, "%s%04x:%04x", any ? "," : "vfio_pci.ids=", id->vendor,
				id->device);
			if (id->has_subsystem)
				fprintf(f, ":%04x:%04x", id->subvendor, id->subdevice);
			any = true;
		}
	}
	if (fclose(f) != 0) {
		free(arg);
		return NULL;
	}
	return arg;
}
