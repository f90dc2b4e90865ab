#include "framebuffer.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A process with /dev/fbN open, by its /proc/PID/fd links; 0 if none. */
static long framebuffer_holder(const char *root, char *dev, size_t len)
{
	char dir[PATH_MAX], fds[PATH_MAX], link[PATH_MAX], target[64];
	struct dirent *p, *f;
	long pid = 0;
	DIR *proc, *fd;

	if (pt_path(dir, sizeof(dir), root, "proc") || !(proc = opendir(dir)))
		return 0;
	while (!pid && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' ||
		    pt_path(fds, sizeof(fds), dir, "%s/fd", p->d_name) || !(fd = opendir(fds)))
			continue;
		while (!pid && (f = readdir(fd))) {
			ssize_t n;

			if (f->d_name[0] == '.' ||
			    pt_path(link, sizeof(link), fds, "%s", f->d_name) ||
			    (n = readlink(link, target, sizeof(target) - 1)) < 0)
				continue;
			target[n] = '\0';
			if (!strncmp(target, "/dev/fb", 7) && target[7] >= '0' && target[7] <= '9') {
				snprintf(dev, len, "%s", target);
				pid = strtol(p->d_name, NULL, 10);
			}
		}
		closedir(fd);
	}
	closedir(proc);
	return pid;
}

int pt_release_firmware_framebuffers(const struct pt_context *ctx)
{
	const struct pt_log *log = ctx->log;
	char dev[64];
	long holder = framebuffer_holder(ctx->root, dev, sizeof(dev));
	int total = 0;

	if (holder) {
		pt_log(log, PT_ERR, "process %ld holds %s open: the firmware framebuffer "
		       "cannot be released now (kernels before 6.1 would crash when it "
		       "closes it); close it, or put video=efifb:off on the kernel "
		       "command line", holder, dev);
		return -EBUSY;
	}

	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		int r = release_bound(ctx->sysfs, drivers[i], log);

		if (r < 0)
			return r;
		total += r;
	}
	return total;
}
