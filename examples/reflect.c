// SPDX-License-Identifier: MIT
/*
 * The loop of fwd and of pingpong --reflect: receive frames, swap their
 * MAC addresses and send them back out of the same socket, or of the
 * queue's other socket (fwd --out). See fwd.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void swap_macs(uint8_t *pkt)
{
	uint8_t tmp[6];

	memcpy(tmp, pkt, 6);
	memcpy(pkt, pkt + 6, 6);
	memcpy(pkt + 6, tmp, 6);
}

/*
 * The packets in flight, in the order they were queued: how many frames
 * and bytes each took, so that completed frames can be counted as
 * completed packets (the kernel completes a packet's frames together, in
 * order).
 */
struct packet {
	uint32_t frames, bytes;
};

struct in_flight {
	struct packet *p; /* a ring of @size */
	uint32_t size, head, tail;
	uint32_t done; /* frames completed, not yet a whole packet */
};

static void reflect_reap(struct queue *q, struct in_flight *f,
			 struct xsk_ring_cons *comp, uint64_t *frames_out)
{
	struct xsk_ring_prod *fill = xsk_socket_fill(q->xsk);
	uint32_t n = xsk_frames_complete(&q->frames, comp, UINT32_MAX);
	uint64_t packets = 0, bytes = 0;

	if (!n)
		return;
	*frames_out -= n;
	/* Sent frames go back to the fill ring, to receive into. */
	xsk_frames_fill(&q->frames, fill, UINT32_MAX);
	f->done += n;
	while (f->tail != f->head && f->done >= f->p[f->tail].frames) {
		f->done -= f->p[f->tail].frames;
		bytes += f->p[f->tail].bytes;
		f->tail = (f->tail + 1) % f->size;
		packets++;
	}
	count_add(&q->c.tx_packets, packets);
	count_add(&q->c.tx_bytes, bytes);
	queue_saw_traffic(q, now_sec());
}

void reflect_loop(struct queue *q)
{
	struct app *a = q->app;
	const struct options *o = &a->o;
	/* Receive on q->xsk, send on q->out: the same socket without --out. */
	struct xsk_ring_cons *rx = xsk_socket_rx(q->xsk);
	struct xsk_ring_prod *fill = xsk_socket_fill(q->xsk);
	struct xsk_ring_prod *tx = xsk_socket_tx(q->out);
	struct xsk_ring_cons *comp = xsk_socket_comp(q->out);
	/* Every packet has a frame of its own, so no more are in flight
	 * than there are frames. */
	struct in_flight f = { .size = q->frames.nframes + 1 };
	struct packet cur = { 0, 0 }; /* the packet being taken */
	uint32_t ri = 0, ti = 0, n;
	uint64_t out = 0; /* frames handed to the kernel, not completed */
	double deadline;
	bool mid = false; /* the last frame taken was not a packet's last */
	int err;

	f.p = malloc(f.size * sizeof(*f.p));
	if (!f.p) {
		queue_fail(q, -ENOMEM, "memory");
		return;
	}
	xsk_frames_fill(&q->frames, fill, UINT32_MAX);

	while (!app_stopping(a)) {
		reflect_reap(q, &f, comp, &out);

		/* Take no more frames than the TX ring has room for: each
		 * one leaves the way it came in. */
		n = xsk_prod_nb_free(tx, o->batch);
		n = xsk_ring_cons__peek(rx, n < o->batch ? n : o->batch, &ri);
		if (n) {
			uint64_t bytes = 0;
			uint32_t packets = 0;

			uint32_t pf = ri; /* --touch: not yet prefetched */

			/* Cannot fail: the room was checked above. */
			xsk_ring_prod__reserve(tx, n, &ti);
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *in =
					xsk_ring_cons__rx_desc(rx, ri + i);
				struct xdp_desc *d =
					xsk_ring_prod__tx_desc(tx, ti + i);

				if (o->touch) {
					xsk_rx_prefetch(rx, q->area, &pf,
							ri + i, ri + n,
							o->prefetch);
					frame_touch(
						xsk_umem__get_data(
							q->area,
							xsk_umem__add_offset_to_addr(
								in->addr)),
						in->len);
				}

				/* A packet's first frame has its headers. */
				if (!mid)
					swap_macs(xsk_umem__get_data(
						q->area,
						xsk_umem__add_offset_to_addr(
							in->addr)));
				/* The address as received, headroom
				 * included: the frame is sent from where it
				 * lies, and a packet of several frames goes
				 * out as it came in. */
				d->addr = in->addr;
				d->len = in->len;
				d->options = in->options & XDP_PKT_CONTD;
				mid = in->options & XDP_PKT_CONTD;
				bytes += in->len;
				cur.frames++;
				cur.bytes += in->len;
				if (!mid) {
					f.p[f.head] = cur;
					f.head = (f.head + 1) % f.size;
					cur.frames = cur.bytes = 0;
					packets++;
				}
			}
			xsk_ring_prod__submit(tx, n);
			xsk_ring_cons__release(rx, n);
			out += n;
			count_add(&q->c.rx_packets, packets);
			count_add(&q->c.rx_bytes, bytes);
			app_handled(a, packets);
		}

		/* The kernel sends only after a kick in copy mode; the kick
		 * makes a syscall only when the kernel asks for one. */
		if (out) {
			err = xsk_socket_kick_tx(q->out);
			if (err && err != -EAGAIN && err != -EBUSY) {
				queue_fail(q, err, "sending");
				break;
			}
		}
		if (!n)
			queue_wait(q, q->xsk, POLLIN);
	}

	/* Sent means completed: let the kernel finish sending before the
	 * socket closes. */
	deadline = now_sec() + 1;
	while (out && now_sec() < deadline) {
		xsk_socket_kick_tx(q->out);
		reflect_reap(q, &f, comp, &out);
	}
	free(f.p);
}
