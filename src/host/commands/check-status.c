/* check and status: the config judged against the machine, before the
 * boot and after it. */
#include "commands.h"
#include "apply.h"
#include "applied.h"
#include "report.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

static int cmd_check(struct host *h, int argc, char **argv)
{
	struct pt_findings f = { 0 };
	struct pt_report r;
	int rc;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_JUDGED) < 0)
		return EXIT_PROBLEMS;
	pt_host_run_checks(h, &f);
	r = pt_host_report(h);
	r.cfg = &h->cfg;
	pt_report_check(&r, &f);
	rc = f.count[PT_SEV_ERROR] ? EXIT_PROBLEMS : EXIT_OK;
	pt_findings_free(&f);
	return rc;
}

/* The binder's lines in the kernel log. /dev/kmsg gives one record per
 * read ("6,339,5140900,-;passthrough: ..."); a plain file (a test's) holds
 * lines as written ("<6>passthrough: ..."). */
static size_t read_kmsg(const struct host *h, char ***out)
{
	char path[PATH_MAX], buf[8192];
	size_t n = 0;
	ssize_t len;
	int fd;

	*out = NULL;
	if (pt_path(path, sizeof(path), h->ctx.root, "dev/kmsg") ||
	    (fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	while ((len = read(fd, buf, sizeof(buf) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		char *line, *save = NULL;

		if (len < 0)
			continue; /* records overwritten while reading */
		buf[len] = '\0';
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *text = line, **v;

			if (line[0] == ' ')
				continue; /* a record's dictionary */
			if (line[0] == '<' && strchr(line, '>'))
				text = strchr(line, '>') + 1;
			else if (strchr(line, ';'))
				text = strchr(line, ';') + 1;
			if (strncmp(text, "passthrough: ", 13) != 0)
				continue;
			v = realloc(*out, (n + 1) * sizeof(*v));
			if (!v)
				break;
			*out = v;
			if (((*out)[n] = strdup(text + 13)))
				n++;
		}
	}
	close(fd);
	return n;
}

/* Apply's first step leaves its state without the initramfs config. */
static bool only_first_step_applied(const struct host *h)
{
	char applied[PATH_MAX], conf[PATH_MAX];

	return pt_path(applied, sizeof(applied), h->ctx.root, PT_APPLIED_FILE) == 0 &&
	       pt_path(conf, sizeof(conf), h->ctx.root, PT_INITRAMFS_CONF) == 0 &&
	       access(applied, F_OK) == 0 && access(conf, F_OK) != 0;
}

static int cmd_status(struct host *h, int argc, char **argv)
{
	struct pt_status *st;
	struct pt_report r;
	char **kmsg;
	size_t n_kmsg;
	bool all_ok = true, first_step;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_REQUIRED) < 0)
		return EXIT_PROBLEMS;
	st = calloc(h->plan.n ? h->plan.n : 1, sizeof(*st));
	if (!st)
		return EXIT_PROBLEMS;
	for (size_t i = 0; i < h->plan.n; i++) {
		const struct pt_decision *d = &h->plan.v[i];
		const struct pt_device *dev = &h->m.devs.v[d->device];
		struct pt_status *s = &st[i];

		s->decision = i;
		if (d->verdict != PT_BIND) {
			s->expected = "host";
			s->group_viable = true;
			s->ok = true;
			continue;
		}
		s->expected = pt_driver_name(d->driver);
		s->group_viable = dev->iommu_group >= 0 &&
				  pt_group_is_isolated(&h->m.devs, dev->iommu_group, NULL, true);
		s->vfio_node_present = true;
		if (d->driver == PT_DRIVER_VFIO_PCI && dev->iommu_group >= 0) {
			char path[PATH_MAX];

			snprintf(s->vfio_node, sizeof(s->vfio_node), "/dev/vfio/%ld",
				 dev->iommu_group);
			s->vfio_node_present =
				pt_path(path, sizeof(path), h->ctx.root, "dev/vfio/%ld",
					dev->iommu_group) == 0 && access(path, F_OK) == 0;
		}
		s->ok = strcmp(dev->driver, s->expected) == 0 &&
			(d->driver == PT_DRIVER_PCI_STUB || s->group_viable) &&
			s->vfio_node_present;
		if (!s->ok)
			all_ok = false;
	}
	/* Apply's first step binds nothing: not what the config asks yet. */
	first_step = h->cfg.n_rules && only_first_step_applied(h);
	if (first_step)
		all_ok = false;
	n_kmsg = read_kmsg(h, &kmsg);
	r = pt_host_report(h);
	pt_report_status(&r, st, h->plan.n, kmsg, n_kmsg, all_ok);
	if (first_step && !h->o.json)
		printf("`passthrough apply` did step 1 of 2 only: it set the IOMMU's "
		       "kernel arguments, the binder is off. Once the host runs with "
		       "the IOMMU on, run `passthrough apply` again.\n");
	for (size_t i = 0; i < n_kmsg; i++)
		free(kmsg[i]);
	free(kmsg);
	free(st);
	return all_ok ? EXIT_OK : EXIT_PROBLEMS;
}


static const char *const check_options[] = { "json", NULL };

const struct pt_command pt_command_check = {
	.name = "check",
	.run = cmd_check,
	.json = true,
	.options = check_options,
	.synopsis = "check [--json]",
	.description = "Judges the config against this machine; exit 1 on errors.",
};

static const char *const status_options[] = { "json", NULL };

const struct pt_command pt_command_status = {
	.name = "status",
	.run = cmd_status,
	.json = true,
	.options = status_options,
	.synopsis = "status [--json]",
	.description = "After boot: is every selected device as configured?",
};
