#include "cmdline.h"

#include <string.h>

bool pt_cmdline_get(const char *cmdline, const char *key, char *value,
		    size_t len)
{
	size_t klen = strlen(key);
	const char *p = cmdline;
	bool found = false;

	while (*p) {
		const char *start, *end, *val = NULL;
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		start = p;
		/* A token ends at a blank outside double quotes. */
		for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++)
			if (*p == '"')
				quoted = !quoted;
		end = p;
		if ((size_t)(end - start) >= klen && strncmp(start, key, klen) == 0) {
			if (start + klen == end)
				val = end;
			else if (start[klen] == '=')
				val = start + klen + 1;
		}
		if (val && len > 0) {
			size_t n = 0;

			for (; val < end && n + 1 < len; val++)
				if (*val != '"')
					value[n++] = *val;
			value[n] = '\0';
			found = true;
		}
	}
	return found;
}

bool pt_cmdline_disabled(const char *cmdline)
{
	static const char *const off[] = { "off", "0", "no", "false" };
	char v[16];

	if (!pt_cmdline_get(cmdline, "passthrough", v, sizeof(v)))
		return false;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (strcmp(v, off[i]) == 0)
			return true;
	return false;
}
