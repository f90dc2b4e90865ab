/*
 * vfio-bar: open a PCI device through VFIO the way a VMM (QEMU) does and
 * touch its BAR 0, to prove that a VFIO user can really use it.
 *
 * Being bound to vfio-pci is not enough for that: the kernel reserves a
 * BAR for the VFIO user only when it is first read or mapped, and that
 * reservation fails when another driver still holds the range. The case
 * that matters is the boot display, whose framebuffer the firmware driver
 * (efifb, simplefb...) keeps even after the PCI device changed drivers;
 * the failure then shows only at the first BAR access, in dmesg as
 * "vfio-pci 0000:00:01.0: BAR 0: can't reserve [mem ...]". So this
 * program does exactly what QEMU does before starting a guest: container,
 * group, IOMMU, device fd, region info, then pread and mmap of BAR 0.
 *
 * With VFIO_BAR_DMA=BYTES it also maps that much anonymous memory for the
 * device's DMA (VFIO_IOMMU_MAP_DMA), as QEMU maps the guest's RAM: the
 * kernel pins it against RLIMIT_MEMLOCK (root's CAP_IPC_LOCK, which would
 * lift the limit, is dropped first, as a VMM not run by root lacks it),
 * and a failure is printed the way
 * QEMU 7.2 prints it (hw/vfio/common.c: "vfio_dma_map(...) = -12 (...)").
 *
 * Usage: vfio-bar [DOMAIN:BUS:DEV.FN]   (default 0000:00:01.0)
 * Prints one line, "VFIO-BAR0 ok size=N ..." or
 * "VFIO-BAR0 fail STEP: reason", and exits 0 or 1 accordingly.
 *
 * Static build for a busybox initramfs: gcc -std=c11 -static -O2 -Wall
 */
#define _GNU_SOURCE /* pread, readlink, O_CLOEXEC in glibc's strict C11 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/vfio.h>
#include <sys/syscall.h>

/* Prints the failure line for STEP and returns the exit status. */
static int fail(const char *step, const char *fmt, ...)
{
	va_list ap;

	printf("VFIO-BAR0 fail %s: ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return 1;
}

/*
 * The IOMMU group number of BDF: the last component of the
 * /sys/bus/pci/devices/BDF/iommu_group link. Returns -1 when the device
 * has no group (no IOMMU, or the device does not exist).
 */
static long iommu_group(const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;
	char *end;
	long group;

	if (snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf) >=
	    (int)sizeof(path))
		return -1;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	errno = 0;
	group = strtol(base, &end, 10);
	if (errno || end == base || *end || group < 0)
		return -1;
	return group;
}

int main(int argc, char **argv)
{
	const char *bdf = argc > 1 ? argv[1] : "0000:00:01.0";
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[64];
	int container, group_fd, device, iommu_type, api;
	long group;
	uint32_t word = 0;
	ssize_t n;

	/* Result lines must reach a serial console even if we die later. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [DOMAIN:BUS:DEV.FN]\n", argv[0]);
		return 2;
	}

	group = iommu_group(bdf);
	if (group < 0)
		return fail("group", "%s has no IOMMU group (IOMMU off, or no such device)", bdf);

	/* The container holds the IOMMU context the device will DMA through. */
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		return fail("container", "/dev/vfio/vfio: %s", strerror(errno));
	api = ioctl(container, VFIO_GET_API_VERSION);
	if (api != VFIO_API_VERSION)
		return fail("api", "VFIO API version %d, expected %d", api, VFIO_API_VERSION);

	/*
	 * The group is the unit of isolation: it is usable only when every
	 * device in it is bound to vfio-pci (or to no driver).
	 */
	snprintf(path, sizeof(path), "/dev/vfio/%ld", group);
	group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (group_fd < 0)
		return fail("group", "%s: %s", path, strerror(errno));
	if (ioctl(group_fd, VFIO_GROUP_GET_STATUS, &status) < 0)
		return fail("group-status", "%s", strerror(errno));
	/* the failures a VMM meets are said in QEMU 7.2's words
	 * (hw/vfio/common.c), which `passthrough doctor` recognises */
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return fail("group-status",
			    "vfio: error, group %ld is not viable, please ensure all devices "
			    "within the iommu_group are bound to their vfio bus driver.", group);

	if (ioctl(group_fd, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		return fail("set-container", "%s", strerror(errno));

	/*
	 * The IOMMU model can be chosen only once a group is in the
	 * container. Type1v2 is what QEMU prefers; plain Type1 is the
	 * fallback for kernels that lack v2.
	 */
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		iommu_type = VFIO_TYPE1v2_IOMMU;
	else if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
		iommu_type = VFIO_TYPE1_IOMMU;
	else /* vfio.ko only soft-depends on it: busybox modprobe skips it */
		return fail("set-iommu", "no Type1 IOMMU backend (is vfio_iommu_type1 loaded?)");
	if (ioctl(container, VFIO_SET_IOMMU, iommu_type) < 0)
		return fail("set-iommu", "vfio %s: failed to setup container for group %ld: "
			    "Failed to set iommu for container: %s", bdf, group, strerror(errno));

	if (getenv("VFIO_BAR_DMA")) {
		size_t bytes = strtoull(getenv("VFIO_BAR_DMA"), NULL, 0);
		void *ram = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uint64_t)(uintptr_t)ram, .iova = 0, .size = bytes,
		};

		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct caps[2];

		if (ram == MAP_FAILED)
			return fail("dma-map", "mmap of %zu bytes: %s", bytes, strerror(errno));
		if (syscall(SYS_capget, &hdr, caps) == 0) {
			caps[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
			caps[CAP_IPC_LOCK / 32].permitted &= ~(1u << (CAP_IPC_LOCK % 32));
			if (syscall(SYS_capset, &hdr, caps) < 0)
				return fail("dma-map", "dropping CAP_IPC_LOCK: %s", strerror(errno));
		}
		if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0)
			return fail("dma-map", "vfio_dma_map(%p, 0x0, 0x%zx, %p) = %d (%s)",
				    (void *)&container, bytes, ram, -errno, strerror(errno));
	}

	/* vfio-pci opens the device (and enables it) here. */
	device = ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0)
		return fail("device-fd", "%s: %s", bdf, strerror(errno));

	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0)
		return fail("region-info", "%s", strerror(errno));
	if (reg.size == 0)
		return fail("region-info", "BAR 0 is not implemented");
	if (!(reg.flags & VFIO_REGION_INFO_FLAG_READ))
		return fail("region-info", "BAR 0 is not readable (flags 0x%" PRIx32 ")",
			    reg.flags);

	/*
	 * The first access is what makes vfio-pci request the BAR's range
	 * (pci_request_selected_regions): if a framebuffer driver still owns
	 * it, this is where it fails, with EBUSY or EINVAL depending on the
	 * kernel, and "BAR 0: can't reserve" in dmesg.
	 */
	n = pread(device, &word, sizeof(word), (off_t)reg.offset);
	if (n < 0)
		return fail("pread", "%s", strerror(errno));
	if (n != (ssize_t)sizeof(word))
		return fail("pread", "short read of %zd bytes", n);

	/* A VMM maps the BAR straight into the guest when it can: try it too. */
	if (reg.flags & VFIO_REGION_INFO_FLAG_MMAP) {
		volatile uint32_t *bar;
		void *map = mmap(NULL, (size_t)reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 device, (off_t)reg.offset);

		if (map == MAP_FAILED)
			return fail("mmap", "%s", strerror(errno));
		bar = map;
		/* Touching the page is what faults the BAR in: do it. */
		uint32_t mapped = bar[0];

		munmap(map, (size_t)reg.size);
		printf("VFIO-BAR0 ok size=%" PRIu64 " group=%ld pread=0x%08" PRIx32
		       " mmap=0x%08" PRIx32 "\n",
		       (uint64_t)reg.size, group, word, mapped);
	} else {
		printf("VFIO-BAR0 ok size=%" PRIu64 " group=%ld pread=0x%08" PRIx32 " mmap=no\n",
		       (uint64_t)reg.size, group, word);
	}

	close(device);
	close(group_fd);
	close(container);
	return 0;
}
