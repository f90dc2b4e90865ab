#include "doctor.h"
#include "check.h"
#include "drivers.h"
#include "findings.h"
#include "quirks.h"
#include "verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The error's text names this cause: one of the phrases QEMU, libvirt or
 * the kernel print for it (their sources named in tests/cli/test-doctor.sh). */
static bool error_says(const struct pt_doctor_facts *f, const char *const *phrases)
{
	for (; f->error && *phrases; phrases++)
		if (strstr(f->error, *phrases))
			return true;
	return false;
}

/* The first kernel log line holding both texts ("" matches any). */
static const char *kmsg_with(const struct pt_doctor_facts *f, const char *a, const char *b)
{
	for (size_t i = 0; i < f->n_kmsg; i++)
		if (strstr(f->kmsg[i], a) && strstr(f->kmsg[i], b))
			return f->kmsg[i];
	return NULL;
}

static struct pt_problem *add(struct pt_problems *out, const char *code, const char *device,
			      bool from_error)
{
	struct pt_problem *v = realloc(out->v, (out->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	out->v = v;
	v = &out->v[out->n++];
	memset(v, 0, sizeof(*v));
	v->code = code;
	v->from_error = from_error;
	snprintf(v->device, sizeof(v->device), "%s", device ? device : "");
	return v;
}

#define SAY(field, ...) snprintf(p->field, sizeof(p->field), __VA_ARGS__)

static int not_on_vfio(const struct pt_doctor_facts *f, const struct pt_doctor_device *d,
		       struct pt_problems *out)
{
	static const char *const says[] = { "no such host device", "failed to get group",
					    "No such file or directory", NULL };
	const struct pt_device *dev = &f->m->devs.v[d->device];
	const char *line = kmsg_with(f, "passthrough: ", dev->bdf);
	struct pt_problem *p;

	if (!strcmp(dev->driver, d->want))
		return 0;
	/* its own line, else the binder's word that it bound nothing */
	if (!line)
		line = kmsg_with(f, "passthrough: ", "passthrough=off");
	if (line)
		line = strstr(line, "passthrough: ") + strlen("passthrough: ");
	if (!(p = add(out, "not-on-vfio", dev->bdf, error_says(f, says))))
		return -ENOMEM;
	SAY(cause, "%s is on %s, not %s", dev->bdf, dev->driver[0] ? dev->driver : "no driver",
	    d->want);
	SAY(evidence, "%s%s%s%s", line ? "the binder logged: " : "the binder logged nothing about it",
	    line ? line : "", !d->selected ? "; the applied config does not select it" : "",
	    f->setup->state == PT_STATE_ARGS_MISSING ? "; this boot lacks apply's arguments" :
	    f->setup->state == PT_STATE_BINDER_SILENT ? "; the binder did not run this boot" : "");
	if (!d->selected)
		SAY(fix, "add it to the config (`passthrough add %s`), run `passthrough apply` "
		    "and reboot, or bind it now with `passthrough bind %s`", dev->bdf, dev->bdf);
	else if (f->setup->next[0] && f->setup->state != PT_STATE_APPLIED_BOOTED)
		SAY(fix, "%s", f->setup->next);
	else
		SAY(fix, "see why in the binder's line above; `passthrough bind %s` binds it now "
		    "with the same checks", dev->bdf);
	return 0;
}

static int group_not_viable(const struct pt_doctor_facts *f, const struct pt_doctor_device *d,
			    struct pt_problems *out)
{
	static const char *const says[] = { "is not viable", NULL };
	const struct pt_device *dev = &f->m->devs.v[d->device];
	char others[384] = "", role[160], who[288];
	struct pt_pass_verdict v;
	struct pt_problem *p;

	if (dev->iommu_group < 0)
		return 0;
	size_t n;
	const size_t *members = pt_machine_group(f->m, dev->iommu_group, &n);

	for (size_t at = 0; at < n; at++) {
		size_t k = members[at];
		const struct pt_device *o = &f->m->devs.v[k];

		if (k == d->device || pt_device_is_bridge(o) || pt_is_stub_driver(o->driver) ||
		    !o->driver[0])
			continue;
		pt_group_member_role(f->m, k, role, sizeof(role));
		snprintf(who, sizeof(who), "%s on %s (%s)", o->bdf, o->driver, role);
		pt_append_list(others, sizeof(others), who);
	}
	if (!others[0])
		return 0;
	pt_pass_verdict(f->m, d->device, &v);
	if (!(p = add(out, "group-not-viable", dev->bdf, error_says(f, says))))
		return -ENOMEM;
	SAY(cause, "IOMMU group %ld is not viable: vfio opens a group only when every device "
	    "in it is on vfio-pci, pci-stub or no driver", dev->iommu_group);
	SAY(evidence, "%s", others);
	SAY(fix, "%s", v.pass == PT_PASS_NO ? v.text :
	    v.pass == PT_PASS_WITH_SLOT ? "add functions = all to its rule, apply and reboot" :
	    "bind the rest of the group with it (group = N in its rule), or use a slot with "
	    "its own group");
	return 0;
}

static int vfio_node(const struct pt_doctor_facts *f, const struct pt_doctor_device *d,
		     struct pt_problems *out)
{
	static const char *const missing_says[] = { "error opening /dev/vfio",
						    "failed to open /dev/vfio", NULL };
	static const char *const denied_says[] = { "Permission denied", NULL };
	const struct pt_device *dev = &f->m->devs.v[d->device];
	struct pt_problem *p;
	bool others_can = (d->vfio_node_mode & 0006) == 0006;

	if (dev->iommu_group < 0 || strcmp(d->want, "vfio-pci"))
		return 0;
	if (!d->vfio_node_present) {
		if (!(p = add(out, "vfio-node-missing", dev->bdf, error_says(f, missing_says))))
			return -ENOMEM;
		SAY(cause, "/dev/vfio/%ld does not exist", dev->iommu_group);
		SAY(evidence, "%s is on %s", dev->bdf, dev->driver[0] ? dev->driver : "no driver");
		SAY(fix, "the node appears when vfio-pci takes a device of group %ld: see the "
		    "problem about its driver", dev->iommu_group);
		return 0;
	}
	/* libvirt's QEMU user is known from its config; a QEMU started by
	 * hand as another user shows in its error ("Permission denied") */
	if (others_can || (f->vm_user ? d->vfio_node_uid == f->vm_uid :
			   !error_says(f, denied_says)))
		return 0;
	if (!(p = add(out, "vfio-node-access", dev->bdf, error_says(f, denied_says))))
		return -ENOMEM;
	SAY(cause, "/dev/vfio/%ld is not open to %s", dev->iommu_group,
	    f->vm_user ? f->vm_user : "the user QEMU runs as (a rootless QEMU)");
	SAY(evidence, "/dev/vfio/%ld: mode %03o, owner uid %u", dev->iommu_group,
	    (unsigned)(d->vfio_node_mode & 0777), (unsigned)d->vfio_node_uid);
	SAY(fix, "libvirt gives the node to its qemu user when it starts a VM with the "
	    "device in a <hostdev>; a QEMU started by hand needs a udev rule giving "
	    "/dev/vfio/%ld to that user's group", dev->iommu_group);
	return 0;
}

static int machine_problems(const struct pt_doctor_facts *f, struct pt_problems *out)
{
	static const char *const memlock_says[] = { "= -12 (Cannot allocate memory)",
						    "RLIMIT_MEMLOCK", "locked memory", NULL };
	static const char *const irq_says[] = { "No interrupt remapping support",
						"Failed to set iommu for container: Operation not permitted",
						NULL };
	const char *line;
	struct pt_problem *p;

	line = kmsg_with(f, "RLIMIT_MEMLOCK", "exceeded");
	if (line || error_says(f, memlock_says)) {
		if (!(p = add(out, "memlock", NULL, error_says(f, memlock_says))))
			return -ENOMEM;
		SAY(cause, "the VM may lock less memory than its RAM: vfio pins all of it for "
		    "the device's DMA");
		SAY(evidence, "%s", line ? line : f->error);
		SAY(fix, "raise the locked-memory limit to the guest's RAM and a margin: libvirt "
		    "does it for a <hostdev> itself (check <memtune><hard_limit>); a QEMU "
		    "started by hand needs `ulimit -l` or LimitMEMLOCK= in its unit");
	}
	line = kmsg_with(f, "No interrupt remapping support", "");
	if ((f->m->irq_remap == PT_NO && !f->unsafe_interrupts) || line ||
	    error_says(f, irq_says)) {
		if (!(p = add(out, "no-irq-remap", NULL, error_says(f, irq_says))))
			return -ENOMEM;
		SAY(cause, "no interrupt remapping, and vfio_iommu_type1 refuses devices "
		    "without it");
		SAY(evidence, "%s", line ? line : f->m->irq_remap == PT_NO ?
		    "the IOMMU reports no interrupt remapping; allow_unsafe_interrupts is off" :
		    f->error);
		SAY(fix, "enable interrupt remapping in the firmware (x2APIC/VT-d) if it can; "
		    "else set unsafe_interrupts = yes in [global] and apply: a guest could "
		    "then inject interrupts into the host");
	}
	return 0;
}

static int bar_and_reset(const struct pt_doctor_facts *f, const struct pt_doctor_device *d,
			 struct pt_problems *out)
{
	static const char *const bar_says[] = { "can't reserve", "Failed to mmap", NULL };
	static const char *const reset_says[] = { "after FLR", "D3cold", "reset", NULL };
	const struct pt_device *dev = &f->m->devs.v[d->device];
	const struct pt_devinfo *info = &f->m->info[d->device];
	const struct pt_reset_quirk *q = pt_reset_quirk_for(dev->vendor, dev->device);
	const char *line = kmsg_with(f, dev->bdf, "can't reserve");
	struct pt_problem *p;

	if (line) {
		if (!(p = add(out, "bar-reserve", dev->bdf, error_says(f, bar_says))))
			return -ENOMEM;
		SAY(cause, "a BAR of %s is held by another driver (usually the firmware's "
		    "framebuffer on the boot GPU)", dev->bdf);
		SAY(evidence, "%s", line);
		SAY(fix, "the binder releases the firmware framebuffer when it takes the boot "
		    "display (allow_boot_vga = yes); on a kernel where that fails, add "
		    "video=efifb:off (video=simplefb:off on 5.15+) to the kernel command line");
	}
	line = kmsg_with(f, dev->bdf, "after FLR");
	if (!line)
		line = kmsg_with(f, dev->bdf, "D3cold");
	if (line || (info->reset_known && !info->reset_methods[0]) ||
	    (q && !f->vendor_reset_loaded)) {
		if (!(p = add(out, "reset", dev->bdf, line && error_says(f, reset_says))))
			return -ENOMEM;
		SAY(cause, "%s", line ? "the device did not come back from a reset" :
		    q ? "the card needs vendor-reset to reset, and the module is not loaded" :
		    "the device has no reset method: after a guest used it, it may stay broken "
		    "until the host reboots");
		SAY(evidence, "%s", line ? line : q ? q->family :
		    "reset_method is empty in sysfs");
		SAY(fix, "%s", q ? "install and load vendor-reset (reset_method = device_specific "
		    "in the rule)" : "reboot the host before the next start of the VM; prefer a "
		    "device with FLR");
	}
	return 0;
}

/* The value of attribute `name` in the tag starting at `tag`, quoted
 * either way (libvirt writes ', its --xpath output "). */
static bool attr(const char *tag, const char *end, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	for (const char *p = tag; (p = strstr(p, name)) && p < end; p += n) {
		const char *v, *close;

		if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n') || p[n] != '=' ||
		    (p[n + 1] != '\'' && p[n + 1] != '"'))
			continue;
		v = p + n + 2;
		if (!(close = strchr(v, p[n + 1])) || close > end)
			return false;
		snprintf(buf, len, "%.*s", (int)(close - v), v);
		return true;
	}
	return false;
}

int pt_domain_hostdevs(const char *xml, struct pt_domain_hostdev **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (const char *h = strstr(xml, "<hostdev"); h; h = strstr(h + 1, "<hostdev")) {
		const char *next = strstr(h + 1, "<hostdev"), *end = next ? next : h + strlen(h);
		const char *open_end = strchr(h, '>'), *src = strstr(h, "<source"), *a;
		char type[16] = "", managed[8] = "", dom[16], bus[16], slot[16], fn[16];
		struct pt_domain_hostdev *v;

		if (!open_end || !attr(h, open_end, "type", type, sizeof(type)) || strcmp(type, "pci") ||
		    !src || src > end || !(a = strstr(src, "<address")) || a > end)
			continue;
		if (!attr(a, end, "domain", dom, sizeof(dom)) || !attr(a, end, "bus", bus, sizeof(bus)) ||
		    !attr(a, end, "slot", slot, sizeof(slot)) || !attr(a, end, "function", fn, sizeof(fn)))
			continue;
		attr(h, open_end, "managed", managed, sizeof(managed));
		if (!(v = realloc(*out, (*n + 1) * sizeof(*v))))
			return -ENOMEM;
		*out = v;
		v = &v[(*n)++];
		memset(v, 0, sizeof(*v));
		snprintf(v->address, sizeof(v->address), "%04lx:%02lx:%02lx.%lx", strtoul(dom, NULL, 0),
			 strtoul(bus, NULL, 0), strtoul(slot, NULL, 0), strtoul(fn, NULL, 0));
		v->managed = !strcmp(managed, "yes");
		v->device = -1;
	}
	return 0;
}

/* libvirt's side: what the domain asks of the host. */
static int domain_problems(const struct pt_doctor_facts *f, struct pt_problems *out)
{
	static const char *const missing_says[] = { "not found", "No such file", NULL };
	struct pt_problem *p;

	for (size_t i = 0; i < f->n_hostdevs; i++) {
		const struct pt_domain_hostdev *x = &f->hostdevs[i];

		if (x->device < 0) {
			if (!(p = add(out, "domain-address-missing", x->address,
				      error_says(f, missing_says))))
				return -ENOMEM;
			SAY(cause, "domain %s names %s, which this machine does not have", f->domain,
			    x->address);
			SAY(evidence, "<hostdev> <source><address> %s; no such PCI device in sysfs",
			    x->address);
			SAY(fix, "correct the address in the domain (`virsh edit %s`): `passthrough "
			    "list` shows where the device is now", f->domain);
			continue;
		}
		if (x->managed && x->selected) {
			if (!(p = add(out, "domain-managed", x->address, false)))
				return -ENOMEM;
			SAY(cause, "domain %s has managed='yes' for %s, which the binder takes at "
			    "boot: libvirt gives it back to its host driver when the VM stops",
			    f->domain, x->address);
			SAY(evidence, "<hostdev mode='subsystem' type='pci' managed='yes'> with "
			    "<source> %s; the applied config selects it", x->address);
			SAY(fix, "set managed='no' on that <hostdev> (`virsh edit %s`); `passthrough "
			    "hostdev` prints it so", f->domain);
		}
		if (!x->selected && !x->managed) {
			if (!(p = add(out, "domain-not-in-config", x->address, false)))
				return -ENOMEM;
			SAY(cause, "domain %s passes %s with managed='no', but the applied config "
			    "does not select it: nothing puts it on vfio-pci at boot", f->domain,
			    x->address);
			SAY(evidence, "<hostdev managed='no'> with <source> %s", x->address);
			SAY(fix, "`passthrough add %s`, then `passthrough apply` and reboot",
			    x->address);
		}
	}
	return 0;
}

int pt_doctor(const struct pt_doctor_facts *f, struct pt_problems *out)
{
	int r = 0;

	memset(out, 0, sizeof(*out));
	r = domain_problems(f, out);
	for (size_t i = 0; i < f->n_devs && r == 0; i++) {
		/* managed='yes' and not configured: libvirt binds it itself */
		if (!f->devs[i].selected && f->domain)
			continue;
		r = not_on_vfio(f, &f->devs[i], out);
		if (r == 0)
			r = group_not_viable(f, &f->devs[i], out);
		if (r == 0)
			r = vfio_node(f, &f->devs[i], out);
		if (r == 0)
			r = bar_and_reset(f, &f->devs[i], out);
	}
	if (r == 0)
		r = machine_problems(f, out);
	if (r < 0) {
		pt_problems_free(out);
		return r;
	}
	/* the causes the error names first, the order found otherwise */
	for (size_t i = 1; i < out->n; i++)
		for (size_t j = i; j > 0 && out->v[j].from_error && !out->v[j - 1].from_error; j--) {
			struct pt_problem t = out->v[j];

			out->v[j] = out->v[j - 1];
			out->v[j - 1] = t;
		}
	return 0;
}

void pt_problems_free(struct pt_problems *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
