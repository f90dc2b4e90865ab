/* generate, apply and initramfs-config: what the config needs on this
 * machine planned from the session (pt_apply_plan), then carried out by
 * apply/ on the boot path it found. */
#include "commands.h"
#include "apply.h"
#include "applied.h"
#include "bootpath.h"
#include "fileio.h"
#include "generate.h"
#include "json.h"
#include "modinfo.h"
#include "report.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>

static int add_module_once(void *data, const char *name)
{
	struct pt_tokens *t = data;

	return pt_tokens_contain(t, name) ? 0 : pt_tokens_add(t, name);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The host driver modules of the devices bound to vfio-pci, for softdeps:
 * the modalias lookup coldplug would do, through libkmod; sorted. */
static int host_driver_modules(const struct host *h, struct pt_tokens *out)
{
	int r = 0;

	for (size_t i = 0; i < h->plan.n && r >= 0; i++) {
		const struct pt_decision *d = &h->plan.v[i];
		char path[PATH_MAX], alias[512];

		if (d->verdict != PT_BIND || d->driver != PT_DRIVER_VFIO_PCI ||
		    pt_path(path, sizeof(path), h->ctx.sysfs, "bus/pci/devices/%s/modalias",
			    h->m.devs.v[d->device].bdf) ||
		    pt_read_attr(path, alias, sizeof(alias)))
			continue;
		r = pt_modalias_modules(&h->ctx, alias, add_module_once, out);
		if (r == -ENOENT)
			r = 0; /* no module index: no softdeps to write */
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), compare_names);
	return r;
}

/* vendor-reset must be loaded before vfio-pci takes a card it resets:
 * when a selected card is one, and the module is there. */
static bool needs_vendor_reset(const struct host *h)
{
	for (size_t i = 0; i < h->plan.n; i++) {
		const struct pt_device *d = &h->m.devs.v[h->plan.v[i].device];

		if (h->plan.v[i].verdict == PT_BIND && pt_reset_quirk_for(d->vendor, d->device))
			return pt_module_available(&h->ctx, "vendor_reset") > 0;
	}
	return false;
}

/* The config for early boot, with the digest of the admin's file it came
 * from (read again: the digest is of the bytes, comments included). */
static char *stamped_initramfs_conf(const struct host *h)
{
	char *rendered = pt_render_initramfs_conf(&h->cfg, &h->m.devs, &h->resolver);
	char *admin = pt_read_file(h->config_path), *out = NULL;

	if (rendered && admin)
		out = pt_stamp_initramfs_conf(rendered, admin);
	free(rendered);
	free(admin);
	return out;
}

/* Everything apply and generate need, from the loaded config. */
/* Apply's first step: of the config's kernel arguments, only those that
 * turn the IOMMU on (intel_iommu=on, iommu=pt). The others change the
 * host (video=efifb:off takes its console) for devices nothing binds yet. */
static int iommu_arguments(const struct host *h, struct pt_tokens *out)
{
	struct pt_tokens all;
	const char *iommu = pt_iommu_argument(h->cfg.iommu, h->m.cpu);
	int r = pt_kernel_arguments(&h->cfg, h->m.cpu, &all);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; r == 0 && i < all.n; i++)
		if (!strcmp(all.v[i], "iommu=pt") || (iommu && !strcmp(all.v[i], iommu)))
			r = pt_tokens_add(out, all.v[i]);
	pt_tokens_free(&all);
	return r;
}

/* The distribution and who owns the kernel command line: decided before
 * check runs, so a boot path apply cannot handle is refused first.
 * generate needs neither: it is the manual way where apply cannot go. */
static void plan_init(const struct host *h, struct pt_apply_plan *p)
{
	char path[PATH_MAX], *os;

	memset(p, 0, sizeof(*p));
	p->root = h->ctx.root;
	p->dry_run = h->o.dry_run;
	p->undo = h->o.undo;
	if (h->o.distro)
		pt_distro_from_name(h->o.distro, &p->distro); /* checked by the caller */
	if (p->distro == PT_DISTRO_UNKNOWN &&
	    pt_path(path, sizeof(path), h->ctx.root, "etc/os-release") == 0 &&
	    (os = pt_read_file(path))) {
		p->distro = pt_distro_from_os_release(os);
		free(os);
	}
}

static int plan_boot_path(struct host *h, struct pt_apply_plan *p)
{
	struct pt_boot_facts facts;
	int r;

	plan_init(h, p);
	pt_boot_facts_read(h->ctx.root, &facts);
	r = pt_boot_path_decide(p->distro, &facts, &p->boot);
	if (r < 0)
		pt_host_error(h, "apply refused: %s; nothing was changed", p->boot.why);
	return r;
}

/* The rest of the plan: generate's texts, the arguments and modules. */
static int make_apply_plan(struct host *h, bool arguments_only, struct pt_apply_plan *p)
{
	struct pt_tokens modules = { 0 };
	char *ids;
	int r;

	p->arguments_only = arguments_only;
	if (p->undo)
		return 0;
	if (p->arguments_only)
		return iommu_arguments(h, &p->cmdline);
	r = host_driver_modules(h, &modules);
	p->modprobe_conf = r < 0 ? NULL : pt_render_modprobe_conf(&h->cfg, &modules,
								   needs_vendor_reset(h));
	pt_tokens_free(&modules);
	p->initramfs_conf = stamped_initramfs_conf(h);
	if (!p->modprobe_conf || !p->initramfs_conf ||
	    pt_kernel_arguments(&h->cfg, h->m.cpu, &p->cmdline) < 0 ||
	    !(ids = pt_ids_only_argument(&h->cfg)))
		return -ENOMEM;
	if (p->distro == PT_DISTRO_ALPINE && ids[0] &&
	    (pt_tokens_add(&p->cmdline, ids) < 0 ||
	     pt_tokens_add(&p->modules, "vfio_iommu_type1") < 0 ||
	     pt_tokens_add(&p->modules, pt_driver_name(PT_DRIVER_VFIO_PCI)) < 0))
		r = -ENOMEM;
	free(ids);
	return r < 0 ? r : 0;
}

static void free_apply_plan(struct pt_apply_plan *p)
{
	free((char *)p->modprobe_conf);
	free((char *)p->initramfs_conf);
	pt_tokens_free(&p->cmdline);
	pt_tokens_free(&p->modules);
}

static bool distro_option_ok(const struct host *h)
{
	enum pt_distro d;

	if (!h->o.distro || pt_distro_from_name(h->o.distro, &d) == 0)
		return true;
	pt_host_error(h, "--distro takes auto, alpine, arch, debian, ubuntu or "
		"fedora");
	return false;
}

static int cmd_generate(struct host *h, int argc, char **argv)
{
	struct pt_apply_journal journal = { .show = pt_report_apply_event, .show_data = stdout };
	struct pt_apply_plan p;
	bool changed = false;
	int r;

	(void)argv;
	if (argc != 0 || !distro_option_ok(h))
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_REQUIRED) < 0)
		return EXIT_PROBLEMS;
	plan_init(h, &p);
	p.journal = &journal;
	r = make_apply_plan(h, false, &p);
	if (r == 0)
		r = pt_write_generated(&p, &changed);
	free_apply_plan(&p);
	pt_apply_journal_free(&journal);
	return r < 0 ? EXIT_PROBLEMS : EXIT_OK;
}

static size_t count_code(const struct pt_findings *f, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].code, code);
	return n;
}

static void drop_code(struct pt_findings *f, const char *code)
{
	size_t kept = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].code, code)) {
			f->v[kept++] = f->v[i];
			continue;
		}
		f->count[f->v[i].severity]--;
		free(f->v[i].message);
		free(f->v[i].fix);
	}
	f->n = kept;
}

static int cmd_apply(struct host *h, int argc, char **argv)
{
	struct pt_findings f = { 0 };
	FILE *text = h->o.json ? stderr : stdout;
	struct pt_apply_journal journal = { .show = pt_report_apply_event, .show_data = text,
					    .commands_to_stderr = h->o.json };
	struct pt_apply_plan p;
	const char *result = "refused", *error = NULL;
	bool first_step = false;
	int r, rc = EXIT_PROBLEMS;

	(void)argv;
	if (argc != 0 || !distro_option_ok(h))
		return EXIT_USAGE;
	/* Said before anything else, not as EACCES on a state file later. */
	if (!h->o.dry_run && (!h->ctx.root[0] || !strcmp(h->ctx.root, "/")) && geteuid() != 0) {
		pt_host_error(h, "apply changes /etc and /boot: run it as root (sudo passthrough "
			      "apply%s), or see what it would do with --dry-run",
			      h->o.undo ? " --undo" : "");
		return EXIT_PROBLEMS;
	}
	if (plan_boot_path(h, &p) < 0) {
		error = p.boot.why;
		goto out;
	}
	if (pt_host_load(h, h->o.undo ? CONFIG_JUDGED : CONFIG_REQUIRED) < 0) {
		error = "the config or the machine could not be read (see above)";
		goto out;
	}
	if (!h->o.undo) {
		struct pt_report rep = pt_host_report(h);

		rep.out = text;
		rep.json = false;
		pt_host_run_checks(h, &f);
		first_step = f.count[PT_SEV_ERROR] && !f.incomplete &&
			     f.count[PT_SEV_ERROR] == count_code(&f, PT_FIRST_STEP_CODE);
		if (f.count[PT_SEV_ERROR] && !first_step) {
			rep.out = stderr;
			pt_report_check(&rep, &f);
			pt_host_error(h, "apply refused: `passthrough check` "
				"finds errors; nothing was changed");
			error = "`passthrough check` finds errors";
			goto out;
		}
		if (first_step) {
			fprintf(text, "The IOMMU is off: the running kernel was not given %s. "
				"This apply is step 1 of 2: it sets the IOMMU's "
				"kernel arguments and binds nothing, because whether a device "
				"can be given away safely depends on the IOMMU groups, which "
				"the kernel makes only with the IOMMU on.\n",
				pt_iommu_argument(h->cfg.iommu, h->m.cpu));
			drop_code(&f, PT_FIRST_STEP_CODE);
		}
		/* A config without a rule binds nothing: the IOMMU's arguments
		 * and a rebuild would be for nothing, and after removing the
		 * last rule the admin wants --undo. */
		if (h->cfg.n_rules == 0) {
			pt_host_error(h, "apply refused: %s has no [device.NAME] rule, so there is "
				      "nothing to bind; add one (`passthrough add DEVICE`), or take "
				      "back what apply set with `passthrough apply --undo`",
				      h->config_path);
			error = "the config has no [device.NAME] rule";
			goto out;
		}
		/* Warnings do not refuse: said before anything is done. */
		if (f.count[PT_SEV_WARNING]) {
			fprintf(text, "`passthrough check` warns (apply goes ahead):\n");
			pt_report_check(&rep, &f);
		}
	}
	p.journal = &journal;
	r = make_apply_plan(h, first_step, &p);
	if (r == 0)
		r = pt_apply(&p);
	free_apply_plan(&p);
	if (r < 0) {
		bool refused = journal.n_problems && !strncmp(journal.problems[0], "refused", 7);

		result = refused ? "refused" : "failed";
		error = journal.n_problems ? journal.problems[journal.n_problems - 1] : strerror(-r);
	} else {
		result = journal.changed ? "changed" : "unchanged";
		rc = journal.changed && h->o.detailed_exitcodes ? EXIT_CHANGED : EXIT_OK;
	}
out:
	if (h->o.json)
		pt_report_apply_json(&p, &journal, h->cfg_status == 0 ? &h->cfg : NULL, &f, result,
				     error, first_step);
	pt_findings_free(&f);
	pt_apply_journal_free(&journal);
	return rc;
}

/* For the initramfs hooks, the one place that decides which config goes
 * into an image: the file apply wrote after `check` passed, or none. An
 * admin's edit that was never applied is said loudly, on stderr, where
 * update-initramfs and dracut show it, and is not taken. */
static int cmd_initramfs_config(struct host *h, int argc, char **argv)
{
	char applied[PATH_MAX], admin_path[PATH_MAX];
	char *applied_text, *admin_text;
	uint64_t recorded;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	if (pt_path(applied, sizeof(applied), h->ctx.root, "%s", PT_INITRAMFS_CONF))
		return EXIT_PROBLEMS;
	if (pt_host_config_path(h, admin_path, sizeof(admin_path)) < 0)
		return EXIT_PROBLEMS;
	applied_text = pt_read_file(applied);
	admin_text = pt_read_file(admin_path);
	if (!applied_text) {
		if (admin_text)
			pt_host_error(h, "%s has not been applied: this "
				"initramfs binds nothing; run `passthrough apply`",
				admin_path);
	} else {
		if (pt_initramfs_conf_digest(applied_text, &recorded) < 0 || !admin_text ||
		    pt_config_digest(admin_text) != recorded)
			pt_host_error(h,
				"WARNING: %s changed after the last "
				"`passthrough apply` and was never checked: this initramfs "
				"keeps the config last applied (%s); run `passthrough "
				"apply` to check and use the new one",
				admin_path, applied);
		printf("%s\n", applied);
	}
	free(applied_text);
	free(admin_text);
	return EXIT_OK;
}


static const char *const generate_options[] = { "distro", NULL };

const struct pt_command pt_command_generate = {
	.name = "generate",
	.run = cmd_generate,
	.json = false,
	.options = generate_options,
	.synopsis = "generate [--distro auto|alpine|arch|debian|ubuntu|fedora]",
	.description = "Writes the modprobe.d file and the config for the initramfs.",
};

static const char *const apply_options[] = { "dry-run", "undo", "json", "detailed-exitcodes", "distro", NULL };

const struct pt_command pt_command_apply = {
	.name = "apply",
	.run = cmd_apply,
	.json = true,
	.options = apply_options,
	.synopsis = "apply [--dry-run] [--undo] [--json] [--detailed-exitcodes]\n"
		    "      [--distro auto|alpine|arch|debian|ubuntu|fedora]",
	.description = "Checks, generates, sets the kernel command line and rebuilds the\n"
		       "initramfs; --undo takes back all that apply added. --json: what it\n"
		       "did as one object (files, commands, changed, reboot_needed);\n"
		       "--detailed-exitcodes: exit 7 when something changed, 0 when nothing.",
};

static const char *const initramfs_config_options[] = { NULL };

const struct pt_command pt_command_initramfs_config = {
	.name = "initramfs-config",
	.run = cmd_initramfs_config,
	.json = false,
	.options = initramfs_config_options,
	.synopsis = "initramfs-config",
	.description = "For the initramfs hooks: the checked config to put in an image.",
};
