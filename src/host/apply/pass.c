/* The toolkit of the apply pass and its backends (pass.h): every file
 * written, removed or edited and every command run goes through here, so
 * each is said once and recorded in the journal. */
#include "pass.h"
#include "fileio.h"
#include "shellvars.h"
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

bool apply_on_running_system(const struct pt_apply_plan *p)
{
	return !p->root[0] || !strcmp(p->root, "/");
}

/* Every event goes to the renderer the journal has, once recorded. The
 * event carries its own data: what memory could not record is shown all
 * the same. */
static void show(const struct pt_apply_plan *p, const struct pt_apply_event *e)
{
	if (p->journal && p->journal->show)
		p->journal->show(p, p->journal, e, p->journal->show_data);
}

void apply_say(const struct pt_apply_plan *p, const char *what, const char *rel)
{
	struct pt_apply_journal *j = p->journal;
	struct pt_apply_file *v;
	char path[PATH_MAX + 1];

	snprintf(path, sizeof(path), "/%s", rel);
	if (j && (v = realloc(j->files, (j->n_files + 1) * sizeof(*v)))) {
		j->files = v;
		v[j->n_files] = (struct pt_apply_file){ .action = what };
		if ((v[j->n_files].path = strdup(path)))
			j->n_files++;
	}
	show(p, &(struct pt_apply_event){ .kind = PT_EVENT_FILE, .path = path, .action = what });
}

void apply_event(const struct pt_apply_plan *p, enum pt_apply_event_kind kind, const char *text)
{
	struct pt_apply_journal *j = p->journal;
	char **slot = !j ? NULL : kind == PT_EVENT_NEXT ? &j->next :
			  kind == PT_EVENT_STOPPED ? &j->stopped : NULL;

	if (slot) {
		free(*slot);
		*slot = strdup(text);
	}
	show(p, &(struct pt_apply_event){ .kind = kind, .text = text });
}

void apply_eventf(const struct pt_apply_plan *p, enum pt_apply_event_kind kind,
		  const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	apply_event(p, kind, text ? text : fmt);
	free(text);
}

void apply_arguments(const struct pt_apply_plan *p, const struct pt_tokens *before,
		     const struct pt_tokens *after)
{
	show(p, &(struct pt_apply_event){ .kind = PT_EVENT_ARGUMENTS, .before = before,
					  .after = after });
}

void apply_problem(const struct pt_apply_plan *p, const char *fmt, ...)
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
	show(p, &(struct pt_apply_event){ .kind = PT_EVENT_PROBLEM, .text = line });
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
int apply_follow_links(const struct pt_apply_plan *p, const char *rel, char *out,
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
int apply_put_file(const struct pt_apply_plan *p, const char *rel,
		    const char *content, bool backup, bool *changed)
{
	char path[PATH_MAX];
	int r;

	r = apply_follow_links(p, rel, path, sizeof(path));
	if (r == 0)
		r = pt_write_file_atomic(path, content, 0644, backup, p->dry_run);
	if (r < 0) {
		apply_problem(p, "failed     /%s: %s", rel, strerror(-r));
		return r;
	}
	if (r == PT_FILE_WRITTEN) {
		*changed = true;
		apply_say(p, p->dry_run ? "would write" : "written", rel);
		if (backup)
			note_backup(p, path);
	} else {
		apply_say(p, "unchanged", rel);
	}
	return 0;
}

int apply_drop_file(const struct pt_apply_plan *p, const char *rel,
		     bool *changed)
{
	char path[PATH_MAX];
	int r;

	if (pt_path(path, sizeof(path), p->root, "%s", rel))
		return -ENAMETOOLONG;
	r = pt_remove_file(path, p->dry_run);
	if (r < 0) {
		apply_problem(p, "failed     removing /%s: %s", rel, strerror(-r));
		return r;
	}
	if (r == PT_FILE_WRITTEN) {
		*changed = true;
		apply_say(p, p->dry_run ? "would remove" : "removed", rel);
	}
	return 0;
}

/* Runs a command on the running system; with --root, says what would run. */
int apply_run(const struct pt_apply_plan *p, char *const argv[])
{
	struct pt_apply_command *noted = note_command(p, argv);
	bool will_run = !p->dry_run && apply_on_running_system(p);
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status, r;

	show(p, &(struct pt_apply_event){ .kind = PT_EVENT_COMMAND, .argv = argv,
					  .will_run = will_run });
	if (!will_run)
		return 0;
	/* With --json, stdout is the JSON's: the command speaks on stderr. */
	posix_spawn_file_actions_init(&actions);
	if (p->journal && p->journal->commands_to_stderr)
		posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
	r = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (r) {
		apply_problem(p, "failed     %s: %s", argv[0], strerror(r));
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
		apply_problem(p, "failed     %s exited with status %d", argv[0], status);
		return -EIO;
	}
	return 0;
}

int apply_require_grub_dropin(const struct pt_apply_plan *p)
{
	if (apply_on_running_system(p) && !p->undo && access("/" GRUB_DROPIN, F_OK) != 0) {
		apply_problem(p, "refused    /%s is missing: install it (make install "
			      "DISTRO=debian), or GRUB boots without the kernel arguments",
			      GRUB_DROPIN);
		return -ENOENT;
	}
	return 0;
}

char *apply_join(const struct pt_tokens *t, char sep)
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

/* Applies every edit of one file in memory, then writes it once, so its
 * backup is the admin's version and never a half-edited one. With --undo,
 * the backup goes too. */
int apply_edit_file(const struct pt_apply_plan *p, const char *rel,
		     const struct apply_edit *edits, size_t n, bool *changed)
{
	char path[PATH_MAX], *text;
	int r;

	if ((r = apply_follow_links(p, rel, path, sizeof(path))))
		return r;
	text = pt_read_file(path);
	if (!text) {
		r = -errno;
		apply_problem(p, "failed     /%s: %s", rel, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n && text; i++) {
		const struct apply_edit *e = &edits[i];
		struct pt_shell_error err = { 0 };
		char *edited;

		if (e->editor)
			edited = e->editor(text, e->old, e->add, &err);
		else if ((e->var ? pt_assignment_check(text, e->var, &err) :
				   pt_cmdline_file_check(text, &err)) < 0)
			edited = NULL;
		else
			edited = e->var ? pt_edit_assignment(text, e->var, e->sep, e->old, e->add) :
					  pt_edit_cmdline_file(text, e->old, e->add);
		if (!edited && err.what[0]) {
			apply_problem(p, "refused    /%s line %zu: %s; fix that line (or remove "
				"it) and run apply again", rel, err.line, err.what);
			free(text);
			return -EINVAL;
		}
		free(text);
		text = edited;
	}
	if (!text)
		return -ENOMEM;
	/* Undo keeps the backup (the admin's version) as it is until the
	 * restored file is in place; only then does it go. */
	r = apply_put_file(p, rel, text, !p->undo, changed);
	free(text);
	if (r == 0 && p->undo) {
		/* The backup is next to the file edited: a link's target. */
		char target[PATH_MAX], bak[PATH_MAX + 32];

		/* follow_links gives ROOT/..., as pt_path builds it */
		r = apply_follow_links(p, rel, target, sizeof(target));
		if (r == 0 && snprintf(bak, sizeof(bak), "%s.passthrough-backup",
				       target + strlen(p->root) + 1) >= (int)sizeof(bak))
			r = -ENAMETOOLONG;
		if (r == 0)
			r = apply_drop_file(p, bak, changed);
	}
	return r;
}

bool apply_tokens_equal(const struct pt_tokens *a, const struct pt_tokens *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!pt_tokens_contain(b, a->v[i]))
			return false;
	return true;
}

void apply_admin_free(struct apply_admin *a)
{
	pt_tokens_free(&a->cmdline);
	pt_tokens_free(&a->modules);
	pt_tokens_free(&a->init);
	free(a->kernel_cmdline_from);
}

/* Reads ROOT/rel (NULL and a message when it cannot) and refuses it when
 * one of `vars` is not a value passthrough can edit exactly. */
char *apply_read_editable(const struct pt_apply_plan *p, const char *rel,
			   const char *const *vars, int *r)
{
	char path[PATH_MAX], *text;
	struct pt_shell_error err;

	if ((*r = apply_follow_links(p, rel, path, sizeof(path))))
		return NULL;
	if (!(text = pt_read_file(path))) {
		*r = -errno;
		apply_problem(p, "failed     /%s: %s", rel, pt_file_error(-*r));
		return NULL;
	}
	for (; *vars; vars++)
		if (pt_assignment_check(text, *vars, &err) < 0) {
			apply_problem(p, "refused    /%s line %zu: %s; fix that line by hand "
				"and run apply again", rel, err.line, err.what);
			free(text);
			*r = -EINVAL;
			return NULL;
		}
	*r = 0;
	return text;
}

/* The kernels under ROOT/lib/modules, sorted. */
int apply_installed_kernels(const struct pt_apply_plan *p, struct pt_tokens *out)
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
	free(j->next);
	free(j->stopped);
	free(j->files);
	free(j->commands);
	free(j->problems);
	pt_tokens_free(&j->args_before);
	pt_tokens_free(&j->args_after);
	memset(j, 0, sizeof(*j));
}
