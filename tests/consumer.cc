// SPDX-License-Identifier: MIT
/*
 * tests/consumer.c in C++, with every public header: C++ has no compound
 * literals (XSK_OPTS() is C only), so the options are written the C++
 * way. Built with -pedantic by tests/check-install.sh.
 */
#include <cerrno>
#include <cstdio>
#include <xsk.h>
#include <xsk/multibuf.h>
#include <xsk/txmeta.h>

int main()
{
	xsk_umem_opts o{};
	xsk_umem *umem = nullptr;
	uint32_t words[4] = { 0, 0, 0, XDP_RING_NEED_WAKEUP };
	xdp_ring_offset off = { 0, 4, 16, 12 };
	xsk_ring_prod r;
	struct xsk_tx_meta m; /* the function xsk_tx_meta() hides the tag */

	o.sz = sizeof(o);
	o.frame_size = 1000; /* not a power of two: refused before any syscall */
	if (xsk_umem_create(&umem, &o) != -EINVAL || umem || !*xsk_errmsg())
		return 1;
	xsk_ring_prod__init(&r, words, &off, 1);
	xsk_tx_meta_clear(&m);
	xsk_tx_meta_checksum(&m, 34, 6);
	if (!xsk_ring_prod__needs_wakeup(&r) || m.request.csum_offset != 6)
		return 1;
	std::printf("libxsk consumer ok: %s\n", xsk_errmsg());
	return 0;
}
