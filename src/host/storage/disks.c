#include "blockinfo.h"
#include "cmdline.h"
#include "device.h"
#include "disks.h"
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
	pt_device_uses(sysfs, dir, name, t, &d->whole.uses, d->whole.why,
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
			pt_device_uses(sysfs, part, part_name, t, &p->uses, p->why,
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
	pt_mounts_read(sysfs, root, &t);
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
			pt_mounts_free(&t);
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
	pt_mounts_free(&t);
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
