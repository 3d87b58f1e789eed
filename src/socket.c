// SPDX-License-Identifier: MIT
/*
 * AF_XDP sockets on a UMEM: ring sizes, offsets, ring mappings, bind, and
 * the wake-up syscalls of the data path. As for the UMEM, every fd and
 * mapping is recorded in the handle as it is made and socket_release()
 * undoes whatever is recorded, on failure and at destroy.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "xsk_priv.h"

#define XSK_SOCKET_FLAGS                                                   \
	(XSK_SOCKET_NO_RX | XSK_SOCKET_NO_TX | XSK_SOCKET_NO_NEED_WAKEUP | \
	 XSK_SOCKET_DEFER_BIND | XSK_SOCKET_MULTI_BUFFER)

struct socket_plan {
	uint32_t rx_size, tx_size, fill_size, comp_size;
	uint16_t bind_flags; /* XDP_COPY / _ZEROCOPY / _USE_NEED_WAKEUP / _USE_SG */
};

/* Check the options before any syscall. */
static int socket_config(struct socket_plan *p, const struct xsk_umem *u,
			 const struct xsk_socket_opts *o)
{
	const uint32_t sizes[] = { o->rx_size, o->tx_size, o->fill_size,
				   o->comp_size };
	static const char *const names[] = { "RX", "TX", "fill", "completion" };
	unsigned int i;

	if (o->flags & ~XSK_SOCKET_FLAGS)
		return xsk_err(-EINVAL, "unknown socket flags 0x%x",
			       o->flags & ~XSK_SOCKET_FLAGS);
	if ((o->flags & XSK_SOCKET_NO_RX) && (o->flags & XSK_SOCKET_NO_TX))
		return xsk_err(
			-EINVAL,
			"a socket needs an RX ring, a TX ring or both: XSK_SOCKET_NO_RX and XSK_SOCKET_NO_TX can't both be set");
	if (o->mode > XSK_MODE_ZEROCOPY)
		return xsk_err(
			-EINVAL,
			"unknown mode %u (XSK_MODE_AUTO, XSK_MODE_COPY or XSK_MODE_ZEROCOPY)",
			o->mode);
	for (i = 0; i < 4; i++)
		if (sizes[i] && !xsk_is_pow2(sizes[i]))
			return xsk_err(
				-EINVAL,
				"the %s ring size %u is not a power of two",
				names[i], sizes[i]);
	if (o->ifname && (!*o->ifname || strlen(o->ifname) >= IF_NAMESIZE))
		return xsk_err(
			-EINVAL,
			"interface name \"%s\" is empty or longer than %d characters",
			o->ifname, IF_NAMESIZE - 1);
	if (!o->ifname && !o->ifindex)
		return xsk_err(-EINVAL,
			       "no interface: set .ifname or .ifindex");

	p->rx_size = o->flags & XSK_SOCKET_NO_RX ? 0 :
		     o->rx_size			 ? o->rx_size :
						   XSK_DEFAULT_RING_SIZE;
	p->tx_size = o->flags & XSK_SOCKET_NO_TX ? 0 :
		     o->tx_size			 ? o->tx_size :
						   XSK_DEFAULT_RING_SIZE;
	p->fill_size = o->fill_size ? o->fill_size : u->fill_size;
	p->comp_size = o->comp_size ? o->comp_size : u->comp_size;
	p->bind_flags = o->mode == XSK_MODE_COPY     ? XDP_COPY :
			o->mode == XSK_MODE_ZEROCOPY ? XDP_ZEROCOPY :
						       0;
	if (!(o->flags & XSK_SOCKET_NO_NEED_WAKEUP) && !u->v1)
		p->bind_flags |= XDP_USE_NEED_WAKEUP;
	if (o->flags & XSK_SOCKET_MULTI_BUFFER)
		p->bind_flags |= XDP_USE_SG;

	/* Sockets that share a UMEM bind with XDP_SHARED_UMEM alone and take
	 * the first socket's mode and need_wakeup: refuse to silently ignore
	 * a different wish. */
	if (u->fd_taken) {
		if (o->flags & XSK_SOCKET_MULTI_BUFFER)
			return xsk_err(
				-EINVAL,
				"a socket that shares a UMEM can't ask for multi-buffer: the kernel takes no bind flags with XDP_SHARED_UMEM; give it a UMEM of its own");
		if (o->mode != XSK_MODE_AUTO && o->mode != u->mode)
			return xsk_err(
				-EINVAL,
				"sockets that share a UMEM run in the mode of its first socket (%s): ask for XSK_MODE_AUTO or the same mode",
				u->mode == XSK_MODE_COPY     ? "copy" :
				u->mode == XSK_MODE_ZEROCOPY ? "zero-copy" :
							       "auto");
		if ((p->bind_flags ^ u->bind_flags) & XDP_USE_NEED_WAKEUP)
			return xsk_err(
				-EINVAL,
				"sockets that share a UMEM take need_wakeup from its first socket (%s): set XSK_SOCKET_NO_NEED_WAKEUP the same way",
				u->bind_flags & XDP_USE_NEED_WAKEUP ? "on" :
								      "off");
	}
	return 0;
}

static struct xsk_ctx *find_ctx(struct xsk_umem *u, uint32_t ifindex,
				uint32_t queue_id)
{
	struct xsk_ctx *c;

	for (c = u->ctxs; c; c = c->next)
		if (c->ifindex == ifindex && c->queue_id == queue_id)
			return c;
	return NULL;
}

static int explain_bind(const struct xsk_socket *s, int err)
{
	char name[IF_NAMESIZE] = "?";
	uint32_t n;

	xsk_sys_ifname(s->ifindex, name);
	switch (err) {
	case -EINVAL:
		if (!xsk_if_channels(s->ifindex, &n) && s->queue_id >= n)
			return xsk_err(
				err,
				"queue %u does not exist on %s, which has %u active channel(s) (ethtool -l %s): use a queue id below %u, or raise the count (ethtool -L %s combined N)",
				s->queue_id, name, n, name, n, name);
		if (s->umem->bind_flags & XDP_USE_SG && s->fd == s->umem->fd)
			return xsk_err(
				err,
				"the kernel refused multi-buffer (XDP_USE_SG) on %s queue %u: it needs Linux 6.6",
				name, s->queue_id);
		if (s->fd != s->umem->fd)
			return xsk_err(
				err,
				"the kernel refused to share the UMEM on %s queue %u: a second device or queue needs Linux 5.10",
				name, s->queue_id);
		return xsk_err(
			err,
			"the kernel refused to bind to %s queue %u (EINVAL): the bind flags may be too new for this kernel",
			name, s->queue_id);
	case -EBUSY:
		return xsk_err(
			err,
			"queue %u of %s is taken (after waiting %u ms): another AF_XDP socket is bound to it, or one was closed a moment ago and the kernel is still releasing the queue: close the other socket, or set .bind_wait_ms (100 is plenty) to wait for the release",
			s->queue_id, name, s->bind_wait_ms);
	case -ENODEV:
		return xsk_err(
			err,
			"no interface with index %u in this network namespace",
			s->ifindex);
	case -EOPNOTSUPP:
		if (s->umem->bind_flags & XDP_USE_SG)
			return xsk_err(
				err,
				"%s can't take multi-buffer AF_XDP in this mode: the driver has no multi-buffer zero-copy support: use XSK_MODE_COPY, or drop XSK_SOCKET_MULTI_BUFFER",
				name);
		return xsk_err(
			err,
			"%s can't run this socket in zero-copy mode: its driver has no AF_XDP zero-copy support: use XSK_MODE_COPY or XSK_MODE_AUTO",
			name);
	case -EBADF:
		return xsk_err(
			err,
			"the socket this one shares the UMEM with is not bound: bind it first");
	}
	return xsk_err(err, "binding to %s queue %u failed: %s", name,
		       s->queue_id, strerror(-err));
}

static int socket_bind(struct xsk_socket *s)
{
	struct xsk_umem *u = s->umem;
	struct xsk_ctx *ctx = s->ctx;
	struct sockaddr_xdp sx;
	struct xsk_ctx *partner;
	uint32_t waited;
	int err;

	memset(&sx, 0, sizeof(sx));
	sx.sxdp_family = AF_XDP;
	sx.sxdp_ifindex = s->ifindex;
	sx.sxdp_queue_id = s->queue_id;
	if (s->fd == u->fd) {
		sx.sxdp_flags = u->bind_flags;
	} else {
		/* With rings of its own, share the UMEM through its first
		 * socket; otherwise share the rings' owner's. */
		partner = ctx->fd == s->fd ? &u->own : ctx;
		if (!partner->bound)
			return xsk_err(
				-EBADF,
				"this socket shares the UMEM through socket %d, which is not bound yet: bind that one first",
				partner->fd);
		sx.sxdp_flags = XDP_SHARED_UMEM;
		sx.sxdp_shared_umem_fd = (uint32_t)partner->fd;
	}
	/* The kernel lets go of a closed socket's queue after an RCU grace
	 * period, in a work item: on request, wait that out. */
	for (waited = 0;; waited++) {
		err = xsk_sys_bind(s->fd, (struct sockaddr *)&sx, sizeof(sx));
		if (err != -EBUSY || waited >= s->bind_wait_ms)
			break;
		xsk_sys_sleep_ms(1);
	}
	if (err)
		return explain_bind(s, err);
	s->bound = true;
	if (ctx->fd == s->fd)
		ctx->bound = true;
	return 0;
}

/* Undo whatever is recorded in @s, then free it. */
static void socket_release(struct xsk_socket *s, bool close_fd)
{
	xsk_mapping_release(&s->rx_map);
	xsk_mapping_release(&s->tx_map);
	if (s->own_ctx) {
		xsk_ctx_release(s->own_ctx);
		free(s->own_ctx);
	}
	if (close_fd && s->fd != s->umem->fd)
		xsk_sys_close(s->fd);
	free(s);
}

/*
 * Size a ring unless it already has this size. The UMEM's own socket keeps
 * its ring sizes after a failed attempt (the kernel can't unsize a ring), so
 * a retry, say after EBUSY at bind, must ask for the same sizes.
 */
static int size_ring(int fd, int opt, uint32_t size, uint32_t *kept,
		     const char *name)
{
	int err;

	if (*kept == size)
		return 0;
	if (*kept)
		return xsk_err(
			-EINVAL,
			"the UMEM's socket kept a %s ring of %u entries from an earlier failed attempt (rings can't be resized): ask for the same size, or use a new UMEM",
			name, *kept);
	err = xsk_ring_setsize(fd, opt, size, name);
	if (!err)
		*kept = size;
	return err;
}

static int socket_rings(struct xsk_socket *s, const struct socket_plan *p)
{
	struct xsk_umem *u = s->umem;
	uint32_t rx_kept = 0, tx_kept = 0;
	struct xdp_mmap_offsets off;
	int err = 0;

	if (s->own_ctx)
		err = xsk_ctx_setsizes(s->fd, p->fill_size, p->comp_size);
	if (!err)
		err = size_ring(s->fd, XDP_RX_RING, p->rx_size,
				s->fd == u->fd ? &u->rx_kept : &rx_kept, "RX");
	if (!err)
		err = size_ring(s->fd, XDP_TX_RING, p->tx_size,
				s->fd == u->fd ? &u->tx_kept : &tx_kept, "TX");
	if (!err)
		err = xsk_mmap_offsets(s->fd, &off);
	if (err < 0)
		return err;
	if (p->rx_size) {
		err = xsk_ring_map(s->fd, &off.rx, p->rx_size,
				   sizeof(struct xdp_desc), XDP_PGOFF_RX_RING,
				   "RX", &s->rx_map);
		if (err)
			return err;
		xsk_ring_cons__init(&s->rx, s->rx_map.addr, &off.rx,
				    p->rx_size);
	}
	if (p->tx_size) {
		err = xsk_ring_map(s->fd, &off.tx, p->tx_size,
				   sizeof(struct xdp_desc), XDP_PGOFF_TX_RING,
				   "TX", &s->tx_map);
		if (err)
			return err;
		xsk_ring_prod__init(&s->tx, s->tx_map.addr, &off.tx,
				    p->tx_size);
	}
	return s->own_ctx ? xsk_ctx_map(s->own_ctx, &off, p->fill_size,
					p->comp_size) :
			    0;
}

static int socket_create(struct xsk_socket **xsk, struct xsk_umem *u, int fd,
			 const struct xsk_socket_opts *opts)
{
	struct xsk_socket_opts o;
	struct socket_plan plan = { 0 };
	struct xsk_socket *s;
	bool adopted = fd >= 0;
	int err;

	if (!xsk || !u)
		return xsk_err(
			-EINVAL,
			"xsk_socket_create: the socket out-parameter and the UMEM must not be NULL");
	if (!opts)
		return xsk_err(
			-EINVAL,
			"xsk_socket_create: options naming the interface are required");
	err = xsk_opts_load(&o, sizeof(o), opts, "xsk_socket_opts");
	if (!err)
		err = socket_config(&plan, u, &o);
	if (err)
		return err;
	if (adopted && fd == u->fd)
		return xsk_err(
			-EINVAL,
			"fd %d is the UMEM's own socket: use xsk_socket_create()",
			fd);
	if (adopted && !u->fd_taken)
		return xsk_err(
			-EINVAL,
			"the UMEM's first socket is the UMEM's own: create it with xsk_socket_create()");

	s = calloc(1, sizeof(*s));
	if (!s)
		return xsk_err(-ENOMEM, "out of memory for the socket handle");
	s->umem = u;
	s->queue_id = o.queue_id;
	s->ifindex = o.ifindex;
	s->bind_wait_ms = o.bind_wait_ms;
	s->fd = adopted ? fd : u->fd_taken ? -1 : u->fd;
	if (o.ifname) {
		err = xsk_sys_ifindex(o.ifname);
		if (err < 0) {
			if (err == -ENODEV)
				xsk_err(err,
					"no interface named \"%s\" in this network namespace (ip link show)",
					o.ifname);
			else
				xsk_err_sys(err, "looking up the interface");
			goto out_release;
		}
		s->ifindex = (uint32_t)err;
	}
	if (s->fd < 0) {
		s->fd = xsk_sys_socket(AF_XDP, SOCK_RAW, 0);
		if (s->fd < 0) {
			err = xsk_explain_socket(s->fd);
			goto out_release;
		}
	}

	/* The UMEM's own socket uses its rings; another socket on a (device,
	 * queue) the UMEM is already on shares that context's; otherwise it
	 * gets a context, and rings, of its own. */
	s->ctx = s->fd == u->fd ? &u->own :
				  find_ctx(u, s->ifindex, s->queue_id);
	if (!s->ctx) {
		s->own_ctx = calloc(1, sizeof(*s->own_ctx));
		if (!s->own_ctx) {
			err = xsk_err(-ENOMEM,
				      "out of memory for the ring context");
			goto out_release;
		}
		s->ctx = s->own_ctx;
		s->ctx->umem = u;
		s->ctx->fd = s->fd;
		s->ctx->ifindex = s->ifindex;
		s->ctx->queue_id = s->queue_id;
	}
	err = socket_rings(s, &plan);
	if (err)
		goto out_release;

	if (s->fd == u->fd) {
		u->bind_flags = plan.bind_flags;
		u->mode = o.mode;
		u->own.ifindex = s->ifindex;
		u->own.queue_id = s->queue_id;
	}
	s->need_wakeup = u->bind_flags & XDP_USE_NEED_WAKEUP;
	if (!(o.flags & XSK_SOCKET_DEFER_BIND)) {
		err = socket_bind(s);
		if (err)
			goto out_release;
	}

	if (s->own_ctx) {
		s->own_ctx->next = u->ctxs->next;
		u->ctxs->next = s->own_ctx;
	}
	if (s->fd == u->fd)
		u->fd_taken = true;
	s->ctx->users++;
	u->sockets++;
	*xsk = s;
	return 0;

out_release:
	socket_release(s, !adopted);
	return err;
}

int xsk_socket_create(struct xsk_socket **xsk, struct xsk_umem *umem,
		      const struct xsk_socket_opts *opts)
{
	return socket_create(xsk, umem, -1, opts);
}

int xsk_socket_create_fd(struct xsk_socket **xsk, struct xsk_umem *umem, int fd,
			 const struct xsk_socket_opts *opts)
{
	if (fd < 0)
		return xsk_err(
			-EBADF,
			"xsk_socket_create_fd: fd %d is not a file descriptor",
			fd);
	return socket_create(xsk, umem, fd, opts);
}

int xsk_socket_bind(struct xsk_socket *xsk)
{
	if (xsk->bound)
		return xsk_err(
			-EBUSY,
			"the socket is already bound (to queue %u of interface %u): an AF_XDP socket binds once",
			xsk->queue_id, xsk->ifindex);
	return socket_bind(xsk);
}

int xsk_socket_destroy(struct xsk_socket *xsk)
{
	struct xsk_ctx *ctx, **pp;

	if (!xsk)
		return 0;
	ctx = xsk->ctx;
	if (ctx->fd == xsk->fd && ctx->users > 1)
		return xsk_err(
			-EBUSY,
			"%u other socket(s) on queue %u of interface %u share this socket's fill and completion rings: destroy them first",
			ctx->users - 1, xsk->queue_id, xsk->ifindex);
	ctx->users--;
	xsk->umem->sockets--;
	if (xsk->own_ctx) {
		for (pp = &xsk->umem->ctxs; *pp != ctx; pp = &(*pp)->next)
			;
		*pp = ctx->next;
	}
	socket_release(xsk, true);
	return 0;
}

int xsk_socket_fd(const struct xsk_socket *xsk)
{
	return xsk->fd;
}

uint32_t xsk_socket_ifindex(const struct xsk_socket *xsk)
{
	return xsk->ifindex;
}

uint32_t xsk_socket_queue_id(const struct xsk_socket *xsk)
{
	return xsk->queue_id;
}

struct xsk_ring_cons *xsk_socket_rx(struct xsk_socket *xsk)
{
	return xsk->rx_map.addr ? &xsk->rx : NULL;
}

struct xsk_ring_prod *xsk_socket_tx(struct xsk_socket *xsk)
{
	return xsk->tx_map.addr ? &xsk->tx : NULL;
}

struct xsk_ring_prod *xsk_socket_fill(struct xsk_socket *xsk)
{
	return &xsk->ctx->fill;
}

struct xsk_ring_cons *xsk_socket_comp(struct xsk_socket *xsk)
{
	return &xsk->ctx->comp;
}

int xsk_socket_kick_tx(struct xsk_socket *xsk)
{
	int err;

	if (!xsk->tx_map.addr)
		return xsk_err_const(-ENOBUFS, "the socket has no TX ring");
	if (xsk->need_wakeup && !xsk->busy_poll &&
	    !xsk_ring_prod__needs_wakeup(&xsk->tx))
		return 0;
	err = xsk_sys_sendto_wakeup(xsk->fd);
	switch (err) {
	case 0:
		return 0;
	case -EAGAIN:
	case -EBUSY:
		/* Frequent in copy mode under load: no formatting here. */
		return xsk_err_const(
			err,
			"the kernel could not take the frames now: reap the completion ring, then kick again");
	case -ENOBUFS:
		return xsk_err_const(err, "the socket has no TX ring");
	case -ENETDOWN:
		return xsk_err_const(err, "the interface is down");
	case -ENXIO:
		return xsk_err_const(err, "the socket is not bound");
	}
	return xsk_err_sys(err,
			   "waking the kernel to transmit (sendto) failed");
}

int xsk_socket_wake_rx(struct xsk_socket *xsk)
{
	int err;

	if (!xsk->rx_map.addr)
		return xsk_err_const(-ENOBUFS, "the socket has no RX ring");
	if (xsk->need_wakeup && !xsk->busy_poll &&
	    !xsk_ring_prod__needs_wakeup(&xsk->ctx->fill))
		return 0;
	err = xsk_sys_recvfrom_wakeup(xsk->fd);
	if (!err || err == -EAGAIN)
		return 0;
	if (err == -ENXIO)
		return xsk_err_const(err, "the socket is not bound");
	if (err == -ENETDOWN)
		return xsk_err_const(err, "the interface is down");
	return xsk_err_sys(err,
			   "waking the kernel to receive (recvfrom) failed");
}

int xsk_socket_poll(struct xsk_socket *xsk, short events, int timeout_ms)
{
	int ret = xsk_sys_poll(xsk->fd, events, timeout_ms);

	return ret < 0 ? xsk_err_sys(ret, "poll on the AF_XDP socket failed") :
			 ret;
}
