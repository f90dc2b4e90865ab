/* passthrough-early: runs in the initramfs before udev/mdev coldplug and
 * binds the configured devices to vfio-pci (or pci-stub) before any host
 * driver can claim them. It must never stop a machine from booting: every
 * failure is logged to /dev/kmsg and the device stays with its host
 * driver; the exit status is 0 except for a usage error. */
#include "bind.h"
#include "cmdline.h"
#include "config.h"
#include "device.h"
#include "framebuffer.h"
#include "modules.h"
#include "select.h"
#include "sriov.h"
#include "sysfs.h"
#include "take.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Relative to --root, which is "" (the real root) in the initramfs. */
#define DEFAULT_CONFIG "/" PT_CONFIG_RELPATH

struct options {
	const char *config;
	const char *sysfs;
	const char *root;
	bool dry_run;
	bool verbose;
	const char *device; /* --device: one device added later (udev) */
};

struct sink {
	char kmsg[PATH_MAX]; /* "": unavailable */
	FILE *echo;   /* stderr with -v or without kmsg, stdout for --dry-run */
	bool verbose;
};

static void log_to_sink(void *data, enum pt_prio prio, const char *msg)
{
	struct sink *s = data;
	/* "<N>passthrough: MSG\n", joined rather than formatted and written
	 * whole: a line per device, thousands at times. On the stack when it
	 * fits, as nearly every line does. */
	static const char tag[] = "<N>passthrough: ";
	char stack[sizeof(tag) + 512], *line = stack;
	size_t len = strlen(msg), at = sizeof(tag) - 1;

	if (prio == PT_DEBUG && !s->verbose)
		return;
	if (at + len + 1 > sizeof(stack) && !(line = malloc(at + len + 1)))
		return;
	memcpy(line, tag, at);
	line[1] = (char)('0' + (int)prio);
	memcpy(line + at, msg, len);
	at += len;
	line[at++] = '\n';
	if (s->kmsg[0]) {
		/* The kernel rate-limits each open /dev/kmsg to 10 lines in 5 s
		 * and drops the rest: a file per line keeps the whole story.
		 * One write per line: kmsg takes each write as one record. */
		int fd = open(s->kmsg, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);

		if ((fd < 0 || write(fd, line, at) < 0) && !s->echo)
			s->echo = stderr;
		if (fd >= 0)
			close(fd);
	}
	if (s->echo)
		fwrite(line + 3, 1, at - 3, s->echo); /* without the priority */
	if (line != stack)
		free(line);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: passthrough-early [-c FILE] [--sysfs DIR] [--root DIR] "
		"[--dry-run] [-v]\n"
		"Binds the devices selected in " DEFAULT_CONFIG " to vfio-pci.\n"
		"Runs in the initramfs before udev; passthrough=off on the kernel\n"
		"command line turns it off.\n\n"
		"  -c, --config FILE  config file (default ROOT" DEFAULT_CONFIG ")\n"
		"      --sysfs DIR    sysfs mount point (default ROOT/sys)\n"
		"      --root DIR     the system's root: ROOT/proc, /dev, /etc,\n"
		"                     /lib/modules, and /sys unless --sysfs\n"
		"  -n, --dry-run      print the plan; change nothing\n"
		"      --device BDF   a device added after boot (the udev rule):\n"
		"                     bound if the config selects it, else probed\n"
		"                     so its host driver takes it\n"
		"  -v, --verbose      also print every message on stderr\n"
		"  -h, --help         this text\n"
		"      --version      the version\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "device", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .sysfs = NULL, .root = "" };
	while ((c = getopt_long(argc, argv, "c:nvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->sysfs = optarg;
			break;
		case 'r':
			o->root = optarg;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'd':
			o->device = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("passthrough-early %s\n", PT_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (o->device) {
		static char bdf[PT_PCI_ADDR_STRLEN];
		struct pt_pci_addr a;

		if (pt_pci_addr_parse(o->device, &a) < 0) {
			fprintf(stderr, "passthrough-early: --device %s: not a PCI address "
				"(0000:03:00.0)\n", o->device);
			return -EINVAL;
		}
		pt_pci_addr_format(&a, bdf);
		o->device = bdf;
	}
	if (optind != argc) {
		fprintf(stderr, "passthrough-early: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static void open_sink(const struct options *o, struct sink *s)
{
	char path[PATH_MAX];

	s->kmsg[0] = '\0';
	s->verbose = o->verbose;
	s->echo = o->dry_run ? stdout : (o->verbose ? stderr : NULL);
	if (o->dry_run)
		return; /* touches nothing, not even the kernel log */
	if (pt_path(path, sizeof(path), o->root, "dev/kmsg") == 0 &&
	    access(path, W_OK) == 0)
		snprintf(s->kmsg, sizeof(s->kmsg), "%s", path);
	else
		s->echo = stderr;
}

static bool boot_disabled(const struct pt_context *ctx)
{
	char path[PATH_MAX], cmdline[4096];

	if (pt_path(path, sizeof(path), ctx->root, "proc/cmdline") ||
	    pt_read_attr(path, cmdline, sizeof(cmdline))) {
		pt_log(ctx->log, PT_DEBUG, "cannot read %s; going on", path);
		return false;
	}
	return pt_cmdline_disabled(cmdline);
}

static long elapsed_us(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L +
	       (now.tv_nsec - start->tv_nsec) / 1000L;
}

static void log_plan_decisions(const struct pt_config *cfg, const struct pt_devices *devs,
			       const struct pt_plan *plan, const struct pt_log *log);

static void log_plan(const struct pt_config *cfg, const struct pt_devices *devs,
		     const struct pt_plan *plan, const struct pt_log *log)
{
	for (size_t r = 0; r < cfg->n_rules; r++) {
		const struct pt_rule *rule = &cfg->rules[r];
		bool host_only = false;

		for (size_t k = 0; k < rule->n_matches; k++)
			host_only |= pt_match_is_host_only(rule->matches[k].kind);
		if (plan->rule_hits[r] == 0)
			pt_log(log, PT_WARNING, "rule [device.%s] (%s:%u) selects no device%s",
			       rule->name, cfg->path, rule->line,
			       host_only ? ": its usb, usb_bus or disk selectors exist only "
					   "after boot; rebuild the initramfs with "
					   "`passthrough apply`" : "");
	}
	log_plan_decisions(cfg, devs, plan, log);
}

/* "0000:00:05.0 8086:2922 010601, ..." of what the rule recorded for a
 * group (then) or what the group holds (now); "nothing" when empty. */
static char *group_members(const struct pt_rule *rule, unsigned long group,
			   const struct pt_devices *devs, bool then)
{
	char *text = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	if (then) {
		for (size_t i = 0; i < rule->n_group_guards; i++) {
			const struct pt_group_guard *g = &rule->group_guards[i];
			char addr[PT_PCI_ADDR_STRLEN];

			if (g->group != group)
				continue;
			pt_pci_addr_format(&g->member.addr, addr);
			fprintf(f, "%s%s %04x:%04x %06x", n++ ? ", " : "", addr, g->member.vendor,
				g->member.device, g->member.class);
		}
	} else {
		for (size_t i = 0; i < devs->n; i++) {
			const struct pt_device *d = &devs->v[i];

			if (!d->is_vf && d->iommu_group >= 0 && (unsigned long)d->iommu_group == group)
				fprintf(f, "%s%s %04x:%04x %06x", n++ ? ", " : "", d->bdf, d->vendor,
					d->device, d->class);
		}
	}
	if (!n)
		fputs("nothing", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void log_group_changed(const struct pt_config *cfg, const struct pt_devices *devs,
			      const struct pt_decision *d, const struct pt_log *log)
{
	const struct pt_rule *rule = &cfg->rules[d->rule];
	const struct pt_device *dev = &devs->v[d->device];
	char *then = group_members(rule, (unsigned long)d->changed_group, devs, true);
	char *now = group_members(rule, (unsigned long)d->changed_group, devs, false);

	pt_log(log, PT_WARNING, "%s [%04x:%04x] rule %s: refused: %s: group %ld held %s; "
	       "it holds %s; run `passthrough apply` if the new group is meant", dev->bdf,
	       dev->vendor, dev->device, rule->name, d->reason, d->changed_group,
	       then ? then : "?", now ? now : "?");
	free(then);
	free(now);
}

static void log_plan_decisions(const struct pt_config *cfg, const struct pt_devices *devs,
			       const struct pt_plan *plan, const struct pt_log *log)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct pt_decision *d = &plan->v[i];
		const struct pt_device *dev = &devs->v[d->device];
		const char *rule = cfg->rules[d->rule].name;

		switch (d->verdict) {
		case PT_BIND: {
			/* "%s [%04x:%04x] rule %s: for %s (now %s)", a line per
			 * device: joined, not formatted */
			char vendor[5], device[5];

			pt_log_join(log, PT_INFO, dev->bdf, " [", pt_hex4(dev->vendor, vendor), ":",
				    pt_hex4(dev->device, device), "] rule ", rule, ": for ",
				    pt_driver_name(d->driver), " (now ",
				    dev->driver[0] ? dev->driver : "no driver", ")", (char *)NULL);
			break;
		}
		case PT_REFUSED:
			if (d->reason == PT_REASON_GROUP_CHANGED)
				log_group_changed(cfg, devs, d, log);
			else if (d->reason == PT_REASON_CHANGED)
				pt_log(log, PT_WARNING,
				       "%s [%04x:%04x] rule %s: refused: %s: it was "
				       "%04x:%04x class %06x, it is %04x:%04x class %06x; "
				       "run `passthrough apply` if the new device is meant",
				       dev->bdf, dev->vendor, dev->device, rule, d->reason,
				       d->guard->vendor, d->guard->device, d->guard->class,
				       dev->vendor, dev->device, dev->class);
			else if (d->reason == PT_REASON_CONFLICT)
				pt_log(log, PT_WARNING,
				       "%s [%04x:%04x] rules %s and %s: refused: %s",
				       dev->bdf, dev->vendor, dev->device, rule,
				       cfg->rules[d->other_rule].name, d->reason);
			else
				pt_log(log, PT_WARNING,
				       "%s [%04x:%04x] rule %s: refused: %s",
				       dev->bdf, dev->vendor, dev->device, rule,
				       d->reason);
			break;
		case PT_SKIPPED:
			pt_log(log, PT_INFO, "%s [%04x:%04x] rule %s: skipped: %s",
			       dev->bdf, dev->vendor, dev->device, rule, d->reason);
			break;
		case PT_MAKE_VFS:
			pt_log(log, PT_INFO, "%s [%04x:%04x] rule %s: gets %u virtual "
			       "functions, keeps its host driver", dev->bdf, dev->vendor,
			       dev->device, rule, cfg->rules[d->rule].sriov_vfs);
			break;
		}
	}
}

struct tally {
	unsigned bound, already, refused, failed;
};

/* Takes each device the plan binds, through the one core step; a driver
 * that cannot be loaded leaves its devices untouched: their host drivers
 * keep them. */
static void carry_out(const struct pt_context *ctx, const struct pt_config *cfg,
		      const struct pt_devices *devs, const struct pt_plan *plan,
		      struct pt_take_state *st, struct tally *t)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct pt_decision *d = &plan->v[i];

		if (d->verdict == PT_REFUSED)
			t->refused++;
		if (d->verdict != PT_BIND)
			continue;
		switch (pt_take_device(ctx, cfg, &devs->v[d->device], d, st)) {
		case PT_BIND_DONE:
			t->bound++;
			break;
		case PT_BIND_ALREADY:
			t->already++;
			break;
		case PT_BIND_DRY_RUN:
			break;
		default:
			t->failed++;
			break;
		}
	}
}

/* SR-IOV rules: each physical function gets its virtual functions (its
 * host driver loaded first), then the devices are read again and the
 * rules' selected VFs bound like any device, before any host driver
 * probed them; the others go to their host driver. */
static void make_vfs(const struct pt_context *ctx, const struct pt_config *cfg,
		     const struct pt_devices *devs, const struct pt_plan *plan,
		     struct pt_take_state *st, struct tally *t)
{
	struct pt_devices now;
	struct pt_plan again, vfs;
	bool *made = calloc(devs->n ? devs->n : 1, sizeof(bool));
	size_t n_made = 0;

	if (!made)
		return;
	for (size_t i = 0; i < plan->n; i++) {
		const struct pt_decision *d = &plan->v[i];

		if (d->verdict != PT_MAKE_VFS || ctx->dry_run)
			continue;
		if (pt_sriov_create(ctx, &devs->v[d->device], cfg->rules[d->rule].sriov_vfs) == 0) {
			made[d->device] = true;
			n_made++;
		} else {
			t->failed++;
		}
	}
	if (!n_made) {
		free(made);
		return;
	}
	if (pt_scan_devices(ctx->sysfs, &now, ctx->log) < 0)
		now = (struct pt_devices){ NULL, 0 }; /* no VF bound: finished below */
	else if (pt_select_devices(cfg, &now, NULL, &again) == 0) {
		/* Only the new VFs: the rest was done by the first pass. */
		vfs = again;
		vfs.n = 0;
		for (size_t i = 0; i < again.n; i++) {
			const struct pt_device *dev = &now.v[again.v[i].device];
			const struct pt_device *pf = dev->is_vf ? pt_find_device(devs, &dev->physfn) : NULL;

			if (pf && made[pf - devs->v] && again.v[i].verdict != PT_MAKE_VFS)
				vfs.v[vfs.n++] = again.v[i];
		}
		log_plan_decisions(cfg, &now, &vfs, ctx->log);
		carry_out(ctx, cfg, &now, &vfs, st, t);
		pt_plan_free(&again);
	}
	pt_devices_free(&now);
	/* The VFs nobody bound go to their host driver, and autoprobe is on
	 * again, whatever failed above. */
	if (pt_scan_devices(ctx->sysfs, &now, ctx->log) < 0)
		now = (struct pt_devices){ NULL, 0 };
	for (size_t i = 0; i < devs->n; i++)
		if (made[i])
			pt_sriov_finish(ctx, &devs->v[i], &now);
	pt_devices_free(&now);
	free(made);
}

/* --device: of the plan, the decision about that device alone (none when
 * no rule selects it, or it is gone). */
static void only_the_device(const struct options *o, const struct pt_devices *devs,
			    struct pt_plan *plan)
{
	struct pt_pci_addr addr;
	size_t kept = 0;

	if (pt_pci_addr_parse(o->device, &addr) < 0) {
		plan->n = 0;
		return;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (pt_pci_addr_compare(&devs->v[plan->v[i].device].addr, &addr) == 0)
			plan->v[kept++] = plan->v[i];
	plan->n = kept;
}

static void bind_selected(const struct options *o, const struct pt_context *ctx,
			  const struct timespec *start)
{
	const struct pt_log *log = ctx->log;
	struct pt_take_state st = { { 0 }, false, 0 };
	char config_path[PATH_MAX];
	struct pt_config cfg;
	struct pt_devices devs;
	struct pt_plan plan;
	struct tally t = { 0 };
	long t_config, t_scan, t_plan, t_done;
	int r;

	if (boot_disabled(ctx)) {
		pt_log(log, PT_NOTICE,
		       "passthrough=off on the kernel command line: binding nothing");
		return;
	}
	if (o->config)
		snprintf(config_path, sizeof(config_path), "%s", o->config);
	else if (pt_path(config_path, sizeof(config_path), ctx->root, PT_CONFIG_RELPATH)) {
		pt_log(log, PT_ERR, "--root is too long; binding nothing");
		return;
	}

	r = pt_config_load(config_path, &cfg);
	if (r == -ENOENT) {
		pt_log(log, PT_INFO, "no %s: nothing to bind", config_path);
		pt_config_free(&cfg);
		return;
	}
	if (r < 0 || cfg.n_errors) {
		for (size_t i = 0; i < cfg.n_errors; i++)
			pt_log(log, PT_ERR, "%s:%u: %s", cfg.path, cfg.errors[i].line,
			       cfg.errors[i].text);
		pt_log(log, PT_ERR,
		       "the config has errors: binding nothing (check it with "
		       "`passthrough check`)");
		pt_config_free(&cfg);
		return;
	}

	t_config = elapsed_us(start);
	r = pt_scan_devices(ctx->sysfs, &devs, log);
	if (r < 0) {
		pt_log(log, PT_ERR, "cannot list PCI devices in %s/bus/pci/devices: "
		       "%s; binding nothing", ctx->sysfs, strerror(-r));
		pt_config_free(&cfg);
		return;
	}
	t_scan = elapsed_us(start);
	if (pt_select_devices(&cfg, &devs, NULL, &plan) < 0) {
		pt_log(log, PT_ERR, "out of memory; binding nothing");
		pt_devices_free(&devs);
		pt_config_free(&cfg);
		return;
	}
	if (o->device) {
		/* the same rules and refusals, for the one device udev gave */
		only_the_device(o, &devs, &plan);
		log_plan_decisions(&cfg, &devs, &plan, log);
	} else {
		log_plan(&cfg, &devs, &plan, log);
	}
	t_plan = elapsed_us(start);
	carry_out(ctx, &cfg, &devs, &plan, &st, &t);
	if (!o->device)
		make_vfs(ctx, &cfg, &devs, &plan, &st, &t);
	t_done = elapsed_us(start);
	/* Where the time goes, with -v: from main() (exec and dynamic
	 * linking come before it: `make bench` measures them from outside).
	 * "plan" includes logging it; "binds" is the rest of carrying it out. */
	pt_log(log, PT_DEBUG, "time: config %ld us, scan %ld us, plan %ld us, modules %ld us, "
	       "binds %ld us", t_config, t_scan - t_config, t_plan - t_scan, st.modules_us,
	       t_done - t_plan - st.modules_us);
	if (!o->device || plan.n)
		pt_log(log, PT_NOTICE,
		       "%s: %u bound, %u already bound, %u refused, %u failed "
		       "(%zu devices, %ld us)",
		       ctx->dry_run ? "dry run" : "done", t.bound, t.already, t.refused,
		       t.failed, devs.n, t_done);
	pt_plan_free(&plan);
	pt_devices_free(&devs);
	pt_config_free(&cfg);
}

/* A device added after boot, while the PCI bus does not probe new devices
 * (the hotplug service turned drivers_autoprobe off): whatever happened
 * above, one that is still without a driver is offered to the host
 * drivers, so none is left driverless. */
static void hand_to_host_driver(const struct options *o, const struct pt_context *ctx)
{
	char path[PATH_MAX], driver[64];

	if (ctx->dry_run ||
	    pt_path(path, sizeof(path), ctx->sysfs, "bus/pci/devices/%s/driver", o->device) ||
	    pt_read_link_name(path, driver, sizeof(driver)) == 0)
		return;
	if (pt_path(path, sizeof(path), ctx->sysfs, "bus/pci/drivers_probe") ||
	    pt_write_attr(path, o->device) < 0)
		pt_log(ctx->log, PT_WARNING, "%s: probing its host driver failed", o->device);
}

int main(int argc, char **argv)
{
	struct options o;
	struct sink sink;
	struct pt_log log = { log_to_sink, &sink };
	struct pt_context ctx;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (parse_options(argc, argv, &o) < 0)
		return 2;
	open_sink(&o, &sink);
	if (pt_context_init(&ctx, o.root, o.sysfs, &log, o.dry_run) < 0) {
		pt_log(&log, PT_ERR, "--root or --sysfs is too long; binding nothing");
		return 0;
	}
	bind_selected(&o, &ctx, &start);
	if (o.device)
		hand_to_host_driver(&o, &ctx);
	pt_context_fini(&ctx);
	return 0;
}
