/* SPDX-License-Identifier: MIT */
/*
 * libxsk data path: the four AF_XDP rings and their lock-free helpers.
 *
 * This header stands alone: it needs only <linux/if_xdp.h> and compiles as
 * C11 and C++. The helpers keep libxdp's names and meaning so that data-path
 * code written against libxdp's xsk.h compiles unchanged.
 *
 * The protocol
 * ------------
 * Each ring is single-producer single-consumer, shared between user space
 * and the kernel through a mapping. The producer and consumer indices are
 * free-running 32-bit counters that wrap at 2^32; the slot of index i is
 * i & mask. The ring holds (producer - consumer) entries, never more than
 * size.
 *
 *   ring         user space is   entries
 *   fill         producer        __u64 UMEM addresses to receive into
 *   tx           producer        struct xdp_desc to send
 *   rx           consumer        struct xdp_desc received
 *   completion   consumer        __u64 addresses the kernel has sent
 *
 * The kernel's net/xdp/xsk_queue.h labels the four ordering points:
 *
 *   producer                          consumer
 *   (A) read ->consumer               (C) load-acquire ->producer
 *       write the entries                 read the entries
 *   (B) store-release ->producer      (D) store-release ->consumer
 *
 * (B) pairs with (C): entries are visible before the index that publishes
 * them. (D) pairs with (A): the consumer has finished reading a slot
 * before the producer may see it as free and overwrite it. Here the user
 * space half of each pair is written out beside the code that performs it.
 * The kernel relies on a control dependency at (A); C has no such notion,
 * so user space uses a load-acquire there, which costs nothing on x86 and
 * one barrier-carrying load on weakly ordered machines.
 *
 * Cached indices
 * --------------
 * Each ring struct keeps private copies of both indices. A producer's
 * cached_cons is kept one ring size ahead of the real consumer index, so
 * that the free space is the single subtraction cached_cons - cached_prod.
 * A consumer's cached_prod is the last producer index it loaded. The shared
 * index of the other side is loaded only when the cached view holds fewer
 * entries (or free slots) than the caller asked for; this keeps the other
 * side's cache line where it is for as long as possible.
 *
 * need_wakeup and why there is no full fence
 * ------------------------------------------
 * A producer publishes entries (store-release of ->producer), then reads
 * ->flags to see whether the kernel wants a wake-up syscall. Store then
 * load to another address may be reordered by the CPU even with release
 * and acquire semantics; only a full fence (smp_mb) forbids it. A fence
 * would matter only if the kernel did the mirror image: store the flag,
 * full fence, then look at ->producer one last time before going idle
 * (the pattern io_uring's SQPOLL thread uses, where liburing does fence).
 * The AF_XDP kernel does not: xsk_set_{rx,tx}_need_wakeup() is a plain
 * store with no barrier, and drivers set the flag after they have already
 * looked at the ring and decided to stop (fill ring found empty, TX batch
 * done); in copy mode the TX flag is set at bind time and never cleared,
 * so every check asks for a wake-up. With the kernel's order "read
 * producer, then set flag", a user space fence cannot prevent this
 * interleaving, which is sequentially consistent:
 *
 *   kernel reads ->producer (old) and finds nothing to do
 *   user stores ->producer (new); [fence]; loads ->flags: clear
 *   kernel sets NEED_WAKEUP and goes idle
 *
 * So libxsk, like libxdp, uses no fence: it would cost a locked
 * instruction per submit and close no window. What guarantees progress is
 * that the flag, once set, stays set until the kernel is woken and runs
 * again. The caller must therefore check xsk_ring_prod__needs_wakeup()
 * again whenever it is about to wait while entries it produced are still
 * outstanding (TX descriptors not yet completed, or an RX path that has
 * stopped delivering), not only right after a submit that published
 * something: e.g. check it on every turn of the loop, or wait with poll(),
 * which wakes the driver itself.
 */
#ifndef LIBXSK_RING_H
#define LIBXSK_RING_H

#include <stddef.h>
#include <stdint.h>
#include <linux/if_xdp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Unaligned chunk mode (kernel 5.4): the top 16 bits of an address carry an
 * offset that the kernel adds to the low 48 bits. */
#ifndef XSK_UNALIGNED_BUF_OFFSET_SHIFT
#define XSK_UNALIGNED_BUF_OFFSET_SHIFT 48
#endif
#ifndef XSK_UNALIGNED_BUF_ADDR_MASK
#define XSK_UNALIGNED_BUF_ADDR_MASK \
	((1ULL << XSK_UNALIGNED_BUF_OFFSET_SHIFT) - 1)
#endif
#ifndef XDP_RING_NEED_WAKEUP
#define XDP_RING_NEED_WAKEUP (1 << 0)
#endif

/*
 * libxdp's default sizes, under libxdp's names, for data-path code that
 * sizes its rings, arrays or frame arithmetic by them. They equal libxsk's
 * own defaults (XSK_DEFAULT_RING_SIZE, XSK_DEFAULT_FRAME_SIZE, no
 * headroom) and are spelt token for token as libxdp's xsk.h spells them,
 * so that a second definition from elsewhere is a harmless duplicate.
 */
#ifndef XSK_RING_CONS__DEFAULT_NUM_DESCS
#define XSK_RING_CONS__DEFAULT_NUM_DESCS 2048
#endif
#ifndef XSK_RING_PROD__DEFAULT_NUM_DESCS
#define XSK_RING_PROD__DEFAULT_NUM_DESCS 2048
#endif
#ifndef XSK_UMEM__DEFAULT_FRAME_SHIFT
#define XSK_UMEM__DEFAULT_FRAME_SHIFT 12 /* 4096 bytes */
#endif
#ifndef XSK_UMEM__DEFAULT_FRAME_SIZE
#define XSK_UMEM__DEFAULT_FRAME_SIZE (1 << XSK_UMEM__DEFAULT_FRAME_SHIFT)
#endif
#ifndef XSK_UMEM__DEFAULT_FRAME_HEADROOM
#define XSK_UMEM__DEFAULT_FRAME_HEADROOM 0
#endif
#ifndef XSK_UMEM__DEFAULT_FLAGS
#define XSK_UMEM__DEFAULT_FLAGS 0
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
 *
 * Only the helpers below should touch the members. A ring struct may be
 * copied by value, as libxdp programs keep theirs inside their own
 * structs: the copy points into the same mapping and carries on from the
 * cached indices it was copied with. From then on use only the copy: two
 * structs in use for one ring would each count from their own cached
 * indices and hand out the same slots twice. See xsk_socket_rx() in
 * <xsk.h> for the rings libxsk hands out.
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

/* ------------------------------------------------------------ entries */

/**
 * xsk_ring_prod__fill_addr() - the fill ring slot of an index
 * @fill: the fill ring
 * @idx: an index from xsk_ring_prod__reserve() (plus 0 .. count - 1)
 *
 * Return: where to write the UMEM address for that slot.
 */
static inline __u64 *xsk_ring_prod__fill_addr(struct xsk_ring_prod *fill,
					      __u32 idx)
{
	__u64 *addrs = (__u64 *)fill->ring;

	return &addrs[idx & fill->mask];
}

/**
 * xsk_ring_prod__tx_desc() - the TX ring slot of an index
 * @tx: the TX ring
 * @idx: an index from xsk_ring_prod__reserve() (plus 0 .. count - 1)
 *
 * Return: the descriptor to fill in for that slot.
 */
static inline struct xdp_desc *xsk_ring_prod__tx_desc(struct xsk_ring_prod *tx,
						      __u32 idx)
{
	struct xdp_desc *descs = (struct xdp_desc *)tx->ring;

	return &descs[idx & tx->mask];
}

/**
 * xsk_ring_cons__rx_desc() - the RX ring slot of an index
 * @rx: the RX ring
 * @idx: an index from xsk_ring_cons__peek() (plus 0 .. count - 1)
 *
 * Return: the received descriptor in that slot. The kernel may reuse the
 * slot once the entry is released: copy what you need first.
 */
static inline const struct xdp_desc *
xsk_ring_cons__rx_desc(const struct xsk_ring_cons *rx, __u32 idx)
{
	const struct xdp_desc *descs = (const struct xdp_desc *)rx->ring;

	return &descs[idx & rx->mask];
}

/**
 * xsk_ring_cons__comp_addr() - the completion ring slot of an index
 * @comp: the completion ring
 * @idx: an index from xsk_ring_cons__peek() (plus 0 .. count - 1)
 *
 * Return: the completed UMEM address in that slot (as it was sent).
 */
static inline const __u64 *
xsk_ring_cons__comp_addr(const struct xsk_ring_cons *comp, __u32 idx)
{
	const __u64 *addrs = (const __u64 *)comp->ring;

	return &addrs[idx & comp->mask];
}

/* ----------------------------------------------------------- producer */

/**
 * xsk_prod_nb_free() - free slots in a producer ring
 * @r: the fill or TX ring
 * @nb: how many the caller wants
 *
 * Loads the kernel's consumer index only when the cached view shows fewer
 * than @nb free slots.
 *
 * Return: the number of free slots known now: at least @nb when the ring
 * has that many, possibly more than @nb.
 */
static inline __u32 xsk_prod_nb_free(struct xsk_ring_prod *r, __u32 nb)
{
	__u32 free_slots = r->cached_cons - r->cached_prod;

	if (free_slots >= nb)
		return free_slots;
	/* (A): pairs with the kernel consumer's store-release (D) of
	 * ->consumer, so the kernel is done reading the slots we are about
	 * to overwrite. Kept one ring size ahead: see the top of the file. */
	r->cached_cons =
		__atomic_load_n(r->consumer, __ATOMIC_ACQUIRE) + r->size;
	return r->cached_cons - r->cached_prod;
}

/**
 * xsk_ring_prod__reserve() - reserve exactly @nb slots
 * @prod: the fill or TX ring
 * @nb: number of slots
 * @idx: set to the first reserved index on success; untouched when fewer
 *	than @nb slots are free
 *
 * Write the entries at @idx .. @idx + @nb - 1 (xsk_ring_prod__fill_addr(),
 * xsk_ring_prod__tx_desc()), then publish them with xsk_ring_prod__submit()
 * or take the reservation back with xsk_ring_prod__cancel().
 *
 * Return: @nb, or 0 if fewer than @nb slots are free (nothing reserved).
 */
static inline __u32 xsk_ring_prod__reserve(struct xsk_ring_prod *prod, __u32 nb,
					   __u32 *idx)
{
	if (xsk_prod_nb_free(prod, nb) < nb)
		return 0;
	*idx = prod->cached_prod;
	prod->cached_prod += nb;
	return nb;
}

/**
 * xsk_ring_prod__reserve_range() - reserve at least @min, at most @max slots
 * @prod: the fill or TX ring
 * @min: the fewest slots worth having; taken as @max when above it, and as
 *	1 when 0 (an empty reservation is no reservation)
 * @max: the most slots to reserve; 0 reserves nothing
 * @idx: set to the first reserved index when something was reserved;
 *	untouched otherwise
 *
 * A libxsk extension: one call that takes whatever room there is, so a
 * producer need not retry with smaller counts. The kernel's consumer index
 * is loaded whenever the cached view shows fewer than @max free slots, so
 * a result of 0 (unless @max is 0) means that fewer than @min slots were
 * free when the call looked, never that a stale cached view said so.
 *
 * Return: the number of slots reserved, between @min and @max (with @min
 * as above), or 0 if fewer were free (nothing reserved).
 */
static inline __u32 xsk_ring_prod__reserve_range(struct xsk_ring_prod *prod,
						 __u32 min, __u32 max,
						 __u32 *idx)
{
	__u32 n = xsk_prod_nb_free(prod, max);

	/* Clamping @n to @max first makes @min > @max behave as @min ==
	 * @max: n < min then fails only when n < max, and in that case
	 * xsk_prod_nb_free() has just reloaded the consumer index. */
	if (n > max)
		n = max;
	if (n == 0 || (n < min && n < max))
		return 0;
	*idx = prod->cached_prod;
	prod->cached_prod += n;
	return n;
}

/**
 * xsk_ring_prod__cancel() - take back reserved slots not yet submitted
 * @prod: the fill or TX ring
 * @nb: how many of the most recently reserved, unsubmitted slots to give
 *	back; at most the number reserved and not yet submitted
 *
 * A libxsk extension: the next reservation gets the same slots again.
 */
static inline void xsk_ring_prod__cancel(struct xsk_ring_prod *prod, __u32 nb)
{
	prod->cached_prod -= nb;
}

/**
 * xsk_ring_prod__submit() - publish reserved entries to the kernel
 * @prod: the fill or TX ring
 * @nb: how many reserved entries to publish, in reservation order; at most
 *	the number reserved and not yet submitted
 *
 * The entries must be written before this call. A reservation may be
 * submitted in several parts.
 */
static inline void xsk_ring_prod__submit(struct xsk_ring_prod *prod, __u32 nb)
{
	/* Only this thread writes ->producer, so a relaxed load reads our
	 * own last store. */
	__u32 prod_idx = __atomic_load_n(prod->producer, __ATOMIC_RELAXED);

	/* (B): the entries are written before the new index is seen; pairs
	 * with the kernel consumer's load-acquire (C) of ->producer. */
	__atomic_store_n(prod->producer, prod_idx + nb, __ATOMIC_RELEASE);
}

/**
 * xsk_ring_prod__needs_wakeup() - does the kernel ask to be woken for @r?
 * @r: the fill or TX ring
 *
 * The flag is written by the kernel at any time, so it is loaded
 * atomically; no ordering against the ring indices is implied or needed
 * (see "need_wakeup and why there is no full fence" above: check again
 * before waiting with entries outstanding).
 *
 * Return: non-zero when the kernel set XDP_RING_NEED_WAKEUP on the ring.
 */
static inline int xsk_ring_prod__needs_wakeup(const struct xsk_ring_prod *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) &
	       XDP_RING_NEED_WAKEUP;
}

/* ----------------------------------------------------------- consumer */

/**
 * xsk_cons_nb_avail() - entries ready in a consumer ring
 * @r: the RX or completion ring
 * @nb: the most the caller wants
 *
 * Loads the kernel's producer index only when the cached view holds fewer
 * than @nb entries. (libxdp reloads only when the cached view is empty;
 * reloading when it is short gives fuller batches, as the kernel's own
 * consumer does, for one load of a line the producer is writing.)
 *
 * Return: the number of entries ready, at most @nb.
 */
static inline __u32 xsk_cons_nb_avail(struct xsk_ring_cons *r, __u32 nb)
{
	__u32 entries = r->cached_prod - r->cached_cons;

	if (entries < nb) {
		/* (C): the entries are read after the index that published
		 * them; pairs with the kernel producer's store-release (B)
		 * of ->producer. */
		r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
		entries = r->cached_prod - r->cached_cons;
	}
	return entries > nb ? nb : entries;
}

/**
 * xsk_ring_cons__peek() - take up to @nb ready entries
 * @cons: the RX or completion ring
 * @nb: the most entries to take
 * @idx: set to the first index taken when the result is non-zero;
 *	untouched otherwise
 *
 * Read the entries at @idx .. @idx + result - 1 (xsk_ring_cons__rx_desc(),
 * xsk_ring_cons__comp_addr()), then hand the slots back to the kernel with
 * xsk_ring_cons__release(), or un-take them with xsk_ring_cons__cancel().
 *
 * Return: the number of entries taken, 0 .. @nb.
 */
static inline __u32 xsk_ring_cons__peek(struct xsk_ring_cons *cons, __u32 nb,
					__u32 *idx)
{
	__u32 entries = xsk_cons_nb_avail(cons, nb);

	if (entries > 0) {
		*idx = cons->cached_cons;
		cons->cached_cons += entries;
	}
	return entries;
}

/**
 * xsk_ring_cons__cancel() - un-take entries that were peeked, not released
 * @cons: the RX or completion ring
 * @nb: how many of the most recently peeked, unreleased entries to give
 *	back; the next peek returns them again
 */
static inline void xsk_ring_cons__cancel(struct xsk_ring_cons *cons, __u32 nb)
{
	cons->cached_cons -= nb;
}

/**
 * xsk_ring_cons__release() - hand consumed slots back to the kernel
 * @cons: the RX or completion ring
 * @nb: how many peeked entries are done with, in peek order; at most the
 *	number peeked and not yet released
 *
 * The entries must not be read after this call.
 */
static inline void xsk_ring_cons__release(struct xsk_ring_cons *cons, __u32 nb)
{
	/* Only this thread writes ->consumer. */
	__u32 cons_idx = __atomic_load_n(cons->consumer, __ATOMIC_RELAXED);

	/* (D): the entries are read before the slots are seen as free;
	 * pairs with the kernel producer's read (A) of ->consumer. */
	__atomic_store_n(cons->consumer, cons_idx + nb, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------ UMEM addresses */

/**
 * xsk_umem__get_data() - the memory at a UMEM address
 * @umem_area: the UMEM's first byte (address 0)
 * @addr: an address within the UMEM, without unaligned-mode offset bits
 *	(see xsk_umem__add_offset_to_addr())
 *
 * No checks: for an address from an untrusted source use
 * xsk_umem__get_data_checked().
 *
 * Return: @umem_area + @addr.
 */
static inline void *xsk_umem__get_data(void *umem_area, __u64 addr)
{
	return &((char *)umem_area)[addr];
}

/**
 * xsk_umem__extract_addr() - the base part of an unaligned-mode address
 * @addr: an address that may carry an offset in its top 16 bits
 *
 * Return: the low 48 bits of @addr.
 */
static inline __u64 xsk_umem__extract_addr(__u64 addr)
{
	return addr & XSK_UNALIGNED_BUF_ADDR_MASK;
}

/**
 * xsk_umem__extract_offset() - the offset part of an unaligned-mode address
 * @addr: an address that may carry an offset in its top 16 bits
 *
 * Return: the top 16 bits of @addr, shifted down.
 */
static inline __u64 xsk_umem__extract_offset(__u64 addr)
{
	return addr >> XSK_UNALIGNED_BUF_OFFSET_SHIFT;
}

/**
 * xsk_umem__add_offset_to_addr() - the byte an unaligned-mode address means
 * @addr: an address that may carry an offset in its top 16 bits
 *
 * Return: base + offset, the UMEM address of the data, as the kernel
 * computes it in unaligned mode. In aligned mode the top bits are zero
 * and @addr comes back unchanged.
 */
static inline __u64 xsk_umem__add_offset_to_addr(__u64 addr)
{
	return xsk_umem__extract_addr(addr) + xsk_umem__extract_offset(addr);
}

/* ------------------------------------------------ reading the frames */

/*
 * XSK_PREFETCH(p): start loading the cache line at @p for reading. A
 * program (or a test) may define it before including this header.
 */
#ifndef XSK_PREFETCH
#define XSK_PREFETCH(p) __builtin_prefetch((p), 0, 3)
#endif

/**
 * xsk_rx_prefetch() - load the next frames' bytes while this one is read
 * @rx: the RX ring
 * @area: the UMEM's memory (xsk_umem_area())
 * @next: the prefetch cursor: the first descriptor not yet prefetched; set
 *	it to the first index of xsk_ring_cons__peek() before the loop
 * @cur: the descriptor about to be processed
 * @end: one past the last descriptor peeked (first index + count)
 * @ahead: how many descriptors, from @cur, to keep loading; 0 does nothing
 *
 * A frame's bytes were written by the CPU that received it, often another
 * core: the first read of each one is a cache miss, and a loop that reads
 * frames one after the other waits for each miss in turn. Called at the
 * top of each iteration, this asks for the data of descriptors up to
 * @cur + @ahead - 1 (at most @end - 1), each once, so that the misses of
 * the next frames overlap the work on this one. It reads descriptors only
 * between @cur and @end, which the caller has peeked, and only loads
 * (XSK_PREFETCH, by default __builtin_prefetch()): the first 64 bytes of
 * each frame, and the next 64 when the frame goes on past that cache
 * line. Indices are the ring's free-running ones and may wrap.
 *
 *	next = idx;
 *	for (i = 0; i < n; i++) {
 *		xsk_rx_prefetch(rx, area, &next, idx + i, idx + n, 8);
 *		... read the frame of descriptor idx + i ...
 *	}
 *
 * Return: nothing.
 */
static inline void xsk_rx_prefetch(const struct xsk_ring_cons *rx,
				   const void *area, __u32 *next, __u32 cur,
				   __u32 end, __u32 ahead)
{
	__u32 to = end - cur < ahead ? end : cur + ahead;
	__u32 from = (__s32)(*next - cur) > 0 ? *next : cur;

	for (; (__s32)(to - from) > 0; from++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(rx, from);
		const char *p = (const char *)area +
				xsk_umem__add_offset_to_addr(d->addr);

		XSK_PREFETCH(p);
		if (((__u64)(uintptr_t)p & 63) + d->len > 64)
			XSK_PREFETCH(p + 64);
	}
	if ((__s32)(to - *next) > 0)
		*next = to;
}

/* ------------------------------------------- checked descriptor access */

/**
 * struct xsk_umem_bounds - what xsk_umem__check_desc() checks against
 * @area: the UMEM's first byte (address 0)
 * @size: the UMEM's length in bytes
 * @chunk_size: the UMEM's chunk (frame) size; a power of two in aligned mode
 * @unaligned: non-zero if the UMEM was registered in unaligned chunk mode
 */
struct xsk_umem_bounds {
	void *area;
	__u64 size;
	__u32 chunk_size;
	__u32 unaligned;
};

/* Why xsk_umem__check_desc() refused an address (0 = accepted). */
enum xsk_desc_err {
	XSK_DESC_OK = 0,
	/* The address (base + offset in unaligned mode) is at or past the
	 * UMEM's end (in aligned mode, also: offset bits are set). */
	XSK_DESC_OUTSIDE = -1,
	/* The length is larger than a chunk (the kernel never produces and
	 * never accepts that). */
	XSK_DESC_TOO_LONG = -2,
	/* The data starts inside the UMEM but runs past its end. */
	XSK_DESC_PAST_END = -3,
	/* Aligned mode: the data does not lie within one chunk. */
	XSK_DESC_CROSSES_CHUNK = -4,
};

/**
 * xsk_umem__check_desc() - may the bytes a descriptor names be touched?
 * @u: the UMEM's bounds
 * @addr: the descriptor's address (offset bits included in unaligned mode)
 * @len: the descriptor's length
 *
 * For descriptors that cannot be trusted: a UMEM shared with another
 * process, fuzzing. Applies the kernel's own validity rules for a
 * descriptor: within the UMEM, no longer than a chunk, and within one
 * chunk in aligned mode. A length of 0 is accepted at any address inside
 * the UMEM.
 *
 * Return: XSK_DESC_OK (0), or a negative enum xsk_desc_err value naming
 * the first rule broken.
 */
static inline int xsk_umem__check_desc(const struct xsk_umem_bounds *u,
				       __u64 addr, __u32 len)
{
	if (u->unaligned)
		addr = xsk_umem__add_offset_to_addr(addr);
	if (addr >= u->size)
		return XSK_DESC_OUTSIDE;
	if (len > u->chunk_size)
		return XSK_DESC_TOO_LONG;
	if (len > u->size - addr)
		return XSK_DESC_PAST_END;
	/* Aligned mode requires a power-of-two chunk size. */
	if (!u->unaligned && (addr & (u->chunk_size - 1)) + len > u->chunk_size)
		return XSK_DESC_CROSSES_CHUNK;
	return XSK_DESC_OK;
}

/**
 * xsk_umem__get_data_checked() - xsk_umem__get_data() for untrusted input
 * @u: the UMEM's bounds
 * @addr: the descriptor's address (offset bits included in unaligned mode)
 * @len: the descriptor's length
 * @err: if not NULL, set to XSK_DESC_OK or the reason for refusing, as
 *	returned by xsk_umem__check_desc()
 *
 * Return: a pointer to the @len bytes the descriptor names, or NULL if
 * they do not lie where xsk_umem__check_desc() requires.
 */
static inline void *xsk_umem__get_data_checked(const struct xsk_umem_bounds *u,
					       __u64 addr, __u32 len, int *err)
{
	int e = xsk_umem__check_desc(u, addr, len);

	if (err)
		*err = e;
	if (e)
		return NULL;
	if (u->unaligned)
		addr = xsk_umem__add_offset_to_addr(addr);
	return xsk_umem__get_data(u->area, addr);
}

/**
 * xsk_desc_strerror() - a short text for an enum xsk_desc_err value
 * @err: a value returned by xsk_umem__check_desc()
 *
 * Return: a constant string, never NULL.
 */
static inline const char *xsk_desc_strerror(int err)
{
	switch (err) {
	case XSK_DESC_OK:
		return "descriptor lies inside the UMEM";
	case XSK_DESC_OUTSIDE:
		return "address outside the UMEM";
	case XSK_DESC_TOO_LONG:
		return "length larger than a chunk";
	case XSK_DESC_PAST_END:
		return "data runs past the end of the UMEM";
	case XSK_DESC_CROSSES_CHUNK:
		return "data crosses a chunk boundary (aligned mode)";
	default:
		return "unknown descriptor error";
	}
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LIBXSK_RING_H */
