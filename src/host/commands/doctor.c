/* doctor: why a VM will not start with a device (or starts and the device
 * does not work), from the machine, the kernel log and the error QEMU or
 * libvirt printed. The judgement is judge/doctor.c; here the facts. */
#include "commands.h"
#include "doctor.h"
#include "json.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The error text: --error TEXT, or all of standard input with "-". */
static char *error_text(const struct host *h)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	char buf[4096];
	size_t n;

	if (!h->o.error)
		return NULL;
	if (strcmp(h->o.error, "-"))
		return strdup(h->o.error);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0 && len < (1u << 20)) {
		if (len + n + 1 > cap) {
			char *grown = realloc(text, cap = (len + n + 1) * 2);

			if (!grown)
				break;
			text = grown;
		}
		memcpy(text + len, buf, n);
		len += n;
		text[len] = '\0';
	}
	return text ? text : strdup("");
}

/* libvirt's QEMU user (qemu.conf's user=, else Debian's libvirt-qemu)
 * and its uid from the root's /etc/passwd; none without libvirt. */
static bool vm_user(const struct host *h, char *name, size_t len, uid_t *uid)
{
	char path[PATH_MAX], *text, *line;
	bool found = false;

	if (pt_path(path, sizeof(path), h->ctx.root, "etc/libvirt/qemu.conf") ||
	    !(text = pt_read_file(path)))
		return false;
	snprintf(name, len, "libvirt-qemu");
	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char value[64];

		if (sscanf(line, "user = \"%63[^\"]\"", value) == 1)
			snprintf(name, len, "%s", value);
	}
	free(text);
	if (pt_path(path, sizeof(path), h->ctx.root, "etc/passwd") || !(text = pt_read_file(path)))
		return false;
	for (line = text; line && *line && !found; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t n = strlen(name);
		unsigned u;

		if (!strncmp(line, name, n) && line[n] == ':' &&
		    sscanf(line + n, ":%*[^:]:%u:", &u) == 1) {
			*uid = u;
			found = true;
		}
	}
	free(text);
	return found;
}

static bool sysfs_says_yes(const struct host *h, const char *rel)
{
	char path[PATH_MAX], *text;
	bool yes;

	if (pt_path(path, sizeof(path), h->ctx.sysfs, "%s", rel) || !(text = pt_read_file(path)))
		return false;
	yes = text[0] == 'Y' || text[0] == '1';
	free(text);
	return yes;
}

static void print_json(const struct host *h, const struct pt_setup *setup,
		       const struct pt_doctor_device *devs, size_t n, const struct pt_problems *p)
{
	struct pt_json j;

	pt_json_init(&j, stdout);
	pt_json_object_begin(&j, NULL);
	pt_json_bool(&j, "ok", p->n == 0);
	pt_report_setup_json(&j, setup);
	pt_json_array_begin(&j, "devices");
	for (size_t i = 0; i < n; i++)
		pt_json_string(&j, NULL, h->m.devs.v[devs[i].device].bdf);
	pt_json_array_end(&j);
	pt_json_array_begin(&j, "problems");
	for (size_t i = 0; i < p->n; i++) {
		pt_json_object_begin(&j, NULL);
		pt_json_string(&j, "code", p->v[i].code);
		pt_json_string(&j, "device", p->v[i].device[0] ? p->v[i].device : NULL);
		pt_json_bool(&j, "named_by_error", p->v[i].from_error);
		pt_json_string(&j, "cause", p->v[i].cause);
		pt_json_string(&j, "evidence", p->v[i].evidence);
		pt_json_string(&j, "fix", p->v[i].fix);
		pt_json_object_end(&j);
	}
	pt_json_array_end(&j);
	pt_json_object_end(&j);
}

static int cmd_doctor(struct host *h, int argc, char **argv)
{
	struct pt_doctor_facts f = { 0 };
	struct pt_doctor_device *devs = NULL;
	struct pt_domain_hostdev *hostdevs = NULL;
	size_t n_hostdevs = 0;
	struct pt_problems p = { 0 };
	struct pt_setup setup;
	char user[64], **kmsg = NULL, *error = NULL;
	size_t n = 0, n_kmsg = 0;
	long only = -1;
	int rc = EXIT_PROBLEMS;

	if (argc > 1)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_JUDGED) < 0)
		return EXIT_PROBLEMS;
	pt_host_setup(h, &setup);
	/* the devices of what was applied, as status judges them */
	if (setup.judge_devices && !h->o.config && pt_host_load_applied(h) < 0)
		return EXIT_PROBLEMS;
	if (argc == 1 && (only = pt_host_find_device(h, argv[0])) < 0)
		return (int)-only;
	if (argc == 1 && h->o.domain) {
		pt_host_error(h, "doctor: a DEVICE or --domain, not both");
		return EXIT_USAGE;
	}
	if (!(devs = calloc(h->m.devs.n ? h->m.devs.n : 1, sizeof(*devs))))
		return EXIT_PROBLEMS;
	if (h->o.domain) {
		char *argv_v[] = { "virsh", "dumpxml", (char *)h->o.domain, NULL }, *xml, *err;
		int st = pt_virsh(argv_v, &xml, &err);

		if (st != 0) {
			pt_host_error(h, "doctor: virsh dumpxml %s: %s", h->o.domain,
				      pt_virsh_said(err, "virsh failed"));
			free(xml);
			free(err);
			free(devs);
			return st < 0 ? EXIT_VIRSH : EXIT_NO_VM;
		}
		free(err);
		if (pt_domain_hostdevs(xml, &hostdevs, &n_hostdevs) < 0) {
			free(xml);
			goto out;
		}
		free(xml);
		for (size_t k = 0; k < n_hostdevs; k++) {
			struct pt_pci_addr a;
			long i = pt_pci_addr_parse(hostdevs[k].address, &a) == 0 ?
					 pt_machine_find(&h->m, &a) : -1;
			const struct pt_decision *d = i >= 0 && h->have_plan ?
							      pt_plan_decision(&h->plan, (size_t)i) :
							      NULL;

			hostdevs[k].device = i;
			hostdevs[k].selected = d && d->verdict == PT_BIND;
			if (i >= 0)
				devs[n++] = (struct pt_doctor_device){ .device = (size_t)i,
					.want = d ? pt_driver_name(d->driver) : "vfio-pci",
					.selected = hostdevs[k].selected };
		}
	}
	/* what the rules select for a VM, refused ones too (no IOMMU group
	 * this boot): those are the devices the VM lacks */
	for (size_t i = 0; !h->o.domain && h->have_plan && i < h->plan.n; i++) {
		const struct pt_decision *d = &h->plan.v[i];

		if ((d->verdict == PT_BIND || d->verdict == PT_REFUSED) &&
		    (only < 0 || d->device == (size_t)only))
			devs[n++] = (struct pt_doctor_device){ .device = d->device,
				.want = pt_driver_name(d->driver), .selected = true };
	}
	if (only >= 0 && n == 0)
		devs[n++] = (struct pt_doctor_device){ .device = (size_t)only, .want = "vfio-pci" };
	if (n == 0 && !n_hostdevs) {
		pt_host_error(h, h->o.domain ? "no device to examine: domain %s has no PCI <hostdev>" :
			      "no device to examine: the applied config selects none; name one "
			      "(passthrough doctor DEVICE)%s", h->o.domain ? h->o.domain : "");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		long g = h->m.devs.v[devs[i].device].iommu_group;
		char path[PATH_MAX];
		struct stat st;

		if (g >= 0 && pt_path(path, sizeof(path), h->ctx.root, "dev/vfio/%ld", g) == 0 &&
		    stat(path, &st) == 0) {
			devs[i].vfio_node_present = true;
			devs[i].vfio_node_mode = st.st_mode;
			devs[i].vfio_node_uid = st.st_uid;
		}
	}
	n_kmsg = pt_host_kmsg_lines(h, "", &kmsg);
	error = error_text(h);
	f = (struct pt_doctor_facts){
		.m = &h->m, .setup = &setup, .devs = devs, .n_devs = n, .error = error,
		.kmsg = kmsg, .n_kmsg = n_kmsg,
		.unsafe_interrupts = sysfs_says_yes(h, "module/vfio_iommu_type1/parameters/"
						    "allow_unsafe_interrupts"),
		.domain = h->o.domain, .hostdevs = hostdevs, .n_hostdevs = n_hostdevs,
	};
	{
		char path[PATH_MAX];

		f.vendor_reset_loaded = pt_path(path, sizeof(path), h->ctx.sysfs,
						"module/vendor_reset") == 0 && access(path, F_OK) == 0;
	}
	if (vm_user(h, user, sizeof(user), &f.vm_uid))
		f.vm_user = user;
	if (pt_doctor(&f, &p) < 0)
		goto out;
	if (h->o.json) {
		print_json(h, &setup, devs, n, &p);
	} else if (!p.n) {
		printf("No problem found for");
		for (size_t i = 0; i < n; i++)
			printf(" %s", h->m.devs.v[devs[i].device].bdf);
		printf(": on its driver, its group viable, /dev/vfio there, no error in the "
		       "kernel log%s.\n", error ? ", and nothing in the error text matched" : "");
	} else {
		printf("%zu problem%s%s:\n", p.n, p.n == 1 ? "" : "s",
		       error ? " (those the error names first)" : "");
		for (size_t i = 0; i < p.n; i++)
			printf("%zu. %s%s%s%s: %s\n   evidence: %s\n   fix: %s\n", i + 1, p.v[i].code,
			       p.v[i].device[0] ? " " : "", p.v[i].device,
			       p.v[i].from_error ? " (named by the error)" : "", p.v[i].cause,
			       p.v[i].evidence, p.v[i].fix);
	}
	rc = p.n ? EXIT_PROBLEMS : EXIT_OK;
out:
	pt_problems_free(&p);
	for (size_t i = 0; i < n_kmsg; i++)
		free(kmsg[i]);
	free(kmsg);
	free(error);
	free(devs);
	free(hostdevs);
	return rc;
}

static const char *const doctor_options[] = { "error", "json", "domain", NULL };

const struct pt_command pt_command_doctor = {
	.name = "doctor",
	.run = cmd_doctor,
	.json = true,
	.options = doctor_options,
	.synopsis = "doctor [DEVICE | --domain VM] [--error TEXT|-] [--json]",
	.description = "Why a VM will not start with its devices (those of the applied\n"
		       "config, DEVICE, or the <hostdev>s of libvirt domain VM): each\n"
		       "problem's cause, the evidence found and\n"
		       "the fix; with QEMU's or libvirt's error (--error -: from standard\n"
		       "input), the causes it names first. Exit 1 when it finds one.",
};
