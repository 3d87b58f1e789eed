// SPDX-License-Identifier: MIT
/*
 * UMEM: the packet memory shared with the kernel, registered on an AF_XDP
 * socket with its fill and completion rings. Setup follows the order of
 * gVisor's pkg/xdp: memory, socket, XDP_UMEM_REG, ring sizes, offsets, ring
 * mappings. Each resource is recorded in the handle as it is made, and
 * umem_release() undoes whatever is recorded, on failure and at destroy.
 *
 * The registration (an AF_XDP socket with the UMEM registered and its fill
 * and completion rings) is what the UMEM's first socket binds. When that
 * socket is destroyed it is closed with it, so that nothing of it goes on
 * receiving; the next first socket registers the memory again. This file is
 * the only one that writes struct xsk_umem: sockets join and leave through
 * xsk__umem_attach() and xsk__umem_detach().
 */
#include "gnu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define XSK_UMEM_FLAGS                                                    \
	(XSK_UMEM_UNALIGNED | XSK_UMEM_TX_SW_CSUM | XSK_UMEM_HUGE_PAGES | \
	 XSK_UMEM_HUGE_PAGES_OPTIONAL | XSK_UMEM_MEMFD)
#define XSK_MIN_FRAME_SIZE 2048u
#define XSK_PACKET_HEADROOM 256u /* the kernel's XDP_PACKET_HEADROOM */

static int check_ring_size(uint32_t size, const char *name)
{
	if (!xsk__is_pow2(size))
		return xsk__err(
			-EINVAL,
			"the %s ring size %u is not a power of two (try %u)",
			name, size, XSK_DEFAULT_RING_SIZE);
	return 0;
}

/*
 * Headroom. Every kernel keeps XDP_PACKET_HEADROOM (256) free in front of
 * the headroom; Linux 6.18 (and stable kernels with the same fix) also keeps
 * room for the skb_shared_info and 128 bytes of tailroom, 704 bytes in all
 * on 64-bit machines, so that a frame can always become an skb. Which rule
 * this kernel applies is probed, and only when the headroom is between the
 * two limits.
 */
#define XSK_HEADROOM_RESERVE 704u

static int check_headroom(uint32_t headroom, uint32_t fs)
{
	uint64_t features;
	int err;

	if (headroom >= fs - XSK_PACKET_HEADROOM)
		return xsk__err(
			-EINVAL,
			"headroom %u is too large for %u-byte frames: it must be below %u (the frame size less the kernel's 256-byte XDP headroom), and at most %u on Linux 6.18 and later",
			headroom, fs, fs - XSK_PACKET_HEADROOM,
			fs - XSK_HEADROOM_RESERVE);
	if (headroom <= fs - XSK_HEADROOM_RESERVE)
		return 0;
	err = xsk_probe(&features);
	if (err)
		return err;
	if (!(features & XSK_FEATURE_LARGE_HEADROOM))
		return xsk__err(
			-EINVAL,
			"headroom %u is too large for %u-byte frames on this kernel: it must be at most %u (the frame size less 704 bytes: 256 of XDP headroom, 320 for the skb_shared_info and 128 of tailroom, as Linux 6.18 requires)",
			headroom, fs, fs - XSK_HEADROOM_RESERVE);
	return 0;
}

/* The kernel's rules for XDP_UMEM_REG, checked before any syscall. */
static int umem_config(struct xsk_umem *u, const struct xsk_umem_opts *o)
{
	long page = xsk__sys_page_size();
	bool unaligned = o->flags & XSK_UMEM_UNALIGNED;
	uint32_t fs = o->frame_size ? o->frame_size : XSK_DEFAULT_FRAME_SIZE;
	uint64_t need;
	int err;

	if (o->flags & ~XSK_UMEM_FLAGS)
		return xsk__err(
			-EINVAL,
			"unknown UMEM flags 0x%x (known: XSK_UMEM_UNALIGNED, XSK_UMEM_TX_SW_CSUM, XSK_UMEM_HUGE_PAGES, XSK_UMEM_HUGE_PAGES_OPTIONAL, XSK_UMEM_MEMFD)",
			o->flags & ~XSK_UMEM_FLAGS);
	/* Every kernel wants a multiple of 8 below 256; recent ones (6.18)
	 * refuse less than 16 with XDP_UMEM_TX_METADATA_LEN, and 24 is what
	 * struct xsk_tx_meta needs anyway. */
	if (o->tx_metadata_len &&
	    (o->tx_metadata_len < 16 || o->tx_metadata_len >= 256 ||
	     o->tx_metadata_len % 8))
		return xsk__err(
			-EINVAL,
			"tx_metadata_len %u must be 0, or a multiple of 8 from 16 to 248 (24 holds struct xsk_tx_meta)",
			o->tx_metadata_len);
	if (o->flags & XSK_UMEM_TX_SW_CSUM && !o->tx_metadata_len)
		return xsk__err(
			-EINVAL,
			"XSK_UMEM_TX_SW_CSUM does nothing without TX metadata: set tx_metadata_len (at least 24 for struct xsk_tx_meta)");
	if (fs < XSK_MIN_FRAME_SIZE || fs > (uint64_t)page)
		return xsk__err(
			-EINVAL,
			"frame size %u is out of range: it must be from %u to the page size, %ld",
			fs, XSK_MIN_FRAME_SIZE, page);
	if (!unaligned && !xsk__is_pow2(fs))
		return xsk__err_advice(
			-EINVAL, XSK_ADVICE_UNALIGNED,
			"frame size %u is not a power of two: use 2048 or 4096, or XSK_UMEM_UNALIGNED for other sizes",
			fs);
	err = check_headroom(o->headroom, fs);
	if (err)
		return err;
	u->fill_size = o->fill_size ? o->fill_size : XSK_DEFAULT_RING_SIZE;
	u->comp_size = o->comp_size ? o->comp_size : XSK_DEFAULT_RING_SIZE;
	err = check_ring_size(u->fill_size, "fill");
	if (!err)
		err = check_ring_size(u->comp_size, "completion");
	if (err)
		return err;

	if (o->flags & XSK_UMEM_HUGE_PAGES_OPTIONAL &&
	    !(o->flags & XSK_UMEM_HUGE_PAGES))
		return xsk__err(
			-EINVAL,
			"XSK_UMEM_HUGE_PAGES_OPTIONAL goes with XSK_UMEM_HUGE_PAGES: it says what to do when no huge pages are free");
	if (o->area && (o->flags & XSK_UMEM_HUGE_PAGES || o->numa_ifname))
		return xsk__err(
			-EINVAL,
			"XSK_UMEM_HUGE_PAGES and numa_ifname apply to the memory libxsk maps, not to a caller's area: map it with MAP_HUGETLB, or place it with mbind(), yourself");
	if (o->area && (o->flags & XSK_UMEM_MEMFD))
		return xsk__err(
			-EINVAL,
			"XSK_UMEM_MEMFD asks libxsk to allocate the UMEM in a memfd, so .area must be NULL");
	if (o->flags & XSK_UMEM_MEMFD &&
	    (o->flags & XSK_UMEM_HUGE_PAGES || o->numa_ifname))
		return xsk__err(
			-EINVAL,
			"XSK_UMEM_MEMFD can't be combined with XSK_UMEM_HUGE_PAGES or numa_ifname (not supported yet): choose one");
	if (o->area) {
		if (!o->size)
			return xsk__err(
				-EINVAL,
				"a UMEM area given by the caller needs its length in .size");
		if ((uintptr_t)o->area % (uintptr_t)page)
			return xsk__err(
				-EINVAL,
				"the UMEM area %p is not page-aligned (page size %ld): allocate it with mmap() or aligned_alloc()",
				o->area, page);
		if (o->size > UINTPTR_MAX - (uintptr_t)o->area)
			return xsk__err(
				-EOVERFLOW,
				"the UMEM area %p + %llu bytes runs past the end of the address space",
				o->area, (unsigned long long)o->size);
	}
	if (o->size) {
		u->size = o->size;
		u->nframes = o->nframes ? o->nframes : (uint32_t)(o->size / fs);
		if (o->size / fs > UINT32_MAX)
			return xsk__err(
				-EINVAL,
				"a UMEM of %llu bytes holds more than 2^32 - 1 frames of %u bytes",
				(unsigned long long)o->size, fs);
	} else {
		u->nframes = o->nframes ? o->nframes : XSK_DEFAULT_NFRAMES;
		u->size = (uint64_t)u->nframes * fs;
	}
	need = (uint64_t)u->nframes * fs;
	if (need > SIZE_MAX || u->size > SIZE_MAX)
		return xsk__err(
			-EOVERFLOW,
			"%u frames of %u bytes overflow the address space",
			u->nframes, fs);
	if (!u->nframes)
		return xsk__err(
			-EINVAL,
			"the UMEM must hold at least one frame of %u bytes",
			fs);
	if (need > u->size)
		return xsk__err(
			-EINVAL,
			"%u frames of %u bytes need %llu bytes, but .size is %llu",
			u->nframes, fs, (unsigned long long)need,
			(unsigned long long)u->size);
	if (!unaligned && u->size % fs)
		return xsk__err(
			-EINVAL,
			"the UMEM length %llu is not a multiple of the frame size %u, as aligned mode requires",
			(unsigned long long)u->size, fs);
	u->frame_size = fs;
	u->headroom = o->headroom;
	u->flags = o->flags;
	u->tx_metadata_len = o->tx_metadata_len;
	return 0;
}

static int explain_reg(const struct xsk_umem *u, int fd, int err)
{
	uint64_t limit;

	switch (err) {
	case -ENOBUFS:
		if (xsk__sys_memlock_limit(&limit))
			limit = 0;
		return xsk__err_advice(
			err, XSK_ADVICE_MEMLOCK,
			"registering the UMEM needs %llu KiB of locked memory, more than RLIMIT_MEMLOCK (%llu KiB) leaves (memory other UMEMs and BPF maps of this user lock counts too): raise the limit (ulimit -l, setrlimit(RLIMIT_MEMLOCK), LimitMEMLOCK= in a systemd unit) or run with CAP_IPC_LOCK",
			(unsigned long long)(u->size >> 10),
			(unsigned long long)(limit >> 10));
	case -EBUSY:
		return xsk__err(
			err,
			"fd %d already has a UMEM registered or is bound: a socket takes one registration, before bind",
			fd);
	case -ENOPROTOOPT:
	case -ENOTSOCK:
		return xsk__err(err, "fd %d is not an AF_XDP socket", fd);
	case -EINVAL:
		if (u->flags & XSK_UMEM_UNALIGNED)
			return xsk__err(
				err,
				"the kernel refused the UMEM in unaligned chunk mode (frame size %u, headroom %u): unaligned chunks need Linux 5.4",
				u->frame_size, u->headroom);
		return xsk__err(
			err,
			"the kernel refused the UMEM (frame size %u, headroom %u, %llu bytes at %p) although it meets the rules libxsk knows: check the headroom against this kernel's limit (the frame size less 704 on Linux 6.18)",
			u->frame_size, u->headroom, (unsigned long long)u->size,
			u->area);
	}
	return xsk__err_sys(err, "registering the UMEM (XDP_UMEM_REG) failed");
}

static int umem_reg(const struct xsk_umem *u, int fd, uint32_t flags)
{
	const struct xsk__umem_reg reg = {
		.addr = (uintptr_t)u->area,
		.len = u->size,
		.chunk_size = u->frame_size,
		.headroom = u->headroom,
		.flags = flags,
		.tx_metadata_len = u->tx_metadata_len,
	};

	return xsk__umem_reg(fd, &reg);
}

static int register_on(const struct xsk_umem *u, int fd)
{
	uint32_t flags = 0;
	uint64_t features;
	int err;

	if (u->flags & XSK_UMEM_UNALIGNED)
		flags |= XDP_UMEM_UNALIGNED_CHUNK_FLAG;
	if (u->flags & XSK_UMEM_TX_SW_CSUM)
		flags |= XDP_UMEM_TX_SW_CSUM;
	if (u->tx_metadata_len)
		flags |= XDP_UMEM_TX_METADATA_LEN;
	err = umem_reg(u, fd, flags);
	if (err != -EINVAL || !u->tx_metadata_len)
		return err ? explain_reg(u, fd, err) : 0;
	/* Linux 6.8 to 6.10 take tx_metadata_len without the flag, which
	 * 6.11 added; older kernels, and newer ones, would ignore the length
	 * silently without it, so retry only on a kernel that has TX
	 * metadata but not the flag. */
	err = xsk_probe(&features);
	if (err)
		return err;
	if (!(features & XSK_FEATURE_TX_METADATA))
		return xsk__err(
			-EOPNOTSUPP,
			"this kernel has no AF_XDP TX metadata (tx_metadata_len, XSK_UMEM_TX_SW_CSUM): it needs Linux 6.8");
	if (features & XSK_FEATURE_TX_METADATA_FLAG)
		return explain_reg(u, fd, -EINVAL);
	err = umem_reg(u, fd, flags & ~XDP_UMEM_TX_METADATA_LEN);
	return err ? explain_reg(u, fd, err) : 0;
}

/*
 * Register the UMEM on @fd (a new socket if negative) and make the
 * registration's fill and completion rings. On failure nothing is left but
 * what the caller owns: @fd, with whatever the kernel kept on it.
 */
static int registration_create(struct xsk_umem *u, int fd)
{
	bool adopted = fd >= 0;
	int err;

	if (!adopted) {
		fd = xsk__xdp_socket();
		if (fd < 0)
			return fd;
	}
	err = register_on(u, fd);
	if (!err)
		err = xsk__ctx_create(&u->reg_ctx, fd, u->fill_size,
				      u->comp_size);
	if (err < 0) {
		if (!adopted)
			xsk__sys_close(fd);
		return err;
	}
	u->v1 = err == 1;
	u->reg_fd = fd;
	u->reg_taken = false;
	u->rx_kept = u->tx_kept = 0;
	return 0;
}

/* Forget the registration; its socket is closed by whoever owns it now. */
static void forget_registration(struct xsk_umem *u)
{
	xsk__ctx_put(u->reg_ctx);
	u->reg_ctx = NULL;
	u->reg_fd = -1;
	u->reg_taken = false;
}

bool xsk__umem_first_free(const struct xsk_umem *u)
{
	return u->reg_fd >= 0 ? !u->reg_taken : !u->nsockets;
}

int xsk__umem_register(struct xsk_umem *u)
{
	return u->reg_fd >= 0 ? 0 : registration_create(u, -1);
}

struct xsk__ctx *xsk__umem_find_ctx(const struct xsk_umem *u, uint32_t ifindex,
				    uint32_t queue_id)
{
	const struct xsk_socket *s;

	for (s = u->sockets; s; s = s->next)
		if (s->ifindex == ifindex && s->queue_id == queue_id)
			return s->ctx;
	return NULL;
}

struct xsk_socket *xsk__umem_partner(const struct xsk_umem *u,
				     const struct xsk__ctx *ctx)
{
	struct xsk_socket *s, *any = NULL;

	for (s = u->sockets; s; s = s->next) {
		if (!s->bound || (ctx && s->ctx != ctx))
			continue;
		/* The registration's socket, while there is one, as always:
		 * otherwise the oldest, which is last in the list. */
		if (s->role == XSK_ROLE_UMEM)
			return s;
		any = s;
	}
	return any;
}

void xsk__umem_keep_sizes(struct xsk_umem *u, uint32_t rx, uint32_t tx)
{
	u->rx_kept = rx;
	u->tx_kept = tx;
}

void xsk__umem_attach(struct xsk_umem *u, struct xsk_socket *s,
		      uint16_t bind_flags, uint32_t mode)
{
	if (s->role == XSK_ROLE_UMEM) {
		u->reg_taken = true;
		u->bind_flags = bind_flags;
		u->mode = mode;
	}
	s->next = u->sockets;
	u->sockets = s;
	u->nsockets++;
}

void xsk__umem_detach(struct xsk_umem *u, struct xsk_socket *s)
{
	struct xsk_socket **pp;

	for (pp = &u->sockets; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	u->nsockets--;
	/* Its socket closes the registration's fd, with the socket. */
	if (s->role == XSK_ROLE_UMEM)
		forget_registration(u);
}

void xsk__umem_unregister(struct xsk_umem *u)
{
	int fd = u->reg_fd;

	forget_registration(u);
	xsk__sys_close(fd);
}

/* Undo whatever is recorded in @u, then free it. */
static void umem_release(struct xsk_umem *u)
{
	xsk__umem_unregister(u);
	xsk__mapping_release(&u->area_map);
	xsk__sys_close(u->memfd);
	free(u);
}

/* The UMEM's memory in a memfd, so that another process can map the same
 * pages (xsk_socket_handover()). */
static int umem_map_memfd(struct xsk_umem *u)
{
	int err, fd = xsk__sys_memfd("libxsk-umem");

	if (fd < 0)
		return xsk__err(fd,
				"creating a memfd for the UMEM failed: %s%s",
				strerror(-fd),
				fd == -ENOSYS ?
					" (memfd_create needs Linux 3.17)" :
					"");
	u->memfd = fd;
	err = xsk__sys_ftruncate(fd, u->size);
	if (err)
		return xsk__err(
			err, "sizing the UMEM's memfd to %llu bytes failed: %s",
			(unsigned long long)u->size, strerror(-err));
	err = xsk__sys_mmap(&u->area, u->size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
	if (err)
		return xsk__err(
			err, "mapping the UMEM's memfd (%llu bytes) failed: %s",
			(unsigned long long)u->size, strerror(-err));
	u->area_map.addr = u->area;
	u->area_map.len = u->size;
	return 0;
}

static int umem_map_area(struct xsk_umem *u, const struct xsk_umem_opts *o)
{
	int err = xsk__pages_map(&u->area_map, u->size, o->flags,
				 o->numa_ifname, &u->page_size, &u->numa_node);

	u->area = u->area_map.addr;
	return err;
}

static int umem_create(struct xsk_umem **umem, int fd,
		       const struct xsk_umem_opts *opts)
{
	struct xsk_umem_opts o;
	struct xsk_umem *u;
	int err;

	if (!umem)
		return xsk__err(
			-EINVAL,
			"xsk_umem_create: the umem out-parameter is NULL");
	err = xsk__opts_load(&o, sizeof(o), opts, "xsk_umem_opts");
	if (err)
		return err;
	u = calloc(1, sizeof(*u));
	if (!u)
		return xsk__err(-ENOMEM, "out of memory for the UMEM handle");
	u->reg_fd = -1;
	u->page_size = (size_t)xsk__sys_page_size();
	u->numa_node = -1;
	u->memfd = -1;
	err = umem_config(u, &o);
	if (!err) {
		if (o.area)
			u->area = o.area;
		else if (o.flags & XSK_UMEM_MEMFD)
			err = umem_map_memfd(u);
		else
			err = umem_map_area(u, &o);
	}
	if (!err)
		err = registration_create(u, fd);
	if (err) {
		umem_release(u);
		return err;
	}
	*umem = u;
	return 0;
}

int xsk_umem_create(struct xsk_umem **umem, const struct xsk_umem_opts *opts)
{
	return umem_create(umem, -1, opts);
}

int xsk_umem_create_fd(struct xsk_umem **umem, int fd,
		       const struct xsk_umem_opts *opts)
{
	if (fd < 0)
		return xsk__err(
			-EBADF,
			"xsk_umem_create_fd: fd %d is not a file descriptor",
			fd);
	return umem_create(umem, fd, opts);
}

int xsk__umem_adopt(struct xsk_umem **umem, const struct xsk__handover *h,
		    int fd, int memfd)
{
	struct xsk_umem *u = calloc(1, sizeof(*u));
	int err;

	if (!u)
		return xsk__err(-ENOMEM, "out of memory for the UMEM handle");
	u->size = h->size;
	u->frame_size = h->frame_size;
	u->nframes = h->nframes;
	u->headroom = h->headroom;
	u->flags = h->umem_flags;
	u->tx_metadata_len = h->tx_metadata_len;
	u->fill_size = h->fill_size;
	u->comp_size = h->comp_size;
	err = xsk__sys_mmap(&u->area, u->size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, memfd, 0);
	if (err) {
		free(u);
		return xsk__err(
			err,
			"mapping the handed-over UMEM (%llu bytes) failed: %s",
			(unsigned long long)h->size, strerror(-err));
	}
	u->area_map.addr = u->area;
	u->area_map.len = u->size;
	err = xsk__ctx_adopt(&u->reg_ctx, fd, u->fill_size, u->comp_size);
	if (err < 0) {
		xsk__mapping_release(&u->area_map);
		free(u);
		return err;
	}
	u->v1 = err == 1;
	u->reg_fd = fd;
	u->memfd = memfd;
	*umem = u;
	return 0;
}

int xsk_umem_destroy(struct xsk_umem *umem)
{
	if (!umem)
		return 0;
	if (umem->nsockets)
		return xsk__err(
			-EBUSY,
			"the UMEM still has %u socket(s): destroy them before the UMEM",
			umem->nsockets);
	umem_release(umem);
	return 0;
}

void *xsk_umem_area(const struct xsk_umem *umem)
{
	return umem ? umem->area : NULL;
}

uint64_t xsk_umem_size(const struct xsk_umem *umem)
{
	return umem ? umem->size : 0;
}

uint32_t xsk_umem_frame_size(const struct xsk_umem *umem)
{
	return umem ? umem->frame_size : 0;
}

uint32_t xsk_umem_nframes(const struct xsk_umem *umem)
{
	return umem ? umem->nframes : 0;
}

size_t xsk_umem_page_size(const struct xsk_umem *umem)
{
	return umem ? umem->page_size : 0;
}

int xsk_umem_numa_node(const struct xsk_umem *umem)
{
	return umem ? umem->numa_node : -1;
}

int xsk_umem_memfd(const struct xsk_umem *umem)
{
	return umem ? umem->memfd : -1;
}

int xsk_umem_fd(const struct xsk_umem *umem)
{
	return umem ? umem->reg_fd : -1;
}

struct xsk_ring_prod *xsk_umem_fill(struct xsk_umem *umem)
{
	return umem && umem->reg_ctx ? &umem->reg_ctx->fill : NULL;
}

struct xsk_ring_cons *xsk_umem_comp(struct xsk_umem *umem)
{
	return umem && umem->reg_ctx ? &umem->reg_ctx->comp : NULL;
}

int xsk_umem_get_bounds(const struct xsk_umem *umem,
			struct xsk_umem_bounds *bounds)
{
	if (!umem || !bounds)
		return xsk__err(
			-EINVAL,
			"xsk_umem_get_bounds: umem and bounds must not be NULL");
	bounds->area = umem->area;
	bounds->size = umem->size;
	bounds->chunk_size = umem->frame_size;
	bounds->unaligned = !!(umem->flags & XSK_UMEM_UNALIGNED);
	return 0;
}
