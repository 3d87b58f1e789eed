// SPDX-License-Identifier: MIT
/*
 * RX hints on a real kernel, run by tests/netns.sh inside a private network
 * namespace holding one end of a veth pair (XSK_IF, native XDP); the other
 * end (XSK_PEER_IF) is in XSK_PEER_NS. Frames go only between the two.
 *
 * The peer sends IPv4/UDP frames of a few flows (different source ports)
 * from an AF_PACKET socket; sockets on both queues receive them with the
 * hints program attached, and each frame's record is checked against what
 * veth's kfuncs do (drivers/net/veth.c): the hash is the socket buffer's
 * flow hash (skb_get_hash()), its type XSK_RSS_L4 for an L4 hash and 0
 * otherwise (veth knows no more); the VLAN tag is the one the socket
 * buffer carries out of band; the timestamp is the socket buffer's
 * hardware timestamp, which veth gives with success even when there is
 * none: then it is valid and 0.
 *
 * The kernel here has no 802.1Q interfaces (CONFIG_VLAN_8021Q may be off),
 * so tagged frames come from a TCX egress program on the peer that pushes
 * the tag with bpf_skb_vlan_push(), out of band, as a VLAN device on a
 * driver with VLAN offload would. Each refusal that a real system can
 * show is provoked: generic mode, a driver without the kfuncs (a TAP
 * device), no kernel BTF and a kernel without the kfuncs (a private mount
 * namespace with a tmpfs over /sys/kernel/btf).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <cmocka.h>

#include <xsk.h>
#include "kernutil.h"
#include "testutil.h"

#define NFRAMES 256u
#define FRAME 4096u
#define PER_QUEUE (NFRAMES / 2)
#define MAGIC "LIBXSKHI"
#define PAYLOAD_OFF (14 + 20 + 8)
#define FRAME_LEN 64u
#define ETH_P_TEST 0x88b5 /* IEEE local experimental */
#define NFLOWS 4u
#define PER_FLOW 8u

#ifndef BPF_TCX_EGRESS
#define BPF_TCX_EGRESS 47 /* Linux 6.6 */
#endif

/* ------------------------------------------------------------- frames */

/*
 * Ethernet to our end, IPv4 198.18.0.1 to 198.18.0.2 (the benchmarking
 * range), UDP from port 1000 + @flow to 9, then the magic, the flow and a
 * sequence number. @ip false: the same payload under a private EtherType.
 */
static size_t make_frame(uint8_t *f, unsigned int flow, unsigned int seq,
			 bool ip)
{
	uint8_t *h = f + 14, *u = h + 20, *p = ip ? u + 8 : h;
	uint32_t sum = 0;
	int i;

	memset(f, 0, FRAME_LEN);
	memcpy(f, kern.mac, 6);
	memcpy(f + 6, kern.peer_mac, 6);
	f[12] = ip ? 0x08 : ETH_P_TEST >> 8;
	f[13] = ip ? 0x00 : ETH_P_TEST & 0xff;
	memcpy(p, MAGIC, 8);
	p[8] = (uint8_t)flow;
	p[9] = (uint8_t)seq;
	if (!ip)
		return FRAME_LEN;
	h[0] = 0x45;
	h[3] = FRAME_LEN - 14;
	h[8] = 64;
	h[9] = 17; /* UDP */
	memcpy(h + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h[10] = (uint8_t)(~sum >> 8);
	h[11] = (uint8_t)~sum;
	u[0] = (uint8_t)((1000 + flow) >> 8);
	u[1] = (uint8_t)(1000 + flow);
	u[3] = 9;
	u[5] = FRAME_LEN - 14 - 20; /* UDP length; checksum 0: none */
	return FRAME_LEN;
}

/* --------------------------------------------------------------- rig */

struct rig {
	struct xsk_umem *umem;
	struct xsk_socket *xsk[2];
	struct xsk_prog *prog;
	struct xsk_umem_bounds b;
	uint32_t headroom;
};

static int base_fds;
static struct rig *live; /* the rig up (static: a failed case returns) */

static void rig_up(struct rig *r, const struct xsk_prog_opts *po,
		   uint32_t headroom)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = NFRAMES,
					   .frame_size = FRAME,
					   .headroom = headroom);
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = kern.ifname,
			 .flags = XSK_SOCKET_NO_TX, .bind_wait_ms = 1000);
	struct xsk_ring_prod *fq;
	uint32_t q, i, idx;

	base_fds = kern_count_fds();
	memset(r, 0, sizeof(*r));
	live = r;
	r->headroom = headroom;
	if (xsk_umem_create(&r->umem, &uo))
		fail_msg("xsk_umem_create: %s", xsk_errmsg());
	assert_int_equal(xsk_umem_get_bounds(r->umem, &r->b), 0);
	/* the application's own headroom: a pattern the kernel must not
	 * touch */
	memset(r->b.area, 0xa5, r->b.size);
	for (q = 0; q < 2; q++) {
		so.queue_id = q;
		if (xsk_socket_create(&r->xsk[q], r->umem, &so))
			fail_msg("xsk_socket_create(queue %u): %s", q,
				 xsk_errmsg());
		fq = xsk_socket_fill(r->xsk[q]);
		assert_int_equal(xsk_ring_prod__reserve(fq, PER_QUEUE, &idx),
				 PER_QUEUE);
		for (i = 0; i < PER_QUEUE; i++)
			*xsk_ring_prod__fill_addr(fq, idx + i) =
				(uint64_t)(q * PER_QUEUE + i) * FRAME;
		xsk_ring_prod__submit(fq, PER_QUEUE);
	}
	if (xsk_prog_attach(&r->prog, kern.ifname, 0, po))
		fail_msg("xsk_prog_attach: %s", xsk_errmsg());
	assert_int_equal(xsk_prog_mode(r->prog), XSK_ATTACH_NATIVE);
	for (q = 0; q < 2; q++)
		if (xsk_prog_add_socket(r->prog, r->xsk[q]))
			fail_msg("xsk_prog_add_socket: %s", xsk_errmsg());
}

static void rig_down(struct rig *r)
{
	live = NULL;
	assert_int_equal(xsk_prog_destroy(r->prog), 0);
	assert_int_equal(xsk_socket_destroy(r->xsk[1]), 0);
	assert_int_equal(xsk_socket_destroy(r->xsk[0]), 0);
	assert_int_equal(xsk_umem_destroy(r->umem), 0);
	assert_int_equal(kern_count_fds(), base_fds);
}

/* After a case: what a failed one left up is released, so that the next
 * case finds the interface without a program and queue 0 free. */
static int rig_teardown(void **state)
{
	struct rig *r = live;
	int err = 0;

	(void)state;
	if (!r)
		return 0;
	live = NULL;
	err |= xsk_prog_destroy(r->prog);
	err |= xsk_socket_destroy(r->xsk[1]);
	err |= xsk_socket_destroy(r->xsk[0]);
	err |= xsk_umem_destroy(r->umem);
	return err ? -1 : 0;
}

/* One of our frames as it arrived. */
struct got {
	unsigned int flow, seq;
	uint8_t ethertype[2];
	bool record;
	struct xsk_hints h;
};

/* Take what the RX rings hold, keep our frames' records, give the frames
 * back; until @want of ours came or two seconds passed. */
static unsigned int receive(struct rig *r, struct got *g, unsigned int want)
{
	const struct xsk_hints *h;
	const struct xdp_desc *d;
	struct xsk_ring_cons *rx;
	struct xsk_ring_prod *fq;
	double end = kern_now() + 2;
	unsigned int n = 0, q, i, k;
	uint32_t idx, fidx, got;
	const uint8_t *f, *p;
	uint64_t chunk;

	while (n < want && kern_now() < end) {
		for (q = 0; q < 2; q++) {
			rx = xsk_socket_rx(r->xsk[q]);
			fq = xsk_socket_fill(r->xsk[q]);
			xsk_socket_poll(r->xsk[q], POLLIN, 10);
			got = xsk_ring_cons__peek(rx, 64, &idx);
			if (!got)
				continue;
			assert_int_equal(xsk_ring_prod__reserve(fq, got, &fidx),
					 got);
			for (i = 0; i < got; i++) {
				d = xsk_ring_cons__rx_desc(rx, idx + i);
				chunk = d->addr - d->addr % FRAME;
				*xsk_ring_prod__fill_addr(fq, fidx + i) = chunk;
				/* copy mode: the UMEM headroom, then the
				 * kernel's 256, then the data */
				assert_int_equal(d->addr - chunk,
						 r->headroom + 256);
				/* the application's headroom is untouched */
				f = xsk_umem__get_data(r->b.area, chunk);
				for (k = 0; k < r->headroom; k++)
					assert_int_equal(f[k], 0xa5);
				f = xsk_umem__get_data(r->b.area, d->addr);
				/* an 802.1Q header in the frame: skip it */
				k = f[12] == 0x81 && f[13] == 0 ? 4 : 0;
				p = f + k +
				    (f[12 + k] == 0x08 ? PAYLOAD_OFF : 14);
				if (d->len < FRAME_LEN || memcmp(p, MAGIC, 8) ||
				    n == want)
					continue;
				g[n].flow = p[8];
				g[n].seq = p[9];
				memcpy(g[n].ethertype, f + 12, 2);
				h = xsk_rx_hints(&r->b, d);
				g[n].record = h != NULL;
				if (h)
					g[n].h = *h;
				n++;
			}
			xsk_ring_cons__release(rx, got);
			xsk_ring_prod__submit(fq, got);
		}
	}
	return n;
}

static void send_frames(int fd, unsigned int nflows, unsigned int per_flow,
			bool ip)
{
	uint8_t f[FRAME_LEN];
	unsigned int i, flow;

	for (i = 0; i < per_flow; i++)
		for (flow = 0; flow < nflows; flow++) {
			make_frame(f, flow, i, ip);
			assert_int_equal(send(fd, f, FRAME_LEN, 0), FRAME_LEN);
		}
}

/* IPv4/UDP frames with an 802.1Q header (VLAN 9) in the frame itself. */
static void send_inline_tagged(int fd, unsigned int n)
{
	uint8_t f[FRAME_LEN + 4];
	unsigned int i;

	for (i = 0; i < n; i++) {
		make_frame(f, 0, i, true);
		memmove(f + 16, f + 12, FRAME_LEN - 12);
		memcpy(f + 12, "\x81\x00\x00\x09", 4);
		assert_int_equal(send(fd, f, sizeof(f), 0), (ssize_t)sizeof(f));
	}
}

/* -------------------------------------------------------- the hints */

static void print_record(const char *what, const struct got *g)
{
	printf("# veth, %s: valid 0x%x timestamp %llu hash 0x%08x type 0x%x vlan %04x/%04x\n",
	       what, g->h.valid, (unsigned long long)g->h.timestamp, g->h.hash,
	       g->h.hash_type, ntohs(g->h.vlan_proto), g->h.vlan_tci);
}

/* ---------------------------------------------- kernels without hints */

static uint64_t features;

/*
 * Does the kernel lack one of @hints (xsk_probe() says)? Then asking for
 * them must be refused before anything is made, naming the Linux version
 * of the first one missing, in the order the library checks them
 * (timestamp and hash 6.3, VLAN 6.8); or, where the kernel has no BTF at
 * all, the option it lacks. What 5.10 and 6.1 show instead of the hints.
 */
static bool refused(uint32_t hints)
{
	static const struct {
		uint32_t hint;
		uint64_t feature;
		const char *why;
	} need[] = {
		{ XSK_HINT_TIMESTAMP, XSK_FEATURE_RX_TIMESTAMP,
		  "XSK_HINT_TIMESTAMP needs Linux 6.3" },
		{ XSK_HINT_HASH, XSK_FEATURE_RX_HASH,
		  "XSK_HINT_HASH needs Linux 6.3" },
		{ XSK_HINT_VLAN, XSK_FEATURE_RX_VLAN,
		  "XSK_HINT_VLAN needs Linux 6.8" },
	};
	struct xsk_prog_opts po = XSK_OPTS(xsk_prog_opts, .hints = hints);
	const char *want = NULL;
	struct xsk_prog *p = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(need) / sizeof(need[0]) && !want; i++)
		if ((hints & need[i].hint) && !(features & need[i].feature))
			want = need[i].why;
	if (!want)
		return false;
	if (access("/sys/kernel/btf/vmlinux", F_OK))
		want = "CONFIG_DEBUG_INFO_BTF";
	ret = xsk_prog_attach(&p, kern.ifname, 0, &po);
	if (!ret) {
		xsk_prog_destroy(p);
		fail_msg(
			"the kernel lacks a hint, and the program was attached");
	}
	printf("# refused: %s\n", xsk_errmsg());
	assert_int_equal(ret, -EOPNOTSUPP);
	assert_msg(want);
	assert_null(p);
	return true;
}

static void hash_and_timestamp(void **state)
{
	struct xsk_prog_opts po =
		XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_ALL);
	struct got g[NFLOWS * PER_FLOW], l2[PER_FLOW];
	uint32_t hash[NFLOWS] = { 0 };
	unsigned int n, i, j;
	static struct rig r; /* outlives a failure, for rig_teardown() */
	int fd;

	(void)state;
	if (refused(po.hints))
		return;
	rig_up(&r, &po, 0);
	fd = kern_peer_socket();
	assert_true(fd >= 0);
	send_frames(fd, NFLOWS, PER_FLOW, true);
	n = receive(&r, g, NFLOWS * PER_FLOW);
	assert_int_equal(n, NFLOWS * PER_FLOW);
	for (i = 0; i < n; i++) {
		assert_true(g[i].record);
		/* hash and timestamp given, no tag on these */
		assert_int_equal(g[i].h.valid,
				 XSK_HINT_HASH | XSK_HINT_TIMESTAMP);
		assert_int_equal(g[i].h.version, XSK_HINTS_VERSION);
		assert_int_equal(g[i].h.size, sizeof(struct xsk_hints));
		assert_true(g[i].h.hash != 0);
		/* an L4 hash; veth can't say more than that */
		assert_int_equal(g[i].h.hash_type, XSK_RSS_L4);
		/* no hardware timestamp on a veth frame: "valid", 0 */
		assert_true(g[i].h.timestamp == 0);
		assert_int_equal(g[i].h.vlan_proto, 0);
		assert_int_equal(g[i].h.vlan_tci, 0);
		/* one flow, one hash */
		if (!hash[g[i].flow])
			hash[g[i].flow] = g[i].h.hash;
		assert_int_equal(g[i].h.hash, hash[g[i].flow]);
	}
	for (i = 0; i < NFLOWS; i++)
		for (j = i + 1; j < NFLOWS; j++)
			assert_true(hash[i] != hash[j]);
	print_record("IPv4/UDP", &g[0]);

	/* not IP: a hash over what there is, of no L4 type */
	send_frames(fd, 1, PER_FLOW, false);
	assert_int_equal(receive(&r, l2, PER_FLOW), PER_FLOW);
	for (i = 0; i < PER_FLOW; i++) {
		assert_true(l2[i].record);
		assert_int_equal(l2[i].h.valid,
				 XSK_HINT_HASH | XSK_HINT_TIMESTAMP);
		assert_int_equal(l2[i].h.hash_type, 0);
	}
	print_record("EtherType 0x88b5", &l2[0]);
	close(fd);
	rig_down(&r);
}

/* Only the hints asked for are collected; the others stay 0. */
static void only_what_is_asked(void **state)
{
	struct xsk_prog_opts po =
		XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_HASH);
	struct got g[PER_FLOW];
	unsigned int i;
	static struct rig r; /* outlives a failure, for rig_teardown() */
	int fd;

	(void)state;
	if (refused(po.hints))
		return;
	/* and a UMEM headroom, which the record does not touch */
	rig_up(&r, &po, 512);
	fd = kern_peer_socket();
	assert_true(fd >= 0);
	send_frames(fd, 1, PER_FLOW, true);
	assert_int_equal(receive(&r, g, PER_FLOW), PER_FLOW);
	for (i = 0; i < PER_FLOW; i++) {
		assert_true(g[i].record);
		assert_int_equal(g[i].h.valid, XSK_HINT_HASH);
		assert_true(g[i].h.timestamp == 0);
	}
	close(fd);
	rig_down(&r);
}

/* ----------------------------------------------------------- VLAN tags */

static int bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* A TCX egress link on the peer's end (made in its namespace) for the
 * program whose fd @arg points at. */
static int tcx_link(void *arg)
{
	const int *prog_fd = arg;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)*prog_fd;
	a.link_create.target_ifindex = if_nametoindex(kern.peer_if);
	a.link_create.attach_type = BPF_TCX_EGRESS;
	return bpf(BPF_LINK_CREATE, &a);
}

/* "r2 = proto; r3 = tci; call bpf_skb_vlan_push; r0 = 0; exit" on the
 * peer's egress: every frame it sends carries the tag out of band. */
static int tag_peer_frames(uint16_t proto, uint16_t tci)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_2,
		  .imm = htons(proto) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_3,
		  .imm = tci },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_skb_vlan_push },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char license[] = "Dual MIT/GPL";
	union bpf_attr a;
	int fd, link;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uintptr_t)prog;
	a.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	a.license = (uintptr_t)license;
	fd = bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		return -1;
	link = kern_in_peer(tcx_link, &fd);
	close(fd);
	return link;
}

static void vlan_tags(void **state)
{
	static const struct {
		uint16_t proto, tci;
		const char *what;
	} tags[] = {
		{ 0x8100, 3 << 13 | 5, "802.1Q, priority 3, VLAN 5" },
		{ 0x88a8, 7, "802.1ad, VLAN 7" },
	};
	struct xsk_prog_opts po =
		XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_ALL);
	struct got g[PER_FLOW];
	unsigned int i, t;
	int fd, link, off = 0;
	static struct rig r; /* outlives a failure, for rig_teardown() */

	(void)state;
	if (refused(po.hints))
		return;
	rig_up(&r, &po, 0);
	fd = kern_peer_socket();
	assert_true(fd >= 0);
	/* through the peer's egress hook, which the direct path skips */
	assert_int_equal(setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &off,
				    sizeof(off)),
			 0);
	for (t = 0; t < 2; t++) {
		link = tag_peer_frames(tags[t].proto, tags[t].tci);
		if (link < 0)
			fail_msg(
				"a TCX link on the peer (Linux 6.6, as old as VLAN hints need): %s",
				strerror(errno));
		send_frames(fd, 1, PER_FLOW, true);
		assert_int_equal(receive(&r, g, PER_FLOW), PER_FLOW);
		close(link);
		for (i = 0; i < PER_FLOW; i++) {
			assert_true(g[i].record);
			assert_int_equal(g[i].h.valid, XSK_HINT_ALL);
			assert_int_equal(ntohs(g[i].h.vlan_proto),
					 tags[t].proto);
			assert_int_equal(g[i].h.vlan_tci, tags[t].tci);
			/* the frame itself arrives untagged: the tag is
			 * only in the hint */
			assert_memory_equal(g[i].ethertype, "\x08\x00", 2);
			assert_int_equal(g[i].h.hash_type, XSK_RSS_L4);
		}
		print_record(tags[t].what, &g[0]);
	}
	/* the link is gone: untagged again, and the VLAN hint invalid */
	send_frames(fd, 1, PER_FLOW, true);
	assert_int_equal(receive(&r, g, PER_FLOW), PER_FLOW);
	for (i = 0; i < PER_FLOW; i++)
		assert_int_equal(g[i].h.valid,
				 XSK_HINT_HASH | XSK_HINT_TIMESTAMP);
	/* a tag written into the frame stays there: veth reports only the
	 * tag a socket buffer carries out of band */
	send_inline_tagged(fd, PER_FLOW);
	assert_int_equal(receive(&r, g, PER_FLOW), PER_FLOW);
	for (i = 0; i < PER_FLOW; i++) {
		assert_int_equal(g[i].h.valid,
				 XSK_HINT_HASH | XSK_HINT_TIMESTAMP);
		assert_memory_equal(g[i].ethertype, "\x81\x00", 2);
	}
	print_record("802.1Q header in the frame", &g[0]);
	close(fd);
	rig_down(&r);
}

/* ------------------------------------------------------------ refusals */

static void refusals(void **state)
{
	struct xsk_prog_opts po = XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_ALL,
					   .mode = XSK_ATTACH_GENERIC);
	struct xsk_prog *p = NULL;
	int fds = kern_count_fds();

	(void)state;
	if (refused(po.hints))
		return;
	assert_int_equal(xsk_prog_attach(&p, kern.ifname, 0, &po), -EINVAL);
	printf("# generic mode: %s\n", xsk_errmsg());
	assert_non_null(strstr(xsk_errmsg(), "generic mode"));

	/* a TAP device: native XDP, none of the kfuncs */
	po.mode = XSK_ATTACH_AUTO;
	if (kern_sh("ip tuntap add dev hxtap0 mode tap 2>/dev/null") == 0) {
		assert_int_equal(xsk_prog_attach(&p, "hxtap0", 0, &po),
				 -EOPNOTSUPP);
		printf("# TAP: %s\n", xsk_errmsg());
		assert_non_null(strstr(
			xsk_errmsg(),
			"the driver of hxtap0 does not implement the RX hints XSK_HINT_TIMESTAMP, XSK_HINT_HASH, XSK_HINT_VLAN"));
		assert_int_equal(kern_sh("ip link del hxtap0"), 0);
	} else {
		printf("# no TAP device here (/dev/net/tun): not tried\n");
	}

	/* what the probe says is what attach finds */
	assert_true(features & XSK_FEATURE_RX_TIMESTAMP);
	assert_true(features & XSK_FEATURE_RX_HASH);
	assert_true(features & XSK_FEATURE_RX_VLAN);

	/* multi-buffer and hints together (6.7) */
	po.flags = XSK_PROG_FRAGS;
	if (xsk_prog_attach(&p, kern.ifname, 0, &po))
		fail_msg("%s", xsk_errmsg());
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_int_equal(kern_count_fds(), fds);
}

/* In a private mount namespace, /sys/kernel/btf becomes an empty tmpfs,
 * or holds a vmlinux without the kfuncs (a kernel before 6.3): a BTF
 * header, one type (int) and its name. */
static int without_kfuncs_child(bool empty)
{
	static const uint8_t btf[] = {
		0x9f, 0xeb, 1,	 0,   24, 0, 0, 0, /* magic, v1, header length */
		0,    0,    0,	 0,   16, 0, 0, 0, /* types: at 0, 16 bytes */
		16,   0,    0,	 0,   5,  0, 0, 0, /* strings: at 16, 5 bytes */
		1,    0,    0,	 0,   0,  0, 0, 1, 4,
		0,    0,    0,	 32,  0,  0, 1, /* int */
		0,    'i',  'n', 't', 0,
	};
	struct xsk_prog_opts po =
		XSK_OPTS(xsk_prog_opts, .hints = XSK_HINT_HASH);
	const char *want = empty ? "CONFIG_DEBUG_INFO_BTF" :
				   "XSK_HINT_HASH needs Linux 6.3";
	struct xsk_prog *p = NULL;
	int fd, err;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("none", "/sys/kernel/btf", "tmpfs", 0, "size=64k"))
		return 77;
	if (!empty) {
		fd = open("/sys/kernel/btf/vmlinux",
			  O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
		if (fd < 0 || write(fd, btf, sizeof(btf)) != sizeof(btf))
			return 77;
		close(fd);
	}
	err = xsk_prog_attach(&p, kern.ifname, 0, &po);
	printf("# %s: %s\n", empty ? "no BTF" : "BTF without the kfuncs",
	       xsk_errmsg());
	fflush(stdout);
	return err == -EOPNOTSUPP && strstr(xsk_errmsg(), want) ? 0 : 1;
}

static void without_kfuncs(void **state)
{
	int status, empty;
	pid_t pid;

	(void)state;
	for (empty = 0; empty < 2; empty++) {
		fflush(stdout);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(without_kfuncs_child(empty));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 77)
			skip();
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(hash_and_timestamp, rig_teardown),
		cmocka_unit_test_teardown(only_what_is_asked, rig_teardown),
		cmocka_unit_test_teardown(vlan_tags, rig_teardown),
		cmocka_unit_test_teardown(refusals, rig_teardown),
		cmocka_unit_test_teardown(without_kfuncs, rig_teardown),
	};
	int rc = kern_init();

	if (rc)
		return rc;
	if (xsk_probe(&features)) {
		printf("SKIP: xsk_probe: %s\n", xsk_errmsg());
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
