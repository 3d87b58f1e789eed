/* SPDX-License-Identifier: MIT */
/*
 * The real-kernel test harness, shared by every tests/kern_*.c.
 *
 * A case is a cmocka test whose state is a struct env: a veth pair between
 * our namespace (side 0) and the peer's (side 1), and whatever the case
 * makes on it. Everything a case makes goes into its env (UMEMs, sockets
 * and programs in ends; other fds and child processes through env_keep_fd()
 * and env_fork()), and env_teardown() releases it all, which cmocka runs
 * after a failed assertion too: a failing case leaves nothing bound,
 * attached or allocated for the next one.
 *
 * Two kinds of env:
 *   KERN_CASE(fn)      on the pair tests/netns.sh made for the program
 *                      (kern.ifname, kern.peer_if); the default mode row
 *   traffic_main()     each case on a veth pair of its own, created and
 *                      deleted around it, once per row of the mode matrix
 *                      (XDP native or generic, need_wakeup on or off,
 *                      waiting by spinning or in poll())
 *
 * Frames: every frame carries a private EtherType, a magic word, a stream
 * id, a sequence number and a byte pattern derived from both, so that the
 * receiver checks each frame's order, length and every byte; frames
 * without the magic word are the stacks' own and are skipped. Lanes move
 * streams of them from an AF_XDP TX socket to one or two RX sockets and
 * account for every frame; the peer's AF_PACKET socket (kern_peer_socket())
 * sends them too (peer_send()).
 *
 * A new case file: include "traffic.h", start each case with
 * struct env *env = *state, and either run KERN_CASE()s from main() after
 * kern_init() (kern_control.c) or hand a table of struct case_def to
 * traffic_main() (kern_stream.c). tests.mk builds every tests/kern_*.c with
 * the harness and make check runs it under tests/netns.sh.
 */
#ifndef LIBXSK_TESTS_TRAFFIC_H
#define LIBXSK_TESTS_TRAFFIC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/types.h>
#include <linux/if_ether.h>
#include <cmocka.h>

#include <xsk.h>
#include <xsk/frames.h>
#include <xsk/multibuf.h>
#include "kernutil.h"

/* ------------------------------------------------------------ frames */

#define FRAME_ETH_P 0x88b5 /* IEEE local experimental */
#define FRAME_MAGIC "LXSKTRAF" /* 8 bytes */
#define FRAME_OFF_MAGIC 14
#define FRAME_OFF_STREAM 22 /* big-endian u32 */
#define FRAME_OFF_SEQ 26 /* big-endian u32 */
#define FRAME_OFF_DATA 30
#define FRAME_MIN_LEN 60
#define FRAME_MAX_LEN 9100

uint32_t get_be32(const unsigned char *p);
void put_be32(unsigned char *p, uint32_t v);

/* The default length of frame @seq: 60 to 124 bytes. */
uint32_t frame_len(uint32_t seq);

/* Frame @seq of @stream, @len bytes (at least FRAME_OFF_DATA), from MAC
 * address @src to @dst. */
void frame_make(unsigned char *f, const unsigned char *dst,
		const unsigned char *src, uint32_t stream, uint32_t seq,
		uint32_t len);

/* Is this one of ours (and long enough to read its stream and seq)? */
bool frame_ours(const unsigned char *f, uint32_t len);
uint32_t frame_stream(const unsigned char *f);
uint32_t frame_seq(const unsigned char *f);

/* What is wrong with frame @f (@len bytes) as a frame of @stream, from
 * @src to @dst, @want_len long, or NULL. Its own sequence number picks the
 * pattern: the caller checks the order. */
const char *frame_check(const unsigned char *f, uint32_t len,
			const unsigned char *dst, const unsigned char *src,
			uint32_t stream, uint32_t want_len);

/* What the frame-touching XDP programs of kern_progs.c leave in front of
 * a frame (bpf_xdp_adjust_meta()): a copy of its sequence number as it is
 * in the frame, then this word in host order. */
#define FRAME_META_LEN 8
#define FRAME_META_MAGIC 0x6d657461u

/* From the peer's AF_PACKET socket @fd to our end: frames @first to
 * @first + @n - 1 of @stream, @len bytes each (0: frame_len()'s). */
void peer_send(int fd, uint32_t stream, uint32_t first, uint32_t n,
	       uint32_t len);

/* ------------------------------------------------- the matrix and env */

struct params {
	enum xsk_attach_mode mode; /* of end_prog()'s programs */
	bool wakeup; /* XDP_USE_NEED_WAKEUP */
	bool poll; /* wait in poll(), not spinning */
	bool tx_budget; /* raise end_socket()'s copy-mode TX budget */
	const char *name;
};

/*
 * A UMEM on one side with its sockets and program. Frames are handed out
 * by two allocators over separate halves of the UMEM, one feeding the fill
 * ring(s), one for TX, so that RX can never starve TX or the other way
 * round when one UMEM does both. A case may also create into these fields
 * directly (xsk_umem_create(&e->umem, ...)): the tear-down destroys what
 * they hold.
 */
#define END_SOCKETS 4
struct end {
	int side; /* the namespace it lives in: 0 ours, 1 the peer's */
	struct xsk_umem *umem;
	struct xsk_socket *xsk[END_SOCKETS];
	struct xsk_prog *prog;
	struct xsk_frames rxfr, txfr;
	struct xsk_umem_bounds bounds;
	uint32_t frame_size, nframes, headroom;
	bool unaligned;
};

#define ENV_ENDS 8
#define ENV_FDS 8
#define ENV_CHILDREN 4

/* One case's world: its veth pair and whatever it holds on it. */
struct env {
	const struct params *p;
	bool own_veth; /* made for this case: deleted by the tear-down */
	uint32_t id; /* the case's number: the default stream id */
	char ifname[2][IF_NAMESIZE]; /* [0] ours, [1] the peer's */
	unsigned char mac[2][ETH_ALEN];
	struct end ends[ENV_ENDS];
	unsigned int nends;
	int fds[ENV_FDS];
	unsigned int nfds;
	pid_t children[ENV_CHILDREN];
	unsigned int nchildren;
};

/* cmocka set-ups: a case on netns.sh's pair; a case on a veth pair of its
 * own (initial state: the struct params of its matrix row). */
int env_setup(void **state);
int env_setup_veth(void **state);
/* Release everything the case recorded; delete its own veth pair. */
int env_teardown(void **state);
/* Before any end is made: the case's veth pair made again with @n queues
 * each way (env_setup_veth() gives it 2). */
void env_veth_queues(struct env *env, unsigned int n);

#define KERN_CASE(fn) \
	cmocka_unit_test_setup_teardown(fn, env_setup, env_teardown)

/* Record @fd (if >= 0) for the tear-down to close; returns @fd. */
int env_keep_fd(struct env *env, int fd);
/* Close @fd now, and forget it. */
void env_close_fd(struct env *env, int fd);
/* fork(), the child recorded in the parent: the tear-down kills and reaps
 * it unless env_wait() did. The child must leave by _exit(). */
pid_t env_fork(struct env *env);
/* waitpid() for a child of env_fork(); its status. */
int env_wait(struct env *env, pid_t pid);

/* ----------------------------------------------------------- the ends */

struct end *end_new(struct env *env, int side);

/* A UMEM of @nframes chunks of @frame_size, fill and completion rings of
 * @ring entries (0: the default): the lower half of the frames for the
 * fill ring, the upper half for TX. */
void end_umem(struct end *e, uint32_t frame_size, uint32_t nframes,
	      uint32_t headroom, uint32_t flags, uint32_t ring);
/* The same from full UMEM options. */
void end_umem_opts(struct end *e, const struct xsk_umem_opts *o);

struct sock_cfg {
	uint32_t queue;
	uint32_t flags; /* XSK_SOCKET_*; NO_NEED_WAKEUP added by the row */
	uint32_t mode; /* enum xsk_mode */
	uint32_t rx_size, tx_size;
	uint32_t bind_wait_ms; /* default 1000 */
};

/* A socket on @e's UMEM and interface, in @e->xsk[@slot]. */
struct xsk_socket *end_socket(struct env *env, struct end *e, unsigned int slot,
			      const struct sock_cfg *c);

/* The built-in program (or @o's) on @e's interface, in @e->prog; in the
 * row's mode unless @o asks for one. */
void end_prog(struct env *env, struct end *e, struct xsk_prog_opts *o);

/* An RX end on @side: a UMEM, socket 0 with @c, the program (@po, may be
 * NULL) with the socket in its queue's slot. The fill ring is left empty. */
struct end *end_rx(struct env *env, int side, const struct xsk_umem_opts *uo,
		   const struct sock_cfg *c, struct xsk_prog_opts *po);

/* The kernel's multi-buffer AF_XDP (Linux 6.6): true if it has it;
 * otherwise asserts the library's refusal, which names the version, and
 * returns false, for the case to end there. */
bool env_multibuf(struct env *env);

/* Set the MTU of both ends of the case's veth pair (before a program is
 * attached: veth takes a larger MTU under XDP only with a frags program). */
void env_mtu(struct env *env, uint32_t mtu);

/* Attach the caller's XDP program @prog_fd with its XSKMAP @map_fd to @e
 * (XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP), in the row's mode; the handle
 * takes its own references, so both fds are closed here. */
void end_own_prog(struct env *env, struct end *e, int prog_fd, int map_fd);

/* Put up to @max of the RX frames on @s's fill ring. */
void end_fill(struct end *e, struct xsk_socket *s, uint32_t max);

/* Destroy one object now; its field is cleared unless that failed.
 * The destroy call's answer. */
int end_socket_destroy(struct end *e, unsigned int slot);
int end_umem_destroy(struct end *e);
int end_prog_destroy(struct end *e);

/* Destroy all @e holds (program, sockets from the last, UMEM); it stays on
 * its side, ready for new ones. end_destroy() fails the test unless each
 * step succeeds; end_close(), for the tear-down, only prints what failed. */
void end_destroy(struct end *e);
void end_close(struct end *e);

/* ------------------------------------------------------------ traffic */

/* Bytes of the UMEM's headroom the headroom case fills, for the kernel to
 * leave alone. */
#define FRAME_CANARY 0xa5

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
	const bool *maybe; /* these of @expect may be missing (tx_verbatim) */
	uint32_t skipped, maybe_got;
	bool any_start; /* the first frame may be any (a slot switch) */
	bool canary; /* check the headroom canary (headroom case) */
	bool meta; /* check the metadata kern_progs.c's programs leave */
	uint64_t got;
	uint32_t first, last;
	/* the multi-buffer reader of a lane with @mb */
	struct xsk_mb_rx mbr;
	bool mb_ready;
	uint64_t frags; /* descriptors of the frames received */
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
	uint32_t len; /* frame length; 0: frame_len() */
	uint32_t big_len; /* if set, odd frames have this length */
	uint32_t (*len_of)(uint32_t seq); /* if set, the length of each */
	int32_t rx_delta; /* frames arrive this much longer (a program) */
	uint32_t window; /* frames in flight at most; 0: no limit */
	/* frames longer than a chunk go and come as chains (sockets with
	 * XSK_SOCKET_MULTI_BUFFER); every fragment's offset is checked */
	bool mb;
	bool hold; /* receive only after everything was sent */
	bool no_refill; /* don't give received frames back to the fill ring */
	bool shares_txfr; /* another lane, drained later, uses the same frames */
	/* switch the XSKMAP slot to rx[1] once this many frames are sent */
	uint32_t switch_at;
	struct xsk_prog *switch_prog;
	/* results */
	uint64_t sent, completed, received, foreign, tx_busy;
	uint64_t sent_descs; /* TX descriptors: sent, or more with @mb */
	bool switched;
};

/* The common shape: a TX socket on the peer's side, an RX socket with the
 * program on ours. */
struct pair {
	struct end *rx, *tx;
};

struct pair_cfg {
	uint32_t frame_size; /* default 4096 */
	uint32_t nframes; /* default 4096 */
	uint32_t headroom;
	uint32_t rx_flags; /* XSK_UMEM_* for both UMEMs */
	uint32_t rx_ring, fill_ring;
	uint32_t tx_comp_ring; /* the sender's completion ring; default 2048 */
	uint32_t tx_ring; /* the sender's TX ring; default 2048 */
	uint32_t sock_flags; /* XSK_SOCKET_* for both sockets */
	uint32_t prog_flags; /* XSK_PROG_* for the receiver's program */
	int prog_fd, map_fd; /* with XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP */
	uint32_t mtu; /* of both ends, if set */
};

struct pair pair_up(struct env *env, const struct pair_cfg *c);

/* A lane over @p: @count frames of @len bytes (0: frame_len()), 256 in
 * flight at most, stream env->id. */
struct lane lane_of(const struct env *env, struct pair *p, const char *what,
		    uint32_t count, uint32_t len);

/*
 * Run lanes until every frame arrived or, with @quiet, until everything is
 * sent and nothing happened for that long (frames dropped on purpose), or
 * until @seconds pass. Returns whether all arrived.
 */
bool lanes_run(const struct env *env, struct lane *ls, unsigned int nl,
	       double seconds, double quiet);

/* Descriptors on the TX ring that the kernel has not taken yet. */
uint32_t tx_pending(const struct xsk_ring_prod *tx);
/* Put what the window, the ring and the frames allow on the TX ring. */
uint32_t tx_put(struct lane *l);
/* Kick the TX socket if the kernel has descriptors to take; counts EBUSY. */
void tx_kick(struct lane *l);
/* Take what an RX ring holds, check it, give the frames back. */
uint32_t rx_take(struct lane *l, struct rx_side *r);
/* Take the last completions: @want of them (sent_descs, in all); every
 * TX frame back. */
void drain_comp(struct lane *l, uint64_t want);

/* A TX descriptor queued as it is, valid or not; @valid: the kernel sends
 * it (as the whole or a part of a frame). @maybe: a descriptor alone after
 * a chain the kernel dropped for too many fragments, which the kernel
 * sources up to the first 6.18 releases send as a frame of its own, and
 * 6.18.44 drops with the chain, which it ends; a table's frames are all one
 * or all the other. */
struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint32_t options;
	bool valid;
	bool maybe;
	/* invalid: a fragment the kernel gathered into a frame before
	 * dropping the chain; Linux 6.12 never completes these */
	bool held;
};

/*
 * Queue @n descriptors as they are on @l's TX socket (whose frames the
 * caller wrote), kick until the kernel took them all, and account for
 * each: the frames @l->rx[0] expects arrive (those of @maybe descriptors
 * marked in its @maybe, all or none), tx_invalid_descs counts exactly the
 * descriptors not sent, and the completion ring returns, in order, those
 * sent, or (as Linux 6.18 does) all, or (as 6.12 does) all but the @held
 * ones, which the application never gets back; not another mix.
 */
void tx_verbatim(struct lane *l, const struct vdesc *v, uint32_t n);

void read_stats(struct xsk_socket *s, struct xsk_stats *st);
/* Every frame sent arrived, and every TX frame came back: nothing dropped,
 * by the kernel or the device. */
void assert_lossless(const struct lane *l, bool ok);
/* One line of what a lane did, and @extra (may be NULL). */
void report(const struct lane *l, const char *extra);

/* --------------------------------------------------------- the runner */

/* Which rows of the matrix a case runs on. */
#define ALL_ROWS 0
#define POLL_ROWS 1
#define NATIVE_ROWS 2

struct case_def {
	const char *name;
	CMUnitTestFunction fn;
	int rows;
};

/*
 * main() of a matrix case file: checks that the machine can run AF_XDP
 * (else exits 77 with the reason), turns IPv6 off in both namespaces so
 * that the stacks stay quiet, and runs every case on every row it asks for,
 * each on a veth pair of its own. XSK_TRAFFIC_FILTER=pattern runs only the
 * matching cases (cmocka's filter, e.g. "stream_64*").
 */
int traffic_main(const char *group, const struct case_def *cases,
		 unsigned int ncases);

#endif /* LIBXSK_TESTS_TRAFFIC_H */
