/* SPDX-License-Identifier: MIT */
/*
 * A fake kernel for the ring tests: a ring laid out in plain memory the way
 * the kernel lays out a mapped ring (producer, consumer and flags words on
 * their own cache lines, then the entries), and the kernel's half of the
 * protocol written independently of <xsk/ring.h>, so that the helpers are
 * checked against a second implementation rather than against themselves.
 */
#ifndef LIBXSK_TESTS_FAKERING_H
#define LIBXSK_TESTS_FAKERING_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xsk/ring.h>

struct fake_ring {
	uint32_t size;
	size_t entry; /* bytes per entry: 8 or sizeof(struct xdp_desc) */
	struct xdp_ring_offset off;
	char *map;
};

static inline uint32_t *fake_word(struct fake_ring *f, uint64_t off)
{
	return (uint32_t *)(void *)(f->map + off);
}

/* A ring of @size entries whose indices both start at @start. */
static inline void fake_ring_init(struct fake_ring *f, uint32_t size,
				  size_t entry, uint32_t start)
{
	size_t len;

	f->size = size;
	f->entry = entry;
	f->off.producer = 0;
	f->off.consumer = 64;
	f->off.flags = 128;
	f->off.desc = 192;
	/* aligned_alloc() wants a multiple of the alignment. */
	len = (192 + (size_t)size * entry + 63) & ~(size_t)63;
	f->map = (char *)aligned_alloc(64, len);
	if (!f->map)
		abort();
	memset(f->map, 0xa5, len);
	*fake_word(f, f->off.producer) = start;
	*fake_word(f, f->off.consumer) = start;
	*fake_word(f, f->off.flags) = 0;
}

static inline void fake_ring_fini(struct fake_ring *f)
{
	free(f->map);
	f->map = NULL;
}

static inline uint32_t fake_prod(struct fake_ring *f)
{
	return __atomic_load_n(fake_word(f, f->off.producer), __ATOMIC_ACQUIRE);
}

static inline uint32_t fake_cons(struct fake_ring *f)
{
	return __atomic_load_n(fake_word(f, f->off.consumer), __ATOMIC_ACQUIRE);
}

static inline void fake_set_flags(struct fake_ring *f, uint32_t flags)
{
	__atomic_store_n(fake_word(f, f->off.flags), flags, __ATOMIC_RELAXED);
}

static inline void *fake_slot(struct fake_ring *f, uint32_t idx)
{
	return f->map + f->off.desc + (size_t)(idx & (f->size - 1)) * f->entry;
}

/* The kernel as consumer (fill, TX): entries published and not consumed. */
static inline uint32_t fake_pending(struct fake_ring *f)
{
	return fake_prod(f) - fake_cons(f);
}

/* The kernel as consumer: take one entry into @out (f->entry bytes). */
static inline int fake_consume(struct fake_ring *f, void *out)
{
	uint32_t c = fake_cons(f);

	if (fake_prod(f) == c)
		return 0;
	memcpy(out, fake_slot(f, c), f->entry);
	__atomic_store_n(fake_word(f, f->off.consumer), c + 1,
			 __ATOMIC_RELEASE);
	return 1;
}

/* The kernel as producer (RX, completion): free room. */
static inline uint32_t fake_room(struct fake_ring *f)
{
	return f->size - (fake_prod(f) - fake_cons(f));
}

/* The kernel as producer: publish one entry from @in. */
static inline int fake_produce(struct fake_ring *f, const void *in)
{
	uint32_t p = fake_prod(f);

	if (fake_room(f) == 0)
		return 0;
	memcpy(fake_slot(f, p), in, f->entry);
	__atomic_store_n(fake_word(f, f->off.producer), p + 1,
			 __ATOMIC_RELEASE);
	return 1;
}

#endif /* LIBXSK_TESTS_FAKERING_H */
