/* What `passthrough generate` writes, as text: the modprobe.d file and
 * the config that goes into the initramfs. Pure renderers; the host tool
 * decides where they go and writes them atomically. */
#ifndef PT_GENERATE_H
#define PT_GENERATE_H

#include "config.h"
#include "device.h"
#include "distro.h"
#include "tokens.h"
#include "machine.h"
#include "select.h"

/* The first words of every file generate writes: apply overwrites or
 * removes a file only when it starts with them. */
#define PT_GENERATED_HEADER "# Written by `passthrough generate`"

/* modprobe.d: the config's module options, and a softdep that loads
 * vfio_pci before each selected device's host driver module. */
char *pt_render_modprobe_conf(const struct pt_config *cfg,
			      const struct pt_tokens *host_modules, bool vendor_reset);

/* The config for early boot, as a config: rules with usb, usb_bus or disk
 * selectors become the addresses they select now, with those devices' IDs;
 * the other rules keep their selectors and get a guard for each address
 * and the members of each group they name, as found now. Rules that select
 * nothing through usb, usb_bus or disk are left out (named in left_out).
 * 0 or -ENOMEM; out and left_out are the caller's to free either way. */
int pt_boot_config(const struct pt_config *cfg, const struct pt_devices *devs,
		   const struct pt_resolver *resolver, struct pt_config *out,
		   struct pt_tokens *left_out);
/* pt_boot_config, rendered by the config's own renderer after the
 * "generated" header. */
char *pt_render_initramfs_conf(const struct pt_config *cfg, const struct pt_devices *devs,
			       const struct pt_resolver *resolver);

/* The initramfs config records a digest of the admin's file it was made
 * from, after `check` passed: the initramfs hooks take only that file, and
 * `passthrough initramfs-config` warns when the admin's file changed
 * since. A change detector, not a seal: both files are root's. */
uint64_t pt_config_digest(const char *text);
/* The rendered initramfs config with the digest line; NULL without memory. */
char *pt_stamp_initramfs_conf(const char *rendered, const char *admin_text);
/* The digest an initramfs config records; -ENOENT when it has none. */
int pt_initramfs_conf_digest(const char *text, uint64_t *out);

/* The kernel argument that turns the IOMMU on for this CPU, or NULL. */
const char *pt_iommu_argument(enum pt_iommu setting, enum pt_cpu_vendor cpu);

/* The kernel arguments the config implies, in the underscore spelling that
 * both kmod and busybox modprobe accept. */
int pt_kernel_arguments(const struct pt_config *cfg, enum pt_cpu_vendor cpu,
			struct pt_tokens *out);

/* For Alpine's own path (modules=vfio-pci on the command line, with
 * vfio_pci.ids=): the IDs of the rules that select by IDs alone, as
 * "vfio_pci.ids=...", or "" when there are none (malloc'd; NULL without
 * memory). */
char *pt_ids_only_argument(const struct pt_config *cfg);

#endif
