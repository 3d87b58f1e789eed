// SPDX-License-Identifier: MIT
/*
 * UMEM: the packet memory shared with the kernel, registered on an AF_XDP
 * socket with its fill and completion rings. Setup follows the order of
 * gVisor's pkg/xdp: memory, socket, XDP_UMEM_REG, ring sizes, offsets, ring
 * mappings. Each resource is recorded in the handle as it is made, and
 * umem_release() undoes whatever is recorded, on failure and at destroy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xsk_priv.h"

#define XSK_UMEM_FLAGS (XSK_UMEM_UNALIGNED | XSK_UMEM_TX_SW_CSUM)
#define XSK_MIN_FRAME_SIZE 2048u
#define XSK_PACKET_HEADROOM 256u /* the kernel's XDP_PACKET_HEADROOM */

static int check_ring_size(uint32_t size, const char *name)
{
	if (!xsk_is_pow2(size))
		return xsk_err(
			-EINVAL,
			"the %s ring size %u is not a power of two (try %u)",
			name, size, XSK_DEFAULT_RING_SIZE);
	return 0;
}

/* The kernel's rules for XDP_UMEM_REG, checked before any syscall. */
static int umem_config(struct xsk_umem *u, const struct xsk_umem_opts *o)
{
	long page = xsk_sys_page_size();
	bool unaligned = o->flags & XSK_UMEM_UNALIGNED;
	uint32_t fs = o->frame_size ? o->frame_size : XSK_DEFAULT_FRAME_SIZE;
	uint64_t need;
	int err;

	if (o->flags & ~XSK_UMEM_FLAGS)
		return xsk_err(
			-EINVAL,
			"unknown UMEM flags 0x%x (known: XSK_UMEM_UNALIGNED, XSK_UMEM_TX_SW_CSUM)",
			o->flags & ~XSK_UMEM_FLAGS);
	if (o->tx_metadata_len >= 256 || o->tx_metadata_len % 8)
		return xsk_err(
			-EINVAL,
			"tx_metadata_len %u must be a multiple of 8 below 256",
			o->tx_metadata_len);
	if (o->flags & XSK_UMEM_TX_SW_CSUM && !o->tx_metadata_len)
		return xsk_err(
			-EINVAL,
			"XSK_UMEM_TX_SW_CSUM does nothing without TX metadata: set tx_metadata_len (at least 24 for struct xsk_tx_meta)");
	if (fs < XSK_MIN_FRAME_SIZE || fs > (uint64_t)page)
		return xsk_err(
			-EINVAL,
			"frame size %u is out of range: it must be from %u to the page size, %ld",
			fs, XSK_MIN_FRAME_SIZE, page);
	if (!unaligned && !xsk_is_pow2(fs))
		return xsk_err(
			-EINVAL,
			"frame size %u is not a power of two: use 2048 or 4096, or XSK_UMEM_UNALIGNED for other sizes",
			fs);
	if (o->headroom >= fs - XSK_PACKET_HEADROOM)
		return xsk_err(
			-EINVAL,
			"headroom %u is too large for %u-byte frames: it must be below %u (the frame size less the kernel's 256-byte XDP headroom)",
			o->headroom, fs, fs - XSK_PACKET_HEADROOM);
	u->fill_size = o->fill_size ? o->fill_size : XSK_DEFAULT_RING_SIZE;
	u->comp_size = o->comp_size ? o->comp_size : XSK_DEFAULT_RING_SIZE;
	err = check_ring_size(u->fill_size, "fill");
	if (!err)
		err = check_ring_size(u->comp_size, "completion");
	if (err)
		return err;

	if (o->area) {
		if (!o->size)
			return xsk_err(
				-EINVAL,
				"a UMEM area given by the caller needs its length in .size");
		if ((uintptr_t)o->area % (uintptr_t)page)
			return xsk_err(
				-EINVAL,
				"the UMEM area %p is not page-aligned (page size %ld): allocate it with mmap() or aligned_alloc()",
				o->area, page);
		if (o->size > UINTPTR_MAX - (uintptr_t)o->area)
			return xsk_err(
				-EOVERFLOW,
				"the UMEM area %p + %llu bytes runs past the end of the address space",
				o->area, (unsigned long long)o->size);
	}
	if (o->size) {
		u->size = o->size;
		u->nframes = o->nframes ? o->nframes : (uint32_t)(o->size / fs);
		if (o->size / fs > UINT32_MAX)
			return xsk_err(
				-EINVAL,
				"a UMEM of %llu bytes holds more than 2^32 - 1 frames of %u bytes",
				(unsigned long long)o->size, fs);
	} else {
		u->nframes = o->nframes ? o->nframes : XSK_DEFAULT_NFRAMES;
		u->size = (uint64_t)u->nframes * fs;
	}
	need = (uint64_t)u->nframes * fs;
	if (need > SIZE_MAX || u->size > SIZE_MAX)
		return xsk_err(
			-EOVERFLOW,
			"%u frames of %u bytes overflow the address space",
			u->nframes, fs);
	if (!u->nframes)
		return xsk_err(
			-EINVAL,
			"the UMEM must hold at least one frame of %u bytes",
			fs);
	if (need > u->size)
		return xsk_err(
			-EINVAL,
			"%u frames of %u bytes need %llu bytes, but .size is %llu",
			u->nframes, fs, (unsigned long long)need,
			(unsigned long long)u->size);
	if (!unaligned && u->size % fs)
		return xsk_err(
			-EINVAL,
			"the UMEM length %llu is not a multiple of the frame size %u, as aligned mode requires",
			(unsigned long long)u->size, fs);
	u->frame_size = fs;
	u->headroom = o->headroom;
	u->flags = o->flags;
	u->tx_metadata_len = o->tx_metadata_len;
	return 0;
}

int xsk_explain_socket(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return xsk_err(
			err,
			"opening an AF_XDP socket needs CAP_NET_RAW: run as root, grant the capability (setcap cap_net_raw+ep PROGRAM), or have a privileged process open the socket and pass it over (xsk_umem_create_fd())");
	case -EAFNOSUPPORT:
		return xsk_err(
			err,
			"this kernel has no AF_XDP sockets: it needs Linux 4.18 or later built with CONFIG_XDP_SOCKETS=y");
	}
	return xsk_err_sys(err, "opening an AF_XDP socket failed");
}

static int explain_reg(const struct xsk_umem *u, int err)
{
	uint64_t limit;

	switch (err) {
	case -ENOBUFS:
		if (xsk_sys_memlock_limit(&limit))
			limit = 0;
		return xsk_err(
			err,
			"registering the UMEM needs %llu KiB of locked memory, more than RLIMIT_MEMLOCK (%llu KiB) leaves (memory other UMEMs and BPF maps of this user lock counts too): raise the limit (ulimit -l, setrlimit(RLIMIT_MEMLOCK), LimitMEMLOCK= in a systemd unit) or run with CAP_IPC_LOCK",
			(unsigned long long)(u->size >> 10),
			(unsigned long long)(limit >> 10));
	case -EBUSY:
		return xsk_err(
			err,
			"fd %d already has a UMEM registered or is bound: a socket takes one registration, before bind",
			u->fd);
	case -ENOPROTOOPT:
	case -ENOTSOCK:
		return xsk_err(err, "fd %d is not an AF_XDP socket", u->fd);
	case -EINVAL:
		return xsk_err(
			err,
			"the kernel refused the UMEM (frame size %u, headroom %u, flags 0x%x, %llu bytes at %p): this kernel may not know the flags (unaligned chunks need Linux 5.4)",
			u->frame_size, u->headroom, u->flags,
			(unsigned long long)u->size, u->area);
	}
	return xsk_err_sys(err, "registering the UMEM (XDP_UMEM_REG) failed");
}

/*
 * struct xdp_umem_reg as of Linux 6.8, whatever the installed headers say:
 * the same 32 bytes as ever, with tx_metadata_len where there was padding.
 */
struct xsk_umem_reg {
	uint64_t addr;
	uint64_t len;
	uint32_t chunk_size;
	uint32_t headroom;
	uint32_t flags;
	uint32_t tx_metadata_len;
};

static int umem_reg(const struct xsk_umem *u, uint32_t flags)
{
	struct xsk_umem_reg reg;

	/* Zeroed and full size: a shorter optlen makes the kernel ignore
	 * the flags, and 6.8 to 6.10 read any padding as tx_metadata_len. */
	memset(&reg, 0, sizeof(reg));
	reg.addr = (uintptr_t)u->area;
	reg.len = u->size;
	reg.chunk_size = u->frame_size;
	reg.headroom = u->headroom;
	reg.flags = flags;
	reg.tx_metadata_len = u->tx_metadata_len;
	return xsk_sys_setsockopt(u->fd, SOL_XDP, XDP_UMEM_REG, &reg,
				  sizeof(reg));
}

static int umem_register(const struct xsk_umem *u)
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
	err = umem_reg(u, flags);
	if (err != -EINVAL || !u->tx_metadata_len)
		return err ? explain_reg(u, err) : 0;
	/* Linux 6.8 to 6.10 take tx_metadata_len without the flag, which
	 * 6.11 added; older kernels would ignore the length silently, so
	 * make sure this one has TX metadata before retrying. */
	err = xsk_probe(&features);
	if (err)
		return err;
	if (!(features & XSK_FEATURE_TX_METADATA))
		return xsk_err(
			-EOPNOTSUPP,
			"this kernel has no AF_XDP TX metadata (tx_metadata_len, XSK_UMEM_TX_SW_CSUM): it needs Linux 6.8");
	err = umem_reg(u, flags & ~XDP_UMEM_TX_METADATA_LEN);
	return err ? explain_reg(u, err) : 0;
}

/* Size and map a context's fill and completion rings on its socket. */
int xsk_ctx_map(struct xsk_ctx *ctx, const struct xdp_mmap_offsets *off,
		uint32_t fill_size, uint32_t comp_size)
{
	int err;

	err = xsk_ring_map(ctx->fd, &off->fr, fill_size, sizeof(uint64_t),
			   XDP_UMEM_PGOFF_FILL_RING, "fill", &ctx->fill_map);
	if (err)
		return err;
	xsk_ring_prod__init(&ctx->fill, ctx->fill_map.addr, &off->fr,
			    fill_size);
	err = xsk_ring_map(ctx->fd, &off->cr, comp_size, sizeof(uint64_t),
			   XDP_UMEM_PGOFF_COMPLETION_RING, "completion",
			   &ctx->comp_map);
	if (err)
		return err;
	xsk_ring_cons__init(&ctx->comp, ctx->comp_map.addr, &off->cr,
			    comp_size);
	return 0;
}

int xsk_ctx_setsizes(int fd, uint32_t fill_size, uint32_t comp_size)
{
	int err = xsk_ring_setsize(fd, XDP_UMEM_FILL_RING, fill_size, "fill");

	return err ? err :
		     xsk_ring_setsize(fd, XDP_UMEM_COMPLETION_RING, comp_size,
				      "completion");
}

void xsk_ctx_release(struct xsk_ctx *ctx)
{
	xsk_mapping_release(&ctx->fill_map);
	xsk_mapping_release(&ctx->comp_map);
}

/* Undo whatever is recorded in @u, then free it. */
static void umem_release(struct xsk_umem *u, bool close_fd)
{
	xsk_ctx_release(&u->own);
	if (close_fd)
		xsk_sys_close(u->fd);
	xsk_mapping_release(&u->area_map);
	free(u);
}

static int umem_create(struct xsk_umem **umem, int fd,
		       const struct xsk_umem_opts *opts)
{
	struct xsk_umem_opts o;
	struct xdp_mmap_offsets off;
	bool adopted = fd >= 0;
	struct xsk_umem *u;
	int err;

	if (!umem)
		return xsk_err(
			-EINVAL,
			"xsk_umem_create: the umem out-parameter is NULL");
	err = xsk_opts_load(&o, sizeof(o), opts, "xsk_umem_opts");
	if (err)
		return err;
	u = calloc(1, sizeof(*u));
	if (!u)
		return xsk_err(-ENOMEM, "out of memory for the UMEM handle");
	err = umem_config(u, &o);
	if (err) {
		free(u);
		return err;
	}
	u->fd = fd;

	if (o.area) {
		u->area = o.area;
	} else {
		err = xsk_sys_mmap(&u->area, u->size, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (err) {
			xsk_err(err,
				"mapping %llu bytes for the UMEM failed: %s",
				(unsigned long long)u->size, strerror(-err));
			goto out_release;
		}
		u->area_map.addr = u->area;
		u->area_map.len = u->size;
		/* The seed's check: the kernel pins whole pages and needs the
		 * area page-aligned. */
		if ((uintptr_t)u->area % (uintptr_t)xsk_sys_page_size()) {
			err = xsk_err(
				-EFAULT,
				"the UMEM mapping at %p is not page-aligned",
				u->area);
			goto out_release;
		}
	}
	if (!adopted) {
		u->fd = xsk_sys_socket(AF_XDP, SOCK_RAW, 0);
		if (u->fd < 0) {
			err = xsk_explain_socket(u->fd);
			goto out_release;
		}
	}

	err = umem_register(u);
	if (err)
		goto out_release;
	err = xsk_ctx_setsizes(u->fd, u->fill_size, u->comp_size);
	if (err)
		goto out_release;
	err = xsk_mmap_offsets(u->fd, &off);
	if (err < 0)
		goto out_release;
	u->v1 = err == 1;
	u->own.umem = u;
	u->own.fd = u->fd;
	err = xsk_ctx_map(&u->own, &off, u->fill_size, u->comp_size);
	if (err)
		goto out_release;
	u->ctxs = &u->own;
	*umem = u;
	return 0;

out_release:
	umem_release(u, !adopted);
	return err;
}

int xsk_umem_create(struct xsk_umem **umem, const struct xsk_umem_opts *opts)
{
	return umem_create(umem, -1, opts);
}

int xsk_umem_create_fd(struct xsk_umem **umem, int fd,
		       const struct xsk_umem_opts *opts)
{
	if (fd < 0)
		return xsk_err(
			-EBADF,
			"xsk_umem_create_fd: fd %d is not a file descriptor",
			fd);
	return umem_create(umem, fd, opts);
}

int xsk_umem_destroy(struct xsk_umem *umem)
{
	if (!umem)
		return 0;
	if (umem->sockets)
		return xsk_err(
			-EBUSY,
			"the UMEM still has %u socket(s): destroy them before the UMEM",
			umem->sockets);
	umem_release(umem, true);
	return 0;
}

void *xsk_umem_area(const struct xsk_umem *umem)
{
	return umem->area;
}

uint64_t xsk_umem_size(const struct xsk_umem *umem)
{
	return umem->size;
}

uint32_t xsk_umem_frame_size(const struct xsk_umem *umem)
{
	return umem->frame_size;
}

uint32_t xsk_umem_nframes(const struct xsk_umem *umem)
{
	return umem->nframes;
}

int xsk_umem_fd(const struct xsk_umem *umem)
{
	return umem->fd;
}

void xsk_umem_get_bounds(const struct xsk_umem *umem,
			 struct xsk_umem_bounds *bounds)
{
	bounds->area = umem->area;
	bounds->size = umem->size;
	bounds->chunk_size = umem->frame_size;
	bounds->unaligned = !!(umem->flags & XSK_UMEM_UNALIGNED);
}
