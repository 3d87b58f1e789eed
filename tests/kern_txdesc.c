// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel: which TX descriptors the
 * kernel refuses, and each statistics counter (rx_dropped, rx_ring_full,
 * rx_fill_ring_empty_descs, tx_invalid_descs) counting exactly the frames
 * it should. Every case runs over the mode matrix, on a veth pair of its
 * own (see traffic.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "traffic.h"

/*
 * The TX descriptor matrix: which descriptors the kernel refuses, for four
 * UMEMs of 64 chunks: aligned 4096- and 2048-byte chunks, unaligned 4096-
 * and 4001-byte ones. A row's address is @chunk chunks (F bytes each) plus
 * @off from the UMEM's start, or, with @at_end, from its end (S). The
 * 4001-byte UMEM ends in the middle of a page, so there a descriptor can
 * straddle the UMEM's end without crossing a page, and only the length
 * check stops it.
 */
enum { A4K, A2K, U4K, U4001, NTABLES };

struct desc_row {
	const char *what;
	bool at_end;
	int32_t chunk, off;
	uint32_t len; /* 0: F + 1 */
	uint16_t top; /* an offset in the address's top 16 bits */
	bool valid[NTABLES];
};

#define TXM_FRAMES 64u

static const struct desc_row desc_rows[] = {
	{ "first chunk", false, 0, 0, 64, 0, { 1, 1, 1, 1 } },
	{ "middle of a chunk", false, 4, 100, 100, 0, { 1, 1, 1, 1 } },
	{ "end of a chunk", false, 6, -64, 64, 0, { 1, 1, 1, 1 } },
	{ "crosses a chunk", false, 8, -32, 64, 0, { 0, 0, 1, 1 } },
	/* at 4096 * 2 - 32 and 2048 * 3 - 32 */
	{ "crosses a 4 KiB page", false, 0, 8160, 64, 0, { 0, 0, 1, 1 } },
	{ "crosses 2 KiB", false, 0, 6112, 64, 0, { 1, 0, 1, 1 } },
	{ "last bytes of the UMEM", true, 0, -64, 64, 0, { 1, 1, 1, 1 } },
	{ "straddles the UMEM end", true, 0, -32, 64, 0, { 0, 0, 0, 0 } },
	{ "at the UMEM end", true, 0, 0, 64, 0, { 0, 0, 0, 0 } },
	{ "beyond the UMEM end", true, 0, 8192, 64, 0, { 0, 0, 0, 0 } },
	{ "straddles the UMEM start", false, 0, -32, 64, 0, { 0, 0, 0, 0 } },
	{ "longer than a chunk", false, 10, 0, 0, 0, { 0, 0, 0, 0 } },
	{ "offset in the top bits", false, 12, 0, 64, 100, { 0, 0, 1, 1 } },
	{ "full MTU frame", false, 14, 0, 1514, 0, { 1, 1, 1, 1 } },
	{ "short frame", false, 16, 0, 60, 0, { 1, 1, 1, 1 } },
};
#define NDESC (sizeof(desc_rows) / sizeof(desc_rows[0]))

static uint32_t desc_lens[NDESC];

static uint32_t desc_len(uint32_t seq)
{
	return desc_lens[seq];
}

static void tx_desc_matrix(void **state, int table)
{
	static const char *const names[NTABLES] = { "aligned 4096",
						    "aligned 2048",
						    "unaligned 4096",
						    "unaligned 4001" };
	static const uint32_t sizes[NTABLES] = { 4096, 2048, 4096, 4001 };
	const uint32_t fsz = sizes[table];
	const uint64_t size = (uint64_t)TXM_FRAMES * fsz;
	const bool unaligned = table >= U4K;
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct vdesc v[NDESC] = { { 0 } };
	uint32_t expect[NDESC], nvalid = 0, i;
	uint64_t addr;
	struct lane l;

	end_close(p.tx);
	end_umem(p.tx, fsz, TXM_FRAMES, 0, unaligned ? XSK_UMEM_UNALIGNED : 0,
		 64);
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX });
	/* the 4001-byte UMEM's end is in the middle of a page */
	if (table == U4001)
		assert_true(size % 4096 > 64 && size % 4096 < 4096 - 64);
	l = lane_of(env, &p, names[table], NDESC, 0);
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	for (i = 0; i < NDESC; i++) {
		const struct desc_row *r = &desc_rows[i];

		v[i].addr = (r->at_end ? size : (uint64_t)r->chunk * fsz) +
			    (uint64_t)(int64_t)r->off;
		v[i].addr |= (uint64_t)r->top << XSK_UNALIGNED_BUF_OFFSET_SHIFT;
		v[i].len = desc_lens[i] = r->len ? r->len : fsz + 1;
		v[i].options = 0;
		v[i].valid = r->valid[table];
		/* the library's own check agrees with the table */
		if ((xsk_umem__check_desc(&p.tx->bounds, v[i].addr, v[i].len) ==
		     XSK_DESC_OK) != v[i].valid)
			fail_msg("%s: xsk_umem__check_desc disagrees on \"%s\"",
				 names[table], r->what);
		if (!v[i].valid)
			continue;
		addr = unaligned ? xsk_umem__add_offset_to_addr(v[i].addr) :
				   v[i].addr;
		frame_make(xsk_umem__get_data(p.tx->bounds.area, addr),
			   env->mac[0], env->mac[1], l.stream, i, v[i].len);
		expect[nvalid++] = i;
	}
	l.rx[0].expect = expect;
	l.rx[0].nexpect = nvalid;
	l.len_of = desc_len;
	tx_verbatim(&l, v, NDESC);
}

static void tx_invalid_aligned(void **state)
{
	tx_desc_matrix(state, A4K);
}

static void tx_invalid_aligned_2k(void **state)
{
	tx_desc_matrix(state, A2K);
}

static void tx_invalid_unaligned(void **state)
{
	tx_desc_matrix(state, U4K);
}

static void tx_invalid_unaligned_4001(void **state)
{
	tx_desc_matrix(state, U4001);
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

/* The TX ring's consumer index as the kernel published it. */
static uint32_t tx_consumer(struct xsk_socket *s)
{
	return __atomic_load_n(xsk_socket_tx(s)->consumer, __ATOMIC_ACQUIRE);
}

/*
 * Queue @budget + 1 frames and kick once: exactly @budget go (or @alt, if
 * not 0) and come back on the completion ring, the kick says the budget
 * ran out (-EAGAIN), and with @exact the published consumer index moved
 * by as many. Then the rest go, and all arrive.
 */
static void budget_round(const struct env *env, struct lane *l, uint32_t budget,
			 uint32_t alt, bool exact)
{
	uint32_t cons, moved, went;
	uint64_t comp0 = l->completed, sent0 = l->sent;
	double end;
	char extra[128];
	int err;

	l->count = (uint32_t)sent0 + budget + 1;
	while (l->sent < l->count)
		assert_true(tx_put(l) > 0);
	cons = tx_consumer(l->tx);
	err = xsk_socket_kick_tx(l->tx);
	if (err != -EAGAIN)
		fail_msg(
			"%s: one kick with %u frames queued: %d (%s), not -EAGAIN",
			l->what, budget + 1, err, xsk_errmsg());
	/* no kick, no poll() of the TX socket now: either would send */
	for (end = kern_now() + 1; kern_now() < end;) {
		l->completed += xsk_frames_complete(
			&l->txe->txfr, xsk_socket_comp(l->tx), 512);
		rx_take(l, &l->rx[0]);
		assert_int_equal(xsk_socket_wake_rx(l->rx[0].xsk), 0);
		if (l->completed - comp0 >= (alt ? alt : budget))
			end = kern_now() + 0.05 < end ? kern_now() + 0.05 : end;
	}
	moved = tx_consumer(l->tx) - cons;
	went = (uint32_t)(l->completed - comp0);
	snprintf(extra, sizeof(extra),
		 "budget %u: one kick sent %u, consumer moved %u", budget, went,
		 moved);
	l->received = l->rx[0].got;
	report(l, extra);
	if (went != budget && (!alt || went != alt))
		fail_msg("%s: one kick sent %u frames, not %u%s", l->what, went,
			 budget, alt ? " (nor the older kernels' 16)" : "");
	if (exact)
		assert_int_equal(moved, went);
	else
		assert_true(moved <= went);
	/* the one left */
	end = kern_now() + 2;
	while ((l->rx[0].got < l->count || l->completed < l->sent) &&
	       kern_now() < end) {
		tx_kick(l);
		l->completed += xsk_frames_complete(
			&l->txe->txfr, xsk_socket_comp(l->tx), 512);
		rx_take(l, &l->rx[0]);
		if (!env->p->poll)
			assert_int_equal(xsk_socket_wake_rx(l->rx[0].xsk), 0);
		else
			xsk_socket_poll(l->rx[0].xsk, POLLIN, 1);
	}
	l->received = l->rx[0].got;
	assert_lossless(l, l->received == l->count);
	assert_int_equal(l->completed, l->sent);
}

/*
 * TX_QUEUE_CONSUMER: a kick sends at most the TX budget. Budgets 32 and
 * 256 where the kernel has XDP_MAX_TX_SKB_BUDGET (Linux 6.17, which also
 * publishes the TX ring's consumer index at the end of every kick); older
 * kernels refuse the option, with the version named, and send their fixed
 * budget: 32 frames a kick since Linux 5.14, 16 before.
 */
static void tx_queue_consumer(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, &(struct pair_cfg){ .tx_comp_ring = 512,
							 .tx_ring = 512 });
	uint64_t features = 0;
	struct lane l;
	int err;

	l = lane_of(env, &p, "TX budget", 0, 64);
	l.window = 0;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	assert_int_equal(xsk_probe(&features), 0);
	if (features & XSK_FEATURE_TX_SKB_BUDGET) {
		/* within veth's 256-entry ring, in native mode */
		assert_int_equal(xsk_socket_set_tx_budget(l.tx, 32), 0);
		budget_round(env, &l, 32, 0, true);
		assert_int_equal(xsk_socket_set_tx_budget(l.tx, 256), 0);
		budget_round(env, &l, 256, 0, true);
		return;
	}
	err = xsk_socket_set_tx_budget(l.tx, 32);
	if (err != -EOPNOTSUPP || !strstr(xsk_errmsg(), "6.17"))
		fail_msg(
			"XDP_MAX_TX_SKB_BUDGET refused (%d) without naming Linux 6.17: %s",
			err, xsk_errmsg());
	printf("    refused, as this kernel must: %s\n", xsk_errmsg());
	/* a kernel with multi-buffer (6.6) is newer than 5.14 */
	budget_round(env, &l, 32, features & XSK_FEATURE_MULTI_BUFFER ? 0 : 16,
		     false);
}

int main(void)
{
	static const struct case_def cases[] = {
		{ "tx_invalid_aligned", tx_invalid_aligned, ALL_ROWS },
		{ "tx_invalid_aligned_2k", tx_invalid_aligned_2k, ALL_ROWS },
		{ "tx_invalid_unaligned", tx_invalid_unaligned, ALL_ROWS },
		{ "tx_invalid_unaligned_4001", tx_invalid_unaligned_4001,
		  ALL_ROWS },
		{ "tx_queue_consumer", tx_queue_consumer, ALL_ROWS },
		{ "stat_rx_dropped", stat_rx_dropped, ALL_ROWS },
		{ "stat_rx_ring_full", stat_rx_ring_full, ALL_ROWS },
		{ "stat_fill_empty", stat_fill_empty, ALL_ROWS },
	};

	return traffic_main("TX descriptors and statistics on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
