/* passthrough: the host tool. main() reads the global options, finds the
 * command and checks that it takes every option given, then runs it in a
 * session (session.h). Each command lives in its own file under
 * commands/ with its options, synopsis and description; the usage is
 * built from them. */
#include "commands.h"
#include "json.h"
#include "table.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct pt_command *const commands[] = {
	&pt_command_list, &pt_command_show, &pt_command_check, &pt_command_status,
	&pt_command_cmdline, &pt_command_hostdev, &pt_command_bind, &pt_command_unbind,
	&pt_command_generate, &pt_command_apply, &pt_command_initramfs_config,
	&pt_command_disks, &pt_command_disk, &pt_command_luks, &pt_command_guest_mounts,
	&pt_command_add, &pt_command_remove, &pt_command_doctor,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The options every command takes. */
static const char *const global_options[] = { "config", "sysfs", "root", "pci-ids",
					      "verbose", "help", "version", NULL };

/* Each line of text, after indent. */
static void print_indented(FILE *f, const char *text, const char *indent)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		fprintf(f, "%s%.*s\n", indent, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* The global usage: the commands' synopses from their own structs, the
 * global options, the exit statuses (one table: passthrough(8) and the
 * README list the same, a test says so). */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: passthrough [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Commands (passthrough COMMAND --help for one):\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		print_indented(f, commands[i]->synopsis, "  ");
	fprintf(f,
		"\n"
		"Options:\n"
		"  -c, --config FILE    config (default ROOT/etc/passthrough.conf)\n"
		"      --json           machine-readable output (");
	for (size_t i = 0, n = 0; i < N_COMMANDS; i++)
		if (commands[i]->json)
			fprintf(f, "%s%s", n++ ? ", " : "", commands[i]->name);
	fprintf(f, ")\n"
		"      --sysfs DIR      sysfs (default ROOT/sys)\n"
		"      --root DIR       the system's root: ROOT/proc, /dev, /etc, /lib/modules,\n"
		"                       and /sys unless --sysfs is given\n"
		"      --pci-ids FILE   pci.ids to name devices from\n"
		"  -s [[DOMAIN:]BUS:][SLOT][.FUNC]  list, show: these devices, as lspci -s\n"
		"  -d [VENDOR]:[DEVICE][:CLASS]     list, show: these devices, as lspci -d\n"
		"  -o, --output LIST    list, disks: a table of these columns (see below)\n"
		"  -r, --raw            list, disks: a raw table\n"
		"  -P, --pairs          list, disks: KEY=\"value\" pairs\n"
		"  -n, --noheadings     list, disks: a table without headings\n"
		"  -l, --list           list, disks: a table without the tree\n"
		"  -v, --verbose        more messages\n"
		"  -h, --help           this text\n"
		"      --version        the version\n"
		"\n"
		"Exit status (every command):\n"
		"  0  done, or nothing to do (bind of a bound device, a second apply)\n"
		"  1  problems: check finds errors, status finds devices not as\n"
		"     configured, apply or bind refused or failed\n"
		"  2  usage: unknown command or option, wrong arguments\n"
		"  3  no such device: show, bind, unbind, disk, luks, guest-mounts\n"
		"  4  refused: the host uses the disk (disk xml, disk attach)\n"
		"  5  no such VM, or not running for --live (disk attach, detach; doctor --domain)\n"
		"  6  virsh failed (disk attach, detach, attached)\n"
		"  7  apply --detailed-exitcodes: something changed (reboot to use it)\n\n");
	pt_table_help(f);
}

/* Long-only options get values past any character. */
enum {
	OPT_SYSFS = 256, OPT_ROOT, OPT_PCI_IDS, OPT_FORMAT, OPT_DISTRO, OPT_DRY_RUN, OPT_UNDO,
	OPT_TARGET, OPT_GUEST_BUS, OPT_BUS, OPT_DOMAIN, OPT_LIVE, OPT_PERSISTENT, OPT_HEADER, OPT_DATA,
	OPT_SECRET_ID, OPT_SECRET_FILE, OPT_NODE, OPT_KEY_FILE, OPT_MOUNTPOINT, OPT_ERROR, OPT_JSON,
	OPT_VERSION, OPT_APPLIED, OPT_DETAILED_EXITCODES,
};

/* The long name of option c, as the command's list names it. */
static void note_option(struct options *o, const struct option *longopts, int c)
{
	for (const struct option *l = longopts; l->name; l++)
		if (l->val == c && o->n_seen < sizeof(o->seen) / sizeof(o->seen[0])) {
			o->seen[o->n_seen++] = l->name;
			return;
		}
}

static bool listed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/* Every option of every command, for one getopt pass: which of them a
 * command takes is its own struct's list, checked after (check_options). */
/* "--jsn: unknown option; did you mean --json?", or the option lacking
 * its value. */
static void unknown_option(const struct pt_log *log, const struct option *longopts, const char *arg)
{
	const char *best = NULL, *name = arg + strspn(arg, "-");
	char given[64];
	size_t best_d = 3;

	snprintf(given, sizeof(given), "%.*s", (int)strcspn(name, "="), name);
	for (const struct option *o = longopts; o->name; o++) {
		size_t d = pt_edit_distance(given, o->name);

		if (!strcmp(given, o->name) && o->has_arg == required_argument) {
			pt_log(log, PT_ERR, "%s needs a value (--%s VALUE)", arg, o->name);
			return;
		}
		if (d < best_d) {
			best_d = d;
			best = o->name;
		}
	}
	if (best && arg[0] == '-' && arg[1] == '-')
		pt_log(log, PT_ERR, "%s: unknown option; did you mean --%s?", arg, best);
	else
		pt_log(log, PT_ERR, "%s: unknown option, or one without its value; see "
		       "passthrough --help", arg);
}

static int parse_options(int argc, char **argv, struct options *o, const struct pt_log *log)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "pci-ids", required_argument, NULL, OPT_PCI_IDS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "distro", required_argument, NULL, OPT_DISTRO },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "undo", no_argument, NULL, OPT_UNDO },
		{ "applied", no_argument, NULL, OPT_APPLIED },
		{ "detailed-exitcodes", no_argument, NULL, OPT_DETAILED_EXITCODES },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "guest-bus", required_argument, NULL, OPT_GUEST_BUS },
		{ "bus", required_argument, NULL, OPT_BUS },
		{ "domain", required_argument, NULL, OPT_DOMAIN },
		{ "live", no_argument, NULL, OPT_LIVE },
		{ "persistent", no_argument, NULL, OPT_PERSISTENT },
		{ "header", required_argument, NULL, OPT_HEADER },
		{ "data", required_argument, NULL, OPT_DATA },
		{ "secret-id", required_argument, NULL, OPT_SECRET_ID },
		{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
		{ "node", required_argument, NULL, OPT_NODE },
		{ "key-file", required_argument, NULL, OPT_KEY_FILE },
		{ "mountpoint", required_argument, NULL, OPT_MOUNTPOINT },
		{ "error", required_argument, NULL, OPT_ERROR },
		{ "json", no_argument, NULL, OPT_JSON }, /* and lsblk's -J */
		/* lsblk's names, for list and disks as tables */
		{ "output", required_argument, NULL, 'o' },
		{ "raw", no_argument, NULL, 'r' },
		{ "pairs", no_argument, NULL, 'P' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },
		/* lspci's, for list and show */
		{ "slot", required_argument, NULL, 's' },
		{ "ids", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .sysfs = NULL, .root = "" };
	pt_pci_filter_init(&o->filter);
	opterr = 0; /* said below, with the option it most likely meant */
	while ((c = getopt_long(argc, argv, "c:o:rPnlJs:d:vh", longopts, NULL)) != -1) {
		note_option(o, longopts, c);
		switch (c) {
		case 'c': o->config = optarg; break;
		case OPT_SYSFS: o->sysfs = optarg; break;
		case OPT_ROOT: o->root = optarg; break;
		case OPT_PCI_IDS: o->pci_ids = optarg; break;
		case OPT_FORMAT: o->format = optarg; break;
		case OPT_DISTRO: o->distro = optarg; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_UNDO: o->undo = true; break;
		case OPT_APPLIED: o->applied = true; break;
		case OPT_DETAILED_EXITCODES: o->detailed_exitcodes = true; break;
		case OPT_TARGET: o->target = optarg; break;
		case OPT_GUEST_BUS: o->guest_bus = optarg; break;
		case OPT_BUS: o->bus = optarg; break;
		case OPT_DOMAIN: o->domain = optarg; break;
		case OPT_LIVE: o->live = true; break;
		case OPT_PERSISTENT: o->persistent = true; break;
		case OPT_HEADER: o->header = optarg; break;
		case OPT_DATA: o->data = optarg; break;
		case OPT_SECRET_ID: o->secret_id = optarg; break;
		case OPT_SECRET_FILE: o->secret_file = optarg; break;
		case OPT_NODE: o->node = optarg; break;
		case OPT_KEY_FILE: o->key_file = optarg; break;
		case OPT_MOUNTPOINT: o->mountpoint = optarg; break;
		case OPT_ERROR: o->error = optarg; break;
		case OPT_JSON:
		case 'J': o->json = o->table.json = true; break;
		case 'o': o->table.output = optarg; o->as_table = true; break;
		case 'r': o->table.raw = o->as_table = true; break;
		case 'P': o->table.pairs = o->as_table = true; break;
		case 'n': o->table.noheadings = o->as_table = true; break;
		case 'l': o->table.flat = o->as_table = true; break;
		case 's':
			if (pt_pci_filter_slot(&o->filter, optarg) < 0) {
				pt_log(log, PT_ERR, "-s %s: not [[DOMAIN:]BUS:][SLOT][.FUNC] in hex, "
				       "as lspci takes it (-s 02:00.0, -s 02:00)", optarg);
				return -EINVAL;
			}
			o->filtered = true;
			break;
		case 'd':
			if (pt_pci_filter_id(&o->filter, optarg) < 0) {
				pt_log(log, PT_ERR, "-d %s: not [VENDOR]:[DEVICE][:CLASS] in hex, as "
				       "lspci takes it (-d 10de:, -d :1b80)", optarg);
				return -EINVAL;
			}
			o->filtered = true;
			break;
		case 'v': o->verbose = true; break;
		case 'h': o->help = true; break;
		case OPT_VERSION: printf("passthrough %s\n", PT_VERSION); exit(EXIT_OK);
		default:
			unknown_option(log, longopts, argv[optind - 1]);
			return -EINVAL;
		}
	}
	return 0;
}

static const struct pt_command *command_named(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

static void command_usage(FILE *f, const struct pt_command *c)
{
	fputs("Usage: passthrough [OPTIONS] ", f);
	print_indented(f, c->synopsis, "");
	fprintf(f, "%s\n\nGlobal options: passthrough --help\n", c->description);
}

/* With --json, every outcome is one JSON document on stdout, a usage
 * error too: a configuration management tool parses stdout whatever the
 * exit status (2 here). The commands print their own otherwise. */
static void print_usage_json(const char *error)
{
	struct pt_json j;

	pt_json_init(&j, stdout);
	pt_json_object_begin(&j, NULL);
	pt_json_string(&j, "result", "usage");
	pt_json_bool(&j, "changed", false);
	pt_json_string(&j, "error", error);
	pt_json_object_end(&j);
}

/* Whether the command takes every option given; else says which it does
 * not (exit 2), naming its help. */
static bool options_taken(const struct host *h, const struct pt_command *cmd)
{
	for (size_t i = 0; i < h->o.n_seen; i++) {
		const char *name = h->o.seen[i];
		char why[160];

		if (listed(global_options, name) || listed(cmd->options, name))
			continue;
		snprintf(why, sizeof(why), "%s does not take --%s; see passthrough %s --help",
			 cmd->name, name, cmd->name);
		pt_host_error(h, "%s", why);
		if (h->o.json)
			print_usage_json(why);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	const struct pt_command *cmd;
	struct host h;
	int rc = EXIT_USAGE;

	memset(&h, 0, sizeof(h));
	h.log = (struct pt_log){ pt_host_log_stderr, &h.o };
	if (parse_options(argc, argv, &h.o, &h.log) < 0) {
		fprintf(stderr, "Usage: passthrough [OPTIONS] COMMAND [ARGS]; passthrough --help "
			"lists them\n");
		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
			if (!strcmp(argv[i], "--json")) {
				print_usage_json("an unknown option, or an option without its "
						 "value; see passthrough --help");
				break;
			}
		return EXIT_USAGE;
	}
	h.o.table.log = &h.log;
	if (pt_context_init(&h.ctx, h.o.root, h.o.sysfs, &h.log, h.o.dry_run) < 0) {
		pt_host_error(&h, "--root or --sysfs is too long");
		return EXIT_USAGE;
	}
	h.ctx.kmod_quiet = true;
	/* passthrough help [COMMAND], passthrough [COMMAND] --help */
	if (optind < argc && !strcmp(argv[optind], "help") && argc - optind <= 2) {
		h.o.help = true;
		optind++;
	}
	cmd = optind < argc ? command_named(argv[optind]) : NULL;
	if (h.o.help) {
		if (cmd)
			command_usage(stdout, cmd);
		else
			usage(stdout);
		return optind < argc && !cmd ? EXIT_USAGE : EXIT_OK;
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!cmd) {
		pt_host_error(&h, "unknown command '%s'; see passthrough --help",
			      argv[optind]);
		return EXIT_USAGE;
	}
	if (h.o.json && !cmd->json) {
		pt_host_error(&h, "%s has no --json output", cmd->name);
		print_usage_json("this command has no --json output");
		return EXIT_USAGE;
	}
	if (!options_taken(&h, cmd))
		return EXIT_USAGE;
	rc = cmd->run(&h, argc - optind - 1, argv + optind + 1);
	if (rc == EXIT_USAGE) {
		char why[160];

		snprintf(why, sizeof(why), "wrong arguments for '%s'; see passthrough %s --help",
			 cmd->name, cmd->name);
		pt_host_error(&h, "%s", why);
		if (h.o.json)
			print_usage_json(why);
	}
	if (h.have_plan)
		pt_plan_free(&h.plan);
	if (h.cfg.path)
		pt_config_free(&h.cfg);
	pt_selectors_free(&h.selectors);
	pt_machine_free(&h.m);
	pt_context_fini(&h.ctx);
	return rc;
}
