// SPDX-License-Identifier: MIT
/*
 * The benchmark loops of ring_loops.h over libxdp's inline ring helpers,
 * for comparison. Built only where libxdp's headers are installed
 * (Debian: apt-get install libxdp-dev); otherwise the loops are absent and
 * the benchmark says it skipped them. Nothing is linked from libxdp: its
 * ring helpers are inline.
 */
#if defined(__has_include)
#if __has_include(<xdp/xsk.h>) && __has_include(<bpf/libbpf.h>)
#define HAVE_LIBXDP 1
#endif
#endif

#ifdef HAVE_LIBXDP
#include <xdp/xsk.h>

#define LOOP(name) bl_##name
#include "ring_loops.h"

const int bench_have_libxdp = 1;
#else
#include <stdlib.h>

#include "bench.h"

const int bench_have_libxdp = 0;

uint64_t bl_st_u64(struct bench_mem *m, uint32_t b, uint64_t n)
{
	(void)m, (void)b, (void)n;
	abort();
}

uint64_t bl_st_desc(struct bench_mem *m, uint32_t b, uint64_t n)
{
	(void)m, (void)b, (void)n;
	abort();
}

uint64_t bl_recycle_perdesc(struct bench_mem *fq, struct bench_mem *cq,
			    struct bench_stack *st, uint32_t b, uint64_t n)
{
	(void)fq, (void)cq, (void)st, (void)b, (void)n;
	abort();
}

void bl_mt_prod(struct bench_mem *m, uint32_t b, uint64_t n)
{
	(void)m, (void)b, (void)n;
	abort();
}

uint64_t bl_mt_cons(struct bench_mem *m, uint32_t b, uint64_t n)
{
	(void)m, (void)b, (void)n;
	abort();
}
#endif
