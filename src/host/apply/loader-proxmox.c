/* proxmox-boot-tool (Proxmox VE): it keeps the boot partitions listed in
 * /etc/kernel/proxmox-boot-uuids. Booted by UEFI it writes systemd-boot
 * entries there whose options are the FIRST line of /etc/kernel/cmdline
 * (zz-proxmox-boot: get_first_line, which must hold root=); booted by a
 * BIOS it runs update-grub, so our GRUB drop-in gives the arguments.
 * update-initramfs -u -k all runs `proxmox-boot-tool refresh` through
 * its post-update hook (proxmox-boot-sync). kernel-install is never used:
 * proxmox-boot-tool turns Debian's systemd-boot hooks off. */
#include "pass.h"
#include "shellvars.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The mode proxmox-boot-tool takes: systemd-boot when the machine booted
 * by UEFI (/sys/firmware/efi), as it decides. */
static bool booted_by_uefi(const struct pt_apply_plan *p)
{
	char path[PATH_MAX];

	return pt_path(path, sizeof(path), p->root, "sys/firmware/efi") == 0 &&
	       access(path, F_OK) == 0;
}

static char *first_line(const char *text)
{
	return strndup(text, strcspn(text, "\n"));
}

/* /etc/kernel/cmdline's first line, the one proxmox-boot-tool reads: it
 * must hold root= (else proxmox-boot-tool refuses to refresh). Without
 * the file, in GRUB mode, the drop-in must be there. */
static int proxmox_read(const struct pt_apply_plan *p, struct apply_admin *a)
{
	char path[PATH_MAX], *text, *line;
	struct pt_shell_error err;
	int r;

	if ((r = apply_follow_links(p, KERNEL_CMDLINE, path, sizeof(path))))
		return r;
	if (!(text = pt_read_file(path))) {
		if (errno != ENOENT)
			return -errno;
		if (booted_by_uefi(p)) {
			apply_problem(p, "refused    /%s is missing: proxmox-boot-tool's systemd-boot "
				      "entries take their options from its first line; write the "
				      "line with root= there first", KERNEL_CMDLINE);
			return -ENOENT;
		}
		return apply_require_grub_dropin(p);
	}
	r = pt_cmdline_file_check(text, &err);
	line = r == 0 ? first_line(text) : NULL;
	free(text);
	if (r < 0) {
		apply_problem(p, "refused    /%s line %zu: %s; fix that line by hand and run "
			      "apply again", KERNEL_CMDLINE, err.line, err.what);
		return -EINVAL;
	}
	if (!line)
		return -ENOMEM;
	if (!strstr(line, "root=")) {
		apply_problem(p, "refused    /%s: its first line has no root=, which "
			      "proxmox-boot-tool needs there (it reads no other line); fix it "
			      "and run apply again", KERNEL_CMDLINE);
		free(line);
		return -EINVAL;
	}
	r = pt_tokens_split(line, ' ', &a->cmdline);
	free(line);
	return r;
}

/* Our tokens on the first line only, the rest of the file as it is. */
static int proxmox_edit(const struct pt_apply_plan *p, const struct pt_applied *before,
			const struct pt_applied *now, const struct apply_admin *a, bool *changed)
{
	static const struct pt_tokens none;
	char path[PATH_MAX], *text, *head, *edited, *out = NULL;
	size_t n;
	int r;

	(void)a;
	if ((r = apply_follow_links(p, KERNEL_CMDLINE, path, sizeof(path))))
		return r;
	if (!(text = pt_read_file(path)))
		return errno == ENOENT ? 0 : -errno; /* GRUB mode: the drop-in */
	n = strcspn(text, "\n");
	head = strndup(text, n + (text[n] == '\n'));
	edited = head ? pt_edit_cmdline_file(head, &before->cmdline,
					     p->undo ? &none : &now->cmdline) : NULL;
	if (edited && asprintf(&out, "%s%s", edited, text + n + (text[n] == '\n')) < 0)
		out = NULL;
	r = out ? apply_put_file(p, KERNEL_CMDLINE, out, !p->undo, changed) : -ENOMEM;
	if (r == 0 && p->undo) {
		char bak[PATH_MAX + 32];

		snprintf(bak, sizeof(bak), "%s.passthrough-backup", KERNEL_CMDLINE);
		r = apply_drop_file(p, bak, changed);
	}
	free(text);
	free(head);
	free(edited);
	free(out);
	return r;
}

const struct pt_loader_backend pt_loader_proxmox = {
	.loader = PT_LOADER_PROXMOX,
	.read = proxmox_read,
	.edit = proxmox_edit,
};
