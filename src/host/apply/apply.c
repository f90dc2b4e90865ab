#include "apply.h"
#include "applied.h"
#include "shellvars.h"
#include "fileio.h"
#include "generate.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MODPROBE_FILE "etc/modprobe.d/passthrough.conf"
#define INITRAMFS_CONF PT_INITRAMFS_CONF
#define APPLIED_FILE PT_APPLIED_FILE
/* Exists from before apply changes anything until the initramfs and the
 * boot loader were rebuilt: a rebuild that failed (a full /boot) or never
 * ran (a crash) is done by the next apply, even when no file changes. */
#define REBUILD_PENDING "var/lib/passthrough/rebuild-pending"
#define EXTLINUX_CONF "etc/update-extlinux.conf"
#define MKINITFS_CONF "etc/mkinitfs/mkinitfs.conf"
#define GRUB_DROPIN "etc/default/grub.d/passthrough.cfg"
/* kernel-install's command line for every boot entry it writes */
#define KERNEL_CMDLINE "etc/kernel/cmdline"
/* Alpine's own init= default, which apply may replace (and puts back) */
#define ALPINE_INIT "/usr/share/mkinitfs/initramfs-init"

static bool on_running_system(const struct pt_apply_plan *p)
{
	return !p->root[0] || !strcmp(p->root, "/");
}

static void say(const struct pt_apply_plan *p, FILE *out, const char *what, const char *rel)
{
	struct pt_apply_journal *j = p->journal;
	struct pt_apply_file *v;

	fprintf(out, "  %-10s /%s\n", what, rel);
	if (!j || !(v = realloc(j->files, (j->n_files + 1) * sizeof(*v))))
		return;
	j->files = v;
	v[j->n_files] = (struct pt_apply_file){ .action = what };
	if (asprintf(&v[j->n_files].path, "/%s", rel) >= 0)
		j->n_files++;
}

/* A line saying why apply refused, failed, or what is missing. */
static void problem(const struct pt_apply_plan *p, FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(const struct pt_apply_plan *p, FILE *out, const char *fmt, ...)
{
	struct pt_apply_journal *j = p->journal;
	char *line = NULL, **v;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return;
	fprintf(out, "  %s\n", line);
	if (j && (v = realloc(j->problems, (j->n_problems + 1) * sizeof(*v)))) {
		j->problems = v;
		v[j->n_problems++] = line;
		return;
	}
	free(line);
}

/* The backup put_file just kept for the journal: next to the file. */
static void note_backup(const struct pt_apply_plan *p, const char *path)
{
	struct pt_apply_journal *j = p->journal;
	char bak[PATH_MAX + 32];
	size_t root = strlen(p->root);

	if (!j || !j->n_files || snprintf(bak, sizeof(bak), "%s.passthrough-backup", path) >=
				     (int)sizeof(bak) || access(bak, F_OK) != 0)
		return;
	j->files[j->n_files - 1].backup = strdup(bak + (root && !strncmp(bak, p->root, root) ? root : 0));
}

void pt_apply_journal_free(struct pt_apply_journal *j)
{
	for (size_t i = 0; i < j->n_files; i++) {
		free(j->files[i].path);
		free(j->files[i].backup);
	}
	for (size_t i = 0; i < j->n_commands; i++) {
		for (size_t k = 0; j->commands[i].argv && j->commands[i].argv[k]; k++)
			free(j->commands[i].argv[k]);
		free(j->commands[i].argv);
	}
	for (size_t i = 0; i < j->n_problems; i++)
		free(j->problems[i]);
	free(j->files);
	free(j->commands);
	free(j->problems);
	pt_tokens_free(&j->args_before);
	pt_tokens_free(&j->args_after);
	memset(j, 0, sizeof(*j));
}

/* The journal's entry for a command about to run (NULL without one). */
static struct pt_apply_command *note_command(const struct pt_apply_plan *p, char *const argv[])
{
	struct pt_apply_journal *j = p->journal;
	struct pt_apply_command *v, *c;
	size_t n = 0;

	if (!j || !(v = realloc(j->commands, (j->n_commands + 1) * sizeof(*v))))
		return NULL;
	j->commands = v;
	c = &v[j->n_commands];
	while (argv[n])
		n++;
	*c = (struct pt_apply_command){ .argv = calloc(n + 1, sizeof(char *)), .status = -1 };
	if (!c->argv)
		return NULL;
	for (size_t i = 0; i < n; i++)
		c->argv[i] = strdup(argv[i]);
	j->n_commands++;
	return c;
}

/* Where ROOT/rel really is: a file kept as a symbolic link (an admin's
 * mkinitfs.conf in a config repository) is edited where it points, so the
 * link stays a link and undo edits the same file back. An absolute
 * target is taken inside the root. */
static int follow_links(const struct pt_apply_plan *p, const char *rel, char *out,
			size_t len)
{
	char target[PATH_MAX], next[PATH_MAX];
	ssize_t n;

	if (pt_path(out, len, p->root, "%s", rel))
		return -ENAMETOOLONG;
	for (int depth = 0; depth < 16; depth++) {
		char *slash;

		if ((n = readlink(out, target, sizeof(target) - 1)) < 0)
			return 0; /* not a link (or not there yet): this is it */
		target[n] = '\0';
		if (target[0] == '/') {
			if (pt_path(next, sizeof(next), p->root, "%s", target + 1))
				return -ENAMETOOLONG;
		} else {
			slash = strrchr(out, '/');
			if (snprintf(next, sizeof(next), "%.*s/%s", slash ? (int)(slash - out) : 1,
				     slash ? out : ".", target) >= (int)sizeof(next))
				return -ENAMETOOLONG;
		}
		if (snprintf(out, len, "%s", next) >= (int)len)
			return -ENAMETOOLONG;
	}
	return -ELOOP;
}

/* Writes ROOT/rel when its content differs; reports either way. */
static int put_file(const struct pt_apply_plan *p, FILE *out, const char *rel,
		    const char *content, bool backup, bool *changed)
{
	char path[PATH_MAX];
	int r;

	r = follow_links(p, rel, path, sizeof(path));
	if (r == 0)
		r = pt_write_file_atomic(path, content, 0644, backup, p->dry_run);
	if (r < 0) {
		problem(p, out, "failed     /%s: %s", rel, strerror(-r));
		return r;
	}
	if (r == PT_FILE_WRITTEN) {
		*changed = true;
		say(p, out, p->dry_run ? "would write" : "written", rel);
		if (backup)
			note_backup(p, path);
	} else {
		say(p, out, "unchanged", rel);
	}
	return 0;
}

static int drop_file(const struct pt_apply_plan *p, FILE *out, const char *rel,
		     bool *changed)
{
	char path[PATH_MAX];
	int r;

	if (pt_path(path, sizeof(path), p->root, "%s", rel))
		return -ENAMETOOLONG;
	r = pt_remove_file(path, p->dry_run);
	if (r < 0) {
		problem(p, out, "failed     removing /%s: %s", rel, strerror(-r));
		return r;
	}
	if (r == PT_FILE_WRITTEN) {
		*changed = true;
		say(p, out, p->dry_run ? "would remove" : "removed", rel);
	}
	return 0;
}

/* Runs a command on the running system; with --root, says what would run. */
static int run(const struct pt_apply_plan *p, FILE *out, char *const argv[])
{
	struct pt_apply_command *noted = note_command(p, argv);
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status, r;

	fprintf(out, "  %-10s", p->dry_run || !on_running_system(p) ? "would run" : "run");
	for (size_t i = 0; argv[i]; i++)
		fprintf(out, strchr(argv[i], ' ') ? " \"%s\"" : " %s", argv[i]);
	fputc('\n', out);
	if (p->dry_run || !on_running_system(p))
		return 0;
	fflush(out);
	/* With --json, stdout is the JSON's: the command speaks on stderr. */
	posix_spawn_file_actions_init(&actions);
	if (p->journal)
		posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
	r = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (r) {
		problem(p, out, "failed     %s: %s", argv[0], strerror(r));
		return -r;
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (noted) {
		noted->ran = true;
		noted->status = status;
	}
	if (status) {
		problem(p, out, "failed     %s exited with status %d", argv[0], status);
		return -EIO;
	}
	return 0;
}

static char *join(const struct pt_tokens *t, char sep)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < t->n; i++)
		len += strlen(t->v[i]) + 1;
	p = s = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < t->n; i++)
		p += sprintf(p, "%s%s", i ? (char[]){ sep, 0 } : "", t->v[i]);
	return s;
}

static int read_applied(const struct pt_apply_plan *p, struct pt_applied *a)
{
	char path[PATH_MAX], *text;
	int r;

	memset(a, 0, sizeof(*a));
	if (pt_path(path, sizeof(path), p->root, APPLIED_FILE))
		return -ENAMETOOLONG;
	text = pt_read_file(path);
	if (!text)
		return errno == ENOENT ? 0 : -errno;
	r = pt_applied_parse(text, a);
	free(text);
	return r;
}

/* One assignment to edit in a file: our previous tokens out, the new in.
 * No var: the file is a kernel command line (/etc/kernel/cmdline). */
struct edit {
	const char *var;
	char sep;
	const struct pt_tokens *old, *add;
};

/* Applies every edit of one file in memory, then writes it once, so its
 * backup is the admin's version and never a half-edited one. With --undo,
 * the backup goes too. */
static int edit_file(const struct pt_apply_plan *p, FILE *out, const char *rel,
		     const struct edit *edits, size_t n, bool *changed)
{
	char path[PATH_MAX], *text;
	int r;

	if ((r = follow_links(p, rel, path, sizeof(path))))
		return r;
	text = pt_read_file(path);
	if (!text) {
		r = -errno;
		problem(p, out, "failed     /%s: %s", rel, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n && text; i++) {
		const struct edit *e = &edits[i];
		struct pt_shell_error err;
		char *edited;

		if ((e->var ? pt_assignment_check(text, e->var, &err) :
			      pt_cmdline_file_check(text, &err)) < 0) {
			problem(p, out, "refused    /%s line %zu: %s; fix that line (or remove "
				"it) and run apply again", rel, err.line, err.what);
			free(text);
			return -EINVAL;
		}
		edited = e->var ? pt_edit_assignment(text, e->var, e->sep, e->old, e->add) :
				  pt_edit_cmdline_file(text, e->old, e->add);
		free(text);
		text = edited;
	}
	if (!text)
		return -ENOMEM;
	/* Undo keeps the backup (the admin's version) as it is until the
	 * restored file is in place; only then does it go. */
	r = put_file(p, out, rel, text, !p->undo, changed);
	free(text);
	if (r == 0 && p->undo) {
		/* The backup is next to the file edited: a link's target. */
		char target[PATH_MAX], bak[PATH_MAX + 32];

		/* follow_links gives ROOT/..., as pt_path builds it */
		r = follow_links(p, rel, target, sizeof(target));
		if (r == 0 && snprintf(bak, sizeof(bak), "%s.passthrough-backup",
				       target + strlen(p->root) + 1) >= (int)sizeof(bak))
			r = -ENAMETOOLONG;
		if (r == 0)
			r = drop_file(p, out, bak, changed);
	}
	return r;
}

static bool tokens_equal(const struct pt_tokens *a, const struct pt_tokens *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!pt_tokens_contain(b, a->v[i]))
			return false;
	return true;
}

/* What the admin's files hold before apply edits them: the tokens already
 * there are theirs unless apply added them (pt_tokens_ours). */
struct admin_files {
	struct pt_tokens cmdline, modules, init;
	/* kernel-install without /etc/kernel/cmdline uses the running
	 * command line: apply creates the file from it */
	char *kernel_cmdline_from;
};

static void admin_files_free(struct admin_files *a)
{
	pt_tokens_free(&a->cmdline);
	pt_tokens_free(&a->modules);
	pt_tokens_free(&a->init);
	free(a->kernel_cmdline_from);
}

/* Reads ROOT/rel (NULL and a message when it cannot) and refuses it when
 * one of `vars` is not a value passthrough can edit exactly. */
static char *read_editable(const struct pt_apply_plan *p, FILE *out, const char *rel,
			   const char *const *vars, int *r)
{
	char path[PATH_MAX], *text;
	struct pt_shell_error err;

	if ((*r = follow_links(p, rel, path, sizeof(path))))
		return NULL;
	if (!(text = pt_read_file(path))) {
		*r = -errno;
		problem(p, out, "failed     /%s: %s", rel, pt_file_error(-*r));
		return NULL;
	}
	for (; *vars; vars++)
		if (pt_assignment_check(text, *vars, &err) < 0) {
			problem(p, out, "refused    /%s line %zu: %s; fix that line by hand "
				"and run apply again", rel, err.line, err.what);
			free(text);
			*r = -EINVAL;
			return NULL;
		}
	*r = 0;
	return text;
}

/* Alpine: both files must be editable, and mkinitfs.conf's init= ours,
 * unset or Alpine's own default (which apply replaces and undo puts
 * back): another custom init would be silently replaced. */
static int read_alpine_files(const struct pt_apply_plan *p, FILE *out, struct admin_files *a)
{
	static const char *const extlinux_vars[] = { "default_kernel_opts", "modules", NULL };
	static const char *const mkinitfs_vars[] = { "features", "init", NULL };
	char *text;
	int r;

	if (!(text = read_editable(p, out, EXTLINUX_CONF, extlinux_vars, &r)))
		return r;
	r = pt_assignment_tokens(text, "default_kernel_opts", ' ', &a->cmdline);
	if (r == 0)
		r = pt_assignment_tokens(text, "modules", ',', &a->modules);
	free(text);
	if (r < 0 || !(text = read_editable(p, out, MKINITFS_CONF, mkinitfs_vars, &r)))
		return r;
	r = pt_assignment_tokens(text, "init", ' ', &a->init);
	free(text);
	if (r == 0 && !p->undo && a->init.n &&
	    (a->init.n > 1 || (strcmp(a->init.v[0], PT_MKINITFS_INIT) &&
			       strcmp(a->init.v[0], ALPINE_INIT)))) {
		problem(p, out, "refused    /%s sets init=%s already; passthrough needs "
			"init=%s to run before nlplug-findfs",
			MKINITFS_CONF, a->init.v[0], PT_MKINITFS_INIT);
		r = -EEXIST;
	}
	return r;
}

/* Fedora: the arguments the running kernel booted with and those grubby
 * gives new kernels (/etc/kernel/cmdline); either file may be missing. */
static int read_fedora_cmdline(const struct pt_apply_plan *p, struct pt_tokens *present)
{
	static const char *const files[] = { "proc/cmdline", "etc/kernel/cmdline" };
	int r = 0;

	for (size_t i = 0; i < 2 && r == 0; i++) {
		char path[PATH_MAX], *text;
		struct pt_tokens t;

		if (pt_path(path, sizeof(path), p->root, "%s", files[i]) ||
		    !(text = pt_read_file(path)))
			continue;
		r = pt_tokens_split(text, ' ', &t);
		free(text);
		for (size_t j = 0; r == 0 && j < t.n; j++)
			r = pt_tokens_add(present, t.v[j]);
		if (r == 0)
			pt_tokens_free(&t);
	}
	return r;
}

/* A modprobe.d/passthrough.conf without generate's header is the admin's,
 * never overwritten nor removed. */
static int check_modprobe_file_is_ours(const struct pt_apply_plan *p, FILE *out)
{
	char path[PATH_MAX], *text;
	bool ours;

	if (pt_path(path, sizeof(path), p->root, MODPROBE_FILE))
		return -ENAMETOOLONG;
	if (!(text = pt_read_file(path)))
		return errno == ENOENT ? 0 : -errno;
	ours = !strncmp(text, PT_GENERATED_HEADER, strlen(PT_GENERATED_HEADER));
	free(text);
	if (ours)
		return 0;
	problem(p, out, "refused    /%s was not written by passthrough (it lacks the "
		"\"%s\" header): rename it (any name ending in .conf) and run apply "
		"again", MODPROBE_FILE, PT_GENERATED_HEADER);
	return -EEXIST;
}

/* kernel-install: /etc/kernel/cmdline, refused on a line the kernel
 * would misread; without it, the running command line (as kernel-install
 * takes it: without BOOT_IMAGE= and initrd=), which apply writes there. */
static int read_kernel_cmdline(const struct pt_apply_plan *p, FILE *out, struct admin_files *a)
{
	char path[PATH_MAX], *text;
	struct pt_shell_error err;
	struct pt_tokens running = { 0 };
	int r;

	if ((r = follow_links(p, KERNEL_CMDLINE, path, sizeof(path))))
		return r;
	if ((text = pt_read_file(path))) {
		if (pt_cmdline_file_check(text, &err) < 0) {
			problem(p, out, "refused    /%s line %zu: %s; fix that line by hand "
				"and run apply again", KERNEL_CMDLINE, err.line, err.what);
			free(text);
			return -EINVAL;
		}
		r = pt_tokens_split(text, ' ', &a->cmdline);
		free(text);
		return r;
	}
	if (errno != ENOENT || pt_path(path, sizeof(path), p->root, "proc/cmdline"))
		return -errno;
	text = pt_read_file(path);
	r = pt_tokens_split(text ? text : "", ' ', &running);
	free(text);
	for (size_t i = 0; r == 0 && i < running.n; i++)
		if (strncmp(running.v[i], "BOOT_IMAGE=", 11) && strncmp(running.v[i], "initrd=", 7))
			r = pt_tokens_add(&a->cmdline, running.v[i]);
	pt_tokens_free(&running);
	if (r == 0 && !(a->kernel_cmdline_from = malloc(1)))
		r = -ENOMEM;
	if (r == 0)
		a->kernel_cmdline_from[0] = '\0';
	for (size_t i = 0; r == 0 && i < a->cmdline.n; i++) {
		char *next;

		if (asprintf(&next, "%s%s%s", a->kernel_cmdline_from, i ? " " : "",
			     a->cmdline.v[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		free(a->kernel_cmdline_from);
		a->kernel_cmdline_from = next;
	}
	return r;
}

static int read_admin_files(const struct pt_apply_plan *p, FILE *out, struct admin_files *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = check_modprobe_file_is_ours(p, out)) < 0)
		return r;
	/* On the machine itself, GRUB without our drop-in would boot without
	 * the arguments: refused before anything is written. */
	if (p->boot.loader == PT_LOADER_GRUB && on_running_system(p) && !p->undo &&
	    access("/" GRUB_DROPIN, F_OK) != 0) {
		problem(p, out, "refused    /%s is missing: install it (make install "
			"DISTRO=debian), or GRUB boots without the kernel arguments",
			GRUB_DROPIN);
		return -ENOENT;
	}
	if (p->boot.loader == PT_LOADER_KERNEL_INSTALL)
		return read_kernel_cmdline(p, out, a);
	if (p->distro == PT_DISTRO_ALPINE)
		return read_alpine_files(p, out, a);
	if (p->distro == PT_DISTRO_FEDORA)
		return read_fedora_cmdline(p, &a->cmdline);
	return 0;
}

int pt_write_generated(const struct pt_apply_plan *p, FILE *out, bool *changed)
{
	int r = check_modprobe_file_is_ours(p, out);

	if (r == 0)
		r = put_file(p, out, MODPROBE_FILE, p->modprobe_conf, false, changed);

	return r ? r : put_file(p, out, INITRAMFS_CONF, p->initramfs_conf, false, changed);
}

/* kernel-install: our tokens in /etc/kernel/cmdline. Without the file
 * (kernel-install then takes the running command line), apply creates it
 * from that command line, and undo removes it again. */
static int edit_kernel_cmdline(const struct pt_apply_plan *p, FILE *out,
			       const struct pt_applied *before, const struct pt_applied *now,
			       const struct admin_files *admin, bool *changed)
{
	static const struct pt_tokens none;
	const struct edit e = { NULL, ' ', &before->cmdline, p->undo ? &none : &now->cmdline };
	char *running, *text;
	int r;

	if (p->undo && pt_tokens_contain(&before->created, KERNEL_CMDLINE)) {
		char dir[PATH_MAX];

		r = drop_file(p, out, KERNEL_CMDLINE, changed);
		/* and etc/kernel, when apply made it for the file */
		if (r == 0 && !p->dry_run && pt_path(dir, sizeof(dir), p->root, "etc/kernel") == 0)
			(void)rmdir(dir);
		return r;
	}
	if (!admin->kernel_cmdline_from)
		return edit_file(p, out, KERNEL_CMDLINE, &e, 1, changed);
	if (p->undo || !now->cmdline.n)
		return 0;
	if (asprintf(&running, "%s\n", admin->kernel_cmdline_from) < 0)
		return -ENOMEM;
	text = pt_edit_cmdline_file(running, &none, &now->cmdline);
	free(running);
	r = text ? put_file(p, out, KERNEL_CMDLINE, text, false, changed) : -ENOMEM;
	free(text);
	return r;
}

static int apply_bootloader(const struct pt_apply_plan *p, FILE *out,
			    const struct pt_applied *before, const struct pt_applied *now,
			    const struct admin_files *admin, bool *changed)
{
	static const struct pt_tokens none;
	bool args_changed = !tokens_equal(&before->cmdline, &now->cmdline);
	char path[PATH_MAX];
	int r = 0;

	switch (p->boot.loader) {
	case PT_LOADER_KERNEL_INSTALL:
		r = edit_kernel_cmdline(p, out, before, now, admin, changed);
		break;
	case PT_LOADER_GRUB:
		/* The drop-in asks `passthrough cmdline` at every update-grub,
		 * once the applied state exists. */
		if (pt_path(path, sizeof(path), p->root, GRUB_DROPIN) == 0 &&
		    access(path, F_OK) != 0 && !p->undo)
			problem(p, out, "missing    /%s: install grub/passthrough.cfg there "
				"(make install DISTRO=debian), or GRUB boots without the "
				"kernel arguments", GRUB_DROPIN);
		break;
	case PT_LOADER_GRUBBY:
		if (args_changed) {
			struct pt_tokens gone = { 0 };
			char *add = join(&now->cmdline, ' '), *del, *remove_arg = NULL,
			     *args_arg = NULL;

			for (size_t i = 0; i < before->cmdline.n; i++)
				if (!pt_tokens_contain(&now->cmdline, before->cmdline.v[i]))
					pt_tokens_add(&gone, before->cmdline.v[i]);
			del = join(&gone, ' ');
			if (add && del && asprintf(&remove_arg, "--remove-args=%s", del) >= 0 &&
			    asprintf(&args_arg, "--args=%s", add) >= 0) {
				char *argv[5] = { "grubby", "--update-kernel=ALL", NULL, NULL, NULL };
				size_t n = 2;

				if (gone.n)
					argv[n++] = remove_arg;
				if (now->cmdline.n)
					argv[n++] = args_arg;
				r = run(p, out, argv);
				*changed = true;
			}
			free(add);
			free(del);
			free(remove_arg);
			free(args_arg);
			pt_tokens_free(&gone);
		}
		break;
	case PT_LOADER_EXTLINUX: {
		bool binder_off = p->undo || p->arguments_only;
		struct pt_tokens feature = { 0 }, init = { 0 }, old_init = { 0 };
		const struct edit extlinux[] = {
			{ "default_kernel_opts", ' ', &before->cmdline, &now->cmdline },
			{ "modules", ',', &before->modules, &now->modules },
		};

		pt_tokens_add(&feature, "passthrough");
		pt_tokens_add(&init, PT_MKINITFS_INIT);
		/* ours replaces Alpine's default, which undo puts back */
		pt_tokens_add(&old_init, PT_MKINITFS_INIT);
		pt_tokens_add(&old_init, ALPINE_INIT);
		const struct edit mkinitfs[] = {
			{ "features", ' ', &feature, binder_off ? &none : &feature },
			{ "init", ' ', binder_off ? &init : &old_init,
			  binder_off ? &before->init_was : &init },
		};

		r = edit_file(p, out, EXTLINUX_CONF, extlinux, 2, changed);
		if (r == 0)
			r = edit_file(p, out, MKINITFS_CONF, mkinitfs, 2, changed);
		pt_tokens_free(&feature);
		pt_tokens_free(&init);
		pt_tokens_free(&old_init);
		break;
	}
	case PT_LOADER_PROXMOX:
	case PT_LOADER_KERNELSTUB:
	case PT_LOADER_UNKNOWN:
		break;
	}
	if (args_changed && p->journal && !p->journal->args_changed) {
		p->journal->args_changed = true;
		if (pt_tokens_merge(&p->journal->args_before, &before->cmdline) < 0 ||
		    pt_tokens_merge(&p->journal->args_after, p->undo ? &none : &now->cmdline) < 0)
			r = r ? r : -ENOMEM;
	}
	if (args_changed && p->boot.loader != PT_LOADER_GRUBBY) {
		char *was = join(&before->cmdline, ' '), *is = join(&now->cmdline, ' ');

		fprintf(out, "  kernel arguments: %s (were: %s)\n", is && *is ? is : "none",
			was && *was ? was : "none");
		free(was);
		free(is);
	}
	return r;
}

/* The kernels under ROOT/lib/modules, sorted. */
static int installed_kernels(const struct pt_apply_plan *p, struct pt_tokens *out)
{
	char dir[PATH_MAX];
	struct dirent **names = NULL;
	int n, r = 0;

	memset(out, 0, sizeof(*out));
	if (pt_path(dir, sizeof(dir), p->root, "lib/modules"))
		return -ENAMETOOLONG;
	n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && r == 0)
			r = pt_tokens_add(out, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return r;
}

/* Alpine builds one initramfs per installed kernel. */
static int rebuild_alpine(const struct pt_apply_plan *p, FILE *out)
{
	struct pt_tokens kernels;
	int r = installed_kernels(p, &kernels);

	for (size_t i = 0; i < kernels.n && r == 0; i++) {
		char *argv[] = { "mkinitfs", kernels.v[i], NULL };

		r = run(p, out, argv);
	}
	if (r == 0 && !kernels.n) {
		char *argv[] = { "mkinitfs", NULL };

		r = run(p, out, argv);
	}
	pt_tokens_free(&kernels);
	if (r == 0) {
		char *argv[] = { "update-extlinux", NULL };

		r = run(p, out, argv);
	}
	return r;
}

/* Fedora with systemd-boot: each installed kernel again through
 * kernel-install, which builds its initramfs and writes its entry. */
static int kernel_install_all(const struct pt_apply_plan *p, FILE *out)
{
	struct pt_tokens kernels;
	int r = installed_kernels(p, &kernels);

	for (size_t i = 0; i < kernels.n && r == 0; i++) {
		char image[PATH_MAX];
		char *argv[] = { "kernel-install", "add", kernels.v[i], image, NULL };

		snprintf(image, sizeof(image), "/lib/modules/%s/vmlinuz", kernels.v[i]);
		r = run(p, out, argv);
	}
	pt_tokens_free(&kernels);
	return r;
}

static int rebuild(const struct pt_apply_plan *p, FILE *out)
{
	switch (p->distro) {
	case PT_DISTRO_DEBIAN: {
		/* With systemd-boot, Debian's post-update hook
		 * (/etc/initramfs/post-update.d/systemd-boot) runs
		 * kernel-install for each image: the entries get the new
		 * /etc/kernel/cmdline. */
		char *initramfs[] = { "update-initramfs", "-u", "-k", "all", NULL };
		char *grub[] = { "update-grub", NULL };
		int r = run(p, out, initramfs);

		return r || p->boot.loader != PT_LOADER_GRUB ? r : run(p, out, grub);
	}
	case PT_DISTRO_FEDORA: {
		char *argv[] = { "dracut", "-f", "--regenerate-all", NULL };

		/* kernel-install runs dracut itself (50-dracut.install) */
		return p->boot.loader == PT_LOADER_KERNEL_INSTALL ? kernel_install_all(p, out) :
								    run(p, out, argv);
	}
	case PT_DISTRO_ALPINE:
		return rebuild_alpine(p, out);
	case PT_DISTRO_UNKNOWN:
		break;
	}
	return 0;
}

/* Before the admin's files are edited, the state claims every token apply
 * had or is about to add: a crash between the edits and the final state
 * must not leave tokens of ours in a file that the next apply would take
 * for the admin's (and never remove). Silent: the final state write
 * reports. Sets *claimed to the text written, if any. */
static int claim_tokens(const struct pt_apply_plan *p, const struct pt_applied *before,
			const struct pt_applied *now, char **claimed)
{
	struct pt_applied both = { 0 };
	char path[PATH_MAX];
	int r = 0;

	if (p->dry_run)
		return 0;
	r = pt_tokens_merge(&both.cmdline, &before->cmdline);
	if (r == 0)
		r = pt_tokens_merge(&both.cmdline, &now->cmdline);
	if (r == 0)
		r = pt_tokens_merge(&both.modules, &before->modules);
	if (r == 0)
		r = pt_tokens_merge(&both.modules, &now->modules);
	if (r == 0)
		r = pt_tokens_merge(&both.init_was, &now->init_was);
	if (r == 0)
		r = pt_tokens_merge(&both.created, &now->created);
	if (r == 0 && !(*claimed = pt_applied_render(&both)))
		r = -ENOMEM;
	if (r == 0 && pt_path(path, sizeof(path), p->root, APPLIED_FILE))
		r = -ENAMETOOLONG;
	if (r == 0)
		r = pt_write_file_atomic(path, *claimed, 0644, false, false);
	if (r == PT_FILE_UNCHANGED) {
		free(*claimed);
		*claimed = NULL;
	}
	pt_applied_free(&both);
	return r < 0 ? r : 0;
}

static int apply_pass(const struct pt_apply_plan *p, FILE *out, bool pending,
		      bool *changed);

static bool rebuild_pending(const struct pt_apply_plan *p)
{
	char path[PATH_MAX];

	return pt_path(path, sizeof(path), p->root, REBUILD_PENDING) == 0 &&
	       access(path, F_OK) == 0;
}

/* Whether a pass would change a file: the same pass, dry, its report
 * discarded. A pass that would refuse changes nothing. */
static bool would_change(const struct pt_apply_plan *p)
{
	struct pt_apply_plan dry = *p;
	char *text = NULL;
	size_t len = 0;
	FILE *sink = open_memstream(&text, &len);
	bool changed = false;

	if (!sink)
		return true; /* assume work: the marker costs one file */
	dry.dry_run = true;
	dry.journal = NULL; /* a rehearsal: not what apply did */
	if (apply_pass(&dry, sink, false, &changed) < 0)
		changed = false;
	fclose(sink);
	free(text);
	return changed;
}

int pt_apply(const struct pt_apply_plan *p, FILE *out)
{
	char path[PATH_MAX];
	bool pending = rebuild_pending(p), changed = false;
	int r;

	fprintf(out, "passthrough apply%s%s (%s%s%s):\n", p->undo ? " --undo" : "",
		p->dry_run ? " --dry-run" : "", pt_distro_name(p->distro),
		on_running_system(p) ? "" : ", root ", on_running_system(p) ? "" : p->root);
	if (p->dry_run)
		fprintf(out, "  boot path  %s: %s\n", pt_loader_name(p->boot.loader), p->boot.why);
	if (pt_path(path, sizeof(path), p->root, REBUILD_PENDING))
		return -ENAMETOOLONG;
	if (!p->dry_run && !pending && would_change(p)) {
		r = pt_write_file_atomic(path, "# `passthrough apply` has not finished "
					 "rebuilding; the next apply does it.\n",
					 0644, false, false);
		if (r < 0) {
			problem(p, out, "failed     /%s: %s", REBUILD_PENDING, strerror(-r));
			fprintf(out, "apply stopped (%s): nothing was changed\n", strerror(-r));
			return r;
		}
		pending = true;
	}
	r = apply_pass(p, out, pending, &changed);
	if (p->journal)
		p->journal->changed = changed || pending;
	if (r == 0 && pending && !p->dry_run)
		r = pt_remove_file(path, false) < 0 ? -EIO : 0;
	return r;
}

/* What turns the binder on at boot: the config for the initramfs and
 * the modprobe.d file. */
static int drop_binder_files(const struct pt_apply_plan *p, FILE *out, bool *changed)
{
	int r = drop_file(p, out, MODPROBE_FILE, changed);

	return r ? r : drop_file(p, out, INITRAMFS_CONF, changed);
}

/* One pass of apply; with `pending`, the rebuild runs even when no file
 * changes (an earlier apply's rebuild did not finish). */
static int apply_pass(const struct pt_apply_plan *p, FILE *out, bool pending,
		      bool *changed_out)
{
	struct pt_applied before, now = { 0 };
	struct admin_files admin = { 0 };
	bool changed = false;
	char *state = NULL, *claimed = NULL;
	int r;

	r = read_applied(p, &before);
	/* What can refuse the whole apply is decided before anything is
	 * written. */
	if (r == 0)
		r = read_admin_files(p, out, &admin);
	if (r < 0)
		goto out;
	if (!p->undo) {
		r = pt_tokens_ours(&p->cmdline, &admin.cmdline, &before.cmdline, &now.cmdline);
		if (r == 0)
			r = pt_tokens_ours(&p->modules, &admin.modules, &before.modules,
					   &now.modules);
		/* the init= value apply replaces: Alpine's default, once */
		if (r == 0 && p->arguments_only)
			; /* the binder stays off: init is put back, as by undo */
		else if (r == 0 && pt_tokens_contain(&admin.init, ALPINE_INIT))
			r = pt_tokens_add(&now.init_was, ALPINE_INIT);
		else if (r == 0 && pt_tokens_contain(&admin.init, PT_MKINITFS_INIT))
			for (size_t i = 0; i < before.init_was.n && r == 0; i++)
				r = pt_tokens_add(&now.init_was, before.init_was.v[i]);
		/* a file apply created stays apply's to remove */
		if (r == 0)
			r = pt_tokens_merge(&now.created, &before.created);
		if (r == 0 && admin.kernel_cmdline_from && now.cmdline.n)
			r = pt_tokens_add(&now.created, KERNEL_CMDLINE);
		if (r == 0 && !p->arguments_only)
			r = pt_write_generated(p, out, &changed);
		else if (r == 0)
			r = drop_binder_files(p, out, &changed);
	} else {
		r = drop_binder_files(p, out, &changed);
	}
	if (r == 0 && !p->undo)
		r = claim_tokens(p, &before, &now, &claimed);
	if (r == 0)
		r = apply_bootloader(p, out, &before, &now, &admin, &changed);
	if (r == 0 && !p->undo) {
		state = pt_applied_render(&now);
		if (state && claimed && !strcmp(state, claimed)) {
			say(p, out, "written", APPLIED_FILE); /* by claim_tokens, already final */
			changed = true;
		} else {
			r = state ? put_file(p, out, APPLIED_FILE, state, false, &changed) : -ENOMEM;
		}
	} else if (r == 0) {
		r = drop_file(p, out, APPLIED_FILE, &changed);
	}
	if (r == 0 && !changed && pending)
		fprintf(out, "  an earlier apply did not finish rebuilding: rebuilding now\n");
	if (r == 0 && (changed || pending))
		r = rebuild(p, out);
	if (r == 0 && !changed && !pending)
		fprintf(out, "  nothing changed\n");
	if (r == 0 && (changed || pending) && !p->dry_run)
		fprintf(out, p->undo ?
			"Next: reboot; no device is bound by passthrough then.\n" :
			p->arguments_only ?
			"Next: reboot (step 1 of 2 done: the kernel arguments are set, no "
			"device is bound). Then run `passthrough apply` again: it checks "
			"the IOMMU groups and turns the binder on. If the IOMMU is still "
			"off, enable VT-d in the firmware setup.\n" :
			"Next: reboot, then run `passthrough status`. If the host does not "
			"come back, boot once with passthrough=off on the kernel command "
			"line (GRUB or systemd-boot: press e on the entry), fix the config, and apply "
			"again.\n");
out:
	*changed_out = changed;
	if (r < 0 && !changed)
		fprintf(out, "apply stopped (%s): nothing was changed\n", strerror(-r));
	else if (r < 0)
		fprintf(out, "apply stopped (%s): the files listed as written are in "
			"place, the others are as they were; run apply again once "
			"the cause is fixed\n", strerror(-r));
	free(state);
	free(claimed);
	pt_applied_free(&before);
	pt_applied_free(&now);
	admin_files_free(&admin);
	return r;
}
