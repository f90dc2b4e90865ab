/* Mounts, swaps and holders: which block device the host uses, and for
 * what (mounts.c). */
#ifndef PT_MOUNTS_H
#define PT_MOUNTS_H

#include "disks.h"

#include <stdbool.h>
#include <stddef.h>

/* One line of mountinfo: where, and the block devices under it. An
 * ordinary filesystem is found by its device number; btrfs, bcachefs and
 * ZFS report an anonymous one (major 0), so theirs are found from the
 * mount source instead. */
struct mount_entry {
	unsigned major, minor;
	char *where;
	char *fstype;
	/* Kernel names (sda2, dm-0) from the mount source; devices[0] is the
	 * one the mount names, the rest are other members of its btrfs or
	 * bcachefs. */
	char **devices;
	size_t n_devices;
};

struct mount_table {
	struct mount_entry *v;
	size_t n;
	char **swaps; /* device paths from /proc/swaps */
	size_t n_swaps;
	struct pt_zfs_mounts *zfs;
	size_t n_zfs;
};

/* Reads ROOT/proc/self/mountinfo and ROOT/proc/swaps. */
void pt_mounts_read(const char *sysfs, const char *root, struct mount_table *t);
void pt_mounts_free(struct mount_table *t);
/* Records the uses of one block device (a disk, a partition or a holder)
 * in *uses and why[], following holders (dm, md) down to their mounts. */
void pt_device_uses(const char *sysfs, const char *devdir, const char *name,
		    const struct mount_table *t, unsigned *uses, char *why, size_t whylen,
		    int depth);

#endif
