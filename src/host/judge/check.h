/* `passthrough check`: a config judged against a machine. Pure functions
 * from (config, machine model, plan) to findings; nothing here reads the
 * system, so each rule of judgement is unit-tested on a model built by
 * hand. */
#ifndef PT_CHECK_H
#define PT_CHECK_H

#include "compiler.h"
#include "config.h"
#include "machine.h"
#include "quirks.h"
#include "select.h"

#include <sys/stat.h>

enum pt_severity { PT_SEV_NOTE, PT_SEV_WARNING, PT_SEV_ERROR };

struct pt_finding {
	enum pt_severity severity;
	const char *code;   /* stable, for scripts: "group-not-isolated" */
	long rule;          /* index into cfg->rules, or -1 */
	unsigned line;      /* config line, 0 when none */
	char device[PT_PCI_ADDR_STRLEN]; /* "" when not about one device */
	char *message;      /* what is wrong */
	char *fix;          /* what to do */
};

/* The one error apply does not refuse: the IOMMU is off only because the
 * kernel was not given the argument apply sets. Apply then sets the
 * kernel arguments alone and binds nothing until the next boot. */
#define PT_FIRST_STEP_CODE "iommu-argument"

struct pt_findings {
	struct pt_finding *v;
	size_t n;
	size_t count[3]; /* per severity */
	/* Memory ran out: a finding may be missing. Counted as an error, so
	 * an incomplete check never passes (and apply never goes ahead). */
	bool incomplete;
};

/* Facts about the environment that the machine model does not hold. */
struct pt_check_env {
	const struct pt_resolver *resolver; /* for usb, usb_bus, disk; may be NULL */
	int vfio_available; /* pt_module_available("vfio_pci") */
	int stub_available; /* pt_module_available("pci_stub") */
	int vendor_reset_available; /* pt_module_available("vendor_reset") */
	bool have_config_stat;
	struct stat config_stat; /* the config file, after following links */
	bool config_is_link;
	bool config_missing; /* no file at the config's path */
};

/* The syntax and semantic errors of the config itself. */
PT_MUST_CHECK int pt_check_config_errors(const struct pt_config *cfg,
					const struct pt_check_env *env,
					struct pt_findings *out);
/* Ownership and mode of the config file. */
PT_MUST_CHECK int pt_check_config_file(const struct pt_config *cfg,
				       const struct pt_check_env *env,
				       struct pt_findings *out);
/* Everything that needs the machine. */
/* Each returns -ENOMEM when memory ran out (the findings then say so). */
PT_MUST_CHECK int pt_check_against_machine(const struct pt_config *cfg,
					   const struct pt_machine *m,
					   const struct pt_plan *plan,
					   const struct pt_check_env *env,
					   struct pt_findings *out);

/* vfio uses a group only when every endpoint in it (bridges aside) is on
 * vfio-pci or pci-stub: `selected` (may be NULL) marks devices that will
 * be; `unbound_ok` counts devices without a driver as safe (true after
 * boot; before it, a host driver may still claim them). */
bool pt_group_is_isolated(const struct pt_devices *devs, long group,
		       const bool *selected, bool unbound_ok);

/* Machine-wide findings first, then in config line order; stable. */
void pt_findings_sort(struct pt_findings *f);
void pt_findings_free(struct pt_findings *f);
const char *pt_severity_name(enum pt_severity s);

#endif
