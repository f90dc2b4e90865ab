#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "select.h"

#include <stdio.h>
#include <string.h>

/* The REFERENCE topology, plus a GPU with its audio function. */
static struct pt_device topo[] = {
	{ .bdf = "0000:00:00.0", .vendor = 0x8086, .device = 0x29c0, .class = 0x060000, .iommu_group = 0 },
	{ .bdf = "0000:00:01.0", .vendor = 0x1234, .device = 0x1111, .class = 0x030000, .iommu_group = 1, .boot_vga = true, .driver = "bochs-drm" },
	{ .bdf = "0000:00:02.0", .vendor = 0x1b36, .device = 0x000c, .class = 0x060400, .iommu_group = 2, .driver = "pcieport" },
	{ .bdf = "0000:00:04.0", .vendor = 0x1b36, .device = 0x000d, .class = 0x0c0330, .iommu_group = 4 },
	{ .bdf = "0000:00:05.0", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 5 },
	{ .bdf = "0000:00:1f.0", .vendor = 0x8086, .device = 0x2918, .class = 0x060100, .iommu_group = 6 },
	{ .bdf = "0000:00:1f.2", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 6 },
	{ .bdf = "0000:00:1f.3", .vendor = 0x8086, .device = 0x2930, .class = 0x0c0500, .iommu_group = 6 },
	{ .bdf = "0000:01:00.0", .vendor = 0x8086, .device = 0x10d3, .class = 0x020000, .iommu_group = 7, .subvendor = 0x8086, .subdevice = 0x0000 },
	{ .bdf = "0000:02:00.0", .vendor = 0x8086, .device = 0x10d3, .class = 0x020000, .iommu_group = 8, .subvendor = 0x8086, .subdevice = 0x0001 },
	{ .bdf = "0000:03:00.0", .vendor = 0x10de, .device = 0x1b80, .class = 0x030000, .iommu_group = 9 },
	{ .bdf = "0000:03:00.1", .vendor = 0x10de, .device = 0x10f0, .class = 0x040300, .iommu_group = 9 },
};
static struct pt_devices devs = { topo, sizeof(topo) / sizeof(topo[0]) };

/* An SR-IOV NVMe controller (QEMU's: its VFs have the PF's IDs), after
 * the binder made two virtual functions. */
static struct pt_device sriov_topo[] = {
	{ .bdf = "0000:04:00.0", .vendor = 0x1b36, .device = 0x0010, .class = 0x010802, .iommu_group = 10, .driver = "nvme", .sriov_totalvfs = 2, .sriov_numvfs = 2 },
	{ .bdf = "0000:04:00.1", .vendor = 0x1b36, .device = 0x0010, .class = 0x010802, .iommu_group = 11, .is_vf = true, .vf_index = 0 },
	{ .bdf = "0000:04:00.2", .vendor = 0x1b36, .device = 0x0010, .class = 0x010802, .iommu_group = 12, .is_vf = true, .vf_index = 1 },
};

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < devs.n; i++)
		assert_int_equal(pt_pci_addr_parse(topo[i].bdf, &topo[i].addr), 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(pt_pci_addr_parse(sriov_topo[i].bdf, &sriov_topo[i].addr), 0);
		if (sriov_topo[i].is_vf)
			sriov_topo[i].physfn = sriov_topo[0].addr;
	}
	return 0;
}

/* The plan as "BDF=verdict" words: bind:vfio-pci, bind:pci-stub, refused,
 * skipped. */
static const char *plan_of(const char *conf)
{
	static char out[1024];
	struct pt_config cfg;
	struct pt_plan plan;
	size_t n = 0;
	FILE *f = fmemopen((void *)conf, strlen(conf), "r");

	assert_int_equal(pt_config_parse_stream(f, "t.conf", &cfg), 0);
	fclose(f);
	if (cfg.n_errors)
		fail_msg("config error: %s", cfg.errors[0].text);
	assert_int_equal(pt_select_devices(&cfg, &devs, NULL, &plan), 0);
	out[0] = '\0';
	for (size_t i = 0; i < plan.n; i++) {
		const struct pt_decision *d = &plan.v[i];
		const char *what = d->verdict == PT_BIND ?
			(d->driver == PT_DRIVER_PCI_STUB ? "pci-stub" : "vfio-pci") :
			d->verdict == PT_REFUSED ? "refused" :
			d->verdict == PT_MAKE_VFS ? "make-vfs" : "skipped";

		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%s",
				      n ? " " : "", devs.v[d->device].bdf + 5, what);
	}
	pt_plan_free(&plan);
	pt_config_free(&cfg);
	return out;
}

static void address_picks_one_of_identical_devices(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.n]\naddress = 02:00.0\n"), "02:00.0=vfio-pci");
}

static void ids_pick_every_identical_device(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.n]\nids = 8086:10d3\n"),
			    "01:00.0=vfio-pci 02:00.0=vfio-pci");
}

static void subsystem_ids_tell_them_apart(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.n]\nids = 8086:10d3:8086:0001\n"),
			    "02:00.0=vfio-pci");
}

static void address_and_ids_guard(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.n]\naddress = 01:00.0\nids = 8086:10d3\n"),
			    "01:00.0=vfio-pci");
	/* The hardware at the address changed: nothing. */
	assert_string_equal(plan_of("[device.n]\naddress = 01:00.0\nids = 8086:1533\n"), "");
}

static void values_of_one_key_are_alternatives(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.n]\naddress = 00:04.0 01:00.0\n"),
			    "00:04.0=vfio-pci 01:00.0=vfio-pci");
}

static void class_prefix(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.usb]\nclass = 0x0c03\n"), "00:04.0=vfio-pci");
	assert_string_equal(plan_of("[device.net]\nclass = 0x02\n"),
			    "01:00.0=vfio-pci 02:00.0=vfio-pci");
}

static void group_skips_bridges_quietly(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.g]\ngroup = 6 2\n"),
			    "00:02.0=skipped 00:1f.0=refused 00:1f.2=vfio-pci "
			    "00:1f.3=refused");
}

/* Issue 10: whatever the file says, the platform's own functions stay. */
static void platform_functions_are_refused(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.lpc]\naddress = 00:1f.0 00:1f.3\n"),
			    "00:1f.0=refused 00:1f.3=refused");
	assert_string_equal(plan_of("[device.all]\nclass = 0x0c05 0x0601 0x0600\n"),
			    "00:00.0=refused 00:1f.0=refused 00:1f.3=refused");
}

/* A guard names what was at an address when the initramfs was written:
 * another device there now is refused, not bound. */
static void a_guard_refuses_another_device_at_its_address(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.n]\naddress = 01:00.0\n"
				    "guard = 01:00.0=8086:10d3:020000\n"), "01:00.0=vfio-pci");
	assert_string_equal(plan_of("[device.n]\naddress = 01:00.0 03:00.0\n"
				    "guard = 01:00.0=8086:10d3:020000 03:00.0=8086:10d3:020000\n"),
			    "01:00.0=vfio-pci 03:00.0=refused");
	assert_string_equal(plan_of("[device.n]\naddress = 01:00.0\n"
				    "guard = 01:00.0=8086:10d3:010601\n"), "01:00.0=refused");
}

static void a_bridge_named_explicitly_is_refused(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.b]\naddress = 00:02.0\n"), "00:02.0=refused");
	assert_string_equal(plan_of("[device.b]\naddress = 00:00.0\n"), "00:00.0=refused");
}

static void functions_all_takes_the_whole_slot(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.gpu]\naddress = 03:00.0\n"), "03:00.0=vfio-pci");
	assert_string_equal(plan_of("[device.gpu]\naddress = 03:00.0\nfunctions = all\n"),
			    "03:00.0=vfio-pci 03:00.1=vfio-pci");
	/* from the second function too */
	assert_string_equal(plan_of("[device.gpu]\naddress = 03:00.1\nfunctions = all\n"),
			    "03:00.0=vfio-pci 03:00.1=vfio-pci");
}

static void boot_vga_needs_consent(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.gpu]\nclass = 0x0300\n"),
			    "00:01.0=refused 03:00.0=vfio-pci");
	assert_string_equal(plan_of("[device.gpu]\nclass = 0x0300\nallow_boot_vga = yes\n"),
			    "00:01.0=vfio-pci 03:00.0=vfio-pci");
}

static void drivers_per_rule_and_global(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[global]\ndriver = pci-stub\n"
				    "[device.a]\naddress = 01:00.0\n"
				    "[device.b]\naddress = 02:00.0\ndriver = vfio-pci\n"),
			    "01:00.0=pci-stub 02:00.0=vfio-pci");
}

static void rules_that_disagree_on_the_driver_are_refused(void **state)
{
	(void)state;
	assert_string_equal(plan_of("[device.a]\nids = 8086:10d3\n"
				    "[device.b]\naddress = 02:00.0\ndriver = pci-stub\n"),
			    "01:00.0=vfio-pci 02:00.0=refused");
	/* agreeing rules are fine */
	assert_string_equal(plan_of("[device.a]\nids = 8086:10d3\n"
				    "[device.b]\naddress = 02:00.0\n"),
			    "01:00.0=vfio-pci 02:00.0=vfio-pci");
}

static void no_iommu_group_refuses_vfio_but_not_pci_stub(void **state)
{
	struct pt_device save = topo[8];

	(void)state;
	topo[8].iommu_group = -1;
	assert_string_equal(plan_of("[device.a]\naddress = 01:00.0\n"), "01:00.0=refused");
	assert_string_equal(plan_of("[device.a]\naddress = 01:00.0\ndriver = pci-stub\n"),
			    "01:00.0=pci-stub");
	/* group 0 must not match devices without a group */
	assert_string_equal(plan_of("[device.a]\ngroup = 0\n"), "00:00.0=skipped");
	topo[8] = save;
}

static void reasons_and_hits(void **state)
{
	static const char conf[] = "[device.gpu]\nclass = 0x0300\n"
				   "[device.none]\nids = dead:beef\n";
	struct pt_config cfg;
	struct pt_plan plan;
	FILE *f = fmemopen((void *)conf, sizeof(conf) - 1, "r");

	(void)state;
	assert_int_equal(pt_config_parse_stream(f, "t", &cfg), 0);
	fclose(f);
	assert_int_equal(pt_select_devices(&cfg, &devs, NULL, &plan), 0);
	assert_int_equal(plan.n, 2);
	assert_ptr_equal(plan.v[0].reason, PT_REASON_BOOT_VGA);
	assert_null(plan.v[1].reason);
	assert_int_equal(plan.rule_hits[0], 2);
	assert_int_equal(plan.rule_hits[1], 0);
	pt_plan_free(&plan);
	pt_config_free(&cfg);
}

static void sriov_rules_take_virtual_functions_by_index(void **state)
{
	struct pt_devices saved = devs;

	(void)state;
	devs = (struct pt_devices){ sriov_topo, 3 };
	assert_string_equal(plan_of("[device.n]\nids = 1b36:0010\nsriov_vfs = 2\nvfs = 0\n"),
			    "04:00.0=make-vfs 04:00.1=vfio-pci");
	assert_string_equal(plan_of("[device.n]\nids = 1b36:0010\nsriov_vfs = 2\n"),
			    "04:00.0=make-vfs 04:00.1=vfio-pci 04:00.2=vfio-pci");
	assert_string_equal(plan_of("[device.n]\nids = 1b36:0010\nsriov_vfs = 2\nvfs = all\n"
				    "driver = pci-stub\n"),
			    "04:00.0=make-vfs 04:00.1=pci-stub 04:00.2=pci-stub");
	/* the same IDs without sriov_vfs: every function, PF and VFs alike */
	assert_string_equal(plan_of("[device.n]\nids = 1b36:0010\n"),
			    "04:00.0=vfio-pci 04:00.1=vfio-pci 04:00.2=vfio-pci");
	/* a PF that makes VFs is never bound: another rule binding it is refused */
	assert_string_equal(plan_of("[device.n]\nids = 1b36:0010\nsriov_vfs = 1\n"
				    "[device.pf]\naddress = 04:00.0\n"),
			    "04:00.0=refused 04:00.1=vfio-pci");
	/* VFs share the PF's slot, but functions = all does not take them */
	assert_string_equal(plan_of("[device.n]\naddress = 04:00.0\nfunctions = all\n"),
			    "04:00.0=vfio-pci");
	/* before the VFs exist (check on the host before boot) */
	devs.n = 1;
	assert_string_equal(plan_of("[device.n]\nids = 1b36:0010\nsriov_vfs = 2\n"),
			    "04:00.0=make-vfs");
	devs = saved;
}

static void empty_machine(void **state)
{
	static const char conf[] = "[device.a]\nids = 8086:10d3\n";
	struct pt_devices none = { NULL, 0 };
	struct pt_config cfg;
	struct pt_plan plan;
	FILE *f = fmemopen((void *)conf, sizeof(conf) - 1, "r");

	(void)state;
	assert_int_equal(pt_config_parse_stream(f, "t", &cfg), 0);
	fclose(f);
	assert_int_equal(pt_select_devices(&cfg, &none, NULL, &plan), 0);
	assert_int_equal(plan.n, 0);
	assert_int_equal(plan.rule_hits[0], 0);
	pt_plan_free(&plan);
	pt_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(address_picks_one_of_identical_devices),
		cmocka_unit_test(ids_pick_every_identical_device),
		cmocka_unit_test(subsystem_ids_tell_them_apart),
		cmocka_unit_test(address_and_ids_guard),
		cmocka_unit_test(values_of_one_key_are_alternatives),
		cmocka_unit_test(class_prefix),
		cmocka_unit_test(group_skips_bridges_quietly),
		cmocka_unit_test(a_bridge_named_explicitly_is_refused),
		cmocka_unit_test(platform_functions_are_refused),
		cmocka_unit_test(a_guard_refuses_another_device_at_its_address),
		cmocka_unit_test(functions_all_takes_the_whole_slot),
		cmocka_unit_test(boot_vga_needs_consent),
		cmocka_unit_test(drivers_per_rule_and_global),
		cmocka_unit_test(rules_that_disagree_on_the_driver_are_refused),
		cmocka_unit_test(no_iommu_group_refuses_vfio_but_not_pci_stub),
		cmocka_unit_test(reasons_and_hits),
		cmocka_unit_test(sriov_rules_take_virtual_functions_by_index),
		cmocka_unit_test(empty_machine),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
