// SPDX-License-Identifier: MIT
/*
 * The frame allocator (<xsk/frames.h>, src/frames.c): set-up errors,
 * exhausting and refilling it, masking, double frees and foreign addresses
 * in debug mode, and the bulk moves to the fill ring and from the
 * completion ring across the ring's wrap, against the fake kernel of
 * fakering.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <xsk.h>
#include <xsk/frames.h>
#include "fakering.h"

static void test_init_errors(void **state)
{
	struct xsk_frames f, zero;

	(void)state;
	memset(&f, 0x77, sizeof(f));
	memcpy(&zero, &f, sizeof(f));
	assert_int_equal(xsk_frames_init(NULL, 0, 4096, 8, 0), -EINVAL);
	assert_int_equal(xsk_frames_init(&f, 0, 4096, 8, 1u << 7), -EINVAL);
	assert_non_null(strstr(xsk_errmsg(), "unknown flags"));
	assert_int_equal(xsk_frames_init(&f, 0, 4096, 0, 0), -EINVAL);
	assert_int_equal(xsk_frames_init(&f, 0, 0, 8, 0), -EINVAL);
	assert_int_equal(xsk_frames_init(&f, 0, 3000, 8, 0), -EINVAL);
	assert_non_null(strstr(xsk_errmsg(), "power of two"));
	assert_int_equal(xsk_frames_init(&f, 2048, 4096, 8, 0), -EINVAL);
	assert_int_equal(xsk_frames_init(&f, UINT64_MAX - 4095, 4096, 2, 0),
			 -EINVAL);
	assert_int_equal(xsk_frames_init(&f, (1ULL << 48) - 3000, 3000, 2,
					 XSK_FRAMES_UNALIGNED),
			 -EINVAL);
	assert_non_null(strstr(xsk_errmsg(), "48 bits"));
	/* Untouched on failure. */
	assert_memory_equal(&f, &zero, sizeof(f));
	/* Unaligned mode takes any size and base. */
	assert_int_equal(
		xsk_frames_init(&f, 100, 3000, 2, XSK_FRAMES_UNALIGNED), 0);
	assert_int_equal(xsk_frames_alloc(&f), 100);
	assert_int_equal(xsk_frames_alloc(&f), 3100);
	xsk_frames_destroy(&f);
	assert_null(f.stack);
	xsk_frames_destroy(NULL);
}

static void exhaust_refill(uint32_t flags)
{
	const uint32_t n = 100, fs = 2048;
	const uint64_t base = 8 * fs;
	struct xsk_frames f;
	uint64_t got[100];
	unsigned char seen[100];

	assert_int_equal(xsk_frames_init(&f, base, fs, n, flags), 0);
	assert_int_equal(xsk_frames_nfree(&f), n);
	/* Exhaust: lowest address first, each frame once. */
	for (uint32_t i = 0; i < n; i++) {
		got[i] = xsk_frames_alloc(&f);
		assert_int_equal(got[i], base + (uint64_t)i * fs);
	}
	assert_int_equal(xsk_frames_nfree(&f), 0);
	assert_int_equal(xsk_frames_alloc(&f), XSK_FRAMES_NONE);
	assert_int_equal(xsk_frames_alloc(&f), XSK_FRAMES_NONE);
	/* Refill in a scrambled order, with an offset inside the frame as
	 * an RX descriptor would carry (aligned mode masks it off). */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = got[(i * 37) % n];

		if (!(flags & XSK_FRAMES_UNALIGNED))
			a += 256 + i;
		assert_int_equal(xsk_frames_free(&f, a), XSK_FRAMES_OK);
	}
	assert_int_equal(xsk_frames_nfree(&f), n);
	/* One more is one too many. */
	assert_int_not_equal(xsk_frames_free(&f, base), XSK_FRAMES_OK);
	assert_int_equal(xsk_frames_nfree(&f), n);
	/* Last freed comes out first, and every frame comes back once. */
	memset(seen, 0, sizeof(seen));
	assert_int_equal(xsk_frames_alloc(&f), got[((n - 1) * 37) % n]);
	seen[((n - 1) * 37) % n] = 1;
	for (uint32_t i = 1; i < n; i++) {
		uint64_t a = xsk_frames_alloc(&f);

		assert_true(a >= base && a < base + (uint64_t)n * fs);
		assert_int_equal((a - base) % fs, 0);
		assert_false(seen[(a - base) / fs]);
		seen[(a - base) / fs] = 1;
	}
	assert_int_equal(xsk_frames_alloc(&f), XSK_FRAMES_NONE);
	xsk_frames_destroy(&f);
}

static void test_exhaust_refill(void **state)
{
	(void)state;
	exhaust_refill(0);
}

static void test_exhaust_refill_debug(void **state)
{
	(void)state;
	exhaust_refill(XSK_FRAMES_DEBUG);
}

static void test_exhaust_refill_unaligned(void **state)
{
	(void)state;
	exhaust_refill(XSK_FRAMES_UNALIGNED | XSK_FRAMES_DEBUG);
}

static void test_overflow_without_debug(void **state)
{
	struct xsk_frames f;
	uint64_t a;

	(void)state;
	assert_int_equal(xsk_frames_init(&f, 0, 4096, 4, 0), 0);
	a = xsk_frames_alloc(&f);
	assert_int_equal(xsk_frames_free(&f, a), XSK_FRAMES_OK);
	/* Without debug, a double free is seen only when it overflows. */
	assert_int_equal(xsk_frames_free(&f, a), XSK_FRAMES_OVERFLOW);
	assert_int_equal(xsk_frames_nfree(&f), 4);
	assert_int_equal(f.nbad, 0);
	xsk_frames_destroy(&f);
}

static void test_debug_double_free(void **state)
{
	struct xsk_frames f;
	uint64_t a, b;

	(void)state;
	assert_int_equal(xsk_frames_init(&f, 0, 4096, 8, XSK_FRAMES_DEBUG), 0);
	a = xsk_frames_alloc(&f);
	b = xsk_frames_alloc(&f);
	assert_int_equal(xsk_frames_free(&f, a + 100), XSK_FRAMES_OK);
	/* The same frame again, through another address inside it. */
	assert_int_equal(xsk_frames_free(&f, a + 200), XSK_FRAMES_DOUBLE_FREE);
	assert_int_equal(f.nbad, 1);
	assert_int_equal(f.last_bad_addr, a + 200);
	assert_int_equal(f.last_err, XSK_FRAMES_DOUBLE_FREE);
	assert_int_equal(xsk_frames_nfree(&f), 7);
	/* A frame that was never handed out is free already. */
	assert_int_equal(xsk_frames_free(&f, 7 * 4096), XSK_FRAMES_DOUBLE_FREE);
	assert_int_equal(f.nbad, 2);
	/* b is in use: fine; then again: caught. */
	assert_int_equal(xsk_frames_free(&f, b), XSK_FRAMES_OK);
	assert_int_equal(xsk_frames_free(&f, b), XSK_FRAMES_DOUBLE_FREE);
	assert_int_equal(xsk_frames_nfree(&f), 8);
	/* Handed out again, it may be freed again. */
	assert_int_equal(xsk_frames_alloc(&f), b);
	assert_int_equal(xsk_frames_free(&f, b), XSK_FRAMES_OK);
	assert_int_equal(f.nbad, 3);
	xsk_frames_destroy(&f);
}

static void test_debug_foreign(void **state)
{
	struct xsk_frames f;

	(void)state;
	assert_int_equal(
		xsk_frames_init(&f, 4 * 2048, 2048, 4, XSK_FRAMES_DEBUG), 0);
	for (int i = 0; i < 4; i++)
		xsk_frames_alloc(&f);
	/* Below the first frame, past the last, far away. */
	assert_int_equal(xsk_frames_free(&f, 3 * 2048), XSK_FRAMES_FOREIGN);
	assert_int_equal(xsk_frames_free(&f, 8 * 2048), XSK_FRAMES_FOREIGN);
	assert_int_equal(xsk_frames_free(&f, UINT64_MAX), XSK_FRAMES_FOREIGN);
	assert_int_equal(f.nbad, 3);
	assert_int_equal(f.last_bad_addr, UINT64_MAX);
	assert_int_equal(f.last_err, XSK_FRAMES_FOREIGN);
	assert_int_equal(xsk_frames_nfree(&f), 0);
	assert_int_equal(xsk_frames_free(&f, 7 * 2048 + 2047), XSK_FRAMES_OK);
	xsk_frames_destroy(&f);

	/* Unaligned: only a frame's start (offset bits are ignored). */
	assert_int_equal(xsk_frames_init(&f, 0, 3000, 4,
					 XSK_FRAMES_UNALIGNED |
						 XSK_FRAMES_DEBUG),
			 0);
	for (int i = 0; i < 4; i++)
		xsk_frames_alloc(&f);
	assert_int_equal(xsk_frames_free(&f, 3001), XSK_FRAMES_FOREIGN);
	assert_int_equal(xsk_frames_free(&f, 12000), XSK_FRAMES_FOREIGN);
	assert_int_equal(xsk_frames_free(&f, (256ULL << 48) | 3000),
			 XSK_FRAMES_OK);
	assert_int_equal(xsk_frames_alloc(&f), 3000);
	xsk_frames_destroy(&f);
}

/* Bulk fill across the wrap of the ring slots and of the 32-bit index. */
static void bulk_fill(uint32_t flags)
{
	const uint32_t fs = 4096, n = 20;
	struct fake_ring fr;
	struct xsk_ring_prod fill;
	struct xsk_frames f;
	uint64_t expect = 0; /* frames come out lowest first */
	unsigned int rounds = 0;

	fake_ring_init(&fr, 8, 8, UINT32_MAX - 5);
	xsk_ring_prod__init(&fill, fr.map, &fr.off, 8);
	assert_int_equal(xsk_frames_init(&f, 0, fs, n, flags), 0);

	/* 5 at a time into an 8-slot ring: runs split at the slot wrap. */
	while (xsk_frames_nfree(&f)) {
		uint32_t before = xsk_frames_nfree(&f), got;
		uint32_t want = before < 5 ? before : 5;

		got = xsk_frames_fill(&f, &fill, 5);
		assert_int_equal(got, want);
		assert_int_equal(xsk_frames_nfree(&f), before - got);
		assert_int_equal(fake_pending(&fr), got);
		for (uint32_t i = 0; i < got; i++) {
			__u64 a;

			assert_int_equal(fake_consume(&fr, &a), 1);
			/* A batch comes from the top of the stack. */
			assert_int_equal(a, (expect + got - 1 - i) * fs);
		}
		expect += got;
		rounds++;
	}
	assert_int_equal(expect, n);
	assert_int_equal(rounds, 4);
	assert_true(fake_prod(&fr) < 100); /* the index wrapped */
	assert_int_equal(xsk_frames_fill(&f, &fill, 5), 0); /* none free */

	/* A ring with less room than asked for. */
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(xsk_frames_free(&f, (uint64_t)i * fs), 0);
	assert_int_equal(xsk_frames_fill(&f, &fill, 6), 6);
	assert_int_equal(xsk_frames_fill(&f, &fill, 6), 2);
	assert_int_equal(xsk_frames_fill(&f, &fill, 6), 0);
	assert_int_equal(xsk_frames_nfree(&f), 2);
	assert_int_equal(fake_pending(&fr), 8);
	xsk_frames_destroy(&f);
	fake_ring_fini(&fr);
}

static void test_bulk_fill(void **state)
{
	(void)state;
	bulk_fill(0);
}

static void test_bulk_fill_debug(void **state)
{
	(void)state;
	bulk_fill(XSK_FRAMES_DEBUG);
}

/* Bulk completion across the wrap, with addresses that need masking. */
static void bulk_complete(uint32_t flags)
{
	const uint32_t fs = 2048, n = 32;
	struct fake_ring fr;
	struct xsk_ring_cons comp;
	struct xsk_frames f;
	uint64_t sent[32];

	fake_ring_init(&fr, 16, 8, UINT32_MAX - 9);
	xsk_ring_cons__init(&comp, fr.map, &fr.off, 16);
	assert_int_equal(xsk_frames_init(&f, 0, fs, n, flags), 0);

	for (uint32_t round = 0; round < 4; round++) {
		uint32_t got;

		/* "Send" 12 frames; the kernel completes them with an
		 * offset inside the frame, as a TX from base + headroom. */
		for (uint32_t i = 0; i < 12; i++) {
			__u64 a;

			sent[i] = xsk_frames_alloc(&f);
			assert_int_not_equal(sent[i], XSK_FRAMES_NONE);
			a = sent[i] + 64 + i;
			assert_int_equal(fake_produce(&fr, &a), 1);
		}
		assert_int_equal(xsk_frames_nfree(&f), n - 12);
		got = xsk_frames_complete(&f, &comp, 5);
		assert_int_equal(got, 5);
		got = xsk_frames_complete(&f, &comp, 64);
		assert_int_equal(got, 7);
		assert_int_equal(xsk_frames_complete(&f, &comp, 64), 0);
		assert_int_equal(fake_room(&fr), 16); /* all released */
		assert_int_equal(xsk_frames_nfree(&f), n);
		/* Pushed in completion order: the last completed is on top,
		 * masked to its frame's base. */
		assert_int_equal(xsk_frames_alloc(&f), sent[11]);
		assert_int_equal(xsk_frames_alloc(&f), sent[10]);
		assert_int_equal(xsk_frames_free(&f, sent[10]), 0);
		assert_int_equal(xsk_frames_free(&f, sent[11]), 0);
	}
	assert_true(fake_cons(&fr) < 100); /* the index wrapped */
	assert_int_equal(f.nbad, 0);
	xsk_frames_destroy(&f);
	fake_ring_fini(&fr);
}

static void test_bulk_complete(void **state)
{
	(void)state;
	bulk_complete(0);
}

static void test_bulk_complete_debug(void **state)
{
	(void)state;
	bulk_complete(XSK_FRAMES_DEBUG);
}

/* The allocator never takes more than it has frames in use. */
static void test_complete_bounded(void **state)
{
	struct fake_ring fr;
	struct xsk_ring_cons comp;
	struct xsk_frames f;
	__u64 a = 0;

	(void)state;
	fake_ring_init(&fr, 8, 8, 0);
	xsk_ring_cons__init(&comp, fr.map, &fr.off, 8);
	assert_int_equal(xsk_frames_init(&f, 0, 4096, 4, 0), 0);
	xsk_frames_alloc(&f);
	for (int i = 0; i < 3; i++)
		assert_int_equal(fake_produce(&fr, &a), 1);
	assert_int_equal(xsk_frames_complete(&f, &comp, 8), 1);
	assert_int_equal(xsk_frames_nfree(&f), 4);
	assert_int_equal(xsk_frames_complete(&f, &comp, 8), 0);
	assert_int_equal(fake_room(&fr), 6); /* two left in the ring */
	xsk_frames_destroy(&f);
	fake_ring_fini(&fr);
}

/* Debug mode checks completions one by one and drops bad ones. */
static void test_complete_debug_bad(void **state)
{
	struct fake_ring fr;
	struct xsk_ring_cons comp;
	struct xsk_frames f;
	__u64 a;

	(void)state;
	fake_ring_init(&fr, 8, 8, UINT32_MAX);
	xsk_ring_cons__init(&comp, fr.map, &fr.off, 8);
	assert_int_equal(xsk_frames_init(&f, 0, 4096, 4, XSK_FRAMES_DEBUG), 0);
	a = xsk_frames_alloc(&f);
	assert_int_equal(xsk_frames_alloc(&f), 4096);
	assert_int_equal(fake_produce(&fr, &a), 1);
	a = 1ULL << 40; /* foreign */
	assert_int_equal(fake_produce(&fr, &a), 1);
	a = 0; /* double */
	assert_int_equal(fake_produce(&fr, &a), 1);
	assert_int_equal(xsk_frames_complete(&f, &comp, 8), 2);
	assert_int_equal(f.nbad, 1);
	assert_int_equal(f.last_err, XSK_FRAMES_FOREIGN);
	assert_int_equal(xsk_frames_nfree(&f), 3);
	/* The third completion is beyond the one frame still in use. */
	assert_int_equal(xsk_frames_complete(&f, &comp, 8), 1);
	assert_int_equal(f.nbad, 2);
	assert_int_equal(f.last_err, XSK_FRAMES_DOUBLE_FREE);
	assert_int_equal(xsk_frames_nfree(&f), 3);
	assert_int_equal(fake_room(&fr), 8);
	xsk_frames_destroy(&f);
	fake_ring_fini(&fr);
}

/* One frame at a time (@max 1, its own path): the same results as a
 * batch, across the index wrap; nothing moves when nothing is free, the
 * ring is full or nothing is in use; completions masked (or, in debug
 * mode, checked: a foreign address is dropped and counted). */
static void single_frames(uint32_t flags)
{
	const uint32_t fs = 2048;
	struct fake_ring fr, cr;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_frames f;
	__u64 a;

	fake_ring_init(&fr, 4, 8, UINT32_MAX - 2);
	fake_ring_init(&cr, 4, 8, UINT32_MAX - 1);
	xsk_ring_prod__init(&fill, fr.map, &fr.off, 4);
	xsk_ring_cons__init(&comp, cr.map, &cr.off, 4);
	assert_int_equal(xsk_frames_init(&f, 0, fs, 6, flags), 0);
	/* nothing in use: the completion waiting there is left alone */
	a = 0;
	assert_int_equal(fake_produce(&cr, &a), 1);
	assert_int_equal(xsk_frames_complete(&f, &comp, 1), 0);
	assert_int_equal(fake_room(&cr), 3);
	/* four fit the ring, lowest frame first; the fifth finds it full */
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(xsk_frames_fill(&f, &fill, 1), 1);
	assert_int_equal(xsk_frames_fill(&f, &fill, 1), 0);
	assert_int_equal(xsk_frames_nfree(&f), 2);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(fake_consume(&fr, &a), 1);
		assert_int_equal(a, (__u64)i * fs);
	}
	assert_true(fake_prod(&fr) < 10); /* the index wrapped */
	/* back one at a time (frame 0 first, waiting since), with offsets:
	 * masked to the frame */
	a = 1 * fs + 100;
	assert_int_equal(fake_produce(&cr, &a), 1);
	a = 3 * fs + 7;
	assert_int_equal(fake_produce(&cr, &a), 1);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(xsk_frames_complete(&f, &comp, 1), 1);
	assert_int_equal(xsk_frames_complete(&f, &comp, 1), 0);
	assert_int_equal(fake_room(&cr), 4);
	assert_int_equal(xsk_frames_nfree(&f), 5);
	assert_int_equal(xsk_frames_alloc(&f), 3 * fs);
	assert_int_equal(xsk_frames_alloc(&f), 1 * fs);
	assert_int_equal(xsk_frames_alloc(&f), 0);
	if (flags & XSK_FRAMES_DEBUG) {
		a = 1ULL << 40; /* foreign */
		assert_int_equal(fake_produce(&cr, &a), 1);
		assert_int_equal(xsk_frames_complete(&f, &comp, 1), 1);
		assert_int_equal(f.nbad, 1);
		assert_int_equal(f.last_err, XSK_FRAMES_FOREIGN);
		assert_int_equal(xsk_frames_nfree(&f), 2);
		assert_int_equal(fake_room(&cr), 4);
	}
	/* none free: nothing taken from the ring */
	while (xsk_frames_nfree(&f))
		xsk_frames_alloc(&f);
	assert_int_equal(xsk_frames_fill(&f, &fill, 1), 0);
	assert_int_equal(fake_pending(&fr), 0);
	xsk_frames_destroy(&f);
	fake_ring_fini(&fr);
	fake_ring_fini(&cr);
}

static void test_single_frames(void **state)
{
	(void)state;
	single_frames(0);
}

static void test_single_frames_debug(void **state)
{
	(void)state;
	single_frames(XSK_FRAMES_DEBUG);
}

/* Random batch sizes through both bulk copies (short runs, the 4/2/1
 * tails, the memcpy() path for long runs, splits at the ring's wrap),
 * checked against a model of the stack. */
static void test_bulk_random(void **state)
{
	enum { NF = 600, RS = 256 };
	static uint64_t model[NF], in_use[NF], expect[NF];
	struct fake_ring fr, cr;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_frames f;
	uint32_t seed = 12345, top = NF, nused = 0;

	(void)state;
	fake_ring_init(&fr, RS, 8, UINT32_MAX - 77);
	fake_ring_init(&cr, RS, 8, UINT32_MAX - 300);
	xsk_ring_prod__init(&fill, fr.map, &fr.off, RS);
	xsk_ring_cons__init(&comp, cr.map, &cr.off, RS);
	assert_int_equal(xsk_frames_init(&f, 0, 2048, NF, 0), 0);
	for (uint32_t i = 0; i < NF; i++)
		model[i] = (uint64_t)(NF - 1 - i) * 2048;

	for (int round = 0; round < 2000; round++) {
		uint32_t want, got, k;

		seed = seed * 1103515245u + 12345u;
		want = (seed >> 16) % 200;
		got = xsk_frames_fill(&f, &fill, want);
		k = want < top ? want : top;
		if (k > RS)
			k = RS;
		assert_int_equal(got, k);
		/* The kernel takes them: the model's top slice, in order. */
		for (uint32_t i = 0; i < got; i++) {
			__u64 a = 0;

			assert_int_equal(fake_consume(&fr, &a), 1);
			assert_int_equal(a, model[top - got + i]);
			in_use[nused++] = a;
		}
		top -= got;
		assert_int_equal(xsk_frames_nfree(&f), top);

		/* Some come back as completions, with offsets. */
		k = nused ? (seed >> 8) % (nused + 1) : 0;
		if (k > fake_room(&cr))
			k = fake_room(&cr);
		for (uint32_t i = 0; i < k; i++) {
			__u64 a = in_use[--nused];

			expect[i] = a;
			a += (seed + i) % 2048;
			assert_int_equal(fake_produce(&cr, &a), 1);
		}
		/* Taken in one or more calls; pushed in completion order,
		 * masked to the frame base. */
		for (uint32_t done = 0; done < k; done += got) {
			want = (seed >> 4) % 300 + 1;
			got = xsk_frames_complete(&f, &comp, want);
			assert_int_equal(got,
					 want < k - done ? want : k - done);
			for (uint32_t i = 0; i < got; i++) {
				assert_int_equal(f.stack[top + i],
						 expect[done + i]);
				model[top + i] = expect[done + i];
			}
			top += got;
			assert_int_equal(xsk_frames_nfree(&f), top);
		}
		assert_int_equal(fake_pending(&cr), 0);
		assert_int_equal(top + nused, NF);
	}
	assert_true(fake_prod(&fr) < UINT32_MAX - 77); /* wrapped */
	xsk_frames_destroy(&f);
	fake_ring_fini(&fr);
	fake_ring_fini(&cr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_exhaust_refill),
		cmocka_unit_test(test_exhaust_refill_debug),
		cmocka_unit_test(test_exhaust_refill_unaligned),
		cmocka_unit_test(test_overflow_without_debug),
		cmocka_unit_test(test_debug_double_free),
		cmocka_unit_test(test_debug_foreign),
		cmocka_unit_test(test_bulk_fill),
		cmocka_unit_test(test_bulk_fill_debug),
		cmocka_unit_test(test_bulk_complete),
		cmocka_unit_test(test_bulk_complete_debug),
		cmocka_unit_test(test_complete_bounded),
		cmocka_unit_test(test_complete_debug_bad),
		cmocka_unit_test(test_single_frames),
		cmocka_unit_test(test_single_frames_debug),
		cmocka_unit_test(test_bulk_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
