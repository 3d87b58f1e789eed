/* SPDX-License-Identifier: MIT */
/*
 * Round-trip times in a histogram of fixed log-linear buckets: 16 per power
 * of two of nanoseconds, so each is within 6.25% of its value, and nothing
 * is allocated per sample. Header-only, for pingpong and for the packet
 * benchmark's libxdp engine (bench/xdp_engine.c), which must measure alike.
 */
#ifndef EXAMPLES_HIST_H
#define EXAMPLES_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 4
#define HIST_SUB (1u << HIST_SUB_BITS) /* buckets per power of two */
#define HIST_MAX_EXP 40 /* 2^40 ns, some 18 minutes: the last bucket's end */
#define HIST_NBUCKETS (HIST_SUB + (HIST_MAX_EXP - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t b[HIST_NBUCKETS];
	uint64_t n, min, max, sum; /* samples, in ns */
};

static inline uint32_t hist_bucket(uint64_t ns)
{
	uint32_t e;

	if (ns >= 1ull << HIST_MAX_EXP)
		ns = (1ull << HIST_MAX_EXP) - 1;
	if (ns < HIST_SUB)
		return (uint32_t)ns;
	e = 63 - (uint32_t)__builtin_clzll(ns);
	return HIST_SUB + (e - HIST_SUB_BITS) * HIST_SUB +
	       (uint32_t)(ns >> (e - HIST_SUB_BITS)) - HIST_SUB;
}

/* The first value of bucket @b; its end is hist_low(b + 1). */
static inline uint64_t hist_low(uint32_t b)
{
	uint32_t e;

	if (b < HIST_SUB)
		return b;
	e = (b - HIST_SUB) / HIST_SUB + HIST_SUB_BITS;
	return (uint64_t)(HIST_SUB + (b - HIST_SUB) % HIST_SUB)
	       << (e - HIST_SUB_BITS);
}

static inline void hist_record(struct hist *h, uint64_t ns)
{
	h->b[hist_bucket(ns)]++;
	if (!h->n || ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	h->sum += ns;
	h->n++;
}

/* The sample that a fraction @p of them did not exceed: the end of the
 * bucket where the count reaches it, within the min and max seen. */
static inline uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t want = (uint64_t)(p * (double)h->n + 0.999999), seen = 0;
	uint64_t v = h->max;

	for (uint32_t b = 0; b < HIST_NBUCKETS; b++) {
		seen += h->b[b];
		if (seen >= want && seen) {
			v = hist_low(b + 1) - 1;
			break;
		}
	}
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

#endif /* EXAMPLES_HIST_H */
