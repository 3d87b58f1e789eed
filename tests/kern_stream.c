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
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

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
	struct pair p = pair_up(env, &(struct pair_cfg){ .tx_ring = 64 });
	struct xsk_ring_prod *tx = xsk_socket_tx(p.tx->xsk[0]);
	uint64_t nfull = 0, nkick = 0;
	uint32_t kicks;
	char extra[128];
	struct lane l;
	double end;
	int ret;

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
			/* A full ring is writable again once the kernel has
			 * taken half of it. poll() may do that itself (copy
			 * mode with need_wakeup), else kicks do: a copy-mode
			 * kick sends 32 frames since Linux 5.14, 16 before,
			 * and kernels before 6.17 publish the ring's consumer
			 * index only once they have taken all they saw, so
			 * one kick may not be enough. */
			ret = xsk_socket_poll(l.tx, POLLOUT, 0);
			for (kicks = 0; !ret && kicks < tx->size / 16;
			     kicks++) {
				nkick++;
				tx_kick(&l);
				ret = xsk_socket_poll(l.tx, POLLOUT, 0);
			}
			if (!ret)
				ret = xsk_socket_poll(l.tx, POLLOUT, 1000);
			if (ret != POLLOUT)
				fail_msg(
					"poll(POLLOUT) = %d with %u on the TX ring",
					ret, tx_pending(tx));
			tx_kick(&l);
		}
		if (l.sent - l.received < 512 && l.sent < l.count)
			continue;
		/* with frames due, POLLIN must come, once the kernel has
		 * taken them off the TX ring: without need_wakeup, only
		 * kicks send, as many as above */
		for (kicks = 0; tx_pending(tx) && kicks <= tx->size / 16;
		     kicks++)
			tx_kick(&l);
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

static void on_alarm(int sig)
{
	(void)sig;
}

/* xsk_socket_poll(), interrupted by a signal (-EINTR) if it has not
 * returned by itself within 2 s. */
static int poll_bounded(struct xsk_socket *s, short events, int timeout_ms)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_value = { 2, 0 } }, off = { 0 };
	int ret;

	/* no SA_RESTART: poll() returns EINTR */
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	ret = xsk_socket_poll(s, events, timeout_ms);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	return ret;
}

/*
 * POLL_TXQ_FULL: the stall of an application that never reaps its
 * completion ring. With a completion ring of 16 and a full TX ring of 64,
 * the kernel sends 16 frames and then nothing, for it has nowhere to
 * return the frames; the TX ring stays more than half full, so poll()
 * never says POLLOUT. Reaping the completions and kicking moves it again.
 */
static void poll_txq_full(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, &(struct pair_cfg){ .tx_comp_ring = 16,
							 .tx_ring = 64 });
	struct xsk_ring_prod *tx = xsk_socket_tx(p.tx->xsk[0]);
	struct xsk_ring_cons *comp = xsk_socket_comp(p.tx->xsk[0]);
	unsigned int rounds = 0;
	uint32_t idx;
	struct lane l;
	double t, end;
	int ret;

	l = lane_of(env, &p, "TX ring full", 64, 0);
	l.window = 0;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	while (l.sent < l.count)
		assert_true(tx_put(&l) > 0);
	assert_int_equal(tx_pending(tx), 64);
	tx_kick(&l);
	/* the completion ring fills, and is left full */
	for (end = kern_now() + 2; kern_now() < end;) {
		if (xsk_cons_nb_avail(comp, 16) == 16)
			break;
		rx_take(&l, &l.rx[0]);
	}
	assert_int_equal(xsk_ring_cons__peek(comp, 64, &idx), 16);
	xsk_ring_cons__cancel(comp, 16);
	t = kern_now();
	ret = poll_bounded(l.tx, POLLOUT, 100);
	t = kern_now() - t;
	/*
	 * Before Linux 5.19, poll() with need_wakeup drives copy-mode TX, and
	 * with the completion ring full each pass allocates a socket buffer
	 * and frees it again, whose release wakes the poller: poll() spins in
	 * the kernel until a signal comes ("xsk: Fix generic transmit when
	 * completion queue reservation fails" reserves the completion slot
	 * first). Reap the completion ring before polling there.
	 */
	if (ret == -EINTR && env->p->wakeup && !kern_release_at_least(5, 19))
		printf("    poll(POLLOUT, 100) with the completion ring full did not return by itself, as before Linux 5.19: interrupted after %.1f s\n",
		       t);
	else if (ret || t < 0.099)
		fail_msg(
			"poll(POLLOUT, 100) = %d after %.0f ms with %u on the TX ring",
			ret, t * 1000, tx_pending(tx));
	assert_true(tx_pending(tx) > 32);
	/* reap, kick: POLLOUT comes back (kernels before 6.17 publish the
	 * TX ring's consumer index only when they have taken all they saw,
	 * so that may take a few rounds) */
	while (!(ret = xsk_socket_poll(l.tx, POLLOUT, 0)) && rounds++ < 8) {
		l.completed += xsk_frames_complete(&p.tx->txfr, comp, 64);
		tx_kick(&l);
		for (end = kern_now() + 1;
		     !xsk_cons_nb_avail(comp, 1) && kern_now() < end;)
			rx_take(&l, &l.rx[0]);
	}
	printf("    poll(POLLOUT, 100) = 0 after %.0f ms with the completion ring full; POLLOUT after %u round(s) of reaping and a kick\n",
	       t * 1000, rounds);
	assert_int_equal(ret, POLLOUT);
	assert_lossless(&l, lanes_run(env, &l, 1, 5, 0));
	drain_comp(&l, l.sent);
}

/* A knob of a veth end in sysfs, through the end's namespace. */
static void knob(const struct env *env, int side, const char *name,
		 const char *value, char *old, size_t len)
{
	const char *ns = side ? kern.peer_ns : kern.ns;
	char cmd[256];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /sys/class/net/%s/%s",
		 ns, env->ifname[side], name);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (!fgets(old, (int)len, f))
		old[0] = '\0';
	pclose(f);
	old[strcspn(old, "\n")] = '\0';
	assert_true(old[0] != '\0');
	assert_int_equal(
		kern_sh("ip netns exec %s sh -c 'echo %s > /sys/class/net/%s/%s'",
			ns, value, env->ifname[side], name),
		0);
}

/* Frames the namespace's sockets took by busy polling (BusyPollRxPackets
 * of TcpExt in /proc/net/netstat). */
static unsigned long long busy_poll_rx(void)
{
	char names[4096], values[4096], *n, *v, *sn, *sv;
	unsigned long long got = 0;
	FILE *f = fopen("/proc/net/netstat", "r");

	assert_non_null(f);
	while (fgets(names, sizeof(names), f) &&
	       fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(values, " \n", &sv);
		while (n && v && strcmp(n, "BusyPollRxPackets")) {
			n = strtok_r(NULL, " \n", &sn);
			v = strtok_r(NULL, " \n", &sv);
		}
		if (n && v)
			got = strtoull(v, NULL, 10);
	}
	fclose(f);
	return got;
}

/*
 * Preferred busy polling with real NAPI: veth runs native XDP in NAPI;
 * with napi_defer_hard_irqs and gro_flush_timeout set on both ends, NAPI
 * is left to the sockets' busy polling, which each wake-up syscall runs
 * (SO_PREFER_BUSY_POLL, Linux 5.11), and to the timer. Every frame
 * accounted; busy polling took frames whenever the socket has a NAPI id;
 * the knobs restored after.
 */
static void napi_busy_poll(void **state)
{
	static const char *const names[2] = { "napi_defer_hard_irqs",
					      "gro_flush_timeout" };
	static const char *const values[2] = { "2", "200000" };
	char old[2][2][32], now[32];
	struct env *env = *state;
	struct pair p;
	struct lane l;
	uint64_t features = 0;
	unsigned int napi = 0;
	socklen_t len = sizeof(napi);
	unsigned long long polled;
	int side, k, err;
	bool ok;

	/* veth has NAPI only while XDP runs on it, and since Linux 6.13 a
	 * socket takes its queue's NAPI id when it binds, if the driver
	 * links the two: the program comes first */
	p.rx = end_new(env, 0);
	end_umem(p.rx, 4096, 4096, 0, 0, 2048);
	end_prog(env, p.rx, NULL);
	end_socket(env, p.rx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX });
	assert_int_equal(xsk_prog_add_socket(p.rx->prog, p.rx->xsk[0]), 0);
	p.tx = end_new(env, 1);
	end_umem(p.tx, 4096, 4096, 0, 0, 2048);
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX });
	l = lane_of(env, &p, "busy polling", 20000, 0);
	assert_int_equal(xsk_probe(&features), 0);
	err = xsk_socket_busy_poll(l.rx[0].xsk, 20, 64);
	if (!(features & XSK_FEATURE_BUSY_POLL)) {
		if (err != -EOPNOTSUPP || !strstr(xsk_errmsg(), "5.11"))
			fail_msg(
				"busy polling refused (%d) without naming Linux 5.11: %s",
				err, xsk_errmsg());
		printf("    refused, as this kernel must: %s\n", xsk_errmsg());
		return;
	}
	assert_int_equal(err, 0);
	assert_int_equal(xsk_socket_busy_poll(l.tx, 20, 64), 0);
	for (side = 0; side < 2; side++)
		for (k = 0; k < 2; k++)
			knob(env, side, names[k], values[k], old[side][k],
			     sizeof(old[side][k]));
	/* NAPI now runs only when polled: keep the frames in flight well
	 * within veth's ring of 256 (which frees its slots in batches) */
	l.window = 128;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	polled = busy_poll_rx();
	ok = lanes_run(env, &l, 1, 20, 0);
	polled = busy_poll_rx() - polled;
	assert_int_equal(getsockopt(xsk_socket_fd(l.rx[0].xsk), SOL_SOCKET,
				    SO_INCOMING_NAPI_ID, &napi, &len),
			 0);
	report(&l, NULL);
	printf("    the RX socket's NAPI id: %u; frames taken by busy polling: %llu%s\n",
	       napi, polled,
	       napi ? "" :
		      " (this kernel gives the socket no NAPI id on veth: NAPI ran from gro_flush_timeout's timer)");
	assert_lossless(&l, ok);
	drain_comp(&l, l.sent);
	/* the wake-up syscalls (not poll(), unless net.core.busy_poll is
	 * set) busy-poll the socket's NAPI instance, if it has one */
	if (napi && !env->p->poll)
		assert_true(polled > 0);
	if (!napi)
		assert_true(polled == 0);
	for (side = 0; side < 2; side++)
		for (k = 0; k < 2; k++) {
			knob(env, side, names[k], old[side][k], now,
			     sizeof(now));
			assert_string_equal(now, values[k]);
		}
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
		{ "poll_txq_full", poll_txq_full, POLL_ROWS },
		{ "napi_busy_poll", napi_busy_poll, NATIVE_ROWS },
		{ "headroom", headroom, ALL_ROWS },
		{ "bidirectional", bidirectional, ALL_ROWS },
	};
	const char *s = getenv("XSK_TRAFFIC_LONG");

	if (s)
		long_count = (uint32_t)strtoul(s, NULL, 0);
	return traffic_main("streams and poll on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
