// SPDX-License-Identifier: MIT
/*
 * Real traffic through libxsk on a real kernel, with XDP programs of the
 * caller's that touch the frame, attached through libxsk's public API
 * (XSK_PROG_OWN_PROG with the program's own XSKMAP, XSK_PROG_OWN_MAP):
 * one drops every other frame, one puts metadata in front of each frame
 * (bpf_xdp_adjust_meta()), one shrinks each frame's tail
 * (bpf_xdp_adjust_tail()); the last two with their multi-buffer variants
 * too. Frames and metadata must arrive as the program left them. The
 * programs are a few instructions each, built here and loaded with raw
 * bpf(2), no libbpf and no compiler for BPF. Every case runs over the mode
 * matrix, on a veth pair of its own (see traffic.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>

#include "traffic.h"

#define MTU 9000

/* A program being written, with forward jumps patched once their target
 * is known. */
struct prog {
	struct bpf_insn insn[64];
	unsigned int n;
};

static unsigned int emit(struct prog *p, struct bpf_insn insn)
{
	assert_true(p->n < sizeof(p->insn) / sizeof(p->insn[0]));
	p->insn[p->n] = insn;
	return p->n++;
}

/* The jump at @at lands at the next instruction emitted. */
static void land(struct prog *p, unsigned int at)
{
	p->insn[at].off = (int16_t)(p->n - at - 1);
}

#define MOV64_REG(d, s) KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i) KERN_INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX(size, d, s, o) KERN_INSN(BPF_LDX | BPF_MEM | (size), d, s, o, 0)
#define STX(size, d, s, o) KERN_INSN(BPF_STX | BPF_MEM | (size), d, s, o, 0)
#define ST(size, d, o, i) KERN_INSN(BPF_ST | BPF_MEM | (size), d, 0, o, i)
#define JMP_REG(op, d, s) KERN_INSN(BPF_JMP | (op) | BPF_X, d, s, 0, 0)
#define JMP_IMM(op, d, i) KERN_INSN(BPF_JMP | (op) | BPF_K, d, 0, 0, i)
#define CALL(f) KERN_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() KERN_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* struct xdp_md, which r6 keeps */
#define MD_DATA 0
#define MD_DATA_END 4
#define MD_DATA_META 8
#define MD_QUEUE 16

/* r0 = @action; exit */
static void emit_return(struct prog *p, int action)
{
	emit(p, MOV64_IMM(BPF_REG_0, action));
	emit(p, EXIT());
}

/* Into the XSKMAP slot of the frame's queue, as the built-in program. */
static void emit_redirect(struct prog *p, int map_fd)
{
	emit(p, LDX(BPF_W, BPF_REG_2, BPF_REG_6, MD_QUEUE));
	emit(p, KERN_INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1,
			  BPF_PSEUDO_MAP_FD, 0, map_fd));
	emit(p, KERN_INSN(0, 0, 0, 0, 0));
	emit(p, MOV64_IMM(BPF_REG_3, XDP_PASS));
	emit(p, CALL(BPF_FUNC_redirect_map));
	emit(p, EXIT());
}

/* r2 = data, r3 = data_end; jumps (to patch) if the frame is shorter than
 * our header or not of our EtherType. */
static void emit_ours(struct prog *p, unsigned int *short_jmp,
		      unsigned int *other_jmp)
{
	emit(p, LDX(BPF_W, BPF_REG_2, BPF_REG_6, MD_DATA));
	emit(p, LDX(BPF_W, BPF_REG_3, BPF_REG_6, MD_DATA_END));
	emit(p, MOV64_REG(BPF_REG_4, BPF_REG_2));
	emit(p, ADD64_IMM(BPF_REG_4, FRAME_OFF_DATA));
	*short_jmp = emit(p, JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3));
	/* loaded little-endian */
	emit(p, LDX(BPF_H, BPF_REG_4, BPF_REG_2, 12));
	*other_jmp =
		emit(p, JMP_IMM(BPF_JNE, BPF_REG_4,
				(FRAME_ETH_P & 0xff) << 8 | FRAME_ETH_P >> 8));
}

/* XDP_DROP_HALF: our frames with an odd sequence number are dropped. */
static void drop_half_prog(struct prog *p, int map_fd)
{
	unsigned int j_short, j_other, j_even;

	emit(p, MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit_ours(p, &j_short, &j_other);
	emit(p, LDX(BPF_B, BPF_REG_4, BPF_REG_2, FRAME_OFF_SEQ + 3));
	emit(p, KERN_INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_4, 0, 0, 1));
	j_even = emit(p, JMP_IMM(BPF_JEQ, BPF_REG_4, 0));
	emit_return(p, XDP_DROP);
	land(p, j_short);
	land(p, j_other);
	land(p, j_even);
	emit_redirect(p, map_fd);
}

/* XDP_METADATA_COPY: FRAME_META_LEN bytes of metadata in front of each
 * frame of ours: its sequence number, copied byte by byte from the frame,
 * then FRAME_META_MAGIC. */
static void metadata_prog(struct prog *p, int map_fd)
{
	unsigned int j_fail, j_room, j_short, j_other, i;

	emit(p, MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit(p, MOV64_IMM(BPF_REG_2, -FRAME_META_LEN));
	emit(p, CALL(BPF_FUNC_xdp_adjust_meta));
	j_fail = emit(p, JMP_IMM(BPF_JNE, BPF_REG_0, 0));
	/* the packet pointers are new after the call */
	emit_ours(p, &j_short, &j_other);
	emit(p, LDX(BPF_W, BPF_REG_5, BPF_REG_6, MD_DATA_META));
	emit(p, MOV64_REG(BPF_REG_4, BPF_REG_5));
	emit(p, ADD64_IMM(BPF_REG_4, FRAME_META_LEN));
	j_room = emit(p, JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_2));
	for (i = 0; i < 4; i++) {
		emit(p, LDX(BPF_B, BPF_REG_4, BPF_REG_2,
			    (int16_t)(FRAME_OFF_SEQ + i)));
		emit(p, STX(BPF_B, BPF_REG_5, BPF_REG_4, (int16_t)i));
	}
	emit(p, ST(BPF_W, BPF_REG_5, 4, (int32_t)FRAME_META_MAGIC));
	land(p, j_short);
	land(p, j_other);
	emit_redirect(p, map_fd);
	land(p, j_fail);
	land(p, j_room);
	emit_return(p, XDP_DROP);
}

/* XDP_ADJUST_TAIL_SHRINK: every frame loses @delta bytes at its end. */
static void shrink_prog(struct prog *p, int map_fd, int32_t delta)
{
	unsigned int j_fail;

	emit(p, MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit(p, MOV64_IMM(BPF_REG_2, -delta));
	emit(p, CALL(BPF_FUNC_xdp_adjust_tail));
	j_fail = emit(p, JMP_IMM(BPF_JNE, BPF_REG_0, 0));
	emit_redirect(p, map_fd);
	land(p, j_fail);
	emit_return(p, XDP_DROP);
}

enum kind { DROP_HALF, METADATA, SHRINK };

/*
 * A pair whose receiver runs program @k (multi-buffer, with an MTU of 9000
 * on both ends, if @mb), loaded here and attached through libxsk.
 */
static struct pair prog_pair(struct env *env, enum kind k, int32_t arg, bool mb)
{
	static char log[65536];
	struct prog prog = { .n = 0 };
	int map, fd;

	map = env_keep_fd(env, kern_xskmap(2));
	if (map < 0)
		fail_msg("creating an XSKMAP: %s", strerror(errno));
	if (k == DROP_HALF)
		drop_half_prog(&prog, map);
	else if (k == METADATA)
		metadata_prog(&prog, map);
	else
		shrink_prog(&prog, map, arg);
	fd = env_keep_fd(env, kern_xdp_prog(prog.insn, prog.n,
					    mb ? BPF_F_XDP_HAS_FRAGS : 0, log,
					    sizeof(log)));
	if (fd < 0)
		fail_msg("the kernel refused the program: %s\n%s",
			 strerror(errno), log);
	return pair_up(
		env, &(struct pair_cfg){
			     .prog_flags = XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP,
			     .prog_fd = fd,
			     .map_fd = map,
			     .sock_flags = mb ? XSK_SOCKET_MULTI_BUFFER : 0,
			     .mtu = mb ? MTU : 0,
		     });
}

/* Run @l to the end: every frame arrives, every TX frame comes back. */
static void run(const struct env *env, struct lane *l, const char *extra)
{
	bool ok = lanes_run(env, l, 1, 20, 0);

	report(l, extra);
	assert_lossless(l, ok);
	drain_comp(l, l->sent_descs);
}

static void xdp_drop_half(void **state)
{
	struct env *env = *state;
	struct pair p = prog_pair(env, DROP_HALF, 0, false);
	struct lane l = lane_of(env, &p, "drop half", 10000, 0);

	l.rx[0].stride = 2;
	l.window = 0;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	/* the lane waits for all: it ends when nothing more comes */
	lanes_run(env, &l, 1, 20, 0.2);
	report(&l, "the odd ones dropped by the program");
	assert_int_equal(l.sent, 10000);
	assert_int_equal(l.received, 5000);
	assert_int_equal(l.rx[0].last, 9998);
	l.count = 5000;
	assert_lossless(&l, true);
	drain_comp(&l, l.sent);
}

static void metadata(void **state, bool mb)
{
	struct env *env = *state;
	struct pair p;
	struct lane l;

	if (mb && !env_multibuf(env))
		return;
	p = prog_pair(env, METADATA, 0, mb);
	l = lane_of(env, &p, mb ? "metadata, 9014-byte frames" : "metadata",
		    mb ? 1000 : 10000, mb ? MTU + 14 : 0);
	l.rx[0].meta = true;
	l.mb = mb;
	l.window = mb ? 64 : 256;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	run(env, &l, "each with the metadata the program left");
}

static void xdp_metadata_copy(void **state)
{
	metadata(state, false);
}

static void xdp_metadata_copy_mb(void **state)
{
	metadata(state, true);
}

/* 128-byte frames lose 4 bytes; 6144-byte ones, in two or three buffers,
 * lose 4096, the kernel's own cases. */
static void shrink(void **state, bool mb)
{
	struct env *env = *state;
	const int32_t delta = mb ? 4096 : 4;
	struct pair p;
	struct lane l;
	char extra[64];

	if (mb && !env_multibuf(env))
		return;
	p = prog_pair(env, SHRINK, delta, mb);
	l = lane_of(env, &p, mb ? "shrunk, 6144-byte frames" : "shrunk",
		    mb ? 1000 : 10000, mb ? 6144 : 128);
	l.rx_delta = -delta;
	l.mb = mb;
	l.window = mb ? 64 : 256;
	end_fill(p.rx, l.rx[0].xsk, UINT32_MAX);
	snprintf(extra, sizeof(extra), "each %d bytes shorter", delta);
	run(env, &l, extra);
}

static void xdp_adjust_tail_shrink(void **state)
{
	shrink(state, false);
}

static void xdp_adjust_tail_shrink_mb(void **state)
{
	shrink(state, true);
}

int main(void)
{
	static const struct case_def cases[] = {
		{ "xdp_drop_half", xdp_drop_half, ALL_ROWS },
		{ "xdp_metadata_copy", xdp_metadata_copy, ALL_ROWS },
		{ "xdp_metadata_copy_mb", xdp_metadata_copy_mb, ALL_ROWS },
		{ "xdp_adjust_tail_shrink", xdp_adjust_tail_shrink, ALL_ROWS },
		{ "xdp_adjust_tail_shrink_mb", xdp_adjust_tail_shrink_mb,
		  ALL_ROWS },
	};

	return traffic_main("frame-touching XDP programs on veth", cases,
			    sizeof(cases) / sizeof(cases[0]));
}
