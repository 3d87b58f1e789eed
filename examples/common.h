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
#include <xsk.h>
#include <xsk/frames.h>

/* Which program is running: selects the options it takes. */
enum app_kind {
	APP_RX = 1 << 0,
	APP_TX = 1 << 1,
	APP_FWD = 1 << 2,
};

/* How a thread waits when its rings give it nothing to do. */
enum wait_mode {
	WAIT_BUSY, /* spin; wake the kernel only when need_wakeup asks */
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
	int cpu; /* the first queue's CPU; -1: no pinning */
	/* rx */
	bool verify;
	bool touch;
	uint32_t dump;
	uint32_t hints; /* XSK_HINT_*: ask the driver for them */
	/* tx; rx --verify checks the MAC addresses if they are given */
	uint32_t len;
	uint64_t rate; /* packets per second, all queues together; 0: no limit */
	uint8_t src_mac[6], dst_mac[6];
	bool have_src_mac, have_dst_mac;
	bool pass_prog;
};

/*
 * A queue's counters. Only its own thread writes them; the main thread reads
 * them once a second. Relaxed atomics make that well defined and cost
 * nothing on the hot path (plain loads and stores on any CPU).
 */
struct counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t bad; /* rx --verify: frames that failed the check */
};

struct app;

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
	struct hint_counts hints;
	pthread_t thread;
	int err; /* a fatal error in the loop: negative errno */
	char why[512]; /* with it: what failed, and xsk_errmsg() */
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
	int stop;
	int running; /* threads still in their loop */
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
 * Wait for the socket the way --wait says, when the rings had nothing to
 * do. @events: POLLIN to wait for received frames, POLLOUT for room to send.
 */
void queue_wait(struct queue *q, struct xsk_socket *xsk, short events);

/* The loop failed for good: record why and end the run. */
void queue_fail(struct queue *q, int err, const char *what);

/*
 * The frames tx sends and rx --verify checks: Ethernet, IPv4 198.18.0.1 to
 * 198.18.0.2 (the benchmarking range), UDP port 9 (discard) to 9, then the
 * magic "XSK1", the sending queue (be32), a sequence number (be64) at
 * FRAME_SEQ_OFF, and byte i of the frame = i mod 256 up to its end.
 */
#define FRAME_MIN_LEN 60
#define FRAME_QUEUE_OFF 46
#define FRAME_SEQ_OFF 50

/* Write a whole frame of @len bytes, sequence number 0. */
void frame_init(uint8_t *f, uint32_t len, const uint8_t src[6],
		const uint8_t dst[6], uint32_t queue);

/* Is @f a frame that frame_init() could have made (with the MACs in @o if
 * it has them)? */
bool frame_check(const uint8_t *f, uint32_t len, const struct options *o);

/* Seconds on the monotonic clock. */
double now_sec(void);

#endif /* EXAMPLES_COMMON_H */
