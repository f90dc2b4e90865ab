#include "config.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A section header as the line reader saw it. inih reports sections only
 * through the keys inside them, so the reader notes every header: that is
 * how empty and repeated sections are found and how errors get the line of
 * the header they belong to. */
struct section_header {
	unsigned line;
	char *name;
	bool opened;
	bool valid;       /* known, not a duplicate: its keys are applied */
	bool is_global;
	size_t rule;      /* index into cfg->rules when !is_global */
	uint32_t seen_keys; /* bit per key, for duplicate detection */
	bool unknown_key;   /* its error explains an empty rule: no second one */
	/* Where errors about vfs point: its first line, and the line that
	 * names the highest index (vfs_end: that index + 1, 0 for none). */
	unsigned vfs_line, last_vf_line, vfs_end;
};

struct parse_ctx {
	FILE *f;
	struct pt_config *cfg;
	unsigned line;
	char *buf;
	size_t cap;
	struct section_header *headers;
	size_t n_headers;
	bool oom;
};

static int add_error(struct parse_ctx *ctx, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add_error(struct parse_ctx *ctx, unsigned line, const char *fmt, ...)
{
	struct pt_config *cfg = ctx->cfg;
	struct pt_config_error *e;
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	e = realloc(cfg->errors, (cfg->n_errors + 1) * sizeof(*e));
	if (!e) {
		free(text);
		goto oom;
	}
	cfg->errors = e;
	e[cfg->n_errors].line = line;
	e[cfg->n_errors].text = text;
	cfg->n_errors++;
	return 0;
oom:
	ctx->oom = true;
	return -ENOMEM;
}

static bool valid_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if (!(n = pt_utf8_sequence_length(s + i, len - i)))
			return false;
	return true;
}

/* inih skips these before a section header or a key (isspace), so the
 * reader must too: a form feed before "[global]" hides nothing. */
static bool ini_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char utf8_bom[] = "\xef\xbb\xbf";

static int note_section_header(struct parse_ctx *ctx, const char *line)
{
	const char *start, *end;
	struct section_header *h;

	/* inih accepts a byte-order mark before the first line (Windows
	 * editors write one). */
	if (ctx->line == 1 && strncmp(line, utf8_bom, 3) == 0)
		line += 3;
	while (ini_blank(*line))
		line++;
	if (*line != '[')
		return 0;
	start = line + 1;
	end = strchr(start, ']');
	if (!end)
		return 0; /* inih reports the syntax error */
	h = realloc(ctx->headers, (ctx->n_headers + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	ctx->headers = h;
	h = &h[ctx->n_headers];
	memset(h, 0, sizeof(*h));
	h->line = ctx->line;
	h->name = strndup(start, (size_t)(end - start));
	if (!h->name)
		return -ENOMEM;
	ctx->n_headers++;
	return 0;
}

enum pt_line_status pt_config_line(char *out, int num, const char *in, size_t len,
				   size_t *content)
{
	size_t n = len;

	/* The line ending, however many '\r' it has, is not content: it must
	 * neither count against the limit nor be copied. */
	while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r'))
		n--;
	*content = n;
	if (num < 3)
		return PT_LINE_TOO_LONG;
	strcpy(out, "\n");
	if (memchr(in, '\0', len))
		return PT_LINE_NUL;
	if (!valid_utf8((const unsigned char *)in, n))
		return PT_LINE_NOT_UTF8;
	/* inih's own limit: room for "\r\n" and the terminating NUL. */
	if (n > (size_t)num - 3)
		return PT_LINE_TOO_LONG;
	memcpy(out, in, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	return PT_LINE_OK;
}

/* fgets-like reader for inih that counts lines and refuses what inih would
 * silently mangle: lines longer than its buffer (it splits them into a
 * truncated value and a bogus later line), NUL bytes and invalid UTF-8.
 * A refused line is recorded as an error and handed to inih as blank. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	ssize_t len;
	size_t content;

	len = getline(&ctx->buf, &ctx->cap, ctx->f);
	if (len < 0 || num < 3)
		return NULL;
	ctx->line++;
	switch (pt_config_line(str, num, ctx->buf, (size_t)len, &content)) {
	case PT_LINE_OK:
		if (note_section_header(ctx, str) < 0)
			ctx->oom = true;
		break;
	case PT_LINE_NUL:
		add_error(ctx, ctx->line,
			  "the line contains a NUL byte; the file is not text: "
			  "rewrite it with a text editor");
		break;
	case PT_LINE_NOT_UTF8:
		add_error(ctx, ctx->line,
			  "the line is not valid UTF-8; rewrite it in plain "
			  "ASCII");
		break;
	case PT_LINE_TOO_LONG:
		add_error(ctx, ctx->line,
			  "the line is %zu characters long, more than the %d "
			  "the parser accepts; split a list over several lines "
			  "that each start with the key, or shorten the comment",
			  content, num - 3);
		break;
	}
	return str;
}

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

static int parse_driver(const char *v, enum pt_driver *out)
{
	const struct pt_stub_driver *d = pt_stub_driver_named(v);

	if (!d)
		return -EINVAL;
	*out = d->id;
	return 0;
}

static int parse_iommu(const char *v, enum pt_iommu *out)
{
	static const char *const names[] = { "auto", "intel", "amd", "off" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (enum pt_iommu)i;
			return 0;
		}
	}
	return -EINVAL;
}

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

enum key_scope { SCOPE_GLOBAL, SCOPE_DEVICE };

struct key_desc {
	const char *name;
	enum key_scope scope;
	bool multi;
	/* For selectors: the kind each token becomes. */
	int match_kind; /* -1: not a selector */
};

static const struct key_desc keys[] = {
	{ "iommu", SCOPE_GLOBAL, false, -1 },
	{ "iommu_pt", SCOPE_GLOBAL, false, -1 },
	{ "driver", SCOPE_GLOBAL, false, -1 },
	{ "unsafe_interrupts", SCOPE_GLOBAL, false, -1 },
	{ "disable_vga", SCOPE_GLOBAL, false, -1 },
	{ "disable_idle_d3", SCOPE_GLOBAL, false, -1 },
	{ "headless", SCOPE_GLOBAL, false, -1 },
	{ "address", SCOPE_DEVICE, true, PT_MATCH_ADDRESS },
	{ "ids", SCOPE_DEVICE, true, PT_MATCH_IDS },
	{ "class", SCOPE_DEVICE, true, PT_MATCH_CLASS },
	{ "group", SCOPE_DEVICE, true, PT_MATCH_GROUP },
	{ "usb", SCOPE_DEVICE, true, PT_MATCH_USB },
	{ "usb_bus", SCOPE_DEVICE, true, PT_MATCH_USB_BUS },
	{ "disk", SCOPE_DEVICE, true, PT_MATCH_DISK },
	{ "guard", SCOPE_DEVICE, true, -1 },
	{ "functions", SCOPE_DEVICE, false, -1 },
	{ "allow_boot_vga", SCOPE_DEVICE, false, -1 },
	{ "reset_method", SCOPE_DEVICE, true, -1 },
	{ "sriov_vfs", SCOPE_DEVICE, false, -1 },
	{ "vfs", SCOPE_DEVICE, true, -1 },
	{ "driver", SCOPE_DEVICE, false, -1 },
};

static const char *const key_hint[] = {
	[SCOPE_GLOBAL] = "iommu, iommu_pt, driver, unsafe_interrupts, disable_vga, "
			 "disable_idle_d3, headless",
	[SCOPE_DEVICE] = "address, ids, class, group, usb, usb_bus, disk, guard, "
			 "functions, allow_boot_vga, reset_method, sriov_vfs, vfs, driver",
};

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

const char *pt_match_key(enum pt_match_kind kind)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].match_kind == (int)kind)
			return keys[i].name;
	return "?";
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

/* Calls fn for each value of a list (blank- or comma-separated). */
static int for_each_value(const char *value, void (*fn)(void *data, const char *tok),
			  void *data)
{
	char *copy = strdup(value), *tok, *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, VALUE_SEPARATORS, &save); tok;
	     tok = strtok_r(NULL, VALUE_SEPARATORS, &save))
		fn(data, tok);
	free(copy);
	return 0;
}

/* One list key being read into a rule, for the per-value callbacks. */
struct list_target {
	struct parse_ctx *ctx;
	struct pt_rule *rule;
	const struct section_header *h;
	const char *key;
	enum pt_match_kind kind;
};

static void add_guard(void *data, const char *tok)
{
	struct list_target *t = data;

	if (pt_guard_parse(tok, &t->rule->guards[t->rule->n_guards]) == 0)
		t->rule->n_guards++;
	else
		add_error(t->ctx, t->ctx->line,
			  "[%s] guard: '%s' is not ADDRESS=VENDOR:DEVICE:CLASS, "
			  "as in 0000:01:00.0=8086:10d3:020000",
			  t->h->name, tok);
}

static void add_match(void *data, const char *tok)
{
	struct list_target *t = data;
	struct pt_match *slot = &t->rule->matches[t->rule->n_matches];
	const char *hint = "";

	memset(slot, 0, sizeof(*slot));
	if (parse_match_token(t->kind, tok, slot, &hint) == 0)
		t->rule->n_matches++;
	else
		add_error(t->ctx, t->ctx->line, "[%s] %s: '%s' %s", t->h->name, t->key,
			  tok, hint);
}

/* vfs = all, or the indices of the virtual functions to take. */
struct vf_target {
	struct list_target t;
	struct section_header *h; /* the same, to note where vfs errors point */
};

static void add_vf(void *data, const char *tok)
{
	struct vf_target *v = data;
	struct list_target *t = &v->t;
	unsigned long i;

	if (!v->h->vfs_line)
		v->h->vfs_line = t->ctx->line;
	if (!strcmp(tok, "all")) {
		t->rule->vfs_all = true;
	} else if (pt_parse_decimal(tok, PT_MAX_VFS - 1, &i) == 0) {
		if (i >= v->h->vfs_end) {
			v->h->vfs_end = (unsigned)i + 1;
			v->h->last_vf_line = t->ctx->line;
		}
		t->rule->vfs[i / 8] |= (uint8_t)(1u << (i % 8));
	} else {
		add_error(t->ctx, t->ctx->line, "[%s] vfs: '%s' is not valid; expected "
			  "all, or virtual function indices from 0 to %d", t->h->name,
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

/* The kernel's reset method names (drivers/pci/pci.c, pci_reset_fn_methods),
 * and "default", which gives the kernel back its own choice. */
static const char *const reset_methods[] = { "flr", "pm", "bus", "device_specific",
					     "acpi", "af_flr", "cxl_bus", "default" };

/* One reset_method key being read: each value checked, then kept. */
struct reset_target {
	struct list_target t;
	FILE *joined;
};

static void add_reset_method(void *data, const char *tok)
{
	struct reset_target *r = data;
	bool known = false;

	for (size_t i = 0; i < sizeof(reset_methods) / sizeof(reset_methods[0]); i++)
		known |= !strcmp(tok, reset_methods[i]);
	if (!known)
		add_error(r->t.ctx, r->t.ctx->line,
			  "[%s] reset_method: '%s' is not a reset method; expected flr, pm, "
			  "bus, device_specific, acpi, af_flr, cxl_bus or default",
			  r->t.h->name, tok);
	fprintf(r->joined, "%s%s", ftell(r->joined) ? " " : "", tok);
}

/* Kept as the kernel takes it, blank-separated; repeated lines add up. */
static int set_reset_method(struct parse_ctx *ctx, struct pt_rule *rule,
			    const struct section_header *h, const char *value)
{
	struct reset_target r = { { ctx, rule, h, "reset_method", PT_MATCH_KIND_COUNT }, NULL };
	char *joined = NULL;
	size_t len = 0;
	int err;

	if (!(r.joined = open_memstream(&joined, &len)))
		return -ENOMEM;
	if (rule->reset_method)
		fputs(rule->reset_method, r.joined);
	err = for_each_value(value, add_reset_method, &r);
	if (fclose(r.joined) != 0 || err < 0) {
		free(joined);
		return err < 0 ? err : -ENOMEM;
	}
	free(rule->reset_method);
	rule->reset_method = joined;
	return 0;
}

/* Room for every value first: the callbacks fill the next slots. */
static int add_guards(struct parse_ctx *ctx, struct pt_rule *rule,
		      const struct section_header *h, const char *value)
{
	struct list_target t = { ctx, rule, h, "guard", PT_MATCH_KIND_COUNT };
	struct pt_guard *g;

	g = realloc(rule->guards, (rule->n_guards + count_tokens(value)) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	rule->guards = g;
	return for_each_value(value, add_guard, &t);
}

static int add_matches(struct parse_ctx *ctx, struct pt_rule *rule,
		       const struct section_header *h, const char *key,
		       enum pt_match_kind kind, const char *value)
{
	struct list_target t = { ctx, rule, h, key, kind };
	struct pt_match *m;

	m = realloc(rule->matches, (rule->n_matches + count_tokens(value)) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	rule->matches = m;
	return for_each_value(value, add_match, &t);
}

static void set_value_error(struct parse_ctx *ctx, const struct section_header *h,
			    const char *key, const char *value,
			    const char *expected)
{
	add_error(ctx, ctx->line, "[%s] %s: '%s' is not valid; expected %s",
		  h->name, key, value, expected);
}

static void apply_single(struct parse_ctx *ctx, struct section_header *h,
			 const char *key, const char *value)
{
	struct pt_config *cfg = ctx->cfg;
	struct pt_rule *rule = h->is_global ? NULL : &cfg->rules[h->rule];
	enum pt_driver drv;
	bool b;

	if (strcmp(key, "driver") == 0) {
		if (parse_driver(value, &drv)) {
			set_value_error(ctx, h, key, value, "vfio-pci or pci-stub");
		} else if (rule) {
			rule->driver = drv;
		} else {
			cfg->driver = drv;
		}
	} else if (strcmp(key, "iommu") == 0) {
		if (parse_iommu(value, &cfg->iommu))
			set_value_error(ctx, h, key, value,
					"auto, intel, amd or off");
	} else if (strcmp(key, "functions") == 0) {
		if (strcmp(value, "all") == 0)
			rule->all_functions = true;
		else if (strcmp(value, "selected") == 0)
			rule->all_functions = false;
		else
			set_value_error(ctx, h, key, value,
					"all (every function of the slot) or "
					"selected");
	} else if (strcmp(key, "sriov_vfs") == 0) {
		unsigned long n;

		if (pt_parse_decimal(value, PT_MAX_VFS, &n) || n == 0)
			set_value_error(ctx, h, key, value, "a number of virtual functions "
					"from 1 to 256");
		else
			rule->sriov_vfs = (unsigned)n;
	} else if (parse_bool(value, &b)) {
		set_value_error(ctx, h, key, value, "yes or no");
	} else if (strcmp(key, "iommu_pt") == 0) {
		cfg->iommu_pt = b;
	} else if (strcmp(key, "unsafe_interrupts") == 0) {
		cfg->unsafe_interrupts = b;
	} else if (strcmp(key, "disable_vga") == 0) {
		cfg->disable_vga = b;
	} else if (strcmp(key, "disable_idle_d3") == 0) {
		cfg->disable_idle_d3 = b;
	} else if (strcmp(key, "headless") == 0) {
		cfg->headless = b;
	} else if (strcmp(key, "allow_boot_vga") == 0) {
		rule->allow_boot_vga = b;
	}
}

static bool valid_rule_name(const char *s)
{
	if (!*s || strlen(s) > PT_RULE_NAME_MAX)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return false;
	}
	return true;
}

static struct section_header *find_header(struct parse_ctx *ctx,
					  const char *name, size_t before)
{
	for (size_t i = 0; i < before; i++)
		if (strcmp(ctx->headers[i].name, name) == 0)
			return &ctx->headers[i];
	return NULL;
}

/* Decides what a section is, once, whether or not it has keys. */
static int open_section(struct parse_ctx *ctx, size_t index)
{
	struct section_header *h = &ctx->headers[index];
	struct section_header *first = find_header(ctx, h->name, index);
	struct pt_config *cfg = ctx->cfg;
	const char *name;
	struct pt_rule *r;

	h->opened = true;
	if (first) {
		add_error(ctx, h->line,
			  "[%s]: the section appears again (first at line %u); "
			  "merge the two, or give the rule another name",
			  h->name, first->line);
		return 0;
	}
	if (strcmp(h->name, "global") == 0) {
		h->is_global = true;
		h->valid = true;
		return 0;
	}
	if (strncmp(h->name, "device.", 7) != 0) {
		add_error(ctx, h->line,
			  "[%s]: unknown section; expected [global] or "
			  "[device.NAME]",
			  h->name);
		return 0;
	}
	name = h->name + 7;
	if (!valid_rule_name(name)) {
		add_error(ctx, h->line,
			  "[%s]: the rule name '%s' must be 1 to %d letters, "
			  "digits, '-', '_' or '.'",
			  h->name, name, PT_RULE_NAME_MAX);
		return 0;
	}
	r = realloc(cfg->rules, (cfg->n_rules + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	cfg->rules = r;
	r = &r[cfg->n_rules];
	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	if (!r->name)
		return -ENOMEM;
	r->line = h->line;
	h->rule = cfg->n_rules++;
	h->valid = true;
	return 0;
}

/* Edits (insert, delete, replace, swap two neighbours) from a to b,
 * capped: only small distances matter for a typo. */
static size_t edit_distance(const char *a, const char *b)
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

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t dist = keys[i].scope == scope ? edit_distance(name, keys[i].name) : 99;

		if (dist < best_d) {
			best_d = dist;
			best = keys[i].name;
		}
	}
	return best;
}

static const struct key_desc *find_key(enum key_scope scope, const char *name,
				       size_t *index)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].scope == scope && strcmp(keys[i].name, name) == 0) {
			*index = i;
			return &keys[i];
		}
	}
	return NULL;
}

/* The header a key belongs to: the last one the reader noted before it.
 * inih says which section it put the key in; when the two disagree, the
 * file does not mean the same thing to every reader, and nothing in it
 * may be trusted. */
static struct section_header *header_of_key(struct parse_ctx *ctx, size_t *index)
{
	for (size_t i = ctx->n_headers; i > 0; i--) {
		if (ctx->headers[i - 1].line > ctx->line)
			continue;
		*index = i - 1;
		return &ctx->headers[i - 1];
	}
	return NULL;
}

static bool same_section(const struct section_header *h, const char *section)
{
	/* inih cuts longer names; such a name is refused anyway. */
	return strlen(h->name) > PT_INI_SECTION_MAX ?
		       strncmp(h->name, section, PT_INI_SECTION_MAX) == 0 :
				      strcmp(h->name, section) == 0;
}

static int handle_key(void *user, const char *section, const char *key,
		      const char *value)
{
	struct parse_ctx *ctx = user;
	struct section_header *h;
	const struct key_desc *kd;
	size_t hi = 0, ki;

	h = header_of_key(ctx, &hi);
	if (!h && !*section) {
		add_error(ctx, ctx->line,
			  "%s: the key is outside any section; put it under "
			  "[global] or [device.NAME]",
			  key);
		return !ctx->oom;
	}
	if (!h || !same_section(h, section)) {
		add_error(ctx, ctx->line,
			  "%s: INI readers disagree on which section this key is "
			  "in ([%s] or [%s]); put each section header alone on its "
			  "line, with nothing but spaces before it",
			  key, h ? h->name : "", section);
		return !ctx->oom;
	}
	if (!h->opened && open_section(ctx, hi) < 0)
		ctx->oom = true;
	if (!h->valid)
		return !ctx->oom; /* the section's own error says it all */

	kd = find_key(h->is_global ? SCOPE_GLOBAL : SCOPE_DEVICE, key, &ki);
	if (!kd) {
		const char *near = nearest_key(h->is_global ? SCOPE_GLOBAL : SCOPE_DEVICE, key);

		h->unknown_key = true;
		add_error(ctx, ctx->line, "[%s] %s: unknown key; %s%s%sexpected one of %s",
			  h->name, key, near ? "did you mean " : "", near ? near : "",
			  near ? "? " : "", key_hint[h->is_global ? SCOPE_GLOBAL : SCOPE_DEVICE]);
	} else if ((h->seen_keys & (1u << ki)) && !kd->multi) {
		add_error(ctx, ctx->line,
			  "[%s] %s: the key is given twice in this section; "
			  "it takes one value",
			  h->name, key);
	} else if (count_tokens(value) == 0) {
		h->seen_keys |= 1u << ki;
		add_error(ctx, ctx->line, "[%s] %s: the value is empty", h->name,
			  key);
	} else if (!kd->multi && count_tokens(value) > 1) {
		h->seen_keys |= 1u << ki;
		add_error(ctx, ctx->line, "[%s] %s: takes one value, not '%s'",
			  h->name, key, value);
	} else {
		/* A list may go on over several lines, each starting with
		 * its key: values add up. */
		h->seen_keys |= 1u << ki;
		if (kd->match_kind >= 0) {
			if (add_matches(ctx, &ctx->cfg->rules[h->rule], h, key,
					(enum pt_match_kind)kd->match_kind,
					value) < 0)
				ctx->oom = true;
		} else if (!strcmp(key, "guard")) {
			if (add_guards(ctx, &ctx->cfg->rules[h->rule], h, value) < 0)
				ctx->oom = true;
		} else if (!strcmp(key, "reset_method")) {
			if (set_reset_method(ctx, &ctx->cfg->rules[h->rule], h, value) < 0)
				ctx->oom = true;
		} else if (!strcmp(key, "vfs")) {
			struct vf_target v = { { ctx, &ctx->cfg->rules[h->rule], h, key,
						 PT_MATCH_KIND_COUNT }, h };

			if (for_each_value(value, add_vf, &v) < 0)
				ctx->oom = true;
		} else {
			apply_single(ctx, h, key, value);
		}
	}
	return !ctx->oom;
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
		add_error(ctx, h->vfs_line, "[%s] vfs: selects virtual functions, but the "
			  "rule creates none; add sriov_vfs = N (how many the physical "
			  "function gets at boot)", h->name);
	else if (rule->sriov_vfs && last >= rule->sriov_vfs)
		add_error(ctx, h->last_vf_line, "[%s] vfs: %u is past the last virtual function "
			  "(sriov_vfs = %u makes 0 to %u)", h->name, last, rule->sriov_vfs,
			  rule->sriov_vfs - 1);
}

/* A rule whose selectors were all invalid already has errors saying so;
 * "selects nothing" is for rules that name no selector at all. */
static void check_rules(struct parse_ctx *ctx)
{
	uint32_t selector_keys = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].match_kind >= 0)
			selector_keys |= 1u << i;
	for (size_t i = 0; i < ctx->n_headers; i++) {
		const struct section_header *h = &ctx->headers[i];

		if (h->valid && !h->is_global && !(h->seen_keys & selector_keys) &&
		    !h->unknown_key)
			add_error(ctx, h->line,
				  "[%s]: the rule selects nothing; give at least "
				  "one of address, ids, class, group, usb, usb_bus "
				  "or disk",
				  h->name);
		if (h->valid && !h->is_global)
			check_vfs(ctx, h);
	}
}

static int compare_errors(const void *a, const void *b)
{
	const struct pt_config_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* stable enough: errors of one line are added in reading order */
	return x < y ? -1 : x > y;
}

int pt_config_parse_stream(FILE *f, const char *path, struct pt_config *cfg)
{
	struct parse_ctx ctx = { .f = f, .cfg = cfg };
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = strdup(path);
	if (!cfg->path)
		return -ENOMEM;
	cfg->iommu = PT_IOMMU_AUTO;
	cfg->iommu_pt = true;
	cfg->driver = PT_DRIVER_VFIO_PCI;

	/* Continuation lines would make one key's values depend on the
	 * indentation of the next line; values go on one line instead. */
	ini_allow_multiline = false;
	r = ini_parse_stream(read_line, &ctx, handle_key, &ctx);
	if (r > 0 && !ctx.oom)
		add_error(&ctx, (unsigned)r,
			  "syntax error: expected '[section]', 'key = value' "
			  "or a comment starting with ';' or '#'");
	for (size_t i = 0; i < ctx.n_headers && !ctx.oom; i++)
		if (!ctx.headers[i].opened && open_section(&ctx, i) < 0)
			ctx.oom = true;
	check_rules(&ctx);
	if (cfg->n_errors > 1)
		qsort(cfg->errors, cfg->n_errors, sizeof(*cfg->errors),
		      compare_errors);

	for (size_t i = 0; i < ctx.n_headers; i++)
		free(ctx.headers[i].name);
	free(ctx.headers);
	free(ctx.buf);
	return ctx.oom || r == -2 ? -ENOMEM : 0;
}

static int config_file_error(struct pt_config *cfg, const char *path,
			     const char *text)
{
	struct parse_ctx ctx = { .cfg = cfg };

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = strdup(path);
	if (!cfg->path)
		return -ENOMEM;
	cfg->driver = PT_DRIVER_VFIO_PCI;
	return add_error(&ctx, 0, "%s", text);
}

int pt_config_load(const char *path, struct pt_config *cfg)
{
	struct stat st;
	char text[256];
	FILE *f;
	int fd, r;

	/* Without O_NONBLOCK, opening a FIFO waits for a writer forever: the
	 * boot, update-grub and apply would hang on it. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;

		snprintf(text, sizeof(text), "cannot open the config: %s",
			 strerror(err));
		r = config_file_error(cfg, path, text);
		return r < 0 ? r : (err == ENOENT ? -ENOENT : 0);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return config_file_error(cfg, path,
					 "the config is not a regular file; "
					 "it must be a plain file");
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 ||
	    !(f = fdopen(fd, "r"))) {
		snprintf(text, sizeof(text), "cannot read the config: %s",
			 strerror(errno));
		close(fd);
		return config_file_error(cfg, path, text);
	}
	r = pt_config_parse_stream(f, path, cfg);
	if (r == 0 && ferror(f)) {
		struct parse_ctx ctx = { .cfg = cfg };

		snprintf(text, sizeof(text), "reading the config failed: %s",
			 strerror(errno));
		r = add_error(&ctx, 0, "%s", text);
	}
	fclose(f);
	return r;
}

void pt_config_free(struct pt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_rules; i++) {
		for (size_t k = 0; k < cfg->rules[i].n_matches; k++) {
			struct pt_match *m = &cfg->rules[i].matches[k];

			if (m->kind == PT_MATCH_DISK)
				free(m->u.path);
		}
		free(cfg->rules[i].name);
		free(cfg->rules[i].matches);
		free(cfg->rules[i].guards);
		free(cfg->rules[i].reset_method);
	}
	for (size_t i = 0; i < cfg->n_errors; i++)
		free(cfg->errors[i].text);
	free(cfg->rules);
	free(cfg->errors);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

enum pt_driver pt_rule_driver(const struct pt_config *cfg,
			      const struct pt_rule *rule)
{
	return rule->driver == PT_DRIVER_DEFAULT ? cfg->driver : rule->driver;
}

const char *pt_iommu_name(enum pt_iommu m)
{
	static const char *const names[] = { "auto", "intel", "amd", "off" };

	return names[m];
}
