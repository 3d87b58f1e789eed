// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel: the integration suite.
 *
 * tests/netns.sh runs this program in one of two private network namespaces
 * it made for this run (XSK_NS, ours, and XSK_PEER_NS). Every test case gets
 * a veth pair of its own between the two, created in the case's set-up and
 * deleted in its tear-down, which cmocka runs after a failed assertion too;
 * a signal or crash is covered by netns.sh deleting both namespaces. A fresh
 * pair per case means no XDP program, XSKMAP entry, socket being released
 * or stopped queue can leak from one case into the next, and each case
 * starts from the same device state.
 *
 * Frames go from an AF_XDP TX socket on one end to an AF_XDP RX socket on
 * the other, so each case drives libxsk's TX and RX paths at once: copy-mode
 * TX on one veth end hands an skb to the other end, where the XDP program
 * (native or generic) redirects it into the XSKMAP. The peer-side sockets
 * and programs are made while this thread is in the peer namespace
 * (setns); they stay there when it returns.
 *
 * Every frame carries a private EtherType, a magic word, a stream id, a
 * sequence number and a byte pattern derived from both; the receiver checks
 * each frame's order, length and every byte, and each case accounts for
 * every frame sent: received, or counted by the kernel (xsk_socket_stats).
 * IPv6 is off in both namespaces so the stack stays quiet; any frame without
 * the magic word is still skipped, and counted as foreign.
 *
 * Each case runs over a matrix: XDP in native (driver) and generic (skb)
 * mode, need_wakeup on and off, and waiting by spinning on the rings
 * ("busy") or in poll(). Everything runs in this one thread: a kick or a
 * poll() is where the kernel moves frames through veth, and every loop is
 * bounded in frames and in seconds.
 *
 * XSK_TRAFFIC_FILTER=pattern runs only the matching cases (cmocka's filter,
 * e.g. "stream_64*"); XSK_TRAFFIC_LONG=n changes the long stream's length.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include <xsk.h>
#include <xsk/frames.h>
#include "kernutil.h"

#define ETH_P_TEST 0x88b5 /* IEEE local experimental */
#define MAGIC "LXSKTRAF"
#define OFF_MAGIC 14
#define OFF_STREAM 22
#define OFF_SEQ 26
#define OFF_DATA 30
#define MIN_LEN 60
#define BATCH 64u
#define PKT_HEADROOM 256u /* XDP_PACKET_HEADROOM */
#define NQUEUES 2

/* ------------------------------------------------------ the run's world */

static const char *ns_name[2]; /* [0] ours, [1] the peer's */
static int ns_fd[2] = { -1, -1 };
static char if_base[IF_NAMESIZE];
static unsigned int case_no;
static uint32_t long_count = 1000000;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Move this thread into side @side's namespace; sockets made there stay
 * there. */
static void enter(int side)
{
	if (setns(ns_fd[side], CLONE_NEWNET))
		fail_msg("setns(%s): %s", ns_name[side], strerror(errno));
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Turn IPv6 off in a namespace so that nothing but our frames crosses. */
static void quiet_ipv6(int side)
{
	static const char *const knobs[] = {
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
	};
	unsigned int i;
	int fd;

	enter(side);
	for (i = 0; i < 2; i++) {
		fd = open(knobs[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				fprintf(stderr, "can't write %s\n", knobs[i]);
			close(fd);
		}
	}
	enter(0);
}

/* --------------------------------------------------- the test matrix */

struct params {
	enum xsk_attach_mode mode;
	bool wakeup; /* XDP_USE_NEED_WAKEUP */
	bool poll; /* wait in poll(), not spinning */
	const char *name;
};

static const struct params matrix[] = {
	{ XSK_ATTACH_NATIVE, true, false, "native,wakeup,busy" },
	{ XSK_ATTACH_NATIVE, true, true, "native,wakeup,poll" },
	{ XSK_ATTACH_NATIVE, false, false, "native,nowakeup,busy" },
	{ XSK_ATTACH_NATIVE, false, true, "native,nowakeup,poll" },
	{ XSK_ATTACH_GENERIC, true, false, "generic,wakeup,busy" },
	{ XSK_ATTACH_GENERIC, true, true, "generic,wakeup,poll" },
	{ XSK_ATTACH_GENERIC, false, false, "generic,nowakeup,busy" },
	{ XSK_ATTACH_GENERIC, false, true, "generic,nowakeup,poll" },
};
#define NPARAMS (sizeof(matrix) / sizeof(matrix[0]))

/* ------------------------------------------------------------ one end */

/*
 * A UMEM on one side with its sockets and program. Frames are handed out
 * by two allocators over separate halves of the UMEM, one feeding the fill
 * ring(s), one for TX, so that RX can never starve TX or the other way
 * round when one UMEM does both.
 */
struct end {
	int side;
	struct xsk_umem *umem;
	struct xsk_socket *xsk[2];
	struct xsk_prog *prog;
	struct xsk_frames rxfr, txfr;
	struct xsk_umem_bounds bounds;
	uint32_t frame_size, nframes, headroom;
	bool unaligned;
};

/* One case's world: its veth pair and whatever it holds on it, released
 * by the tear-down however the case ends. */
struct env {
	const struct params *p;
	char ifname[2][IF_NAMESIZE];
	unsigned char mac[2][ETH_ALEN];
	struct end ends[4];
	unsigned int nends;
};

static int veth_setup(void **state)
{
	const struct params *p = *state;
	struct env *env = calloc(1, sizeof(*env));
	int side;

	if (!env)
		return -1;
	env->p = p;
	case_no++;
	for (side = 0; side < 2; side++) {
		snprintf(env->ifname[side], IF_NAMESIZE, "%.9sc%u%c", if_base,
			 case_no % 1000, 'a' + side);
		memcpy(env->mac[side], "\x02\x00\x5e\x00\x00", 5);
		env->mac[side][5] = (unsigned char)(0xa + side);
	}
	if (sh("ip -n %s link add %s address 02:00:5e:00:00:0a numtxqueues %d numrxqueues %d type veth peer name %s netns %s address 02:00:5e:00:00:0b numtxqueues %d numrxqueues %d && ip -n %s link set %s up && ip -n %s link set %s up",
	       ns_name[0], env->ifname[0], NQUEUES, NQUEUES, env->ifname[1],
	       ns_name[1], NQUEUES, NQUEUES, ns_name[0], env->ifname[0],
	       ns_name[1], env->ifname[1])) {
		fprintf(stderr, "creating veth %s/%s failed\n", env->ifname[0],
			env->ifname[1]);
		free(env);
		return -1;
	}
	*state = env;
	return 0;
}

static void end_close(struct end *e)
{
	if (e->prog && xsk_prog_destroy(e->prog))
		fprintf(stderr, "xsk_prog_destroy: %s\n", xsk_errmsg());
	for (int i = 2; i-- > 0;)
		if (e->xsk[i] && xsk_socket_destroy(e->xsk[i]))
			fprintf(stderr, "xsk_socket_destroy: %s\n",
				xsk_errmsg());
	if (e->umem && xsk_umem_destroy(e->umem))
		fprintf(stderr, "xsk_umem_destroy: %s\n", xsk_errmsg());
	xsk_frames_destroy(&e->rxfr);
	xsk_frames_destroy(&e->txfr);
	memset(e, 0, sizeof(*e));
}

static int veth_teardown(void **state)
{
	struct env *env = *state;
	unsigned int i;
	int err;

	/* A failed assertion may have left us in the peer's namespace. */
	setns(ns_fd[0], CLONE_NEWNET);
	for (i = 0; i < env->nends; i++)
		end_close(&env->ends[i]);
	/* Deleting one end of a veth pair deletes both. */
	err = sh("ip -n %s link del %s", ns_name[0], env->ifname[0]);
	free(env);
	return err ? -1 : 0;
}

static struct end *end_new(struct env *env, int side)
{
	assert_true(env->nends < 4);
	env->ends[env->nends].side = side;
	return &env->ends[env->nends++];
}

/*
 * A UMEM of @nframes chunks of @frame_size on @side: the lower half of the
 * frames for the fill ring, the upper half for TX.
 */
static void end_umem(struct end *e, uint32_t frame_size, uint32_t nframes,
		     uint32_t headroom, uint32_t flags, uint32_t ring)
{
	struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts,
					  .frame_size = frame_size,
					  .nframes = nframes, .fill_size = ring,
					  .comp_size = ring,
					  .headroom = headroom, .flags = flags);
	uint32_t fflags = XSK_FRAMES_DEBUG, half = nframes / 2;
	int err;

	/* The UMEM's socket is the first socket: it binds in the namespace
	 * it was made in. */
	enter(e->side);
	err = xsk_umem_create(&e->umem, &o);
	enter(0);
	if (err)
		fail_msg("xsk_umem_create: %s", xsk_errmsg());
	e->frame_size = frame_size;
	e->nframes = nframes;
	e->headroom = headroom;
	e->unaligned = flags & XSK_UMEM_UNALIGNED;
	if (e->unaligned)
		fflags |= XSK_FRAMES_UNALIGNED;
	assert_int_equal(xsk_frames_init(&e->rxfr, 0, frame_size, half, fflags),
			 0);
	/* TX takes the allocator's bulk path, as applications run it; RX
	 * frees go through the debug checks (double or foreign frees). */
	assert_int_equal(xsk_frames_init(&e->txfr, (uint64_t)half * frame_size,
					 frame_size, nframes - half,
					 fflags & ~XSK_FRAMES_DEBUG),
			 0);
	e->bounds.area = xsk_umem_area(e->umem);
	e->bounds.size = xsk_umem_size(e->umem);
	e->bounds.chunk_size = frame_size;
	e->bounds.unaligned = e->unaligned;
}

struct sock_cfg {
	uint32_t queue;
	uint32_t flags; /* XSK_SOCKET_* */
	uint32_t rx_size, tx_size;
	uint32_t bind_wait_ms;
};

static struct xsk_socket *end_socket(struct env *env, struct end *e,
				     unsigned int slot,
				     const struct sock_cfg *c)
{
	struct xsk_socket_opts o = XSK_OPTS(
		xsk_socket_opts, .ifname = env->ifname[e->side],
		.queue_id = c->queue, .rx_size = c->rx_size,
		.tx_size = c->tx_size, .flags = c->flags,
		.bind_wait_ms = c->bind_wait_ms ? c->bind_wait_ms : 1000);
	struct xsk_socket *s;
	int err, budget;

	if (!env->p->wakeup)
		o.flags |= XSK_SOCKET_NO_NEED_WAKEUP;
	enter(e->side);
	err = xsk_socket_create(&s, e->umem, &o);
	enter(0);
	if (err)
		fail_msg("xsk_socket_create(%s queue %u): %s",
			 env->ifname[e->side], c->queue, xsk_errmsg());
	e->xsk[slot] = s;
	if (xsk_socket_tx(s)) {
		/* Fewer kicks in copy mode (Linux 6.17); the default of 32
		 * is fine where the kernel can't. */
		budget = (int)xsk_socket_tx(s)->size;
		err = xsk_socket_set_tx_budget(s, budget < 256 ? 32 : 256);
		if (err && err != -EOPNOTSUPP)
			fail_msg("xsk_socket_set_tx_budget: %s", xsk_errmsg());
	}
	return s;
}

/* The built-in program (or @o's) on @e's interface, in the case's mode. */
static void end_prog(struct env *env, struct end *e, struct xsk_prog_opts *o)
{
	struct xsk_prog_opts def = XSK_OPTS(xsk_prog_opts);
	int err;

	if (!o)
		o = &def;
	o->mode = env->p->mode;
	enter(e->side);
	err = xsk_prog_attach(&e->prog, env->ifname[e->side], 0, o);
	enter(0);
	if (err)
		fail_msg("xsk_prog_attach(%s): %s", env->ifname[e->side],
			 xsk_errmsg());
	assert_int_equal(xsk_prog_mode(e->prog), env->p->mode);
}

/* Put the RX sockets' frames on their fill rings. */
static void end_fill(struct end *e, struct xsk_socket *s, uint32_t max)
{
	uint32_t n;

	while (max && (n = xsk_frames_fill(&e->rxfr, xsk_socket_fill(s), max)))
		max -= n;
}

/* --------------------------------------------------------- the frames */

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The pattern's byte at @i: depends on the stream, the sequence number and
 * the position, so that a frame of another stream, another sequence number
 * or a shifted copy does not match. */
static unsigned char pattern(uint32_t stream, uint32_t seq, uint32_t i)
{
	return (unsigned char)(seq * 7 + stream * 13 + i);
}

static void make_frame(unsigned char *f, const struct env *env, int to,
		       uint32_t stream, uint32_t seq, uint32_t len)
{
	memcpy(f, env->mac[to], ETH_ALEN);
	memcpy(f + ETH_ALEN, env->mac[!to], ETH_ALEN);
	f[12] = ETH_P_TEST >> 8;
	f[13] = ETH_P_TEST & 0xff;
	memcpy(f + OFF_MAGIC, MAGIC, 8);
	put_be32(f + OFF_STREAM, stream);
	put_be32(f + OFF_SEQ, seq);
	for (uint32_t i = OFF_DATA; i < len; i++)
		f[i] = pattern(stream, seq, i);
}

/* Is this one of ours? */
static bool ours(const unsigned char *f, uint32_t len)
{
	return len >= OFF_DATA && f[12] == ETH_P_TEST >> 8 &&
	       f[13] == (ETH_P_TEST & 0xff) && !memcmp(f + OFF_MAGIC, MAGIC, 8);
}

/* What is wrong with frame @seq of @stream, or NULL. */
static const char *bad_frame(const unsigned char *f, uint32_t len,
			     const struct env *env, int to, uint32_t stream,
			     uint32_t want_len)
{
	uint32_t seq = get_be32(f + OFF_SEQ);

	if (get_be32(f + OFF_STREAM) != stream)
		return "frame of another stream";
	if (len != want_len)
		return "wrong length";
	if (memcmp(f, env->mac[to], ETH_ALEN) ||
	    memcmp(f + ETH_ALEN, env->mac[!to], ETH_ALEN))
		return "wrong MAC addresses";
	for (uint32_t i = OFF_DATA; i < len; i++)
		if (f[i] != pattern(stream, seq, i))
			return "payload differs from the pattern";
	return NULL;
}

/* ------------------------------------------------------------ traffic */

/*
 * A lane is one stream from a TX socket to one or two RX sockets. Several
 * lanes run at once in lanes_run(): bidirectional traffic is two lanes,
 * two queues are two lanes.
 */
struct rx_side {
	struct end *e;
	struct xsk_socket *xsk;
	uint32_t next; /* the sequence number due next */
	uint32_t stride; /* 1; 2 when a program splits odd from even */
	const uint32_t *expect; /* or: exactly these, in this order */
	uint32_t nexpect;
	bool any_start; /* the first frame may be any (a slot switch) */
	bool canary; /* check the headroom canary (headroom case) */
	uint64_t got;
	uint32_t first, last;
};

struct lane {
	const char *what;
	const struct env *env;
	struct end *txe;
	struct xsk_socket *tx;
	int to; /* the receiving side, for the MAC addresses */
	struct rx_side rx[2];
	unsigned int nrx;
	uint32_t stream, count;
	uint32_t len; /* frame length; 0: 60 to 124 bytes by sequence */
	uint32_t big_len; /* if set, odd frames have this length */
	uint32_t (*len_of)(uint32_t seq); /* if set, the length of each */
	uint32_t window; /* frames in flight at most; 0: no limit */
	bool hold; /* receive only after everything was sent */
	bool no_refill; /* don't give received frames back to the fill ring */
	bool shares_txfr; /* another lane, drained later, uses the same frames */
	/* switch the XSKMAP slot to rx[1] once this many frames are sent */
	uint32_t switch_at;
	struct xsk_prog *switch_prog;
	/* results */
	uint64_t sent, completed, received, foreign, tx_busy;
	bool switched;
};

static uint32_t lane_len(const struct lane *l, uint32_t seq)
{
	if (l->len_of)
		return l->len_of(seq);
	if (l->big_len && seq % 2)
		return l->big_len;
	return l->len ? l->len : MIN_LEN + seq % 65;
}

/* Descriptors on the TX ring that the kernel has not taken yet. */
static uint32_t tx_pending(const struct xsk_ring_prod *tx)
{
	/* Pairs with the kernel's store-release of ->consumer. */
	return *tx->producer - __atomic_load_n(tx->consumer, __ATOMIC_ACQUIRE);
}

#define CANARY 0xa5

static void check_rx(struct lane *l, struct rx_side *r,
		     const struct xdp_desc *d, const unsigned char *f)
{
	uint32_t seq = get_be32(f + OFF_SEQ), i;
	const unsigned char *chunk;
	const char *why;
	uint64_t addr, off;

	if (r->expect) {
		if (r->got >= r->nexpect)
			fail_msg("%s: frame %u arrived, but only %u were due",
				 l->what, seq, r->nexpect);
		r->next = r->expect[r->got];
	} else if (r->any_start && !r->got) {
		r->next = seq;
	}
	if (get_be32(f + OFF_STREAM) != l->stream)
		fail_msg(
			"%s: frame %u of stream %u arrived on a socket of stream %u",
			l->what, seq, get_be32(f + OFF_STREAM), l->stream);
	if (seq != r->next)
		fail_msg("%s: frame %u arrived, %u was due (after %llu frames)",
			 l->what, seq, r->next, (unsigned long long)r->got);
	why = bad_frame(f, d->len, l->env, l->to, l->stream, lane_len(l, seq));
	if (why)
		fail_msg("%s: frame %u (%u bytes): %s", l->what, seq, d->len,
			 why);
	/* In copy mode the data starts after the UMEM's headroom and the
	 * kernel's own XDP_PACKET_HEADROOM. */
	addr = r->e->unaligned ? xsk_umem__add_offset_to_addr(d->addr) :
				 d->addr;
	off = addr % r->e->frame_size;
	if (off != r->e->headroom + PKT_HEADROOM)
		fail_msg(
			"%s: frame %u at offset %llu in its chunk, expected %u (headroom %u + %u)",
			l->what, seq, (unsigned long long)off,
			r->e->headroom + PKT_HEADROOM, r->e->headroom,
			PKT_HEADROOM);
	if (r->canary) {
		chunk = (const unsigned char *)r->e->bounds.area + addr - off;
		for (i = 0; i < r->e->headroom; i++)
			if (chunk[i] != CANARY)
				fail_msg(
					"%s: frame %u: headroom byte %u overwritten",
					l->what, seq, i);
	}
	if (!r->got)
		r->first = seq;
	r->last = seq;
	r->got++;
	r->next = seq + r->stride;
}

/* Take what an RX ring holds, check it, give the frames back. */
static uint32_t rx_take(struct lane *l, struct rx_side *r)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(r->xsk);
	const struct xdp_desc *d;
	const unsigned char *f;
	uint32_t n, i, idx = 0;
	int err;

	n = xsk_ring_cons__peek(rx, BATCH, &idx);
	for (i = 0; i < n; i++) {
		d = xsk_ring_cons__rx_desc(rx, idx + i);
		f = xsk_umem__get_data_checked(&r->e->bounds, d->addr, d->len,
					       &err);
		if (!f)
			fail_msg(
				"%s: the kernel gave descriptor addr 0x%llx len %u: %s",
				l->what, (unsigned long long)d->addr, d->len,
				xsk_desc_strerror(err));
		if (ours(f, d->len))
			check_rx(l, r, d, f);
		else
			l->foreign++;
		err = xsk_frames_free(&r->e->rxfr, d->addr);
		if (err)
			fail_msg(
				"%s: the kernel returned frame 0x%llx twice or from elsewhere (%d)",
				l->what, (unsigned long long)d->addr, err);
	}
	xsk_ring_cons__release(rx, n);
	return n;
}

/* Put what the window, the ring and the frames allow on the TX ring. */
static uint32_t tx_put(struct lane *l)
{
	struct xsk_ring_prod *tx = xsk_socket_tx(l->tx);
	uint64_t inflight = l->sent - l->received;
	uint32_t n = l->count - (uint32_t)l->sent, i, idx = 0, seq, len;
	struct xdp_desc *d;
	uint64_t addr;

	if (n > BATCH)
		n = BATCH;
	if (l->window && n > l->window - inflight)
		n = l->window > inflight ? l->window - (uint32_t)inflight : 0;
	if (n > xsk_frames_nfree(&l->txe->txfr))
		n = xsk_frames_nfree(&l->txe->txfr);
	if (!n || !xsk_ring_prod__reserve(tx, n, &idx))
		return 0;
	for (i = 0; i < n; i++) {
		seq = (uint32_t)l->sent + i;
		len = lane_len(l, seq);
		addr = xsk_frames_alloc(&l->txe->txfr);
		make_frame(xsk_umem__get_data(l->txe->bounds.area, addr),
			   l->env, l->to, l->stream, seq, len);
		d = xsk_ring_prod__tx_desc(tx, idx + i);
		d->addr = addr;
		d->len = len;
		d->options = 0;
	}
	xsk_ring_prod__submit(tx, n);
	l->sent += n;
	return n;
}

/* Kick the TX socket if the kernel has descriptors to take. Copy mode
 * reports a frame the device dropped as EBUSY, once per frame. */
static void tx_kick(struct lane *l)
{
	int err;

	if (!tx_pending(xsk_socket_tx(l->tx)))
		return;
	err = xsk_socket_kick_tx(l->tx);
	if (err == -EBUSY)
		l->tx_busy++;
	else if (err && err != -EAGAIN)
		fail_msg("%s: xsk_socket_kick_tx: %s", l->what, xsk_errmsg());
}

static bool lane_done(const struct lane *l)
{
	return l->received >= l->count;
}

/*
 * Run lanes until every frame arrived or, with @quiet, until everything is
 * sent and nothing happened for that long (frames dropped on purpose), or
 * until @seconds pass. Returns whether all arrived.
 */
static bool lanes_run(const struct env *env, struct lane *ls, unsigned int nl,
		      double seconds, double quiet)
{
	double start = now(), last = start, t;
	bool all, progress, sending, held;
	unsigned int i, j;
	struct lane *l;
	uint32_t n;

	for (;;) {
		progress = false;
		sending = false;
		held = false;
		all = true;
		for (i = 0; i < nl; i++) {
			l = &ls[i];
			n = xsk_frames_complete(&l->txe->txfr,
						xsk_socket_comp(l->tx), 256);
			l->completed += n;
			progress |= n;
			if (l->sent < l->count) {
				n = tx_put(l);
				progress |= n;
				sending = true;
			}
			tx_kick(l);
			if (l->switch_at && !l->switched &&
			    l->sent >= l->switch_at) {
				assert_int_equal(
					xsk_prog_add_socket(l->switch_prog,
							    l->rx[1].xsk),
					0);
				l->switched = true;
			}
			if (l->hold && (l->sent < l->count ||
					tx_pending(xsk_socket_tx(l->tx)) ||
					now() - last < quiet)) {
				all = false;
				held = true;
				continue;
			}
			for (j = 0; j < l->nrx; j++) {
				n = rx_take(l, &l->rx[j]);
				l->received = 0;
				progress |= n;
				if (!l->no_refill)
					end_fill(l->rx[j].e, l->rx[j].xsk, n);
			}
			for (j = 0; j < l->nrx; j++)
				l->received += l->rx[j].got;
			all &= lane_done(l);
		}
		t = now();
		if (all)
			return true;
		if (progress)
			last = t;
		else if (quiet && !sending && !held && t - last >= quiet)
			return false;
		if (t - start > seconds)
			return false;
		if (progress)
			continue;
		/* Nothing moved: wait for the kernel. */
		for (i = 0; i < nl; i++)
			for (j = 0; j < ls[i].nrx; j++) {
				if (env->p->poll)
					xsk_socket_poll(ls[i].rx[j].xsk, POLLIN,
							j || i ? 0 : 10);
				else
					assert_int_equal(
						xsk_socket_wake_rx(
							ls[i].rx[j].xsk),
						0);
			}
	}
}

static void read_stats(struct xsk_socket *s, struct xsk_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	assert_int_equal(xsk_socket_stats(s, st), 0);
	assert_true(st->flags & XSK_STATS_V2);
}

static void report(const struct lane *l, const char *extra)
{
	printf("    %-28s sent %llu, received %llu, completed %llu, foreign %llu%s%s\n",
	       l->what, (unsigned long long)l->sent,
	       (unsigned long long)l->received,
	       (unsigned long long)l->completed, (unsigned long long)l->foreign,
	       extra ? ", " : "", extra ? extra : "");
	fflush(stdout);
}

/* Every frame sent arrived, and every TX frame came back: nothing dropped,
 * by the kernel or the device. */
static void assert_lossless(const struct lane *l, bool ok)
{
	struct xsk_stats st;
	unsigned int j;

	read_stats(l->tx, &st);
	for (j = 0; j < l->nrx; j++) {
		struct xsk_stats rs;

		read_stats(l->rx[j].xsk, &rs);
		if (rs.rx_dropped || rs.rx_ring_full || rs.rx_invalid_descs)
			fail_msg(
				"%s: rx socket %u counted drops: rx_dropped %llu rx_ring_full %llu rx_invalid_descs %llu",
				l->what, j, (unsigned long long)rs.rx_dropped,
				(unsigned long long)rs.rx_ring_full,
				(unsigned long long)rs.rx_invalid_descs);
	}
	if (!ok || l->received != l->count || l->tx_busy || st.tx_invalid_descs)
		fail_msg(
			"%s: sent %llu of %u, received %llu (tx_busy %llu, tx_invalid_descs %llu): %llu unaccounted",
			l->what, (unsigned long long)l->sent, l->count,
			(unsigned long long)l->received,
			(unsigned long long)l->tx_busy,
			(unsigned long long)st.tx_invalid_descs,
			(unsigned long long)(l->sent - l->received));
}

/* --------------------------------------------------------- set-ups */

/* The common shape: a TX socket on the peer's side, an RX socket with the
 * program on ours. */
struct pair {
	struct end *rx, *tx;
};

struct pair_cfg {
	uint32_t frame_size; /* default 4096 */
	uint32_t nframes; /* default 4096 */
	uint32_t headroom;
	uint32_t rx_flags; /* XSK_UMEM_* for the receiving UMEM */
	uint32_t rx_ring, fill_ring;
	uint32_t tx_comp_ring; /* the sender's completion ring; default 2048 */
};

static struct pair pair_up(struct env *env, const struct pair_cfg *c)
{
	struct pair_cfg d = { 0 };
	uint32_t fs, nf;
	struct pair p;

	if (!c)
		c = &d;
	fs = c->frame_size ? c->frame_size : 4096;
	nf = c->nframes ? c->nframes : 4096;
	p.rx = end_new(env, 0);
	p.tx = end_new(env, 1);
	end_umem(p.rx, fs, nf, c->headroom, c->rx_flags,
		 c->fill_ring ? c->fill_ring : 2048);
	end_umem(p.tx, fs, nf, 0, c->rx_flags,
		 c->tx_comp_ring ? c->tx_comp_ring : 2048);
	end_socket(env, p.rx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX,
				       .rx_size = c->rx_ring });
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX });
	end_prog(env, p.rx, NULL);
	assert_int_equal(xsk_prog_add_socket(p.rx->prog, p.rx->xsk[0]), 0);
	return p;
}

static struct lane lane_of(const struct env *env, struct pair *p,
			   const char *what, uint32_t count, uint32_t len)
{
	struct lane l;

	memset(&l, 0, sizeof(l));
	l.what = what;
	l.env = env;
	l.txe = p->tx;
	l.tx = p->tx->xsk[0];
	l.to = p->rx->side;
	l.rx[0].e = p->rx;
	l.rx[0].xsk = p->rx->xsk[0];
	l.rx[0].stride = 1;
	l.nrx = 1;
	l.stream = case_no;
	l.count = count;
	l.len = len;
	l.window = 256;
	return l;
}

/* Take the last completions: every valid frame sent comes back. */
static void drain_comp(struct lane *l, uint64_t want)
{
	double end = now() + 2;

	while (l->completed < want && now() < end) {
		tx_kick(l);
		l->completed += xsk_frames_complete(
			&l->txe->txfr, xsk_socket_comp(l->tx), 256);
	}
	if (l->completed != want)
		fail_msg("%s: %llu frames sent, %llu completed, %llu expected",
			 l->what, (unsigned long long)l->sent,
			 (unsigned long long)l->completed,
			 (unsigned long long)want);
	/* every TX frame came back (once the last lane using them is done) */
	if (!l->shares_txfr &&
	    xsk_frames_nfree(&l->txe->txfr) != l->txe->txfr.nframes)
		fail_msg("%s: %u of %u TX frames came back", l->what,
			 xsk_frames_nfree(&l->txe->txfr), l->txe->txfr.nframes);
}

/* ------------------------------------------------------------- cases */

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
	double t = now();
	bool ok;

	end_fill(p.rx, p.rx->xsk[0], UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10 + count / 20000.0, 0);
	t = now() - t;
	assert_lossless(&l, ok);
	drain_comp(&l, l.sent);
	{
		char extra[64];

		snprintf(extra, sizeof(extra), "%.2f s, %.0f frames/s", t,
			 l.received / t);
		report(&l, extra);
	}
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
	t = now();
	ret = xsk_socket_poll(rx, POLLIN, 100);
	t = now() - t;
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
	p.tx->side = 1;
	end_umem(p.tx, 4096, 4096, 0, 0, 2048);
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX,
				       .tx_size = 64 });
	tx = xsk_socket_tx(p.tx->xsk[0]);
	l = lane_of(env, &p, "poll", 20000, 0);
	l.window = 0;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	end = now() + 20;
	while (l.received < l.count && now() < end) {
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
		memset((char *)p.rx->bounds.area + (size_t)i * 4096, CANARY,
		       room);
	l.rx[0].canary = true;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10, 0);
	report(&l, "data at offset 1024 + 256 in every chunk");
	assert_lossless(&l, ok);
	drain_comp(&l, l.sent);
}

/* One socket with RX and TX on each end: one way, the other way, both. */
static void bidirectional(void **state)
{
	struct env *env = *state;
	struct sock_cfg sc = { 0 };
	struct end *a = end_new(env, 0), *b = end_new(env, 1);
	struct lane ab, ba, both[2];
	bool ok;

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
	ok = lanes_run(env, &ab, 1, 10, 0);
	report(&ab, NULL);
	assert_lossless(&ab, ok);
	drain_comp(&ab, ab.sent);

	ba.what = "B to A (swapped)";
	ba.stream = 2;
	ok = lanes_run(env, &ba, 1, 10, 0);
	report(&ba, NULL);
	assert_lossless(&ba, ok);
	drain_comp(&ba, ba.sent);

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
	ok = lanes_run(env, both, 2, 10, 0);
	report(&both[0], NULL);
	report(&both[1], NULL);
	assert_lossless(&both[0], ok);
	assert_lossless(&both[1], ok);
	drain_comp(&both[0], both[0].sent);
	drain_comp(&both[1], both[1].sent);
}

/* The TX descriptor matrix: which descriptors the kernel refuses. */
struct desc_case {
	const char *what;
	uint64_t addr;
	uint32_t len;
	bool valid_aligned, valid_unaligned;
};

#define TXM_FRAMES 64u
#define TXM_SIZE ((uint64_t)TXM_FRAMES * 4096)

static const struct desc_case desc_cases[] = {
	{ "first chunk", 0, 64, true, true },
	{ "middle of a chunk", 4 * 4096 + 100, 100, true, true },
	{ "end of a chunk", 6 * 4096 - 64, 64, true, true },
	{ "crosses a chunk", 8 * 4096 - 32, 64, false, true },
	{ "last bytes of the UMEM", TXM_SIZE - 64, 64, true, true },
	{ "straddles the UMEM end", TXM_SIZE - 32, 64, false, false },
	{ "at the UMEM end", TXM_SIZE, 64, false, false },
	{ "beyond the UMEM end", TXM_SIZE + 8192, 64, false, false },
	{ "straddles the UMEM start", (uint64_t)-32, 64, false, false },
	{ "longer than a chunk", 10 * 4096, 4097, false, false },
	{ "offset in the top bits", 12 * 4096 | 100ull << 48, 64, false, true },
	{ "full MTU frame", 14 * 4096, 1514, true, true },
	{ "short frame", 16 * 4096, 60, true, true },
};
#define NDESC (sizeof(desc_cases) / sizeof(desc_cases[0]))

static uint32_t desc_len(uint32_t seq)
{
	return desc_cases[seq].len;
}

static void tx_desc_matrix(void **state, bool unaligned)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	uint32_t expect[NDESC], nvalid = 0, ncomp = 0, i, idx = 0;
	uint64_t valid_addr[NDESC], addr;
	struct xsk_ring_prod *tx;
	struct xsk_ring_cons *comp;
	struct xsk_stats st;
	struct lane l;
	double end;
	char extra[128];
	bool valid, all_back = true, valid_back = true;

	end_close(p.tx);
	p.tx->side = 1;
	end_umem(p.tx, 4096, TXM_FRAMES, 0, unaligned ? XSK_UMEM_UNALIGNED : 0,
		 64);
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX });
	tx = xsk_socket_tx(p.tx->xsk[0]);
	comp = xsk_socket_comp(p.tx->xsk[0]);
	l = lane_of(env, &p,
		    unaligned ? "unaligned descriptors" : "aligned descriptors",
		    NDESC, 0);
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);

	assert_int_equal(xsk_ring_prod__reserve(tx, NDESC, &idx), NDESC);
	for (i = 0; i < NDESC; i++) {
		const struct desc_case *c = &desc_cases[i];
		struct xdp_desc *d = xsk_ring_prod__tx_desc(tx, idx + i);

		valid = unaligned ? c->valid_unaligned : c->valid_aligned;
		/* the library's own check agrees with the table */
		if ((xsk_umem__check_desc(&p.tx->bounds, c->addr, c->len) ==
		     XSK_DESC_OK) != valid)
			fail_msg("xsk_umem__check_desc disagrees on \"%s\"",
				 c->what);
		if (valid) {
			addr = unaligned ?
				       xsk_umem__add_offset_to_addr(c->addr) :
				       c->addr;
			make_frame(xsk_umem__get_data(p.tx->bounds.area, addr),
				   env, 0, l.stream, i, c->len);
			expect[nvalid] = i;
			valid_addr[nvalid++] = c->addr;
		}
		d->addr = c->addr;
		d->len = c->len;
		d->options = 0;
	}
	xsk_ring_prod__submit(tx, NDESC);
	l.sent = NDESC;
	l.rx[0].expect = expect;
	l.rx[0].nexpect = nvalid;
	l.len_of = desc_len;

	/*
	 * Valid descriptors complete in order. Invalid ones are skipped and
	 * counted; Linux 6.18 also hands them back on the completion ring, in
	 * their place, so that the application gets its frame back, where
	 * older kernels just drop them. Either is fine; a mix is not.
	 */
	end = now() + 5;
	while ((tx_pending(tx) || ncomp < nvalid) && now() < end) {
		tx_kick(&l);
		i = xsk_ring_cons__peek(comp, NDESC, &idx);
		for (uint32_t k = 0; k < i; k++, ncomp++) {
			addr = *xsk_ring_cons__comp_addr(comp, idx + k);
			if (ncomp >= NDESC)
				fail_msg("more completions than descriptors");
			all_back &= addr == desc_cases[ncomp].addr;
			valid_back &= ncomp < nvalid &&
				      addr == valid_addr[ncomp];
		}
		xsk_ring_cons__release(comp, i);
		rx_take(&l, &l.rx[0]);
	}
	/* a moment for late completions of invalid ones */
	end = now() + 0.05;
	while (now() < end) {
		i = xsk_ring_cons__peek(comp, NDESC, &idx);
		for (uint32_t k = 0; k < i; k++, ncomp++) {
			addr = *xsk_ring_cons__comp_addr(comp, idx + k);
			all_back &= ncomp < NDESC &&
				    addr == desc_cases[ncomp].addr;
			valid_back = false;
		}
		xsk_ring_cons__release(comp, i);
	}
	end = now() + 2;
	while (l.rx[0].got < nvalid && now() < end)
		rx_take(&l, &l.rx[0]);
	l.received = l.rx[0].got;
	l.completed = ncomp;
	read_stats(l.tx, &st);
	snprintf(extra, sizeof(extra),
		 "valid %u, tx_invalid_descs %llu; completed: %s", nvalid,
		 (unsigned long long)st.tx_invalid_descs,
		 all_back && ncomp == NDESC    ? "all, invalid ones too" :
		 valid_back && ncomp == nvalid ? "the valid ones" :
						 "wrong ones");
	report(&l, extra);
	if (!(all_back && ncomp == NDESC) && !(valid_back && ncomp == nvalid))
		fail_msg(
			"%u completions, neither the valid descriptors nor all, in order",
			ncomp);
	assert_int_equal(l.received, nvalid);
	assert_int_equal(st.tx_invalid_descs, NDESC - nvalid);
	assert_int_equal(l.received + st.tx_invalid_descs, l.sent);
}

static void tx_invalid_aligned(void **state)
{
	tx_desc_matrix(state, false);
}

static void tx_invalid_unaligned(void **state)
{
	tx_desc_matrix(state, true);
}

/* Frames too big for the chunk after its headroom: rx_dropped. */
static void stat_rx_dropped(void **state)
{
	struct env *env = *state;
	/* 2048 - 1024 - 256 = 768 bytes fit: 64-byte frames do, 1000 not */
	struct pair p = pair_up(env, &(struct pair_cfg){ .frame_size = 2048,
							 .headroom = 1024 });
	struct lane l = lane_of(env, &p, "rx_dropped", 1000, 64);
	static uint32_t expect[500];
	struct xsk_stats st;
	char extra[96];

	for (uint32_t i = 0; i < 500; i++)
		expect[i] = 2 * i;
	l.big_len = 1000;
	l.window = 0;
	l.rx[0].expect = expect;
	l.rx[0].nexpect = 500;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	lanes_run(env, &l, 1, 10, 0.2);
	drain_comp(&l, l.sent);
	read_stats(l.rx[0].xsk, &st);
	snprintf(extra, sizeof(extra), "rx_dropped %llu (the 1000-byte ones)",
		 (unsigned long long)st.rx_dropped);
	report(&l, extra);
	assert_int_equal(l.sent, 1000);
	assert_int_equal(l.received, 500);
	assert_int_equal(st.rx_dropped, 500);
	assert_int_equal(st.rx_ring_full + st.rx_fill_ring_empty_descs, 0);
}

/* A small RX ring nobody reads: rx_ring_full. Twice: the second round
 * shows that the consumer index we published after the first lets the
 * kernel fill exactly the ring again, no slot more or less. */
static void stat_rx_ring_full(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, &(struct pair_cfg){ .rx_ring = 64 });
	struct lane l = lane_of(env, &p, "rx_ring_full", 300, 64);
	struct xsk_stats st;
	char extra[96];
	int round;

	l.window = 0;
	l.hold = true;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	for (round = 1; round <= 2; round++) {
		static uint32_t expect[64];

		/* the second round's first 64 arrive */
		for (uint32_t i = 0; i < 64; i++)
			expect[i] = (uint32_t)(round - 1) * 300 + i;
		l.rx[0].expect = expect;
		l.rx[0].nexpect = 64;
		l.rx[0].got = 0;
		l.received = 0;
		l.count = (uint32_t)round * 300;
		lanes_run(env, &l, 1, 10, 0.2);
		drain_comp(&l, l.sent);
		read_stats(l.rx[0].xsk, &st);
		snprintf(extra, sizeof(extra), "round %d: rx_ring_full %llu",
			 round, (unsigned long long)st.rx_ring_full);
		report(&l, extra);
		assert_int_equal(l.sent, (uint64_t)round * 300);
		assert_int_equal(l.received, 64);
		assert_int_equal(st.rx_ring_full, (uint64_t)round * (300 - 64));
		assert_int_equal(st.rx_dropped, 0);
	}
}

/* A fill ring with 32 frames, never refilled: rx_fill_ring_empty_descs. */
static void stat_fill_empty(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct lane l = lane_of(env, &p, "rx_fill_ring_empty", 100, 64);
	struct xsk_stats st;
	char extra[128];

	l.window = 0;
	l.no_refill = true;
	end_fill(p.rx, l.rx[0].xsk, 32);
	lanes_run(env, &l, 1, 10, 0.2);
	drain_comp(&l, l.sent);
	read_stats(l.rx[0].xsk, &st);
	snprintf(extra, sizeof(extra),
		 "rx_fill_ring_empty_descs %llu, rx_dropped %llu",
		 (unsigned long long)st.rx_fill_ring_empty_descs,
		 (unsigned long long)st.rx_dropped);
	report(&l, extra);
	assert_int_equal(l.sent, 100);
	assert_int_equal(l.received, 32);
	assert_int_equal(l.rx[0].last, 31);
	/* each frame that found the fill ring empty counts in both */
	assert_int_equal(st.rx_fill_ring_empty_descs, 100 - 32);
	assert_int_equal(st.rx_dropped, 100 - 32);
	assert_int_equal(st.rx_ring_full, 0);
}

/* The queue's XSKMAP slot moves from one socket to another mid-stream:
 * the first gets a prefix of the stream, the second the rest. */
static void xskmap_switch(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct lane l = lane_of(env, &p, "slot switch", 20000, 0);
	struct rx_side *r0 = &l.rx[0], *r1 = &l.rx[1];
	char extra[96];
	bool ok;

	/* a second socket on the same queue shares the UMEM and its fill
	 * ring */
	end_socket(env, p.rx, 1,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX });
	*r1 = (struct rx_side){
		.e = p.rx, .xsk = p.rx->xsk[1], .stride = 1, .any_start = true
	};
	l.nrx = 2;
	l.switch_at = l.count / 2;
	l.switch_prog = p.rx->prog;
	end_fill(p.rx, r0->xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10, 0);
	snprintf(extra, sizeof(extra),
		 "first socket %llu (0-%u), second %llu (%u-%u)",
		 (unsigned long long)r0->got, r0->last,
		 (unsigned long long)r1->got, r1->first, r1->last);
	report(&l, extra);
	assert_lossless(&l, ok);
	assert_true(r0->got > 0 && r1->got > 0);
	assert_int_equal(r0->first, 0);
	assert_int_equal(r1->first, r0->last + 1);
	assert_int_equal(r1->last, l.count - 1);
	drain_comp(&l, l.sent);
}

/* An XDP program that sends even frames of ours to XSKMAP key 0 and odd
 * ones to key 1, everything else to the stack. */
static int split_prog(int map_fd, char *log, size_t log_size)
{
#define INSN(c, d, s, o, i)                 \
	((struct bpf_insn){ .code = (c),    \
			    .dst_reg = (d), \
			    .src_reg = (s), \
			    .off = (o),     \
			    .imm = (i) })
	const struct bpf_insn insns[] = {
		/* r2 = data, r3 = data_end */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 4, 0),
		/* too short for our header: pass */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, OFF_DATA),
		INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 10, 0),
		/* not our EtherType (loaded little-endian): pass */
		INSN(BPF_LDX | BPF_MEM | BPF_H, 4, 2, 12, 0),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 8,
		     (ETH_P_TEST & 0xff) << 8 | ETH_P_TEST >> 8),
		/* key = the sequence number's lowest bit */
		INSN(BPF_LDX | BPF_MEM | BPF_B, 4, 2, OFF_SEQ + 3, 0),
		INSN(BPF_ALU64 | BPF_AND | BPF_K, 4, 0, 0, 1),
		INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0,
		     map_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 4, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		/* pass: */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
#undef INSN
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	a.license = (uintptr_t) "MIT";
	a.log_buf = (uintptr_t)log;
	a.log_size = (uint32_t)log_size;
	a.log_level = 1;
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

static int xskmap_create(uint32_t n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_XSKMAP;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = n;
	return (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

/* Two sockets on one queue, sharing the UMEM and its fill ring; our own
 * program splits the queue's frames between them. */
static void shared_umem_one_queue(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct lane l = lane_of(env, &p, "shared UMEM, one queue", 20000, 0);
	static char log[4096];
	struct xsk_prog_opts o;
	struct xsk_prog *split;
	char extra[96];
	int map, prog;
	bool ok;

	end_socket(env, p.rx, 1,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX });
	/* replace the built-in program with ours */
	assert_int_equal(xsk_prog_destroy(p.rx->prog), 0);
	p.rx->prog = NULL;
	map = xskmap_create(2);
	assert_true(map >= 0);
	prog = split_prog(map, log, sizeof(log));
	if (prog < 0)
		fail_msg("loading the split program: %s\n%s", strerror(errno),
			 log);
	o = XSK_OPTS(xsk_prog_opts,
		     .flags = XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP,
		     .prog_fd = prog, .map_fd = map);
	end_prog(env, p.rx, &o);
	/* the handle holds its own references */
	close(prog);
	close(map);
	split = p.rx->prog;
	assert_int_equal(
		xsk_prog_set_queue(split, 0, xsk_socket_fd(p.rx->xsk[0])), 0);
	assert_int_equal(
		xsk_prog_set_queue(split, 1, xsk_socket_fd(p.rx->xsk[1])), 0);
	l.rx[0].stride = 2;
	l.rx[1] = (struct rx_side){
		.e = p.rx, .xsk = p.rx->xsk[1], .next = 1, .stride = 2
	};
	l.nrx = 2;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10, 0);
	snprintf(extra, sizeof(extra), "even to socket 0: %llu, odd to 1: %llu",
		 (unsigned long long)l.rx[0].got,
		 (unsigned long long)l.rx[1].got);
	report(&l, extra);
	assert_lossless(&l, ok);
	assert_int_equal(l.rx[0].got, l.count / 2);
	assert_int_equal(l.rx[1].got, l.count / 2);
	drain_comp(&l, l.sent);
}

/* Two sockets on two queues share one UMEM, on both ends; each queue's
 * stream arrives on its own socket only. */
static void shared_umem_two_queues(void **state)
{
	struct env *env = *state;
	struct end *a = end_new(env, 0), *b = end_new(env, 1);
	struct lane l[2];
	unsigned int q;
	bool ok;

	if (env->p->mode == XSK_ATTACH_GENERIC) {
		/* Seen on Linux 6.18: a frame sent on veth TX queue q reaches
		 * generic XDP on the peer as RX queue q - 1 (0 for 0), so
		 * nothing sent can reach queue 1 in this mode. */
		printf("    SKIP: veth gives generic XDP no way to receive on queue 1\n");
		skip();
	}
	end_umem(a, 4096, 4096, 0, 0, 1024);
	end_umem(b, 4096, 4096, 0, 0, 1024);
	for (q = 0; q < 2; q++) {
		end_socket(env, a, q,
			   &(struct sock_cfg){ .queue = q,
					       .flags = XSK_SOCKET_NO_TX });
		end_socket(env, b, q,
			   &(struct sock_cfg){ .queue = q,
					       .flags = XSK_SOCKET_NO_RX });
	}
	assert_ptr_not_equal(xsk_socket_fill(a->xsk[0]),
			     xsk_socket_fill(a->xsk[1]));
	end_prog(env, a, NULL);
	for (q = 0; q < 2; q++) {
		assert_int_equal(xsk_prog_add_socket(a->prog, a->xsk[q]), 0);
		end_fill(a, a->xsk[q], 1024);
		memset(&l[q], 0, sizeof(l[q]));
		l[q].what = q ? "queue 1" : "queue 0";
		l[q].env = env;
		l[q].txe = b;
		l[q].tx = b->xsk[q];
		l[q].to = 0;
		l[q].rx[0] = (struct rx_side){ .e = a,
					       .xsk = a->xsk[q],
					       .stride = 1 };
		l[q].nrx = 1;
		l[q].stream = 100 + q;
		l[q].count = 10000;
		l[q].window = 256;
	}
	ok = lanes_run(env, l, 2, 10, 0);
	report(&l[0], NULL);
	report(&l[1], NULL);
	assert_lossless(&l[0], ok);
	assert_lossless(&l[1], ok);
	l[0].shares_txfr = true;
	drain_comp(&l[0], l[0].sent);
	drain_comp(&l[1], l[1].sent);
}

/* Ring mappings (of an AF_XDP socket) in this process. Other anonymous
 * mappings come and go with the sanitizers' allocators. */
static int count_ring_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "socket:[") != NULL;
	fclose(f);
	return n;
}

/* Pages pinned by UMEM registrations (VmPin), in kB. */
static long pinned_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* How many BPF programs the kernel holds. */
static unsigned int count_progs(void)
{
	union bpf_attr a;
	unsigned int n = 0;

	memset(&a, 0, sizeof(a));
	while (!syscall(__NR_bpf, BPF_PROG_GET_NEXT_ID, &a, sizeof(a))) {
		a.start_id = a.next_id;
		n++;
	}
	return n;
}

static unsigned int count_links(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	unsigned int n = 0;

	assert_non_null(ifs);
	for (i = ifs; i->if_index; i++)
		n++;
	if_freenameindex(ifs);
	return n;
}

/* One small round trip: UMEMs, sockets, program, 64 frames, all gone. */
static int up_move_down(struct env *env)
{
	int live;
	struct pair p = pair_up(env, &(struct pair_cfg){ .nframes = 256,
							 .fill_ring = 128 });
	struct lane l = lane_of(env, &p, "round", 64, 0);
	bool ok;

	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 5, 0);
	assert_lossless(&l, ok);
	drain_comp(&l, l.sent);
	live = count_ring_maps();
	end_close(p.tx);
	end_close(p.rx);
	env->nends = 0;
	return live;
}

static void teardown_loop(void **state)
{
	struct env *env = *state;
	unsigned int progs, links, i;
	int fds, maps;
	long pinned;
	double end, t = now();
	uint32_t id = 1;

	/* the first round lets libc set up whatever it keeps, and shows
	 * that the rings are seen: fill, comp, RX; fill, comp, TX */
	assert_true(up_move_down(env) >= 6);
	fds = kern_count_fds();
	maps = count_ring_maps();
	pinned = pinned_kb();
	links = count_links();
	progs = count_progs();
	for (i = 0; i < 100; i++)
		up_move_down(env);
	assert_int_equal(kern_count_fds(), fds);
	assert_int_equal(count_ring_maps(), maps);
	assert_int_equal(pinned_kb(), pinned);
	assert_int_equal(count_links(), links);
	assert_int_equal(xsk_prog_query(env->ifname[0], 0, &id, NULL), 0);
	assert_int_equal(id, 0);
	/* Programs are freed after an RCU grace period; earlier cases'
	 * may still be going too, and under load that can take seconds. A
	 * leak would leave 100. */
	end = now() + 10;
	while (count_progs() > progs && now() < end)
		usleep(10000);
	assert_true(count_progs() <= progs);
	printf("    100 rounds of 64 frames in %.2f s; after: fds %d, ring mappings %d, pinned %ld kB, BPF programs <= %u, interfaces %u, as before\n",
	       now() - t, fds, maps, pinned, progs, links);
	fflush(stdout);
}

/* Close a socket and at once make a new one on the same queue, with
 * traffic each time: bind_wait_ms rides out the kernel's release. */
static void recreate_same_queue(void **state)
{
	struct env *env = *state;
	struct end *prog_end = end_new(env, 0), *rx, *tx = end_new(env, 1);
	struct lane l;
	struct pair p;
	double t, worst = 0;
	unsigned int i;
	bool ok;

	end_prog(env, prog_end, NULL);
	end_umem(tx, 4096, 256, 0, 0, 128);
	end_socket(env, tx, 0, &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX });
	rx = end_new(env, 0);
	for (i = 0; i < 20; i++) {
		end_umem(rx, 4096, 256, 0, 0, 128);
		t = now();
		end_socket(env, rx, 0,
			   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX,
					       .bind_wait_ms = 500 });
		t = now() - t;
		worst = t > worst ? t : worst;
		assert_int_equal(
			xsk_prog_add_socket(prog_end->prog, rx->xsk[0]), 0);
		p.rx = rx;
		p.tx = tx;
		l = lane_of(env, &p, "re-created", 64, 0);
		l.stream = i;
		end_fill(rx, rx->xsk[0], UINT32_MAX);
		ok = lanes_run(env, &l, 1, 5, 0);
		assert_lossless(&l, ok);
		drain_comp(&l, l.sent);
		/* no pause: close and go again */
		end_close(rx);
		rx->side = 0;
	}
	printf("    20 sockets on queue 0 in a row, 64 frames each; slowest create %.1f ms\n",
	       worst * 1000);
	fflush(stdout);
}

/* -------------------------------------------------- privilege split */

#define PRIV_FRAMES 64u
#define PRIV_BATCH 32u
#define PRIV_ROUNDS 20u

static int send_fds(int sock, const int *fds, unsigned int n)
{
	char buf[CMSG_SPACE(2 * sizeof(int))], byte = 'f';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	memset(buf, 0, sizeof(buf));
	m.msg_control = buf;
	m.msg_controllen = CMSG_SPACE(n * sizeof(int));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, unsigned int n)
{
	char buf[CMSG_SPACE(2 * sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	m.msg_control = buf;
	m.msg_controllen = sizeof(buf);
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return 0;
}

static int drop_all_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d))
		return -1;
	if (syscall(SYS_capget, &h, d))
		return -1;
	return d[0].effective | d[0].permitted | d[1].effective |
			       d[1].permitted ?
		       -1 :
		       0;
}

/* Ask rtnetlink to take the XDP program off @ifindex; the kernel's
 * answer (0 or -errno). libxsk detaches only programs it attached. */
static int raw_xdp_detach(int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		struct rtattr xdp;
		struct rtattr fd_attr;
		int fd;
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
		char rest[256];
	} ack;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;

	if (s < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_SETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	req.xdp.rta_type = IFLA_XDP | NLA_F_NESTED;
	req.xdp.rta_len = sizeof(req.xdp) + sizeof(req.fd_attr) + sizeof(int);
	req.fd_attr.rta_type = IFLA_XDP_FD;
	req.fd_attr.rta_len = sizeof(req.fd_attr) + sizeof(int);
	req.fd = -1;
	if (send(s, &req, sizeof(req), 0) < 0) {
		n = -errno;
		close(s);
		return (int)n;
	}
	n = recv(s, &ack, sizeof(ack), 0);
	close(s);
	if (n < (ssize_t)(sizeof(ack.nh) + sizeof(ack.err)) ||
	    ack.nh.nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ack.err.error;
}

struct child_ctx {
	const struct env *env;
	int sock; /* to the parent */
	uint32_t stream;
};

#define CHILD_FAIL(...)                       \
	do {                                  \
		fprintf(stderr, "child: ");   \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n");        \
		return 1;                     \
	} while (0)

/*
 * The unprivileged half: no capabilities, a locked-memory limit just above
 * its UMEM. It gets an AF_XDP socket and the program's fd from the parent,
 * sets the socket up, binds, tells the parent, and receives.
 */
static int child_main(struct child_ctx *c)
{
	struct xsk_umem_opts uo =
		XSK_OPTS(xsk_umem_opts, .nframes = PRIV_FRAMES,
			 .fill_size = PRIV_FRAMES, .comp_size = PRIV_FRAMES);
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = c->env->ifname[0],
			 .flags = XSK_SOCKET_NO_TX, .rx_size = PRIV_FRAMES);
	struct rlimit rl = { 2 * PRIV_FRAMES * 4096, 2 * PRIV_FRAMES * 4096 };
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_prog *prog;
	struct xsk_ring_prod *fq;
	struct xsk_ring_cons *rx;
	struct xsk_umem_bounds b;
	uint32_t got = 0, idx, n, i, seq;
	unsigned char *area;
	int fds[2], err;
	double end;
	const char *why;

	if (!c->env->p->wakeup)
		so.flags |= XSK_SOCKET_NO_NEED_WAKEUP;
	if (recv_fds(c->sock, fds, 2))
		CHILD_FAIL("no fds from the parent");
	if (drop_all_caps())
		CHILD_FAIL("can't drop the capabilities");
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		CHILD_FAIL("setrlimit: %s", strerror(errno));

	/* a program: neither attach nor detach */
	err = xsk_prog_attach(&prog, c->env->ifname[0], 0, NULL);
	if (err != -EPERM || !strstr(xsk_errmsg(), "CAP_NET_ADMIN"))
		CHILD_FAIL("attach without capabilities: %d %s", err,
			   xsk_errmsg());
	printf("    child: attach refused: %s\n", xsk_errmsg());
	err = xsk_prog_attach(&prog, c->env->ifname[0], 0,
			      &XSK_OPTS(xsk_prog_opts,
					.flags = XSK_PROG_OWN_PROG |
						 XSK_PROG_NETLINK,
					.prog_fd = fds[1]));
	if (err != -EPERM || !strstr(xsk_errmsg(), "CAP_NET_ADMIN"))
		CHILD_FAIL("attaching the parent's program: %d %s", err,
			   xsk_errmsg());
	printf("    child: attaching the parent's program refused: %s\n",
	       xsk_errmsg());
	err = raw_xdp_detach((int)if_nametoindex(c->env->ifname[0]));
	if (err != -EPERM)
		CHILD_FAIL("detach: %d, not -EPERM", err);
	close(fds[1]);

	/* the socket: register, map, bind; no privilege needed */
	if (xsk_umem_create_fd(&umem, fds[0], &uo))
		CHILD_FAIL("xsk_umem_create_fd: %s", xsk_errmsg());
	if (xsk_socket_create(&xsk, umem, &so))
		CHILD_FAIL("xsk_socket_create: %s", xsk_errmsg());
	area = xsk_umem_area(umem);
	b = (struct xsk_umem_bounds){ area, xsk_umem_size(umem), 4096, 0 };
	fq = xsk_socket_fill(xsk);
	rx = xsk_socket_rx(xsk);
	if (xsk_ring_prod__reserve(fq, PRIV_FRAMES, &idx) != PRIV_FRAMES)
		CHILD_FAIL("fill ring");
	for (i = 0; i < PRIV_FRAMES; i++)
		*xsk_ring_prod__fill_addr(fq, idx + i) = (uint64_t)i * 4096;
	xsk_ring_prod__submit(fq, PRIV_FRAMES);
	if (write(c->sock, "b", 1) != 1)
		CHILD_FAIL("telling the parent");

	/* receive in rounds the parent paces */
	end = now() + 10;
	while (got < PRIV_ROUNDS * PRIV_BATCH && now() < end) {
		if (c->env->p->poll)
			xsk_socket_poll(xsk, POLLIN, 10);
		else if (xsk_socket_wake_rx(xsk))
			CHILD_FAIL("wake_rx: %s", xsk_errmsg());
		n = xsk_ring_cons__peek(rx, PRIV_BATCH, &idx);
		if (!n)
			continue;
		if (xsk_ring_prod__reserve(fq, n, &i) != n)
			CHILD_FAIL("fill ring full");
		for (uint32_t k = 0; k < n; k++) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(rx, idx + k);
			const unsigned char *f = xsk_umem__get_data_checked(
				&b, d->addr, d->len, &err);

			if (!f)
				CHILD_FAIL("bad descriptor");
			*xsk_ring_prod__fill_addr(fq, i + k) =
				d->addr - d->addr % 4096;
			if (!ours(f, d->len))
				continue;
			seq = get_be32(f + OFF_SEQ);
			if (seq != got)
				CHILD_FAIL("frame %u arrived, %u was due", seq,
					   got);
			why = bad_frame(f, d->len, c->env, 0, c->stream,
					MIN_LEN + seq % 65);
			if (why)
				CHILD_FAIL("frame %u: %s", seq, why);
			got++;
			if (got % PRIV_BATCH == 0 &&
			    write(c->sock, &got, sizeof(got)) != sizeof(got))
				CHILD_FAIL("telling the parent");
		}
		xsk_ring_cons__release(rx, n);
		xsk_ring_prod__submit(fq, n);
	}
	if (got != PRIV_ROUNDS * PRIV_BATCH)
		CHILD_FAIL("received %u of %u", got, PRIV_ROUNDS * PRIV_BATCH);
	xsk_socket_destroy(xsk);
	xsk_umem_destroy(umem);
	return 0;
}

static void privilege_split(void **state)
{
	struct env *env = *state;
	struct end *prog_end = end_new(env, 0), *tx = end_new(env, 1);
	struct pair p = { .rx = prog_end, .tx = tx };
	struct child_ctx c = { .env = env, .stream = 77 };
	int sp[2], fds[2], status;
	uint32_t round, got, id;
	struct lane l;
	pid_t pid;
	char b;

	end_prog(env, prog_end, NULL);
	end_umem(tx, 4096, 256, 0, 0, 128);
	end_socket(env, tx, 0, &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX });
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp),
			 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(sp[0]);
		c.sock = sp[1];
		status = child_main(&c);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	close(sp[1]);
	/* made after the fork: the child gets it only over the socket */
	fds[0] = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	fds[1] = xsk_prog_fd(prog_end->prog);
	assert_true(fds[0] >= 0);
	assert_int_equal(send_fds(sp[0], fds, 2), 0);
	if (read(sp[0], &b, 1) != 1) {
		waitpid(pid, &status, 0);
		fail_msg("the child failed before binding");
	}
	/* the child's socket is bound: our copy of the fd goes in the map */
	assert_int_equal(xsk_prog_set_queue(prog_end->prog, 0, fds[0]), 0);
	l = lane_of(env, &p, "to the unprivileged child", 0, 0);
	l.stream = c.stream;
	l.rx[0].e = NULL;
	for (round = 1; round <= PRIV_ROUNDS; round++) {
		l.count = round * PRIV_BATCH;
		while (l.sent < l.count) {
			l.completed += xsk_frames_complete(
				&tx->txfr, xsk_socket_comp(l.tx), 256);
			tx_put(&l);
			tx_kick(&l);
		}
		drain_comp(&l, l.sent);
		if (read(sp[0], &got, sizeof(got)) != sizeof(got))
			break;
		assert_int_equal(got, l.count);
		l.received = got;
	}
	close(sp[0]);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	report(&l, "checked by the child");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(l.received, PRIV_ROUNDS * PRIV_BATCH);
	/* the child's detach changed nothing */
	assert_int_equal(xsk_prog_query(env->ifname[0], 0, &id, NULL), 0);
	assert_true(id != 0);
}

/* ------------------------------------------------------------- main */

/* Which rows of the matrix a case runs on. */
#define ALL 0
#define POLL_ONLY 1

struct case_def {
	const char *name;
	CMUnitTestFunction fn;
	int rows;
};

static const struct case_def cases[] = {
	{ "single_packet", single_packet, ALL },
	{ "stream_64_chunk4096", stream_64_chunk4096, ALL },
	{ "stream_1500_chunk4096", stream_1500_chunk4096, ALL },
	{ "stream_64_chunk2048", stream_64_chunk2048, ALL },
	{ "stream_1500_chunk2048", stream_1500_chunk2048, ALL },
	{ "stream_unaligned", stream_unaligned, ALL },
	{ "long_stream", long_stream, ALL },
	{ "poll_timeout", poll_timeout, POLL_ONLY },
	{ "poll_rx_tx", poll_rx_tx, POLL_ONLY },
	{ "headroom", headroom, ALL },
	{ "bidirectional", bidirectional, ALL },
	{ "tx_invalid_aligned", tx_invalid_aligned, ALL },
	{ "tx_invalid_unaligned", tx_invalid_unaligned, ALL },
	{ "stat_rx_dropped", stat_rx_dropped, ALL },
	{ "stat_rx_ring_full", stat_rx_ring_full, ALL },
	{ "stat_fill_empty", stat_fill_empty, ALL },
	{ "xskmap_switch", xskmap_switch, ALL },
	{ "shared_umem_one_queue", shared_umem_one_queue, ALL },
	{ "shared_umem_two_queues", shared_umem_two_queues, ALL },
	{ "teardown_loop", teardown_loop, ALL },
	{ "recreate_same_queue", recreate_same_queue, ALL },
	{ "privilege_split", privilege_split, ALL },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Can this machine do it at all? One line per reason it can't. */
static int preflight(void)
{
	struct xsk_umem *umem;
	struct xsk_prog *prog;
	int err;

	err = xsk_umem_create(&umem, &XSK_OPTS(xsk_umem_opts, .nframes = 16));
	if (err == -EAFNOSUPPORT) {
		printf("SKIP: this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)\n");
		return 77;
	}
	if (err) {
		printf("SKIP: can't create a UMEM here: %s\n", xsk_errmsg());
		return 77;
	}
	xsk_umem_destroy(umem);
	err = xsk_prog_attach(&prog, getenv("XSK_IF"), 0,
			      &XSK_OPTS(xsk_prog_opts,
					.mode = XSK_ATTACH_GENERIC));
	if (err) {
		printf("SKIP: can't load and attach an XDP program here: %s\n",
		       xsk_errmsg());
		return 77;
	}
	xsk_prog_destroy(prog);
	return 0;
}

int main(void)
{
	static struct CMUnitTest tests[NCASES * NPARAMS];
	static char names[NCASES * NPARAMS][96];
	const char *ifa = getenv("XSK_IF"), *s;
	char path[256];
	unsigned int i, k, n = 0;
	int err;

	ns_name[0] = getenv("XSK_NS");
	ns_name[1] = getenv("XSK_PEER_NS");
	if (!ifa || !ns_name[0] || !ns_name[1]) {
		printf("SKIP: run me with tests/netns.sh, which makes the namespaces\n");
		return 77;
	}
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/var/run/netns/%s", ns_name[i]);
		ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (ns_fd[i] < 0) {
			printf("SKIP: can't open namespace %s\n", path);
			return 77;
		}
	}
	snprintf(if_base, sizeof(if_base), "%.*s", (int)strlen(ifa) - 1, ifa);
	err = preflight();
	if (err)
		return err;
	quiet_ipv6(0);
	quiet_ipv6(1);
	s = getenv("XSK_TRAFFIC_LONG");
	if (s)
		long_count = (uint32_t)strtoul(s, NULL, 0);
	s = getenv("XSK_TRAFFIC_FILTER");
	if (s)
		cmocka_set_test_filter(s);

	for (i = 0; i < NCASES; i++)
		for (k = 0; k < NPARAMS; k++) {
			if (cases[i].rows == POLL_ONLY && !matrix[k].poll)
				continue;
			snprintf(names[n], sizeof(names[n]), "%s/%s",
				 cases[i].name, matrix[k].name);
			tests[n].name = names[n];
			tests[n].test_func = cases[i].fn;
			tests[n].setup_func = veth_setup;
			tests[n].teardown_func = veth_teardown;
			tests[n].initial_state = (void *)&matrix[k];
			n++;
		}
	return _cmocka_run_group_tests("traffic on veth", tests, n, NULL, NULL);
}
