// SPDX-License-Identifier: MIT
/*
 * The examples' shared plumbing: options, setup, threads, figures,
 * teardown. See common.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
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

#include "common.h"

/* ------------------------------------------------------------- options */

enum {
	OPT_SHARED_UMEM = 256,
	OPT_RX_RING,
	OPT_TX_RING,
	OPT_FILL_RING,
	OPT_COMP_RING,
	OPT_VERIFY,
	OPT_TOUCH,
	OPT_DUMP,
	OPT_SRC_MAC,
	OPT_DST_MAC,
	OPT_PASS_PROG,
};

#define ALL (APP_RX | APP_TX | APP_FWD)

/* One table gives both getopt_long()'s array and --help. */
static const struct opt {
	const char *name;
	int val;
	const char *arg; /* NULL: takes no argument */
	unsigned int kinds;
	const char *help;
} opts[] = {
	{ "interface", 'i', "IF", ALL, "the interface (required)" },
	{ "out", 'o', "IF", APP_FWD,
	  "send on this interface instead of back out of -i (same queues)" },
	{ "queue", 'q', "Q[-R]", ALL,
	  "queue Q, or queues Q to R: one socket and thread each (0)" },
	{ "shared-umem", OPT_SHARED_UMEM, NULL, ALL,
	  "one UMEM for all queues (default: one UMEM per queue)" },
	{ "mode", 'm', "MODE", ALL,
	  "auto, copy or zero-copy; auto takes zero-copy where the driver "
	  "has it (auto)" },
	{ "xdp", 'x', "MODE", APP_RX | APP_FWD,
	  "run the XDP program auto, native or generic (auto)" },
	{ "xdp", 'x', "MODE", APP_TX,
	  "with --pass-prog: auto, native or generic (auto)" },
	{ "pass-prog", OPT_PASS_PROG, NULL, APP_TX,
	  "attach an XDP program that passes everything (some drivers send "
	  "only with one)" },
	{ "no-need-wakeup", 'W', NULL, ALL,
	  "don't use need_wakeup: wake the kernel every time" },
	{ "batch", 'b', "N", ALL, "descriptors per ring operation (64)" },
	{ "frame-size", 'f', "BYTES", ALL, "UMEM frame size (4096)" },
	{ "frames", 'F', "N", ALL, "UMEM frames per queue (4096)" },
	{ "rx-ring", OPT_RX_RING, "N", APP_RX | APP_FWD,
	  "RX ring entries (2048)" },
	{ "tx-ring", OPT_TX_RING, "N", APP_TX | APP_FWD,
	  "TX ring entries (2048)" },
	{ "fill-ring", OPT_FILL_RING, "N", ALL, "fill ring entries (2048)" },
	{ "comp-ring", OPT_COMP_RING, "N", APP_TX | APP_FWD,
	  "completion ring entries (2048)" },
	{ "wait", 'w', "HOW", ALL,
	  "busy (spin), poll (sleep in poll()) or busy-poll (SO_PREFER_BUSY_"
	  "POLL) (busy)" },
	{ "duration", 'd', "SEC", ALL, "stop after SEC seconds (0: never)" },
	{ "count", 'n', "N", ALL, "stop after N packets (0: never)" },
	{ "cpu", 'C', "CPU", ALL,
	  "pin the first queue's thread to CPU, the next to CPU+1, ... "
	  "(default: several queues are pinned from CPU 0, one is not)" },
	{ "verify", OPT_VERIFY, NULL, APP_RX,
	  "check that every frame is one tx made (headers, payload, and the "
	  "MACs if given); count the others as bad" },
	{ "touch", OPT_TOUCH, NULL, APP_RX,
	  "read every byte of each frame, as a real consumer would" },
	{ "dump", OPT_DUMP, "N", APP_RX, "print the first N frames in hex" },
	{ "len", 'l', "BYTES", APP_TX,
	  "frame length, 60 to 1514 or more (64)" },
	{ "rate", 'r', "PPS", APP_TX,
	  "send at most PPS packets per second, all queues together (0: as "
	  "fast as possible)" },
	{ "src-mac", OPT_SRC_MAC, "MAC", APP_TX,
	  "source MAC (the interface's)" },
	{ "dst-mac", OPT_DST_MAC, "MAC", APP_TX,
	  "destination MAC (02:00:00:00:00:02)" },
	{ "src-mac", OPT_SRC_MAC, "MAC", APP_RX,
	  "with --verify: the source MAC every frame must have" },
	{ "dst-mac", OPT_DST_MAC, "MAC", APP_RX,
	  "with --verify: the destination MAC every frame must have" },
	{ "help", 'h', NULL, ALL, "this text" },
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const char *const about[] = {
	[APP_RX] = "Receive frames on AF_XDP sockets and count them; check or "
		   "print them\nif asked.",
	[APP_TX] = "Send IPv4/UDP frames, each with a sequence number, from "
		   "AF_XDP sockets,\nas fast as they go or at a given rate.",
	[APP_FWD] = "Receive frames, swap their MAC addresses and send them "
		    "back out (or out of\nanother interface), moving "
		    "descriptors, never copying frames.",
};

/* "  left   help", the help wrapped at 79 columns under itself. */
static void print_wrapped(const char *left, const char *help)
{
	const int indent = 27, width = 79 - indent;
	const char *p = help;

	printf("  %-24s ", left);
	while (*p) {
		int n = (int)strlen(p);

		if (n > width) {
			n = width;
			while (n > 0 && p[n] != ' ')
				n--;
		}
		printf("%.*s\n", n, p);
		p += n;
		while (*p == ' ')
			p++;
		if (*p)
			printf("%*s", indent, "");
	}
}

static void usage(const char *name, unsigned int kind)
{
	char left[40];

	printf("Usage: %s -i IF [options]\n%s\n\n", name, about[kind]);
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(opts[i].kinds & kind))
			continue;
		if (opts[i].val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 opts[i].val, opts[i].name,
				 opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
				 opts[i].name, opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		print_wrapped(left, opts[i].help);
	}
	printf("\nPrints a line per second, and at the end a summary in "
	       "key=value form.\nCtrl-C stops cleanly. Needs CAP_NET_RAW, and "
	       "for an XDP program CAP_NET_ADMIN\nand CAP_BPF (or root).\n");
}

/* Exit code 2 for a bad command line, as getopt-based tools do. */
#define EXIT_USAGE 2

static int __attribute__((format(printf, 2, 3)))
bad_arg(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", name);
	return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoull(s, &end, 0);
	if (errno || *end || *v < min || *v > max)
		return -1;
	return 0;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t x;

	if (parse_u64(s, min, max, &x))
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char extra;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &extra) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int pick(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static const char *const mode_names[] = { "auto", "copy", "zero-copy" };
static const char *const xdp_names[] = { "auto", "native", "generic" };
static const char *const wait_names[] = { "busy", "poll", "busy-poll" };

static int parse_options(struct app *a, int argc, char **argv,
			 unsigned int kind)
{
	struct option lopts[NOPTS + 1];
	char shorts[3 * NOPTS + 2] = ":", *sp = shorts + 1;
	struct options *o = &a->o;
	const char *n = a->name;
	uint32_t last;
	double d;
	char *end;
	int c, k;

	*o = (struct options){
		.nqueues = 1,
		.need_wakeup = true,
		.batch = 64,
		.frame_size = XSK_DEFAULT_FRAME_SIZE,
		.nframes = XSK_DEFAULT_NFRAMES,
		.cpu = -1,
		.len = 64,
		.dst_mac = { 2, 0, 0, 0, 0, 2 },
	};
	memset(lopts, 0, sizeof(lopts));
	for (size_t i = 0, j = 0; i < NOPTS; i++) {
		if (!(opts[i].kinds & kind))
			continue;
		lopts[j++] = (struct option){ opts[i].name,
					      opts[i].arg ? required_argument :
							    no_argument,
					      NULL, opts[i].val };
		if (opts[i].val < 256) {
			*sp++ = (char)opts[i].val;
			if (opts[i].arg)
				*sp++ = ':';
		}
	}
	*sp = '\0';

	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(n, kind);
			exit(0);
		case 'i':
			o->ifname = optarg;
			break;
		case 'o':
			o->out_ifname = optarg;
			break;
		case 'q':
			o->queue = (uint32_t)strtoul(optarg, &end, 10);
			last = o->queue;
			if (*end == '-')
				last = (uint32_t)strtoul(end + 1, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end ||
			    last < o->queue || last - o->queue >= 1024)
				return bad_arg(n,
					       "--queue: '%s' is not a queue "
					       "or a range like 0-3",
					       optarg);
			o->nqueues = last - o->queue + 1;
			break;
		case OPT_SHARED_UMEM:
			o->shared_umem = true;
			break;
		case 'm':
			if ((k = pick(optarg, mode_names, 3)) < 0)
				return bad_arg(n,
					       "--mode: '%s' is not auto, copy "
					       "or zero-copy",
					       optarg);
			o->mode = (enum xsk_mode)k;
			break;
		case 'x':
			if ((k = pick(optarg, xdp_names, 3)) < 0)
				return bad_arg(
					n,
					"--xdp: '%s' is not auto, native "
					"or generic",
					optarg);
			o->attach = (enum xsk_attach_mode)k;
			break;
		case OPT_PASS_PROG:
			o->pass_prog = true;
			break;
		case 'W':
			o->need_wakeup = false;
			break;
		case 'b':
			if (parse_u32(optarg, 1, 65536, &o->batch))
				return bad_arg(n,
					       "--batch: '%s' is not a number "
					       "from 1 to 65536",
					       optarg);
			break;
		case 'f':
			if (parse_u32(optarg, 2048, 65536, &o->frame_size))
				return bad_arg(n,
					       "--frame-size: '%s' is not a "
					       "size from 2048 to 65536",
					       optarg);
			break;
		case 'F':
			if (parse_u32(optarg, 1, 1u << 24, &o->nframes))
				return bad_arg(n,
					       "--frames: '%s' is not a number "
					       "from 1 to 16777216",
					       optarg);
			break;
		case OPT_RX_RING:
		case OPT_TX_RING:
		case OPT_FILL_RING:
		case OPT_COMP_RING: {
			uint32_t *ring[] = { &o->rx_size, &o->tx_size,
					     &o->fill_size, &o->comp_size };

			/* The library explains a size that is not a power of
			 * two; only the number is checked here. */
			if (parse_u32(optarg, 1, 1u << 24,
				      ring[c - OPT_RX_RING]))
				return bad_arg(n, "%s: '%s' is not a ring size",
					       argv[optind - 2], optarg);
			break;
		}
		case 'w':
			if ((k = pick(optarg, wait_names, 3)) < 0)
				return bad_arg(n,
					       "--wait: '%s' is not busy, poll "
					       "or busy-poll",
					       optarg);
			o->wait = (enum wait_mode)k;
			break;
		case 'd':
			d = strtod(optarg, &end);
			if (*end || end == optarg || !(d >= 0 && d < 1e9))
				return bad_arg(n,
					       "--duration: '%s' is not a "
					       "number of seconds",
					       optarg);
			o->duration = d;
			break;
		case 'n':
			if (parse_u64(optarg, 0, UINT64_MAX, &o->count))
				return bad_arg(n,
					       "--count: '%s' is not a number",
					       optarg);
			break;
		case 'C':
			if (parse_u32(optarg, 0, CPU_SETSIZE - 1, &last))
				return bad_arg(
					n, "--cpu: '%s' is not a CPU number",
					optarg);
			o->cpu = (int)last;
			break;
		case OPT_VERIFY:
			o->verify = true;
			break;
		case OPT_TOUCH:
			o->touch = true;
			break;
		case OPT_DUMP:
			if (parse_u32(optarg, 0, UINT32_MAX, &o->dump))
				return bad_arg(n,
					       "--dump: '%s' is not a number",
					       optarg);
			break;
		case 'l':
			if (parse_u32(optarg, 60, 65536, &o->len))
				return bad_arg(n,
					       "--len: '%s' is not a length "
					       "from 60 to 65536",
					       optarg);
			break;
		case 'r':
			if (parse_u64(optarg, 0, UINT64_MAX, &o->rate))
				return bad_arg(
					n,
					"--rate: '%s' is not a number of "
					"packets per second",
					optarg);
			break;
		case OPT_SRC_MAC:
		case OPT_DST_MAC:
			if (parse_mac(optarg, c == OPT_SRC_MAC ? o->src_mac :
								 o->dst_mac))
				return bad_arg(n,
					       "--%s: '%s' is not a MAC "
					       "address like 02:00:00:00:00:01",
					       c == OPT_SRC_MAC ? "src-mac" :
								  "dst-mac",
					       optarg);
			if (c == OPT_SRC_MAC)
				o->have_src_mac = true;
			else
				o->have_dst_mac = true;
			break;
		case ':':
			return bad_arg(n, "%s needs a value", argv[optind - 1]);
		default:
			return bad_arg(n, "unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_arg(n, "unexpected argument '%s'", argv[optind]);
	if (!o->ifname)
		return bad_arg(n, "which interface? -i IF is required");
	if (o->shared_umem && (uint64_t)o->nframes * o->nqueues > UINT32_MAX)
		return bad_arg(n,
			       "--frames %u on %u queues: too many frames "
			       "for one UMEM",
			       o->nframes, o->nqueues);
	if (kind == APP_TX && o->len > o->frame_size)
		return bad_arg(n,
			       "--len %u does not fit in a frame of %u bytes",
			       o->len, o->frame_size);
	return 0;
}

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
		      .flags = kind == APP_TX ? XSK_PROG_PASS_ONLY : 0);
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

/* --------------------------------------------------------------- figures */

/* What a queue has done so far: its counters and its sockets' stats. */
struct snapshot {
	struct counters c;
	struct xsk_stats st;
};

static void add_stats(struct xsk_stats *sum, struct xsk_socket *xsk)
{
	struct xsk_stats st = { .sz = sizeof(st) };

	if (xsk_socket_stats(xsk, &st))
		return;
	sum->rx_dropped += st.rx_dropped;
	sum->rx_invalid_descs += st.rx_invalid_descs;
	sum->tx_invalid_descs += st.tx_invalid_descs;
	sum->rx_ring_full += st.rx_ring_full;
	sum->rx_fill_ring_empty_descs += st.rx_fill_ring_empty_descs;
	sum->tx_ring_empty_descs += st.tx_ring_empty_descs;
}

static void take_snapshot(struct queue *q, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->c.rx_packets = __atomic_load_n(&q->c.rx_packets, __ATOMIC_RELAXED);
	s->c.rx_bytes = __atomic_load_n(&q->c.rx_bytes, __ATOMIC_RELAXED);
	s->c.tx_packets = __atomic_load_n(&q->c.tx_packets, __ATOMIC_RELAXED);
	s->c.tx_bytes = __atomic_load_n(&q->c.tx_bytes, __ATOMIC_RELAXED);
	s->c.bad = __atomic_load_n(&q->c.bad, __ATOMIC_RELAXED);
	add_stats(&s->st, q->xsk);
	if (q->out != q->xsk)
		add_stats(&s->st, q->out);
}

static void add_snapshot(struct snapshot *sum, const struct snapshot *s)
{
	sum->c.rx_packets += s->c.rx_packets;
	sum->c.rx_bytes += s->c.rx_bytes;
	sum->c.tx_packets += s->c.tx_packets;
	sum->c.tx_bytes += s->c.tx_bytes;
	sum->c.bad += s->c.bad;
	sum->st.rx_dropped += s->st.rx_dropped;
	sum->st.rx_invalid_descs += s->st.rx_invalid_descs;
	sum->st.tx_invalid_descs += s->st.tx_invalid_descs;
	sum->st.rx_ring_full += s->st.rx_ring_full;
	sum->st.rx_fill_ring_empty_descs += s->st.rx_fill_ring_empty_descs;
	sum->st.tx_ring_empty_descs += s->st.tx_ring_empty_descs;
}

/*
 * Frames the kernel dropped on their way to us. A frame that finds the
 * fill ring empty is counted both in rx_dropped and in
 * rx_fill_ring_empty_descs, so the latter is shown but not added.
 */
static uint64_t drops(const struct xsk_stats *st)
{
	return st->rx_dropped + st->rx_ring_full + st->rx_invalid_descs +
	       st->tx_invalid_descs;
}

/* One line: the rates between @prev and @cur, over @secs seconds. */
static void print_rates(const char *label, const struct snapshot *cur,
			const struct snapshot *prev, double secs)
{
	double rxp = (double)(cur->c.rx_packets - prev->c.rx_packets) / secs;
	double rxb = (double)(cur->c.rx_bytes - prev->c.rx_bytes) / secs;
	double txp = (double)(cur->c.tx_packets - prev->c.tx_packets) / secs;
	double txb = (double)(cur->c.tx_bytes - prev->c.tx_bytes) / secs;

	printf("%s RX %9.0f pps %8.1f Mb/s | TX %9.0f pps %8.1f Mb/s | "
	       "drop %" PRIu64 " ring-full %" PRIu64 " fill-empty %" PRIu64
	       " tx-invalid %" PRIu64 "\n",
	       label, rxp, rxb * 8e-6, txp, txb * 8e-6,
	       drops(&cur->st) - drops(&prev->st),
	       cur->st.rx_ring_full - prev->st.rx_ring_full,
	       cur->st.rx_fill_ring_empty_descs -
		       prev->st.rx_fill_ring_empty_descs,
	       cur->st.tx_invalid_descs - prev->st.tx_invalid_descs);
}

/* The count a program is about: received, or sent (tx), or sent back
 * (fwd: a frame counts once the kernel has completed it). */
static uint64_t packets(const struct app *a, const struct counters *c)
{
	return a->kind == APP_RX ? c->rx_packets : c->tx_packets;
}

static void print_counts(const struct app *a, const struct snapshot *s,
			 double secs)
{
	uint64_t p = packets(a, &s->c);

	printf(" packets=%" PRIu64 " pps=%.0f rx_packets=%" PRIu64
	       " rx_bytes=%" PRIu64 " tx_packets=%" PRIu64 " tx_bytes=%" PRIu64
	       " drops=%" PRIu64 " rx_dropped=%" PRIu64 " rx_ring_full=%" PRIu64
	       " rx_fill_empty=%" PRIu64 " rx_invalid=%" PRIu64
	       " tx_invalid=%" PRIu64 " bad=%" PRIu64,
	       p, secs > 0 ? (double)p / secs : 0.0, s->c.rx_packets,
	       s->c.rx_bytes, s->c.tx_packets, s->c.tx_bytes, drops(&s->st),
	       s->st.rx_dropped, s->st.rx_ring_full,
	       s->st.rx_fill_ring_empty_descs, s->st.rx_invalid_descs,
	       s->st.tx_invalid_descs, s->c.bad);
}

static void print_summary(struct app *a, struct snapshot *per_queue,
			  double secs)
{
	struct snapshot total = { 0 };
	const char *mode = "unknown", *xdp = "none";
	int zc = xsk_socket_zerocopy(a->q[0].xsk);

	if (zc >= 0)
		mode = zc ? "zero-copy" : "copy";
	if (a->prog)
		xdp = xsk_prog_mode(a->prog) == XSK_ATTACH_NATIVE  ? "native" :
		      xsk_prog_mode(a->prog) == XSK_ATTACH_GENERIC ? "generic" :
								     "none";
	for (uint32_t i = 0; i < a->nq; i++) {
		add_snapshot(&total, &per_queue[i]);
		if (a->nq > 1) {
			printf("%s: queue=%u", a->name, a->q[i].id);
			print_counts(a, &per_queue[i], secs);
			printf("\n");
		}
	}
	printf("%s: summary prog=%s if=%s queues=%u-%u seconds=%.2f", a->name,
	       a->name, a->o.ifname, a->q[0].id, a->q[a->nq - 1].id, secs);
	print_counts(a, &total, secs);
	printf(" mode=%s xdp=%s\n", mode, xdp);
}

int app_run(struct app *a, void (*loop)(struct queue *q))
{
	struct snapshot *cur, *prev, total, total_prev;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t all, old;
	double start, tick, t, end, last;
	uint32_t started;
	char label[64];
	int rc = 0;

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
	/* The threads block every signal, so that a signal interrupts the
	 * main thread's sleep and nothing else. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	start = now_sec();
	for (started = 0; started < a->nq; started++) {
		__atomic_add_fetch(&a->running, 1, __ATOMIC_RELAXED);
		if (pthread_create(&a->q[started].thread, NULL, queue_thread,
				   &a->q[started])) {
			__atomic_sub_fetch(&a->running, 1, __ATOMIC_RELAXED);
			app_stop(a);
			rc = sys_fail(a, EAGAIN, "a thread per queue");
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

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
		memset(&total, 0, sizeof(total));
		memset(&total_prev, 0, sizeof(total_prev));
		for (uint32_t i = 0; i < a->nq; i++) {
			take_snapshot(&a->q[i], &cur[i]);
			add_snapshot(&total, &cur[i]);
			add_snapshot(&total_prev, &prev[i]);
		}
		snprintf(label, sizeof(label), "%s %4.0fs", a->name,
			 tick - start);
		print_rates(label, &total, &total_prev, t - last);
		for (uint32_t i = 0; a->nq > 1 && i < a->nq; i++) {
			snprintf(label, sizeof(label), "%*s q%-3u",
				 (int)strlen(a->name), "", a->q[i].id);
			print_rates(label, &cur[i], &prev[i], t - last);
		}
		memcpy(prev, cur, a->nq * sizeof(*cur));
		last = t;
		fflush(stdout);
		tick += 1;
	}
	end = now_sec();
	app_stop(a);
	for (uint32_t i = 0; i < started; i++)
		pthread_join(a->q[i].thread, NULL);
	for (uint32_t i = 0; i < a->nq; i++) {
		take_snapshot(&a->q[i], &cur[i]);
		if (a->q[i].err) {
			fprintf(stderr, "%s: %s\n", a->name, a->q[i].why);
			rc = 1;
		}
	}
	print_summary(a, cur, end - start);
	fflush(stdout);
	free(cur);
	free(prev);
	teardown(a);
	return rc;
}

/* ---------------------------------------------------------- test frames */

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void frame_init(uint8_t *f, uint32_t len, const uint8_t src[6],
		const uint8_t dst[6], uint32_t queue)
{
	static const uint8_t ip[] = {
		0x45, 0,  0,	0, /* version 4, 20 bytes; total length */
		0,    0,  0x40, 0, /* id 0, don't fragment */
		64,   17, 0,	0, /* TTL, UDP; checksum */
		198,  18, 0,	1, 198, 18, 0, 2,
	};

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, 0x0800);
	memcpy(f + 14, ip, sizeof(ip));
	put16(f + 16, len - 14);
	put16(f + 24, ip_checksum(f + 14, 20));
	put16(f + 34, 9);
	put16(f + 36, 9);
	put16(f + 38, len - 34);
	put16(f + 40, 0); /* no UDP checksum: allowed over IPv4 */
	memcpy(f + 42, "XSK1", 4);
	for (int i = 0; i < 4; i++)
		f[FRAME_QUEUE_OFF + i] = (uint8_t)(queue >> (24 - 8 * i));
	memset(f + FRAME_SEQ_OFF, 0, 8);
	for (uint32_t i = FRAME_SEQ_OFF + 8; i < len; i++)
		f[i] = (uint8_t)i;
}

bool frame_check(const uint8_t *f, uint32_t len, const struct options *o)
{
	uint8_t want[FRAME_MIN_LEN];
	uint32_t queue;

	if (len < FRAME_MIN_LEN)
		return false;
	queue = (uint32_t)f[FRAME_QUEUE_OFF] << 24 |
		(uint32_t)f[FRAME_QUEUE_OFF + 1] << 16 |
		(uint32_t)f[FRAME_QUEUE_OFF + 2] << 8 | f[FRAME_QUEUE_OFF + 3];
	/* The headers as frame_init() writes them for this length, with
	 * the frame's own MACs unless the options say which to expect. */
	frame_init(want, FRAME_MIN_LEN, o->have_src_mac ? o->src_mac : f + 6,
		   o->have_dst_mac ? o->dst_mac : f, queue);
	put16(want + 16, len - 14);
	put16(want + 24, 0);
	put16(want + 24, ip_checksum(want + 14, 20));
	put16(want + 38, len - 34);
	if (memcmp(f, want, FRAME_SEQ_OFF))
		return false;
	for (uint32_t i = FRAME_SEQ_OFF + 8; i < len; i++)
		if (f[i] != (uint8_t)i)
			return false;
	return true;
}
