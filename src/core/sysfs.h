/* The thin layer that touches files. Every path is built under a base
 * directory the caller chooses (--sysfs, --root), so tests run on fake
 * trees and never on the real /sys, /proc or /dev. */
#ifndef PT_SYSFS_H
#define PT_SYSFS_H

#include "compiler.h"

#include <stddef.h>
#include <stdio.h>

/* Joins base and a formatted relative path; -ENAMETOOLONG if it does not
 * fit. The formatted part must only contain validated names. */
PT_MUST_CHECK int pt_path(char *buf, size_t len, const char *base, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reads a small attribute file, strips the trailing newline; -EOVERFLOW
 * (with the part that fits in buf) when it is longer than the buffer. */
PT_MUST_CHECK int pt_read_attr(const char *path, char *buf, size_t len);
/* For attributes that may be missing (old kernels, devices without one):
 * "" then; a value longer than the buffer ends in "...". */
void pt_read_attr_or_empty(const char *path, char *buf, size_t len);
/* Writes a value in one write(2), as sysfs wants it; returns -errno. */
PT_MUST_CHECK int pt_write_attr(const char *path, const char *value);
/* The last component of a symlink's target (a driver's or a group's
 * name); -ENOENT when there is no link. */
PT_MUST_CHECK int pt_read_link_name(const char *path, char *buf, size_t len);

/* The same, relative to an open directory: reading many attributes of
 * one device costs no path building and no path walk each. */
PT_MUST_CHECK int pt_read_attr_at(int dirfd, const char *name, char *buf, size_t len);
PT_MUST_CHECK int pt_read_link_name_at(int dirfd, const char *name, char *buf, size_t len);

/* Every file the programs read as a whole goes through these: opened
 * without blocking (a FIFO in place of /etc/passthrough.conf, a state file
 * or /etc/os-release would otherwise wait for a writer forever) and
 * refused unless it is a regular file. pt_open_regular: an fd, or -errno
 * (-EINVAL: not a regular file); the others NULL with errno set. Devices
 * (/dev/kmsg, a disk) are read by their own code, never through these. */
PT_MUST_CHECK int pt_open_regular(const char *path);
FILE *pt_fopen_regular(const char *path);
/* The whole file, NUL-terminated (malloc'd). */
char *pt_read_file(const char *path);
/* strerror, but "not a regular file" for what pt_open_regular refused. */
const char *pt_file_error(int err);

#endif
