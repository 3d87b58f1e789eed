// SPDX-License-Identifier: MIT
/*
 * pingpong: round-trip times over AF_XDP. One side sends a frame, waits
 * for it to come back and notes how long that took, then sends the next;
 * the other side (pingpong --reflect, or fwd) sends back whatever arrives.
 *
 *	pingpong --reflect -i veth0        in one place,
 *	pingpong -i veth1 -n 100000        in the other: RTT min, median, ...
 *	pingpong -i veth1 -w poll          the same, sleeping in poll()
 *
 * The sender's loop: a frame (tx's format, sequence number = the ping's)
 * goes on the TX ring; then the RX ring is watched, the way --wait says,
 * until the frame with that number arrives (its round trip goes into the
 * histogram) or --timeout passes (the ping counts as lost). One ping is in
 * flight at a time, so the time measured is the round trip alone.
 *
 * The histogram has fixed log-linear buckets: 16 per power of two of
 * nanoseconds, so each is within 6.25% of its value, and nothing is
 * allocated per sample.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"

#define SUB_BITS 4
#define SUB (1u << SUB_BITS) /* buckets per power of two */
#define MAX_EXP 40 /* 2^40 ns, some 18 minutes: the last bucket's end */
#define NBUCKETS (SUB + (MAX_EXP - SUB_BITS) * SUB)

/* The sender's figures: one thread writes them; the summary reads them
 * once it is done. */
static struct {
	uint64_t hist[NBUCKETS];
	uint64_t n, min, max, sum; /* round trips measured, in ns */
	uint64_t lost; /* no reply within --timeout */
	uint64_t late; /* a reply to a ping already counted as lost */
	uint64_t other; /* frames that were no reply of ours */
} rtt;

static uint32_t bucket(uint64_t ns)
{
	uint32_t e;

	if (ns >= 1ull << MAX_EXP)
		ns = (1ull << MAX_EXP) - 1;
	if (ns < SUB)
		return (uint32_t)ns;
	e = 63 - (uint32_t)__builtin_clzll(ns);
	return SUB + (e - SUB_BITS) * SUB + (uint32_t)(ns >> (e - SUB_BITS)) -
	       SUB;
}

/* The first value of bucket @b; its end is bucket_low(b + 1). */
static uint64_t bucket_low(uint32_t b)
{
	uint32_t e;

	if (b < SUB)
		return b;
	e = (b - SUB) / SUB + SUB_BITS;
	return (uint64_t)(SUB + (b - SUB) % SUB) << (e - SUB_BITS);
}

static void record(uint64_t ns)
{
	rtt.hist[bucket(ns)]++;
	if (!rtt.n || ns < rtt.min)
		rtt.min = ns;
	if (ns > rtt.max)
		rtt.max = ns;
	rtt.sum += ns;
	rtt.n++;
}

/* The round trip that a fraction @p of them did not exceed: the end of
 * the bucket where the count reaches it, within the min and max seen. */
static uint64_t percentile(double p)
{
	uint64_t want = (uint64_t)(p * (double)rtt.n + 0.999999), seen = 0;
	uint64_t v = rtt.max;

	for (uint32_t b = 0; b < NBUCKETS; b++) {
		seen += rtt.hist[b];
		if (seen >= want && seen) {
			v = bucket_low(b + 1) - 1;
			break;
		}
	}
	return v < rtt.min ? rtt.min : v > rtt.max ? rtt.max : v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Frames that came in: the reply to ping @seq, or others. Every frame goes
 * back to the allocator, and from there to the fill ring. Return: whether
 * the reply was among them. */
static bool take_replies(struct queue *q, const struct options *check,
			 uint32_t n, uint32_t idx, uint64_t seq)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(q->xsk);
	uint64_t bytes = 0;
	bool got = false;

	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(rx, idx + i);
		const uint8_t *f = xsk_umem__get_data(
			q->area, xsk_umem__add_offset_to_addr(d->addr));

		if (frame_check(f, d->len, check, NULL, 0) != FRAME_OK ||
		    d->len != q->spec.len)
			rtt.other++;
		else if (frame_seq(f) == seq)
			got = true;
		else
			rtt.late++;
		bytes += d->len;
		xsk_frames_free(&q->frames, d->addr);
	}
	xsk_ring_cons__release(rx, n);
	xsk_frames_fill(&q->frames, xsk_socket_fill(q->xsk), n);
	count_add(&q->c.rx_packets, n);
	count_add(&q->c.rx_bytes, bytes);
	return got;
}

/* Send ping @seq; *@t0: when it went. Return: 0, or a negative errno
 * (the run ends). */
static int send_ping(struct queue *q, uint64_t seq, uint64_t *t0)
{
	struct xsk_ring_prod *tx = xsk_socket_tx(q->xsk);
	uint64_t addr;
	uint32_t idx = 0;
	uint8_t *f;
	int err;

	/* The last ping's frame is back by now, or soon. */
	do {
		xsk_frames_complete(&q->frames, xsk_socket_comp(q->xsk),
				    UINT32_MAX);
		addr = xsk_frames_alloc(&q->frames);
	} while (addr == XSK_FRAMES_NONE && !app_stopping(q->app));
	if (addr == XSK_FRAMES_NONE)
		return -EINTR;
	/* The frame may have been received into: write it whole. */
	f = xsk_umem__get_data(q->area, addr);
	memcpy(f, q->tmpl, q->spec.len);
	frame_stamp(f, q->tmpl, &q->spec, seq);
	xsk_ring_prod__reserve(tx, 1, &idx);
	xsk_ring_prod__tx_desc(tx, idx)->addr = addr;
	xsk_ring_prod__tx_desc(tx, idx)->len = q->spec.len;
	xsk_ring_prod__tx_desc(tx, idx)->options = 0;
	/* Before the kick: in copy mode the frame goes, and may even come
	 * back, before the syscall returns. */
	*t0 = now_ns();
	xsk_ring_prod__submit(tx, 1);
	do
		err = xsk_socket_kick_tx(q->xsk);
	while (err == -EAGAIN || err == -EBUSY);
	return err;
}

static void ping_loop(struct queue *q)
{
	struct app *a = q->app;
	const struct options *o = &a->o;
	struct xsk_ring_cons *rx = xsk_socket_rx(q->xsk);
	/* A reply has the MACs swapped: check it with the frame's own. */
	struct options check = *o;
	uint64_t timeout = (uint64_t)o->timeout_ms * 1000000, t0, t1;
	uint32_t n, idx = 0;
	int err;

	check.have_src_mac = check.have_dst_mac = false;
	/* Half the frames to receive into, half to send from. */
	xsk_frames_fill(&q->frames, xsk_socket_fill(q->xsk),
			q->frames.nframes / 2);
	for (uint64_t seq = 0; !app_stopping(a); seq++) {
		if (app_claim(a, 1) == 0)
			break; /* --count reached */
		err = send_ping(q, seq, &t0);
		if (err) {
			if (err != -EINTR)
				queue_fail(q, err, "sending");
			break;
		}
		count_add(&q->c.tx_packets, 1);
		count_add(&q->c.tx_bytes, q->spec.len);
		queue_saw_traffic(q, now_sec());
		for (;;) {
			n = xsk_ring_cons__peek(rx, o->batch, &idx);
			t1 = now_ns();
			if (n && take_replies(q, &check, n, idx, seq)) {
				record(t1 - t0);
				break;
			}
			if (t1 - t0 >= timeout) {
				rtt.lost++;
				break;
			}
			if (app_stopping(a))
				break;
			if (n)
				continue;
			if (o->wait == WAIT_POLL)
				xsk_socket_poll(
					q->xsk, POLLIN,
					(int)((timeout - (t1 - t0)) / 1000000) +
						1);
			else
				queue_wait(q, q->xsk, POLLIN);
		}
	}
}

/* The round trips in the summary, in microseconds. */
static void summary(const struct app *a, struct kv *l)
{
	char hist[8192];
	size_t len = 0;

	(void)a;
	kv_u64(l, "replies", rtt.n);
	kv_u64(l, "lost", rtt.lost);
	kv_u64(l, "late", rtt.late);
	kv_u64(l, "other_frames", rtt.other);
	if (!rtt.n)
		return;
	kv_num(l, "rtt_min_us", (double)rtt.min / 1e3, 2);
	kv_num(l, "rtt_p50_us", (double)percentile(0.5) / 1e3, 2);
	kv_num(l, "rtt_p99_us", (double)percentile(0.99) / 1e3, 2);
	kv_num(l, "rtt_p999_us", (double)percentile(0.999) / 1e3, 2);
	kv_num(l, "rtt_max_us", (double)rtt.max / 1e3, 2);
	kv_num(l, "rtt_mean_us", (double)rtt.sum / (double)rtt.n / 1e3, 2);
	/* JSON only: every non-empty bucket, [from ns, to ns, count]. */
	len += (size_t)snprintf(hist, sizeof(hist), "[");
	for (uint32_t b = 0; b < NBUCKETS && len < sizeof(hist); b++)
		if (rtt.hist[b])
			len += (size_t)snprintf(hist + len, sizeof(hist) - len,
						"%s[%" PRIu64 ",%" PRIu64
						",%" PRIu64 "]",
						len > 1 ? "," : "",
						bucket_low(b),
						bucket_low(b + 1), rtt.hist[b]);
	if (len < sizeof(hist))
		snprintf(hist + len, sizeof(hist) - len, "]");
	kv_json(l, "rtt_hist", len < sizeof(hist) ? hist : "[]");
}

/* The histogram in text: a row per power of two of nanoseconds. */
static void print_histogram(void)
{
	uint64_t rows[MAX_EXP + 1] = { 0 }, top = 0;
	uint32_t first = MAX_EXP, last = 0;

	for (uint32_t b = 0; b < NBUCKETS; b++) {
		uint32_t e = 63 - (uint32_t)__builtin_clzll(bucket_low(b) | 1);

		rows[e] += rtt.hist[b];
	}
	for (uint32_t e = 0; e <= MAX_EXP; e++) {
		if (!rows[e])
			continue;
		first = e < first ? e : first;
		last = e;
		top = rows[e] > top ? rows[e] : top;
	}
	if (!rtt.n)
		return;
	printf("pingpong: round trips, microseconds:\n");
	for (uint32_t e = first; e <= last; e++)
		printf("  %9.2f to %9.2f %10" PRIu64 " %5.1f%%%s%.*s\n",
		       (double)(1ull << e) / 1e3, (double)(2ull << e) / 1e3,
		       rows[e], 100.0 * (double)rows[e] / (double)rtt.n,
		       40 * rows[e] >= top ? " " : "",
		       (int)(40 * rows[e] / top),
		       "########################################");
}

int main(int argc, char **argv)
{
	struct app a;
	int rc = app_setup(&a, argc, argv, "pingpong", APP_PING);

	if (rc)
		return rc;
	if (a.o.reflect)
		return app_run(&a, reflect_loop);
	a.summary = summary;
	rc = app_run(&a, ping_loop);
	if (!a.o.json)
		print_histogram();
	return rc;
}
