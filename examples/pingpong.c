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
 * flight at a time, so the time measured is the round trip alone; with
 * --in-flight N, N are, each timed from its own sending (the queueing
 * behind the others included).
 *
 * The round trips go into a histogram (hist.h): fixed buckets, nothing
 * allocated per sample.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "hist.h"

/* The sender's figures: one thread writes them; the summary reads them
 * once it is done. */
static struct {
	struct hist h; /* round trips measured */
	uint64_t lost; /* no reply within --timeout */
	uint64_t late; /* a reply to a ping already counted as lost */
	uint64_t other; /* frames that were no reply of ours */
} rtt;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The pings in flight (--in-flight): ping s waits in slot s % in_flight,
 * which holds its number and when it went; a slot whose number is NONE is
 * free. Pings go out in order, so the oldest unanswered one is the next to
 * time out.
 */
#define NONE UINT64_MAX
#define MAX_IN_FLIGHT 256
static struct {
	uint64_t seq[MAX_IN_FLIGHT], t0[MAX_IN_FLIGHT];
	uint32_t n, size;
	uint64_t oldest, next; /* the oldest ping maybe in flight; the next */
} fl;

/* Frames that came in at @t1: replies to pings in flight, or others.
 * Every frame goes back to the allocator, and from there to the fill
 * ring. */
static void take_replies(struct queue *q, const struct options *check,
			 uint32_t n, uint32_t idx, uint64_t t1)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(q->xsk);
	uint64_t bytes = 0, s;

	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(rx, idx + i);
		const uint8_t *f = xsk_umem__get_data(
			q->area, xsk_umem__add_offset_to_addr(d->addr));

		s = d->len == q->spec.len ? frame_seq(f) : NONE;
		if (frame_check(f, d->len, check, NULL, 0) != FRAME_OK ||
		    d->len != q->spec.len) {
			rtt.other++;
		} else if (fl.seq[s % fl.size] == s) {
			hist_record(&rtt.h, t1 - fl.t0[s % fl.size]);
			fl.seq[s % fl.size] = NONE;
			fl.n--;
		} else {
			rtt.late++;
		}
		bytes += d->len;
		xsk_frames_free(&q->frames, d->addr);
	}
	xsk_ring_cons__release(rx, n);
	xsk_frames_fill(&q->frames, xsk_socket_fill(q->xsk), n);
	count_add(&q->c.rx_packets, n);
	count_add(&q->c.rx_bytes, bytes);
}

/* The oldest ping in flight, if it has waited @timeout at @t1, is lost. */
static void expire(uint64_t t1, uint64_t timeout)
{
	while (fl.oldest < fl.next && fl.seq[fl.oldest % fl.size] != fl.oldest)
		fl.oldest++;
	if (fl.oldest < fl.next && t1 - fl.t0[fl.oldest % fl.size] >= timeout) {
		fl.seq[fl.oldest % fl.size] = NONE;
		fl.n--;
		rtt.lost++;
	}
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
	uint64_t timeout = (uint64_t)o->timeout_ms * 1000000, t0, t1, wait;
	uint32_t n, idx = 0;
	bool more = true; /* --count not reached */
	int err;

	check.have_src_mac = check.have_dst_mac = false;
	fl.size = o->in_flight;
	for (uint32_t k = 0; k < fl.size; k++)
		fl.seq[k] = NONE;
	/* Half the frames to receive into, half to send from. */
	xsk_frames_fill(&q->frames, xsk_socket_fill(q->xsk),
			q->frames.nframes / 2);
	while (!app_stopping(a) && (more || fl.n)) {
		/* A ping into every free slot; each has its own time. */
		while (more && fl.n < fl.size &&
		       fl.seq[fl.next % fl.size] == NONE) {
			if (app_claim(a, 1) == 0) {
				more = false; /* --count reached */
				break;
			}
			err = send_ping(q, fl.next, &t0);
			if (err) {
				if (err != -EINTR)
					queue_fail(q, err, "sending");
				return;
			}
			fl.seq[fl.next % fl.size] = fl.next;
			fl.t0[fl.next % fl.size] = t0;
			fl.next++;
			fl.n++;
			count_add(&q->c.tx_packets, 1);
			count_add(&q->c.tx_bytes, q->spec.len);
			queue_saw_traffic(q, now_sec());
		}
		n = xsk_ring_cons__peek(rx, o->batch, &idx);
		t1 = now_ns();
		if (n) {
			take_replies(q, &check, n, idx, t1);
			continue;
		}
		expire(t1, timeout);
		if (!fl.n)
			continue;
		if (o->wait == WAIT_POLL) {
			wait = t1 - fl.t0[fl.oldest % fl.size];
			xsk_socket_poll(
				q->xsk, POLLIN,
				wait < timeout ?
					(int)((timeout - wait) / 1000000) + 1 :
					1);
		} else {
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
	kv_u64(l, "replies", rtt.h.n);
	kv_u64(l, "lost", rtt.lost);
	kv_u64(l, "late", rtt.late);
	kv_u64(l, "other_frames", rtt.other);
	if (!rtt.h.n)
		return;
	kv_num(l, "rtt_min_us", (double)rtt.h.min / 1e3, 2);
	kv_num(l, "rtt_p50_us", (double)hist_percentile(&rtt.h, 0.5) / 1e3, 2);
	kv_num(l, "rtt_p99_us", (double)hist_percentile(&rtt.h, 0.99) / 1e3, 2);
	kv_num(l, "rtt_p999_us", (double)hist_percentile(&rtt.h, 0.999) / 1e3,
	       2);
	kv_num(l, "rtt_max_us", (double)rtt.h.max / 1e3, 2);
	kv_num(l, "rtt_mean_us", (double)rtt.h.sum / (double)rtt.h.n / 1e3, 2);
	/* JSON only: every non-empty bucket, [from ns, to ns, count]. */
	len += (size_t)snprintf(hist, sizeof(hist), "[");
	for (uint32_t b = 0; b < HIST_NBUCKETS && len < sizeof(hist); b++)
		if (rtt.h.b[b])
			len += (size_t)snprintf(hist + len, sizeof(hist) - len,
						"%s[%" PRIu64 ",%" PRIu64
						",%" PRIu64 "]",
						len > 1 ? "," : "", hist_low(b),
						hist_low(b + 1), rtt.h.b[b]);
	if (len < sizeof(hist))
		snprintf(hist + len, sizeof(hist) - len, "]");
	kv_json(l, "rtt_hist", len < sizeof(hist) ? hist : "[]");
}

/* The histogram in text: a row per power of two of nanoseconds. */
static void print_histogram(void)
{
	uint64_t rows[HIST_MAX_EXP + 1] = { 0 }, top = 0;
	uint32_t first = HIST_MAX_EXP, last = 0;

	for (uint32_t b = 0; b < HIST_NBUCKETS; b++) {
		uint32_t e = 63 - (uint32_t)__builtin_clzll(hist_low(b) | 1);

		rows[e] += rtt.h.b[b];
	}
	for (uint32_t e = 0; e <= HIST_MAX_EXP; e++) {
		if (!rows[e])
			continue;
		first = e < first ? e : first;
		last = e;
		top = rows[e] > top ? rows[e] : top;
	}
	if (!rtt.h.n)
		return;
	printf("pingpong: round trips, microseconds:\n");
	for (uint32_t e = first; e <= last; e++)
		printf("  %9.2f to %9.2f %10" PRIu64 " %5.1f%%%s%.*s\n",
		       (double)(1ull << e) / 1e3, (double)(2ull << e) / 1e3,
		       rows[e], 100.0 * (double)rows[e] / (double)rtt.h.n,
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
