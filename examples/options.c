// SPDX-License-Identifier: MIT
/*
 * The examples' command line: the option table, --help, parsing. See
 * common.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

int bad_arg(const char *name, const char *fmt, ...)
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

int parse_options(struct app *a, int argc, char **argv, unsigned int kind)
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
