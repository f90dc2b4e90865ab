/* `passthrough doctor`: why a VM will not start with a device, or starts
 * and the device does not work. From what the machine shows (drivers,
 * groups, /dev/vfio, the kernel log, resets, interrupt remapping) and,
 * when given, the error QEMU or libvirt printed, each problem with its
 * cause, the evidence found and the fix, the error's own cause first.
 * Pure: the facts are read by the command. */
#ifndef PT_DOCTOR_H
#define PT_DOCTOR_H

#include "machine.h"
#include "state.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One device the VM is given. */
struct pt_doctor_device {
	size_t device;              /* index into the machine's devices */
	const char *want;           /* its driver: "vfio-pci" or "pci-stub" */
	bool selected;              /* the applied config selects it */
	bool vfio_node_present;     /* /dev/vfio/N */
	mode_t vfio_node_mode;
	uid_t vfio_node_uid;
};

/* A PCI <hostdev> of a libvirt domain. */
struct pt_domain_hostdev {
	char address[16];   /* "0000:01:00.0", as its <source> names it */
	bool managed;       /* managed='yes' */
	long device;        /* index into the machine's devices, -1: none there */
	bool selected;      /* the applied config selects it */
};

/* The PCI <hostdev>s of a domain's XML (virsh dumpxml); -ENOMEM. */
int pt_domain_hostdevs(const char *xml, struct pt_domain_hostdev **out, size_t *n);

struct pt_doctor_facts {
	const struct pt_machine *m;
	const struct pt_setup *setup;
	const struct pt_doctor_device *devs;
	size_t n_devs;
	const char *error;          /* QEMU's or libvirt's text, NULL when none */
	char *const *kmsg;          /* the whole kernel log, a line each */
	size_t n_kmsg;
	bool unsafe_interrupts;     /* vfio_iommu_type1 allow_unsafe_interrupts=Y */
	bool vendor_reset_loaded;   /* /sys/module/vendor_reset */
	const char *vm_user;        /* the user the VM runs as ("libvirt-qemu"), NULL: root */
	uid_t vm_uid;
	const char *domain;         /* the libvirt domain examined, NULL: none */
	const struct pt_domain_hostdev *hostdevs;
	size_t n_hostdevs;
};

struct pt_problem {
	const char *code;    /* "not-on-vfio", "group-not-viable", ... */
	char device[16];     /* "0000:01:00.0", "" for the machine */
	bool from_error;     /* the error text names this cause */
	char cause[256];
	char evidence[512];
	char fix[512];
};

struct pt_problems {
	struct pt_problem *v;
	size_t n;
};

/* Every problem found, those the error names first. -ENOMEM. */
int pt_doctor(const struct pt_doctor_facts *f, struct pt_problems *out);
void pt_problems_free(struct pt_problems *p);

#endif
