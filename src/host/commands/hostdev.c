/* hostdev: what to give the VM for the selected devices. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_hostdev(struct host *h, int argc, char **argv)
{
	const char *fmt = h->o.format ? h->o.format : "libvirt";
	long only = -1;
	size_t shown = 0;

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
		if (!strcmp(fmt, "libvirt"))
			/* managed='no': the binder already holds the device;
			 * libvirt must not hand it back to the host driver. */
			printf("<hostdev mode='subsystem' type='pci' managed='no'>\n"
			       "  <source>\n"
			       "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
			       "function='0x%x'/>\n"
			       "  </source>\n"
			       "</hostdev>\n",
			       (unsigned)a->domain, a->bus, a->slot, a->function);
		else if (!strcmp(fmt, "virt-install"))
			printf("--hostdev pci_%04x_%02x_%02x_%x\n", (unsigned)a->domain, a->bus,
			       a->slot, a->function);
		else
			printf("-device vfio-pci,host=%s\n", dev->bdf);
	}
	if (!shown) {
		pt_host_error(h, "no device is selected%s%s",
			only >= 0 ? " by rule " : "", only >= 0 ? argv[0] : "");
		return EXIT_PROBLEMS;
	}
	return EXIT_OK;
}


static const char *const hostdev_options[] = { "format", NULL };

const struct pt_command pt_command_hostdev = {
	.name = "hostdev",
	.run = cmd_hostdev,
	.json = false,
	.options = hostdev_options,
	.synopsis = "hostdev [RULE] [--format libvirt|virt-install|qemu]",
	.description = "What to give the VM for the selected devices (one rule, or all).",
};
