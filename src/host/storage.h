/* The storage commands of the host tool (storage.c): every disk with its
 * controller and what the host uses it for, a disk for a libvirt guest,
 * LUKS headers, and the guest's crypttab and fstab lines. */
#ifndef PT_STORAGE_H
#define PT_STORAGE_H

#include "host.h"

int pt_cmd_disks(struct host *h, int argc, char **argv);
int pt_cmd_disk(struct host *h, int argc, char **argv);
int pt_cmd_luks(struct host *h, int argc, char **argv);
int pt_cmd_guest_mounts(struct host *h, int argc, char **argv);

#endif
