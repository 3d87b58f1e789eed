// SPDX-License-Identifier: MIT
/*
 * A program that uses libxsk as an installed library would: built by the
 * install, package and build-system checks (tests/check-*.sh) against
 * what they installed, linked statically and dynamically, and run. It
 * needs no privilege: the UMEM it asks for is refused before any syscall.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xsk.h>

int main(void)
{
	struct xsk_umem_opts o;
	struct xsk_umem *umem = NULL;
	uint32_t words[4] = { 0, 0, 0, XDP_RING_NEED_WAKEUP };
	struct xdp_ring_offset off = { 0, 4, 16, 12 };
	struct xsk_ring_prod r;
	int err;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.frame_size =
		1000; /* not a power of two: refused before any syscall */
	err = xsk_umem_create(&umem, &o);
	if (err != -EINVAL || umem || !*xsk_errmsg()) {
		printf("unexpected: %d %s\n", err, xsk_errmsg());
		return 1;
	}
	xsk_ring_prod__init(&r, words, &off, 1);
	if (!xsk_ring_prod__needs_wakeup(&r))
		return 1;
	printf("libxsk %d.%d.%d consumer ok: %s\n", LIBXSK_VERSION_MAJOR,
	       LIBXSK_VERSION_MINOR, LIBXSK_VERSION_PATCH, xsk_errmsg());
	return 0;
}
