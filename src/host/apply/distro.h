/* Which family of distributions a root belongs to, from os-release or
 * from --distro. */
#ifndef PT_DISTRO_H
#define PT_DISTRO_H

enum pt_distro { PT_DISTRO_UNKNOWN, PT_DISTRO_DEBIAN, PT_DISTRO_FEDORA, PT_DISTRO_ALPINE, PT_DISTRO_ARCH };

/* From os-release text: ID, then ID_LIKE. */
enum pt_distro pt_distro_from_os_release(const char *text);
/* "auto" gives PT_DISTRO_UNKNOWN; -1 for an unknown name. */
int pt_distro_from_name(const char *name, enum pt_distro *out);
const char *pt_distro_name(enum pt_distro d);

#endif
