// SPDX-License-Identifier: MIT
/*
 * The multi-buffer helpers of <xsk/multibuf.h> against the fake kernel of
 * fakering.h: the RX reader on single-fragment packets, chains of 2..18,
 * chains cut by a peek and across the 2^32 index wrap, every malformed
 * chain, release and cancel; the TX helpers' flags, limits and
 * all-or-nothing failures; and a round trip TX -> RX with the bytes
 * compared.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <xsk.h>
#include <xsk/multibuf.h>
#include "fakering.h"

#define CHUNK 2048u
#define NCHUNKS 64u

/* Starting indices: zero, and just below the 2^32 wrap. */
static const uint32_t starts[] = { 0, UINT32_MAX - 2, UINT32_MAX - 20 };
#define NSTARTS (sizeof(starts) / sizeof(starts[0]))

struct rxenv {
	struct fake_ring f;
	struct xsk_ring_cons rx;
	struct xsk_mb_rx r;
	struct xsk_umem_bounds b;
	char *umem;
	uint32_t start;
};

static void rx_setup(struct rxenv *e, uint32_t size, uint32_t start,
		     uint32_t max_frags, int bounds)
{
	fake_ring_init(&e->f, size, sizeof(struct xdp_desc), start);
	xsk_ring_cons__init(&e->rx, e->f.map, &e->f.off, size);
	e->umem = (char *)calloc(NCHUNKS, CHUNK);
	assert_non_null(e->umem);
	e->b.area = e->umem;
	e->b.size = (__u64)NCHUNKS * CHUNK;
	e->b.chunk_size = CHUNK;
	e->b.unaligned = 0;
	e->start = start;
	xsk_mb_rx_init(&e->r, &e->rx, max_frags, bounds ? &e->b : NULL);
}

static void rx_teardown(struct rxenv *e)
{
	fake_ring_fini(&e->f);
	free(e->umem);
}

/* The kernel publishes one descriptor. */
static void kput(struct rxenv *e, uint64_t addr, uint32_t len, int contd)
{
	struct xdp_desc d;

	d.addr = addr;
	d.len = len;
	d.options = contd ? XDP_PKT_CONTD : 0;
	assert_int_equal(fake_produce(&e->f, &d), 1);
}

/* The kernel publishes a well-formed chain of @n fragments; fragment i of
 * chain @tag lies in chunk (tag + i) % NCHUNKS, @len bytes each. */
static void kchain(struct rxenv *e, uint32_t tag, uint32_t n, uint32_t len)
{
	for (uint32_t i = 0; i < n; i++)
		kput(e, (uint64_t)((tag + i) % NCHUNKS) * CHUNK + 256, len,
		     i + 1 < n);
}

static int next(struct rxenv *e, struct xsk_mb_pkt *pkt)
{
	return xsk_mb_rx_next(&e->r, &e->rx, pkt);
}

static uint32_t consumer(struct rxenv *e)
{
	return fake_cons(&e->f);
}

/* @pkt is the chain @tag of @n fragments of @len, starting at ring index
 * @idx. */
static void check_pkt(struct rxenv *e, const struct xsk_mb_pkt *pkt,
		      uint32_t idx, uint32_t tag, uint32_t n, uint32_t len)
{
	assert_int_equal(pkt->idx, idx);
	assert_int_equal(pkt->nfrags, n);
	assert_int_equal(pkt->len, (uint64_t)n * len);
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&e->rx, pkt->idx + i);

		assert_int_equal(d->addr,
				 (uint64_t)((tag + i) % NCHUNKS) * CHUNK + 256);
		assert_int_equal(d->options & XDP_PKT_CONTD,
				 i + 1 < n ? XDP_PKT_CONTD : 0);
	}
}

/* ------------------------------------------------------------- RX: good */

static void test_single_fragment(void **state)
{
	(void)state;
	for (size_t k = 0; k < NSTARTS; k++) {
		struct rxenv e;
		struct xsk_mb_pkt pkt;
		uint32_t S = starts[k];

		rx_setup(&e, 8, S, 0, 1);
		assert_int_equal(e.r.max_frags, 8);
		assert_int_equal(next(&e, &pkt), 0);
		assert_int_equal(pkt.nfrags, 0);
		for (uint32_t i = 0; i < 5; i++)
			kchain(&e, i, 1, 60 + i);
		for (uint32_t i = 0; i < 5; i++) {
			assert_int_equal(next(&e, &pkt), 1);
			check_pkt(&e, &pkt, S + i, i, 1, 60 + i);
		}
		assert_int_equal(next(&e, &pkt), 0);
		assert_int_equal(e.r.packets, 5);
		assert_int_equal(consumer(&e), S);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 5);
		assert_int_equal(consumer(&e), S + 5);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 0);
		rx_teardown(&e);
	}
}

static void test_chains_2_to_18(void **state)
{
	(void)state;
	for (size_t k = 0; k < NSTARTS; k++) {
		struct rxenv e;
		struct xsk_mb_pkt pkt;
		uint32_t S = starts[k], idx = S;

		rx_setup(&e, 64, S, 0, 1);
		for (uint32_t n = 2; n <= 18; n++) {
			kchain(&e, n, n, CHUNK - 256);
			/* Another chain behind it, not yet complete. */
			kput(&e, 0, 1, 1);
			assert_int_equal(next(&e, &pkt), 1);
			check_pkt(&e, &pkt, idx, n, n, CHUNK - 256);
			assert_int_equal(next(&e, &pkt), 0);
			assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), n);
			kput(&e, CHUNK, 1, 0);
			assert_int_equal(next(&e, &pkt), 1);
			assert_int_equal(pkt.idx, idx + n);
			assert_int_equal(pkt.nfrags, 2);
			assert_int_equal(pkt.len, 2);
			assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 2);
			idx += n + 2;
			assert_int_equal(consumer(&e), idx);
		}
		assert_int_equal(e.r.packets, 34);
		assert_int_equal(e.r.malformed, 0);
		rx_teardown(&e);
	}
}

/* The producer publishes half a chain, the consumer peeks it, then the
 * rest arrives: nothing of it is handed out or released in between, and
 * the reader goes on from where it stopped. */
static void test_chain_split_across_peeks(void **state)
{
	(void)state;
	for (size_t k = 0; k < NSTARTS; k++) {
		for (uint32_t batch = 1; batch <= 20; batch += 3) {
			struct rxenv e;
			struct xsk_mb_pkt pkt;
			uint32_t S = starts[k];

			rx_setup(&e, 32, S, 0, 1);
			e.r.batch = batch;
			kchain(&e, 7, 1, 100);
			for (uint32_t i = 0; i < 6; i++)
				kput(&e, (uint64_t)(10 + i) * CHUNK + 256, 1000,
				     1);
			assert_int_equal(next(&e, &pkt), 1);
			check_pkt(&e, &pkt, S, 7, 1, 100);
			assert_int_equal(next(&e, &pkt), 0);
			assert_int_equal(pkt.nfrags, 0);
			/* All six peeked, none handed out. */
			assert_int_equal(e.rx.cached_cons, S + 7);
			assert_int_equal(e.r.nscan, 6);
			assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 1);
			assert_int_equal(consumer(&e), S + 1);
			assert_int_equal(next(&e, &pkt), 0);
			assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 0);
			for (uint32_t i = 6; i < 12; i++)
				kput(&e, (uint64_t)(10 + i) * CHUNK + 256, 1000,
				     i < 11);
			assert_int_equal(next(&e, &pkt), 1);
			check_pkt(&e, &pkt, S + 1, 10, 12, 1000);
			assert_int_equal(pkt.len, 12000);
			assert_int_equal(next(&e, &pkt), 0);
			assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 12);
			assert_int_equal(consumer(&e), S + 13);
			rx_teardown(&e);
		}
	}
}

/* Chains across the slot wrap of a small ring and across 2^32. */
static void test_chain_across_wrap(void **state)
{
	struct rxenv e;
	struct xsk_mb_pkt pkt;
	uint32_t idx = UINT32_MAX - 5;

	(void)state;
	rx_setup(&e, 16, idx, 0, 1);
	for (uint32_t round = 0; round < 20; round++) {
		uint32_t n = 3 + round % 13;

		kchain(&e, round, n, 500);
		assert_int_equal(next(&e, &pkt), 1);
		check_pkt(&e, &pkt, idx, round, n, 500);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), n);
		idx += n;
	}
	assert_true(idx < 1000); /* it did wrap */
	assert_int_equal(consumer(&e), idx);
	rx_teardown(&e);
}

/* -------------------------------------------------------- RX: malformed */

static void test_too_many_fragments(void **state)
{
	(void)state;
	for (size_t k = 0; k < NSTARTS; k++) {
		struct rxenv e;
		struct xsk_mb_pkt pkt;
		uint32_t S = starts[k];

		rx_setup(&e, 64, S, 0, 1);
		assert_int_equal(e.r.max_frags, 18);
		/* 19: cut at 18, the 19th comes alone. */
		kchain(&e, 0, 19, 64);
		kchain(&e, 40, 2, 64);
		assert_int_equal(next(&e, &pkt), -EMSGSIZE);
		assert_int_equal(pkt.idx, S);
		assert_int_equal(pkt.nfrags, 18);
		assert_int_equal(next(&e, &pkt), -EMSGSIZE);
		assert_int_equal(pkt.idx, S + 18);
		assert_int_equal(pkt.nfrags, 1);
		assert_int_equal(next(&e, &pkt), 1);
		check_pkt(&e, &pkt, S + 19, 40, 2, 64);
		assert_int_equal(e.r.malformed, 1);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 21);

		/* 40 in pieces of 18, 18, 4; the tail is cut by a peek. */
		for (uint32_t i = 0; i < 30; i++)
			kput(&e, (uint64_t)i * CHUNK + 256, 64, 1);
		assert_int_equal(next(&e, &pkt), -EMSGSIZE);
		assert_int_equal(pkt.nfrags, 18);
		assert_int_equal(pkt.len, 18 * 64);
		assert_int_equal(next(&e, &pkt), 0);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 18);
		for (uint32_t i = 30; i < 40; i++)
			kput(&e, (uint64_t)i * CHUNK + 256, 64, i < 39);
		assert_int_equal(next(&e, &pkt), -EMSGSIZE);
		assert_int_equal(pkt.idx, S + 21 + 18);
		assert_int_equal(pkt.nfrags, 18);
		assert_int_equal(next(&e, &pkt), -EMSGSIZE);
		assert_int_equal(pkt.nfrags, 4);
		assert_int_equal(pkt.len, 4 * 64);
		assert_int_equal(next(&e, &pkt), 0);
		assert_int_equal(e.r.malformed, 2);
		assert_int_equal(e.r.packets, 1);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 22);
		assert_int_equal(consumer(&e), S + 61);
		rx_teardown(&e);
	}

	/* A smaller limit: exactly 4 is fine, 5 is not. */
	{
		struct rxenv e;
		struct xsk_mb_pkt pkt;

		rx_setup(&e, 64, 0, 4, 1);
		kchain(&e, 0, 4, 10);
		kchain(&e, 0, 5, 10);
		assert_int_equal(next(&e, &pkt), 1);
		assert_int_equal(pkt.nfrags, 4);
		assert_int_equal(next(&e, &pkt), -EMSGSIZE);
		assert_int_equal(pkt.nfrags, 4);
		assert_int_equal(next(&e, &pkt), -EMSGSIZE);
		assert_int_equal(pkt.nfrags, 1);
		rx_teardown(&e);
	}
}

/* A limit above the ring size is reduced to it: a chain that fills the
 * ring could never be finished by the kernel. */
static void test_limit_reduced_to_ring(void **state)
{
	struct rxenv e;
	struct xsk_mb_pkt pkt;

	(void)state;
	rx_setup(&e, 4, 0, 0, 1);
	assert_int_equal(e.r.max_frags, 4);
	for (int i = 0; i < 4; i++)
		kput(&e, 0, 10, 1);
	assert_int_equal(next(&e, &pkt), -EMSGSIZE);
	assert_int_equal(pkt.nfrags, 4);
	assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 4);
	kput(&e, 0, 10, 0);
	assert_int_equal(next(&e, &pkt), -EMSGSIZE);
	assert_int_equal(pkt.nfrags, 1);
	kchain(&e, 0, 3, 10);
	assert_int_equal(next(&e, &pkt), 1);
	rx_teardown(&e);
}

static void test_zero_length_fragment(void **state)
{
	struct rxenv e;
	struct xsk_mb_pkt pkt;

	(void)state;
	rx_setup(&e, 16, UINT32_MAX, 0, 0);
	kput(&e, 0, 100, 1);
	kput(&e, CHUNK, 0, 1);
	kput(&e, 2 * CHUNK, 100, 0);
	kput(&e, 3 * CHUNK, 0, 0);
	kchain(&e, 5, 2, 7);
	/* Reported whole, with every descriptor, once it ends. */
	assert_int_equal(next(&e, &pkt), -EBADMSG);
	assert_int_equal(pkt.idx, UINT32_MAX);
	assert_int_equal(pkt.nfrags, 3);
	assert_int_equal(pkt.len, 200);
	assert_int_equal(next(&e, &pkt), -EBADMSG);
	assert_int_equal(pkt.nfrags, 1);
	assert_int_equal(next(&e, &pkt), 1);
	check_pkt(&e, &pkt, 3, 5, 2, 7);
	assert_int_equal(e.r.malformed, 2);
	assert_int_equal(e.r.packets, 1);
	assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 6);
	rx_teardown(&e);
}

/* XDP_PKT_CONTD on the last descriptor published, in the ring's last slot,
 * with the ring full: pending, not malformed, and finished when the kernel
 * can publish the rest. */
static void test_contd_on_last_descriptor(void **state)
{
	struct rxenv e;
	struct xsk_mb_pkt pkt;

	(void)state;
	rx_setup(&e, 8, 0, 0, 1);
	kchain(&e, 0, 5, 10);
	kput(&e, 20 * CHUNK, 10, 1);
	kput(&e, 21 * CHUNK, 10, 1);
	kput(&e, 22 * CHUNK, 10, 1); /* slot 7 of 8 */
	assert_int_equal(fake_room(&e.f), 0);
	assert_int_equal(next(&e, &pkt), 1);
	assert_int_equal(pkt.nfrags, 5);
	assert_int_equal(next(&e, &pkt), 0);
	assert_int_equal(next(&e, &pkt), 0);
	assert_int_equal(e.r.malformed, 0);
	assert_int_equal(e.r.nscan, 3);
	assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 5);
	kput(&e, 23 * CHUNK, 10, 0);
	assert_int_equal(next(&e, &pkt), 1);
	assert_int_equal(pkt.idx, 5);
	assert_int_equal(pkt.nfrags, 4);
	assert_int_equal(pkt.len, 40);
	assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 4);
	assert_int_equal(consumer(&e), 9);
	rx_teardown(&e);
}

static void test_outside_umem(void **state)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
		int why;
	} bad[] = {
		{ (uint64_t)NCHUNKS * CHUNK, 1, XSK_DESC_OUTSIDE },
		{ UINT64_MAX, 1, XSK_DESC_OUTSIDE },
		{ 1ULL << 48, 1, XSK_DESC_OUTSIDE },
		{ 0, CHUNK + 1, XSK_DESC_TOO_LONG },
		{ (uint64_t)NCHUNKS * CHUNK - 10, 11, XSK_DESC_PAST_END },
		{ CHUNK - 10, 100, XSK_DESC_CROSSES_CHUNK },
		{ 5 * CHUNK + 1, CHUNK, XSK_DESC_CROSSES_CHUNK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rxenv e;
		struct xsk_mb_pkt pkt;

		rx_setup(&e, 16, UINT32_MAX - 1, 0, 1);
		/* The bad fragment in the middle of a chain of 3. */
		kput(&e, 0, 100, 1);
		kput(&e, bad[i].addr, bad[i].len, 1);
		kput(&e, CHUNK, 0, 0); /* a later problem is not reported */
		kchain(&e, 3, 2, 9);
		assert_int_equal(next(&e, &pkt), -EFAULT);
		assert_int_equal(e.r.last_desc_err, bad[i].why);
		assert_int_equal(pkt.idx, UINT32_MAX - 1);
		assert_int_equal(pkt.nfrags, 3);
		assert_int_equal(next(&e, &pkt), 1);
		check_pkt(&e, &pkt, 1, 3, 2, 9);
		assert_int_equal(e.r.malformed, 1);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 5);
		rx_teardown(&e);

		/* Without bounds nothing is checked but the length. */
		rx_setup(&e, 16, 0, 0, 0);
		kput(&e, bad[i].addr, bad[i].len, 0);
		assert_int_equal(next(&e, &pkt), 1);
		rx_teardown(&e);
	}

	/* Unaligned mode: crossing a chunk is allowed, offsets count. */
	{
		struct rxenv e;
		struct xsk_mb_pkt pkt;

		rx_setup(&e, 16, 0, 0, 1);
		e.b.unaligned = 1;
		kput(&e, CHUNK - 10, 100, 1);
		kput(&e, (1ULL << 48) | 100, 100, 0);
		assert_int_equal(next(&e, &pkt), 1);
		kput(&e, ((uint64_t)CHUNK << 48) | ((NCHUNKS - 1) * CHUNK), 1,
		     0);
		assert_int_equal(next(&e, &pkt), -EFAULT);
		assert_int_equal(e.r.last_desc_err, XSK_DESC_OUTSIDE);
		rx_teardown(&e);
	}
}

/* --------------------------------------------------- RX: release, misuse */

/* Release gives back exactly the handed-out packets, contiguously from the
 * consumer index, never the pending chain, whatever the batch size. */
/*
 * The RX ring is shared memory: a descriptor rewritten between
 * xsk_mb_rx_next() and xsk_mb_rx_copy() (longer, outside the UMEM, empty)
 * must not make the copy write past a buffer sized for the packet it was
 * handed, nor read outside the UMEM. The buffer is exactly pkt.len bytes
 * on the heap, so AddressSanitizer sees any overflow.
 */
static void test_copy_after_ring_rewritten(void **state)
{
	static const struct {
		uint32_t frag; /* which fragment is rewritten */
		uint64_t addr; /* UINT64_MAX: keep */
		uint32_t len;
	} cases[] = {
		{ 1, UINT64_MAX, CHUNK - 256 }, /* longer: overflows buf */
		{ 0, UINT64_MAX, 1000 }, /* longer, first fragment */
		{ 2, (uint64_t)NCHUNKS * CHUNK + 4096, 100 }, /* outside */
		{ 1, (uint64_t)NCHUNKS * CHUNK - 50, 100 }, /* past the end */
		{ 1, UINT64_MAX, 0 }, /* empty */
		{ 2, UINT64_MAX, 50 }, /* shorter: sum no longer matches */
	};
	(void)state;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct rxenv e;
		struct xsk_mb_pkt pkt;
		struct xdp_desc *d;
		char *buf;

		rx_setup(&e, 16, starts[c % NSTARTS], 0, 1);
		kchain(&e, 3, 3, 100);
		assert_int_equal(next(&e, &pkt), 1);
		buf = (char *)malloc(pkt.len);
		assert_non_null(buf);
		/* Untouched, the copy works. */
		assert_int_equal(
			xsk_mb_rx_copy(&e.b, &e.rx, &pkt, buf, pkt.len), 0);
		/* Another party rewrites a descriptor on the ring. */
		d = (struct xdp_desc *)xsk_ring_cons__rx_desc(
			&e.rx, pkt.idx + cases[c].frag);
		if (cases[c].addr != UINT64_MAX)
			d->addr = cases[c].addr;
		d->len = cases[c].len;
		assert_int_equal(xsk_mb_rx_copy(&e.b, &e.rx, &pkt, buf,
						pkt.len),
				 -EBADMSG);
		free(buf);
		rx_teardown(&e);
	}
}

static void test_release_whole_packets_only(void **state)
{
	(void)state;
	for (uint32_t batch = 1; batch <= 8; batch++) {
		struct rxenv e;
		struct xsk_mb_pkt pkt;
		uint32_t handed = 0;

		rx_setup(&e, 32, UINT32_MAX - 8, 0, 1);
		e.r.batch = batch;
		kchain(&e, 0, 3, 10);
		kchain(&e, 3, 1, 10);
		kchain(&e, 4, 4, 10);
		kput(&e, 0, 10, 1);
		kput(&e, 0, 10, 1);
		while (next(&e, &pkt) > 0) {
			assert_int_equal(pkt.idx, e.start + handed);
			handed += pkt.nfrags;
		}
		assert_int_equal(handed, 8);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 8);
		assert_int_equal(consumer(&e), e.start + 8);
		assert_int_equal(e.rx.cached_cons, e.start + 10);
		/* Released by hand meanwhile: the reader does not release
		 * those again, nor goes back. */
		kput(&e, 0, 10, 0);
		assert_int_equal(next(&e, &pkt), 1);
		assert_int_equal(pkt.nfrags, 3);
		xsk_ring_cons__release(&e.rx, 1);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 2);
		kput(&e, 0, 10, 1);
		assert_int_equal(next(&e, &pkt), 0);
		xsk_ring_cons__release(&e.rx, 1);
		assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 0);
		assert_int_equal(consumer(&e), e.start + 12);
		rx_teardown(&e);
	}
}

static void test_cancel_and_misuse(void **state)
{
	struct rxenv e;
	struct xsk_mb_pkt pkt;
	uint32_t idx = 0;

	(void)state;
	rx_setup(&e, 16, 100, 0, 1);
	kchain(&e, 0, 2, 10);
	kput(&e, 0, 10, 1);
	assert_int_equal(next(&e, &pkt), 1);
	assert_int_equal(next(&e, &pkt), 0);
	assert_int_equal(e.rx.cached_cons, 103);
	/* Back to plain use: the pending fragment is seen again. */
	assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 2);
	xsk_mb_rx_cancel(&e.r, &e.rx);
	assert_int_equal(e.rx.cached_cons, 102);
	assert_int_equal(xsk_ring_cons__peek(&e.rx, 8, &idx), 1);
	assert_int_equal(idx, 102);
	/* A plain peek behind the reader's back is refused... */
	kput(&e, 0, 10, 0);
	assert_int_equal(next(&e, &pkt), -EINVAL);
	assert_int_equal(pkt.nfrags, 0);
	assert_int_equal(e.rx.cached_cons, 103);
	/* ... until it is undone. */
	xsk_ring_cons__cancel(&e.rx, 1);
	assert_int_equal(next(&e, &pkt), 1);
	assert_int_equal(pkt.idx, 102);
	assert_int_equal(pkt.nfrags, 2);
	/* A cancel below what the reader has peeked is refused too. */
	kput(&e, 0, 10, 1);
	assert_int_equal(next(&e, &pkt), 0);
	xsk_ring_cons__cancel(&e.rx, 1);
	assert_int_equal(next(&e, &pkt), -EINVAL);
	assert_int_equal(xsk_mb_rx_release(&e.r, &e.rx), 2);
	assert_int_equal(consumer(&e), 104);
	rx_teardown(&e);
}

/* ----------------------------------------------------------------- TX */

struct txenv {
	struct fake_ring f;
	struct xsk_ring_prod tx;
};

static void tx_setup(struct txenv *e, uint32_t size, uint32_t start)
{
	fake_ring_init(&e->f, size, sizeof(struct xdp_desc), start);
	xsk_ring_prod__init(&e->tx, e->f.map, &e->f.off, size);
}

static void test_tx_packet_flags(void **state)
{
	(void)state;
	for (size_t k = 0; k < NSTARTS; k++) {
		struct txenv e;
		struct xdp_desc frags[18];

		tx_setup(&e, 32, starts[k]);
		for (uint32_t n = 1; n <= 18; n++) {
			struct xdp_desc d;

			for (uint32_t i = 0; i < n; i++) {
				frags[i].addr = (uint64_t)i * CHUNK + n;
				frags[i].len = 100 + i;
				/* The caller's CONTD bits are ignored, other
				 * bits kept. */
				frags[i].options = (i % 2 ? XDP_PKT_CONTD : 0) |
						   (i == 0 ? 1u << 1 : 0);
			}
			assert_int_equal(xsk_mb_tx_packet(&e.tx, frags, n), n);
			assert_int_equal(fake_pending(&e.f), 0);
			xsk_ring_prod__submit(&e.tx, n);
			assert_int_equal(fake_pending(&e.f), n);
			for (uint32_t i = 0; i < n; i++) {
				assert_int_equal(fake_consume(&e.f, &d), 1);
				assert_int_equal(d.addr, frags[i].addr);
				assert_int_equal(d.len, frags[i].len);
				assert_int_equal(
					d.options,
					(i + 1 < n ? XDP_PKT_CONTD : 0) |
						(i == 0 ? 1u << 1 : 0));
			}
		}
		fake_ring_fini(&e.f);
	}
}

static void test_tx_packet_refused(void **state)
{
	struct txenv e;
	struct xdp_desc frags[40];
	uint32_t idx = 0;

	(void)state;
	memset(frags, 0, sizeof(frags));
	tx_setup(&e, 64, UINT32_MAX - 3);
	assert_int_equal(xsk_mb_tx_packet(&e.tx, frags, 0), -EINVAL);
	assert_int_equal(xsk_mb_tx_packet(&e.tx, frags, 19), -EMSGSIZE);
	assert_int_equal(xsk_mb_tx_packet(&e.tx, frags, 40), -EMSGSIZE);
	assert_int_equal(e.tx.cached_prod, UINT32_MAX - 3);

	/* Ring full: all or nothing. */
	assert_int_equal(xsk_ring_prod__reserve(&e.tx, 50, &idx), 50);
	assert_int_equal(xsk_mb_tx_packet(&e.tx, frags, 15), -ENOSPC);
	assert_int_equal(e.tx.cached_prod, UINT32_MAX - 3 + 50);
	assert_int_equal(xsk_mb_tx_packet(&e.tx, frags, 14), 14);
	assert_int_equal(xsk_mb_tx_packet(&e.tx, frags, 1), -ENOSPC);
	xsk_ring_prod__submit(&e.tx, 64);
	assert_int_equal(fake_pending(&e.f), 64);
	fake_ring_fini(&e.f);
}

static void fill_pattern(unsigned char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 31 + seed * 7 + (i >> 8));
}

static void test_tx_copy(void **state)
{
	static const uint32_t flags[] = {
		XSK_FRAMES_DEBUG, XSK_FRAMES_DEBUG | XSK_FRAMES_UNALIGNED
	};

	(void)state;
	for (size_t m = 0; m < 2; m++) {
		const int unaligned = flags[m] & XSK_FRAMES_UNALIGNED;
		unsigned char *umem = (unsigned char *)calloc(NCHUNKS, CHUNK);
		unsigned char *buf = (unsigned char *)malloc(18 * CHUNK + 1);
		struct xsk_frames fr, saved;
		struct txenv e;
		struct xdp_desc d;
		uint32_t offset = 256, room = CHUNK - offset, prod;
		uint64_t stack[20];

		assert_non_null(umem);
		assert_non_null(buf);
		fill_pattern(buf, 18 * CHUNK + 1, 1);
		assert_int_equal(xsk_frames_init(&fr, 0, CHUNK, 20, flags[m]),
				 0);
		tx_setup(&e, 32, UINT32_MAX - 1);

		/* 2 full frames and 100 bytes. */
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, offset, buf,
						2 * room + 100),
				 3);
		assert_int_equal(xsk_frames_nfree(&fr), 17);
		xsk_ring_prod__submit(&e.tx, 3);
		for (uint32_t i = 0; i < 3; i++) {
			uint64_t a;

			assert_int_equal(fake_consume(&e.f, &d), 1);
			assert_int_equal(d.len, i < 2 ? room : 100);
			assert_int_equal(d.options, i < 2 ? XDP_PKT_CONTD : 0);
			a = xsk_umem__add_offset_to_addr(d.addr);
			assert_int_equal(a, (uint64_t)i * CHUNK + offset);
			if (unaligned)
				assert_int_equal(xsk_umem__extract_addr(d.addr),
						 (uint64_t)i * CHUNK);
			else
				assert_int_equal(d.addr, a);
			assert_memory_equal(umem + a, buf + (size_t)i * room,
					    d.len);
			assert_int_equal(xsk_frames_free(&fr, d.addr), 0);
		}
		assert_int_equal(fr.nbad, 0);
		assert_int_equal(xsk_frames_nfree(&fr), 20);

		/* Offset 0: one frame holds CHUNK bytes, 18 frames at most. */
		assert_int_equal(
			xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf, CHUNK), 1);
		assert_int_equal(
			xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf, CHUNK + 1), 2);
		xsk_ring_prod__submit(&e.tx, 3);
		while (fake_consume(&e.f, &d))
			assert_int_equal(xsk_frames_free(&fr, d.addr), 0);

		/* Refusals change neither the ring nor the allocator. */
		memcpy(&saved, &fr, sizeof(fr));
		prod = e.tx.cached_prod;
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf,
						18 * CHUNK + 1),
				 -EMSGSIZE);
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, offset, buf,
						18 * room + 1),
				 -EMSGSIZE);
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf, 0),
				 -EINVAL);
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, CHUNK, buf,
						1),
				 -EINVAL);
		assert_memory_equal(&saved, &fr, sizeof(fr));
		assert_int_equal(e.tx.cached_prod, prod);

		/* 18 frames needed, 20 free, 32 slots: fine; then the ring
		 * has 14 left and 2 frames are free. */
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf,
						18 * CHUNK),
				 18);
		memcpy(&saved, &fr, sizeof(fr));
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf,
						3 * CHUNK),
				 -ENOMEM);
		assert_memory_equal(&saved, &fr, sizeof(fr));
		assert_int_equal(e.tx.cached_prod, fake_prod(&e.f) + 18);
		/* Give 15 of those 18 frames back: now the ring is the
		 * limit. */
		for (uint32_t i = 0; i < 15; i++) {
			const struct xdp_desc *q = xsk_ring_prod__tx_desc(
				&e.tx, e.tx.cached_prod - 18 + i);

			assert_int_equal(xsk_frames_free(&fr, q->addr), 0);
		}
		memcpy(&saved, &fr, sizeof(fr));
		memcpy(stack, fr.stack, fr.nfree * sizeof(*fr.stack));
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf,
						15 * CHUNK),
				 -ENOSPC);
		assert_memory_equal(&saved, &fr, sizeof(fr));
		assert_memory_equal(stack, fr.stack,
				    fr.nfree * sizeof(*fr.stack));
		assert_int_equal(e.tx.cached_prod, fake_prod(&e.f) + 18);
		assert_int_equal(xsk_mb_tx_copy(&e.tx, &fr, umem, 0, buf,
						14 * CHUNK),
				 14);
		assert_int_equal(fr.nbad, 0);

		xsk_frames_destroy(&fr);
		fake_ring_fini(&e.f);
		free(buf);
		free(umem);
	}
}

/* ---------------------------------------------------------- round trip */

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/* TX -> the fake kernel moves TX descriptors to the RX ring in batches of
 * random size (so chains are cut) -> the reader reassembles; the bytes
 * must be those sent, and every frame comes back exactly once. */
static void round_trip(uint32_t frames_flags, uint32_t offset)
{
	enum { NPKT = 300, NFR = 128, FS = 2048 };
	const uint32_t room = FS - offset;
	unsigned char *umem = (unsigned char *)calloc(NFR, FS);
	unsigned char *sent = (unsigned char *)malloc(18 * FS);
	unsigned char *got = (unsigned char *)malloc(18 * FS);
	size_t lens[NPKT];
	struct xsk_frames fr;
	struct xsk_umem_bounds b;
	struct fake_ring tf, rf;
	struct xsk_ring_prod tx;
	struct xsk_ring_cons rx;
	struct xsk_mb_rx r;
	struct xsk_mb_pkt pkt;
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ frames_flags ^ offset;
	uint32_t sent_n = 0, recv_n = 0, queued = 0;

	assert_non_null(umem);
	assert_non_null(sent);
	assert_non_null(got);
	assert_int_equal(xsk_frames_init(&fr, 0, FS, NFR,
					 frames_flags | XSK_FRAMES_DEBUG),
			 0);
	b.area = umem;
	b.size = (uint64_t)NFR * FS;
	b.chunk_size = FS;
	b.unaligned = (frames_flags & XSK_FRAMES_UNALIGNED) != 0;
	fake_ring_init(&tf, 64, sizeof(struct xdp_desc), UINT32_MAX - 100);
	fake_ring_init(&rf, 32, sizeof(struct xdp_desc), UINT32_MAX - 50);
	xsk_ring_prod__init(&tx, tf.map, &tf.off, 64);
	xsk_ring_cons__init(&rx, rf.map, &rf.off, 32);
	xsk_mb_rx_init(&r, &rx, 0, &b);

	while (recv_n < NPKT) {
		/* Send what fits. */
		while (sent_n < NPKT) {
			size_t len = 1 + rnd(&seed) % (18 * room);
			int n;

			if (rnd(&seed) % 4 == 0)
				len = 1 + rnd(&seed) % room;
			fill_pattern(sent, len, sent_n);
			n = xsk_mb_tx_copy(&tx, &fr, umem, offset, sent, len);
			if (n == -ENOSPC || n == -ENOMEM)
				break;
			assert_true(n > 0);
			lens[sent_n++] = len;
			queued += (uint32_t)n;
			if (rnd(&seed) % 2) {
				xsk_ring_prod__submit(&tx, queued);
				queued = 0;
			}
		}
		xsk_ring_prod__submit(&tx, queued);
		queued = 0;
		/* The kernel moves a random number of descriptors. */
		for (uint32_t k = rnd(&seed) % 40; k > 0 && fake_room(&rf);
		     k--) {
			struct xdp_desc d;

			if (!fake_consume(&tf, &d))
				break;
			assert_int_equal(fake_produce(&rf, &d), 1);
		}
		/* The application reads in batches of random size. */
		r.batch = 1 + rnd(&seed) % 20;
		for (;;) {
			int ret = xsk_mb_rx_next(&r, &rx, &pkt);

			if (ret == 0)
				break;
			assert_int_equal(ret, 1);
			assert_true(recv_n < NPKT);
			assert_int_equal(pkt.len, lens[recv_n]);
			assert_int_equal(
				xsk_mb_rx_copy(&b, &rx, &pkt, got, 18 * FS), 0);
			fill_pattern(sent, lens[recv_n], recv_n);
			assert_memory_equal(got, sent, lens[recv_n]);
			assert_int_equal(xsk_mb_rx_copy(&b, &rx, &pkt, got,
							pkt.len - 1),
					 -ENOSPC);
			for (uint32_t i = 0; i < pkt.nfrags; i++)
				assert_int_equal(
					xsk_frames_free(
						&fr, xsk_ring_cons__rx_desc(
							     &rx, pkt.idx + i)
							     ->addr),
					0);
			recv_n++;
		}
		if (rnd(&seed) % 3)
			xsk_mb_rx_release(&r, &rx);
	}
	xsk_mb_rx_release(&r, &rx);
	assert_int_equal(fake_cons(&rf), fake_prod(&rf));
	assert_int_equal(r.packets, NPKT);
	assert_int_equal(r.malformed, 0);
	assert_int_equal(fr.nbad, 0);
	assert_int_equal(xsk_frames_nfree(&fr), NFR);

	xsk_frames_destroy(&fr);
	fake_ring_fini(&tf);
	fake_ring_fini(&rf);
	free(got);
	free(sent);
	free(umem);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip(0, 0);
	round_trip(0, 256);
	round_trip(XSK_FRAMES_UNALIGNED, 0);
	round_trip(XSK_FRAMES_UNALIGNED, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_fragment),
		cmocka_unit_test(test_chains_2_to_18),
		cmocka_unit_test(test_chain_split_across_peeks),
		cmocka_unit_test(test_chain_across_wrap),
		cmocka_unit_test(test_too_many_fragments),
		cmocka_unit_test(test_limit_reduced_to_ring),
		cmocka_unit_test(test_zero_length_fragment),
		cmocka_unit_test(test_contd_on_last_descriptor),
		cmocka_unit_test(test_outside_umem),
		cmocka_unit_test(test_copy_after_ring_rewritten),
		cmocka_unit_test(test_release_whole_packets_only),
		cmocka_unit_test(test_cancel_and_misuse),
		cmocka_unit_test(test_tx_packet_flags),
		cmocka_unit_test(test_tx_packet_refused),
		cmocka_unit_test(test_tx_copy),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
