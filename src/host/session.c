/* The session every command runs in: loading the machine and the config,
 * finding a device a command names, check's inputs, and the one way the
 * host tool speaks to a person (pt_host_error). */
#include "session.h"
#include "apply.h"
#include "applied.h"
#include "distro.h"
#include "generate.h"
#include "modinfo.h"
#include "sysfs.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pt_host_log_stderr(void *data, enum pt_prio prio, const char *msg)
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

int pt_host_config_path(struct host *h, char *buf, size_t size)
{
	if (h->o.config ? snprintf(buf, size, "%s", h->o.config) >= (int)size :
			  pt_path(buf, size, h->ctx.root, PT_CONFIG_RELPATH) != 0) {
		pt_host_error(h, "the config's path is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The config at `path` (the admin's, or the one apply applied), or the
 * text given as that file's, and the plan over the machine already read. */
static int load_config(struct host *h, enum config_need need, const char *path,
		       const char *text)
{
	bool need_config = need == CONFIG_REQUIRED || need == CONFIG_ONLY;
	struct pt_machine_paths paths = { h->ctx.sysfs, h->ctx.root, h->o.pci_ids, h->ctx.release };

	if (text) {
		FILE *f = fmemopen((void *)text, strlen(text), "r");

		h->cfg_status = f ? pt_config_parse_stream(f, path, &h->cfg) : -ENOMEM;
		if (f)
			fclose(f);
	} else {
		h->cfg_status = pt_config_load(path, &h->cfg);
	}
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
			pt_host_error(h, "%s:%u: %s", h->cfg.path, h->cfg.errors[i].line,
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

int pt_host_load(struct host *h, enum config_need need)
{
	struct pt_machine_paths paths = { h->ctx.sysfs, h->ctx.root, h->o.pci_ids, h->ctx.release };
	int r;

	if (pt_host_config_path(h, h->config_path, sizeof(h->config_path)) < 0)
		return -ENAMETOOLONG;
	r = need == CONFIG_ONLY ? 0 : pt_machine_read(&paths, &h->m, &h->log);
	if (r < 0) {
		pt_host_error(h, "cannot read PCI devices in %s/bus/pci/devices: "
			"%s", h->ctx.sysfs, strerror(-r));
		return r;
	}
	return load_config(h, need, h->config_path, NULL);
}

/* The config and plan of the session dropped, for another. */
static void drop_config(struct host *h)
{
	if (h->have_plan)
		pt_plan_free(&h->plan);
	if (h->cfg.path)
		pt_config_free(&h->cfg);
	pt_selectors_free(&h->selectors);
	memset(&h->cfg, 0, sizeof(h->cfg));
	memset(&h->plan, 0, sizeof(h->plan));
	memset(&h->selectors, 0, sizeof(h->selectors));
	h->have_plan = false;
}

int pt_host_load_applied(struct host *h)
{
	char path[PATH_MAX];

	if (pt_path(path, sizeof(path), h->ctx.root, PT_INITRAMFS_CONF))
		return -ENAMETOOLONG;
	drop_config(h);
	return load_config(h, CONFIG_REQUIRED, path, NULL);
}

int pt_host_load_text(struct host *h, const char *text)
{
	drop_config(h);
	return load_config(h, CONFIG_JUDGED, h->config_path, text);
}

/* DEVICE as an address, or as vendor:device when exactly one matches. */
/* The index of the one device SPEC names, or -EXIT_NOT_FOUND (nothing
 * there), -EXIT_USAGE (not an address or ID, or an ID several share). */
long pt_host_find_device(const struct host *h, const char *spec)
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
		char list[1024] = "";

		for (size_t i = 0; i < h->m.devs.n; i++)
			if (h->m.devs.v[i].vendor == id.vendor &&
			    h->m.devs.v[i].device == id.device)
				pt_append(list, sizeof(list), " %s", h->m.devs.v[i].bdf);
		pt_host_error(h, "%zu devices have the ID %s; name one by address:%s", count,
			      spec, list);
		return -EXIT_USAGE;
	}
	return found;
}

int pt_table_status(int r)
{
	return r == -EINVAL ? EXIT_USAGE : r < 0 ? EXIT_PROBLEMS : EXIT_OK;
}

void pt_host_check_env(const struct host *h, struct pt_check_env *env)
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
void pt_host_run_checks(const struct host *h, struct pt_findings *f)
{
	struct pt_check_env env;

	pt_host_check_env(h, &env);
	if (pt_check_config_errors(&h->cfg, &env, f) == 0 &&
	    pt_check_config_file(&h->cfg, &env, f) == 0 && h->have_plan &&
	    pt_check_against_machine(&h->cfg, &h->m, &h->plan, &env, f) < 0)
		pt_host_error(h, "memory ran out while checking");
	pt_findings_sort(f);
}

/* The binder's lines in the kernel log. /dev/kmsg gives one record per
 * read ("6,339,5140900,-;passthrough: ..."); a plain file (a test's) holds
 * lines as written ("<6>passthrough: ..."). */
size_t pt_host_kmsg(const struct host *h, char ***out)
{
	return pt_host_kmsg_lines(h, "passthrough: ", out);
}

size_t pt_host_kmsg_lines(const struct host *h, const char *prefix, char ***out)
{
	size_t plen = strlen(prefix);
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
			if (strncmp(text, prefix, plen) != 0)
				continue;
			v = realloc(*out, (n + 1) * sizeof(*v));
			if (!v)
				break;
			*out = v;
			if (((*out)[n] = strdup(text + plen)))
				n++;
		}
	}
	close(fd);
	return n;
}


/* When this boot began (/proc/stat's btime), 0 when unknown. */
static long long boot_time(const struct host *h)
{
	char path[PATH_MAX], *text, *line;
	long long btime = 0;

	if (pt_path(path, sizeof(path), h->ctx.root, "proc/stat") || !(text = pt_read_file(path)))
		return 0;
	if ((line = strstr(text, "\nbtime ")))
		btime = strtoll(line + 7, NULL, 10);
	free(text);
	return btime;
}

static bool root_has(const struct host *h, const char *rel)
{
	char path[PATH_MAX];

	return pt_path(path, sizeof(path), h->ctx.root, "%s", rel) == 0 && access(path, F_OK) == 0;
}

/* The family's command that rebuilds every initramfs. */
static const char *rebuild_command(const struct host *h)
{
	char path[PATH_MAX], *text;
	enum pt_distro d = PT_DISTRO_UNKNOWN;

	if (pt_path(path, sizeof(path), h->ctx.root, "etc/os-release") == 0 &&
	    (text = pt_read_file(path))) {
		d = pt_distro_from_os_release(text);
		free(text);
	}
	switch (d) {
	case PT_DISTRO_DEBIAN: return "update-initramfs -u -k all";
	case PT_DISTRO_FEDORA: return "dracut -f --regenerate-all";
	case PT_DISTRO_ALPINE: return "mkinitfs";
	case PT_DISTRO_ARCH: return "mkinitcpio -P";
	case PT_DISTRO_UNKNOWN: break;
	}
	return "the distribution's initramfs command";
}

void pt_host_setup(const struct host *h, struct pt_setup *out)
{
	struct pt_state_facts f = { .config = h->config_path, .args = "" };
	char path[PATH_MAX], *text, *admin;
	struct pt_applied applied = { 0 };
	char **kmsg, *args = NULL;
	struct stat st;
	long long btime = boot_time(h);
	size_t n_kmsg = pt_host_kmsg(h, &kmsg);

	f.has_rules = h->cfg_status == 0 && h->cfg.n_rules > 0;
	f.binder_ran = n_kmsg > 0;
	f.unfinished = pt_path(path, sizeof(path), h->ctx.root, PT_REBUILD_PENDING) == 0 &&
		       access(path, F_OK) == 0;
	f.applied = pt_path(path, sizeof(path), h->ctx.root, PT_APPLIED_FILE) == 0 &&
		    stat(path, &st) == 0;
	f.applied_before_boot = !f.applied || !btime ? PT_UNKNOWN :
				st.st_mtime < btime ? PT_YES : PT_NO;
	if (f.applied && (text = pt_read_file(path))) {
		struct pt_tokens running = { 0 };

		if (pt_applied_parse(text, &applied) == 0 &&
		    pt_tokens_split(h->m.cmdline ? h->m.cmdline : "", ' ', &running) == 0) {
			f.args_in_boot = h->m.cmdline != NULL;
			for (size_t i = 0; i < applied.cmdline.n; i++) {
				char *more;

				if (!pt_tokens_contain(&running, applied.cmdline.v[i]))
					f.args_in_boot = false;
				if (asprintf(&more, "%s%s%s", args ? args : "", args ? " " : "",
					     applied.cmdline.v[i]) >= 0) {
					free(args);
					args = more;
				}
			}
			pt_tokens_free(&running);
		}
		free(text);
	}
	f.args = args ? args : "";
	if (pt_path(path, sizeof(path), h->ctx.root, PT_INITRAMFS_CONF) == 0 &&
	    (text = pt_read_file(path))) {
		uint64_t recorded;

		f.binder_on = true;
		admin = pt_read_file(h->config_path);
		f.config_edited = pt_initramfs_conf_digest(text, &recorded) < 0 || !admin ||
				  pt_config_digest(admin) != recorded;
		free(admin);
		free(text);
	}
	f.missing_cause = root_has(h, "usr/sbin/update-grub") &&
				  !root_has(h, "etc/kernel/proxmox-boot-uuids") &&
				  !root_has(h, "etc/default/grub.d/passthrough.cfg") ?
			  "the GRUB drop-in /etc/default/grub.d/passthrough.cfg is missing, so "
			  "update-grub never put them on the entries (install it: make install)" :
			  "another boot entry was chosen, or the boot entries were not rebuilt "
			  "after apply";
	f.rebuild = rebuild_command(h);
	pt_setup_decide(&f, out);
	free(args);
	pt_applied_free(&applied);
	for (size_t i = 0; i < n_kmsg; i++)
		free(kmsg[i]);
	free(kmsg);
}
