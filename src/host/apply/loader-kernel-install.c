/* kernel-install (systemd-boot's boot entries): the kernel's arguments are
 * /etc/kernel/cmdline, which kernel-install puts on every entry it writes. */
#include "pass.h"
#include "fileio.h"
#include "shellvars.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Arguments of this boot alone, which must not be frozen into the file
 * every future entry gets: the boot loader's own (BOOT_IMAGE=, initrd=);
 * what an admin types once at a boot prompt to rescue a host: our own
 * passthrough=off, systemd.unit= (rescue.target), single and the other
 * runlevel words, emergency, rescue, init= (init=/bin/sh); and the
 * initramfs breakpoints (dracut's rd.break and rd.shell, initramfs-tools'
 * break). */
static bool one_off(const char *tok)
{
	static const char *const prefixes[] = { "BOOT_IMAGE=", "initrd=", "passthrough=",
						"systemd.unit=", "init=", "rd.break=", "rd.shell=",
						"break=" };
	static const char *const words[] = { "single", "s", "S", "-s", "1", "emergency",
					     "rescue", "rd.break", "rd.shell", "break" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(tok, prefixes[i], strlen(prefixes[i])))
			return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(tok, words[i]))
			return true;
	return false;
}

/* kernel-install: /etc/kernel/cmdline, refused on a line the kernel
 * would misread; without it, the running command line (as kernel-install
 * takes it), which apply writes there, less this boot's one-off
 * arguments. */
static int kernel_install_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	char path[PATH_MAX], *text;
	struct pt_shell_error err;
	struct pt_tokens running = { 0 };
	int r;

	if ((r = apply_follow_links(p, KERNEL_CMDLINE, path, sizeof(path))))
		return r;
	if ((text = pt_read_file(path))) {
		if (pt_cmdline_file_check(text, &err) < 0) {
			apply_problem(p, "refused    /%s line %zu: %s; fix that line by hand "
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
		if (!one_off(running.v[i]))
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

/* What apply last wrote into a /etc/kernel/cmdline it created, beside its
 * state: undo removes the file only while it still holds exactly that; an
 * admin's edit since makes it theirs, and undo then takes only our tokens
 * out of it. */
#define KERNEL_CMDLINE_WRITTEN "var/lib/passthrough/kernel-cmdline.written"

static int written_path(const struct pt_apply_plan *p, const char *rel, char *out, size_t len)
{
	return pt_path(out, len, p->root, "%s", rel);
}

/* keep: a copy of the file as it is now; else none. Silent: apply's own
 * bookkeeping, as its state file's claim. */
static int keep_written(const struct pt_apply_plan *p, bool keep)
{
	char path[PATH_MAX], copy[PATH_MAX], *text;
	int r;

	if (p->dry_run)
		return 0;
	if (written_path(p, KERNEL_CMDLINE_WRITTEN, copy, sizeof(copy)) ||
	    written_path(p, KERNEL_CMDLINE, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (!keep)
		return pt_remove_file(copy, false) < 0 ? -EIO : 0;
	if (!(text = pt_read_file(path)))
		return -errno;
	r = pt_write_file_atomic(copy, text, 0644, false, false);
	free(text);
	return r < 0 ? r : 0;
}

/* Whether the admin changed the file apply created since apply wrote it
 * (no copy kept, from an older apply: not changed, as before). */
static bool edited_since(const struct pt_apply_plan *p)
{
	char path[PATH_MAX], copy[PATH_MAX], *now, *then;
	bool edited;

	if (written_path(p, KERNEL_CMDLINE_WRITTEN, copy, sizeof(copy)) ||
	    written_path(p, KERNEL_CMDLINE, path, sizeof(path)) || !(then = pt_read_file(copy)))
		return false;
	now = pt_read_file(path);
	edited = now && strcmp(now, then) != 0;
	free(now);
	free(then);
	return edited;
}

/* The file apply created from the running command line is apply's to
 * remove on undo. */
static int kernel_install_plan(const struct pt_apply_plan *p, const struct apply_admin *a,
			       const struct pt_applied *before, struct pt_applied *now)
{
	(void)p, (void)before;
	return a->kernel_cmdline_from && now->cmdline.n ?
		       pt_tokens_add(&now->created, KERNEL_CMDLINE) : 0;
}

/* kernel-install: our tokens in /etc/kernel/cmdline. Without the file
 * (kernel-install then takes the running command line), apply creates it
 * from that command line, and undo removes it again. */
static int kernel_install_edit(const struct pt_apply_plan *p, const struct pt_applied *before, const struct pt_applied *now,
			       const struct apply_admin *admin, bool *changed)
{
	static const struct pt_tokens none;
	const struct apply_edit e = { .sep = ' ', .old = &before->cmdline,
				      .add = p->undo ? &none : &now->cmdline };
	char *running, *text;
	int r;

	if (p->undo && pt_tokens_contain(&before->created, KERNEL_CMDLINE) && !edited_since(p)) {
		char dir[PATH_MAX];

		r = apply_drop_file(p, KERNEL_CMDLINE, changed);
		/* and etc/kernel, when apply made it for the file */
		if (r == 0 && !p->dry_run && pt_path(dir, sizeof(dir), p->root, "etc/kernel") == 0)
			(void)rmdir(dir);
		return r == 0 ? keep_written(p, false) : r;
	}
	if (!admin->kernel_cmdline_from) {
		/* the file exists: only our tokens change (a file apply made
		 * and the admin edited since: undo takes only ours) */
		r = apply_edit_file(p, KERNEL_CMDLINE, &e, 1, changed);
		return r == 0 ? keep_written(p, !p->undo &&
					     pt_tokens_contain(&now->created, KERNEL_CMDLINE)) : r;
	}
	if (p->undo || !now->cmdline.n)
		return 0;
	if (asprintf(&running, "%s\n", admin->kernel_cmdline_from) < 0)
		return -ENOMEM;
	text = pt_edit_cmdline_file(running, &none, &now->cmdline);
	free(running);
	r = text ? apply_put_file(p, KERNEL_CMDLINE, text, false, changed) : -ENOMEM;
	free(text);
	return r == 0 ? keep_written(p, true) : r;
}

/* Fedora with systemd-boot: each installed kernel again through
 * kernel-install, which builds its initramfs and writes its entry. */
static int kernel_install_all(const struct pt_apply_plan *p)
{
	struct pt_tokens kernels;
	int r = apply_installed_kernels(p, &kernels);

	for (size_t i = 0; i < kernels.n && r == 0; i++) {
		char image[PATH_MAX];
		char *argv[] = { "kernel-install", "add", kernels.v[i], image, NULL };

		snprintf(image, sizeof(image), "/lib/modules/%s/vmlinuz", kernels.v[i]);
		r = apply_run(p, argv);
	}
	pt_tokens_free(&kernels);
	return r;
}

/* Where kernel-install builds the images itself (dracut's
 * 50-dracut.install), each kernel again through it, which also writes its
 * entry; elsewhere (initramfs-tools) the generator's rebuild runs the
 * post-update hook that calls kernel-install. */
static int kernel_install_rebuild(const struct pt_apply_plan *p, const struct pt_generator *gen)
{
	if (gen->built_by_kernel_install)
		return kernel_install_all(p);
	return gen->rebuild ? gen->rebuild(p) : 0;
}

const struct pt_loader_backend pt_loader_kernel_install = {
	.loader = PT_LOADER_KERNEL_INSTALL,
	.read = kernel_install_read,
	.plan = kernel_install_plan,
	.edit = kernel_install_edit,
	.rebuild = kernel_install_rebuild,
};
