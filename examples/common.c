// SPDX-License-Identifier: MIT
/*
 * The examples' shared plumbing: setup, one thread per queue, teardown.
 * The command line is in options.c, the figures in figures.c, the frames
 * in frame.c. See common.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
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

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h>, which clashes with <net/if.h> */
#endif

/* --------------------------------------------------------------- setup */

/*
 * The library's advice (xsk_erradvice()) in this program's terms: the
 * options that do what it asks. NULL: the library's own sentence will do.
 */
static const char *advice(const struct app *a, int code, char *buf, size_t size)
{
	const struct options *o = &a->o;
	char exe[256];
	ssize_t n;

	switch (code) {
	case XSK_ADVICE_MODE_COPY:
		return "use -m copy (or leave -m out: auto takes copy mode "
		       "where zero-copy is missing)";
	case XSK_ADVICE_MULTI_BUFFER:
		return "use -m copy, or leave out --multi-buffer";
	case XSK_ADVICE_OWN_UMEM:
		return "leave out --shared-umem when using --multi-buffer";
	case XSK_ADVICE_UNALIGNED:
		return "use -f 2048 or -f 4096, or add --unaligned for other "
		       "sizes";
	case XSK_ADVICE_BIND_WAIT:
		snprintf(buf, size,
			 "stop the program that holds it; if one stopped a "
			 "moment ago, wait longer for the kernel to let go "
			 "(--bind-wait MS, now %u)",
			 o->bind_wait);
		return buf;
	case XSK_ADVICE_QUEUE_ID:
		snprintf(buf, size,
			 "use -q with a lower queue, or raise the count "
			 "(ethtool -L %s combined N)",
			 o->ifname);
		return buf;
	case XSK_ADVICE_MEMLOCK:
		snprintf(buf, size,
			 "raise the limit (ulimit -l unlimited, or run as "
			 "root), or use fewer or smaller frames (-F, now %u "
			 "per queue; -f, now %u)",
			 o->nframes, o->frame_size);
		return buf;
	case XSK_ADVICE_NET_RAW:
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = '\0';
		snprintf(buf, size,
			 "run it as root, or give it the capabilities: sudo "
			 "setcap cap_net_raw,cap_net_admin,cap_bpf+ep %s",
			 n > 0 ? exe : a->name);
		return buf;
	case XSK_ADVICE_NET_ADMIN:
		return "run it as root (or with CAP_NET_ADMIN), or use -w spin "
		       "or -w poll";
	case XSK_ADVICE_JOIN:
		return "start every process that shares the interface with "
		       "--join, the first one too";
	case XSK_ADVICE_BPFFS:
		return "give a path on a mounted bpffs (mount -t bpf bpf "
		       "/sys/fs/bpf)";
	}
	return NULL;
}

/* Say what failed, with the library's explanation: only for an error a
 * libxsk call just returned, since xsk_errmsg() keeps the last one. */
static int __attribute__((format(printf, 3, 4)))
fail(const struct app *a, int err, const char *fmt, ...)
{
	const char *why = xsk_errmsg();
	const char *todo;
	char buf[512];
	va_list ap;

	fprintf(stderr, "%s: ", a->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	todo = advice(a, xsk_erradvice(), buf, sizeof(buf));
	if (todo)
		fprintf(stderr, ": %s: %s\n", xsk_errcause(), todo);
	else
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

int if_read(const char *ifname, struct if_counters *c)
{
	struct ifaddrs *all, *i;
	int err = -ENODEV;

	memset(c, 0, sizeof(*c));
	if (getifaddrs(&all))
		return -errno;
	for (i = all; i; i = i->ifa_next) {
		const struct rtnl_link_stats *st = i->ifa_data;

		if (strcmp(i->ifa_name, ifname) || !i->ifa_addr ||
		    i->ifa_addr->sa_family != AF_PACKET || !st)
			continue;
		c->rx_packets = st->rx_packets;
		c->rx_dropped = st->rx_dropped;
		c->tx_packets = st->tx_packets;
		c->tx_dropped = st->tx_dropped;
		c->up = i->ifa_flags & IFF_UP;
		/* The carrier itself; IFF_RUNNING follows it only once the
		 * kernel's link watch has run, up to a second later. */
		c->carrier = i->ifa_flags & IFF_LOWER_UP;
		err = 0;
		break;
	}
	freeifaddrs(all);
	return err;
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
		free(q->tmpl);
		free(q->buf);
	}
	for (uint32_t i = a->nq; i-- > 0;)
		if (!a->o.shared_umem || i == 0)
			xsk_umem_destroy(a->q[i].umem);
	free(a->q);
	a->q = NULL;
	if (a->pcap && fclose(a->pcap))
		fprintf(stderr, "%s: writing %s: %s\n", a->name, a->o.pcap,
			strerror(errno));
	a->pcap = NULL;
}

/* Does this program receive, send, or both? */
static bool receives(const struct app *a)
{
	return a->kind != APP_TX;
}

static bool sends(const struct app *a)
{
	return a->kind != APP_RX;
}

/*
 * --hints on a kernel without them: the library's refusal names its own
 * flags (XSK_HINT_HASH), so say it here in the option's words, with the
 * version xsk_probe() gives. Generic mode is left to the library, which
 * refuses hints there on any kernel. 1 if refused, else 0.
 */
static int hints_missing(const struct app *a)
{
	static const struct {
		uint32_t hint;
		uint64_t feature;
		const char *word;
	} hints[] = {
		{ XSK_HINT_HASH, XSK_FEATURE_RX_HASH, "hash" },
		{ XSK_HINT_VLAN, XSK_FEATURE_RX_VLAN, "vlan" },
		{ XSK_HINT_TIMESTAMP, XSK_FEATURE_RX_TIMESTAMP, "timestamp" },
	};
	const char *name, *since;
	uint64_t have = 0;

	if (!a->o.hints || a->o.attach == XSK_ATTACH_GENERIC ||
	    xsk_probe(&have))
		return 0;
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (!(a->o.hints & hints[i].hint) || (have & hints[i].feature))
			continue;
		/* "RX hint: VLAN tag (6.8)" */
		name = xsk_feature_name(hints[i].feature);
		since = name ? strrchr(name, '(') : NULL;
		if (!since || since == name) {
			fprintf(stderr, "%s: --hints: this kernel has no %s\n",
				a->name, hints[i].word);
			return 1;
		}
		fprintf(stderr,
			"%s: --hints: this kernel has no %.*s: that needs "
			"Linux %.*s; leave %s out (--hints=LIST)\n",
			a->name, (int)(since - name - 1), name,
			(int)strcspn(since + 1, ")"), since + 1, hints[i].word);
		return 1;
	}
	return 0;
}

/* The frames a sender sends: the whole first one, as a template. */
static int setup_frames(struct app *a, struct queue *q)
{
	const struct options *o = &a->o;
	struct frame_spec *s = &q->spec;

	s->len = o->len;
	memcpy(s->src, o->src_mac, 6);
	memcpy(s->dst, o->dst_mac, 6);
	s->vlan = (uint16_t)o->vlan;
	s->ipv6 = o->ipv6;
	s->flows = o->flows;
	s->queue = q->id;
	q->tmpl = malloc(o->len);
	if (!q->tmpl)
		return sys_fail(a, ENOMEM, "memory");
	frame_template(q->tmpl, s);
	return 0;
}

static int setup_queue(struct app *a, struct queue *q)
{
	const struct options *o = &a->o;
	struct xsk_umem_opts uo = XSK_OPTS(
		xsk_umem_opts, .frame_size = o->frame_size,
		.nframes = o->shared_umem ? o->nframes * a->nq : o->nframes,
		.fill_size = o->fill_size, .comp_size = o->comp_size,
		.headroom = o->headroom,
		.flags = (o->unaligned ? XSK_UMEM_UNALIGNED : 0) |
			 (o->huge_pages ? XSK_UMEM_HUGE_PAGES : 0),
		/* Where the NIC's device sits on a NUMA machine; nothing on
		 * veth. */
		.numa_ifname = o->ifname);
	struct xsk_socket_opts so = XSK_OPTS(
		xsk_socket_opts, .ifname = o->ifname, .queue_id = q->id,
		.rx_size = o->rx_size, .tx_size = o->tx_size,
		.fill_size = o->fill_size, .comp_size = o->comp_size,
		.mode = o->mode,
		.flags = (o->need_wakeup ? 0 : XSK_SOCKET_NO_NEED_WAKEUP) |
			 (o->multi_buffer ? XSK_SOCKET_MULTI_BUFFER : 0),
		/* A queue closed a moment ago (the last run) is released by
		 * the kernel asynchronously. */
		.bind_wait_ms = o->bind_wait);
	uint64_t base = 0;
	int err;

	if (!receives(a))
		so.flags |= XSK_SOCKET_NO_RX;
	else if (!sends(a) || o->out_ifname)
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

	err = xsk_frames_init(&q->frames, base, o->frame_size, o->nframes,
			      o->unaligned ? XSK_FRAMES_UNALIGNED : 0);
	if (err)
		return fail(a, err, "frame allocator");
	if ((a->kind == APP_TX || (a->kind == APP_PING && !o->reflect)) &&
	    setup_frames(a, q))
		return 1;
	/* A packet in several frames is copied whole to be looked at. */
	if (a->kind == APP_RX && o->multi_buffer &&
	    (o->verify || o->touch || o->dump || o->pcap)) {
		q->buf = malloc(XSK_MB_MAX_FRAGS * (size_t)o->frame_size);
		if (!q->buf)
			return sys_fail(a, ENOMEM, "memory");
	}

	if (o->wait == WAIT_BUSY_POLL) {
		/* 20 us of busy polling per syscall, one batch per run. */
		err = xsk_socket_busy_poll(q->xsk, 20, o->batch);
		if (!err && q->out != q->xsk)
			err = xsk_socket_busy_poll(q->out, 20, o->batch);
		if (err)
			return fail(a, err, "busy polling");
	}
	if (xsk_socket_tx(q->out) && o->tx_budget == TX_BUDGET_RING)
		/* In copy mode the kernel sends only 32 frames per kick by
		 * default; a whole ring per kick means fewer syscalls. Only
		 * a tuning: kernels before 6.17 don't have it. */
		xsk_socket_set_tx_budget(q->out, o->tx_size ?
							 o->tx_size :
							 XSK_DEFAULT_RING_SIZE);
	else if (xsk_socket_tx(q->out) && o->tx_budget) {
		/* Asked for by name: a refusal is the answer. */
		err = xsk_socket_set_tx_budget(q->out, o->tx_budget);
		if (err)
			return fail(a, err, "--tx-budget %u", o->tx_budget);
	}
	return 0;
}

/* "0-3,6": the CPUs in @cpus, for a message. */
static void cpu_list(char *buf, size_t size, const int *cpus, int n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && len < size; i++) {
		int j = i;

		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		len += (size_t)snprintf(buf + len, size - len,
					j > i ? "%s%d-%d" : "%s%d",
					i ? "," : "", cpus[i], cpus[j]);
		i = j;
	}
}

/*
 * Which CPU each queue's thread runs on: from -C on, or by default so that
 * a receiver and a sender started side by side don't share one (see
 * --help). Only the CPUs of this process's affinity mask are used.
 */
static int place_threads(struct app *a)
{
	static int cpus[CPU_SETSIZE];
	cpu_set_t set;
	int n = 0, first = 0;
	char list[256];

	if (sched_getaffinity(0, sizeof(set), &set))
		return sys_fail(a, errno, "reading the CPU affinity");
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	if (a->o.cpu >= 0) {
		while (first < n && cpus[first] != a->o.cpu)
			first++;
		if (first == n) {
			cpu_list(list, sizeof(list), cpus, n);
			return bad_arg(a->name,
				       "--cpu %d: this process may run on CPUs "
				       "%s only",
				       a->o.cpu, list);
		}
	}
	for (uint32_t i = 0; i < a->nq; i++) {
		int k = (int)(i % (uint32_t)n);

		if (a->o.cpu >= 0)
			k = (first + k) % n;
		else if (n == 1)
			k = -1; /* nowhere else to go */
		else if (a->kind == APP_RX ||
			 (a->kind == APP_PING && a->o.reflect))
			k = n - 1 - k;
		else if (a->kind == APP_FWD)
			k = (n / 2 + k) % n;
		a->q[i].cpu = k < 0 ? -1 : cpus[k];
	}
	return 0;
}

/* What the options of several processes add to the program's options. */
static int prog_opts(const struct app *a, struct xsk_prog_opts *po)
{
	const struct options *o = &a->o;
	struct group *g;
	char *end;

	if (o->join)
		po->flags |= XSK_PROG_SHARED;
	if (o->map_path)
		po->flags |= XSK_PROG_MAP_ONLY;
	po->pin_map = o->pin_map;
	po->pin_link = o->pin_link;
	po->pin_mode = o->pin_mode;
	po->map_path = o->map_path;
	po->token_path = o->token;
	if (!o->pin_group)
		return 0;
	g = getgrnam(o->pin_group);
	if (g) {
		po->pin_gid = g->gr_gid;
		return 0;
	}
	errno = 0;
	po->pin_gid = (uint32_t)strtoul(o->pin_group, &end, 10);
	if (errno || end == o->pin_group || *end || !po->pin_gid)
		return bad_arg(a->name, "--pin-group: no group '%s' here",
			       o->pin_group);
	return 0;
}

int app_setup(struct app *a, int argc, char **argv, const char *name,
	      unsigned int kind)
{
	struct xsk_prog_opts po;
	const char *out;
	bool only_tx;
	int err;

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->kind = kind;
	err = parse_options(a, argc, argv, kind);
	if (err)
		return err;
	if (hints_missing(a))
		return 1;
	if (sends(a) && !a->o.have_src_mac)
		read_mac(a->o.ifname, a->o.src_mac);

	a->nq = a->o.nqueues;
	a->q = calloc(a->nq, sizeof(*a->q));
	if (!a->q)
		return sys_fail(a, ENOMEM, "memory");
	err = place_threads(a);
	if (!err && a->o.pcap)
		err = pcap_open(a);
	if (err) {
		a->nq = 0;
		teardown(a);
		return err;
	}
	for (uint32_t i = 0; i < a->nq; i++) {
		struct queue *q = &a->q[i];

		q->app = a;
		q->id = a->o.queue + i;
		if (setup_queue(a, q)) {
			a->nq = i + 1;
			teardown(a);
			return 1;
		}
	}

	/* rx, fwd and pingpong receive only what an XDP program redirects
	 * to them; tx needs one only on drivers that want one to send. */
	only_tx = !receives(a);
	if (!only_tx || a->o.pass_prog || a->o.join) {
		po = XSK_OPTS(xsk_prog_opts, .mode = a->o.attach,
			      .flags = (only_tx ? XSK_PROG_PASS_ONLY : 0) |
				       (a->o.multi_buffer ? XSK_PROG_FRAGS : 0),
			      .hints = a->o.hints);
		err = prog_opts(a, &po);
		if (err) {
			teardown(a);
			return err;
		}
		err = xsk_prog_attach(&a->prog, a->o.ifname, 0, &po);
		if (err) {
			teardown(a);
			return fail(a, err, "XDP program on %s", a->o.ifname);
		}
	}
	for (uint32_t i = 0; !only_tx && i < a->nq; i++) {
		err = xsk_prog_add_socket(a->prog, a->q[i].xsk);
		if (err) {
			fail(a, err, "queue %u into the XSKMAP", a->q[i].id);
			teardown(a);
			return 1;
		}
	}
	out = a->o.out_ifname ? a->o.out_ifname : a->o.ifname;
	if_read(out, &a->if_start);
	a->if_last = a->if_start;
	if (sends(a) && !a->if_start.up)
		fprintf(stderr,
			"%s: warning: %s is down: nothing can be sent (ip link "
			"set %s up)\n",
			name, out, out);
	else if (sends(a) && !a->if_start.carrier)
		fprintf(stderr,
			"%s: warning: %s has no carrier (its link is down, or "
			"a veth's peer is): what is sent will be dropped\n",
			name, out);
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
	/* EAGAIN, EBUSY: copy mode's send budget ran out, or the device
	 * dropped a frame; try again. */
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
