# SPDX-License-Identifier: MIT
#
# libxsk: a plain Makefile. No configure step, no generated headers.
#
#   make                  libxsk.a, libxsk.so and libxsk.pc in $(OBJDIR)
#   make install          into $(DESTDIR)$(PREFIX) (uninstall undoes it):
#                         the libraries, headers, libxsk.pc, the manual and
#                         the tools (xsk-rx, xsk-tx, xsk-fwd, xsk-probe, ...)
#   make examples         the rx, tx and fwd example programs, and probe
#   make man              a manual page per function in $(OBJDIR)/man
#   make demo             see them run: tx into rx over veth (root)
#   make check            every test (installs what they need if it can)
#   make check-kernels    the real-kernel tests on Debian's kernels under qemu
#   make bench            packet rate and cost per packet, beside libxdp (root)
#   make format           clang-format the tree
#
# Variables: CC CFLAGS LDFLAGS PREFIX BINDIR LIBDIR INCLUDEDIR MANDIR DESTDIR
#            OBJDIR BUILD_STATIC_ONLY=1  V=1

# The version is written once, in include/xsk.h.
version_field = $(shell sed -n 's/^\#define LIBXSK_VERSION_$(1) *\([0-9]*\)$$/\1/p' include/xsk.h)
VERSION_MAJOR := $(call version_field,MAJOR)
VERSION_MINOR := $(call version_field,MINOR)
VERSION_PATCH := $(call version_field,PATCH)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

# The linker version script's newest node must be this version's.
MAP := src/libxsk.map
MAP_NODE := $(shell sed -n 's/^\(LIBXSK_[0-9.]*\) *{.*/\1/p' $(MAP) | tail -n 1)
ifneq ($(MAP_NODE),LIBXSK_$(VERSION_MAJOR).$(VERSION_MINOR))
$(error $(MAP): newest node is '$(MAP_NODE)', but include/xsk.h says version $(VERSION): add a LIBXSK_$(VERSION_MAJOR).$(VERSION_MINOR) node)
endif

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
OBJDIR ?= build

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2
ALL_CFLAGS := -std=gnu11 $(WARNINGS) -Iinclude -fvisibility=hidden $(CFLAGS)

ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg := @printf '  %-7s %s\n'
endif

SRCS := $(sort $(wildcard src/*.c))
HDRS := $(wildcard include/*.h include/xsk/*.h src/*.h)
PUBLIC_HDRS := include/xsk.h $(wildcard include/xsk/*.h)
STATIC_OBJS := $(SRCS:src/%.c=$(OBJDIR)/static/%.o)
SHARED_OBJS := $(SRCS:src/%.c=$(OBJDIR)/shared/%.o)

LIB_A := $(OBJDIR)/libxsk.a
SONAME := libxsk.so.$(VERSION_MAJOR)
LIB_SO := $(OBJDIR)/libxsk.so.$(VERSION)
PC := $(OBJDIR)/libxsk.pc

LIBS := $(LIB_A) $(PC)
ifneq ($(BUILD_STATIC_ONLY),1)
LIBS += $(LIB_SO) $(OBJDIR)/$(SONAME) $(OBJDIR)/libxsk.so
endif

.PHONY: all install uninstall check clean format format-check man
all: $(LIBS)

$(OBJDIR)/static/%.o: src/%.c $(HDRS) | $(OBJDIR)/static
	$(msg) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OBJDIR)/shared/%.o: src/%.c $(HDRS) | $(OBJDIR)/shared
	$(msg) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(LIB_A): $(STATIC_OBJS)
	$(msg) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIB_SO): $(SHARED_OBJS) $(MAP)
	$(msg) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) -shared -fPIC -Wl,-soname,$(SONAME) \
		-Wl,--version-script=$(MAP) -Wl,-z,defs \
		-o $@ $(SHARED_OBJS) $(LDFLAGS)

$(OBJDIR)/$(SONAME): $(LIB_SO)
	$(Q)ln -sf $(notdir $<) $@
$(OBJDIR)/libxsk.so: $(OBJDIR)/$(SONAME)
	$(Q)ln -sf $(notdir $<) $@

# libxsk.pc with this make's directories. make install writes it again
# rather than copying $(PC), which holds the directories of the build: a
# plain make followed by make install PREFIX=/usr must install a .pc that
# says /usr.
gen_pc = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	libxsk.pc.in

$(PC): libxsk.pc.in include/xsk.h Makefile | $(OBJDIR)
	$(msg) GEN $@
	$(Q)$(gen_pc) > $@

$(OBJDIR) $(OBJDIR)/static $(OBJDIR)/shared:
	$(Q)mkdir -p $@

# The manual: a page per function and struct, made from the headers'
# kernel-doc comments (man/gen-man.sh), beside the hand-written overview
# libxsk(3) and the tools' pages.
MAN_OUT := $(OBJDIR)/man
MAN_LIST := $(MAN_OUT)/pages.list
MAN3_HAND := man/libxsk.3
MAN1 = $(TOOLS:%=man/xsk-%.1)
man: $(MAN_LIST)
$(MAN_LIST): man/gen-man.sh $(PUBLIC_HDRS)
	$(msg) GEN $(MAN_OUT)/man3
	$(Q)sh man/gen-man.sh $(MAN_OUT) $(VERSION) $(PUBLIC_HDRS)

install: all man examples
	install -d $(DESTDIR)$(INCLUDEDIR)/xsk $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man1
	install -m 644 include/xsk.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(wildcard include/xsk/*.h) $(DESTDIR)$(INCLUDEDIR)/xsk/
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(gen_pc) > $(DESTDIR)$(PKGCONFIGDIR)/libxsk.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libxsk.pc
	install -m 644 $(MAN3_HAND) $(MAN_OUT)/man3/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	for t in $(TOOLS); do \
		install -m 755 $(OBJDIR)/examples/$$t $(DESTDIR)$(BINDIR)/xsk-$$t \
			|| exit 1; \
	done
ifneq ($(BUILD_STATIC_ONLY),1)
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libxsk.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libxsk.so
endif

uninstall: man
	rm -f $(DESTDIR)$(INCLUDEDIR)/xsk.h $(DESTDIR)$(LIBDIR)/libxsk.a \
		$(DESTDIR)$(LIBDIR)/libxsk.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libxsk.so.$(VERSION) \
		$(DESTDIR)$(PKGCONFIGDIR)/libxsk.pc \
		$(MAN3_HAND:man/%=$(DESTDIR)$(MANDIR)/man3/%) \
		$(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(TOOLS:%=$(DESTDIR)$(BINDIR)/xsk-%)
	rm -f $(patsubst include/%,$(DESTDIR)$(INCLUDEDIR)/%,$(wildcard include/xsk/*.h))
	for p in $(MAN_OUT)/man3/*.3; do \
		rm -f $(DESTDIR)$(MANDIR)/man3/$${p##*/}; \
	done
	-rmdir $(DESTDIR)$(INCLUDEDIR)/xsk 2>/dev/null

clean:
	rm -rf $(OBJDIR)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

include examples/examples.mk
include tests/tests.mk
include bench/bench.mk
