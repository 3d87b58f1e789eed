// SPDX-License-Identifier: MIT
/*
 * tx: send UDP frames from AF_XDP sockets, each carrying its queue and a
 * sequence number, as fast as the sockets take them or at --rate.
 *
 *	tx -i eth0 -n 1000000                 a million 64-byte frames
 *	tx -i eth0 -l 1514 -r 100000 -d 10    100 kpps of full frames, 10 s
 *	tx -i eth0 --flows 64 -6 --vlan 5     IPv6 in VLAN 5, 64 source ports
 *	tx -i eth0 -M -l 9000                 jumbo frames, three per packet
 *
 * The loop, per queue: every frame of the UMEM is written once at the
 * start; afterwards only its headers change (sequence number, source port,
 * checksum). A free frame gets the next number and its descriptor goes on
 * the TX ring (with --multi-buffer, a packet longer than a frame takes
 * several); the kernel sends it and returns its address on the completion
 * ring, from where it goes back to the allocator. A packet counts as sent
 * when it comes back.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
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

static void sleep_briefly(void)
{
	struct timespec ts = { 0, 100 * 1000 };

	nanosleep(&ts, NULL);
}

/* What a queue has sent: frames come back on the completion ring once the
 * kernel is done with them, and only then count as sent. */
struct sent {
	uint32_t per_packet; /* frames a packet takes */
	uint64_t frames; /* completed so far */
};

static void reap(struct queue *q, struct sent *s)
{
	struct xsk_ring_cons *comp = xsk_socket_comp(q->xsk);
	uint32_t n = xsk_frames_complete(&q->frames, comp, UINT32_MAX);
	uint64_t before = s->frames / s->per_packet, packets;

	if (!n)
		return;
	/* The kernel completes all the frames of a packet at once. */
	s->frames += n;
	packets = s->frames / s->per_packet - before;
	count_add(&q->c.tx_packets, packets);
	count_add(&q->c.tx_bytes, packets * q->app->o.len);
	queue_saw_traffic(q, now_sec());
}

/* Queue packet @seq on the TX ring from slot @idx on: its first frame
 * stamped with the headers, the others (--multi-buffer) with the pattern
 * where a first frame had its headers. */
static void put_packet(struct queue *q, struct xsk_ring_prod *tx, uint32_t idx,
		       uint32_t per_packet, uint64_t seq)
{
	static const uint8_t pattern[128] = {
#define P8(i) i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7
		P8(0),	P8(8),	 P8(16),  P8(24),  P8(32), P8(40),
		P8(48), P8(56),	 P8(64),  P8(72),  P8(80), P8(88),
		P8(96), P8(104), P8(112), P8(120),
#undef P8
	};
	const struct frame_spec *s = &q->spec;
	uint32_t fs = q->frames.frame_size, left = s->len;
	uint32_t hdr = frame_hdr_len(s->vlan != 0, s->ipv6);

	for (uint32_t j = 0; j < per_packet; j++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(tx, idx + j);
		uint64_t addr = xsk_frames_alloc(&q->frames);
		uint8_t *data = xsk_umem__get_data(q->area, addr);
		uint32_t len = left < fs ? left : fs;

		if (j == 0)
			frame_stamp(data, q->tmpl, s, seq);
		else
			memcpy(data, pattern, hdr < len ? hdr : len);
		d->addr = addr;
		d->len = len;
		d->options = j + 1 < per_packet ? XDP_PKT_CONTD : 0;
		left -= len;
	}
}

static void tx_loop(struct queue *q)
{
	struct app *a = q->app;
	const struct options *o = &a->o;
	struct xsk_ring_prod *tx = xsk_socket_tx(q->xsk);
	struct xsk_frames *fr = &q->frames;
	uint32_t fs = fr->frame_size;
	struct sent sent = { .per_packet = (o->len + fs - 1) / fs };
	uint32_t k = sent.per_packet;
	uint64_t seq = 0;
	double start = now_sec(), deadline;
	uint32_t idx = 0, n, want, allowed;
	bool throttled;
	int err;

	/* This queue's frames, written whole once (as a packet's first);
	 * afterwards only the headers change. */
	for (uint32_t i = 0; i < fr->nframes; i++) {
		uint64_t addr = fr->base + (uint64_t)i * fs;

		memcpy(xsk_umem__get_data(q->area, addr), q->tmpl,
		       o->len < fs ? o->len : fs);
	}

	while (!app_stopping(a)) {
		/* Frames the kernel has sent are free again. */
		reap(q, &sent);

		/* As many packets as there are free frames and TX ring slots
		 * for, within --rate and --count. */
		want = min_u32(o->batch, xsk_frames_nfree(fr) / k);
		want = min_u32(want, xsk_prod_nb_free(tx, want * k) / k);
		allowed = o->rate ? rate_allows(q, start, seq) : want;
		throttled = allowed < want;
		if (throttled)
			want = allowed;
		n = app_claim(a, want);
		if (want && !n)
			break; /* --count reached */

		if (n) {
			/* Cannot fail: the room was checked above. */
			xsk_ring_prod__reserve(tx, n * k, &idx);
			for (uint32_t i = 0; i < n; i++)
				put_packet(q, tx, idx + i * k, k, seq + i);
			xsk_ring_prod__submit(tx, n * k);
			if (!seq)
				queue_saw_traffic(q, now_sec());
			seq += n;
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

	/* Sent means completed: let the kernel finish what was queued before
	 * the socket closes. */
	deadline = now_sec() + 1;
	while (xsk_frames_nfree(fr) < fr->nframes && now_sec() < deadline) {
		xsk_socket_kick_tx(q->xsk);
		reap(q, &sent);
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
