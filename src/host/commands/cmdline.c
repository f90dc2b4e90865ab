/* cmdline: the kernel arguments the config implies, or that apply set. */
#include "commands.h"
#include "apply.h"
#include "applied.h"
#include "generate.h"
#include "json.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

/* Without /proc/cpuinfo: what the last apply decided, when it could
 * still see the CPU (its recorded intel_iommu=on), said on stderr. */
static enum pt_cpu_vendor cpu_of_last_apply(const struct host *h)
{
	char path[PATH_MAX], *text;
	struct pt_applied a;
	enum pt_cpu_vendor cpu = PT_CPU_UNKNOWN;

	if (pt_path(path, sizeof(path), h->ctx.root, PT_APPLIED_FILE) == 0 &&
	    (text = pt_read_file(path))) {
		if (pt_applied_parse(text, &a) == 0 &&
		    pt_tokens_contain(&a.cmdline, pt_iommu_argument(PT_IOMMU_INTEL, PT_CPU_INTEL)))
			cpu = PT_CPU_INTEL;
		pt_applied_free(&a);
		free(text);
	}
	pt_host_error(h, "cannot tell the CPU's vendor (no /proc/cpuinfo)%s; "
		"set iommu = intel or amd in [global] to say it",
		cpu == PT_CPU_INTEL ? ": keeping intel_iommu=on, as the last apply found an "
				      "Intel CPU" : "");
	return cpu;
}

/* cmdline --applied: the arguments the last apply set, for the GRUB
 * drop-in. An edit never applied (never checked) does not reach the
 * boot entries any more than it reaches the initramfs. */
static int applied_arguments(const struct host *h, struct pt_tokens *out)
{
	char path[PATH_MAX], *text = NULL;
	struct pt_applied a = { 0 };
	int r = -ENOENT;

	memset(out, 0, sizeof(*out));
	if (pt_path(path, sizeof(path), h->ctx.root, PT_APPLIED_FILE) == 0) {
		if ((text = pt_read_file(path)))
			r = pt_applied_parse(text, &a);
		else
			r = -errno;
	}
	free(text);
	if (r == -EINVAL && !text) {
		pt_host_error(h, "%s: not a regular file: remove it, then run `passthrough "
			      "apply`", path);
		pt_applied_free(&a);
		return r;
	}
	if (r < 0) {
		pt_host_error(h, "%s: %s: `passthrough apply` has not run (or was undone)",
			path, strerror(-r));
		pt_applied_free(&a);
		return r;
	}
	*out = a.cmdline;
	a.cmdline = (struct pt_tokens){ 0 };
	pt_applied_free(&a);
	return 0;
}

static int cmd_cmdline(struct host *h, int argc, char **argv)
{
	const char *fmt = h->o.format ? h->o.format : "plain";
	enum pt_cpu_vendor cpu;
	struct pt_tokens args;

	(void)argv;
	if (argc != 0 || (strcmp(fmt, "plain") && strcmp(fmt, "grub") &&
			  strcmp(fmt, "extlinux"))) {
		pt_host_error(h, "cmdline --format takes plain, grub or "
			"extlinux");
		return EXIT_USAGE;
	}
	if (h->o.applied) {
		if (applied_arguments(h, &args) < 0)
			return EXIT_PROBLEMS;
	} else {
		/* Only the config and the CPU: update-grub also runs in rescue
		 * chroots, without /sys and often without /proc. */
		if (pt_host_load(h, CONFIG_ONLY) < 0)
			return EXIT_PROBLEMS;
		cpu = pt_read_cpu_vendor(h->ctx.root);
		if (h->cfg.iommu == PT_IOMMU_AUTO && cpu == PT_CPU_UNKNOWN)
			cpu = cpu_of_last_apply(h);
		if (pt_kernel_arguments(&h->cfg, cpu, &args) < 0)
			return EXIT_PROBLEMS;
	}
	if (h->o.json) {
		printf("{\n  \"arguments\": [");
		for (size_t i = 0; i < args.n; i++)
			printf("%s\"%s\"", i ? ", " : "", args.v[i]);
		printf("]\n}\n");
		pt_tokens_free(&args);
		return EXIT_OK;
	}
	/* grub's and extlinux's files are shell, sourced: append to what the
	 * admin already has. */
	if (!strcmp(fmt, "grub"))
		printf("GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT");
	else if (!strcmp(fmt, "extlinux"))
		printf("default_kernel_opts=\"$default_kernel_opts");
	for (size_t i = 0; i < args.n; i++)
		printf("%s%s", i || strcmp(fmt, "plain") ? " " : "", args.v[i]);
	printf("%s\n", strcmp(fmt, "plain") ? "\"" : "");
	pt_tokens_free(&args);
	return EXIT_OK;
}


static const char *const cmdline_options[] = { "applied", "format", "json", NULL };

const struct pt_command pt_command_cmdline = {
	.name = "cmdline",
	.run = cmd_cmdline,
	.json = true,
	.options = cmdline_options,
	.synopsis = "cmdline [--applied] [--format plain|grub|extlinux] [--json]",
	.description = "The kernel arguments the config implies; with --applied, those the\n"
		       "last `passthrough apply` set (what the GRUB drop-in uses).",
};
