// SPDX-License-Identifier: MIT
/*
 * AF_XDP sockets on a UMEM: ring sizes, offsets, ring mappings, bind, and
 * the wake-up syscalls of the data path. As for the UMEM, every fd and
 * mapping is recorded in the handle as it is made and socket_release()
 * undoes whatever is recorded, on failure and at destroy.
 *
 * A socket's role is decided once, at creation (enum xsk__role): the UMEM's
 * registration socket, the owner of a new fill/completion context on
 * another (device, queue), or a sharer of an existing context. Sockets can
 * be destroyed in any order: a context lives until its last user goes.
 */
#include "gnu.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define XSK_SOCKET_FLAGS                                                   \
	(XSK_SOCKET_NO_RX | XSK_SOCKET_NO_TX | XSK_SOCKET_NO_NEED_WAKEUP | \
	 XSK_SOCKET_DEFER_BIND | XSK_SOCKET_MULTI_BUFFER)

struct socket_plan {
	uint32_t rx_size, tx_size, fill_size, comp_size;
	uint16_t bind_flags; /* XDP_COPY / _ZEROCOPY / _USE_NEED_WAKEUP / _USE_SG */
	uint32_t mode;
	bool shares; /* binds with XDP_SHARED_UMEM */
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
		return xsk__err(-EINVAL, "unknown socket flags 0x%x",
				o->flags & ~XSK_SOCKET_FLAGS);
	if ((o->flags & XSK_SOCKET_NO_RX) && (o->flags & XSK_SOCKET_NO_TX))
		return xsk__err(
			-EINVAL,
			"a socket needs an RX ring, a TX ring or both: XSK_SOCKET_NO_RX and XSK_SOCKET_NO_TX can't both be set");
	if (o->mode > XSK_MODE_ZEROCOPY)
		return xsk__err(
			-EINVAL,
			"unknown mode %u (XSK_MODE_AUTO, XSK_MODE_COPY or XSK_MODE_ZEROCOPY)",
			o->mode);
	for (i = 0; i < 4; i++)
		if (sizes[i] && !xsk__is_pow2(sizes[i]))
			return xsk__err(
				-EINVAL,
				"the %s ring size %u is not a power of two",
				names[i], sizes[i]);
	if (o->ifname && (!*o->ifname || strlen(o->ifname) >= IF_NAMESIZE))
		return xsk__err(
			-EINVAL,
			"interface name \"%s\" is empty or longer than %d characters",
			o->ifname, IF_NAMESIZE - 1);
	if (!o->ifname && !o->ifindex)
		return xsk__err(-EINVAL,
				"no interface: set .ifname or .ifindex");

	p->rx_size = o->flags & XSK_SOCKET_NO_RX ? 0 :
		     o->rx_size			 ? o->rx_size :
						   XSK_DEFAULT_RING_SIZE;
	p->tx_size = o->flags & XSK_SOCKET_NO_TX ? 0 :
		     o->tx_size			 ? o->tx_size :
						   XSK_DEFAULT_RING_SIZE;
	p->mode = o->mode;
	p->shares = !xsk__umem_first_free(u);
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
	if (p->shares) {
		if (o->flags & XSK_SOCKET_MULTI_BUFFER)
			return xsk__err_advice(
				-EINVAL, XSK_ADVICE_OWN_UMEM,
				"a socket that shares a UMEM can't ask for multi-buffer: the kernel takes no bind flags with XDP_SHARED_UMEM; give it a UMEM of its own");
		if (o->mode != XSK_MODE_AUTO && o->mode != u->mode)
			return xsk__err_advice(
				-EINVAL, XSK_ADVICE_SHARED_MODE,
				"sockets that share a UMEM run in the mode of its first socket (%s): ask for XSK_MODE_AUTO or the same mode",
				u->mode == XSK_MODE_COPY     ? "copy" :
				u->mode == XSK_MODE_ZEROCOPY ? "zero-copy" :
							       "auto");
		if ((p->bind_flags ^ u->bind_flags) & XDP_USE_NEED_WAKEUP)
			return xsk__err_advice(
				-EINVAL, XSK_ADVICE_SHARED_WAKEUP,
				"sockets that share a UMEM take need_wakeup from its first socket (%s): set XSK_SOCKET_NO_NEED_WAKEUP the same way",
				u->bind_flags & XDP_USE_NEED_WAKEUP ? "on" :
								      "off");
	}
	return 0;
}

static int explain_bind(const struct xsk_socket *s, int err)
{
	struct xsk__holder holder;
	char name[IF_NAMESIZE] = "?", who[256];
	uint32_t n;

	xsk__sys_ifname(s->ifindex, name);
	switch (err) {
	case -EINVAL:
		if (!xsk__if_channels(s->ifindex, &n) && s->queue_id >= n)
			return xsk__err_advice(
				err, XSK_ADVICE_QUEUE_ID,
				"queue %u does not exist on %s, which has %u active channel(s) (ethtool -l %s): use a queue id below %u, or raise the count (ethtool -L %s combined N)",
				s->queue_id, name, n, name, n, name);
		if (s->bind_flags & XDP_USE_SG)
			return xsk__err(
				err,
				"the kernel refused multi-buffer (XDP_USE_SG) on %s queue %u: it needs Linux 6.6",
				name, s->queue_id);
		if (s->role == XSK_ROLE_CTX_OWNER)
			return xsk__err(
				err,
				"the kernel refused to share the UMEM on %s queue %u: a second device or queue needs Linux 5.10",
				name, s->queue_id);
		return xsk__err(
			err,
			"the kernel refused to bind to %s queue %u (EINVAL) with bind flags 0x%x",
			name, s->queue_id, s->bind_flags);
	case -EBUSY:
		if (xsk__queue_holder(s->ifindex, s->queue_id, &holder)) {
			xsk__holder_text(&holder, who, sizeof(who));
			return xsk__err_advice(
				err, XSK_ADVICE_BIND_WAIT,
				"queue %u of %s is taken (after waiting %u ms), held by %s: close that socket (or stop its process), or use another queue",
				s->queue_id, name, s->bind_wait_ms, who);
		}
		return xsk__err_advice(
			err, XSK_ADVICE_BIND_WAIT,
			"queue %u of %s is taken (after waiting %u ms): another AF_XDP socket is bound to it, or one was closed a moment ago and the kernel is still releasing the queue: close the other socket, or set .bind_wait_ms (100 is plenty) to wait for the release",
			s->queue_id, name, s->bind_wait_ms);
	case -ENODEV:
		return xsk__err(
			err,
			"no interface with index %u in this network namespace",
			s->ifindex);
	case -EOPNOTSUPP:
		if (s->bind_flags & XDP_USE_SG)
			return xsk__err_advice(
				err, XSK_ADVICE_MULTI_BUFFER,
				"%s can't take multi-buffer AF_XDP in this mode: the driver has no multi-buffer zero-copy support: use XSK_MODE_COPY, or drop XSK_SOCKET_MULTI_BUFFER",
				name);
		return xsk__err_advice(
			err, XSK_ADVICE_MODE_COPY,
			"%s can't run this socket in zero-copy mode: its driver has no AF_XDP zero-copy support: use XSK_MODE_COPY or XSK_MODE_AUTO",
			name);
	}
	return xsk__err(err, "binding to %s queue %u failed: %s", name,
			s->queue_id, strerror(-err));
}

static int socket_bind(struct xsk_socket *s)
{
	struct sockaddr_xdp sx;
	struct xsk_socket *partner;
	uint32_t waited;
	int err;

	memset(&sx, 0, sizeof(sx));
	sx.sxdp_family = AF_XDP;
	sx.sxdp_ifindex = s->ifindex;
	sx.sxdp_queue_id = s->queue_id;
	sx.sxdp_flags = s->bind_flags;
	if (s->role != XSK_ROLE_UMEM) {
		/* A sharer binds through a socket of its context; a context
		 * owner through any bound socket of the UMEM. */
		partner = xsk__umem_partner(
			s->umem, s->role == XSK_ROLE_SHARER ? s->ctx : NULL);
		if (!partner)
			return xsk__err(
				-EBADF,
				"this socket shares the UMEM, but none of the UMEM's sockets%s is bound yet: bind the first one first",
				s->role == XSK_ROLE_SHARER ? " on this queue" :
							     "");
		sx.sxdp_shared_umem_fd = (uint32_t)partner->fd;
	}
	/* The kernel lets go of a closed socket's queue after an RCU grace
	 * period, in a work item: on request, wait that out. */
	for (waited = 0;; waited++) {
		err = xsk__sys_bind(s->fd, (struct sockaddr *)&sx, sizeof(sx));
		if (err != -EBUSY || waited >= s->bind_wait_ms)
			break;
		xsk__sys_sleep_ms(1);
	}
	if (err)
		return explain_bind(s, err);
	s->bound = true;
	return 0;
}

/*
 * Let go of @s's hold on its context. A context's rings are mapped from
 * the socket that made them, and a mapping keeps that socket alive in the
 * kernel (bound, in its XSKMAP slots) whatever happens to the fd. If other
 * sockets still use the rings, they are moved to one of them (Linux 6.4);
 * where the kernel can't, the fd stays open with the rings and is closed
 * with the last of them. Returns true if the context took @s's fd.
 */
static bool socket_put_ctx(struct xsk_socket *s)
{
	struct xsk__ctx *ctx = s->ctx;
	struct xsk_socket *partner;
	bool kept = false;

	if (!ctx)
		return false;
	if (ctx->fd == s->fd && ctx->refs > 1) {
		partner = xsk__umem_partner(s->umem, ctx);
		if (!partner || xsk__ctx_move(ctx, partner->fd)) {
			ctx->close_fd = s->fd;
			kept = true;
		}
	}
	xsk__ctx_put(ctx);
	s->ctx = NULL;
	return kept;
}

/*
 * Undo whatever is recorded in @s, then free it. After a failed creation
 * the registration's socket stays open for the next attempt, with the ring
 * sizes set on it (the kernel can't unsize a ring), unless this attempt
 * made the registration.
 */
static void socket_release(struct xsk_socket *s, bool destroy)
{
	bool fd_kept = false;

	xsk__mapping_release(&s->rx_map);
	xsk__mapping_release(&s->tx_map);
	if (destroy) {
		fd_kept = socket_put_ctx(s);
	} else {
		xsk__ctx_put(s->ctx);
		/* The fd is the registration's: kept for the next attempt,
		 * unless this attempt made the registration. */
		if (s->role == XSK_ROLE_UMEM) {
			if (s->registered)
				xsk__umem_unregister(s->umem);
			fd_kept = true;
		}
	}
	if (!fd_kept && (destroy || !s->adopted))
		xsk__sys_close(s->fd);
	free(s);
}

/* Size a ring on the registration's socket, which keeps its sizes. */
static int size_kept(int fd, int opt, uint32_t size, uint32_t kept,
		     const char *name)
{
	if (kept == size)
		return 0;
	if (kept)
		return xsk__err(
			-EINVAL,
			"the UMEM's socket kept a %s ring of %u entries from an earlier failed attempt (rings can't be resized): ask for the same size, or use a new UMEM",
			name, kept);
	return xsk__ring_setsize(fd, opt, size, name);
}

static int socket_size_rings(struct xsk_socket *s, const struct socket_plan *p)
{
	struct xsk_umem *u = s->umem;
	int err;

	if (s->role != XSK_ROLE_UMEM) {
		err = p->rx_size ? xsk__ring_setsize(s->fd, XDP_RX_RING,
						     p->rx_size, "RX") :
				   0;
		return err || !p->tx_size ?
			       err :
			       xsk__ring_setsize(s->fd, XDP_TX_RING, p->tx_size,
						 "TX");
	}
	err = size_kept(s->fd, XDP_RX_RING, p->rx_size, u->rx_kept, "RX");
	if (err)
		return err;
	xsk__umem_keep_sizes(u, p->rx_size, u->tx_kept);
	err = size_kept(s->fd, XDP_TX_RING, p->tx_size, u->tx_kept, "TX");
	if (err)
		return err;
	xsk__umem_keep_sizes(u, p->rx_size, p->tx_size);
	return 0;
}

static int socket_map_rings(struct xsk_socket *s, const struct socket_plan *p)
{
	struct xdp_mmap_offsets off;
	int err = xsk__mmap_offsets(s->fd, &off);

	if (err < 0)
		return err;
	if (p->rx_size) {
		err = xsk__ring_map(s->fd, &off.rx, p->rx_size,
				    sizeof(struct xdp_desc), XDP_PGOFF_RX_RING,
				    "RX", &s->rx_map);
		if (err)
			return err;
		xsk_ring_cons__init(&s->rx, s->rx_map.addr, &off.rx,
				    p->rx_size);
	}
	if (p->tx_size) {
		err = xsk__ring_map(s->fd, &off.tx, p->tx_size,
				    sizeof(struct xdp_desc), XDP_PGOFF_TX_RING,
				    "TX", &s->tx_map);
		if (err)
			return err;
		xsk_ring_prod__init(&s->tx, s->tx_map.addr, &off.tx,
				    p->tx_size);
	}
	return 0;
}

static int socket_resolve_if(struct xsk_socket *s, const char *ifname)
{
	int idx;

	if (!ifname)
		return 0;
	idx = xsk__sys_ifindex(ifname);
	if (idx == -ENODEV)
		return xsk__err(
			idx,
			"no interface named \"%s\" in this network namespace (ip link show)",
			ifname);
	if (idx < 0)
		return xsk__err_sys(idx, "looking up the interface");
	s->ifindex = (uint32_t)idx;
	return 0;
}

/*
 * Decide the role, and get the socket and the context it uses: the
 * registration's (registering the UMEM again if its last socket went), an
 * existing context on this (device, queue), or a new one on a new socket.
 */
static int socket_open(struct xsk_socket *s, const struct socket_plan *p)
{
	struct xsk_umem *u = s->umem;
	int err;

	if (!p->shares) {
		s->registered = u->reg_fd < 0;
		err = xsk__umem_register(u);
		if (err)
			return err;
		s->fd = u->reg_fd;
		s->ctx = u->reg_ctx;
		xsk__ctx_get(s->ctx);
		return 0;
	}
	if (!s->adopted) {
		s->fd = xsk__xdp_socket();
		if (s->fd < 0)
			return s->fd;
	}
	s->ctx = xsk__umem_find_ctx(u, s->ifindex, s->queue_id);
	if (s->ctx) {
		s->role = XSK_ROLE_SHARER;
		xsk__ctx_get(s->ctx);
		return 0;
	}
	s->role = XSK_ROLE_CTX_OWNER;
	err = xsk__ctx_create(&s->ctx, s->fd, p->fill_size, p->comp_size);
	return err < 0 ? err : 0;
}

static int socket_create(struct xsk_socket **xsk, struct xsk_umem *u, int fd,
			 const struct xsk_socket_opts *opts)
{
	struct xsk_socket_opts o;
	struct socket_plan plan = { 0 };
	struct xsk_socket *s;
	int err;

	if (!xsk || !u)
		return xsk__err(
			-EINVAL,
			"xsk_socket_create: the socket out-parameter and the UMEM must not be NULL");
	if (!opts)
		return xsk__err(
			-EINVAL,
			"xsk_socket_create: options naming the interface are required");
	err = xsk__opts_load(&o, sizeof(o), opts, "xsk_socket_opts");
	if (!err)
		err = socket_config(&plan, u, &o);
	if (err)
		return err;
	if (fd >= 0 && fd == u->reg_fd)
		return xsk__err(
			-EINVAL,
			"fd %d is the UMEM's own socket: use xsk_socket_create()",
			fd);
	if (fd >= 0 && !plan.shares)
		return xsk__err(
			-EINVAL,
			"the UMEM's first socket is the UMEM's own: create it with xsk_socket_create(), then share the UMEM with fd %d",
			fd);

	s = calloc(1, sizeof(*s));
	if (!s)
		return xsk__err(-ENOMEM, "out of memory for the socket handle");
	s->umem = u;
	s->fd = fd;
	s->adopted = fd >= 0;
	s->queue_id = o.queue_id;
	s->ifindex = o.ifindex;
	s->bind_wait_ms = o.bind_wait_ms;
	s->role = plan.shares ? XSK_ROLE_CTX_OWNER : XSK_ROLE_UMEM;
	s->bind_flags = plan.shares ? XDP_SHARED_UMEM : plan.bind_flags;
	s->need_wakeup = (plan.shares ? u->bind_flags : plan.bind_flags) &
			 XDP_USE_NEED_WAKEUP;
	err = socket_resolve_if(s, o.ifname);
	if (!err)
		err = socket_open(s, &plan);
	if (!err)
		err = socket_size_rings(s, &plan);
	if (!err)
		err = socket_map_rings(s, &plan);
	if (!err && !(o.flags & XSK_SOCKET_DEFER_BIND))
		err = socket_bind(s);
	if (err) {
		socket_release(s, false);
		return err;
	}
	xsk__umem_attach(u, s, plan.bind_flags, plan.mode);
	*xsk = s;
	return 0;
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
		return xsk__err(
			-EBADF,
			"xsk_socket_create_fd: fd %d is not a file descriptor",
			fd);
	return socket_create(xsk, umem, fd, opts);
}

int xsk__socket_adopt(struct xsk_socket **xsk, struct xsk_umem *u,
		      const struct xsk__handover *h)
{
	const struct socket_plan plan = { .rx_size = h->rx_size,
					  .tx_size = h->tx_size };
	struct xsk_socket *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return xsk__err(-ENOMEM, "out of memory for the socket handle");
	/* The UMEM's own socket, already bound: as if xsk_socket_create()
	 * had just made it here. */
	s->umem = u;
	s->fd = u->reg_fd;
	s->role = XSK_ROLE_UMEM;
	s->ctx = u->reg_ctx;
	xsk__ctx_get(s->ctx);
	s->bind_flags = (uint16_t)h->bind_flags;
	s->need_wakeup = h->bind_flags & XDP_USE_NEED_WAKEUP;
	s->bound = true;
	s->ifindex = h->ifindex;
	s->queue_id = h->queue_id;
	err = socket_map_rings(s, &plan);
	if (err) {
		socket_release(s, false);
		return err;
	}
	xsk__umem_attach(u, s, s->bind_flags, h->mode);
	*xsk = s;
	return 0;
}

int xsk_socket_bind(struct xsk_socket *xsk)
{
	if (!xsk)
		return xsk__err(-EINVAL, "xsk_socket_bind: the socket is NULL");
	if (xsk->bound)
		return xsk__err(
			-EBUSY,
			"the socket is already bound (to queue %u of interface %u): an AF_XDP socket binds once",
			xsk->queue_id, xsk->ifindex);
	return socket_bind(xsk);
}

int xsk_socket_destroy(struct xsk_socket *xsk)
{
	if (!xsk)
		return 0;
	xsk__umem_detach(xsk->umem, xsk);
	socket_release(xsk, true);
	return 0;
}

int xsk_socket_fd(const struct xsk_socket *xsk)
{
	return xsk ? xsk->fd : -1;
}

uint32_t xsk_socket_ifindex(const struct xsk_socket *xsk)
{
	return xsk ? xsk->ifindex : 0;
}

uint32_t xsk_socket_queue_id(const struct xsk_socket *xsk)
{
	return xsk ? xsk->queue_id : 0;
}

struct xsk_ring_cons *xsk_socket_rx(struct xsk_socket *xsk)
{
	return xsk && xsk->rx_map.addr ? &xsk->rx : NULL;
}

struct xsk_ring_prod *xsk_socket_tx(struct xsk_socket *xsk)
{
	return xsk && xsk->tx_map.addr ? &xsk->tx : NULL;
}

struct xsk_ring_prod *xsk_socket_fill(struct xsk_socket *xsk)
{
	return xsk ? &xsk->ctx->fill : NULL;
}

struct xsk_ring_cons *xsk_socket_comp(struct xsk_socket *xsk)
{
	return xsk ? &xsk->ctx->comp : NULL;
}

/* What the wake-ups check before anything else: no formatting, since a
 * hot loop may meet these often. */
static int wake_check(const struct xsk_socket *xsk, bool has_ring,
		      const char *no_ring)
{
	if (!xsk)
		return xsk__err_const(-EINVAL, "the socket is NULL");
	if (!has_ring)
		return xsk__err_const(-ENOBUFS, no_ring);
	if (!xsk->bound)
		return xsk__err_const(-ENXIO, "the socket is not bound");
	return 0;
}

int xsk_socket_kick_tx(struct xsk_socket *xsk)
{
	int err = wake_check(xsk, xsk && xsk->tx_map.addr,
			     "the socket has no TX ring");

	if (err)
		return err;
	if (xsk->need_wakeup && !xsk->busy_poll &&
	    !xsk_ring_prod__needs_wakeup(&xsk->tx))
		return 0;
	err = xsk__sys_sendto_wakeup(xsk->fd);
	switch (err) {
	case 0:
		return 0;
	case -EAGAIN:
	case -EBUSY:
		/* Frequent in copy mode under load: no formatting here. */
		return xsk__err_const(
			err,
			"the kernel could not take the frames now: reap the completion ring, then kick again");
	case -ENOBUFS:
		return xsk__err_const(err, "the socket has no TX ring");
	case -ENETDOWN:
		return xsk__err_const(err, "the interface is down");
	case -ENXIO:
		return xsk__err_const(err, "the socket is not bound");
	}
	return xsk__err_sys(err,
			    "waking the kernel to transmit (sendto) failed");
}

int xsk_socket_wake_rx(struct xsk_socket *xsk)
{
	int err = wake_check(xsk, xsk && xsk->rx_map.addr,
			     "the socket has no RX ring");

	if (err)
		return err;
	if (xsk->need_wakeup && !xsk->busy_poll &&
	    !xsk_ring_prod__needs_wakeup(&xsk->ctx->fill))
		return 0;
	err = xsk__sys_recvfrom_wakeup(xsk->fd);
	/* Kernels before 5.11 have no AF_XDP recvmsg (EOPNOTSUPP): there
	 * the driver fills the RX ring with no wake-up to make. */
	if (!err || err == -EAGAIN || err == -EOPNOTSUPP)
		return 0;
	if (err == -ENXIO)
		return xsk__err_const(err, "the socket is not bound");
	if (err == -ENETDOWN)
		return xsk__err_const(err, "the interface is down");
	return xsk__err_sys(err,
			    "waking the kernel to receive (recvfrom) failed");
}

int xsk_socket_poll(struct xsk_socket *xsk, short events, int timeout_ms)
{
	int ret;

	if (!xsk)
		return xsk__err(-EINVAL, "xsk_socket_poll: the socket is NULL");
	ret = xsk__sys_poll(xsk->fd, events, timeout_ms);
	return ret < 0 ? xsk__err_sys(ret, "poll on the AF_XDP socket failed") :
			 ret;
}
