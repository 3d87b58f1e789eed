// SPDX-License-Identifier: MIT
/*
 * Several processes on one interface, on a real kernel (run by
 * tests/netns.sh): an unprivileged worker in a user namespace, with no
 * capability, receives and sends through a socket a privileged parent
 * handed over (xsk_fds_send()); a second bind on a taken queue says who
 * holds it; a worker hands its bound socket and UMEM to a successor while
 * frames flow, and every frame is either received once, in order, or
 * counted by the kernel as dropped for a full ring.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "traffic.h"
#include "testutil.h"

static int peer; /* AF_PACKET socket on the peer end */

/* A child process's failure, said on stderr: its exit status. */
static int __attribute__((format(printf, 1, 2)))
child_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "child: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 1;
}

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* The last case's socket on the queue is released by a kernel worker a
 * moment after its close: a new bind waits for it. */
#define BIND_WAIT_MS 2000

/* A child's message on @fd, or fail (within 20 s) rather than block on a
 * child that failed before writing: another child may hold the other end
 * open. */
static void await_child(int fd, const char *who)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 20000) != 1)
		fail_msg("%s said nothing in 20 s (see its \"child:\" line)",
			 who);
}

/* What a receiver saw of a stream. */
struct rx_count {
	uint32_t next; /* the sequence number due */
	uint32_t got, first, last;
};

/* Frames of @stream received on @xsk, in order from @c->next (with
 * @stop_on_gap: without a gap), recycled to the fill ring at once; stops
 * at @want or after @seconds. How many arrived; -1 on a frame out of
 * order or malformed (printed). */
static long rx_frames(struct xsk_socket *xsk, const struct xsk_umem_bounds *b,
		      uint32_t stream, struct rx_count *c, uint32_t want,
		      double seconds, bool stop_on_gap)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(xsk);
	struct xsk_ring_prod *fq = xsk_socket_fill(xsk);
	double end = kern_now() + seconds;
	uint32_t got = 0, n, i, idx, fidx, seq;
	const char *why;
	int err;

	while (got < want && kern_now() < end) {
		xsk_socket_wake_rx(xsk);
		n = xsk_ring_cons__peek(rx, 64, &idx);
		if (!n) {
			xsk_socket_poll(xsk, POLLIN, 5);
			continue;
		}
		if (xsk_ring_prod__reserve(fq, n, &fidx) != n) {
			fprintf(stderr, "fill ring full\n");
			return -1;
		}
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(rx, idx + i);
			const unsigned char *f = xsk_umem__get_data_checked(
				b, d->addr, d->len, &err);

			*xsk_ring_prod__fill_addr(fq, fidx + i) =
				d->addr - d->addr % b->chunk_size;
			if (!f || !frame_ours(f, d->len) ||
			    frame_stream(f) != stream)
				continue;
			seq = frame_seq(f);
			if (seq < c->next || (stop_on_gap && seq != c->next)) {
				fprintf(stderr,
					"frame %u arrived, %u was due\n", seq,
					c->next);
				return -1;
			}
			why = frame_check(f, d->len, kern.mac, kern.peer_mac,
					  stream, frame_len(seq));
			if (why) {
				fprintf(stderr, "frame %u: %s\n", seq, why);
				return -1;
			}
			if (!c->got)
				c->first = seq;
			c->last = seq;
			c->next = seq + 1;
			c->got++;
			got++;
		}
		xsk_ring_cons__release(rx, n);
		xsk_ring_prod__submit(fq, n);
	}
	return got;
}

/* Put @n frames (from 0) on @fq. */
static void stock_fill(struct xsk_socket *xsk, uint32_t n, uint32_t fs)
{
	struct xsk_ring_prod *fq = xsk_socket_fill(xsk);
	uint32_t idx, i;

	n = xsk_ring_prod__reserve(fq, n, &idx);
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(fq, idx + i) = (uint64_t)i * fs;
	xsk_ring_prod__submit(fq, n);
}

/* ------------------------------------------------ unprivileged worker */

#define W_FRAMES 256u
#define W_RX 64u /* frames the worker receives */
#define W_TX 64u /* and sends */
#define W_STREAM 41u

struct worker_ctx {
	struct env *env;
	int sock;
};

/* Send W_TX frames of stream W_STREAM + 1 from the upper half of the
 * UMEM; 0, or -1. */
static int worker_send(struct xsk_socket *xsk, struct xsk_umem *umem)
{
	struct xsk_ring_prod *tx = xsk_socket_tx(xsk);
	struct xsk_ring_cons *cq = xsk_socket_comp(xsk);
	uint32_t idx, i, done = 0, seq, len;
	unsigned char *area = xsk_umem_area(umem);
	double end = kern_now() + 5;
	uint64_t addr;

	if (xsk_ring_prod__reserve(tx, W_TX, &idx) != W_TX)
		return -1;
	for (i = 0; i < W_TX; i++) {
		seq = i;
		len = frame_len(seq);
		addr = (uint64_t)(W_FRAMES / 2 + i % (W_FRAMES / 2)) * 4096;
		frame_make(area + addr, kern.peer_mac, kern.mac, W_STREAM + 1,
			   seq, len);
		xsk_ring_prod__tx_desc(tx, idx + i)->addr = addr;
		xsk_ring_prod__tx_desc(tx, idx + i)->len = len;
		xsk_ring_prod__tx_desc(tx, idx + i)->options = 0;
	}
	xsk_ring_prod__submit(tx, W_TX);
	while (done < W_TX && kern_now() < end) {
		xsk_socket_kick_tx(xsk);
		i = xsk_ring_cons__peek(cq, W_TX, &idx);
		xsk_ring_cons__release(cq, i);
		done += i;
	}
	return done == W_TX ? 0 : -1;
}

/*
 * The worker: takes the socket, raises its locked-memory limit while it
 * still may, enters a user namespace of its own (where the kernel allows)
 * and drops every capability, then sets the socket up, receives and sends.
 */
static int worker_main(struct worker_ctx *c)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = W_FRAMES,
					   .fill_size = W_FRAMES,
					   .comp_size = W_FRAMES);
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = c->env->ifname[0],
			 .rx_size = W_FRAMES, .tx_size = W_FRAMES,
			 .bind_wait_ms = BIND_WAIT_MS);
	struct rlimit rl = { 2 * W_FRAMES * 4096, 2 * W_FRAMES * 4096 };
	struct xsk_umem_bounds b;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	struct rx_count rc = { 0 };
	uint32_t queue = ~0u;
	size_t len = sizeof(queue);
	bool userns;
	int fd;
	long got;

	if (xsk_fds_recv(c->sock, &fd, 1, &queue, &len) || len != 4)
		return child_fail("xsk_fds_recv: %s", xsk_errmsg());
	so.queue_id = queue;
	/* before 5.11 and after it alike, the UMEM is charged to
	 * RLIMIT_MEMLOCK: set it while CAP_SYS_RESOURCE still allows */
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return child_fail("setrlimit: %s", strerror(errno));
	userns = !unshare(CLONE_NEWUSER);
	if (kern_drop_caps(~0ull, true))
		return child_fail("can't drop the capabilities");
	printf("    worker: %s, no capabilities, RLIMIT_MEMLOCK %llu KiB\n",
	       userns ? "in a user namespace of its own" :
			"(no user namespace here)",
	       (unsigned long long)rl.rlim_cur >> 10);
	if (xsk_umem_create(&umem, &uo) != -EPERM)
		return child_fail("a socket of its own was not refused");
	if (xsk_umem_create_fd(&umem, fd, &uo))
		return child_fail("xsk_umem_create_fd: %s", xsk_errmsg());
	if (xsk_socket_create(&xsk, umem, &so))
		return child_fail("xsk_socket_create: %s", xsk_errmsg());
	xsk_umem_get_bounds(umem, &b);
	stock_fill(xsk, W_FRAMES / 2, 4096);
	if (write(c->sock, "b", 1) != 1)
		return child_fail("telling the parent");
	got = rx_frames(xsk, &b, W_STREAM, &rc, W_RX, 10, true);
	if (got != W_RX)
		return child_fail("received %ld of %u", got, W_RX);
	if (worker_send(xsk, umem))
		return child_fail("sending: %s", xsk_errmsg());
	xsk_socket_destroy(xsk);
	xsk_umem_destroy(umem);
	return 0;
}

static void unprivileged_worker(void **state)
{
	struct env *env = *state;
	struct end *prog_end = end_new(env, 0);
	struct worker_ctx c = { .env = env };
	unsigned char f[FRAME_MAX_LEN];
	uint32_t queue = 0, got = 0, seq;
	int sp[2], fd, status;
	double end;
	long n;
	pid_t pid;
	char b;

	end_prog(env, prog_end, NULL);
	assert_int_equal(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	env_keep_fd(env, sp[0]);
	env_keep_fd(env, sp[1]);
	pid = env_fork(env);
	if (!pid) {
		c.sock = sp[1];
		status = worker_main(&c);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	env_close_fd(env, sp[1]);
	/* made after the fork: the worker gets it only over the socket */
	fd = env_keep_fd(env, socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0));
	assert_true(fd >= 0);
	assert_int_equal(xsk_fds_send(sp[0], &fd, 1, &queue, sizeof(queue)), 0);
	if (read(sp[0], &b, 1) != 1) {
		env_wait(env, pid);
		fail_msg("the worker failed before binding");
	}
	assert_int_equal(xsk_prog_set_queue(prog_end->prog, queue, fd), 0);
	peer_send(peer, W_STREAM, 0, W_RX, 0);
	/* what the worker sends arrives at the peer */
	end = kern_now() + 10;
	while (got < W_TX && kern_now() < end) {
		n = kern_peer_recv(peer, f, sizeof(f), 100);
		if (n < FRAME_OFF_DATA || !frame_ours(f, (uint32_t)n) ||
		    frame_stream(f) != W_STREAM + 1)
			continue;
		seq = frame_seq(f);
		assert_int_equal(seq, got);
		assert_null(frame_check(f, (uint32_t)n, kern.peer_mac, kern.mac,
					W_STREAM + 1, frame_len(seq)));
		got++;
	}
	status = env_wait(env, pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(got, W_TX);
	printf("    the worker received %u frames and sent %u\n", W_RX, got);
}

/* ------------------------------------------------- who holds the queue */

/* Does this kernel answer AF_XDP socket diagnostics? */
static bool have_xsk_diag(void)
{
	struct {
		struct nlmsghdr nh;
		unsigned char req[20];
	} r;
	char buf[8192];
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	const struct nlmsghdr *nh = (const void *)buf;
	bool ok = false;
	ssize_t n;

	if (s < 0)
		return false;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = sizeof(r);
	r.nh.nlmsg_type = 20; /* SOCK_DIAG_BY_FAMILY */
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.req[0] = AF_XDP;
	if (send(s, &r, sizeof(r), 0) == sizeof(r)) {
		n = recv(s, buf, sizeof(buf), 0);
		ok = n >= (ssize_t)sizeof(*nh) && nh->nlmsg_type != NLMSG_ERROR;
	}
	close(s);
	return ok;
}

static void ebusy_names_holder(void **state)
{
	struct env *env = *state;
	struct end *a = end_new(env, 0), *b = end_new(env, 0);
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = env->ifname[0]);
	struct xsk_socket *xsk;
	char want[64];
	bool diag = have_xsk_diag();
	/* Linux 6.15 reports an AF_XDP socket per queue in netdev netlink. */
	bool netdev = kern_release_at_least(6, 15);

	end_umem(a, 4096, 64, 0, 0, 64);
	end_umem(b, 4096, 64, 0, 0, 64);
	end_socket(env, a, 0, &(struct sock_cfg){ .queue = 0 });
	assert_int_equal(xsk_socket_create(&xsk, b->umem, &so), -EBUSY);
	printf("    %s\n", xsk_errmsg());
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BIND_WAIT);
	if (diag) {
		snprintf(want, sizeof(want), "of process %d (", (int)getpid());
		assert_msg(want);
	} else if (netdev) {
		assert_msg("held by an AF_XDP socket (as netdev netlink");
	} else {
		assert_msg("another AF_XDP socket is bound to it");
	}
	printf("    (AF_XDP socket diagnostics: %s; netdev netlink queue xsk: %s)\n",
	       diag ? "yes" : "no", netdev ? "yes" : "no");
}

/* --------------------------------------------- hand-over while flowing */

#define H_FRAMES 4096u /* UMEM, and the fill ring */
#define H_RX 2048u /* RX ring */
#define H_SEND 40000u
#define H_STREAM 43u

struct h_report {
	struct rx_count c;
	struct xsk_stats st;
};

/* Receive until the parent writes to @ctl, then hand over on @succ. */
static int predecessor(struct env *env, int ctl, int succ)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = H_FRAMES,
					   .fill_size = H_FRAMES,
					   .flags = XSK_UMEM_MEMFD);
	struct xsk_socket_opts so = XSK_OPTS(
		xsk_socket_opts, .ifname = env->ifname[0], .rx_size = H_RX,
		.flags = XSK_SOCKET_NO_TX, .bind_wait_ms = BIND_WAIT_MS);
	struct h_report r = { 0 };
	struct xsk_umem_bounds b;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	int fd, err;
	char c;

	if (xsk_umem_create(&umem, &uo) || xsk_socket_create(&xsk, umem, &so))
		return child_fail("setup: %s", xsk_errmsg());
	xsk_umem_get_bounds(umem, &b);
	stock_fill(xsk, H_FRAMES, 4096);
	fd = xsk_socket_fd(xsk);
	if (xsk_fds_send(ctl, &fd, 1, NULL, 0))
		return child_fail("sending the fd: %s", xsk_errmsg());
	while (recv(ctl, &c, 1, MSG_DONTWAIT) != 1)
		if (rx_frames(xsk, &b, H_STREAM, &r.c, 64, 0.001, false) < 0)
			return 1;
	err = xsk_socket_handover(xsk, succ);
	if (err)
		return child_fail("handover: %s", xsk_errmsg());
	if (xsk_socket_destroy(xsk) || xsk_umem_destroy(umem))
		return child_fail("destroy: %s", xsk_errmsg());
	if (write(ctl, &r, sizeof(r)) != sizeof(r))
		return child_fail("reporting");
	return 0;
}

/* Adopt on @succ, receive until the parent writes to @ctl and nothing is
 * left. */
static int successor(int ctl, int succ)
{
	struct h_report r = { 0 };
	struct xsk_umem_bounds b;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	bool stop = false;
	long n;
	char c;

	if (xsk_socket_adopt(&xsk, &umem, succ))
		return child_fail("adopt: %s", xsk_errmsg());
	xsk_umem_get_bounds(umem, &b);
	for (;;) {
		n = rx_frames(xsk, &b, H_STREAM, &r.c, 64, 0.05, false);
		if (n < 0)
			return 1;
		if (!n && stop)
			break;
		if (!stop && recv(ctl, &c, 1, MSG_DONTWAIT) == 1)
			stop = true;
	}
	r.st.sz = sizeof(r.st);
	if (xsk_socket_stats(xsk, &r.st))
		return child_fail("stats: %s", xsk_errmsg());
	xsk_socket_destroy(xsk);
	xsk_umem_destroy(umem);
	if (write(ctl, &r, sizeof(r)) != sizeof(r))
		return child_fail("reporting");
	return 0;
}

/* Before Linux 6.4 no ring of a bound socket can be mapped: the hand-over
 * is refused, with the version, before anything is sent. */
static void handover_refused(struct env *env)
{
	struct end *e = end_new(env, 0);
	int sp[2];
	char c;

	end_umem_opts(e, &XSK_OPTS(xsk_umem_opts, .nframes = 64,
				   .flags = XSK_UMEM_MEMFD));
	end_socket(env, e, 0, &(struct sock_cfg){ .queue = 0 });
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp),
			 0);
	env_keep_fd(env, sp[0]);
	env_keep_fd(env, sp[1]);
	assert_int_equal(xsk_socket_handover(e->xsk[0], sp[0]), -EOPNOTSUPP);
	assert_msg("Linux 6.4");
	assert_int_equal(recv(sp[1], &c, 1, MSG_DONTWAIT), -1);
	printf("    refused on this kernel: %s\n", xsk_errmsg());
}

static void handover_while_flowing(void **state)
{
	struct env *env = *state;
	struct end *prog_end = end_new(env, 0);
	struct h_report ra, rb;
	int ca[2], cb[2], succ[2], fd, status;
	uint64_t dropped;
	uint32_t sent = 0, lost;
	pid_t pa, pb;

	if (!kern_release_at_least(6, 4)) {
		handover_refused(env);
		return;
	}
	end_prog(env, prog_end, NULL);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ca),
			 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cb),
			 0);
	assert_int_equal(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, succ), 0);
	for (fd = 0; fd < 2; fd++) {
		env_keep_fd(env, ca[fd]);
		env_keep_fd(env, cb[fd]);
		env_keep_fd(env, succ[fd]);
	}
	pa = env_fork(env);
	if (!pa) {
		status = predecessor(env, ca[1], succ[0]);
		fflush(stderr);
		_exit(status);
	}
	pb = env_fork(env);
	if (!pb) {
		status = successor(cb[1], succ[1]);
		fflush(stderr);
		_exit(status);
	}
	await_child(ca[0], "the predecessor");
	assert_int_equal(xsk_fds_recv(ca[0], &fd, 1, NULL, NULL), 0);
	env_keep_fd(env, fd);
	assert_int_equal(xsk_prog_set_queue(prog_end->prog, 0, fd), 0);
	/* our copy must not keep the socket once the workers are done */
	env_close_fd(env, fd);

	/* about 100,000 frames a second, the hand-over half-way */
	while (sent < H_SEND) {
		peer_send(peer, H_STREAM, sent, 32, 0);
		sent += 32;
		/* the frames keep coming while the socket changes hands */
		if (sent == H_SEND / 2)
			assert_int_equal(write(ca[0], "h", 1), 1);
		pause_us(300);
	}
	await_child(ca[0], "the predecessor");
	if (read(ca[0], &ra, sizeof(ra)) != sizeof(ra)) {
		env_wait(env, pa);
		fail_msg("the predecessor failed");
	}
	pause_us(100000);
	assert_int_equal(write(cb[0], "s", 1), 1);
	await_child(cb[0], "the successor");
	if (read(cb[0], &rb, sizeof(rb)) != sizeof(rb)) {
		env_wait(env, pb);
		fail_msg("the successor failed");
	}
	status = env_wait(env, pa);
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));
	status = env_wait(env, pb);
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));

	lost = H_SEND - ra.c.got - rb.c.got;
	dropped = rb.st.rx_dropped + rb.st.rx_ring_full;
	printf("    predecessor: %u frames (%u..%u); successor: %u (%u..%u); lost %u; the kernel dropped %llu for want of ring room (the RX ring holds %u, the fill ring %u)\n",
	       ra.c.got, ra.c.first, ra.c.last, rb.c.got, rb.c.first, rb.c.last,
	       lost, (unsigned long long)dropped, H_RX, H_FRAMES);
	assert_true(ra.c.got > 0 && rb.c.got > 0);
	/* in order across the hand-over, nothing twice */
	assert_true(rb.c.first > ra.c.last);
	/* the socket stayed bound and in its slot: every frame not received
	 * is one the kernel dropped for a full RX ring or an empty fill ring
	 * (counted on the one socket both used), none went elsewhere */
	assert_int_equal(lost, dropped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KERN_CASE(unprivileged_worker),
		KERN_CASE(ebusy_names_holder),
		KERN_CASE(handover_while_flowing),
	};
	int ret = kern_start_on_cpu0(&peer);

	if (ret)
		return ret;
	return cmocka_run_group_tests_name("several processes, real kernel",
					   tests, NULL, NULL);
}
