#include "distro.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const distro_names[] = { "unknown", "debian", "fedora", "alpine", "arch" };

const char *pt_distro_name(enum pt_distro d)
{
	return distro_names[d];
}

static enum pt_distro family_of(const char *id)
{
	if (!strcmp(id, "debian") || !strcmp(id, "ubuntu"))
		return PT_DISTRO_DEBIAN;
	if (!strcmp(id, "fedora") || !strcmp(id, "rhel") || !strcmp(id, "centos"))
		return PT_DISTRO_FEDORA;
	if (!strcmp(id, "alpine"))
		return PT_DISTRO_ALPINE;
	/* Manjaro and EndeavourOS say ID_LIKE=arch */
	if (!strcmp(id, "arch"))
		return PT_DISTRO_ARCH;
	return PT_DISTRO_UNKNOWN;
}

int pt_distro_from_name(const char *name, enum pt_distro *out)
{
	if (!strcmp(name, "auto")) {
		*out = PT_DISTRO_UNKNOWN;
		return 0;
	}
	*out = family_of(name);
	return *out == PT_DISTRO_UNKNOWN ? -1 : 0;
}

/* The value of KEY= in os-release, quotes removed. */
static void os_release_value(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	buf[0] = '\0';
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		line += klen + 1;
		size_t n = strcspn(line, "\n");

		if (n && (*line == '"' || *line == '\'')) {
			line++;
			n = n >= 2 ? n - 2 : 0;
		}
		snprintf(buf, len, "%.*s", (int)n, line);
		return;
	}
}

enum pt_distro pt_distro_from_os_release(const char *text)
{
	char id[64], like[256], *tok, *save = NULL;
	enum pt_distro d;

	os_release_value(text, "ID", id, sizeof(id));
	if ((d = family_of(id)) != PT_DISTRO_UNKNOWN)
		return d;
	os_release_value(text, "ID_LIKE", like, sizeof(like));
	for (tok = strtok_r(like, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if ((d = family_of(tok)) != PT_DISTRO_UNKNOWN)
			return d;
	return PT_DISTRO_UNKNOWN;
}
