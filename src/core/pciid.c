#include "pciid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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

int pt_pci_addr_parse_canonical(const char *s, struct pt_pci_addr *out)
{
	char canon[PT_PCI_ADDR_STRLEN];
	struct pt_pci_addr a;

	if (!s || !strchr(s, ':') || strchr(s, ':') == strrchr(s, ':'))
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

int pt_pci_addr_compare(const struct pt_pci_addr *a, const struct pt_pci_addr *b)
{
	uint64_t ka = ((uint64_t)a->domain << 16) | (uint64_t)a->bus << 8 |
		      (uint64_t)a->slot << 3 | a->function;
	uint64_t kb = ((uint64_t)b->domain << 16) | (uint64_t)b->bus << 8 |
		      (uint64_t)b->slot << 3 | b->function;

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
