// SPDX-License-Identifier: MIT
/*
 * A libxdp program, ported: the data path of an AF_XDP application written
 * against libxdp's <xdp/xsk.h>, in the shape of the kernel's xdpsock sample
 * (rx_drop, tx_only and l2fwd loops; the program's own structs holding the
 * rings by value), built against libxsk and run over the veth pair that
 * tests/netns.sh provides.
 *
 * The file has two halves. The data path, first, is what "libxdp data-path
 * code compiles unchanged" promises: it uses only names from libxdp's
 * xsk.h (the ring helpers, the default sizes, xsk_umem__get_data() and the
 * address helpers, xsk_socket__fd()) and plain syscalls, and nothing of
 * libxsk's own. The set-up, second, is what a port rewrites: libxsk's
 * control path, and one copy of each ring struct into the program's
 * structs, as <xsk.h> allows (see xsk_socket_rx()).
 *
 * The peer end sends and receives with an AF_PACKET socket. The program
 * runs on CPU 0 so that the peer's frames (PACKET_QDISC_BYPASS picks the
 * queue by CPU) arrive on queue 0. Each case moves a bounded number of
 * frames within a bounded time and checks every one: order, length, bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <xsk.h>
#include "kernutil.h"

/* What the data path calls back into: the test half defines them. */
static void data_path_error(const char *what, int err);
static void on_rx(const char *pkt, uint32_t len);
static void fill_tx_frame(char *pkt, uint32_t *len);

/* ================================================ data path (libxdp) */

#define NUM_FRAMES (2 * XSK_RING_PROD__DEFAULT_NUM_DESCS)
#define BATCH_SIZE 64
#define MAX_TRIES 100000

struct xsk_umem_info {
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_umem *umem;
	void *buffer;
};

struct xsk_socket_info {
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_umem_info *umem;
	struct xsk_socket *xsk;
	unsigned long rx_npkts;
	unsigned long tx_npkts;
	uint32_t outstanding_tx;
	uint32_t frame_nb;
};

/* The first half of the frames go to the fill ring, the second half are
 * for tx_only. */
static void xsk_populate_fill_ring(struct xsk_umem_info *umem)
{
	uint32_t idx = 0, i;

	if (xsk_ring_prod__reserve(&umem->fq, XSK_RING_PROD__DEFAULT_NUM_DESCS,
				   &idx) != XSK_RING_PROD__DEFAULT_NUM_DESCS)
		data_path_error("xsk_ring_prod__reserve(fq)", ENOSPC);
	for (i = 0; i < XSK_RING_PROD__DEFAULT_NUM_DESCS; i++)
		*xsk_ring_prod__fill_addr(&umem->fq, idx++) =
			(uint64_t)i * XSK_UMEM__DEFAULT_FRAME_SIZE;
	xsk_ring_prod__submit(&umem->fq, XSK_RING_PROD__DEFAULT_NUM_DESCS);
}

static void kick_tx(struct xsk_socket_info *xsk)
{
	int ret;

	ret = sendto(xsk_socket__fd(xsk->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
	if (ret >= 0 || errno == ENOBUFS || errno == EAGAIN || errno == EBUSY ||
	    errno == ENETDOWN)
		return;
	data_path_error("sendto", errno);
}

static void wake_rx(struct xsk_socket_info *xsk)
{
	if (xsk_ring_prod__needs_wakeup(&xsk->umem->fq))
		recvfrom(xsk_socket__fd(xsk->xsk), NULL, 0, MSG_DONTWAIT, NULL,
			 NULL);
}

/*
 * Every frame is in the fill ring or in our hands, and the fill ring has a
 * slot for each, so room for the @n frames just taken is there, but maybe
 * not yet visible: the kernel publishes the RX entries first and the fill
 * entries it consumed for them just after (xsk_flush()).
 */
static void fq_reserve(struct xsk_socket_info *xsk, uint32_t n, uint32_t *idx)
{
	uint32_t tries = 0;

	while (xsk_ring_prod__reserve(&xsk->umem->fq, n, idx) != n) {
		if (++tries == MAX_TRIES)
			data_path_error("xsk_ring_prod__reserve(fq)", ENOSPC);
		wake_rx(xsk);
	}
}

static void complete_tx_only(struct xsk_socket_info *xsk)
{
	uint32_t idx_cq = 0, rcvd;

	if (!xsk->outstanding_tx)
		return;
	if (xsk_ring_prod__needs_wakeup(&xsk->tx))
		kick_tx(xsk);
	rcvd = xsk_ring_cons__peek(&xsk->umem->cq, BATCH_SIZE, &idx_cq);
	if (rcvd > 0) {
		xsk_ring_cons__release(&xsk->umem->cq, rcvd);
		xsk->outstanding_tx -= rcvd;
		xsk->tx_npkts += rcvd;
	}
}

/* Frames for tx_only: the second half of the UMEM, in turn. */
static void tx_only(struct xsk_socket_info *xsk, uint32_t batch)
{
	uint32_t idx = 0, i;

	if (xsk_ring_prod__reserve(&xsk->tx, batch, &idx) < batch) {
		complete_tx_only(xsk);
		return;
	}
	for (i = 0; i < batch; i++) {
		struct xdp_desc *tx_desc =
			xsk_ring_prod__tx_desc(&xsk->tx, idx + i);
		uint64_t addr = (uint64_t)(XSK_RING_PROD__DEFAULT_NUM_DESCS +
					   xsk->frame_nb)
				<< XSK_UMEM__DEFAULT_FRAME_SHIFT;

		tx_desc->addr = addr;
		tx_desc->options = 0;
		fill_tx_frame((char *)xsk_umem__get_data(xsk->umem->buffer,
							 addr),
			      &tx_desc->len);
		xsk->frame_nb = (xsk->frame_nb + 1) %
				(NUM_FRAMES - XSK_RING_PROD__DEFAULT_NUM_DESCS);
	}
	xsk_ring_prod__submit(&xsk->tx, batch);
	xsk->outstanding_tx += batch;
	complete_tx_only(xsk);
}

static void rx_drop(struct xsk_socket_info *xsk)
{
	uint32_t idx_rx = 0, idx_fq = 0, rcvd, i;

	rcvd = xsk_ring_cons__peek(&xsk->rx, BATCH_SIZE, &idx_rx);
	if (!rcvd) {
		wake_rx(xsk);
		return;
	}
	fq_reserve(xsk, rcvd, &idx_fq);
	for (i = 0; i < rcvd; i++) {
		uint64_t addr = xsk_ring_cons__rx_desc(&xsk->rx, idx_rx)->addr;
		uint32_t len = xsk_ring_cons__rx_desc(&xsk->rx, idx_rx++)->len;
		uint64_t orig = xsk_umem__extract_addr(addr);

		addr = xsk_umem__add_offset_to_addr(addr);
		on_rx((const char *)xsk_umem__get_data(xsk->umem->buffer, addr),
		      len);
		*xsk_ring_prod__fill_addr(&xsk->umem->fq, idx_fq++) = orig;
	}
	xsk_ring_prod__submit(&xsk->umem->fq, rcvd);
	xsk_ring_cons__release(&xsk->rx, rcvd);
	xsk->rx_npkts += rcvd;
}

static void swap_mac_addresses(void *data)
{
	unsigned char *eth = (unsigned char *)data, tmp[6];

	memcpy(tmp, eth, 6);
	memcpy(eth, eth + 6, 6);
	memcpy(eth + 6, tmp, 6);
}

/* Sent frames go back to the fill ring. */
static void complete_tx_l2fwd(struct xsk_socket_info *xsk)
{
	struct xsk_umem_info *umem = xsk->umem;
	uint32_t idx_cq = 0, idx_fq = 0, rcvd, i;

	if (!xsk->outstanding_tx)
		return;
	if (xsk_ring_prod__needs_wakeup(&xsk->tx))
		kick_tx(xsk);
	rcvd = xsk_ring_cons__peek(&umem->cq, BATCH_SIZE, &idx_cq);
	if (!rcvd)
		return;
	fq_reserve(xsk, rcvd, &idx_fq);
	for (i = 0; i < rcvd; i++)
		*xsk_ring_prod__fill_addr(&umem->fq, idx_fq++) =
			*xsk_ring_cons__comp_addr(&umem->cq, idx_cq++);
	xsk_ring_prod__submit(&umem->fq, rcvd);
	xsk_ring_cons__release(&umem->cq, rcvd);
	xsk->outstanding_tx -= rcvd;
	xsk->tx_npkts += rcvd;
}

static void l2fwd(struct xsk_socket_info *xsk)
{
	uint32_t idx_rx = 0, idx_tx = 0, rcvd, i, tries = 0;

	complete_tx_l2fwd(xsk);
	rcvd = xsk_ring_cons__peek(&xsk->rx, BATCH_SIZE, &idx_rx);
	if (!rcvd) {
		wake_rx(xsk);
		return;
	}
	while (xsk_ring_prod__reserve(&xsk->tx, rcvd, &idx_tx) != rcvd) {
		if (++tries == MAX_TRIES)
			data_path_error("xsk_ring_prod__reserve(tx)", ENOSPC);
		complete_tx_l2fwd(xsk);
	}
	for (i = 0; i < rcvd; i++) {
		const struct xdp_desc *rx_desc =
			xsk_ring_cons__rx_desc(&xsk->rx, idx_rx++);
		struct xdp_desc *tx_desc =
			xsk_ring_prod__tx_desc(&xsk->tx, idx_tx++);
		uint64_t orig = xsk_umem__extract_addr(rx_desc->addr);

		swap_mac_addresses(xsk_umem__get_data(
			xsk->umem->buffer,
			xsk_umem__add_offset_to_addr(rx_desc->addr)));
		tx_desc->addr = orig;
		tx_desc->len = rx_desc->len;
		tx_desc->options = 0;
	}
	xsk_ring_prod__submit(&xsk->tx, rcvd);
	xsk_ring_cons__release(&xsk->rx, rcvd);
	xsk->rx_npkts += rcvd;
	xsk->outstanding_tx += rcvd;
}

/* ============================================= set-up (libxsk) and tests */

#define ETH_P_TEST 0x88b5 /* IEEE local experimental */
#define MAGIC "LXDPPORT"
#define FRAME_LEN 128u
#define NFRAMES_RUN 5000u /* each case: more than the rings hold */
#define SECONDS 10.0
#define WINDOW 128u /* frames in flight between the two ends */

struct port {
	struct xsk_umem_info umem;
	struct xsk_socket_info xsk;
	struct xsk_prog *prog;
};

static int peer = -1;
static uint32_t rx_seq; /* next sequence number expected by on_rx() */
static uint32_t rx_foreign; /* frames received that are not ours */
static uint32_t tx_seq; /* next sequence number fill_tx_frame() writes */

static void data_path_error(const char *what, int err)
{
	fail_msg("data path: %s: %s", what, strerror(err));
}

/* Frame @seq: to @dst from @src, our EtherType, magic, seq, pattern. */
static void make_frame(unsigned char *f, const unsigned char *dst,
		       const unsigned char *src, uint32_t seq)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETH_P_TEST >> 8;
	f[13] = ETH_P_TEST & 0xff;
	memcpy(f + 14, MAGIC, 8);
	memcpy(f + 22, &seq, sizeof(seq));
	for (uint32_t i = 26; i < FRAME_LEN; i++)
		f[i] = (unsigned char)(seq * 13 + i);
}

/* Is @f frame @seq from @src to @dst? Not ours at all: -1. */
static int frame_is(const unsigned char *f, size_t len,
		    const unsigned char *dst, const unsigned char *src,
		    uint32_t seq)
{
	unsigned char want[FRAME_LEN];

	if (len < 22 || memcmp(f + 14, MAGIC, 8))
		return -1;
	make_frame(want, dst, src, seq);
	return len == FRAME_LEN && !memcmp(f, want, FRAME_LEN);
}

static void on_rx(const char *pkt, uint32_t len)
{
	int ok = frame_is((const unsigned char *)pkt, len, kern.mac,
			  kern.peer_mac, rx_seq);

	if (ok < 0) {
		rx_foreign++;
		return;
	}
	if (!ok)
		fail_msg("received frame %u: wrong order, length or bytes",
			 rx_seq);
	rx_seq++;
}

static void fill_tx_frame(char *pkt, uint32_t *len)
{
	make_frame((unsigned char *)pkt, kern.peer_mac, kern.mac, tx_seq++);
	*len = FRAME_LEN;
}

static void peer_send(uint32_t seq)
{
	unsigned char f[FRAME_LEN];

	make_frame(f, kern.mac, kern.peer_mac, seq);
	assert_int_equal(send(peer, f, FRAME_LEN, 0), (ssize_t)FRAME_LEN);
}

/* Take what reached the peer: frames from us to it, in order from *@seq.
 * Returns when the peer's socket has nothing more. */
static void peer_drain(uint32_t *seq)
{
	unsigned char f[2048];
	long n;

	while ((n = kern_peer_recv(peer, f, sizeof(f), 0)) >= 0) {
		int ok = frame_is(f, (size_t)n, kern.peer_mac, kern.mac, *seq);

		if (ok < 0 || !memcmp(f + 6, kern.peer_mac, 6))
			continue; /* not ours, or the peer's own */
		if (!ok)
			fail_msg("peer: frame %u: wrong order, length or bytes",
				 *seq);
		(*seq)++;
	}
}

/* xdpsock's xsk_configure_umem() and xsk_configure_socket(), in libxsk. */
static void port_up(struct port *p, bool rx, bool tx)
{
	struct xsk_umem_opts uo =
		XSK_OPTS(xsk_umem_opts, .nframes = NUM_FRAMES,
			 .frame_size = XSK_UMEM__DEFAULT_FRAME_SIZE,
			 .fill_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
			 .comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
			 .headroom = XSK_UMEM__DEFAULT_FRAME_HEADROOM);
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = kern.ifname, .queue_id = 0,
			 .rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
			 .tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
			 .flags = (rx ? 0 : XSK_SOCKET_NO_RX) |
				  (tx ? 0 : XSK_SOCKET_NO_TX),
			 .bind_wait_ms = 1000);

	if (xsk_umem_create(&p->umem.umem, &uo))
		fail_msg("xsk_umem_create: %s", xsk_errmsg());
	p->umem.buffer = xsk_umem_area(p->umem.umem);
	p->xsk.umem = &p->umem;
	if (xsk_socket_create(&p->xsk.xsk, p->umem.umem, &so))
		fail_msg("xsk_socket_create: %s", xsk_errmsg());
	assert_int_equal(xsk_socket__fd(p->xsk.xsk), xsk_socket_fd(p->xsk.xsk));
	/* The port's one change to the program's structs: libxdp filled
	 * them in; here they are copies, made once, and the only ones used
	 * from now on. */
	p->umem.fq = *xsk_socket_fill(p->xsk.xsk);
	p->umem.cq = *xsk_socket_comp(p->xsk.xsk);
	if (rx)
		p->xsk.rx = *xsk_socket_rx(p->xsk.xsk);
	if (tx)
		p->xsk.tx = *xsk_socket_tx(p->xsk.xsk);
	if (rx) {
		if (xsk_prog_attach(&p->prog, kern.ifname, 0, NULL) ||
		    xsk_prog_add_socket(p->prog, p->xsk.xsk))
			fail_msg("xsk_prog: %s", xsk_errmsg());
		xsk_populate_fill_ring(&p->umem);
	}
	rx_seq = tx_seq = rx_foreign = 0;
}

/* Each handle released is forgotten, so that port_teardown() releases only
 * what a failed case left behind. */
static void port_down(struct port *p)
{
	assert_int_equal(xsk_prog_destroy(p->prog), 0);
	p->prog = NULL;
	assert_int_equal(xsk_socket_destroy(p->xsk.xsk), 0);
	p->xsk.xsk = NULL;
	assert_int_equal(xsk_umem_destroy(p->umem.umem), 0);
	p->umem.umem = NULL;
}

static int port_setup(void **state)
{
	struct port *p = calloc(1, sizeof(*p));

	*state = p;
	return p ? 0 : -1;
}

static int port_teardown(void **state)
{
	struct port *p = *state;
	int err = 0;

	if (p->prog)
		err |= xsk_prog_destroy(p->prog);
	if (p->xsk.xsk)
		err |= xsk_socket_destroy(p->xsk.xsk);
	if (p->umem.umem)
		err |= xsk_umem_destroy(p->umem.umem);
	free(p);
	return err ? -1 : 0;
}

static void case_rx_drop(void **state)
{
	double end = kern_now() + SECONDS;
	uint32_t sent = 0;
	struct port *p = *state;

	port_up(p, true, false);
	while (rx_seq < NFRAMES_RUN && kern_now() < end) {
		while (sent < NFRAMES_RUN && sent - rx_seq < WINDOW)
			peer_send(sent++);
		rx_drop(&p->xsk);
	}
	printf("  rx_drop: %u of %u frames, %lu descriptors, %u foreign\n",
	       rx_seq, NFRAMES_RUN, p->xsk.rx_npkts, rx_foreign);
	assert_int_equal(rx_seq, NFRAMES_RUN);
	assert_int_equal(p->xsk.rx_npkts, rx_seq + rx_foreign);
	port_down(p);
}

static void case_tx_only(void **state)
{
	double end = kern_now() + SECONDS;
	uint32_t got = 0;
	struct port *p = *state;

	port_up(p, false, true);
	while (got < NFRAMES_RUN && kern_now() < end) {
		uint32_t room =
			tx_seq - got < WINDOW ? WINDOW - (tx_seq - got) : 0;

		if (room > NFRAMES_RUN - tx_seq)
			room = NFRAMES_RUN - tx_seq;
		if (room > BATCH_SIZE)
			room = BATCH_SIZE;
		if (room)
			tx_only(&p->xsk, room);
		else
			complete_tx_only(&p->xsk);
		peer_drain(&got);
	}
	for (int i = 0; i < 1000 && p->xsk.outstanding_tx; i++)
		complete_tx_only(&p->xsk);
	printf("  tx_only: %u of %u frames reached the peer, %lu completed\n",
	       got, NFRAMES_RUN, p->xsk.tx_npkts);
	assert_int_equal(got, NFRAMES_RUN);
	assert_int_equal(p->xsk.tx_npkts, NFRAMES_RUN);
	port_down(p);
}

/* Frames from the peer come back to it with the addresses swapped. */
static void case_l2fwd(void **state)
{
	double end = kern_now() + SECONDS;
	uint32_t sent = 0, back = 0;
	struct port *p = *state;

	port_up(p, true, true);
	while (back < NFRAMES_RUN && kern_now() < end) {
		while (sent < NFRAMES_RUN && sent - back < WINDOW)
			peer_send(sent++);
		l2fwd(&p->xsk);
		peer_drain(&back);
	}
	printf("  l2fwd: %u of %u frames back at the peer, %lu forwarded\n",
	       back, NFRAMES_RUN, p->xsk.rx_npkts);
	assert_int_equal(back, NFRAMES_RUN);
	port_down(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(case_rx_drop, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(case_tx_only, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(case_l2fwd, port_setup,
						port_teardown),
	};
	int ret = kern_start_on_cpu0(&peer);

	if (ret)
		return ret;
	return cmocka_run_group_tests_name("a libxdp program, ported", tests,
					   NULL, NULL);
}
