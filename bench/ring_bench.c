// SPDX-License-Identifier: MIT
/*
 * Ring micro-benchmark: prints, never asserts.
 *
 *   make bench-ring              build and run (timings)
 *   make bench-ring-callgrind    instructions per descriptor (valgrind)
 *   build/bench/ring_bench [--count BATCH]
 *
 * For batches of 1, 16, 64 and 256 descriptors:
 *  - single thread, produce then consume, u64 entries (fill/completion
 *    shape) and struct xdp_desc entries (TX/RX shape);
 *  - frame recycling: fill ring from a free-frame stack and completions
 *    back to it, with libxsk's bulk allocator helpers and with a
 *    per-descriptor loop over the ring helpers;
 *  - two threads pinned to different cores, the consumer checking the
 *    sequence, beside a measured cache-line hand-off time between the
 *    same cores.
 * Each case runs over libxsk's helpers and, when libxdp's headers were
 * found at build time, over libxdp's, with the ratio of the two.
 *
 * --count BATCH runs each single-thread loop once over a fixed number of
 * descriptors at that batch size, for bench/callgrind.sh to count
 * instructions per loop function under callgrind.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xsk.h>
#include <xsk/frames.h>

#define LOOP(name) bx_##name
#include "ring_loops.h"

#define RING_SIZE 2048u
#define NFRAMES 4096u
#define FRAME_SIZE 4096u

static const uint32_t batches[] = { 1, 16, 64, 256 };

/* libxsk's bulk recycling: the same work as recycle_perdesc. */
__attribute__((noinline)) uint64_t bx_recycle_bulk(struct bench_mem *fq,
						   struct bench_mem *cq,
						   struct xsk_frames *f,
						   uint32_t b, uint64_t n)
{
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;

	bx_wire(fq, &fill, NULL);
	bx_wire_cons(cq, &comp);
	for (uint64_t done = 0; done < n; done += b) {
		if (xsk_frames_fill(f, &fill, b) != b)
			abort();
		bench_kernel_turn(fq, cq, b);
		xsk_frames_complete(f, &comp, b);
	}
	return xsk_frames_nfree(f);
}

/* ---------------------------------------------------------- set-up */

struct ring_store {
	struct bench_mem m;
	char *mem;
};

/* A ring with its indices and flags on separate cache lines. */
static void ring_new(struct ring_store *r, size_t entry)
{
	size_t len = 256 + RING_SIZE * entry;

	r->mem = (char *)aligned_alloc(64, len);
	if (!r->mem)
		abort();
	memset(r->mem, 0, len);
	r->m.producer = (uint32_t *)(void *)r->mem;
	r->m.consumer = (uint32_t *)(void *)(r->mem + 64);
	r->m.flags = (uint32_t *)(void *)(r->mem + 128);
	r->m.ring = r->mem + 256;
	r->m.size = RING_SIZE;
}

static void ring_reset(struct ring_store *r)
{
	*r->m.producer = 0;
	*r->m.consumer = 0;
}

/* Completion entries that the "kernel" hands back: frame bases plus an
 * offset, so that masking has work to do. */
static void comp_prepare(struct ring_store *r)
{
	uint64_t *a = (uint64_t *)r->m.ring;

	for (uint32_t i = 0; i < RING_SIZE; i++)
		a[i] = (uint64_t)(i % NFRAMES) * FRAME_SIZE + 256;
}

static void stack_reset(struct bench_stack *st)
{
	for (uint32_t i = 0; i < NFRAMES; i++)
		st->addrs[i] = (uint64_t)i * FRAME_SIZE;
	st->top = NFRAMES;
	st->mask = ~(uint64_t)(FRAME_SIZE - 1);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ------------------------------------------------- single thread runs */

enum kind { ST_U64, ST_DESC, RECYCLE_PERDESC, RECYCLE_BULK };

struct env {
	struct ring_store u64, desc, fq, cq;
	struct bench_stack st;
	struct xsk_frames frames;
	volatile uint64_t sink;
};

/* One run of a loop; @xdp selects libxdp's helpers. */
static void run_once(struct env *e, enum kind k, int xdp, uint32_t b,
		     uint64_t n)
{
	switch (k) {
	case ST_U64:
		ring_reset(&e->u64);
		e->sink = xdp ? bl_st_u64(&e->u64.m, b, n) :
				bx_st_u64(&e->u64.m, b, n);
		break;
	case ST_DESC:
		ring_reset(&e->desc);
		e->sink = xdp ? bl_st_desc(&e->desc.m, b, n) :
				bx_st_desc(&e->desc.m, b, n);
		break;
	case RECYCLE_PERDESC:
		ring_reset(&e->fq);
		ring_reset(&e->cq);
		stack_reset(&e->st);
		e->sink = xdp ? bl_recycle_perdesc(&e->fq.m, &e->cq.m, &e->st,
						   b, n) :
				bx_recycle_perdesc(&e->fq.m, &e->cq.m, &e->st,
						   b, n);
		break;
	case RECYCLE_BULK:
		ring_reset(&e->fq);
		ring_reset(&e->cq);
		xsk_frames_destroy(&e->frames);
		if (xsk_frames_init(&e->frames, 0, FRAME_SIZE, NFRAMES, 0))
			abort();
		e->sink = bx_recycle_bulk(&e->fq.m, &e->cq.m, &e->frames, b, n);
		break;
	}
}

/* Best of 3: ns per descriptor. */
static double time_loop(struct env *e, enum kind k, int xdp, uint32_t b,
			uint64_t n)
{
	double best = 1e30;

	for (int rep = 0; rep < 3; rep++) {
		double t0 = now(), t;

		run_once(e, k, xdp, b, n);
		t = (now() - t0) * 1e9 / (double)n;
		if (t < best)
			best = t;
	}
	return best;
}

static void print_row(const char *what, uint32_t b, double xsk, double xdp)
{
	printf("  %-28s %4u  %7.2f ns  %8.1f M/s", what, b, xsk, 1e3 / xsk);
	if (xdp > 0)
		printf("   libxdp %7.2f ns  %8.1f M/s   xdp/xsk time %.2f", xdp,
		       1e3 / xdp, xdp / xsk);
	printf("\n");
}

static void single_thread(struct env *e)
{
	static const struct {
		enum kind k;
		const char *name;
		int xdp_kind; /* which libxdp loop is the comparison */
	} cases[] = {
		{ ST_U64, "u64 produce+consume", ST_U64 },
		{ ST_DESC, "xdp_desc produce+consume", ST_DESC },
		{ RECYCLE_PERDESC, "recycle, per-desc loop", RECYCLE_PERDESC },
		{ RECYCLE_BULK, "recycle, xsk_frames bulk", RECYCLE_PERDESC },
	};

	printf("single thread (ns and descriptors/s per descriptor, best of 3)\n");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]);
		     i++) {
			uint32_t b = batches[i];
			uint64_t n = (b == 1 ? 1u << 23 : 1u << 25);
			double x = time_loop(e, cases[c].k, 0, b, n);
			double l =
				bench_have_libxdp ?
					time_loop(e,
						  (enum kind)cases[c].xdp_kind,
						  1, b, n) :
					0;

			print_row(cases[c].name, b, x, l);
		}
	}
}

/* ------------------------------------------------------- two threads */

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct mt_arg {
	struct bench_mem *m;
	uint32_t b;
	uint64_t n;
	int xdp;
	int cpu;
	uint64_t bad;
};

static void *mt_producer(void *p)
{
	struct mt_arg *a = (struct mt_arg *)p;

	pin(a->cpu);
	if (a->xdp)
		bl_mt_prod(a->m, a->b, a->n);
	else
		bx_mt_prod(a->m, a->b, a->n);
	return NULL;
}

static void *mt_consumer(void *p)
{
	struct mt_arg *a = (struct mt_arg *)p;

	pin(a->cpu);
	a->bad = a->xdp ? bl_mt_cons(a->m, a->b, a->n) :
			  bx_mt_cons(a->m, a->b, a->n);
	return NULL;
}

static double two_threads(struct env *e, int xdp, uint32_t b, uint64_t n)
{
	double best = 1e30;

	for (int rep = 0; rep < 3; rep++) {
		struct mt_arg pa = { &e->u64.m, b, n, xdp, 0, 0 };
		struct mt_arg ca = { &e->u64.m, b, n, xdp, 1, 0 };
		pthread_t pt, ct;
		double t0, t;

		ring_reset(&e->u64);
		t0 = now();
		if (pthread_create(&ct, NULL, mt_consumer, &ca) ||
		    pthread_create(&pt, NULL, mt_producer, &pa))
			abort();
		pthread_join(pt, NULL);
		pthread_join(ct, NULL);
		t = (now() - t0) * 1e9 / (double)n;
		if (ca.bad) {
			printf("  two threads: %llu descriptors out of sequence!\n",
			       (unsigned long long)ca.bad);
			exit(1);
		}
		if (t < best)
			best = t;
	}
	return best;
}

/* Cache-line ping-pong between CPU 0 and CPU 1: one-way hand-off time. */
struct pingpong {
	_Alignas(64) uint64_t ping;
	_Alignas(64) uint64_t pong;
	uint64_t rounds;
};

static void *pong_thread(void *p)
{
	struct pingpong *pp = (struct pingpong *)p;

	pin(1);
	for (uint64_t i = 1; i <= pp->rounds; i++) {
		while (__atomic_load_n(&pp->ping, __ATOMIC_ACQUIRE) != i)
			bench_relax();
		__atomic_store_n(&pp->pong, i, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double pingpong_ns(void)
{
	static struct pingpong pp;
	double best = 1e30;

	for (int rep = 0; rep < 3; rep++) {
		pthread_t t;
		double t0, ns;

		pp.ping = pp.pong = 0;
		pp.rounds = 200000;
		pin(0);
		if (pthread_create(&t, NULL, pong_thread, &pp))
			abort();
		t0 = now();
		for (uint64_t i = 1; i <= pp.rounds; i++) {
			__atomic_store_n(&pp.ping, i, __ATOMIC_RELEASE);
			while (__atomic_load_n(&pp.pong, __ATOMIC_ACQUIRE) != i)
				bench_relax();
		}
		ns = (now() - t0) * 1e9 / (double)pp.rounds / 2;
		pthread_join(t, NULL);
		if (ns < best)
			best = ns;
	}
	return best;
}

static void multi_thread(struct env *e)
{
	cpu_set_t all;

	if (sched_getaffinity(0, sizeof(all), &all) || !CPU_ISSET(0, &all) ||
	    !CPU_ISSET(1, &all)) {
		printf("two threads: skipped (CPUs 0 and 1 are not both available)\n");
		return;
	}
	printf("two threads on CPUs 0 and 1 (u64 ring of %u, consumer checks the sequence)\n",
	       RING_SIZE);
	printf("  cache-line hand-off between the two cores: %.1f ns one way\n",
	       pingpong_ns());
	for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		uint32_t b = batches[i];
		uint64_t n = b == 1 ? 1u << 22 : 1u << 25;
		double x = two_threads(e, 0, b, n);
		double l = bench_have_libxdp ? two_threads(e, 1, b, n) : 0;

		print_row("pass sequence numbers", b, x, l);
	}
}

/* ------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	static struct env e;
	uint64_t addrs[NFRAMES];

	ring_new(&e.u64, sizeof(uint64_t));
	ring_new(&e.desc, sizeof(struct xdp_desc));
	ring_new(&e.fq, sizeof(uint64_t));
	ring_new(&e.cq, sizeof(uint64_t));
	comp_prepare(&e.cq);
	e.st.addrs = addrs;

	if (argc == 3 && !strcmp(argv[1], "--count")) {
		/* One run per loop for callgrind; see bench/callgrind.sh. */
		uint32_t b = (uint32_t)strtoul(argv[2], NULL, 0);
		const uint64_t n = 1u << 18;

		for (int k = ST_U64; k <= RECYCLE_BULK; k++) {
			run_once(&e, (enum kind)k, 0, b, n);
			if (bench_have_libxdp && k != RECYCLE_BULK)
				run_once(&e, (enum kind)k, 1, b, n);
		}
		printf("descriptors %llu batch %u libxdp %d\n",
		       (unsigned long long)n, b, bench_have_libxdp);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--count BATCH]\n", argv[0]);
		return 2;
	}

	printf("libxsk ring benchmark: ring of %u entries; libxdp comparison: %s\n",
	       RING_SIZE,
	       bench_have_libxdp ?
		       "yes (<xdp/xsk.h> inline helpers)" :
		       "skipped (no <xdp/xsk.h> at build time: apt-get install libxdp-dev)");
	single_thread(&e);
	multi_thread(&e);
	xsk_frames_destroy(&e.frames);
	return 0;
}
