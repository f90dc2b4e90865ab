/* The configuration model: /etc/passthrough.conf as parsed and validated.
 * Parsing never stops at the first problem: every error is collected with
 * its file, line and key, so one run tells the admin everything to fix.
 * A config with any error must bind nothing (fail closed). */
#ifndef PT_CONFIG_H
#define PT_CONFIG_H

#include "compiler.h"

#include "drivers.h"
#include "pciid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pt_iommu { PT_IOMMU_AUTO, PT_IOMMU_INTEL, PT_IOMMU_AMD, PT_IOMMU_OFF };


/* Selector kinds. Inside a rule, every kind present must match (AND);
 * several matchers of one kind are alternatives (OR). Kinds that only the
 * host tool can resolve (USB devices, disks) get their own entries here and
 * are turned into address + ID guards before the initramfs is built. */
enum pt_match_kind {
	PT_MATCH_ADDRESS,
	PT_MATCH_IDS,
	PT_MATCH_CLASS,
	PT_MATCH_GROUP,
	PT_MATCH_USB,     /* host only: a USB device's vendor:product */
	PT_MATCH_USB_BUS, /* host only: a USB bus number */
	PT_MATCH_DISK,    /* host only: a block device path under /dev */
	PT_MATCH_KIND_COUNT
};

struct pt_match {
	enum pt_match_kind kind;
	union {
		struct pt_pci_addr addr;
		struct pt_pci_id id; /* PT_MATCH_IDS, PT_MATCH_USB */
		struct pt_pci_class cls;
		unsigned long number;   /* PT_MATCH_GROUP, PT_MATCH_USB_BUS */
		char *path;             /* PT_MATCH_DISK */
	} u;
};

bool pt_match_is_host_only(enum pt_match_kind kind);
/* The config key of a selector: "address", "ids"... */
const char *pt_match_key(enum pt_match_kind kind);

/* What `passthrough generate` found at an address, so the binder can tell
 * when another device sits there at boot (a firmware update renumbered the
 * buses, a card was added): "guard = 0000:01:00.0=8086:10d3:020000". */
struct pt_guard {
	struct pt_pci_addr addr;
	uint16_t vendor, device;
	uint32_t class;
};

PT_MUST_CHECK int pt_guard_parse(const char *s, struct pt_guard *out);

/* What an IOMMU group held when `passthrough generate` ran, one member a
 * value: "group_guard = 5/0000:00:05.0=8086:2922:010601". Groups are
 * renumbered by a firmware update or a new card; the binder refuses a
 * group whose members are not exactly these. */
struct pt_group_guard {
	unsigned long group;
	struct pt_guard member;
};

PT_MUST_CHECK int pt_group_guard_parse(const char *s, struct pt_group_guard *out);

/* The config, relative to the root ("" in the initramfs and on the host,
 * a fake root in tests). */
#define PT_CONFIG_RELPATH "etc/passthrough.conf"

/* The longest line the reader takes: inih's 200-byte buffer, less room
 * for "\r\n" and the terminating NUL. Everything rendered stays within. */
#define PT_CONFIG_LINE_MAX 197

/* inih keeps section names to 49 bytes: "device." and 42 more. */
#define PT_INI_SECTION_MAX 49
#define PT_RULE_NAME_MAX (PT_INI_SECTION_MAX - 7) /* after "device." */

/* The most virtual functions a rule may ask for (and index in vfs). */
#define PT_MAX_VFS 256

struct pt_rule {
	char *name; /* the NAME of [device.NAME] */
	unsigned line; /* the section header's line */
	struct pt_match *matches;
	size_t n_matches;
	struct pt_guard *guards;
	size_t n_guards;
	/* With any, every group the rule names must hold exactly its
	 * recorded members (none recorded: it was empty). */
	struct pt_group_guard *group_guards;
	size_t n_group_guards;
	bool all_functions;
	bool allow_boot_vga;
	/* Written to the device's reset_method (5.15+) before binding, as the
	 * kernel takes it: "device_specific bus"; NULL: left as it is. */
	char *reset_method;
	/* Finding codes of check the admin accepts for this rule, blank-
	 * separated ("no-reset selects-nothing"): such a finding becomes a
	 * note. Only the host tool reads it. NULL: none. */
	char *accept;
	enum pt_driver driver; /* PT_DRIVER_DEFAULT: the [global] driver */
	/* SR-IOV: the rule's selectors name physical functions, which keep
	 * their host driver; at boot each gets sriov_vfs virtual functions,
	 * and those in `vfs` (all, or by index) go to the rule's driver. */
	unsigned sriov_vfs; /* 0: not an SR-IOV rule */
	bool vfs_all;       /* vfs = all, or no vfs key */
	uint8_t vfs[PT_MAX_VFS / 8]; /* bit i: VF i is selected */
};

/* Whether an SR-IOV rule gives virtual function `index` to its driver. */
bool pt_rule_takes_vf(const struct pt_rule *rule, unsigned index);

struct pt_config_error {
	unsigned line; /* 0: the file as a whole */
	char *text;    /* "key: what is wrong; what to do" */
};

struct pt_config {
	char *path;
	enum pt_iommu iommu;
	bool iommu_pt;
	enum pt_driver driver; /* never PT_DRIVER_DEFAULT after parsing */
	bool unsafe_interrupts;
	bool disable_vga;
	bool disable_idle_d3; /* vfio_pci disable_idle_d3=1 */
	/* Consent to give away every display: a headless server managed over
	 * a serial console or the network. */
	bool headless;

	struct pt_rule *rules;
	size_t n_rules;

	struct pt_config_error *errors;
	size_t n_errors;
};

/* One line of the file as inih must get it, in out[0..num): its content
 * without the line ending, then '\n'. Anything else (a NUL byte, invalid
 * UTF-8, more than num - 3 bytes of content) is refused: out then holds a
 * blank line. *content gets the content's length either way. */
enum pt_line_status { PT_LINE_OK, PT_LINE_NUL, PT_LINE_NOT_UTF8, PT_LINE_TOO_LONG };
enum pt_line_status pt_config_line(char *out, int num, const char *in, size_t len,
				   size_t *content);

/* Parses a config from a stream. Returns 0 on success (check n_errors:
 * a config with errors is still returned so every error can be shown),
 * -ENOMEM when memory ran out. `path` is used in messages only. */
PT_MUST_CHECK int pt_config_parse_stream(FILE *f, const char *path, struct pt_config *cfg);
/* Opens and parses `path`. A directory, a missing or an unreadable file is
 * reported as a config error, like any other problem; a missing file also
 * returns -ENOENT, because "no config" means "nothing to do" to the binder. */
PT_MUST_CHECK int pt_config_load(const char *path, struct pt_config *cfg);
/* Edits (insert, delete, replace, swap two neighbours) from a to b, for
 * "did you mean": 99 for words over 22 characters. */
size_t pt_edit_distance(const char *a, const char *b);
void pt_config_free(struct pt_config *cfg);

/* Writes cfg as a file the reader takes back with the same meaning (see
 * pt_config_difference): every key of the table, lists split over lines of
 * at most PT_CONFIG_LINE_MAX bytes. 0, -EOVERFLOW when a value cannot fit
 * on any line (nothing the reader accepted), -EIO on a write error. */
PT_MUST_CHECK int pt_config_render(const struct pt_config *cfg, FILE *f);
/* NULL when a and b select the same devices with the same drivers, VFs,
 * guards and reset methods, and set the same globals; else the key that
 * differs first. */
const char *pt_config_difference(const struct pt_config *a, const struct pt_config *b);

/* Building a config in code (generate's initramfs config): each copies
 * what it is given; -ENOMEM (NULL) when memory ran out. */
struct pt_rule *pt_config_add_rule(struct pt_config *cfg, const char *name, unsigned line);
PT_MUST_CHECK int pt_rule_add_match(struct pt_rule *rule, const struct pt_match *m);
PT_MUST_CHECK int pt_rule_add_guard(struct pt_rule *rule, const struct pt_guard *g);
PT_MUST_CHECK int pt_rule_add_group_guard(struct pt_rule *rule, const struct pt_group_guard *g);
/* Everything of a rule but its name, selectors and guards. */
PT_MUST_CHECK int pt_rule_copy_settings(struct pt_rule *to, const struct pt_rule *from);

/* The key table, for the man page's test: key i's name, section and value
 * syntax; false past the last. */
size_t pt_config_key_count(void);
bool pt_config_key_info(size_t i, const char **name, bool *global, const char **syntax);

enum pt_driver pt_rule_driver(const struct pt_config *cfg,
			      const struct pt_rule *rule);
const char *pt_iommu_name(enum pt_iommu m);

#endif
