/* check's findings and status's verdicts, for people and in JSON. */
#include "report.h"
#include "report-internal.h"
#include "state.h"
#include "generate.h"
#include "json.h"
#include "text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* --- check --------------------------------------------------------------- */

/* Words onto lines of at most `width` columns (0: one line, for a pipe);
 * continuation lines indented. `used` is what the line already holds. A
 * word longer than a line (a path) stands alone. */
static void print_wrapped(FILE *f, size_t used, size_t width, const char *indent,
			  const char *text)
{
	if (!width)
		width = (size_t)-1;
	while (*text) {
		size_t word = strcspn(text, " ");

		if (used > strlen(indent) && used + 1 + word > width) {
			fprintf(f, "\n%s", indent);
			used = strlen(indent);
		} else if (used > strlen(indent)) {
			fputc(' ', f);
			used++;
		}
		fwrite(text, 1, word, f);
		used += word;
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

void pt_report_findings_json(struct pt_json *j, const struct pt_config *cfg,
			     const struct pt_findings *f)
{
	pt_json_array_begin(j, "findings");
	for (size_t i = 0; i < f->n; i++) {
		const struct pt_finding *x = &f->v[i];

		pt_json_object_begin(j, NULL);
		pt_json_string(j, "severity", pt_severity_name(x->severity));
		pt_json_string(j, "code", x->code);
		pt_json_string(j, "rule", x->rule >= 0 ? cfg->rules[x->rule].name : NULL);
		if (x->line)
			pt_json_int(j, "line", x->line);
		else
			pt_json_null(j, "line");
		pt_json_string(j, "device", x->device[0] ? x->device : NULL);
		pt_json_string(j, "message", x->message);
		pt_json_string(j, "fix", x->fix);
		pt_json_object_end(j);
	}
	pt_json_array_end(j);
}

void pt_report_check(const struct pt_report *r, const struct pt_findings *f)
{
	static const char *const colors[] = { "", YELLOW, RED };

	if (r->json) {
		struct pt_json j;

		pt_json_init(&j, r->out);
		pt_json_object_begin(&j, NULL);
		pt_json_string(&j, "config", r->cfg ? r->cfg->path : NULL);
		pt_json_int(&j, "errors", (long long)f->count[PT_SEV_ERROR]);
		pt_json_int(&j, "warnings", (long long)f->count[PT_SEV_WARNING]);
		pt_json_int(&j, "notes", (long long)f->count[PT_SEV_NOTE]);
		pt_json_bool(&j, "incomplete", f->incomplete);
		if (r->setup)
			pt_report_setup_json(&j, r->setup);
		pt_report_findings_json(&j, r->cfg, f);
		pt_json_object_end(&j);
		return;
	}
	if (r->setup)
		pt_report_setup(r, r->setup);
	for (size_t i = 0; i < f->n; i++) {
		const struct pt_finding *x = &f->v[i];
		char where[PATH_MAX + 160] = "";
		size_t n = 0;

		if (x->line)
			n += (size_t)snprintf(where + n, sizeof(where) - n, "%s:%u: ",
					      r->cfg->path, x->line);
		else if (!strcmp(x->code, "config-syntax") || !strcmp(x->code, "config-missing"))
			n += (size_t)snprintf(where + n, sizeof(where) - n, "%s: ",
					      r->cfg->path);
		if (x->rule >= 0)
			n += (size_t)snprintf(where + n, sizeof(where) - n, "[device.%s] ",
					      r->cfg->rules[x->rule].name);
		if (x->device[0])
			snprintf(where + n, sizeof(where) - n, "%s: ", x->device);
		/* "warning[no-reset]:": the code the README's table explains */
		fprintf(r->out, "%s%s%s[%s]:", pt_report_colour(r, colors[x->severity]),
			pt_severity_name(x->severity), pt_report_colour(r, RESET), x->code);
		{
			char *text = NULL, *shown = NULL;

			if (asprintf(&text, "%s%s", where, x->message) >= 0 &&
			    (shown = pt_printable_copy(text)))
				print_wrapped(r->out, strlen(pt_severity_name(x->severity)) +
							      strlen(x->code) + 3,
					      r->terminal ? 80 : 0, "    ", shown);
			free(text);
			free(shown);
		}
		if (x->fix) {
			char *shown = pt_printable_copy(x->fix);

			fputs("  fix:", r->out);
			if (shown)
				print_wrapped(r->out, 6, r->terminal ? 80 : 0, "    ", shown);
			free(shown);
		}
	}
	if (f->incomplete)
		fprintf(r->out, "%serror%s: memory ran out: this check is incomplete, "
			"so it counts as failed\n", pt_report_colour(r, RED), pt_report_colour(r, RESET));
	fprintf(r->out, "%zu error%s, %zu warning%s, %zu note%s\n",
		f->count[PT_SEV_ERROR], f->count[PT_SEV_ERROR] == 1 ? "" : "s",
		f->count[PT_SEV_WARNING], f->count[PT_SEV_WARNING] == 1 ? "" : "s",
		f->count[PT_SEV_NOTE], f->count[PT_SEV_NOTE] == 1 ? "" : "s");
}

/* --- status -------------------------------------------------------------- */

void pt_report_setup_json(struct pt_json *j, const struct pt_setup *setup)
{
	pt_json_object_begin(j, "state");
	pt_json_string(j, "name", pt_setup_state_name(setup->state));
	pt_json_string(j, "summary", setup->summary);
	pt_json_string(j, "next", setup->next[0] ? setup->next : NULL);
	pt_json_bool(j, "config_edited", setup->config_edited);
	pt_json_string(j, "edit_would", setup->edit[0] ? setup->edit : NULL);
	pt_json_object_end(j);
}

void pt_report_setup(const struct pt_report *r, const struct pt_setup *setup)
{
	fprintf(r->out, "State: %s.\n", setup->summary);
	if (setup->next[0])
		fprintf(r->out, "Next: %s.\n", setup->next);
	if (setup->edit[0])
		fprintf(r->out, "The edit, once applied, would %s.\n", setup->edit);
}

static void status_json(const struct pt_report *r, const struct pt_setup *setup,
			const struct pt_status *st, size_t n, char **kmsg, size_t n_kmsg,
			bool all_ok)
{
	const struct pt_machine *m = r->m;
	struct pt_json j;

	pt_json_init(&j, r->out);
	pt_json_object_begin(&j, NULL);
	pt_json_bool(&j, "ok", all_ok);
	pt_report_setup_json(&j, setup);
	pt_json_array_begin(&j, "devices");
	for (size_t i = 0; i < n; i++) {
		const struct pt_decision *d = &r->plan->v[st[i].decision];
		const struct pt_device *dev = &m->devs.v[d->device];

		pt_json_object_begin(&j, NULL);
		pt_json_string(&j, "address", dev->bdf);
		pt_json_string(&j, "rule", r->cfg->rules[d->rule].name);
		pt_json_string(&j, "verdict", pt_verdict_name(d->verdict));
		pt_json_string(&j, "expected", st[i].expected);
		pt_json_string(&j, "driver", dev->driver[0] ? dev->driver : NULL);
		if (dev->iommu_group >= 0)
			pt_json_int(&j, "group", dev->iommu_group);
		else
			pt_json_null(&j, "group");
		pt_json_bool(&j, "group_viable", st[i].group_viable);
		pt_json_string(&j, "vfio_device", st[i].vfio_node[0] ? st[i].vfio_node : NULL);
		pt_json_bool(&j, "vfio_device_present", st[i].vfio_node_present);
		pt_json_bool(&j, "ok", st[i].ok);
		pt_json_object_end(&j);
	}
	pt_json_array_end(&j);
	pt_json_array_begin(&j, "log");
	for (size_t i = 0; i < n_kmsg; i++)
		pt_json_string(&j, NULL, kmsg[i]);
	pt_json_array_end(&j);
	pt_json_object_end(&j);
}

void pt_report_status(const struct pt_report *r, const struct pt_setup *setup,
		      const struct pt_status *st, size_t n, char **kmsg, size_t n_kmsg,
		      bool all_ok)
{
	const struct pt_machine *m = r->m;

	if (r->json) {
		status_json(r, setup, st, n, kmsg, n_kmsg, all_ok);
		return;
	}
	pt_report_setup(r, setup);
	if (!setup->judge_devices) {
		if (n_kmsg)
			fprintf(r->out, "\nThe binder at boot (kernel log):\n");
		for (size_t i = 0; i < n_kmsg; i++)
			fprintf(r->out, "  %s\n", kmsg[i]);
		return;
	}
	if (!r->cfg || !r->cfg->n_rules) {
		/* "All as configured" would read as if something were. */
		fprintf(r->out, "Nothing is configured: the applied config has no "
			"[device.NAME] rule.\n");
		return;
	}
	fputc('\n', r->out);
	/* Columns as wide as their longest value: nothing is cut. */
	int rule_w = 14, drv_w = 9;

	for (size_t i = 0; i < n; i++) {
		const struct pt_decision *d = &r->plan->v[st[i].decision];
		int rl = (int)strlen(r->cfg->rules[d->rule].name);
		int dl = (int)strlen(m->devs.v[d->device].driver);

		rule_w = rl > rule_w ? rl : rule_w;
		drv_w = dl > drv_w ? dl : drv_w;
	}
	fprintf(r->out, "%-13s %-*s %-9s %-*s %-6s %s\n", "DEVICE", rule_w, "RULE", "EXPECTED",
		drv_w, "DRIVER", "GROUP", "STATE");
	for (size_t i = 0; i < n; i++) {
		const struct pt_decision *d = &r->plan->v[st[i].decision];
		const struct pt_device *dev = &m->devs.v[d->device];
		char group[16], state[128];

		snprintf(group, sizeof(group), dev->iommu_group >= 0 ? "%ld" : "-",
			 dev->iommu_group);
		if (d->verdict == PT_MAKE_VFS)
			snprintf(state, sizeof(state), "PF: %u of %u VFs made", dev->sriov_numvfs,
				 r->cfg->rules[d->rule].sriov_vfs);
		else if (d->verdict != PT_BIND)
			snprintf(state, sizeof(state), "%s by the config", pt_verdict_name(d->verdict));
		else if (!st[i].ok && strcmp(st[i].expected, dev->driver))
			snprintf(state, sizeof(state), "NOT BOUND");
		else if (!st[i].group_viable)
			snprintf(state, sizeof(state), "group not viable");
		else if (st[i].vfio_node[0] && !st[i].vfio_node_present)
			snprintf(state, sizeof(state), "no %s", st[i].vfio_node);
		else
			snprintf(state, sizeof(state), "ok%s%s", st[i].vfio_node[0] ? ", " : "",
				 st[i].vfio_node);
		if (dev->is_vf) {
			char pf[PT_PCI_ADDR_STRLEN];

			pt_pci_addr_format(&dev->physfn, pf);
			pt_append(state, sizeof(state), " (VF %u of %s)", dev->vf_index, pf);
		}
		fprintf(r->out, "%-13s %-*s %-9s %-*s %-6s %s%s%s\n", dev->bdf,
			rule_w, r->cfg->rules[d->rule].name, st[i].expected,
			drv_w, dev->driver[0] ? dev->driver : "none", group,
			pt_report_colour(r, st[i].ok ? GREEN : RED), state, pt_report_colour(r, RESET));
	}
	if (n_kmsg) {
		fprintf(r->out, "\nThe binder at boot (kernel log):\n");
		for (size_t i = 0; i < n_kmsg; i++)
			fprintf(r->out, "  %s\n", kmsg[i]);
	}
	fprintf(r->out, "%s\n", all_ok ? "All selected devices are as configured." :
					 "Some devices are not as configured.");
}
