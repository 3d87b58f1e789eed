// SPDX-License-Identifier: MIT
/*
 * Several processes, on the fake kernel (fakesys.c, fakebpf.c): fd passing
 * over real Unix sockets with every malformed message a peer can send, the
 * memfd UMEM, the hand-over of a bound socket, and the explanation of a
 * taken queue from netdev netlink and AF_XDP socket diagnostics. Every
 * setup path has each of its calls failed in turn; no fd or mapping may
 * outlive a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include "fakesys.h"
#include "fakebpf.h"

static int setup(void **state)
{
	(void)state;
	fake_reset();
	fake_bpf_reset();
	return 0;
}

static void pair(int type, int sp[2])
{
	assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sp), 0);
}

static void close_pair(int sp[2])
{
	close(sp[0]);
	close(sp[1]);
}

/* Fail the @n-th wrapped call from now on with @err. */
static void arm(unsigned int n, int err)
{
	fake.calls = 0;
	fake.fail_at = n;
	fake.fail_errno = err;
	fake.failed = NULL;
}

/* Two fds to send: a pipe's ends. */
static void two_fds(int fds[2])
{
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

/* ------------------------------------------------------- fd passing */

static void fds_round_trip(void **state)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	char data[32], out[32];
	int sp[2], fds[2], got[2];
	unsigned int i;
	size_t len;
	int before;

	(void)state;
	two_fds(fds);
	before = test_count_fds();
	for (i = 0; i < 3; i++) {
		pair(types[i], sp);
		snprintf(data, sizeof(data), "queue %u", i);
		assert_int_equal(
			xsk_fds_send(sp[0], fds, 2, data, strlen(data) + 1), 0);
		len = sizeof(out);
		assert_int_equal(xsk_fds_recv(sp[1], got, 2, out, &len), 0);
		assert_int_equal(len, strlen(data) + 1);
		assert_string_equal(out, data);
		assert_true(same_file(got[0], fds[0]));
		assert_true(same_file(got[1], fds[1]));
		/* close-on-exec, like every fd libxsk makes */
		assert_true(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
		assert_true(fcntl(got[1], F_GETFD) & FD_CLOEXEC);
		close(got[0]);
		close(got[1]);
		/* without data */
		assert_int_equal(xsk_fds_send(sp[0], fds, 1, NULL, 0), 0);
		assert_int_equal(xsk_fds_recv(sp[1], got, 1, NULL, NULL), 0);
		close(got[0]);
		close_pair(sp);
	}
	assert_int_equal(test_count_fds(), before);
	close(fds[0]);
	close(fds[1]);
}

static void fds_bad_arguments(void **state)
{
	int sp[2], fds[2], got[XSK_FDS_MAX + 1], p[2], before;
	char buf[8];
	size_t len = sizeof(buf);

	(void)state;
	two_fds(fds);
	pair(SOCK_STREAM, sp);
	assert_int_equal(xsk_fds_send(sp[0], NULL, 1, NULL, 0), -EINVAL);
	assert_int_equal(xsk_fds_send(sp[0], fds, 0, NULL, 0), -EINVAL);
	assert_int_equal(xsk_fds_send(sp[0], fds, XSK_FDS_MAX + 1, NULL, 0),
			 -EINVAL);
	assert_int_equal(xsk_fds_send(sp[0], fds, 1, NULL, 4), -EINVAL);
	assert_int_equal(xsk_fds_send(sp[0], fds, 1, buf, XSK_FDS_DATA_MAX + 1),
			 -EINVAL);
	assert_int_equal(xsk_fds_recv(sp[1], got, 0, NULL, NULL), -EINVAL);
	assert_int_equal(xsk_fds_recv(sp[1], got, 1, buf, NULL), -EINVAL);
	assert_int_equal(xsk_fds_recv(sp[1], got, 1, NULL, &len), -EINVAL);
	/* not a socket, not a Unix socket, not open */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(xsk_fds_send(p[1], fds, 1, NULL, 0), -ENOTSOCK);
	assert_msg("not a socket");
	close(p[0]);
	close(p[1]);
	assert_int_equal(xsk_fds_send(1000, fds, 1, NULL, 0), -EBADF);
	p[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(xsk_fds_send(p[0], fds, 1, NULL, 0), -EAFNOSUPPORT);
	assert_msg("not a Unix socket");
	close(p[0]);
	/* an fd that is not open */
	before = test_count_fds();
	got[0] = 999;
	assert_int_equal(xsk_fds_send(sp[0], got, 1, NULL, 0), -EBADF);
	assert_int_equal(test_count_fds(), before);
	/* nobody at the other end */
	close(sp[1]);
	assert_int_equal(xsk_fds_send(sp[0], fds, 1, NULL, 0), -EPIPE);
	assert_msg("nobody is at the other end");
	close(sp[0]);
	close(fds[0]);
	close(fds[1]);
}

/* Send a raw message: @len bytes of @data with @nfds copies of @fd. */
static void raw_send(int sock, const void *data, size_t len, int fd,
		     unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} c;
	struct iovec iov = { (void *)data, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	if (nfds) {
		msg.msg_control = c.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		for (i = 0; i < nfds; i++)
			memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd,
			       sizeof(int));
	}
	assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t)len);
}

/* The header of xsk_fds_send(), version 1. */
struct hdr {
	uint32_t magic;
	uint16_t version, nfds;
	uint32_t len;
};
#define MAGIC 0x464b5358u

/* A message that must be refused with @err, every fd that came with it
 * closed and *@got untouched. */
static void refused(int sock, unsigned int nfds, int err, const char *why)
{
	int got[XSK_FDS_MAX], before = test_count_fds();
	char buf[16];
	size_t len = sizeof(buf);

	got[0] = -7;
	assert_int_equal(xsk_fds_recv(sock, got, nfds, buf, &len), err);
	assert_msg(why);
	assert_int_equal(got[0], -7);
	assert_int_equal(test_count_fds(), before);
}

/* A header announcing @nfds fds and @len bytes, then @sent bytes of data
 * (zeros), with @fds copies of @fd. */
static void hdr_send(int sock, uint16_t nfds, uint32_t len, size_t sent, int fd,
		     unsigned int fds)
{
	struct hdr h = { MAGIC, 1, nfds, len };
	char msg[sizeof(h) + 64] = { 0 };

	memcpy(msg, &h, sizeof(h));
	raw_send(sock, msg, sizeof(h) + sent, fd, fds);
}

static void fds_malformed(void **state)
{
	/* headers that lie, or messages the receiver did not expect */
	static const struct {
		uint16_t nfds;
		uint32_t len, sent;
		unsigned int fds, expect;
		int err;
		const char *why;
	} bad[] = {
		{ 2, 4, 4, 1, 1, -EBADMSG, "announced 2 fds but 1 arrived" },
		{ 3, 4, 4, 3, 2, -EBADMSG, "3 fds arrived, 2 were expected" },
		/* more fds than a message may carry: the kernel cuts them */
		{ 12, 4, 4, 12, 1, -EMSGSIZE, "MSG_CTRUNC" },
		{ 1, 40, 40, 1, 1, -EMSGSIZE, "longer than the 16 bytes" },
		{ 1, 8, 4, 1, 1, -EPROTO,
		  "announced 8 bytes of data but carries 4" },
	};
	struct hdr h = { MAGIC, 1, 1, 4 };
	char msg[64];
	unsigned int i;
	int sp[2], fd;

	(void)state;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);

	/* the other end closed at once */
	pair(SOCK_STREAM, sp);
	close(sp[0]);
	refused(sp[1], 1, -ECONNRESET, "closed without sending");
	close(sp[1]);

	/* not our protocol */
	pair(SOCK_SEQPACKET, sp);
	raw_send(sp[0], "hello, world, hello", 19, fd, 1);
	refused(sp[1], 1, -EBADMSG, "not one of xsk_fds_send()");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hdr_send(sp[0], bad[i].nfds, bad[i].len, bad[i].sent, fd,
			 bad[i].fds);
		refused(sp[1], bad[i].expect, bad[i].err, bad[i].why);
	}
	/* a datagram too short for the header */
	raw_send(sp[0], "XSKF\1", 5, fd, 1);
	refused(sp[1], 1, -EPROTO, "too short for the header");
	close_pair(sp);

	/* on a stream: a message in pieces is read whole... */
	pair(SOCK_STREAM, sp);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), "abc", 4);
	raw_send(sp[0], msg, 6, fd, 1);
	raw_send(sp[0], msg + 6, sizeof(h) + 4 - 6, -1, 0);
	{
		int got;
		char buf[8];
		size_t len = sizeof(buf);

		assert_int_equal(xsk_fds_recv(sp[1], &got, 1, buf, &len), 0);
		assert_int_equal(len, 4);
		assert_string_equal(buf, "abc");
		assert_true(same_file(got, fd));
		close(got);
	}
	/* ...and one cut short by the sender's exit is refused */
	hdr_send(sp[0], 1, 4, 2, fd, 1);
	close(sp[0]);
	refused(sp[1], 1, -EPROTO, "cut short");
	close(sp[1]);
	close(fd);
}

/* Every call of a send and a receive failed in turn: no fd survives. */
static void fds_fault_injection(void **state)
{
	int sp[2], fds[2], got[2], before, rc;
	unsigned int n, points = 0;
	size_t len;
	char buf[8];

	(void)state;
	two_fds(fds);
	for (n = 1;; n++) {
		pair(SOCK_STREAM, sp);
		before = test_count_fds();
		arm(n, EIO);
		rc = xsk_fds_send(sp[0], fds, 2, "abc", 4);
		if (!rc) {
			len = sizeof(buf);
			got[0] = -7;
			rc = xsk_fds_recv(sp[1], got, 2, buf, &len);
			if (!rc) {
				close(got[0]);
				close(got[1]);
			} else {
				assert_int_equal(got[0], -7);
			}
		}
		fake.fail_at = 0;
		assert_int_equal(test_count_fds(), before);
		close_pair(sp);
		if (!fake.failed) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, -EIO);
		points++;
	}
	assert_true(points >= 4); /* getsockopt x2, sendmsg; and receiving */
	close(fds[0]);
	close(fds[1]);
}

/* ------------------------------------------------------- memfd UMEM */

static void memfd_umem(void **state)
{
	struct xsk_umem_opts o =
		XSK_OPTS(xsk_umem_opts, .nframes = 64, .flags = XSK_UMEM_MEMFD);
	struct xsk_umem *umem;
	unsigned char *area, *again;
	int fd;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, &o), 0);
	fd = xsk_umem_memfd(umem);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* the memfd holds the UMEM: another mapping sees the same bytes */
	area = xsk_umem_area(umem);
	area[4096 * 63 + 5] = 0x5a;
	again = mmap(NULL, 64 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(again != MAP_FAILED);
	assert_int_equal(again[4096 * 63 + 5], 0x5a);
	munmap(again, 64 * 4096);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);
	assert_int_equal(fake.bad_unmaps, 0);
	assert_int_equal(xsk_umem_memfd(NULL), -1);

	/* not with a caller's area */
	o.area = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	o.size = 64 * 4096;
	assert_int_equal(xsk_umem_create(&umem, &o), -EINVAL);
	assert_msg(".area must be NULL");
	munmap(o.area, 64 * 4096);
	o.area = NULL;
	o.size = 0;
	/* nor with huge pages or a NUMA placement (not supported yet) */
	o.flags = XSK_UMEM_MEMFD | XSK_UMEM_HUGE_PAGES;
	assert_int_equal(xsk_umem_create(&umem, &o), -EINVAL);
	assert_msg("can't be combined with XSK_UMEM_HUGE_PAGES");
	o.flags = XSK_UMEM_MEMFD;
	o.numa_ifname = "eth0";
	assert_int_equal(xsk_umem_create(&umem, &o), -EINVAL);
	assert_msg("or numa_ifname");
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);
	/* and not there without the flag */
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_umem_memfd(umem), -1);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

static void memfd_umem_fault_injection(void **state)
{
	struct xsk_umem_opts o =
		XSK_OPTS(xsk_umem_opts, .nframes = 64, .flags = XSK_UMEM_MEMFD);
	struct xsk_umem *umem;
	unsigned int n, points = 0;
	int before = test_count_fds(), rc;
	bool memfd_failed = false, trunc_failed = false;

	(void)state;
	for (n = 1;; n++) {
		arm(n, ENOMEM);
		umem = NULL;
		rc = xsk_umem_create(&umem, &o);
		fake.fail_at = 0;
		if (!fake.failed) {
			assert_int_equal(rc, 0);
			assert_int_equal(xsk_umem_destroy(umem), 0);
			break;
		}
		memfd_failed |= !strcmp(fake.failed, "memfd_create");
		trunc_failed |= !strcmp(fake.failed, "ftruncate");
		assert_int_equal(rc, -ENOMEM);
		assert_null(umem);
		assert_int_equal(fake.live_fds, 0);
		assert_int_equal(fake.live_maps, 0);
		assert_int_equal(test_count_fds(), before);
		points++;
	}
	assert_true(memfd_failed && trunc_failed);
	assert_true(points >= 6);
	assert_int_equal(fake.bad_closes + fake.bad_unmaps, 0);
}

/* --------------------------------------------------------- hand-over */

static const struct xsk_socket_opts q1 = {
	.sz = sizeof(struct xsk_socket_opts),
	.ifname = "fake0",
	.queue_id = 1,
	.rx_size = 512,
	.tx_size = 256,
};

struct pred {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
};

static void pred_up(struct pred *p, uint32_t umem_flags)
{
	struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts, .nframes = 64,
					  .fill_size = 128, .comp_size = 64,
					  .flags = umem_flags);

	assert_int_equal(xsk_umem_create(&p->umem, &o), 0);
	assert_int_equal(xsk_socket_create(&p->xsk, p->umem, &q1), 0);
}

static void pred_down(struct pred *p)
{
	assert_int_equal(xsk_socket_destroy(p->xsk), 0);
	assert_int_equal(xsk_umem_destroy(p->umem), 0);
}

static void handover_adopt(void **state)
{
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	struct pred p;
	unsigned char *a;
	int sp[2];

	(void)state;
	pred_up(&p, XSK_UMEM_MEMFD);
	((unsigned char *)xsk_umem_area(p.umem))[100] = 0xab;
	pair(SOCK_STREAM, sp);
	assert_int_equal(xsk_socket_handover(p.xsk, sp[0]), 0);
	/* the predecessor lets go of its references */
	pred_down(&p);
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);

	assert_int_equal(xsk_socket_adopt(&xsk, &umem, sp[1]), 0);
	/* the same memory, geometry and place; bound as it was */
	a = xsk_umem_area(umem);
	assert_int_equal(a[100], 0xab);
	assert_int_equal(xsk_umem_nframes(umem), 64);
	assert_int_equal(xsk_umem_frame_size(umem), 4096);
	assert_true(xsk_umem_memfd(umem) >= 0);
	assert_int_equal(xsk_socket_queue_id(xsk), 1);
	assert_int_equal(xsk_socket_ifindex(xsk), FAKE_IFINDEX);
	assert_int_equal(xsk_socket_rx(xsk)->size, 512);
	assert_int_equal(xsk_socket_tx(xsk)->size, 256);
	assert_int_equal(xsk_socket_fill(xsk)->size, 128);
	assert_int_equal(xsk_socket_comp(xsk)->size, 64);
	assert_true(fake_is_bound(xsk_socket_fd(xsk)));
	/* nothing was bound again */
	assert_int_equal(fake.binds, 1);
	assert_int_equal(xsk_socket_kick_tx(xsk), 0);
	/* the UMEM can't go first; then both go, leaving nothing */
	assert_int_equal(xsk_umem_destroy(umem), -EBUSY);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);
	assert_int_equal(fake.bad_closes + fake.bad_unmaps, 0);
	close_pair(sp);
}

static void handover_refused(void **state)
{
	struct xsk_socket_opts deferred = q1;
	struct xsk_socket *second;
	struct pred p;
	int sp[2];

	(void)state;
	pair(SOCK_STREAM, sp);
	assert_int_equal(xsk_socket_handover(NULL, sp[0]), -EINVAL);
	/* anonymous memory: the successor could not map it */
	pred_up(&p, 0);
	assert_int_equal(xsk_socket_handover(p.xsk, sp[0]), -EINVAL);
	assert_msg("XSK_UMEM_MEMFD");
	pred_down(&p);
	/* not bound */
	deferred.flags = XSK_SOCKET_DEFER_BIND;
	assert_int_equal(xsk_umem_create(&p.umem,
					 &XSK_OPTS(xsk_umem_opts,
						   .flags = XSK_UMEM_MEMFD)),
			 0);
	assert_int_equal(xsk_socket_create(&p.xsk, p.umem, &deferred), 0);
	assert_int_equal(xsk_socket_handover(p.xsk, sp[0]), -EINVAL);
	assert_msg("not bound");
	pred_down(&p);
	/* a UMEM with two sockets */
	pred_up(&p, XSK_UMEM_MEMFD);
	deferred = q1;
	deferred.queue_id = 2;
	assert_int_equal(xsk_socket_create(&second, p.umem, &deferred), 0);
	assert_int_equal(xsk_socket_handover(p.xsk, sp[0]), -EINVAL);
	assert_msg("this UMEM has 2");
	assert_int_equal(xsk_socket_destroy(second), 0);
	/* a kernel before 6.4 maps no ring of a bound socket */
	fake.mmap_bound = false;
	assert_int_equal(xsk_socket_handover(p.xsk, sp[0]), -EOPNOTSUPP);
	assert_msg("Linux 6.4");
	fake.mmap_bound = true;
	pred_down(&p);
	/* nothing was sent by any refusal */
	assert_int_equal(recv(sp[1], &deferred, 1, MSG_DONTWAIT), -1);
	assert_int_equal(xsk_socket_adopt(NULL, NULL, sp[1]), -EINVAL);
	close_pair(sp);
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);
}

/* A successor on an older kernel, and messages that are no hand-over. */
static void adopt_refused(void **state)
{
	struct xsk_socket *xsk = NULL;
	struct xsk_umem *umem = NULL;
	struct pred p;
	int sp[2], fds[2], before;
	uint32_t junk[4] = { 1, 2, 3, 4 };

	(void)state;
	pair(SOCK_STREAM, sp);
	pred_up(&p, XSK_UMEM_MEMFD);
	assert_int_equal(xsk_socket_handover(p.xsk, sp[0]), 0);
	pred_down(&p);
	fake.mmap_bound = false;
	before = test_count_fds();
	assert_int_equal(xsk_socket_adopt(&xsk, &umem, sp[1]), -EOPNOTSUPP);
	assert_msg("Linux 6.4");
	assert_null(xsk);
	assert_null(umem);
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);
	assert_true(test_count_fds() <= before);
	fake.mmap_bound = true;

	/* two fds, but no hand-over's description */
	two_fds(fds);
	assert_int_equal(xsk_fds_send(sp[0], fds, 2, junk, sizeof(junk)), 0);
	before = test_count_fds();
	assert_int_equal(xsk_socket_adopt(&xsk, &umem, sp[1]), -EBADMSG);
	assert_msg("not a hand-over");
	assert_int_equal(test_count_fds(), before);
	close(fds[0]);
	close(fds[1]);
	close_pair(sp);
}

/* Adopting with each call failed in turn leaves nothing behind. */
static void adopt_fault_injection(void **state)
{
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	unsigned int n, points = 0;
	int sp[2], before, rc;
	struct pred p;

	(void)state;
	for (n = 1;; n++) {
		pair(SOCK_STREAM, sp);
		pred_up(&p, XSK_UMEM_MEMFD);
		assert_int_equal(xsk_socket_handover(p.xsk, sp[0]), 0);
		pred_down(&p);
		before = test_count_fds();
		arm(n, EIO);
		xsk = NULL;
		umem = NULL;
		rc = xsk_socket_adopt(&xsk, &umem, sp[1]);
		fake.fail_at = 0;
		if (!fake.failed) {
			assert_int_equal(rc, 0);
			assert_int_equal(xsk_socket_destroy(xsk), 0);
			assert_int_equal(xsk_umem_destroy(umem), 0);
			close_pair(sp);
			break;
		}
		assert_true(rc < 0);
		assert_null(xsk);
		assert_null(umem);
		assert_int_equal(fake.live_fds, 0);
		assert_int_equal(fake.live_maps, 0);
		/* the message's fds included: fewer than before it came */
		assert_int_equal(test_count_fds(), before);
		close_pair(sp);
		points++;
	}
	assert_true(points >= 8);
	assert_int_equal(fake.bad_closes + fake.bad_unmaps, 0);
}

/* Handing over with each call failed in turn: the predecessor's handles
 * stay whole and usable, nothing leaks. */
static void handover_fault_injection(void **state)
{
	unsigned int n, points = 0;
	int sp[2], before, rc;
	struct pred p;

	(void)state;
	pred_up(&p, XSK_UMEM_MEMFD);
	for (n = 1;; n++) {
		pair(SOCK_STREAM, sp);
		before = test_count_fds();
		arm(n, EIO);
		rc = xsk_socket_handover(p.xsk, sp[0]);
		fake.fail_at = 0;
		/* area, fill, completion, RX, TX */
		assert_int_equal(fake.live_maps, 5);
		assert_int_equal(test_count_fds(), before);
		close_pair(sp);
		if (!fake.failed) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_true(rc < 0);
		points++;
	}
	assert_true(points >= 4);
	pred_down(&p);
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);
}

/* ------------------------------------------------- who holds the queue */

static void ebusy_holder(void **state)
{
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	struct stat st;
	char want[64];
	int mine;

	(void)state;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	fake.bind_errno = EBUSY;

	/* neither source: the old sentence */
	assert_int_equal(xsk_socket_create(&xsk, umem, &q1), -EBUSY);
	assert_msg("another AF_XDP socket is bound to it");
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BIND_WAIT);
	assert_true(fbpf.genl_requests > 0);
	assert_true(fbpf.diag_requests > 0);

	/* netdev netlink says an AF_XDP socket holds the queue (6.15) */
	fbpf.xsk_queues = 1u << 1;
	assert_int_equal(xsk_socket_create(&xsk, umem, &q1), -EBUSY);
	assert_msg("queue 1 of fake0 is taken (after waiting 0 ms), held by an "
		   "AF_XDP socket (as netdev netlink");
	assert_msg("modprobe xsk_diag");
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BIND_WAIT);
	/* ...another queue's socket is not this one's */
	fbpf.xsk_queues = 1u << 2;
	assert_int_equal(xsk_socket_create(&xsk, umem, &q1), -EBUSY);
	assert_msg("another AF_XDP socket is bound to it");

	/* socket diagnostics give the inode; /proc names the process: here,
	 * a socket of this very test */
	mine = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(fstat(mine, &st), 0);
	fbpf.diag_ino = (uint32_t)st.st_ino;
	fbpf.diag_queue = 1;
	assert_int_equal(xsk_socket_create(&xsk, umem, &q1), -EBUSY);
	snprintf(want, sizeof(want), "socket:[%u] of process %d (test_",
		 fbpf.diag_ino, (int)getpid());
	assert_msg(want);
	assert_msg(": close that socket");
	assert_string_equal(strstr(xsk_errcause(), "queue 1"), xsk_errcause());
	/* an inode nobody here has open */
	close(mine);
	assert_int_equal(xsk_socket_create(&xsk, umem, &q1), -EBUSY);
	assert_msg("of a process this one can't see");
	/* diagnostics of another queue, and no netdev family: the old text */
	fbpf.diag_queue = 3;
	fbpf.no_netdev_family = true;
	assert_int_equal(xsk_socket_create(&xsk, umem, &q1), -EBUSY);
	assert_msg("another AF_XDP socket is bound to it");

	fake.bind_errno = 0;
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_int_equal(fake.live_fds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(fds_round_trip, setup),
		cmocka_unit_test_setup(fds_bad_arguments, setup),
		cmocka_unit_test_setup(fds_malformed, setup),
		cmocka_unit_test_setup(fds_fault_injection, setup),
		cmocka_unit_test_setup(memfd_umem, setup),
		cmocka_unit_test_setup(memfd_umem_fault_injection, setup),
		cmocka_unit_test_setup(handover_adopt, setup),
		cmocka_unit_test_setup(handover_refused, setup),
		cmocka_unit_test_setup(adopt_refused, setup),
		cmocka_unit_test_setup(adopt_fault_injection, setup),
		cmocka_unit_test_setup(handover_fault_injection, setup),
		cmocka_unit_test_setup(ebusy_holder, setup),
	};

	return cmocka_run_group_tests_name("several processes, fake kernel",
					   tests, NULL, NULL);
}
