# SPDX-License-Identifier: MIT
#
# make check: every test, each step recorded by tests/run.sh and counted by
# tests/summary.sh, which prints "check: N passed, N failed, N skipped" and
# fails the run if anything failed. Each step has XSK_TEST_TIMEOUT seconds
# (default 600; e.g. make check XSK_TEST_TIMEOUT=1200): one that hangs fails
# with its name and the run goes on.
#
#   tests/test_*.c   unit tests (cmocka, no privilege): syscalls are wrapped at
#                    link time (tests/fakesys.c) so that each can fail on demand
#   tests/stress_*.c two-thread stress tests (cmocka, header-only code):
#                    run as built, then under ThreadSanitizer with a
#                    smaller count ($(TSAN_COUNT))
#   tests/kern_*.c   real-kernel tests (cmocka, root): run by tests/netns.sh in
#                    private network namespaces with a veth pair; each
#                    linked with the harness, $(KERN_SUPPORT) (traffic.h)
#   tests/fuzz_*.c   libFuzzer targets (clang, ASan+UBSan): a bounded run with
#                    a fixed seed ($(FUZZ_ARGS)); skipped (exit 77) when
#                    $(FUZZ_CC) cannot build fuzz targets
#   tests/check-*.sh build checks: headers, install + pkg-config, ABI, README,
#                    the manual, the Debian packages, CMake and Meson
#                    consumers; check-examples.sh runs the examples over
#                    veth

comma := ,
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# Every libc entry point the library calls that a unit test may fail.
WRAP := socket close setsockopt getsockopt bind mmap munmap ioctl sendto \
	recvfrom poll if_nametoindex if_indextoname getrlimit \
	syscall fcntl sendmsg recvmsg open read ftruncate statfs chmod lchown \
	unlink uname
WRAP_LDFLAGS = $(foreach f,$(WRAP),-Wl$(comma)--wrap=$(f))

UNIT_TESTS := $(basename $(notdir $(wildcard tests/test_*.c)))
KERN_TESTS := $(basename $(notdir $(wildcard tests/kern_*.c)))
TEST_SUPPORT := $(wildcard tests/fake*.c)
KERN_SUPPORT := tests/kernutil.c tests/traffic.c
TEST_HDRS := $(wildcard tests/*.h)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# $(call test_variant,NAME,EXTRA_CFLAGS): library objects and test programs
# built with extra flags into $(OBJDIR)/NAME.
define test_variant
$(OBJDIR)/$(1)/lib/%.o: src/%.c $(HDRS)
	@mkdir -p $$(@D)
	$$(msg) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@

$(OBJDIR)/$(1)/test_%: tests/test_%.c $(TEST_SUPPORT) $(TEST_HDRS) $(SRCS:src/%.c=$(OBJDIR)/$(1)/lib/%.o)
	$$(msg) CCLD $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(CMOCKA_CFLAGS) -Itests -Isrc -o $$@ \
		$$< $(TEST_SUPPORT) $(SRCS:src/%.c=$(OBJDIR)/$(1)/lib/%.o) \
		$$(WRAP_LDFLAGS) $$(LDFLAGS) $$(CMOCKA_LIBS) -lpthread

$(OBJDIR)/$(1)/kern_%: tests/kern_%.c $(KERN_SUPPORT) $(TEST_HDRS) $(SRCS:src/%.c=$(OBJDIR)/$(1)/lib/%.o)
	$$(msg) CCLD $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(CMOCKA_CFLAGS) -Itests -Isrc -o $$@ \
		$$< $(KERN_SUPPORT) $(SRCS:src/%.c=$(OBJDIR)/$(1)/lib/%.o) \
		$$(LDFLAGS) $$(CMOCKA_LIBS) -lpthread
endef

$(eval $(call test_variant,test,))
$(eval $(call test_variant,san,$(SAN_FLAGS)))

# Stress tests exercise the inline data path only: no library objects.
STRESS_TESTS := $(basename $(notdir $(wildcard tests/stress_*.c)))
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
TSAN_COUNT := 5000000

$(OBJDIR)/test/stress_%: tests/stress_%.c $(HDRS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests -o $@ $< \
		$(LDFLAGS) $(CMOCKA_LIBS) -lpthread

$(OBJDIR)/tsan/stress_%: tests/stress_%.c $(HDRS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(TSAN_FLAGS) $(CMOCKA_CFLAGS) -Itests -o $@ \
		$< $(LDFLAGS) $(CMOCKA_LIBS) -lpthread

# Fuzz targets exercise the inline data path only, like the stress tests.
# Built on demand by tests/fuzz.sh (make fuzz builds them all), so that a
# machine without libFuzzer skips them instead of failing the build.
FUZZ_TESTS := $(basename $(notdir $(wildcard tests/fuzz_*.c)))
FUZZ_CC ?= clang
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_ARGS := -runs=200000 -seed=1 -max_total_time=60 -timeout=10

$(OBJDIR)/fuzz/fuzz_%: tests/fuzz_%.c $(HDRS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) -Itests -o $@ $<

# The BTF reader is not inline: its sources, and the blob builder, go in.
FUZZ_BTF_SRCS := tests/fuzz_btf.c tests/fakebtf.c src/btf.c src/error.c \
	src/sys.c
$(OBJDIR)/fuzz/fuzz_btf: $(FUZZ_BTF_SRCS) $(HDRS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) -Itests -Isrc -o $@ \
		$(FUZZ_BTF_SRCS)

STRESS_BINS := $(STRESS_TESTS:%=$(OBJDIR)/test/%)
TSAN_BINS := $(STRESS_TESTS:%=$(OBJDIR)/tsan/%)
UNIT_BINS := $(UNIT_TESTS:%=$(OBJDIR)/test/%)
SAN_BINS := $(UNIT_TESTS:%=$(OBJDIR)/san/%)
KERN_BINS := $(KERN_TESTS:%=$(OBJDIR)/san/%)
RUN := tests/run.sh $(OBJDIR)/check.log

.PHONY: check check-deps check-run tests fuzz
# keep the sanitizer and test objects between runs
.SECONDARY:
tests: $(UNIT_BINS) $(SAN_BINS) $(KERN_BINS) $(STRESS_BINS) $(TSAN_BINS)
fuzz: $(FUZZ_TESTS:%=$(OBJDIR)/fuzz/%)

# cmocka may be missing on a fresh machine: install it first, then read its
# flags in a fresh make.
check: check-deps
	@$(MAKE) --no-print-directory check-run

check-deps:
	@tests/need-deps.sh

check-run: all tests man
	@rm -f $(OBJDIR)/check.log
	@for t in $(UNIT_BINS); do $(RUN) unit:$$(basename $$t) $$t; done
	@for t in $(SAN_BINS); do $(RUN) asan+ubsan:$$(basename $$t) $$t; done
	@for t in $(STRESS_BINS); do $(RUN) stress:$$(basename $$t) $$t; done
	@for t in $(TSAN_BINS); do $(RUN) tsan:$$(basename $$t) $$t $(TSAN_COUNT); done
	@$(RUN) fuzz:multibuf tests/fuzz.sh run "$(FUZZ_CC)" \
		$(OBJDIR)/fuzz/fuzz_multibuf $(FUZZ_ARGS)
	@$(RUN) fuzz:btf tests/fuzz.sh run "$(FUZZ_CC)" \
		$(OBJDIR)/fuzz/fuzz_btf $(FUZZ_ARGS)
	@$(RUN) headers tests/check-headers.sh "$(CC)" $(PUBLIC_HDRS)
	@$(RUN) install+pkg-config tests/check-install.sh $(OBJDIR)
	@$(RUN) abi tests/check-abi.sh $(LIB_SO) $(MAP) $(PUBLIC_HDRS)
	@$(RUN) vendoring tests/check-vendor.sh "$(CC)"
	@$(RUN) readme tests/check-readme.sh $(LIB_A)
	@$(RUN) man tests/check-man.sh $(OBJDIR) "$(TOOLS)"
	@$(RUN) debian-packages tests/check-packages.sh
	@$(RUN) cmake+meson tests/check-buildsystems.sh $(OBJDIR)
	@for t in $(KERN_BINS); do $(RUN) kernel:$$(basename $$t) tests/netns.sh $$t; done
	@$(RUN) examples tests/netns.sh tests/check-examples.sh $(OBJDIR)/examples
	@tests/summary.sh $(OBJDIR)/check.log

# make check-kernels: the real-kernel suites and the examples check on
# Debian's 5.10, 6.1 and 6.12 cloud kernels booted under qemu (fetched once
# and cached in /var/cache/libxsk-kernels) and on the running kernel
# ("host"), as one table; see tests/kernels/matrix.sh. As root. SUITES are
# kern_* programs and "examples"; SUITE@K1,K2 runs SUITE only on those
# kernels (kern_lifecycle and kern_stream take minutes under emulation). A
# run that this machine can't do (not root, no mirror) is skipped, not
# failed.
KERNELS ?= 5.10 6.1 6.12 host
SUITES ?= $(KERN_TESTS) examples

.PHONY: check-kernels check-kernels-run
check-kernels: check-deps
	@$(MAKE) --no-print-directory check-kernels-run

check-kernels-run: $(KERN_BINS) examples
	@tests/kernels/matrix.sh $(OBJDIR) "$(KERNELS)" "$(SUITES)"; \
		rc=$$?; [ $$rc = 77 ] || exit $$rc
