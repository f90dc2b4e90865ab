/* libFuzzer, differential: our config reader against inih's own reading
 * of the same bytes. Whenever the config parses without an error, every
 * section, key and value inih reports must be in the model exactly once,
 * in the same order, and nothing else may be there: a header that one
 * reader sees and the other does not (a form feed before "[global]"), a
 * line cut in two, a value read differently, all end here. Also: every
 * line handed to inih fits a heap buffer of exactly inih's size, where
 * AddressSanitizer sees an overflow (inih's own buffer is on the stack of
 * uninstrumented code: an overflow there was invisible to the fuzzers). */
#include "config.h"

#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const struct pt_config *cfg;
	size_t next_match[64], next_guard[64];
};

static const struct pt_rule *rule_named(const struct pt_config *cfg, const char *section,
					size_t *index)
{
	if (strncmp(section, "device.", 7) != 0)
		return NULL;
	for (size_t i = 0; i < cfg->n_rules && i < 64; i++)
		if (!strcmp(cfg->rules[i].name, section + 7)) {
			*index = i;
			return &cfg->rules[i];
		}
	return NULL;
}

static enum pt_match_kind kind_of(const char *key)
{
	static const char *const names[] = { "address", "ids", "class", "group",
					     "usb", "usb_bus", "disk" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(key, names[i]))
			return (enum pt_match_kind)i;
	return PT_MATCH_KIND_COUNT;
}

static bool same_match(const struct pt_match *m, enum pt_match_kind kind, const char *tok)
{
	struct pt_pci_addr a;
	struct pt_pci_id id;
	struct pt_pci_class c;
	unsigned long n;

	if (m->kind != kind)
		return false;
	switch (kind) {
	case PT_MATCH_ADDRESS:
		return pt_pci_addr_parse(tok, &a) == 0 && pt_pci_addr_compare(&a, &m->u.addr) == 0;
	case PT_MATCH_IDS:
	case PT_MATCH_USB:
		return pt_pci_id_parse(tok, &id) == 0 && id.vendor == m->u.id.vendor &&
		       id.device == m->u.id.device &&
		       id.has_subsystem == m->u.id.has_subsystem &&
		       (!id.has_subsystem || (id.subvendor == m->u.id.subvendor &&
					      id.subdevice == m->u.id.subdevice));
	case PT_MATCH_CLASS:
		return pt_pci_class_parse(tok, &c) == 0 && c.value == m->u.cls.value &&
		       c.mask == m->u.cls.mask;
	case PT_MATCH_GROUP:
	case PT_MATCH_USB_BUS:
		return pt_parse_decimal(tok, UINT32_MAX, &n) == 0 && n == m->u.number;
	case PT_MATCH_DISK:
		return !strcmp(tok, m->u.path);
	case PT_MATCH_KIND_COUNT:
		break;
	}
	return false;
}

static int check_pair(void *user, const char *section, const char *key, const char *value)
{
	struct cursor *c = user;
	const struct pt_rule *rule;
	enum pt_match_kind kind = kind_of(key);
	char *copy, *tok, *save = NULL;
	size_t r;

	if (!strcmp(section, "global"))
		return 1; /* single values: checked by the unit tests' catalogue */
	if (!(rule = rule_named(c->cfg, section, &r)))
		abort(); /* inih saw a rule the model lacks */
	if (kind == PT_MATCH_KIND_COUNT && strcmp(key, "guard"))
		return 1;
	copy = strdup(value);
	if (!copy)
		return 0;
	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (kind == PT_MATCH_KIND_COUNT) {
			struct pt_guard g;

			const struct pt_guard *want;

			if (c->next_guard[r] >= rule->n_guards || pt_guard_parse(tok, &g))
				abort();
			want = &rule->guards[c->next_guard[r]++];
			if (pt_pci_addr_compare(&g.addr, &want->addr) || g.vendor != want->vendor ||
			    g.device != want->device || g.class != want->class)
				abort();
		} else if (c->next_match[r] >= rule->n_matches ||
			   !same_match(&rule->matches[c->next_match[r]++], kind, tok)) {
			abort(); /* a value read differently */
		}
	}
	free(copy);
	return 1;
}

static void lines_fit_the_buffer(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		char *out = malloc(200);
		size_t content;

		if (!out)
			return;
		pt_config_line(out, 200, p, len, &content);
		free(out);
		p += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { 0 };
	struct pt_config cfg;
	char *text;
	FILE *f;

	lines_fit_the_buffer(data, size);
	if (!(f = fmemopen((void *)data, size, "r")))
		return 0;
	ini_allow_multiline = false;
	if (pt_config_parse_stream(f, "fuzz.conf", &cfg) == 0 && cfg.n_errors == 0 &&
	    !memchr(data, '\0', size) && (text = strndup((const char *)data, size))) {
		c.cfg = &cfg;
		if (ini_parse_string(text, check_pair, &c) != 0)
			abort(); /* inih found an error the model did not */
		for (size_t r = 0; r < cfg.n_rules && r < 64; r++)
			if (c.next_match[r] != cfg.rules[r].n_matches ||
			    c.next_guard[r] != cfg.rules[r].n_guards)
				abort(); /* the model holds values inih did not see */
		free(text);
	}
	pt_config_free(&cfg);
	fclose(f);
	return 0;
}
