/* SPDX-License-Identifier: MIT */
/*
 * What the ring benchmark's translation units share. Nothing here names a
 * ring struct: ring_bench.c sees libxsk's, ring_libxdp.c libxdp's, and
 * both sets of loops take the raw ring memory instead.
 */
#ifndef LIBXSK_BENCH_H
#define LIBXSK_BENCH_H

#include <stdint.h>

/* A ring in plain memory, as the kernel would lay it out. */
struct bench_mem {
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;
	void *ring;
	uint32_t size;
};

/* A stack of free frame addresses for the per-descriptor recycle loop. */
struct bench_stack {
	uint64_t *addrs;
	uint32_t top;
	uint64_t mask;
};

static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* The "kernel" between fill and completion: takes @b fill entries and
 * produces @b completions, by moving indices only. */
static inline void bench_kernel_turn(struct bench_mem *fq, struct bench_mem *cq,
				     uint32_t b)
{
	__atomic_store_n(fq->consumer,
			 __atomic_load_n(fq->consumer, __ATOMIC_RELAXED) + b,
			 __ATOMIC_RELEASE);
	__atomic_store_n(cq->producer,
			 __atomic_load_n(cq->producer, __ATOMIC_RELAXED) + b,
			 __ATOMIC_RELEASE);
}

/* libxsk's loops (ring_bench.c) and libxdp's (ring_libxdp.c). */
#define BENCH_DECLARE(p)                                                  \
	uint64_t p##st_u64(struct bench_mem *m, uint32_t b, uint64_t n);  \
	uint64_t p##st_desc(struct bench_mem *m, uint32_t b, uint64_t n); \
	uint64_t p##recycle_perdesc(struct bench_mem *fq,                 \
				    struct bench_mem *cq,                 \
				    struct bench_stack *st, uint32_t b,   \
				    uint64_t n);                          \
	void p##mt_prod(struct bench_mem *m, uint32_t b, uint64_t n);     \
	uint64_t p##mt_cons(struct bench_mem *m, uint32_t b, uint64_t n);

BENCH_DECLARE(bx_)
BENCH_DECLARE(bl_)

/* libxsk only: recycling with the allocator's bulk helpers. */
struct xsk_frames;
uint64_t bx_recycle_bulk(struct bench_mem *fq, struct bench_mem *cq,
			 struct xsk_frames *f, uint32_t b, uint64_t n);

/* ring_libxdp.c: non-zero if it was built over libxdp's header. */
extern const int bench_have_libxdp;

#endif /* LIBXSK_BENCH_H */
