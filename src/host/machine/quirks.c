#include "quirks.h"

#include <stddef.h>

static const struct pt_reset_quirk quirks[] = {
#include "reset-quirks.inc"
};

const struct pt_reset_quirk *pt_reset_quirk_for(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++)
		if (quirks[i].vendor == vendor && quirks[i].device == device)
			return &quirks[i];
	return NULL;
}
