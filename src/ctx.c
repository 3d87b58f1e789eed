// SPDX-License-Identifier: MIT
/*
 * Fill and completion ring pairs. The kernel keeps one pair per (device,
 * queue) a UMEM is bound to, made on the socket that binds there first and
 * shared by every other socket of the UMEM on that queue. A context is that
 * pair in user space: its two mappings and the ring structs over them,
 * counted so that it lives exactly as long as some socket (or the UMEM's
 * registration) uses it.
 */
#include "gnu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void ctx_unmap(struct xsk__ctx *ctx)
{
	xsk__mapping_release(&ctx->fill_map);
	xsk__mapping_release(&ctx->comp_map);
}

/* Map both rings from @fd into @fill_map and @comp_map. */
static int ctx_map(const struct xsk__ctx *ctx, int fd,
		   struct xsk__mapping *fill_map, struct xsk__mapping *comp_map,
		   struct xdp_mmap_offsets *off)
{
	int v1 = xsk__mmap_offsets(fd, off), err;

	if (v1 < 0)
		return v1;
	err = xsk__ring_map(fd, &off->fr, ctx->fill_size, sizeof(uint64_t),
			    XDP_UMEM_PGOFF_FILL_RING, "fill", fill_map);
	if (err)
		return err;
	err = xsk__ring_map(fd, &off->cr, ctx->comp_size, sizeof(uint64_t),
			    XDP_UMEM_PGOFF_COMPLETION_RING, "completion",
			    comp_map);
	if (err) {
		xsk__mapping_release(fill_map);
		return err;
	}
	return v1;
}

/* A context over rings already sized on @fd: map them. */
static int ctx_new(struct xsk__ctx **out, int fd, uint32_t fill_size,
		   uint32_t comp_size)
{
	struct xdp_mmap_offsets off;
	struct xsk__ctx *ctx;
	int v1;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return xsk__err(-ENOMEM, "out of memory for the ring context");
	ctx->fill_size = fill_size;
	ctx->comp_size = comp_size;
	v1 = ctx_map(ctx, fd, &ctx->fill_map, &ctx->comp_map, &off);
	if (v1 < 0) {
		free(ctx);
		return v1;
	}
	ctx->fd = fd;
	ctx->close_fd = -1;
	ctx->refs = 1;
	xsk_ring_prod__init(&ctx->fill, ctx->fill_map.addr, &off.fr, fill_size);
	xsk_ring_cons__init(&ctx->comp, ctx->comp_map.addr, &off.cr, comp_size);
	*out = ctx;
	return v1;
}

int xsk__ctx_create(struct xsk__ctx **out, int fd, uint32_t fill_size,
		    uint32_t comp_size)
{
	int err;

	err = xsk__ring_setsize(fd, XDP_UMEM_FILL_RING, fill_size, "fill");
	if (!err)
		err = xsk__ring_setsize(fd, XDP_UMEM_COMPLETION_RING, comp_size,
					"completion");
	return err ? err : ctx_new(out, fd, fill_size, comp_size);
}

int xsk__ctx_adopt(struct xsk__ctx **out, int fd, uint32_t fill_size,
		   uint32_t comp_size)
{
	return ctx_new(out, fd, fill_size, comp_size);
}

void xsk__ctx_get(struct xsk__ctx *ctx)
{
	ctx->refs++;
}

void xsk__ctx_put(struct xsk__ctx *ctx)
{
	if (!ctx || --ctx->refs)
		return;
	ctx_unmap(ctx);
	xsk__sys_close(ctx->close_fd);
	free(ctx);
}

int xsk__ctx_move(struct xsk__ctx *ctx, int fd)
{
	struct xsk__mapping fill_map = { 0 }, comp_map = { 0 };
	struct xdp_mmap_offsets off;
	int err;

	/* Try first where a refusal costs nothing: kernels before 6.4 don't
	 * map a bound socket's rings. */
	err = ctx_map(ctx, fd, &fill_map, &comp_map, &off);
	if (err < 0)
		return err;
	xsk__mapping_release(&fill_map);
	xsk__mapping_release(&comp_map);
	/*
	 * Then map the same kernel rings from @fd over the old mappings, at
	 * the same addresses: the ring structs, and any copy a caller made of
	 * them, stay valid, and a thread touching the rings meanwhile sees
	 * one mapping or the other, never a hole. The old mappings, and with
	 * them the hold on the old socket, are gone.
	 */
	err = xsk__sys_mmap_fixed(ctx->fill_map.addr, ctx->fill_map.len, fd,
				  XDP_UMEM_PGOFF_FILL_RING);
	if (!err)
		err = xsk__sys_mmap_fixed(ctx->comp_map.addr, ctx->comp_map.len,
					  fd, XDP_UMEM_PGOFF_COMPLETION_RING);
	if (err)
		return xsk__err_sys(
			err,
			"moving the shared fill and completion rings to another socket failed");
	ctx->fd = fd;
	return 0;
}
