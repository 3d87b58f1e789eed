# SPDX-License-Identifier: MIT
#
# Benchmarks: they print figures and assert nothing.
#
#   make bench-ring             build and run bench/ring_bench.c
#   make bench-ring-callgrind   instructions per descriptor (valgrind)
#
# libxdp's ring helpers are compared when <xdp/xsk.h> is installed
# (apt-get install libxdp-dev); libxsk itself never needs it.

BENCH_RING := $(OBJDIR)/bench/ring_bench
BENCH_RING_SRCS := bench/ring_bench.c bench/ring_libxdp.c

.PHONY: bench-ring bench-ring-callgrind

$(BENCH_RING): $(BENCH_RING_SRCS) $(wildcard bench/*.h) $(HDRS) $(LIB_A)
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(ALL_CFLAGS) -Ibench -o $@ $(BENCH_RING_SRCS) $(LIB_A) \
		$(LDFLAGS) -lpthread

bench-ring: $(BENCH_RING)
	$(BENCH_RING)

bench-ring-callgrind: $(BENCH_RING)
	bench/callgrind.sh $(BENCH_RING)
