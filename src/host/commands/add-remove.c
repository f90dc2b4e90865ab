/* add and remove: a rule for one device written into the admin's
 * passthrough.conf, or taken out, the way driverctl's set-override and
 * unset-override work but persistent the project's way: the file is
 * edited in place (comments and layout kept, atomic, its mode kept), the
 * result is judged by check before it is written, and the next step is
 * said. */
#include "commands.h"
#include "conftext.h"
#include "fileio.h"
#include "verdict.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A rule name from what the device is: gpu, audio, nic, usb, sata, nvme. */
static const char *kind_name(const struct pt_device *d)
{
	unsigned base = d->class >> 16, sub = (d->class >> 8) & 0xff;

	if (base == 0x03)
		return "gpu";
	if (base == 0x04 && sub == 0x03)
		return "audio";
	if (base == 0x02)
		return "nic";
	if (base == 0x0c && sub == 0x03)
		return "usb";
	if (base == 0x01 && sub == 0x06)
		return "sata";
	if (base == 0x01 && sub == 0x08)
		return "nvme";
	return "device";
}

static bool rule_exists(const struct host *h, const char *name)
{
	for (size_t i = 0; h->cfg_status == 0 && i < h->cfg.n_rules; i++)
		if (!strcmp(h->cfg.rules[i].name, name))
			return true;
	return false;
}

static bool valid_name(const char *name)
{
	if (!*name || strlen(name) > 64)
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return false;
	return true;
}

static int write_config(struct host *h, const char *text)
{
	int r = pt_write_file_atomic(h->config_path, text, 0644, false, h->o.dry_run);

	if (r < 0)
		pt_host_error(h, "cannot write %s: %s", h->config_path, strerror(-r));
	return r;
}

static int cmd_add(struct host *h, int argc, char **argv)
{
	struct pt_pass_verdict v;
	struct pt_findings f = { 0 };
	char name[80], rule[512], *text = NULL, *next = NULL;
	const struct pt_device *dev;
	size_t new_rule;
	long i;
	int rc = EXIT_PROBLEMS;

	if (argc < 1 || argc > 2)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_JUDGED) < 0)
		return EXIT_PROBLEMS;
	if ((i = pt_host_find_device(h, argv[0])) < 0)
		return (int)-i;
	dev = &h->m.devs.v[i];
	if (h->cfg_status < 0 && h->cfg_status != -ENOENT) {
		pt_host_error(h, "cannot read %s: %s", h->config_path, strerror(-h->cfg_status));
		return EXIT_PROBLEMS;
	}
	if (h->cfg_status == 0 && h->cfg.n_errors) {
		pt_host_error(h, "%s has errors: fix them first (see `passthrough check`)",
			      h->config_path);
		return EXIT_PROBLEMS;
	}
	if (argc == 2) {
		snprintf(name, sizeof(name), "%s", argv[1]);
		if (!valid_name(name)) {
			pt_host_error(h, "'%s' is no rule name: letters, digits, - and _", argv[1]);
			return EXIT_USAGE;
		}
		if (rule_exists(h, name)) {
			pt_host_error(h, "[device.%s] is in %s already: choose another name, "
				      "or `passthrough remove %s` first", name, h->config_path, name);
			return EXIT_PROBLEMS;
		}
	} else {
		snprintf(name, sizeof(name), "%s", kind_name(dev));
		for (unsigned n = 2; rule_exists(h, name); n++)
			snprintf(name, sizeof(name), "%s%u", kind_name(dev), n);
	}
	for (size_t k = 0; h->have_plan && k < h->plan.n; k++)
		if (h->plan.v[k].device == (size_t)i) {
			pt_host_error(h, "%s is selected by [device.%s] already", dev->bdf,
				      h->cfg.rules[h->plan.v[k].rule].name);
			return EXIT_PROBLEMS;
		}
	/* What check would refuse is refused here, before any write. */
	pt_pass_verdict(&h->m, (size_t)i, &v);
	if (v.pass == PT_PASS_NO || v.pass == PT_PASS_WITH_GROUP) {
		pt_host_error(h, "cannot add %s: %s", dev->bdf,
			      v.pass == PT_PASS_NO ? v.text + strlen("no: ") : v.text);
		return EXIT_PROBLEMS;
	}
	snprintf(rule, sizeof(rule), "[device.%s]\naddress = %s\nids = %04x:%04x\n%s", name,
		 dev->bdf, dev->vendor, dev->device,
		 v.pass == PT_PASS_WITH_SLOT ? "functions = all\n" : "");
	text = pt_read_file(h->config_path);
	if (!text && errno != ENOENT) {
		pt_host_error(h, "cannot read %s: %s", h->config_path, strerror(errno));
		return EXIT_PROBLEMS;
	}
	if (!(next = pt_conftext_append(text ? text : "", rule)) ||
	    pt_host_load_text(h, next) < 0)
		goto out;
	new_rule = h->cfg.n_rules - 1;
	pt_host_run_checks(h, &f);
	for (size_t k = 0; k < f.n; k++)
		if (f.v[k].severity == PT_SEV_ERROR && f.v[k].rule == (long)new_rule) {
			pt_host_error(h, "refused: %s%s%s", f.v[k].message, f.v[k].fix ? "; " : "",
				      f.v[k].fix ? f.v[k].fix : "");
			goto out;
		}
	if (write_config(h, next) < 0)
		goto out;
	printf("%s [device.%s] to %s:\n%s", h->o.dry_run ? "would add" : "added", name,
	       h->config_path, rule);
	for (size_t k = 0; k < f.n; k++)
		if (f.v[k].rule == (long)new_rule && f.v[k].severity == PT_SEV_WARNING)
			printf("warning[%s]: %s\n", f.v[k].code, f.v[k].message);
	printf("Next: run `passthrough apply` (it checks the config, sets the kernel "
	       "arguments and rebuilds the initramfs).\n");
	rc = EXIT_OK;
out:
	pt_findings_free(&f);
	free(text);
	free(next);
	return rc;
}

static int cmd_remove(struct host *h, int argc, char **argv)
{
	char *text, *next = NULL;
	int r, rc = EXIT_PROBLEMS;

	if (argc != 1)
		return EXIT_USAGE;
	if (pt_host_config_path(h, h->config_path, sizeof(h->config_path)) < 0)
		return EXIT_PROBLEMS;
	if (!(text = pt_read_file(h->config_path))) {
		pt_host_error(h, "cannot read %s: %s", h->config_path, strerror(errno));
		return EXIT_PROBLEMS;
	}
	r = pt_conftext_remove(text, argv[0], &next);
	if (r == -ENOENT) {
		pt_host_error(h, "%s has no [device.%s]", h->config_path, argv[0]);
		rc = EXIT_NOT_FOUND;
	} else if (r == 0 && write_config(h, next) >= 0) {
		printf("%s [device.%s] from %s.\nNext: run `passthrough apply` (or `passthrough "
		       "apply --undo` when no rule is left).\n",
		       h->o.dry_run ? "would remove" : "removed", argv[0], h->config_path);
		rc = EXIT_OK;
	}
	free(text);
	free(next);
	return rc;
}

static const char *const add_options[] = { "dry-run", NULL };

const struct pt_command pt_command_add = {
	.name = "add",
	.run = cmd_add,
	.options = add_options,
	.synopsis = "add DEVICE [NAME] [--dry-run]",
	.description = "Writes a rule for DEVICE (an address, or an ID only it has) into\n"
		       "the config, keeping the file's comments and layout: address and\n"
		       "ids, and functions = all when the slot's other functions must go\n"
		       "with it. Refuses what check would refuse; writes nothing then.",
};

static const char *const remove_options[] = { "dry-run", NULL };

const struct pt_command pt_command_remove = {
	.name = "remove",
	.run = cmd_remove,
	.options = remove_options,
	.synopsis = "remove NAME [--dry-run]",
	.description = "Takes [device.NAME] out of the config, and nothing else.",
};
