/* Writing the files the host tool owns or edits: atomically (a reader
 * sees the old or the new file, never a part), with one backup of what an
 * edit replaced, and not at all when nothing changes, so a second run of
 * `apply` touches nothing. */
#ifndef PT_FILEIO_H
#define PT_FILEIO_H

#include "sysfs.h"

#include <stdbool.h>
#include <sys/types.h>

enum pt_write_result { PT_FILE_UNCHANGED, PT_FILE_WRITTEN };

/* pt_read_file (sysfs.h) reads them: NULL with errno set (ENOENT when
 * missing, EINVAL when not a regular file). */

/* Replaces path with content: temporary file in the same directory,
 * fsync, rename, fsync of the directory. With `backup`, an existing file
 * that differs is first kept as PATH.passthrough-backup, once: a backup
 * already there (the admin's original) is never replaced. An existing
 * file keeps its mode and owner (both copies do); `mode` is for a new
 * one. Parents are created. Returns PT_FILE_* or -errno; with dry_run
 * only compares. */
int pt_write_file_atomic(const char *path, const char *content, mode_t mode,
			 bool backup, bool dry_run);

/* Removes a file we wrote; 0 also when it was not there. */
int pt_remove_file(const char *path, bool dry_run);

#endif
