// SPDX-License-Identifier: MIT
/*
 * The kernel's AF_XDP setup calls, each wrapped once: opening the socket,
 * XDP_UMEM_REG, ring sizes, ring offsets and ring mappings. The UMEM, the
 * fill/completion contexts, the sockets and the probe all build on these.
 */
#include "gnu.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

int xsk__xdp_socket(void)
{
	int fd = xsk__sys_socket(AF_XDP, SOCK_RAW, 0);

	switch (fd) {
	case -EPERM:
	case -EACCES:
		return xsk__err_advice(
			fd, XSK_ADVICE_NET_RAW,
			"opening an AF_XDP socket needs CAP_NET_RAW: run as root, grant the capability (setcap cap_net_raw+ep PROGRAM), or have a privileged process open the socket and pass it over (xsk_umem_create_fd())");
	case -EAFNOSUPPORT:
		return xsk__err(
			fd,
			"this kernel has no AF_XDP sockets: it needs Linux 4.18 or later built with CONFIG_XDP_SOCKETS=y");
	}
	return fd < 0 ? xsk__err_sys(fd, "opening an AF_XDP socket failed") :
			fd;
}

int xsk__umem_reg(int fd, const struct xsk__umem_reg *reg)
{
	return xsk__sys_setsockopt(fd, SOL_XDP, XDP_UMEM_REG, reg,
				   sizeof(*reg));
}

int xsk__ring_setsize(int fd, int opt, uint32_t size, const char *name)
{
	int v = (int)size;
	int err = xsk__sys_setsockopt(fd, SOL_XDP, opt, &v, sizeof(v));

	if (err == -EBUSY)
		return xsk__err(
			err,
			"the %s ring can't be sized: the socket is already bound, or the ring was sized before (ring sizes are set once, before bind)",
			name);
	if (err == -EINVAL)
		return xsk__err(
			err,
			"the kernel refused %u entries for the %s ring: sizes must be non-zero powers of two, and the socket must be an AF_XDP socket with a UMEM registered",
			size, name);
	if (err)
		return xsk__err(err,
				"sizing the %s ring (%u entries) failed: %s",
				name, size, strerror(-err));
	return 0;
}

/* The v1 reply of kernels before 5.4, which have no need_wakeup flags. */
struct xsk__ring_offset_v1 {
	uint64_t producer;
	uint64_t consumer;
	uint64_t desc;
};

struct xsk__mmap_offsets_v1 {
	struct xsk__ring_offset_v1 rx, tx, fr, cr;
};

static void offsets_from_v1(struct xdp_ring_offset *off,
			    const struct xsk__ring_offset_v1 *v1)
{
	off->producer = v1->producer;
	off->consumer = v1->consumer;
	off->desc = v1->desc;
	/* There is no flags word: point at the padding after the consumer
	 * index, which sits alone in its cache line and stays zero, so that
	 * need_wakeup reads as never set. */
	off->flags = v1->consumer + sizeof(uint32_t);
}

int xsk__mmap_offsets(int fd, struct xdp_mmap_offsets *off)
{
	struct xsk__mmap_offsets_v1 v1;
	socklen_t len = sizeof(*off);
	int err;

	memset(off, 0, sizeof(*off));
	err = xsk__sys_getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, off, &len);
	if (err)
		return xsk__err(
			err,
			"reading the ring offsets (XDP_MMAP_OFFSETS) failed: %s",
			strerror(-err));
	if (len == sizeof(*off))
		return 0;
	if (len != sizeof(v1))
		return xsk__err(
			-EPROTO,
			"XDP_MMAP_OFFSETS answered %u bytes, neither the v1 (%zu) nor the v2 (%zu) layout",
			(unsigned int)len, sizeof(v1), sizeof(*off));
	memcpy(&v1, off, sizeof(v1));
	offsets_from_v1(&off->rx, &v1.rx);
	offsets_from_v1(&off->tx, &v1.tx);
	offsets_from_v1(&off->fr, &v1.fr);
	offsets_from_v1(&off->cr, &v1.cr);
	return 1; /* v1: the caller must not ask for need_wakeup */
}

int xsk__ring_map(int fd, const struct xdp_ring_offset *off, uint32_t size,
		  size_t entry, off_t pgoff, const char *name,
		  struct xsk__mapping *m)
{
	size_t len = off->desc + (size_t)size * entry;
	void *p;
	int err;

	err = xsk__sys_mmap(&p, len, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (err)
		return xsk__err(err,
				"mapping the %s ring (%zu bytes) failed: %s",
				name, len, strerror(-err));
	m->addr = p;
	m->len = len;
	return 0;
}

void xsk__mapping_release(struct xsk__mapping *m)
{
	xsk__sys_munmap(m->addr, m->len);
	m->addr = NULL;
	m->len = 0;
}
