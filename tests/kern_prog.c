// SPDX-License-Identifier: MIT
/*
 * The XDP program on a real kernel, run by tests/netns.sh inside a private
 * network namespace holding one end of a veth pair (XSK_IF); the other end
 * (XSK_PEER_IF) is in XSK_PEER_NS. Frames go only between the two.
 *
 * The peer sends the harness's frames (traffic.h), streams 'A' and 'B',
 * from an AF_PACKET socket with PACKET_QDISC_BYPASS, which picks the
 * transmit queue from the sending CPU (cpu % queues), and veth hands a
 * frame to the peer's receive queue of the same number. Pinning the sender
 * to a CPU therefore chooses the queue a frame arrives on.
 *
 * Everything else the peer's stack sends (IPv6 neighbour discovery, MLD)
 * may reach the sockets too: frames without the magic word are skipped.
 *
 * The RX ring is read here with a small local helper, following the
 * protocol in <xsk/ring.h>. Every program and socket a case makes is in its
 * env, released by the tear-down however the case ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>

#include "traffic.h"
#include "testutil.h"

#define NFRAMES 1024u
#define FRAME 4096u
#define BURST 32u

static int peer_fd = -1;
static int ncpus;

/* Send @n frames of stream @stream from CPU @cpu, so on queue cpu % queues. */
static void send_on(int cpu, char stream, unsigned int n)
{
	cpu_set_t old, one;

	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	peer_send(peer_fd, (uint32_t)stream, 0, n, 0);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
}

/* ------------------------------------------------------- the rings, raw */

struct rx_count {
	unsigned int ours[2]; /* frames of stream 'A' (0) and 'B' (1) */
	unsigned int foreign; /* the peer stack's own frames */
};

/* Take what the RX ring holds; check each of our frames; give the frames
 * back to the fill ring. */
static void take(struct xsk_socket *xsk, struct xsk_umem *umem,
		 struct rx_count *c)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(xsk);
	struct xsk_ring_prod *fq = xsk_socket_fill(xsk);
	uint32_t cons = *rx->consumer, fprod = *fq->producer;
	/* pairs with the kernel's release of the producer index */
	uint32_t prod = __atomic_load_n(rx->producer, __ATOMIC_ACQUIRE);
	const struct xdp_desc *d;
	const unsigned char *f;
	const char *why;
	uint32_t stream;

	for (; cons != prod; cons++) {
		d = &((const struct xdp_desc *)rx->ring)[cons & rx->mask];
		f = (const unsigned char *)xsk_umem_area(umem) + d->addr;
		((uint64_t *)fq->ring)[fprod++ & fq->mask] =
			d->addr - d->addr % FRAME;
		if (!frame_ours(f, d->len)) {
			c->foreign++;
			continue;
		}
		stream = frame_stream(f);
		why = frame_check(f, d->len, kern.mac, kern.peer_mac, stream,
				  frame_len(frame_seq(f)));
		if (why)
			fail_msg("frame %u of stream %u: %s", frame_seq(f),
				 stream, why);
		assert_true(stream == 'A' || stream == 'B');
		c->ours[stream - 'A']++;
	}
	/* the descriptors are read: pairs with the kernel's acquire */
	__atomic_store_n(rx->consumer, cons, __ATOMIC_RELEASE);
	__atomic_store_n(fq->producer, fprod, __ATOMIC_RELEASE);
}

/* Wait until @want of our frames came, for at most two seconds. */
static void receive(struct end *e, unsigned int nxsk, struct rx_count *c,
		    unsigned int want)
{
	double end = kern_now() + 2;
	unsigned int i, got;

	do {
		for (i = 0; i < nxsk; i++) {
			xsk_socket_poll(e->xsk[i], POLLIN, 20);
			take(e->xsk[i], e->umem, &c[i]);
		}
		for (got = 0, i = 0; i < nxsk; i++)
			got += c[i].ours[0] + c[i].ours[1];
	} while (got < want && kern_now() < end);
}

/* A burst sent to queue 0 arrives, whole, on @e's socket 0. */
static void burst_arrives(struct end *e)
{
	struct rx_count c[1];

	memset(c, 0, sizeof(c));
	send_on(0, 'A', BURST);
	receive(e, 1, c, BURST);
	assert_int_equal(c[0].ours[0], BURST);
}

/* ------------------------------------------------------------ set-ups */

/* A UMEM with an RX socket on each of queues 0 to @n - 1, a quarter of the
 * frames on each fill ring; no program yet. */
static struct end *rx_sockets(struct env *env, unsigned int n)
{
	struct end *e = end_new(env, 0);
	unsigned int q;

	end_umem(e, FRAME, NFRAMES, 0, 0, 0);
	for (q = 0; q < n; q++) {
		/* the previous case's socket on this queue may still be
		 * going away: the kernel tears sockets down asynchronously */
		end_socket(env, e, q,
			   &(struct sock_cfg){ .queue = q,
					       .flags = XSK_SOCKET_NO_TX,
					       .bind_wait_ms = 2000 });
		end_fill(e, e->xsk[q], NFRAMES / 4);
	}
	return e;
}

static void assert_no_prog(void)
{
	enum xsk_attach_mode mode;
	uint32_t id = 1;

	assert_int_equal(xsk_prog_query(kern.ifname, 0, &id, &mode), 0);
	assert_int_equal(id, 0);
	assert_int_equal(mode, XSK_ATTACH_AUTO);
}

/* The peer picks the queue by the CPU it sends from (PACKET_QDISC_BYPASS):
 * with one CPU, or one queue, two queues can't be told apart. A reason of
 * the machine, printed with the skip. */
static bool one_queue(const char *queues)
{
	if (ncpus < 2) {
		printf("    SKIP: one CPU: frames can't be sent on two queues\n");
		return true;
	}
	if (queues && atoi(queues) < 2) {
		printf("    SKIP: XSK_QUEUES=%s: the veth pair has one queue\n",
		       queues);
		return true;
	}
	return false;
}

/* One socket on queue 0, the program in @o's mode, frames from the peer. */
static void rx_one(struct env *env, struct xsk_prog_opts *o,
		   enum xsk_attach_mode mode)
{
	enum xsk_attach_mode qmode;
	struct rx_count c[1];
	struct end *e = rx_sockets(env, 1);
	uint32_t id;

	end_prog(env, e, o);
	assert_int_equal(xsk_prog_mode(e->prog), mode);
	assert_int_equal(xsk_prog_query(kern.ifname, 0, &id, &qmode), 0);
	assert_true(id != 0);
	assert_int_equal(qmode, mode);
	assert_int_equal(xsk_prog_add_socket(e->prog, e->xsk[0]), 0);

	burst_arrives(e);

	/* out of the map: frames go to the stack again */
	assert_int_equal(xsk_prog_remove_socket(e->prog, e->xsk[0]), 0);
	memset(c, 0, sizeof(c));
	send_on(0, 'A', 4);
	receive(e, 1, c, 1);
	assert_int_equal(c[0].ours[0], 0);

	end_destroy(e);
	assert_no_prog();
}

static void rx_native(void **state)
{
	rx_one(*state, &XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_NATIVE),
	       XSK_ATTACH_NATIVE);
}

static void rx_generic(void **state)
{
	rx_one(*state, &XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_GENERIC),
	       XSK_ATTACH_GENERIC);
}

/* A multi-buffer program in the mode the kernel picks: veth has native
 * XDP, and multi-buffer XDP since 5.19. Kernels before 5.18 have no
 * multi-buffer programs at all (BPF_F_XDP_HAS_FRAGS): the library must
 * refuse the request, name the version, and leave nothing attached. */
static void rx_auto_frags(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_FRAGS);
	struct xsk_prog *p = NULL;
	int fd = env_keep_fd(*state, kern_pass_prog(BPF_F_XDP_HAS_FRAGS)), ret;

	if (fd >= 0) {
		env_close_fd(*state, fd);
		rx_one(*state, &o, XSK_ATTACH_NATIVE);
		return;
	}
	assert_int_equal(errno, EINVAL);
	ret = xsk_prog_attach(&p, kern.ifname, 0, &o);
	if (!ret) {
		xsk_prog_destroy(p);
		fail_msg("a multi-buffer program attached on a kernel without");
	}
	printf("  refused: %s\n", xsk_errmsg());
	assert_int_equal(ret, -EINVAL);
	assert_msg("needs kernel 5.18");
	assert_null(p);
	assert_no_prog();
}

static void rx_netlink(void **state)
{
	rx_one(*state,
	       &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_NETLINK,
			 .mode = XSK_ATTACH_NATIVE),
	       XSK_ATTACH_NATIVE);
	rx_one(*state,
	       &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_NETLINK,
			 .mode = XSK_ATTACH_GENERIC),
	       XSK_ATTACH_GENERIC);
}

/* Two sockets on two queues share one program and map; each receives only
 * what arrives on its own queue. */
static void two_queues(void **state)
{
	struct rx_count c[2];
	struct end *e;
	const char *queues = getenv("XSK_QUEUES");

	if (one_queue(queues))
		skip();
	e = rx_sockets(*state, 2);
	end_prog(*state, e,
		 &XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_NATIVE));
	assert_true(xsk_prog_nqueues(e->prog) >= 2);
	assert_int_equal(xsk_prog_add_socket(e->prog, e->xsk[0]), 0);
	assert_int_equal(xsk_prog_add_socket(e->prog, e->xsk[1]), 0);

	memset(c, 0, sizeof(c));
	send_on(0, 'A', BURST); /* CPU 0: queue 0 */
	send_on(1, 'B', BURST); /* CPU 1: queue 1 */
	receive(e, 2, c, 2 * BURST);
	assert_int_equal(c[0].ours[0], BURST);
	assert_int_equal(c[0].ours[1], 0);
	assert_int_equal(c[1].ours[0], 0);
	assert_int_equal(c[1].ours[1], BURST);

	/* queue 1 out of the map: its frames go to the stack, queue 0's
	 * still come */
	assert_int_equal(xsk_prog_remove_socket(e->prog, e->xsk[1]), 0);
	memset(c, 0, sizeof(c));
	send_on(1, 'B', 8);
	send_on(0, 'A', 8);
	receive(e, 2, c, 16);
	assert_int_equal(c[0].ours[0], 8);
	assert_int_equal(c[1].ours[1], 0);
	end_destroy(e);
	assert_no_prog();
}

/* Frames of stream @stream that reached the network stack (an AF_PACKET
 * socket on our end sees what XDP passed), within @ms of quiet. */
static unsigned int stack_count(int fd, uint32_t stream, int ms)
{
	unsigned char f[2048];
	unsigned int n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t len;

	while (poll(&p, 1, ms) == 1) {
		len = recv(fd, f, sizeof(f), 0);
		if (len > 0 && frame_ours(f, (uint32_t)len) &&
		    frame_stream(f) == stream)
			n++;
	}
	return n;
}

static int stack_socket(struct env *env)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(FRAME_ETH_P) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(FRAME_ETH_P));

	assert_true(fd >= 0);
	env_keep_fd(env, fd);
	sll.sll_ifindex = (int)if_nametoindex(kern.ifname);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

/*
 * The UMEM's first socket, on queue 0, destroyed while a socket on queue 1
 * (and, with @sharer, another on queue 0 sharing its fill ring) lives on:
 * nothing of it may go on receiving. Queue 0's frames go where the program
 * sends them with the slot empty, the stack; queue 1's still arrive.
 */
static void first_destroyed(struct env *env, bool sharer)
{
	struct rx_count c[END_SOCKETS];
	struct end *e;
	const char *queues = getenv("XSK_QUEUES");
	unsigned int i, stack;
	uint64_t features = 0;
	double end;
	int fd;

	if (one_queue(queues))
		skip();
	e = rx_sockets(env, 2);
	if (sharer)
		end_socket(env, e, 2,
			   &(struct sock_cfg){ .queue = 0,
					       .flags = XSK_SOCKET_NO_TX });
	end_prog(env, e, &XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_NATIVE));
	assert_int_equal(xsk_prog_add_socket(e->prog, e->xsk[0]), 0);
	assert_int_equal(xsk_prog_add_socket(e->prog, e->xsk[1]), 0);
	fd = stack_socket(env);

	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(xsk_umem_fd(e->umem), -1);
	memset(c, 0, sizeof(c));
	send_on(0, 'A', BURST);
	send_on(1, 'B', BURST);
	for (end = kern_now() + 2; c[1].ours[1] < BURST && kern_now() < end;)
		for (i = 1; i < (sharer ? 3u : 2u); i++) {
			xsk_socket_poll(e->xsk[i], POLLIN, 20);
			take(e->xsk[i], e->umem, &c[i]);
		}
	stack = stack_count(fd, 'A', 200);
	printf("    queue 0 after its socket went: %u of %u to the stack; queue 1: %u of %u to its socket\n",
	       stack, BURST, c[1].ours[1], BURST);
	assert_int_equal(c[1].ours[1], BURST);
	assert_int_equal(c[1].ours[0] + c[2].ours[0] + c[2].ours[1], 0);
	assert_int_equal(xsk_probe(&features), 0);
	if (sharer && !(features & XSK_FEATURE_MULTI_BUFFER)) {
		/* Before Linux 6.4 the rings the sharer still uses can't be
		 * mapped from it, so the first socket stays bound, and in
		 * the slot, until the sharer goes: as documented under
		 * xsk_socket_destroy(). (No probe tells 6.4 itself; every
		 * kernel with multi-buffer, 6.6, has it.) */
		assert_int_equal(stack, 0);
		end_destroy(e);
		return;
	}
	assert_int_equal(stack, BURST);
	end_destroy(e);
}

static void first_destroyed_alone(void **state)
{
	first_destroyed(*state, false);
}

static void first_destroyed_sharer(void **state)
{
	first_destroyed(*state, true);
}

/* --------------------------------------------- what stays, what goes */

static uint32_t attached_id(void)
{
	uint32_t id = 0;

	assert_int_equal(xsk_prog_query(kern.ifname, 0, &id, NULL), 0);
	return id;
}

static void killed_child_leaves_nothing(void **state)
{
	struct env *env = *state;
	int ready[2], status;
	double end;
	pid_t pid;
	char c;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	env_keep_fd(env, ready[0]);
	env_keep_fd(env, ready[1]);
	pid = env_fork(env);
	if (pid == 0) {
		struct xsk_prog *p;

		if (xsk_prog_attach(&p, kern.ifname, 0, NULL))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	env_close_fd(env, ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	env_close_fd(env, ready[0]);
	assert_true(attached_id() != 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	status = env_wait(env, pid);
	assert_true(WIFSIGNALED(status));
	/* the link's last reference goes with the process; its release is
	 * deferred to a work queue, so allow it a moment */
	end = kern_now() + 2;
	while (attached_id() && kern_now() < end)
		usleep(10000);
	assert_no_prog();
}

static void busy_changes_nothing(void **state)
{
	static const struct {
		uint32_t first_flags, first_mode, flags, mode;
		int err;
		const char *msg;
	} cases[] = {
		{ XSK_PROG_NETLINK, XSK_ATTACH_NATIVE, 0, XSK_ATTACH_NATIVE,
		  -EBUSY, "xdpdrv off" },
		{ XSK_PROG_NETLINK, XSK_ATTACH_NATIVE, XSK_PROG_NETLINK,
		  XSK_ATTACH_AUTO, -EBUSY, "xdpdrv off" },
		{ 0, XSK_ATTACH_GENERIC, 0, XSK_ATTACH_GENERIC, -EBUSY,
		  "xdpgeneric off" },
		{ 0, XSK_ATTACH_GENERIC, XSK_PROG_NETLINK, XSK_ATTACH_GENERIC,
		  -EBUSY, "xdpgeneric off" },
		{ 0, XSK_ATTACH_GENERIC, 0, XSK_ATTACH_NATIVE, -EEXIST,
		  "native and generic" },
		{ XSK_PROG_NETLINK, XSK_ATTACH_NATIVE, XSK_PROG_NETLINK,
		  XSK_ATTACH_GENERIC, -EEXIST, "native and generic" },
	};
	struct end *first = end_new(*state, 0), *second = end_new(*state, 0);
	struct xsk_prog_opts o;
	enum xsk_attach_mode mode;
	bool untouched;
	unsigned int i;
	int fds, err;
	uint32_t id;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = XSK_OPTS(xsk_prog_opts, .flags = cases[i].first_flags,
			     .mode = cases[i].first_mode);
		end_prog(*state, first, &o);
		id = attached_id();
		/* A program or link that the refused attach left behind
		 * would hold an fd: a BPF object lives only through an fd,
		 * a link or an attachment (checked below). The kernel's
		 * list of all programs would say the same, but anything on
		 * the machine may load programs meanwhile. */
		fds = kern_count_fds();
		o = XSK_OPTS(xsk_prog_opts, .flags = cases[i].flags,
			     .mode = cases[i].mode);
		/* a refused attach leaves the out-parameter alone */
		second->prog = (struct xsk_prog *)&o;
		err = xsk_prog_attach(&second->prog, kern.ifname, 0, &o);
		untouched = second->prog == (struct xsk_prog *)&o;
		if (untouched)
			second->prog = NULL;
		assert_int_equal(err, cases[i].err);
		assert_true(untouched);
		if (!strstr(xsk_errmsg(), cases[i].msg) ||
		    !strstr(xsk_errmsg(), "xsk_redirect"))
			fail_msg("case %u: \"%s\"", i, xsk_errmsg());
		assert_int_equal(xsk_prog_query(kern.ifname, 0, &id, &mode), 0);
		assert_int_equal(id, attached_id());
		assert_int_equal(mode, cases[i].first_mode);
		assert_int_equal(kern_count_fds(), fds);
		assert_int_equal(end_prog_destroy(first), 0);
		assert_no_prog();
	}
}

static void pass_only(void **state)
{
	struct end *e = end_new(*state, 0);

	end_prog(*state, e,
		 &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_PASS_ONLY));
	assert_true(attached_id() != 0);
	assert_int_equal(xsk_prog_map_fd(e->prog), -1);
	assert_int_equal(end_prog_destroy(e), 0);
	assert_no_prog();
}

/* The caller's own map: a map-only handle makes it, a second handle runs
 * the built-in program on it. */
static void own_map(void **state)
{
	struct end *e = rx_sockets(*state, 1), *maponly = end_new(*state, 0);

	end_prog(*state, maponly,
		 &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_MAP_ONLY));
	assert_no_prog();
	assert_int_equal(xsk_prog_add_socket(maponly->prog, e->xsk[0]), 0);
	end_prog(*state, e,
		 &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_OWN_MAP,
			   .map_fd = xsk_prog_map_fd(maponly->prog)));
	/* e's program holds the map */
	assert_int_equal(end_prog_destroy(maponly), 0);
	burst_arrives(e);
	end_destroy(e);
	assert_no_prog();
}

/* Without the capabilities, the message names the one that is missing. */
#define NET_ADMIN KERN_CAP(CAP_NET_ADMIN)
#define SYS_ADMIN KERN_CAP(CAP_SYS_ADMIN)
#define CAP_BPF_ KERN_CAP(39) /* CAP_BPF, newer than some headers */

static int no_caps_child(void *arg)
{
	struct xsk_prog *p;
	int err, fd;

	(void)arg;
	/* nothing at all */
	if (kern_drop_caps(NET_ADMIN | SYS_ADMIN | CAP_BPF_, false))
		return 2;
	err = xsk_prog_attach(&p, kern.ifname, 0, NULL);
	if (err != -EPERM || !strstr(xsk_errmsg(), "CAP_BPF") ||
	    !strstr(xsk_errmsg(), "CAP_NET_ADMIN"))
		goto bad;

	/* CAP_BPF alone: an XDP program or an XSKMAP needs CAP_NET_ADMIN */
	if (kern_drop_caps(0, false))
		return 3;
	fd = kern_pass_prog(0);
	if (fd < 0)
		return 4;
	if (kern_drop_caps(NET_ADMIN | SYS_ADMIN, false))
		return 5;
	err = xsk_prog_attach(&p, kern.ifname, 0, NULL);
	if (err != -EPERM || !strstr(xsk_errmsg(), "needs CAP_NET_ADMIN") ||
	    strstr(xsk_errmsg(), "CAP_BPF (or"))
		goto bad;

	/* a loaded program, attached with rtnetlink: CAP_NET_ADMIN again */
	err = xsk_prog_attach(&p, kern.ifname, 0,
			      &XSK_OPTS(xsk_prog_opts,
					.flags = XSK_PROG_OWN_PROG |
						 XSK_PROG_NETLINK,
					.prog_fd = fd));
	if (err != -EPERM ||
	    !strstr(xsk_errmsg(),
		    "needs CAP_NET_ADMIN, which this process lacks"))
		goto bad;
	return 0;
bad:
	fprintf(stderr, "attach: %d %s\n", err, xsk_errmsg());
	return 1;
}

static void no_capabilities(void **state)
{
	(void)state;
	kern_in_child(no_caps_child, NULL);
	assert_no_prog();
}

/* ------------------------------------------- fork, foreign fds, slots */

static int destroy_in_child(void *prog)
{
	return xsk_prog_destroy(prog) ? 1 : 0;
}

/* A forked child's destroy lets go of the child's own references only: the
 * program stays attached, and redirecting, until the process that attached
 * it destroys it. */
static void fork_child_destroy_keeps_program(void **state)
{
	static const uint32_t flags[] = { 0, XSK_PROG_NETLINK };
	unsigned int i;
	struct end *e;
	uint32_t id;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		e = rx_sockets(*state, 1);
		end_prog(*state, e,
			 &XSK_OPTS(xsk_prog_opts, .flags = flags[i]));
		assert_int_equal(xsk_prog_add_socket(e->prog, e->xsk[0]), 0);
		id = attached_id();
		kern_in_child(destroy_in_child, e->prog);
		assert_int_equal(attached_id(), id);
		burst_arrives(e);
		end_destroy(e);
		assert_no_prog();
	}
}

/* The process that attached detaches at once, even while a child still
 * holds copies of the link (or program) fd. */
static void owner_destroy_detaches_despite_child(void **state)
{
	static const uint32_t flags[] = { 0, XSK_PROG_NETLINK };
	struct env *env = *state;
	struct end *e = end_new(env, 0);
	int hold[2], status;
	unsigned int i;
	pid_t pid;
	char b;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		end_prog(env, e, &XSK_OPTS(xsk_prog_opts, .flags = flags[i]));
		assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
		env_keep_fd(env, hold[0]);
		env_keep_fd(env, hold[1]);
		pid = env_fork(env);
		if (!pid) {
			/* hold the copies until the parent lets go */
			close(hold[1]);
			_exit(read(hold[0], &b, 1) == 0 ? 0 : 1);
		}
		env_close_fd(env, hold[0]);
		assert_int_equal(end_prog_destroy(e), 0);
		assert_no_prog();
		env_close_fd(env, hold[1]);
		status = env_wait(env, pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* xsk_prog_set_queue() refuses what the kernel would put into the map
 * although nothing could arrive there; emptying an empty slot is no error.
 * A map-only handle: no program, so nothing is ever redirected here. */
static void set_queue_checks_the_fd(void **state)
{
	struct env *env = *state;
	struct end *e = rx_sockets(env, 1), *maponly = end_new(env, 0);
	struct xsk_socket *txonly;
	int unbound, udp, pipefd[2], size = 64;
	struct xsk_prog *p;
	bool rx_known;

	end_prog(env, maponly,
		 &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_MAP_ONLY));
	p = maponly->prog;
	txonly = end_socket(env, e, 1,
			    &(struct sock_cfg){ .queue = 0,
						.flags = XSK_SOCKET_NO_RX });
	unbound = env_keep_fd(env, socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0));
	assert_true(unbound >= 0);
	assert_int_equal(setsockopt(unbound, SOL_XDP, XDP_RX_RING, &size,
				    sizeof(size)),
			 0);
	udp = env_keep_fd(env, socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	assert_true(udp >= 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	env_keep_fd(env, pipefd[0]);
	env_keep_fd(env, pipefd[1]);

	assert_int_equal(xsk_prog_set_queue(p, 0, unbound), -EOPNOTSUPP);
	if (!strstr(xsk_errmsg(), "not bound"))
		fail_msg("%s", xsk_errmsg());
	/* Linux 5.11 and later tell whether a bound socket has an RX ring */
	rx_known = recv(xsk_socket_fd(txonly), NULL, 0, 0) < 0 &&
		   errno == ENOBUFS;
	assert_int_equal(xsk_prog_set_queue(p, 0, xsk_socket_fd(txonly)),
			 rx_known ? -EOPNOTSUPP : 0);
	assert_int_equal(xsk_prog_set_queue(p, 0, udp), -EOPNOTSUPP);
	if (!strstr(xsk_errmsg(), "not an AF_XDP socket"))
		fail_msg("%s", xsk_errmsg());
	assert_int_equal(xsk_prog_set_queue(p, 0, pipefd[0]), -ENOTSOCK);
	env_close_fd(env, pipefd[1]);
	assert_int_equal(xsk_prog_set_queue(p, 0, pipefd[1]), -EBADF);

	assert_int_equal(xsk_prog_set_queue(p, 0, xsk_socket_fd(e->xsk[0])), 0);
	assert_int_equal(xsk_prog_clear_queue(p, 0), 0);
	assert_int_equal(xsk_prog_clear_queue(p, 0), 0);
	assert_int_equal(xsk_prog_remove_socket(p, e->xsk[0]), 0);
	end_destroy(e);
	assert_int_equal(end_prog_destroy(maponly), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KERN_CASE(rx_native),
		KERN_CASE(rx_generic),
		KERN_CASE(rx_auto_frags),
		KERN_CASE(rx_netlink),
		KERN_CASE(two_queues),
		KERN_CASE(first_destroyed_alone),
		KERN_CASE(first_destroyed_sharer),
		KERN_CASE(killed_child_leaves_nothing),
		KERN_CASE(busy_changes_nothing),
		KERN_CASE(pass_only),
		KERN_CASE(own_map),
		KERN_CASE(no_capabilities),
		KERN_CASE(fork_child_destroy_keeps_program),
		KERN_CASE(owner_destroy_detaches_despite_child),
		KERN_CASE(set_queue_checks_the_fd),
	};
	cpu_set_t set;
	int ret = kern_init();

	if (ret)
		return ret;
	peer_fd = kern_peer_socket();
	if (peer_fd < 0) {
		printf("SKIP: can't open an AF_PACKET socket in %s\n",
		       kern.peer_ns);
		return 77;
	}
	CPU_ZERO(&set);
	ncpus = sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
