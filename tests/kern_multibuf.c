// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel: multi-buffer AF_XDP
 * (Linux 6.6, XDP_USE_SG), with an MTU of 9000 on both ends. 9000-byte
 * frames from an AF_XDP socket to another, sent as chains by libxsk and
 * read back whole by its reader, in aligned 4096-byte and unaligned
 * 3000-byte chunks; chains of the most fragments the kernel takes, and of
 * one more; chains the kernel must refuse, aligned and unaligned. Where the
 * kernel has no multi-buffer, each case asserts the library's refusal,
 * which names the version. Every case runs over the mode matrix, on a veth
 * pair of its own (see traffic.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "traffic.h"

#define MTU 9000
#define JUMBO (MTU + 14)
#define CONTD XDP_PKT_CONTD

static struct pair mb_pair(struct env *env, uint32_t frame_size,
			   uint32_t umem_flags)
{
	return pair_up(env, &(struct pair_cfg){
				    .frame_size = frame_size,
				    .rx_flags = umem_flags,
				    .sock_flags = XSK_SOCKET_MULTI_BUFFER,
				    .prog_flags = XSK_PROG_FRAGS,
				    .mtu = MTU,
			    });
}

static uint32_t div_up(uint32_t a, uint32_t b)
{
	return (a + b - 1) / b;
}

/* SEND_RECEIVE_9K_PACKETS and SEND_RECEIVE_UNALIGNED_9K_PACKETS. */
static void stream_9k(void **state, uint32_t frame_size, uint32_t flags)
{
	struct env *env = *state;
	const uint32_t count = 2000;
	struct pair p;
	struct lane l;
	char extra[96];
	bool ok;

	if (!env_multibuf(env))
		return;
	p = mb_pair(env, frame_size, flags);
	l = lane_of(env, &p, "9014-byte frames", count, JUMBO);
	l.mb = true;
	/* each frame takes 3 or 4 buffers on either side */
	l.window = 64;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 20, 0);
	snprintf(extra, sizeof(extra), "%llu TX and %llu RX buffers",
		 (unsigned long long)l.sent_descs,
		 (unsigned long long)l.rx[0].frags);
	report(&l, extra);
	assert_lossless(&l, ok);
	assert_int_equal(l.sent_descs, count * div_up(JUMBO, frame_size));
	assert_int_equal(l.rx[0].frags,
			 count * div_up(JUMBO, frame_size - 256));
	drain_comp(&l, l.sent_descs);
}

static void stream_9k_aligned(void **state)
{
	stream_9k(state, 4096, 0);
}

static void stream_9k_unaligned(void **state)
{
	stream_9k(state, 3000, XSK_UMEM_UNALIGNED);
}

/*
 * A table of TX descriptors, queued as they are. Descriptor i lies in TX
 * chunk i + 1 of the sender's UMEM, at @off from its start, or with
 * @at_end at the UMEM's end. The valid ones form frames: a chain ends at
 * the first descriptor without XDP_PKT_CONTD, and every frame is written
 * across its descriptors, so that the receiver checks every byte.
 *
 * On an invalid descriptor the kernel drops what it has of the chain. The
 * sources up to the first 6.18 releases then start a new frame at the next
 * descriptor; 6.18.44 drops the rest of the chain too, to its end. So every
 * invalid chain here ends in a descriptor that is invalid on its own as
 * well (a zero length), and means the same to both, except for the one
 * that tells them apart (MAYBE). What comes back on the completion ring:
 * 6.18 returns every descriptor; 6.12 (6.12.118) every one but the
 * fragments it gathered before it found the chain bad (HELD), whose frames
 * the application never gets back (6.1, without multi-buffer, returns
 * what it sent).
 */
enum {
	OK,
	BAD,
	BAD_ALIGNED, /* valid in unaligned mode */
	MAYBE,
	HELD, /* invalid: the first fragments of a chain dropped later */
	HELD_ALIGNED, /* the same, valid in unaligned mode */
};

struct mbrow {
	int32_t off;
	uint32_t len;
	uint32_t options;
	int kind;
	bool at_end;
};

#define MB_MAX_DESCS 128
#define MB_TX_FIRST 2048 /* the sender's TX half */

static uint32_t mb_lens[MB_MAX_DESCS];

static uint32_t mb_len(uint32_t seq)
{
	return mb_lens[seq];
}

static void send_table(struct env *env, struct pair *p, const char *what,
		       const struct mbrow *rows, uint32_t n)
{
	static unsigned char f[FRAME_MAX_LEN];
	static struct vdesc v[MB_MAX_DESCS];
	static uint32_t expect[MB_MAX_DESCS];
	static bool maybe[MB_MAX_DESCS];
	const bool unaligned = p->tx->unaligned;
	const uint32_t fsz = p->tx->frame_size;
	unsigned char *area = p->tx->bounds.area;
	uint32_t i, j, first = 0, nframes = 0, len = 0, at;
	struct lane l = lane_of(env, p, what, 0, 0);

	assert_true(n <= MB_MAX_DESCS);
	for (i = 0; i < n; i++) {
		v[i].addr = rows[i].at_end ?
				    p->tx->bounds.size :
				    (uint64_t)(MB_TX_FIRST + 1 + i) * fsz +
					    (uint64_t)(int64_t)rows[i].off;
		v[i].len = rows[i].len;
		v[i].options = rows[i].options;
		v[i].valid = rows[i].kind == OK ||
			     ((rows[i].kind == BAD_ALIGNED ||
			       rows[i].kind == HELD_ALIGNED) &&
			      unaligned);
		v[i].maybe = rows[i].kind == MAYBE;
		v[i].held = rows[i].kind == HELD ||
			    (rows[i].kind == HELD_ALIGNED && !unaligned);
		if (!v[i].valid && !v[i].maybe) {
			/* a frame is valid throughout or not at all */
			assert_int_equal(len, 0);
			continue;
		}
		if (!len)
			first = i;
		len += v[i].len;
		if (v[i].options & CONTD)
			continue;
		/* the frame is complete: write it across its buffers */
		assert_true(len <= sizeof(f));
		frame_make(f, env->mac[0], env->mac[1], l.stream, nframes, len);
		for (j = first, at = 0; j <= i; at += v[j].len, j++)
			memcpy(area + v[j].addr, f + at, v[j].len);
		mb_lens[nframes] = len;
		maybe[nframes] = v[i].maybe;
		expect[nframes] = nframes;
		nframes++;
		len = 0;
	}
	assert_true(len == 0 && nframes && !maybe[nframes - 1]);
	l.mb = true;
	l.len_of = mb_len;
	l.rx[0].expect = expect;
	l.rx[0].maybe = maybe;
	l.rx[0].nexpect = nframes;
	end_fill(p->rx, l.rx[0].xsk, UINT32_MAX);
	tx_verbatim(&l, v, n);
}

/*
 * ALIGNED_INV_DESC_MULTI_BUFF and UNALIGNED_INV_DESC_MULTI_BUFF: chains
 * with a zero length, a bad address in a later fragment, a bad length or
 * options mid-chain, and a fragment crossing a chunk (fine in unaligned
 * mode), each followed by a valid frame, between two valid frames.
 */
static void invalid_chains(void **state, uint32_t flags)
{
	static const struct mbrow rows[] = {
		{ 0, 64, 0, OK, false }, /* in sync */
		/* a zero length ends the chain */
		{ 0, 3072, CONTD, HELD, false },
		{ 0, 3072, CONTD, HELD, false },
		{ 0, 0, 0, BAD, false },
		{ 0, 1000, 0, OK, false },
		/* the second fragment at the UMEM's end */
		{ 0, 3072, CONTD, HELD, false },
		{ 0, 3072, 0, BAD, true },
		{ 0, 1000, 0, OK, false },
		/* longer than a chunk in the middle */
		{ 0, 3072, CONTD, HELD, false },
		{ 0, 4097, CONTD, BAD, false },
		{ 0, 0, 0, BAD, false },
		{ 0, 1000, 0, OK, false },
		/* unknown options in the middle */
		{ 0, 3072, CONTD, HELD, false },
		{ 0, 3072, 0xffff, BAD, false },
		{ 0, 0, 0, BAD, false },
		{ 0, 1000, 0, OK, false },
		/* two whole chunks, three buffers on arrival */
		{ 0, 4096, CONTD, OK, false },
		{ 0, 4096, 0, OK, false },
		/* the last fragment crosses into the chunk before */
		{ 0, 3072, CONTD, HELD_ALIGNED, false },
		{ -32, 64, 0, BAD_ALIGNED, false },
		{ 0, 64, 0, OK, false }, /* something arrives */
	};
	struct env *env = *state;
	struct pair p;

	if (!env_multibuf(env))
		return;
	p = mb_pair(env, 4096, flags);
	send_table(env, &p, flags ? "unaligned chains" : "aligned chains", rows,
		   sizeof(rows) / sizeof(rows[0]));
}

static void invalid_chains_aligned(void **state)
{
	invalid_chains(state, 0);
}

static void invalid_chains_unaligned(void **state)
{
	invalid_chains(state, XSK_UMEM_UNALIGNED);
}

/* MAX_SKB_FRAGS as the kernel says (newer kernels can be built with more),
 * or 17, the default. */
static uint32_t max_skb_frags(void)
{
	FILE *f = fopen("/proc/sys/net/core/max_skb_frags", "r");
	unsigned int n = 0;

	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n ? n : 17;
}

/*
 * TOO_MANY_FRAGS. In copy mode the kernel builds an skb of the first
 * buffer and MAX_SKB_FRAGS fragments: a chain of MAX_SKB_FRAGS + 1
 * descriptors is the longest it sends. Of a longer chain it drops the
 * first MAX_SKB_FRAGS + 1, counted in tx_invalid_descs, as soon as the
 * last of them says more follow; the next one, here the chain's last and a
 * whole frame by itself, is sent alone or dropped too (see send_table()).
 * libxsk's sender allows XSK_MB_MAX_FRAGS (18), which every kernel takes.
 */
static void too_many_frags(void **state)
{
	static struct mbrow rows[MB_MAX_DESCS];
	struct xdp_desc frags[XSK_MB_MAX_FRAGS + 1];
	const uint32_t max = max_skb_frags() + 1;
	struct env *env = *state;
	struct xsk_ring_prod *tx;
	uint32_t n = 0, i, prod;
	struct pair p;

	if (!env_multibuf(env))
		return;
	printf("    the kernel takes chains of %u descriptors (max_skb_frags + 1), libxsk's sender %u\n",
	       max, XSK_MB_MAX_FRAGS);
	/* the library never sends what a kernel refuses */
	if (max < XSK_MB_MAX_FRAGS)
		fail_msg(
			"net.core.max_skb_frags was lowered to %u: the kernel's limit is no longer visible (the kernel's own test reads it too)",
			max - 1);
	assert_true(2 * max + 2 <= MB_MAX_DESCS);
	p = mb_pair(env, 4096, 0);

	/* libxsk's own limit: one more is refused, the ring untouched */
	tx = xsk_socket_tx(p.tx->xsk[0]);
	memset(frags, 0, sizeof(frags));
	prod = tx->cached_prod;
	assert_int_equal(xsk_mb_tx_packet(tx, frags, XSK_MB_MAX_FRAGS + 1),
			 -EMSGSIZE);
	assert_int_equal(tx->cached_prod, prod);
	assert_int_equal(xsk_mb_tx_packet(tx, frags, XSK_MB_MAX_FRAGS),
			 XSK_MB_MAX_FRAGS);
	xsk_ring_prod__cancel(tx, XSK_MB_MAX_FRAGS);

	rows[n++] = (struct mbrow){ 0, 64, 0, OK, false };
	for (i = 0; i < max; i++)
		rows[n++] = (struct mbrow){ 0, 64, i + 1 < max ? CONTD : 0, OK,
					    false };
	for (i = 0; i < max; i++)
		rows[n++] = (struct mbrow){ 0, 64, CONTD, HELD, false };
	rows[n++] = (struct mbrow){ 0, 64, 0, MAYBE, false };
	rows[n++] = (struct mbrow){ 0, 64, 0, OK, false };
	send_table(env, &p, "too many fragments", rows, n);
}

int main(void)
{
	static const struct case_def cases[] = {
		{ "stream_9k_aligned", stream_9k_aligned, ALL_ROWS },
		{ "stream_9k_unaligned", stream_9k_unaligned, ALL_ROWS },
		{ "too_many_frags", too_many_frags, ALL_ROWS },
		{ "invalid_chains_aligned", invalid_chains_aligned, ALL_ROWS },
		{ "invalid_chains_unaligned", invalid_chains_unaligned,
		  ALL_ROWS },
	};

	return traffic_main("multi-buffer on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
