/* passthrough: the host tool. See the machine, judge a config against it,
 * verify after boot, and bind or release a device now. Commands are thin:
 * they read the machine model, run the core's decisions and print. */
#include "host.h"
#include "apply.h"
#include "bind.h"
#include "check.h"
#include "config.h"
#include "fileio.h"
#include "framebuffer.h"
#include "generate.h"
#include "json.h"
#include "machine.h"
#include "modinfo.h"
#include "modules.h"
#include "report.h"
#include "select.h"
#include "storage.h"
#include "sysfs.h"
#include "take.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static void log_stderr(void *data, enum pt_prio prio, const char *msg)
{
	const struct options *o = data;

	if (prio == PT_DEBUG && !o->verbose)
		return;
	fprintf(stderr, "passthrough: %s\n", msg);
}

void pt_host_error(const struct host *h, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	h->log.fn(h->log.data, PT_ERR, msg);
	free(msg);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: passthrough [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  list                 IOMMU groups, devices, USB devices and disks\n"
		"  show DEVICE          one device: group peers, slot, reset (DEVICE:\n"
		"                       an address or vendor:device)\n"
		"  check                judge the config against this machine\n"
		"  status               after boot: is every device as configured?\n"
		"  cmdline [--applied] [--format plain|grub|extlinux]\n"
		"                       the kernel arguments the config implies (or\n"
		"                       that the last apply set)\n"
		"  bind DEVICE          bind it to vfio-pci now, with the boot's checks\n"
		"  unbind DEVICE        give it back to its host driver now\n"
		"  hostdev [RULE] [--format libvirt|virt-install|qemu]\n"
		"                       what to give the VM for the selected devices\n"
		"  generate [--distro auto|alpine|debian|ubuntu|fedora]\n"
		"                       write the modprobe.d file and the initramfs config\n"
		"  apply [--dry-run] [--undo] [--json] [--detailed-exitcodes] [--distro ...]\n"
		"                       check, generate, set the kernel command line,\n"
		"                       rebuild the initramfs; --undo takes it all back\n"
		"  initramfs-config     (for initramfs hooks) the checked config to put in\n"
		"                       an image; warns about an edit not yet applied\n"
		"  disks                every disk: controller, contents, what the host uses\n"
		"  disk xml DEVICE [--target vdX] [--bus virtio|scsi|sata] [--domain VM]\n"
		"  disk attach VM DEVICE [--live] [--persistent]\n"
		"  disk detach VM DEVICE [--live] [--persistent]\n"
		"  disk attached VM     a disk for a libvirt guest, refused if the host uses it\n"
		"  luks inspect DEVICE [--header FILE]\n"
		"  luks qmp --header FILE --data FILE --secret-id ID [--secret-file F] [--node N]\n"
		"  luks backup-header DEVICE FILE\n"
		"  guest-mounts DEVICE --key-file PATH --mountpoint DIR\n"
		"                       (in a guest) crypttab and fstab lines for a LUKS disk\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE    config (default ROOT/etc/passthrough.conf)\n"
		"      --json           machine-readable output (list, show, check,\n"
		"                       status, cmdline, apply)\n"
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
		"  5  no such VM, or not running for --live (disk attach, detach)\n"
		"  6  virsh failed (disk attach, detach, attached)\n"
		"  7  apply --detailed-exitcodes: something changed (reboot to use it)\n\n");
	pt_table_help(f);
}

/* Long-only options get values past any character. */
enum {
	OPT_SYSFS = 256, OPT_ROOT, OPT_PCI_IDS, OPT_FORMAT, OPT_DISTRO, OPT_DRY_RUN, OPT_UNDO,
	OPT_TARGET, OPT_BUS, OPT_DOMAIN, OPT_LIVE, OPT_PERSISTENT, OPT_HEADER, OPT_DATA,
	OPT_SECRET_ID, OPT_SECRET_FILE, OPT_NODE, OPT_KEY_FILE, OPT_MOUNTPOINT, OPT_JSON,
	OPT_VERSION, OPT_APPLIED, OPT_DETAILED_EXITCODES,
};

static int parse_options(int argc, char **argv, struct options *o)
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
		{ "json", no_argument, NULL, OPT_JSON },
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
	while ((c = getopt_long(argc, argv, "c:o:rPnls:d:vh", longopts, NULL)) != -1) {
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
		case OPT_JSON: o->json = o->table.json = true; break;
		case 'o': o->table.output = optarg; o->as_table = true; break;
		case 'r': o->table.raw = o->as_table = true; break;
		case 'P': o->table.pairs = o->as_table = true; break;
		case 'n': o->table.noheadings = o->as_table = true; break;
		case 'l': o->table.flat = o->as_table = true; break;
		case 's':
			if (pt_pci_filter_slot(&o->filter, optarg) < 0) {
				fprintf(stderr, "passthrough: -s %s: not [[DOMAIN:]BUS:][SLOT][.FUNC] "
					"in hex, as lspci takes it (-s 02:00.0, -s 02:00)\n", optarg);
				return -EINVAL;
			}
			o->filtered = true;
			break;
		case 'd':
			if (pt_pci_filter_id(&o->filter, optarg) < 0) {
				fprintf(stderr, "passthrough: -d %s: not [VENDOR]:[DEVICE][:CLASS] in "
					"hex, as lspci takes it (-d 10de:, -d :1b80)\n", optarg);
				return -EINVAL;
			}
			o->filtered = true;
			break;
		case 'v': o->verbose = true; break;
		case 'h': o->help = true; break;
		case OPT_VERSION: printf("passthrough %s\n", PT_VERSION); exit(EXIT_OK);
		default: return -EINVAL;
		}
	}
	return 0;
}

static bool use_color(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term &&
	       strcmp(term, "dumb") != 0;
}

struct pt_report pt_host_report(const struct host *h)
{
	bool cfg_ok = h->cfg_status == 0 && h->cfg.n_errors == 0;

	return (struct pt_report){
		.out = stdout,
		.json = h->o.json,
		.color = !h->o.json && use_color(),
		.terminal = !h->o.json && isatty(STDOUT_FILENO),
		.m = &h->m,
		.cfg = cfg_ok || h->have_plan ? &h->cfg : NULL,
		.plan = h->have_plan ? &h->plan : NULL,
		.filter = h->o.filtered ? &h->o.filter : NULL,
	};
}

/* Reads the machine and the config; plans when the config is sound. */
/* --config, or /etc/passthrough.conf under --root. */
static int config_path(struct host *h, char *buf, size_t size)
{
	if (h->o.config ? snprintf(buf, size, "%s", h->o.config) >= (int)size :
			  pt_path(buf, size, h->ctx.root, PT_CONFIG_RELPATH) != 0) {
		pt_host_error(h, "the config's path is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

int pt_host_load(struct host *h, enum config_need need)
{
	bool need_config = need == CONFIG_REQUIRED || need == CONFIG_ONLY;

	struct pt_machine_paths paths = { h->ctx.sysfs, h->ctx.root, h->o.pci_ids, h->ctx.release };
	int r;

	if (config_path(h, h->config_path, sizeof(h->config_path)) < 0)
		return -ENAMETOOLONG;
	r = need == CONFIG_ONLY ? 0 : pt_machine_read(&paths, &h->m, &h->log);
	if (r < 0) {
		pt_host_error(h, "cannot read PCI devices in %s/bus/pci/devices: "
			"%s", h->ctx.sysfs, strerror(-r));
		return r;
	}
	h->cfg_status = pt_config_load(h->config_path, &h->cfg);
	if (h->cfg_status == -ENOMEM)
		return -ENOMEM;
	if (h->cfg_status == -ENOENT && !need_config)
		return 0;
	if (h->cfg_status == 0 && h->cfg.n_errors == 0 && need == CONFIG_ONLY) {
		return 0;
	} else if (h->cfg_status == 0 && h->cfg.n_errors == 0) {
		if (pt_resolve_host_selectors(&h->cfg, &h->m, &paths, &h->selectors) < 0)
			return -ENOMEM;
		h->resolver = pt_selectors_resolver(&h->selectors);
		if (pt_select_devices(&h->cfg, &h->m.devs, &h->resolver, &h->plan) < 0)
			return -ENOMEM;
		h->have_plan = true;
	} else if (need_config) {
		for (size_t i = 0; i < h->cfg.n_errors; i++)
			fprintf(stderr, "%s:%u: %s\n", h->cfg.path, h->cfg.errors[i].line,
				h->cfg.errors[i].text);
		pt_host_error(h, "the config has errors (see `passthrough "
			"check`)");
		return -EINVAL;
	} else if (h->cfg.n_errors && need == CONFIG_OPTIONAL) {
		pt_host_error(h, "%s has errors, so nothing is marked as "
			"selected; see `passthrough check`", h->config_path);
	}
	return 0;
}

/* DEVICE as an address, or as vendor:device when exactly one matches. */
/* The index of the one device SPEC names, or -EXIT_NOT_FOUND (nothing
 * there), -EXIT_USAGE (not an address or ID, or an ID several share). */
static long find_device(const struct host *h, const char *spec)
{
	struct pt_pci_id id;
	struct pt_pci_addr a;
	long found = -1;
	size_t count = 0;

	if (pt_pci_addr_parse(spec, &a) == 0) {
		found = pt_machine_find(&h->m, &a);
		if (found < 0) {
			pt_host_error(h, "no PCI device at %s (see "
				"`passthrough list`)", spec);
			return -EXIT_NOT_FOUND;
		}
		return found;
	}
	if (pt_pci_id_parse(spec, &id) != 0) {
		pt_host_error(h, "'%s' is neither a PCI address (0000:01:00.0) "
			"nor a vendor:device ID (10de:1b80)", spec);
		return -EXIT_USAGE;
	}
	for (size_t i = 0; i < h->m.devs.n; i++) {
		const struct pt_device *d = &h->m.devs.v[i];

		if (d->vendor == id.vendor && d->device == id.device) {
			if (count++ == 0)
				found = (long)i;
		}
	}
	if (count == 0) {
		pt_host_error(h, "no device has the ID %s", spec);
		return -EXIT_NOT_FOUND;
	}
	if (count > 1) {
		fprintf(stderr, "passthrough: %zu devices have the ID %s; name one by "
			"address:", count, spec);
		for (size_t i = 0; i < h->m.devs.n; i++)
			if (h->m.devs.v[i].vendor == id.vendor &&
			    h->m.devs.v[i].device == id.device)
				fprintf(stderr, " %s", h->m.devs.v[i].bdf);
		fprintf(stderr, "\n");
		return -EXIT_USAGE;
	}
	return found;
}

int pt_table_status(int r)
{
	return r == -EINVAL ? EXIT_USAGE : r < 0 ? EXIT_PROBLEMS : EXIT_OK;
}

static int cmd_list(struct host *h, int argc, char **argv)
{
	struct pt_report r;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	r = pt_host_report(h);
	if (h->o.as_table)
		return pt_table_status(pt_table_list(&r, &h->o.table));
	pt_report_list(&r);
	return EXIT_OK;
}

static int cmd_show(struct host *h, int argc, char **argv)
{
	struct pt_report r;
	long i;

	if (argc > 1 || (argc == 0 && !h->o.filtered)) {
		pt_host_error(h, "show: name one device (an address or vendor:device), or "
			      "select with -s SLOT or -d VENDOR:DEVICE as lspci does");
		return EXIT_USAGE;
	}
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	r = pt_host_report(h);
	if (argc == 1) {
		if ((i = find_device(h, argv[0])) < 0)
			return (int)-i;
		pt_report_show(&r, (size_t)i);
		return EXIT_OK;
	}
	for (size_t k = 0, shown = 0; k < h->m.devs.n; k++) {
		if (!pt_pci_filter_matches(&h->o.filter, &h->m.devs.v[k]))
			continue;
		if (shown++)
			fputc('\n', stdout);
		pt_report_show(&r, k);
	}
	for (size_t k = 0; k < h->m.devs.n; k++)
		if (pt_pci_filter_matches(&h->o.filter, &h->m.devs.v[k]))
			return EXIT_OK;
	pt_host_error(h, "no device matches -s/-d (see `passthrough list`)");
	return EXIT_PROBLEMS;
}

static void fill_check_env(const struct host *h, struct pt_check_env *env)
{
	struct stat st;

	memset(env, 0, sizeof(*env));
	env->resolver = &h->resolver;
	env->vfio_available = pt_module_available(&h->ctx, pt_driver_module(PT_DRIVER_VFIO_PCI));
	env->stub_available = pt_module_available(&h->ctx, pt_driver_module(PT_DRIVER_PCI_STUB));
	env->vendor_reset_available = pt_module_available(&h->ctx, "vendor_reset");
	if (lstat(h->config_path, &st) == 0)
		env->config_is_link = S_ISLNK(st.st_mode);
	if (stat(h->config_path, &env->config_stat) == 0)
		env->have_config_stat = true;
	else
		env->config_missing = errno == ENOENT;
}

/* Everything `check` judges, in the order it prints it. Memory running
 * out is an error finding of its own (pt_findings.incomplete): whoever
 * reads f sees it, so the status adds nothing here. */
static void run_checks(const struct host *h, struct pt_findings *f)
{
	struct pt_check_env env;

	fill_check_env(h, &env);
	if (pt_check_config_errors(&h->cfg, &env, f) == 0 &&
	    pt_check_config_file(&h->cfg, &env, f) == 0 && h->have_plan &&
	    pt_check_against_machine(&h->cfg, &h->m, &h->plan, &env, f) < 0)
		pt_host_error(h, "memory ran out while checking");
	pt_findings_sort(f);
}

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
	run_checks(h, &f);
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

/* bind: the boot's rules for one device (a temporary rule selecting it by
 * address, with the config's global settings), plus the check's errors
 * about it, so a bind now refuses what a boot would and never takes a
 * controller of the host's own disks. */
static int cmd_bind(struct host *h, int argc, char **argv)
{
	struct pt_match match = { .kind = PT_MATCH_ADDRESS };
	struct pt_rule rule = { .name = "command-line", .matches = &match, .n_matches = 1 };
	struct pt_take_state st = { { 0 }, false, 0 };
	struct pt_config one;
	struct pt_plan plan;
	struct pt_findings f = { 0 };
	struct pt_check_env env;
	const struct pt_device *dev;
	const struct pt_decision *configured;
	struct pt_decision d;
	long i;
	int rc = EXIT_PROBLEMS;

	if (argc != 1)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	if ((i = find_device(h, argv[0])) < 0)
		return (int)-i;
	dev = &h->m.devs.v[i];
	/* The device as one rule of its own, with the config's globals: what
	 * a boot would refuse is refused, and what the config decided for
	 * the device (its reset_method) is kept. */
	one = h->cfg_status == 0 && !h->cfg.n_errors ? h->cfg : (struct pt_config){
		.path = h->config_path, .driver = PT_DRIVER_VFIO_PCI };
	one.rules = &rule;
	one.n_rules = 1;
	one.errors = NULL;
	one.n_errors = 0;
	match.u.addr = dev->addr;
	if (h->have_plan && (configured = pt_plan_decision(&h->plan, (size_t)i)))
		rule.reset_method = (char *)configured->reset_method;
	if (pt_select_devices(&one, &h->m.devs, NULL, &plan) < 0)
		return EXIT_PROBLEMS;
	d = plan.v[0];
	if (d.verdict != PT_BIND) {
		pt_host_error(h, "%s: refused: %s", dev->bdf, d.reason);
		goto out;
	}
	fill_check_env(h, &env);
	if (pt_check_against_machine(&one, &h->m, &plan, &env, &f) < 0) {
		pt_host_error(h, "%s: refused: memory ran out while checking it", dev->bdf);
		goto out;
	}
	for (size_t k = 0; k < f.n; k++) {
		if (f.v[k].severity != PT_SEV_ERROR)
			continue;
		pt_host_error(h, "%s: refused: %s\n  fix: %s", dev->bdf,
			f.v[k].message, f.v[k].fix ? f.v[k].fix : "");
		goto out;
	}
	switch (pt_take_device(&h->ctx, &one, dev, &d, &st)) {
	case PT_BIND_DONE:
	case PT_BIND_ALREADY:
		printf("%s: on %s\n", dev->bdf, pt_driver_name(d.driver));
		rc = EXIT_OK;
		break;
	case PT_BIND_DRY_RUN:
		rc = EXIT_OK;
		break;
	default:
		break;
	}
out:
	pt_findings_free(&f);
	pt_plan_free(&plan);
	return rc;
}

static int cmd_unbind(struct host *h, int argc, char **argv)
{
	const struct pt_device *dev;
	long i;

	if (argc != 1)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	if ((i = find_device(h, argv[0])) < 0)
		return (int)-i;
	dev = &h->m.devs.v[i];
	/* Like bind of a bound device: already where it was asked to be. */
	if (dev->driver[0] && !pt_is_stub_driver(dev->driver)) {
		printf("%s: on %s already\n", dev->bdf, dev->driver);
		return EXIT_OK;
	}
	if (!dev->driver[0]) {
		pt_host_error(h, "%s has no driver: nothing to give back; `echo %s > "
			"/sys/bus/pci/drivers_probe` asks the host drivers to take it",
			dev->bdf, dev->bdf);
		return EXIT_PROBLEMS;
	}
	if (pt_release_device(&h->ctx, dev, dev->driver, "") < 0)
		return EXIT_PROBLEMS;
	if (h->have_plan)
		for (size_t k = 0; k < h->plan.n; k++)
			if (h->plan.v[k].device == (size_t)i && h->plan.v[k].verdict == PT_BIND)
				pt_host_error(h, "note: %s still selects it: it is "
					"bound again at the next boot", h->cfg.path);
	return EXIT_OK;
}

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
	pt_host_error(h, "--distro takes auto, alpine, debian, ubuntu or "
		"fedora");
	return false;
}

static int cmd_generate(struct host *h, int argc, char **argv)
{
	struct pt_apply_plan p;
	bool changed = false;
	int r;

	(void)argv;
	if (argc != 0 || !distro_option_ok(h))
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_REQUIRED) < 0)
		return EXIT_PROBLEMS;
	plan_init(h, &p);
	r = make_apply_plan(h, false, &p);
	if (r == 0)
		r = pt_write_generated(&p, stdout, &changed);
	free_apply_plan(&p);
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

/* apply --json: one object on stdout for configuration management
 * (Ansible's changed_when, Salt's stateful commands); apply's own lines
 * and the commands' output go to stderr. */
static void print_apply_json(const struct host *h, const struct pt_apply_plan *p,
			     const struct pt_apply_journal *jr, const struct pt_findings *f,
			     const char *result, const char *error, bool first_step)
{
	struct pt_json j;

	pt_json_init(&j, stdout);
	pt_json_object_begin(&j, NULL);
	pt_json_string(&j, "result", result);
	pt_json_bool(&j, "changed", jr->changed);
	pt_json_bool(&j, "reboot_needed", jr->changed && !p->dry_run);
	pt_json_bool(&j, "dry_run", p->dry_run);
	pt_json_bool(&j, "undo", p->undo);
	pt_json_string(&j, "step", p->undo ? NULL : first_step ? "1 of 2: kernel arguments only" :
					       "complete");
	pt_json_string(&j, "error", error);
	pt_json_string(&j, "distro", pt_distro_name(p->distro));
	pt_json_object_begin(&j, "boot_path");
	pt_json_string(&j, "loader", pt_loader_name(p->boot.loader));
	pt_json_string(&j, "why", p->boot.why);
	pt_json_object_end(&j);
	pt_json_array_begin(&j, "files");
	for (size_t i = 0; i < jr->n_files; i++) {
		pt_json_object_begin(&j, NULL);
		pt_json_string(&j, "path", jr->files[i].path);
		pt_json_string(&j, "action", jr->files[i].action);
		pt_json_string(&j, "backup", jr->files[i].backup);
		pt_json_object_end(&j);
	}
	pt_json_array_end(&j);
	pt_json_array_begin(&j, "commands");
	for (size_t i = 0; i < jr->n_commands; i++) {
		const struct pt_apply_command *c = &jr->commands[i];
		size_t n = 0;

		while (c->argv[n])
			n++;
		pt_json_object_begin(&j, NULL);
		pt_json_strings(&j, "argv", (const char *const *)c->argv, n);
		pt_json_bool(&j, "ran", c->ran);
		if (c->ran)
			pt_json_int(&j, "status", c->status);
		else
			pt_json_null(&j, "status");
		pt_json_object_end(&j);
	}
	pt_json_array_end(&j);
	pt_json_object_begin(&j, "kernel_arguments");
	pt_json_bool(&j, "changed", jr->args_changed);
	pt_json_strings(&j, "before", (const char *const *)jr->args_before.v, jr->args_before.n);
	pt_json_strings(&j, "after", (const char *const *)jr->args_after.v, jr->args_after.n);
	pt_json_object_end(&j);
	pt_json_strings(&j, "problems", (const char *const *)jr->problems, jr->n_problems);
	pt_report_findings_json(&j, h->cfg_status == 0 ? &h->cfg : NULL, f);
	pt_json_object_end(&j);
}

static int cmd_apply(struct host *h, int argc, char **argv)
{
	struct pt_findings f = { 0 };
	struct pt_apply_journal journal = { 0 };
	struct pt_apply_plan p;
	FILE *text = h->o.json ? stderr : stdout;
	const char *result = "refused", *error = NULL;
	bool first_step = false;
	int r, rc = EXIT_PROBLEMS;

	(void)argv;
	if (argc != 0 || !distro_option_ok(h))
		return EXIT_USAGE;
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
		run_checks(h, &f);
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
		/* A VM that can never start (a GPU's audio left on the host) is
		 * a warning, not a refusal: said before anything is done. */
		if (f.count[PT_SEV_WARNING]) {
			fprintf(text, "`passthrough check` warns (apply goes ahead):\n");
			pt_report_check(&rep, &f);
		}
	}
	p.journal = h->o.json ? &journal : NULL;
	r = make_apply_plan(h, first_step, &p);
	if (r == 0)
		r = pt_apply(&p, text);
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
		print_apply_json(h, &p, &journal, &f, result, error, first_step);
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
	if (config_path(h, admin_path, sizeof(admin_path)) < 0)
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

static const struct command {
	const char *name;
	int (*run)(struct host *h, int argc, char **argv);
	bool json;         /* has a --json form */
	const char *usage; /* for `passthrough COMMAND --help` */
} commands[] = {
	{ "list", cmd_list, true,
	  "list [-s SLOT] [-d VENDOR:DEVICE] [--json] [-o COLUMNS [-r|-P|-n|-l]]\n"
	  "IOMMU groups, devices, the USB devices and disks behind each controller,\n"
	  "and what the config selects." },
	{ "show", cmd_show, true,
	  "show DEVICE | show -s SLOT | show -d VENDOR:DEVICE [--json]\n"
	  "One device: its group and what else is in it, the other functions of\n"
	  "its slot, reset support. DEVICE: an address or vendor:device." },
	{ "check", cmd_check, true,
	  "check [--json]\nJudges the config against this machine; exit 1 on errors." },
	{ "status", cmd_status, true,
	  "status [--json]\nAfter boot: is every selected device as configured?" },
	{ "cmdline", cmd_cmdline, true,
	  "cmdline [--applied] [--format plain|grub|extlinux] [--json]\n"
	  "The kernel arguments the config implies; with --applied, those the\n"
	  "last `passthrough apply` set (what the GRUB drop-in uses)." },
	{ "hostdev", cmd_hostdev, false,
	  "hostdev [RULE] [--format libvirt|virt-install|qemu]\n"
	  "What to give the VM for the selected devices (one rule, or all)." },
	{ "bind", cmd_bind, false,
	  "bind DEVICE\nBinds it to vfio-pci now, refusing what a boot would refuse." },
	{ "unbind", cmd_unbind, false,
	  "unbind DEVICE\nGives it back to its host driver now." },
	{ "generate", cmd_generate, false,
	  "generate [--distro auto|alpine|debian|ubuntu|fedora]\n"
	  "Writes the modprobe.d file and the config for the initramfs." },
	{ "apply", cmd_apply, true,
	  "apply [--dry-run] [--undo] [--json] [--detailed-exitcodes]\n"
	  "      [--distro auto|alpine|debian|ubuntu|fedora]\n"
	  "Checks, generates, sets the kernel command line and rebuilds the\n"
	  "initramfs; --undo takes back all that apply added. --json: what it\n"
	  "did as one object (files, commands, changed, reboot_needed);\n"
	  "--detailed-exitcodes: exit 7 when something changed, 0 when nothing." },
	{ "initramfs-config", cmd_initramfs_config, false,
	  "initramfs-config\nFor the initramfs hooks: the checked config to put in an image." },
	{ "disks", pt_cmd_disks, true,
	  "disks [--json] [-o COLUMNS [-r|-P|-n|-l]]\n"
	  "Every disk: its controller, its contents, what the host uses it for." },
	{ "disk", pt_cmd_disk, false,
	  "disk xml DEVICE [--target vdX] [--bus virtio|scsi|sata] [--domain VM]\n"
	  "disk attach VM DEVICE [--live] [--persistent]\n"
	  "disk detach VM DEVICE [--live] [--persistent]\n"
	  "disk attached VM\n"
	  "A disk for a libvirt guest, refused when the host uses it." },
	{ "luks", pt_cmd_luks, true,
	  "luks inspect DEVICE [--header FILE] [--json]\n"
	  "luks qmp --header FILE --data FILE --secret-id ID [--secret-file F] [--node N]\n"
	  "luks backup-header DEVICE FILE" },
	{ "guest-mounts", pt_cmd_guest_mounts, false,
	  "guest-mounts DEVICE --key-file PATH --mountpoint DIR\n"
	  "In a guest: crypttab and fstab lines for a LUKS disk." },
};

static const struct command *command_named(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void command_usage(FILE *f, const struct command *c)
{
	fprintf(f, "Usage: passthrough [OPTIONS] %s\n\nGlobal options: passthrough --help\n",
		c->usage);
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

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct host h;
	int rc = EXIT_USAGE;

	memset(&h, 0, sizeof(h));
	if (parse_options(argc, argv, &h.o) < 0) {
		usage(stderr);
		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
			if (!strcmp(argv[i], "--json")) {
				print_usage_json("an unknown option, or an option without its "
						 "value; see passthrough --help");
				break;
			}
		return EXIT_USAGE;
	}
	h.log = (struct pt_log){ log_stderr, &h.o };
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
