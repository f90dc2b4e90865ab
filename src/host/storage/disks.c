#include "blockinfo.h"
#include "cmdline.h"
#include "device.h"
#include "disks.h"
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

bool pt_valid_block_name(const char *s)
{
	if (!*s || strlen(s) >= 32 || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.' ||
		      *s == '!'))
			return false;
	return true;
}

bool pt_pci_device_behind(const char *path, struct pt_pci_addr *out)
{
	char real[PATH_MAX], *tok, *save = NULL;
	bool found = false;

	if (!realpath(path, real))
		return false;
	for (tok = strtok_r(real, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (pt_pci_addr_parse_canonical(tok, out) == 0)
			found = true;
	return found;
}

/* One line of mountinfo: where, and the block devices under it. An
 * ordinary filesystem is found by its device number; btrfs, bcachefs and
 * ZFS report an anonymous one (major 0), so theirs are found from the
 * mount source instead. */
struct mount_entry {
	unsigned major, minor;
	char *where;
	char *fstype;
	/* Kernel names (sda2, dm-0) from the mount source; devices[0] is the
	 * one the mount names, the rest are other members of its btrfs or
	 * bcachefs. */
	char **devices;
	size_t n_devices;
};

struct mount_table {
	struct mount_entry *v;
	size_t n;
	char **swaps; /* device paths from /proc/swaps */
	size_t n_swaps;
	struct pt_zfs_mounts *zfs;
	size_t n_zfs;
};

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

static void read_mounts(const char *sysfs, const char *root, struct mount_table *t)
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

static void free_mounts(struct mount_table *t)
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
static void device_uses(const char *sysfs, const char *devdir, const char *name,
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
		device_uses(sysfs, holder_dir, de->d_name, t, uses, why, whylen,
			    depth + 1);
	}
	closedir(dir);
}

static int compare_disks(const void *a, const void *b)
{
	const struct pt_disk *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void probe_part(const char *root, struct pt_part *p)
{
	char path[PATH_MAX], err[256];

	if (pt_path(path, sizeof(path), root, "dev/%s", p->name) ||
	    pt_probe_fs(path, &p->fs) < 0)
		return;
	if (!strcmp(p->fs.type, "crypto_LUKS"))
		p->has_luks = pt_luks_inspect(path, NULL, &p->luks, err, sizeof(err)) == 0;
}

void pt_by_id_name(const char *root, const char *name, char *out, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX], real[PATH_MAX];
	struct dirent **names = NULL;
	int n;

	out[0] = '\0';
	if (pt_path(dir, sizeof(dir), root, "dev/disk/by-id"))
		return;
	n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *e = names[i]->d_name;
		const char *base;

		if (e[0] != '.' && pt_path(path, sizeof(path), dir, "%s", e) == 0 &&
		    realpath(path, real) && (base = strrchr(real, '/')) &&
		    !strcmp(base + 1, name) &&
		    (!out[0] || !strncmp(out, "/dev/disk/by-id/wwn-", 20)))
			snprintf(out, len, "/dev/disk/by-id/%s", e);
		free(names[i]);
	}
	free(names);
}

static void read_one_disk(const char *sysfs, const char *name,
			  const struct mount_table *t, struct pt_disk *d)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[64];
	struct dirent **entries = NULL;
	int n;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%.31s", name);
	if (pt_path(dir, sizeof(dir), sysfs, "block/%s", name))
		return;
	d->has_controller = pt_pci_device_behind(dir, &d->controller);
	if (pt_path(path, sizeof(path), dir, "size") == 0 &&
	    pt_read_attr(path, buf, sizeof(buf)) == 0)
		d->size = strtoull(buf, NULL, 10) * 512;
	/* SCSI/SATA disks have device/model; NVMe namespaces the controller's */
	if (pt_path(path, sizeof(path), dir, "device/model") ||
	    pt_read_attr(path, d->model, sizeof(d->model)))
		if (pt_path(path, sizeof(path), dir, "device/device/model") == 0)
			pt_read_attr_or_empty(path, d->model, sizeof(d->model));
	if (pt_path(path, sizeof(path), dir, "device/serial") == 0)
		pt_read_attr_or_empty(path, d->serial, sizeof(d->serial));
	/* A loop device's "model" is the file it shows. */
	if (!d->model[0] && pt_path(path, sizeof(path), dir, "loop/backing_file") == 0 &&
	    pt_read_attr(path, buf, sizeof(buf)) == 0)
		snprintf(d->model, sizeof(d->model), "loop: %.56s", buf);

	snprintf(d->whole.name, sizeof(d->whole.name), "%s", d->name);
	d->whole.size = d->size;
	device_uses(sysfs, dir, name, t, &d->whole.uses, d->whole.why,
		    sizeof(d->whole.why), 0);
	d->uses = d->whole.uses;
	snprintf(d->why, sizeof(d->why), "%s", d->whole.why);
	/* Partitions in name order, so the explanation reads the same on
	 * every run. */
	n = scandir(dir, &entries, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *part_name = entries[i]->d_name;
		char part[PATH_MAX];
		struct pt_part *v;

		if (strncmp(part_name, name, strlen(name)) == 0 &&
		    strlen(part_name) < sizeof(v->name) &&
		    pt_path(part, sizeof(part), dir, "%s", part_name) == 0 &&
		    pt_path(path, sizeof(path), part, "partition") == 0 &&
		    pt_read_attr(path, buf, sizeof(buf)) == 0 &&
		    (v = realloc(d->parts, (d->n_parts + 1) * sizeof(*v)))) {
			struct pt_part *p = &v[d->n_parts++];

			d->parts = v;
			memset(p, 0, sizeof(*p));
			snprintf(p->name, sizeof(p->name), "%s", part_name);
			if (pt_path(path, sizeof(path), part, "size") == 0 &&
			    pt_read_attr(path, buf, sizeof(buf)) == 0)
				p->size = strtoull(buf, NULL, 10) * 512;
			device_uses(sysfs, part, part_name, t, &p->uses, p->why,
				    sizeof(p->why), 0);
			d->uses |= p->uses;
			if (p->why[0])
				pt_append(d->why, sizeof(d->why), "%s%s", d->why[0] ? "; " : "",
				       p->why);
		}
		free(entries[i]);
	}
	free(entries);
}

int pt_read_disks(const char *sysfs, const char *root, bool probe, struct pt_disks *out)
{
	struct mount_table t;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	out->v = NULL;
	out->n = 0;
	if (pt_path(path, sizeof(path), sysfs, "block") || !(dir = opendir(path)))
		return 0; /* no block devices at all */
	read_mounts(sysfs, root, &t);
	while ((de = readdir(dir))) {
		char dev[PATH_MAX];
		struct pt_disk *v;

		if (de->d_name[0] == '.' || strchr(de->d_name, '/'))
			continue;
		/* Devices with hardware behind them, and loop devices with a file
		 * behind them; not dm, md or zram, which are the host's own
		 * constructions. Kernel disk names are shorter than 32. */
		if (strlen(de->d_name) >= sizeof(out->v->name) ||
		    ((pt_path(dev, sizeof(dev), path, "%s/device", de->d_name) ||
		      access(dev, F_OK) != 0) &&
		     (pt_path(dev, sizeof(dev), path, "%s/loop/backing_file", de->d_name) ||
		      access(dev, F_OK) != 0)))
			continue;
		v = realloc(out->v, (out->n + 1) * sizeof(*v));
		if (!v) {
			free_mounts(&t);
			closedir(dir);
			pt_disks_free(out);
			return -ENOMEM;
		}
		out->v = v;
		read_one_disk(sysfs, de->d_name, &t, &out->v[out->n]);
		pt_by_id_name(root, out->v[out->n].name, out->v[out->n].by_id,
			      sizeof(out->v[out->n].by_id));
		if (probe) {
			probe_part(root, &out->v[out->n].whole);
			for (size_t k = 0; k < out->v[out->n].n_parts; k++)
				probe_part(root, &out->v[out->n].parts[k]);
		}
		out->n++;
	}
	closedir(dir);
	/* Without probing nothing tells which partitions are a pool's vdevs:
	 * ZFS mounts then mark no disk. */
	for (size_t i = 0; probe && i < t.n_zfs; i++)
		pt_mark_zfs_vdevs(out, &t.zfs[i]);
	free_mounts(&t);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), compare_disks);
	return 0;
}

/* Does libblkid's label name the pool? A pool name may be longer than
 * the label keeps: then the label is its start. */
static bool label_names_pool(const struct pt_fsinfo *fs, const char *pool)
{
	size_t kept = strlen(fs->label);

	if (kept == sizeof(fs->label) - 1)
		return strncmp(fs->label, pool, kept) == 0;
	return strcmp(fs->label, pool) == 0;
}

/* Marks one disk or partition when it is a vdev of the pool. */
static void mark_if_zfs_vdev(struct pt_disk *disk, struct pt_part *p,
			     const struct pt_zfs_mounts *z)
{
	if (strcmp(p->fs.type, "zfs_member") != 0 || !label_names_pool(&p->fs, z->pool))
		return;
	p->uses |= z->uses;
	disk->uses |= z->uses;
	for (int i = 0; i < 2; i++) {
		char *why = i ? disk->why : p->why;
		size_t len = i ? sizeof(disk->why) : sizeof(p->why);

		pt_append(why, len, "%s%s is in ZFS pool %s mounted on %s", *why ? "; " : "",
		       p->name, z->pool, z->where);
		if (z->n_mounts > 1)
			pt_append(why, len, " (and %zu more)", z->n_mounts - 1);
	}
}

void pt_mark_zfs_vdevs(struct pt_disks *d, const struct pt_zfs_mounts *z)
{
	for (size_t i = 0; i < d->n; i++) {
		mark_if_zfs_vdev(&d->v[i], &d->v[i].whole, z);
		for (size_t k = 0; k < d->v[i].n_parts; k++)
			mark_if_zfs_vdev(&d->v[i], &d->v[i].parts[k], z);
	}
}

const struct pt_disk *pt_find_disk(const struct pt_disks *d, const char *name,
				   const struct pt_part **part)
{
	*part = NULL;
	for (size_t i = 0; i < d->n; i++) {
		if (!strcmp(d->v[i].name, name))
			return &d->v[i];
		for (size_t k = 0; k < d->v[i].n_parts; k++)
			if (!strcmp(d->v[i].parts[k].name, name)) {
				*part = &d->v[i].parts[k];
				return &d->v[i];
			}
	}
	return NULL;
}

const struct pt_disk *pt_disk_by_path(const struct pt_disks *d, const char *root,
				      const char *dev, bool by_name_if_missing,
				      const struct pt_part **part)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *name;

	*part = NULL;
	if (strncmp(dev, "/dev/", 5) || pt_path(path, sizeof(path), root, "%s", dev + 1))
		return NULL;
	if (realpath(path, real))
		name = strrchr(real, '/') + 1;
	else if (by_name_if_missing)
		name = strrchr(dev, '/') + 1;
	else
		return NULL;
	return pt_valid_block_name(name) ? pt_find_disk(d, name, part) : NULL;
}

void pt_disks_free(struct pt_disks *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].parts);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

size_t pt_disk_uses_words(unsigned uses, const char *words[], size_t max)
{
	static const char *const names[] = { "root", "/boot", "swap", "mounted",
					     "crypt-open", "LVM", "held" };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < max; i++)
		if (uses & (1u << i))
			words[n++] = names[i];
	return n;
}

void pt_disk_uses_text(unsigned uses, char *buf, size_t len)
{
	const char *words[8];
	size_t n = pt_disk_uses_words(uses, words, 8);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		pt_append(buf, len, "%s%s", i ? ", " : "", words[i]);
	if (!n)
		snprintf(buf, len, "unused");
}

void pt_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u < sizeof(units) / sizeof(units[0]) - 1) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}
