/* What the host has mounted and on which block devices (mountinfo, swaps,
 * the holders in sysfs), for disks.c to say what the host uses each disk
 * for: by device number where the mount has a real one, from its source
 * (and the kernel's root=) where it has not (btrfs, bcachefs, ZFS). */
#include "blockinfo.h"
#include "cmdline.h"
#include "device.h"
#include "mounts.h"
#include "sysfs.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* mountinfo escapes blanks in paths as \040 and friends. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static unsigned use_of_mountpoint(const char *where)
{
	if (strcmp(where, "/") == 0)
		return PT_USE_ROOT;
	if (strcmp(where, "/boot") == 0 || strcmp(where, "/boot/efi") == 0)
		return PT_USE_BOOT;
	return PT_USE_MOUNTED;
}

/* Adds a copy of NAME unless it is there already. */
static int add_name(char ***v, size_t *n, const char *name)
{
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], name) == 0)
			return 0;
	if (!(grown = realloc(*v, (*n + 1) * sizeof(*grown))))
		return -ENOMEM;
	*v = grown;
	if (!(grown[*n] = strdup(name)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The dm device (dm-3) whose mapping is called DM_NAME, "" when none. */
static void dm_device_named(const char *sysfs, const char *dm_name, char *out, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX], name[128];
	struct dirent *de;
	DIR *d;

	out[0] = '\0';
	if (pt_path(dir, sizeof(dir), sysfs, "block") || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "dm-", 3) != 0 || strlen(de->d_name) >= len ||
		    pt_path(path, sizeof(path), dir, "%s/dm/name", de->d_name) ||
		    pt_read_attr(path, name, sizeof(name)) || strcmp(name, dm_name) != 0)
			continue;
		snprintf(out, len, "%s", de->d_name);
		break;
	}
	closedir(d);
}

static int kernel_root_name(const char *sysfs, const char *root, char *out, size_t len);

/* The kernel name (sda2, dm-0) of a device path a mount names. The path
 * is looked up under ROOT, where /dev/mapper/NAME, /dev/VG/LV and
 * /dev/disk/by-* are symlinks to the node; without it, a /dev/mapper name
 * is looked up in sysfs, and anything else is taken by its last component
 * (right for /dev/sda2). Returns -ENOENT when it names no block device. */
static int source_device_name(const char *sysfs, const char *root, const char *source,
			      char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *name;

	out[0] = '\0';
	/* Only paths under /dev, and none that climbs out of it */
	if (strncmp(source, "/dev/", 5) != 0 || strstr(source, "/.."))
		return -ENOENT;
	if (pt_path(path, sizeof(path), root, "%s", source + 1) == 0 && realpath(path, real))
		name = strrchr(real, '/') + 1;
	else if (!strcmp(source, "/dev/root"))
		return kernel_root_name(sysfs, root, out, len);
	else if (strncmp(source, "/dev/mapper/", 12) == 0) {
		dm_device_named(sysfs, source + 12, out, len);
		name = out[0] ? out : source + 12;
	} else
		name = strrchr(source, '/') + 1;
	if (!pt_valid_block_name(name) || strlen(name) >= len)
		return -ENOENT;
	if (name != out)
		memmove(out, name, strlen(name) + 1);
	return 0;
}

static int read_devnum(const char *dir, unsigned *major, unsigned *minor);

/* The kernel name of the device with number MAJ:MIN: SYSFS/dev/block/
 * links to its directory; else (a tree without that index) the disks and
 * their partitions under SYSFS/block are asked for their dev. */
static int name_of_devnum(const char *sysfs, unsigned major, unsigned minor, char *out,
			  size_t len)
{
	char path[PATH_MAX], disk[PATH_MAX];
	struct dirent *de, *pe;
	unsigned ma, mi;
	DIR *d, *pd;
	int r = -ENOENT;

	if (pt_path(path, sizeof(path), sysfs, "dev/block/%u:%u", major, minor) == 0 &&
	    pt_read_link_name(path, out, len) == 0 && pt_valid_block_name(out))
		return 0;
	if (pt_path(path, sizeof(path), sysfs, "block") || !(d = opendir(path)))
		return -ENOENT;
	while (r < 0 && (de = readdir(d))) {
		if (!pt_valid_block_name(de->d_name) ||
		    pt_path(disk, sizeof(disk), path, "%s", de->d_name))
			continue;
		if (read_devnum(disk, &ma, &mi) == 0 && ma == major && mi == minor &&
		    strlen(de->d_name) < len) {
			snprintf(out, len, "%s", de->d_name);
			r = 0;
		}
		if (r == 0 || !(pd = opendir(disk)))
			continue;
		while (r < 0 && (pe = readdir(pd))) {
			char part[PATH_MAX];

			if (pt_valid_block_name(pe->d_name) && strlen(pe->d_name) < len &&
			    pt_path(part, sizeof(part), disk, "%s", pe->d_name) == 0 &&
			    read_devnum(part, &ma, &mi) == 0 && ma == major && mi == minor) {
				snprintf(out, len, "%s", pe->d_name);
				r = 0;
			}
		}
		closedir(pd);
	}
	closedir(d);
	return r;
}

/* The partition whose table entry has this UUID: each disk's table read
 * (libblkid), the partition by its number in sysfs. */
static int name_of_partuuid(const char *sysfs, const char *root, const char *uuid,
			    char *out, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX], num[16];
	struct dirent *de, *pe;
	DIR *d, *pd;
	int r = -ENOENT, partno = -1;

	if (pt_path(dir, sizeof(dir), sysfs, "block") || !(d = opendir(dir)))
		return -ENOENT;
	while (r < 0 && (de = readdir(d))) {
		if (!pt_valid_block_name(de->d_name) ||
		    pt_path(path, sizeof(path), root, "dev/%s", de->d_name) ||
		    (partno = pt_partition_with_uuid(path, uuid)) < 0 ||
		    pt_path(path, sizeof(path), dir, "%s", de->d_name) || !(pd = opendir(path)))
			continue;
		while (r < 0 && (pe = readdir(pd))) {
			char attr[PATH_MAX];

			if (pt_valid_block_name(pe->d_name) && strlen(pe->d_name) < len &&
			    pt_path(attr, sizeof(attr), path, "%s/partition", pe->d_name) == 0 &&
			    pt_read_attr(attr, num, sizeof(num)) == 0 && atoi(num) == partno) {
				snprintf(out, len, "%s", pe->d_name);
				r = 0;
			}
		}
		closedir(pd);
	}
	closedir(d);
	return r;
}

/* What the kernel mounted as root itself (no initramfs): mountinfo calls
 * it /dev/root, a name with no node. For most filesystems the mount's own
 * number tells; btrfs and bcachefs carry an anonymous one, so the root=
 * the kernel was given names the device, in any form the kernel takes
 * (init/do_mounts.c): /dev/NAME, MAJ:MIN, hex MMmm, PARTUUID=. */
static int kernel_root_name(const char *sysfs, const char *root, char *out, size_t len)
{
	char path[PATH_MAX], value[256], *cmdline, *end;
	unsigned major, minor;
	unsigned long hex;
	bool found;

	if (pt_path(path, sizeof(path), root, "proc/cmdline") || !(cmdline = pt_read_file(path)))
		return -ENOENT;
	found = pt_cmdline_get(cmdline, "root", value, sizeof(value));
	free(cmdline);
	if (!found || !value[0] || !strcmp(value, "/dev/root"))
		return -ENOENT;
	if (!strncmp(value, "/dev/", 5))
		return source_device_name(sysfs, root, value, out, len);
	if (!strncasecmp(value, "PARTUUID=", 9) && !strchr(value, '/'))
		return name_of_partuuid(sysfs, root, value + 9, out, len);
	if (sscanf(value, "%u:%u", &major, &minor) == 2)
		return name_of_devnum(sysfs, major, minor, out, len);
	hex = strtoul(value, &end, 16);
	if (!*end && end != value && hex <= 0xffff)
		return name_of_devnum(sysfs, (unsigned)(hex >> 8), (unsigned)(hex & 0xff), out, len);
	return -ENOENT;
}

/* The FSUUID of the mounted btrfs that device NAME belongs to: the one
 * whose SYSFS/fs/btrfs/FSUUID/devices/ lists it. */
static int btrfs_fs_of(const char *sysfs, const char *name, char *fsdir, size_t len)
{
	char dir[PATH_MAX], member[PATH_MAX];
	struct dirent *de;
	int r = -ENOENT;
	DIR *d;

	if (pt_path(dir, sizeof(dir), sysfs, "fs/btrfs") || !(d = opendir(dir)))
		return -ENOENT;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strchr(de->d_name, '/') ||
		    pt_path(member, sizeof(member), dir, "%s/devices/%s", de->d_name, name) ||
		    faccessat(AT_FDCWD, member, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		r = pt_path(fsdir, len, dir, "%s", de->d_name);
		break;
	}
	closedir(d);
	return r;
}

/* Adds the members of the btrfs that NAME belongs to, in name order, after
 * NAME itself: one btrfs may span several disks, and then the host needs
 * every one of them. Only NAME when sysfs does not list the filesystem. */
static int add_btrfs_members(const char *sysfs, const char *name, struct mount_entry *e)
{
	char fsdir[PATH_MAX], devices[PATH_MAX];
	struct dirent **names = NULL;
	int n, r = add_name(&e->devices, &e->n_devices, name);

	if (r || btrfs_fs_of(sysfs, name, fsdir, sizeof(fsdir)) ||
	    pt_path(devices, sizeof(devices), fsdir, "devices"))
		return r;
	n = scandir(devices, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (r == 0 && pt_valid_block_name(names[i]->d_name))
			r = add_name(&e->devices, &e->n_devices, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return r;
}

/* bcachefs names all its devices in the source: /dev/sda1:/dev/sdb1. */
static int add_bcachefs_members(const char *sysfs, const char *root, char *source,
				struct mount_entry *e)
{
	char name[32], *dev;
	int r = 0;

	while (r == 0 && (dev = strsep(&source, ":")))
		if (source_device_name(sysfs, root, dev, name, sizeof(name)) == 0)
			r = add_name(&e->devices, &e->n_devices, name);
	return r;
}

/* Counts one mounted dataset of a ZFS pool; the pool is what comes before
 * the first / of the source (rpool/ROOT/debian). */
static int add_zfs_mount(struct mount_table *t, const char *source, const char *where)
{
	size_t pool_len = strcspn(source, "/");
	unsigned use = use_of_mountpoint(where);
	struct pt_zfs_mounts *z = NULL, *grown;

	for (size_t i = 0; i < t->n_zfs && !z; i++)
		if (strlen(t->zfs[i].pool) == pool_len &&
		    strncmp(t->zfs[i].pool, source, pool_len) == 0)
			z = &t->zfs[i];
	if (!z) {
		if (!(grown = realloc(t->zfs, (t->n_zfs + 1) * sizeof(*grown))))
			return -ENOMEM;
		t->zfs = grown;
		z = &t->zfs[t->n_zfs];
		memset(z, 0, sizeof(*z));
		if (!(z->pool = strndup(source, pool_len)))
			return -ENOMEM;
		t->n_zfs++;
	}
	/* The uses are bits in order of weight: the lowest tells most. */
	if (!z->where || use < use_of_mountpoint(z->where)) {
		char *w = strdup(where);

		if (!w)
			return -ENOMEM;
		free(z->where);
		z->where = w;
	}
	z->uses |= use;
	z->n_mounts++;
	return 0;
}

/* The fields of a mountinfo line that matter here (changed in place):
 * ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE
 * SOURCE SUPEROPTIONS. strsep, not strtok: an empty source is a field. */
static int split_mountinfo(char *line, unsigned *major, unsigned *minor, char **where,
			   char **fstype, char **source)
{
	char *field[6], *tok;

	line[strcspn(line, "\n")] = '\0';
	for (int i = 0; i < 6; i++)
		if (!(field[i] = strsep(&line, " ")))
			return -EINVAL;
	while ((tok = strsep(&line, " ")) && strcmp(tok, "-") != 0)
		;
	if (!tok || !(*fstype = strsep(&line, " ")) || !(*source = strsep(&line, " ")) ||
	    sscanf(field[2], "%u:%u", major, minor) != 2)
		return -EINVAL;
	*where = field[4];
	unescape_octal(*where);
	unescape_octal(*fstype);
	unescape_octal(*source);
	return 0;
}

static void free_mount_entry(struct mount_entry *e)
{
	free(e->where);
	free(e->fstype);
	free_names(e->devices, e->n_devices);
}

/* Reads one mountinfo line into the table: a mount entry, and for ZFS the
 * pool's count as well. */
static int add_mount(const char *sysfs, const char *root, char *line, struct mount_table *t)
{
	struct mount_entry e = { 0 }, *grown;
	char *where, *fstype, *source, name[32];
	int r = 0;

	if (split_mountinfo(line, &e.major, &e.minor, &where, &fstype, &source))
		return 0; /* not a mountinfo line: nothing to learn */
	if (!(e.where = strdup(where)) || !(e.fstype = strdup(fstype)))
		r = -ENOMEM;
	else if (strcmp(fstype, "zfs") == 0)
		r = add_zfs_mount(t, source, where);
	else if (strcmp(fstype, "bcachefs") == 0)
		r = add_bcachefs_members(sysfs, root, source, &e);
	else if (strcmp(fstype, "btrfs") == 0 &&
		 source_device_name(sysfs, root, source, name, sizeof(name)) == 0)
		r = add_btrfs_members(sysfs, name, &e);
	if (r == 0 && !(grown = realloc(t->v, (t->n + 1) * sizeof(*grown))))
		r = -ENOMEM;
	if (r) {
		free_mount_entry(&e);
		return r;
	}
	t->v = grown;
	t->v[t->n++] = e;
	return 0;
}

void pt_mounts_read(const char *sysfs, const char *root, struct mount_table *t)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(t, 0, sizeof(*t));
	if (pt_path(path, sizeof(path), root, "proc/self/mountinfo") == 0 &&
	    (f = pt_fopen_regular(path))) {
		while (getline(&line, &cap, f) > 0)
			if (add_mount(sysfs, root, line, t))
				break;
		fclose(f);
	}
	if (pt_path(path, sizeof(path), root, "proc/swaps") == 0 &&
	    (f = pt_fopen_regular(path))) {
		while (getline(&line, &cap, f) > 0) {
			char dev[256], **v;

			if (line[0] != '/' || sscanf(line, "%255s", dev) != 1)
				continue;
			unescape_octal(dev);
			v = realloc(t->swaps, (t->n_swaps + 1) * sizeof(*v));
			if (!v)
				break;
			t->swaps = v;
			if ((t->swaps[t->n_swaps] = strdup(dev)))
				t->n_swaps++;
		}
		fclose(f);
	}
	free(line);
}

void pt_mounts_free(struct mount_table *t)
{
	for (size_t i = 0; i < t->n_swaps; i++)
		free(t->swaps[i]);
	free(t->swaps);
	for (size_t i = 0; i < t->n; i++)
		free_mount_entry(&t->v[i]);
	free(t->v);
	for (size_t i = 0; i < t->n_zfs; i++) {
		free(t->zfs[i].pool);
		free(t->zfs[i].where);
	}
	free(t->zfs);
}

/* Is /dev/NAME (or /dev/mapper/DMNAME for a dm device) a swap area? */
static bool is_swap(const struct mount_table *t, const char *name,
		    const char *dm_name)
{
	for (size_t i = 0; i < t->n_swaps; i++) {
		const char *s = t->swaps[i];

		if (strncmp(s, "/dev/", 5) == 0 && strcmp(s + 5, name) == 0)
			return true;
		if (dm_name[0] && strncmp(s, "/dev/mapper/", 12) == 0 &&
		    strcmp(s + 12, dm_name) == 0)
			return true;
	}
	return false;
}

static int read_devnum(const char *dir, unsigned *major, unsigned *minor)
{
	char path[PATH_MAX], buf[32];

	if (pt_path(path, sizeof(path), dir, "dev") || pt_read_attr(path, buf, sizeof(buf)))
		return -ENOENT;
	return sscanf(buf, "%u:%u", major, minor) == 2 ? 0 : -EINVAL;
}

/* Is the mount on block device NAME? By device number, which an
 * anonymous one (major 0) never is; or by name, for the devices found
 * from its source. */
static bool mount_is_on(const struct mount_entry *m, bool have_devnum, unsigned major,
			unsigned minor, const char *name)
{
	if (have_devnum && m->major != 0 && m->major == major && m->minor == minor)
		return true;
	for (size_t i = 0; i < m->n_devices; i++)
		if (strcmp(m->devices[i], name) == 0)
			return true;
	return false;
}

/* "sda2 mounted on /"; another member of a multi-device filesystem says
 * which device the mount names: "sdb1 mounted on / (btrfs with sda2)". */
static void note_mount(const struct mount_entry *m, const char *name, unsigned *uses,
		       char *why, size_t whylen)
{
	*uses |= use_of_mountpoint(m->where);
	if (m->n_devices > 1 && strcmp(name, m->devices[0]) != 0)
		pt_append(why, whylen, "%s%s mounted on %s (%s with %s)", *why ? "; " : "",
		       name, m->where, m->fstype, m->devices[0]);
	else
		pt_append(why, whylen, "%s%s mounted on %s", *why ? "; " : "", name, m->where);
}

/* Records the uses of one block device (a disk, a partition or a holder)
 * in *uses and why[], following holders (dm, md) down to their mounts. */
void pt_device_uses(const char *sysfs, const char *devdir, const char *name,
			const struct mount_table *t, unsigned *uses, char *why,
			size_t whylen, int depth)
{
	char path[PATH_MAX], dm_name[128] = "";
	unsigned major = 0, minor = 0;
	bool have_devnum;
	struct dirent *de;
	DIR *dir;

	if (depth > 8)
		return; /* holders do not nest this deep; a loop in a fake tree */
	if (strncmp(name, "dm-", 3) == 0 &&
	    pt_path(path, sizeof(path), sysfs, "block/%s/dm/name", name) == 0)
		pt_read_attr_or_empty(path, dm_name, sizeof(dm_name));
	have_devnum = read_devnum(devdir, &major, &minor) == 0;
	for (size_t i = 0; i < t->n; i++)
		if (mount_is_on(&t->v[i], have_devnum, major, minor, name))
			note_mount(&t->v[i], name, uses, why, whylen);
	if (is_swap(t, name, dm_name)) {
		*uses |= PT_USE_SWAP;
		pt_append(why, whylen, "%s%s is swap", *why ? "; " : "", name);
	}

	if (pt_path(path, sizeof(path), devdir, "holders") || !(dir = opendir(path)))
		return;
	while ((de = readdir(dir))) {
		char holder_dir[PATH_MAX], h_uuid[160] = "", h_name[128] = "";
		const char *kind;

		if (de->d_name[0] == '.' || strchr(de->d_name, '/'))
			continue;
		if (pt_path(holder_dir, sizeof(holder_dir), sysfs, "block/%s", de->d_name))
			continue;
		if (pt_path(path, sizeof(path), holder_dir, "dm/uuid") == 0)
			pt_read_attr_or_empty(path, h_uuid, sizeof(h_uuid));
		if (pt_path(path, sizeof(path), holder_dir, "dm/name") == 0)
			pt_read_attr_or_empty(path, h_name, sizeof(h_name));
		if (strncmp(h_uuid, "CRYPT-", 6) == 0) {
			*uses |= PT_USE_CRYPT;
			kind = strncmp(h_uuid, "CRYPT-LUKS", 10) == 0 ? "LUKS mapping" :
								      "dm-crypt mapping";
		} else if (strncmp(h_uuid, "LVM-", 4) == 0) {
			*uses |= PT_USE_LVM;
			kind = "LVM volume";
		} else {
			*uses |= PT_USE_HOLDER;
			kind = strncmp(de->d_name, "md", 2) == 0 ? "RAID array" : "holder";
		}
		pt_append(why, whylen, "%s%s held by %s (%s%s%s)", *why ? "; " : "", name,
		       de->d_name, kind, h_name[0] ? " " : "", h_name);
		pt_device_uses(sysfs, holder_dir, de->d_name, t, uses, why, whylen,
			    depth + 1);
	}
	closedir(dir);
}

