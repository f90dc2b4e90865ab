/* disks and disk xml/attach/detach/attached (libvirt through virsh):
 * every disk with its controller and what the host uses it for, and a disk
 * for a guest, refused when the host uses it, with the reason and what to
 * do. */
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

/* --- disks ------------------------------------------------------------------ */

static void print_part(FILE *f, const struct pt_part *p, const char *indent)
{
	char size[32], label[sizeof(p->fs.label) * 4], why[sizeof(p->why) * 4];
	char cipher[sizeof(p->luks.cipher) * 4], uuid[sizeof(p->luks.uuid) * 4 + sizeof(p->fs.uuid) * 4];

	pt_format_size(p->size, size, sizeof(size));
	fprintf(f, "%s%-10s %10s  ", indent, p->name, size);
	if (!p->fs.probed)
		fputs("(not readable)", f);
	else if (p->has_luks)
		fprintf(f, "%s %s, UUID %s", p->luks.type,
			pt_printable(p->luks.cipher, cipher, sizeof(cipher)),
			pt_printable(p->luks.uuid, uuid, sizeof(uuid)));
	else if (p->fs.type[0])
		fprintf(f, "%s%s%s%s%s%s", p->fs.type, p->fs.label[0] ? " \"" : "",
			pt_printable(p->fs.label, label, sizeof(label)),
			p->fs.label[0] ? "\"" : "", p->fs.uuid[0] ? ", UUID " : "",
			pt_printable(p->fs.uuid, uuid, sizeof(uuid)));
	else if (p->fs.pttype[0])
		fprintf(f, "%s partition table", p->fs.pttype);
	else
		fputs("no filesystem found", f);
	fputc('\n', f);
	if (p->why[0])
		fprintf(f, "%s  %s\n", indent, pt_printable(p->why, why, sizeof(why)));
}

static long group_of(const struct pt_machine *m, const struct pt_disk *d)
{
	long i = d->has_controller ? pt_machine_find(m, &d->controller) : -1;

	return i >= 0 ? m->devs.v[i].iommu_group : -1;
}

static int cmd_disks(struct host *h, int argc, char **argv)
{
	const struct pt_disks *ds;
	struct pt_json j;

	(void)argv;
	if (argc != 0)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	if (h->o.as_table)
		return pt_table_status(pt_table_disks(&h->m, &h->o.table));
	ds = &h->m.disks;
	if (h->o.json) {
		pt_json_init(&j, stdout);
		pt_json_object_begin(&j, NULL);
		pt_json_array_begin(&j, "disks");
	}
	for (size_t i = 0; i < ds->n; i++) {
		const struct pt_disk *d = &ds->v[i];
		char addr[PT_PCI_ADDR_STRLEN] = "", size[32], uses[96];
		char model[sizeof(d->model) * 4], serial[sizeof(d->serial) * 4];
		long group = group_of(&h->m, d);

		if (d->has_controller)
			pt_pci_addr_format(&d->controller, addr);
		if (h->o.json) {
			pt_report_disk_json(&j, &h->m, d, true);
			continue;
		}
		pt_format_size(d->size, size, sizeof(size));
		pt_disk_uses_text(d->uses, uses, sizeof(uses));
		printf("%s  %s%s%s%s%s%s\n", d->name, size, d->model[0] ? ", \"" : "",
		       pt_printable(d->model, model, sizeof(model)), d->model[0] ? "\"" : "",
		       d->serial[0] ? ", serial " : "", pt_printable(d->serial, serial, sizeof(serial)));
		if (d->has_controller)
			printf("    behind %s (IOMMU group %s%.0ld)\n", addr,
			       group >= 0 ? "" : "none", group >= 0 ? group : 0);
		else
			printf("    behind no PCI device\n");
		printf("    %s\n", d->by_id[0] ? d->by_id : "no /dev/disk/by-id name");
		printf("    the host needs it: %s\n", d->uses ? uses : "no");
		if (!d->n_parts)
			print_part(stdout, &d->whole, "    ");
		for (size_t k = 0; k < d->n_parts; k++)
			print_part(stdout, &d->parts[k], "    ");
	}
	if (h->o.json) {
		pt_json_array_end(&j);
		pt_json_object_end(&j);
	} else if (!ds->n) {
		printf("No disks with hardware behind them.\n");
	}
	return EXIT_OK;
}

/* --- resolving a DEVICE argument -------------------------------------------------- */

struct resolved {
	const struct pt_disk *disk;
	const struct pt_part *part; /* NULL: the whole disk */
	const char *name;           /* sdb, sdb1 */
	char source[PATH_MAX];      /* what the guest's XML names: a by-id path */
};

/* DEVICE (/dev/sdb, /dev/sdb1, /dev/disk/by-id/..., under --root) to the
 * disk model. */
static int resolve_device(const struct host *h, const char *dev, struct resolved *r)
{
	memset(r, 0, sizeof(*r));
	if (strncmp(dev, "/dev/", 5) || strstr(dev, "/..")) {
		pt_host_error(h, "'%s' is not a block device path under /dev", dev);
		return EXIT_USAGE;
	}
	if (!(r->disk = pt_disk_by_path(&h->m.disks, h->ctx.root, dev, false, &r->part))) {
		pt_host_error(h, "block device not found: %s (see `passthrough "
			"disks` or lsblk)", dev);
		return EXIT_NOT_FOUND;
	}
	r->name = r->part ? r->part->name : r->disk->name;
	if (!r->part && r->disk->by_id[0])
		snprintf(r->source, sizeof(r->source), "%s", r->disk->by_id);
	else
		pt_by_id_name(h->ctx.root, r->name, r->source, sizeof(r->source));
	if (!r->source[0])
		snprintf(r->source, sizeof(r->source), "/dev/%s", r->name);
	return EXIT_OK;
}

/* The seed's refusals (mounted, mounted partitions, holders) plus root,
 * /boot, swap and open mappings: the reason and what to do. */
static int refuse_if_used(const struct host *h, const struct resolved *r)
{
	unsigned uses = r->part ? r->part->uses | r->disk->whole.uses : r->disk->uses;
	const char *why = r->part ? r->part->why : r->disk->why;
	char words[96], shown[sizeof(r->disk->why) * 4];

	if (!uses)
		return EXIT_OK;
	pt_disk_uses_text(uses, words, sizeof(words));
	pt_host_error(h, "/dev/%s is in use by the host (%s): %s\n  %s", r->name, words,
		pt_printable(why[0] ? why : r->disk->whole.why, shown, sizeof(shown)),
		uses & (PT_USE_ROOT | PT_USE_BOOT) ?
			"it holds the host's own system: never give it to a guest" :
			"fix: unmount it (umount), turn swap off (swapoff), close mappings "
			"(cryptsetup close NAME) and deactivate LVM (vgchange -an VG) first, "
			"and take it out of fstab/crypttab");
	return EXIT_IN_USE;
}

/* --- virsh ---------------------------------------------------------------------- */

/* Runs virsh with its output captured; returns its exit status, or -1. */
/* What virsh said on stderr, without its last line break (the message
 * adds one); `fallback` when it said nothing or it could not be read. */
const char *pt_virsh_said(char *err, const char *fallback)
{
	size_t n = err ? strlen(err) : 0;

	while (n && err[n - 1] == '\n')
		err[--n] = '\0';
	return n ? err : fallback;
}

int pt_virsh(char *const argv[], char **out, char **err)
{
	posix_spawn_file_actions_t fa;
	char tmpl_out[] = "/tmp/passthrough-virsh-XXXXXX", tmpl_err[] = "/tmp/passthrough-virsh-XXXXXX";
	int fo = mkstemp(tmpl_out), fe = mkstemp(tmpl_err), status = -1;
	pid_t pid;

	*out = *err = NULL;
	if (fo < 0 || fe < 0)
		goto done;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fo, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fe, STDERR_FILENO);
	if (posix_spawnp(&pid, "virsh", &fa, NULL, argv, environ) == 0 &&
	    waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	else
		status = -1;
	posix_spawn_file_actions_destroy(&fa);
	lseek(fo, 0, SEEK_SET);
	lseek(fe, 0, SEEK_SET);
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fo);
		*out = pt_read_file(path);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fe);
		*err = pt_read_file(path);
	}
done:
	if (fo >= 0) {
		close(fo);
		unlink(tmpl_out);
	}
	if (fe >= 0) {
		close(fe);
		unlink(tmpl_err);
	}
	if (!*out)
		*out = strdup("");
	if (!*err)
		*err = strdup("");
	return status;
}

/* Checks the VM exists and, for a live change, runs. */
static int check_vm(const struct host *h, const char *vm, bool live)
{
	char *argv[] = { "virsh", "domstate", (char *)vm, NULL }, *out, *err;
	int st = pt_virsh(argv, &out, &err), rc = EXIT_OK;

	if (st < 0) {
		pt_host_error(h, "cannot run virsh: install libvirt-clients");
		rc = EXIT_VIRSH;
	} else if (st != 0) {
		pt_host_error(h, "no VM named '%s' (see virsh list --all)", vm);
		rc = EXIT_NO_VM;
	} else if (live && strncmp(out, "running", 7) != 0) {
		out[strcspn(out, "\n")] = '\0';
		pt_host_error(h, "VM '%s' is not running (%s): start it (virsh "
			"start %s) or change its definition with --persistent", vm, out, vm);
		rc = EXIT_NO_VM;
	}
	free(out);
	free(err);
	return rc;
}

/* The block disks of a VM: "target source" pairs from domblklist. */
struct attached {
	char target[32];
	char source[PATH_MAX];
};

static int vm_disks(const char *vm, struct attached **v, size_t *n)
{
	char *argv[] = { "virsh", "domblklist", (char *)vm, "--details", NULL }, *out, *err;
	int st = pt_virsh(argv, &out, &err);

	*v = NULL;
	*n = 0;
	if (st == 0) {
		for (char *line, *save = NULL, *s = out; (line = strtok_r(s, "\n", &save)); s = NULL) {
			char type[32], device[32], target[32], source[PATH_MAX];
			struct attached *a;

			if (sscanf(line, "%31s %31s %31s %4095s", type, device, target, source) != 4 ||
			    !strcmp(type, "Type") || strcmp(device, "disk"))
				continue;
			if (!(a = realloc(*v, (*n + 1) * sizeof(*a))))
				break;
			*v = a;
			snprintf(a[*n].target, sizeof(a[*n].target), "%s", target);
			snprintf(a[*n].source, sizeof(a[*n].source), "%s", source);
			(*n)++;
		}
	}
	free(out);
	free(err);
	return st == 0 ? 0 : -1;
}

static bool valid_target(const char *t)
{
	size_t n = strlen(t);

	return n >= 3 && n < 8 && strspn(t, "abcdefghijklmnopqrstuvwxyz") == n;
}

/* The first free target after vda (the guest's own disk by habit). */
static void next_target(const struct attached *v, size_t n, const char *prefix, char *out,
			size_t len)
{
	for (char c = 'b'; c <= 'z'; c++) {
		bool used = false;

		snprintf(out, len, "%s%c", prefix, c);
		for (size_t i = 0; i < n; i++)
			used |= !strcmp(v[i].target, out);
		if (!used)
			return;
	}
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* The seed's element, with the stable by-id path. */
static void write_disk_xml(FILE *f, const char *source, const char *target, const char *bus)
{
	fputs("<disk type='block' device='disk'>\n"
	      "  <driver name='qemu' type='raw' cache='none' io='native'/>\n"
	      "  <source dev='", f);
	xml_escaped(f, source);
	fprintf(f, "'/>\n  <target dev='%s' bus='%s'/>\n</disk>\n", target, bus);
}

/* The disk element for DEVICE: refused if the host uses it. */
static int disk_xml_for(struct host *h, const char *dev, const char *vm, FILE *f,
			char *target, size_t tlen, struct resolved *r)
{
	const char *bus = h->o.bus ? h->o.bus : "virtio";
	struct attached *v = NULL;
	size_t n = 0;
	int rc;

	if (strcmp(bus, "virtio") && strcmp(bus, "scsi") && strcmp(bus, "sata")) {
		pt_host_error(h, "--bus takes virtio, scsi or sata");
		return EXIT_USAGE;
	}
	if (h->o.target && !valid_target(h->o.target)) {
		pt_host_error(h, "--target takes a name like vdb or sdc");
		return EXIT_USAGE;
	}
	if ((rc = resolve_device(h, dev, r)) || (rc = refuse_if_used(h, r)))
		return rc;
	if (h->o.target) {
		snprintf(target, tlen, "%s", h->o.target);
	} else {
		if (vm && vm_disks(vm, &v, &n) < 0) {
			pt_host_error(h, "cannot list the disks of VM '%s' (virsh "
				"domblklist)", vm);
			return EXIT_NO_VM;
		}
		next_target(v, n, strcmp(bus, "virtio") ? "sd" : "vd", target, tlen);
		free(v);
	}
	write_disk_xml(f, r->source, target, bus);
	return EXIT_OK;
}

static int disk_attach(struct host *h, const char *vm, const char *dev)
{
	char target[32], path[] = "/tmp/passthrough-disk-XXXXXX", *out, *err;
	bool live = h->o.live || !h->o.persistent;
	struct resolved r;
	FILE *f;
	int rc, fd, st;

	if ((rc = check_vm(h, vm, live)))
		return rc;
	/* mkstemp makes it 0600: the XML names the host's disk */
	if ((fd = mkstemp(path)) < 0 || !(f = fdopen(fd, "w"))) {
		pt_host_error(h, "cannot write a temporary file: %s", strerror(errno));
		return EXIT_PROBLEMS;
	}
	rc = disk_xml_for(h, dev, vm, f, target, sizeof(target), &r);
	fclose(f);
	if (rc == EXIT_OK) {
		char *argv[] = { "virsh", "attach-device", (char *)vm, path,
				 live ? "--live" : "--config",
				 live && h->o.persistent ? "--config" : NULL, NULL };

		st = pt_virsh(argv, &out, &err);
		if (st == 0)
			printf("attached %s to %s as %s\n", r.source, vm, target);
		else
			pt_host_error(h, "attaching %s to %s failed: %s", r.source, vm,
				      pt_virsh_said(err, "virsh attach-device failed"));
		rc = st == 0 ? EXIT_OK : EXIT_VIRSH;
		free(out);
		free(err);
	}
	unlink(path);
	return rc;
}

/* Is an attached source (a path on the host) this device? */
static bool same_device(const struct host *h, const char *source, const char *name)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *base;

	if (strncmp(source, "/dev/", 5) || pt_path(path, sizeof(path), h->ctx.root, "%s", source + 1))
		return false;
	base = realpath(path, real) ? strrchr(real, '/') + 1 : strrchr(source, '/') + 1;
	return !strcmp(base, name);
}

static int disk_detach(struct host *h, const char *vm, const char *dev)
{
	bool live = h->o.live || !h->o.persistent;
	struct attached *v;
	struct resolved r;
	size_t n;
	int rc;

	if ((rc = resolve_device(h, dev, &r)) || (rc = check_vm(h, vm, live)))
		return rc;
	if (vm_disks(vm, &v, &n) < 0) {
		pt_host_error(h, "cannot list the disks of VM '%s'", vm);
		return EXIT_NO_VM;
	}
	rc = EXIT_NOT_FOUND;
	for (size_t i = 0; i < n && rc == EXIT_NOT_FOUND; i++) {
		char *argv[] = { "virsh", "detach-disk", (char *)vm, v[i].target,
				 live ? "--live" : "--config",
				 live && h->o.persistent ? "--config" : NULL, NULL }, *out, *err;

		if (!same_device(h, v[i].source, r.name))
			continue;
		if (pt_virsh(argv, &out, &err) == 0) {
			printf("detached %s (%s) from %s\n", v[i].source, v[i].target, vm);
			rc = EXIT_OK;
		} else {
			pt_host_error(h, "detaching %s from %s failed: %s", v[i].target, vm,
				      pt_virsh_said(err, "virsh detach-disk failed"));
			rc = EXIT_VIRSH;
		}
		free(out);
		free(err);
	}
	if (rc == EXIT_NOT_FOUND)
		pt_host_error(h, "%s is not attached to %s (see passthrough disk "
			"attached %s)", dev, vm, vm);
	free(v);
	return rc;
}

static int disk_attached(struct host *h, const char *vm)
{
	struct attached *v;
	size_t n;
	int rc;

	if ((rc = check_vm(h, vm, false)))
		return rc;
	if (vm_disks(vm, &v, &n) < 0) {
		pt_host_error(h, "cannot list the disks of VM '%s'", vm);
		return EXIT_NO_VM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pt_disk *d = NULL;
		const struct pt_part *p = NULL;

		for (size_t k = 0; k < h->m.disks.n && !d; k++) {
			if (same_device(h, v[i].source, h->m.disks.v[k].name))
				d = &h->m.disks.v[k];
			for (size_t q = 0; q < h->m.disks.v[k].n_parts && !d; q++)
				if (same_device(h, v[i].source, h->m.disks.v[k].parts[q].name)) {
					d = &h->m.disks.v[k];
					p = &d->parts[q];
				}
		}
		printf("%-6s %s%s%s%s\n", v[i].target, v[i].source, d ? " (" : "",
		       d ? (p ? p->name : d->name) : "", d ? ")" : "");
	}
	if (!n)
		printf("no disks attached to %s\n", vm);
	free(v);
	return EXIT_OK;
}

static int cmd_disk(struct host *h, int argc, char **argv)
{
	char target[32];
	struct resolved r;

	if (argc < 1)
		return EXIT_USAGE;
	if (pt_host_load(h, CONFIG_OPTIONAL) < 0)
		return EXIT_PROBLEMS;
	if (!strcmp(argv[0], "xml") && argc == 2)
		return disk_xml_for(h, argv[1], h->o.domain, stdout, target, sizeof(target), &r);
	if (!strcmp(argv[0], "attach") && argc == 3)
		return disk_attach(h, argv[1], argv[2]);
	if (!strcmp(argv[0], "detach") && argc == 3)
		return disk_detach(h, argv[1], argv[2]);
	if (!strcmp(argv[0], "attached") && argc == 2)
		return disk_attached(h, argv[1]);
	return EXIT_USAGE;
}

static const char *const disks_options[] = { "json", "output", "raw", "pairs", "noheadings", "list", NULL };

const struct pt_command pt_command_disks = {
	.name = "disks",
	.run = cmd_disks,
	.json = true,
	.options = disks_options,
	.synopsis = "disks [--json] [-o COLUMNS [-r|-P|-n|-l]]",
	.description = "Every disk: its controller, its contents, what the host uses it for.",
};

static const char *const disk_options[] = { "target", "bus", "domain", "live", "persistent", NULL };

const struct pt_command pt_command_disk = {
	.name = "disk",
	.run = cmd_disk,
	.json = false,
	.options = disk_options,
	.synopsis = "disk xml DEVICE [--target vdX] [--bus virtio|scsi|sata] [--domain VM]\n"
		    "disk attach VM DEVICE [--live] [--persistent]\n"
		    "disk detach VM DEVICE [--live] [--persistent]\n"
		    "disk attached VM",
	.description = "A disk for a libvirt guest, refused when the host uses it.",
};

