/* The judgements of `passthrough check` on machine models built by hand:
 * each decision alone, without sysfs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"
#include "verdict.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct pt_device devs_v[] = {
	{ .bdf = "0000:00:00.0", .vendor = 0x8086, .device = 0x29c0, .class = 0x060000, .iommu_group = 0 },
	{ .bdf = "0000:00:01.0", .vendor = 0x1234, .device = 0x1111, .class = 0x030000, .iommu_group = 1, .boot_vga = true, .driver = "bochs-drm" },
	{ .bdf = "0000:00:1f.0", .vendor = 0x8086, .device = 0x2918, .class = 0x060100, .iommu_group = 6 },
	{ .bdf = "0000:00:1f.2", .vendor = 0x8086, .device = 0x2922, .class = 0x010601, .iommu_group = 6, .driver = "ahci" },
	{ .bdf = "0000:01:00.0", .vendor = 0x8086, .device = 0x10d3, .class = 0x020000, .iommu_group = 7, .driver = "e1000e" },
	{ .bdf = "0000:01:00.1", .vendor = 0x8086, .device = 0x10d3, .class = 0x020000, .iommu_group = 7 },
	{ .bdf = "0000:02:00.0", .vendor = 0x10de, .device = 0x1b80, .class = 0x030000, .iommu_group = 8, .driver = "nouveau" },
	/* Intel's driverless "Shared SRAM" beside a device: it rides along */
	{ .bdf = "0000:02:00.2", .vendor = 0x8086, .device = 0x9def, .class = 0x050000, .iommu_group = 8 },
	/* an AMD Polaris 10 card: it needs vendor-reset */
	{ .bdf = "0000:05:00.0", .vendor = 0x1002, .device = 0x67df, .class = 0x030000, .iommu_group = 9, .driver = "amdgpu" },
};
#define N_DEVS (sizeof(devs_v) / sizeof(devs_v[0]))
static struct pt_devinfo info_v[N_DEVS];

/* Linked with --wrap: while fail_allocations is set, realloc fails, and
 * calloc too unless it is FAIL_REALLOC_ONLY. */
enum { FAIL_NONE, FAIL_ALL, FAIL_REALLOC_ONLY };
static int fail_allocations;
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t n, size_t size);

void *__wrap_realloc(void *p, size_t n)
{
	return fail_allocations ? NULL : __real_realloc(p, n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_allocations == FAIL_ALL ? NULL : __real_calloc(n, size);
}
static struct pt_machine m;

static int teardown(void **state)
{
	(void)state;
	free(m.by_group);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_DEVS; i++)
		assert_int_equal(pt_pci_addr_parse(devs_v[i].bdf, &devs_v[i].addr), 0);
	m.devs = (struct pt_devices){ devs_v, N_DEVS };
	m.info = info_v;
	assert_int_equal(pt_machine_index_groups(&m), 0);
	m.iommu_on = true;
	m.irq_remap = PT_YES;
	m.cpu = PT_CPU_INTEL;
	snprintf(m.release, sizeof(m.release), "6.1.0-test");
	return 0;
}

/* Most cases select by address alone: their address-only warning is
 * shown only where a case asks for it. */
static bool show_address_only;

/* The findings of check for a config on the model machine. */
static void judge(const char *conf, struct pt_findings *f)
{
	struct pt_check_env env = { .vfio_available = 1, .stub_available = 1 };
	struct pt_config cfg;
	struct pt_plan plan;
	FILE *fp = fmemopen((void *)conf, strlen(conf), "r");

	/* cases move devices between groups in place */
	assert_int_equal(pt_machine_index_groups(&m), 0);

	memset(f, 0, sizeof(*f));
	assert_int_equal(pt_config_parse_stream(fp, "t.conf", &cfg), 0);
	fclose(fp);
	assert_int_equal(cfg.n_errors, 0);
	assert_int_equal(pt_select_devices(&cfg, &m.devs, NULL, &plan), 0);
	assert_int_equal(pt_check_against_machine(&cfg, &m, &plan, &env, f), 0);
	pt_plan_free(&plan);
	pt_config_free(&cfg);
}

/* The finding codes for a config, "code@device" joined by spaces. */
static const char *codes_for(const char *conf)
{
	static char out[1024];
	struct pt_findings f;
	size_t n = 0;

	judge(conf, &f);
	out[0] = '\0';
	for (size_t i = 0; i < f.n; i++)
		if (show_address_only || strcmp(f.v[i].code, "address-only"))
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s%s%s", n ? " " : "",
				      f.v[i].code, f.v[i].device[0] ? "@" : "",
				      f.v[i].device[0] ? f.v[i].device + 5 : "");
	pt_findings_free(&f);
	return out;
}

static void isolated_group_gives_nothing(void **state)
{
	(void)state;
	assert_string_equal(codes_for("[device.g]\ngroup = 7\nclass = 0x0200\n"), "");
}

/* Groups are renumbered like buses: a rule by group alone gets the same
 * warning as one by address alone, with the IDs to add; the config that
 * generate writes, with the group's members recorded, does not. */
static void a_rule_by_group_alone_is_warned_about(void **state)
{
	struct pt_findings f;

	(void)state;
	assert_string_equal(codes_for("[device.g]\ngroup = 7\n"), "group-only");
	assert_string_equal(codes_for("[device.g]\ngroup = 7\ngroup_guard = "
				      "7/0000:01:00.0=8086:10d3:020000 "
				      "7/0000:01:00.1=8086:10d3:020000\n"), "");
	judge("[device.g]\ngroup = 7\n", &f);
	assert_int_equal(f.n, 1);
	assert_non_null(strstr(f.v[0].fix, "add ids = 8086:10d3 (what the group holds now)"));
	pt_findings_free(&f);
}

static void a_group_half_taken_is_not_isolated(void **state)
{
	(void)state;
	assert_string_equal(codes_for("[device.n]\naddress = 01:00.0\n"),
			    "group-not-isolated@01:00.0");
}

static void group_is_isolated_rules(void **state)
{
	bool selected[N_DEVS] = { false };

	(void)state;
	assert_false(pt_group_is_isolated(&m.devs, 7, selected, false));
	/* after boot, a device without a driver does not spoil the group */
	assert_false(pt_group_is_isolated(&m.devs, 7, NULL, true)); /* e1000e */
	selected[4] = true;
	assert_false(pt_group_is_isolated(&m.devs, 7, selected, false)); /* 01:00.1 unbound */
	assert_true(pt_group_is_isolated(&m.devs, 7, selected, true));
	selected[5] = true;
	assert_true(pt_group_is_isolated(&m.devs, 7, selected, false));
	/* a group of bridges only */
	assert_true(pt_group_is_isolated(&m.devs, 0, NULL, false));
}

static void chipset_group_is_an_error(void **state)
{
	(void)state;
	assert_string_equal(codes_for("[device.s]\naddress = 00:1f.2\n"), "chipset-group@00:1f.2");
}

static void address_only_rules_are_warned(void **state)
{
	(void)state;
	show_address_only = true;
	assert_string_equal(codes_for("[device.g]\naddress = 02:00.0\n"), "address-only");
	assert_string_equal(codes_for("[device.g]\naddress = 02:00.0\nids = 10de:1b80\n"), "");
	assert_string_equal(codes_for("[device.g]\naddress = 02:00.0\n"
				      "guard = 02:00.0=10de:1b80:030000\n"), "");
	show_address_only = false;
}

/* Issue 10: what the binder refuses at boot, check calls an error. */
static void platform_devices_and_changed_devices_are_errors(void **state)
{
	(void)state;
	assert_string_equal(codes_for("[device.lpc]\naddress = 00:1f.0\n"),
			    "platform-device@00:1f.0");
	assert_string_equal(codes_for("[device.g]\naddress = 02:00.0\n"
				      "guard = 02:00.0=8086:10d3:020000\n"),
			    "device-changed@02:00.0");
}

/* Issue 11: findings were dropped when memory ran out, and check passed
 * (and apply went ahead). */
static void running_out_of_memory_fails_the_check(void **state)
{
	static const char conf[] = "[device.n]\naddress = 01:00.0\n";
	struct pt_check_env env = { .vfio_available = 1, .stub_available = 1 };
	struct pt_findings f = { 0 };
	struct pt_config cfg;
	struct pt_plan plan;
	FILE *fp = fmemopen((void *)conf, strlen(conf), "r");

	(void)state;
	assert_int_equal(pt_config_parse_stream(fp, "t.conf", &cfg), 0);
	fclose(fp);
	assert_int_equal(pt_select_devices(&cfg, &m.devs, NULL, &plan), 0);
	/* no room for the devices the plan binds */
	fail_allocations = FAIL_ALL;
	assert_int_equal(pt_check_against_machine(&cfg, &m, &plan, &env, &f), -ENOMEM);
	fail_allocations = FAIL_NONE;
	assert_true(f.incomplete);
	assert_int_equal(f.count[PT_SEV_ERROR], 1);
	pt_findings_free(&f);
	/* no room for a finding (the group is not isolated): lost, so failed */
	memset(&f, 0, sizeof(f));
	fail_allocations = FAIL_REALLOC_ONLY;
	assert_int_equal(pt_check_against_machine(&cfg, &m, &plan, &env, &f), -ENOMEM);
	fail_allocations = FAIL_NONE;
	assert_true(f.incomplete);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.count[PT_SEV_ERROR], 1);
	pt_findings_free(&f);
	pt_plan_free(&plan);
	pt_config_free(&cfg);
}

/* The severity and fix of the first finding with this code. */
static const char *finding(const char *conf, const char *code, enum pt_severity *sev)
{
	static char fix[600];
	struct pt_findings f;

	judge(conf, &f);
	fix[0] = '\0';
	for (size_t i = 0; i < f.n && !fix[0]; i++)
		if (!strcmp(f.v[i].code, code)) {
			*sev = f.v[i].severity;
			snprintf(fix, sizeof(fix), "%s", f.v[i].fix ? f.v[i].fix : "");
		}
	pt_findings_free(&f);
	return fix;
}

/* Issue 13: a GPU without its audio function leaves the group unusable;
 * the fix that keeps the slot together comes first. */
static void a_slot_half_taken_names_functions_all(void **state)
{
	enum pt_severity sev;

	(void)state;
	assert_non_null(strstr(finding("[device.n]\naddress = 01:00.0\n",
				       "group-not-isolated", &sev), "functions = all"));
}

/* Issue 25: what certainly cannot start a VM is an error (a group not
 * viable, a rule that selects nothing), unless the rule accepts it; any
 * rule warning can be accepted; a code accept cannot take is an error. */
static void cannot_start_a_vm_is_an_error_unless_accepted(void **state)
{
	enum pt_severity sev;

	(void)state;
	finding("[device.n]\naddress = 01:00.0\n", "group-not-isolated", &sev);
	assert_int_equal(sev, PT_SEV_ERROR);
	finding("[device.n]\naddress = 09:00.0\n", "selects-nothing", &sev);
	assert_int_equal(sev, PT_SEV_ERROR);
	finding("[device.n]\naddress = 01:00.0\naccept = group-not-isolated\n",
		"group-not-isolated", &sev);
	assert_int_equal(sev, PT_SEV_NOTE);
	finding("[device.n]\naddress = 09:00.0\naccept = selects-nothing\n", "selects-nothing", &sev);
	assert_int_equal(sev, PT_SEV_NOTE);
	show_address_only = true;
	finding("[device.n]\naddress = 01:00.0\naccept = address-only group-not-isolated\n",
		"address-only", &sev);
	assert_int_equal(sev, PT_SEV_NOTE);
	show_address_only = false;
	/* another rule's acceptance is not this one's */
	finding("[device.n]\naddress = 01:00.0\n[device.o]\naddress = 09:00.0\n"
		"accept = group-not-isolated\n", "group-not-isolated", &sev);
	assert_int_equal(sev, PT_SEV_ERROR);
	assert_string_equal(codes_for("[device.g]\ngroup = 7\nclass = 0x0200\naccept = bogus\n"),
			    "accept-unknown");
	/* an error that is no matter of intent cannot be accepted */
	assert_string_equal(codes_for("[device.c]\naddress = 00:1f.2\naccept = chipset-group\n"),
			    "chipset-group@00:1f.2 accept-unknown");
}

/* Issue 25: `ids = 10de:1b80,10de:10f0` is the guides' form (one ID per
 * function): only an ID several selected devices share is ambiguous. */
static void ids_ambiguous_only_when_one_id_matches_several(void **state)
{
	(void)state;
	assert_string_equal(codes_for("[device.gpu]\nids = 10de:1b80 8086:9def\n"), "");
	assert_string_equal(codes_for("[device.nics]\nids = 8086:10d3\n"), "ids-ambiguous");
}

/* Issue 25: the verdict show and list print, decided once. */
static void one_verdict_per_device(void **state)
{
	struct pt_pass_verdict v;

	(void)state;
	pt_pass_verdict(&m, 4, &v); /* 01:00.0, its slot's 01:00.1 beside it */
	assert_int_equal(v.pass, PT_PASS_WITH_SLOT);
	assert_string_equal(v.text, "can be passed only with 0000:01:00.1: functions = all");
	pt_pass_verdict(&m, 3, &v); /* 00:1f.2 beside the ISA bridge */
	assert_int_equal(v.pass, PT_PASS_NO);
	assert_non_null(strstr(v.text, "holds chipset devices (0000:00:1f.0)"));
	pt_pass_verdict(&m, 6, &v); /* the GPU, its driverless SRAM rides along */
	assert_int_equal(v.pass, PT_PASS_ALONE);
	pt_pass_verdict(&m, 1, &v); /* the boot display */
	assert_int_equal(v.pass, PT_PASS_ALONE);
	assert_non_null(strstr(v.text, "allow_boot_vga = yes"));
	pt_pass_verdict(&m, 0, &v); /* the host bridge */
	assert_int_equal(v.pass, PT_PASS_NO);
}

/* Issue 13: Intel's driverless Shared SRAM does not spoil a group. */
static void driverless_ram_rides_along(void **state)
{
	(void)state;
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"), "");
	assert_true(pt_group_is_isolated(&m.devs, 8, (bool[N_DEVS]){ [6] = true }, false));
	devs_v[7].class = 0x020000; /* the same, were it a NIC: it would not */
	assert_false(pt_group_is_isolated(&m.devs, 8, (bool[N_DEVS]){ [6] = true }, false));
	devs_v[7].class = 0x050000;
}

/* Issue 13: a headless server may give away every display, warned. */
static void headless_makes_the_last_display_a_warning(void **state)
{
	static const char all[] = "[device.gpu]\nclass = 0x03\nallow_boot_vga = yes\n";
	static const char headless[] = "[global]\nheadless = yes\n[device.gpu]\nclass = 0x03\n"
				       "allow_boot_vga = yes\n";
	enum pt_severity sev;

	(void)state;
	assert_non_null(strstr(finding(all, "last-display", &sev), "headless = yes"));
	assert_int_equal(sev, PT_SEV_ERROR);
	assert_non_null(strstr(finding(headless, "last-display", &sev), "passthrough=off"));
	assert_int_equal(sev, PT_SEV_WARNING);
}

/* Issue 13: reset_method is checked against what the device offers and
 * the kernel has; cards with a known reset problem are named. */
static void reset_methods_and_quirks(void **state)
{
	enum pt_severity sev;

	(void)state;
	assert_string_equal(codes_for("[device.amd]\naddress = 05:00.0\n"), "reset-quirk@05:00.0");
	assert_non_null(strstr(finding("[device.amd]\naddress = 05:00.0\n", "reset-quirk", &sev),
			       "reset_method = device_specific"));
	/* kernel before 5.15: no reset_method at all */
	assert_string_equal(codes_for("[device.amd]\naddress = 05:00.0\nreset_method = bus\n"),
			    "reset-quirk@05:00.0 reset-method@05:00.0");
	info_v[8].reset_known = true;
	snprintf(info_v[8].reset_methods, sizeof(info_v[8].reset_methods), "bus");
	assert_string_equal(codes_for("[device.amd]\naddress = 05:00.0\nreset_method = bus\n"),
			    "reset-quirk@05:00.0");
	assert_string_equal(codes_for("[device.amd]\naddress = 05:00.0\n"
				      "reset_method = device_specific bus\n"),
			    "reset-quirk@05:00.0 reset-method@05:00.0");
	assert_non_null(strstr(finding("[device.amd]\naddress = 05:00.0\n"
				       "reset_method = device_specific\n", "reset-method", &sev),
			       "vendor-reset"));
	/* The reset_method of a second rule that names the device counts
	 * too, whichever rule selected it: the first rule here selects it by
	 * address, the second names it by ids with a method it lacks. */
	assert_string_equal(codes_for("[device.amd]\naddress = 05:00.0\n"
				      "[device.reset]\nids = 1002:67df\nreset_method = flr\n"),
			    "reset-quirk@05:00.0 reset-method@05:00.0");
	assert_string_equal(codes_for("[device.amd]\naddress = 05:00.0\n"
				      "[device.reset]\nids = 1002:67df\nreset_method = bus\n"),
			    "reset-quirk@05:00.0");
	memset(&info_v[8], 0, sizeof(info_v[8]));
}

/* Issue 13: efifb inside the BAR of the display given away is named. */
static void a_framebuffer_inside_a_bar_is_named(void **state)
{
	struct pt_fb_range fb = { 0xc0000000, 0xc03e7fff, "efifb" };

	(void)state;
	info_v[1].bar[0][0] = 0xc0000000;
	info_v[1].bar[0][1] = 0xc0ffffff;
	m.fb = &fb;
	m.n_fb = 1;
	assert_string_equal(codes_for("[device.gpu]\naddress = 00:01.0\nallow_boot_vga = yes\n"),
			    "firmware-framebuffer@00:01.0");
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"), "");
	m.fb = NULL;
	m.n_fb = 0;
	memset(&info_v[1], 0, sizeof(info_v[1]));
}

static void displays(void **state)
{
	(void)state;
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"), "");
	assert_string_equal(codes_for("[device.gpu]\nclass = 0x03\n"),
			    "boot-vga@00:01.0 reset-quirk@05:00.0");
	assert_string_equal(codes_for("[device.gpu]\nclass = 0x03\nallow_boot_vga = yes\n"),
			    "reset-quirk@05:00.0 last-display@05:00.0");
}

static void platform_findings(void **state)
{
	(void)state;
	m.irq_remap = PT_NO;
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"), "no-irq-remap");
	m.irq_remap = PT_YES;
	m.iommu_on = false;
	devs_v[6].iommu_group = -1;
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"), "iommu-off");
	/* pci-stub needs no IOMMU */
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\ndriver = pci-stub\n"), "");
	devs_v[6].iommu_group = 8;
	m.iommu_on = true;
}

/* Off for want of intel_iommu=on: apply's first step; given it (the
 * kernel reads a list, the last one wins): the firmware's. */
static void iommu_off_for_want_of_its_argument(void **state)
{
	static const struct {
		enum pt_known built_on; /* CONFIG_INTEL_IOMMU_DEFAULT_ON(_INTGPU_OFF) */
		const char *cmdline, *want;
	} cases[] = {
		{ PT_NO, NULL, "iommu-off" }, /* no /proc/cmdline: cannot tell */
		{ PT_NO, "quiet splash", "iommu-argument" },
		{ PT_NO, "intel_iommu=off", "iommu-argument" },
		{ PT_NO, "intel_iommu=on", "iommu-off" },
		{ PT_NO, "intel_iommu=sm_on,on quiet", "iommu-off" },
		{ PT_NO, "intel_iommu=on intel_iommu=off", "iommu-argument" },
		{ PT_NO, "intel_iommu=off intel_iommu=on", "iommu-off" },
		{ PT_NO, "xintel_iommu=on", "iommu-argument" },
		{ PT_NO, "intel_iommu=igfx_off", "iommu-argument" },
		/* Debian's build: on without the argument, so off is the firmware */
		{ PT_YES, "quiet", "iommu-off" },
		{ PT_YES, "intel_iommu=igfx_off", "iommu-off" },
		{ PT_YES, "intel_iommu=off", "iommu-argument" },
		{ PT_UNKNOWN, "quiet", "iommu-argument" },
	};

	(void)state;
	m.iommu_on = false;
	devs_v[6].iommu_group = -1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.intel_iommu_default_on = cases[i].built_on;
		m.cmdline = (char *)cases[i].cmdline;
		assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"), cases[i].want);
	}
	m.intel_iommu_default_on = PT_NO;
	/* AMD: no argument turns it on; iommu = amd on Intel: none is set */
	m.cmdline = "quiet";
	m.cpu = PT_CPU_AMD;
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"), "iommu-off");
	m.cpu = PT_CPU_INTEL;
	m.cmdline = NULL;
	devs_v[6].iommu_group = 8;
	m.iommu_on = true;
}

/* Without an IOMMU the rest is judged as with it: the host's last
 * display is said before apply's first step, not after the reboot. */
static void judged_as_with_the_iommu_on(void **state)
{
	(void)state;
	m.iommu_on = false;
	m.cmdline = "quiet";
	for (size_t i = 0; i < N_DEVS; i++)
		devs_v[i].iommu_group -= 1000;
	assert_string_equal(codes_for("[device.gpu]\nclass = 0x03\nallow_boot_vga = yes\n"),
			    "iommu-argument reset-quirk@05:00.0 last-display@05:00.0");
	for (size_t i = 0; i < N_DEVS; i++)
		devs_v[i].iommu_group += 1000;
	m.cmdline = NULL;
	m.iommu_on = true;
}

static void device_facts(void **state)
{
	(void)state;
	info_v[6].reset_known = true;
	info_v[6].driver_builtin = true;
	info_v[6].default_route = true;
	assert_string_equal(codes_for("[device.gpu]\naddress = 02:00.0\n"),
			    "default-route@02:00.0 no-reset@02:00.0 builtin-driver@02:00.0");
	memset(&info_v[6], 0, sizeof(info_v[6]));
}

static void host_disks_by_use(void **state)
{
	static const unsigned uses[] = { PT_USE_ROOT, PT_USE_BOOT, PT_USE_SWAP,
					 PT_USE_MOUNTED, PT_USE_CRYPT, PT_USE_LVM,
					 PT_USE_HOLDER };
	struct pt_disk disk = { .name = "sda", .has_controller = true };

	(void)state;
	assert_int_equal(pt_pci_addr_parse("00:1f.2", &disk.controller), 0);
	m.disks = (struct pt_disks){ &disk, 1 };
	devs_v[2].iommu_group = 9; /* take the chipset out of the way */
	assert_string_equal(codes_for("[device.s]\naddress = 00:1f.2\n"), "");
	for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
		disk.uses = uses[i];
		assert_string_equal(codes_for("[device.s]\naddress = 00:1f.2\n"),
				    "host-disk@00:1f.2");
	}
	devs_v[2].iommu_group = 6;
	m.disks = (struct pt_disks){ NULL, 0 };
}

static void config_file_mode_and_owner(void **state)
{
	struct pt_config cfg = { .path = (char *)"/etc/passthrough.conf" };
	struct pt_check_env env = { .have_config_stat = true };
	struct pt_findings f = { 0 };

	(void)state;
	env.config_stat.st_uid = 0;
	env.config_stat.st_mode = S_IFREG | 0644;
	assert_int_equal(pt_check_config_file(&cfg, &env, &f), 0);
	assert_int_equal(f.n, 0);
	env.config_stat.st_mode = S_IFREG | 0620;
	env.config_stat.st_uid = 1000;
	assert_int_equal(pt_check_config_file(&cfg, &env, &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.v[0].code, "config-owner");
	assert_string_equal(f.v[1].message,
			    "/etc/passthrough.conf is writable by its group (mode 0620)");
	pt_findings_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(isolated_group_gives_nothing),
		cmocka_unit_test(a_rule_by_group_alone_is_warned_about),
		cmocka_unit_test(a_group_half_taken_is_not_isolated),
		cmocka_unit_test(group_is_isolated_rules),
		cmocka_unit_test(chipset_group_is_an_error),
		cmocka_unit_test(address_only_rules_are_warned),
		cmocka_unit_test(platform_devices_and_changed_devices_are_errors),
		cmocka_unit_test(running_out_of_memory_fails_the_check),
		cmocka_unit_test(a_slot_half_taken_names_functions_all),
		cmocka_unit_test(cannot_start_a_vm_is_an_error_unless_accepted),
		cmocka_unit_test(ids_ambiguous_only_when_one_id_matches_several),
		cmocka_unit_test(one_verdict_per_device),
		cmocka_unit_test(driverless_ram_rides_along),
		cmocka_unit_test(headless_makes_the_last_display_a_warning),
		cmocka_unit_test(reset_methods_and_quirks),
		cmocka_unit_test(a_framebuffer_inside_a_bar_is_named),
		cmocka_unit_test(displays),
		cmocka_unit_test(platform_findings),
		cmocka_unit_test(iommu_off_for_want_of_its_argument),
		cmocka_unit_test(judged_as_with_the_iommu_on),
		cmocka_unit_test(device_facts),
		cmocka_unit_test(host_disks_by_use),
		cmocka_unit_test(config_file_mode_and_owner),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
