// SPDX-License-Identifier: MIT
/*
 * Control path against the real kernel. Run by tests/netns.sh, inside a
 * private network namespace holding one end ($XSK_IF) of a veth pair with
 * two queues; skipped when not run that way.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include "kernutil.h"

static const char *ifname;

static struct xsk_socket_opts opts(uint32_t queue)
{
	struct xsk_socket_opts o = XSK_OPTS(xsk_socket_opts, .ifname = ifname,
					    .queue_id = queue,
					    .bind_wait_ms = 1000);
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

static void up_down(void)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *xsk;
	struct xsk_umem *umem;

	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	if (xsk_socket_create(&xsk, umem, &o))
		fail_msg("xsk_socket_create: %s", xsk_errmsg());
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

/* create, bind, destroy 200 times over: nothing may pile up */
static void create_destroy_loop(void **state)
{
	int fds, maps, i;

	(void)state;
	up_down(); /* let libc set up whatever it keeps */
	fds = kern_count_fds();
	maps = count_maps();
	for (i = 0; i < 200; i++)
		up_down();
	assert_int_equal(kern_count_fds(), fds);
	assert_int_equal(count_maps(), maps);
}

static void queue_out_of_range(void **state)
{
	struct xsk_socket_opts o = opts(7);
	struct xsk_socket *xsk = NULL;
	struct xsk_umem *umem;
	char want[128];

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EINVAL);
	snprintf(want, sizeof(want),
		 "queue 7 does not exist on %s, which has 2 active channel(s)",
		 ifname);
	assert_msg(want);
	assert_null(xsk);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

static void bind_twice_and_queue_taken(void **state)
{
	struct xsk_socket_opts o = opts(1);
	struct xsk_socket *a, *b = NULL;
	struct xsk_umem *ua, *ub;

	(void)state;
	assert_int_equal(xsk_umem_create(&ua, NULL), 0);
	assert_int_equal(xsk_umem_create(&ub, NULL), 0);
	assert_int_equal(xsk_socket_create(&a, ua, &o), 0);
	assert_int_equal(xsk_socket_bind(a), -EBUSY);
	assert_msg("already bound");

	/* another UMEM's socket on the same queue */
	o.bind_wait_ms = 30;
	assert_int_equal(xsk_socket_create(&b, ub, &o), -EBUSY);
	assert_msg("is taken (after waiting 30 ms)");
	assert_null(b);

	/* close the holder: the same UMEM's retry goes through once the
	 * kernel has released the queue */
	assert_int_equal(xsk_socket_destroy(a), 0);
	assert_int_equal(xsk_umem_destroy(ua), 0);
	o.bind_wait_ms = 1000;
	if (xsk_socket_create(&b, ub, &o))
		fail_msg("retry: %s", xsk_errmsg());
	assert_int_equal(xsk_socket_destroy(b), 0);
	assert_int_equal(xsk_umem_destroy(ub), 0);
}

static void unknown_interface(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *xsk = NULL;
	struct xsk_umem *umem;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	o.ifname = "xsk-nonexist";
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -ENODEV);
	assert_msg("no interface named \"xsk-nonexist\"");
	o.ifname = NULL;
	o.ifindex = 99999;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -ENODEV);
	assert_msg("no interface with index 99999");
	assert_null(xsk);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

static void zerocopy_unsupported(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *xsk = NULL;
	struct xsk_umem *umem;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	o.mode = XSK_MODE_ZEROCOPY;
	/* veth has no zero-copy AF_XDP */
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EOPNOTSUPP);
	assert_msg("no AF_XDP zero-copy support");
	o.mode = XSK_MODE_COPY;
	if (xsk_socket_create(&xsk, umem, &o))
		fail_msg("copy mode: %s", xsk_errmsg());
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

static void shared_umem_real(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *s1, *s2, *s3, *s4;
	struct xsk_umem *umem;
	int fds = kern_count_fds();

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&s1, umem, &o), 0);
	if (xsk_socket_create(&s2, umem, &o))
		fail_msg("same queue: %s", xsk_errmsg());
	o.queue_id = 1;
	if (xsk_socket_create(&s3, umem, &o))
		fail_msg("other queue: %s", xsk_errmsg());
	if (xsk_socket_create(&s4, umem, &o))
		fail_msg("other queue, shared rings: %s", xsk_errmsg());
	assert_ptr_equal(xsk_socket_fill(s4), xsk_socket_fill(s3));
	assert_ptr_not_equal(xsk_socket_fill(s3), xsk_socket_fill(s1));
	/* libxdp's order, first created first: each context stays for the
	 * socket still using it */
	assert_int_equal(xsk_socket_destroy(s3), 0);
	assert_int_equal(xsk_socket_destroy(s1), 0);
	assert_int_equal(xsk_umem_fd(umem), -1);
	assert_int_equal(xsk_umem_destroy(umem), -EBUSY);
	/* the rings their makers left are still the kernel's rings */
	assert_int_equal(
		xsk_socket_stats(
			s2,
			&(struct xsk_stats){ .sz = sizeof(struct xsk_stats) }),
		0);
	assert_int_equal(xsk_socket_wake_rx(s4), 0);
	assert_int_equal(xsk_socket_destroy(s4), 0);
	assert_int_equal(xsk_socket_destroy(s2), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(kern_count_fds(), fds);
}

/* A first socket destroyed before it was bound leaves a UMEM on which a
 * new first socket, with other ring sizes, binds. */
static void deferred_first_destroyed(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *s1, *s2;
	struct xsk_umem *umem;
	int fds = kern_count_fds();

	(void)state;
	o.flags = XSK_SOCKET_DEFER_BIND;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&s1, umem, &o), 0);
	assert_int_equal(xsk_socket_destroy(s1), 0);
	o.flags = 0;
	o.rx_size = 512;
	o.bind_wait_ms = 200;
	if (xsk_socket_create(&s2, umem, &o))
		fail_msg("a new first socket: %s", xsk_errmsg());
	assert_int_not_equal(xsk_umem_fd(umem), -1);
	assert_int_equal(xsk_socket_fd(s2), xsk_umem_fd(umem));
	assert_int_equal(xsk_socket_destroy(s2), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(kern_count_fds(), fds);
}

static void deferred_bind_real(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *s1, *s2;
	struct xsk_umem *umem;

	(void)state;
	o.flags = XSK_SOCKET_DEFER_BIND;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&s1, umem, &o), 0);
	assert_int_equal(xsk_socket_create(&s2, umem, &o), 0);
	assert_int_equal(xsk_socket_bind(s2), -EBADF);
	assert_int_equal(xsk_socket_bind(s1), 0);
	assert_int_equal(xsk_socket_bind(s2), 0);
	assert_int_equal(xsk_socket_destroy(s2), 0);
	assert_int_equal(xsk_socket_destroy(s1), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

static void options_real(void **state)
{
	struct xsk_socket_opts o = opts(0);
	struct xsk_stats st = { .sz = sizeof(st) };
	struct xsk_socket *xsk;
	struct xsk_umem *umem;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);
	assert_int_equal(xsk_socket_stats(xsk, &st), 0);
	assert_int_equal(st.flags, XSK_STATS_V2); /* Linux 5.9+ */
	assert_int_equal(st.rx_dropped + st.rx_ring_full + st.tx_invalid_descs,
			 0);
	assert_int_equal(xsk_socket_zerocopy(xsk), 0); /* veth: copy mode */
	if (xsk_socket_set_tx_budget(xsk, 256))
		fail_msg("tx budget: %s", xsk_errmsg()); /* Linux 6.17+ */
	assert_int_equal(xsk_socket_set_tx_budget(xsk, 16), -EINVAL);
	if (xsk_socket_busy_poll(xsk, 20, 16))
		fail_msg("busy poll: %s", xsk_errmsg()); /* Linux 5.11+ */
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(xsk_socket_wake_rx(xsk), 0);
	assert_int_equal(xsk_socket_busy_poll(xsk, 0, 0), 0);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

/* Drop capabilities from this process's effective and permitted sets. */
static int drop_caps(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	for (int i = 0; i < 2; i++) {
		d[i].effective &= ~(uint32_t)(caps >> (32 * i));
		d[i].permitted &= ~(uint32_t)(caps >> (32 * i));
		d[i].inheritable &= ~(uint32_t)(caps >> (32 * i));
	}
	return (int)syscall(SYS_capset, &h, d);
}

#define CAP(c) (1ull << (c))

/* Run @fn in a child; it returns 0 for success. */
static void in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		fail_msg("child check %d failed", WEXITSTATUS(status));
}

static int memlock_child(void *arg)
{
	struct rlimit rl = { 64 << 10, 64 << 10 };
	struct xsk_umem *umem;

	(void)arg;
	if (drop_caps(CAP(CAP_IPC_LOCK)) || setrlimit(RLIMIT_MEMLOCK, &rl))
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
	in_child(memlock_child, NULL);
}

static int no_net_raw_child(void *arg)
{
	struct xsk_umem *umem;

	(void)arg;
	if (drop_caps(CAP(CAP_NET_RAW)))
		return 2;
	if (xsk_umem_create(&umem, NULL) != -EPERM)
		return 3;
	return strstr(xsk_errmsg(), "needs CAP_NET_RAW") ? 0 : 4;
}

static void no_cap_net_raw_explained(void **state)
{
	(void)state;
	in_child(no_net_raw_child, NULL);
}

/* The seed's privilege split: a privileged parent opens the socket, a
 * child with no capabilities at all sets it up and binds. */
static int unprivileged_child(void *arg)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 256);
	struct xsk_socket_opts o = opts(0);
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	int fd = *(int *)arg;

	if (drop_caps(~0ull))
		return 2;
	if (xsk_umem_create(&umem, &uo) != -EPERM)
		return 3; /* can't open a socket of its own */
	if (xsk_umem_create_fd(&umem, fd, &uo))
		return 4;
	if (xsk_socket_create(&xsk, umem, &o))
		return 5;
	if (xsk_socket_destroy(xsk) || xsk_umem_destroy(umem))
		return 6;
	return 0;
}

static void privilege_split(void **state)
{
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);

	(void)state;
	assert_true(fd >= 0);
	in_child(unprivileged_child, &fd);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_destroy_loop),
		cmocka_unit_test(queue_out_of_range),
		cmocka_unit_test(bind_twice_and_queue_taken),
		cmocka_unit_test(unknown_interface),
		cmocka_unit_test(zerocopy_unsupported),
		cmocka_unit_test(shared_umem_real),
		cmocka_unit_test(deferred_bind_real),
		cmocka_unit_test(deferred_first_destroyed),
		cmocka_unit_test(options_real),
		cmocka_unit_test(memlock_explained),
		cmocka_unit_test(no_cap_net_raw_explained),
		cmocka_unit_test(privilege_split),
	};

	ifname = getenv("XSK_IF");
	if (!ifname) {
		printf("SKIP: run through tests/netns.sh, which provides $XSK_IF\n");
		return 77;
	}
	return cmocka_run_group_tests_name("control path, real kernel", tests,
					   NULL, NULL);
}
