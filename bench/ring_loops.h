/* SPDX-License-Identifier: MIT */
/*
 * The benchmark loops, written once and compiled twice: in ring_bench.c
 * over libxsk's <xsk/ring.h>, and in ring_libxdp.c over libxdp's
 * <xdp/xsk.h>. The includer defines LOOP(name) to prefix the function
 * names and includes the helpers' header first; both headers name their
 * structs and helpers the same, which is the point.
 *
 * Every loop function is noinline so that callgrind can count the
 * instructions of each one (bench/callgrind.sh).
 */
#include <stdint.h>
#include <stdlib.h>

#include "bench.h"

/* Wire a producer and a consumer struct to one ring in @m: what one side
 * produces the other consumes, so one thread can play both. */
static void LOOP(wire)(struct bench_mem *m, struct xsk_ring_prod *p,
		       struct xsk_ring_cons *c)
{
	p->producer = m->producer;
	p->consumer = m->consumer;
	p->flags = m->flags;
	p->ring = m->ring;
	p->size = m->size;
	p->mask = m->size - 1;
	p->cached_prod = *m->producer;
	p->cached_cons = *m->consumer + m->size;
	if (c) {
		c->producer = m->producer;
		c->consumer = m->consumer;
		c->flags = m->flags;
		c->ring = m->ring;
		c->size = m->size;
		c->mask = m->size - 1;
		c->cached_prod = *m->producer;
		c->cached_cons = *m->consumer;
	}
}

static void LOOP(wire_cons)(struct bench_mem *m, struct xsk_ring_cons *c)
{
	c->producer = m->producer;
	c->consumer = m->consumer;
	c->flags = m->flags;
	c->ring = m->ring;
	c->size = m->size;
	c->mask = m->size - 1;
	c->cached_prod = *m->producer;
	c->cached_cons = *m->consumer;
}

/* Single thread, u64 entries (fill/completion shape): reserve, write,
 * submit, then peek, read, release; @n descriptors in batches of @b. */
__attribute__((noinline)) uint64_t LOOP(st_u64)(struct bench_mem *m, uint32_t b,
						uint64_t n)
{
	struct xsk_ring_prod p;
	struct xsk_ring_cons c;
	uint64_t sum = 0;

	LOOP(wire)(m, &p, &c);
	for (uint64_t done = 0; done < n; done += b) {
		uint32_t idx = 0, got;

		if (xsk_ring_prod__reserve(&p, b, &idx) != b)
			abort();
		for (uint32_t i = 0; i < b; i++)
			*xsk_ring_prod__fill_addr(&p, idx + i) = done + i;
		xsk_ring_prod__submit(&p, b);
		got = xsk_ring_cons__peek(&c, b, &idx);
		for (uint32_t i = 0; i < got; i++)
			sum += *xsk_ring_cons__comp_addr(&c, idx + i);
		xsk_ring_cons__release(&c, got);
	}
	return sum;
}

/* Single thread, struct xdp_desc entries (TX/RX shape). */
__attribute__((noinline)) uint64_t LOOP(st_desc)(struct bench_mem *m,
						 uint32_t b, uint64_t n)
{
	struct xsk_ring_prod p;
	struct xsk_ring_cons c;
	uint64_t sum = 0;

	LOOP(wire)(m, &p, &c);
	for (uint64_t done = 0; done < n; done += b) {
		uint32_t idx = 0, got;

		if (xsk_ring_prod__reserve(&p, b, &idx) != b)
			abort();
		for (uint32_t i = 0; i < b; i++) {
			struct xdp_desc *d =
				xsk_ring_prod__tx_desc(&p, idx + i);

			d->addr = done + i;
			d->len = 64;
			d->options = 0;
		}
		xsk_ring_prod__submit(&p, b);
		got = xsk_ring_cons__peek(&c, b, &idx);
		for (uint32_t i = 0; i < got; i++) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(&c, idx + i);

			sum += d->addr + d->len;
		}
		xsk_ring_cons__release(&c, got);
	}
	return sum;
}

/*
 * Frame recycling done per descriptor with the ring helpers, the way an
 * application over libxdp does it: fill ring from a stack of free frame
 * addresses, and completion ring back to the stack, masking each address
 * to its chunk base. Between the two, the "kernel" consumes the fill
 * entries and produces as many completions (entries prepared beforehand)
 * by moving indices only, identically in every variant.
 */
__attribute__((noinline)) uint64_t LOOP(recycle_perdesc)(struct bench_mem *fq,
							 struct bench_mem *cq,
							 struct bench_stack *st,
							 uint32_t b, uint64_t n)
{
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;

	LOOP(wire)(fq, &fill, NULL);
	LOOP(wire_cons)(cq, &comp);
	for (uint64_t done = 0; done < n; done += b) {
		uint32_t idx = 0, got;

		if (xsk_ring_prod__reserve(&fill, b, &idx) != b)
			abort();
		for (uint32_t i = 0; i < b; i++)
			*xsk_ring_prod__fill_addr(&fill, idx + i) =
				st->addrs[--st->top];
		xsk_ring_prod__submit(&fill, b);
		bench_kernel_turn(fq, cq, b);
		got = xsk_ring_cons__peek(&comp, b, &idx);
		for (uint32_t i = 0; i < got; i++)
			st->addrs[st->top++] =
				*xsk_ring_cons__comp_addr(&comp, idx + i) &
				st->mask;
		xsk_ring_cons__release(&comp, got);
	}
	return st->top;
}

/* Two threads: the producer passes sequence numbers in batches of @b. */
__attribute__((noinline)) void LOOP(mt_prod)(struct bench_mem *m, uint32_t b,
					     uint64_t n)
{
	struct xsk_ring_prod p;
	uint64_t seq = 0;

	LOOP(wire)(m, &p, NULL);
	while (seq < n) {
		uint32_t idx = 0;

		if (xsk_ring_prod__reserve(&p, b, &idx) != b) {
			bench_relax();
			continue;
		}
		for (uint32_t i = 0; i < b; i++)
			*xsk_ring_prod__fill_addr(&p, idx + i) = seq + i;
		xsk_ring_prod__submit(&p, b);
		seq += b;
	}
}

/* Two threads: the consumer checks the sequence; returns the errors. */
__attribute__((noinline)) uint64_t LOOP(mt_cons)(struct bench_mem *m,
						 uint32_t b, uint64_t n)
{
	struct xsk_ring_cons c;
	uint64_t seq = 0, bad = 0;

	LOOP(wire_cons)(m, &c);
	while (seq < n) {
		uint32_t idx = 0, got = xsk_ring_cons__peek(&c, b, &idx);

		if (!got) {
			bench_relax();
			continue;
		}
		for (uint32_t i = 0; i < got; i++)
			bad += *xsk_ring_cons__comp_addr(&c, idx + i) !=
			       seq + i;
		xsk_ring_cons__release(&c, got);
		seq += got;
	}
	return bad;
}
