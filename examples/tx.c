// SPDX-License-Identifier: MIT
/*
 * tx: send IPv4/UDP frames from AF_XDP sockets, each carrying its queue and
 * a sequence number, as fast as the sockets take them or at --rate.
 *
 *	tx -i eth0 -n 1000000                 a million 64-byte frames
 *	tx -i eth0 -l 1514 -r 100000 -d 10    100 kpps of full frames, 10 s
 *
 * The loop, per queue: every frame of the UMEM is written once at the
 * start; afterwards only its sequence number changes. A free frame gets the
 * next number and its descriptor goes on the TX ring; the kernel sends it
 * and returns its address on the completion ring, from where it goes back
 * to the allocator.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "common.h"

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* --rate: how many more frames this queue may send by now. */
static uint32_t rate_allows(const struct queue *q, double start, uint64_t sent)
{
	double due = (now_sec() - start) * (double)q->app->o.rate / q->app->nq;
	/* +1: the first frame goes at once, not one interval late. */
	double n = due - (double)sent + 1;

	return n < 1 ? 0 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* The sequence number, big-endian: the only bytes written per frame. */
static void put_seq(uint8_t *pkt, uint64_t seq)
{
	for (int k = 0; k < 8; k++)
		pkt[FRAME_SEQ_OFF + k] = (uint8_t)(seq >> (56 - 8 * k));
}

static void sleep_briefly(void)
{
	struct timespec ts = { 0, 100 * 1000 };

	nanosleep(&ts, NULL);
}

static void tx_loop(struct queue *q)
{
	struct app *a = q->app;
	const struct options *o = &a->o;
	struct xsk_ring_prod *tx = xsk_socket_tx(q->xsk);
	struct xsk_ring_cons *comp = xsk_socket_comp(q->xsk);
	struct xsk_frames *fr = &q->frames;
	uint64_t seq = 0;
	double start = now_sec(), deadline;
	uint32_t idx = 0, n, want, allowed;
	bool throttled;
	int err;

	/* This queue's frames, written whole once. */
	for (uint32_t i = 0; i < fr->nframes; i++) {
		uint64_t addr = fr->base + (uint64_t)i * fr->frame_size;

		frame_init(xsk_umem__get_data(q->area, addr), o->len,
			   o->src_mac, o->dst_mac, q->id);
	}

	while (!app_stopping(a)) {
		/* Frames the kernel has sent are free again. */
		xsk_frames_complete(fr, comp, UINT32_MAX);

		/* As many as there are free frames and TX ring slots, within
		 * --rate and --count. */
		want = min_u32(o->batch, xsk_frames_nfree(fr));
		want = min_u32(want, xsk_prod_nb_free(tx, want));
		allowed = o->rate ? rate_allows(q, start, seq) : want;
		throttled = allowed < want;
		if (throttled)
			want = allowed;
		n = app_claim(a, want);
		if (want && !n)
			break; /* --count reached */

		if (n) {
			/* Cannot fail: the room was checked above. */
			xsk_ring_prod__reserve(tx, n, &idx);
			for (uint32_t i = 0; i < n; i++) {
				struct xdp_desc *d =
					xsk_ring_prod__tx_desc(tx, idx + i);
				uint64_t addr = xsk_frames_alloc(fr);

				put_seq(xsk_umem__get_data(q->area, addr),
					seq + i);
				d->addr = addr;
				d->len = o->len;
				d->options = 0;
			}
			xsk_ring_prod__submit(tx, n);
			seq += n;
			count_add(&q->c.tx_packets, n);
			count_add(&q->c.tx_bytes, (uint64_t)n * o->len);
		}

		/* In copy mode the kernel sends only from a syscall, and at
		 * most its budget per call; a zero-copy driver may sleep.
		 * The kick makes the syscall only when the kernel asks. */
		if (xsk_frames_nfree(fr) < fr->nframes) {
			err = xsk_socket_kick_tx(q->xsk);
			if (err && err != -EAGAIN && err != -EBUSY) {
				queue_fail(q, err, "sending");
				return;
			}
		}
		if (!n) {
			if (throttled)
				sleep_briefly(); /* ahead of --rate */
			else
				queue_wait(q, q->xsk, POLLOUT);
		}
	}

	/* Counted means handed to the kernel: let it finish sending before
	 * the socket closes. */
	deadline = now_sec() + 1;
	while (xsk_frames_nfree(fr) < fr->nframes && now_sec() < deadline) {
		xsk_socket_kick_tx(q->xsk);
		xsk_frames_complete(fr, comp, UINT32_MAX);
	}
}

int main(int argc, char **argv)
{
	struct app a;
	int rc = app_setup(&a, argc, argv, "tx", APP_TX);

	if (rc)
		return rc;
	return app_run(&a, tx_loop);
}
