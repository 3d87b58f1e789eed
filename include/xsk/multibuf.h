/* SPDX-License-Identifier: MIT */
/*
 * libxsk multi-buffer data path (kernel 6.6: XDP_USE_SG, XDP_PKT_CONTD).
 *
 * A socket bound with XDP_USE_SG receives and sends a packet larger than a
 * frame as a chain of descriptors: every descriptor but the last carries
 * XDP_PKT_CONTD in its options. This header gives
 *
 *   RX  struct xsk_mb_rx, a reader that peeks the RX ring in batches and
 *       hands out whole packets only, keeping a chain that a batch cut in
 *       two pending until the rest arrives, and reporting malformed
 *       chains (too long, a zero-length fragment, outside the UMEM) with
 *       their descriptors so that their frames can be recycled;
 *   TX  xsk_mb_tx_packet(), which queues a chain all-or-nothing with the
 *       right flags, and xsk_mb_tx_copy(), which copies a buffer into
 *       frames taken from a struct xsk_frames and queues them.
 *
 * Everything is static inline; the header stands alone (C11 and C++) like
 * <xsk/ring.h>, which it includes with <xsk/frames.h>.
 *
 * Typical RX loop:
 *
 *	struct xsk_mb_rx r;
 *	struct xsk_mb_pkt pkt;
 *	int ret;
 *
 *	xsk_mb_rx_init(&r, rx, 0, &bounds);
 *	for (;;) {
 *		while ((ret = xsk_mb_rx_next(&r, rx, &pkt)) != 0) {
 *			if (ret > 0)
 *				use pkt: xsk_ring_cons__rx_desc(rx, pkt.idx + i)
 *			for (i = 0; i < pkt.nfrags; i++)
 *				recycle the frame of fragment i
 *		}
 *		xsk_mb_rx_release(&r, rx);
 *		wait (poll) for more
 *	}
 *
 * Ownership and threading
 * -----------------------
 * A reader is the RX ring's only consumer from xsk_mb_rx_init() on: one
 * thread calls xsk_mb_rx_next() and xsk_mb_rx_release() for one ring, and
 * nothing else peeks, cancels or releases on that ring meanwhile. The
 * reader keeps descriptors peeked (the ring's cached consumer index moves
 * ahead of what it has handed out) and releases only whole packets, so a
 * plain xsk_ring_cons__release() would hand the kernel slots that are
 * still being read, and a plain peek would take descriptors from the
 * middle of a chain. To switch back to plain peeking, call
 * xsk_mb_rx_release() and then xsk_mb_rx_cancel(): the ring is then as if
 * the reader had never peeked past its last packet.
 *
 * The reader never touches the fill ring or the UMEM's bytes: the frames
 * of every descriptor it hands out, whole packet or malformed chain,
 * belong to the caller, who recycles them (e.g. xsk_frames_free(), which
 * masks an RX address to its chunk in aligned mode). A descriptor can be
 * read until the xsk_mb_rx_release() that covers it; the frame's bytes can
 * be read until the frame is recycled.
 */
#ifndef LIBXSK_MULTIBUF_H
#define LIBXSK_MULTIBUF_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/if_xdp.h>
#include <xsk/ring.h>
#include <xsk/frames.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kernel 6.6; older UAPI headers lack them. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif

/* The most fragments per packet a copy-mode socket takes on every kernel:
 * MAX_SKB_FRAGS (17 by default) + 1. Zero-copy drivers may allow more. */
#define XSK_MB_MAX_FRAGS 18

/* How many RX descriptors xsk_mb_rx_next() peeks at a time by default. */
#define XSK_MB_RX_BATCH 64

/**
 * struct xsk_mb_pkt - a packet (or malformed chain) handed out by the reader
 * @idx: ring index of its first fragment; fragment i is
 *	xsk_ring_cons__rx_desc(rx, @idx + i)
 * @nfrags: number of fragments (descriptors), 0 when nothing is handed out
 * @len: sum of the fragments' lengths
 */
struct xsk_mb_pkt {
	__u32 idx;
	__u32 nfrags;
	__u64 len;
};

/**
 * struct xsk_mb_rx - an RX reader that reassembles fragment chains
 * @bounds: the UMEM bounds every fragment is checked against, or NULL
 * @max_frags: the most fragments a packet may have (at most the ring size)
 * @batch: how many descriptors to peek at a time; may be changed between
 *	calls (0 acts as 1)
 * @done: ring index past the last descriptor handed out
 * @end: ring index past the last descriptor peeked
 * @nscan: descriptors of the pending chain already checked (from @done)
 * @len: their total length
 * @err: the first problem found in the pending chain, 0 if none
 * @in_tail: the last chain was cut at @max_frags and goes on
 * @packets: whole packets handed out
 * @malformed: malformed chains reported (an over-long chain counts once,
 *	however many pieces its tail comes in)
 * @last_desc_err: the enum xsk_desc_err of the last fragment refused by
 *	xsk_umem__check_desc()
 *
 * Set up by xsk_mb_rx_init(); read the members freely, change only @batch.
 */
struct xsk_mb_rx {
	const struct xsk_umem_bounds *bounds;
	__u32 max_frags;
	__u32 batch;
	__u32 done;
	__u32 end;
	__u32 nscan;
	__u64 len;
	int err;
	int in_tail;
	__u64 packets;
	__u64 malformed;
	int last_desc_err;
};

/**
 * xsk_mb_rx_init() - set up a reader for an RX ring
 * @r: the reader
 * @rx: the RX ring; nothing may be peeked and unreleased on it now
 * @max_frags: the most fragments a packet may have; 0 means
 *	XSK_MB_MAX_FRAGS. Reduced to the ring size, so that a pending
 *	chain always leaves the kernel room to finish it.
 * @bounds: if not NULL, every fragment must pass xsk_umem__check_desc()
 *	against it; it must stay valid while the reader is used. Pass it
 *	whenever the descriptors cannot be trusted.
 *
 * The reader starts at the ring's current consumer position.
 */
static inline void xsk_mb_rx_init(struct xsk_mb_rx *r,
				  const struct xsk_ring_cons *rx,
				  __u32 max_frags,
				  const struct xsk_umem_bounds *bounds)
{
	memset(r, 0, sizeof(*r));
	r->bounds = bounds;
	if (max_frags == 0)
		max_frags = XSK_MB_MAX_FRAGS;
	r->max_frags = max_frags < rx->size ? max_frags : rx->size;
	r->batch = XSK_MB_RX_BATCH;
	r->done = rx->cached_cons;
	r->end = rx->cached_cons;
}

/*
 * Read an RX descriptor exactly once. The ring is memory the kernel (or, with
 * a shared UMEM, another process) writes: a plain struct copy may be compiled
 * into several loads, or reloaded later, so a check could pass on one value
 * and the use see another. Relaxed atomic loads of each field are single
 * loads the compiler may not repeat; the ordering with the producer index is
 * the peek's acquire (C).
 */
static inline struct xdp_desc xsk__mb_read_desc(const struct xsk_ring_cons *rx,
						__u32 idx)
{
	const struct xdp_desc *p = xsk_ring_cons__rx_desc(rx, idx);
	struct xdp_desc d;

	d.addr = __atomic_load_n(&p->addr, __ATOMIC_RELAXED);
	d.len = __atomic_load_n(&p->len, __ATOMIC_RELAXED);
	d.options = __atomic_load_n(&p->options, __ATOMIC_RELAXED);
	return d;
}

/* Hand out the pending chain (r->nscan descriptors from r->done). */
static inline int xsk__mb_rx_hand_out(struct xsk_mb_rx *r,
				      struct xsk_mb_pkt *pkt, int goes_on)
{
	int err = r->err;

	pkt->idx = r->done;
	pkt->nfrags = r->nscan;
	pkt->len = r->len;
	r->done += r->nscan;
	r->nscan = 0;
	r->len = 0;
	r->err = 0;
	if (r->in_tail) {
		/* A piece of a chain already counted as malformed. */
		r->in_tail = goes_on;
		return -EMSGSIZE;
	}
	r->in_tail = goes_on;
	if (err) {
		r->malformed++;
		return err;
	}
	r->packets++;
	return 1;
}

/**
 * xsk_mb_rx_next() - the next whole packet on the RX ring
 * @r: the reader
 * @rx: the RX ring given to xsk_mb_rx_init()
 * @pkt: set to the packet or malformed chain handed out; @pkt->nfrags is
 *	0 when the result is 0 or -EINVAL
 *
 * Peeks more descriptors (@r->batch at a time) when those already peeked
 * are used up. A chain whose end has not arrived stays pending, peeked and
 * unreleased, and is checked only once: the next call goes on from where
 * this one stopped. Each call reads at most @r->max_frags descriptors.
 *
 * On a negative result other than -EINVAL, @pkt describes the chain's
 * descriptors so that their frames can be recycled; their data must not be
 * used. A chain longer than @r->max_frags is cut there: the first
 * @r->max_frags descriptors come back with the first problem found in them
 * (-EMSGSIZE if none), and the rest, up to the descriptor without
 * XDP_PKT_CONTD, come back in later calls as -EMSGSIZE in pieces of at
 * most @r->max_frags.
 *
 * Return:
 *  1: @pkt is a whole packet whose fragments all passed the checks;
 *  0: no whole packet yet (a partial chain may be pending);
 *  -EMSGSIZE: the chain has more than @r->max_frags fragments;
 *  -EBADMSG: a fragment has length 0;
 *  -EFAULT: a fragment fails xsk_umem__check_desc() (outside the UMEM,
 *	longer than a chunk, crossing a chunk in aligned mode); the reason
 *	is in @r->last_desc_err;
 *  -EINVAL: the ring's consumer side was used behind the reader's back
 *	(peek, cancel); nothing handed out. Call xsk_mb_rx_init() again.
 */
static inline int xsk_mb_rx_next(struct xsk_mb_rx *r, struct xsk_ring_cons *rx,
				 struct xsk_mb_pkt *pkt)
{
	__u32 pos = r->done + r->nscan;

	pkt->nfrags = 0;
	/* Someone else peeked or cancelled: the slots between @pos and the
	 * ring's cached index are no longer known to be ours to read. */
	if (rx->cached_cons != r->end)
		return -EINVAL;
	for (;;) {
		struct xdp_desc d;
		int err;

		if (pos == r->end) {
			__u32 idx = 0;

			r->end += xsk_ring_cons__peek(
				rx, r->batch ? r->batch : 1, &idx);
			if (pos == r->end)
				return 0;
		}
		/* Read once, so every check and decision below sees the
		 * same values. */
		d = xsk__mb_read_desc(rx, pos);
		pos++;
		r->nscan++;
		r->len += d.len;
		if (!r->err) {
			if (d.len == 0) {
				r->err = -EBADMSG;
			} else if (r->bounds &&
				   (err = xsk_umem__check_desc(
					    r->bounds, d.addr, d.len)) != 0) {
				r->last_desc_err = err;
				r->err = -EFAULT;
			}
		}
		if (!(d.options & XDP_PKT_CONTD))
			return xsk__mb_rx_hand_out(r, pkt, 0);
		if (r->nscan == r->max_frags) {
			/* Waiting for the end would hold more slots than
			 * the limit allows (maybe the whole ring, which
			 * the kernel then could never finish). */
			if (!r->err)
				r->err = -EMSGSIZE;
			return xsk__mb_rx_hand_out(r, pkt, 1);
		}
	}
}

/**
 * xsk_mb_rx_release() - give the kernel the slots of everything handed out
 * @r: the reader
 * @rx: the RX ring given to xsk_mb_rx_init()
 *
 * Releases, from the ring's consumer index, the descriptors of every packet
 * and malformed chain handed out so far, never those of the pending chain.
 * Read what you need from those descriptors first.
 *
 * Return: the number of descriptors released.
 */
static inline __u32 xsk_mb_rx_release(struct xsk_mb_rx *r,
				      struct xsk_ring_cons *rx)
{
	/* Only this thread writes ->consumer: a relaxed load reads our own
	 * last store. */
	__u32 n = r->done - __atomic_load_n(rx->consumer, __ATOMIC_RELAXED);

	/* Beyond a ring's worth (negative) means someone else released
	 * past what was handed out: release nothing more. */
	if (n == 0 || n > rx->size)
		return 0;
	xsk_ring_cons__release(rx, n);
	return n;
}

/**
 * xsk_mb_rx_cancel() - un-peek the descriptors not handed out
 * @r: the reader
 * @rx: the RX ring given to xsk_mb_rx_init(), as the reader left it
 *
 * The pending chain and any descriptor peeked but not yet read go back to
 * the ring: the next peek, by this reader or a plain
 * xsk_ring_cons__peek(), sees them again. Call xsk_mb_rx_release() first
 * to switch the ring back to plain use.
 */
static inline void xsk_mb_rx_cancel(struct xsk_mb_rx *r,
				    struct xsk_ring_cons *rx)
{
	xsk_ring_cons__cancel(rx, r->end - r->done);
	r->end = r->done;
	r->nscan = 0;
	r->len = 0;
	r->err = 0;
}

/**
 * xsk_mb_rx_copy() - copy a packet's bytes into one buffer
 * @bounds: the UMEM's bounds (xsk_umem_get_bounds()): every fragment is
 *	checked against them before its bytes are read
 * @rx: the RX ring the packet was handed out from (not yet released)
 * @pkt: a whole packet (xsk_mb_rx_next() returned 1 for it)
 * @buf: where to copy
 * @size: bytes available at @buf
 *
 * The RX ring is memory another party can write, so a descriptor may have
 * changed since xsk_mb_rx_next() checked it. Each descriptor is therefore
 * read once here, and that one copy is checked (non-zero length, inside the
 * UMEM by xsk_umem__check_desc(), no more bytes than @pkt->len in all) and
 * used: whatever the ring says now, nothing is written past @buf's @size
 * bytes and nothing is read outside the UMEM. Unaligned-mode addresses
 * (offset in the top 16 bits) are resolved.
 *
 * Return: 0, or
 *  -ENOSPC: @size is less than @pkt->len (nothing copied);
 *  -EBADMSG: a descriptor is no longer what xsk_mb_rx_next() handed out
 *	(a fragment is empty or fails the bounds, or the lengths no longer
 *	add up to @pkt->len); @buf may hold part of the packet. Recycle the
 *	fragments' frames as for a malformed chain.
 */
static inline int xsk_mb_rx_copy(const struct xsk_umem_bounds *bounds,
				 const struct xsk_ring_cons *rx,
				 const struct xsk_mb_pkt *pkt, void *buf,
				 size_t size)
{
	char *out = (char *)buf;
	__u64 left = pkt->len;

	if (pkt->len > size)
		return -ENOSPC;
	for (__u32 i = 0; i < pkt->nfrags; i++) {
		struct xdp_desc d = xsk__mb_read_desc(rx, pkt->idx + i);
		void *src;

		if (d.len == 0 || d.len > left)
			return -EBADMSG;
		src = xsk_umem__get_data_checked(bounds, d.addr, d.len, NULL);
		if (!src)
			return -EBADMSG;
		memcpy(out, src, d.len);
		out += d.len;
		left -= d.len;
	}
	return left ? -EBADMSG : 0;
}

/**
 * xsk_mb_tx_packet() - queue one packet's fragments on the TX ring
 * @tx: the TX ring
 * @frags: the fragments in order; their XDP_PKT_CONTD bits are ignored
 *	(set on all but the last, cleared on the last), other option bits
 *	are copied as given
 * @n: number of fragments, 1 .. XSK_MB_MAX_FRAGS
 *
 * Reserves @n slots at once, so the chain is never split between a
 * success and a failure, and writes the descriptors. It does not submit:
 * call xsk_ring_prod__submit() with the sum of the results once per batch
 * (which also keeps any reservation of your own in order with these).
 *
 * Return: @n (slots reserved and written), or, leaving the ring untouched:
 *  -EINVAL: @n is 0;
 *  -EMSGSIZE: @n is above XSK_MB_MAX_FRAGS, which copy mode refuses;
 *  -ENOSPC: fewer than @n slots are free now.
 */
static inline int xsk_mb_tx_packet(struct xsk_ring_prod *tx,
				   const struct xdp_desc *frags, __u32 n)
{
	__u32 idx = 0;

	if (n == 0)
		return -EINVAL;
	if (n > XSK_MB_MAX_FRAGS)
		return -EMSGSIZE;
	if (xsk_ring_prod__reserve(tx, n, &idx) != n)
		return -ENOSPC;
	for (__u32 i = 0; i < n; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(tx, idx + i);

		d->addr = frags[i].addr;
		d->len = frags[i].len;
		d->options = (frags[i].options & ~(__u32)XDP_PKT_CONTD) |
			     (i + 1 < n ? XDP_PKT_CONTD : 0);
	}
	return (int)n;
}

/**
 * xsk_mb_tx_copy() - copy a buffer into free frames and queue it
 * @tx: the TX ring
 * @f: the allocator the frames come from (its frames lie in @umem_area)
 * @umem_area: the UMEM's first byte
 * @offset: bytes left free at the start of every frame, e.g. the UMEM's
 *	tx_metadata_len; the data of each fragment starts there. TX has no
 *	headroom of its own (the UMEM's headroom applies to RX only).
 * @data: the packet
 * @len: its length: at least 1, at most XSK_MB_MAX_FRAGS frames' worth
 *
 * Fills ceil(@len / (frame size - @offset)) frames in turn, every one full
 * but the last, and queues them as one chain as xsk_mb_tx_packet() does.
 * In unaligned mode (XSK_FRAMES_UNALIGNED) @offset goes in the top 16 bits
 * of each address, so the completion ring hands back addresses that
 * xsk_frames_complete() maps to the frames' starts; in aligned mode it is
 * added to the address, which the chunk mask removes. Does not submit:
 * call xsk_ring_prod__submit() as with xsk_mb_tx_packet().
 *
 * The ring slots and the frames are checked before anything is taken, so
 * on failure neither the ring nor the allocator has changed.
 *
 * Return: the number of fragments queued, or:
 *  -EINVAL: @len is 0, or @offset is not below the frame size (or, in
 *	unaligned mode, does not fit in 16 bits);
 *  -EMSGSIZE: @len needs more than XSK_MB_MAX_FRAGS frames;
 *  -ENOSPC: the TX ring has fewer free slots than fragments needed;
 *  -ENOMEM: the allocator has fewer free frames than fragments needed.
 */
static inline int xsk_mb_tx_copy(struct xsk_ring_prod *tx, struct xsk_frames *f,
				 void *umem_area, __u32 offset,
				 const void *data, size_t len)
{
	const int unaligned = (f->flags & XSK_FRAMES_UNALIGNED) != 0;
	const char *src = (const char *)data;
	__u32 room, n, idx = 0;
	__u64 tag;

	if (len == 0 || offset >= f->frame_size ||
	    (unaligned && offset > 0xffff))
		return -EINVAL;
	room = f->frame_size - offset;
	/* Frames are below 2^48 in unaligned mode: adding puts the offset
	 * in the top bits. */
	tag = unaligned ? (__u64)offset << XSK_UNALIGNED_BUF_OFFSET_SHIFT :
			  offset;
	if (len > (size_t)room * XSK_MB_MAX_FRAGS)
		return -EMSGSIZE;
	n = (__u32)((len + room - 1) / room);
	if (xsk_ring_prod__reserve(tx, n, &idx) != n)
		return -ENOSPC;
	if (xsk_frames_nfree(f) < n) {
		xsk_ring_prod__cancel(tx, n);
		return -ENOMEM;
	}
	for (__u32 i = 0; i < n; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(tx, idx + i);
		__u64 frame = xsk_frames_alloc(f);
		__u32 chunk = len > room ? room : (__u32)len;

		memcpy(xsk_umem__get_data(umem_area, frame + offset), src,
		       chunk);
		d->addr = frame + tag;
		d->len = chunk;
		d->options = i + 1 < n ? XDP_PKT_CONTD : 0;
		src += chunk;
		len -= chunk;
	}
	return (int)n;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LIBXSK_MULTIBUF_H */
