/* The thin layer on fake sysfs trees: reading the device model, and the
 * bind steps (override, unbind, probe, confirm, restore). A fake tree has
 * no kernel behind it, so drivers_probe never binds anything here: the
 * confirm step fails and the restore path runs. The successful bind is
 * proven on a real kernel by the boot tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bind.h"
#include "context.h"
#include "device.h"
#include "fakesys.h"

#include <stdio.h>
#include <string.h>

static char logbuf[8192];

static void capture(void *data, enum pt_prio prio, const char *msg)
{
	size_t n = strlen(logbuf);

	(void)data;
	snprintf(logbuf + n, sizeof(logbuf) - n, "<%d>%s\n", (int)prio, msg);
}

static const struct pt_log test_log = { capture, NULL };

/* The context the binder would run in, on the fake tree. */
static const struct pt_context *ctx_of(const struct fakesys *fs)
{
	static struct pt_context ctx;

	assert_int_equal(pt_context_init(&ctx, "", fs->sysfs, &test_log, false), 0);
	return &ctx;
}

static const struct fake_pci nic1 = { "0000:01:00.0", 0x8086, 0x10d3, 0x020000, 7, "e1000e", false, 0x8086, 0x0001 };
static const struct fake_pci nic2 = { "0000:02:00.0", 0x8086, 0x10d3, 0x020000, 8, NULL, false, 0, 0 };
static const struct fake_pci vga = { "0000:00:01.0", 0x1234, 0x1111, 0x030000, 1, "bochs-drm", true, 0, 0 };
static const struct fake_pci stub = { "0000:00:05.0", 0x8086, 0x2922, 0x010601, -1, "vfio-pci", false, 0, 0 };

static int setup(void **state)
{
	static struct fakesys fs;

	fakesys_init(&fs);
	fakesys_add_pci(&fs, &nic2);
	fakesys_add_pci(&fs, &nic1);
	fakesys_add_pci(&fs, &vga);
	fakesys_add_pci(&fs, &stub);
	logbuf[0] = '\0';
	*state = &fs;
	return 0;
}

static int teardown(void **state)
{
	fakesys_cleanup(*state);
	return 0;
}

static void scan_reads_every_field_in_address_order(void **state)
{
	struct fakesys *fs = *state;
	struct pt_devices devs;

	assert_int_equal(pt_scan_devices(fs->sysfs, &devs, &test_log), 0);
	assert_int_equal(devs.n, 4);
	assert_string_equal(devs.v[0].bdf, "0000:00:01.0");
	assert_true(devs.v[0].boot_vga);
	assert_string_equal(devs.v[0].driver, "bochs-drm");
	assert_string_equal(devs.v[1].bdf, "0000:00:05.0");
	assert_int_equal(devs.v[1].iommu_group, -1);
	assert_string_equal(devs.v[2].bdf, "0000:01:00.0");
	assert_int_equal(devs.v[2].vendor, 0x8086);
	assert_int_equal(devs.v[2].device, 0x10d3);
	assert_int_equal(devs.v[2].subvendor, 0x8086);
	assert_int_equal(devs.v[2].subdevice, 0x0001);
	assert_int_equal(devs.v[2].class, 0x020000);
	assert_int_equal(devs.v[2].iommu_group, 7);
	assert_string_equal(devs.v[2].driver, "e1000e");
	assert_false(devs.v[2].boot_vga);
	assert_string_equal(devs.v[3].driver, "");
	assert_string_equal(logbuf, "");
	pt_devices_free(&devs);
}

static void scan_leaves_out_what_it_cannot_trust(void **state)
{
	struct fakesys *fs = *state;
	struct pt_devices devs;

	fakesys_write(fs, "sys/bus/pci/devices/0000:00:1F.0/vendor", "0x8086\n");
	fakesys_write(fs, "sys/bus/pci/devices/junk/vendor", "0x8086\n");
	fakesys_remove(fs, "sys/bus/pci/devices/0000:02:00.0/class");
	fakesys_write(fs, "sys/bus/pci/devices/0000:00:01.0/vendor", "0x12345\n");
	assert_int_equal(pt_scan_devices(fs->sysfs, &devs, &test_log), 0);
	assert_int_equal(devs.n, 2);
	assert_non_null(strstr(logbuf, "ignoring '0000:00:1F.0'"));
	assert_non_null(strstr(logbuf, "ignoring 'junk'"));
	assert_non_null(strstr(logbuf, "<4>ignoring 0000:02:00.0: its vendor, device or class cannot be read (No such file or directory)"));
	assert_non_null(strstr(logbuf, "ignoring 0000:00:01.0"));
	pt_devices_free(&devs);
}

static void scan_without_pci_bus(void **state)
{
	struct pt_devices devs;

	(void)state;
	assert_true(pt_scan_devices("/nonexistent", &devs, &test_log) < 0);
}

static void dangling_driver_link_still_names_the_driver(void **state)
{
	struct fakesys *fs = *state;
	struct pt_device dev;

	fakesys_remove(fs, "sys/bus/pci/drivers/e1000e");
	assert_int_equal(pt_read_device(fs->sysfs, &(struct pt_pci_addr){ 0, 1, 0, 0 }, &dev), 0);
	assert_string_equal(dev.driver, "e1000e");
}

static struct pt_device read_dev(struct fakesys *fs, const char *bdf)
{
	struct pt_device dev;
	struct pt_pci_addr a;

	assert_int_equal(pt_pci_addr_parse(bdf, &a), 0);
	assert_int_equal(pt_read_device(fs->sysfs, &a, &dev), 0);
	return dev;
}

static void failed_bind_unbinds_then_restores(void **state)
{
	struct fakesys *fs = *state;
	struct pt_device dev = read_dev(fs, "0000:01:00.0");

	assert_int_equal(pt_bind_device(ctx_of(fs), &dev, "vfio-pci"),
			 PT_BIND_RESTORED);
	/* it asked e1000e to let go, probed, and cleared the override */
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/drivers/e1000e/unbind"),
			    "0000:01:00.0");
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/devices/0000:01:00.0/driver_override"),
			    "\n");
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/drivers_probe"), "0000:01:00.0");
	assert_non_null(strstr(logbuf, "<3>0000:01:00.0: vfio-pci did not take it (no driver link after probing)"));
}

static void unbound_device_is_probed(void **state)
{
	struct fakesys *fs = *state;
	struct pt_device dev = read_dev(fs, "0000:02:00.0");

	assert_int_equal(pt_bind_device(ctx_of(fs), &dev, "pci-stub"),
			 PT_BIND_RESTORED);
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/drivers_probe"), "0000:02:00.0");
	assert_non_null(strstr(logbuf, "0000:02:00.0: released; its host driver takes it when it loads"));
}

static void already_bound_keeps_the_override(void **state)
{
	struct fakesys *fs = *state;
	struct pt_device dev = read_dev(fs, "0000:00:05.0");

	assert_int_equal(pt_bind_device(ctx_of(fs), &dev, "vfio-pci"),
			 PT_BIND_ALREADY);
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/devices/0000:00:05.0/driver_override"),
			    "vfio-pci");
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/drivers_probe"), "");
}

static void unwritable_override_changes_nothing(void **state)
{
	struct fakesys *fs = *state;
	struct pt_device dev = read_dev(fs, "0000:01:00.0");

	/* a directory cannot be opened for writing, even by root */
	fakesys_remove(fs, "sys/bus/pci/devices/0000:01:00.0/driver_override");
	fakesys_write(fs, "sys/bus/pci/devices/0000:01:00.0/driver_override/x", "");
	assert_int_equal(pt_bind_device(ctx_of(fs), &dev, "vfio-pci"),
			 PT_BIND_UNTOUCHED);
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/drivers/e1000e/unbind"), "");
	assert_non_null(strstr(logbuf, "<3>0000:01:00.0: cannot write driver_override: Is a directory; left with e1000e"));
}

static void failed_unbind_restores_the_override(void **state)
{
	struct fakesys *fs = *state;
	struct pt_device dev = read_dev(fs, "0000:01:00.0");

	fakesys_remove(fs, "sys/bus/pci/drivers/e1000e/unbind");
	fakesys_write(fs, "sys/bus/pci/drivers/e1000e/unbind/x", "");
	assert_int_equal(pt_bind_device(ctx_of(fs), &dev, "vfio-pci"),
			 PT_BIND_RESTORED);
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/devices/0000:01:00.0/driver_override"),
			    "\n");
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/drivers_probe"), "");
	assert_non_null(strstr(logbuf, "cannot unbind it from e1000e: Is a directory"));
	assert_non_null(strstr(logbuf, "0000:01:00.0: back on its host driver e1000e"));
}

static void vanished_device(void **state)
{
	struct fakesys *fs = *state;
	struct pt_device dev = read_dev(fs, "0000:02:00.0");

	fakesys_remove(fs, "sys/bus/pci/devices/0000:02:00.0");
	assert_int_equal(pt_bind_device(ctx_of(fs), &dev, "vfio-pci"),
			 PT_BIND_VANISHED);
	assert_string_equal(fakesys_read(fs, "sys/bus/pci/drivers_probe"), "");
	assert_non_null(strstr(logbuf, "0000:02:00.0: the device is gone; nothing to bind"));
}

/* Property: a device read through its uevent file (the scan's way on a
 * real kernel) is the device read attribute by attribute. Random IDs,
 * classes and drivers; tree A has only the attributes and the driver
 * link, tree B only the uevent file, so each read takes one path. */
static void scan_reads_uevent_as_it_reads_the_attributes(void **state)
{
	static const char *const drivers[] = { NULL, "e1000e", "vfio-pci", "xhci_hcd", "snd_hda_intel" };
	unsigned seed = 1;

	(void)state;
	for (int round = 0; round < 40; round++) {
		struct fakesys a, b;
		struct fake_pci d[8];
		char bdf[8][16];
		struct pt_devices da, db;

		fakesys_init(&a);
		fakesys_init(&b);
		for (int i = 0; i < 8; i++) {
			seed = seed * 1103515245u + 12345u;
			snprintf(bdf[i], sizeof(bdf[i]), "0000:%02x:%02x.%d", (seed >> 8) & 0xff, i, (seed >> 4) & 7);
			d[i] = (struct fake_pci){ bdf[i], (seed >> 16) & 0xffff, seed & 0xffff, 0, i, NULL, false, 0, 0 };
			seed = seed * 1103515245u + 12345u;
			d[i].class = seed & 0xffffff;
			d[i].subvendor = (seed >> 8) & 0xffff;
			d[i].subdevice = (seed * 7u) & 0xffff;
			d[i].driver = drivers[(seed >> 24) % 5];
			fakesys_add_pci(&a, &d[i]);
			fakesys_add_pci(&b, &d[i]);
			fakesys_add_pci_uevent(&b, &d[i]);
			static const char *const repeated[] = { "vendor", "device", "class", "subsystem_vendor",
								"subsystem_device", "driver" };
			for (size_t k = 0; k < sizeof(repeated) / sizeof(repeated[0]); k++) {
				char rel[256];

				snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/%s", bdf[i], repeated[k]);
				fakesys_remove(&b, rel);
			}
		}
		assert_int_equal(pt_scan_devices(a.sysfs, &da, &test_log), 0);
		assert_int_equal(pt_scan_devices(b.sysfs, &db, &test_log), 0);
		assert_int_equal(da.n, 8);
		assert_int_equal(db.n, 8);
		for (size_t i = 0; i < da.n; i++) {
			assert_string_equal(da.v[i].bdf, db.v[i].bdf);
			assert_int_equal(da.v[i].vendor, db.v[i].vendor);
			assert_int_equal(da.v[i].device, db.v[i].device);
			assert_int_equal(da.v[i].subvendor, db.v[i].subvendor);
			assert_int_equal(da.v[i].subdevice, db.v[i].subdevice);
			assert_int_equal(da.v[i].class, db.v[i].class);
			assert_string_equal(da.v[i].driver, db.v[i].driver);
			assert_int_equal(da.v[i].iommu_group, db.v[i].iommu_group);
			assert_memory_equal(&da.v[i], &db.v[i], sizeof(da.v[i]));
		}
		pt_devices_free(&da);
		pt_devices_free(&db);
		fakesys_cleanup(&a);
		fakesys_cleanup(&b);
	}
	assert_string_equal(logbuf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(scan_reads_every_field_in_address_order, setup, teardown),
		cmocka_unit_test_setup_teardown(scan_leaves_out_what_it_cannot_trust, setup, teardown),
		cmocka_unit_test_setup_teardown(scan_without_pci_bus, setup, teardown),
		cmocka_unit_test(scan_reads_uevent_as_it_reads_the_attributes),
		cmocka_unit_test_setup_teardown(dangling_driver_link_still_names_the_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_bind_unbinds_then_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(unbound_device_is_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(already_bound_keeps_the_override, setup, teardown),
		cmocka_unit_test_setup_teardown(unwritable_override_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_unbind_restores_the_override, setup, teardown),
		cmocka_unit_test_setup_teardown(vanished_device, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
