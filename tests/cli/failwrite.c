/* LD_PRELOAD shim for the binder's tests: write(2) to a file whose path
 * ends in $FAIL_WRITE_SUFFIX fails with errno $FAIL_WRITE_ERRNO, as sysfs
 * writes fail on a real kernel (EACCES, EBUSY, ENODEV), which a fake tree
 * of plain files cannot do by itself. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	const char *suffix = getenv("FAIL_WRITE_SUFFIX");
	char link[64], path[4096];
	ssize_t len;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (suffix) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		len = readlink(link, path, sizeof(path) - 1);
		if (len > 0 && (size_t)len >= strlen(suffix)) {
			path[len] = '\0';
			if (!strcmp(path + len - strlen(suffix), suffix)) {
				errno = atoi(getenv("FAIL_WRITE_ERRNO") ? getenv("FAIL_WRITE_ERRNO") : "5");
				return -1;
			}
		}
	}
	return real(fd, buf, n);
}
