/* The config's host-only selectors (usb, usb_bus, disk) resolved on this
 * machine: the PCI controllers each one sits behind. */
#include "machine.h"
#include "fileio.h"
#include "modules.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int add_controller(struct pt_resolved_selector *sel, const struct pt_pci_addr *a)
{
	struct pt_pci_addr *v;

	for (size_t i = 0; i < sel->n; i++)
		if (pt_pci_addr_compare(&sel->controllers[i], a) == 0)
			return 0;
	v = realloc(sel->controllers, (sel->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	sel->controllers = v;
	v[sel->n++] = *a;
	return 0;
}

static int resolve_one(const struct pt_match *match, const struct pt_machine *m,
		       const struct pt_machine_paths *p, struct pt_resolved_selector *sel)
{
	const struct pt_disk *disk;
	const struct pt_part *part;
	int err = 0;

	sel->match = match;
	for (size_t b = 0; b < m->n_usb && !err; b++) {
		const struct pt_usb_bus *bus = &m->usb[b];

		if (match->kind == PT_MATCH_USB_BUS && bus->busnum == match->u.number)
			err = add_controller(sel, &bus->controller);
		for (size_t d = 0; match->kind == PT_MATCH_USB && d < bus->n && !err; d++)
			if (bus->devs[d].vendor == match->u.id.vendor &&
			    bus->devs[d].product == match->u.id.device)
				err = add_controller(sel, &bus->controller);
	}
	if (!err && match->kind == PT_MATCH_DISK &&
	    (disk = pt_disk_by_path(&m->disks, p->root, match->u.path, true, &part)) &&
	    disk->has_controller)
		err = add_controller(sel, &disk->controller);
	return err;
}

int pt_resolve_host_selectors(const struct pt_config *cfg, const struct pt_machine *m,
			      const struct pt_machine_paths *p, struct pt_selectors *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t r = 0; r < cfg->n_rules; r++) {
		for (size_t k = 0; k < cfg->rules[r].n_matches; k++) {
			const struct pt_match *match = &cfg->rules[r].matches[k];
			struct pt_resolved_selector *v;

			if (!pt_match_is_host_only(match->kind))
				continue;
			v = realloc(out->v, (out->n + 1) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			out->v = v;
			memset(&v[out->n], 0, sizeof(*v));
			if (resolve_one(match, m, p, &v[out->n++]) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static bool selector_selects(const void *data, const struct pt_match *match,
			     const struct pt_device *dev)
{
	const struct pt_selectors *s = data;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].match != match)
			continue;
		for (size_t k = 0; k < s->v[i].n; k++)
			if (pt_pci_addr_compare(&s->v[i].controllers[k], &dev->addr) == 0)
				return true;
	}
	return false;
}

struct pt_resolver pt_selectors_resolver(const struct pt_selectors *s)
{
	return (struct pt_resolver){ selector_selects, s };
}

void pt_selectors_free(struct pt_selectors *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].controllers);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
