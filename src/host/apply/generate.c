#include "generate.h"

#include <errno.h>

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

static bool has_host_only(const struct pt_rule *rule)
{
	for (size_t i = 0; i < rule->n_matches; i++)
		if (pt_match_is_host_only(rule->matches[i].kind))
			return true;
	return false;
}

static struct pt_guard guard_of(const struct pt_device *d)
{
	return (struct pt_guard){ d->addr, d->vendor, d->device, d->class };
}

/* usb, usb_bus and disk name things that exist only after boot: the rule
 * gets the addresses they select now, and those devices' IDs as guard. */
static int resolve_host_only(struct pt_rule *out, const struct pt_rule *rule,
			     const struct pt_devices *devs, const struct pt_resolver *resolver)
{
	int r = 0;

	for (size_t i = 0; i < devs->n && !r; i++)
		if (pt_rule_matches(rule, &devs->v[i], resolver))
			r = pt_rule_add_match(out, &(struct pt_match){
				.kind = PT_MATCH_ADDRESS, .u.addr = devs->v[i].addr });
	for (size_t i = 0; i < devs->n && !r; i++) {
		struct pt_match id = { .kind = PT_MATCH_IDS };
		bool seen = false;

		if (!pt_rule_matches(rule, &devs->v[i], resolver))
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= pt_rule_matches(rule, &devs->v[j], resolver) &&
				devs->v[j].vendor == devs->v[i].vendor &&
				devs->v[j].device == devs->v[i].device;
		id.u.id.vendor = devs->v[i].vendor;
		id.u.id.device = devs->v[i].device;
		if (!seen)
			r = pt_rule_add_match(out, &id);
	}
	return r;
}

/* The rule's own selectors, and what they name now, so the binder can
 * refuse another device at boot: a guard for each address the rule names
 * (the admin's own guards kept as they are), and the members of each
 * group it names (firmware updates and new cards renumber groups). */
static int guard_selectors(struct pt_rule *out, const struct pt_rule *rule,
			   const struct pt_devices *devs)
{
	int r = 0;

	for (size_t i = 0; i < rule->n_matches && !r; i++)
		r = pt_rule_add_match(out, &rule->matches[i]);
	for (size_t i = 0; i < rule->n_guards && !r; i++)
		r = pt_rule_add_guard(out, &rule->guards[i]);
	for (size_t i = 0; i < rule->n_group_guards && !r; i++)
		r = pt_rule_add_group_guard(out, &rule->group_guards[i]);
	for (size_t i = 0; i < devs->n && !r; i++) {
		const struct pt_device *d = &devs->v[i];
		bool named = false;
		struct pt_guard g = guard_of(d);

		for (size_t k = 0; k < rule->n_matches && !named; k++)
			named = rule->matches[k].kind == PT_MATCH_ADDRESS &&
				!pt_pci_addr_compare(&rule->matches[k].u.addr, &d->addr);
		if (named && !pt_rule_guard(rule, &d->addr))
			r = pt_rule_add_guard(out, &g);
	}
	if (rule->n_group_guards)
		return r;
	/* Virtual functions are left out: the binder makes them at boot. */
	for (size_t k = 0; k < rule->n_matches && !r; k++) {
		const struct pt_match *m = &rule->matches[k];

		if (m->kind != PT_MATCH_GROUP)
			continue;
		for (size_t i = 0; i < devs->n && !r; i++)
			if (!devs->v[i].is_vf && devs->v[i].iommu_group >= 0 &&
			    (unsigned long)devs->v[i].iommu_group == m->u.number)
				r = pt_rule_add_group_guard(out, &(struct pt_group_guard){
					m->u.number, guard_of(&devs->v[i]) });
	}
	return r;
}

int pt_boot_config(const struct pt_config *cfg, const struct pt_devices *devs,
		   const struct pt_resolver *resolver, struct pt_config *out,
		   struct pt_tokens *left_out)
{
	int r = 0;

	memset(out, 0, sizeof(*out));
	memset(left_out, 0, sizeof(*left_out));
	out->iommu = cfg->iommu;
	out->iommu_pt = cfg->iommu_pt;
	out->driver = cfg->driver;
	out->unsafe_interrupts = cfg->unsafe_interrupts;
	out->disable_vga = cfg->disable_vga;
	out->disable_idle_d3 = cfg->disable_idle_d3;
	out->headless = cfg->headless;
	if (!(out->path = strdup(cfg->path ? cfg->path : "")))
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_rules && !r; i++) {
		const struct pt_rule *rule = &cfg->rules[i];
		struct pt_rule *to;
		size_t hits = 0;

		for (size_t d = 0; d < devs->n; d++)
			hits += pt_rule_matches(rule, &devs->v[d], resolver);
		if (has_host_only(rule) && hits == 0) {
			/* A rule without selectors would be an error, and an
			 * error binds nothing at all: leave it out. */
			r = pt_tokens_add(left_out, rule->name);
			continue;
		}
		if (!(to = pt_config_add_rule(out, rule->name, rule->line)))
			return -ENOMEM;
		r = pt_rule_copy_settings(to, rule);
		if (!r)
			r = has_host_only(rule) ? resolve_host_only(to, rule, devs, resolver) :
						  guard_selectors(to, rule, devs);
	}
	return r;
}

char *pt_render_initramfs_conf(const struct pt_config *cfg, const struct pt_devices *devs,
			       const struct pt_resolver *resolver)
{
	struct pt_config boot;
	struct pt_tokens left_out;
	struct text t;
	FILE *f;
	char *text;
	int r;

	if (pt_boot_config(cfg, devs, resolver, &boot, &left_out) < 0 || !(f = text_begin(&t))) {
		pt_config_free(&boot);
		pt_tokens_free(&left_out);
		return NULL;
	}
	for (size_t i = 0; i < left_out.n; i++)
		fprintf(f, "# [device.%s] selected nothing when this was written: left out\n",
			left_out.v[i]);
	r = pt_config_render(&boot, f);
	pt_config_free(&boot);
	pt_tokens_free(&left_out);
	text = text_end(&t);
	if (r < 0) {
		free(text);
		return NULL;
	}
	return text;
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
