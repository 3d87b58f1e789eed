// SPDX-License-Identifier: MIT
/*
 * The examples' shared plumbing: setup, one thread per queue, teardown.
 * The command line is in options.c, the figures in figures.c, the frames
 * in frame.c. See common.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* --------------------------------------------------------------- setup */

/* Say what failed, with the library's explanation: only for an error a
 * libxsk call just returned, since xsk_errmsg() keeps the last one. */
static int __attribute__((format(printf, 3, 4)))
fail(const struct app *a, int err, const char *fmt, ...)
{
	const char *why = xsk_errmsg();
	va_list ap;

	fprintf(stderr, "%s: ", a->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", *why ? why : strerror(-err));
	return 1;
}

/* Say what failed outside the library. */
static int sys_fail(const struct app *a, int errnum, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", a->name, what, strerror(errnum));
	return 1;
}

static void read_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	else
		memcpy(mac, "\x02\x00\x00\x00\x00\x01", 6);
	if (fd >= 0)
		close(fd);
}

static void teardown(struct app *a)
{
	/* The program first, so that nothing is redirected to a socket
	 * that is going away; then sockets before the UMEMs they use, the
	 * sharers before the UMEM's first socket. */
	if (xsk_prog_destroy(a->prog))
		fprintf(stderr, "%s: detaching the XDP program: %s\n", a->name,
			xsk_errmsg());
	a->prog = NULL;
	for (uint32_t i = a->nq; i-- > 0;) {
		struct queue *q = &a->q[i];

		if (q->out != q->xsk)
			xsk_socket_destroy(q->out);
		xsk_socket_destroy(q->xsk);
		xsk_frames_destroy(&q->frames);
	}
	for (uint32_t i = a->nq; i-- > 0;)
		if (!a->o.shared_umem || i == 0)
			xsk_umem_destroy(a->q[i].umem);
	free(a->q);
	a->q = NULL;
}

static int setup_queue(struct app *a, struct queue *q, unsigned int kind)
{
	const struct options *o = &a->o;
	struct xsk_umem_opts uo = XSK_OPTS(
		xsk_umem_opts, .frame_size = o->frame_size,
		.nframes = o->shared_umem ? o->nframes * a->nq : o->nframes,
		.fill_size = o->fill_size, .comp_size = o->comp_size);
	struct xsk_socket_opts so = XSK_OPTS(
		xsk_socket_opts, .ifname = o->ifname, .queue_id = q->id,
		.rx_size = o->rx_size, .tx_size = o->tx_size,
		.fill_size = o->fill_size, .comp_size = o->comp_size,
		.mode = o->mode,
		.flags = o->need_wakeup ? 0 : XSK_SOCKET_NO_NEED_WAKEUP,
		/* A queue closed a moment ago (the last run) is released by
		 * the kernel asynchronously. */
		.bind_wait_ms = 200);
	uint64_t base = 0;
	int err;

	if (kind == APP_TX)
		so.flags |= XSK_SOCKET_NO_RX;
	else if (kind == APP_RX || o->out_ifname)
		so.flags |= XSK_SOCKET_NO_TX;

	if (!o->shared_umem || q == &a->q[0]) {
		err = xsk_umem_create(&q->umem, &uo);
		if (err)
			return fail(a, err, "UMEM of %u frames of %u bytes",
				    uo.nframes, uo.frame_size);
	} else {
		q->umem = a->q[0].umem;
		/* Each queue's thread owns its own slice of the shared UMEM,
		 * so that no frame is ever in two allocators. */
		base = (uint64_t)(q - a->q) * o->nframes * o->frame_size;
	}
	q->area = xsk_umem_area(q->umem);

	err = xsk_socket_create(&q->xsk, q->umem, &so);
	if (err)
		return fail(a, err, "socket on %s queue %u", o->ifname, q->id);
	q->out = q->xsk;
	if (o->out_ifname) {
		so.ifname = o->out_ifname;
		so.flags ^= XSK_SOCKET_NO_TX | XSK_SOCKET_NO_RX;
		err = xsk_socket_create(&q->out, q->umem, &so);
		if (err)
			return fail(a, err, "socket on %s queue %u", so.ifname,
				    q->id);
	}

	err = xsk_frames_init(&q->frames, base, o->frame_size, o->nframes, 0);
	if (err)
		return fail(a, err, "frame allocator");

	if (o->wait == WAIT_BUSY_POLL) {
		/* 20 us of busy polling per syscall, one batch per run. */
		err = xsk_socket_busy_poll(q->xsk, 20, o->batch);
		if (!err && q->out != q->xsk)
			err = xsk_socket_busy_poll(q->out, 20, o->batch);
		if (err)
			return fail(a, err, "busy polling");
	}
	if (xsk_socket_tx(q->out))
		/* In copy mode the kernel sends only 32 frames per kick by
		 * default; a whole ring per kick means fewer syscalls. Only
		 * a tuning: kernels before 6.17 don't have it. */
		xsk_socket_set_tx_budget(q->out, o->tx_size ?
							 o->tx_size :
							 XSK_DEFAULT_RING_SIZE);
	return 0;
}

int app_setup(struct app *a, int argc, char **argv, const char *name,
	      unsigned int kind)
{
	struct xsk_prog_opts po;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int err;

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->kind = kind;
	err = parse_options(a, argc, argv, kind);
	if (err)
		return err;
	if (kind == APP_TX && !a->o.have_src_mac)
		read_mac(a->o.ifname, a->o.src_mac);
	if (a->o.cpu >= ncpu)
		return bad_arg(name, "--cpu %d: this machine has CPUs 0 to %ld",
			       a->o.cpu, ncpu - 1);

	a->nq = a->o.nqueues;
	a->q = calloc(a->nq, sizeof(*a->q));
	if (!a->q)
		return sys_fail(a, ENOMEM, "memory");
	for (uint32_t i = 0; i < a->nq; i++) {
		struct queue *q = &a->q[i];

		q->app = a;
		q->id = a->o.queue + i;
		q->cpu = a->o.cpu;
		if (a->o.cpu >= 0 || a->nq > 1)
			q->cpu = (int)(((a->o.cpu < 0 ? 0 : a->o.cpu) + i) %
				       ncpu);
		if (setup_queue(a, q, kind)) {
			a->nq = i + 1;
			teardown(a);
			return 1;
		}
	}

	/* rx and fwd receive only what an XDP program redirects to them;
	 * tx needs one only on drivers that want one to send. */
	if (kind == APP_TX && !a->o.pass_prog)
		return 0;
	po = XSK_OPTS(xsk_prog_opts, .mode = a->o.attach,
		      .flags = kind == APP_TX ? XSK_PROG_PASS_ONLY : 0,
		      .hints = a->o.hints);
	err = xsk_prog_attach(&a->prog, a->o.ifname, 0, &po);
	if (err) {
		teardown(a);
		return fail(a, err, "XDP program on %s", a->o.ifname);
	}
	for (uint32_t i = 0; kind != APP_TX && i < a->nq; i++) {
		err = xsk_prog_add_socket(a->prog, a->q[i].xsk);
		if (err) {
			fail(a, err, "queue %u into the XSKMAP", a->q[i].id);
			teardown(a);
			return 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- running */

double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void app_stop(struct app *a)
{
	__atomic_store_n(&a->stop, 1, __ATOMIC_RELAXED);
}

uint32_t app_claim(struct app *a, uint32_t want)
{
	uint64_t before;

	if (!a->o.count || !want)
		return want;
	before = __atomic_fetch_add(&a->claimed, want, __ATOMIC_RELAXED);
	if (before >= a->o.count)
		return 0;
	return a->o.count - before < want ? (uint32_t)(a->o.count - before) :
					    want;
}

void app_handled(struct app *a, uint32_t n)
{
	if (a->o.count &&
	    __atomic_add_fetch(&a->handled, n, __ATOMIC_RELAXED) >= a->o.count)
		app_stop(a);
}

void queue_fail(struct queue *q, int err, const char *what)
{
	const char *why = xsk_errmsg();

	q->err = err;
	snprintf(q->why, sizeof(q->why), "queue %u: %s: %s", q->id, what,
		 *why ? why : strerror(-err));
	app_stop(q->app);
}

void queue_wait(struct queue *q, struct xsk_socket *xsk, short events)
{
	int err;

	if (q->app->o.wait == WAIT_POLL) {
		/* A short time-out, so that the stop flag is seen soon. */
		err = xsk_socket_poll(xsk, events, 100);
	} else {
		/* Spinning: make the syscall only when the kernel waits for
		 * one (need_wakeup); in busy-poll mode the syscall is what
		 * runs the driver, so it is always made. */
		err = events & POLLIN ? xsk_socket_wake_rx(xsk) :
					xsk_socket_kick_tx(xsk);
	}
	/* EAGAIN, EBUSY: copy mode's send budget ran out; try again. */
	if (err < 0 && err != -EINTR && err != -EAGAIN && err != -EBUSY)
		queue_fail(q, err, "waiting for the socket");
}

static struct app *signalled_app;

static void on_signal(int sig)
{
	(void)sig;
	app_stop(signalled_app);
}

static void *queue_thread(void *arg)
{
	struct queue *q = arg;
	cpu_set_t set;

	if (q->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(q->cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			fprintf(stderr, "%s: queue %u: cannot pin to CPU %d\n",
				q->app->name, q->id, q->cpu);
	}
	q->app->loop(q);
	__atomic_sub_fetch(&q->app->running, 1, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * One thread per queue. They block every signal, so that a signal
 * interrupts the main thread's sleep and nothing else. Return: how many
 * started; fewer than a->nq after a failure, which is printed and ends the
 * run.
 */
static uint32_t start_threads(struct app *a)
{
	sigset_t all, old;
	uint32_t started;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (started = 0; started < a->nq; started++) {
		__atomic_add_fetch(&a->running, 1, __ATOMIC_RELAXED);
		if (pthread_create(&a->q[started].thread, NULL, queue_thread,
				   &a->q[started])) {
			__atomic_sub_fetch(&a->running, 1, __ATOMIC_RELAXED);
			app_stop(a);
			sys_fail(a, EAGAIN, "a thread per queue");
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

int app_run(struct app *a, void (*loop)(struct queue *q))
{
	struct snapshot *cur, *prev;
	struct sigaction sa = { .sa_handler = on_signal };
	double start, tick, t, end, last;
	uint32_t started;
	int rc;

	cur = calloc(a->nq, sizeof(*cur));
	prev = calloc(a->nq, sizeof(*prev));
	if (!cur || !prev) {
		free(cur);
		free(prev);
		teardown(a);
		return sys_fail(a, ENOMEM, "memory");
	}
	a->loop = loop;
	signalled_app = a;
	/* A repeated signal changes nothing: a process group kill (as
	 * timeout(1) sends) may deliver two, and the second must not cut the
	 * teardown short. The loops see the flag within 100 ms. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = now_sec();
	started = start_threads(a);
	rc = started < a->nq;

	tick = start + 1;
	last = start;
	while (!app_stopping(a) &&
	       __atomic_load_n(&a->running, __ATOMIC_RELAXED) > 0) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		t = now_sec();
		if (a->o.duration > 0 && t - start >= a->o.duration)
			app_stop(a);
		if (t < tick)
			continue;
		print_second(a, cur, prev, tick - start, t - last);
		last = t;
		tick += 1;
	}
	end = now_sec();
	app_stop(a);
	for (uint32_t i = 0; i < started; i++)
		pthread_join(a->q[i].thread, NULL);
	for (uint32_t i = 0; i < a->nq; i++) {
		if (a->q[i].err) {
			fprintf(stderr, "%s: %s\n", a->name, a->q[i].why);
			rc = 1;
		}
	}
	print_summary(a, cur, end - start);
	free(cur);
	free(prev);
	teardown(a);
	return rc;
}
