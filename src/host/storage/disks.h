/* Block devices and what the host needs them for. One implementation for
 * `list` (disks under each storage controller), `check` (never hand the
 * host's own disk to a guest) and `disks`. Read from sysfs and /proc only,
 * so every case can be built as a fake tree. */
#ifndef PT_DISKS_H
#define PT_DISKS_H

#include "blockinfo.h"
#include "pciid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why the host cannot give a disk away. */
enum pt_disk_use {
	PT_USE_ROOT = 1 << 0,    /* holds / */
	PT_USE_BOOT = 1 << 1,    /* holds /boot or /boot/efi */
	PT_USE_SWAP = 1 << 2,
	PT_USE_MOUNTED = 1 << 3, /* any other mounted filesystem */
	PT_USE_CRYPT = 1 << 4,   /* an open dm-crypt (LUKS) mapping */
	PT_USE_LVM = 1 << 5,     /* an active LVM physical volume */
	PT_USE_HOLDER = 1 << 6,  /* another holder: md RAID, other dm */
};

/* A partition, or what holds a whole disk's own content. */
struct pt_part {
	char name[32];      /* sda1 */
	uint64_t size;      /* bytes */
	unsigned uses;      /* its own, holders included */
	char why[256];
	struct pt_fsinfo fs;
	struct pt_luks_info luks; /* when fs.type is crypto_LUKS */
	bool has_luks;
};

struct pt_disk {
	char name[32];      /* sda, nvme0n1 */
	char model[64];
	char serial[64];
	char by_id[16 + 256]; /* /dev/disk/by-id/..., "" when udev made none */
	uint64_t size;      /* bytes */
	bool has_controller;
	struct pt_pci_addr controller; /* the PCI device it sits behind */
	unsigned uses;      /* of the disk, its partitions and their holders */
	char why[512];      /* "sda1 mounted on /data; sda2 held by dm-0 (LUKS mapping vault)" */
	struct pt_part whole; /* the disk's own content and uses (a LUKS disk) */
	struct pt_part *parts;
	size_t n_parts;
};

struct pt_disks {
	struct pt_disk *v;
	size_t n;
};

/* The mounted datasets of one ZFS pool (rpool/ROOT/debian on /, ...).
 * mountinfo names no device for them: the pool's vdevs are the disks and
 * partitions libblkid finds a zfs_member labelled with the pool on. */
struct pt_zfs_mounts {
	char *pool;
	unsigned uses;    /* of all its mounts */
	char *where;      /* the mountpoint that tells most: /, then /boot */
	size_t n_mounts;
};

/* The PCI device a sysfs object sits behind: the last PCI address in the
 * real path of `path` (.../0000:00:05.0/ata7/host6/.../block/sda). */
bool pt_pci_device_behind(const char *path, struct pt_pci_addr *out);

/* Block device names as the kernel makes them (sda1, nvme0n1p2, dm-0). */
bool pt_valid_block_name(const char *s);

/* Reads sysfs and /proc; then, with `probe`, what is on each disk and
 * partition through ROOT/dev/NAME (libblkid, libcryptsetup). */
int pt_read_disks(const char *sysfs, const char *root, bool probe, struct pt_disks *out);
/* The disk a block device name (sda, sda2) is or belongs to; the
 * partition in *part (NULL for the whole disk). */
const struct pt_disk *pt_find_disk(const struct pt_disks *d, const char *name,
				   const struct pt_part **part);
void pt_disks_free(struct pt_disks *d);
/* Adds the pool's uses to each probed disk and partition in it:
 * pt_read_disks does this when it probes. */
void pt_mark_zfs_vdevs(struct pt_disks *d, const struct pt_zfs_mounts *z);
/* A path under /dev, looked up under ROOT (/dev/sdb1, /dev/disk/by-id/...),
 * to the disk it is or belongs to; the partition in *part. When the path
 * does not exist under ROOT, `by_name_if_missing` takes its last component
 * as the kernel's name (a config may name a node the root lacks). */
const struct pt_disk *pt_disk_by_path(const struct pt_disks *d, const char *root,
				      const char *dev, bool by_name_if_missing,
				      const struct pt_part **part);
/* The /dev/disk/by-id name udev made for a block device (not a wwn- one
 * when there is another), "" when there is none. */
void pt_by_id_name(const char *root, const char *name, char *out, size_t len);
/* The uses as words ("root", "/boot", ...): fills words[], returns how
 * many. */
size_t pt_disk_uses_words(unsigned uses, const char *words[], size_t max);
/* "root, /boot, mounted": the uses as words. */
void pt_disk_uses_text(unsigned uses, char *buf, size_t len);
/* "16.0 GiB" */
void pt_format_size(uint64_t bytes, char *buf, size_t len);

#endif
