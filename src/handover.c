// SPDX-License-Identifier: MIT
/*
 * Several processes: passing fds over a Unix socket (SCM_RIGHTS), and a
 * bound socket with its UMEM handed to a successor process.
 *
 * A message is a header (magic, version, fd count, data length), the data,
 * and the fds in one SCM_RIGHTS control message. The receiver checks all of
 * it, and on any failure closes every fd that arrived: an fd received is
 * this process's the moment recvmsg() returns, so the error paths must
 * account for each one.
 */
#include "gnu.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "internal.h"

#define FDMSG_MAGIC 0x464b5358u /* "XSKF" in memory on little-endian */
#define FDMSG_VERSION 1

struct fdmsg_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t nfds;
	uint32_t len; /* bytes of data after the header */
};

/* Room for XSK_FDS_MAX fds, aligned for struct cmsghdr. */
union fdmsg_cmsg {
	char buf[CMSG_SPACE(sizeof(int) * XSK_FDS_MAX)];
	struct cmsghdr align;
};

static int fds_send_explain(int sock, int err)
{
	switch (err) {
	case -EPIPE:
	case -ECONNRESET:
	case -ENOTCONN:
		return xsk__err(
			err,
			"sending fds on socket %d: nobody is at the other end (it closed, or the socket is not connected)",
			sock);
	case -EBADF:
		return xsk__err(
			err,
			"sending fds on socket %d: it, or one of the fds to send, is not an open file descriptor",
			sock);
	case -ETOOMANYREFS:
		return xsk__err(
			err,
			"sending fds on socket %d: too many fds are in flight to a receiver that has not taken them (the kernel's limit is RLIMIT_NOFILE)",
			sock);
	case -EAGAIN:
		return xsk__err(
			err,
			"sending fds on socket %d: it is non-blocking and full",
			sock);
	}
	return xsk__err(err, "sending fds on socket %d (sendmsg) failed: %s",
			sock, strerror(-err));
}

/* Is @sock an AF_UNIX socket? Its SO_TYPE, or an explained error. */
static int unix_type(int sock, const char *what)
{
	int v = 0, err;
	socklen_t len = sizeof(v);

	err = xsk__sys_getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &v, &len);
	if (err == -EBADF || err == -ENOTSOCK)
		return xsk__err(err, "%s: fd %d is %s", what, sock,
				err == -EBADF ? "not open" : "not a socket");
	if (err)
		return xsk__err_sys(err, what);
	if (v != AF_UNIX)
		return xsk__err(
			-EAFNOSUPPORT,
			"%s: fd %d is not a Unix socket (family %d): fds travel only over AF_UNIX (socketpair(2), or a named socket)",
			what, sock, v);
	len = sizeof(v);
	err = xsk__sys_getsockopt(sock, SOL_SOCKET, SO_TYPE, &v, &len);
	return err ? xsk__err_sys(err, what) : v;
}

int xsk_fds_send(int sock, const int *fds, unsigned int nfds, const void *data,
		 size_t len)
{
	struct fdmsg_hdr h = { .magic = FDMSG_MAGIC,
			       .version = FDMSG_VERSION,
			       .nfds = (uint16_t)nfds,
			       .len = (uint32_t)len };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, len } };
	union fdmsg_cmsg c;
	struct msghdr msg = {
		.msg_iov = iov,
		.msg_iovlen = len ? 2 : 1,
		.msg_control = c.buf,
		.msg_controllen = CMSG_SPACE(sizeof(int) * nfds),
	};
	struct cmsghdr *cm;
	size_t total = sizeof(h) + len, done;
	int n;

	if (!fds || !nfds || nfds > XSK_FDS_MAX || len > XSK_FDS_DATA_MAX ||
	    (!data && len))
		return xsk__err(
			-EINVAL,
			"xsk_fds_send: send 1 to %u fds (got %u, fds %s) and at most %u bytes (got %zu, data %s)",
			XSK_FDS_MAX, nfds, fds ? "given" : "NULL",
			XSK_FDS_DATA_MAX, len, data ? "given" : "NULL");
	n = unix_type(sock, "xsk_fds_send");
	if (n < 0)
		return n;
	memset(&c, 0, sizeof(c));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	n = xsk__sys_sendmsg(sock, &msg, MSG_NOSIGNAL);
	if (n < 0)
		return fds_send_explain(sock, n);
	/* A stream socket may take a message in pieces; the fds went with
	 * the first. */
	for (done = (size_t)n; done < total; done += (size_t)n) {
		struct msghdr rest = { .msg_iov = iov, .msg_iovlen = 1 };
		char *base = done < sizeof(h) ? (char *)&h + done :
						(char *)data + done - sizeof(h);

		iov[0].iov_base = base;
		iov[0].iov_len = done < sizeof(h) ? sizeof(h) - done :
						    total - done;
		n = xsk__sys_sendmsg(sock, &rest, MSG_NOSIGNAL);
		if (n < 0)
			return fds_send_explain(sock, n);
	}
	return 0;
}

static void close_all(const int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		xsk__sys_close(fds[i]);
}

/* Take every fd out of @msg's SCM_RIGHTS control messages into @fds (room
 * for XSK_FDS_MAX): their number. */
static unsigned int take_fds(struct msghdr *msg, int *fds)
{
	struct cmsghdr *cm;
	unsigned int n = 0, k, i;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
			continue;
		k = (unsigned int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < k && n < XSK_FDS_MAX; i++)
			memcpy(&fds[n++], CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
	}
	return n;
}

/* Read the rest of a message cut short on a stream socket. */
static int read_rest(int sock, char *p, size_t len)
{
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int n;

	while (len) {
		iov.iov_base = p;
		iov.iov_len = len;
		n = xsk__sys_recvmsg(sock, &msg, 0);
		if (n < 0)
			return xsk__err(
				n,
				"receiving fds on socket %d: reading the rest of the message failed: %s",
				sock, strerror(-n));
		if (!n)
			return xsk__err(
				-EPROTO,
				"receiving fds on socket %d: the message was cut short, %zu bytes missing (the sender went away in the middle)",
				sock, len);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int check_hdr(int sock, const struct fdmsg_hdr *h, unsigned int got,
		     unsigned int nfds, size_t room)
{
	if (h->magic != FDMSG_MAGIC || h->version != FDMSG_VERSION)
		return xsk__err(
			-EBADMSG,
			"receiving fds on socket %d: the message is not one of xsk_fds_send() (version %u): another protocol on this socket, or another libxsk",
			sock, FDMSG_VERSION);
	if (h->nfds != got)
		return xsk__err(
			-EBADMSG,
			"receiving fds on socket %d: the message announced %u fds but %u arrived",
			sock, h->nfds, got);
	if (got != nfds)
		return xsk__err(
			-EBADMSG,
			"receiving fds on socket %d: %u fds arrived, %u were expected",
			sock, got, nfds);
	if (h->len > room)
		return xsk__err(
			-EMSGSIZE,
			"receiving fds on socket %d: the message carries %u bytes of data, more than the %zu expected",
			sock, h->len, room);
	return 0;
}

int xsk_fds_recv(int sock, int *fds, unsigned int nfds, void *data, size_t *len)
{
	struct fdmsg_hdr h;
	size_t room = len ? *len : 0;
	struct iovec iov[2] = { { &h, sizeof(h) }, { data, room } };
	union fdmsg_cmsg c;
	struct msghdr msg = {
		.msg_iov = iov,
		.msg_control = c.buf,
		.msg_controllen = sizeof(c.buf),
	};
	int got_fds[XSK_FDS_MAX];
	unsigned int got = 0;
	size_t have;
	int type, n, err;

	if (!fds || !nfds || nfds > XSK_FDS_MAX || (!data != !len))
		return xsk__err(
			-EINVAL,
			"xsk_fds_recv: expect 1 to %u fds (got %u, fds %s), and give data and len both or neither",
			XSK_FDS_MAX, nfds, fds ? "given" : "NULL");
	type = unix_type(sock, "xsk_fds_recv");
	if (type < 0)
		return type;
	/* On a stream, read the header alone first: a larger read could run
	 * into the next message. A datagram must be read whole at once. */
	msg.msg_iovlen = type == SOCK_STREAM || !room ? 1 : 2;
	memset(&c, 0, sizeof(c));
	n = xsk__sys_recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n == -EAGAIN ?
			       xsk__err(
				       n,
				       "receiving fds on socket %d: nothing has arrived (non-blocking socket)",
				       sock) :
			       xsk__err(
				       n,
				       "receiving fds on socket %d (recvmsg) failed: %s",
				       sock, strerror(-n));
	got = take_fds(&msg, got_fds);
	if (!n && !got)
		return xsk__err(
			-ECONNRESET,
			"receiving fds on socket %d: the other end closed without sending anything",
			sock);
	if (msg.msg_flags & MSG_CTRUNC) {
		err = xsk__err(
			-EMSGSIZE,
			"receiving fds on socket %d: the kernel cut the fds short (MSG_CTRUNC): the sender sent more than %u, or this process is at its limit of open files (RLIMIT_NOFILE, ulimit -n)",
			sock, XSK_FDS_MAX);
		goto out_close;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		err = xsk__err(
			-EMSGSIZE,
			"receiving fds on socket %d: the message is longer than the %zu bytes of data expected",
			sock, room);
		goto out_close;
	}
	have = (size_t)n;
	if (have < sizeof(h)) {
		err = type == SOCK_STREAM ?
			      read_rest(sock, (char *)&h + have,
					sizeof(h) - have) :
			      xsk__err(
				      -EPROTO,
				      "receiving fds on socket %d: a message of %zu bytes is too short for the header of xsk_fds_send()",
				      sock, have);
		if (err)
			goto out_close;
		have = sizeof(h);
	}
	err = check_hdr(sock, &h, got, nfds, room);
	if (err)
		goto out_close;
	have -= sizeof(h);
	if (have < h.len) {
		err = type == SOCK_STREAM ?
			      read_rest(sock, (char *)data + have,
					h.len - have) :
			      xsk__err(
				      -EPROTO,
				      "receiving fds on socket %d: the message announced %u bytes of data but carries %zu",
				      sock, h.len, have);
		if (err)
			goto out_close;
	} else if (have > h.len) {
		err = xsk__err(
			-EBADMSG,
			"receiving fds on socket %d: the message carries %zu bytes of data, not the %u it announced",
			sock, have, h.len);
		goto out_close;
	}
	memcpy(fds, got_fds, sizeof(int) * nfds);
	if (len)
		*len = h.len;
	return 0;
out_close:
	close_all(got_fds, got);
	return err;
}

/* ------------------------------------------------------------ hand-over */

/* Can a bound socket's rings be mapped (Linux 6.4)? Mapping its own fill
 * ring here answers without side effects. */
static int check_mmap_bound(const struct xsk_socket *s)
{
	struct xdp_mmap_offsets off;
	struct xsk__mapping m = { 0 };
	int err = xsk__mmap_offsets(s->fd, &off);

	if (err < 0)
		return err;
	err = xsk__ring_map(s->fd, &off.fr, s->ctx->fill_size, sizeof(uint64_t),
			    XDP_UMEM_PGOFF_FILL_RING, "fill", &m);
	xsk__mapping_release(&m);
	return err;
}

static int too_old(int err)
{
	/* Before 6.4 the kernel refuses to map any ring of a bound socket
	 * with EBUSY. */
	if (err == -EBUSY)
		return xsk__err(
			-EOPNOTSUPP,
			"this kernel does not map the rings of a bound socket, which handing one over needs: it needs Linux 6.4");
	return err;
}

int xsk_socket_handover(struct xsk_socket *xsk, int sock)
{
	const struct xsk_umem *u;
	struct xsk__handover h;
	int fds[2], err;

	if (!xsk)
		return xsk__err(-EINVAL,
				"xsk_socket_handover: the socket is NULL");
	u = xsk->umem;
	if (!xsk->bound)
		return xsk__err(
			-EINVAL,
			"xsk_socket_handover: the socket is not bound; an unbound socket needs no hand-over: send its fd (xsk_fds_send())");
	if (xsk->role != XSK_ROLE_UMEM || u->nsockets != 1)
		return xsk__err(
			-EINVAL,
			"xsk_socket_handover: only the only socket of a UMEM can be handed over (this UMEM has %u)",
			u->nsockets);
	if (u->memfd < 0)
		return xsk__err(
			-EINVAL,
			"xsk_socket_handover: the UMEM's memory is not in a memfd, so the successor can't map it: create the UMEM with XSK_UMEM_MEMFD");
	err = check_mmap_bound(xsk);
	if (err)
		return too_old(err);
	memset(&h, 0, sizeof(h));
	h.version = XSK__HANDOVER_VERSION;
	h.ifindex = xsk->ifindex;
	h.queue_id = xsk->queue_id;
	h.frame_size = u->frame_size;
	h.nframes = u->nframes;
	h.headroom = u->headroom;
	h.umem_flags = u->flags;
	h.tx_metadata_len = u->tx_metadata_len;
	h.fill_size = xsk->ctx->fill_size;
	h.comp_size = xsk->ctx->comp_size;
	h.rx_size = xsk->rx_map.addr ? xsk->rx.size : 0;
	h.tx_size = xsk->tx_map.addr ? xsk->tx.size : 0;
	h.bind_flags = xsk->bind_flags;
	h.mode = u->mode;
	h.size = u->size;
	fds[0] = xsk->fd;
	fds[1] = u->memfd;
	return xsk_fds_send(sock, fds, 2, &h, sizeof(h));
}

/* What arrived: a description this libxsk knows, over a memfd that holds
 * the whole UMEM (a mapping past its end would fault on first touch). */
static int check_handover(const struct xsk__handover *h, size_t len, int memfd)
{
	uint64_t size;
	bool regular;
	int err;

	if (len != sizeof(*h) || h->version != XSK__HANDOVER_VERSION)
		return xsk__err(
			-EBADMSG,
			"xsk_socket_adopt: what arrived is not a hand-over of this libxsk (%zu bytes, version %u; expected %zu bytes, version %u)",
			len, len >= sizeof(uint32_t) ? h->version : 0,
			sizeof(*h), XSK__HANDOVER_VERSION);
	if (!h->size || !h->frame_size || !h->fill_size || !h->comp_size ||
	    (!h->rx_size && !h->tx_size))
		return xsk__err(
			-EBADMSG,
			"xsk_socket_adopt: the hand-over describes an empty UMEM or ring");
	err = xsk__sys_fsize(memfd, &size, &regular);
	if (err)
		return xsk__err_sys(err,
				    "xsk_socket_adopt: fstat on the memfd");
	if (!regular || size < h->size)
		return xsk__err(
			-EBADMSG,
			"xsk_socket_adopt: the UMEM's memfd holds %llu bytes, less than the %llu of the UMEM handed over",
			(unsigned long long)size, (unsigned long long)h->size);
	return 0;
}

int xsk_socket_adopt(struct xsk_socket **xsk, struct xsk_umem **umem, int sock)
{
	struct xsk__handover h;
	size_t len = sizeof(h);
	struct xsk_umem *u;
	struct xsk_socket *s;
	int fds[2], err;

	if (!xsk || !umem)
		return xsk__err(
			-EINVAL,
			"xsk_socket_adopt: the socket and UMEM out-parameters must not be NULL");
	memset(&h, 0, sizeof(h));
	err = xsk_fds_recv(sock, fds, 2, &h, &len);
	if (err)
		return err;
	err = check_handover(&h, len, fds[1]);
	if (!err)
		err = xsk__umem_adopt(&u, &h, fds[0], fds[1]);
	if (err) {
		close_all(fds, 2);
		return too_old(err);
	}
	/* From here the UMEM owns both fds. */
	err = xsk__socket_adopt(&s, u, &h);
	if (err) {
		xsk_umem_destroy(u);
		return too_old(err);
	}
	*xsk = s;
	*umem = u;
	return 0;
}
