/* SPDX-License-Identifier: MIT */
/*
 * libxsk frame allocator: which UMEM frames are free, as a stack of frame
 * addresses. Allocating and freeing a frame is O(1); the bulk helpers move
 * a batch between the allocator and the fill or completion ring with one
 * contiguous copy, or two when the batch wraps around the ring's end, not
 * one ring helper call per frame.
 *
 * The fast paths are static inline here; xsk_frames_init() and
 * xsk_frames_destroy(), which allocate, are in the library and declared in
 * <xsk.h>. This header stands alone (C11 and C++) like <xsk/ring.h>.
 *
 * One allocator serves one thread: nothing here is thread-safe. Typical
 * use, aligned mode:
 *
 *	struct xsk_frames fr;
 *	xsk_frames_init(&fr, 0, frame_size, nframes, 0);
 *	xsk_frames_fill(&fr, fill, fill->size);      (prime the fill ring)
 *	loop:
 *		rx: process, then xsk_frames_free(&fr, desc->addr)
 *		tx: addr = xsk_frames_alloc(&fr), write, put on the TX ring
 *		xsk_frames_complete(&fr, comp, 64);       (sent frames back)
 *		xsk_frames_fill(&fr, fill, 64);           (keep RX supplied)
 *	xsk_frames_destroy(&fr);
 */
#ifndef LIBXSK_FRAMES_H
#define LIBXSK_FRAMES_H

#include <stdint.h>
#include <string.h>
#include <xsk/ring.h>

#ifdef __cplusplus
extern "C" {
#endif

/* xsk_frames_init() flags */
/* The UMEM is in unaligned chunk mode: addresses are reduced to their
 * low 48 bits (xsk_umem__extract_addr()) instead of the chunk base. */
#define XSK_FRAMES_UNALIGNED (1u << 0)
/* Check every address freed: double frees and addresses that are not
 * frames of this allocator are refused and recorded (see struct
 * xsk_frames). Costs a bitmap of one bit per frame and a few instructions
 * per frame. */
#define XSK_FRAMES_DEBUG (1u << 1)

/* What xsk_frames_alloc() returns when no frame is free. */
#define XSK_FRAMES_NONE UINT64_MAX

/* Why a free was refused (0 = accepted). */
enum xsk_frames_err {
	XSK_FRAMES_OK = 0,
	/* XSK_FRAMES_DEBUG: the address is not a frame of this allocator
	 * (outside its range, or, in unaligned mode, not a frame's start). */
	XSK_FRAMES_FOREIGN = -1,
	/* XSK_FRAMES_DEBUG: the frame is already free. */
	XSK_FRAMES_DOUBLE_FREE = -2,
	/* More frames freed than exist: without XSK_FRAMES_DEBUG, the only
	 * sign of a double free that the allocator can see. */
	XSK_FRAMES_OVERFLOW = -3,
};

/**
 * struct xsk_frames - a stack of free UMEM frame addresses
 * @stack: the free addresses; the top of the stack is @stack[@nfree - 1]
 * @nfree: how many frames are free
 * @nframes: how many frames the allocator manages
 * @addr_mask: what an address is ANDed with when it comes back: the chunk
 *	base in aligned mode, the low 48 bits in unaligned mode
 * @base: the address of the first frame
 * @frame_size: bytes per frame
 * @flags: XSK_FRAMES_* flags given to xsk_frames_init()
 * @free_map: XSK_FRAMES_DEBUG only (NULL otherwise): bit i is set while
 *	frame i is free
 * @nbad: XSK_FRAMES_DEBUG: how many frees were refused
 * @last_bad_addr: XSK_FRAMES_DEBUG: the last refused address, as given
 * @last_err: XSK_FRAMES_DEBUG: why it was refused (enum xsk_frames_err)
 *
 * Set up by xsk_frames_init(); read the members freely, change them only
 * through the functions here.
 */
struct xsk_frames {
	__u64 *stack;
	__u32 nfree;
	__u32 nframes;
	__u64 addr_mask;
	__u64 base;
	__u32 frame_size;
	__u32 flags;
	__u64 *free_map;
	__u64 nbad;
	__u64 last_bad_addr;
	int last_err;
};

/* ---------------------------------------------- debug checks (internal) */

/* The frame index of a masked address, or a negative enum xsk_frames_err. */
static inline long xsk__frames_index(const struct xsk_frames *f, __u64 addr)
{
	__u64 off = addr - f->base;

	if (addr < f->base || off % f->frame_size ||
	    off / f->frame_size >= f->nframes)
		return XSK_FRAMES_FOREIGN;
	return (long)(off / f->frame_size);
}

static inline int xsk__frames_refuse(struct xsk_frames *f, __u64 addr, int err)
{
	f->nbad++;
	f->last_bad_addr = addr;
	f->last_err = err;
	return err;
}

/* A masked address is coming back: may it? Marks it free if so. */
static inline int xsk__frames_debug_put(struct xsk_frames *f, __u64 addr)
{
	long i = xsk__frames_index(f, addr);
	__u64 bit;

	if (i < 0)
		return (int)i;
	bit = 1ULL << (i % 64);
	if (f->free_map[i / 64] & bit)
		return XSK_FRAMES_DOUBLE_FREE;
	f->free_map[i / 64] |= bit;
	return XSK_FRAMES_OK;
}

/* Frames leave the stack: mark them in use. */
static inline void xsk__frames_debug_take(struct xsk_frames *f,
					  const __u64 *addrs, __u32 n)
{
	for (__u32 k = 0; k < n; k++) {
		long i = xsk__frames_index(f, addrs[k]);

		if (i >= 0)
			f->free_map[i / 64] &= ~(1ULL << (i % 64));
	}
}

/* ------------------------------------------------------- single frames */

/**
 * xsk_frames_nfree() - how many frames are free
 * @f: the allocator
 *
 * Return: the number of frames xsk_frames_alloc() can hand out now.
 */
static inline __u32 xsk_frames_nfree(const struct xsk_frames *f)
{
	return f->nfree;
}

/**
 * xsk_frames_alloc() - take a free frame
 * @f: the allocator
 *
 * Return: the frame's UMEM address (its first byte), or XSK_FRAMES_NONE
 * if no frame is free.
 */
static inline __u64 xsk_frames_alloc(struct xsk_frames *f)
{
	__u64 addr;

	if (f->nfree == 0)
		return XSK_FRAMES_NONE;
	addr = f->stack[--f->nfree];
	if (f->free_map)
		xsk__frames_debug_take(f, &addr, 1);
	return addr;
}

/**
 * xsk_frames_free() - give a frame back
 * @f: the allocator
 * @addr: any address inside the frame in aligned mode (an RX descriptor's
 *	address, which includes headroom, will do: it is masked to the
 *	chunk base); in unaligned mode the frame's start address, with or
 *	without offset bits in the top 16 bits
 *
 * Return: XSK_FRAMES_OK (0), or a negative enum xsk_frames_err value:
 * XSK_FRAMES_OVERFLOW if every frame is already free; with
 * XSK_FRAMES_DEBUG also XSK_FRAMES_FOREIGN and XSK_FRAMES_DOUBLE_FREE.
 * A refused address is not added (and, in debug mode, is counted in
 * @f->nbad).
 */
static inline int xsk_frames_free(struct xsk_frames *f, __u64 addr)
{
	__u64 a = addr & f->addr_mask;

	if (f->free_map) {
		int err = xsk__frames_debug_put(f, a);

		if (err)
			return xsk__frames_refuse(f, addr, err);
	}
	if (f->nfree >= f->nframes)
		return XSK_FRAMES_OVERFLOW;
	f->stack[f->nfree++] = a;
	return XSK_FRAMES_OK;
}

/* --------------------------------------------------------- bulk moves */

/*
 * The bulk copies. Two addresses at a time through a 16-byte vector
 * (GCC/Clang vector extension, lowered to whatever the target has; only
 * 8-byte alignment is assumed), eight per loop turn, and the last 0-7
 * without a loop. Written out rather than left to memcpy() because batches
 * are short and a call costs more than it saves on them (gcc turns even a
 * plain short copy loop into a memmove() call), and because compilers at
 * -O2 do not all vectorize the masking loop by themselves.
 */
typedef __u64 xsk__u64x2
	__attribute__((vector_size(16), aligned(8), may_alias));

#define XSK__LD(p) (*(const xsk__u64x2 *)(const void *)(p))
#define XSK__ST(p) (*(xsk__u64x2 *)(void *)(p))

/* dst[i] = src[i] & mask for one contiguous run. */
static inline void xsk__frames_copy_masked(__u64 *__restrict dst,
					   const __u64 *__restrict src, __u32 n,
					   __u64 mask)
{
	const xsk__u64x2 m = { mask, mask };
	const __u64 *end = src + (n & ~7u);

	for (; src != end; src += 8, dst += 8) {
		XSK__ST(dst) = XSK__LD(src) & m;
		XSK__ST(dst + 2) = XSK__LD(src + 2) & m;
		XSK__ST(dst + 4) = XSK__LD(src + 4) & m;
		XSK__ST(dst + 6) = XSK__LD(src + 6) & m;
	}
	/* The last 0-7 without a loop, which a compiler could turn into a
	 * call. */
	if (n & 4) {
		XSK__ST(dst) = XSK__LD(src) & m;
		XSK__ST(dst + 2) = XSK__LD(src + 2) & m;
		src += 4;
		dst += 4;
	}
	if (n & 2) {
		XSK__ST(dst) = XSK__LD(src) & m;
		src += 2;
		dst += 2;
	}
	if (n & 1)
		*dst = *src & mask;
}

/* dst[i] = src[i] for one contiguous run: memcpy() for long runs. */
static inline void xsk__frames_copy(__u64 *__restrict dst,
				    const __u64 *__restrict src, __u32 n)
{
	const __u64 *end = src + (n & ~7u);

	if (n >= 64) {
		memcpy(dst, src, (size_t)n * sizeof(*src));
		return;
	}
	for (; src != end; src += 8, dst += 8) {
		XSK__ST(dst) = XSK__LD(src);
		XSK__ST(dst + 2) = XSK__LD(src + 2);
		XSK__ST(dst + 4) = XSK__LD(src + 4);
		XSK__ST(dst + 6) = XSK__LD(src + 6);
	}
	if (n & 4) {
		XSK__ST(dst) = XSK__LD(src);
		XSK__ST(dst + 2) = XSK__LD(src + 2);
		src += 4;
		dst += 4;
	}
	if (n & 2) {
		XSK__ST(dst) = XSK__LD(src);
		src += 2;
		dst += 2;
	}
	if (n & 1)
		*dst = *src;
}

#undef XSK__LD
#undef XSK__ST

/* Batches shorter than this move one address at a time. */
#define XSK__FRAMES_SHORT 8

/**
 * xsk_frames_fill() - put free frames on the fill ring
 * @f: the allocator
 * @fill: the fill ring
 * @max: the most frames to move
 *
 * Moves as many frames as are free, fit in the ring and do not exceed
 * @max, in one reservation, two copies and one submit (@max 1: one frame,
 * with none of a batch's set-up).
 *
 * Return: the number of frames moved (0 if none is free or the ring is
 * full).
 */
static inline __u32 xsk_frames_fill(struct xsk_frames *f,
				    struct xsk_ring_prod *fill, __u32 max)
{
	__u64 *ring = (__u64 *)fill->ring;
	const __u64 *src;
	__u32 n = f->nfree < max ? f->nfree : max;
	__u32 idx = fill->cached_prod, first, run;

	if (max == 1) {
		/* One frame: the ring helpers' own path, nothing to batch. */
		if (!n || !xsk_ring_prod__reserve(fill, 1, &idx))
			return 0;
		src = f->stack + --f->nfree;
		*xsk_ring_prod__fill_addr(fill, idx) = *src;
		if (__builtin_expect(f->free_map != NULL, 0))
			xsk__frames_debug_take(f, src, 1);
		xsk_ring_prod__submit(fill, 1);
		return 1;
	}
	if (fill->cached_cons - idx < n) {
		__u32 room = xsk_prod_nb_free(fill, n);

		if (room < n)
			n = room;
	}
	if (!n)
		return 0;
	fill->cached_prod = idx + n;
	f->nfree -= n;
	src = f->stack + f->nfree;
	if (n < XSK__FRAMES_SHORT) {
		/* A short batch costs no more than one ring helper call per
		 * frame would. */
		__u32 i = 0;

		do /* n is 1 or more */
			ring[(idx + i) & fill->mask] = src[i];
		while (++i < n);
	} else {
		first = idx & fill->mask;
		run = fill->size - first;
		if (run >= n) {
			xsk__frames_copy(ring + first, src, n);
		} else {
			/* The batch wraps around the end of the ring. */
			xsk__frames_copy(ring + first, src, run);
			xsk__frames_copy(ring, src + run, n - run);
		}
	}
	if (__builtin_expect(f->free_map != NULL, 0))
		xsk__frames_debug_take(f, src, n);
	xsk_ring_prod__submit(fill, n);
	return n;
}

/**
 * xsk_frames_complete() - take sent frames off the completion ring
 * @f: the allocator
 * @comp: the completion ring
 * @max: the most frames to take
 *
 * Takes up to @max completed addresses (never more than the allocator has
 * frames in use), masks each as xsk_frames_free() does, pushes them, and
 * releases the ring slots: one peek, two masked copies, one release (@max
 * 1: one frame, with none of a batch's set-up). With
 * XSK_FRAMES_DEBUG each address is checked, and refused ones are dropped
 * and counted in @f->nbad.
 *
 * Return: the number of completion ring entries consumed.
 */
static inline __u32 xsk_frames_complete(struct xsk_frames *f,
					struct xsk_ring_cons *comp, __u32 max)
{
	const __u64 *ring = (const __u64 *)comp->ring;
	__u32 nfree = f->nfree, in_use = f->nframes - nfree;
	__u32 n, idx = 0, first, run;
	__u64 *dst = f->stack + nfree;
	const __u64 mask = f->addr_mask;

	if (max == 1) {
		/* One frame: the ring helpers' own path, nothing to batch. */
		if (!in_use || !xsk_ring_cons__peek(comp, 1, &idx))
			return 0;
		if (__builtin_expect(f->free_map != NULL, 0))
			xsk_frames_free(f,
					*xsk_ring_cons__comp_addr(comp, idx));
		else
			f->stack[f->nfree++] =
				*xsk_ring_cons__comp_addr(comp, idx) & mask;
		xsk_ring_cons__release(comp, 1);
		return 1;
	}
	n = xsk_ring_cons__peek(comp, in_use < max ? in_use : max, &idx);
	if (!n)
		return 0;
	if (__builtin_expect(f->free_map != NULL, 0)) {
		for (__u32 i = 0; i < n; i++)
			xsk_frames_free(f, ring[(idx + i) & comp->mask]);
	} else {
		first = idx & comp->mask;
		run = comp->size - first;
		if (n < XSK__FRAMES_SHORT) {
			__u32 i = 0;

			do
				dst[i] = ring[(idx + i) & comp->mask] & mask;
			while (++i < n);
		} else if (run >= n) {
			xsk__frames_copy_masked(dst, ring + first, n, mask);
		} else {
			/* The batch wraps around the end of the ring. */
			xsk__frames_copy_masked(dst, ring + first, run, mask);
			xsk__frames_copy_masked(dst + run, ring, n - run, mask);
		}
		f->nfree = nfree + n;
	}
	xsk_ring_cons__release(comp, n);
	return n;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LIBXSK_FRAMES_H */
