/* The commands of the host tool, one struct each (session.h), defined in
 * the file under commands/ that implements it and listed by main.c. */
#ifndef PT_COMMANDS_H
#define PT_COMMANDS_H

#include "session.h"

extern const struct pt_command pt_command_list, pt_command_show, pt_command_check,
	pt_command_status, pt_command_cmdline, pt_command_hostdev, pt_command_bind,
	pt_command_unbind, pt_command_generate, pt_command_apply,
	pt_command_initramfs_config, pt_command_disks, pt_command_disk, pt_command_luks,
	pt_command_guest_mounts, pt_command_add, pt_command_remove, pt_command_doctor;

/* virsh with its output and error captured (disks.c): its exit status,
 * or -1 when it could not run; and what it said on stderr, or fallback. */
int pt_virsh(char *const argv[], char **out, char **err);
const char *pt_virsh_said(char *err, const char *fallback);

#endif
