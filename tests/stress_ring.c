// SPDX-License-Identifier: MIT
/*
 * Two-thread stress test of the ring helpers: a producer thread and a
 * consumer thread pass sequence numbers through a ring laid out like a
 * kernel ring, with random batch sizes; the consumer checks that every
 * number arrives once and in order. The consumer also toggles the ring's
 * need_wakeup flag, which the producer reads, as the kernel would.
 *
 * Usage: stress_ring [COUNT]   (default 100 million u64 entries, and a
 * quarter as many struct xdp_desc entries). Built a second time with
 * -fsanitize=thread and run with a smaller COUNT by make check.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <setjmp.h>
#include <cmocka.h>

#include <xsk/ring.h>
#include "fakering.h"

static uint64_t count = 100000000;

struct stress {
	struct fake_ring f;
	struct xsk_ring_prod prod;
	struct xsk_ring_cons cons;
	int desc; /* xdp_desc entries, else u64 */
	uint64_t n;
	uint64_t wakeups_seen; /* producer: times the flag was set */
	uint64_t errors; /* consumer: wrong entries */
	uint64_t first_bad, first_bad_got;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void *producer(void *arg)
{
	struct stress *st = (struct stress *)arg;
	struct xsk_ring_prod *r = &st->prod;
	uint32_t seed = 1, idx = 0;
	uint64_t seq = 0;

	while (seq < st->n) {
		uint32_t want = 1 + lcg(&seed) % 256, got;

		if (want > st->n - seq)
			want = (uint32_t)(st->n - seq);
		got = xsk_ring_prod__reserve_range(r, 1, want, &idx);
		if (!got) {
			cpu_relax();
			continue;
		}
		for (uint32_t i = 0; i < got; i++) {
			if (st->desc) {
				struct xdp_desc *d =
					xsk_ring_prod__tx_desc(r, idx + i);

				d->addr = seq + i;
				d->len = (uint32_t)(seq + i) ^ 0x5555;
				d->options = 0;
			} else {
				*xsk_ring_prod__fill_addr(r, idx + i) = seq + i;
			}
		}
		/* Sometimes publish in two parts. */
		if (got > 1 && (seed & 16)) {
			xsk_ring_prod__submit(r, got / 2);
			xsk_ring_prod__submit(r, got - got / 2);
		} else {
			xsk_ring_prod__submit(r, got);
		}
		seq += got;
		if (xsk_ring_prod__needs_wakeup(r))
			st->wakeups_seen++;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct stress *st = (struct stress *)arg;
	struct xsk_ring_cons *r = &st->cons;
	uint32_t seed = 2, idx = 0;
	uint64_t seq = 0;

	while (seq < st->n) {
		uint32_t want = 1 + lcg(&seed) % 256, got;

		got = xsk_ring_cons__peek(r, want, &idx);
		if (!got) {
			/* Idle: ask for a wake-up, as a driver would. */
			__atomic_store_n(r->flags, XDP_RING_NEED_WAKEUP,
					 __ATOMIC_RELAXED);
			cpu_relax();
			continue;
		}
		__atomic_store_n(r->flags, 0, __ATOMIC_RELAXED);
		/* Sometimes un-take the tail and read it again later. */
		if (got > 2 && (seed & 32)) {
			xsk_ring_cons__cancel(r, got / 2);
			got -= got / 2;
		}
		for (uint32_t i = 0; i < got; i++) {
			uint64_t v;
			int bad;

			if (st->desc) {
				const struct xdp_desc *d =
					xsk_ring_cons__rx_desc(r, idx + i);

				v = d->addr;
				bad = d->len != ((uint32_t)v ^ 0x5555);
			} else {
				v = *xsk_ring_cons__comp_addr(r, idx + i);
				bad = 0;
			}
			if (v != seq + i || bad) {
				if (!st->errors++) {
					st->first_bad = seq + i;
					st->first_bad_got = v;
				}
			}
		}
		xsk_ring_cons__release(r, got);
		seq += got;
	}
	return NULL;
}

static void run(int desc, uint64_t n, uint32_t size, uint32_t start)
{
	struct stress st;
	pthread_t p, c;
	struct timespec t0, t1;
	double secs;

	memset(&st, 0, sizeof(st));
	st.desc = desc;
	st.n = n;
	fake_ring_init(&st.f, size, desc ? sizeof(struct xdp_desc) : 8, start);
	/* Both sides in user space: the "kernel" side uses the consumer
	 * helpers on the same mapping. */
	xsk_ring_prod__init(&st.prod, st.f.map, &st.f.off, size);
	xsk_ring_cons__init(&st.cons, st.f.map, &st.f.off, size);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&c, NULL, consumer, &st), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, &st), 0);
	assert_int_equal(pthread_join(p, NULL), 0);
	assert_int_equal(pthread_join(c, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("stress: %" PRIu64
	       " %s entries through a %u-entry ring in %.2f s (%.1f M/s), need_wakeup seen %" PRIu64
	       " times\n",
	       n, desc ? "xdp_desc" : "u64", size, secs, (double)n / secs / 1e6,
	       st.wakeups_seen);
	if (st.errors)
		printf("stress: %" PRIu64
		       " wrong entries, first: expected %" PRIu64
		       ", got %" PRIu64 "\n",
		       st.errors, st.first_bad, st.first_bad_got);
	assert_int_equal(st.errors, 0);
	/* Everything was consumed, nothing more. */
	assert_int_equal(fake_prod(&st.f), (uint32_t)(start + n));
	assert_int_equal(fake_cons(&st.f), (uint32_t)(start + n));
	fake_ring_fini(&st.f);
}

static void test_stress_u64(void **state)
{
	(void)state;
	run(0, count, 2048, UINT32_MAX - 1000);
}

static void test_stress_desc(void **state)
{
	(void)state;
	run(1, count / 4, 512, 0x80000000u - 100);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_u64),
		cmocka_unit_test(test_stress_desc),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		count = strtoull(argv[1], NULL, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
