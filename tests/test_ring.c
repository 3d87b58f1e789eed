// SPDX-License-Identifier: MIT
/*
 * The ring helpers of <xsk/ring.h> against a fake kernel on plain memory
 * (fakering.h): every helper on each of the four ring shapes, empty and
 * full rings, partial peeks, cancels, index wrap-around at 2^32, the
 * need_wakeup flag, and the frozen struct layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Every prefetch xsk_rx_prefetch() asks for, recorded. */
static const void *prefetched[64];
static unsigned int nprefetched;
#define XSK_PREFETCH(p)                                \
	do {                                           \
		if (nprefetched < 64)                  \
			prefetched[nprefetched] = (p); \
		nprefetched++;                         \
	} while (0)

#include <xsk/ring.h>
#include "fakering.h"

enum shape { FILL, TX, RX, COMP };

static size_t entry_size(enum shape s)
{
	return (s == TX || s == RX) ? sizeof(struct xdp_desc) : sizeof(__u64);
}

/* Starting indices: zero, and just below the 2^32 wrap. */
static const uint32_t starts[] = { 0, UINT32_MAX - 2, UINT32_MAX - 20 };

static struct xdp_desc desc_of(uint64_t v)
{
	struct xdp_desc d;

	d.addr = v;
	d.len = (uint32_t)(v * 7u) & 0xffff;
	d.options = (uint32_t)(v >> 3) & 1;
	return d;
}

static void prod_put(struct xsk_ring_prod *r, enum shape s, uint32_t idx,
		     uint64_t v)
{
	if (s == FILL)
		*xsk_ring_prod__fill_addr(r, idx) = v;
	else
		*xsk_ring_prod__tx_desc(r, idx) = desc_of(v);
}

/* The kernel consumes one entry of a producer ring and checks it is @v. */
static void kernel_take(struct fake_ring *f, enum shape s, uint64_t v)
{
	union {
		__u64 a;
		struct xdp_desc d;
	} e;

	assert_int_equal(fake_consume(f, &e), 1);
	if (s == FILL) {
		assert_int_equal(e.a, v);
	} else {
		struct xdp_desc want = desc_of(v);

		assert_int_equal(e.d.addr, want.addr);
		assert_int_equal(e.d.len, want.len);
		assert_int_equal(e.d.options, want.options);
	}
}

static void kernel_give(struct fake_ring *f, enum shape s, uint64_t v)
{
	struct xdp_desc d = desc_of(v);
	__u64 a = v;

	assert_int_equal(fake_produce(f, s == RX ? (void *)&d : (void *)&a), 1);
}

static uint64_t cons_get(struct xsk_ring_cons *r, enum shape s, uint32_t idx)
{
	if (s == COMP)
		return *xsk_ring_cons__comp_addr(r, idx);
	{
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(r, idx);
		struct xdp_desc want = desc_of(d->addr);

		assert_int_equal(d->len, want.len);
		assert_int_equal(d->options, want.options);
		return d->addr;
	}
}

static void prod_setup(struct fake_ring *f, struct xsk_ring_prod *r,
		       enum shape s, uint32_t size, uint32_t start)
{
	fake_ring_init(f, size, entry_size(s), start);
	memset(r, 0x5a, sizeof(*r));
	xsk_ring_prod__init(r, f->map, &f->off, size);
}

static void cons_setup(struct fake_ring *f, struct xsk_ring_cons *r,
		       enum shape s, uint32_t size, uint32_t start)
{
	fake_ring_init(f, size, entry_size(s), start);
	memset(r, 0x5a, sizeof(*r));
	xsk_ring_cons__init(r, f->map, &f->off, size);
}

/* ------------------------------------------------------------- layout */

static void test_layout(void **state)
{
	(void)state;
	/* libxdp's layout, on LP64. */
	assert_int_equal(offsetof(struct xsk_ring_prod, cached_prod), 0);
	assert_int_equal(offsetof(struct xsk_ring_prod, cached_cons), 4);
	assert_int_equal(offsetof(struct xsk_ring_prod, mask), 8);
	assert_int_equal(offsetof(struct xsk_ring_prod, size), 12);
	assert_int_equal(offsetof(struct xsk_ring_prod, producer), 16);
	assert_int_equal(offsetof(struct xsk_ring_prod, consumer), 24);
	assert_int_equal(offsetof(struct xsk_ring_prod, ring), 32);
	assert_int_equal(offsetof(struct xsk_ring_prod, flags), 40);
	assert_int_equal(sizeof(struct xsk_ring_prod), 48);
	assert_int_equal(offsetof(struct xsk_ring_cons, cached_prod), 0);
	assert_int_equal(offsetof(struct xsk_ring_cons, cached_cons), 4);
	assert_int_equal(offsetof(struct xsk_ring_cons, mask), 8);
	assert_int_equal(offsetof(struct xsk_ring_cons, size), 12);
	assert_int_equal(offsetof(struct xsk_ring_cons, producer), 16);
	assert_int_equal(offsetof(struct xsk_ring_cons, consumer), 24);
	assert_int_equal(offsetof(struct xsk_ring_cons, ring), 32);
	assert_int_equal(offsetof(struct xsk_ring_cons, flags), 40);
	assert_int_equal(sizeof(struct xsk_ring_cons), 48);
	assert_int_equal(sizeof(struct xdp_desc), 16);
	assert_int_equal(XSK_UNALIGNED_BUF_OFFSET_SHIFT, 48);
	/* libxdp's defaults, under its names. */
	assert_int_equal(XSK_RING_CONS__DEFAULT_NUM_DESCS, 2048);
	assert_int_equal(XSK_RING_PROD__DEFAULT_NUM_DESCS, 2048);
	assert_int_equal(XSK_UMEM__DEFAULT_FRAME_SIZE, 4096);
	assert_int_equal(XSK_UMEM__DEFAULT_FRAME_HEADROOM, 0);
	assert_int_equal(XSK_UMEM__DEFAULT_FLAGS, 0);
}

static void test_init(void **state)
{
	struct fake_ring f;
	struct xsk_ring_prod p;
	struct xsk_ring_cons c;

	(void)state;
	prod_setup(&f, &p, FILL, 16, 100);
	assert_int_equal(p.cached_prod, 100);
	assert_int_equal(p.cached_cons, 116); /* one ring size ahead */
	assert_int_equal(p.mask, 15);
	assert_int_equal(p.size, 16);
	assert_ptr_equal(p.producer, f.map);
	assert_ptr_equal(p.consumer, f.map + 64);
	assert_ptr_equal(p.flags, f.map + 128);
	assert_ptr_equal(p.ring, f.map + 192);
	fake_ring_fini(&f);

	cons_setup(&f, &c, RX, 8, 7);
	assert_int_equal(c.cached_prod, 7);
	assert_int_equal(c.cached_cons, 7);
	assert_int_equal(c.mask, 7);
	assert_ptr_equal(c.ring, f.map + 192);
	fake_ring_fini(&f);
}

/* ---------------------------------------------------------- producers */

static void prod_empty_full(enum shape s)
{
	for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		const uint32_t S = starts[k];
		struct fake_ring f;
		struct xsk_ring_prod r;
		uint32_t idx = 12345;

		prod_setup(&f, &r, s, 8, S);
		assert_int_equal(xsk_prod_nb_free(&r, 1), 8);
		/* More than the ring holds: nothing, idx untouched. */
		assert_int_equal(xsk_ring_prod__reserve(&r, 9, &idx), 0);
		assert_int_equal(idx, 12345);
		/* The whole ring, then it is full. */
		assert_int_equal(xsk_ring_prod__reserve(&r, 8, &idx), 8);
		assert_int_equal(idx, S);
		assert_int_equal(xsk_prod_nb_free(&r, 1), 0);
		assert_int_equal(xsk_ring_prod__reserve(&r, 1, &idx), 0);
		assert_int_equal(idx, S);
		for (uint32_t i = 0; i < 8; i++)
			prod_put(&r, s, idx + i, 1000 + i);
		/* Nothing is visible before submit. */
		assert_int_equal(fake_pending(&f), 0);
		xsk_ring_prod__submit(&r, 8);
		assert_int_equal(fake_pending(&f), 8);
		assert_int_equal(fake_prod(&f), S + 8);
		/* Still full until the kernel consumes. */
		assert_int_equal(xsk_ring_prod__reserve(&r, 1, &idx), 0);
		kernel_take(&f, s, 1000);
		kernel_take(&f, s, 1001);
		assert_int_equal(xsk_ring_prod__reserve(&r, 3, &idx), 0);
		assert_int_equal(xsk_ring_prod__reserve(&r, 2, &idx), 2);
		assert_int_equal(idx, S + 8);
		prod_put(&r, s, idx, 2000);
		prod_put(&r, s, idx + 1, 2001);
		xsk_ring_prod__submit(&r, 2);
		for (uint32_t i = 2; i < 8; i++)
			kernel_take(&f, s, 1000 + i);
		kernel_take(&f, s, 2000);
		kernel_take(&f, s, 2001);
		assert_int_equal(fake_pending(&f), 0);
		/* Empty again: the whole ring is free. */
		assert_int_equal(xsk_prod_nb_free(&r, 8), 8);
		fake_ring_fini(&f);
	}
}

static void test_fill_empty_full(void **state)
{
	(void)state;
	prod_empty_full(FILL);
}

static void test_tx_empty_full(void **state)
{
	(void)state;
	prod_empty_full(TX);
}

static void prod_cancel_partial(enum shape s)
{
	const uint32_t S = UINT32_MAX - 3;
	struct fake_ring f;
	struct xsk_ring_prod r;
	uint32_t idx = 0;

	prod_setup(&f, &r, s, 16, S);
	/* Cancel: the next reservation gets the same slots. */
	assert_int_equal(xsk_ring_prod__reserve(&r, 4, &idx), 4);
	assert_int_equal(idx, S);
	xsk_ring_prod__cancel(&r, 2);
	assert_int_equal(xsk_ring_prod__reserve(&r, 3, &idx), 3);
	assert_int_equal(idx, S + 2);
	for (uint32_t i = 0; i < 5; i++)
		prod_put(&r, s, S + i, 10 + i);
	/* Submit in parts. */
	xsk_ring_prod__submit(&r, 2);
	assert_int_equal(fake_pending(&f), 2);
	xsk_ring_prod__submit(&r, 3);
	assert_int_equal(fake_pending(&f), 5);
	for (uint32_t i = 0; i < 5; i++)
		kernel_take(&f, s, 10 + i);
	/* Cancel everything reserved: nothing is ever published. */
	assert_int_equal(xsk_ring_prod__reserve(&r, 16, &idx), 16);
	xsk_ring_prod__cancel(&r, 16);
	assert_int_equal(fake_pending(&f), 0);
	assert_int_equal(xsk_prod_nb_free(&r, 16), 16);
	fake_ring_fini(&f);
}

static void test_fill_cancel_partial(void **state)
{
	(void)state;
	prod_cancel_partial(FILL);
}

static void test_tx_cancel_partial(void **state)
{
	(void)state;
	prod_cancel_partial(TX);
}

static void prod_reserve_range(enum shape s)
{
	struct fake_ring f;
	struct xsk_ring_prod r;
	uint32_t idx = 77;

	prod_setup(&f, &r, s, 8, UINT32_MAX);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 2, 5, &idx), 5);
	assert_int_equal(idx, UINT32_MAX);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 2, 5, &idx), 3);
	assert_int_equal(idx, UINT32_MAX + 5u);
	/* Full: not even @min. */
	idx = 77;
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 0, 5, &idx), 0);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 1, 5, &idx), 0);
	assert_int_equal(idx, 77);
	for (uint32_t i = 0; i < 8; i++)
		prod_put(&r, s, UINT32_MAX + i, i);
	xsk_ring_prod__submit(&r, 8);
	kernel_take(&f, s, 0);
	/* One free, two wanted at least: nothing. */
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 2, 4, &idx), 0);
	assert_int_equal(idx, 77);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 1, 4, &idx), 1);
	assert_int_equal(idx, 7);
	kernel_take(&f, s, 1);
	kernel_take(&f, s, 2);
	/* @min > @max: @min is taken as @max. */
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 3, 1, &idx), 1);
	assert_int_equal(idx, 8);
	/* Nothing asked for: nothing reserved, idx untouched, though two
	 * slots are free. */
	idx = 77;
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 0, 0, &idx), 0);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 5, 0, &idx), 0);
	assert_int_equal(idx, 77);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 1, 2, &idx), 1);
	assert_int_equal(idx, 9);
	fake_ring_fini(&f);
}

static void test_fill_reserve_range(void **state)
{
	(void)state;
	prod_reserve_range(FILL);
}

static void test_tx_reserve_range(void **state)
{
	(void)state;
	prod_reserve_range(TX);
}

/*
 * A stale cached consumer never makes reserve_range() fail: it reloads the
 * kernel's index before giving up, whatever @min and @max are. Here the
 * cache shows 2 free slots while the kernel has consumed everything.
 */
static void prod_reserve_range_stale(enum shape s)
{
	struct fake_ring f;
	struct xsk_ring_prod r;
	uint32_t idx = 77;

	prod_setup(&f, &r, s, 8, UINT32_MAX - 4);
	assert_int_equal(xsk_ring_prod__reserve(&r, 6, &idx), 6);
	for (uint32_t i = 0; i < 6; i++)
		prod_put(&r, s, idx + i, i);
	xsk_ring_prod__submit(&r, 6);
	for (uint32_t i = 0; i < 6; i++)
		kernel_take(&f, s, i);
	/* Cached: 2 free, between @max and @min. Kernel: 8 free. */
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 4, 2, &idx), 2);
	assert_int_equal(idx, UINT32_MAX + 2u);
	/* Cached: 0 free, and 6 free in fact. */
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 7, 3, &idx), 3);
	assert_int_equal(idx, UINT32_MAX + 4u);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 3, 8, &idx), 3);
	assert_int_equal(idx, UINT32_MAX + 7u);
	/* Full now, in fact: 0 whatever the bounds, idx untouched. */
	idx = 77;
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 4, 2, &idx), 0);
	assert_int_equal(xsk_ring_prod__reserve_range(&r, 0, 2, &idx), 0);
	assert_int_equal(idx, 77);
	fake_ring_fini(&f);
}

static void test_fill_reserve_range_stale(void **state)
{
	(void)state;
	prod_reserve_range_stale(FILL);
}

static void test_tx_reserve_range_stale(void **state)
{
	(void)state;
	prod_reserve_range_stale(TX);
}

/* The consumer index is loaded only when the cached view runs short. */
static void test_prod_cached_cons(void **state)
{
	struct fake_ring f;
	struct xsk_ring_prod r;
	uint32_t idx = 0;

	(void)state;
	prod_setup(&f, &r, FILL, 8, 0);
	assert_int_equal(xsk_ring_prod__reserve(&r, 6, &idx), 6);
	for (uint32_t i = 0; i < 6; i++)
		prod_put(&r, FILL, i, i);
	xsk_ring_prod__submit(&r, 6);
	for (uint32_t i = 0; i < 6; i++)
		kernel_take(&f, FILL, i);
	/* The kernel freed 6 slots, but 2 are enough from the cache. */
	assert_int_equal(xsk_prod_nb_free(&r, 2), 2);
	assert_int_equal(r.cached_cons, 8);
	/* Asking for 3 loads the consumer index: all 8 are free. */
	assert_int_equal(xsk_prod_nb_free(&r, 3), 8);
	assert_int_equal(r.cached_cons, 14);
	fake_ring_fini(&f);
}

static void prod_wrap(enum shape s)
{
	const uint32_t size = 64;
	const uint32_t S = UINT32_MAX - 3 * size + 5;
	struct fake_ring f;
	struct xsk_ring_prod r;
	uint64_t next = 0, expect = 0;
	uint32_t idx = 0, seed = 1;

	prod_setup(&f, &r, s, size, S);
	/* Run well past the wrap with varying batch sizes. */
	while (next < 10 * size) {
		uint32_t n, k;

		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % size;
		k = xsk_ring_prod__reserve(&r, n, &idx);
		if (k) {
			assert_int_equal(k, n);
			assert_int_equal(idx, (uint32_t)(S + next));
			for (uint32_t i = 0; i < k; i++)
				prod_put(&r, s, idx + i, next + i);
			next += k;
			xsk_ring_prod__submit(&r, k);
		}
		/* The kernel takes some. */
		k = (seed >> 8) % (fake_pending(&f) + 1);
		while (k--)
			kernel_take(&f, s, expect++);
	}
	while (fake_pending(&f))
		kernel_take(&f, s, expect++);
	assert_int_equal(expect, next);
	assert_true(fake_prod(&f) < S); /* it did wrap */
	assert_int_equal(fake_prod(&f), (uint32_t)(S + next));
	fake_ring_fini(&f);
}

static void test_fill_wrap(void **state)
{
	(void)state;
	prod_wrap(FILL);
}

static void test_tx_wrap(void **state)
{
	(void)state;
	prod_wrap(TX);
}

static void test_needs_wakeup(void **state)
{
	struct fake_ring f;
	struct xsk_ring_prod r;

	(void)state;
	prod_setup(&f, &r, TX, 8, 0);
	assert_int_equal(xsk_ring_prod__needs_wakeup(&r), 0);
	fake_set_flags(&f, XDP_RING_NEED_WAKEUP);
	assert_true(xsk_ring_prod__needs_wakeup(&r));
	fake_set_flags(&f, 0);
	assert_int_equal(xsk_ring_prod__needs_wakeup(&r), 0);
	/* Other bits are not the need_wakeup bit. */
	fake_set_flags(&f, ~(uint32_t)XDP_RING_NEED_WAKEUP);
	assert_int_equal(xsk_ring_prod__needs_wakeup(&r), 0);
	fake_set_flags(&f, UINT32_MAX);
	assert_true(xsk_ring_prod__needs_wakeup(&r));
	fake_ring_fini(&f);

	prod_setup(&f, &r, FILL, 8, 0);
	fake_set_flags(&f, XDP_RING_NEED_WAKEUP);
	assert_true(xsk_ring_prod__needs_wakeup(&r));
	fake_ring_fini(&f);
}

/* ---------------------------------------------------------- consumers */

static void cons_partial(enum shape s)
{
	for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		const uint32_t S = starts[k];
		struct fake_ring f;
		struct xsk_ring_cons r;
		uint32_t idx = 999;

		cons_setup(&f, &r, s, 8, S);
		/* Empty. */
		assert_int_equal(xsk_cons_nb_avail(&r, 8), 0);
		assert_int_equal(xsk_ring_cons__peek(&r, 8, &idx), 0);
		assert_int_equal(idx, 999);
		for (uint32_t i = 0; i < 5; i++)
			kernel_give(&f, s, 100 + i);
		/* Partial peeks. */
		assert_int_equal(xsk_cons_nb_avail(&r, 3), 3);
		assert_int_equal(xsk_ring_cons__peek(&r, 3, &idx), 3);
		assert_int_equal(idx, S);
		assert_int_equal(xsk_ring_cons__peek(&r, 10, &idx), 2);
		assert_int_equal(idx, S + 3);
		idx = 999;
		assert_int_equal(xsk_ring_cons__peek(&r, 1, &idx), 0);
		assert_int_equal(idx, 999);
		/* Cancel: the same entries come back. */
		xsk_ring_cons__cancel(&r, 2);
		assert_int_equal(xsk_ring_cons__peek(&r, 10, &idx), 2);
		assert_int_equal(idx, S + 3);
		for (uint32_t i = 0; i < 5; i++)
			assert_int_equal(cons_get(&r, s, S + i), 100 + i);
		/* Nothing is free for the kernel until release. */
		assert_int_equal(fake_room(&f), 3);
		xsk_ring_cons__release(&r, 2);
		assert_int_equal(fake_room(&f), 5);
		assert_int_equal(fake_cons(&f), S + 2);
		xsk_ring_cons__release(&r, 3);
		assert_int_equal(fake_room(&f), 8);
		assert_int_equal(fake_cons(&f), S + 5);
		/* Full ring. */
		for (uint32_t i = 0; i < 8; i++)
			kernel_give(&f, s, 200 + i);
		assert_int_equal(fake_room(&f), 0);
		assert_int_equal(xsk_ring_cons__peek(&r, 100, &idx), 8);
		assert_int_equal(idx, S + 5);
		for (uint32_t i = 0; i < 8; i++)
			assert_int_equal(cons_get(&r, s, idx + i), 200 + i);
		xsk_ring_cons__release(&r, 8);
		assert_int_equal(fake_room(&f), 8);
		fake_ring_fini(&f);
	}
}

static void test_rx_partial(void **state)
{
	(void)state;
	cons_partial(RX);
}

static void test_comp_partial(void **state)
{
	(void)state;
	cons_partial(COMP);
}

/* The producer index is loaded only when the cached view runs short. */
static void test_cons_cached_prod(void **state)
{
	struct fake_ring f;
	struct xsk_ring_cons r;
	uint32_t idx = 0;

	(void)state;
	cons_setup(&f, &r, COMP, 16, 0);
	for (uint32_t i = 0; i < 4; i++)
		kernel_give(&f, COMP, i);
	assert_int_equal(xsk_ring_cons__peek(&r, 2, &idx), 2);
	assert_int_equal(r.cached_prod, 4);
	for (uint32_t i = 4; i < 8; i++)
		kernel_give(&f, COMP, i);
	/* Two are still cached: no load, cached_prod unchanged. */
	assert_int_equal(xsk_ring_cons__peek(&r, 2, &idx), 2);
	assert_int_equal(r.cached_prod, 4);
	/* Short: load, see the 4 new ones. */
	assert_int_equal(xsk_ring_cons__peek(&r, 3, &idx), 3);
	assert_int_equal(r.cached_prod, 8);
	assert_int_equal(*xsk_ring_cons__comp_addr(&r, idx), 4);
	fake_ring_fini(&f);
}

/*
 * xsk_rx_prefetch() in the documented loop, across the 2^32 wrap: each
 * frame's data is asked for once, @ahead descriptors before it is read,
 * in order, never one past the end; the second cache line only for a
 * frame that reaches into it; unaligned-mode offsets added.
 */
static void test_rx_prefetch(void **state)
{
	static char area[16 * 4096] __attribute__((aligned(64)));
	const uint32_t size = 8, n = 7, ahead = 3;
	struct fake_ring f;
	struct xsk_ring_cons r;
	uint32_t idx = 0, next, want = 0;
	unsigned int lines[8];

	(void)state;
	cons_setup(&f, &r, RX, size, UINT32_MAX - 2);
	for (uint32_t i = 0; i < n; i++) {
		struct xdp_desc d = { .addr = (uint64_t)i * 4096 + 256,
				      .len = 60 };

		if (i == 2) /* 60 bytes from 32 into a line: two lines */
			d.addr += 32;
		if (i == 4) /* 100 bytes: two lines */
			d.len = 100;
		if (i == 5) /* unaligned mode: offset 64 in the top bits */
			d.addr = (64ull << XSK_UNALIGNED_BUF_OFFSET_SHIFT) |
				 (5 * 4096 + 128);
		lines[i] = i == 2 || i == 4 ? 2 : 1;
		*(struct xdp_desc *)fake_slot(&f, UINT32_MAX - 2 + i) = d;
	}
	*fake_word(&f, f.off.producer) = UINT32_MAX - 2 + n;
	assert_int_equal(xsk_ring_cons__peek(&r, n, &idx), n);

	next = idx;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t upto = i + ahead < n ? i + ahead : n;

		nprefetched = 0;
		xsk_rx_prefetch(&r, area, &next, idx + i, idx + n, ahead);
		/* Calling again for the same frame asks for nothing more. */
		xsk_rx_prefetch(&r, area, &next, idx + i, idx + n, ahead);
		assert_int_equal(next, idx + upto);
		for (unsigned int k = 0; k < nprefetched;) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(&r, idx + want);
			const char *p =
				area + xsk_umem__add_offset_to_addr(d->addr);

			assert_ptr_equal(prefetched[k], p);
			if (lines[want] == 2)
				assert_ptr_equal(prefetched[k + 1], p + 64);
			k += lines[want];
			want++;
		}
		assert_int_equal(want, upto);
	}
	assert_ptr_equal(prefetched[0], area + 6 * 4096 + 256);
	/* 5's data is at 5 * 4096 + 128 + 64 */
	nprefetched = 0;
	next = idx;
	xsk_rx_prefetch(&r, area, &next, idx + 5, idx + n, 1);
	assert_int_equal(nprefetched, 1);
	assert_ptr_equal(prefetched[0], area + 5 * 4096 + 192);
	/* ahead 0, or nothing left: nothing */
	nprefetched = 0;
	next = idx;
	xsk_rx_prefetch(&r, area, &next, idx, idx + n, 0);
	xsk_rx_prefetch(&r, area, &next, idx + n, idx + n, 4);
	assert_int_equal(nprefetched, 0);
	fake_ring_fini(&f);
}

static void cons_wrap(enum shape s)
{
	const uint32_t size = 32;
	const uint32_t S = UINT32_MAX - 2 * size - 3;
	struct fake_ring f;
	struct xsk_ring_cons r;
	uint64_t given = 0, got = 0;
	uint32_t idx = 0, seed = 7;

	cons_setup(&f, &r, s, size, S);
	while (got < 12 * size) {
		uint32_t n, k;

		seed = seed * 1103515245u + 12345u;
		k = (seed >> 16) % (fake_room(&f) + 1);
		while (k--)
			kernel_give(&f, s, given++);
		n = 1 + (seed >> 4) % (size + 4);
		k = xsk_ring_cons__peek(&r, n, &idx);
		assert_true(k <= n);
		if (k) {
			assert_int_equal(idx, (uint32_t)(S + got));
			for (uint32_t i = 0; i < k; i++)
				assert_int_equal(cons_get(&r, s, idx + i),
						 got + i);
			/* Sometimes give part back. */
			if (k > 1 && (seed & 1)) {
				xsk_ring_cons__cancel(&r, k / 2);
				k -= k / 2;
			}
			got += k;
			xsk_ring_cons__release(&r, k);
		}
	}
	assert_true(fake_cons(&f) < S);
	assert_int_equal(fake_cons(&f), (uint32_t)(S + got));
	fake_ring_fini(&f);
}

static void test_rx_wrap(void **state)
{
	(void)state;
	cons_wrap(RX);
}

static void test_comp_wrap(void **state)
{
	(void)state;
	cons_wrap(COMP);
}

/* ----------------------------------------------------- UMEM addresses */

static void test_umem_addr(void **state)
{
	char area[64];
	const __u64 a = (3ULL << 48) | 0x123456789aULL;

	(void)state;
	assert_ptr_equal(xsk_umem__get_data(area, 0), area);
	assert_ptr_equal(xsk_umem__get_data(area, 17), area + 17);
	assert_int_equal(xsk_umem__extract_addr(a), 0x123456789aULL);
	assert_int_equal(xsk_umem__extract_offset(a), 3);
	assert_int_equal(xsk_umem__add_offset_to_addr(a), 0x123456789dULL);
	assert_int_equal(xsk_umem__add_offset_to_addr(4096), 4096);
	assert_int_equal(xsk_umem__extract_offset(UINT64_MAX), 0xffff);
	assert_int_equal(xsk_umem__extract_addr(UINT64_MAX), (1ULL << 48) - 1);
}

static void test_check_desc_aligned(void **state)
{
	static char area[4 * 2048];
	struct xsk_umem_bounds u = { area, sizeof(area), 2048, 0 };
	int err = 1;

	(void)state;
	assert_int_equal(xsk_umem__check_desc(&u, 0, 2048), XSK_DESC_OK);
	assert_int_equal(xsk_umem__check_desc(&u, 2048 + 256, 1792),
			 XSK_DESC_OK);
	assert_int_equal(xsk_umem__check_desc(&u, 3 * 2048 + 2047, 1),
			 XSK_DESC_OK);
	assert_int_equal(xsk_umem__check_desc(&u, 8191, 0), XSK_DESC_OK);
	assert_int_equal(xsk_umem__check_desc(&u, 8192, 0), XSK_DESC_OUTSIDE);
	assert_int_equal(xsk_umem__check_desc(&u, UINT64_MAX, 1),
			 XSK_DESC_OUTSIDE);
	/* Offset bits mean nothing in aligned mode: outside. */
	assert_int_equal(xsk_umem__check_desc(&u, 1ULL << 48, 1),
			 XSK_DESC_OUTSIDE);
	assert_int_equal(xsk_umem__check_desc(&u, 0, 2049), XSK_DESC_TOO_LONG);
	assert_int_equal(xsk_umem__check_desc(&u, 2048 + 256, 1793),
			 XSK_DESC_CROSSES_CHUNK);
	assert_int_equal(xsk_umem__check_desc(&u, 2047, 2),
			 XSK_DESC_CROSSES_CHUNK);
	assert_int_equal(xsk_umem__check_desc(&u, 8191, 2), XSK_DESC_PAST_END);

	assert_ptr_equal(xsk_umem__get_data_checked(&u, 4096 + 10, 100, &err),
			 area + 4096 + 10);
	assert_int_equal(err, XSK_DESC_OK);
	assert_null(xsk_umem__get_data_checked(&u, 4000, 100, &err));
	assert_int_equal(err, XSK_DESC_CROSSES_CHUNK);
	assert_null(xsk_umem__get_data_checked(&u, 9000, 1, NULL));
	assert_string_equal(xsk_desc_strerror(XSK_DESC_CROSSES_CHUNK),
			    "data crosses a chunk boundary (aligned mode)");
	assert_non_null(xsk_desc_strerror(-100));
}

static void test_check_desc_unaligned(void **state)
{
	static char area[3000];
	struct xsk_umem_bounds u = { area, sizeof(area), 2500, 1 };
	int err = 1;

	(void)state;
	/* Crossing a 2048 boundary is fine in unaligned mode. */
	assert_int_equal(xsk_umem__check_desc(&u, 1000, 2000), XSK_DESC_OK);
	assert_int_equal(xsk_umem__check_desc(&u, 1000, 2001),
			 XSK_DESC_PAST_END);
	assert_int_equal(xsk_umem__check_desc(&u, 0, 2501), XSK_DESC_TOO_LONG);
	/* The offset in the top bits is added: 2990 + 20 = 3010. */
	assert_int_equal(xsk_umem__check_desc(&u, (20ULL << 48) | 2990, 0),
			 XSK_DESC_OUTSIDE);
	assert_int_equal(xsk_umem__check_desc(&u, (10ULL << 48) | 2980, 10),
			 XSK_DESC_OK);
	assert_ptr_equal(xsk_umem__get_data_checked(&u, (10ULL << 48) | 2980,
						    10, &err),
			 area + 2990);
	assert_int_equal(err, XSK_DESC_OK);
	assert_null(
		xsk_umem__get_data_checked(&u, (10ULL << 48) | 2980, 11, &err));
	assert_int_equal(err, XSK_DESC_PAST_END);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_fill_empty_full),
		cmocka_unit_test(test_tx_empty_full),
		cmocka_unit_test(test_fill_cancel_partial),
		cmocka_unit_test(test_tx_cancel_partial),
		cmocka_unit_test(test_fill_reserve_range),
		cmocka_unit_test(test_tx_reserve_range),
		cmocka_unit_test(test_fill_reserve_range_stale),
		cmocka_unit_test(test_tx_reserve_range_stale),
		cmocka_unit_test(test_prod_cached_cons),
		cmocka_unit_test(test_fill_wrap),
		cmocka_unit_test(test_tx_wrap),
		cmocka_unit_test(test_needs_wakeup),
		cmocka_unit_test(test_rx_partial),
		cmocka_unit_test(test_comp_partial),
		cmocka_unit_test(test_cons_cached_prod),
		cmocka_unit_test(test_rx_wrap),
		cmocka_unit_test(test_comp_wrap),
		cmocka_unit_test(test_umem_addr),
		cmocka_unit_test(test_check_desc_aligned),
		cmocka_unit_test(test_check_desc_unaligned),
		cmocka_unit_test(test_rx_prefetch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
