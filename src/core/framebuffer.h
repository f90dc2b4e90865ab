/* The firmware's framebuffer on the boot display (efifb, simplefb or
 * simpledrm, vesafb): a platform device whose driver holds a range inside
 * the display's BAR. vfio-pci takes it over by itself from 6.1 on; before
 * (Debian 11's 5.10, Ubuntu 22.04's 5.15, RHEL 9) the first access to the
 * BAR through VFIO fails with "BAR 0: can't reserve" while it is held. */
#ifndef PT_FRAMEBUFFER_H
#define PT_FRAMEBUFFER_H

#include "compiler.h"
#include "context.h"

/* Unbinds every firmware framebuffer driver from its platform device, so
 * the range is free (unregistering the framebuffer also hands the console
 * over). Refused (-EBUSY) while a process holds a /dev/fb* open (ROOT/proc
 * says): the range would stay held, and 5.10's efifb crashes when that
 * process closes it later. Returns how many were released, or -errno
 * (logged). */
PT_MUST_CHECK int pt_release_firmware_framebuffers(const struct pt_context *ctx);

#endif
