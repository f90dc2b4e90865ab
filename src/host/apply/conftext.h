/* The admin's passthrough.conf as text, for `passthrough add` and
 * `remove`: a rule goes after the last line (a blank line before it), and
 * a rule's own lines come out with the blank line before it; every other
 * byte, comments and layout included, stays. Adding a rule and removing
 * it gives the file back byte for byte. Pure text functions. */
#ifndef PT_CONFTEXT_H
#define PT_CONFTEXT_H

/* TEXT with RULE (its lines, "[device.x]\n...") appended; NULL: no memory. */
char *pt_conftext_append(const char *text, const char *rule);
/* TEXT without [device.NAME]: 0 and *out, -ENOENT when there is no such
 * section, -ENOMEM. */
int pt_conftext_remove(const char *text, const char *name, char **out);

#endif
