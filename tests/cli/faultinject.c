/* LD_PRELOAD fault injection for the tests of `passthrough apply`: the
 * steps that change files under $FAULT_ROOT (creating a temporary file,
 * each write to one, a rename, the fsync of a directory, an unlink) are
 * counted, and FAULT_AT=N makes the Nth fail with EIO, FAULT_AT=kill:N
 * ends the process there as a crash or a power cut would. The shipped
 * binaries carry no such switch. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool under_root(const char *path)
{
	const char *root = getenv("FAULT_ROOT");
	char real_root[PATH_MAX], real[PATH_MAX], dir[PATH_MAX];

	if (!root || !realpath(root, real_root))
		return false;
	/* The file may not exist yet: its directory does. */
	if (!realpath(path, real)) {
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (!realpath(slash ? dir : ".", real))
			return false;
	}
	return !strncmp(real, real_root, strlen(real_root));
}

static bool fd_under_root(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	return under_root(path);
}

/* true: this step fails (errno set) */
static bool fault(void)
{
	static long count, at = -1;
	static bool kill;
	const char *env;

	if (at == -1) {
		env = getenv("FAULT_AT");
		at = 0;
		if (env) {
			kill = !strncmp(env, "kill:", 5);
			at = strtol(kill ? env + 5 : env, NULL, 10);
		}
	}
	if (at <= 0 || ++count != at)
		return false;
	if (kill)
		_exit(137);
	errno = EIO;
	return true;
}

/* The next definition of a function we wrap (libc's). */
#define REAL(name) static __typeof__(name) *real_##name; \
	if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

int mkstemp(char *template)
{
	REAL(mkstemp);
	if (under_root(template) && fault())
		return -1;
	return real_mkstemp(template);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(write);
	if (fd > 2 && fd_under_root(fd) && fault())
		return -1;
	return real_write(fd, buf, n);
}

int rename(const char *from, const char *to)
{
	REAL(rename);
	if (under_root(to) && fault())
		return -1;
	return real_rename(from, to);
}

int fsync(int fd)
{
	struct stat st;

	REAL(fsync);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && fd_under_root(fd) && fault())
		return -1;
	return real_fsync(fd);
}

int unlink(const char *path)
{
	REAL(unlink);
	if (under_root(path) && fault())
		return -1;
	return real_unlink(path);
}
