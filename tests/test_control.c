// SPDX-License-Identifier: MIT
/*
 * Control path unit tests, on the fake kernel (fakesys.c): no privilege.
 * Every setup path has each of its syscalls failed in turn, and the ledger
 * proves that every fd and mapping was released exactly once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include "fakesys.h"
#include "internal.h"

#define SENTINEL ((void *)0x5a5a5a5a)

static const struct xsk_socket_opts sock_opts_q0 = {
	.sz = sizeof(struct xsk_socket_opts),
	.ifname = "fake0",
};

static void assert_ledger(int fds, int maps)
{
	assert_int_equal(fake.live_fds, fds);
	assert_int_equal(fake.live_maps, maps);
	assert_int_equal(fake.bad_closes, 0);
	assert_int_equal(fake.bad_unmaps, 0);
	assert_int_equal(fake.live_files, 0);
}

static int setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

/* ---------------------------------------------------------------- UMEM */

static void umem_defaults(void **state)
{
	struct xsk_umem *umem = NULL;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_non_null(umem);
	assert_int_equal(xsk_umem_frame_size(umem), 4096);
	assert_int_equal(xsk_umem_nframes(umem), 4096);
	assert_int_equal(xsk_umem_size(umem), 4096ull * 4096);
	assert_true((uintptr_t)xsk_umem_area(umem) % 4096 == 0);
	assert_true(xsk_umem_fd(umem) >= 0);
	/* a zeroed full-size struct, never a hand-computed length */
	assert_int_equal(fake.last_reg_len, sizeof(struct xdp_umem_reg));
	assert_true(fake.last_socket_type & SOCK_CLOEXEC);
	assert_ledger(1, 3); /* socket; area, fill and completion rings */
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
	assert_int_equal(xsk_umem_destroy(NULL), 0);
}

struct bad_umem {
	struct xsk_umem_opts o;
	int err;
	const char *says;
};

static void umem_validation(void **state)
{
	static char area[8192] __attribute__((aligned(4096)));
	const struct bad_umem cases[] = {
		{ { .frame_size = 1024 }, -EINVAL, "out of range" },
		{ { .frame_size = 8192 }, -EINVAL, "out of range" },
		{ { .frame_size = 3000 }, -EINVAL, "not a power of two" },
		{ { .headroom = 3840 }, -EINVAL, "headroom 3840" },
		{ { .frame_size = 2048, .headroom = 1792 },
		  -EINVAL,
		  "below 1792" },
		{ { .fill_size = 1000 }, -EINVAL, "fill ring size 1000" },
		{ { .comp_size = 3 }, -EINVAL, "completion ring size 3" },
		{ { .flags = 0x80 }, -EINVAL, "unknown UMEM flags 0x80" },
		{ { .size = 1000 }, -EINVAL, "at least one frame" },
		{ { .size = 3 * 4096 + 100 }, -EINVAL, "not a multiple" },
		{ { .nframes = 10, .size = 5 * 4096 }, -EINVAL, "need 40960" },
		{ { .area = area }, -EINVAL, "needs its length" },
		{ { .area = area + 100, .size = 4096 },
		  -EINVAL,
		  "not page-aligned" },
		{ { .area = (void *)(UINTPTR_MAX & ~(uintptr_t)4095),
		    .size = 8192 },
		  -EOVERFLOW,
		  "past the end of the address space" },
	};
	struct xsk_umem *umem;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xsk_umem_opts o = cases[i].o;

		fake_reset();
		o.sz = sizeof(o);
		umem = SENTINEL;
		assert_int_equal(xsk_umem_create(&umem, &o), cases[i].err);
		assert_ptr_equal(umem, SENTINEL);
		assert_msg(cases[i].says);
		/* validated before the first syscall */
		assert_int_equal(fake.calls, 0);
	}

	/* the same sizes are fine in unaligned mode, or with the area */
	fake_reset();
	{
		struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts,
						  .frame_size = 3000,
						  .flags = XSK_UMEM_UNALIGNED);
		assert_int_equal(xsk_umem_create(&umem, &o), 0);
		assert_int_equal(xsk_umem_size(umem), 3000ull * 4096);
		assert_int_equal(fake.last_reg_flags,
				 XDP_UMEM_UNALIGNED_CHUNK_FLAG);
		assert_int_equal(xsk_umem_destroy(umem), 0);
	}
	{
		struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts, .area = area,
						  .size = sizeof(area),
						  .frame_size = 2048);
		assert_int_equal(xsk_umem_create(&umem, &o), 0);
		assert_ptr_equal(xsk_umem_area(umem), area);
		assert_int_equal(xsk_umem_nframes(umem), 4);
		assert_ledger(1, 2); /* the caller's area is not ours */
		assert_int_equal(xsk_umem_destroy(umem), 0);
	}
	assert_ledger(0, 0);

	/* Headroom from the frame size less 703 to less 257 is this
	 * kernel's call, probed: Linux 6.18 refuses it (here, before the
	 * UMEM's registration), older kernels take it. */
	for (i = 0; i < 2; i++) {
		struct xsk_umem_opts o =
			XSK_OPTS(xsk_umem_opts, .headroom = 4096 - 704);

		fake_reset();
		fake_kernel(i ? FAKE_6_8 : FAKE_NEWEST);
		xsk__probe_forget();
		assert_int_equal(xsk_umem_create(&umem, &o), 0);
		assert_int_equal(xsk_umem_destroy(umem), 0);
		o.headroom++;
		umem = SENTINEL;
		assert_int_equal(xsk_umem_create(&umem, &o), i ? 0 : -EINVAL);
		if (i) {
			assert_int_equal(xsk_umem_destroy(umem), 0);
			continue;
		}
		assert_ptr_equal(umem, SENTINEL);
		assert_msg(
			"headroom 3393 is too large for 4096-byte frames on this kernel: it must be at most 3392");
		assert_ledger(0, 0);
	}
	xsk__probe_forget();
}

static void umem_sized_opts(void **state)
{
	struct {
		struct xsk_umem_opts o;
		uint64_t future;
	} big;
	struct xsk_umem *umem = SENTINEL;

	(void)state;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	/* a newer caller's struct: fine while the unknown tail is zero */
	assert_int_equal(xsk_umem_create(&umem, &big.o), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	umem = SENTINEL;
	big.future = 1;
	assert_int_equal(xsk_umem_create(&umem, &big.o), -EOPNOTSUPP);
	assert_msg("newer libxsk");
	big.o.sz = 0;
	assert_int_equal(xsk_umem_create(&umem, &big.o), -EINVAL);
	assert_msg(".sz is 0");
	/* an older caller's struct: the fields it lacks are defaults */
	big.o.sz = offsetof(struct xsk_umem_opts, fill_size);
	big.o.frame_size = 2048;
	assert_int_equal(xsk_umem_create(&umem, &big.o), 0);
	assert_int_equal(xsk_umem_frame_size(umem), 2048);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(xsk_umem_create(NULL, NULL), -EINVAL);
	assert_ledger(0, 0);
}

/* A socket() and close() that the fault injection doesn't count. */
static int fresh_xdp_socket(int old)
{
	unsigned int calls = fake.calls, fail_at = fake.fail_at;
	int fd;

	fake.fail_at = 0;
	if (old >= 0)
		close(old);
	fd = socket(AF_XDP, SOCK_RAW, 0);
	fake.calls = calls;
	fake.fail_at = fail_at;
	return fd;
}

static const int inject[] = { EIO, ENOMEM, EINVAL, EBUSY, ENOBUFS, EPERM };

/*
 * Fail call 1, 2, 3, ... of @fn until it runs through; each time the error
 * must come back as is, the out-parameter untouched and the ledger back at
 * (@fds, @maps). Returns how many failure points there were.
 */
static unsigned int fail_each_call(int (*fn)(void *out, void *arg), void *arg,
				   int fds, int maps)
{
	unsigned int n, i, points = 0;
	void *out;

	for (i = 0; i < sizeof(inject) / sizeof(inject[0]); i++) {
		for (n = 1;; n++) {
			fake.calls = 0;
			fake.fail_at = n;
			fake.fail_errno = inject[i];
			fake.failed = NULL;
			out = SENTINEL;
			int rc = fn(&out, arg);
			if (!fake.failed) {
				assert_int_equal(rc, 0);
				break;
			}
			if (rc != -inject[i])
				fail_msg(
					"failing call %u (%s) with %s returned %d",
					n, fake.failed, strerror(inject[i]),
					rc);
			assert_ptr_equal(out, SENTINEL);
			assert_true(*xsk_errmsg());
			if (fake.live_fds != fds || fake.live_maps != maps)
				fail_msg(
					"after failing call %u (%s): %d fds, %d maps live, expected %d, %d",
					n, fake.failed, fake.live_fds,
					fake.live_maps, fds, maps);
			assert_ledger(fds, maps);
			points++;
		}
		fake.fail_at = 0;
		/* undo the success, leaving the ledger as it was */
		assert_int_equal(fn(NULL, arg), 0);
		assert_ledger(fds, maps);
	}
	return points / (sizeof(inject) / sizeof(inject[0]));
}

/* fn(out, arg) creates into out; fn(NULL, arg) destroys the last one. */
static int umem_op(void *out, void *arg)
{
	static struct xsk_umem *last;
	int err;

	if (!out)
		return xsk_umem_destroy(last);
	err = xsk_umem_create(&last, arg);
	if (!err)
		*(struct xsk_umem **)out = last;
	return err;
}

static void umem_fault_injection(void **state)
{
	static char area[16384] __attribute__((aligned(4096)));
	struct xsk_umem_opts caller =
		XSK_OPTS(xsk_umem_opts, .area = area, .size = sizeof(area));

	(void)state;
	/* area, socket, register, fill size, completion size, offsets, fill
	 * and completion mappings */
	assert_int_equal(fail_each_call(umem_op, NULL, 0, 0), 8);
	assert_int_equal(fail_each_call(umem_op, &caller, 0, 0), 7);
}

/*
 * Huge pages and NUMA placement: the mapping is 2 MiB-aligned and rounded
 * up to whole huge pages, placed on the device's node; every failure on
 * the way (the numa_node file, the mapping, mbind) leaves nothing behind.
 */
static void umem_huge_pages(void **state)
{
	struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts, .nframes = 513,
					  .flags = XSK_UMEM_HUGE_PAGES,
					  .numa_ifname = "fake0");
	struct xsk_umem *umem = SENTINEL;

	(void)state;
	/* none reserved: an explained ENOMEM, and no quiet fallback */
	assert_int_equal(xsk_umem_create(&umem, &o), -ENOMEM);
	assert_ptr_equal(umem, SENTINEL);
	assert_non_null(strstr(xsk_errmsg(), "vm.nr_hugepages"));
	assert_non_null(strstr(xsk_errmsg(), "2 MiB"));
	assert_ledger(0, 0);
	/* ...unless asked for: ordinary pages, and the caller can tell */
	o.flags |= XSK_UMEM_HUGE_PAGES_OPTIONAL;
	assert_int_equal(xsk_umem_create(&umem, &o), 0);
	assert_int_equal(xsk_umem_page_size(umem), sysconf(_SC_PAGESIZE));
	assert_int_equal(xsk_umem_numa_node(umem), -1); /* no numa_node file */
	assert_int_equal(fake.mbind_node, -1);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);

	/* 513 frames of 4 KiB need two huge pages */
	fake.huge_free = 2;
	fake.numa_node = "1\n";
	o.flags = XSK_UMEM_HUGE_PAGES;
	assert_int_equal(xsk_umem_create(&umem, &o), 0);
	assert_int_equal(xsk_umem_page_size(umem), 2u << 20);
	assert_int_equal((uintptr_t)xsk_umem_area(umem) % (2u << 20), 0);
	assert_int_equal(xsk_umem_size(umem), 513 * 4096);
	assert_int_equal(xsk_umem_numa_node(umem), 1);
	assert_int_equal(fake.mbind_node, 1);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
	/* the interface's index, open, read, mmap, mbind, then the UMEM's own
	 * seven steps */
	assert_int_equal(fail_each_call(umem_op, &o, 0, 0), 12);

	/* "-1": a device that knows no node, placed nowhere */
	fake.numa_node = "-1\n";
	fake.mbind_node = -1;
	assert_int_equal(xsk_umem_create(&umem, &o), 0);
	assert_int_equal(xsk_umem_numa_node(umem), -1);
	assert_int_equal(fake.mbind_node, -1);
	assert_int_equal(xsk_umem_destroy(umem), 0);

	/* rules checked before any syscall */
	umem = SENTINEL;
	o.numa_ifname = "nosuchif0";
	assert_int_equal(xsk_umem_create(&umem, &o), -ENODEV);
	assert_non_null(strstr(xsk_errmsg(), "nosuchif0"));
	o.numa_ifname = NULL;
	o.flags = XSK_UMEM_HUGE_PAGES_OPTIONAL;
	assert_int_equal(xsk_umem_create(&umem, &o), -EINVAL);
	o.flags = XSK_UMEM_HUGE_PAGES;
	o.area = &o;
	o.size = 4096;
	assert_int_equal(xsk_umem_create(&umem, &o), -EINVAL);
	assert_non_null(strstr(xsk_errmsg(), "MAP_HUGETLB"));
	assert_ptr_equal(umem, SENTINEL);
	assert_ledger(0, 0);
}

static int umem_fd_op(void *out, void *arg)
{
	static struct xsk_umem *last;
	int *fd = arg, err;

	if (!out) {
		err = xsk_umem_destroy(last);
		/* the UMEM closed the fd */
		*fd = fresh_xdp_socket(-1);
		return err;
	}
	/* A failed attempt may leave the registration on the fd, which then
	 * takes no other: like a caller, start again on a fresh socket. */
	*fd = fresh_xdp_socket(*fd);
	err = xsk_umem_create_fd(&last, *fd, NULL);
	if (!err)
		*(struct xsk_umem **)out = last;
	return err;
}

static void umem_adopted_fd(void **state)
{
	struct xsk_umem *umem = SENTINEL;
	int fd = socket(AF_XDP, SOCK_RAW, 0);

	(void)state;
	assert_true(fd >= 0);
	/* on failure the caller keeps the fd: it stays open */
	assert_int_equal(fail_each_call(umem_fd_op, &fd, 1, 0), 7);
	close(fd);
	assert_ledger(0, 0);
	assert_int_equal(xsk_umem_create_fd(&umem, -1, NULL), -EBADF);
	assert_ptr_equal(umem, SENTINEL);
}

static void umem_errors_explained(void **state)
{
	struct xsk_umem *umem = SENTINEL;

	(void)state;
	fake.reg_errno = ENOBUFS;
	fake.memlock = 64 << 10;
	assert_int_equal(xsk_umem_create(&umem, NULL), -ENOBUFS);
	assert_msg("needs 16384 KiB of locked memory");
	assert_msg("RLIMIT_MEMLOCK (64 KiB)");
	assert_msg("CAP_IPC_LOCK");
	fake.reg_errno = EINVAL;
	assert_int_equal(xsk_umem_create(&umem, NULL), -EINVAL);
	assert_msg("the kernel refused the UMEM");
	fake.reg_errno = 0;
	fake.calls = 0;
	fake.fail_at = 2; /* socket() */
	fake.fail_errno = EPERM;
	assert_int_equal(xsk_umem_create(&umem, NULL), -EPERM);
	assert_msg("CAP_NET_RAW");
	fake.calls = 0;
	fake.fail_errno = EAFNOSUPPORT;
	assert_int_equal(xsk_umem_create(&umem, NULL), -EAFNOSUPPORT);
	assert_msg("CONFIG_XDP_SOCKETS");
	assert_ptr_equal(umem, SENTINEL);
	assert_ledger(0, 0);
}

/* -------------------------------------------------------------- sockets */

struct sock_case {
	struct xsk_umem *umem;
	struct xsk_socket_opts o;
	int fd; /* for xsk_socket_create_fd(), or -1 */
	struct xsk_socket *last;
};

static int sock_op(void *out, void *arg)
{
	struct sock_case *c = arg;
	int err;

	if (!out) {
		err = xsk_socket_destroy(c->last);
		if (c->fd >= 0)
			c->fd = fresh_xdp_socket(-1);
		return err;
	}
	/* as for the UMEM: a failed attempt leaves ring sizes on the fd */
	if (c->fd >= 0)
		c->fd = fresh_xdp_socket(c->fd);
	err = c->fd >= 0 ?
		      xsk_socket_create_fd(&c->last, c->umem, c->fd, &c->o) :
		      xsk_socket_create(&c->last, c->umem, &c->o);
	if (!err)
		*(struct xsk_socket **)out = c->last;
	return err;
}

/* A fresh UMEM in place of @c's (which has no socket), made without
 * counting its calls as failure points. */
static void fresh_umem(struct sock_case *c)
{
	unsigned int calls = fake.calls, fail_at = fake.fail_at;

	fake.fail_at = 0;
	assert_int_equal(xsk_umem_destroy(c->umem), 0);
	assert_int_equal(xsk_umem_create(&c->umem, NULL), 0);
	fake.calls = calls;
	fake.fail_at = fail_at;
}

/* As sock_op(), for the UMEM's first socket, each time on a fresh UMEM:
 * a failed attempt leaves ring sizes on the registration, which would
 * spare the next attempt those calls. Destroying the socket closes the
 * registration. */
static int first_op(void *out, void *arg)
{
	struct sock_case *c = arg;

	if (out) {
		fresh_umem(c);
		return sock_op(out, arg);
	}
	assert_int_equal(xsk_socket_destroy(c->last), 0);
	assert_int_equal(xsk_umem_fd(c->umem), -1);
	fresh_umem(c);
	return 0;
}

static void socket_fault_injection(void **state)
{
	struct sock_case c = { .o = sock_opts_q0, .fd = -1 };
	struct xsk_socket *first, *q1;

	(void)state;
	assert_int_equal(xsk_umem_create(&c.umem, NULL), 0);

	/* The UMEM's first socket, on its registration: ifname lookup, RX
	 * size, TX size, offsets, RX map, TX map, bind. A failure leaves the
	 * registration open, with the ring sizes already set (the retry asks
	 * for the same ones). */
	assert_int_equal(fail_each_call(first_op, &c, 1, 3), 7);

	/* Those sizes stay: a retry must ask for the same ones. */
	fake.bind_errno = EBUSY;
	assert_int_equal(xsk_socket_create(&first, c.umem, &c.o), -EBUSY);
	fake.bind_errno = 0;
	assert_ledger(1, 3);
	c.o.rx_size = 64;
	assert_int_equal(xsk_socket_create(&first, c.umem, &c.o), -EINVAL);
	assert_msg("kept a RX ring of 2048 entries");
	c.o.rx_size = 0;

	/* Once the first socket is destroyed the registration is gone, and
	 * the next first socket registers the UMEM again: socket, register,
	 * fill and completion sizes, offsets and maps besides the 7 above. A
	 * failure anywhere undoes the new registration too. */
	assert_int_equal(xsk_socket_create(&first, c.umem, &c.o), 0);
	assert_int_equal(xsk_socket_destroy(first), 0);
	assert_int_equal(xsk_umem_fd(c.umem), -1);
	assert_null(xsk_umem_fill(c.umem));
	assert_ledger(0, 1);
	assert_int_equal(fail_each_call(sock_op, &c, 0, 1), 14);
	assert_int_equal(xsk_socket_create(&first, c.umem, &c.o), 0);
	assert_int_equal(fake.last_bind_flags, XDP_USE_NEED_WAKEUP);
	assert_int_equal(xsk_socket_fd(first), xsk_umem_fd(c.umem));
	assert_ledger(1, 5);

	/* A further socket on the same queue: ifname, socket, sizes,
	 * offsets, maps, bind. */
	assert_int_equal(fail_each_call(sock_op, &c, 1, 5), 8);

	/* Another queue: its own fill and completion rings too (sizes,
	 * offsets, maps). */
	c.o.queue_id = 1;
	assert_int_equal(fail_each_call(sock_op, &c, 1, 5), 13);
	assert_int_equal(xsk_socket_create(&q1, c.umem, &c.o), 0);
	assert_ledger(2, 9);

	/* On an adopted fd, which stays open on failure; it shares q1's
	 * rings. */
	c.fd = socket(AF_XDP, SOCK_RAW, 0);
	assert_int_equal(fail_each_call(sock_op, &c, 3, 9), 7);
	close(c.fd);

	/* In libxdp's order, first created first. */
	assert_int_equal(xsk_socket_destroy(first), 0);
	assert_int_equal(xsk_socket_destroy(q1), 0);
	assert_int_equal(xsk_umem_destroy(c.umem), 0);
	assert_ledger(0, 0);
}

struct bad_sock {
	struct xsk_socket_opts o;
	const char *says;
};

static void socket_validation(void **state)
{
	const struct bad_sock cases[] = {
		{ { .ifname = "fake0",
		    .flags = XSK_SOCKET_NO_RX | XSK_SOCKET_NO_TX },
		  "can't both be set" },
		{ { .ifname = "fake0", .flags = 1u << 20 },
		  "unknown socket flags" },
		{ { .ifname = "fake0", .mode = 7 }, "unknown mode 7" },
		{ { .ifname = "fake0", .rx_size = 1000 }, "RX ring size 1000" },
		{ { .ifname = "fake0", .tx_size = 3 }, "TX ring size 3" },
		{ { .ifname = "fake0", .fill_size = 6 }, "fill ring size 6" },
		{ { .ifname = "" }, "empty or longer" },
		{ { .ifname = "sixteen-chars-xx" }, "empty or longer" },
		{ { .queue_id = 0 }, "set .ifname or .ifindex" },
	};
	struct xsk_socket *xsk = SENTINEL;
	struct xsk_umem *umem;
	unsigned int i;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xsk_socket_opts o = cases[i].o;

		o.sz = sizeof(o);
		fake.calls = 0;
		assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EINVAL);
		assert_msg(cases[i].says);
		assert_int_equal(fake.calls, 0);
	}
	assert_int_equal(xsk_socket_create(&xsk, umem, NULL), -EINVAL);
	assert_int_equal(xsk_socket_create(&xsk, NULL, &sock_opts_q0), -EINVAL);
	assert_int_equal(xsk_socket_create(NULL, umem, &sock_opts_q0), -EINVAL);
	assert_int_equal(xsk_socket_create_fd(&xsk, umem, -3, &sock_opts_q0),
			 -EBADF);
	assert_int_equal(xsk_socket_create_fd(&xsk, umem, xsk_umem_fd(umem),
					      &sock_opts_q0),
			 -EINVAL);
	assert_msg("UMEM's own socket");
	assert_ptr_equal(xsk, SENTINEL);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static void socket_bind_errors_explained(void **state)
{
	struct xsk_socket_opts o = sock_opts_q0;
	struct xsk_socket *xsk = SENTINEL;
	struct xsk_umem *umem;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	o.queue_id = 5; /* the fake device has 4 channels */
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EINVAL);
	assert_msg(
		"queue 5 does not exist on fake0, which has 4 active channel(s)");
	o.queue_id = 0;
	o.ifname = "nope0";
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -ENODEV);
	assert_msg("no interface named \"nope0\"");
	o.ifname = NULL;
	o.ifindex = 99;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -ENODEV);
	assert_msg("no interface with index 99");
	o.ifindex = FAKE_IFINDEX;
	fake.bind_errno = EBUSY;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EBUSY);
	assert_msg("queue 0 of fake0 is taken");
	assert_msg("set .bind_wait_ms");
	/* waiting out the release of a closed socket's queue */
	o.bind_wait_ms = 20;
	fake.bind_calls = 0;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EBUSY);
	assert_msg("after waiting 20 ms");
	assert_int_equal(fake.bind_calls, 21); /* one, then one a ms */
	fake.bind_errno = 0;
	fake.calls = 0;
	/* the first bind (after offsets and two maps: the ring sizes were
	 * kept) fails with EBUSY once, then the queue is free */
	fake.fail_at = 4;
	fake.fail_errno = EBUSY;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);
	assert_string_equal(fake.failed, "bind");
	fake.fail_at = 0;
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	/* the UMEM's socket is bound now: start again with a new UMEM */
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	o.bind_wait_ms = 0;
	xsk = SENTINEL;
	fake.bind_errno = EOPNOTSUPP;
	o.mode = XSK_MODE_ZEROCOPY;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EOPNOTSUPP);
	assert_msg("no AF_XDP zero-copy support");
	fake.bind_errno = EINVAL;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EINVAL);
	assert_msg("refused to bind to fake0 queue 0");
	fake.bind_errno = 0;
	assert_ptr_equal(xsk, SENTINEL);

	/* after all those failures the UMEM still takes its first socket */
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);
	assert_int_equal(fake.last_bind_flags,
			 XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP);
	fake.calls = 0;
	assert_int_equal(xsk_socket_bind(xsk), -EBUSY);
	assert_msg("already bound");
	assert_int_equal(fake.calls, 0);

	/* a retry that asks for other ring sizes than the kept ones */
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	fake.bind_errno = EBUSY;
	assert_int_equal(xsk_socket_create(&xsk, umem, &sock_opts_q0), -EBUSY);
	fake.bind_errno = 0;
	o = sock_opts_q0;
	o.rx_size = 512;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EINVAL);
	assert_msg("kept a RX ring of 2048 entries");
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static void socket_rings_wired(void **state)
{
	struct xsk_socket_opts o = sock_opts_q0;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	struct xsk_umem_opts uo =
		XSK_OPTS(xsk_umem_opts, .fill_size = 64, .comp_size = 32);

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, &uo), 0);
	o.rx_size = 128;
	o.flags = XSK_SOCKET_NO_TX;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);
	assert_null(xsk_socket_tx(xsk));
	struct xsk_ring_cons *rx = xsk_socket_rx(xsk);
	struct xsk_ring_prod *fill = xsk_socket_fill(xsk);
	struct xsk_ring_cons *comp = xsk_socket_comp(xsk);
	assert_non_null(rx);
	assert_int_equal(rx->size, 128);
	assert_int_equal(rx->mask, 127);
	/* the fake kernel's offsets: producer 0, consumer 64, flags 128,
	 * descriptors 192 */
	assert_ptr_equal((char *)rx->consumer - (char *)rx->producer, 64);
	assert_ptr_equal((char *)rx->ring - (char *)rx->producer, 192);
	assert_ptr_equal((char *)rx->flags - (char *)rx->producer, 128);
	assert_int_equal(fill->size, 64);
	assert_int_equal(fill->cached_cons, 64); /* one ring ahead */
	assert_int_equal(comp->size, 32);
	assert_int_equal(comp->cached_cons, 0);
	assert_int_equal(xsk_socket_ifindex(xsk), FAKE_IFINDEX);
	assert_int_equal(xsk_socket_queue_id(xsk), 0);
	assert_int_equal(xsk_socket_fd(xsk), xsk_umem_fd(umem));
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static void socket_v1_offsets(void **state)
{
	struct xsk_socket *xsk;
	struct xsk_umem *umem;

	(void)state;
	fake_kernel(FAKE_4_18);
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &sock_opts_q0), 0);
	/* no need_wakeup on a kernel that doesn't know it */
	assert_int_equal(fake.last_bind_flags, 0);
	struct xsk_ring_cons *rx = xsk_socket_rx(xsk);
	assert_ptr_equal((char *)rx->ring - (char *)rx->producer, 128);
	assert_ptr_equal((char *)rx->flags - (char *)rx->producer, 68);
	/* so every kick is a syscall */
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(fake.sendtos, 2);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static void shared_umem(void **state)
{
	struct xsk_socket_opts o = sock_opts_q0;
	struct xsk_socket *s1, *s2, *s3, *s4, *bad = SENTINEL;
	struct xsk_umem *umem;
	uint32_t idx;
	int first_fd;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	first_fd = xsk_umem_fd(umem);
	/* stocked before the first socket exists, as libxdp programs do */
	assert_int_equal(xsk_ring_prod__reserve(xsk_umem_fill(umem), 8, &idx),
			 8);
	xsk_ring_prod__submit(xsk_umem_fill(umem), 8);
	assert_int_equal(xsk_socket_create(&s1, umem, &o), 0);
	assert_ptr_equal(xsk_socket_fill(s1), xsk_umem_fill(umem));
	assert_ptr_equal(xsk_socket_comp(s1), xsk_umem_comp(umem));
	assert_int_equal(fake.last_bind_flags, XDP_USE_NEED_WAKEUP);
	/* same queue: shares the UMEM's rings, partner is the UMEM socket */
	assert_int_equal(xsk_socket_create(&s2, umem, &o), 0);
	assert_int_equal(fake.last_bind_flags, XDP_SHARED_UMEM);
	assert_int_equal(fake.last_bind_shared_fd, xsk_umem_fd(umem));
	assert_ptr_equal(xsk_socket_fill(s2), xsk_socket_fill(s1));
	assert_ptr_equal(xsk_socket_comp(s2), xsk_socket_comp(s1));
	/* another queue: rings of its own */
	o.queue_id = 1;
	assert_int_equal(xsk_socket_create(&s3, umem, &o), 0);
	assert_ptr_not_equal(xsk_socket_fill(s3), xsk_socket_fill(s1));
	assert_int_equal(fake.last_bind_shared_fd, xsk_umem_fd(umem));
	/* a second socket there shares s3's rings, through s3 */
	assert_int_equal(xsk_socket_create(&s4, umem, &o), 0);
	assert_ptr_equal(xsk_socket_fill(s4), xsk_socket_fill(s3));
	assert_int_equal(fake.last_bind_shared_fd, xsk_socket_fd(s3));
	/* another device works the same way */
	o.ifname = "fake1";
	o.queue_id = 0;
	struct xsk_socket *s5;
	assert_int_equal(xsk_socket_create(&s5, umem, &o), 0);
	assert_ptr_not_equal(xsk_socket_fill(s5), xsk_socket_fill(s1));

	/* the first socket's mode and need_wakeup are the UMEM's */
	o.mode = XSK_MODE_ZEROCOPY;
	assert_int_equal(xsk_socket_create(&bad, umem, &o), -EINVAL);
	assert_msg("mode of its first socket (auto)");
	o.mode = XSK_MODE_AUTO;
	o.flags = XSK_SOCKET_NO_NEED_WAKEUP;
	assert_int_equal(xsk_socket_create(&bad, umem, &o), -EINVAL);
	assert_msg("need_wakeup from its first socket (on)");
	assert_ptr_equal(bad, SENTINEL);

	/* destroy while in use */
	assert_int_equal(xsk_umem_destroy(umem), -EBUSY);
	assert_msg("still has 5 socket(s)");
	assert_ledger(5, 17);
	/* Any order, oldest first: the first socket's registration closes
	 * with it (its shared rings are mapped again from s2), and s3's rings
	 * stay for s4, mapped from s4 */
	assert_int_equal(xsk_socket_destroy(s1), 0);
	assert_false(fake_is_open(first_fd));
	assert_int_equal(xsk_umem_fd(umem), -1);
	assert_ledger(4, 15);
	assert_int_equal(xsk_socket_destroy(s3), 0);
	assert_ledger(3, 13);
	assert_int_equal(xsk_socket_destroy(s4), 0);
	assert_int_equal(xsk_socket_destroy(s5), 0);
	/* the shared rings outlived their maker and still work for s2 */
	assert_true(xsk_ring_prod__reserve(xsk_socket_fill(s2), 1, &idx) == 1);
	assert_int_equal(xsk_socket_destroy(s2), 0);
	assert_int_equal(xsk_socket_destroy(NULL), 0);
	assert_ledger(0, 1);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static void deferred_bind(void **state)
{
	struct xsk_socket_opts o = sock_opts_q0;
	struct xsk_socket *s1, *s2, *s3;
	struct xsk_umem *umem;

	(void)state;
	o.flags = XSK_SOCKET_DEFER_BIND;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&s1, umem, &o), 0);
	assert_int_equal(xsk_socket_create(&s2, umem, &o), 0);
	o.queue_id = 1;
	assert_int_equal(xsk_socket_create(&s3, umem, &o), 0);
	assert_int_equal(fake.binds, 0);
	assert_false(fake_is_bound(xsk_socket_fd(s1)));
	/* sharers need their partner bound first */
	assert_int_equal(xsk_socket_bind(s2), -EBADF);
	assert_msg("on this queue is bound yet");
	assert_int_equal(xsk_socket_bind(s3), -EBADF);
	assert_int_equal(xsk_socket_bind(s1), 0);
	assert_int_equal(xsk_socket_bind(s2), 0);
	assert_int_equal(xsk_socket_bind(s3), 0);
	assert_int_equal(xsk_socket_bind(s3), -EBUSY);
	assert_int_equal(fake.binds, 3);
	assert_int_equal(xsk_socket_destroy(s3), 0);
	assert_int_equal(xsk_socket_destroy(s2), 0);
	assert_int_equal(xsk_socket_destroy(s1), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static void wakeups(void **state)
{
	struct xsk_socket_opts o = sock_opts_q0;
	struct xsk_socket *xsk, *rxonly;
	struct xsk_umem *umem, *umem2;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);

	/* need_wakeup on: a kick only when the kernel asks */
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(fake.sendtos, 0);
	*xsk_socket_tx(xsk)->flags = XDP_RING_NEED_WAKEUP;
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(fake.sendtos, 1);
	assert_int_equal(xsk_socket_wake_rx(xsk), 0);
	assert_int_equal(fake.recvfroms, 0);
	*xsk_socket_fill(xsk)->flags = XDP_RING_NEED_WAKEUP;
	assert_int_equal(xsk_socket_wake_rx(xsk), 0);
	assert_int_equal(fake.recvfroms, 1);

	/* the kick's errors, each explained */
	const struct {
		int err;
		const char *says;
	} kick[] = {
		{ EAGAIN, "reap the completion ring" },
		{ EBUSY, "reap the completion ring" },
		{ ENETDOWN, "interface is down" },
		{ ENXIO, "not bound" },
		{ EIO, "sendto" },
	};
	for (unsigned int i = 0; i < sizeof(kick) / sizeof(kick[0]); i++) {
		fake.calls = 0;
		fake.fail_at = 1;
		fake.fail_errno = kick[i].err;
		assert_int_equal(xsk_socket_kick_tx(xsk), -kick[i].err);
		assert_msg(kick[i].says);
	}
	fake.calls = 0;
	fake.fail_errno = EAGAIN;
	assert_int_equal(xsk_socket_wake_rx(xsk), 0); /* nothing to do */
	/* before Linux 5.11 there is no AF_XDP recvmsg, and no RX wake-up
	 * to make */
	fake.calls = 0;
	fake.fail_errno = EOPNOTSUPP;
	assert_int_equal(xsk_socket_wake_rx(xsk), 0);
	fake.calls = 0;
	fake.fail_errno = EINTR;
	assert_int_equal(xsk_socket_poll(xsk, POLLIN, 10), -EINTR);
	fake.fail_at = 0;
	assert_int_equal(xsk_socket_poll(xsk, POLLIN, 10), 0);

	/* an RX-only socket has nothing to kick */
	assert_int_equal(xsk_umem_create(&umem2, NULL), 0);
	o.queue_id = 1;
	o.flags = XSK_SOCKET_NO_TX | XSK_SOCKET_NO_NEED_WAKEUP;
	assert_int_equal(xsk_socket_create(&rxonly, umem2, &o), 0);
	fake.calls = 0;
	assert_int_equal(xsk_socket_kick_tx(rxonly), -ENOBUFS);
	assert_int_equal(fake.calls, 0);
	/* without need_wakeup, every wake-up is a syscall */
	fake.recvfroms = 0;
	assert_int_equal(xsk_socket_wake_rx(rxonly), 0);
	assert_int_equal(fake.recvfroms, 1);

	assert_int_equal(xsk_socket_destroy(rxonly), 0);
	assert_int_equal(xsk_umem_destroy(umem2), 0);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

/* The NULL contract: no out-of-line function crashes on a NULL handle. */
static void null_handles(void **state)
{
	struct xsk_stats st = { .sz = sizeof(st) };
	struct xsk_umem_bounds b;
	struct xsk_umem *umem;

	(void)state;
	assert_int_equal(xsk_umem_destroy(NULL), 0);
	assert_null(xsk_umem_area(NULL));
	assert_int_equal(xsk_umem_size(NULL), 0);
	assert_int_equal(xsk_umem_frame_size(NULL), 0);
	assert_int_equal(xsk_umem_nframes(NULL), 0);
	assert_int_equal(xsk_umem_fd(NULL), -1);
	assert_null(xsk_umem_fill(NULL));
	assert_null(xsk_umem_comp(NULL));
	assert_int_equal(xsk_umem_get_bounds(NULL, &b), -EINVAL);
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_umem_get_bounds(umem, NULL), -EINVAL);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	fake.calls = 0;

	assert_int_equal(xsk_socket_create(NULL, NULL, &sock_opts_q0), -EINVAL);
	assert_int_equal(xsk_socket_destroy(NULL), 0);
	assert_int_equal(xsk_socket_bind(NULL), -EINVAL);
	assert_int_equal(xsk_socket_fd(NULL), -1);
	assert_int_equal(xsk_socket_ifindex(NULL), 0);
	assert_int_equal(xsk_socket_queue_id(NULL), 0);
	assert_null(xsk_socket_rx(NULL));
	assert_null(xsk_socket_tx(NULL));
	assert_null(xsk_socket_fill(NULL));
	assert_null(xsk_socket_comp(NULL));
	assert_int_equal(xsk_socket_kick_tx(NULL), -EINVAL);
	assert_int_equal(xsk_socket_wake_rx(NULL), -EINVAL);
	assert_int_equal(xsk_socket_poll(NULL, POLLIN, 0), -EINVAL);
	assert_int_equal(xsk_socket_stats(NULL, &st), -EINVAL);
	assert_int_equal(xsk_socket_zerocopy(NULL), -EINVAL);
	assert_int_equal(xsk_socket_busy_poll(NULL, 10, 0), -EINVAL);
	assert_int_equal(xsk_socket_set_tx_budget(NULL, 64), -EINVAL);
	assert_int_equal(fake.calls, 0);
	assert_ledger(0, 0);
}

static void stats_and_options(void **state)
{
	struct xsk_socket_opts o = sock_opts_q0;
	struct xsk_stats st = { .sz = sizeof(st) };
	struct xsk_socket *xsk;
	struct xsk_umem *umem;

	(void)state;
	o.flags = XSK_SOCKET_DEFER_BIND;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);
	assert_int_equal(xsk_socket_zerocopy(xsk), -ENXIO);
	/* not bound: the wake-ups say so, need_wakeup flag or not */
	assert_int_equal(xsk_socket_wake_rx(xsk), -ENXIO);
	assert_msg("not bound");
	assert_int_equal(xsk_socket_kick_tx(xsk), -ENXIO);
	assert_int_equal(fake.sendtos + fake.recvfroms, 0);
	assert_int_equal(xsk_socket_bind(xsk), 0);

	assert_int_equal(xsk_socket_stats(xsk, &st), 0);
	assert_int_equal(st.flags, XSK_STATS_V2);
	assert_int_equal(st.rx_dropped, 1);
	assert_int_equal(st.tx_invalid_descs, 3);
	assert_int_equal(st.tx_ring_empty_descs, 6);
	/* an older caller's struct gets what fits, nothing beyond */
	struct {
		struct xsk_stats s;
		uint64_t canary;
	} old = { .s = { .sz = offsetof(struct xsk_stats, rx_ring_full) },
		  .canary = 77 };
	old.s.rx_ring_full = 99;
	assert_int_equal(xsk_socket_stats(xsk, &old.s), 0);
	assert_int_equal(old.s.tx_invalid_descs, 3);
	assert_int_equal(old.s.rx_ring_full, 99);
	old.s.sz = 8;
	assert_int_equal(xsk_socket_stats(xsk, &old.s), -EINVAL);
	assert_int_equal(xsk_socket_stats(xsk, NULL), -EINVAL);

	assert_int_equal(xsk_socket_zerocopy(xsk), 0);
	fake.zerocopy = true;
	assert_int_equal(xsk_socket_zerocopy(xsk), 1);

	assert_int_equal(xsk_socket_set_tx_budget(xsk, 31), -EINVAL);
	assert_int_equal(xsk_socket_set_tx_budget(xsk, 4096), -EINVAL);
	assert_msg("from 32 to the TX ring size, 2048");
	assert_int_equal(xsk_socket_set_tx_budget(xsk, 256), 0);
	assert_int_equal(fake.tx_budget, 256);

	/* an old kernel: v1 statistics, no XDP_OPTIONS, no TX budget */
	fake_kernel(FAKE_4_18);
	memset(&st, 0xff, sizeof(st));
	st.sz = sizeof(st);
	assert_int_equal(xsk_socket_stats(xsk, &st), 0);
	assert_int_equal(st.flags, 0);
	assert_int_equal(st.rx_invalid_descs, 2);
	assert_int_equal(st.rx_ring_full, 0);
	assert_int_equal(st.tx_ring_empty_descs, 0);
	assert_int_equal(xsk_socket_zerocopy(xsk), -EOPNOTSUPP);
	assert_msg("Linux 5.3");
	assert_int_equal(xsk_socket_set_tx_budget(xsk, 64), -EOPNOTSUPP);
	assert_msg("Linux 6.17");
	/* what such a kernel sends instead, 16 on the oldest */
	assert_msg("16 before Linux 5.14");
	fake_kernel(FAKE_NEWEST);

	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static int sol_socket_int(int fd, int name)
{
	socklen_t len = sizeof(int);
	int v = -1;

	assert_int_equal(getsockopt(fd, SOL_SOCKET, name, &v, &len), 0);
	return v;
}

static void busy_poll_rollback(void **state)
{
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	int fd, i;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &sock_opts_q0), 0);
	fd = xsk_socket_fd(xsk);

	/* two reads, then three writes: fail each write in turn */
	for (i = 3; i <= 5; i++) {
		fake.calls = 0;
		fake.fail_at = (unsigned int)i;
		fake.fail_errno = EPERM;
		assert_int_equal(xsk_socket_busy_poll(xsk, 20, 16), -EPERM);
		assert_msg("needs CAP_NET_ADMIN");
		fake.fail_at = 0;
		/* everything back as it was */
		assert_int_equal(sol_socket_int(fd, 69), 0);
		assert_int_equal(sol_socket_int(fd, SO_BUSY_POLL), 0);
	}
	fake.calls = 0;
	fake.fail_at = 1;
	fake.fail_errno = ENOPROTOOPT;
	assert_int_equal(xsk_socket_busy_poll(xsk, 20, 16), -EOPNOTSUPP);
	assert_msg("Linux 5.11");
	fake.fail_at = 0;
	assert_int_equal(xsk_socket_busy_poll(xsk, 1u << 31, 16), -EINVAL);

	/* on: every wake-up is a syscall, flags or not */
	assert_int_equal(xsk_socket_busy_poll(xsk, 20, 0), 0);
	assert_int_equal(sol_socket_int(fd, 69), 1);
	assert_int_equal(sol_socket_int(fd, SO_BUSY_POLL), 20);
	fake.sendtos = fake.recvfroms = 0;
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(xsk_socket_wake_rx(xsk), 0);
	assert_int_equal(fake.sendtos, 1);
	assert_int_equal(fake.recvfroms, 1);
	/* off again */
	assert_int_equal(xsk_socket_busy_poll(xsk, 0, 0), 0);
	assert_int_equal(sol_socket_int(fd, 69), 0);
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	assert_int_equal(fake.sendtos, 1);

	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

/*
 * The last failure gave advice with code @code: xsk_errcause() is the
 * sentence up to its advice, which names @advice (a libxsk name the cause
 * must not contain), and the code holds until the next failure.
 */
#define assert_advice(code, advice)                                    \
	do {                                                           \
		size_t n_ = strlen(xsk_errcause());                    \
		assert_int_equal(xsk_erradvice(), (code));             \
		assert_true(n_ > 0);                                   \
		assert_memory_equal(xsk_errcause(), xsk_errmsg(), n_); \
		assert_memory_equal(xsk_errmsg() + n_, ": ", 2);       \
		assert_msg(advice);                                    \
		assert_null(strstr(xsk_errcause(), (advice)));         \
	} while (0)

/* Each piece of advice a user can act on comes with its code. */
static void error_advice(void **state)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .frame_size = 3000);
	struct xsk_socket_opts o = sock_opts_q0;
	struct xsk_socket *xsk = SENTINEL, *first, *bad = SENTINEL;
	struct xsk_umem *umem = SENTINEL;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, &uo), -EINVAL);
	assert_advice(XSK_ADVICE_UNALIGNED, "XSK_UMEM_UNALIGNED");
	/* a failure without advice clears the code */
	uo.frame_size = 1024;
	assert_int_equal(xsk_umem_create(&umem, &uo), -EINVAL);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_NONE);
	assert_string_equal(xsk_errcause(), xsk_errmsg());
	assert_msg("frame size 1024 is out of range");

	fake.reg_errno = ENOBUFS;
	assert_int_equal(xsk_umem_create(&umem, NULL), -ENOBUFS);
	assert_advice(XSK_ADVICE_MEMLOCK, "CAP_IPC_LOCK");
	fake.reg_errno = 0;
	fake.calls = 0;
	fake.fail_at = 2; /* socket() */
	fake.fail_errno = EPERM;
	assert_int_equal(xsk_umem_create(&umem, NULL), -EPERM);
	assert_advice(XSK_ADVICE_NET_RAW, "xsk_umem_create_fd()");
	fake.fail_at = 0;
	assert_ptr_equal(umem, SENTINEL);

	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	o.queue_id = 5; /* the fake device has 4 channels */
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EINVAL);
	assert_advice(XSK_ADVICE_QUEUE_ID, "use a queue id below 4");
	o.queue_id = 0;
	fake.bind_errno = EBUSY;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EBUSY);
	assert_advice(XSK_ADVICE_BIND_WAIT, ".bind_wait_ms");
	fake.bind_errno = EOPNOTSUPP;
	o.mode = XSK_MODE_ZEROCOPY;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EOPNOTSUPP);
	assert_advice(XSK_ADVICE_MODE_COPY, "XSK_MODE_COPY");
	o.flags = XSK_SOCKET_MULTI_BUFFER;
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EOPNOTSUPP);
	assert_advice(XSK_ADVICE_MULTI_BUFFER, "XSK_SOCKET_MULTI_BUFFER");
	fake.bind_errno = 0;
	assert_ptr_equal(xsk, SENTINEL);

	/* sockets that share the UMEM of @first */
	o.mode = XSK_MODE_AUTO;
	o.flags = 0;
	assert_int_equal(xsk_socket_create(&first, umem, &o), 0);
	o.flags = XSK_SOCKET_MULTI_BUFFER;
	assert_int_equal(xsk_socket_create(&bad, umem, &o), -EINVAL);
	assert_advice(XSK_ADVICE_OWN_UMEM, "a UMEM of its own");
	o.flags = 0;
	o.mode = XSK_MODE_COPY;
	assert_int_equal(xsk_socket_create(&bad, umem, &o), -EINVAL);
	assert_advice(XSK_ADVICE_SHARED_MODE, "XSK_MODE_AUTO");
	o.mode = XSK_MODE_AUTO;
	o.flags = XSK_SOCKET_NO_NEED_WAKEUP;
	assert_int_equal(xsk_socket_create(&bad, umem, &o), -EINVAL);
	assert_advice(XSK_ADVICE_SHARED_WAKEUP, "XSK_SOCKET_NO_NEED_WAKEUP");
	assert_ptr_equal(bad, SENTINEL);

	/* advice without a separate cause: the whole sentence is the cause */
	fake.calls = 0;
	fake.fail_at = 3; /* the first setsockopt */
	fake.fail_errno = EPERM;
	assert_int_equal(xsk_socket_busy_poll(first, 20, 16), -EPERM);
	fake.fail_at = 0;
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_NET_ADMIN);
	assert_string_equal(xsk_errcause(), xsk_errmsg());
	assert_msg("needs CAP_NET_ADMIN");

	assert_int_equal(xsk_socket_destroy(first), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_ledger(0, 0);
}

static void *fail_in_thread(void *arg)
{
	struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts, .frame_size = 3000);
	struct xsk_umem *umem;

	(void)arg;
	xsk_umem_create(&umem, &o);
	return strstr(xsk_errmsg(), "frame size 3000") &&
			       xsk_erradvice() == XSK_ADVICE_UNALIGNED &&
			       !strcmp(xsk_errcause(),
				       "frame size 3000 is not a power of two") ?
		       arg :
		       NULL;
}

static void errmsg_per_thread(void **state)
{
	static int token;
	pthread_t t;
	void *ret;

	(void)state;
	assert_string_equal(xsk_errmsg(), "");
	assert_string_equal(xsk_errcause(), "");
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_NONE);
	assert_int_equal(pthread_create(&t, NULL, fail_in_thread, &token), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_ptr_equal(ret, &token);
	/* that failure is the other thread's */
	assert_string_equal(xsk_errmsg(), "");
	assert_string_equal(xsk_errcause(), "");
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(errmsg_per_thread, setup),
		cmocka_unit_test_setup(umem_defaults, setup),
		cmocka_unit_test_setup(umem_validation, setup),
		cmocka_unit_test_setup(umem_sized_opts, setup),
		cmocka_unit_test_setup(umem_fault_injection, setup),
		cmocka_unit_test_setup(umem_huge_pages, setup),
		cmocka_unit_test_setup(umem_adopted_fd, setup),
		cmocka_unit_test_setup(umem_errors_explained, setup),
		cmocka_unit_test_setup(socket_fault_injection, setup),
		cmocka_unit_test_setup(socket_validation, setup),
		cmocka_unit_test_setup(socket_bind_errors_explained, setup),
		cmocka_unit_test_setup(error_advice, setup),
		cmocka_unit_test_setup(socket_rings_wired, setup),
		cmocka_unit_test_setup(socket_v1_offsets, setup),
		cmocka_unit_test_setup(shared_umem, setup),
		cmocka_unit_test_setup(deferred_bind, setup),
		cmocka_unit_test_setup(wakeups, setup),
		cmocka_unit_test_setup(null_handles, setup),
		cmocka_unit_test_setup(stats_and_options, setup),
		cmocka_unit_test_setup(busy_poll_rollback, setup),
	};

	return cmocka_run_group_tests_name("control path", tests, NULL, NULL);
}
