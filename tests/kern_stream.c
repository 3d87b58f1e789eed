// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel: streams and poll().
 *
 * Frames go from an AF_XDP TX socket on one veth end to an AF_XDP RX socket
 * on the other, so each case drives libxsk's TX and RX paths at once:
 * copy-mode TX on one end hands an skb to the other end, where the XDP
 * program (native or generic) redirects it into the XSKMAP. Each case
 * accounts for every frame sent: received and checked byte by byte, or
 * counted by the kernel (xsk_socket_stats). Every case runs over the mode
 * matrix, on a veth pair of its own (see traffic.h).
 *
 * XSK_TRAFFIC_FILTER=pattern runs only the matching cases (e.g.
 * "stream_64*"); XSK_TRAFFIC_LONG=n changes the long stream's length.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traffic.h"

static uint32_t long_count = 1000000;

/* A stream of @count frames of @len bytes in @frame_size chunks. */
static void stream(void **state, uint32_t frame_size, uint32_t len,
		   uint32_t count, uint32_t rx_flags, uint32_t comp_ring)
{
	struct env *env = *state;
	struct pair p =
		pair_up(env, &(struct pair_cfg){ .frame_size = frame_size,
						 .rx_flags = rx_flags,
						 .tx_comp_ring = comp_ring });
	struct lane l = lane_of(env, &p, "stream", count, len);
	double t = kern_now();
	char extra[64];
	bool ok;

	end_fill(p.rx, p.rx->xsk[0], UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10 + count / 20000.0, 0);
	t = kern_now() - t;
	assert_lossless(&l, ok);
	drain_comp(&l, l.sent);
	snprintf(extra, sizeof(extra), "%.2f s, %.0f frames/s", t,
		 l.received / t);
	report(&l, extra);
}

static void single_packet(void **state)
{
	stream(state, 4096, 64, 1, 0, 0);
}

static void stream_64_chunk4096(void **state)
{
	stream(state, 4096, 64, 20000, 0, 0);
}

static void stream_1500_chunk4096(void **state)
{
	stream(state, 4096, 1500, 5000, 0, 0);
}

static void stream_64_chunk2048(void **state)
{
	stream(state, 2048, 64, 20000, 0, 0);
}

static void stream_1500_chunk2048(void **state)
{
	stream(state, 2048, 1500, 5000, 0, 0);
}

static void stream_unaligned(void **state)
{
	/* chunks that are no power of two, on both UMEMs */
	stream(state, 3000, 1500, 5000, XSK_UMEM_UNALIGNED, 0);
}

static void long_stream(void **state)
{
	/* A completion ring smaller than the frames in flight: the kernel
	 * must wait for us to reap it, so its wrap-around and the consumer
	 * index we publish are exercised at capacity. */
	stream(state, 4096, 0, long_count, 0, 64);
}

/* poll() with nothing to do times out cleanly and says nothing. */
static void poll_timeout(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct xsk_socket *rx = p.rx->xsk[0], *tx = p.tx->xsk[0];
	double t;
	int ret;

	end_fill(p.rx, rx, UINT32_MAX);
	t = kern_now();
	ret = xsk_socket_poll(rx, POLLIN, 100);
	t = kern_now() - t;
	assert_int_equal(ret, 0);
	assert_true(t > 0.09 && t < 1);
	/* an RX-only socket is never writable */
	assert_int_equal(xsk_socket_poll(rx, POLLOUT, 20), 0);
	/* an empty TX ring is writable at once; a TX-only socket never
	 * readable */
	assert_int_equal(xsk_socket_poll(tx, POLLOUT, 1000), POLLOUT);
	assert_int_equal(xsk_socket_poll(tx, POLLIN, 20), 0);
	assert_int_equal(xsk_socket_poll(rx, POLLIN, 0), 0);
	printf("    poll(POLLIN) on an idle RX socket: 0 after %.0f ms\n",
	       t * 1000);
}

/*
 * Drive the whole transfer from poll(): put frames only when poll() says
 * the TX ring has room (a small ring, so that it fills), take them only when
 * poll() says RX has some. A poll() that times out while frames are due is
 * a failure.
 */
static void poll_rx_tx(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct lane l;
	char extra[128];
	struct xsk_ring_prod *tx;
	uint64_t nfull = 0, nkick = 0;
	double end;
	int ret;

	end_close(p.tx);
	end_umem(p.tx, 4096, 4096, 0, 0, 2048);
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX,
				       .tx_size = 64 });
	tx = xsk_socket_tx(p.tx->xsk[0]);
	l = lane_of(env, &p, "poll", 20000, 0);
	l.window = 0;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	end = kern_now() + 20;
	while (l.received < l.count && kern_now() < end) {
		l.completed += xsk_frames_complete(&p.tx->txfr,
						   xsk_socket_comp(l.tx), 256);
		if (l.sent < l.count) {
			tx_put(&l);
			if (tx_pending(tx) == tx->size)
				nfull++;
			/* a full ring is not writable until the kernel takes
			 * some; poll() may do that itself (copy mode with
			 * need_wakeup), else the kick does */
			ret = xsk_socket_poll(l.tx, POLLOUT, 0);
			if (!ret) {
				nkick++;
				tx_kick(&l);
				ret = xsk_socket_poll(l.tx, POLLOUT, 1000);
			}
			if (ret != POLLOUT)
				fail_msg(
					"poll(POLLOUT) = %d with %u on the TX ring",
					ret, tx_pending(tx));
			tx_kick(&l);
		}
		if (l.sent - l.received < 512 && l.sent < l.count)
			continue;
		/* with frames due, POLLIN must come */
		ret = xsk_socket_poll(l.rx[0].xsk, POLLIN, 1000);
		if (ret != POLLIN)
			fail_msg("poll(POLLIN) = %d with %llu frames due", ret,
				 (unsigned long long)(l.sent - l.received));
		while (rx_take(&l, &l.rx[0]))
			;
		end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
		l.received = l.rx[0].got;
	}
	snprintf(
		extra, sizeof(extra),
		"TX ring full at poll() %llu times (kick needed %llu), POLLOUT each time",
		(unsigned long long)nfull, (unsigned long long)nkick);
	report(&l, extra);
	assert_true(nfull > 0);
	assert_lossless(&l, l.received == l.count);
	drain_comp(&l, l.sent);
}

/* Data lands after the UMEM's headroom, which the kernel leaves alone. */
static void headroom(void **state)
{
	struct env *env = *state;
	const uint32_t room = 1024;
	struct pair p = pair_up(env, &(struct pair_cfg){ .headroom = room });
	struct lane l = lane_of(env, &p, "headroom 1024", 5000, 1500);
	bool ok;

	/* the RX frames' headroom gets a canary the kernel must not touch */
	for (uint32_t i = 0; i < p.rx->nframes / 2; i++)
		memset((char *)p.rx->bounds.area + (size_t)i * 4096,
		       FRAME_CANARY, room);
	l.rx[0].canary = true;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10, 0);
	report(&l, "data at offset 1024 + 256 in every chunk");
	assert_lossless(&l, ok);
	drain_comp(&l, l.sent);
}

/* Run one lane (or two at once) and check it. */
static void run_checked(const struct env *env, struct lane *ls, unsigned int nl)
{
	bool ok = lanes_run(env, ls, nl, 10, 0);

	for (unsigned int i = 0; i < nl; i++)
		report(&ls[i], NULL);
	for (unsigned int i = 0; i < nl; i++)
		assert_lossless(&ls[i], ok);
	for (unsigned int i = 0; i < nl; i++)
		drain_comp(&ls[i], ls[i].sent);
}

/* One socket with RX and TX on each end: one way, the other way, both. */
static void bidirectional(void **state)
{
	struct env *env = *state;
	struct sock_cfg sc = { 0 };
	struct end *a = end_new(env, 0), *b = end_new(env, 1);
	struct lane ab, ba, both[2];

	end_umem(a, 4096, 4096, 0, 0, 2048);
	end_umem(b, 4096, 4096, 0, 0, 2048);
	end_socket(env, a, 0, &sc);
	end_socket(env, b, 0, &sc);
	end_prog(env, a, NULL);
	end_prog(env, b, NULL);
	assert_int_equal(xsk_prog_add_socket(a->prog, a->xsk[0]), 0);
	assert_int_equal(xsk_prog_add_socket(b->prog, b->xsk[0]), 0);
	end_fill(a, a->xsk[0], UINT32_MAX);
	end_fill(b, b->xsk[0], UINT32_MAX);

	memset(&ab, 0, sizeof(ab));
	ab.env = env;
	ab.txe = a;
	ab.tx = a->xsk[0];
	ab.to = 1;
	ab.rx[0] = (struct rx_side){ .e = b, .xsk = b->xsk[0], .stride = 1 };
	ab.nrx = 1;
	ab.count = 10000;
	ab.window = 256;
	ba = ab;
	ba.txe = b;
	ba.tx = b->xsk[0];
	ba.to = 0;
	ba.rx[0] = (struct rx_side){ .e = a, .xsk = a->xsk[0], .stride = 1 };

	ab.what = "A to B";
	ab.stream = 1;
	run_checked(env, &ab, 1);

	ba.what = "B to A (swapped)";
	ba.stream = 2;
	run_checked(env, &ba, 1);

	both[0] = ab;
	both[1] = ba;
	for (int i = 0; i < 2; i++) {
		both[i].sent = both[i].received = both[i].completed = 0;
		both[i].rx[0].got = 0;
		both[i].rx[0].next = 0;
		both[i].stream = 3 + i;
	}
	both[0].what = "A to B, both at once";
	both[1].what = "B to A, both at once";
	run_checked(env, both, 2);
}

int main(void)
{
	static const struct case_def cases[] = {
		{ "single_packet", single_packet, ALL_ROWS },
		{ "stream_64_chunk4096", stream_64_chunk4096, ALL_ROWS },
		{ "stream_1500_chunk4096", stream_1500_chunk4096, ALL_ROWS },
		{ "stream_64_chunk2048", stream_64_chunk2048, ALL_ROWS },
		{ "stream_1500_chunk2048", stream_1500_chunk2048, ALL_ROWS },
		{ "stream_unaligned", stream_unaligned, ALL_ROWS },
		{ "long_stream", long_stream, ALL_ROWS },
		{ "poll_timeout", poll_timeout, POLL_ROWS },
		{ "poll_rx_tx", poll_rx_tx, POLL_ROWS },
		{ "headroom", headroom, ALL_ROWS },
		{ "bidirectional", bidirectional, ALL_ROWS },
	};
	const char *s = getenv("XSK_TRAFFIC_LONG");

	if (s)
		long_count = (uint32_t)strtoul(s, NULL, 0);
	return traffic_main("streams and poll on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
