// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for <xsk/multibuf.h>. The input is a script: set-up
 * bytes (ring size, first index, fragment limit, UMEM mode), then
 * operations: the fake kernel publishes arbitrary descriptors (inside and
 * outside the UMEM, any length including 0, any XDP_PKT_CONTD bits), the
 * application calls xsk_mb_rx_next() with random peek sizes, releases,
 * cancels, and queues TX chains.
 *
 * Every result of the reader is compared with a reference parser written
 * here from the rules, on a shadow copy of what was published; every whole
 * packet's bytes are read through the UMEM, which sits between PROT_NONE
 * guard pages, so a fragment the reader let through outside the UMEM
 * faults. Each whole packet is also copied out with xsk_mb_rx_copy() into a
 * buffer of exactly its length, sometimes after a fragment's descriptor was
 * rewritten on the ring (the time-of-check/time-of-use case): the copy must
 * refuse exactly when the rewritten chain breaks the rules, and never write
 * past the buffer or read outside the UMEM (AddressSanitizer and the guard
 * pages see both). Also checked: no call reads more than the fragment limit, the
 * reader never releases more than was handed out, and at the end every
 * published descriptor was handed out, reported, or is still pending as
 * the reference says.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xsk/multibuf.h>
#include "fakering.h"
#include "fuzzutil.h"

#define CHUNK 2048u
#define NCHUNKS 8u
#define UMEM_SIZE ((uint64_t)CHUNK * NCHUNKS)

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n; i++, in->n--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/* The UMEM, mapped once, with an inaccessible page on either side. */
static unsigned char *umem_area(void)
{
	static unsigned char *area;
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *map;

	if (area)
		return area;
	map = (unsigned char *)mmap(NULL, UMEM_SIZE + 2 * (size_t)page,
				    PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
				    0);
	CHECK(map != MAP_FAILED);
	area = map + page;
	CHECK(mprotect(area, UMEM_SIZE, PROT_READ | PROT_WRITE) == 0);
	for (uint64_t i = 0; i < UMEM_SIZE; i++)
		area[i] = (unsigned char)(i * 13 + 1);
	return area;
}

/* The rules, written independently of the header. */
struct model {
	int bounds; /* 0: none, 1: aligned, 2: unaligned */
	uint32_t limit;
	uint32_t done; /* past the last descriptor handed out */
	int in_tail;
	uint64_t packets, malformed;
};

static int model_in_umem(const struct model *m, uint64_t addr, uint32_t len)
{
	if (m->bounds == 2)
		addr = (addr & ((1ULL << 48) - 1)) + (addr >> 48);
	if (addr >= UMEM_SIZE || len > CHUNK || addr + len > UMEM_SIZE)
		return 0;
	/* Aligned: the first and the last byte in the same chunk. */
	return m->bounds == 2 || addr / CHUNK == (addr + len - 1) / CHUNK;
}

/*
 * What the reader must do next, given the descriptors published from
 * m->done up to @prod: 0 if they do not complete a piece, else the result
 * with *nfrags and *len set.
 */
static int model_next(const struct model *m, const struct xdp_desc *shadow,
		      uint32_t mask, uint32_t prod, uint32_t *nfrags,
		      uint64_t *len)
{
	int err = 0;

	*len = 0;
	for (uint32_t k = 0; m->done + k != prod; k++) {
		const struct xdp_desc *d = &shadow[(m->done + k) & mask];
		int last = !(d->options & XDP_PKT_CONTD);

		*len += d->len;
		if (!err && d->len == 0)
			err = -EBADMSG;
		if (!err && m->bounds && !model_in_umem(m, d->addr, d->len))
			err = -EFAULT;
		if (!last && k + 1 == m->limit && !err)
			err = -EMSGSIZE;
		if (last || k + 1 == m->limit) {
			*nfrags = k + 1;
			if (m->in_tail)
				return -EMSGSIZE;
			return err ? err : 1;
		}
	}
	return 0;
}

struct state {
	struct fake_ring rf, tf;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_mb_rx r;
	struct xsk_umem_bounds b;
	struct model m;
	struct xdp_desc *shadow;
	unsigned char *umem;
	uint32_t size;
	volatile unsigned sink;
};

static void publish(struct state *s, struct input *in)
{
	uint32_t n = (uint32_t)take(in, 1) % 24 + 1;

	while (n-- && in->n && fake_room(&s->rf)) {
		unsigned sel = (unsigned)take(in, 1);
		struct xdp_desc d;

		switch (sel & 7) {
		case 0:
		case 1:
			d.addr = (take(in, 1) % NCHUNKS) * CHUNK +
				 take(in, 1) * 4;
			break;
		case 2:
			d.addr = take(in, 2) % UMEM_SIZE;
			break;
		case 3:
			d.addr = UMEM_SIZE - take(in, 1);
			break;
		case 4:
			d.addr = UMEM_SIZE + take(in, 2);
			break;
		case 5:
			d.addr = take(in, 8);
			break;
		default:
			d.addr = (take(in, 2) << 48) |
				 (take(in, 2) % UMEM_SIZE);
			break;
		}
		switch ((sel >> 3) & 7) {
		case 0:
			d.len = 0;
			break;
		case 1:
		case 2:
			d.len = (uint32_t)take(in, 1) + 1;
			break;
		case 3:
			d.len = CHUNK - (uint32_t)take(in, 1);
			break;
		case 4:
			d.len = (uint32_t)take(in, 2);
			break;
		case 5:
			d.len = (uint32_t)take(in, 4);
			break;
		default:
			d.len = CHUNK;
			break;
		}
		/* Mostly chains; other option bits are ignored on RX. */
		d.options = (sel >> 6) ? XDP_PKT_CONTD : 0;
		if (sel & 0x80)
			d.options |= (uint32_t)take(in, 1) << 1;
		s->shadow[fake_prod(&s->rf) & (s->size - 1)] = d;
		CHECK(fake_produce(&s->rf, &d) == 1);
	}
}

/* The reader handed out @pkt with result @ret, as the reference said:
 * check it and move the reference on. */
static void handed_out(struct state *s, const struct xsk_mb_pkt *pkt, int ret,
		       uint32_t want_n, uint64_t want_len)
{
	const uint32_t mask = s->size - 1;
	const struct xdp_desc *last =
		&s->shadow[(pkt->idx + pkt->nfrags - 1) & mask];

	CHECK(pkt->idx == s->m.done);
	CHECK(pkt->nfrags == want_n);
	CHECK(pkt->len == want_len);
	if (ret < 0 && !s->m.in_tail)
		s->m.malformed++;
	/* A piece ends without XDP_PKT_CONTD only when cut at the limit. */
	s->m.in_tail = (last->options & XDP_PKT_CONTD) != 0;
	s->m.done += pkt->nfrags;
	if (ret == 1)
		s->m.packets++;
	CHECK(s->r.packets == s->m.packets);
	CHECK(s->r.malformed == s->m.malformed);
	CHECK(s->r.done == s->m.done);
	if (ret != 1)
		return;
	/* The descriptors the caller reads are the ones published, and,
	 * with bounds, their bytes can be read: a fragment outside the UMEM
	 * would fault on a guard page. */
	for (uint32_t i = 0; i < pkt->nfrags; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&s->rx, pkt->idx + i);
		const struct xdp_desc *w = &s->shadow[(pkt->idx + i) & mask];
		const unsigned char *p;

		CHECK(d->addr == w->addr && d->len == w->len);
		if (!s->m.bounds)
			continue;
		p = (const unsigned char *)xsk_umem__get_data(
			s->umem, xsk_umem__add_offset_to_addr(d->addr));
		for (uint32_t j = 0; j < d->len; j++)
			s->sink += p[j];
	}
}

/*
 * Copy @pkt out after, maybe, another party rewrote one of its descriptors
 * on the ring; the result must be what the rules say of the chain as it now
 * is. The copy always checks bounds (aligned ones when the reader has none).
 */
static void copy_out(struct state *s, const struct xsk_mb_pkt *pkt,
		     struct input *in)
{
	unsigned sel = (unsigned)take(in, 1);
	uint64_t left = pkt->len, off = 0;
	unsigned char *buf;
	int want = 0;

	if (sel & 1) {
		struct xdp_desc *d = (struct xdp_desc *)xsk_ring_cons__rx_desc(
			&s->rx, pkt->idx + (uint32_t)take(in, 1) % pkt->nfrags);

		if (sel & 2)
			d->addr = take(in, sel & 4 ? 8 : 2);
		d->len = (uint32_t)take(in, sel & 8 ? 4 : 2);
	}
	/* Unchecked chains can claim gigabytes: too long for any buffer. */
	if (pkt->len > CHUNK * XSK_MB_MAX_FRAGS) {
		CHECK(xsk_mb_rx_copy(&s->b, &s->rx, pkt, s->umem, CHUNK) ==
		      -ENOSPC);
		return;
	}
	buf = (unsigned char *)malloc(pkt->len ? pkt->len : 1);
	CHECK(buf);
	for (uint32_t i = 0; i < pkt->nfrags && !want; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&s->rx, pkt->idx + i);

		if (d->len == 0 || d->len > left ||
		    !model_in_umem(&s->m, d->addr, d->len))
			want = -EBADMSG;
		else
			left -= d->len;
	}
	if (!want && left)
		want = -EBADMSG;
	CHECK(xsk_mb_rx_copy(&s->b, &s->rx, pkt, buf, pkt->len) == want);
	for (uint32_t i = 0; i < pkt->nfrags && !want; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&s->rx, pkt->idx + i);
		uint64_t a = d->addr;

		if (s->m.bounds == 2)
			a = xsk_umem__add_offset_to_addr(a);
		CHECK(!memcmp(buf + off, s->umem + a, d->len));
		off += d->len;
	}
	free(buf);
}

static void consume(struct state *s, struct input *in)
{
	uint32_t calls = (uint32_t)take(in, 1) % 8 + 1;

	s->r.batch = (uint32_t)take(in, 1) % 40;
	while (calls--) {
		struct xsk_mb_pkt pkt;
		uint32_t before = s->r.done + s->r.nscan, want_n = 0;
		uint64_t want_len = 0;
		int want = model_next(&s->m, s->shadow, s->size - 1,
				      fake_prod(&s->rf), &want_n, &want_len);
		int ret = xsk_mb_rx_next(&s->r, &s->rx, &pkt);

		CHECK(ret == want);
		/* Bounded work: at most the limit read per call. */
		CHECK(s->r.done + s->r.nscan - before <= s->m.limit);
		CHECK(s->r.end - s->r.done <= s->size);
		if (ret == 0) {
			CHECK(pkt.nfrags == 0);
			/* Nothing left unread: a pending chain only. */
			CHECK(s->r.done + s->r.nscan == fake_prod(&s->rf));
			return;
		}
		handed_out(s, &pkt, ret, want_n, want_len);
		if (ret == 1)
			copy_out(s, &pkt, in);
	}
}

static void release(struct state *s)
{
	uint32_t cons = fake_cons(&s->rf);
	uint32_t n = xsk_mb_rx_release(&s->r, &s->rx);

	CHECK(n == s->m.done - cons);
	CHECK(fake_cons(&s->rf) == s->m.done);
	CHECK(fake_prod(&s->rf) - fake_cons(&s->rf) <= s->size);
}

static void tx(struct state *s, struct input *in)
{
	struct xdp_desc frags[24];
	uint32_t n = (uint32_t)take(in, 1) % 24;
	uint32_t prod = s->tx.cached_prod;
	uint32_t room;
	int ret;
	struct xdp_desc sent;

	/* Sometimes the kernel sends what is queued, sometimes not: the
	 * ring fills up. */
	if (take(in, 1) & 1)
		while (fake_consume(&s->tf, &sent))
			;
	room = xsk_prod_nb_free(&s->tx, s->size);

	for (uint32_t i = 0; i < n; i++) {
		frags[i].addr = take(in, 2);
		frags[i].len = (uint32_t)take(in, 2);
		frags[i].options = (uint32_t)take(in, 1);
	}
	ret = xsk_mb_tx_packet(&s->tx, frags, n);
	if (n == 0) {
		CHECK(ret == -EINVAL);
	} else if (n > XSK_MB_MAX_FRAGS) {
		CHECK(ret == -EMSGSIZE);
	} else if (n > room) {
		CHECK(ret == -ENOSPC);
	} else {
		CHECK(ret == (int)n);
		xsk_ring_prod__submit(&s->tx, n);
		if (fake_pending(&s->tf) != n)
			return;
		for (uint32_t i = 0; i < n; i++) {
			struct xdp_desc d;

			CHECK(fake_consume(&s->tf, &d) == 1);
			CHECK(d.addr == frags[i].addr);
			CHECK(d.len == frags[i].len);
			CHECK((d.options & XDP_PKT_CONTD) ==
			      (i + 1 < n ? XDP_PKT_CONTD : 0));
			CHECK((d.options & ~(uint32_t)XDP_PKT_CONTD) ==
			      (frags[i].options & ~(uint32_t)XDP_PKT_CONTD));
		}
		return;
	}
	CHECK(s->tx.cached_prod == prod);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct state s;
	uint32_t start, max_frags, cfg;
	uint32_t want_n = 0;
	uint64_t want_len;

	memset(&s, 0, sizeof(s));
	s.umem = umem_area();
	cfg = (uint32_t)take(&in, 1);
	s.size = 1u << (cfg % 7);
	s.m.bounds = (int)((cfg >> 3) % 3);
	start = (uint32_t)take(&in, 4);
	max_frags = (uint32_t)take(&in, 1) % 24;

	fake_ring_init(&s.rf, s.size, sizeof(struct xdp_desc), start);
	fake_ring_init(&s.tf, s.size, sizeof(struct xdp_desc), ~start);
	xsk_ring_cons__init(&s.rx, s.rf.map, &s.rf.off, s.size);
	xsk_ring_prod__init(&s.tx, s.tf.map, &s.tf.off, s.size);
	s.shadow = (struct xdp_desc *)calloc(s.size, sizeof(*s.shadow));
	CHECK(s.shadow);
	s.b.area = s.umem;
	s.b.size = UMEM_SIZE;
	s.b.chunk_size = CHUNK;
	s.b.unaligned = s.m.bounds == 2;
	xsk_mb_rx_init(&s.r, &s.rx, max_frags, s.m.bounds ? &s.b : NULL);
	s.m.limit = max_frags ? max_frags : XSK_MB_MAX_FRAGS;
	if (s.m.limit > s.size)
		s.m.limit = s.size;
	s.m.done = start;
	CHECK(s.r.max_frags == s.m.limit);

	while (in.n) {
		switch (take(&in, 1) % 8) {
		case 0:
		case 1:
		case 2:
			publish(&s, &in);
			break;
		case 3:
		case 4:
			consume(&s, &in);
			break;
		case 5:
			release(&s);
			break;
		case 6:
			/* Un-peek and go on: the pending chain is read
			 * again, with the same outcome. */
			xsk_mb_rx_cancel(&s.r, &s.rx);
			CHECK(s.rx.cached_cons == s.r.done);
			break;
		default:
			tx(&s, &in);
			break;
		}
	}

	/* Drain: whatever is left is a pending chain the reference agrees
	 * cannot be handed out yet. */
	s.r.batch = 64;
	for (;;) {
		struct xsk_mb_pkt pkt;
		int ret,
			want = model_next(&s.m, s.shadow, s.size - 1,
					  fake_prod(&s.rf), &want_n, &want_len);

		ret = xsk_mb_rx_next(&s.r, &s.rx, &pkt);
		CHECK(ret == want);
		if (ret == 0)
			break;
		handed_out(&s, &pkt, ret, want_n, want_len);
	}
	release(&s);
	/* Published = released + pending, and the pending ones were all
	 * read: nothing is lost or handed out twice. */
	CHECK(fake_cons(&s.rf) == s.m.done);
	CHECK(s.r.done == s.m.done);
	CHECK(s.r.done + s.r.nscan == fake_prod(&s.rf));
	CHECK(s.r.nscan < s.m.limit);
	CHECK(s.r.packets == s.m.packets);

	free(s.shadow);
	fake_ring_fini(&s.rf);
	fake_ring_fini(&s.tf);
	return 0;
}
