#include "filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pt_pci_filter_init(struct pt_pci_filter *f)
{
	*f = (struct pt_pci_filter){ -1, -1, -1, -1, -1, -1, -1 };
}

/* One part: "" or "*" is any; else hex, at most `max`. */
static int part(const char *s, size_t len, long max, long *out)
{
	char buf[16], *end;
	long v;

	if (len == 0 || (len == 1 && s[0] == '*')) {
		*out = -1;
		return 0;
	}
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtol(buf, &end, 16);
	if (*end || buf[0] == '-' || buf[0] == '+' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int pt_pci_filter_slot(struct pt_pci_filter *f, const char *spec)
{
	const char *dot = strchr(spec, '.'), *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *slot = spec;

	if (c2 && strchr(c2 + 1, ':'))
		return -EINVAL;
	if (c2) { /* DOMAIN:BUS:SLOT */
		if (part(spec, (size_t)(c1 - spec), 0x7fffffff, &f->domain) ||
		    part(c1 + 1, (size_t)(c2 - c1 - 1), 0xff, &f->bus))
			return -EINVAL;
		slot = c2 + 1;
	} else if (c1) { /* BUS:SLOT */
		if (part(spec, (size_t)(c1 - spec), 0xff, &f->bus))
			return -EINVAL;
		slot = c1 + 1;
	}
	if (dot && dot < slot)
		return -EINVAL;
	if (part(slot, dot ? (size_t)(dot - slot) : strlen(slot), 0x1f, &f->slot))
		return -EINVAL;
	return dot ? part(dot + 1, strlen(dot + 1), 7, &f->func) : 0;
}

int pt_pci_filter_id(struct pt_pci_filter *f, const char *spec)
{
	const char *c1 = strchr(spec, ':'), *c2;

	if (!c1)
		return -EINVAL;
	c2 = strchr(c1 + 1, ':');
	if (part(spec, (size_t)(c1 - spec), 0xffff, &f->vendor) ||
	    part(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1), 0xffff, &f->device))
		return -EINVAL;
	return c2 ? part(c2 + 1, strlen(c2 + 1), 0xffff, &f->class_) : 0;
}

static bool is(long want, unsigned long have)
{
	return want < 0 || (unsigned long)want == have;
}

bool pt_pci_filter_matches(const struct pt_pci_filter *f, const struct pt_device *d)
{
	return is(f->domain, d->addr.domain) && is(f->bus, d->addr.bus) &&
	       is(f->slot, d->addr.slot) && is(f->func, d->addr.function) &&
	       is(f->vendor, d->vendor) && is(f->device, d->device) &&
	       is(f->class_, d->class >> 8);
}
