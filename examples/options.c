// SPDX-License-Identifier: MIT
/*
 * The examples' command line: the option table, --help, parsing. See
 * common.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* What an option's value is, and how it goes into struct options. */
enum opt_type {
	T_HELP, /* no value: print --help and exit */
	T_TRUE, /* no value: set a bool */
	T_FALSE, /* no value: clear a bool */
	T_STRING, /* the value itself, a const char * */
	T_NUMBER, /* decimal, min to max, 4 or 8 bytes */
	T_SECONDS, /* decimal, with a fraction if need be, into a double,
		    * from min up to but not including max */
	T_QUEUES, /* Q or Q-R: the first, and how many (min to max) in field2 */
	T_CHOICE, /* one of names[]: its index, into an enum */
	T_MAC, /* 02:00:00:00:00:01 into a uint8_t[6]; sets the bool field2 */
	T_HINTS, /* hash,vlan,timestamp or all: XSK_HINT_* bits */
	T_OCTAL, /* permission bits: 0660 */
};

/*
 * An option: its getopt_long() entry, its --help line, and the field it
 * sets, with the values it takes. An option whose help differs between
 * programs has an entry for each.
 */
struct opt {
	const char *name;
	int val; /* the short option; 0: none */
	const char *arg; /* NULL: takes no value */
	unsigned int kinds;
	const char *help;
	enum opt_type type;
	size_t off, size; /* the field */
	size_t off2; /* T_QUEUES, T_MAC: a second field */
	uint64_t min, max;
	const char *const *names; /* T_CHOICE: the names --help shows, */
	uint32_t nnames;
	const char *alias; /* ... and one more it takes, */
	uint32_t alias_of; /* meaning names[alias_of] */
	const char *what; /* a value it refuses "is not" this ... */
	bool range; /* ... "from min to max" */
	bool optional; /* the value may be left out: --name or --name=arg */
};

#define FIELD(f)                            \
	.off = offsetof(struct options, f), \
	.size = sizeof(((struct options *)0)->f)
#define FLAG(t, f) .type = (t), FIELD(f)
#define NUMBER(f, lo, hi, w) \
	.type = T_NUMBER, FIELD(f), .min = (lo), .max = (hi), .what = (w)
#define RANGE(f, lo, hi, w) NUMBER(f, lo, hi, w), .range = true
#define CHOICE(f, n)                              \
	.type = T_CHOICE, FIELD(f), .names = (n), \
	.nnames = sizeof(n) / sizeof((n)[0])
#define MAC(f)                                                               \
	.type = T_MAC, FIELD(f), .off2 = offsetof(struct options, have_##f), \
	.what = "a MAC address like 02:00:00:00:00:01"

static const char *const mode_names[] = {
	[XSK_MODE_AUTO] = "auto",
	[XSK_MODE_COPY] = "copy",
	[XSK_MODE_ZEROCOPY] = "zero-copy",
};
static const char *const xdp_names[] = {
	[XSK_ATTACH_AUTO] = "auto",
	[XSK_ATTACH_NATIVE] = "native",
	[XSK_ATTACH_GENERIC] = "generic",
};
static const char *const wait_names[] = {
	[WAIT_SPIN] = "spin",
	[WAIT_POLL] = "poll",
	[WAIT_BUSY_POLL] = "busy-poll",
};

#define ALL (APP_RX | APP_TX | APP_FWD | APP_PING)
#define RECEIVERS (APP_RX | APP_FWD | APP_PING)
#define SENDERS (APP_TX | APP_FWD | APP_PING)
#define SHARERS (APP_RX | APP_FWD) /* the options of several processes */

static const struct opt opts[] = {
	{ "interface", 'i', "IF", ALL, "the interface (required)",
	  FLAG(T_STRING, ifname) },
	{ "out", 'o', "IF", APP_FWD,
	  "send on this interface instead of back out of -i (same queues)",
	  FLAG(T_STRING, out_ifname) },
	/* One thread per queue: a thousand is plenty. */
	{ "queue", 'q', "Q[-R]", ALL & ~APP_PING,
	  "queue Q, or queues Q to R: one socket and thread each (0)",
	  .type = T_QUEUES, FIELD(queue),
	  .off2 = offsetof(struct options, nqueues), .min = 1, .max = 1024,
	  .what = "a queue or a range like 0-3" },
	{ "queue", 'q', "Q[-R]", APP_PING,
	  "queue Q; with --reflect, queues Q to R (0)", .type = T_QUEUES,
	  FIELD(queue), .off2 = offsetof(struct options, nqueues), .min = 1,
	  .max = 1024, .what = "a queue or a range like 0-3" },
	{ "shared-umem", 0, NULL, ALL,
	  "one UMEM for all queues (default: one UMEM per queue)",
	  FLAG(T_TRUE, shared_umem) },
	{ "mode", 'm', "MODE", ALL,
	  "auto, copy or zero-copy; auto takes zero-copy where the driver "
	  "has it (auto)",
	  CHOICE(mode, mode_names) },
	{ "xdp", 'x', "MODE", RECEIVERS,
	  "run the XDP program auto, native or generic (auto)",
	  CHOICE(attach, xdp_names) },
	{ "xdp", 'x', "MODE", APP_TX,
	  "with --pass-prog: auto, native or generic (auto)",
	  CHOICE(attach, xdp_names) },
	{ "pass-prog", 0, NULL, APP_TX,
	  "attach an XDP program that passes everything (some drivers send "
	  "only with one)",
	  FLAG(T_TRUE, pass_prog) },
	{ "join", 0, NULL, SHARERS,
	  "share the XDP program with other processes on other queues: join "
	  "the one running (another rx, fwd, ... --join), or attach one they "
	  "can join; it leaves with the last of them",
	  FLAG(T_TRUE, join) },
	{ "join", 0, NULL, APP_TX,
	  "hold the interface's shared XDP program while sending (a receiver "
	  "started with --join), or attach a passing one others can join",
	  FLAG(T_TRUE, join) },
	{ "pin-map", 0, "PATH", SHARERS,
	  "pin the XSKMAP at PATH on a bpffs (/sys/fs/bpf/...), for --map "
	  "of others; it stays until removed (rm PATH)",
	  FLAG(T_STRING, pin_map) },
	{ "pin-link", 0, "PATH", SHARERS,
	  "pin the program's BPF link at PATH: the program stays attached "
	  "until the pin is removed",
	  FLAG(T_STRING, pin_link) },
	{ "pin-mode", 0, "MODE", SHARERS,
	  "permissions of the pins, in octal: 0660 lets --pin-group put "
	  "sockets into the map (0600: the owner only)",
	  .type = T_OCTAL, FIELD(pin_mode), .min = 0, .max = 0777,
	  .what = "a mode like 0660 (octal, at most 0777)" },
	{ "pin-group", 0, "GROUP", SHARERS,
	  "give the pins to GROUP (a name or number)",
	  FLAG(T_STRING, pin_group) },
	{ "map", 0, "PATH", SHARERS,
	  "put the sockets into the XSKMAP pinned at PATH and attach no "
	  "program: the one that pinned it redirects (the map needs only the "
	  "pin's permissions, no CAP_BPF)",
	  FLAG(T_STRING, map_path) },
	{ "token", 0, "PATH", SHARERS | APP_TX,
	  "load with a BPF token from the bpffs delegated to this user "
	  "namespace at PATH (a container; Linux 6.9)",
	  FLAG(T_STRING, token) },
	{ "no-need-wakeup", 'W', NULL, ALL,
	  "don't use need_wakeup: wake the kernel every time",
	  FLAG(T_FALSE, need_wakeup) },
	{ "batch", 'b', "N", ALL, "descriptors per ring operation (64)",
	  RANGE(batch, 1, 65536, "a number") },
	{ "frame-size", 'f', "BYTES", ALL,
	  "UMEM frame size: 2048 or 4096, or with --unaligned any size in "
	  "between (4096)",
	  RANGE(frame_size, 2048, 65536, "a size") },
	{ "frames", 'F', "N", ALL, "UMEM frames per queue (4096)",
	  RANGE(nframes, 1, 1u << 24, "a number") },
	{ "huge-pages", 0, NULL, ALL,
	  "put the UMEM on 2 MiB huge pages: fewer TLB misses in a large "
	  "UMEM (reserve them first: sysctl vm.nr_hugepages=N)",
	  FLAG(T_TRUE, huge_pages) },
	{ "unaligned", 0, NULL, ALL,
	  "unaligned chunk mode: frames of any size (Linux 5.4)",
	  FLAG(T_TRUE, unaligned) },
	{ "headroom", 0, "BYTES", RECEIVERS,
	  "bytes the kernel leaves free in front of each received frame (0)",
	  RANGE(headroom, 0, 65536, "a size") },
	{ "multi-buffer", 'M', NULL, ALL,
	  "frames longer than a UMEM frame, in several (jumbo frames; Linux "
	  "6.6, and an MTU to match: ip link set IF mtu 9000)",
	  FLAG(T_TRUE, multi_buffer) },
	{ "bind-wait", 0, "MS", ALL,
	  "wait up to MS ms for a queue that a socket closed a moment ago "
	  "still holds (200)",
	  RANGE(bind_wait, 0, 60000, "a number of milliseconds") },
	/* The library explains a ring size that is not a power of two. */
	{ "rx-ring", 0, "N", RECEIVERS, "RX ring entries (2048)",
	  NUMBER(rx_size, 1, 1u << 24, "a ring size") },
	{ "tx-ring", 0, "N", SENDERS, "TX ring entries (2048)",
	  NUMBER(tx_size, 1, 1u << 24, "a ring size") },
	{ "fill-ring", 0, "N", ALL, "fill ring entries (2048)",
	  NUMBER(fill_size, 1, 1u << 24, "a ring size") },
	{ "comp-ring", 0, "N", SENDERS, "completion ring entries (2048)",
	  NUMBER(comp_size, 1, 1u << 24, "a ring size") },
	{ "tx-budget", 0, "N", SENDERS,
	  "copy mode: frames the kernel sends per kick, from 32 to the TX "
	  "ring size; 0 leaves the kernel's default, 32 (Linux 6.17; the TX "
	  "ring size)",
	  NUMBER(tx_budget, 0, 1u << 24, "a number of frames") },
	{ "wait", 'w', "HOW", ALL,
	  "spin (never sleep; 'busy' works too), poll (sleep in poll()) or "
	  "busy-poll (SO_PREFER_BUSY_POLL) (spin)",
	  CHOICE(wait, wait_names), .alias = "busy", .alias_of = WAIT_SPIN },
	{ "duration", 'd', "SEC", ALL, "stop after SEC seconds (0: never)",
	  .type = T_SECONDS, FIELD(duration), .min = 0, .max = 1000000000,
	  .what = "a number of seconds" },
	{ "count", 'n', "N", ALL & ~APP_PING, "stop after N packets (0: never)",
	  NUMBER(count, 0, UINT64_MAX, "a number") },
	{ "count", 'n', "N", APP_PING, "stop after N pings (0: never)",
	  NUMBER(count, 0, UINT64_MAX, "a number") },
	{ "cpu", 'C', "CPU", ALL,
	  "pin the first queue's thread to CPU, the next to the next CPU "
	  "this process may use, ... (see below)",
	  NUMBER(cpu, 0, CPU_SETSIZE - 1, "a CPU number") },
	{ "json", 'j', NULL, ALL,
	  "print every line as a JSON object (the summary too)",
	  FLAG(T_TRUE, json) },
	{ "verify", 0, NULL, APP_RX,
	  "check that every frame is one tx made (headers, payload, and the "
	  "MACs if given); count the others, as not ours or as corrupted, "
	  "and say what was wrong with the first of each",
	  FLAG(T_TRUE, verify) },
	{ "touch", 0, NULL, APP_RX,
	  "read every byte of each frame, as a real consumer would",
	  FLAG(T_TRUE, touch) },
	{ "touch", 0, NULL, APP_FWD | APP_PING,
	  "read every byte of each frame before sending it back",
	  FLAG(T_TRUE, touch) },
	{ "prefetch", 0, "N", RECEIVERS,
	  "with --touch: load the bytes of the next N frames while one is "
	  "read (xsk_rx_prefetch()); 0: don't (8)",
	  RANGE(prefetch, 0, 256, "a number of frames") },
	{ "dump", 0, "N", APP_RX, "print the first N frames in hex",
	  NUMBER(dump, 0, UINT32_MAX, "a number") },
	{ "pcap", 0, "FILE", APP_RX,
	  "write every frame to FILE in pcap format (tcpdump -r FILE, "
	  "Wireshark)",
	  FLAG(T_STRING, pcap) },
	{ "hints", 0, "LIST", APP_RX,
	  "ask the driver for RX hints: hash, vlan, timestamp, or all (the "
	  "default); --dump prints them, the summary counts frames by hash "
	  "type and VLAN (Linux 6.3, VLAN 6.8; native XDP)",
	  .optional = true, .type = T_HINTS, FIELD(hints),
	  .what = "a list like hash,vlan (hash, vlan, timestamp, all)" },
	{ "len", 'l', "BYTES", APP_TX | APP_PING,
	  "frame length, 60 to 1514, or with --multi-buffer up to 9000 and "
	  "more (64)",
	  RANGE(len, 60, 65536, "a length") },
	{ "rate", 'r', "PPS", APP_TX,
	  "send at most PPS packets per second, all queues together (0: as "
	  "fast as possible)",
	  NUMBER(rate, 0, UINT64_MAX, "a number of packets per second") },
	{ "flows", 0, "N", APP_TX,
	  "cycle the UDP source port through N ports from 40000, so that a "
	  "NIC's RSS spreads the frames over its queues (1: port 9)",
	  RANGE(flows, 1, 16384, "a number") },
	{ "ipv6", '6', NULL, APP_TX | APP_PING,
	  "send IPv6/UDP (2001:2::1 to 2001:2::2) instead of IPv4",
	  FLAG(T_TRUE, ipv6) },
	{ "vlan", 0, "ID", APP_TX | APP_PING,
	  "tag the frames with 802.1Q VLAN id ID",
	  RANGE(vlan, 1, 4094, "a VLAN id") },
	{ "src-mac", 0, "MAC", APP_TX | APP_PING,
	  "source MAC (the interface's)", MAC(src_mac) },
	{ "dst-mac", 0, "MAC", APP_TX | APP_PING,
	  "destination MAC (02:00:00:00:00:02)", MAC(dst_mac) },
	{ "src-mac", 0, "MAC", APP_RX,
	  "with --verify: the source MAC every frame must have", MAC(src_mac) },
	{ "dst-mac", 0, "MAC", APP_RX,
	  "with --verify: the destination MAC every frame must have",
	  MAC(dst_mac) },
	{ "reflect", 0, NULL, APP_PING,
	  "be the other side: send back every frame that arrives, MACs "
	  "swapped (as fwd does)",
	  FLAG(T_TRUE, reflect) },
	{ "in-flight", 0, "N", APP_PING,
	  "keep N pings in flight, each timed on its own (1)",
	  RANGE(in_flight, 1, 256, "a number of pings") },
	{ "timeout", 't', "MS", APP_PING,
	  "count a ping as lost when no reply came in MS ms (1000)",
	  RANGE(timeout_ms, 1, 60000, "a number of milliseconds") },
	{ "help", 'h', NULL, ALL, "this text", .type = T_HELP },
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
	[APP_PING] = "Measure round trips: send a frame, wait for it to come "
		     "back, and again; or,\nwith --reflect, send back what "
		     "arrives. Prints the round-trip times (RTT):\nmin, "
		     "median, 99th and 99.9th percentile, max, and a "
		     "histogram.",
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
		if (opts[i].val)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 opts[i].val, opts[i].name,
				 opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		else if (opts[i].optional)
			snprintf(left, sizeof(left), "    --%s[=%s]",
				 opts[i].name, opts[i].arg);
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
				 opts[i].name, opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		print_wrapped(left, opts[i].help);
	}
	printf("\nWithout -C, each queue's thread is pinned to a CPU this "
	       "process may run on\n(taskset): rx and the reflecting pingpong "
	       "take them from the last one down,\ntx and the sending pingpong "
	       "from the first one up, fwd from the middle one\nup, so that a "
	       "receiver and a sender started side by side don't share a CPU\n"
	       "while there are CPUs enough.\n");
	printf("\nPrints a line per second, and at the end a summary in "
	       "key=value form (with\n--json, a JSON object a line), and "
	       "what any drop means. Ctrl-C stops cleanly.\nNeeds CAP_NET_RAW, "
	       "and for an XDP program CAP_NET_ADMIN and CAP_BPF (or root).\n"
	       "Exit code 0, 1 after a failure, 2 for a bad command line.\n");
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

/* Decimal digits (no sign, no space, no 0x) that fit in 64 bits; *end:
 * what follows. A leading 0 is not octal: "010" is ten. */
static int parse_digits(const char *s, uint64_t *v, char **end)
{
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoull(s, end, 10);
	return errno ? -1 : 0;
}

/* Digits with a fraction if need be ("2", "0.5"), no exponent, no hex. */
static int parse_seconds(const char *s, double *v)
{
	const char *p = s;
	char *end;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s || (*p == '.' && (p[1] < '0' || p[1] > '9')))
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p)
		return -1;
	*v = strtod(s, &end);
	return end == p ? 0 : -1;
}

/* Six groups of one or two hex digits, separated by ':'. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned int b = 0, n;

		for (n = 0; n < 2; n++, s++) {
			if (*s >= '0' && *s <= '9')
				b = b * 16 + (unsigned int)(*s - '0');
			else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
				b = b * 16 +
				    (unsigned int)((*s | 0x20) - 'a' + 10);
			else
				break;
		}
		if (!n || *s != (i < 5 ? ':' : '\0'))
			return -1;
		mac[i] = (uint8_t)b;
		s++;
	}
	return 0;
}

/* Q or Q-R, in decimal (a leading 0 is not octal here). */
static int parse_queues(const char *s, const struct opt *p, uint32_t *first,
			uint32_t *n)
{
	uint64_t q, last;
	char *end;

	if (parse_digits(s, &q, &end))
		return -1;
	last = q;
	if (*end == '-' && parse_digits(end + 1, &last, &end))
		return -1;
	if (*end || last < q || last > UINT32_MAX || last - q + 1 < p->min ||
	    last - q + 1 > p->max)
		return -1;
	*first = (uint32_t)q;
	*n = (uint32_t)(last - q + 1);
	return 0;
}

/* "hash,vlan": XSK_HINT_* bits; left out, all of them. */
static int parse_hints(const char *s, uint32_t *hints)
{
	static const struct {
		const char *name;
		uint32_t bits;
	} names[] = {
		{ "hash", XSK_HINT_HASH },
		{ "vlan", XSK_HINT_VLAN },
		{ "timestamp", XSK_HINT_TIMESTAMP },
		{ "all", XSK_HINT_ALL },
	};
	size_t n, i;

	*hints = s ? 0 : XSK_HINT_ALL;
	while (s && *s) {
		n = strcspn(s, ",");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n &&
			    !strncmp(s, names[i].name, n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*hints |= names[i].bits;
		s += n + (s[n] == ',');
	}
	return *hints ? 0 : -1;
}

/* Into a field of @size bytes: 8, or 4 (uint32_t, int or an enum). */
static void store(void *field, size_t size, uint64_t v)
{
	if (size == sizeof(uint64_t))
		*(uint64_t *)field = v;
	else
		*(uint32_t *)field = (uint32_t)v;
}

/* Set the field(s) of @p from @arg. Return: 0, or -1 if @p refuses @arg. */
static int set(struct options *o, const struct opt *p, const char *arg)
{
	char *field = (char *)o + p->off, *field2 = (char *)o + p->off2, *end;
	uint64_t v;
	double d;

	switch (p->type) {
	case T_HELP: /* the caller prints it */
		break;
	case T_TRUE:
	case T_FALSE:
		*(bool *)field = p->type == T_TRUE;
		return 0;
	case T_STRING:
		*(const char **)field = arg;
		return 0;
	case T_NUMBER:
		if (parse_digits(arg, &v, &end) || *end || v < p->min ||
		    v > p->max)
			return -1;
		store(field, p->size, v);
		return 0;
	case T_SECONDS:
		if (parse_seconds(arg, &d) ||
		    !(d >= (double)p->min && d < (double)p->max))
			return -1;
		*(double *)field = d;
		return 0;
	case T_QUEUES:
		return parse_queues(arg, p, (uint32_t *)field,
				    (uint32_t *)field2);
	case T_CHOICE:
		for (uint32_t i = 0; i < p->nnames; i++) {
			if (!strcmp(arg, p->names[i])) {
				store(field, p->size, i);
				return 0;
			}
		}
		if (p->alias && !strcmp(arg, p->alias)) {
			store(field, p->size, p->alias_of);
			return 0;
		}
		return -1;
	case T_MAC:
		if (parse_mac(arg, (uint8_t *)field))
			return -1;
		*(bool *)field2 = true;
		return 0;
	case T_HINTS:
		return parse_hints(arg, (uint32_t *)field);
	case T_OCTAL:
		errno = 0;
		v = strtoull(arg, &end, 8);
		if (errno || end == arg || *end || *arg == '-' || v > p->max)
			return -1;
		store(field, p->size, v);
		return 0;
	}
	return -1;
}

/* "--batch: '0' is not a number from 1 to 65536 (see rx --help)" */
static int refuse(const char *name, const struct opt *p, const char *arg)
{
	char what[80] = "";
	size_t n = 0;

	if (p->type == T_CHOICE) {
		/* "auto, copy or zero-copy" */
		for (uint32_t i = 0; i < p->nnames && n < sizeof(what); i++) {
			const char *sep = i + 1 < p->nnames ? ", " : " or ";

			n += (size_t)snprintf(what + n, sizeof(what) - n,
					      "%s%s", i ? sep : "",
					      p->names[i]);
		}
	} else if (p->range) {
		snprintf(what, sizeof(what), "%s from %" PRIu64 " to %" PRIu64,
			 p->what, p->min, p->max);
	} else {
		snprintf(what, sizeof(what), "%s", p->what);
	}
	return bad_arg(name, "--%s: '%s' is not %s", p->name, arg, what);
}

/* getopt_long()'s two arrays for the options of @kind. A long option
 * without a short one returns 256 + its index in opts[]. */
static void getopt_arrays(unsigned int kind, struct option *lopts, char *shorts)
{
	size_t j = 0;

	*shorts++ = ':'; /* a missing value: return ':', print nothing */
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(opts[i].kinds & kind))
			continue;
		lopts[j++] = (struct option){
			opts[i].name,
			!opts[i].arg	 ? no_argument :
			opts[i].optional ? optional_argument :
					   required_argument,
			NULL, opts[i].val ? opts[i].val : 256 + (int)i
		};
		if (opts[i].val) {
			*shorts++ = (char)opts[i].val;
			if (opts[i].arg)
				*shorts++ = ':';
		}
	}
	lopts[j] = (struct option){ 0 };
	*shorts = '\0';
}

/* The option getopt_long() returned @c for; NULL: an unknown one. */
static const struct opt *find(int c, unsigned int kind)
{
	if (c >= 256)
		return &opts[c - 256];
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].val == c && opts[i].kinds & kind)
			return &opts[i];
	return NULL;
}

/* Does a frame of --len fit: its headers, and its UMEM frames? */
static int check_len(const char *n, const struct options *o, unsigned int kind)
{
	uint32_t hdr = frame_hdr_len(o->vlan != 0, o->ipv6);
	uint32_t frags = (o->len + o->frame_size - 1) / o->frame_size;

	if (o->len < hdr)
		return bad_arg(n,
			       "--len %u is too short for the headers: at "
			       "least %u bytes",
			       o->len, hdr);
	if (frags > 1 && kind == APP_PING)
		return bad_arg(n,
			       "--len %u: a ping goes in one frame, of %u "
			       "bytes (-f)",
			       o->len, o->frame_size);
	if (frags > 1 && !o->multi_buffer)
		return bad_arg(n,
			       "--len %u does not fit in a frame of %u bytes: "
			       "add --multi-buffer to send it in %u frames",
			       o->len, o->frame_size, frags);
	if (frags > XSK_MB_MAX_FRAGS)
		return bad_arg(
			n,
			"--len %u takes %u frames of %u bytes, more than "
			"the %u a packet may have: use a larger -f",
			o->len, frags, o->frame_size, XSK_MB_MAX_FRAGS);
	/* Every frame after a packet's first holds the same bytes (byte i
	 * of a frame is byte i of the pattern) only if the frame size is a
	 * multiple of the pattern's 256. */
	if (frags > 1 && o->frame_size % 256)
		return bad_arg(n,
			       "--len %u in frames of %u bytes: a packet in "
			       "several frames needs a frame size that is a "
			       "multiple of 256",
			       o->len, o->frame_size);
	return 0;
}

int parse_options(struct app *a, int argc, char **argv, unsigned int kind)
{
	struct option lopts[NOPTS + 1];
	char shorts[3 * NOPTS + 2];
	struct options *o = &a->o;
	const char *n = a->name;
	const struct opt *p;
	int c;

	*o = (struct options){
		.nqueues = 1,
		.need_wakeup = true,
		.batch = 64,
		.frame_size = XSK_DEFAULT_FRAME_SIZE,
		.nframes = XSK_DEFAULT_NFRAMES,
		.cpu = -1,
		.bind_wait = 200,
		.len = 64,
		.dst_mac = { 2, 0, 0, 0, 0, 2 },
		.flows = 1,
		.timeout_ms = 1000,
		.in_flight = 1,
		.prefetch = 8,
		.tx_budget = TX_BUDGET_RING,
	};
	getopt_arrays(kind, lopts, shorts);
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (c == ':')
			return bad_arg(n, "%s needs a value", argv[optind - 1]);
		p = find(c, kind);
		if (!p)
			return bad_arg(n, "unknown option '%s'",
				       argv[optind - 1]);
		if (p->type == T_HELP) {
			usage(n, kind);
			exit(0);
		}
		if (set(o, p, optarg))
			return refuse(n, p, optarg);
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
	if (kind == APP_PING && o->nqueues > 1 && !o->reflect)
		return bad_arg(n, "-q: one queue to send pings from (a range "
				  "only with --reflect)");
	if (o->map_path && (o->join || o->pin_map || o->pin_link))
		return bad_arg(n, "--map uses a map pinned by another: it goes "
				  "with none of --join, --pin-map, --pin-link");
	if ((o->pin_mode || o->pin_group) && !o->pin_map && !o->pin_link)
		return bad_arg(n, "--pin-mode and --pin-group are for the pins "
				  "of --pin-map and --pin-link");
	if (kind & (APP_TX | APP_PING))
		return check_len(n, o, kind);
	return 0;
}
