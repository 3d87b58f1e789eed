// SPDX-License-Identifier: MIT
/*
 * Model-based test of the ring helpers: thousands of random sequences of
 * reserve / reserve_range / submit / cancel (producer side) and peek /
 * release / cancel (consumer side), interleaved with a fake kernel that
 * consumes and produces, each result checked against a reference model of
 * counters. Ring sizes and starting indices vary (many start just below
 * 2^32, so the indices wrap mid-sequence).
 *
 * The seed is printed; XSK_TEST_SEED=<n> replays a run, and
 * XSK_TEST_SEQUENCES=<n> changes the number of sequences.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include <xsk/ring.h>
#include "fakering.h"

static uint64_t rng_state;

/* splitmix64: small, good enough, and the same everywhere. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static uint64_t seed;
static unsigned long nseq = 3000;
static const unsigned int nops = 300;

static uint32_t random_start(void)
{
	switch (rnd_below(3)) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return UINT32_MAX - rnd_below(200); /* wraps soon */
	default:
		return rnd_below(100);
	}
}

/* The model of a producer ring: counts since the start index. */
struct prod_model {
	uint32_t size;
	uint64_t reserved; /* reserved, not submitted */
	uint64_t published; /* submitted */
	uint64_t consumed; /* taken by the kernel */
	uint64_t next_val; /* value of the next reserved slot */
};

static uint64_t prod_free(const struct prod_model *m)
{
	return m->size - (m->published + m->reserved - m->consumed);
}

static void run_prod_sequence(void)
{
	const uint32_t size = 1u << rnd_below(8);
	const uint32_t start = random_start();
	const int tx = (int)rnd_below(2);
	struct prod_model m = { size, 0, 0, 0, 0 };
	struct fake_ring f;
	struct xsk_ring_prod r;

	fake_ring_init(&f, size, tx ? sizeof(struct xdp_desc) : 8, start);
	xsk_ring_prod__init(&r, f.map, &f.off, size);

	for (unsigned int op = 0; op < nops; op++) {
		uint32_t what = rnd_below(7);
		uint32_t idx = 0xdeadbeef, got, want, n, lo;
		uint64_t k;

		switch (what) {
		case 0: /* reserve */
		case 1: /* reserve_range, any min and max */
			n = rnd_below(size + 3);
			k = prod_free(&m);
			if (what == 0) {
				want = k >= n ? n : 0;
				got = xsk_ring_prod__reserve(&r, n, &idx);
			} else {
				lo = rnd_below(size + 3);
				/* All of @n if free, else what is free,
				 * if at least @lo (taken as @n if above
				 * it) and not 0. */
				if (k >= n)
					want = n;
				else if (k >= (lo < n ? lo : n) && k > 0)
					want = (uint32_t)k;
				else
					want = 0;
				got = xsk_ring_prod__reserve_range(&r, lo, n,
								   &idx);
			}
			assert_int_equal(got, want);
			if (!got) {
				/* reserve(0) "succeeds" with 0 slots and may
				 * set idx, as libxdp's does; reserve_range()
				 * never does. */
				if (n || what == 1)
					assert_int_equal(idx, 0xdeadbeef);
				break;
			}
			assert_int_equal(idx, (uint32_t)(start + m.published +
							 m.reserved));
			for (uint32_t i = 0; i < got; i++) {
				uint64_t v = m.next_val++;

				if (tx) {
					struct xdp_desc *d =
						xsk_ring_prod__tx_desc(&r,
								       idx + i);
					d->addr = v;
					d->len = (uint32_t)v;
					d->options = 0;
				} else {
					*xsk_ring_prod__fill_addr(&r, idx + i) =
						v;
				}
			}
			m.reserved += got;
			break;
		case 2: /* submit */
			k = rnd_below((uint32_t)m.reserved + 1);
			xsk_ring_prod__submit(&r, (uint32_t)k);
			m.reserved -= k;
			m.published += k;
			break;
		case 3: /* cancel */
			k = rnd_below((uint32_t)m.reserved + 1);
			xsk_ring_prod__cancel(&r, (uint32_t)k);
			m.reserved -= k;
			m.next_val -= k;
			break;
		case 4: /* nb_free */
			n = rnd_below(size + 3);
			got = xsk_prod_nb_free(&r, n);
			k = prod_free(&m);
			assert_true(got <= k);
			assert_int_equal(got >= n, k >= n);
			if (got < n)
				assert_int_equal(got, k);
			break;
		default: /* the kernel consumes some */
			k = rnd_below((uint32_t)(m.published - m.consumed) + 1);
			while (k--) {
				struct xdp_desc d;
				__u64 a;

				if (tx) {
					assert_int_equal(fake_consume(&f, &d),
							 1);
					a = d.addr;
					assert_int_equal(d.len, (uint32_t)a);
				} else {
					assert_int_equal(fake_consume(&f, &a),
							 1);
				}
				assert_int_equal(a, m.consumed);
				m.consumed++;
			}
		}
		assert_int_equal(fake_prod(&f),
				 (uint32_t)(start + m.published));
		assert_int_equal(fake_cons(&f), (uint32_t)(start + m.consumed));
	}
	fake_ring_fini(&f);
}

/* The model of a consumer ring. */
struct cons_model {
	uint32_t size;
	uint64_t produced; /* by the kernel */
	uint64_t peeked; /* taken, not released */
	uint64_t released;
};

static uint64_t cons_avail(const struct cons_model *m)
{
	return m->produced - m->released - m->peeked;
}

static void run_cons_sequence(void)
{
	const uint32_t size = 1u << rnd_below(8);
	const uint32_t start = random_start();
	const int rx = (int)rnd_below(2);
	struct cons_model m = { size, 0, 0, 0 };
	struct fake_ring f;
	struct xsk_ring_cons r;

	fake_ring_init(&f, size, rx ? sizeof(struct xdp_desc) : 8, start);
	xsk_ring_cons__init(&r, f.map, &f.off, size);

	for (unsigned int op = 0; op < nops; op++) {
		uint32_t idx = 0xdeadbeef, got, n;
		uint64_t k, want;

		switch (rnd_below(6)) {
		case 0: /* peek */
			n = rnd_below(size + 3);
			want = cons_avail(&m) < n ? cons_avail(&m) : n;
			got = xsk_ring_cons__peek(&r, n, &idx);
			assert_int_equal(got, want);
			if (!got) {
				assert_int_equal(idx, 0xdeadbeef);
				break;
			}
			assert_int_equal(
				idx, (uint32_t)(start + m.released + m.peeked));
			for (uint32_t i = 0; i < got; i++) {
				uint64_t v = m.released + m.peeked + i;

				if (rx) {
					const struct xdp_desc *d =
						xsk_ring_cons__rx_desc(&r,
								       idx + i);
					assert_int_equal(d->addr, v);
					assert_int_equal(d->len, (uint32_t)v);
				} else {
					assert_int_equal(
						*xsk_ring_cons__comp_addr(
							&r, idx + i),
						v);
				}
			}
			m.peeked += got;
			break;
		case 1: /* release */
			k = rnd_below((uint32_t)m.peeked + 1);
			xsk_ring_cons__release(&r, (uint32_t)k);
			m.peeked -= k;
			m.released += k;
			break;
		case 2: /* cancel */
			k = rnd_below((uint32_t)m.peeked + 1);
			xsk_ring_cons__cancel(&r, (uint32_t)k);
			m.peeked -= k;
			break;
		case 3: /* nb_avail */
			n = rnd_below(size + 3);
			want = cons_avail(&m) < n ? cons_avail(&m) : n;
			assert_int_equal(xsk_cons_nb_avail(&r, n), want);
			break;
		default: /* the kernel produces some */
			k = rnd_below(size -
				      (uint32_t)(m.produced - m.released) + 1);
			while (k--) {
				struct xdp_desc d;
				__u64 a = m.produced;

				d.addr = a;
				d.len = (uint32_t)a;
				d.options = 0;
				assert_int_equal(fake_produce(&f,
							      rx ? (void *)&d :
								   (void *)&a),
						 1);
				m.produced++;
			}
		}
		assert_int_equal(fake_prod(&f), (uint32_t)(start + m.produced));
		assert_int_equal(fake_cons(&f), (uint32_t)(start + m.released));
	}
	fake_ring_fini(&f);
}

static void test_model_producer(void **state)
{
	(void)state;
	for (unsigned long i = 0; i < nseq; i++)
		run_prod_sequence();
}

static void test_model_consumer(void **state)
{
	(void)state;
	for (unsigned long i = 0; i < nseq; i++)
		run_cons_sequence();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_producer),
		cmocka_unit_test(test_model_consumer),
	};
	const char *s = getenv("XSK_TEST_SEED");
	const char *n = getenv("XSK_TEST_SEQUENCES");

	seed = s ? strtoull(s, NULL, 0) : 20240611;
	if (n)
		nseq = strtoul(n, NULL, 0);
	rng_state = seed;
	printf("ring model: seed %" PRIu64
	       " (XSK_TEST_SEED), %lu sequences of %u operations per side\n",
	       seed, nseq, nops);
	fflush(stdout);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
