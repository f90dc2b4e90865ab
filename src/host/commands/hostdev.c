/* hostdev: what to give the VM for the selected devices. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether another shown device is a function of the same slot: the
 * functions of one card go to one guest slot (guides and some guest
 * drivers want the GPU and its audio together, function 0 multifunction). */
static bool slot_shared(const struct host *h, long only, size_t at)
{
	const struct pt_device *dev = &h->m.devs.v[h->plan.v[at].device];

	for (size_t k = 0; k < h->plan.n; k++) {
		const struct pt_decision *o = &h->plan.v[k];

		if (k != at && o->verdict == PT_BIND && (only < 0 || o->rule == (size_t)only) &&
		    pt_pci_addr_same_slot(&h->m.devs.v[o->device].addr, &dev->addr))
			return true;
	}
	return false;
}

static int cmd_hostdev(struct host *h, int argc, char **argv)
{
	const char *fmt = h->o.format ? h->o.format : "libvirt";
	long only = -1, guest_bus = -1;
	size_t shown = 0;
	bool told = false;
	char *end;

	if (argc > 1) {
		pt_host_error(h, "hostdev takes one rule, or none for all; "
			      "run it once per rule");
		return EXIT_USAGE;
	}
	if (strcmp(fmt, "libvirt") && strcmp(fmt, "virt-install") && strcmp(fmt, "qemu")) {
		pt_host_error(h, "hostdev: --format takes libvirt, virt-install or qemu, "
			      "not '%s'", fmt);
		return EXIT_USAGE;
	}
	if (h->o.guest_bus) {
		guest_bus = strtol(h->o.guest_bus, &end, 0);
		if (*end || end == h->o.guest_bus || guest_bus < 1 || guest_bus > 255) {
			pt_host_error(h, "hostdev: --guest-bus takes a bus number of the guest "
				      "from 1 to 255 (a free one: virsh dumpxml VM), not '%s'",
				      h->o.guest_bus);
			return EXIT_USAGE;
		}
	}
	if (pt_host_load(h, CONFIG_REQUIRED) < 0)
		return EXIT_PROBLEMS;
	if (argc == 1) {
		for (size_t r = 0; r < h->cfg.n_rules; r++)
			if (!strcmp(h->cfg.rules[r].name, argv[0]))
				only = (long)r;
		if (only < 0) {
			pt_host_error(h, "no rule [device.%s] in %s", argv[0],
				h->cfg.path);
			return EXIT_PROBLEMS;
		}
	}
	for (size_t i = 0; i < h->plan.n; i++) {
		const struct pt_decision *d = &h->plan.v[i];
		const struct pt_device *dev = &h->m.devs.v[d->device];
		const struct pt_pci_addr *a = &dev->addr;

		if (d->verdict != PT_BIND || (only >= 0 && d->rule != (size_t)only))
			continue;
		shown++;
		/* managed='no' hands over what the host holds now: a device
		 * still on its host driver would fail the VM's start */
		if (strcmp(dev->driver, pt_driver_name(d->driver)))
			pt_host_error(h, "warning: %s is on %s, not %s: the VM cannot start with "
				      "it until it is (reboot after `passthrough apply`, or "
				      "`passthrough bind %s` now)", dev->bdf,
				      dev->driver[0] ? dev->driver : "no driver",
				      pt_driver_name(d->driver), dev->bdf);
		bool together = slot_shared(h, only, i) && guest_bus > 0;

		if (slot_shared(h, only, i) && guest_bus < 0 && !told && strcmp(fmt, "qemu")) {
			pt_host_error(h, "note: %.*s holds several functions of one card: with "
				      "--guest-bus N (a free bus of the guest) they go to one guest "
				      "slot, function 0 multifunction", (int)strlen(dev->bdf) - 2,
				      dev->bdf);
			told = true;
		}
		if (!strcmp(fmt, "libvirt")) {
			/* managed='no': the binder already holds the device;
			 * libvirt must not hand it back to the host driver. */
			printf("<hostdev mode='subsystem' type='pci' managed='no'>\n"
			       "  <source>\n"
			       "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
			       "function='0x%x'/>\n"
			       "  </source>\n",
			       (unsigned)a->domain, a->bus, a->slot, a->function);
			if (together)
				printf("  <address type='pci' domain='0x0000' bus='0x%02lx' slot='0x00' "
				       "function='0x%x'%s/>\n", guest_bus, a->function,
				       a->function == 0 ? " multifunction='on'" : "");
			printf("</hostdev>\n");
		} else if (!strcmp(fmt, "virt-install")) {
			printf("--hostdev pci_%04x_%02x_%02x_%x", (unsigned)a->domain, a->bus,
			       a->slot, a->function);
			if (together)
				printf(",address.type=pci,address.domain=0,address.bus=%ld,"
				       "address.slot=0,address.function=%u%s", guest_bus, a->function,
				       a->function == 0 ? ",address.multifunction=on" : "");
			printf("\n");
		} else {
			printf("-device vfio-pci,host=%s\n", dev->bdf);
		}
	}
	if (!shown) {
		pt_host_error(h, "no device is selected%s%s",
			only >= 0 ? " by rule " : "", only >= 0 ? argv[0] : "");
		return EXIT_PROBLEMS;
	}
	return EXIT_OK;
}


static const char *const hostdev_options[] = { "format", "guest-bus", NULL };

const struct pt_command pt_command_hostdev = {
	.name = "hostdev",
	.run = cmd_hostdev,
	.json = false,
	.options = hostdev_options,
	.synopsis = "hostdev [RULE] [--format libvirt|virt-install|qemu] [--guest-bus N]",
	.description = "What to give the VM for the selected devices (one rule, or all).",
};
