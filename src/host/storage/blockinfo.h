/* What is on a block device or image: the filesystem or partition table
 * signature (libblkid) and the LUKS header (libcryptsetup). Both work on
 * image files without root, which is how the tests use them. */
#ifndef PT_BLOCKINFO_H
#define PT_BLOCKINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pt_fsinfo {
	bool probed;       /* false: the device could not be read */
	char type[32];     /* "ext4", "crypto_LUKS", "LVM2_member", ... */
	char uuid[64];
	char label[64];
	char pttype[16];   /* "gpt", "dos" for a partitioned disk */
};

/* Probes with blkid_do_safeprobe; an empty type when nothing is found.
 * Returns 0, or -errno when the device cannot be opened. */
int pt_probe_fs(const char *path, struct pt_fsinfo *out);

/* The number of the partition of the disk (or image) at path whose table
 * entry has this UUID (GPT's partition GUID, "0ba5e000-01" on MBR), as
 * root=PARTUUID= names it; -ENOENT when none has. */
int pt_partition_with_uuid(const char *disk, const char *uuid);

#define PT_LUKS_MAX_SLOTS 32

struct pt_luks_info {
	char type[16];        /* "LUKS1", "LUKS2" */
	char uuid[40];
	char label[64];
	char cipher[64];      /* "aes-xts-plain64" */
	int key_bits;
	uint64_t data_offset; /* bytes */
	bool detached;        /* the header lives apart from the data */
	int slots[PT_LUKS_MAX_SLOTS]; /* key slots in use */
	size_t n_slots;
	uint64_t data_size;   /* bytes of the data device */
};

/* Reads the LUKS header of `device`, or of `header` for the data on
 * `device` (a detached header). No passphrase is needed or asked. On
 * failure returns -errno and puts the reason, for a person, in err. */
int pt_luks_inspect(const char *device, const char *header, struct pt_luks_info *out,
		    char *err, size_t errlen);

/* Writes a copy of the header (crypt_header_backup) to a new file, mode
 * 0600; refuses to overwrite. */
int pt_luks_backup_header(const char *device, const char *file, char *err, size_t errlen);

#endif
