/* SPDX-License-Identifier: MIT */
/*
 * libxsk data path: the four AF_XDP rings and their lock-free helpers.
 *
 * This header stands alone: it needs only <linux/if_xdp.h> and compiles as
 * C11 and C++. The helpers keep libxdp's names and meaning so that data-path
 * code written against libxdp's xsk.h compiles unchanged.
 */
#ifndef LIBXSK_RING_H
#define LIBXSK_RING_H

#include <stddef.h>
#include <stdint.h>
#include <linux/if_xdp.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A ring as seen from user space. The layout is frozen (a test checks it):
 * it is the same for the producer rings (fill, tx) and the consumer rings
 * (rx, completion), and matches libxdp's.
 *
 * @cached_prod, @cached_cons: private copies of the shared indices.
 * @mask: size - 1.  @size: number of entries, a power of two.
 * @producer, @consumer, @flags: the shared words in the mapped ring.
 * @ring: the first entry (u64 addresses or struct xdp_desc).
 */
struct xsk_ring_prod {
	uint32_t cached_prod;
	uint32_t cached_cons;
	uint32_t mask;
	uint32_t size;
	uint32_t *producer;
	uint32_t *consumer;
	void *ring;
	uint32_t *flags;
};

struct xsk_ring_cons {
	uint32_t cached_prod;
	uint32_t cached_cons;
	uint32_t mask;
	uint32_t size;
	uint32_t *producer;
	uint32_t *consumer;
	void *ring;
	uint32_t *flags;
};

/**
 * xsk_ring_prod__init() - wire a producer ring to its mapped memory
 * @r: the ring to fill in
 * @map: start of the ring's mapping
 * @off: the ring's offsets from XDP_MMAP_OFFSETS
 * @size: number of entries (a power of two)
 *
 * This is the one place a producer's cached indices are set: the cached
 * consumer is kept one ring size ahead, so that free space is a single
 * subtraction (cached_cons - cached_prod).
 */
static inline void xsk_ring_prod__init(struct xsk_ring_prod *r, void *map,
				       const struct xdp_ring_offset *off,
				       uint32_t size)
{
	char *base = (char *)map;

	r->producer = (uint32_t *)(void *)(base + off->producer);
	r->consumer = (uint32_t *)(void *)(base + off->consumer);
	r->flags = (uint32_t *)(void *)(base + off->flags);
	r->ring = base + off->desc;
	r->mask = size - 1;
	r->size = size;
	r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_RELAXED);
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_RELAXED) + size;
}

/**
 * xsk_ring_cons__init() - wire a consumer ring to its mapped memory
 * @r: the ring to fill in
 * @map: start of the ring's mapping
 * @off: the ring's offsets from XDP_MMAP_OFFSETS
 * @size: number of entries (a power of two)
 *
 * This is the one place a consumer's cached indices are set.
 */
static inline void xsk_ring_cons__init(struct xsk_ring_cons *r, void *map,
				       const struct xdp_ring_offset *off,
				       uint32_t size)
{
	char *base = (char *)map;

	r->producer = (uint32_t *)(void *)(base + off->producer);
	r->consumer = (uint32_t *)(void *)(base + off->consumer);
	r->flags = (uint32_t *)(void *)(base + off->flags);
	r->ring = base + off->desc;
	r->mask = size - 1;
	r->size = size;
	r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_RELAXED);
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_RELAXED);
}

/**
 * xsk_ring_prod__needs_wakeup() - does the kernel ask to be woken for @r?
 * @r: the fill or TX ring
 *
 * Return: non-zero when the kernel set XDP_RING_NEED_WAKEUP on the ring.
 */
static inline int xsk_ring_prod__needs_wakeup(const struct xsk_ring_prod *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) &
	       XDP_RING_NEED_WAKEUP;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LIBXSK_RING_H */
