// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel: lifecycle and privileges.
 * A hundred rounds of set-up, traffic and teardown leave no fd, mapping,
 * pinned page, program or interface behind; a socket closed and re-created
 * at once on the same queue works each time; an unprivileged process given
 * a socket and a program by a privileged one receives, and can neither
 * attach nor detach. Every case runs over the mode matrix, on a veth pair
 * of its own (see traffic.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "traffic.h"

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
	double end, t = kern_now();
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
	end = kern_now() + 10;
	while (count_progs() > progs && kern_now() < end)
		usleep(10000);
	assert_true(count_progs() <= progs);
	printf("    100 rounds of 64 frames in %.2f s; after: fds %d, ring mappings %d, pinned %ld kB, BPF programs <= %u, interfaces %u, as before\n",
	       kern_now() - t, fds, maps, pinned, progs, links);
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
		t = kern_now();
		end_socket(env, rx, 0,
			   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX,
					       .bind_wait_ms = 500 });
		t = kern_now() - t;
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
	}
	printf("    20 sockets on queue 0 in a row, 64 frames each; slowest create %.1f ms\n",
	       worst * 1000);
	fflush(stdout);
}

/* -------------------------------------------------- privilege split */

#define PRIV_FRAMES 64u
#define PRIV_BATCH 32u
#define PRIV_ROUNDS 20u

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
	/* a fill ring with room for every frame: the kernel publishes RX
	 * descriptors before it releases the fill slots they came from */
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts,
					   .nframes = PRIV_FRAMES,
					   .fill_size = 2 * PRIV_FRAMES,
					   .comp_size = PRIV_FRAMES);
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
	int fds[2], err;
	double end;
	const char *why;

	if (!c->env->p->wakeup)
		so.flags |= XSK_SOCKET_NO_NEED_WAKEUP;
	if (kern_recv_fds(c->sock, fds, 2))
		CHILD_FAIL("no fds from the parent");
	/* The limit first: raising it above the hard limit needs
	 * CAP_SYS_RESOURCE, and before Linux 5.16 the default is 64 KiB,
	 * less than this UMEM (after, 8 MiB, and this lowers it). */
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		CHILD_FAIL("setrlimit: %s", strerror(errno));
	if (kern_drop_caps(~0ull, true))
		CHILD_FAIL("can't drop the capabilities");

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
	xsk_umem_get_bounds(umem, &b);
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
	end = kern_now() + 10;
	while (got < PRIV_ROUNDS * PRIV_BATCH && kern_now() < end) {
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
			if (!frame_ours(f, d->len))
				continue;
			seq = frame_seq(f);
			if (seq != got)
				CHILD_FAIL("frame %u arrived, %u was due", seq,
					   got);
			why = frame_check(f, d->len, c->env->mac[0],
					  c->env->mac[1], c->stream,
					  frame_len(seq));
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
	env_keep_fd(env, sp[0]);
	env_keep_fd(env, sp[1]);
	pid = env_fork(env);
	if (!pid) {
		close(sp[0]);
		c.sock = sp[1];
		status = child_main(&c);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	env_close_fd(env, sp[1]);
	/* made after the fork: the child gets it only over the socket */
	fds[0] = env_keep_fd(env, socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0));
	fds[1] = xsk_prog_fd(prog_end->prog);
	assert_true(fds[0] >= 0);
	assert_int_equal(kern_send_fds(sp[0], fds, 2), 0);
	if (read(sp[0], &b, 1) != 1) {
		env_wait(env, pid);
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
	env_close_fd(env, sp[0]);
	env_close_fd(env, fds[0]);
	status = env_wait(env, pid);
	report(&l, "checked by the child");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(l.received, PRIV_ROUNDS * PRIV_BATCH);
	/* the child's detach changed nothing */
	assert_int_equal(xsk_prog_query(env->ifname[0], 0, &id, NULL), 0);
	assert_true(id != 0);
}

int main(void)
{
	static const struct case_def cases[] = {
		{ "teardown_loop", teardown_loop, ALL_ROWS },
		{ "recreate_same_queue", recreate_same_queue, ALL_ROWS },
		{ "privilege_split", privilege_split, ALL_ROWS },
	};

	return traffic_main("lifecycle and privileges on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
