#include "device.h"
#include "disks.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What is mounted or swapped where, by device number. */
struct mount_entry {
	unsigned major, minor;
	char where[256];
};

struct mount_table {
	struct mount_entry *v;
	size_t n;
	char **swaps; /* device paths from /proc/swaps */
	size_t n_swaps;
};

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

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

static void read_mounts(const char *root, struct mount_table *t)
{
	char path[PATH_MAX], line[4096];
	FILE *f;

	memset(t, 0, sizeof(*t));
	if (pt_path(path, sizeof(path), root, "proc/self/mountinfo") == 0 &&
	    (f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f)) {
			struct mount_entry e, *v;
			char where[256];

			if (sscanf(line, "%*u %*u %u:%u %*s %255s", &e.major, &e.minor,
				   where) != 3)
				continue;
			unescape_octal(where);
			snprintf(e.where, sizeof(e.where), "%s", where);
			v = realloc(t->v, (t->n + 1) * sizeof(*v));
			if (!v)
				break;
			t->v = v;
			t->v[t->n++] = e;
		}
		fclose(f);
	}
	if (pt_path(path, sizeof(path), root, "proc/swaps") == 0 &&
	    (f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f)) {
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
}

static void free_mounts(struct mount_table *t)
{
	for (size_t i = 0; i < t->n_swaps; i++)
		free(t->swaps[i]);
	free(t->swaps);
	free(t->v);
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

/* Records the uses of one block device (a disk, a partition or a holder)
 * in *uses and why[], following holders (dm, md) down to their mounts. */
static void device_uses(const char *sysfs, const char *devdir, const char *name,
			const struct mount_table *t, unsigned *uses, char *why,
			size_t whylen, int depth)
{
	char path[PATH_MAX], dm_name[128] = "";
	unsigned major, minor;
	struct dirent *de;
	DIR *dir;

	if (depth > 8)
		return; /* holders do not nest this deep; a loop in a fake tree */
	if (strncmp(name, "dm-", 3) == 0 &&
	    pt_path(path, sizeof(path), sysfs, "block/%s/dm/name", name) == 0)
		pt_read_attr(path, dm_name, sizeof(dm_name));
	if (read_devnum(devdir, &major, &minor) == 0) {
		for (size_t i = 0; i < t->n; i++) {
			const struct mount_entry *m = &t->v[i];

			if (m->major != major || m->minor != minor)
				continue;
			if (strcmp(m->where, "/") == 0)
				*uses |= PT_USE_ROOT;
			else if (strcmp(m->where, "/boot") == 0 ||
				 strcmp(m->where, "/boot/efi") == 0)
				*uses |= PT_USE_BOOT;
			else
				*uses |= PT_USE_MOUNTED;
			append(why, whylen, "%s%s mounted on %s", *why ? "; " : "",
			       name, m->where);
		}
	}
	if (is_swap(t, name, dm_name)) {
		*uses |= PT_USE_SWAP;
		append(why, whylen, "%s%s is swap", *why ? "; " : "", name);
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
			pt_read_attr(path, h_uuid, sizeof(h_uuid));
		if (pt_path(path, sizeof(path), holder_dir, "dm/name") == 0)
			pt_read_attr(path, h_name, sizeof(h_name));
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
		append(why, whylen, "%s%s held by %s (%s%s%s)", *why ? "; " : "", name,
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
			pt_read_attr(path, d->model, sizeof(d->model));
	if (pt_path(path, sizeof(path), dir, "device/serial") == 0)
		pt_read_attr(path, d->serial, sizeof(d->serial));
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
				append(d->why, sizeof(d->why), "%s%s", d->why[0] ? "; " : "",
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
	read_mounts(root, &t);
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
	free_mounts(&t);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), compare_disks);
	return 0;
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
		append(buf, len, "%s%s", i ? ", " : "", words[i]);
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
