// SPDX-License-Identifier: MIT
/*
 * fwd: receive frames, swap their source and destination MAC addresses and
 * send them back out (an L2 reflector), or out of another interface (--out).
 *
 *	fwd -i eth0                  reflect what arrives on queue 0
 *	fwd -i veth0 -o veth1 -q 0-1 receive on veth0, send on veth1
 *
 * The loop, per queue: frames are never copied. A received frame's
 * descriptor goes from the RX ring straight onto the TX ring, with the
 * same UMEM address; once the kernel has sent it, its address comes back
 * on the completion ring and goes to the fill ring, to receive into again.
 * With --out, the second socket shares the first one's UMEM, so the same
 * frames move between the two interfaces.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "common.h"

static void swap_macs(uint8_t *pkt)
{
	uint8_t tmp[6];

	memcpy(tmp, pkt, 6);
	memcpy(pkt, pkt + 6, 6);
	memcpy(pkt + 6, tmp, 6);
}

static void fwd_loop(struct queue *q)
{
	struct app *a = q->app;
	const struct options *o = &a->o;
	/* Receive on q->xsk, send on q->out: the same socket without --out. */
	struct xsk_ring_cons *rx = xsk_socket_rx(q->xsk);
	struct xsk_ring_prod *fill = xsk_socket_fill(q->xsk);
	struct xsk_ring_prod *tx = xsk_socket_tx(q->out);
	struct xsk_ring_cons *comp = xsk_socket_comp(q->out);
	uint32_t ri = 0, ti = 0, n, done, in_flight = 0;
	double deadline;
	int err;

	xsk_frames_fill(&q->frames, fill, UINT32_MAX);

	while (!app_stopping(a)) {
		/* Sent frames go back to the fill ring, to receive into. */
		done = xsk_frames_complete(&q->frames, comp, UINT32_MAX);
		if (done) {
			in_flight -= done;
			xsk_frames_fill(&q->frames, fill, UINT32_MAX);
		}

		/* Take no more frames than the TX ring has room for: each
		 * one leaves the way it came in. */
		n = xsk_prod_nb_free(tx, o->batch);
		n = xsk_ring_cons__peek(rx, n < o->batch ? n : o->batch, &ri);
		if (n) {
			uint64_t bytes = 0;

			/* Cannot fail: the room was checked above. */
			xsk_ring_prod__reserve(tx, n, &ti);
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *in =
					xsk_ring_cons__rx_desc(rx, ri + i);
				struct xdp_desc *out =
					xsk_ring_prod__tx_desc(tx, ti + i);

				swap_macs(
					xsk_umem__get_data(q->area, in->addr));
				/* The address as received, headroom included:
				 * the frame is sent from where it lies. */
				out->addr = in->addr;
				out->len = in->len;
				out->options = 0;
				bytes += in->len;
			}
			xsk_ring_prod__submit(tx, n);
			xsk_ring_cons__release(rx, n);
			in_flight += n;
			count_add(&q->c.rx_packets, n);
			count_add(&q->c.rx_bytes, bytes);
			count_add(&q->c.tx_packets, n);
			count_add(&q->c.tx_bytes, bytes);
			app_handled(a, n);
		}

		/* The kernel sends only after a kick in copy mode; the kick
		 * makes a syscall only when the kernel asks for one. */
		if (in_flight) {
			err = xsk_socket_kick_tx(q->out);
			if (err && err != -EAGAIN && err != -EBUSY) {
				queue_fail(q, err, "sending");
				return;
			}
		}
		if (!n)
			queue_wait(q, q->xsk, POLLIN);
	}

	/* Counted means handed to the kernel: let it finish sending before
	 * the socket closes. */
	deadline = now_sec() + 1;
	while (in_flight && now_sec() < deadline) {
		xsk_socket_kick_tx(q->out);
		in_flight -= xsk_frames_complete(&q->frames, comp, UINT32_MAX);
	}
}

int main(int argc, char **argv)
{
	struct app a;
	int rc = app_setup(&a, argc, argv, "fwd", APP_FWD);

	if (rc)
		return rc;
	return app_run(&a, fwd_loop);
}
