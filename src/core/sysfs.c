#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pt_path(char *buf, size_t len, const char *base, const char *fmt, ...)
{
	size_t used = strlen(base);
	va_list ap;
	int n;

	/* Copied, not formatted: the binder builds a few paths per device,
	 * thousands on a big host, and most have nothing to format. */
	if (used + 1 >= len)
		return -ENAMETOOLONG;
	memcpy(buf, base, used);
	buf[used++] = '/';
	buf[used] = '\0';
	if (!strchr(fmt, '%')) {
		size_t rest = strlen(fmt);

		if (rest >= len - used)
			return -ENAMETOOLONG;
		memcpy(buf + used, fmt, rest + 1);
		return 0;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - used)
		return -ENAMETOOLONG;
	return 0;
}

static int read_fd(int fd, char *buf, size_t len);

/* O_NONBLOCK everywhere: a FIFO where an attribute should be (a fake or
 * hostile tree) gives an empty read at once instead of waiting forever. */
#define READ_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

int pt_read_attr(const char *path, char *buf, size_t len)
{
	return read_fd(open(path, READ_FLAGS), buf, len);
}

int pt_read_attr_at(int dirfd, const char *name, char *buf, size_t len)
{
	return read_fd(openat(dirfd, name, READ_FLAGS), buf, len);
}

int pt_open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, READ_FLAGS), flags;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

FILE *pt_fopen_regular(const char *path)
{
	int fd = pt_open_regular(path);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (!(f = fdopen(fd, "r"))) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return f;
}

char *pt_read_file(const char *path)
{
	size_t len = 0, cap = 4096;
	int fd = pt_open_regular(path), err = 0;
	char *buf = fd < 0 ? NULL : malloc(cap);
	ssize_t n = 0;

	if (fd < 0 || !buf) {
		err = fd < 0 ? -fd : ENOMEM;
		goto fail;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len - 1 == 0) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger) {
				err = ENOMEM;
				goto fail;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (n < 0) {
		err = errno;
		goto fail;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	if (fd >= 0)
		close(fd);
	errno = err;
	return NULL;
}

const char *pt_file_error(int err)
{
	return err == EINVAL ? "not a regular file" : strerror(err);
}

/* Reads a small attribute from fd (closing it), strips the newline. */
static int read_fd(int fd, char *buf, size_t len)
{
	bool longer = false;
	ssize_t n;
	char more;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	/* A value that does not fit is said, never cut silently. */
	if ((size_t)n == len - 1 && read(fd, &more, 1) == 1 && more != '\n')
		longer = true;
	close(fd);
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n))
		return -EINVAL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return longer ? -EOVERFLOW : 0;
}

void pt_read_attr_or_empty(const char *path, char *buf, size_t len)
{
	int r = pt_read_attr(path, buf, len);

	if (r == -EOVERFLOW && len >= 4)
		memcpy(buf + len - 4, "...", 4);
	else if (r)
		buf[0] = '\0';
}

int pt_write_attr(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, err = 0;

	/* O_TRUNC as a shell redirection does: sysfs ignores it, plain files
	 * (fake trees) need it. */
	fd = open(path, O_WRONLY | O_TRUNC | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

static int link_name(ssize_t n, char *target, char *buf, size_t len);

int pt_read_link_name(const char *path, char *buf, size_t len)
{
	char target[4096];

	return link_name(readlink(path, target, sizeof(target) - 1), target, buf, len);
}

int pt_read_link_name_at(int dirfd, const char *name, char *buf, size_t len)
{
	char target[4096];

	return link_name(readlinkat(dirfd, name, target, sizeof(target) - 1), target, buf, len);
}

/* The last component of the n bytes readlink put in target. */
static int link_name(ssize_t n, char *target, char *buf, size_t len)
{
	const char *name;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	if (strlen(name) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, name);
	return 0;
}
