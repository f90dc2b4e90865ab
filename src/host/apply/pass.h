/* Inside apply/: the toolkit of the apply pass (pass.c) and the two kinds
 * of backends a boot path is made of. A boot path is a boot loader (where
 * the kernel's arguments live: GRUB's drop-in, grubby, extlinux,
 * kernel-install) and the family's initramfs generator (initramfs-tools,
 * dracut, mkinitfs); apply.c runs the same pass over any pair, and each
 * backend is a file of its own (loader-*.c, initramfs-*.c) listed in
 * backends.c. Adding a boot path is one new file and a line there. */
#ifndef PT_APPLY_PASS_H
#define PT_APPLY_PASS_H

#include "applied.h"
#include "apply.h"
#include "shellvars.h"

#include <stdbool.h>
#include <stdio.h>

/* Files apply owns or edits, relative to the root. */
#define MODPROBE_FILE "etc/modprobe.d/passthrough.conf"
#define INITRAMFS_CONF PT_INITRAMFS_CONF
#define APPLIED_FILE PT_APPLIED_FILE
#define REBUILD_PENDING PT_REBUILD_PENDING
#define EXTLINUX_CONF "etc/update-extlinux.conf"
#define MKINITFS_CONF "etc/mkinitfs/mkinitfs.conf"
#define GRUB_DROPIN "etc/default/grub.d/passthrough.cfg"
/* kernel-install's command line for every boot entry it writes */
#define KERNEL_CMDLINE "etc/kernel/cmdline"
/* Alpine's own init= default, which apply may replace (and puts back) */
#define ALPINE_INIT "/usr/share/mkinitfs/initramfs-init"

/* One assignment to edit in a file: our previous tokens out, the new in.
 * No var: the file is a kernel command line (/etc/kernel/cmdline), or,
 * with an editor, a format of its own (kernelstub's JSON): it returns the
 * edited text, or NULL with err set (NULL, err.what empty: no memory). */
struct apply_edit {
	const char *var;
	char sep;
	const struct pt_tokens *old, *add;
	char *(*editor)(const char *text, const struct pt_tokens *remove,
			const struct pt_tokens *add, struct pt_shell_error *err);
};

/* What the admin's files hold before apply edits them: the tokens already
 * there are theirs unless apply added them (pt_tokens_ours). */
struct apply_admin {
	struct pt_tokens cmdline, modules, init;
	/* kernel-install without /etc/kernel/cmdline uses the running
	 * command line: apply creates the file from it */
	char *kernel_cmdline_from;
};

/* ---- the toolkit (pass.c) ---- */

bool apply_on_running_system(const struct pt_apply_plan *p);
/* "  written    /etc/..." on out, and the file in the journal. */
void apply_say(const struct pt_apply_plan *p, const char *what, const char *rel);
/* Any other event: a note, the next step, why the pass stopped. */
void apply_event(const struct pt_apply_plan *p, enum pt_apply_event_kind kind, const char *text);
void apply_eventf(const struct pt_apply_plan *p, enum pt_apply_event_kind kind,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The kernel's arguments changed from before to after. */
void apply_arguments(const struct pt_apply_plan *p, const struct pt_tokens *before,
		     const struct pt_tokens *after);
/* A line saying why apply refused, failed, or what is missing. */
void apply_problem(const struct pt_apply_plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Where ROOT/rel really is, a symbolic link followed inside the root. */
int apply_follow_links(const struct pt_apply_plan *p, const char *rel, char *out, size_t len);
/* Writes ROOT/rel when its content differs (with `backup`, the admin's
 * version is kept once); says so either way. */
int apply_put_file(const struct pt_apply_plan *p, const char *rel,
		   const char *content, bool backup, bool *changed);
int apply_drop_file(const struct pt_apply_plan *p, const char *rel, bool *changed);
/* Every edit of one file in memory, written once: its backup is the
 * admin's version, never a half-edited one. */
int apply_edit_file(const struct pt_apply_plan *p, const char *rel,
		    const struct apply_edit *edits, size_t n, bool *changed);
/* ROOT/rel, refused (NULL, *r, a line on out) when one of `vars` is not a
 * value passthrough can edit exactly. */
char *apply_read_editable(const struct pt_apply_plan *p, const char *rel,
			  const char *const *vars, int *r);
/* Runs a command on the running system; with --root or --dry-run, says
 * what would run. */
int apply_run(const struct pt_apply_plan *p, char *const argv[]);
/* On the machine itself, GRUB without our drop-in would boot without the
 * arguments: refused (-ENOENT, said) before anything is written. */
int apply_require_grub_dropin(const struct pt_apply_plan *p);
/* The kernels under ROOT/lib/modules, sorted. */
int apply_installed_kernels(const struct pt_apply_plan *p, struct pt_tokens *out);
char *apply_join(const struct pt_tokens *t, char sep);
bool apply_tokens_equal(const struct pt_tokens *a, const struct pt_tokens *b);
void apply_admin_free(struct apply_admin *a);

/* ---- the backends ---- */

struct pt_generator;

/* A family's initramfs generator. Every hook may be NULL. */
struct pt_generator {
	enum pt_distro family;
	const char *name;
	/* The admin's settings it edits, read before anything is written. */
	int (*read)(const struct pt_apply_plan *p, struct apply_admin *a);
	/* What it must remember in the state (mkinitfs: the init= it replaced). */
	int (*plan)(const struct pt_apply_plan *p, const struct apply_admin *a,
		    const struct pt_applied *before, struct pt_applied *now);
	/* Turns the binder on in its images, or off with undo or step 1. */
	int (*edit)(const struct pt_apply_plan *p, const struct pt_applied *before,
		    bool *changed);
	/* Builds every installed kernel's image again. */
	int (*rebuild)(const struct pt_apply_plan *p);
	/* kernel-install builds its images itself (dracut's 50-dracut.install). */
	bool built_by_kernel_install;
};

/* A boot loader's side: where the kernel's arguments live. */
struct pt_loader_backend {
	enum pt_loader loader;
	/* Before anything is written: what must be there, and the
	 * arguments the admin's files hold now. */
	int (*read)(const struct pt_apply_plan *p, struct apply_admin *a);
	/* Before anything is written: what it must refuse (grubby: another
	 * value of a name we add) and the files it creates, remembered for
	 * undo (kernel-install). */
	int (*plan)(const struct pt_apply_plan *p, const struct apply_admin *a,
		    const struct pt_applied *before, struct pt_applied *now);
	/* before's arguments out, now's in (undo: none in). */
	int (*edit)(const struct pt_apply_plan *p, const struct pt_applied *before,
		    const struct pt_applied *now, const struct apply_admin *a, bool *changed);
	/* The images, when this loader builds them its own way; NULL: the
	 * generator's rebuild. */
	int (*rebuild)(const struct pt_apply_plan *p, const struct pt_generator *gen);
	/* After the images: the boot entries (update-grub, update-extlinux);
	 * NULL when the images' rebuild writes them. */
	int (*refresh)(const struct pt_apply_plan *p);
	/* Its edit says the arguments' change itself (grubby's command). */
	bool says_arguments;
};

const struct pt_generator *pt_generator_of(enum pt_distro family);
const struct pt_loader_backend *pt_loader_backend_of(enum pt_loader loader);

#endif
