/* The state file of apply (/var/lib/passthrough/applied). */
#ifndef PT_APPLIED_H
#define PT_APPLIED_H

#include "tokens.h"

/* What apply added, so the next apply replaces it and --undo removes it:
 * "cmdline TOKEN..." and "modules TOKEN..." lines; "init-was TOKEN" when
 * apply replaced Alpine's own init= value, to put it back on undo;
 * "created PATH..." for files apply made (etc/kernel/cmdline). */
struct pt_applied {
	struct pt_tokens cmdline;
	struct pt_tokens modules;
	struct pt_tokens init_was;
	struct pt_tokens created; /* files apply created, which undo removes */
};

int pt_applied_parse(const char *text, struct pt_applied *out);
char *pt_applied_render(const struct pt_applied *a);
void pt_applied_free(struct pt_applied *a);

#endif
