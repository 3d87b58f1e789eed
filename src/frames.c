// SPDX-License-Identifier: MIT
/*
 * The frame allocator's setup and teardown. The fast paths are inline in
 * <xsk/frames.h>; only what allocates memory lives here.
 */
#include "gnu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xsk/frames.h>

#include "internal.h"

#define KNOWN_FLAGS (XSK_FRAMES_UNALIGNED | XSK_FRAMES_DEBUG)

int xsk_frames_init(struct xsk_frames *f, uint64_t base, uint32_t frame_size,
		    uint32_t nframes, uint32_t flags)
{
	const bool unaligned = flags & XSK_FRAMES_UNALIGNED;
	/* Addresses must survive the mask that is applied when they come
	 * back: below 2^48 in unaligned mode, anything in aligned mode. */
	const uint64_t limit = unaligned ? XSK_UNALIGNED_BUF_ADDR_MASK + 1 : 0;
	struct xsk_frames n;
	uint64_t span;

	if (!f)
		return xsk__err(-EINVAL, "xsk_frames_init: no allocator given");
	if (flags & ~KNOWN_FLAGS)
		return xsk__err(-EINVAL, "xsk_frames_init: unknown flags 0x%x",
				flags & ~KNOWN_FLAGS);
	if (!nframes || !frame_size)
		return xsk__err(
			-EINVAL,
			"xsk_frames_init: %u frames of %u bytes: both must be non-zero",
			nframes, frame_size);
	if (!unaligned && (frame_size & (frame_size - 1)))
		return xsk__err(
			-EINVAL,
			"xsk_frames_init: a frame size of %u is not a power of two, which aligned mode requires (pass XSK_FRAMES_UNALIGNED for an unaligned UMEM)",
			frame_size);
	if (!unaligned && base % frame_size)
		return xsk__err(
			-EINVAL,
			"xsk_frames_init: the first frame's address %llu is not a multiple of the frame size %u",
			(unsigned long long)base, frame_size);
	span = (uint64_t)nframes * frame_size;
	if (base + span < base || (limit && base + span > limit))
		return xsk__err(
			-EINVAL,
			"xsk_frames_init: frames from %llu to %llu do not fit %s",
			(unsigned long long)base,
			(unsigned long long)(base + span),
			unaligned ? "in 48 bits (unaligned mode)" :
				    "in 64 bits");

	memset(&n, 0, sizeof(n));
	n.stack = (__u64 *)calloc(nframes, sizeof(*n.stack));
	if (!n.stack)
		return xsk__err(
			-ENOMEM,
			"xsk_frames_init: no memory for %u frame addresses",
			nframes);
	if (flags & XSK_FRAMES_DEBUG) {
		n.free_map = (__u64 *)calloc((nframes + 63) / 64,
					     sizeof(*n.free_map));
		if (!n.free_map) {
			free(n.stack);
			return xsk__err(
				-ENOMEM,
				"xsk_frames_init: no memory for the debug bitmap of %u frames",
				nframes);
		}
	}
	n.nframes = nframes;
	n.nfree = nframes;
	n.base = base;
	n.frame_size = frame_size;
	n.flags = flags;
	n.addr_mask = unaligned ? XSK_UNALIGNED_BUF_ADDR_MASK :
				  ~(uint64_t)(frame_size - 1);
	/* Lowest address on top: frames are handed out in address order. */
	for (uint32_t i = 0; i < nframes; i++) {
		n.stack[i] = base + (uint64_t)(nframes - 1 - i) * frame_size;
		if (n.free_map)
			n.free_map[i / 64] |= 1ULL << (i % 64);
	}
	*f = n;
	return 0;
}

void xsk_frames_destroy(struct xsk_frames *f)
{
	if (!f)
		return;
	free(f->stack);
	free(f->free_map);
	memset(f, 0, sizeof(*f));
}
