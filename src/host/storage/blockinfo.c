#include "blockinfo.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void copy_value(blkid_probe pr, const char *name, char *buf, size_t len)
{
	const char *v = NULL;

	if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
		snprintf(buf, len, "%s", v);
}

int pt_probe_fs(const char *path, struct pt_fsinfo *out)
{
	blkid_probe pr;
	int r;

	memset(out, 0, sizeof(*out));
	pr = blkid_new_probe_from_filename(path);
	if (!pr)
		return errno ? -errno : -EIO;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
						      BLKID_SUBLKS_LABEL);
	blkid_probe_enable_partitions(pr, 1);
	r = blkid_do_safeprobe(pr);
	out->probed = true;
	if (r == 0) {
		copy_value(pr, "TYPE", out->type, sizeof(out->type));
		copy_value(pr, "UUID", out->uuid, sizeof(out->uuid));
		copy_value(pr, "LABEL", out->label, sizeof(out->label));
		copy_value(pr, "PTTYPE", out->pttype, sizeof(out->pttype));
	} else if (r == -2) {
		/* two signatures that disagree: say so rather than guess */
		snprintf(out->type, sizeof(out->type), "ambivalent");
	}
	blkid_free_probe(pr);
	return 0;
}

int pt_partition_with_uuid(const char *disk, const char *uuid)
{
	blkid_probe pr = blkid_new_probe_from_filename(disk);
	blkid_partlist parts;
	int found = -ENOENT;

	if (!pr)
		return -ENOENT;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	if ((parts = blkid_probe_get_partitions(pr))) {
		int n = blkid_partlist_numof_partitions(parts);

		for (int i = 0; i < n && found < 0; i++) {
			blkid_partition p = blkid_partlist_get_partition(parts, i);
			const char *u = p ? blkid_partition_get_uuid(p) : NULL;

			if (u && strcasecmp(u, uuid) == 0)
				found = blkid_partition_get_partno(p);
		}
	}
	blkid_free_probe(pr);
	return found;
}

struct err_buf {
	char *buf;
	size_t len;
};

/* libcryptsetup speaks through this; its errors become the reason. */
static void luks_log(int level, const char *msg, void *usrptr)
{
	struct err_buf *e = usrptr;
	size_t n;

	if (level != CRYPT_LOG_ERROR || !e || !e->buf || e->buf[0])
		return;
	snprintf(e->buf, e->len, "%s", msg);
	n = strlen(e->buf);
	if (n && e->buf[n - 1] == '\n')
		e->buf[n - 1] = '\0';
}

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (!err[0]) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static uint64_t size_of(const char *path)
{
	struct stat st;
	uint64_t size = 0;
	int fd;

	if (stat(path, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		off_t end = lseek(fd, 0, SEEK_END);

		size = end > 0 ? (uint64_t)end : 0;
		close(fd);
	}
	return size;
}

/* Opens the LUKS metadata: of `device`, or of `header` for `device`. */
static int load_luks(struct crypt_device **cd, const char *device, const char *header,
		     struct err_buf *e)
{
	int r;

	/* The log callback must be in place before crypt_init. */
	crypt_set_log_callback(NULL, luks_log, e);
	r = header ? crypt_init_data_device(cd, header, device) : crypt_init(cd, device);
	if (r < 0)
		return fail(e->buf, e->len, r, "cannot open %s: %s", header ? header : device,
			    strerror(-r));
	crypt_set_log_callback(*cd, luks_log, e);
	r = crypt_load(*cd, CRYPT_LUKS, NULL);
	if (r < 0) {
		crypt_free(*cd);
		*cd = NULL;
		return fail(e->buf, e->len, r, "%s has no valid LUKS header (none, or a "
			    "damaged one: a header backup restores it)", header ? header : device);
	}
	return 0;
}

int pt_luks_inspect(const char *device, const char *header, struct pt_luks_info *out,
		    char *err, size_t errlen)
{
	struct err_buf e = { err, errlen };
	struct crypt_device *cd;
	const char *type;
	int r, max;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	r = load_luks(&cd, device, header, &e);
	if (r < 0)
		return r;
	type = crypt_get_type(cd);
	snprintf(out->type, sizeof(out->type), "%s", type ? type : "?");
	snprintf(out->uuid, sizeof(out->uuid), "%s", crypt_get_uuid(cd) ? crypt_get_uuid(cd) : "");
	if (crypt_get_label(cd))
		snprintf(out->label, sizeof(out->label), "%s", crypt_get_label(cd));
	snprintf(out->cipher, sizeof(out->cipher), "%s-%s",
		 crypt_get_cipher(cd) ? crypt_get_cipher(cd) : "?",
		 crypt_get_cipher_mode(cd) ? crypt_get_cipher_mode(cd) : "?");
	out->key_bits = crypt_get_volume_key_size(cd) * 8;
	out->data_offset = crypt_get_data_offset(cd) * 512;
	out->detached = crypt_header_is_detached(cd) == 1;
	max = crypt_keyslot_max(type);
	for (int i = 0; i < max && out->n_slots < PT_LUKS_MAX_SLOTS; i++) {
		crypt_keyslot_info s = crypt_keyslot_status(cd, i);

		if (s == CRYPT_SLOT_ACTIVE || s == CRYPT_SLOT_ACTIVE_LAST)
			out->slots[out->n_slots++] = i;
	}
	out->data_size = size_of(device);
	crypt_free(cd);
	/* A detached header describes data from its data offset on: the
	 * data device must be larger than that, or it is not the pair. */
	if (header && out->data_size <= out->data_offset)
		return fail(err, errlen, -ERANGE,
			    "the data device is %llu bytes, but the header's data "
			    "starts at byte %llu: they are not a pair",
			    (unsigned long long)out->data_size,
			    (unsigned long long)out->data_offset);
	return 0;
}

int pt_luks_backup_header(const char *device, const char *file, char *err, size_t errlen)
{
	struct err_buf e = { err, errlen };
	struct crypt_device *cd;
	mode_t old_umask;
	int r;

	err[0] = '\0';
	if (access(file, F_OK) == 0)
		return fail(err, errlen, -EEXIST,
			    "%s exists already: a backup never overwrites a file; "
			    "choose another name", file);
	r = load_luks(&cd, device, NULL, &e);
	if (r < 0)
		return r;
	/* The header holds the key slots: readable by root only. */
	old_umask = umask(0077);
	r = crypt_header_backup(cd, NULL, file);
	umask(old_umask);
	crypt_free(cd);
	if (r < 0)
		return fail(err, errlen, r, "backing up the header failed: %s", strerror(-r));
	if (chmod(file, 0600) < 0)
		return fail(err, errlen, -errno, "cannot make %s private: %s", file,
			    strerror(errno));
	return 0;
}
