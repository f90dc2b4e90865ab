/* The host tool's session: its options, the context it runs in, the
 * machine and config it read, the plan; and the helpers every command
 * uses to load them and to speak. The commands (commands/) and main.c
 * include this; nothing includes them. */
#ifndef PT_SESSION_H
#define PT_SESSION_H

#include "config.h"
#include "context.h"
#include "log.h"
#include "machine.h"
#include "report.h"
#include "select.h"
#include "table.h"
#include "check.h"
#include "filter.h"
#include "state.h"

#include <limits.h>
#include <stdbool.h>

/* Exit statuses, one table for every command (--help, passthrough(8),
 * the README): scripts tell "nothing to do" (0) from a refusal (1) and a
 * device or VM that is not there (3, 5). */
enum {
	EXIT_OK = 0,        /* done, or nothing to do */
	EXIT_PROBLEMS = 1,  /* errors found, devices not as configured, refused, failed */
	EXIT_USAGE = 2,     /* wrong command, option or arguments */
	EXIT_NOT_FOUND = 3, /* no such PCI or block device (or disk not attached) */
	EXIT_IN_USE = 4,    /* refused: the host uses the disk */
	EXIT_NO_VM = 5,     /* no such VM, or not running for --live */
	EXIT_VIRSH = 6,     /* virsh failed */
	EXIT_CHANGED = 7,   /* apply --detailed-exitcodes: it changed something */
};

struct options {
	const char *config;
	const char *sysfs;
	const char *root;
	const char *pci_ids;
	const char *format;
	const char *distro;
	bool dry_run;
	bool undo;
	bool applied; /* cmdline --applied */
	bool detailed_exitcodes; /* apply: 7 when it changed something */
	/* disk, luks, guest-mounts */
	const char *target, *bus, *domain;
	const char *guest_bus; /* hostdev: the guest bus for a card's functions */
	bool live, persistent;
	const char *header, *data, *secret_id, *secret_file, *node;
	const char *key_file, *mountpoint;
	const char *error; /* doctor: QEMU's or libvirt's error text, "-": stdin */
	bool json;
	bool verbose;
	bool help;
	/* list, show: lspci's -s and -d */
	struct pt_pci_filter filter;
	bool filtered;
	/* list, disks: as tables (table.h) */
	struct pt_table_opts table;
	bool as_table;
	/* The long names of the options given, for the command to judge. */
	const char *seen[48];
	size_t n_seen;
};

struct host {
	struct options o;
	struct pt_context ctx; /* root, sysfs, kernel release: use these */
	char config_path[PATH_MAX];
	struct pt_machine m;
	struct pt_config cfg;
	int cfg_status; /* pt_config_load's result; -ENOENT: no config */
	struct pt_selectors selectors; /* the config's usb, usb_bus, disk */
	struct pt_resolver resolver;   /* over selectors */
	struct pt_plan plan;
	bool have_plan;
	struct pt_log log;
};

enum config_need {
	CONFIG_OPTIONAL,       /* list, show: without it nothing is marked */
	CONFIG_JUDGED,         /* check: its errors are the findings */
	CONFIG_REQUIRED,       /* status, hostdev */
	CONFIG_ONLY,           /* cmdline: required, and no machine is read */
};

/* The host tool's log (struct pt_log's function, data: the options):
 * stderr, "passthrough: " first; debug lines only with -v. */
void pt_host_log_stderr(void *data, enum pt_prio prio, const char *msg);

/* Every message of the host tool for a person goes here: one prefix
 * ("passthrough: "), one stream, the verbose switch applied in one place. */
void pt_host_error(const struct host *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit status for pt_table_list's or pt_table_disks's result. */
int pt_table_status(int r);

/* Reads the machine and the config; plans when the config is sound. */
int pt_host_load(struct host *h, enum config_need need);
struct pt_report pt_host_report(const struct host *h);
/* After pt_host_load: the config apply applied (its initramfs config)
 * and its plan in place of the admin's. */
int pt_host_load_applied(struct host *h);
/* After pt_host_load: TEXT as the admin's config (what `add` would
 * write), judged and planned in place of the file. */
int pt_host_load_text(struct host *h, const char *text);
/* --config, or /etc/passthrough.conf under --root. */
int pt_host_config_path(struct host *h, char *buf, size_t size);

/* The index of the one device SPEC names (an address, or vendor:device
 * when exactly one device has it), or -EXIT_NOT_FOUND (nothing there),
 * -EXIT_USAGE (not an address or ID, or an ID several share); said. */
long pt_host_find_device(const struct host *h, const char *spec);

/* The binder's lines in the kernel log (/dev/kmsg under the root), each
 * without its "passthrough: " prefix; their count. */
size_t pt_host_kmsg(const struct host *h, char ***out);
/* Every kernel log line starting with `prefix` ("" for all), without it. */
size_t pt_host_kmsg_lines(const struct host *h, const char *prefix, char ***out);
/* Where the admin stands (state.h), from the files apply left, this boot
 * and the admin's config (after pt_host_load). */
void pt_host_setup(const struct host *h, struct pt_setup *out);

/* What check needs of the machine beyond its model, and every finding of
 * check in the order it prints them. */
void pt_host_check_env(const struct host *h, struct pt_check_env *env);
void pt_host_run_checks(const struct host *h, struct pt_findings *f);

/* A command of the host tool: one file under commands/ each (a few hold
 * two that share their code), listed in main.c. */
struct pt_command {
	const char *name;
	int (*run)(struct host *h, int argc, char **argv);
	bool json; /* has a --json form */
	/* The long names of the options it takes besides the global ones;
	 * any other is a usage error naming this command's help. */
	const char *const *options;
	const char *synopsis;    /* one line a form: "apply [--dry-run] ..." */
	const char *description; /* what it does, for COMMAND --help */
};

#endif
