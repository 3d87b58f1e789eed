// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel: the XSKMAP and shared
 * UMEMs. A queue's slot moved from one socket to another mid-stream; two
 * sockets on one queue sharing a UMEM and its fill ring, split by a program
 * of our own; sockets on two queues sharing one UMEM, on both ends. Every
 * case runs over the mode matrix, on a veth pair of its own (see
 * traffic.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "traffic.h"

/* The queue's XSKMAP slot moves from one socket to another mid-stream:
 * the first gets a prefix of the stream, the second the rest. */
static void xskmap_switch(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct lane l = lane_of(env, &p, "slot switch", 20000, 0);
	struct rx_side *r0 = &l.rx[0], *r1 = &l.rx[1];
	char extra[96];
	bool ok;

	/* a second socket on the same queue shares the UMEM and its fill
	 * ring */
	end_socket(env, p.rx, 1,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX });
	*r1 = (struct rx_side){
		.e = p.rx, .xsk = p.rx->xsk[1], .stride = 1, .any_start = true
	};
	l.nrx = 2;
	l.switch_at = l.count / 2;
	l.switch_prog = p.rx->prog;
	end_fill(p.rx, r0->xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10, 0);
	snprintf(extra, sizeof(extra),
		 "first socket %llu (0-%u), second %llu (%u-%u)",
		 (unsigned long long)r0->got, r0->last,
		 (unsigned long long)r1->got, r1->first, r1->last);
	report(&l, extra);
	assert_lossless(&l, ok);
	assert_true(r0->got > 0 && r1->got > 0);
	assert_int_equal(r0->first, 0);
	assert_int_equal(r1->first, r0->last + 1);
	assert_int_equal(r1->last, l.count - 1);
	drain_comp(&l, l.sent);
}

/* An XDP program that sends even frames of ours to XSKMAP key 0 and odd
 * ones to key 1, everything else to the stack. */
static int split_prog(int map_fd, char *log, size_t log_size)
{
	const struct bpf_insn insns[] = {
		/* r2 = data, r3 = data_end */
		KERN_INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0),
		KERN_INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 4, 0),
		/* too short for our header: pass */
		KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0),
		KERN_INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, FRAME_OFF_DATA),
		KERN_INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 10, 0),
		/* not our EtherType (loaded little-endian): pass */
		KERN_INSN(BPF_LDX | BPF_MEM | BPF_H, 4, 2, 12, 0),
		KERN_INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 8,
			  (FRAME_ETH_P & 0xff) << 8 | FRAME_ETH_P >> 8),
		/* key = the sequence number's lowest bit */
		KERN_INSN(BPF_LDX | BPF_MEM | BPF_B, 4, 2, FRAME_OFF_SEQ + 3,
			  0),
		KERN_INSN(BPF_ALU64 | BPF_AND | BPF_K, 4, 0, 0, 1),
		KERN_INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0,
			  map_fd),
		KERN_INSN(0, 0, 0, 0, 0),
		KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 4, 0, 0),
		KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, XDP_PASS),
		KERN_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map),
		KERN_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		/* pass: */
		KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		KERN_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	return kern_xdp_prog(insns, sizeof(insns) / sizeof(insns[0]), 0, log,
			     log_size);
}

/* Two sockets on one queue, sharing the UMEM and its fill ring; our own
 * program splits the queue's frames between them. */
static void shared_umem_one_queue(void **state)
{
	struct env *env = *state;
	struct pair p = pair_up(env, NULL);
	struct lane l = lane_of(env, &p, "shared UMEM, one queue", 20000, 0);
	static char log[4096];
	struct xsk_prog *split;
	char extra[96];
	int map, prog;
	bool ok;

	end_socket(env, p.rx, 1,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX });
	/* replace the built-in program with ours */
	assert_int_equal(end_prog_destroy(p.rx), 0);
	map = env_keep_fd(env, kern_xskmap(2));
	assert_true(map >= 0);
	prog = env_keep_fd(env, split_prog(map, log, sizeof(log)));
	if (prog < 0)
		fail_msg("loading the split program: %s\n%s", strerror(errno),
			 log);
	end_own_prog(env, p.rx, prog, map);
	split = p.rx->prog;
	assert_int_equal(
		xsk_prog_set_queue(split, 0, xsk_socket_fd(p.rx->xsk[0])), 0);
	assert_int_equal(
		xsk_prog_set_queue(split, 1, xsk_socket_fd(p.rx->xsk[1])), 0);
	l.rx[0].stride = 2;
	l.rx[1] = (struct rx_side){
		.e = p.rx, .xsk = p.rx->xsk[1], .next = 1, .stride = 2
	};
	l.nrx = 2;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	ok = lanes_run(env, &l, 1, 10, 0);
	snprintf(extra, sizeof(extra), "even to socket 0: %llu, odd to 1: %llu",
		 (unsigned long long)l.rx[0].got,
		 (unsigned long long)l.rx[1].got);
	report(&l, extra);
	assert_lossless(&l, ok);
	assert_int_equal(l.rx[0].got, l.count / 2);
	assert_int_equal(l.rx[1].got, l.count / 2);
	drain_comp(&l, l.sent);
}

/* Two sockets on two queues share one UMEM, on both ends; each queue's
 * stream arrives on its own socket only. */
static void shared_umem_two_queues(void **state)
{
	struct env *env = *state;
	struct end *a, *b;
	struct lane l[2];
	unsigned int q, txq[2] = { 0, 1 };
	bool ok;

	if (env->p->mode == XSK_ATTACH_GENERIC) {
		/* veth keeps a frame's TX queue in skb->queue_mapping, which
		 * generic XDP on the peer reads as RX queue + 1 (0: none
		 * recorded, queue 0): a frame sent on TX queue q arrives on
		 * RX queue q - 1 (seen on 5.10 to 6.18). Queue 1 is reached
		 * from TX queue 2, so the pair needs three. */
		env_veth_queues(env, 3);
		txq[1] = 2;
	}
	a = end_new(env, 0);
	b = end_new(env, 1);
	end_umem(a, 4096, 4096, 0, 0, 1024);
	end_umem(b, 4096, 4096, 0, 0, 1024);
	for (q = 0; q < 2; q++) {
		end_socket(env, a, q,
			   &(struct sock_cfg){ .queue = q,
					       .flags = XSK_SOCKET_NO_TX });
		end_socket(env, b, q,
			   &(struct sock_cfg){ .queue = txq[q],
					       .flags = XSK_SOCKET_NO_RX });
	}
	assert_ptr_not_equal(xsk_socket_fill(a->xsk[0]),
			     xsk_socket_fill(a->xsk[1]));
	end_prog(env, a, NULL);
	for (q = 0; q < 2; q++) {
		assert_int_equal(xsk_prog_add_socket(a->prog, a->xsk[q]), 0);
		end_fill(a, a->xsk[q], 1024);
		memset(&l[q], 0, sizeof(l[q]));
		l[q].what = q ? "queue 1" : "queue 0";
		l[q].env = env;
		l[q].txe = b;
		l[q].tx = b->xsk[q];
		l[q].to = 0;
		l[q].rx[0] = (struct rx_side){ .e = a,
					       .xsk = a->xsk[q],
					       .stride = 1 };
		l[q].nrx = 1;
		l[q].stream = 100 + q;
		l[q].count = 10000;
		l[q].window = 256;
	}
	ok = lanes_run(env, l, 2, 10, 0);
	report(&l[0], NULL);
	report(&l[1], NULL);
	assert_lossless(&l[0], ok);
	assert_lossless(&l[1], ok);
	l[0].shares_txfr = true;
	drain_comp(&l[0], l[0].sent);
	drain_comp(&l[1], l[1].sent);
}

int main(void)
{
	static const struct case_def cases[] = {
		{ "xskmap_switch", xskmap_switch, ALL_ROWS },
		{ "shared_umem_one_queue", shared_umem_one_queue, ALL_ROWS },
		{ "shared_umem_two_queues", shared_umem_two_queues, ALL_ROWS },
	};

	return traffic_main("XSKMAP and shared UMEM on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
