/* Devices with known reset problems, from conf/reset-quirks.ids (turned
 * into a table at build time, so nothing is read at run time). */
#ifndef PT_QUIRKS_H
#define PT_QUIRKS_H

#include <stdint.h>

struct pt_reset_quirk {
	uint16_t vendor, device;
	const char *family; /* "AMD Polaris 10" */
};

/* The quirk of a device, or NULL. */
const struct pt_reset_quirk *pt_reset_quirk_for(uint16_t vendor, uint16_t device);

#endif
