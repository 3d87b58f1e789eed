// SPDX-License-Identifier: MIT
/*
 * The real-kernel test harness: see traffic.h.
 *
 * Everything runs in one thread: a kick or a poll() is where the kernel
 * moves frames through veth, and every loop is bounded in frames and in
 * seconds. The peer-side sockets and programs are made while this thread
 * is in the peer namespace (setns); they stay there when it returns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "traffic.h"

#define BATCH 64u
#define PKT_HEADROOM 256u /* XDP_PACKET_HEADROOM */
#define NQUEUES 2

/* ------------------------------------------------------------ frames */

uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

uint32_t frame_len(uint32_t seq)
{
	return FRAME_MIN_LEN + seq % 65;
}

/* The pattern's byte at @i: depends on the stream, the sequence number and
 * the position, so that a frame of another stream, another sequence number
 * or a shifted copy does not match. */
static unsigned char pattern(uint32_t stream, uint32_t seq, uint32_t i)
{
	return (unsigned char)(seq * 7 + stream * 13 + i);
}

void frame_make(unsigned char *f, const unsigned char *dst,
		const unsigned char *src, uint32_t stream, uint32_t seq,
		uint32_t len)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = FRAME_ETH_P >> 8;
	f[13] = FRAME_ETH_P & 0xff;
	memcpy(f + FRAME_OFF_MAGIC, FRAME_MAGIC, 8);
	put_be32(f + FRAME_OFF_STREAM, stream);
	put_be32(f + FRAME_OFF_SEQ, seq);
	for (uint32_t i = FRAME_OFF_DATA; i < len; i++)
		f[i] = pattern(stream, seq, i);
}

bool frame_ours(const unsigned char *f, uint32_t len)
{
	return len >= FRAME_OFF_DATA && f[12] == FRAME_ETH_P >> 8 &&
	       f[13] == (FRAME_ETH_P & 0xff) &&
	       !memcmp(f + FRAME_OFF_MAGIC, FRAME_MAGIC, 8);
}

uint32_t frame_stream(const unsigned char *f)
{
	return get_be32(f + FRAME_OFF_STREAM);
}

uint32_t frame_seq(const unsigned char *f)
{
	return get_be32(f + FRAME_OFF_SEQ);
}

const char *frame_check(const unsigned char *f, uint32_t len,
			const unsigned char *dst, const unsigned char *src,
			uint32_t stream, uint32_t want_len)
{
	uint32_t seq = frame_seq(f);

	if (frame_stream(f) != stream)
		return "frame of another stream";
	if (len != want_len)
		return "wrong length";
	if (memcmp(f, dst, ETH_ALEN) || memcmp(f + ETH_ALEN, src, ETH_ALEN))
		return "wrong MAC addresses";
	for (uint32_t i = FRAME_OFF_DATA; i < len; i++)
		if (f[i] != pattern(stream, seq, i))
			return "payload differs from the pattern";
	return NULL;
}

void peer_send(int fd, uint32_t stream, uint32_t first, uint32_t n,
	       uint32_t len)
{
	static unsigned char f[FRAME_MAX_LEN];
	uint32_t seq, l;

	assert_true(len <= sizeof(f));
	for (seq = first; seq < first + n; seq++) {
		l = len ? len : frame_len(seq);
		frame_make(f, kern.mac, kern.peer_mac, stream, seq, l);
		assert_int_equal(send(fd, f, l, 0), (ssize_t)l);
	}
}

/* --------------------------------------------------------------- env */

static const struct params matrix[] = {
	{ XSK_ATTACH_NATIVE, true, false, true, "native,wakeup,busy" },
	{ XSK_ATTACH_NATIVE, true, true, true, "native,wakeup,poll" },
	{ XSK_ATTACH_NATIVE, false, false, true, "native,nowakeup,busy" },
	{ XSK_ATTACH_NATIVE, false, true, true, "native,nowakeup,poll" },
	{ XSK_ATTACH_GENERIC, true, false, true, "generic,wakeup,busy" },
	{ XSK_ATTACH_GENERIC, true, true, true, "generic,wakeup,poll" },
	{ XSK_ATTACH_GENERIC, false, false, true, "generic,nowakeup,busy" },
	{ XSK_ATTACH_GENERIC, false, true, true, "generic,nowakeup,poll" },
};
#define NPARAMS (sizeof(matrix) / sizeof(matrix[0]))

/* KERN_CASE()'s row: the kernel picks the XDP mode, need_wakeup on, the
 * kernel's TX budget. */
static const struct params plain = { XSK_ATTACH_AUTO, true, false, false,
				     "plain" };

static uint32_t case_no;

static struct env *env_new(const struct params *p)
{
	struct env *env = calloc(1, sizeof(*env));

	if (!env)
		return NULL;
	env->p = p;
	env->id = ++case_no;
	return env;
}

int env_setup(void **state)
{
	struct env *env = env_new(&plain);

	if (!env)
		return -1;
	snprintf(env->ifname[0], IF_NAMESIZE, "%s", kern.ifname);
	snprintf(env->ifname[1], IF_NAMESIZE, "%s", kern.peer_if);
	memcpy(env->mac[0], kern.mac, ETH_ALEN);
	memcpy(env->mac[1], kern.peer_mac, ETH_ALEN);
	*state = env;
	return 0;
}

/* The case's veth pair, @n queues each way. */
static int make_veth(const struct env *env, unsigned int n)
{
	return kern_sh(
		"ip -n %s link add %s address 02:00:5e:00:00:0a numtxqueues %u numrxqueues %u type veth peer name %s netns %s address 02:00:5e:00:00:0b numtxqueues %u numrxqueues %u && ip -n %s link set %s up && ip -n %s link set %s up",
		kern.ns, env->ifname[0], n, n, env->ifname[1], kern.peer_ns, n,
		n, kern.ns, env->ifname[0], kern.peer_ns, env->ifname[1]);
}

int env_setup_veth(void **state)
{
	struct env *env = env_new(*state);
	char base[IF_NAMESIZE];
	int side;

	if (!env)
		return -1;
	/* netns.sh's pair is <id>a and <id>b: ours are <id>c<case>a, b */
	snprintf(base, sizeof(base), "%.*s", (int)strlen(kern.ifname) - 1,
		 kern.ifname);
	for (side = 0; side < 2; side++) {
		snprintf(env->ifname[side], IF_NAMESIZE, "%.9sc%u%c", base,
			 env->id % 1000, 'a' + side);
		memcpy(env->mac[side], "\x02\x00\x5e\x00\x00", 5);
		env->mac[side][5] = (unsigned char)(0xa + side);
	}
	if (make_veth(env, NQUEUES)) {
		fprintf(stderr, "creating veth %s/%s failed\n", env->ifname[0],
			env->ifname[1]);
		free(env);
		return -1;
	}
	env->own_veth = true;
	*state = env;
	return 0;
}

void env_veth_queues(struct env *env, unsigned int n)
{
	assert_true(env->own_veth && env->nends == 0);
	assert_int_equal(
		kern_sh("ip -n %s link del %s", kern.ns, env->ifname[0]), 0);
	if (make_veth(env, n)) {
		kern_sh("ip -n %s link del %s 2>/dev/null", kern.ns,
			env->ifname[0]);
		env->own_veth = false; /* nothing left to delete */
		fail_msg("creating veth %s/%s with %u queues failed",
			 env->ifname[0], env->ifname[1], n);
	}
}

int env_teardown(void **state)
{
	struct env *env = *state;
	unsigned int i;
	int err = 0;

	/* A failed assertion may have left us in the peer's namespace. */
	if (setns(kern.ns_fd[0], CLONE_NEWNET))
		abort();
	for (i = 0; i < env->nchildren; i++) {
		kill(env->children[i], SIGKILL);
		waitpid(env->children[i], NULL, 0);
	}
	for (i = 0; i < env->nfds; i++)
		close(env->fds[i]);
	for (i = 0; i < env->nends; i++)
		end_close(&env->ends[i]);
	/* Deleting one end of a veth pair deletes both. */
	if (env->own_veth)
		err = kern_sh("ip -n %s link del %s", kern.ns, env->ifname[0]);
	free(env);
	return err ? -1 : 0;
}

int env_keep_fd(struct env *env, int fd)
{
	if (fd >= 0) {
		assert_true(env->nfds < ENV_FDS);
		env->fds[env->nfds++] = fd;
	}
	return fd;
}

void env_close_fd(struct env *env, int fd)
{
	for (unsigned int i = 0; i < env->nfds; i++)
		if (env->fds[i] == fd) {
			env->fds[i] = env->fds[--env->nfds];
			break;
		}
	close(fd);
}

pid_t env_fork(struct env *env)
{
	pid_t pid;

	assert_true(env->nchildren < ENV_CHILDREN);
	/* nothing buffered may be written twice */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid)
		env->children[env->nchildren++] = pid;
	return pid;
}

int env_wait(struct env *env, pid_t pid)
{
	int status = 0;

	for (unsigned int i = 0; i < env->nchildren; i++)
		if (env->children[i] == pid) {
			env->children[i] = env->children[--env->nchildren];
			break;
		}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* ------------------------------------------------------------ the ends */

struct end *end_new(struct env *env, int side)
{
	assert_true(env->nends < ENV_ENDS);
	env->ends[env->nends].side = side;
	return &env->ends[env->nends++];
}

void end_umem_opts(struct end *e, const struct xsk_umem_opts *o)
{
	uint32_t fflags = XSK_FRAMES_DEBUG, half;
	int err;

	/* The UMEM's socket is the first socket: it binds in the namespace
	 * it was made in. */
	kern_enter(e->side);
	err = xsk_umem_create(&e->umem, o);
	kern_enter(0);
	if (err)
		fail_msg("xsk_umem_create: %s", xsk_errmsg());
	e->frame_size = xsk_umem_frame_size(e->umem);
	e->nframes = xsk_umem_nframes(e->umem);
	e->headroom = o->headroom;
	e->unaligned = o->flags & XSK_UMEM_UNALIGNED;
	if (e->unaligned)
		fflags |= XSK_FRAMES_UNALIGNED;
	half = e->nframes / 2;
	assert_int_equal(
		xsk_frames_init(&e->rxfr, 0, e->frame_size, half, fflags), 0);
	/* TX takes the allocator's bulk path, as applications run it; RX
	 * frees go through the debug checks (double or foreign frees). */
	assert_int_equal(xsk_frames_init(&e->txfr,
					 (uint64_t)half * e->frame_size,
					 e->frame_size, e->nframes - half,
					 fflags & ~XSK_FRAMES_DEBUG),
			 0);
	xsk_umem_get_bounds(e->umem, &e->bounds);
}

void end_umem(struct end *e, uint32_t frame_size, uint32_t nframes,
	      uint32_t headroom, uint32_t flags, uint32_t ring)
{
	struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts,
					  .frame_size = frame_size,
					  .nframes = nframes, .fill_size = ring,
					  .comp_size = ring,
					  .headroom = headroom, .flags = flags);

	end_umem_opts(e, &o);
}

struct xsk_socket *end_socket(struct env *env, struct end *e, unsigned int slot,
			      const struct sock_cfg *c)
{
	struct xsk_socket_opts o = XSK_OPTS(
		xsk_socket_opts, .ifname = env->ifname[e->side],
		.queue_id = c->queue, .rx_size = c->rx_size,
		.tx_size = c->tx_size, .mode = c->mode, .flags = c->flags,
		.bind_wait_ms = c->bind_wait_ms ? c->bind_wait_ms : 1000);
	struct xsk_socket *s;
	int err, budget;

	assert_true(slot < END_SOCKETS && !e->xsk[slot]);
	if (!env->p->wakeup)
		o.flags |= XSK_SOCKET_NO_NEED_WAKEUP;
	kern_enter(e->side);
	err = xsk_socket_create(&s, e->umem, &o);
	kern_enter(0);
	if (err)
		fail_msg("xsk_socket_create(%s queue %u): %s",
			 env->ifname[e->side], c->queue, xsk_errmsg());
	e->xsk[slot] = s;
	if (env->p->tx_budget && xsk_socket_tx(s)) {
		/* Fewer kicks in copy mode (Linux 6.17); the default of 32
		 * is fine where the kernel can't. */
		budget = (int)xsk_socket_tx(s)->size;
		err = xsk_socket_set_tx_budget(s, budget < 256 ? 32 : 256);
		if (err && err != -EOPNOTSUPP)
			fail_msg("xsk_socket_set_tx_budget: %s", xsk_errmsg());
	}
	return s;
}

void end_prog(struct env *env, struct end *e, struct xsk_prog_opts *o)
{
	struct xsk_prog_opts def = XSK_OPTS(xsk_prog_opts);
	int err;

	if (!o)
		o = &def;
	if (o->mode == XSK_ATTACH_AUTO)
		o->mode = env->p->mode;
	assert_null(e->prog);
	kern_enter(e->side);
	err = xsk_prog_attach(&e->prog, env->ifname[e->side], 0, o);
	kern_enter(0);
	if (err)
		fail_msg("xsk_prog_attach(%s): %s", env->ifname[e->side],
			 xsk_errmsg());
	if (o->mode != XSK_ATTACH_AUTO)
		assert_int_equal(xsk_prog_mode(e->prog), o->mode);
}

struct end *end_rx(struct env *env, int side, const struct xsk_umem_opts *uo,
		   const struct sock_cfg *c, struct xsk_prog_opts *po)
{
	struct end *e = end_new(env, side);

	end_umem_opts(e, uo);
	end_socket(env, e, 0, c);
	end_prog(env, e, po);
	assert_int_equal(xsk_prog_add_socket(e->prog, e->xsk[0]), 0);
	return e;
}

void end_own_prog(struct env *env, struct end *e, int prog_fd, int map_fd)
{
	struct xsk_prog_opts o = XSK_OPTS(
		xsk_prog_opts, .flags = XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP,
		.prog_fd = prog_fd, .map_fd = map_fd);

	end_prog(env, e, &o);
	env_close_fd(env, prog_fd);
	env_close_fd(env, map_fd);
}

bool env_multibuf(struct env *env)
{
	struct xsk_socket_opts o = XSK_OPTS(xsk_socket_opts,
					    .ifname = env->ifname[0],
					    .flags = XSK_SOCKET_MULTI_BUFFER,
					    .bind_wait_ms = 1000);
	uint64_t features = 0;
	struct end *e;
	int err;

	assert_int_equal(xsk_probe(&features), 0);
	if (features & XSK_FEATURE_MULTI_BUFFER)
		return true;
	e = end_new(env, 0);
	end_umem(e, 4096, 64, 0, 0, 0);
	err = xsk_socket_create(&e->xsk[0], e->umem, &o);
	if (!err)
		fail_msg(
			"xsk_probe() found no multi-buffer, yet a socket bound with XDP_USE_SG");
	if (err != -EINVAL || !strstr(xsk_errmsg(), "Linux 6.6"))
		fail_msg(
			"multi-buffer refused (%d) without naming Linux 6.6: %s",
			err, xsk_errmsg());
	printf("    refused, as this kernel must: %s\n", xsk_errmsg());
	return false;
}

void env_mtu(struct env *env, uint32_t mtu)
{
	if (kern_sh("ip -n %s link set dev %s mtu %u && ip -n %s link set dev %s mtu %u",
		    kern.ns, env->ifname[0], mtu, kern.peer_ns, env->ifname[1],
		    mtu))
		fail_msg("can't set MTU %u on %s and %s", mtu, env->ifname[0],
			 env->ifname[1]);
}

void end_fill(struct end *e, struct xsk_socket *s, uint32_t max)
{
	uint32_t n;

	while (max && (n = xsk_frames_fill(&e->rxfr, xsk_socket_fill(s), max)))
		max -= n;
}

int end_socket_destroy(struct end *e, unsigned int slot)
{
	int err = xsk_socket_destroy(e->xsk[slot]);

	if (!err)
		e->xsk[slot] = NULL;
	return err;
}

int end_umem_destroy(struct end *e)
{
	int err = xsk_umem_destroy(e->umem);

	if (!err)
		e->umem = NULL;
	return err;
}

int end_prog_destroy(struct end *e)
{
	int err = xsk_prog_destroy(e->prog);

	if (!err)
		e->prog = NULL;
	return err;
}

void end_destroy(struct end *e)
{
	if (e->prog)
		assert_int_equal(end_prog_destroy(e), 0);
	for (unsigned int i = END_SOCKETS; i-- > 0;)
		if (e->xsk[i])
			assert_int_equal(end_socket_destroy(e, i), 0);
	if (e->umem)
		assert_int_equal(end_umem_destroy(e), 0);
	end_close(e);
}

void end_close(struct end *e)
{
	int side = e->side;

	if (e->prog && end_prog_destroy(e))
		fprintf(stderr, "xsk_prog_destroy: %s\n", xsk_errmsg());
	for (int i = END_SOCKETS; i-- > 0;)
		if (e->xsk[i] && end_socket_destroy(e, (unsigned int)i))
			fprintf(stderr, "xsk_socket_destroy: %s\n",
				xsk_errmsg());
	if (e->umem && end_umem_destroy(e))
		fprintf(stderr, "xsk_umem_destroy: %s\n", xsk_errmsg());
	xsk_frames_destroy(&e->rxfr);
	xsk_frames_destroy(&e->txfr);
	memset(e, 0, sizeof(*e));
	e->side = side;
}

/* ------------------------------------------------------------ traffic */

static uint32_t lane_len(const struct lane *l, uint32_t seq)
{
	if (l->len_of)
		return l->len_of(seq);
	if (l->big_len && seq % 2)
		return l->big_len;
	return l->len ? l->len : frame_len(seq);
}

uint32_t tx_pending(const struct xsk_ring_prod *tx)
{
	/* Pairs with the kernel's store-release of ->consumer. */
	return *tx->producer - __atomic_load_n(tx->consumer, __ATOMIC_ACQUIRE);
}

/* In copy mode every buffer of a frame starts after the UMEM's headroom
 * and the kernel's own XDP_PACKET_HEADROOM. Returns its UMEM offset. */
static uint64_t check_offset(const struct lane *l, const struct rx_side *r,
			     uint32_t seq, uint64_t raw)
{
	uint64_t addr = r->e->unaligned ? xsk_umem__add_offset_to_addr(raw) :
					  raw;
	uint64_t off = addr % r->e->frame_size;

	if (off != r->e->headroom + PKT_HEADROOM)
		fail_msg(
			"%s: frame %u at offset %llu in its chunk, expected %u (headroom %u + %u)",
			l->what, seq, (unsigned long long)off,
			r->e->headroom + PKT_HEADROOM, r->e->headroom,
			PKT_HEADROOM);
	return addr;
}

/* Frame @f, @len bytes, whose first buffer is at UMEM address @raw. */
static void check_rx(struct lane *l, struct rx_side *r, uint64_t raw,
		     uint32_t len, const unsigned char *f)
{
	const unsigned char *area = r->e->bounds.area, *chunk, *at;
	uint32_t seq = frame_seq(f), i, magic;
	const char *why;
	uint64_t addr;

	if (r->expect) {
		i = (uint32_t)r->got + r->skipped;
		while (r->maybe && i < r->nexpect && r->maybe[i] &&
		       r->expect[i] != seq) {
			r->skipped++;
			i++;
		}
		if (i >= r->nexpect)
			fail_msg("%s: frame %u arrived, but only %u were due",
				 l->what, seq, r->nexpect);
		r->next = r->expect[i];
		if (r->maybe && r->maybe[i] && seq == r->next)
			r->maybe_got++;
	} else if (r->any_start && !r->got) {
		r->next = seq;
	}
	if (frame_stream(f) != l->stream)
		fail_msg(
			"%s: frame %u of stream %u arrived on a socket of stream %u",
			l->what, seq, frame_stream(f), l->stream);
	if (seq != r->next)
		fail_msg("%s: frame %u arrived, %u was due (after %llu frames)",
			 l->what, seq, r->next, (unsigned long long)r->got);
	why = frame_check(f, len, l->env->mac[l->to], l->env->mac[!l->to],
			  l->stream,
			  (uint32_t)((int32_t)lane_len(l, seq) + l->rx_delta));
	if (why)
		fail_msg("%s: frame %u (%u bytes): %s", l->what, seq, len, why);
	addr = check_offset(l, r, seq, raw);
	at = area + addr;
	if (r->meta) {
		memcpy(&magic, at - 4, sizeof(magic));
		if (memcmp(at - FRAME_META_LEN, f + FRAME_OFF_SEQ, 4) ||
		    magic != FRAME_META_MAGIC)
			fail_msg(
				"%s: frame %u: the program's metadata is not in front of it",
				l->what, seq);
	}
	if (r->canary) {
		chunk = at - (addr % r->e->frame_size);
		for (i = 0; i < r->e->headroom; i++)
			if (chunk[i] != FRAME_CANARY)
				fail_msg(
					"%s: frame %u: headroom byte %u overwritten",
					l->what, seq, i);
	}
	if (!r->got)
		r->first = seq;
	r->last = seq;
	r->got++;
	r->next = seq + r->stride;
}

static void rx_free(struct lane *l, struct rx_side *r, uint64_t addr)
{
	int err = xsk_frames_free(&r->e->rxfr, addr);

	if (err)
		fail_msg(
			"%s: the kernel returned frame 0x%llx twice or from elsewhere (%d)",
			l->what, (unsigned long long)addr, err);
}

/* rx_take() for multi-buffer: whole frames through libxsk's reader. */
static uint32_t rx_take_mb(struct lane *l, struct rx_side *r)
{
	static unsigned char f[FRAME_MAX_LEN];
	struct xsk_ring_cons *rx = xsk_socket_rx(r->xsk);
	const uint32_t full = r->e->frame_size - r->e->headroom - PKT_HEADROOM;
	const struct xdp_desc *d;
	struct xsk_mb_pkt pkt;
	uint32_t n = 0, i, seq;
	int ret;

	if (!r->mb_ready) {
		xsk_mb_rx_init(&r->mbr, rx, 0, &r->e->bounds);
		r->mb_ready = true;
	}
	while (n < BATCH && (ret = xsk_mb_rx_next(&r->mbr, rx, &pkt))) {
		if (ret < 0)
			fail_msg(
				"%s: the kernel gave a chain of %u descriptors that libxsk's reader refuses (%d)",
				l->what, pkt.nfrags, ret);
		ret = xsk_mb_rx_copy(&r->e->bounds, rx, &pkt, f, sizeof(f));
		if (ret)
			fail_msg("%s: a chain of %llu bytes: %d", l->what,
				 (unsigned long long)pkt.len, ret);
		d = xsk_ring_cons__rx_desc(rx, pkt.idx);
		seq = frame_seq(f);
		if (frame_ours(f, (uint32_t)pkt.len))
			check_rx(l, r, d->addr, (uint32_t)pkt.len, f);
		else
			l->foreign++;
		/* the kernel fills each buffer but the last */
		for (i = 0; i < pkt.nfrags; i++) {
			d = xsk_ring_cons__rx_desc(rx, pkt.idx + i);
			check_offset(l, r, seq, d->addr);
			if (i + 1 < pkt.nfrags && d->len != full)
				fail_msg(
					"%s: frame %u: buffer %u of %u holds %u bytes, not %u",
					l->what, seq, i, pkt.nfrags, d->len,
					full);
			rx_free(l, r, d->addr);
		}
		r->frags += pkt.nfrags;
		n += pkt.nfrags;
	}
	xsk_mb_rx_release(&r->mbr, rx);
	return n;
}

uint32_t rx_take(struct lane *l, struct rx_side *r)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(r->xsk);
	const struct xdp_desc *d;
	const unsigned char *f;
	uint32_t n, i, idx = 0;
	int err;

	if (l->mb)
		return rx_take_mb(l, r);
	n = xsk_ring_cons__peek(rx, BATCH, &idx);
	for (i = 0; i < n; i++) {
		d = xsk_ring_cons__rx_desc(rx, idx + i);
		f = xsk_umem__get_data_checked(&r->e->bounds, d->addr, d->len,
					       &err);
		if (!f)
			fail_msg(
				"%s: the kernel gave descriptor addr 0x%llx len %u: %s",
				l->what, (unsigned long long)d->addr, d->len,
				xsk_desc_strerror(err));
		if (frame_ours(f, d->len))
			check_rx(l, r, d->addr, d->len, f);
		else
			l->foreign++;
		rx_free(l, r, d->addr);
	}
	xsk_ring_cons__release(rx, n);
	r->frags += n;
	return n;
}

/* How many frames tx_put() may queue now: the window, the batch. */
static uint32_t tx_room(const struct lane *l)
{
	uint64_t inflight = l->sent - l->received;
	uint32_t n = l->count - (uint32_t)l->sent;

	if (n > BATCH)
		n = BATCH;
	if (l->window && n > l->window - inflight)
		n = l->window > inflight ? l->window - (uint32_t)inflight : 0;
	return n;
}

/* tx_put() for multi-buffer: each frame copied into as many frames of the
 * UMEM as it needs, queued as one chain by libxsk. */
static uint32_t tx_put_mb(struct lane *l)
{
	static unsigned char f[FRAME_MAX_LEN];
	struct xsk_ring_prod *tx = xsk_socket_tx(l->tx);
	uint32_t n = tx_room(l), i, seq, len, descs = 0;
	int ret;

	for (i = 0; i < n; i++) {
		seq = (uint32_t)l->sent;
		len = lane_len(l, seq);
		frame_make(f, l->env->mac[l->to], l->env->mac[!l->to],
			   l->stream, seq, len);
		ret = xsk_mb_tx_copy(tx, &l->txe->txfr, l->txe->bounds.area, 0,
				     f, len);
		if (ret == -ENOSPC || ret == -ENOMEM)
			break;
		if (ret < 0)
			fail_msg("%s: xsk_mb_tx_copy(%u bytes): %d", l->what,
				 len, ret);
		descs += (uint32_t)ret;
		l->sent++;
	}
	xsk_ring_prod__submit(tx, descs);
	l->sent_descs += descs;
	return i;
}

uint32_t tx_put(struct lane *l)
{
	struct xsk_ring_prod *tx = xsk_socket_tx(l->tx);
	uint32_t n = tx_room(l), i, idx = 0, seq, len;
	struct xdp_desc *d;
	uint64_t addr;

	if (l->mb)
		return tx_put_mb(l);
	if (n > xsk_frames_nfree(&l->txe->txfr))
		n = xsk_frames_nfree(&l->txe->txfr);
	if (!n || !xsk_ring_prod__reserve(tx, n, &idx))
		return 0;
	for (i = 0; i < n; i++) {
		seq = (uint32_t)l->sent + i;
		len = lane_len(l, seq);
		addr = xsk_frames_alloc(&l->txe->txfr);
		frame_make(xsk_umem__get_data(l->txe->bounds.area, addr),
			   l->env->mac[l->to], l->env->mac[!l->to], l->stream,
			   seq, len);
		d = xsk_ring_prod__tx_desc(tx, idx + i);
		d->addr = addr;
		d->len = len;
		d->options = 0;
	}
	xsk_ring_prod__submit(tx, n);
	l->sent += n;
	l->sent_descs += n;
	return n;
}

/* Copy mode reports a frame the device dropped as EBUSY, once per frame. */
void tx_kick(struct lane *l)
{
	int err;

	if (!tx_pending(xsk_socket_tx(l->tx)))
		return;
	err = xsk_socket_kick_tx(l->tx);
	if (err == -EBUSY)
		l->tx_busy++;
	else if (err && err != -EAGAIN)
		fail_msg("%s: xsk_socket_kick_tx: %s", l->what, xsk_errmsg());
}

static bool lane_done(const struct lane *l)
{
	return l->received >= l->count;
}

bool lanes_run(const struct env *env, struct lane *ls, unsigned int nl,
	       double seconds, double quiet)
{
	double start = kern_now(), last = start, t;
	bool all, progress, sending, held;
	unsigned int i, j;
	struct lane *l;
	uint32_t n;

	for (;;) {
		progress = false;
		sending = false;
		held = false;
		all = true;
		for (i = 0; i < nl; i++) {
			l = &ls[i];
			n = xsk_frames_complete(&l->txe->txfr,
						xsk_socket_comp(l->tx), 256);
			l->completed += n;
			progress |= n;
			if (l->sent < l->count) {
				n = tx_put(l);
				progress |= n;
				sending = true;
			}
			tx_kick(l);
			if (l->switch_at && !l->switched &&
			    l->sent >= l->switch_at) {
				assert_int_equal(
					xsk_prog_add_socket(l->switch_prog,
							    l->rx[1].xsk),
					0);
				l->switched = true;
			}
			if (l->hold && (l->sent < l->count ||
					tx_pending(xsk_socket_tx(l->tx)) ||
					kern_now() - last < quiet)) {
				all = false;
				held = true;
				continue;
			}
			for (j = 0; j < l->nrx; j++) {
				n = rx_take(l, &l->rx[j]);
				l->received = 0;
				progress |= n;
				if (!l->no_refill)
					end_fill(l->rx[j].e, l->rx[j].xsk, n);
			}
			for (j = 0; j < l->nrx; j++)
				l->received += l->rx[j].got;
			all &= lane_done(l);
		}
		t = kern_now();
		if (all)
			return true;
		if (progress)
			last = t;
		else if (quiet && !sending && !held && t - last >= quiet)
			return false;
		if (t - start > seconds)
			return false;
		if (progress)
			continue;
		/* Nothing moved: wait for the kernel. */
		for (i = 0; i < nl; i++)
			for (j = 0; j < ls[i].nrx; j++) {
				if (env->p->poll)
					xsk_socket_poll(ls[i].rx[j].xsk, POLLIN,
							j || i ? 0 : 10);
				else
					assert_int_equal(
						xsk_socket_wake_rx(
							ls[i].rx[j].xsk),
						0);
			}
	}
}

void tx_verbatim(struct lane *l, const struct vdesc *v, uint32_t n)
{
	struct xsk_ring_prod *tx = xsk_socket_tx(l->tx);
	struct xsk_ring_cons *comp = xsk_socket_comp(l->tx);
	struct rx_side *r = &l->rx[0];
	uint32_t nvalid = 0, nmaybe = 0, nheld = 0, ncomp = 0, nsent, i, k, h;
	uint32_t idx = 0;
	uint64_t *done = calloc(n, sizeof(*done));
	bool all_back = true, sent_back = true, unheld_back = true;
	bool late = false;
	struct xsk_stats st;
	struct xdp_desc *d;
	double end, quiet;
	char extra[192];

	assert_non_null(done);
	assert_int_equal(xsk_ring_prod__reserve(tx, n, &idx), n);
	for (i = 0; i < n; i++) {
		d = xsk_ring_prod__tx_desc(tx, idx + i);
		d->addr = v[i].addr;
		d->len = v[i].len;
		d->options = v[i].options;
		nvalid += v[i].valid;
		nmaybe += v[i].maybe;
		nheld += v[i].held;
	}
	xsk_ring_prod__submit(tx, n);
	l->sent = l->sent_descs = n;

	/* After the last kick, a moment for late completions. */
	end = kern_now() + 5;
	quiet = 0;
	while (kern_now() < end) {
		if (tx_pending(tx) || ncomp < nvalid)
			tx_kick(l);
		else if (!quiet)
			quiet = kern_now() + 0.05;
		else if (kern_now() > quiet)
			break;
		k = xsk_ring_cons__peek(comp, n, &idx);
		for (i = 0; i < k; i++, ncomp++) {
			if (ncomp >= n)
				fail_msg(
					"%s: more completions than descriptors",
					l->what);
			done[ncomp] = *xsk_ring_cons__comp_addr(comp, idx + i);
			late |= quiet != 0;
		}
		xsk_ring_cons__release(comp, k);
		rx_take(l, r);
	}
	/* the last frame due is never a @maybe one */
	end = kern_now() + 2;
	while (r->got + r->skipped < r->nexpect && kern_now() < end)
		rx_take(l, r);
	l->received = r->got;
	l->completed = ncomp;
	if (r->maybe_got && r->maybe_got != nmaybe)
		fail_msg("%s: %u of %u frames after a dropped chain arrived",
			 l->what, r->maybe_got, nmaybe);
	nsent = nvalid + r->maybe_got;
	for (i = 0, k = 0, h = 0; i < ncomp; i++) {
		all_back &= done[i] == v[i].addr;
		while (k < n && !v[k].valid && !(v[k].maybe && r->maybe_got))
			k++;
		sent_back &= k < n && done[i] == v[k++].addr;
		while (h < n && v[h].held)
			h++;
		unheld_back &= h < n && done[i] == v[h++].addr;
	}
	free(done);
	read_stats(l->tx, &st);
	snprintf(
		extra, sizeof(extra),
		"sent %u, tx_invalid_descs %llu%s; completed: %s%s", nsent,
		(unsigned long long)st.tx_invalid_descs,
		!nmaybe ?
			"" :
		r->maybe_got ?
			" (a descriptor after a dropped chain starts a frame)" :
			" (a dropped chain goes to its end)",
		all_back && ncomp == n ?
			"all, invalid ones too" :
		sent_back && ncomp == nsent ?
			"those sent" :
		unheld_back && ncomp == n - nheld ?
			"all but the fragments of dropped chains" :
			"wrong ones",
		late ? " (some late)" : "");
	report(l, extra);
	if (!(all_back && ncomp == n) && !(sent_back && ncomp == nsent) &&
	    !(unheld_back && ncomp == n - nheld))
		fail_msg(
			"%s: %u completions, neither the descriptors sent nor all, in order",
			l->what, ncomp);
	assert_int_equal(l->received, r->nexpect - (nmaybe - r->maybe_got));
	assert_int_equal(st.tx_invalid_descs, n - nsent);
}

void read_stats(struct xsk_socket *s, struct xsk_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	assert_int_equal(xsk_socket_stats(s, st), 0);
	assert_true(st->flags & XSK_STATS_V2);
}

void report(const struct lane *l, const char *extra)
{
	printf("    %-28s sent %llu, received %llu, completed %llu, foreign %llu%s%s\n",
	       l->what, (unsigned long long)l->sent,
	       (unsigned long long)l->received,
	       (unsigned long long)l->completed, (unsigned long long)l->foreign,
	       extra ? ", " : "", extra ? extra : "");
	fflush(stdout);
}

void assert_lossless(const struct lane *l, bool ok)
{
	struct xsk_stats st;
	unsigned int j;

	read_stats(l->tx, &st);
	for (j = 0; j < l->nrx; j++) {
		struct xsk_stats rs;

		read_stats(l->rx[j].xsk, &rs);
		if (rs.rx_dropped || rs.rx_ring_full || rs.rx_invalid_descs)
			fail_msg(
				"%s: rx socket %u counted drops: rx_dropped %llu rx_ring_full %llu rx_invalid_descs %llu",
				l->what, j, (unsigned long long)rs.rx_dropped,
				(unsigned long long)rs.rx_ring_full,
				(unsigned long long)rs.rx_invalid_descs);
	}
	if (!ok || l->received != l->count || l->tx_busy || st.tx_invalid_descs)
		fail_msg(
			"%s: sent %llu of %u, received %llu (tx_busy %llu, tx_invalid_descs %llu): %llu unaccounted",
			l->what, (unsigned long long)l->sent, l->count,
			(unsigned long long)l->received,
			(unsigned long long)l->tx_busy,
			(unsigned long long)st.tx_invalid_descs,
			(unsigned long long)(l->sent - l->received));
}

struct pair pair_up(struct env *env, const struct pair_cfg *c)
{
	struct pair_cfg d = { 0 };
	struct xsk_umem_opts uo;
	struct pair p;

	if (!c)
		c = &d;
	uo = XSK_OPTS(xsk_umem_opts,
		      .frame_size = c->frame_size ? c->frame_size : 4096,
		      .nframes = c->nframes ? c->nframes : 4096,
		      .fill_size = c->fill_ring ? c->fill_ring : 2048,
		      .comp_size = c->fill_ring ? c->fill_ring : 2048,
		      .headroom = c->headroom, .flags = c->rx_flags);
	if (c->mtu)
		env_mtu(env, c->mtu);
	p.rx = end_rx(env, 0, &uo,
		      &(struct sock_cfg){ .flags = XSK_SOCKET_NO_TX |
						   c->sock_flags,
					  .rx_size = c->rx_ring },
		      &XSK_OPTS(xsk_prog_opts, .flags = c->prog_flags,
				.prog_fd = c->prog_fd, .map_fd = c->map_fd));
	p.tx = end_new(env, 1);
	end_umem(p.tx, uo.frame_size, uo.nframes, 0, c->rx_flags,
		 c->tx_comp_ring ? c->tx_comp_ring : 2048);
	end_socket(env, p.tx, 0,
		   &(struct sock_cfg){ .flags = XSK_SOCKET_NO_RX |
						c->sock_flags,
				       .tx_size = c->tx_ring });
	return p;
}

struct lane lane_of(const struct env *env, struct pair *p, const char *what,
		    uint32_t count, uint32_t len)
{
	struct lane l;

	memset(&l, 0, sizeof(l));
	l.what = what;
	l.env = env;
	l.txe = p->tx;
	l.tx = p->tx->xsk[0];
	l.to = p->rx->side;
	l.rx[0].e = p->rx;
	l.rx[0].xsk = p->rx->xsk[0];
	l.rx[0].stride = 1;
	l.nrx = 1;
	l.stream = env->id;
	l.count = count;
	l.len = len;
	l.window = 256;
	return l;
}

void drain_comp(struct lane *l, uint64_t want)
{
	double end = kern_now() + 2;

	while (l->completed < want && kern_now() < end) {
		tx_kick(l);
		l->completed += xsk_frames_complete(
			&l->txe->txfr, xsk_socket_comp(l->tx), 256);
	}
	if (l->completed != want)
		fail_msg("%s: %llu frames sent, %llu completed, %llu expected",
			 l->what, (unsigned long long)l->sent,
			 (unsigned long long)l->completed,
			 (unsigned long long)want);
	/* every TX frame came back (once the last lane using them is done) */
	if (!l->shares_txfr &&
	    xsk_frames_nfree(&l->txe->txfr) != l->txe->txfr.nframes)
		fail_msg("%s: %u of %u TX frames came back", l->what,
			 xsk_frames_nfree(&l->txe->txfr), l->txe->txfr.nframes);
}

/* --------------------------------------------------------- the runner */

/* Turn IPv6 off in a namespace so that nothing but our frames crosses. */
static void quiet_ipv6(int side)
{
	static const char *const knobs[] = {
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
	};
	unsigned int i;
	int fd;

	if (setns(kern.ns_fd[side], CLONE_NEWNET))
		return;
	for (i = 0; i < 2; i++) {
		fd = open(knobs[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				fprintf(stderr, "can't write %s\n", knobs[i]);
			close(fd);
		}
	}
	if (setns(kern.ns_fd[0], CLONE_NEWNET))
		abort();
}

/* Can this machine do it at all? One line per reason it can't. */
static int preflight(void)
{
	struct xsk_umem *umem;
	struct xsk_prog *prog;
	int err;

	err = xsk_umem_create(&umem, &XSK_OPTS(xsk_umem_opts, .nframes = 16));
	if (err == -EAFNOSUPPORT) {
		printf("SKIP: this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)\n");
		return 77;
	}
	if (err) {
		printf("SKIP: can't create a UMEM here: %s\n", xsk_errmsg());
		return 77;
	}
	xsk_umem_destroy(umem);
	err = xsk_prog_attach(&prog, kern.ifname, 0,
			      &XSK_OPTS(xsk_prog_opts,
					.mode = XSK_ATTACH_GENERIC));
	if (err) {
		printf("SKIP: can't load and attach an XDP program here: %s\n",
		       xsk_errmsg());
		return 77;
	}
	xsk_prog_destroy(prog);
	return 0;
}

int traffic_main(const char *group, const struct case_def *cases,
		 unsigned int ncases)
{
	struct CMUnitTest *tests = calloc(ncases * NPARAMS, sizeof(*tests));
	char(*names)[96] = calloc(ncases * NPARAMS, sizeof(*names));
	unsigned int i, k, n = 0;
	const char *s;
	int err;

	if (!tests || !names)
		return 1;
	err = kern_init();
	if (!err)
		err = preflight();
	if (err)
		goto out;
	quiet_ipv6(0);
	quiet_ipv6(1);
	s = getenv("XSK_TRAFFIC_FILTER");
	if (s)
		cmocka_set_test_filter(s);
	for (i = 0; i < ncases; i++)
		for (k = 0; k < NPARAMS; k++) {
			if (cases[i].rows == POLL_ROWS && !matrix[k].poll)
				continue;
			if (cases[i].rows == NATIVE_ROWS &&
			    matrix[k].mode != XSK_ATTACH_NATIVE)
				continue;
			snprintf(names[n], sizeof(names[n]), "%s/%s",
				 cases[i].name, matrix[k].name);
			tests[n].name = names[n];
			tests[n].test_func = cases[i].fn;
			tests[n].setup_func = env_setup_veth;
			tests[n].teardown_func = env_teardown;
			tests[n].initial_state = (void *)&matrix[k];
			n++;
		}
	err = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
out:
	free(tests);
	free(names);
	return err;
}
