/* luks inspect/qmp/backup-header and guest-mounts: a LUKS header, what
 * QEMU needs to open it, and the guest's crypttab and fstab lines. */
#include "commands.h"
#include "blockinfo.h"
#include "fileio.h"
#include "json.h"
#include "sysfs.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* --- luks ----------------------------------------------------------------------- */

static void print_luks(const char *device, const char *header, const struct pt_luks_info *l)
{
	char size[32], label[sizeof(l->label) * 4], uuid[sizeof(l->uuid) * 4];
	char cipher[sizeof(l->cipher) * 4];

	printf("%s header %s%s%s\n", l->type, header ? header : device,
	       header ? ", for the data on " : "", header ? device : "");
	printf("  UUID         %s\n", pt_printable(l->uuid, uuid, sizeof(uuid)));
	if (l->label[0])
		printf("  label        %s\n", pt_printable(l->label, label, sizeof(label)));
	printf("  cipher       %s, %d-bit key\n", pt_printable(l->cipher, cipher, sizeof(cipher)),
	       l->key_bits);
	printf("  key slots    ");
	for (size_t i = 0; i < l->n_slots; i++)
		printf("%s%d", i ? " " : "", l->slots[i]);
	printf(" (%zu in use)\n", l->n_slots);
	printf("  data offset  %llu bytes\n", (unsigned long long)l->data_offset);
	printf("  header       %s\n", l->detached ? "detached (apart from the data)" :
						      "on the device, before the data");
	if (header) {
		pt_format_size(l->data_size - l->data_offset, size, sizeof(size));
		printf("  pair         the header opens this data device: %s of encrypted "
		       "data from offset %llu\n", size, (unsigned long long)l->data_offset);
	}
}

static int luks_inspect(struct host *h, const char *device)
{
	struct pt_luks_info l;
	char err[512];
	struct pt_json j;

	if (pt_luks_inspect(device, h->o.header, &l, err, sizeof(err)) < 0) {
		pt_host_error(h, "%s", err);
		return EXIT_PROBLEMS;
	}
	if (!h->o.json) {
		print_luks(device, h->o.header, &l);
		return EXIT_OK;
	}
	pt_json_init(&j, stdout);
	pt_json_object_begin(&j, NULL);
	pt_json_string(&j, "device", device);
	pt_json_string(&j, "header", h->o.header);
	pt_json_string(&j, "version", l.type);
	pt_json_string(&j, "uuid", l.uuid);
	pt_json_string(&j, "label", l.label[0] ? l.label : NULL);
	pt_json_string(&j, "cipher", l.cipher);
	pt_json_int(&j, "key_bits", l.key_bits);
	pt_json_array_begin(&j, "key_slots");
	for (size_t i = 0; i < l.n_slots; i++)
		pt_json_int(&j, NULL, l.slots[i]);
	pt_json_array_end(&j);
	pt_json_int(&j, "data_offset", (long long)l.data_offset);
	pt_json_bool(&j, "detached", l.detached);
	pt_json_int(&j, "data_size", (long long)l.data_size);
	pt_json_object_end(&j);
	return EXIT_OK;
}

/* One QMP command per line, ready for `virsh qemu-monitor-command VM`. */
static void qmp_blockdev(const char *node, const char *driver, const char *key,
			 const char *value, const char *extra_key, const char *extra_value)
{
	printf("{\"execute\":\"blockdev-add\",\"arguments\":{\"node-name\":");
	pt_json_write_string(stdout, node);
	printf(",\"driver\":\"%s\",", driver);
	pt_json_write_string(stdout, key);
	putchar(':');
	pt_json_write_string(stdout, value);
	if (extra_key) {
		putchar(',');
		pt_json_write_string(stdout, extra_key);
		putchar(':');
		pt_json_write_string(stdout, extra_value);
	}
}

static bool valid_qmp_id(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 64 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

/* The seed's sequence for a LUKS volume with a detached header, after
 * libcryptsetup proved the pair. The secret's value is never read: QEMU
 * reads it from --secret-file, which must be private. */
static int luks_qmp(struct host *h)
{
	const char *node = h->o.node ? h->o.node : "passthrough-luks";
	char payload[96], header[96], raw[96], disk[96], err[512];
	char data_path[PATH_MAX], header_path[PATH_MAX], secret_path[PATH_MAX];
	struct pt_luks_info l;
	struct stat st;

	if (!h->o.header || !h->o.data || !h->o.secret_id)
		return EXIT_USAGE;
	if (!valid_qmp_id(node) || !valid_qmp_id(h->o.secret_id)) {
		pt_host_error(h, "--node and --secret-id take a letter, then "
			"letters, digits, '-', '_' or '.' (QEMU's ids)");
		return EXIT_USAGE;
	}
	if (pt_luks_inspect(h->o.data, h->o.header, &l, err, sizeof(err)) < 0) {
		pt_host_error(h, "%s", err);
		return EXIT_PROBLEMS;
	}
	/* QEMU opens them from its own working directory: absolute paths. */
	if (!realpath(h->o.data, data_path) || !realpath(h->o.header, header_path) ||
	    (h->o.secret_file && !realpath(h->o.secret_file, secret_path))) {
		pt_host_error(h, "%s: %s", h->o.secret_file ? h->o.secret_file : "",
			strerror(errno));
		return EXIT_PROBLEMS;
	}
	if (h->o.secret_file) {
		if (stat(h->o.secret_file, &st) < 0) {
			pt_host_error(h, "--secret-file %s: %s", h->o.secret_file,
				strerror(errno));
			return EXIT_PROBLEMS;
		}
		if (st.st_mode & 077) {
			pt_host_error(h, "%s is readable by others (mode %04o): "
				"chmod 600 it first; a secret file must be private",
				h->o.secret_file, (unsigned)(st.st_mode & 07777));
			return EXIT_PROBLEMS;
		}
	}
	snprintf(payload, sizeof(payload), "%s-payload", node);
	snprintf(header, sizeof(header), "%s-header", node);
	snprintf(raw, sizeof(raw), "%s-raw", node);
	snprintf(disk, sizeof(disk), "%s-disk", node);
	qmp_blockdev(payload, stat(data_path, &st) == 0 && S_ISBLK(st.st_mode) ? "host_device" :
										  "file",
		     "filename", data_path, NULL, NULL);
	printf("}}\n");
	qmp_blockdev(header, stat(header_path, &st) == 0 && S_ISBLK(st.st_mode) ? "host_device" :
										   "file",
		     "filename", header_path, NULL, NULL);
	printf("}}\n");
	if (h->o.secret_file) {
		printf("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"secret\",\"id\":");
		pt_json_write_string(stdout, h->o.secret_id);
		printf(",\"format\":\"raw\",\"file\":");
		pt_json_write_string(stdout, secret_path);
		printf("}}\n");
	} else {
		pt_host_error(h, "no --secret-file: the secret '%s' must exist in "
			"QEMU already", h->o.secret_id);
	}
	qmp_blockdev(raw, "raw", "file", payload, NULL, NULL);
	printf("}}\n");
	qmp_blockdev(node, "luks", "file", raw, "header", header);
	printf(",\"key-secret\":");
	pt_json_write_string(stdout, h->o.secret_id);
	printf("}}\n");
	printf("{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-blk-pci\","
	       "\"drive\":");
	pt_json_write_string(stdout, node);
	printf(",\"id\":");
	pt_json_write_string(stdout, disk);
	printf(",\"num-queues\":\"1\"}}\n");
	return EXIT_OK;
}

/* The table's "no such device" (3), before libcryptsetup's own words. */
static bool luks_device_exists(const struct host *h, const char *device)
{
	if (access(device, F_OK) == 0 || errno != ENOENT)
		return true;
	pt_host_error(h, "block device not found: %s", device);
	return false;
}

static int cmd_luks(struct host *h, int argc, char **argv)
{
	char err[512];

	if ((argc == 2 && !strcmp(argv[0], "inspect")) ||
	    (argc == 3 && !strcmp(argv[0], "backup-header")))
		if (!luks_device_exists(h, argv[1]))
			return EXIT_NOT_FOUND;
	if (argc >= 1 && !strcmp(argv[0], "inspect") && argc == 2)
		return luks_inspect(h, argv[1]);
	if (argc == 1 && !strcmp(argv[0], "qmp"))
		return luks_qmp(h);
	if (argc == 3 && !strcmp(argv[0], "backup-header")) {
		if (pt_luks_backup_header(argv[1], argv[2], err, sizeof(err)) < 0) {
			pt_host_error(h, "%s", err);
			return EXIT_PROBLEMS;
		}
		printf("header of %s saved in %s (mode 0600); keep it away from the disk\n",
		       argv[1], argv[2]);
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

/* --- guest-mounts --------------------------------------------------------------- */

/* The first holder of a block device whose dm uuid starts with `prefix`.
 * A partition's holders are under its disk: /sys/block/sda/sda2/holders. */
static bool holder_with(const struct host *h, const char *name, const char *prefix,
			char *out, size_t len)
{
	const char *sysfs = h->ctx.sysfs;
	char dir[PATH_MAX], path[PATH_MAX], uuid[160];
	struct dirent **names = NULL;
	const struct pt_part *part;
	const struct pt_disk *disk = pt_find_disk(&h->m.disks, name, &part);
	bool found = false;
	int n;

	if (disk && part ? pt_path(dir, sizeof(dir), sysfs, "block/%s/%s/holders", disk->name, name) :
			   pt_path(dir, sizeof(dir), sysfs, "block/%s/holders", name))
		return false;
	n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (!found && names[i]->d_name[0] != '.' &&
		    pt_path(path, sizeof(path), sysfs, "block/%s/dm/uuid", names[i]->d_name) == 0 &&
		    pt_read_attr(path, uuid, sizeof(uuid)) == 0 && !strncmp(uuid, prefix, strlen(prefix))) {
			snprintf(out, len, "%.63s", names[i]->d_name);
			found = true;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* A path as one fstab field: blanks and backslashes the way fstab(5)
 * escapes them (\040), so a blank cannot split the field. Control
 * characters have no escape there (a newline would start a new line):
 * such a path is refused. Returns false then. */
static bool fstab_field(const char *path, char *out, size_t len)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		bool octal = *p == ' ' || *p == '\t' || *p == '\\';

		if (!octal && (*p < 0x20 || *p == 0x7f))
			return false;
		if (n + 5 > len)
			return false;
		n += (size_t)(octal ? snprintf(out + n, len - n, "\\%03o", *p) :
				      snprintf(out + n, len - n, "%c", *p));
	}
	return n < len;
}

static void fstab_line(const char *root, const char *dm, const char *mountpoint)
{
	char path[PATH_MAX];
	struct pt_fsinfo fs;

	if (pt_path(path, sizeof(path), root, "dev/%s", dm) || pt_probe_fs(path, &fs) < 0 ||
	    !fs.type[0] || !fs.uuid[0]) {
		printf("# /dev/%s has no filesystem yet: make one (mkfs.ext4 /dev/%s), then run "
		       "this again for its fstab line\n", dm, dm);
		return;
	}
	if (!pt_valid_uuid(fs.uuid)) {
		char shown[sizeof(fs.uuid) * 4];

		printf("# /dev/%s: its filesystem's UUID '%s' is not a UUID, so no fstab line; "
		       "give it one (tune2fs -U random /dev/%s), then run this again\n", dm,
		       pt_printable(fs.uuid, shown, sizeof(shown)), dm);
		return;
	}
	printf("UUID=%s\t%s\t%s\t%s\t0\t2\n", fs.uuid, mountpoint, fs.type,
	       !strcmp(fs.type, "ext4") ? "defaults,noinit_itable" : "defaults");
}

/* Seed 000 inside the guest: crypttab by the LUKS UUID with a key file,
 * fstab by the UUID of the filesystem inside (on an LVM volume if there is
 * one), read from the opened mapping. */
static int cmd_guest_mounts(struct host *h, int argc, char **argv)
{
	const char *dev, *name, *mp = h->o.mountpoint, *key = h->o.key_file;
	char path[PATH_MAX], real[PATH_MAX], err[512], mapping[64], lv[64];
	struct pt_luks_info l;

	char mp_field[PATH_MAX * 4];

	if (argc != 1 || !mp || !key || mp[0] != '/' || key[0] != '/') {
		pt_host_error(h, "guest-mounts DEVICE --key-file /ABSOLUTE/PATH "
			"--mountpoint /DIR");
		return EXIT_USAGE;
	}
	/* crypttab has no escapes every reader honours: its key file must be
	 * a plain path. fstab's mount point is escaped. */
	if (strpbrk(key, " \t\\") || !fstab_field(key, mp_field, sizeof(mp_field))) {
		pt_host_error(h, "--key-file '%s': a crypttab path cannot hold "
			"blanks, backslashes or control characters; move the key file", key);
		return EXIT_USAGE;
	}
	if (!fstab_field(mp, mp_field, sizeof(mp_field))) {
		pt_host_error(h, "--mountpoint: control characters cannot be "
			"written in fstab; choose another directory");
		return EXIT_USAGE;
	}
	mp = mp_field;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	dev = argv[0];
	if (strncmp(dev, "/dev/", 5) || pt_path(path, sizeof(path), h->ctx.root, "%s", dev + 1) ||
	    !realpath(path, real)) {
		pt_host_error(h, "block device not found: %s", dev);
		return EXIT_NOT_FOUND;
	}
	if (pt_luks_inspect(real, NULL, &l, err, sizeof(err)) < 0) {
		pt_host_error(h, "%s: %s; format it first (cryptsetup luksFormat "
			"%s %s)", dev, err, dev, key);
		return EXIT_PROBLEMS;
	}
	name = strrchr(real, '/') + 1;
	if (!pt_valid_uuid(l.uuid)) {
		char shown[sizeof(l.uuid) * 4];

		pt_host_error(h, "%s: the LUKS header's UUID '%s' is not a UUID (hex digits and "
			      "dashes), so no crypttab line is written with it; whoever wrote the "
			      "disk chose it: check the disk, then give it one (cryptsetup luksUUID "
			      "--uuid \"$(uuidgen)\" %s)", dev,
			      pt_printable(l.uuid, shown, sizeof(shown)), dev);
		return EXIT_PROBLEMS;
	}
	printf("# /etc/crypttab\n%s_crypt UUID=%s %s luks,noearly\n", name, l.uuid, key);
	printf("# /etc/fstab\n");
	if (!holder_with(h, name, "CRYPT-", mapping, sizeof(mapping))) {
		printf("# open it to read the filesystem inside: cryptsetup open --key-file %s "
		       "%s %s_crypt; then run this again\n", key, dev, name);
		return EXIT_OK;
	}
	if (holder_with(h, mapping, "LVM-", lv, sizeof(lv)))
		fstab_line(h->ctx.root, lv, mp);
	else
		fstab_line(h->ctx.root, mapping, mp);
	return EXIT_OK;
}

static const char *const luks_options[] = { "header", "json", "data", "secret-id", "secret-file", "node", NULL };

const struct pt_command pt_command_luks = {
	.name = "luks",
	.run = cmd_luks,
	.json = true,
	.options = luks_options,
	.synopsis = "luks inspect DEVICE [--header FILE] [--json]\n"
		    "luks qmp --header FILE --data FILE --secret-id ID [--secret-file F] [--node N]\n"
		    "luks backup-header DEVICE FILE",
	.description = "A LUKS header: what it holds, the QMP commands that open it in QEMU, a\n"
		       "copy of it.",
};

static const char *const guest_mounts_options[] = { "key-file", "mountpoint", NULL };

const struct pt_command pt_command_guest_mounts = {
	.name = "guest-mounts",
	.run = cmd_guest_mounts,
	.json = false,
	.options = guest_mounts_options,
	.synopsis = "guest-mounts DEVICE --key-file PATH --mountpoint DIR",
	.description = "In a guest: crypttab and fstab lines for a LUKS disk.",
};
