#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_parents(const char *path)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, r = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Writes content to a new temporary file next to path and renames it over
 * path: the only step that changes what readers see is rename(2). */
/* The mode and owner a file keeps when it is replaced: those of the file
 * there now (a 0600 file stays 0600), else `mode` and the caller's. */
struct file_attrs {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool keep_owner;
};

static struct file_attrs attrs_of(const char *path, mode_t mode)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return (struct file_attrs){ st.st_mode & 07777, st.st_uid, st.st_gid, true };
	return (struct file_attrs){ mode, 0, 0, false };
}

static int replace_atomically(const char *path, const char *content, struct file_attrs a)
{
	char tmp[PATH_MAX];
	size_t len = strlen(content), done = 0;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, content + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (r == 0 && a.keep_owner && fchown(fd, a.uid, a.gid) < 0)
		r = -errno;
	if (r == 0 && fchmod(fd, a.mode) < 0) /* after fchown, which may clear set-id bits */
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_dir_of(path);
}

int pt_write_file_atomic(const char *path, const char *content, mode_t mode,
			 bool backup, bool dry_run)
{
	char *old = pt_read_file(path);
	int r;

	if (!old && errno != ENOENT)
		return -errno;
	if (old && strcmp(old, content) == 0) {
		free(old);
		return PT_FILE_UNCHANGED;
	}
	if (dry_run) {
		free(old);
		return PT_FILE_WRITTEN;
	}
	r = mkdir_parents(path);
	if (r == 0 && old && backup) {
		char bak[PATH_MAX];

		/* Once: a backup already there is the admin's original, from
		 * before the first apply; a later apply's version is ours. */
		if (snprintf(bak, sizeof(bak), "%s.passthrough-backup", path) >= (int)sizeof(bak))
			r = -ENAMETOOLONG;
		else if (access(bak, F_OK) != 0)
			r = replace_atomically(bak, old, attrs_of(path, mode));
	}
	free(old);
	if (r == 0)
		r = replace_atomically(path, content, attrs_of(path, mode));
	return r < 0 ? r : PT_FILE_WRITTEN;
}

int pt_remove_file(const char *path, bool dry_run)
{
	if (access(path, F_OK) != 0)
		return errno == ENOENT ? PT_FILE_UNCHANGED : -errno;
	if (dry_run)
		return PT_FILE_WRITTEN;
	if (unlink(path) < 0)
		return -errno;
	fsync_dir_of(path);
	return PT_FILE_WRITTEN;
}
