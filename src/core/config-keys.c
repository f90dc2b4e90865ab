/* The config's keys, one table: for each key, how a value is read into
 * struct pt_config and how it is written back out. The reader
 * (config.c), the renderer (pt_config_render: what `passthrough generate`
 * puts in the initramfs), the "did you mean" hints and the man page's key
 * list (checked by a unit test) all come from it, so a key cannot be added
 * to one and forgotten in another. */
#include "config-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Values of multi-valued keys are separated by blanks or commas, so both
 * "10de:1b06 10de:10ef" and the vfio-pci.ids spelling "10de:1b06,10de:10ef"
 * work. */
#define VALUE_SEPARATORS " \t,"

static size_t count_tokens(const char *v)
{
	size_t n = 0;

	while (*v) {
		v += strspn(v, VALUE_SEPARATORS);
		if (!*v)
			break;
		n++;
		v += strcspn(v, VALUE_SEPARATORS);
	}
	return n;
}

/* ---- values ------------------------------------------------------------ */

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const iommu_names[] = { "auto", "intel", "amd", "off" };

const char *pt_iommu_name(enum pt_iommu m)
{
	return iommu_names[m];
}

/* /dev/... with no "." or ".." component: it is looked up under --root. */
static bool valid_dev_path(const char *s)
{
	const char *p;

	if (strncmp(s, "/dev/", 5) != 0 || !s[5] || strlen(s) > 255)
		return false;
	for (p = s + 4; p; p = strchr(p + 1, '/'))
		if (!strncmp(p, "/./", 3) || !strncmp(p, "/../", 4) ||
		    !strcmp(p, "/.") || !strcmp(p, "/..") || !strncmp(p, "//", 2))
			return false;
	return true;
}

bool pt_match_is_host_only(enum pt_match_kind kind)
{
	return kind == PT_MATCH_USB || kind == PT_MATCH_USB_BUS || kind == PT_MATCH_DISK;
}

static int parse_match_token(enum pt_match_kind kind, const char *tok,
			     struct pt_match *m, const char **hint)
{
	m->kind = kind;
	switch (kind) {
	case PT_MATCH_ADDRESS:
		*hint = "is not a PCI address; write DDDD:BB:SS.F or BB:SS.F "
			"in hex, as `lspci -D` prints it";
		return pt_pci_addr_parse(tok, &m->u.addr);
	case PT_MATCH_IDS:
		*hint = "is not a vendor:device ID; write four hex digits each, "
			"as in 10de:1b80 or 10de:1b80:1458:3702 (lspci -nn)";
		return pt_pci_id_parse(tok, &m->u.id);
	case PT_MATCH_CLASS:
		*hint = "is not a class code; write 0x03 (class), 0x0300 "
			"(class and subclass) or 0x030000";
		return pt_pci_class_parse(tok, &m->u.cls);
	case PT_MATCH_GROUP:
		*hint = "is not an IOMMU group number; write a decimal number "
			"as listed by `passthrough list`";
		return pt_parse_decimal(tok, INT32_MAX, &m->u.number);
	case PT_MATCH_USB:
		*hint = "is not a USB vendor:product ID; write four hex digits "
			"each, as lsusb prints them (046d:c52b)";
		if (pt_pci_id_parse(tok, &m->u.id) || m->u.id.has_subsystem)
			return -EINVAL;
		return 0;
	case PT_MATCH_USB_BUS:
		*hint = "is not a USB bus number; write the decimal number lsusb "
			"prints as 'Bus 003'";
		return pt_parse_decimal(tok, 255, &m->u.number) || m->u.number == 0 ?
			       -EINVAL : 0;
	case PT_MATCH_DISK:
		*hint = "is not a block device path; write /dev/sdX, /dev/nvme0n1 "
			"or better a /dev/disk/by-id/... name";
		if (!valid_dev_path(tok))
			return -EINVAL;
		m->u.path = strdup(tok);
		return m->u.path ? 0 : -ENOMEM;
	case PT_MATCH_KIND_COUNT:
		break;
	}
	return -EINVAL;
}

int pt_guard_parse(const char *s, struct pt_guard *out)
{
	char buf[64], *ids, *cls;
	struct pt_pci_id id;
	struct pt_pci_class c;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (!(ids = strchr(buf, '=')))
		return -EINVAL;
	*ids++ = '\0';
	if (!(cls = strrchr(ids, ':')))
		return -EINVAL;
	*cls++ = '\0';
	if (pt_pci_addr_parse(buf, &out->addr) || pt_pci_id_parse(ids, &id) ||
	    id.has_subsystem || pt_pci_class_parse(cls, &c) || c.mask != 0xffffff)
		return -EINVAL;
	out->vendor = id.vendor;
	out->device = id.device;
	out->class = c.value;
	return 0;
}

int pt_group_guard_parse(const char *s, struct pt_group_guard *out)
{
	const char *slash = strchr(s, '/');
	char number[16];

	if (!slash || (size_t)(slash - s) >= sizeof(number))
		return -EINVAL;
	memcpy(number, s, (size_t)(slash - s));
	number[slash - s] = '\0';
	if (pt_parse_decimal(number, INT32_MAX, &out->group))
		return -EINVAL;
	return pt_guard_parse(slash + 1, &out->member);
}

/* The kernel's reset method names (drivers/pci/pci.c, pci_reset_fn_methods),
 * and "default", which gives the kernel back its own choice and is
 * accepted only alone (reset_method_store). */
static const char *const reset_methods[] = { "flr", "pm", "bus", "device_specific",
					     "acpi", "af_flr", "cxl_bus", "default" };

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* ---- builders ---------------------------------------------------------- */

static int grow(void **v, size_t n, size_t size)
{
	void *p = realloc(*v, (n + 1) * size);

	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

struct pt_rule *pt_config_add_rule(struct pt_config *cfg, const char *name, unsigned line)
{
	struct pt_rule *r;

	if (grow((void **)&cfg->rules, cfg->n_rules, sizeof(*r)) < 0)
		return NULL;
	r = &cfg->rules[cfg->n_rules];
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(name)))
		return NULL;
	r->line = line;
	cfg->n_rules++;
	return r;
}

int pt_rule_add_match(struct pt_rule *rule, const struct pt_match *m)
{
	struct pt_match copy = *m;

	if (m->kind == PT_MATCH_DISK && !(copy.u.path = strdup(m->u.path)))
		return -ENOMEM;
	if (grow((void **)&rule->matches, rule->n_matches, sizeof(*m)) < 0) {
		if (m->kind == PT_MATCH_DISK)
			free(copy.u.path);
		return -ENOMEM;
	}
	rule->matches[rule->n_matches++] = copy;
	return 0;
}

int pt_rule_add_guard(struct pt_rule *rule, const struct pt_guard *g)
{
	if (grow((void **)&rule->guards, rule->n_guards, sizeof(*g)) < 0)
		return -ENOMEM;
	rule->guards[rule->n_guards++] = *g;
	return 0;
}

int pt_rule_add_group_guard(struct pt_rule *rule, const struct pt_group_guard *g)
{
	if (grow((void **)&rule->group_guards, rule->n_group_guards, sizeof(*g)) < 0)
		return -ENOMEM;
	rule->group_guards[rule->n_group_guards++] = *g;
	return 0;
}

int pt_rule_copy_settings(struct pt_rule *to, const struct pt_rule *from)
{
	to->all_functions = from->all_functions;
	to->allow_boot_vga = from->allow_boot_vga;
	to->driver = from->driver;
	to->sriov_vfs = from->sriov_vfs;
	to->vfs_all = from->vfs_all;
	memcpy(to->vfs, from->vfs, sizeof(to->vfs));
	free(to->reset_method);
	to->reset_method = NULL;
	if (from->reset_method && !(to->reset_method = strdup(from->reset_method)))
		return -ENOMEM;
	return 0;
}

/* ---- reading one key --------------------------------------------------- */

struct key_desc;

/* What a key's reader gets: where it is, and for a rule key, the rule. */
struct key_ctx {
	struct parse_ctx *ctx;
	struct section_header *h;
	struct pt_config *cfg;
	struct pt_rule *rule; /* NULL in [global] */
	const struct key_desc *kd;
};

/* Writes a key's values, through emit (nothing at all: the default). */
struct writer;

enum key_scope { SCOPE_GLOBAL, SCOPE_DEVICE };

struct key_desc {
	const char *name;
	enum key_scope scope;
	bool multi;     /* a list: blank- or comma-separated, lines add up */
	int match_kind; /* selectors: the kind each value becomes; else -1 */
	const char *syntax; /* as passthrough.conf(5) shows it */
	/* One value (multi) or the whole value (single). */
	void (*parse)(struct key_ctx *k, const char *value);
	void (*render)(struct writer *w, const struct pt_config *cfg, const struct pt_rule *rule);
	size_t offset; /* bool keys: the field in pt_config or pt_rule */
};

static void value_error(struct key_ctx *k, const char *value, const char *expected)
{
	pt_config_add_error(k->ctx, k->ctx->line, "[%s] %s: '%s' is not valid; expected %s",
			    k->h->name, k->kd->name, value, expected);
}

static void parse_iommu_key(struct key_ctx *k, const char *v)
{
	for (size_t i = 0; i < sizeof(iommu_names) / sizeof(iommu_names[0]); i++)
		if (strcmp(v, iommu_names[i]) == 0) {
			k->cfg->iommu = (enum pt_iommu)i;
			return;
		}
	value_error(k, v, "auto, intel, amd or off");
}

static bool *bool_field(const struct key_desc *kd, const struct pt_config *cfg,
			const struct pt_rule *rule)
{
	return (bool *)((char *)(rule ? (void *)rule : (void *)cfg) + kd->offset);
}

static void parse_bool_key(struct key_ctx *k, const char *v)
{
	if (parse_bool(v, bool_field(k->kd, k->cfg, k->rule)))
		value_error(k, v, "yes or no");
}

static void parse_driver_key(struct key_ctx *k, const char *v)
{
	const struct pt_stub_driver *d = pt_stub_driver_named(v);

	if (!d)
		value_error(k, v, "vfio-pci or pci-stub");
	else if (k->rule)
		k->rule->driver = d->id;
	else
		k->cfg->driver = d->id;
}

static void parse_functions(struct key_ctx *k, const char *v)
{
	if (strcmp(v, "all") == 0)
		k->rule->all_functions = true;
	else if (strcmp(v, "selected") == 0)
		k->rule->all_functions = false;
	else
		value_error(k, v, "all (every function of the slot) or selected");
}

static void parse_sriov_vfs(struct key_ctx *k, const char *v)
{
	unsigned long n;

	if (pt_parse_decimal(v, PT_MAX_VFS, &n) || n == 0)
		value_error(k, v, "a number of virtual functions from 1 to 256");
	else
		k->rule->sriov_vfs = (unsigned)n;
}

static void parse_match(struct key_ctx *k, const char *tok)
{
	struct pt_match m;
	const char *hint = "";
	int r;

	memset(&m, 0, sizeof(m));
	r = parse_match_token((enum pt_match_kind)k->kd->match_kind, tok, &m, &hint);
	if (r == -ENOMEM) {
		k->ctx->oom = true;
	} else if (r < 0) {
		pt_config_add_error(k->ctx, k->ctx->line, "[%s] %s: '%s' %s", k->h->name,
				    k->kd->name, tok, hint);
	} else {
		if (pt_rule_add_match(k->rule, &m) < 0)
			k->ctx->oom = true;
		if (m.kind == PT_MATCH_DISK)
			free(m.u.path);
	}
}

static void parse_guard(struct key_ctx *k, const char *tok)
{
	struct pt_guard g;

	if (pt_guard_parse(tok, &g) < 0)
		pt_config_add_error(k->ctx, k->ctx->line,
				    "[%s] guard: '%s' is not ADDRESS=VENDOR:DEVICE:CLASS, "
				    "as in 0000:01:00.0=8086:10d3:020000", k->h->name, tok);
	else if (pt_rule_add_guard(k->rule, &g) < 0)
		k->ctx->oom = true;
}

static void parse_group_guard(struct key_ctx *k, const char *tok)
{
	struct pt_group_guard g;

	if (pt_group_guard_parse(tok, &g) < 0)
		pt_config_add_error(k->ctx, k->ctx->line,
				    "[%s] group_guard: '%s' is not GROUP/ADDRESS=VENDOR:DEVICE:CLASS, "
				    "as in 5/0000:00:05.0=8086:2922:010601", k->h->name, tok);
	else if (pt_rule_add_group_guard(k->rule, &g) < 0)
		k->ctx->oom = true;
}

static void parse_vf(struct key_ctx *k, const char *tok)
{
	struct pt_rule *rule = k->rule;
	struct section_header *h = k->h;
	unsigned long i;

	if (!h->vfs_line)
		h->vfs_line = k->ctx->line;
	if (!strcmp(tok, "all")) {
		rule->vfs_all = true;
	} else if (pt_parse_decimal(tok, PT_MAX_VFS - 1, &i) == 0) {
		if (i >= h->vfs_end) {
			h->vfs_end = (unsigned)i + 1;
			h->last_vf_line = k->ctx->line;
		}
		rule->vfs[i / 8] |= (uint8_t)(1u << (i % 8));
	} else {
		pt_config_add_error(k->ctx, k->ctx->line, "[%s] vfs: '%s' is not valid; expected "
				    "all, or virtual function indices from 0 to %d", h->name,
				    tok, PT_MAX_VFS - 1);
	}
}

bool pt_rule_takes_vf(const struct pt_rule *rule, unsigned index)
{
	bool some = false;

	for (size_t i = 0; i < sizeof(rule->vfs); i++)
		some |= rule->vfs[i] != 0;
	if (!rule->sriov_vfs || index >= rule->sriov_vfs)
		return false;
	return rule->vfs_all || !some || (index < PT_MAX_VFS &&
					  (rule->vfs[index / 8] >> (index % 8)) & 1);
}

/* Kept as the kernel takes it, blank-separated; repeated lines add up.
 * Checked as the kernel checks it: known names, "default" alone. A name
 * twice would be written twice and fill the kernel's short list. */
static void parse_reset_method(struct key_ctx *k, const char *tok)
{
	struct pt_rule *rule = k->rule;
	const char *had = rule->reset_method ? rule->reset_method : "";
	bool known = false;
	char *joined;

	for (size_t i = 0; i < sizeof(reset_methods) / sizeof(reset_methods[0]); i++)
		known |= !strcmp(tok, reset_methods[i]);
	if (!known) {
		pt_config_add_error(k->ctx, k->ctx->line,
				    "[%s] reset_method: '%s' is not a reset method; expected "
				    "flr, pm, bus, device_specific, acpi, af_flr, cxl_bus or "
				    "default", k->h->name, tok);
		return;
	}
	if (word_in(had, tok)) {
		pt_config_add_error(k->ctx, k->ctx->line,
				    "[%s] reset_method: '%s' is named twice; the kernel takes "
				    "each method once, in the order to try them", k->h->name, tok);
		return;
	}
	if (*had && (!strcmp(tok, "default") || word_in(had, "default"))) {
		pt_config_add_error(k->ctx, k->ctx->line,
				    "[%s] reset_method: default stands alone (it gives the kernel "
				    "back its own choice); keep either default or the methods",
				    k->h->name);
		return;
	}
	if (asprintf(&joined, "%s%s%s", had, *had ? " " : "", tok) < 0) {
		k->ctx->oom = true;
		return;
	}
	free(rule->reset_method);
	rule->reset_method = joined;
}

/* Finding codes are check's (the host tool's): here only their form, a
 * word of lower-case letters and dashes; check says which it knows. */
static void parse_accept(struct key_ctx *k, const char *tok)
{
	struct pt_rule *rule = k->rule;
	const char *had = rule->accept ? rule->accept : "";
	char *joined;

	if (!*tok || strspn(tok, "abcdefghijklmnopqrstuvwxyz-") != strlen(tok)) {
		value_error(k, tok, "finding codes of `passthrough check`, such as no-reset");
		return;
	}
	if (word_in(had, tok))
		return;
	if (asprintf(&joined, "%s%s%s", had, *had ? " " : "", tok) < 0) {
		k->ctx->oom = true;
		return;
	}
	free(rule->accept);
	rule->accept = joined;
}

/* ---- writing one key --------------------------------------------------- */

/* Values go on lines of at most PT_CONFIG_LINE_MAX bytes, each starting
 * with the key: whatever the number of values, every line is one the
 * reader takes, and the values add up to the same list. */
struct writer {
	FILE *f;
	const struct key_desc *kd; /* the key being written */
	size_t len; /* of the line being written; 0: none open */
	int err;
};

static void emit(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct writer *w, const char *fmt, ...)
{
	char tok[PT_CONFIG_LINE_MAX + 1];
	size_t head = strlen(w->kd->name) + 3; /* "key = " less its last blank */
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tok, sizeof(tok), fmt, ap);
	va_end(ap);
	if (n < 0 || head + 1 + (size_t)n > PT_CONFIG_LINE_MAX) {
		w->err = -EOVERFLOW; /* no line could hold it */
		return;
	}
	if (w->len && w->len + 1 + (size_t)n > PT_CONFIG_LINE_MAX) {
		fputc('\n', w->f);
		w->len = 0;
	}
	if (!w->len) {
		fprintf(w->f, "%s = %s", w->kd->name, tok);
		w->len = head + 1 + (size_t)n;
	} else {
		fprintf(w->f, " %s", tok);
		w->len += 1 + (size_t)n;
	}
}

static void render_iommu(struct writer *w, const struct pt_config *cfg, const struct pt_rule *r)
{
	(void)r;
	emit(w, "%s", pt_iommu_name(cfg->iommu));
}

static void render_bool(struct writer *w, const struct pt_config *cfg, const struct pt_rule *r)
{
	bool v = *bool_field(w->kd, cfg, r);

	/* [global] says everything; a rule only what it changes. */
	if (!r || v)
		emit(w, "%s", v ? "yes" : "no");
}

static void render_driver(struct writer *w, const struct pt_config *cfg, const struct pt_rule *r)
{
	if (!r)
		emit(w, "%s", pt_driver_name(cfg->driver));
	else if (r->driver != PT_DRIVER_DEFAULT)
		emit(w, "%s", pt_driver_name(r->driver));
}

static void render_functions(struct writer *w, const struct pt_config *cfg,
			     const struct pt_rule *r)
{
	(void)cfg;
	if (r->all_functions)
		emit(w, "all");
}

static void render_sriov_vfs(struct writer *w, const struct pt_config *cfg,
			     const struct pt_rule *r)
{
	(void)cfg;
	if (r->sriov_vfs)
		emit(w, "%u", r->sriov_vfs);
}

static void render_vfs(struct writer *w, const struct pt_config *cfg, const struct pt_rule *r)
{
	bool some = false;

	(void)cfg;
	if (!r->sriov_vfs)
		return;
	for (unsigned i = 0; i < PT_MAX_VFS; i++)
		some |= (r->vfs[i / 8] >> (i % 8)) & 1;
	if (r->vfs_all || !some) {
		emit(w, "all");
		return;
	}
	for (unsigned i = 0; i < PT_MAX_VFS; i++)
		if ((r->vfs[i / 8] >> (i % 8)) & 1)
			emit(w, "%u", i);
}

/* A blank-separated list kept as one string, a value each. */
static void emit_words(struct writer *w, const char *list)
{
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, " ");

		if (n)
			emit(w, "%.*s", (int)n, p);
		p += n + (p[n] == ' ');
	}
}

static void render_reset_method(struct writer *w, const struct pt_config *cfg,
				const struct pt_rule *r)
{
	(void)cfg;
	emit_words(w, r->reset_method);
}

static void render_accept(struct writer *w, const struct pt_config *cfg,
			  const struct pt_rule *r)
{
	(void)cfg;
	emit_words(w, r->accept);
}

static void render_matches(struct writer *w, const struct pt_config *cfg,
			   const struct pt_rule *r)
{
	char addr[PT_PCI_ADDR_STRLEN];

	(void)cfg;
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct pt_match *m = &r->matches[i];

		if ((int)m->kind != w->kd->match_kind)
			continue;
		switch (m->kind) {
		case PT_MATCH_ADDRESS:
			pt_pci_addr_format(&m->u.addr, addr);
			emit(w, "%s", addr);
			break;
		case PT_MATCH_IDS:
		case PT_MATCH_USB:
			if (m->u.id.has_subsystem)
				emit(w, "%04x:%04x:%04x:%04x", m->u.id.vendor, m->u.id.device,
				     m->u.id.subvendor, m->u.id.subdevice);
			else
				emit(w, "%04x:%04x", m->u.id.vendor, m->u.id.device);
			break;
		case PT_MATCH_CLASS:
			if (m->u.cls.mask == 0xff0000)
				emit(w, "0x%02x", m->u.cls.value >> 16);
			else if (m->u.cls.mask == 0xffff00)
				emit(w, "0x%04x", m->u.cls.value >> 8);
			else
				emit(w, "0x%06x", m->u.cls.value);
			break;
		case PT_MATCH_GROUP:
		case PT_MATCH_USB_BUS:
			emit(w, "%lu", m->u.number);
			break;
		case PT_MATCH_DISK:
			emit(w, "%s", m->u.path);
			break;
		case PT_MATCH_KIND_COUNT:
			break;
		}
	}
}

static void format_guard(const struct pt_guard *g, char *out, size_t len)
{
	char addr[PT_PCI_ADDR_STRLEN];

	pt_pci_addr_format(&g->addr, addr);
	snprintf(out, len, "%s=%04x:%04x:%06x", addr, g->vendor, g->device, g->class);
}

static void render_guards(struct writer *w, const struct pt_config *cfg, const struct pt_rule *r)
{
	char g[64];

	(void)cfg;
	for (size_t i = 0; i < r->n_guards; i++) {
		format_guard(&r->guards[i], g, sizeof(g));
		emit(w, "%s", g);
	}
}

static void render_group_guards(struct writer *w, const struct pt_config *cfg,
				const struct pt_rule *r)
{
	char g[64];

	(void)cfg;
	for (size_t i = 0; i < r->n_group_guards; i++) {
		format_guard(&r->group_guards[i].member, g, sizeof(g));
		emit(w, "%lu/%s", r->group_guards[i].group, g);
	}
}

/* ---- the table --------------------------------------------------------- */

#define BOOL_GLOBAL(name, field)                                                          \
	{ name, SCOPE_GLOBAL, false, -1, "yes|no", parse_bool_key, render_bool,          \
	  offsetof(struct pt_config, field) }
#define SELECTOR(name, kind, syntax) \
	{ name, SCOPE_DEVICE, true, kind, syntax, parse_match, render_matches, 0 }

static const struct key_desc keys[] = {
	{ "iommu", SCOPE_GLOBAL, false, -1, "auto|intel|amd|off", parse_iommu_key, render_iommu, 0 },
	BOOL_GLOBAL("iommu_pt", iommu_pt),
	{ "driver", SCOPE_GLOBAL, false, -1, "vfio-pci|pci-stub", parse_driver_key, render_driver, 0 },
	BOOL_GLOBAL("unsafe_interrupts", unsafe_interrupts),
	BOOL_GLOBAL("disable_vga", disable_vga),
	BOOL_GLOBAL("disable_idle_d3", disable_idle_d3),
	BOOL_GLOBAL("headless", headless),
	SELECTOR("address", PT_MATCH_ADDRESS, "DDDD:BB:SS.F ..."),
	SELECTOR("ids", PT_MATCH_IDS, "vvvv:dddd[:ssss:ssss] ..."),
	SELECTOR("class", PT_MATCH_CLASS, "0xCC[SS[PP]] ..."),
	SELECTOR("group", PT_MATCH_GROUP, "N ..."),
	SELECTOR("usb", PT_MATCH_USB, "vvvv:pppp ..."),
	SELECTOR("usb_bus", PT_MATCH_USB_BUS, "N ..."),
	SELECTOR("disk", PT_MATCH_DISK, "/dev/... ..."),
	{ "guard", SCOPE_DEVICE, true, -1, "ADDRESS=VVVV:DDDD:CCCCCC ...", parse_guard,
	  render_guards, 0 },
	{ "group_guard", SCOPE_DEVICE, true, -1, "N/ADDRESS=VVVV:DDDD:CCCCCC ...",
	  parse_group_guard, render_group_guards, 0 },
	{ "functions", SCOPE_DEVICE, false, -1, "all|selected", parse_functions,
	  render_functions, 0 },
	{ "allow_boot_vga", SCOPE_DEVICE, false, -1, "yes|no", parse_bool_key, render_bool,
	  offsetof(struct pt_rule, allow_boot_vga) },
	{ "sriov_vfs", SCOPE_DEVICE, false, -1, "N", parse_sriov_vfs, render_sriov_vfs, 0 },
	{ "vfs", SCOPE_DEVICE, true, -1, "all|INDEX ...", parse_vf, render_vfs, 0 },
	{ "reset_method", SCOPE_DEVICE, true, -1, "METHOD ...", parse_reset_method,
	  render_reset_method, 0 },
	{ "driver", SCOPE_DEVICE, false, -1, "vfio-pci|pci-stub", parse_driver_key,
	  render_driver, 0 },
	{ "accept", SCOPE_DEVICE, true, -1, "CODE ...", parse_accept, render_accept, 0 },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(N_KEYS <= 32, "section_header.seen_keys has a bit per key");

size_t pt_config_key_count(void)
{
	return N_KEYS;
}

bool pt_config_key_info(size_t i, const char **name, bool *global, const char **syntax)
{
	if (i >= N_KEYS)
		return false;
	*name = keys[i].name;
	*global = keys[i].scope == SCOPE_GLOBAL;
	*syntax = keys[i].syntax;
	return true;
}

const char *pt_match_key(enum pt_match_kind kind)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].match_kind == (int)kind)
			return keys[i].name;
	return "?";
}

/* Edits (insert, delete, replace, swap two neighbours) from a to b,
 * capped: only small distances matter for a typo. */
size_t pt_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[24][24];

	if (la > 22 || lb > 22)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* The known key a typo most likely meant (two edits at most), or NULL. */
static const char *nearest_key(enum key_scope scope, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < N_KEYS; i++) {
		size_t dist = keys[i].scope == scope ? pt_edit_distance(name, keys[i].name) : 99;

		if (dist < best_d) {
			best_d = dist;
			best = keys[i].name;
		}
	}
	return best;
}

/* "iommu, iommu_pt, ..." of one scope, from the table. */
static void key_list(enum key_scope scope, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < N_KEYS && used < len; i++)
		if (keys[i].scope == scope)
			used += (size_t)snprintf(out + used, len - used, "%s%s",
						 used ? ", " : "", keys[i].name);
}

static const struct key_desc *find_key(enum key_scope scope, const char *name, size_t *index)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].scope == scope && strcmp(keys[i].name, name) == 0) {
			*index = i;
			return &keys[i];
		}
	}
	return NULL;
}

void pt_config_apply_key(struct parse_ctx *ctx, struct section_header *h, const char *key,
			 const char *value)
{
	enum key_scope scope = h->is_global ? SCOPE_GLOBAL : SCOPE_DEVICE;
	struct key_ctx k = { ctx, h, ctx->cfg, h->is_global ? NULL : &ctx->cfg->rules[h->rule],
			     NULL };
	size_t ki, n = count_tokens(value);
	char *copy, *tok, *save = NULL;

	k.kd = find_key(scope, key, &ki);
	if (!k.kd) {
		const char *near = nearest_key(scope, key);
		char list[512];

		key_list(scope, list, sizeof(list));
		h->unknown_key = true;
		pt_config_add_error(ctx, ctx->line, "[%s] %s: unknown key; %s%s%sexpected one of %s",
				    h->name, key, near ? "did you mean " : "", near ? near : "",
				    near ? "? " : "", list);
		return;
	}
	if ((h->seen_keys & (1u << ki)) && !k.kd->multi) {
		pt_config_add_error(ctx, ctx->line,
				    "[%s] %s: the key is given twice in this section; "
				    "it takes one value", h->name, key);
		return;
	}
	h->seen_keys |= 1u << ki;
	if (n == 0) {
		pt_config_add_error(ctx, ctx->line, "[%s] %s: the value is empty", h->name, key);
	} else if (!k.kd->multi && n > 1) {
		pt_config_add_error(ctx, ctx->line, "[%s] %s: takes one value, not '%s'",
				    h->name, key, value);
	} else if (!k.kd->multi) {
		k.kd->parse(&k, value);
	} else if (!(copy = strdup(value))) {
		ctx->oom = true;
	} else {
		/* A list may go on over several lines, each starting with
		 * its key: values add up. */
		for (tok = strtok_r(copy, VALUE_SEPARATORS, &save); tok && !ctx->oom;
		     tok = strtok_r(NULL, VALUE_SEPARATORS, &save))
			k.kd->parse(&k, tok);
		free(copy);
	}
}

/* vfs names virtual functions of sriov_vfs: without it, or past it, the
 * rule cannot mean what it says. */
static void check_vfs(struct parse_ctx *ctx, const struct section_header *h)
{
	const struct pt_rule *rule = &ctx->cfg->rules[h->rule];
	bool some = rule->vfs_all;
	unsigned last = 0;

	for (unsigned i = 0; i < PT_MAX_VFS; i++)
		if ((rule->vfs[i / 8] >> (i % 8)) & 1) {
			some = true;
			last = i;
		}
	if (some && !rule->sriov_vfs)
		pt_config_add_error(ctx, h->vfs_line, "[%s] vfs: selects virtual functions, but "
				    "the rule creates none; add sriov_vfs = N (how many the "
				    "physical function gets at boot)", h->name);
	else if (rule->sriov_vfs && last >= rule->sriov_vfs)
		pt_config_add_error(ctx, h->last_vf_line, "[%s] vfs: %u is past the last virtual "
				    "function (sriov_vfs = %u makes 0 to %u)", h->name, last,
				    rule->sriov_vfs, rule->sriov_vfs - 1);
}

/* A rule whose selectors were all invalid already has errors saying so;
 * "selects nothing" is for rules that name no selector at all. */
void pt_config_check_rules(struct parse_ctx *ctx)
{
	uint32_t selector_keys = 0;

	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].match_kind >= 0)
			selector_keys |= 1u << i;
	for (size_t i = 0; i < ctx->n_headers; i++) {
		const struct section_header *h = &ctx->headers[i];

		if (h->valid && !h->is_global && !(h->seen_keys & selector_keys) &&
		    !h->unknown_key)
			pt_config_add_error(ctx, h->line,
					    "[%s]: the rule selects nothing; give at least "
					    "one of address, ids, class, group, usb, usb_bus "
					    "or disk", h->name);
		if (h->valid && !h->is_global)
			check_vfs(ctx, h);
	}
}

/* ---- the whole file ---------------------------------------------------- */

static void render_section(FILE *f, const struct pt_config *cfg, const struct pt_rule *rule,
			   int *err)
{
	enum key_scope scope = rule ? SCOPE_DEVICE : SCOPE_GLOBAL;

	for (size_t i = 0; i < N_KEYS; i++) {
		struct writer w = { f, &keys[i], 0, 0 };

		if (keys[i].scope != scope)
			continue;
		keys[i].render(&w, cfg, rule);
		if (w.len)
			fputc('\n', f);
		if (w.err && !*err)
			*err = w.err;
	}
}

int pt_config_render(const struct pt_config *cfg, FILE *f)
{
	int err = 0;

	fputs("[global]\n", f);
	render_section(f, cfg, NULL, &err);
	for (size_t r = 0; r < cfg->n_rules; r++) {
		if (strlen(cfg->rules[r].name) > PT_RULE_NAME_MAX)
			err = -EOVERFLOW;
		fprintf(f, "\n[device.%s]\n", cfg->rules[r].name);
		render_section(f, cfg, &cfg->rules[r], &err);
	}
	if (!err && ferror(f))
		err = -EIO;
	return err;
}

/* ---- same meaning ------------------------------------------------------ */

static bool same_match(const struct pt_match *a, const struct pt_match *b)
{
	switch (a->kind) {
	case PT_MATCH_ADDRESS:
		return pt_pci_addr_compare(&a->u.addr, &b->u.addr) == 0;
	case PT_MATCH_IDS:
	case PT_MATCH_USB:
		return a->u.id.vendor == b->u.id.vendor && a->u.id.device == b->u.id.device &&
		       a->u.id.has_subsystem == b->u.id.has_subsystem &&
		       (!a->u.id.has_subsystem || (a->u.id.subvendor == b->u.id.subvendor &&
						   a->u.id.subdevice == b->u.id.subdevice));
	case PT_MATCH_CLASS:
		return a->u.cls.value == b->u.cls.value && a->u.cls.mask == b->u.cls.mask;
	case PT_MATCH_GROUP:
	case PT_MATCH_USB_BUS:
		return a->u.number == b->u.number;
	case PT_MATCH_DISK:
		return strcmp(a->u.path, b->u.path) == 0;
	case PT_MATCH_KIND_COUNT:
		break;
	}
	return false;
}

/* The values of one kind, in order: the order across kinds means nothing
 * (every kind must match), within one it is kept. */
static bool same_matches(const struct pt_rule *a, const struct pt_rule *b,
			 enum pt_match_kind kind)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n_matches && a->matches[i].kind != kind)
			i++;
		while (j < b->n_matches && b->matches[j].kind != kind)
			j++;
		if (i == a->n_matches || j == b->n_matches)
			return i == a->n_matches && j == b->n_matches;
		if (!same_match(&a->matches[i++], &b->matches[j++]))
			return false;
	}
}

static bool same_guard(const struct pt_guard *a, const struct pt_guard *b)
{
	return !pt_pci_addr_compare(&a->addr, &b->addr) && a->vendor == b->vendor &&
	       a->device == b->device && a->class == b->class;
}

static const char *rule_difference(const struct pt_config *ca, const struct pt_rule *a,
				   const struct pt_config *cb, const struct pt_rule *b)
{
	if (strcmp(a->name, b->name))
		return "a rule's name";
	for (int k = 0; k < PT_MATCH_KIND_COUNT; k++)
		if (!same_matches(a, b, (enum pt_match_kind)k))
			return pt_match_key((enum pt_match_kind)k);
	if (a->n_guards != b->n_guards)
		return "guard";
	for (size_t i = 0; i < a->n_guards; i++)
		if (!same_guard(&a->guards[i], &b->guards[i]))
			return "guard";
	if (a->n_group_guards != b->n_group_guards)
		return "group_guard";
	for (size_t i = 0; i < a->n_group_guards; i++)
		if (a->group_guards[i].group != b->group_guards[i].group ||
		    !same_guard(&a->group_guards[i].member, &b->group_guards[i].member))
			return "group_guard";
	if (a->all_functions != b->all_functions)
		return "functions";
	if (a->allow_boot_vga != b->allow_boot_vga)
		return "allow_boot_vga";
	if (pt_rule_driver(ca, a) != pt_rule_driver(cb, b))
		return "driver";
	if (a->sriov_vfs != b->sriov_vfs)
		return "sriov_vfs";
	for (unsigned i = 0; i < a->sriov_vfs; i++)
		if (pt_rule_takes_vf(a, i) != pt_rule_takes_vf(b, i))
			return "vfs";
	if (!a->reset_method != !b->reset_method ||
	    (a->reset_method && strcmp(a->reset_method, b->reset_method)))
		return "reset_method";
	return NULL;
}

const char *pt_config_difference(const struct pt_config *a, const struct pt_config *b)
{
	if (a->iommu != b->iommu)
		return "iommu";
	if (a->iommu_pt != b->iommu_pt)
		return "iommu_pt";
	if (a->driver != b->driver)
		return "driver";
	if (a->unsafe_interrupts != b->unsafe_interrupts)
		return "unsafe_interrupts";
	if (a->disable_vga != b->disable_vga)
		return "disable_vga";
	if (a->disable_idle_d3 != b->disable_idle_d3)
		return "disable_idle_d3";
	if (a->headless != b->headless)
		return "headless";
	if (a->n_rules != b->n_rules)
		return "the number of rules";
	for (size_t r = 0; r < a->n_rules; r++) {
		const char *why = rule_difference(a, &a->rules[r], b, &b->rules[r]);

		if (why)
			return why;
	}
	return NULL;
}
