# SPDX-License-Identifier: MIT
#
# Benchmarks: they print figures and assert nothing.
#
#   make bench                  (root) packet rate, cost per packet and
#                               round-trip time of the examples over veth,
#                               beside libxdp's, each engine interleaved
#                               with the others and with itself (the noise
#                               floor); then the ring benchmark
#                               (bench/packet.sh)
#   make bench-ring             build and run bench/ring_bench.c
#   make bench-ring-callgrind   instructions per descriptor (valgrind)
#
# libxdp is compared when its development files are installed (Debian:
# apt-get install libxdp-dev libbpf-dev); libxsk itself never needs it.
# BENCH_SECONDS and BENCH_RUNS set each packet run's length and count,
# BENCH_SCENARIOS which scenarios run (see bench/packet.sh).

BENCH_RING := $(OBJDIR)/bench/ring_bench
BENCH_RING_SRCS := bench/ring_bench.c bench/ring_libxdp.c
BENCH_GEN := $(OBJDIR)/bench/livegen
BENCH_SHIM := $(OBJDIR)/bench/syscount.so
BENCH_XDP := $(OBJDIR)/bench/xdp_engine
BENCH_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS)

# Both halves of the test: pkg-config knows libxdp and its header is there.
have_libxdp = pkg-config --exists libxdp 2>/dev/null && \
	printf '\043include <xdp/xsk.h>\n' | $(CC) -E -x c - >/dev/null 2>&1

.PHONY: bench bench-ring bench-ring-callgrind bench-tools

$(BENCH_RING): $(BENCH_RING_SRCS) $(wildcard bench/*.h) $(HDRS) $(LIB_A)
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(ALL_CFLAGS) -Ibench -o $@ $(BENCH_RING_SRCS) $(LIB_A) \
		$(LDFLAGS) -lpthread

$(BENCH_GEN): bench/livegen.c
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDFLAGS)

$(BENCH_SHIM): bench/syscount.c
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(BENCH_CFLAGS) -fPIC -shared -o $@ $< $(LDFLAGS) -ldl

# Only ever built on request, by bench-tools when libxdp is there.
$(BENCH_XDP): bench/xdp_engine.c examples/hist.h
	@mkdir -p $(@D)
	$(msg) CCLD $@
	$(Q)$(CC) $(BENCH_CFLAGS) -Iexamples $$(pkg-config --cflags libxdp) -o $@ $< \
		$(LDFLAGS) $$(pkg-config --libs libxdp) -lpthread

bench-tools: examples $(BENCH_GEN) $(BENCH_SHIM) $(BENCH_RING)
	@if $(have_libxdp); then \
		$(MAKE) --no-print-directory $(BENCH_XDP); \
	else \
		rm -f $(BENCH_XDP); \
	fi

bench: bench-tools
	@bench/packet.sh $(OBJDIR)
	@echo
	$(BENCH_RING)
	@echo
	@if command -v valgrind >/dev/null; then \
		bench/callgrind.sh $(BENCH_RING); \
	else \
		echo "bench: valgrind is not installed: no instruction counts (apt-get install valgrind)"; \
	fi

bench-ring: $(BENCH_RING)
	$(BENCH_RING)

bench-ring-callgrind: $(BENCH_RING)
	bench/callgrind.sh $(BENCH_RING)
