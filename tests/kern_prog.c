// SPDX-License-Identifier: MIT
/*
 * The XDP program on a real kernel, run by tests/netns.sh inside a private
 * network namespace holding one end of a veth pair (XSK_IF); the other end
 * (XSK_PEER_IF) is in XSK_PEER_NS. Frames go only between the two.
 *
 * Frames are raw Ethernet frames with a private EtherType, a magic word, a
 * tag, a sequence number and a pattern; the peer sends them from an
 * AF_PACKET socket with PACKET_QDISC_BYPASS, which picks the transmit queue
 * from the sending CPU (cpu % queues), and veth hands a frame to the peer's
 * receive queue of the same number. Pinning the sender to a CPU therefore
 * chooses the queue a frame arrives on.
 *
 * Everything else the peer's stack sends (IPv6 neighbour discovery, MLD)
 * may reach the sockets too: frames without the magic word are skipped.
 *
 * The RX and fill rings are read here with small local helpers, following
 * the protocol in <xsk/ring.h>.
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <cmocka.h>

#include <xsk.h>
#include "kernutil.h"

#define ETH_P_TEST 0x88b5 /* IEEE local experimental */
#define MAGIC "LIBXSKPR"
#define NFRAMES 1024u
#define FRAME 4096u
#define BURST 32u

static const char *ifname, *peer_if, *peer_ns;
static unsigned char our_mac[ETH_ALEN];
static int peer_fd = -1;
static int ncpus;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --------------------------------------------------------- the peer end */

static int open_peer_socket(void)
{
	struct sockaddr_ll sll;
	char path[256];
	int own, peer, fd, one = 1;

	snprintf(path, sizeof(path), "/var/run/netns/%s", peer_ns);
	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	peer = open(path, O_RDONLY | O_CLOEXEC);
	if (own < 0 || peer < 0)
		return -1;
	if (setns(peer, CLONE_NEWNET))
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(peer_if);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
			setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
				   sizeof(one)))) {
		close(fd);
		fd = -1;
	}
	/* back home: the socket stays in the namespace it was made in */
	if (setns(own, CLONE_NEWNET))
		abort();
	close(own);
	close(peer);
	return fd;
}

static size_t frame_len(unsigned int seq)
{
	return 60 + seq % 97;
}

static void make_frame(unsigned char *f, char tag, unsigned int seq)
{
	size_t len = frame_len(seq), i;

	memcpy(f, our_mac, ETH_ALEN);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	f[12] = ETH_P_TEST >> 8;
	f[13] = ETH_P_TEST & 0xff;
	memcpy(f + 14, MAGIC, 8);
	f[22] = (unsigned char)tag;
	f[23] = (unsigned char)(seq >> 8);
	f[24] = (unsigned char)seq;
	for (i = 25; i < len; i++)
		f[i] = (unsigned char)(seq + i);
}

/* Send @n frames tagged @tag from CPU @cpu, so on queue cpu % queues. */
static void peer_send(char tag, unsigned int n, int cpu)
{
	unsigned char f[256];
	cpu_set_t old, one;
	unsigned int i;

	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	for (i = 0; i < n; i++) {
		make_frame(f, tag, i);
		assert_int_equal(send(peer_fd, f, frame_len(i), 0),
				 (ssize_t)frame_len(i));
	}
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
}

/* ------------------------------------------------------- the rings, raw */

static void fill(struct xsk_ring_prod *fq, uint64_t first, uint32_t n)
{
	uint32_t prod = *fq->producer, i;

	assert_true(n <= fq->size);
	for (i = 0; i < n; i++)
		((uint64_t *)fq->ring)[(prod + i) & fq->mask] =
			(first + i) * FRAME;
	/* publishes the addresses: pairs with the kernel's acquire */
	__atomic_store_n(fq->producer, prod + n, __ATOMIC_RELEASE);
}

struct rx_count {
	unsigned int ours[2]; /* frames tagged 'A' (0) and 'B' (1) */
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
	unsigned char want[256];
	const struct xdp_desc *d;
	const unsigned char *f;
	unsigned int seq;

	for (; cons != prod; cons++) {
		d = &((const struct xdp_desc *)rx->ring)[cons & rx->mask];
		f = (const unsigned char *)xsk_umem_area(umem) + d->addr;
		((uint64_t *)fq->ring)[fprod++ & fq->mask] =
			d->addr - d->addr % FRAME;
		if (d->len < 25 || memcmp(f + 14, MAGIC, 8)) {
			c->foreign++;
			continue;
		}
		seq = (unsigned int)f[23] << 8 | f[24];
		assert_int_equal(d->len, frame_len(seq));
		make_frame(want, (char)f[22], seq);
		assert_memory_equal(f, want, d->len);
		assert_true(f[22] == 'A' || f[22] == 'B');
		c->ours[f[22] - 'A']++;
	}
	/* the descriptors are read: pairs with the kernel's acquire */
	__atomic_store_n(rx->consumer, cons, __ATOMIC_RELEASE);
	__atomic_store_n(fq->producer, fprod, __ATOMIC_RELEASE);
}

/* Wait until @want of our frames came, for at most two seconds. */
static void receive(struct xsk_socket **xsk, unsigned int nxsk,
		    struct xsk_umem *umem, struct rx_count *c,
		    unsigned int want)
{
	double end = now() + 2;
	unsigned int i, got;

	do {
		for (i = 0; i < nxsk; i++) {
			xsk_socket_poll(xsk[i], POLLIN, 20);
			take(xsk[i], umem, &c[i]);
		}
		for (got = 0, i = 0; i < nxsk; i++)
			got += c[i].ours[0] + c[i].ours[1];
	} while (got < want && now() < end);
}

/* ------------------------------------------------------------ set-ups */

struct rig {
	struct xsk_umem *umem;
	struct xsk_socket *xsk[2];
	struct xsk_prog *prog;
};

static void rig_sockets(struct rig *r, unsigned int n)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = NFRAMES,
					   .frame_size = FRAME);
	struct xsk_socket_opts so = XSK_OPTS(xsk_socket_opts, .ifname = ifname,
					     .flags = XSK_SOCKET_NO_TX);
	unsigned int q;
	double end;
	int err;

	memset(r, 0, sizeof(*r));
	err = xsk_umem_create(&r->umem, &uo);
	if (err)
		fail_msg("xsk_umem_create: %s", xsk_errmsg());
	for (q = 0; q < n; q++) {
		so.queue_id = q;
		/* the previous test's socket on this queue may still be
		 * going away: the kernel tears sockets down asynchronously */
		end = now() + 2;
		do {
			err = xsk_socket_create(&r->xsk[q], r->umem, &so);
		} while (err == -EBUSY && now() < end && !usleep(10000));
		if (err)
			fail_msg("xsk_socket_create(queue %u): %s", q,
				 xsk_errmsg());
		/* each queue has its own fill ring: half the frames each */
		fill(xsk_socket_fill(r->xsk[q]), q * (NFRAMES / 2),
		     NFRAMES / 4);
	}
}

static void rig_free(struct rig *r)
{
	unsigned int q;

	if (r->prog)
		assert_int_equal(xsk_prog_destroy(r->prog), 0);
	for (q = 2; q-- > 0;)
		if (r->xsk[q])
			assert_int_equal(xsk_socket_destroy(r->xsk[q]), 0);
	assert_int_equal(xsk_umem_destroy(r->umem), 0);
}

static void assert_no_prog(void)
{
	enum xsk_attach_mode mode;
	uint32_t id = 1;

	assert_int_equal(xsk_prog_query(ifname, 0, &id, &mode), 0);
	assert_int_equal(id, 0);
	assert_int_equal(mode, XSK_ATTACH_AUTO);
}

static void attach_or_fail(struct xsk_prog **p, const struct xsk_prog_opts *o)
{
	if (xsk_prog_attach(p, ifname, 0, o))
		fail_msg("xsk_prog_attach: %s", xsk_errmsg());
}

/* One socket on queue 0, the program in @o's mode, frames from the peer. */
static void rx_one(const struct xsk_prog_opts *o, enum xsk_attach_mode mode)
{
	enum xsk_attach_mode qmode;
	struct rx_count c[1];
	struct rig r;
	uint32_t id;

	rig_sockets(&r, 1);
	attach_or_fail(&r.prog, o);
	assert_int_equal(xsk_prog_mode(r.prog), mode);
	assert_int_equal(xsk_prog_query(ifname, 0, &id, &qmode), 0);
	assert_true(id != 0);
	assert_int_equal(qmode, mode);
	assert_int_equal(xsk_prog_add_socket(r.prog, r.xsk[0]), 0);

	memset(c, 0, sizeof(c));
	peer_send('A', BURST, 0);
	receive(r.xsk, 1, r.umem, c, BURST);
	assert_int_equal(c[0].ours[0], BURST);

	/* out of the map: frames go to the stack again */
	assert_int_equal(xsk_prog_remove_socket(r.prog, r.xsk[0]), 0);
	memset(c, 0, sizeof(c));
	peer_send('A', 4, 0);
	receive(r.xsk, 1, r.umem, c, 1);
	assert_int_equal(c[0].ours[0], 0);

	rig_free(&r);
	assert_no_prog();
}

static void rx_native(void **state)
{
	(void)state;
	rx_one(&XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_NATIVE),
	       XSK_ATTACH_NATIVE);
}

static void rx_generic(void **state)
{
	(void)state;
	rx_one(&XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_GENERIC),
	       XSK_ATTACH_GENERIC);
}

static void rx_auto_frags(void **state)
{
	(void)state;
	/* veth has native XDP, and multi-buffer XDP since 5.19 */
	rx_one(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_FRAGS),
	       XSK_ATTACH_NATIVE);
}

static void rx_netlink(void **state)
{
	(void)state;
	rx_one(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_NETLINK,
			 .mode = XSK_ATTACH_NATIVE),
	       XSK_ATTACH_NATIVE);
	rx_one(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_NETLINK,
			 .mode = XSK_ATTACH_GENERIC),
	       XSK_ATTACH_GENERIC);
}

/* Two sockets on two queues share one program and map; each receives only
 * what arrives on its own queue. */
static void two_queues(void **state)
{
	struct rx_count c[2];
	struct rig r;
	const char *queues = getenv("XSK_QUEUES");

	(void)state;
	/* one CPU can't pick two queues; one queue is one queue */
	if (ncpus < 2 || (queues && atoi(queues) < 2))
		skip();
	rig_sockets(&r, 2);
	attach_or_fail(&r.prog,
		       &XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_NATIVE));
	assert_true(xsk_prog_nqueues(r.prog) >= 2);
	assert_int_equal(xsk_prog_add_socket(r.prog, r.xsk[0]), 0);
	assert_int_equal(xsk_prog_add_socket(r.prog, r.xsk[1]), 0);

	memset(c, 0, sizeof(c));
	peer_send('A', BURST, 0); /* CPU 0: queue 0 */
	peer_send('B', BURST, 1); /* CPU 1: queue 1 */
	receive(r.xsk, 2, r.umem, c, 2 * BURST);
	assert_int_equal(c[0].ours[0], BURST);
	assert_int_equal(c[0].ours[1], 0);
	assert_int_equal(c[1].ours[0], 0);
	assert_int_equal(c[1].ours[1], BURST);

	/* queue 1 out of the map: its frames go to the stack, queue 0's
	 * still come */
	assert_int_equal(xsk_prog_remove_socket(r.prog, r.xsk[1]), 0);
	memset(c, 0, sizeof(c));
	peer_send('B', 8, 1);
	peer_send('A', 8, 0);
	receive(r.xsk, 2, r.umem, c, 16);
	assert_int_equal(c[0].ours[0], 8);
	assert_int_equal(c[1].ours[1], 0);
	rig_free(&r);
	assert_no_prog();
}

/* --------------------------------------------- what stays, what goes */

static uint32_t attached_id(void)
{
	uint32_t id = 0;

	assert_int_equal(xsk_prog_query(ifname, 0, &id, NULL), 0);
	return id;
}

static void killed_child_leaves_nothing(void **state)
{
	int ready[2], status;
	double end;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct xsk_prog *p;

		if (xsk_prog_attach(&p, ifname, 0, NULL))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_true(attached_id() != 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	/* the link's last reference goes with the process; its release is
	 * deferred to a work queue, so allow it a moment */
	end = now() + 2;
	while (attached_id() && now() < end)
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
	struct xsk_prog_opts o;
	struct xsk_prog *first, *second;
	enum xsk_attach_mode mode;
	unsigned int i;
	int fds;
	uint32_t id;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = XSK_OPTS(xsk_prog_opts, .flags = cases[i].first_flags,
			     .mode = cases[i].first_mode);
		attach_or_fail(&first, &o);
		id = attached_id();
		/* A program or link that the refused attach left behind
		 * would hold an fd: a BPF object lives only through an fd,
		 * a link or an attachment (checked below). The kernel's
		 * list of all programs would say the same, but anything on
		 * the machine may load programs meanwhile. */
		fds = kern_count_fds();
		second = (struct xsk_prog *)&o;
		o = XSK_OPTS(xsk_prog_opts, .flags = cases[i].flags,
			     .mode = cases[i].mode);
		assert_int_equal(xsk_prog_attach(&second, ifname, 0, &o),
				 cases[i].err);
		assert_ptr_equal(second, &o);
		if (!strstr(xsk_errmsg(), cases[i].msg) ||
		    !strstr(xsk_errmsg(), "xsk_redirect"))
			fail_msg("case %u: \"%s\"", i, xsk_errmsg());
		assert_int_equal(xsk_prog_query(ifname, 0, &id, &mode), 0);
		assert_int_equal(id, attached_id());
		assert_int_equal(mode, cases[i].first_mode);
		assert_int_equal(kern_count_fds(), fds);
		assert_int_equal(xsk_prog_destroy(first), 0);
		assert_no_prog();
	}
}

static void pass_only(void **state)
{
	struct xsk_prog *p;

	(void)state;
	attach_or_fail(&p,
		       &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_PASS_ONLY));
	assert_true(attached_id() != 0);
	assert_int_equal(xsk_prog_map_fd(p), -1);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_no_prog();
}

/* The caller's own map: a map-only handle makes it, a second handle runs
 * the built-in program on it. */
static void own_map(void **state)
{
	struct xsk_prog *maponly, *p;
	struct rx_count c[1];
	struct rig r;

	(void)state;
	rig_sockets(&r, 1);
	attach_or_fail(&maponly,
		       &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_MAP_ONLY));
	assert_no_prog();
	assert_int_equal(xsk_prog_add_socket(maponly, r.xsk[0]), 0);
	attach_or_fail(&p, &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_OWN_MAP,
				     .map_fd = xsk_prog_map_fd(maponly)));
	assert_int_equal(xsk_prog_destroy(maponly), 0); /* p holds the map */
	memset(c, 0, sizeof(c));
	peer_send('A', BURST, 0);
	receive(r.xsk, 1, r.umem, c, BURST);
	assert_int_equal(c[0].ours[0], BURST);
	r.prog = p;
	rig_free(&r);
	assert_no_prog();
}

/* Without the capabilities, the message names the one that is missing. */
static int set_caps(uint64_t drop)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(__NR_capget, &h, d))
		return -1;
	d[0].effective = d[0].permitted & ~(uint32_t)drop;
	d[1].effective = d[1].permitted & ~(uint32_t)(drop >> 32);
	return (int)syscall(__NR_capset, &h, d);
}

#define CAPB(n) (1ull << (n))
#define NET_ADMIN CAPB(12)
#define SYS_ADMIN CAPB(21)
#define CAP_BPF_ CAPB(39)

static int pass_prog(void)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uintptr_t) "MIT";
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

static int no_caps_child(void)
{
	struct xsk_prog *p;
	int err, fd;

	/* nothing at all */
	if (set_caps(NET_ADMIN | SYS_ADMIN | CAP_BPF_))
		return 2;
	err = xsk_prog_attach(&p, ifname, 0, NULL);
	if (err != -EPERM || !strstr(xsk_errmsg(), "CAP_BPF") ||
	    !strstr(xsk_errmsg(), "CAP_NET_ADMIN"))
		goto bad;

	/* CAP_BPF alone: an XDP program or an XSKMAP needs CAP_NET_ADMIN */
	if (set_caps(0))
		return 3;
	fd = pass_prog();
	if (fd < 0)
		return 4;
	if (set_caps(NET_ADMIN | SYS_ADMIN))
		return 5;
	err = xsk_prog_attach(&p, ifname, 0, NULL);
	if (err != -EPERM || !strstr(xsk_errmsg(), "needs CAP_NET_ADMIN") ||
	    strstr(xsk_errmsg(), "CAP_BPF (or"))
		goto bad;

	/* a loaded program, attached with rtnetlink: CAP_NET_ADMIN again */
	err = xsk_prog_attach(&p, ifname, 0,
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
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(no_caps_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_no_prog();
}

/* ------------------------------------------- fork, foreign fds, slots */

/* A forked child's destroy lets go of the child's own references only: the
 * program stays attached, and redirecting, until the process that attached
 * it destroys it. */
static void fork_child_destroy_keeps_program(void **state)
{
	static const uint32_t flags[] = { 0, XSK_PROG_NETLINK };
	struct rx_count c[1];
	unsigned int i;
	struct rig r;
	int status;
	uint32_t id;
	pid_t pid;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		rig_sockets(&r, 1);
		attach_or_fail(&r.prog,
			       &XSK_OPTS(xsk_prog_opts, .flags = flags[i]));
		assert_int_equal(xsk_prog_add_socket(r.prog, r.xsk[0]), 0);
		id = attached_id();
		pid = fork();
		assert_true(pid >= 0);
		if (!pid)
			_exit(xsk_prog_destroy(r.prog) ? 1 : 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_int_equal(attached_id(), id);
		memset(c, 0, sizeof(c));
		peer_send('A', BURST, 0);
		receive(r.xsk, 1, r.umem, c, BURST);
		assert_int_equal(c[0].ours[0], BURST);
		rig_free(&r);
		assert_no_prog();
	}
}

/* The process that attached detaches at once, even while a child still
 * holds copies of the link (or program) fd. */
static void owner_destroy_detaches_despite_child(void **state)
{
	static const uint32_t flags[] = { 0, XSK_PROG_NETLINK };
	struct xsk_prog *p;
	int hold[2], status;
	unsigned int i;
	pid_t pid;
	char b;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		attach_or_fail(&p, &XSK_OPTS(xsk_prog_opts, .flags = flags[i]));
		assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid) {
			/* hold the copies until the parent lets go */
			close(hold[1]);
			alarm(10);
			_exit(read(hold[0], &b, 1) == 0 ? 0 : 1);
		}
		close(hold[0]);
		assert_int_equal(xsk_prog_destroy(p), 0);
		assert_no_prog();
		close(hold[1]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* xsk_prog_set_queue() refuses what the kernel would put into the map
 * although nothing could arrive there; emptying an empty slot is no error.
 * A map-only handle: no program, so nothing is ever redirected here. */
static void set_queue_checks_the_fd(void **state)
{
	struct xsk_socket_opts so = XSK_OPTS(xsk_socket_opts, .ifname = ifname,
					     .flags = XSK_SOCKET_NO_RX);
	struct xsk_socket *txonly;
	int unbound, udp, pipefd[2], size = 64;
	struct xsk_prog *p;
	bool rx_known;
	struct rig r;

	(void)state;
	rig_sockets(&r, 1);
	attach_or_fail(&p,
		       &XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_MAP_ONLY));
	if (xsk_socket_create(&txonly, r.umem, &so))
		fail_msg("xsk_socket_create: %s", xsk_errmsg());
	unbound = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(unbound >= 0);
	assert_int_equal(setsockopt(unbound, SOL_XDP, XDP_RX_RING, &size,
				    sizeof(size)),
			 0);
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(udp >= 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);

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
	close(pipefd[1]);
	assert_int_equal(xsk_prog_set_queue(p, 0, pipefd[1]), -EBADF);

	assert_int_equal(xsk_prog_set_queue(p, 0, xsk_socket_fd(r.xsk[0])), 0);
	assert_int_equal(xsk_prog_clear_queue(p, 0), 0);
	assert_int_equal(xsk_prog_clear_queue(p, 0), 0);
	assert_int_equal(xsk_prog_remove_socket(p, r.xsk[0]), 0);

	close(pipefd[0]);
	close(udp);
	close(unbound);
	assert_int_equal(xsk_socket_destroy(txonly), 0);
	assert_int_equal(xsk_prog_destroy(p), 0);
	rig_free(&r);
}

static int our_mac_address(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -1;
	memcpy(our_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rx_native),
		cmocka_unit_test(rx_generic),
		cmocka_unit_test(rx_auto_frags),
		cmocka_unit_test(rx_netlink),
		cmocka_unit_test(two_queues),
		cmocka_unit_test(killed_child_leaves_nothing),
		cmocka_unit_test(busy_changes_nothing),
		cmocka_unit_test(pass_only),
		cmocka_unit_test(own_map),
		cmocka_unit_test(no_capabilities),
		cmocka_unit_test(fork_child_destroy_keeps_program),
		cmocka_unit_test(owner_destroy_detaches_despite_child),
		cmocka_unit_test(set_queue_checks_the_fd),
	};
	cpu_set_t set;

	ifname = getenv("XSK_IF");
	peer_if = getenv("XSK_PEER_IF");
	peer_ns = getenv("XSK_PEER_NS");
	if (!ifname || !peer_if || !peer_ns) {
		printf("SKIP: run me with tests/netns.sh\n");
		return 77;
	}
	if (our_mac_address()) {
		printf("SKIP: can't read the MAC address of %s\n", ifname);
		return 77;
	}
	peer_fd = open_peer_socket();
	if (peer_fd < 0) {
		printf("SKIP: can't open an AF_PACKET socket in %s\n", peer_ns);
		return 77;
	}
	CPU_ZERO(&set);
	ncpus = sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
