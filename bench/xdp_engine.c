// SPDX-License-Identifier: MIT
/*
 * xdp_engine: the examples' rx, tx and fwd loops, and pingpong's, written
 * against libxdp's API, for the packet benchmark's side-by-side
 * comparison. Built only by `make bench`, only where libxdp's development
 * files are installed; libxsk never needs it.
 *
 *	xdp_engine rx|tx|fwd|ping -i IF [-C CPU] [-d SEC] [-b N]
 *		[-w spin|poll|busy-poll] [-W] [-B BUDGET] [-t] [-n IN_FLIGHT]
 *
 * -W: no need_wakeup (a wake-up syscall every time, as libxdp programs do
 * without it); -B: the copy-mode TX budget, 0 for the kernel's default;
 * -t: read every byte of each frame (rx --touch, fwd --touch); -n: pings
 * in flight (pingpong --in-flight). ping times round trips to a reflector
 * (fwd, or pingpong --reflect) as pingpong does, in the same histogram
 * (examples/hist.h), and prints the same rtt_* keys.
 *
 * Same structure and sizes as examples/rx.c, tx.c and fwd.c with their
 * defaults: a UMEM of 4096 frames of 4096 bytes, rings of 2048, batches of
 * 64, need_wakeup, one thread pinned to CPU, the main thread waking every
 * 20 ms and reading the socket's statistics once a second, a free-frame
 * stack, and the copy-mode TX budget raised to the TX ring size where the
 * kernel has XDP_MAX_TX_SKB_BUDGET. Where libxsk has a helper (the frame
 * allocator's bulk moves, the wake-ups that check need_wakeup) this file
 * does what a libxdp program does: per-descriptor loops over libxdp's
 * inline ring helpers, and its own syscalls. The XDP program is libxdp's
 * default one, loaded and attached by xsk_socket__create().
 *
 * Prints a summary line with the same keys as the examples'.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <xdp/xsk.h>

#include "hist.h"

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

#define NFRAMES 4096u
#define FRAME_SIZE 4096u
#define RING_SIZE 2048u
#define FRAME_LEN 64u
#define SEQ_OFF 50 /* where examples/tx.c puts the sequence number */

enum kind { RX, TX, FWD, PING };
static const char *const kind_names[] = { "rx", "tx", "fwd", "ping" };
enum wait { SPIN, POLL, BUSY_POLL };

static struct {
	enum kind kind;
	const char *ifname;
	int cpu;
	double duration;
	enum wait wait;
	uint32_t batch;
	bool no_wakeup, touch;
	int budget;
	uint32_t in_flight;
} o = { .cpu = -1, .batch = 64, .budget = RING_SIZE, .in_flight = 1 };

static struct xsk_umem *umem;
static struct xsk_socket *xsk;
static struct xsk_ring_prod fill, tx;
static struct xsk_ring_cons comp, rx;
static void *area;
static int fd;

/* The free frames. Only the loop's thread touches them. */
static uint64_t stack[NFRAMES];
static uint32_t nfree;

static int stop;
static uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
static int loop_err;

static bool stopping(void)
{
	return __atomic_load_n(&stop, __ATOMIC_RELAXED);
}

static void count_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------- the wake-ups */

/* As libxdp's xdpsock sample decides: busy polling and no need_wakeup
 * make the syscall every time. */
static bool must_wake(struct xsk_ring_prod *r)
{
	return o.wait == BUSY_POLL || o.no_wakeup ||
	       xsk_ring_prod__needs_wakeup(r);
}

static void wake_rx(void)
{
	if (must_wake(&fill))
		recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

static int kick_tx(void)
{
	if (!must_wake(&tx))
		return 0;
	if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 ||
	    errno == EAGAIN || errno == EBUSY || errno == ENOBUFS)
		return 0;
	return -errno;
}

static void wait_socket(short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (o.wait == POLL)
		poll(&p, 1, 100);
	else if (events & POLLIN)
		wake_rx();
	else
		kick_tx();
}

/* ------------------------------------------------- frames and rings */

/* Free frames onto the fill ring: up to @max, as many as fit. */
static uint32_t fill_frames(uint32_t max)
{
	uint32_t n = nfree < max ? nfree : max, room, idx = 0;

	room = xsk_prod_nb_free(&fill, n);
	if (room < n)
		n = room;
	if (!n || xsk_ring_prod__reserve(&fill, n, &idx) != n)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&fill, idx + i) = stack[--nfree];
	xsk_ring_prod__submit(&fill, n);
	return n;
}

/* Sent frames off the completion ring, back onto the stack. */
static uint32_t complete_frames(void)
{
	uint32_t idx = 0, n = xsk_ring_cons__peek(&comp, NFRAMES - nfree, &idx);

	for (uint32_t i = 0; i < n; i++)
		stack[nfree++] = *xsk_ring_cons__comp_addr(&comp, idx + i) &
				 ~(uint64_t)(FRAME_SIZE - 1);
	if (n)
		xsk_ring_cons__release(&comp, n);
	return n;
}

/* ------------------------------------------------------------ loops */

/* -t: read every byte of a frame, as rx --touch does. */
static void touch(uint64_t addr, uint32_t len)
{
	const uint8_t *p = xsk_umem__get_data(area, addr);
	volatile uint8_t sink;
	uint8_t sum = 0;

	for (uint32_t k = 0; k < len; k++)
		sum ^= p[k];
	sink = sum;
	(void)sink;
}

static void rx_loop(void)
{
	uint32_t idx = 0, n;

	fill_frames(UINT32_MAX);
	while (!stopping()) {
		uint64_t bytes = 0;

		n = xsk_ring_cons__peek(&rx, o.batch, &idx);
		if (!n) {
			wait_socket(POLLIN);
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(&rx, idx + i);

			if (o.touch)
				touch(d->addr, d->len);
			bytes += d->len;
			stack[nfree++] = d->addr & ~(uint64_t)(FRAME_SIZE - 1);
		}
		xsk_ring_cons__release(&rx, n);
		fill_frames(n);
		count_add(&rx_packets, n);
		count_add(&rx_bytes, bytes);
	}
}

static void put_seq(uint8_t *pkt, uint64_t seq)
{
	for (int k = 0; k < 8; k++)
		pkt[SEQ_OFF + k] = (uint8_t)(seq >> (56 - 8 * k));
}

static void tx_loop(void)
{
	uint64_t seq = 0;
	uint32_t idx = 0, n;
	double deadline;
	int err;

	while (!stopping()) {
		complete_frames();
		n = o.batch < nfree ? o.batch : nfree;
		if (xsk_prod_nb_free(&tx, n) < n)
			n = xsk_prod_nb_free(&tx, n);
		if (n) {
			xsk_ring_prod__reserve(&tx, n, &idx);
			for (uint32_t i = 0; i < n; i++) {
				struct xdp_desc *d =
					xsk_ring_prod__tx_desc(&tx, idx + i);
				uint64_t addr = stack[--nfree];

				put_seq(xsk_umem__get_data(area, addr),
					seq + i);
				d->addr = addr;
				d->len = FRAME_LEN;
				d->options = 0;
			}
			xsk_ring_prod__submit(&tx, n);
			seq += n;
			count_add(&tx_packets, n);
			count_add(&tx_bytes, (uint64_t)n * FRAME_LEN);
		}
		if (nfree < NFRAMES) {
			err = kick_tx();
			if (err) {
				loop_err = err;
				return;
			}
		}
		if (!n)
			wait_socket(POLLOUT);
	}
	deadline = now_sec() + 1;
	while (nfree < NFRAMES && now_sec() < deadline) {
		kick_tx();
		complete_frames();
	}
}

static void swap_macs(uint8_t *pkt)
{
	uint8_t tmp[6];

	memcpy(tmp, pkt, 6);
	memcpy(pkt, pkt + 6, 6);
	memcpy(pkt + 6, tmp, 6);
}

static void fwd_loop(void)
{
	uint32_t ri = 0, ti = 0, n, done, in_flight = 0;
	double deadline;
	int err;

	fill_frames(UINT32_MAX);
	while (!stopping()) {
		done = complete_frames();
		if (done) {
			in_flight -= done;
			fill_frames(UINT32_MAX);
		}
		n = xsk_prod_nb_free(&tx, o.batch);
		n = xsk_ring_cons__peek(&rx, n < o.batch ? n : o.batch, &ri);
		if (n) {
			uint64_t bytes = 0;

			xsk_ring_prod__reserve(&tx, n, &ti);
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *in =
					xsk_ring_cons__rx_desc(&rx, ri + i);
				struct xdp_desc *out =
					xsk_ring_prod__tx_desc(&tx, ti + i);

				if (o.touch)
					touch(in->addr, in->len);
				swap_macs(xsk_umem__get_data(area, in->addr));
				out->addr = in->addr;
				out->len = in->len;
				out->options = 0;
				bytes += in->len;
			}
			xsk_ring_prod__submit(&tx, n);
			xsk_ring_cons__release(&rx, n);
			in_flight += n;
			count_add(&rx_packets, n);
			count_add(&rx_bytes, bytes);
			count_add(&tx_packets, n);
			count_add(&tx_bytes, bytes);
		}
		if (in_flight) {
			err = kick_tx();
			if (err) {
				loop_err = err;
				return;
			}
		}
		if (!n)
			wait_socket(POLLIN);
	}
	deadline = now_sec() + 1;
	while (in_flight && now_sec() < deadline) {
		kick_tx();
		in_flight -= complete_frames();
	}
}

/* ping: the round trips, and the pings in flight (as pingpong keeps
 * them: ping s in slot s % in_flight, NONE when free). */
#define NONE UINT64_MAX
#define MAX_IN_FLIGHT 256
static struct hist rtt;
static uint64_t lost, late, other;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t get_seq(const uint8_t *pkt)
{
	uint64_t v = 0;

	for (int k = 0; k < 8; k++)
		v = v << 8 | pkt[SEQ_OFF + k];
	return v;
}

static void ping_loop(void)
{
	static uint64_t slot[MAX_IN_FLIGHT], t0[MAX_IN_FLIGHT];
	const uint64_t timeout = 1000000000; /* pingpong's default, 1 s */
	uint64_t next = 0, oldest = 0, t1, s;
	uint32_t size = o.in_flight, n, in = 0, idx = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (uint32_t k = 0; k < size; k++)
		slot[k] = NONE;
	/* Half the frames to receive into, half to send from. */
	fill_frames(NFRAMES / 2);
	while (!stopping()) {
		while (in < size && slot[next % size] == NONE) {
			struct xdp_desc *d;
			uint64_t addr;

			complete_frames();
			if (!nfree || xsk_ring_prod__reserve(&tx, 1, &idx) != 1)
				break;
			addr = stack[--nfree];
			/* The frame may have been received into: whole. */
			memset(xsk_umem__get_data(area, addr), 0, FRAME_LEN);
			memcpy(xsk_umem__get_data(area, addr),
			       "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00",
			       14);
			put_seq(xsk_umem__get_data(area, addr), next);
			d = xsk_ring_prod__tx_desc(&tx, idx);
			d->addr = addr;
			d->len = FRAME_LEN;
			d->options = 0;
			slot[next % size] = next;
			/* Before the kick: in copy mode the frame goes, and
			 * may come back, before the syscall returns. */
			t0[next % size] = now_ns();
			xsk_ring_prod__submit(&tx, 1);
			next++;
			in++;
			count_add(&tx_packets, 1);
			count_add(&tx_bytes, FRAME_LEN);
			loop_err = kick_tx();
			if (loop_err)
				return;
		}
		n = xsk_ring_cons__peek(&rx, o.batch, &idx);
		t1 = now_ns();
		if (n) {
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *d =
					xsk_ring_cons__rx_desc(&rx, idx + i);

				s = d->len == FRAME_LEN ?
					    get_seq(xsk_umem__get_data(
						    area, d->addr)) :
					    NONE;
				if (s == NONE)
					other++;
				else if (slot[s % size] == s) {
					hist_record(&rtt, t1 - t0[s % size]);
					slot[s % size] = NONE;
					in--;
				} else {
					late++;
				}
				stack[nfree++] = d->addr &
						 ~(uint64_t)(FRAME_SIZE - 1);
			}
			xsk_ring_cons__release(&rx, n);
			fill_frames(n);
			count_add(&rx_packets, n);
			count_add(&rx_bytes, (uint64_t)n * FRAME_LEN);
			continue;
		}
		while (oldest < next && slot[oldest % size] != oldest)
			oldest++;
		if (oldest < next && t1 - t0[oldest % size] >= timeout) {
			slot[oldest % size] = NONE;
			in--;
			lost++;
		}
		if (!in)
			continue;
		if (o.wait == POLL)
			poll(&p, 1, 100);
		else
			wake_rx();
	}
}

static void *loop_thread(void *arg)
{
	cpu_set_t set;

	(void)arg;
	if (o.cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	if (o.kind == RX)
		rx_loop();
	else if (o.kind == TX)
		tx_loop();
	else if (o.kind == PING)
		ping_loop();
	else
		fwd_loop();
	return NULL;
}

/* ------------------------------------------------------------ set-up */

static int setup(void)
{
	struct xsk_umem_config uc = {
		.fill_size = RING_SIZE,
		.comp_size = RING_SIZE,
		.frame_size = FRAME_SIZE,
	};
	struct xsk_socket_config sc = {
		.rx_size = RING_SIZE,
		.tx_size = RING_SIZE,
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = o.no_wakeup ? 0 : XDP_USE_NEED_WAKEUP,
	};
	size_t size = (size_t)NFRAMES * FRAME_SIZE;
	double deadline;
	int err, one = 1, usecs = 20, batch = (int)o.batch;

	area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		perror("xdp_engine: mmap");
		return -1;
	}
	err = xsk_umem__create(&umem, area, size, &fill, &comp, &uc);
	if (err) {
		fprintf(stderr, "xdp_engine: xsk_umem__create: %s\n",
			strerror(-err));
		return -1;
	}
	/* The queue of the last run's socket is released asynchronously. */
	deadline = now_sec() + 1;
	do {
		err = xsk_socket__create(&xsk, o.ifname, 0, umem,
					 o.kind == TX ? NULL : &rx,
					 o.kind == RX ? NULL : &tx, &sc);
		if (err == -EBUSY)
			usleep(10000);
	} while (err == -EBUSY && now_sec() < deadline);
	if (err) {
		fprintf(stderr, "xdp_engine: xsk_socket__create on %s: %s\n",
			o.ifname, strerror(-err));
		xsk_umem__delete(umem);
		return -1;
	}
	fd = xsk_socket__fd(xsk);
	if (o.kind != RX && o.budget)
		/* As the examples do; kernels before 6.17 say ENOPROTOOPT. */
		setsockopt(fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &o.budget,
			   sizeof(o.budget));
	/* As the examples' --wait busy-poll: 20 us, a batch per run. */
	if (o.wait == BUSY_POLL &&
	    (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one,
			sizeof(one)) ||
	     setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
	     setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &batch,
			sizeof(batch)))) {
		perror("xdp_engine: busy polling");
		xsk_socket__delete(xsk);
		xsk_umem__delete(umem);
		return -1;
	}
	for (uint32_t i = 0; i < NFRAMES; i++) {
		stack[i] = (uint64_t)i * FRAME_SIZE;
		if (o.kind == TX) {
			uint8_t *f = xsk_umem__get_data(area, stack[i]);

			memset(f, 0, FRAME_LEN);
			memcpy(f,
			       "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00",
			       14);
		}
	}
	nfree = NFRAMES;
	return 0;
}

static void get_stats(struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	getsockopt(fd, SOL_XDP, XDP_STATISTICS, st, &len);
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xdp_engine rx|tx|fwd|ping -i IF [-C CPU] [-d SEC] [-b N]\n"
		"\t[-w spin|poll|busy-poll] [-W] [-B BUDGET] [-t] [-n IN_FLIGHT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct xdp_statistics st;
	struct xdp_options opt;
	socklen_t optlen = sizeof(opt);
	sigset_t all, old;
	pthread_t thread;
	double start, end, tick;
	uint64_t packets, prev = 0, drops;
	int c, k;

	if (argc < 2)
		usage();
	for (k = 0; k < 4 && strcmp(argv[1], kind_names[k]); k++)
		;
	if (k == 4)
		usage();
	o.kind = (enum kind)k;
	optind = 2;
	while ((c = getopt(argc, argv, "i:C:d:w:b:WB:tn:")) != -1) {
		switch (c) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'C':
			o.cpu = atoi(optarg);
			break;
		case 'd':
			o.duration = atof(optarg);
			break;
		case 'w':
			o.wait = !strcmp(optarg, "poll")      ? POLL :
				 !strcmp(optarg, "busy-poll") ? BUSY_POLL :
								SPIN;
			break;
		case 'W':
			o.no_wakeup = true;
			break;
		case 'B':
			o.budget = atoi(optarg);
			break;
		case 't':
			o.touch = true;
			break;
		case 'n':
			o.in_flight = (uint32_t)atoi(optarg);
			break;
		case 'b':
			o.batch = (uint32_t)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!o.ifname || o.batch < 1 || o.batch > RING_SIZE ||
	    o.in_flight < 1 || o.in_flight > MAX_IN_FLIGHT)
		usage();
	if (setup())
		return 1;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	start = now_sec();
	if (pthread_create(&thread, NULL, loop_thread, NULL)) {
		fprintf(stderr, "xdp_engine: no thread\n");
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	tick = start + 1;
	while (!stopping()) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		end = now_sec();
		if (o.duration > 0 && end - start >= o.duration)
			break;
		if (end < tick)
			continue;
		get_stats(&st);
		packets = __atomic_load_n(o.kind == RX ? &rx_packets :
							 &tx_packets,
					  __ATOMIC_RELAXED);
		printf("xdp_%s %4.0fs %9llu pps | drop %llu\n",
		       kind_names[o.kind], tick - start,
		       (unsigned long long)(packets - prev),
		       (unsigned long long)(st.rx_dropped + st.rx_ring_full));
		fflush(stdout);
		prev = packets;
		tick += 1;
	}
	end = now_sec();
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);

	get_stats(&st);
	memset(&opt, 0, sizeof(opt));
	getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opt, &optlen);
	packets = o.kind == RX ? rx_packets : tx_packets;
	drops = st.rx_dropped + st.rx_ring_full + st.rx_invalid_descs +
		st.tx_invalid_descs;
	printf("xdp_%s: summary prog=%s if=%s queues=0-0 seconds=%.2f packets=%llu pps=%.0f rx_packets=%llu rx_bytes=%llu tx_packets=%llu tx_bytes=%llu drops=%llu rx_dropped=%llu rx_ring_full=%llu rx_fill_empty=%llu rx_invalid=%llu tx_invalid=%llu bad=0 mode=%s xdp=%s",
	       kind_names[o.kind], kind_names[o.kind], o.ifname, end - start,
	       (unsigned long long)packets,
	       end > start ? (double)packets / (end - start) : 0.0,
	       (unsigned long long)rx_packets, (unsigned long long)rx_bytes,
	       (unsigned long long)tx_packets, (unsigned long long)tx_bytes,
	       (unsigned long long)drops, (unsigned long long)st.rx_dropped,
	       (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_fill_ring_empty_descs,
	       (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.tx_invalid_descs,
	       opt.flags & XDP_OPTIONS_ZEROCOPY ? "zero-copy" : "copy",
	       o.kind == TX ? "none" : "native");
	if (o.kind == PING) {
		printf(" replies=%llu lost=%llu late=%llu other_frames=%llu",
		       (unsigned long long)rtt.n, (unsigned long long)lost,
		       (unsigned long long)late, (unsigned long long)other);
		if (rtt.n)
			printf(" rtt_min_us=%.2f rtt_p50_us=%.2f rtt_p99_us=%.2f rtt_p999_us=%.2f rtt_max_us=%.2f rtt_mean_us=%.2f",
			       (double)rtt.min / 1e3,
			       (double)hist_percentile(&rtt, 0.5) / 1e3,
			       (double)hist_percentile(&rtt, 0.99) / 1e3,
			       (double)hist_percentile(&rtt, 0.999) / 1e3,
			       (double)rtt.max / 1e3,
			       (double)rtt.sum / (double)rtt.n / 1e3);
	}
	printf("\n");
	fflush(stdout);
	if (loop_err)
		fprintf(stderr, "xdp_engine: sending: %s\n",
			strerror(-loop_err));
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	munmap(area, (size_t)NFRAMES * FRAME_SIZE);
	return loop_err ? 1 : 0;
}
