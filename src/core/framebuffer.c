#include "framebuffer.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

/* The platform drivers of firmware framebuffers (simpledrm's is also
 * named simple-framebuffer). */
static const char *const drivers[] = { "efi-framebuffer", "simple-framebuffer",
				       "vesa-framebuffer" };

static int release_bound(const char *sysfs, const char *driver, const struct pt_log *log)
{
	char dir[PATH_MAX], unbind[PATH_MAX];
	struct dirent *de;
	int released = 0, r;
	DIR *d;

	if (pt_path(dir, sizeof(dir), sysfs, "bus/platform/drivers/%s", driver) ||
	    !(d = opendir(dir)))
		return 0; /* not in this kernel, or not loaded */
	while ((de = readdir(d))) {
		/* the devices it drives: efi-framebuffer.0, simple-framebuffer.0 */
		if (strncmp(de->d_name, driver, strlen(driver)) || de->d_name[strlen(driver)] != '.')
			continue;
		if ((r = pt_path(unbind, sizeof(unbind), sysfs, "bus/platform/drivers/%s/unbind",
				 driver)) == 0)
			r = pt_write_attr(unbind, de->d_name);
		if (r) {
			pt_log(log, PT_ERR, "cannot release the firmware framebuffer %s: %s",
			       de->d_name, strerror(-r));
			closedir(d);
			return r;
		}
		pt_log(log, PT_NOTICE, "released the firmware framebuffer %s, so a VM can use "
		       "the boot display's memory", de->d_name);
		released++;
	}
	closedir(d);
	return released;
}

int pt_release_firmware_framebuffers(const char *sysfs, const struct pt_log *log)
{
	int total = 0;

	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		int r = release_bound(sysfs, drivers[i], log);

		if (r < 0)
			return r;
		total += r;
	}
	return total;
}
