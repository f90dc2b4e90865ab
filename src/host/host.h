/* The host tool's shared state and helpers, for the files that implement
 * its commands (host.c, storage.c). */
#ifndef PT_HOST_H
#define PT_HOST_H

#include "config.h"
#include "context.h"
#include "log.h"
#include "machine.h"
#include "report.h"
#include "select.h"
#include "table.h"
#include "filter.h"

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
	bool live, persistent;
	const char *header, *data, *secret_id, *secret_file, *node;
	const char *key_file, *mountpoint;
	bool json;
	bool verbose;
	bool help;
	/* list, show: lspci's -s and -d */
	struct pt_pci_filter filter;
	bool filtered;
	/* list, disks: as tables (table.h) */
	struct pt_table_opts table;
	bool as_table;
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

/* Every message of the host tool for a person goes here: one prefix
 * ("passthrough: "), one stream, the verbose switch applied in one place. */
void pt_host_error(const struct host *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit status for pt_table_list's or pt_table_disks's result. */
int pt_table_status(int r);

/* Reads the machine and the config; plans when the config is sound. */
int pt_host_load(struct host *h, enum config_need need);
struct pt_report pt_host_report(const struct host *h);

#endif
