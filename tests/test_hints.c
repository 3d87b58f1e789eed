// SPDX-License-Identifier: MIT
/*
 * RX hints on the fake kernel (fakesys.c, fakebpf.c, and the vmlinux BTF
 * of tests/fakebtf.c): no privilege.
 *
 * The program libxsk loads is decoded field by field and then run, here,
 * by a small interpreter of the instructions it uses, against a packet
 * buffer laid out as the kernel's (headroom, metadata, data): the driver's
 * kfuncs and bpf_xdp_adjust_meta are played with every pattern of success
 * and failure, and every byte the program writes must fall in the metadata
 * area and make the record the header describes. Every refusal is
 * provoked and its explanation checked; every wrapped call of an attach
 * with hints is failed in turn, and nothing may be left behind. Last,
 * xsk_rx_hints() on records in a UMEM, aligned and unaligned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include "fakebpf.h"
#include "fakebtf.h"
#include "fakesys.h"
#include "progutil.h"

/* ------------------------------------------------- the interpreter */

#define HEADROOM 256 /* XDP_PACKET_HEADROOM */
#define FRAME_END 40 /* sizeof(struct xdp_frame): adjust_meta's floor */
#define PKT_LEN 64
#define QUEUE 3

/* What the driver answers, per kfunc (by hint bit number). */
struct driver {
	unsigned int failing; /* XSK_HINT_* bits whose kfunc fails */
	bool meta_fails; /* bpf_xdp_adjust_meta refuses */
};

struct run {
	uint8_t buf[HEADROOM + PKT_LEN];
	uint8_t before[HEADROOM + PKT_LEN];
	uint32_t data, data_meta; /* offsets in buf */
	int action;
	uint64_t redirect_map, redirect_key, redirect_flags;
	unsigned int kfunc_calls, steps;
};

static const uint64_t TIMESTAMP = 0x1122334455667788ull;
static const uint32_t HASH = 0xcafef00d, HASH_TYPE = 0x29;
static const uint16_t VLAN_TCI = 0x6005;

static uint8_t ctx_tag; /* r1's value: the address of this byte */

/* A store must land in the metadata area, which the program grew. */
static uint8_t *mem(struct run *r, uint64_t addr, unsigned int size)
{
	uint8_t *p = (uint8_t *)(uintptr_t)addr;

	if (p < r->buf + r->data_meta || p + size > r->buf + r->data)
		fail_msg(
			"access of %u bytes at %td, outside the metadata area [%u, %u)",
			size, p - r->buf, r->data_meta, r->data);
	return p;
}

static uint64_t ctx_load(struct run *r, int16_t off)
{
	switch (off) {
	case 0:
		return (uintptr_t)(r->buf + r->data);
	case 4:
		return (uintptr_t)(r->buf + sizeof(r->buf));
	case 8:
		return (uintptr_t)(r->buf + r->data_meta);
	case 16:
		return QUEUE;
	}
	fail_msg("context load at %d", off);
	return 0;
}

static void store(struct run *r, uint64_t addr, unsigned int size, uint64_t v)
{
	memcpy(mem(r, addr, size), &v, size); /* little-endian host */
}

static int hint_of(uint32_t id, const uint32_t ids[3])
{
	for (int i = 0; i < 3; i++)
		if (ids[i] && ids[i] == id)
			return i;
	fail_msg("call of kfunc %u, which is none of the three", id);
	return -1;
}

/* A kfunc returns int: the upper half of r0 is left as garbage, which a
 * 64-bit test of the result would take for an error. */
static uint64_t kfunc(struct run *r, const struct driver *d, uint64_t *reg,
		      int h)
{
	uint16_t proto = htons(0x8100);

	r->kfunc_calls++;
	assert_true(reg[1] == (uintptr_t)&ctx_tag);
	if (d->failing & (1u << h))
		return 0xdead000000000000ull | (uint32_t)-ENODATA;
	if (h == 0) {
		store(r, reg[2], 8, TIMESTAMP);
	} else if (h == 1) {
		store(r, reg[2], 4, HASH);
		store(r, reg[3], 4, HASH_TYPE);
	} else {
		store(r, reg[2], 2, proto);
		store(r, reg[3], 2, VLAN_TCI);
	}
	return 0xbeef000000000000ull;
}

static void run(struct run *r, const struct fake_bpf_obj *o,
		const struct driver *d, const uint32_t ids[3])
{
	uint64_t reg[11] = { 0 }, src, dst;
	const struct bpf_insn *in;
	uint32_t pc = 0;
	int32_t delta;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(r->buf); i++)
		r->buf[i] = (uint8_t)(i * 31 + 7);
	memcpy(r->before, r->buf, sizeof(r->buf));
	r->data = r->data_meta = HEADROOM;
	r->action = -1;
	reg[1] = (uintptr_t)&ctx_tag;
	for (;; r->steps++) {
		assert_true(pc < o->insn_cnt && r->steps < 1000);
		in = &o->insns[pc++];
		src = reg[in->src_reg];
		dst = reg[in->dst_reg];
		switch (in->code) {
		case BPF_ALU64 | BPF_MOV | BPF_X:
			reg[in->dst_reg] = src;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[in->dst_reg] = (uint64_t)(int64_t)in->imm;
			break;
		case BPF_ALU64 | BPF_ADD | BPF_K:
			reg[in->dst_reg] = dst + (uint64_t)(int64_t)in->imm;
			break;
		case BPF_ALU64 | BPF_OR | BPF_K:
			reg[in->dst_reg] = dst | (uint64_t)(int64_t)in->imm;
			break;
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_true(src == (uintptr_t)&ctx_tag);
			reg[in->dst_reg] = ctx_load(r, in->off);
			break;
		case BPF_LD | BPF_DW | BPF_IMM:
			assert_int_equal(in->src_reg, BPF_PSEUDO_MAP_FD);
			reg[in->dst_reg] = (uint32_t)in->imm;
			pc++;
			break;
		case BPF_ST | BPF_MEM | BPF_DW:
			store(r, dst + in->off, 8, (uint64_t)(int64_t)in->imm);
			break;
		case BPF_ST | BPF_MEM | BPF_B:
			store(r, dst + in->off, 1, (uint8_t)in->imm);
			break;
		case BPF_STX | BPF_MEM | BPF_B:
			store(r, dst + in->off, 1, (uint8_t)src);
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (dst != (uint64_t)(int64_t)in->imm)
				pc += in->off;
			break;
		case BPF_JMP32 | BPF_JNE | BPF_K:
			if ((uint32_t)dst != (uint32_t)in->imm)
				pc += in->off;
			break;
		case BPF_JMP | BPF_JGT | BPF_X:
			if (dst > src)
				pc += in->off;
			break;
		case BPF_JMP | BPF_EXIT:
			r->action = (int)reg[0];
			return;
		case BPF_JMP | BPF_CALL:
			if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
				assert_int_equal(in->off, 0); /* vmlinux */
				reg[0] =
					kfunc(r, d, reg, hint_of(in->imm, ids));
			} else if (in->imm == BPF_FUNC_xdp_adjust_meta) {
				assert_true(reg[1] == (uintptr_t)&ctx_tag);
				delta = (int32_t)reg[2];
				reg[0] = (uint64_t)-EACCES;
				if (!d->meta_fails && delta % 4 == 0 &&
				    (int64_t)r->data_meta + delta >=
					    FRAME_END &&
				    (int64_t)r->data_meta + delta <= r->data) {
					r->data_meta += delta;
					reg[0] = 0;
				}
			} else if (in->imm == BPF_FUNC_redirect_map) {
				r->redirect_map = reg[1];
				r->redirect_key = reg[2];
				r->redirect_flags = reg[3];
				reg[0] = XDP_REDIRECT;
			} else {
				fail_msg("call of helper %d", in->imm);
			}
			/* the caller-saved registers are gone */
			for (int i = 1; i <= 5; i++)
				reg[i] = 0x0bad0bad0bad0badull;
			break;
		default:
			fail_msg("instruction %u: opcode 0x%02x", pc - 1,
				 in->code);
		}
	}
}

/* --------------------------------------------------- the program */

static void decode(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_ALL);
	struct fake_bpf_obj *po, plain;
	struct xsk_prog *p = NULL;
	uint32_t ids[3], i, calls = 0, tail;
	size_t len;
	uint8_t mode;

	(void)state;
	fbtf_vmlinux(7, &len, ids);
	assert_int_equal(attach(&p, NULL), 0);
	plain = *attached_prog(FAKE_IFINDEX);
	assert_int_equal(xsk_prog_destroy(p), 0);

	if (attach(&p, &o))
		fail_msg("%s", xsk_errmsg());
	po = attached_prog(FAKE_IFINDEX);
	assert_non_null(po);
	/* bound to the device: the kfuncs resolve to its driver's */
	assert_int_equal(po->prog_flags, BPF_F_XDP_DEV_BOUND_ONLY);
	assert_int_equal(po->prog_ifindex, FAKE_IFINDEX);
	/* kfunc calls need a GPL-compatible licence */
	assert_string_equal(po->license, "Dual MIT/GPL");
	assert_string_equal(po->name, "xsk_redirect");
	assert_true(po->insn_cnt <= 64);
	check_insn(&po->insns[0], BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6,
		   BPF_REG_1, 0, 0);
	check_insn(&po->insns[1], BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0,
		   -24);
	check_insn(&po->insns[2], BPF_JMP | BPF_CALL, 0, 0, 0,
		   BPF_FUNC_xdp_adjust_meta);
	for (i = 0; i < po->insn_cnt; i++) {
		if (po->insns[i].code != (BPF_JMP | BPF_CALL) ||
		    po->insns[i].src_reg != BPF_PSEUDO_KFUNC_CALL)
			continue;
		/* in bit order, each a vmlinux BTF id (off 0), its int
		 * result tested in 32 bits */
		check_insn(&po->insns[i], BPF_JMP | BPF_CALL, 0,
			   BPF_PSEUDO_KFUNC_CALL, 0, (int32_t)ids[calls]);
		check_insn(&po->insns[i + 1], BPF_JMP32 | BPF_JNE | BPF_K,
			   BPF_REG_0, 0, 1, 0);
		calls++;
	}
	assert_int_equal(calls, 3);
	/* then r1 = r6 and the redirect program, unchanged */
	tail = po->insn_cnt - plain.insn_cnt;
	check_insn(&po->insns[tail - 1], BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1,
		   BPF_REG_6, 0, 0);
	for (i = 0; i < plain.insn_cnt; i++) {
		if (i == 1) /* the map fd differs */
			continue;
		assert_memory_equal(&po->insns[tail + i], &plain.insns[i],
				    sizeof(plain.insns[i]));
	}
	/* native mode, though the mode was left to the kernel */
	fake_bpf_attached(FAKE_IFINDEX, &mode);
	assert_int_equal(mode, XDP_ATTACHED_DRV);
	assert_int_equal(xsk_prog_mode(p), XSK_ATTACH_NATIVE);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();
}

/* The record the program leaves for a driver @d, asked for @hints. */
static void check_record(const struct run *r, unsigned int hints,
			 const struct driver *d, int map_fd)
{
	const uint8_t *rec = r->buf + HEADROOM - 24;
	unsigned int valid = hints & ~d->failing;
	struct xsk_hints h;

	assert_int_equal(r->action, XDP_REDIRECT);
	assert_int_equal(r->redirect_map, (uint64_t)map_fd);
	assert_int_equal(r->redirect_key, QUEUE);
	assert_int_equal(r->redirect_flags, XDP_PASS);
	assert_int_equal(r->data, HEADROOM);
	/* nothing but the record was written */
	assert_memory_equal(r->buf, r->before, HEADROOM - 24);
	assert_memory_equal(r->buf + HEADROOM, r->before + HEADROOM, PKT_LEN);
	if (d->meta_fails) {
		assert_int_equal(r->data_meta, HEADROOM);
		assert_memory_equal(rec, r->before + HEADROOM - 24, 24);
		assert_int_equal(r->kfunc_calls, 0);
		return;
	}
	assert_int_equal(r->data_meta, HEADROOM - 24);
	assert_int_equal(r->kfunc_calls, __builtin_popcount(hints));
	memcpy(&h, rec, sizeof(h));
	assert_int_equal(h.version, 1);
	assert_int_equal(h.size, 24);
	assert_int_equal(h.reserved, 0);
	assert_int_equal(h.valid, valid);
	assert_true(h.timestamp ==
		    (valid & XSK_HINT_TIMESTAMP ? TIMESTAMP : 0));
	assert_int_equal(h.hash, valid & XSK_HINT_HASH ? HASH : 0);
	assert_int_equal(h.hash_type, valid & XSK_HINT_HASH ? HASH_TYPE : 0);
	assert_int_equal(h.vlan_proto,
			 valid & XSK_HINT_VLAN ? htons(0x8100) : 0);
	assert_int_equal(h.vlan_tci, valid & XSK_HINT_VLAN ? VLAN_TCI : 0);
}

static void program_runs(void **state)
{
	struct xsk_prog *p = NULL;
	struct driver d;
	uint32_t ids[3];
	unsigned int hints, failing;
	size_t len;
	struct run r;

	(void)state;
	fbtf_vmlinux(7, &len, ids);
	for (hints = 1; hints < 8; hints++) {
		struct xsk_prog_opts o =
			XSK_OPTS(xsk_prog_opts, .hints = hints);

		if (attach(&p, &o))
			fail_msg("hints %u: %s", hints, xsk_errmsg());
		for (failing = 0; failing < 8; failing++) {
			if (failing & ~hints)
				continue;
			d = (struct driver){ .failing = failing };
			run(&r, attached_prog(FAKE_IFINDEX), &d, ids);
			check_record(&r, hints, &d, xsk_prog_map_fd(p));
		}
		/* no metadata area: delivered without a record */
		d = (struct driver){ .meta_fails = true };
		run(&r, attached_prog(FAKE_IFINDEX), &d, ids);
		check_record(&r, hints, &d, xsk_prog_map_fd(p));
		assert_int_equal(xsk_prog_destroy(p), 0);
	}
	assert_clean();
}

/* ------------------------------------------------------ refusals */

static void refuse(const struct xsk_prog_opts *o, int err, const char *msg)
{
	struct xsk_prog *p = SENTINEL;

	if (attach(&p, o) != err)
		fail_msg("expected %d: \"%s\"", err, xsk_errmsg());
	assert_msg(msg);
	assert_ptr_equal(p, SENTINEL);
	assert_clean();
}

static void bad_options(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .hints = 8);

	(void)state;
	refuse(&o, -EINVAL, "unknown bits 0x8");
	o.hints = XSK_HINT_HASH;
	o.flags = XSK_PROG_PASS_ONLY;
	refuse(&o, -EINVAL, "XSK_PROG_PASS_ONLY");
	o.flags = XSK_PROG_OWN_PROG;
	refuse(&o, -EINVAL, "XSK_PROG_OWN_PROG");
	o.flags = XSK_PROG_MAP_ONLY;
	refuse(&o, -EINVAL, "XSK_PROG_MAP_ONLY");
	/* refused before any syscall */
	o.flags = 0;
	o.mode = XSK_ATTACH_GENERIC;
	fake.calls = 0;
	refuse(&o, -EINVAL, "generic mode");
	assert_int_equal(fake.calls, 0);
}

static void old_kernels(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_ALL);
	struct xsk_prog *p;

	(void)state;
	fake_kernel(FAKE_4_18);
	refuse(&o, -EOPNOTSUPP, "CONFIG_DEBUG_INFO_BTF");
	fake_kernel(FAKE_6_1);
	refuse(&o, -EOPNOTSUPP,
	       "XSK_HINT_TIMESTAMP needs Linux 6.3: this kernel has no bpf_xdp_metadata_rx_timestamp");
	/* 6.3 to 6.7: hash and timestamp, no VLAN */
	fake.btf = fbtf_vmlinux(XSK_HINT_TIMESTAMP | XSK_HINT_HASH,
				&fake.btf_len, NULL);
	refuse(&o, -EOPNOTSUPP, "XSK_HINT_VLAN needs Linux 6.8");
	o.hints = XSK_HINT_HASH;
	if (attach(&p, &o))
		fail_msg("%s", xsk_errmsg());
	assert_int_equal(xsk_prog_destroy(p), 0);
	/* a kernel whose BTF this reader can't follow */
	fake.btf = "\x9f\xeb\x01\x00";
	fake.btf_len = 4;
	refuse(&o, -EBADMSG, "malformed");
	assert_int_equal(fbpf.loads, 1);
}

static void no_jit(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_HASH);

	(void)state;
	fbpf.no_jit = true;
	refuse(&o, -EOPNOTSUPP, "RX hints need the BPF JIT");
	assert_msg("JIT is required for calling kernel function");
	/* loaded again with a log, to tell */
	assert_int_equal(fbpf.loads, 2);
	assert_int_equal(fbpf.last_log_level, 1);
}

static void drivers(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_ALL);
	struct xsk_prog *p;

	(void)state;
	/* the kernel says the driver lacks a kfunc: refused before any
	 * object is made */
	fbpf.rx_metadata = 2; /* NETDEV_XDP_RX_METADATA_HASH */
	refuse(&o, -EOPNOTSUPP,
	       "the driver of fake0 does not implement the RX hints XSK_HINT_TIMESTAMP, XSK_HINT_VLAN");
	assert_int_equal(fbpf.loads, 0);
	o.hints = XSK_HINT_HASH;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_destroy(p), 0);

	/* kernels that can't say load it: the driver's stubs fail on each
	 * frame, and the record says so */
	o.hints = XSK_HINT_ALL;
	fbpf.no_rx_metadata = true;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_destroy(p), 0);
	fbpf.no_netdev_family = true;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_true(fbpf.genl_requests >= 5);

	/* no XDP in the driver: the kernel refuses a device-bound load */
	fbpf.no_native = true;
	refuse(&o, -EOPNOTSUPP, "its driver has no native XDP");
	o.flags = XSK_PROG_FRAGS;
	fbpf.no_native = false;
	fbpf.no_frags = true;
	refuse(&o, -EOPNOTSUPP, "older than 6.7");
	assert_clean();
}

static void headroom_multiple_of_8(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_HASH);
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 64);
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = "fake0");
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	struct xsk_prog *p, *plain;

	(void)state;
	uo.headroom = 100;
	assert_int_equal(xsk_umem_create(&umem, &uo), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &so), 0);
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_add_socket(p, xsk), -EINVAL);
	assert_msg("multiple of 8, and this UMEM's is 100");
	assert_int_equal(xsk_prog_destroy(p), 0);
	/* without hints, any headroom */
	assert_int_equal(attach(&plain, NULL), 0);
	assert_int_equal(xsk_prog_add_socket(plain, xsk), 0);
	assert_int_equal(xsk_prog_destroy(plain), 0);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);

	uo.headroom = 104;
	assert_int_equal(xsk_umem_create(&umem, &uo), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &so), 0);
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_add_socket(p, xsk), 0);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_clean();
}

/* Every wrapped call of an attach with hints fails in turn: the attach
 * fails with nothing left, or (a step that may fail quietly, like the
 * question to the netdev family) succeeds and is destroyed clean. */
static void faults(void **state)
{
	static const int errnos[] = { EIO, EINVAL, EPERM, ENOENT };
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_ALL);
	struct xsk_prog *p;
	unsigned int e, n, fails;
	int ret;

	(void)state;
	for (e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++) {
		fails = 0;
		for (n = 1;; n++) {
			fake_reset();
			fake_bpf_reset();
			fake.fail_at = n;
			fake.fail_errno = errnos[e];
			p = SENTINEL;
			ret = attach(&p, &o);
			if (ret) {
				assert_true(ret < 0);
				assert_ptr_equal(p, SENTINEL);
				assert_true(xsk_errmsg()[0] != '\0');
				fails++;
			} else {
				assert_int_equal(xsk_prog_destroy(p), 0);
			}
			assert_clean();
			if (!fake.failed)
				break;
		}
		/* open, each read, the genl socket calls, the map, the
		 * load, the link, the query: at least these */
		assert_true(fails >= 6);
		assert_true(n > 15);
	}
}

/* --------------------------------------------------- the reader */

#define CHUNK 2048u
#define NCHUNKS 4u

static uint64_t umem_buf[CHUNK * NCHUNKS / 8];

static void put_record(uint64_t data_addr, uint8_t version, uint8_t size)
{
	struct xsk_hints h = { .hash = 42, .valid = XSK_HINT_HASH };

	h.version = version;
	h.size = size;
	memcpy((char *)umem_buf + data_addr - sizeof(h), &h, sizeof(h));
}

static void reader(void **state)
{
	struct xsk_umem_bounds u = { umem_buf, sizeof(umem_buf), CHUNK, 0 };
	struct xdp_desc d = { .len = 60 };
	const struct xsk_hints *h;

	(void)state;
	/* as the kernel delivers: chunk 1, headroom 0 + 256 */
	memset(umem_buf, 0, sizeof(umem_buf));
	d.addr = CHUNK + 256;
	assert_null(xsk_rx_hints(&u, &d)); /* zeroes: no record */
	put_record(d.addr, 1, 24);
	h = xsk_rx_hints(&u, &d);
	assert_ptr_equal(h, (char *)umem_buf + d.addr - 24);
	assert_int_equal(h->hash, 42);
	/* a later version, larger, in the same chunk */
	put_record(d.addr, 2, 40);
	assert_non_null(xsk_rx_hints(&u, &d));
	/* sizes that don't fit the record or the chunk */
	put_record(d.addr, 1, 16);
	assert_null(xsk_rx_hints(&u, &d));
	put_record(d.addr, 0, 24);
	assert_null(xsk_rx_hints(&u, &d));
	d.addr = CHUNK + 104;
	put_record(d.addr, 2, 104);
	assert_non_null(xsk_rx_hints(&u, &d));
	put_record(d.addr, 2, 112);
	assert_null(xsk_rx_hints(&u, &d));
	/* data at less than a record into its chunk: it would be read from
	 * the chunk before */
	put_record(CHUNK + 24, 1, 24);
	d.addr = CHUNK + 16;
	assert_null(xsk_rx_hints(&u, &d));
	d.addr = CHUNK + 24;
	assert_non_null(xsk_rx_hints(&u, &d));
	/* misaligned */
	put_record(CHUNK + 260, 1, 24);
	d.addr = CHUNK + 260;
	assert_null(xsk_rx_hints(&u, &d));
	/* descriptors outside the UMEM, or crossing a chunk */
	d.addr = sizeof(umem_buf);
	assert_null(xsk_rx_hints(&u, &d));
	d.addr = CHUNK + 2000;
	d.len = 100;
	assert_null(xsk_rx_hints(&u, &d));

	/* unaligned mode: the kernel's offset from the chunk start is in
	 * the top bits */
	u.unaligned = 1;
	d.len = 60;
	put_record(1000 + 256, 1, 24);
	d.addr = 1000 | (256ull << 48);
	h = xsk_rx_hints(&u, &d);
	assert_ptr_equal(h, (char *)umem_buf + 1000 + 256 - 24);
	d.addr = (1000 + 256 - 8) | (8ull << 48); /* offset below a record */
	assert_null(xsk_rx_hints(&u, &d));
	d.addr = (uint64_t)sizeof(umem_buf) | (256ull << 48);
	assert_null(xsk_rx_hints(&u, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(decode, setup),
		cmocka_unit_test_setup(program_runs, setup),
		cmocka_unit_test_setup(bad_options, setup),
		cmocka_unit_test_setup(old_kernels, setup),
		cmocka_unit_test_setup(no_jit, setup),
		cmocka_unit_test_setup(drivers, setup),
		cmocka_unit_test_setup(headroom_multiple_of_8, setup),
		cmocka_unit_test_setup(faults, setup),
		cmocka_unit_test_setup(reader, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
