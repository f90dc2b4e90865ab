#include "pciid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A table (each digit's value plus one; 0: not a digit): a scan parses a
 * dozen hex numbers for each of thousands of functions. */
static const unsigned char hex_digit[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hex_value(char c)
{
	return (int)hex_digit[(unsigned char)c] - 1;
}

/* Reads between min and max hex digits from *p; advances *p. */
static int take_hex(const char **p, int min, int max, uint32_t *out)
{
	uint32_t v = 0;
	int n = 0;

	while (n < max && hex_value((*p)[n]) >= 0) {
		v = v * 16 + (uint32_t)hex_value((*p)[n]);
		n++;
	}
	if (n < min || hex_value((*p)[n]) >= 0)
		return -EINVAL;
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

int pt_pci_addr_parse(const char *s, struct pt_pci_addr *out)
{
	const char *colon, *p = s;
	uint32_t domain = 0, bus, slot, fn;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) {
		if (take_hex(&p, 1, 8, &domain) || expect(&p, ':'))
			return -EINVAL;
	}
	if (take_hex(&p, 2, 2, &bus) || expect(&p, ':') ||
	    take_hex(&p, 2, 2, &slot) || expect(&p, '.') ||
	    take_hex(&p, 1, 1, &fn) || *p != '\0')
		return -EINVAL;
	if (slot > 0x1f || fn > 7)
		return -ERANGE;
	out->domain = domain;
	out->bus = (uint8_t)bus;
	out->slot = (uint8_t)slot;
	out->function = (uint8_t)fn;
	return 0;
}

/* Lower-case hex digits at s[0..n): their value, or -1. */
static long lower_hex(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
		v = v * 16 + hex_value(s[i]);
	}
	return v;
}

int pt_pci_addr_parse_canonical(const char *s, struct pt_pci_addr *out)
{
	char canon[PT_PCI_ADDR_STRLEN];
	struct pt_pci_addr a;
	long domain, bus, slot, fn;

	if (!s)
		return -EINVAL;
	/* The usual spelling, "0000:01:00.0", read in place: a scan meets
	 * thousands. Anything else is parsed and must print back the same. */
	if (strlen(s) == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.' &&
	    (domain = lower_hex(s, 4)) >= 0 && (bus = lower_hex(s + 5, 2)) >= 0 &&
	    (slot = lower_hex(s + 8, 2)) >= 0 && (fn = lower_hex(s + 11, 1)) >= 0) {
		if (slot > 0x1f || fn > 7)
			return -EINVAL;
		*out = (struct pt_pci_addr){ (uint32_t)domain, (uint8_t)bus, (uint8_t)slot, (uint8_t)fn };
		return 0;
	}
	if (!strchr(s, ':') || strchr(s, ':') == strrchr(s, ':'))
		return -EINVAL;
	if (pt_pci_addr_parse(s, &a))
		return -EINVAL;
	pt_pci_addr_format(&a, canon);
	if (strcmp(canon, s) != 0)
		return -EINVAL;
	*out = a;
	return 0;
}

/* By hand rather than snprintf: a scan formats every address it meets. */
void pt_pci_addr_format(const struct pt_pci_addr *a, char out[PT_PCI_ADDR_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	int digits = 4;

	while (digits < 8 && (a->domain >> (4 * digits)))
		digits++;
	while (digits-- > 0)
		*p++ = hex[(a->domain >> (4 * digits)) & 0xf];
	*p++ = ':';
	*p++ = hex[a->bus >> 4];
	*p++ = hex[a->bus & 0xf];
	*p++ = ':';
	*p++ = hex[a->slot >> 4];
	*p++ = hex[a->slot & 0xf];
	*p++ = '.';
	*p++ = hex[a->function & 7];
	*p = '\0';
}

uint64_t pt_pci_addr_key(const struct pt_pci_addr *a)
{
	return ((uint64_t)a->domain << 16) | (uint64_t)a->bus << 8 | (uint64_t)(a->slot & 0x1f) << 3 |
	       (a->function & 7);
}

struct pt_pci_addr pt_pci_addr_from_key(uint64_t key)
{
	return (struct pt_pci_addr){ .domain = (uint32_t)(key >> 16), .bus = (uint8_t)(key >> 8),
				     .slot = (uint8_t)((key >> 3) & 0x1f), .function = (uint8_t)(key & 7) };
}

int pt_pci_addr_compare(const struct pt_pci_addr *a, const struct pt_pci_addr *b)
{
	uint64_t ka = pt_pci_addr_key(a), kb = pt_pci_addr_key(b);

	return (ka > kb) - (ka < kb);
}

bool pt_pci_addr_same_slot(const struct pt_pci_addr *a, const struct pt_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

int pt_pci_id_parse(const char *s, struct pt_pci_id *out)
{
	const char *p = s;
	uint32_t v, d, sv = 0, sd = 0;
	bool sub = false;

	if (!s || take_hex(&p, 4, 4, &v) || expect(&p, ':') ||
	    take_hex(&p, 4, 4, &d))
		return -EINVAL;
	if (*p == ':') {
		p++;
		if (take_hex(&p, 4, 4, &sv) || expect(&p, ':') ||
		    take_hex(&p, 4, 4, &sd))
			return -EINVAL;
		sub = true;
	}
	if (*p != '\0')
		return -EINVAL;
	out->vendor = (uint16_t)v;
	out->device = (uint16_t)d;
	out->has_subsystem = sub;
	out->subvendor = (uint16_t)sv;
	out->subdevice = (uint16_t)sd;
	return 0;
}

int pt_pci_class_parse(const char *s, struct pt_pci_class *out)
{
	const char *p = s;
	uint32_t v;
	size_t digits;

	if (!s)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	digits = strlen(p);
	if ((digits != 2 && digits != 4 && digits != 6) ||
	    take_hex(&p, (int)digits, (int)digits, &v) || *p)
		return -EINVAL;
	out->value = v << (4 * (6 - digits));
	out->mask = 0xffffffu << (4 * (6 - digits)) & 0xffffffu;
	return 0;
}

int pt_parse_decimal(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (!s || !*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*out = v;
	return 0;
}

int pt_parse_sysfs_hex(const char *s, unsigned long max, unsigned long *out)
{
	const char *p = s;
	uint32_t v;

	if (!s || p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
		return -EINVAL;
	p += 2;
	if (take_hex(&p, 1, 8, &v))
		return -EINVAL;
	if (*p == '\n')
		p++;
	if (*p || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "20000" (PCI_CLASS): 1 to 6 hex digits, nothing else. */
static int parse_uevent_class(const char *s, uint32_t *out)
{
	const char *p = s;

	return take_hex(&p, 1, 6, out) || *p ? -EINVAL : 0;
}

/* "8086:10D3" (PCI_ID, PCI_SUBSYS_ID): exactly pt_pci_id_parse's pair. */
static int parse_uevent_ids(const char *s, uint16_t *first, uint16_t *second)
{
	struct pt_pci_id id;

	if (pt_pci_id_parse(s, &id) || id.has_subsystem)
		return -EINVAL;
	*first = id.vendor;
	*second = id.device;
	return 0;
}

int pt_parse_pci_uevent(char *text, struct pt_pci_uevent *out)
{
	bool have_class = false, have_id = false, have_subsys = false;
	char *line = text;

	*out = (struct pt_pci_uevent){ 0 };
	while (line && *line) {
		char *end = strchr(line, '\n'), *value = strchr(line, '=');

		if (end)
			*end++ = '\0';
		if (value && (!end || value < end)) {
			size_t key = (size_t)(value++ - line);
			int r = 0;

#define KEY_IS(k) (key == sizeof(k) - 1 && !memcmp(line, k, key))
			if (KEY_IS("DRIVER")) {
				out->driver = value;
			} else if (KEY_IS("PCI_CLASS")) {
				r = parse_uevent_class(value, &out->class);
				have_class = r == 0;
			} else if (KEY_IS("PCI_ID")) {
				r = parse_uevent_ids(value, &out->vendor, &out->device);
				have_id = r == 0;
			} else if (KEY_IS("PCI_SUBSYS_ID")) {
				r = parse_uevent_ids(value, &out->subvendor, &out->subdevice);
				have_subsys = r == 0;
			}
#undef KEY_IS
			if (r)
				return -EINVAL;
		}
		line = end;
	}
	return have_class && have_id && have_subsys ? 0 : -EINVAL;
}
