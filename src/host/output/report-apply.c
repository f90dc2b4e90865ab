/* What apply did, two ways from one journal (apply/apply.h): lines for
 * people as each event comes, and one JSON document at the end for
 * configuration management. */
#include "apply.h"
#include "report.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

static void print_words(FILE *out, const struct pt_tokens *t)
{
	for (size_t i = 0; i < t->n; i++)
		fprintf(out, "%s%s", i ? " " : "", t->v[i]);
	if (!t->n)
		fputs("none", out);
}

void pt_report_apply_event(const struct pt_apply_plan *p, const struct pt_apply_journal *j,
			   const struct pt_apply_event *e, void *data)
{
	FILE *out = data;
	bool on_root = !p->root[0] || !strcmp(p->root, "/");

	(void)j;
	switch (e->kind) {
	case PT_EVENT_BEGIN:
		fprintf(out, "passthrough apply%s%s (%s%s%s):\n", p->undo ? " --undo" : "",
			p->dry_run ? " --dry-run" : "", pt_distro_name(p->distro),
			on_root ? "" : ", root ", on_root ? "" : p->root);
		break;
	case PT_EVENT_BOOT_PATH:
		fprintf(out, "  boot path  %s: %s\n", pt_loader_name(p->boot.loader), e->text);
		break;
	case PT_EVENT_FILE:
		fprintf(out, "  %-10s %s\n", e->action, e->path);
		break;
	case PT_EVENT_COMMAND:
		fprintf(out, "  %-10s", e->will_run ? "run" : "would run");
		for (size_t i = 0; e->argv[i]; i++)
			fprintf(out, strchr(e->argv[i], ' ') ? " \"%s\"" : " %s", e->argv[i]);
		fputc('\n', out);
		fflush(out); /* before the command's own output */
		break;
	case PT_EVENT_ARGUMENTS:
		fputs("  kernel arguments: ", out);
		print_words(out, e->after);
		fputs(" (were: ", out);
		print_words(out, e->before);
		fputs(")\n", out);
		break;
	case PT_EVENT_PROBLEM:
	case PT_EVENT_NOTE:
		fprintf(out, "  %s\n", e->text);
		break;
	case PT_EVENT_NEXT:
	case PT_EVENT_STOPPED:
		fprintf(out, "%s\n", e->text);
		break;
	}
}

/* apply --json: one object on stdout for configuration management
 * (Ansible's changed_when, Salt's stateful commands); apply's own lines
 * and the commands' output go to stderr. */
void pt_report_apply_json(const struct pt_apply_plan *p, const struct pt_apply_journal *jr,
			  const struct pt_config *cfg, const struct pt_findings *f,
			  const char *result, const char *error, bool first_step)
{
	struct pt_json j;

	pt_json_init(&j, stdout);
	pt_json_object_begin(&j, NULL);
	pt_json_string(&j, "result", result);
	pt_json_bool(&j, "changed", jr->changed);
	pt_json_bool(&j, "reboot_needed", jr->changed && !p->dry_run);
	pt_json_bool(&j, "dry_run", p->dry_run);
	pt_json_bool(&j, "undo", p->undo);
	pt_json_string(&j, "step", p->undo ? NULL : first_step ? "1 of 2: kernel arguments only" :
					       "complete");
	pt_json_string(&j, "error", error);
	pt_json_string(&j, "distro", pt_distro_name(p->distro));
	pt_json_object_begin(&j, "boot_path");
	pt_json_string(&j, "loader", pt_loader_name(p->boot.loader));
	pt_json_string(&j, "why", p->boot.why);
	pt_json_object_end(&j);
	pt_json_array_begin(&j, "files");
	for (size_t i = 0; i < jr->n_files; i++) {
		pt_json_object_begin(&j, NULL);
		pt_json_string(&j, "path", jr->files[i].path);
		pt_json_string(&j, "action", jr->files[i].action);
		pt_json_string(&j, "backup", jr->files[i].backup);
		pt_json_object_end(&j);
	}
	pt_json_array_end(&j);
	pt_json_array_begin(&j, "commands");
	for (size_t i = 0; i < jr->n_commands; i++) {
		const struct pt_apply_command *c = &jr->commands[i];
		size_t n = 0;

		while (c->argv[n])
			n++;
		pt_json_object_begin(&j, NULL);
		pt_json_strings(&j, "argv", (const char *const *)c->argv, n);
		pt_json_bool(&j, "ran", c->ran);
		if (c->ran)
			pt_json_int(&j, "status", c->status);
		else
			pt_json_null(&j, "status");
		pt_json_object_end(&j);
	}
	pt_json_array_end(&j);
	pt_json_object_begin(&j, "kernel_arguments");
	pt_json_bool(&j, "changed", jr->args_changed);
	pt_json_strings(&j, "before", (const char *const *)jr->args_before.v, jr->args_before.n);
	pt_json_strings(&j, "after", (const char *const *)jr->args_after.v, jr->args_after.n);
	pt_json_object_end(&j);
	pt_json_strings(&j, "problems", (const char *const *)jr->problems, jr->n_problems);
	pt_report_findings_json(&j, cfg, f);
	pt_json_object_end(&j);
}

