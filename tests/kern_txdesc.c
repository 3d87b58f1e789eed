// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel: which TX descriptors the
 * kernel refuses, and each statistics counter (rx_dropped, rx_ring_full,
 * rx_fill_ring_empty_descs, tx_invalid_descs) counting exactly the frames
 * it should. Every case runs over the mode matrix, on a veth pair of its
 * own (see traffic.h).
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "traffic.h"

/* The TX descriptor matrix: which descriptors the kernel refuses. */
struct desc_case {
	const char *what;
	uint64_t addr;
	uint32_t len;
	bool valid_aligned, valid_unaligned;
};

#define TXM_FRAMES 64u
#define TXM_SIZE ((uint64_t)TXM_FRAMES * 4096)

static const struct desc_case desc_cases[] = {
	{ "first chunk", 0, 64, true, true },
	{ "middle of a chunk", 4 * 4096 + 100, 100, true, true },
	{ "end of a chunk", 6 * 4096 - 64, 64, true, true },
	{ "crosses a chunk", 8 * 4096 - 32, 64, false, true },
	{ "last bytes of the UMEM", TXM_SIZE - 64, 64, true, true },
	{ "straddles the UMEM end", TXM_SIZE - 32, 64, false, false },
	{ "at the UMEM end", TXM_SIZE, 64, false, false },
	{ "beyond the UMEM end", TXM_SIZE + 8192, 64, false, false },
	{ "straddles the UMEM start", (uint64_t)-32, 64, false, false },
	{ "longer than a chunk", 10 * 4096, 4097, false, false },
	{ "offset in the top bits", 12 * 4096 | 100ull << 48, 64, false, true },
	{ "full MTU frame", 14 * 4096, 1514, true, true },
	{ "short frame", 16 * 4096, 60, true, true },
};
#define NDESC (sizeof(desc_cases) / sizeof(desc_cases[0]))

static uint32_t desc_len(uint32_t seq)
{
	return desc_cases[seq].len;
}

static void tx_desc_matrix(void **state, bool unaligned)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	uint32_t expect[NDESC], nvalid = 0, ncomp = 0, i, idx = 0;
	uint64_t valid_addr[NDESC], addr;
	struct xsk_ring_prod *tx;
	struct xsk_ring_cons *comp;
	struct xsk_stats st;
	struct lane l;
	double end;
	char extra[128];
	bool valid, all_back = true, valid_back = true;

	end_close(p.tx);
	end_umem(p.tx, 4096, TXM_FRAMES, 0, unaligned ? XSK_UMEM_UNALIGNED : 0,
		 64);
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX });
	tx = xsk_socket_tx(p.tx->xsk[0]);
	comp = xsk_socket_comp(p.tx->xsk[0]);
	l = lane_of(env, &p,
		    unaligned ? "unaligned descriptors" : "aligned descriptors",
		    NDESC, 0);
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);

	assert_int_equal(xsk_ring_prod__reserve(tx, NDESC, &idx), NDESC);
	for (i = 0; i < NDESC; i++) {
		const struct desc_case *c = &desc_cases[i];
		struct xdp_desc *d = xsk_ring_prod__tx_desc(tx, idx + i);

		valid = unaligned ? c->valid_unaligned : c->valid_aligned;
		/* the library's own check agrees with the table */
		if ((xsk_umem__check_desc(&p.tx->bounds, c->addr, c->len) ==
		     XSK_DESC_OK) != valid)
			fail_msg("xsk_umem__check_desc disagrees on \"%s\"",
				 c->what);
		if (valid) {
			addr = unaligned ?
				       xsk_umem__add_offset_to_addr(c->addr) :
				       c->addr;
			frame_make(xsk_umem__get_data(p.tx->bounds.area, addr),
				   env->mac[0], env->mac[1], l.stream, i,
				   c->len);
			expect[nvalid] = i;
			valid_addr[nvalid++] = c->addr;
		}
		d->addr = c->addr;
		d->len = c->len;
		d->options = 0;
	}
	xsk_ring_prod__submit(tx, NDESC);
	l.sent = NDESC;
	l.rx[0].expect = expect;
	l.rx[0].nexpect = nvalid;
	l.len_of = desc_len;

	/*
	 * Valid descriptors complete in order. Invalid ones are skipped and
	 * counted; Linux 6.18 also hands them back on the completion ring, in
	 * their place, so that the application gets its frame back, where
	 * older kernels just drop them. Either is fine; a mix is not.
	 */
	end = kern_now() + 5;
	while ((tx_pending(tx) || ncomp < nvalid) && kern_now() < end) {
		tx_kick(&l);
		i = xsk_ring_cons__peek(comp, NDESC, &idx);
		for (uint32_t k = 0; k < i; k++, ncomp++) {
			addr = *xsk_ring_cons__comp_addr(comp, idx + k);
			if (ncomp >= NDESC)
				fail_msg("more completions than descriptors");
			all_back &= addr == desc_cases[ncomp].addr;
			valid_back &= ncomp < nvalid &&
				      addr == valid_addr[ncomp];
		}
		xsk_ring_cons__release(comp, i);
		rx_take(&l, &l.rx[0]);
	}
	/* a moment for late completions of invalid ones */
	end = kern_now() + 0.05;
	while (kern_now() < end) {
		i = xsk_ring_cons__peek(comp, NDESC, &idx);
		for (uint32_t k = 0; k < i; k++, ncomp++) {
			addr = *xsk_ring_cons__comp_addr(comp, idx + k);
			all_back &= ncomp < NDESC &&
				    addr == desc_cases[ncomp].addr;
			valid_back = false;
		}
		xsk_ring_cons__release(comp, i);
	}
	end = kern_now() + 2;
	while (l.rx[0].got < nvalid && kern_now() < end)
		rx_take(&l, &l.rx[0]);
	l.received = l.rx[0].got;
	l.completed = ncomp;
	read_stats(l.tx, &st);
	snprintf(extra, sizeof(extra),
		 "valid %u, tx_invalid_descs %llu; completed: %s", nvalid,
		 (unsigned long long)st.tx_invalid_descs,
		 all_back && ncomp == NDESC    ? "all, invalid ones too" :
		 valid_back && ncomp == nvalid ? "the valid ones" :
						 "wrong ones");
	report(&l, extra);
	if (!(all_back && ncomp == NDESC) && !(valid_back && ncomp == nvalid))
		fail_msg(
			"%u completions, neither the valid descriptors nor all, in order",
			ncomp);
	assert_int_equal(l.received, nvalid);
	assert_int_equal(st.tx_invalid_descs, NDESC - nvalid);
	assert_int_equal(l.received + st.tx_invalid_descs, l.sent);
}

static void tx_invalid_aligned(void **state)
{
	tx_desc_matrix(state, false);
}

static void tx_invalid_unaligned(void **state)
{
	tx_desc_matrix(state, true);
}

/* Frames too big for the chunk after its headroom: rx_dropped. */
static void stat_rx_dropped(void **state)
{
	struct env *env = *state;
	/* 2048 - 1024 - 256 = 768 bytes fit: 64-byte frames do, 1000 not */
	struct pair p = pair_up(env, &(struct pair_cfg){ .frame_size = 2048,
							 .headroom = 1024 });
	struct lane l = lane_of(env, &p, "rx_dropped", 1000, 64);
	static uint32_t expect[500];
	struct xsk_stats st;
	char extra[96];

	for (uint32_t i = 0; i < 500; i++)
		expect[i] = 2 * i;
	l.big_len = 1000;
	l.window = 0;
	l.rx[0].expect = expect;
	l.rx[0].nexpect = 500;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	lanes_run(env, &l, 1, 10, 0.2);
	drain_comp(&l, l.sent);
	read_stats(l.rx[0].xsk, &st);
	snprintf(extra, sizeof(extra), "rx_dropped %llu (the 1000-byte ones)",
		 (unsigned long long)st.rx_dropped);
	report(&l, extra);
	assert_int_equal(l.sent, 1000);
	assert_int_equal(l.received, 500);
	assert_int_equal(st.rx_dropped, 500);
	assert_int_equal(st.rx_ring_full + st.rx_fill_ring_empty_descs, 0);
}

/* A small RX ring nobody reads: rx_ring_full. Twice: the second round
 * shows that the consumer index we published after the first lets the
 * kernel fill exactly the ring again, no slot more or less. */
static void stat_rx_ring_full(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, &(struct pair_cfg){ .rx_ring = 64 });
	struct lane l = lane_of(env, &p, "rx_ring_full", 300, 64);
	struct xsk_stats st;
	char extra[96];
	int round;

	l.window = 0;
	l.hold = true;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	for (round = 1; round <= 2; round++) {
		static uint32_t expect[64];

		/* the second round's first 64 arrive */
		for (uint32_t i = 0; i < 64; i++)
			expect[i] = (uint32_t)(round - 1) * 300 + i;
		l.rx[0].expect = expect;
		l.rx[0].nexpect = 64;
		l.rx[0].got = 0;
		l.received = 0;
		l.count = (uint32_t)round * 300;
		lanes_run(env, &l, 1, 10, 0.2);
		drain_comp(&l, l.sent);
		read_stats(l.rx[0].xsk, &st);
		snprintf(extra, sizeof(extra), "round %d: rx_ring_full %llu",
			 round, (unsigned long long)st.rx_ring_full);
		report(&l, extra);
		assert_int_equal(l.sent, (uint64_t)round * 300);
		assert_int_equal(l.received, 64);
		assert_int_equal(st.rx_ring_full, (uint64_t)round * (300 - 64));
		assert_int_equal(st.rx_dropped, 0);
	}
}

/* A fill ring with 32 frames, never refilled: rx_fill_ring_empty_descs. */
static void stat_fill_empty(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct lane l = lane_of(env, &p, "rx_fill_ring_empty", 100, 64);
	struct xsk_stats st;
	char extra[128];

	l.window = 0;
	l.no_refill = true;
	end_fill(p.rx, l.rx[0].xsk, 32);
	lanes_run(env, &l, 1, 10, 0.2);
	drain_comp(&l, l.sent);
	read_stats(l.rx[0].xsk, &st);
	snprintf(extra, sizeof(extra),
		 "rx_fill_ring_empty_descs %llu, rx_dropped %llu",
		 (unsigned long long)st.rx_fill_ring_empty_descs,
		 (unsigned long long)st.rx_dropped);
	report(&l, extra);
	assert_int_equal(l.sent, 100);
	assert_int_equal(l.received, 32);
	assert_int_equal(l.rx[0].last, 31);
	/* each frame that found the fill ring empty counts in both */
	assert_int_equal(st.rx_fill_ring_empty_descs, 100 - 32);
	assert_int_equal(st.rx_dropped, 100 - 32);
	assert_int_equal(st.rx_ring_full, 0);
}

int main(void)
{
	static const struct case_def cases[] = {
		{ "tx_invalid_aligned", tx_invalid_aligned, ALL_ROWS },
		{ "tx_invalid_unaligned", tx_invalid_unaligned, ALL_ROWS },
		{ "stat_rx_dropped", stat_rx_dropped, ALL_ROWS },
		{ "stat_rx_ring_full", stat_rx_ring_full, ALL_ROWS },
		{ "stat_fill_empty", stat_fill_empty, ALL_ROWS },
	};

	return traffic_main("TX descriptors and statistics on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
