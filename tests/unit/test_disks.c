/* What the host uses its disks for, on fake sysfs and mountinfo trees:
 * filesystems that mountinfo shows with an anonymous device number
 * (btrfs, bcachefs, ZFS) must still be traced to their disks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "disks.h"
#include "fakesys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BTRFS_UUID "0ba5e000-0000-4000-8000-0000000000b1"

static void link_to(struct fakesys *fs, const char *target, const char *rel)
{
	char path[1024];

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", fs->root, rel) < sizeof(path));
	assert_int_equal(symlink(target, path), 0);
}

/* A SATA disk behind 00:1f.2, device number 8:(16 * index), with
 * partitions NAME1..NAMEn. */
static void add_disk(struct fakesys *fs, const char *name, unsigned index, unsigned n_parts)
{
	char dir[256], rel[400], val[32], target[300];

	snprintf(dir, sizeof(dir), "sys/devices/pci0000:00/0000:00:1f.2/ata%u/block/%s",
		 index + 1, name);
	snprintf(rel, sizeof(rel), "%s/dev", dir);
	snprintf(val, sizeof(val), "8:%u\n", index * 16);
	fakesys_write(fs, rel, val);
	snprintf(rel, sizeof(rel), "%s/size", dir);
	fakesys_write(fs, rel, "2048\n");
	snprintf(rel, sizeof(rel), "%s/device/model", dir);
	fakesys_write(fs, rel, "FAKE DISK\n");
	for (unsigned p = 1; p <= n_parts; p++) {
		snprintf(rel, sizeof(rel), "%s/%s%u/partition", dir, name, p);
		fakesys_write(fs, rel, "1\n");
		snprintf(rel, sizeof(rel), "%s/%s%u/dev", dir, name, p);
		snprintf(val, sizeof(val), "8:%u\n", index * 16 + p);
		fakesys_write(fs, rel, val);
	}
	fakesys_write(fs, "sys/block/.keep", "");
	snprintf(target, sizeof(target), "../devices/pci0000:00/0000:00:1f.2/ata%u/block/%s",
		 index + 1, name);
	snprintf(rel, sizeof(rel), "sys/block/%s", name);
	link_to(fs, target, rel);
}

/* An open LUKS mapping dm-0 called NAME on top of sda2. */
static void add_crypt_mapping(struct fakesys *fs, const char *name)
{
	char val[160];

	fakesys_write(fs, "sys/devices/virtual/block/dm-0/dev", "254:0\n");
	fakesys_write(fs, "sys/devices/virtual/block/dm-0/dm/uuid",
		      "CRYPT-LUKS2-0ba5e0000000400080000000000000c1-x\n");
	snprintf(val, sizeof(val), "%s\n", name);
	fakesys_write(fs, "sys/devices/virtual/block/dm-0/dm/name", val);
	link_to(fs, "../devices/virtual/block/dm-0", "sys/block/dm-0");
	fakesys_write(fs, "sys/devices/pci0000:00/0000:00:1f.2/ata1/block/sda/sda2/holders/.keep",
		      "");
	link_to(fs, "../../../../../../../virtual/block/dm-0",
		"sys/devices/pci0000:00/0000:00:1f.2/ata1/block/sda/sda2/holders/dm-0");
}

/* SYS/fs/btrfs/UUID/devices/NAME for each member. */
static void add_btrfs(struct fakesys *fs, const char *uuid, const char *const members[],
		      size_t n)
{
	char rel[300], target[64];

	snprintf(rel, sizeof(rel), "sys/fs/btrfs/%s/devices/.keep", uuid);
	fakesys_write(fs, rel, "");
	for (size_t i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "sys/fs/btrfs/%s/devices/%s", uuid, members[i]);
		snprintf(target, sizeof(target), "../../../../block/%s", members[i]);
		link_to(fs, target, rel);
	}
	fakesys_write(fs, "sys/fs/btrfs/features/.keep", "");
}

/* Two disks, sda (sda1, sda2) and sdb (no partitions), with a root that
 * is not on either of them and the given mountinfo lines after it. */
static void machine(struct fakesys *fs, const char *mountinfo)
{
	char all[2048];

	fakesys_init(fs);
	add_disk(fs, "sda", 0, 2);
	add_disk(fs, "sdb", 1, 0);
	snprintf(all, sizeof(all),
		 "1 1 0:2 / / rw - rootfs rootfs rw\n"
		 "21 1 0:19 / /proc rw,relatime - proc proc rw\n%s",
		 mountinfo);
	fakesys_write(fs, "proc/self/mountinfo", all);
}

struct found {
	struct pt_disks disks;
	const struct pt_disk *disk;
	const struct pt_part *part;
};

static void read_and_find(struct fakesys *fs, const char *name, struct found *f)
{
	assert_int_equal(pt_read_disks(fs->sysfs, fs->root, false, &f->disks), 0);
	assert_int_equal(f->disks.n, 2);
	f->disk = pt_find_disk(&f->disks, name, &f->part);
	assert_non_null(f->disk);
}

static void btrfs_root_on_a_partition(void **state)
{
	static const char *const members[] = { "sda2" };
	struct fakesys fs;
	struct found f;

	(void)state;
	machine(&fs, "30 1 0:31 /@ / rw,relatime - btrfs /dev/sda2 rw,subvol=/@\n"
		     "31 1 0:31 /@home /home rw,relatime - btrfs /dev/sda2 rw,subvol=/@home\n");
	add_btrfs(&fs, BTRFS_UUID, members, 1);
	read_and_find(&fs, "sda2", &f);
	assert_int_equal(f.part->uses, PT_USE_ROOT | PT_USE_MOUNTED);
	assert_string_equal(f.part->why, "sda2 mounted on /; sda2 mounted on /home");
	assert_int_equal(f.disk->uses, PT_USE_ROOT | PT_USE_MOUNTED);
	assert_int_equal(f.disks.v[1].uses, 0); /* sdb */
	pt_disks_free(&f.disks);
	fakesys_cleanup(&fs);
}

static void btrfs_on_two_disks_uses_both(void **state)
{
	static const char *const members[] = { "sdb", "sda2" };
	struct fakesys fs;
	struct found f;

	(void)state;
	machine(&fs, "30 1 0:31 / /boot rw - btrfs /dev/sda2 rw\n");
	add_btrfs(&fs, BTRFS_UUID, members, 2);
	read_and_find(&fs, "sdb", &f);
	assert_int_equal(f.disk->uses, PT_USE_BOOT);
	assert_string_equal(f.disk->why, "sdb mounted on /boot (btrfs with sda2)");
	f.disk = pt_find_disk(&f.disks, "sda2", &f.part);
	assert_string_equal(f.part->why, "sda2 mounted on /boot");
	pt_disks_free(&f.disks);
	fakesys_cleanup(&fs);
}

static void btrfs_without_sysfs_is_its_source(void **state)
{
	struct fakesys fs;
	struct found f;

	(void)state;
	machine(&fs, "30 1 0:31 / / rw - btrfs /dev/sdb rw\n");
	read_and_find(&fs, "sdb", &f);
	assert_int_equal(f.disk->uses, PT_USE_ROOT);
	assert_string_equal(f.disk->why, "sdb mounted on /");
	pt_disks_free(&f.disks);
	fakesys_cleanup(&fs);
}

/* Sources by symlink under ROOT/dev, and a /dev/mapper name the root has
 * no node for, through the mapping's name in sysfs. */
static void btrfs_sources_through_links_and_dm_names(void **state)
{
	static const char *const on_sdb[] = { "sdb" };
	static const char *const on_dm[] = { "dm-0" };
	struct fakesys fs;
	struct found f;

	(void)state;
	machine(&fs, "30 1 0:31 / / rw - btrfs /dev/mapper/luks-root rw\n"
		     "31 1 0:32 / /srv\\040data rw - btrfs /dev/disk/by-uuid/0ba5e000 rw\n");
	add_crypt_mapping(&fs, "luks-root");
	add_btrfs(&fs, BTRFS_UUID, on_dm, 1);
	add_btrfs(&fs, "0ba5e000-0000-4000-8000-0000000000b2", on_sdb, 1);
	fakesys_write(&fs, "dev/sdb", "");
	fakesys_write(&fs, "dev/disk/by-uuid/.keep", "");
	link_to(&fs, "../../sdb", "dev/disk/by-uuid/0ba5e000");
	read_and_find(&fs, "sda2", &f);
	assert_int_equal(f.part->uses, PT_USE_CRYPT | PT_USE_ROOT);
	assert_string_equal(f.part->why,
			    "sda2 held by dm-0 (LUKS mapping luks-root); dm-0 mounted on /");
	f.disk = pt_find_disk(&f.disks, "sdb", &f.part);
	assert_int_equal(f.disk->uses, PT_USE_MOUNTED);
	assert_string_equal(f.disk->why, "sdb mounted on /srv data");
	pt_disks_free(&f.disks);
	fakesys_cleanup(&fs);
}

static void bcachefs_names_its_devices(void **state)
{
	struct fakesys fs;
	struct found f;

	(void)state;
	machine(&fs, "30 1 0:33 / / rw - bcachefs /dev/sda1:/dev/sdb rw\n");
	read_and_find(&fs, "sdb", &f);
	assert_int_equal(f.disk->uses, PT_USE_ROOT);
	assert_string_equal(f.disk->why, "sdb mounted on / (bcachefs with sda1)");
	f.disk = pt_find_disk(&f.disks, "sda1", &f.part);
	assert_string_equal(f.part->why, "sda1 mounted on /");
	pt_disks_free(&f.disks);
	fakesys_cleanup(&fs);
}

/* Other anonymous mounts (tmpfs, overlay, a source that is no device)
 * and lines that are not mountinfo mark nothing. */
static void other_anonymous_mounts_mark_nothing(void **state)
{
	struct fakesys fs;
	struct found f;

	(void)state;
	machine(&fs, "30 1 0:40 / /tmp rw - tmpfs /dev/sdb rw\n"
		     "31 1 0:41 / /x rw - btrfs  rw\n"
		     "32 1 0:42 / /y rw - btrfs none rw\n"
		     "33 1 0:43 / /z rw - btrfs /dev/../sdb rw\n"
		     "34 1 0:44 / /w rw shared:1 master:2\n"
		     "garbage\n");
	read_and_find(&fs, "sdb", &f);
	assert_int_equal(f.disks.v[0].uses, 0);
	assert_int_equal(f.disks.v[1].uses, 0);
	pt_disks_free(&f.disks);
	fakesys_cleanup(&fs);
}

/* Without probing a ZFS mount marks nothing; with the probe's findings
 * every vdev of the pool gets the pool's uses. */
static void zfs_vdevs_by_pool_label(void **state)
{
	struct pt_part parts[2] = { { .name = "sda1" }, { .name = "sda2" } };
	struct pt_disk disks[2] = {
		{ .name = "sda", .parts = parts, .n_parts = 2 },
		{ .name = "sdb", .whole = { .name = "sdb" } },
	};
	struct pt_disks d = { disks, 2 };
	struct pt_zfs_mounts rpool = { "rpool", PT_USE_ROOT | PT_USE_MOUNTED, "/", 3 };
	struct pt_zfs_mounts bpool = { "bpool", PT_USE_BOOT, "/boot", 1 };

	(void)state;
	snprintf(parts[0].fs.type, sizeof(parts[0].fs.type), "vfat");
	snprintf(parts[1].fs.type, sizeof(parts[1].fs.type), "zfs_member");
	snprintf(parts[1].fs.label, sizeof(parts[1].fs.label), "rpool");
	snprintf(disks[1].whole.fs.type, sizeof(disks[1].whole.fs.type), "zfs_member");
	snprintf(disks[1].whole.fs.label, sizeof(disks[1].whole.fs.label), "bpool");
	snprintf(parts[0].why, sizeof(parts[0].why), "sda1 mounted on /boot/efi");
	snprintf(disks[0].why, sizeof(disks[0].why), "sda1 mounted on /boot/efi");
	disks[0].uses = parts[0].uses = PT_USE_BOOT;

	pt_mark_zfs_vdevs(&d, &rpool);
	pt_mark_zfs_vdevs(&d, &bpool);
	assert_int_equal(parts[0].uses, PT_USE_BOOT);
	assert_int_equal(parts[1].uses, PT_USE_ROOT | PT_USE_MOUNTED);
	assert_string_equal(parts[1].why, "sda2 is in ZFS pool rpool mounted on / (and 2 more)");
	assert_int_equal(disks[0].uses, PT_USE_ROOT | PT_USE_MOUNTED | PT_USE_BOOT);
	assert_string_equal(disks[0].why, "sda1 mounted on /boot/efi; "
					  "sda2 is in ZFS pool rpool mounted on / (and 2 more)");
	assert_int_equal(disks[1].uses, PT_USE_BOOT);
	assert_string_equal(disks[1].why, "sdb is in ZFS pool bpool mounted on /boot");
}

static void zfs_without_probe_marks_nothing(void **state)
{
	struct fakesys fs;
	struct found f;

	(void)state;
	machine(&fs, "30 1 0:50 / / rw - zfs rpool/ROOT/debian rw,xattr\n");
	read_and_find(&fs, "sdb", &f);
	assert_int_equal(f.disks.v[0].uses, 0);
	assert_int_equal(f.disks.v[1].uses, 0);
	pt_disks_free(&f.disks);
	fakesys_cleanup(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(btrfs_root_on_a_partition),
		cmocka_unit_test(btrfs_on_two_disks_uses_both),
		cmocka_unit_test(btrfs_without_sysfs_is_its_source),
		cmocka_unit_test(btrfs_sources_through_links_and_dm_names),
		cmocka_unit_test(bcachefs_names_its_devices),
		cmocka_unit_test(other_anonymous_mounts_mark_nothing),
		cmocka_unit_test(zfs_vdevs_by_pool_label),
		cmocka_unit_test(zfs_without_probe_marks_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
