# passthrough: bind PCI devices to vfio-pci at boot, safely.
#
#   make            build/passthrough-early and build/passthrough
#   make static     a binder with no shared library (LIBC=glibc or musl)
#   make check      unit tests, then boot tests on a real kernel under QEMU
#   make check-offline   the tests that need neither network nor QEMU
#   make demo       boot the test topology and show each device's driver
#   make bench      what it costs, against what admins use today
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make install    DESTDIR, PREFIX, SBINDIR, SYSCONFDIR as usual (uninstall)
#   make dist       build/passthrough-VERSION.tar.gz, what the packages build from

CC      ?= cc
AR      ?= ar
STRIP   ?= strip
PKG_CONFIG ?= pkg-config
BUILD   ?= build

PREFIX     ?= /usr
# Arch keeps every program in /usr/bin (/usr/sbin is a link to it there).
SBINDIR    ?= $(PREFIX)/$(if $(filter arch,$(DISTRO)),bin,sbin)
SYSCONFDIR ?= /etc
DESTDIR    ?=

# Warnings are errors in `make check` (and so in CI), not in a plain
# `make`: a newer compiler's new warning must not stop an admin's or a
# packager's build. WERROR=-Werror turns them into errors anywhere.
WERROR  ?=
WARNINGS = -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla
CFLAGS  ?= -O2 -g
# What the code needs whatever CFLAGS a packager passes (a CFLAGS on the
# command line replaces the variable, so these stay apart from it).
REQUIRED_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARNINGS)

KMOD_CFLAGS := $(shell $(PKG_CONFIG) --cflags libkmod 2>/dev/null)
KMOD_LIBS   := $(shell $(PKG_CONFIG) --libs libkmod 2>/dev/null || echo -lkmod)
# inih is linked statically: one shared library fewer in the initramfs.
INIH_CFLAGS := $(shell $(PKG_CONFIG) --cflags inih 2>/dev/null)
INIH_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir inih 2>/dev/null)
# Where the distribution ships no libinih.a (Fedora, Arch), the shared one:
# every initramfs generator copies a binary's libraries with it.
INIH_LIBS   := $(or $(wildcard $(INIH_LIBDIR)/libinih.a),$(shell $(PKG_CONFIG) --libs inih 2>/dev/null),-linih)

PCI_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libpci 2>/dev/null)
PCI_LIBS    := $(shell $(PKG_CONFIG) --libs libpci 2>/dev/null || echo -lpci)
BLKID_LIBS  := $(shell $(PKG_CONFIG) --libs blkid 2>/dev/null || echo -lblkid)
SMARTCOLS_CFLAGS := $(shell $(PKG_CONFIG) --cflags smartcols 2>/dev/null)
SMARTCOLS_LIBS   := $(shell $(PKG_CONFIG) --libs smartcols 2>/dev/null || echo -lsmartcols)
CRYPTSETUP_LIBS := $(shell $(PKG_CONFIG) --libs libcryptsetup 2>/dev/null || echo -lcryptsetup)

CPPFLAGS += $(KMOD_CFLAGS) $(INIH_CFLAGS) $(PCI_CFLAGS) $(SMARTCOLS_CFLAGS)
# src/core is what the binder links and sees only itself; the host tool's
# files (and the tests) see src/host too.
CORE_INC = -Isrc/core
HOST_INC = -Isrc/core -Isrc/host -Isrc/host/commands $(addprefix -I,$(HOST_DIRS)) -I$(BUILD)/gen

# The core shared by both programs: config, device model, selection,
# binding, module loading.
CORE_SRC = src/core/log.c src/core/pciid.c src/core/utf8.c src/core/config.c src/core/config-keys.c \
           src/core/sysfs.c src/core/device.c src/core/select.c src/core/bind.c src/core/sriov.c \
           src/core/cmdline.c src/core/modules.c src/core/drivers.c src/core/framebuffer.c \
           src/core/context.c src/core/take.c
CORE_OBJ = $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
CORE_LIBS = $(INIH_LIBS) $(KMOD_LIBS)

EARLY_OBJ = $(BUILD)/obj/early/early.o

# The host tool's own parts, in folders by what they are for: the machine
# model (machine/), storage (storage/), the judgement (judge/), the output
# forms (output/), apply and its files (apply/); the commands (commands/)
# and main.c on a session (session.c).
HOST_DIRS = src/host/machine src/host/storage src/host/judge src/host/output src/host/apply
HOST_SRC = $(wildcard $(addsuffix /*.c,$(HOST_DIRS))) src/host/session.c
HOST_OBJ = $(HOST_SRC:src/%.c=$(BUILD)/obj/%.o)
HOST_MAIN_OBJ = $(patsubst src/%.c,$(BUILD)/obj/%.o,src/host/main.c $(wildcard src/host/commands/*.c))
HOST_LIBS = $(PCI_LIBS) $(BLKID_LIBS) $(CRYPTSETUP_LIBS) $(SMARTCOLS_LIBS)

UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
TEST_SUPPORT = tests/unit/fakesys.c

.PHONY: dist install-hotplug all static check check-offline unit-check sanitize-build fuzz demo bench deps \
	install uninstall clean distclean \
	install-debian install-ubuntu install-fedora install-alpine install-arch
all: $(BUILD)/passthrough-early $(BUILD)/passthrough

$(BUILD)/obj/core/%.o $(BUILD)/obj/early/%.o: INC = $(CORE_INC)
$(BUILD)/obj/host/%.o: INC = $(HOST_INC)
$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h src/host/*/*.h) | $(BUILD)/gen/build-deps.ok
	@mkdir -p $(@D)
	$(CC) $(INC) $(CPPFLAGS) $(REQUIRED_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests:
	mkdir -p $@

# Before anything compiles: the libraries are there, or the package to
# install for this family (build-aux/build-deps) instead of a compiler error.
$(BUILD)/gen/build-deps.ok: build-aux/build-deps build-aux/check-build-deps.sh
	@PKG_CONFIG="$(PKG_CONFIG)" CC="$(CC)" build-aux/check-build-deps.sh $< $(DISTRO)
	@mkdir -p $(@D) && touch $@

# The reset-quirk table, from its data file: one C initializer a line.
$(BUILD)/gen/reset-quirks.inc: conf/reset-quirks.ids
	@mkdir -p $(@D)
	awk '!/^#/ && NF >= 2 { split($$1, id, ":"); $$1 = ""; sub(/^ /, ""); \
		printf "{ 0x%s, 0x%s, \"%s\" },\n", id[1], id[2], $$0 }' $< >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/host/machine/quirks.o: $(BUILD)/gen/reset-quirks.inc

# mkinitcpio's drop-in: the file the package ships is the text apply writes.
$(BUILD)/gen/mkinitcpio-dropin.inc: mkinitcpio/passthrough.conf
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $< >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/host/apply/initramfs-mkinitcpio.o: $(BUILD)/gen/mkinitcpio-dropin.inc

$(BUILD)/libpassthrough.a: $(CORE_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/passthrough-early: $(EARLY_OBJ) $(BUILD)/libpassthrough.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

$(BUILD)/libpassthrough-host.a: $(HOST_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/passthrough: $(HOST_MAIN_OBJ) $(BUILD)/libpassthrough-host.a \
		$(BUILD)/libpassthrough.a
	$(CC) $(LDFLAGS) -o $@ $^ $(HOST_LIBS) $(CORE_LIBS)

# test_check makes allocations fail on demand, through the linker.
TEST_LDFLAGS_test_check = -Wl,--wrap=realloc -Wl,--wrap=calloc
$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT) tests/unit/fakesys.h \
		$(BUILD)/libpassthrough-host.a $(BUILD)/libpassthrough.a | $(BUILD)/tests
	$(CC) $(HOST_INC) $(CPPFLAGS) -Itests/unit $(REQUIRED_CFLAGS) $(CFLAGS) $(LDFLAGS) $(TEST_LDFLAGS_$*) \
		-o $@ $< $(TEST_SUPPORT) \
		$(BUILD)/libpassthrough-host.a $(BUILD)/libpassthrough.a \
		$(HOST_LIBS) $(CORE_LIBS) -lcmocka

# A binder with no shared libraries at all, for initramfs generators that
# cannot copy libraries and for small images. `make static` links glibc;
# libkmod is compiled from Debian's kmod source (no distribution ships
# libkmod.a). `make static LIBC=musl` compiles everything the binder links
# with musl-gcc (musl-tools) from Debian's sources: libkmod, inih and the
# decompressors of zlib, xz and zstd (build-aux/static-deps.sh).
LIBC    ?= glibc
MUSL_CC ?= musl-gcc
ifeq ($(LIBC),musl)
static: $(BUILD)/passthrough-early-musl
else ifeq ($(LIBC),glibc)
static: $(BUILD)/passthrough-early-static
else
static:
	@echo "LIBC is glibc or musl, not '$(LIBC)'" >&2; exit 2
endif
$(BUILD)/static-glibc/lib/libkmod.a: build-aux/static-deps.sh build-aux/static-libkmod-config.h
	build-aux/static-deps.sh $(BUILD)/static-glibc glibc $(CC)

$(BUILD)/passthrough-early-static: $(EARLY_OBJ) $(BUILD)/libpassthrough.a $(BUILD)/static-glibc/lib/libkmod.a
	$(CC) $(LDFLAGS) -static -Wl,--gc-sections -o $@ $(EARLY_OBJ) $(BUILD)/libpassthrough.a \
		$(INIH_LIBS) $(BUILD)/static-glibc/lib/libkmod.a -llzma -lzstd
	$(STRIP) $@
	@echo "$@: $$(stat -c %s $@) bytes, static"

MUSL_DEPS = $(BUILD)/static-musl
MUSL_OBJ  = $(patsubst src/%.c,$(BUILD)/obj-musl/%.o,$(CORE_SRC) src/early/early.c)
$(MUSL_DEPS)/lib/libkmod.a: build-aux/static-deps.sh build-aux/static-libkmod-config.h
	build-aux/static-deps.sh $(MUSL_DEPS) musl $(MUSL_CC)
$(BUILD)/obj-musl/%.o: src/%.c $(wildcard src/*/*.h) $(MUSL_DEPS)/lib/libkmod.a
	@mkdir -p $(@D)
	$(MUSL_CC) $(CORE_INC) -I$(MUSL_DEPS)/include $(REQUIRED_CFLAGS) -Os \
		-ffunction-sections -fdata-sections -c -o $@ $<
$(BUILD)/passthrough-early-musl: $(MUSL_OBJ)
	$(MUSL_CC) $(LDFLAGS) -static -Wl,--gc-sections -o $@ $(MUSL_OBJ) -L$(MUSL_DEPS)/lib \
		-linih -lkmod -lzstd -llzma -lz
	$(STRIP) $@
	@echo "$@: $$(stat -c %s $@) bytes, static (musl)"

deps:
	@tests/deps.sh

# The release tarball: every file git tracks (or would: new files not
# ignored), under passthrough-VERSION/, with the version in its name.
VERSION := $(shell sed -n 's/^\#define PT_VERSION "\(.*\)"/\1/p' src/core/version.h)
DIST = passthrough-$(VERSION)
dist:
	@test -e .git || { echo "make dist: needs a git checkout (the tarball lists what git tracks)" >&2; exit 2; }
	@mkdir -p $(BUILD)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do { test -e "$$f" || test -L "$$f"; } && printf "%s\0" "$$f"; done' sh | \
		LC_ALL=C sort -z | tar --null -T - --transform 's,^,$(DIST)/,S' --owner=0 --group=0 \
		--mtime="$$(git log -1 --format=@%ct 2>/dev/null || echo @0)" -czf $(BUILD)/$(DIST).tar.gz.tmp
	mv $(BUILD)/$(DIST).tar.gz.tmp $(BUILD)/$(DIST).tar.gz
	@echo "$(BUILD)/$(DIST).tar.gz"

unit-check: all $(UNIT_TESTS)
check: deps
	@$(MAKE) --no-print-directory WERROR=-Werror unit-check static sanitize-build
	@$(MAKE) --no-print-directory WERROR=-Werror static LIBC=musl
	@tests/run-all.sh $(BUILD)

# For build chroots: units, the programs on fake roots and the goldens;
# no network, no QEMU, no kernel download.
check-offline:
	@$(MAKE) --no-print-directory unit-check
	@tests/run-all.sh $(BUILD) offline

# The same code with AddressSanitizer and UndefinedBehaviorSanitizer, in a
# separate build directory; make check runs the unit and CLI tests on it.
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
sanitize-build:
	@$(MAKE) --no-print-directory -s BUILD=$(BUILD)/asan CC=clang WERROR=-Werror \
		CFLAGS="-O1 -g $(SANITIZE)" LDFLAGS="$(SANITIZE)" all unit-check

demo: deps all
	@tests/boot/demo.sh $(BUILD)

# libFuzzer targets (clang), each run FUZZ_SECONDS from its seed corpus.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HOST_SRC = src/host/apply/distro.c src/host/apply/tokens.c src/host/apply/shellvars.c src/host/apply/applied.c \
                src/host/apply/kernelstub.c src/host/apply/blsentry.c
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(FUZZ_HOST_SRC) $(wildcard src/*/*.h src/host/*/*.h)
	@mkdir -p $(@D)
	clang $(HOST_INC) $(CPPFLAGS) $(REQUIRED_CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRC) $(FUZZ_HOST_SRC) \
		$(CORE_LIBS)

fuzz: deps $(FUZZ_TARGETS)
	@tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

# Timings against the tools admins use today; not part of check.
bench: deps all static
	@$(MAKE) --no-print-directory static LIBC=musl
	@tests/bench/run.sh $(BUILD)

# DISTRO picks the initramfs and bootloader glue: debian (initramfs-tools,
# GRUB), fedora (dracut, grubby) or alpine (mkinitfs, extlinux); by
# default the family of this machine's /etc/os-release.
DISTRO ?= $(shell . /etc/os-release 2>/dev/null; \
	for id in $$ID $$ID_LIKE; do case $$id in \
	(debian|ubuntu) echo debian; exit;; (fedora|rhel|centos) echo fedora; exit;; \
	(alpine) echo alpine; exit;; (arch) echo arch; exit;; esac; done; echo debian)
DATADIR ?= $(PREFIX)/share
DRACUTDIR ?= $(PREFIX)/lib/dracut
INITRAMFS_TOOLS_DIR ?= $(DATADIR)/initramfs-tools
INITCPIODIR ?= $(PREFIX)/lib/initcpio
MANDIR ?= $(DATADIR)/man
MANPAGES = man8/passthrough.8 man8/passthrough-early.8 man5/passthrough.conf.5
# bash-completion's on-demand loader looks here (and under XDG_DATA_DIRS).
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

# The config is installed only where none exists: an admin's is never
# overwritten. The shipped one selects nothing until edited.
# On Alpine, the musl static binder when it was built (make static
# LIBC=musl): mkinitfs then copies one file, without libkmod, libcrypto,
# liblzma and libzstd.
EARLY_BIN = $(or $(and $(filter alpine,$(DISTRO)),$(wildcard $(BUILD)/passthrough-early-musl)),$(BUILD)/passthrough-early)
install: all install-$(DISTRO)
	install -D -m 0755 $(EARLY_BIN) $(DESTDIR)$(SBINDIR)/passthrough-early
	install -D -m 0755 $(BUILD)/passthrough $(DESTDIR)$(SBINDIR)/passthrough
	for m in $(MANPAGES); do install -D -m 0644 man/$$(basename $$m) $(DESTDIR)$(MANDIR)/$$m; done
	install -D -m 0644 completions/passthrough $(DESTDIR)$(BASHCOMPDIR)/passthrough
	test -e $(DESTDIR)$(SYSCONFDIR)/passthrough.conf || \
		install -D -m 0644 conf/passthrough.conf $(DESTDIR)$(SYSCONFDIR)/passthrough.conf

# Devices added after boot (udev): the rule, and the opt-in service that
# makes every new device wait for it.
install-hotplug:
	install -D -m 0644 hooks/90-passthrough.rules $(DESTDIR)$(UDEVRULESDIR)/90-passthrough.rules
	install -D -m 0644 hooks/passthrough-hotplug.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/passthrough-hotplug.service

install-debian install-ubuntu: install-hotplug
	install -D -m 0755 hooks/passthrough.hook $(DESTDIR)$(INITRAMFS_TOOLS_DIR)/hooks/passthrough
	install -D -m 0755 hooks/passthrough.init-top \
		$(DESTDIR)$(INITRAMFS_TOOLS_DIR)/scripts/init-top/passthrough
	install -D -m 0644 grub/passthrough.cfg $(DESTDIR)$(SYSCONFDIR)/default/grub.d/passthrough.cfg

install-fedora: install-hotplug
	install -D -m 0755 dracut/90passthrough/module-setup.sh \
		$(DESTDIR)$(DRACUTDIR)/modules.d/90passthrough/module-setup.sh
	install -D -m 0755 dracut/90passthrough/passthrough-pre-udev.sh \
		$(DESTDIR)$(DRACUTDIR)/modules.d/90passthrough/passthrough-pre-udev.sh
	install -D -m 0644 dracut/90-passthrough.conf \
		$(DESTDIR)$(DRACUTDIR)/dracut.conf.d/90-passthrough.conf

install-alpine:
	install -D -m 0644 mkinitfs/passthrough.modules \
		$(DESTDIR)$(SYSCONFDIR)/mkinitfs/features.d/passthrough.modules
	install -D -m 0644 mkinitfs/passthrough.files \
		$(DESTDIR)$(SYSCONFDIR)/mkinitfs/features.d/passthrough.files
	install -D -m 0755 mkinitfs/passthrough-init $(DESTDIR)$(DATADIR)/passthrough/mkinitfs-init

install-arch:
	install -D -m 0644 mkinitcpio/install/passthrough $(DESTDIR)$(INITCPIODIR)/install/passthrough
	install -D -m 0644 mkinitcpio/hooks/passthrough $(DESTDIR)$(INITCPIODIR)/hooks/passthrough
	install -D -m 0644 mkinitcpio/passthrough-early.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/passthrough-early.service
	install -D -m 0644 hooks/90-passthrough.rules $(DESTDIR)$(UDEVRULESDIR)/90-passthrough.rules
	install -D -m 0644 hooks/passthrough-hotplug.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/passthrough-hotplug.service

# The admin's /etc/passthrough.conf stays. While apply's state says the
# boot was changed (var/lib/passthrough/applied, or rebuild-pending: an
# apply or undo that did not finish), uninstall refuses: the
# boot loader's arguments, Alpine's init= and the initramfs would point at
# hooks and a binder it removes, and the next kernel upgrade would build an
# image without them. It does not run the undo itself: that rebuilds every
# initramfs and the boot loader's config, which the admin should see
# happen (and DESTDIR may be another system's root).
APPLIED_STATE = $(DESTDIR)/var/lib/passthrough
uninstall:
	@if test -e $(APPLIED_STATE)/applied || test -e $(APPLIED_STATE)/rebuild-pending; then \
		echo "make uninstall: passthrough is applied to this system's boot ($(APPLIED_STATE))." >&2; \
		echo "  Run \`passthrough$(if $(DESTDIR), --root $(DESTDIR)) apply --undo\` first, then make uninstall again." >&2; \
		exit 1; fi
	rm -f $(DESTDIR)$(SBINDIR)/passthrough-early $(DESTDIR)$(SBINDIR)/passthrough \
		$(DESTDIR)$(INITRAMFS_TOOLS_DIR)/hooks/passthrough \
		$(DESTDIR)$(INITRAMFS_TOOLS_DIR)/scripts/init-top/passthrough \
		$(DESTDIR)$(SYSCONFDIR)/default/grub.d/passthrough.cfg \
		$(DESTDIR)$(DRACUTDIR)/dracut.conf.d/90-passthrough.conf \
		$(DESTDIR)$(SYSCONFDIR)/mkinitfs/features.d/passthrough.modules \
		$(DESTDIR)$(SYSCONFDIR)/mkinitfs/features.d/passthrough.files \
		$(DESTDIR)$(DATADIR)/passthrough/mkinitfs-init \
		$(DESTDIR)$(INITCPIODIR)/install/passthrough $(DESTDIR)$(INITCPIODIR)/hooks/passthrough \
		$(DESTDIR)$(SYSTEMDUNITDIR)/passthrough-early.service \
		$(DESTDIR)$(UDEVRULESDIR)/90-passthrough.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/passthrough-hotplug.service \
		$(addprefix $(DESTDIR)$(MANDIR)/,$(MANPAGES)) $(DESTDIR)$(BASHCOMPDIR)/passthrough
	rm -rf $(DESTDIR)$(DRACUTDIR)/modules.d/90passthrough
	-rmdir $(DESTDIR)$(DATADIR)/passthrough 2>/dev/null

clean:
	rm -rf $(BUILD)/obj $(BUILD)/tests $(BUILD)/boot $(BUILD)/*.a $(BUILD)/clang $(BUILD)/asan \
		$(BUILD)/test-logs $(BUILD)/passthrough-early $(BUILD)/passthrough \
		$(BUILD)/passthrough-early-static

# Also drops the downloaded kernel and kmod source.
distclean:
	rm -rf $(BUILD)
