// SPDX-License-Identifier: MIT
/*
 * Control path against the real kernel. Run by tests/netns.sh, inside a
 * private network namespace holding one end ($XSK_IF) of a veth pair with
 * two queues; skipped when not run that way. Each case creates its UMEMs
 * and sockets in an end of its env, so that the tear-down releases them
 * even when an assertion fails (see traffic.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/capability.h>

#include "traffic.h"
#include "testutil.h"

static struct xsk_socket_opts opts(uint32_t queue)
{
	struct xsk_socket_opts o =
		XSK_OPTS(xsk_socket_opts, .ifname = kern.ifname,
			 .queue_id = queue, .bind_wait_ms = 1000);
	return o;
}

static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void up_down(struct end *e)
{
	struct xsk_socket_opts o = opts(0);

	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	if (xsk_socket_create(&e->xsk[0], e->umem, &o))
		fail_msg("xsk_socket_create: %s", xsk_errmsg());
	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(end_umem_destroy(e), 0);
}

/* create, bind, destroy 200 times over: nothing may pile up */
static void create_destroy_loop(void **state)
{
	struct end *e = end_new(*state, 0);
	int fds, maps, i;

	up_down(e); /* let libc set up whatever it keeps */
	fds = kern_count_fds();
	maps = count_maps();
	for (i = 0; i < 200; i++)
		up_down(e);
	assert_int_equal(kern_count_fds(), fds);
	assert_int_equal(count_maps(), maps);
}

static void queue_out_of_range(void **state)
{
	struct xsk_socket_opts o = opts(7);
	struct end *e = end_new(*state, 0);
	char want[128];

	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &o), -EINVAL);
	snprintf(want, sizeof(want),
		 "queue 7 does not exist on %s, which has 2 active channel(s)",
		 kern.ifname);
	assert_msg(want);
	assert_null(e->xsk[0]);
	assert_int_equal(end_umem_destroy(e), 0);
}

static void bind_twice_and_queue_taken(void **state)
{
	struct xsk_socket_opts o = opts(1);
	struct end *a = end_new(*state, 0), *b = end_new(*state, 0);

	assert_int_equal(xsk_umem_create(&a->umem, NULL), 0);
	assert_int_equal(xsk_umem_create(&b->umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&a->xsk[0], a->umem, &o), 0);
	assert_int_equal(xsk_socket_bind(a->xsk[0]), -EBUSY);
	assert_msg("already bound");

	/* another UMEM's socket on the same queue */
	o.bind_wait_ms = 30;
	assert_int_equal(xsk_socket_create(&b->xsk[0], b->umem, &o), -EBUSY);
	assert_msg("is taken (after waiting 30 ms)");
	assert_null(b->xsk[0]);

	/* close the holder: the same UMEM's retry goes through once the
	 * kernel has released the queue */
	assert_int_equal(end_socket_destroy(a, 0), 0);
	assert_int_equal(end_umem_destroy(a), 0);
	o.bind_wait_ms = 1000;
	if (xsk_socket_create(&b->xsk[0], b->umem, &o))
		fail_msg("retry: %s", xsk_errmsg());
	assert_int_equal(end_socket_destroy(b, 0), 0);
	assert_int_equal(end_umem_destroy(b), 0);
}

static void unknown_interface(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct end *e = end_new(*state, 0);

	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	o.ifname = "xsk-nonexist";
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &o), -ENODEV);
	assert_msg("no interface named \"xsk-nonexist\"");
	o.ifname = NULL;
	o.ifindex = 99999;
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &o), -ENODEV);
	assert_msg("no interface with index 99999");
	assert_null(e->xsk[0]);
	assert_int_equal(end_umem_destroy(e), 0);
}

static void zerocopy_unsupported(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct end *e = end_new(*state, 0);

	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	o.mode = XSK_MODE_ZEROCOPY;
	/* veth has no zero-copy AF_XDP */
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &o),
			 -EOPNOTSUPP);
	assert_msg("no AF_XDP zero-copy support");
	o.mode = XSK_MODE_COPY;
	if (xsk_socket_create(&e->xsk[0], e->umem, &o))
		fail_msg("copy mode: %s", xsk_errmsg());
	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(end_umem_destroy(e), 0);
}

static void shared_umem_real(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct end *e = end_new(*state, 0);
	struct xsk_socket **s = e->xsk;
	int fds = kern_count_fds();

	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&s[0], e->umem, &o), 0);
	if (xsk_socket_create(&s[1], e->umem, &o))
		fail_msg("same queue: %s", xsk_errmsg());
	o.queue_id = 1;
	if (xsk_socket_create(&s[2], e->umem, &o))
		fail_msg("other queue: %s", xsk_errmsg());
	if (xsk_socket_create(&s[3], e->umem, &o))
		fail_msg("other queue, shared rings: %s", xsk_errmsg());
	assert_ptr_equal(xsk_socket_fill(s[3]), xsk_socket_fill(s[2]));
	assert_ptr_not_equal(xsk_socket_fill(s[2]), xsk_socket_fill(s[0]));
	/* libxdp's order, first created first: each context stays for the
	 * socket still using it */
	assert_int_equal(end_socket_destroy(e, 2), 0);
	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(xsk_umem_fd(e->umem), -1);
	assert_int_equal(end_umem_destroy(e), -EBUSY);
	/* the rings their makers left are still the kernel's rings */
	assert_int_equal(
		xsk_socket_stats(
			s[1],
			&(struct xsk_stats){ .sz = sizeof(struct xsk_stats) }),
		0);
	assert_int_equal(xsk_socket_wake_rx(s[3]), 0);
	assert_int_equal(end_socket_destroy(e, 3), 0);
	assert_int_equal(end_socket_destroy(e, 1), 0);
	assert_int_equal(end_umem_destroy(e), 0);
	assert_int_equal(kern_count_fds(), fds);
}

/* A first socket destroyed before it was bound leaves a UMEM on which a
 * new first socket, with other ring sizes, binds. */
static void deferred_first_destroyed(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct end *e = end_new(*state, 0);
	int fds = kern_count_fds();

	o.flags = XSK_SOCKET_DEFER_BIND;
	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &o), 0);
	assert_int_equal(end_socket_destroy(e, 0), 0);
	o.flags = 0;
	o.rx_size = 512;
	o.bind_wait_ms = 200;
	if (xsk_socket_create(&e->xsk[1], e->umem, &o))
		fail_msg("a new first socket: %s", xsk_errmsg());
	assert_int_not_equal(xsk_umem_fd(e->umem), -1);
	assert_int_equal(xsk_socket_fd(e->xsk[1]), xsk_umem_fd(e->umem));
	assert_int_equal(end_socket_destroy(e, 1), 0);
	assert_int_equal(end_umem_destroy(e), 0);
	assert_int_equal(kern_count_fds(), fds);
}

static void deferred_bind_real(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct end *e = end_new(*state, 0);

	o.flags = XSK_SOCKET_DEFER_BIND;
	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &o), 0);
	assert_int_equal(xsk_socket_create(&e->xsk[1], e->umem, &o), 0);
	assert_int_equal(xsk_socket_bind(e->xsk[1]), -EBADF);
	assert_int_equal(xsk_socket_bind(e->xsk[0]), 0);
	assert_int_equal(xsk_socket_bind(e->xsk[1]), 0);
	assert_int_equal(end_socket_destroy(e, 1), 0);
	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(end_umem_destroy(e), 0);
}

/* Each socket option works where the kernel has it (xsk_probe() says), and
 * is refused with the Linux version that brought it where it does not. */
static void options_real(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_stats st = { .sz = sizeof(st) };
	struct end *e = end_new(*state, 0);
	struct xsk_socket *xsk;
	uint64_t features;
	int ret;

	assert_int_equal(xsk_probe(&features), 0);
	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &o), 0);
	xsk = e->xsk[0];
	assert_int_equal(xsk_socket_stats(xsk, &st), 0);
	assert_int_equal(st.flags, features & XSK_FEATURE_STATS_V2 ?
					   XSK_STATS_V2 :
					   0); /* Linux 5.9 */
	assert_int_equal(st.rx_dropped + st.rx_ring_full + st.tx_invalid_descs,
			 0);
	assert_int_equal(xsk_socket_zerocopy(xsk), 0); /* veth: copy mode */

	ret = xsk_socket_set_tx_budget(xsk, 256);
	if (features & XSK_FEATURE_TX_SKB_BUDGET) {
		if (ret)
			fail_msg("tx budget: %s", xsk_errmsg());
		assert_int_equal(xsk_socket_set_tx_budget(xsk, 16), -EINVAL);
	} else {
		printf("  refused: %s\n", xsk_errmsg());
		assert_int_equal(ret, -EOPNOTSUPP);
		assert_msg("Linux 6.17");
	}

	ret = xsk_socket_busy_poll(xsk, 20, 16);
	if (features & XSK_FEATURE_BUSY_POLL) {
		if (ret)
			fail_msg("busy poll: %s", xsk_errmsg());
	} else {
		printf("  refused: %s\n", xsk_errmsg());
		assert_int_equal(ret, -EOPNOTSUPP);
		assert_msg("Linux 5.11");
	}
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(xsk_socket_wake_rx(xsk), 0);
	if (features & XSK_FEATURE_BUSY_POLL)
		assert_int_equal(xsk_socket_busy_poll(xsk, 0, 0), 0);
	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(end_umem_destroy(e), 0);
}

static int memlock_child(void *arg)
{
	struct rlimit rl = { 64 << 10, 64 << 10 };
	struct xsk_umem *umem;

	(void)arg;
	if (kern_drop_caps(KERN_CAP(CAP_IPC_LOCK), true) ||
	    setrlimit(RLIMIT_MEMLOCK, &rl))
		return 2;
	if (xsk_umem_create(&umem, NULL) != -ENOBUFS)
		return 3;
	if (!strstr(xsk_errmsg(), "needs 16384 KiB of locked memory") ||
	    !strstr(xsk_errmsg(), "RLIMIT_MEMLOCK (64 KiB)"))
		return 4;
	return 0;
}

static void memlock_explained(void **state)
{
	(void)state;
	kern_in_child(memlock_child, NULL);
}

static int no_net_raw_child(void *arg)
{
	struct xsk_umem *umem;

	(void)arg;
	if (kern_drop_caps(KERN_CAP(CAP_NET_RAW), true))
		return 2;
	if (xsk_umem_create(&umem, NULL) != -EPERM)
		return 3;
	return strstr(xsk_errmsg(), "needs CAP_NET_RAW") ? 0 : 4;
}

static void no_cap_net_raw_explained(void **state)
{
	(void)state;
	kern_in_child(no_net_raw_child, NULL);
}

/* The seed's privilege split: a privileged parent opens the socket, a
 * child with no capabilities at all sets it up and binds. Without
 * CAP_IPC_LOCK its UMEM is charged to RLIMIT_MEMLOCK, which kernels before
 * 5.16 set to 64 KiB: the parent raises it first, as a real one would. */
static int unprivileged_child(void *arg)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 256);
	const rlim_t need = 2 << 20; /* the UMEM's 1 MiB and the rings */
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	struct rlimit rl;
	int fd = *(int *)arg;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return 2;
	if (rl.rlim_cur < need) {
		rl.rlim_cur = need;
		if (rl.rlim_max < need)
			rl.rlim_max = need;
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			return 2;
	}
	if (kern_drop_caps(~0ull, true))
		return 2;
	if (xsk_umem_create(&umem, &uo) != -EPERM)
		return 3; /* can't open a socket of its own */
	if (xsk_umem_create_fd(&umem, fd, &uo)) {
		printf("  child: %s\n", xsk_errmsg());
		return 4;
	}
	if (xsk_socket_create(&xsk, umem, &o)) {
		printf("  child: %s\n", xsk_errmsg());
		return 5;
	}
	if (xsk_socket_destroy(xsk) || xsk_umem_destroy(umem))
		return 6;
	return 0;
}

static void privilege_split(void **state)
{
	int fd =
		env_keep_fd(*state, socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0));

	assert_true(fd >= 0);
	kern_in_child(unprivileged_child, &fd);
	env_close_fd(*state, fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KERN_CASE(create_destroy_loop),
		KERN_CASE(queue_out_of_range),
		KERN_CASE(bind_twice_and_queue_taken),
		KERN_CASE(unknown_interface),
		KERN_CASE(zerocopy_unsupported),
		KERN_CASE(shared_umem_real),
		KERN_CASE(deferred_bind_real),
		KERN_CASE(deferred_first_destroyed),
		KERN_CASE(options_real),
		KERN_CASE(memlock_explained),
		KERN_CASE(no_cap_net_raw_explained),
		KERN_CASE(privilege_split),
	};
	int ret = kern_init();

	if (ret)
		return ret;
	return cmocka_run_group_tests_name("control path, real kernel", tests,
					   NULL, NULL);
}
