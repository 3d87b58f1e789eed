// SPDX-License-Identifier: MIT
/*
 * The rest of AF_XDP against the real kernel: every answer of xsk_probe()
 * is checked against what the library can actually do, and where the
 * kernel has a feature, frames cross the veth pair with it: unaligned
 * chunks straddling page boundaries, a checksum computed through TX
 * metadata, and 9000-byte frames in several buffers. Where the kernel
 * lacks a feature, the library must say so, not crash.
 *
 * The whole program runs on CPU 0, so the peer's AF_PACKET frames (sent
 * with PACKET_QDISC_BYPASS, which picks the queue by CPU) arrive on queue 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <xsk/multibuf.h>
#include <xsk/txmeta.h>
#include "traffic.h"
#include "testutil.h"

#define STREAM 0xfea7 /* the stream id of this file's frames */

static uint64_t features;
static int peer = -1;

static bool has(uint64_t feature)
{
	return features & feature;
}

/* A socket on queue 0 of @uo's UMEM with the built-in program; the first
 * half of the frames in the fill ring, the second half left for sending. */
static struct end *rx_end(struct env *env, const struct xsk_umem_opts *uo,
			  uint32_t sock_flags, uint32_t prog_flags)
{
	struct end *e = end_rx(env, 0, uo,
			       &(struct sock_cfg){ .flags = sock_flags },
			       &XSK_OPTS(xsk_prog_opts, .flags = prog_flags));

	end_fill(e, e->xsk[0], UINT32_MAX);
	return e;
}

/* Wait up to two seconds for @want RX descriptors; peek what came. */
static uint32_t rx_wait(struct xsk_socket *xsk, uint32_t want, uint32_t *idx)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(xsk);
	double end = kern_now() + 2;

	while (xsk_cons_nb_avail(rx, want) < want && kern_now() < end)
		xsk_socket_poll(xsk, POLLIN, 50);
	return xsk_ring_cons__peek(rx, want, idx);
}

/* Frame @seq of this file's stream from the peer, @len bytes, or fail. */
static void check_frame(const unsigned char *f, uint32_t len, uint32_t seq)
{
	const char *why =
		frame_check(f, len, kern.mac, kern.peer_mac, STREAM, len);

	if (why || frame_seq(f) != seq)
		fail_msg("frame %u: %s", seq, why ? why : "out of order");
}

/* A kernel without a feature: the library refuses it and names @version. */
static void assert_refused(int ret, const char *version)
{
	printf("  refused: %s\n", xsk_errmsg());
	assert_true(ret < 0);
	assert_msg(version);
}

/* A UMEM with @uo, refused by a kernel that lacks what it asks for. */
static void umem_refused(const struct xsk_umem_opts *uo, const char *version)
{
	struct xsk_umem *umem = NULL;

	assert_refused(xsk_umem_create(&umem, uo), version);
	assert_null(umem);
}

/* Does the kernel take an XDP program through a BPF link? Asked with a
 * pass program of its own, so that the answer does not depend on libxsk. */
static bool kernel_has_xdp_links(void)
{
	int prog = kern_pass_prog(0), link;
	union bpf_attr a;

	if (prog < 0)
		fail_msg("loading a pass program: %s", strerror(errno));
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.target_ifindex = if_nametoindex(kern.ifname);
	a.link_create.attach_type = BPF_XDP;
	link = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	printf("  BPF_LINK_CREATE for XDP: %s\n",
	       link < 0 ? strerror(errno) : "a link");
	if (link >= 0)
		close(link); /* the last reference: the program detaches */
	close(prog);
	return link >= 0;
}

/* ------------------------------------------------------- probe vs fact */

static void probe_matches_reality(void **state)
{
	struct xsk_socket_opts so = XSK_OPTS(
		xsk_socket_opts, .ifname = kern.ifname, .bind_wait_ms = 1000);
	struct xsk_stats st = { .sz = sizeof(st) };
	struct end *e = end_new(*state, 0), *e2 = end_new(*state, 0);
	struct end *e3 = end_new(*state, 0);
	struct xsk_socket *xsk;
	int ret;

	for (unsigned int i = 0; xsk_feature_name(1ull << i); i++)
		printf("  %-46s %s\n", xsk_feature_name(1ull << i),
		       has(1ull << i) ? "yes" : "no");

	assert_int_equal(xsk_umem_create(&e->umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&e->xsk[0], e->umem, &so), 0);
	xsk = e->xsk[0];
	assert_int_equal(kernel_has_xdp_links(), has(XSK_FEATURE_BPF_LINK));
	assert_int_equal(xsk_socket_stats(xsk, &st), 0);
	assert_int_equal(!!(st.flags & XSK_STATS_V2),
			 has(XSK_FEATURE_STATS_V2));
	ret = xsk_socket_zerocopy(xsk);
	assert_int_equal(ret >= 0, has(XSK_FEATURE_OPTIONS));
	ret = xsk_socket_busy_poll(xsk, 10, 8);
	assert_int_equal(ret == 0, has(XSK_FEATURE_BUSY_POLL));
	if (!ret)
		assert_int_equal(xsk_socket_busy_poll(xsk, 0, 0), 0);
	else
		assert_int_equal(ret, -EOPNOTSUPP);
	ret = xsk_socket_set_tx_budget(xsk, 64);
	assert_int_equal(ret == 0, has(XSK_FEATURE_TX_SKB_BUDGET));
	so.queue_id = 1;
	ret = xsk_socket_create(&e->xsk[1], e->umem, &so);
	assert_int_equal(ret == 0, has(XSK_FEATURE_SHARED_UMEM_QUEUES));
	if (!ret)
		assert_int_equal(end_socket_destroy(e, 1), 0);
	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(end_umem_destroy(e), 0);

	/* multi-buffer on a UMEM of its own */
	assert_int_equal(xsk_umem_create(&e2->umem, NULL), 0);
	so.queue_id = 1;
	so.flags = XSK_SOCKET_MULTI_BUFFER;
	ret = xsk_socket_create(&e2->xsk[0], e2->umem, &so);
	assert_int_equal(ret == 0, has(XSK_FEATURE_MULTI_BUFFER));
	if (ret)
		assert_msg("Linux 6.6");
	else
		assert_int_equal(end_socket_destroy(e2, 0), 0);
	assert_int_equal(end_umem_destroy(e2), 0);

	/* UMEM flags */
	struct xsk_umem_opts txmd =
		XSK_OPTS(xsk_umem_opts, .nframes = 64, .tx_metadata_len = 24);
	ret = xsk_umem_create(&e3->umem, &txmd);
	assert_int_equal(ret == 0, has(XSK_FEATURE_TX_METADATA));
	if (!ret)
		assert_int_equal(end_umem_destroy(e3), 0);
	else
		assert_int_equal(ret, -EOPNOTSUPP);
	struct xsk_umem_opts un = XSK_OPTS(xsk_umem_opts, .nframes = 64,
					   .frame_size = 3000,
					   .flags = XSK_UMEM_UNALIGNED);
	ret = xsk_umem_create(&e3->umem, &un);
	assert_int_equal(ret == 0, has(XSK_FEATURE_UNALIGNED));
	if (!ret)
		assert_int_equal(end_umem_destroy(e3), 0);
}

/* ---------------------------------------------------------- unaligned */

static void unaligned_straddling(void **state)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 64,
					   .frame_size = 3000,
					   .flags = XSK_UMEM_UNALIGNED);
	const uint32_t n = 32, len = 1400;
	unsigned int straddle = 0;
	struct end *r;
	uint32_t idx;

	if (!has(XSK_FEATURE_UNALIGNED)) {
		umem_refused(&uo, "Linux 5.4");
		return;
	}
	r = rx_end(*state, &uo, XSK_SOCKET_NO_TX, 0);
	peer_send(peer, STREAM, 0, n, len);
	assert_int_equal(rx_wait(r->xsk[0], n, &idx), n);
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(
			xsk_socket_rx(r->xsk[0]), idx + i);
		uint64_t at = xsk_umem__add_offset_to_addr(d->addr);

		assert_int_equal(d->len, len);
		/* the chunk is where the fill ring put it: 3000 apart */
		assert_int_equal(xsk_umem__extract_addr(d->addr) % 3000, 0);
		check_frame((unsigned char *)r->bounds.area + at, len, i);
		straddle += at / 4096 != (at + len - 1) / 4096;
	}
	xsk_ring_cons__release(xsk_socket_rx(r->xsk[0]), n);
	printf("  %u frames of %u bytes in 3000-byte chunks, %u across a 4 KiB page boundary\n",
	       n, len, straddle);
	assert_true(straddle > 0);
	end_destroy(r);
}

/* -------------------------------------------------------- TX metadata */

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const unsigned char *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The UDP pseudo-header sum (big-endian words) of frame @f. */
static uint32_t pseudo_sum(const unsigned char *f, uint16_t udp_len)
{
	return sum16(f + 26, 8, 0) + 17 + udp_len;
}

#define UDP_LEN 200u
#define IPV4_FRAME (14 + 20 + UDP_LEN)

/* An IPv4/UDP frame between two documentation addresses (RFC 5737; the
 * frame never leaves the veth pair) whose UDP checksum field holds the
 * folded pseudo-header sum, as checksum offload expects. */
static void make_udp(unsigned char *f, unsigned int seq)
{
	const unsigned char ip[20] = {
		0x45, 0, 0, 20 + UDP_LEN, 0, 0, 0x40, 0, 64, 17, 0, 0, 192,
		0,    2, 1, 192,	  0, 2, 2
	};
	uint16_t c;

	memcpy(f, kern.peer_mac, 6);
	memcpy(f + 6, kern.mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memcpy(f + 14, ip, sizeof(ip));
	c = (uint16_t)~fold(sum16(f + 14, 20, 0));
	f[24] = (unsigned char)(c >> 8);
	f[25] = (unsigned char)c;
	f[34] = 0x9c, f[35] = 0x40; /* ports 40000 -> 40001 */
	f[36] = 0x9c, f[37] = 0x41;
	f[38] = UDP_LEN >> 8;
	f[39] = UDP_LEN & 0xff;
	memcpy(f + 42, FRAME_MAGIC, 8);
	memcpy(f + 50, &seq, sizeof(seq));
	for (size_t i = 54; i < IPV4_FRAME; i++)
		f[i] = (unsigned char)(seq + i);
	c = fold(pseudo_sum(f, UDP_LEN));
	f[40] = (unsigned char)(c >> 8);
	f[41] = (unsigned char)c;
}

/* Wait at the peer for frame @seq of make_udp(); is its checksum right? */
static bool peer_udp_csum_ok(unsigned int seq)
{
	unsigned char f[2048];
	double end = kern_now() + 2;
	long n;

	while (kern_now() < end) {
		n = kern_peer_recv(peer, f, sizeof(f), 100);
		if (n != (long)IPV4_FRAME || memcmp(f + 42, FRAME_MAGIC, 8) ||
		    memcmp(f + 50, &seq, sizeof(seq)))
			continue;
		return fold(sum16(f + 34, UDP_LEN, pseudo_sum(f, UDP_LEN))) ==
		       0xffff;
	}
	fail_msg("frame %u never reached the peer", seq);
	return false;
}

static void tx_metadata_checksum(void **state)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 64,
					   .tx_metadata_len = 24,
					   .flags = XSK_UMEM_TX_SW_CSUM);
	struct xsk_socket *xsk;
	struct end *e;
	void *area;
	uint32_t idx, done = 0;

	if (!has(XSK_FEATURE_TX_METADATA)) {
		umem_refused(&uo, "Linux 6.8");
		return;
	}
	e = end_new(*state, 0);
	end_umem_opts(e, &uo);
	xsk = end_socket(*state, e, 0,
			 &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX,
					     .mode = XSK_MODE_COPY });
	area = e->bounds.area;

	/* frame 0 asks for the checksum, frame 1 doesn't: only frame 0
	 * may arrive with a valid one */
	for (unsigned int seq = 0; seq < 2; seq++) {
		uint64_t addr = (uint64_t)seq * 4096 + 256;
		struct xsk_tx_meta *m = xsk_tx_meta(area, addr, 24);
		struct xdp_desc *d;

		make_udp(xsk_umem__get_data(area, addr), seq);
		xsk_tx_meta_clear(m);
		xsk_tx_meta_checksum(m, 34, 6);
		xsk_tx_meta_timestamp(m);
		assert_int_equal(
			xsk_ring_prod__reserve(xsk_socket_tx(xsk), 1, &idx), 1);
		d = xsk_ring_prod__tx_desc(xsk_socket_tx(xsk), idx);
		d->addr = addr;
		d->len = IPV4_FRAME;
		d->options = seq == 0 ? XDP_TX_METADATA : 0;
		xsk_ring_prod__submit(xsk_socket_tx(xsk), 1);
		assert_int_equal(xsk_socket_kick_tx(xsk), 0);
		assert_int_equal(peer_udp_csum_ok(seq), seq == 0);
	}
	/* both come back on the completion ring */
	for (double end = kern_now() + 2; done < 2 && kern_now() < end;) {
		uint32_t got =
			xsk_ring_cons__peek(xsk_socket_comp(xsk), 2, &idx);
		xsk_ring_cons__release(xsk_socket_comp(xsk), got);
		done += got;
	}
	assert_int_equal(done, 2);
	printf("  checksum computed through TX metadata; TX timestamp %s\n",
	       xsk_tx_meta_completion_time(xsk_tx_meta(area, 256, 24)) ?
		       "given" :
		       "not given by this driver");
	assert_int_equal(end_socket_destroy(e, 0), 0);
	assert_int_equal(end_umem_destroy(e), 0);
}

/* ---------------------------------------------------------- huge pages */

/* The host's pool of 2 MiB pages: this case grows it by what it needs and
 * puts it back on every way out (the case's tear-down, exit, SIGTERM or
 * SIGINT), since the sysctl is not the namespace's but the machine's. */
#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
static long saved_hugepages = -1;

static long read_num(const char *path, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!key || !strncmp(line, key, strlen(key))) {
			v = strtol(line + (key ? strlen(key) : 0), NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static bool write_num(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

static void hugepages_restore(void)
{
	if (saved_hugepages < 0)
		return;
	if (!write_num(NR_HUGEPAGES, saved_hugepages))
		fprintf(stderr, "kern_features: could not put %s back to %ld\n",
			NR_HUGEPAGES, saved_hugepages);
	saved_hugepages = -1;
}

static void hugepages_on_signal(int sig)
{
	hugepages_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int hugepages_down(void **state)
{
	hugepages_restore();
	return env_teardown(state);
}

static void huge_page_umem(void **state)
{
	/* 4 MiB: two huge pages */
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 1024,
					   .flags = XSK_UMEM_HUGE_PAGES,
					   .numa_ifname = kern.ifname);
	struct xsk_umem *none = NULL;
	const uint32_t n = 32, len = 200;
	long have, free0, free1;
	struct end *r;
	uint32_t idx;

	/* With none free, the refusal names the sysctl. */
	if (read_num("/proc/meminfo", "HugePages_Free:") == 0) {
		assert_int_equal(xsk_umem_create(&none, &uo), -ENOMEM);
		assert_non_null(strstr(xsk_errmsg(), "vm.nr_hugepages"));
	}
	have = read_num(NR_HUGEPAGES, NULL);
	assert_true(have >= 0);
	saved_hugepages = have;
	atexit(hugepages_restore);
	signal(SIGTERM, hugepages_on_signal);
	signal(SIGINT, hugepages_on_signal);
	if (!write_num(NR_HUGEPAGES, have + 2) ||
	    read_num(NR_HUGEPAGES, NULL) < have + 2) {
		printf("  SKIP: the kernel could not reserve 2 more huge pages (memory too fragmented?)\n");
		skip();
	}
	free0 = read_num("/proc/meminfo", "HugePages_Free:");
	r = rx_end(*state, &uo, XSK_SOCKET_NO_TX, 0);
	assert_int_equal(xsk_umem_page_size(r->umem), 2u << 20);
	assert_int_equal((uintptr_t)xsk_umem_area(r->umem) % (2u << 20), 0);
	/* veth has no device: placed nowhere */
	assert_int_equal(xsk_umem_numa_node(r->umem), -1);
	/* registered, so pinned: the pool's pages are in use */
	free1 = read_num("/proc/meminfo", "HugePages_Free:");
	printf("  huge pages free: %ld before the UMEM, %ld with it\n", free0,
	       free1);
	assert_true(free1 <= free0 - 2);
	peer_send(peer, STREAM, 0, n, len);
	assert_int_equal(rx_wait(r->xsk[0], n, &idx), n);
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(
			xsk_socket_rx(r->xsk[0]), idx + i);

		assert_int_equal(d->len, len);
		check_frame((unsigned char *)r->bounds.area +
				    xsk_umem__add_offset_to_addr(d->addr),
			    len, i);
	}
	xsk_ring_cons__release(xsk_socket_rx(r->xsk[0]), n);
	end_destroy(r);
	hugepages_restore();
	assert_int_equal(read_num(NR_HUGEPAGES, NULL), have);
}

/* -------------------------------------------------------- multi-buffer */

static int mtu_down(void **state)
{
	kern_sh("ip link set dev %s mtu 1500", kern.ifname);
	kern_sh("ip -n %s link set dev %s mtu 1500", kern.peer_ns,
		kern.peer_if);
	return env_teardown(state);
}

static void multi_buffer_9000(void **state)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 256);
	static unsigned char pkt[FRAME_MAX_LEN];
	const uint32_t n = 8, len = 9014; /* MTU 9000 plus Ethernet */
	struct xsk_ring_cons *rx;
	struct xsk_mb_pkt p;
	struct xsk_mb_rx mb;
	uint32_t seq = 0, frags = 0, sent = 0;
	const char *why;
	double end;
	struct end *r;
	long got;

	if (!has(XSK_FEATURE_MULTI_BUFFER)) {
		struct end *e = end_new(*state, 0);

		end_umem_opts(e, &uo);
		assert_refused(
			xsk_socket_create(
				&e->xsk[0], e->umem,
				&XSK_OPTS(xsk_socket_opts,
					  .ifname = kern.ifname,
					  .flags = XSK_SOCKET_MULTI_BUFFER)),
			"Linux 6.6");
		assert_null(e->xsk[0]);
		return;
	}
	assert_int_equal(kern_sh("ip link set dev %s mtu 9000", kern.ifname),
			 0);
	assert_int_equal(kern_sh("ip -n %s link set dev %s mtu 9000",
				 kern.peer_ns, kern.peer_if),
			 0);
	r = rx_end(*state, &uo, XSK_SOCKET_MULTI_BUFFER, XSK_PROG_FRAGS);
	rx = xsk_socket_rx(r->xsk[0]);

	/* receive: each frame is a chain the reader hands out whole */
	xsk_mb_rx_init(&mb, rx, 0, &r->bounds);
	peer_send(peer, STREAM, 0, n, len);
	for (end = kern_now() + 2; seq < n && kern_now() < end;) {
		int ret = xsk_mb_rx_next(&mb, rx, &p);

		if (ret == 0) {
			xsk_socket_poll(r->xsk[0], POLLIN, 50);
			continue;
		}
		assert_int_equal(ret, 1);
		assert_int_equal(p.len, len);
		assert_int_equal(xsk_mb_rx_copy(&r->bounds, rx, &p, pkt,
						sizeof(pkt)),
				 0);
		check_frame(pkt, len, seq++);
		frags += p.nfrags;
	}
	xsk_mb_rx_release(&mb, rx);
	printf("  received %u frames of %u bytes in %u buffers\n", seq, len,
	       frags);
	assert_int_equal(seq, n);
	assert_int_equal(mb.malformed, 0);
	assert_true(frags >= 3 * n);

	/* send: each frame split over frames of the second half */
	for (uint32_t i = 0; i < n; i++) {
		frame_make(pkt, kern.peer_mac, kern.mac, STREAM, 100 + i, len);
		assert_int_equal(xsk_mb_tx_copy(xsk_socket_tx(r->xsk[0]),
						&r->txfr, r->bounds.area, 0,
						pkt, len),
				 3);
	}
	xsk_ring_prod__submit(xsk_socket_tx(r->xsk[0]), 3 * n);
	assert_int_equal(xsk_socket_kick_tx(r->xsk[0]), 0);
	for (end = kern_now() + 2; sent < n && kern_now() < end;) {
		got = kern_peer_recv(peer, pkt, sizeof(pkt), 100);
		if (got != (long)len || !frame_ours(pkt, len))
			continue;
		why = frame_check(pkt, len, kern.peer_mac, kern.mac, STREAM,
				  len);
		if (why || frame_seq(pkt) != 100 + sent)
			fail_msg("frame %u at the peer: %s", 100 + sent,
				 why ? why : "out of order");
		sent++;
	}
	printf("  sent %u frames of %u bytes as chains of 3\n", sent, len);
	assert_int_equal(sent, n);
	end_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KERN_CASE(probe_matches_reality),
		KERN_CASE(unaligned_straddling),
		KERN_CASE(tx_metadata_checksum),
		cmocka_unit_test_setup_teardown(huge_page_umem, env_setup,
						hugepages_down),
		cmocka_unit_test_setup_teardown(multi_buffer_9000, env_setup,
						mtu_down),
	};
	int ret = kern_start_on_cpu0(&peer);

	if (ret)
		return ret;
	if (xsk_probe(&features)) {
		printf("SKIP: %s\n", xsk_errmsg());
		return 77;
	}
	return cmocka_run_group_tests_name("features, real kernel", tests, NULL,
					   NULL);
}
