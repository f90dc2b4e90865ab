#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "fakesys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void parse(const char *text, size_t len, struct pt_config *cfg)
{
	FILE *f = fmemopen((void *)text, len, "r");

	assert_non_null(f);
	assert_int_equal(pt_config_parse_stream(f, "t.conf", cfg), 0);
	fclose(f);
}

/* All errors as "LINE: text" lines, to compare with the exact messages. */
static const char *errors_of(const struct pt_config *cfg)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_errors; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%u: %s\n",
				      cfg->errors[i].line, cfg->errors[i].text);
	return buf;
}

static void full_example_parses(void **state)
{
	static const char text[] =
		"; a comment\n"
		"# another\n"
		"[global]\n"
		"iommu = intel\n"
		"iommu_pt = no\n"
		"driver = vfio-pci\n"
		"unsafe_interrupts = yes\n"
		"disable_vga = yes\n"
		"\n"
		"[device.gpu]            ; inline comment\n"
		"address = 0000:01:00.0 02:00.0\n"
		"ids = 10de:1b06, 10de:10ef\n"
		"functions = all\n"
		"allow_boot_vga = yes\n"
		"driver = pci-stub\n"
		"[device.usb]\n"
		"class = 0x0c03\n"
		"group = 14\n";
	struct pt_config cfg;

	(void)state;
	parse(text, sizeof(text) - 1, &cfg);
	assert_string_equal(errors_of(&cfg), "");
	assert_int_equal(cfg.iommu, PT_IOMMU_INTEL);
	assert_false(cfg.iommu_pt);
	assert_true(cfg.unsafe_interrupts);
	assert_true(cfg.disable_vga);
	assert_int_equal(cfg.n_rules, 2);
	assert_string_equal(cfg.rules[0].name, "gpu");
	assert_int_equal(cfg.rules[0].line, 10);
	assert_int_equal(cfg.rules[0].n_matches, 4);
	assert_int_equal(cfg.rules[0].matches[1].kind, PT_MATCH_ADDRESS);
	assert_int_equal(cfg.rules[0].matches[1].u.addr.bus, 2);
	assert_int_equal(cfg.rules[0].matches[3].u.id.device, 0x10ef);
	assert_true(cfg.rules[0].all_functions);
	assert_true(cfg.rules[0].allow_boot_vga);
	assert_int_equal(pt_rule_driver(&cfg, &cfg.rules[0]), PT_DRIVER_PCI_STUB);
	assert_string_equal(cfg.rules[1].name, "usb");
	assert_int_equal(pt_rule_driver(&cfg, &cfg.rules[1]), PT_DRIVER_VFIO_PCI);
	assert_int_equal(cfg.rules[1].matches[1].u.number, 14);
	pt_config_free(&cfg);
}

static void defaults_without_global(void **state)
{
	static const char text[] = "[device.x]\nids = 8086:10d3\n";
	struct pt_config cfg;

	(void)state;
	parse(text, sizeof(text) - 1, &cfg);
	assert_string_equal(errors_of(&cfg), "");
	assert_int_equal(cfg.iommu, PT_IOMMU_AUTO);
	assert_true(cfg.iommu_pt);
	assert_int_equal(cfg.driver, PT_DRIVER_VFIO_PCI);
	assert_false(cfg.unsafe_interrupts);
	pt_config_free(&cfg);
}

struct bad_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen */
	const char *errors;
};

static char long_line[400];

static const struct bad_case bad[] = {
	{ "unknown section", "[devices.gpu]\nids = 10de:1b06\n", 0,
	  "1: [devices.gpu]: unknown section; expected [global] or [device.NAME]\n" },
	{ "an unknown key says which it may mean, and no empty rule besides",
	  "[device.a]\nadres = 01:00.0\n", 0,
	  "2: [device.a] adres: unknown key; did you mean address? expected one of address, "
	  "ids, class, group, usb, usb_bus, disk, guard, group_guard, functions, "
	  "allow_boot_vga, sriov_vfs, vfs, reset_method, driver, accept\n" },
	{ "unknown global key", "[global]\niommu_mode = on\n", 0,
	  "2: [global] iommu_mode: unknown key; expected one of iommu, iommu_pt, "
	  "driver, unsafe_interrupts, disable_vga, disable_idle_d3, headless\n" },
	{ "unknown device key", "[device.a]\nadress = 01:00.0\nids = 8086:10d3\n", 0,
	  "2: [device.a] adress: unknown key; did you mean address? expected one of address, ids, "
	  "class, group, usb, usb_bus, disk, guard, group_guard, functions, "
	  "allow_boot_vga, sriov_vfs, vfs, reset_method, driver, accept\n" },
	{ "sriov_vfs: a count from 1 to 256", "[device.a]\nids = 1b36:0010\nsriov_vfs = 0\n"
	  "[device.b]\nids = 1b36:0010\nsriov_vfs = 257\n", 0,
	  "3: [device.a] sriov_vfs: '0' is not valid; expected a number of virtual functions "
	  "from 1 to 256\n"
	  "6: [device.b] sriov_vfs: '257' is not valid; expected a number of virtual functions "
	  "from 1 to 256\n" },
	{ "vfs: indices of what sriov_vfs makes",
	  "[device.a]\nids = 1b36:0010\nvfs = 0\n[device.b]\nids = 1b36:0010\nsriov_vfs = 2\n"
	  "vfs = 1 2\n[device.c]\nids = 1b36:0010\nsriov_vfs = 2\nvfs = first\n", 0,
	  "3: [device.a] vfs: selects virtual functions, but the rule creates none; add "
	  "sriov_vfs = N (how many the physical function gets at boot)\n"
	  "7: [device.b] vfs: 2 is past the last virtual function (sriov_vfs = 2 makes 0 to 1)\n"
	  "11: [device.c] vfs: 'first' is not valid; expected all, or virtual function indices "
	  "from 0 to 255\n" },
	{ "vfs over several lines: the error is on the line with the index",
	  "[device.a]\nids = 1b36:0010\nsriov_vfs = 4\nvfs = 5\nvfs = 0 1\n", 0,
	  "4: [device.a] vfs: 5 is past the last virtual function (sriov_vfs = 4 makes 0 to 3)\n" },
	{ "bad address", "[device.a]\naddress = 01:00.0 1:0.0\n", 0,
	  "2: [device.a] address: '1:0.0' is not a PCI address; write DDDD:BB:SS.F "
	  "or BB:SS.F in hex, as `lspci -D` prints it\n" },
	{ "address with a path", "[device.a]\naddress = ../../devices\n", 0,
	  "2: [device.a] address: '../../devices' is not a PCI address; write "
	  "DDDD:BB:SS.F or BB:SS.F in hex, as `lspci -D` prints it\n" },
	{ "bad ids", "[device.a]\nids = 10de-1b06\n", 0,
	  "2: [device.a] ids: '10de-1b06' is not a vendor:device ID; write four hex "
	  "digits each, as in 10de:1b80 or 10de:1b80:1458:3702 (lspci -nn)\n" },
	{ "bad class", "[device.a]\nclass = vga\n", 0,
	  "2: [device.a] class: 'vga' is not a class code; write 0x03 (class), "
	  "0x0300 (class and subclass) or 0x030000\n" },
	{ "group out of range", "[device.a]\ngroup = 99999999999\n", 0,
	  "2: [device.a] group: '99999999999' is not an IOMMU group number; write "
	  "a decimal number as listed by `passthrough list`\n" },
	{ "negative group", "[device.a]\ngroup = -1\n", 0,
	  "2: [device.a] group: '-1' is not an IOMMU group number; write a decimal "
	  "number as listed by `passthrough list`\n" },
	{ "duplicate key", "[device.a]\nids = 8086:10d3\nfunctions = all\nfunctions = all\n", 0,
	  "4: [device.a] functions: the key is given twice in this section; it "
	  "takes one value\n" },
	{ "bad reset method", "[device.a]\naddress = 01:00.0\nreset_method = flr reboot\n", 0,
	  "3: [device.a] reset_method: 'reboot' is not a reset method; expected flr, pm, "
	  "bus, device_specific, acpi, af_flr, cxl_bus or default\n" },
	{ "reset_method names a method twice", "[device.a]\naddress = 01:00.0\n"
	  "reset_method = flr bus\nreset_method = flr\n", 0,
	  "4: [device.a] reset_method: 'flr' is named twice; the kernel takes each method once, "
	  "in the order to try them\n" },
	{ "reset_method: default stands alone", "[device.a]\naddress = 01:00.0\n"
	  "reset_method = default flr\n[device.b]\naddress = 02:00.0\nreset_method = bus default\n", 0,
	  "3: [device.a] reset_method: default stands alone (it gives the kernel back its own "
	  "choice); keep either default or the methods\n"
	  "6: [device.b] reset_method: default stands alone (it gives the kernel back its own "
	  "choice); keep either default or the methods\n" },
	{ "bad group guard", "[device.a]\ngroup = 5\ngroup_guard = 0000:00:05.0=8086:2922:010601 "
	  "x/0000:00:05.0=8086:2922:010601 5/0000:00:05.0=8086:2922\n", 0,
	  "3: [device.a] group_guard: '0000:00:05.0=8086:2922:010601' is not "
	  "GROUP/ADDRESS=VENDOR:DEVICE:CLASS, as in 5/0000:00:05.0=8086:2922:010601\n"
	  "3: [device.a] group_guard: 'x/0000:00:05.0=8086:2922:010601' is not "
	  "GROUP/ADDRESS=VENDOR:DEVICE:CLASS, as in 5/0000:00:05.0=8086:2922:010601\n"
	  "3: [device.a] group_guard: '5/0000:00:05.0=8086:2922' is not "
	  "GROUP/ADDRESS=VENDOR:DEVICE:CLASS, as in 5/0000:00:05.0=8086:2922:010601\n" },
	{ "bad guard", "[device.a]\naddress = 01:00.0\nguard = 01:00.0=8086:10d3 "
	  "01:00.0=8086:10d3:0200 01:00.0=8086:10d3:020000\n", 0,
	  "3: [device.a] guard: '01:00.0=8086:10d3' is not ADDRESS=VENDOR:DEVICE:CLASS, "
	  "as in 0000:01:00.0=8086:10d3:020000\n"
	  "3: [device.a] guard: '01:00.0=8086:10d3:0200' is not ADDRESS=VENDOR:DEVICE:CLASS, "
	  "as in 0000:01:00.0=8086:10d3:020000\n" },
	{ "rule name too long for inih", "[device.abcdefghijabcdefghijabcdefghijabcdefghij123]\n"
	  "ids = 8086:10d3\n", 0,
	  "1: [device.abcdefghijabcdefghijabcdefghijabcdefghij123]: the rule name "
	  "'abcdefghijabcdefghijabcdefghijabcdefghij123' must be 1 to 42 letters, digits, "
	  "'-', '_' or '.'\n" },
	{ "a header inih does not read as one", "[device.a]\nids = 8086:10d3\n"
	  "[device.b ;x]\nids = 8086:10d4\n", 0,
	  "3: syntax error: expected '[section]', 'key = value' or a comment "
	  "starting with ';' or '#'\n"
	  "3: [device.b ;x]: the rule name 'b ;x' must be 1 to 42 letters, digits, "
	  "'-', '_' or '.'\n"
	  "4: ids: INI readers disagree on which section this key is in "
	  "([device.b ;x] or [device.a]); put each section header alone on its line, "
	  "with nothing but spaces before it\n" },
	{ "duplicate section", "[device.a]\nids = 8086:10d3\n[device.a]\nclass = 0x02\n", 0,
	  "3: [device.a]: the section appears again (first at line 1); merge the "
	  "two, or give the rule another name\n" },
	{ "duplicate section back to back", "[global]\n[global]\n", 0,
	  "2: [global]: the section appears again (first at line 1); merge the "
	  "two, or give the rule another name\n" },
	{ "empty rule", "[device.a]\n", 0,
	  "1: [device.a]: the rule selects nothing; give at least one of address, "
	  "ids, class, group, usb, usb_bus or disk\n" },
	{ "rule with only options", "[device.a]\nfunctions = all\n", 0,
	  "1: [device.a]: the rule selects nothing; give at least one of address, "
	  "ids, class, group, usb, usb_bus or disk\n" },
	{ "bad rule name", "[device.a/b]\nids = 8086:10d3\n", 0,
	  "1: [device.a/b]: the rule name 'a/b' must be 1 to 42 letters, digits, "
	  "'-', '_' or '.'\n" },
	{ "empty rule name", "[device.]\nids = 8086:10d3\n", 0,
	  "1: [device.]: the rule name '' must be 1 to 42 letters, digits, '-', "
	  "'_' or '.'\n" },
	{ "key outside a section", "ids = 8086:10d3\n", 0,
	  "1: ids: the key is outside any section; put it under [global] or "
	  "[device.NAME]\n" },
	{ "syntax error", "[device.a]\nids = 8086:10d3\njust words\n", 0,
	  "3: syntax error: expected '[section]', 'key = value' or a comment "
	  "starting with ';' or '#'\n" },
	{ "unclosed section", "[device.a\nids = 8086:10d3\n", 0,
	  "1: syntax error: expected '[section]', 'key = value' or a comment "
	  "starting with ';' or '#'\n"
	  "2: ids: the key is outside any section; put it under [global] or "
	  "[device.NAME]\n" },
	{ "bad usb id", "[device.a]\nusb = 046d:c52b:0001:0002 46d:c52b\n", 0,
	  "2: [device.a] usb: '046d:c52b:0001:0002' is not a USB vendor:product ID; "
	  "write four hex digits each, as lsusb prints them (046d:c52b)\n"
	  "2: [device.a] usb: '46d:c52b' is not a USB vendor:product ID; write four "
	  "hex digits each, as lsusb prints them (046d:c52b)\n" },
	{ "bad usb bus", "[device.a]\nusb_bus = 0 256\n", 0,
	  "2: [device.a] usb_bus: '0' is not a USB bus number; write the decimal "
	  "number lsusb prints as 'Bus 003'\n"
	  "2: [device.a] usb_bus: '256' is not a USB bus number; write the decimal "
	  "number lsusb prints as 'Bus 003'\n" },
	{ "disk outside /dev", "[device.a]\ndisk = /dev/../etc/shadow sda\n", 0,
	  "2: [device.a] disk: '/dev/../etc/shadow' is not a block device path; write "
	  "/dev/sdX, /dev/nvme0n1 or better a /dev/disk/by-id/... name\n"
	  "2: [device.a] disk: 'sda' is not a block device path; write /dev/sdX, "
	  "/dev/nvme0n1 or better a /dev/disk/by-id/... name\n" },
	{ "bad bool", "[global]\niommu_pt = maybe\n", 0,
	  "2: [global] iommu_pt: 'maybe' is not valid; expected yes or no\n" },
	{ "bad driver", "[global]\ndriver = nouveau\n", 0,
	  "2: [global] driver: 'nouveau' is not valid; expected vfio-pci or pci-stub\n" },
	{ "bad iommu", "[global]\niommu = on\n", 0,
	  "2: [global] iommu: 'on' is not valid; expected auto, intel, amd or off\n" },
	{ "bad functions", "[device.a]\nids = 8086:10d3\nfunctions = 2\n", 0,
	  "3: [device.a] functions: '2' is not valid; expected all (every function "
	  "of the slot) or selected\n" },
	{ "two values for one", "[device.a]\nids = 8086:10d3\ndriver = vfio-pci pci-stub\n", 0,
	  "3: [device.a] driver: takes one value, not 'vfio-pci pci-stub'\n" },
	{ "empty value", "[device.a]\nids =\n", 0,
	  "2: [device.a] ids: the value is empty\n" },
	{ "NUL byte", "[device.a]\nclass = 0x02\nids = 8086:10d3\0\n", 41,
	  "3: the line contains a NUL byte; the file is not text: rewrite it with "
	  "a text editor\n" },
	{ "invalid UTF-8", "[device.a]\nids = 8086:10d3\n; caf\xe9\n", 0,
	  "3: the line is not valid UTF-8; rewrite it in plain ASCII\n" },
	{ "overlong UTF-8", "[device.a]\nids = 8086:10d3\n; \xc0\xaf\n", 0,
	  "3: the line is not valid UTF-8; rewrite it in plain ASCII\n" },
	{ "line too long", long_line, 0,
	  "2: the line is 302 characters long, more than the 197 the parser "
	  "accepts; split a list over several lines that each start with the key, "
	  "or shorten the comment\n" },
};

static void bad_configs_give_exact_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *c = &bad[i];
		struct pt_config cfg;

		parse(c->text, c->len ? c->len : strlen(c->text), &cfg);
		if (strcmp(errors_of(&cfg), c->errors) != 0)
			fail_msg("case '%s':\n  got:      %s  expected: %s", c->name,
				 errors_of(&cfg), c->errors);
		pt_config_free(&cfg);
	}
}

static void every_error_is_reported_not_just_the_first(void **state)
{
	static const char text[] = "[global]\n"
				   "iommu = yes\n"
				   "[device.a]\n"
				   "address = zz\n"
				   "[bogus]\n"
				   "x = 1\n";
	struct pt_config cfg;

	(void)state;
	parse(text, sizeof(text) - 1, &cfg);
	assert_int_equal(cfg.n_errors, 3);
	assert_int_equal(cfg.errors[0].line, 2);
	assert_int_equal(cfg.errors[1].line, 4);
	assert_int_equal(cfg.errors[2].line, 5);
	pt_config_free(&cfg);
}

static void a_too_long_line_does_not_leak_into_the_next(void **state)
{
	struct pt_config cfg;

	(void)state;
	/* inih would split it into a truncated value and a bogus line. */
	parse(long_line, strlen(long_line), &cfg);
	assert_int_equal(cfg.n_errors, 1);
	assert_int_equal(cfg.n_rules, 1);
	assert_int_equal(cfg.rules[0].n_matches, 1);
	pt_config_free(&cfg);
}

/* Issue 10: "address = 01:00.0" and 300 carriage returns overflowed
 * inih's 200-byte line buffer: the line ending counted neither in the
 * limit nor in the copy's bound. */
static void a_run_of_carriage_returns_is_a_line_ending(void **state)
{
	char text[400];
	struct pt_config cfg;
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "[device.a]\naddress = 01:00.0");
	memset(text + n, '\r', 300);
	text[n + 300] = '\n';
	parse(text, n + 301, &cfg);
	assert_string_equal(errors_of(&cfg), "");
	assert_int_equal(cfg.rules[0].n_matches, 1);
	pt_config_free(&cfg);
}

/* The line handed to inih never exceeds its buffer, whatever the input:
 * checked on a heap buffer of exactly inih's size, where AddressSanitizer
 * sees one byte too many. */
static void a_line_never_overflows_the_parser_buffer(void **state)
{
	static const char *const endings[] = { "", "\n", "\r\n", "\r\r\r\r\n", "\r" };
	char in[600];
	size_t content;

	(void)state;
	for (size_t e = 0; e < sizeof(endings) / sizeof(endings[0]); e++) {
		for (size_t len = 190; len < 210; len++) {
			char *out = malloc(200);
			enum pt_line_status st;

			assert_non_null(out);
			memset(in, 'x', len);
			strcpy(in + len, endings[e]);
			st = pt_config_line(out, 200, in, strlen(in), &content);
			assert_int_equal(content, len);
			assert_int_equal(st, len <= 197 ? PT_LINE_OK : PT_LINE_TOO_LONG);
			assert_int_equal(strlen(out), st == PT_LINE_OK ? len + 1 : 1);
			free(out);
		}
	}
}

/* inih skips every isspace() character before a header and a UTF-8
 * byte-order mark before the first line: the config must read the same. */
static void headers_read_as_inih_reads_them(void **state)
{
	static const char vt[] = "[device.nic]\naddress = 01:00.0\n\v[global]\ndriver = pci-stub\n"
				 "\f[device.two]\nids = 8086:10d3\n";
	static const char bom[] = "\xef\xbb\xbf[device.nic]\naddress = 01:00.0\n";
	struct pt_config cfg;

	(void)state;
	parse(vt, sizeof(vt) - 1, &cfg);
	assert_string_equal(errors_of(&cfg), "");
	assert_int_equal(cfg.driver, PT_DRIVER_PCI_STUB);
	assert_int_equal(cfg.n_rules, 2);
	assert_int_equal(cfg.rules[0].driver, PT_DRIVER_DEFAULT);
	assert_int_equal(cfg.rules[0].n_matches, 1);
	pt_config_free(&cfg);
	parse(bom, sizeof(bom) - 1, &cfg);
	assert_string_equal(errors_of(&cfg), "");
	assert_int_equal(cfg.n_rules, 1);
	pt_config_free(&cfg);
}

/* A list too long for one line goes on over several, each starting with
 * the key; the values add up. */
static void a_list_continues_on_lines_that_repeat_the_key(void **state)
{
	static const char text[] = "[device.a]\nids = 8086:10d3 8086:10d4\nids = 10de:1b80\n"
				   "guard = 01:00.0=8086:10d3:020000\nguard = 02:00.0=8086:10d3:020000\n";
	struct pt_config cfg;

	(void)state;
	parse(text, sizeof(text) - 1, &cfg);
	assert_string_equal(errors_of(&cfg), "");
	assert_int_equal(cfg.rules[0].n_matches, 3);
	assert_int_equal(cfg.rules[0].n_guards, 2);
	assert_int_equal(cfg.rules[0].guards[1].addr.bus, 2);
	assert_int_equal(cfg.rules[0].guards[1].class, 0x020000);
	pt_config_free(&cfg);
}

/* Opening a FIFO for reading blocks until a writer comes: the config is
 * refused before it is read. */
/* Issue 13: what a GPU needs. */
static void gpu_keys(void **state)
{
	static const char text[] = "[global]\ndisable_idle_d3 = yes\nheadless = yes\n"
				   "[device.gpu]\naddress = 03:00.0\nfunctions = all\n"
				   "reset_method = device_specific, bus\n";
	struct pt_config cfg;

	(void)state;
	parse(text, sizeof(text) - 1, &cfg);
	assert_string_equal(errors_of(&cfg), "");
	assert_true(cfg.disable_idle_d3);
	assert_true(cfg.headless);
	assert_string_equal(cfg.rules[0].reset_method, "device_specific bus");
	pt_config_free(&cfg);
}

static void load_fifo_does_not_block(void **state)
{
	struct fakesys fs;
	struct pt_config cfg;
	char path[400];

	(void)state;
	fakesys_init(&fs);
	fakesys_write(&fs, "etc/x", "");
	snprintf(path, sizeof(path), "%s/etc/passthrough.conf", fs.root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pt_config_load(path, &cfg), 0);
	assert_string_equal(errors_of(&cfg),
			    "0: the config is not a regular file; it must be a "
			    "plain file\n");
	pt_config_free(&cfg);
	fakesys_cleanup(&fs);
}

static void load_missing_file(void **state)
{
	struct pt_config cfg;

	(void)state;
	assert_int_equal(pt_config_load("/nonexistent/passthrough.conf", &cfg), -ENOENT);
	assert_int_equal(cfg.n_errors, 1);
	assert_string_equal(cfg.errors[0].text,
			    "cannot open the config: No such file or directory");
	pt_config_free(&cfg);
}

static void load_directory(void **state)
{
	struct fakesys fs;
	struct pt_config cfg;
	char path[400];

	(void)state;
	fakesys_init(&fs);
	fakesys_write(&fs, "etc/passthrough.conf/x", "");
	snprintf(path, sizeof(path), "%s/etc/passthrough.conf", fs.root);
	assert_int_equal(pt_config_load(path, &cfg), 0);
	assert_string_equal(errors_of(&cfg),
			    "0: the config is not a regular file; it must be a "
			    "plain file\n");
	pt_config_free(&cfg);
	fakesys_cleanup(&fs);
}

static void load_regular_file(void **state)
{
	struct fakesys fs;
	struct pt_config cfg;
	char path[400];

	(void)state;
	fakesys_init(&fs);
	fakesys_write(&fs, "etc/passthrough.conf", "[device.n]\naddress = 01:00.0\n");
	snprintf(path, sizeof(path), "%s/etc/passthrough.conf", fs.root);
	assert_int_equal(pt_config_load(path, &cfg), 0);
	assert_string_equal(errors_of(&cfg), "");
	assert_string_equal(cfg.path, path);
	assert_int_equal(cfg.n_rules, 1);
	pt_config_free(&cfg);
	fakesys_cleanup(&fs);
}

static int setup_long_line(void **state)
{
	size_t n;

	(void)state;
	n = (size_t)snprintf(long_line, sizeof(long_line), "[device.a]\n; ");
	memset(long_line + n, 'x', 300);
	snprintf(long_line + n + 300, sizeof(long_line) - n - 300,
		 "\nids = 8086:10d3\n");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_example_parses),
		cmocka_unit_test(defaults_without_global),
		cmocka_unit_test(bad_configs_give_exact_errors),
		cmocka_unit_test(every_error_is_reported_not_just_the_first),
		cmocka_unit_test(a_too_long_line_does_not_leak_into_the_next),
		cmocka_unit_test(a_run_of_carriage_returns_is_a_line_ending),
		cmocka_unit_test(a_line_never_overflows_the_parser_buffer),
		cmocka_unit_test(headers_read_as_inih_reads_them),
		cmocka_unit_test(a_list_continues_on_lines_that_repeat_the_key),
		cmocka_unit_test(gpu_keys),
		cmocka_unit_test(load_fifo_does_not_block),
		cmocka_unit_test(load_missing_file),
		cmocka_unit_test(load_directory),
		cmocka_unit_test(load_regular_file),
	};
	return cmocka_run_group_tests(tests, setup_long_line, NULL);
}
