/* SPDX-License-Identifier: MIT */
/*
 * What the example programs share: option parsing and --help, setting up
 * the UMEMs, sockets and XDP program, one thread per queue, the per-second
 * lines, the summary, and tearing everything down on Ctrl-C. They are in
 * options.c (the option table, --help), common.c (setup, threads,
 * teardown), figures.c and frame.c (the test frames).
 *
 * None of the packet handling is here: each program's loop (rx.c, tx.c,
 * fwd.c) uses the rings directly, so that it reads on its own.
 */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <xsk.h>
#include <xsk/frames.h>
#include <xsk/multibuf.h>

/* Which program is running: selects the options it takes. */
enum app_kind {
	APP_RX = 1 << 0,
	APP_TX = 1 << 1,
	APP_FWD = 1 << 2,
	APP_PING = 1 << 3, /* pingpong; with --reflect, it runs fwd's loop */
};

/* --touch: read every byte of a frame, as a real consumer would. */
static inline void frame_touch(const uint8_t *p, uint32_t len)
{
	volatile uint8_t sink; /* what was read: not optimized out */
	uint8_t sum = 0;

	for (uint32_t k = 0; k < len; k++)
		sum ^= p[k];
	sink = sum;
	(void)sink;
}

/* options.tx_budget when not given: the TX ring's size. */
#define TX_BUDGET_RING UINT32_MAX

/* How a thread waits when its rings give it nothing to do. */
enum wait_mode {
	WAIT_SPIN, /* spin; wake the kernel only when need_wakeup asks */
	WAIT_POLL, /* sleep in poll() */
	WAIT_BUSY_POLL, /* preferred busy polling: each wake-up runs NAPI */
};

struct options {
	const char *ifname;
	const char *out_ifname; /* fwd: send on this interface instead */
	uint32_t queue; /* the first queue */
	uint32_t nqueues;
	bool shared_umem;
	enum xsk_mode mode;
	enum xsk_attach_mode attach;
	bool need_wakeup;
	uint32_t batch;
	uint32_t frame_size;
	uint32_t nframes; /* per queue */
	uint32_t rx_size, tx_size, fill_size, comp_size;
	enum wait_mode wait;
	double duration; /* seconds; 0: until stopped */
	uint64_t count; /* packets; 0: no limit */
	int cpu; /* the first queue's CPU; -1: the default placement */
	bool multi_buffer; /* a frame longer than a UMEM frame spans several */
	bool unaligned; /* unaligned chunks: any frame size */
	bool huge_pages; /* the UMEM on 2 MiB huge pages */
	/* copy-mode frames per kick; 0: the kernel's default */
	uint32_t tx_budget;
	uint32_t headroom; /* UMEM headroom in front of each received frame */
	uint32_t bind_wait; /* ms to wait for a queue closed a moment ago */
	bool json; /* every line of output a JSON object */
	/* rx */
	bool verify;
	bool touch;
	uint32_t prefetch; /* --touch: frames to load ahead */
	uint32_t dump;
	const char *pcap; /* write what arrives to this file */
	uint32_t hints; /* XSK_HINT_*: ask the driver for them */
	/* tx, pingpong; rx --verify checks the MAC addresses if given */
	uint32_t len;
	uint64_t rate; /* packets per second, all queues together; 0: no limit */
	uint8_t src_mac[6], dst_mac[6];
	bool have_src_mac, have_dst_mac;
	bool pass_prog;
	/* several processes: join the shared program, pins, a token */
	bool join;
	const char *pin_map, *pin_link, *pin_group;
	uint32_t pin_mode;
	const char *map_path;
	const char *token;
	uint32_t flows; /* UDP source ports to cycle through */
	bool ipv6;
	uint32_t vlan; /* VLAN id to tag with; 0: untagged */
	/* pingpong */
	bool reflect;
	uint32_t timeout_ms; /* a reply later than this is lost */
	uint32_t in_flight; /* pings sent and not yet answered, at most */
};

/*
 * The frames tx and pingpong send and rx --verify checks (frame.c):
 * Ethernet, an 802.1Q tag if asked, IPv4 198.18.0.1 to 198.18.0.2 (the
 * benchmarking range) or IPv6 2001:2::1 to 2001:2::2 (the same for IPv6),
 * UDP to port 9 (discard) from port 9 (or one of --flows ports from 40000
 * up), then the mark "XSK1", the sending queue (be32) and a sequence
 * number (be64); from there to its end, byte i of the frame is i mod 256.
 * The IPv4 UDP checksum is 0 (none); the IPv6 one is computed.
 */
#define FRAME_MIN_LEN 60
#define FRAME_FLOW_PORT 40000

struct frame_spec {
	uint32_t len;
	uint8_t src[6], dst[6];
	uint16_t vlan; /* 0: untagged */
	bool ipv6;
	uint32_t flows; /* 1: source port 9 */
	uint32_t queue;
};

/*
 * A queue's counters. Only its own thread writes them; the main thread reads
 * them once a second. Relaxed atomics make that well defined and cost
 * nothing on the hot path (plain loads and stores on any CPU).
 */
struct counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes; /* sent: completed by the kernel */
	uint64_t not_ours; /* rx --verify: frames tx did not make */
	uint64_t corrupt; /* rx --verify: frames tx made, but altered */
};

struct app;
struct kv;

/* The interface's own counters (all its traffic), and its state. */
struct if_counters {
	uint64_t rx_packets, rx_dropped, tx_packets, tx_dropped;
	bool up, carrier;
};

/*
 * rx --hints: what the frames' records said. Only the queue's thread
 * writes them, and they are read once it has ended: no atomics.
 */
#define HINT_TYPES 10 /* the hash types named in figures.c, and "other" */
#define HINT_VLANS 8 /* distinct tags counted; more go to vlan_other */
struct hint_counts {
	uint64_t records, no_record;
	uint64_t timestamps; /* records with a valid timestamp */
	uint64_t no_hash; /* records whose hash is not valid */
	uint64_t types[HINT_TYPES]; /* hashes, by type */
	uint64_t untagged; /* records without a valid VLAN tag */
	struct {
		uint16_t proto, vid; /* host byte order */
		uint64_t n;
	} vlan[HINT_VLANS];
	uint64_t vlan_other;
};

/* The index of a hash type in hint_counts.types, and its name. */
unsigned int hash_type_index(uint32_t type);
const char *hash_type_name(unsigned int index);
/* Count @n frames tagged (@proto, @vid), host byte order. */
void hint_count_vlan(struct hint_counts *c, uint16_t proto, uint16_t vid,
		     uint64_t n);

/* One queue: a socket, the frames it owns, its thread. */
struct queue {
	struct app *app;
	uint32_t id; /* the device queue */
	int cpu; /* -1: not pinned */
	struct xsk_umem *umem; /* where its frames are; maybe shared */
	void *area; /* xsk_umem_area(umem) */
	struct xsk_socket *xsk; /* bound to (ifname, id) */
	struct xsk_socket
		*out; /* fwd --out: sends on (out_ifname, id); else xsk */
	struct xsk_frames frames; /* its own part of the UMEM */
	struct counters c;
	/* When traffic began and was last seen (now_sec()), for rates over
	 * the time it flowed; 0: none yet. Read once the thread is done. */
	double t_first, t_last;
	/* rx --verify: what was wrong with the first frame of each kind */
	char not_ours_why[160], corrupt_why[160];
	/* tx, pingpong: the frames it sends, and the whole first one */
	struct frame_spec spec;
	uint8_t *tmpl;
	/* rx: a packet in several fragments, copied whole, when it is
	 * checked, printed or written to a file */
	uint8_t *buf;
	struct hint_counts hints;
	pthread_t thread;
	int err; /* a fatal error in the loop: negative errno */
	char why[512]; /* with it: what failed, and the library's reason */
};

struct app {
	const char *name;
	unsigned int kind; /* enum app_kind */
	struct options o;
	struct xsk_prog *prog;
	struct queue *q;
	uint32_t nq;
	uint64_t claimed; /* tx: packets claimed against --count */
	uint64_t handled; /* rx, fwd: packets counted against --count */
	void (*loop)(struct queue *q);
	/* pingpong: its own figures, added to the summary */
	void (*summary)(const struct app *a, struct kv *line);
	int stop;
	int running; /* threads still in their loop */
	FILE *pcap; /* rx --pcap */
	struct if_counters if_start; /* when the run began */
	/* At the last line a second: the device's counters, and what had
	 * been sent (completed, less what the device dropped). */
	struct if_counters if_last;
	uint64_t sent_last, sent_bytes_last;
};

/*
 * Parse the options of a program of @kind, print --help or an error if
 * asked, and set up every queue's UMEM, socket and frames, and for rx and
 * fwd the XDP program. Return: 0, or the exit code to leave with (the
 * reason is printed).
 */
int app_setup(struct app *a, int argc, char **argv, const char *name,
	      unsigned int kind);

/*
 * Run @loop in one thread per queue, print a line per second until
 * Ctrl-C, --duration, --count or the loops return, then the summary, and
 * free everything. Return: the exit code.
 */
int app_run(struct app *a, void (*loop)(struct queue *q));

/* Should the loop end? Cheap enough for every turn. */
static inline bool app_stopping(const struct app *a)
{
	return __atomic_load_n(&a->stop, __ATOMIC_RELAXED);
}

/* End the run: from any thread. */
void app_stop(struct app *a);

/*
 * tx: how many of @want packets may still be sent under --count (all
 * queues together). Return: 0 to @want; 0 when the count is used up.
 */
uint32_t app_claim(struct app *a, uint32_t want);

/* rx, fwd: count @n packets handled; ends the run at --count. */
void app_handled(struct app *a, uint32_t n);

/* Add to a counter of one's own queue (see struct counters). */
static inline void count_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

/*
 * A line of figures (figures.c): "rx: summary key=value ..." in text, or
 * with --json a JSON object {"tool":"rx","type":"summary",...}. Begin it,
 * add the fields, end it (which prints it).
 */
struct kv {
	const struct app *a;
	char buf[16384];
	size_t n;
};

void kv_begin(struct kv *l, const struct app *a, const char *type);
void kv_u64(struct kv *l, const char *key, uint64_t v);
void kv_num(struct kv *l, const char *key, double v, int decimals);
void kv_str(struct kv *l, const char *key, const char *v);
/* A JSON value (an array, say) as it is; nothing in text form. */
void kv_json(struct kv *l, const char *key, const char *json);
void kv_end(struct kv *l);

/* A sentence for the user after the figures: "rx: ..." in text, with
 * --json an object {"tool":"rx","type":"note","text":"..."}. */
void __attribute__((format(printf, 2, 3)))
print_note(const struct app *a, const char *fmt, ...);

/*
 * Wait for the socket the way --wait says, when the rings had nothing to
 * do. @events: POLLIN to wait for received frames, POLLOUT for room to send.
 */
void queue_wait(struct queue *q, struct xsk_socket *xsk, short events);

/* The loop failed for good: record why and end the run. */
void queue_fail(struct queue *q, int err, const char *what);

/*
 * Note that traffic flowed now, for the rates in the summary: @t is
 * now_sec().
 */
static inline void queue_saw_traffic(struct queue *q, double t)
{
	if (q->t_first == 0)
		q->t_first = t;
	q->t_last = t;
}

/* Bytes before the payload pattern: headers, mark, queue, sequence. */
uint32_t frame_hdr_len(bool vlan, bool ipv6);

/* Write the whole frame of @s->len bytes for sequence number 0, flow 0. */
void frame_template(uint8_t *f, const struct frame_spec *s);

/*
 * Make @f, a copy of the template @t (at least from byte frame_hdr_len()
 * on), the frame with sequence number @seq: the headers are copied from
 * @t, then the sequence number, the flow's source port and the checksum
 * set. Writes frame_hdr_len() bytes.
 */
void frame_stamp(uint8_t *f, const uint8_t *t, const struct frame_spec *s,
		 uint64_t seq);

/* What rx --verify makes of a frame. */
enum frame_verdict {
	FRAME_OK,
	FRAME_NOT_OURS, /* not a frame tx makes: another protocol, port, ... */
	FRAME_CORRUPT, /* tx made it (it has the mark), but it was altered */
};

/*
 * Check a whole frame, @f of @len bytes, against what frame_template()
 * would have made (and the MACs in @o if it has them). If @why is not
 * NULL, say there what is wrong (@whylen bytes).
 */
enum frame_verdict frame_check(const uint8_t *f, uint32_t len,
			       const struct options *o, char *why,
			       size_t whylen);

/* The sequence number of a frame that passed frame_check(). */
uint64_t frame_seq(const uint8_t *f);

/* rx --pcap: frames longer than this are cut (the record says so). */
#define PCAP_SNAPLEN 65535

/* Append a frame to the --pcap file (pcap.c); any thread. Return: 0, or
 * a negative errno. */
int pcap_write(struct app *a, const uint8_t *frame, uint32_t len);

/* fwd's loop, and pingpong --reflect's (reflect.c). */
void reflect_loop(struct queue *q);

/* Seconds on the monotonic clock. */
double now_sec(void);

#endif /* EXAMPLES_COMMON_H */
