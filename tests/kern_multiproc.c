// SPDX-License-Identifier: MIT
/*
 * Several processes on one interface, on a real kernel: each receives on
 * its own queue through one shared XDP program (XSK_PROG_SHARED), one is
 * killed mid-stream and the others go on receiving every frame of theirs,
 * and the program leaves with the last of them. Then the XSKMAP and the
 * link pinned in bpffs, and who may open a pin: another uid can neither
 * open a default (0600) pin nor join the program to steer a queue; a group
 * given write access can. Then the explained refusals: a program that is
 * not libxsk's, libxsk's private one, a pin path off bpffs.
 *
 * Each case runs on a veth pair of its own with four queues. The peer
 * sends from an AF_XDP socket on each of its queues: veth hands a frame
 * sent on queue q to the other end's queue q, where native XDP sees it
 * (generic XDP does not keep the queue: kern_xskmap.c). The receivers are
 * child processes (fork()), each with its own UMEM, socket and handle, as
 * separate programs would be; pins go to a bpffs mounted for this run in a
 * private mount namespace, so that nothing of them outlives it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>

#include "traffic.h"

#define NQ 4 /* queues of the case's veth pair */
#define FRAME 2048u
#define LEN 64u
#define BATCH 64u /* frames per queue per round */
#define ROUNDS 20u
#define KILL_ROUND 10u
#define STREAM(q) (200u + (q))
#define NOBODY 65534
#define PIN_GROUP 4242

static const struct params native = { XSK_ATTACH_NATIVE, true, false, false,
				      "native" };
static char bpffs[64]; /* the run's private bpffs, or "" */
static unsigned int case_no;

/* ------------------------------------------------------------ the env */

/* A veth pair with NQ queues, both ends up, recorded for the tear-down. */
static int mp_setup(void **state)
{
	struct env *env = calloc(1, sizeof(*env));
	char base[IF_NAMESIZE];
	int side;

	if (!env)
		return -1;
	env->p = &native;
	env->id = 900 + ++case_no;
	snprintf(base, sizeof(base), "%.*s", (int)strlen(kern.ifname) - 1,
		 kern.ifname);
	for (side = 0; side < 2; side++) {
		snprintf(env->ifname[side], IF_NAMESIZE, "%.9sm%u%c", base,
			 case_no % 100, 'a' + side);
		memcpy(env->mac[side], "\x02\x00\x5e\x00\x01", 5);
		env->mac[side][5] = (unsigned char)(0xa + side);
	}
	if (kern_sh("ip -n %s link add %s address 02:00:5e:00:01:0a numtxqueues %d numrxqueues %d type veth peer name %s netns %s address 02:00:5e:00:01:0b numtxqueues %d numrxqueues %d && ip -n %s link set %s up && ip -n %s link set %s up",
		    kern.ns, env->ifname[0], NQ, NQ, env->ifname[1],
		    kern.peer_ns, NQ, NQ, kern.ns, env->ifname[0], kern.peer_ns,
		    env->ifname[1])) {
		free(env);
		return -1;
	}
	env->own_veth = true;
	*state = env;
	return 0;
}

#define MP_CASE(fn) cmocka_unit_test_setup_teardown(fn, mp_setup, env_teardown)

/* The program on our end: its id, 0 when none. */
static uint32_t attached(const struct env *env)
{
	uint32_t id = 0;

	assert_int_equal(xsk_prog_query(env->ifname[0], 0, &id, NULL), 0);
	return id;
}

/* A link whose last reference went is released by a kernel worker a
 * moment later: wait for the program to go (up to 3 s). */
static void assert_detached(const struct env *env)
{
	double end = kern_now() + 3;

	while (attached(env) && kern_now() < end)
		usleep(10000);
	assert_int_equal(attached(env), 0);
}

/* ------------------------------------------------------- a receiver */

struct rx_result {
	int err; /* 0, or the failing call's negative errno */
	char why[400];
	uint64_t got; /* frames of its queue's stream, in order */
	uint64_t wrong; /* frames of another queue's stream */
	uint64_t gaps; /* sequence numbers skipped */
};

struct rx_job {
	const struct env *env;
	uint32_t queue;
	struct xsk_prog_opts po;
	int ready, stop, result; /* pipes: written, read, written */
	int gate; /* -1, or a pipe to read a byte from before joining */
};

static void rx_fail(struct rx_job *j, struct rx_result *r, int err,
		    const char *what)
{
	r->err = err ? err : -EIO;
	snprintf(r->why, sizeof(r->why), "queue %u: %s: %s", j->queue, what,
		 xsk_errmsg());
}

static void mp_take(struct xsk_socket *xsk, void *area, uint32_t stream,
		    uint32_t *next, struct rx_result *r)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(xsk);
	struct xsk_ring_prod *fq = xsk_socket_fill(xsk);
	uint32_t idx, fidx, n, i, seq;
	const struct xdp_desc *d;
	const unsigned char *f;

	n = xsk_ring_cons__peek(rx, 64, &idx);
	if (!n)
		return;
	/* every frame taken goes back: the fill ring has room for all, but
	 * the kernel publishes its fill ring consumer just after the RX
	 * producer (xsk_flush()), so the room may show a moment later */
	for (i = 0; xsk_ring_prod__reserve(fq, n, &fidx) != n; i++)
		if (i == 100000000)
			abort();
	for (i = 0; i < n; i++) {
		d = xsk_ring_cons__rx_desc(rx, idx + i);
		f = (const unsigned char *)area + d->addr;
		if (frame_ours(f, d->len) && frame_stream(f) == stream) {
			seq = frame_seq(f);
			if (seq != *next)
				r->gaps += seq > *next ? seq - *next : 1;
			*next = seq + 1;
			r->got++;
		} else if (frame_ours(f, d->len)) {
			r->wrong++;
		}
		*xsk_ring_prod__fill_addr(fq, fidx + i) =
			d->addr - d->addr % FRAME;
	}
	xsk_ring_prod__submit(fq, n);
	xsk_ring_cons__release(rx, n);
}

/* The child: a UMEM, a socket on its queue, the shared program; says
 * "ready", counts until told to stop, reports, cleans up. */
static int receiver(void *arg)
{
	struct rx_job *j = arg;
	struct rx_result r;
	struct xsk_umem *umem = NULL;
	struct xsk_socket *xsk = NULL;
	struct xsk_prog *prog = NULL;
	struct xsk_ring_prod *fq;
	struct pollfd p[2];
	uint32_t idx, i, next = 0;
	char c = 1;
	int err;

	memset(&r, 0, sizeof(r));
	/* the parent's cmocka must not see our exit as its own */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	err = xsk_umem_create(&umem,
			      &XSK_OPTS(xsk_umem_opts, .frame_size = FRAME,
					.nframes = 2048, .fill_size = 2048));
	if (err) {
		rx_fail(j, &r, err, "xsk_umem_create");
		goto out;
	}
	err = xsk_socket_create(
		&xsk, umem,
		&XSK_OPTS(xsk_socket_opts, .ifname = j->env->ifname[0],
			  .queue_id = j->queue, .flags = XSK_SOCKET_NO_TX,
			  .rx_size = 2048, .fill_size = 2048,
			  .bind_wait_ms = 1000));
	if (err) {
		rx_fail(j, &r, err, "xsk_socket_create");
		goto out;
	}
	/* released with the others, by one write */
	if (j->gate >= 0 && read(j->gate, &c, 1) != 1)
		abort();
	err = xsk_prog_attach(&prog, j->env->ifname[0], 0, &j->po);
	if (!err)
		err = xsk_prog_add_socket(prog, xsk);
	if (err) {
		rx_fail(j, &r, err, "joining the program");
		goto out;
	}
	fq = xsk_socket_fill(xsk);
	if (xsk_ring_prod__reserve(fq, 2048, &idx) != 2048)
		abort();
	for (i = 0; i < 2048; i++)
		*xsk_ring_prod__fill_addr(fq, idx + i) = (uint64_t)i * FRAME;
	xsk_ring_prod__submit(fq, 2048);
	if (write(j->ready, &c, 1) != 1)
		abort();
	p[0] = (struct pollfd){ .fd = xsk_socket_fd(xsk), .events = POLLIN };
	p[1] = (struct pollfd){ .fd = j->stop, .events = POLLIN };
	for (;;) {
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			break;
		mp_take(xsk, xsk_umem_area(umem), STREAM(j->queue), &next, &r);
		if (p[1].revents)
			break;
	}
	/* what arrived between the last look and the stop */
	mp_take(xsk, xsk_umem_area(umem), STREAM(j->queue), &next, &r);
out:
	if (write(j->result, &r, sizeof(r)) != sizeof(r))
		abort();
	xsk_prog_destroy(prog);
	xsk_socket_destroy(xsk);
	xsk_umem_destroy(umem);
	return 0;
}

struct child {
	pid_t pid;
	struct rx_job job;
	int ready, stop, result; /* our ends */
};

static void spawn_receiver(struct env *env, struct child *c, uint32_t q,
			   const struct xsk_prog_opts *po, int gate)
{
	int ready[2], stop[2], result[2];

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(stop, O_CLOEXEC), 0);
	assert_int_equal(pipe2(result, O_CLOEXEC), 0);
	c->job = (struct rx_job){ .env = env,
				  .queue = q,
				  .po = *po,
				  .ready = ready[1],
				  .stop = stop[0],
				  .result = result[1],
				  .gate = gate };
	c->pid = env_fork(env);
	if (!c->pid)
		_exit(receiver(&c->job));
	close(ready[1]);
	close(stop[0]);
	close(result[1]);
	c->ready = ready[0];
	c->stop = stop[1];
	c->result = result[0];
}

/* Ready, or the result that says why not. */
static void await_receiver(struct child *c)
{
	struct rx_result r;
	struct pollfd p = { .fd = c->ready, .events = POLLIN };
	char b;

	assert_int_equal(poll(&p, 1, 20000), 1);
	if (read(c->ready, &b, 1) != 1) {
		assert_int_equal(read(c->result, &r, sizeof(r)), sizeof(r));
		fail_msg("%s", r.why);
	}
}

static void start_receiver(struct env *env, struct child *c, uint32_t q,
			   const struct xsk_prog_opts *po)
{
	spawn_receiver(env, c, q, po, -1);
	await_receiver(c);
}

/* Tell a receiver to stop; its result, and its exit. */
static void stop_receiver(struct env *env, struct child *c, struct rx_result *r)
{
	char b = 1;

	assert_int_equal(write(c->stop, &b, 1), 1);
	assert_int_equal(read(c->result, r, sizeof(*r)), sizeof(*r));
	assert_int_equal(env_wait(env, c->pid), 0);
	close(c->ready);
	close(c->stop);
	close(c->result);
	if (r->err)
		fail_msg("%s", r->why);
}

static void kill_receiver(struct env *env, struct child *c)
{
	int status;

	assert_int_equal(kill(c->pid, SIGKILL), 0);
	status = env_wait(env, c->pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail_msg("the receiver ended before SIGKILL: %s %d",
			 WIFSIGNALED(status) ? "signal" : "exit code",
			 WIFSIGNALED(status) ? WTERMSIG(status) :
					       WEXITSTATUS(status));
	close(c->ready);
	close(c->stop);
	close(c->result);
}

/* ---------------------------------------------------------- the sender */

/* The peer's end: one UMEM, a TX socket on each queue; frames
 * [q * BATCH, (q + 1) * BATCH) are queue q's. */
static struct end *sender(struct env *env, uint32_t nq)
{
	struct end *e = end_new(env, 1);
	uint32_t q;

	end_umem(e, FRAME, 1024, 0, 0, 0);
	for (q = 0; q < nq; q++)
		end_socket(env, e, q,
			   &(struct sock_cfg){ .queue = q,
					       .flags = XSK_SOCKET_NO_RX });
	return e;
}

/* BATCH frames of queue @q's stream, from sequence number *@seq on; back
 * when the kernel has sent them all. */
static void send_batch(struct env *env, struct end *e, uint32_t q,
		       uint32_t *seq)
{
	struct xsk_socket *s = e->xsk[q];
	struct xsk_ring_prod *tx = xsk_socket_tx(s);
	struct xsk_ring_cons *cq = xsk_socket_comp(s);
	unsigned char *area = xsk_umem_area(e->umem);
	uint32_t idx, i, done = 0, n;
	double end = kern_now() + 5;
	struct xdp_desc *d;
	uint64_t addr;

	assert_int_equal(xsk_ring_prod__reserve(tx, BATCH, &idx), BATCH);
	for (i = 0; i < BATCH; i++) {
		addr = (uint64_t)(q * BATCH + i) * FRAME;
		frame_make(area + addr, env->mac[0], env->mac[1], STREAM(q),
			   (*seq)++, LEN);
		d = xsk_ring_prod__tx_desc(tx, idx + i);
		*d = (struct xdp_desc){ .addr = addr, .len = LEN };
	}
	xsk_ring_prod__submit(tx, BATCH);
	while (done < BATCH && kern_now() < end) {
		xsk_socket_kick_tx(s);
		n = xsk_ring_cons__peek(cq, BATCH, &idx);
		xsk_ring_cons__release(cq, n);
		done += n;
	}
	assert_int_equal(done, BATCH);
}

/* --------------------------------------------------------------- cases */

static const struct xsk_prog_opts shared_opts = {
	.sz = sizeof(struct xsk_prog_opts),
	.flags = XSK_PROG_SHARED,
	.mode = XSK_ATTACH_NATIVE,
};

/*
 * @n processes, each on its own queue of one interface, all joined to one
 * program; the first, which attached it, is killed with SIGKILL after
 * KILL_ROUND rounds. The others get every frame of their queue, in order,
 * and nothing of another's; the program stays while any of them runs and
 * leaves with the last.
 */
static void n_processes(struct env *env, uint32_t n)
{
	struct child c[NQ];
	struct rx_result r;
	struct end *tx = sender(env, n);
	uint32_t seq[NQ] = { 0 }, q, round, id;

	for (q = 0; q < n; q++)
		start_receiver(env, &c[q], q, &shared_opts);
	id = attached(env);
	assert_true(id != 0);
	for (round = 0; round < ROUNDS; round++) {
		if (round == KILL_ROUND) {
			kill_receiver(env, &c[0]);
			/* the others' link references hold it */
			usleep(100000);
			assert_int_equal(attached(env), id);
		}
		for (q = 0; q < n; q++)
			send_batch(env, tx, q, &seq[q]);
	}
	usleep(100000);
	for (q = 1; q < n; q++) {
		stop_receiver(env, &c[q], &r);
		printf("    queue %u: %llu of %u frames, %llu of other queues, %llu missing\n",
		       q, (unsigned long long)r.got, ROUNDS * BATCH,
		       (unsigned long long)r.wrong, (unsigned long long)r.gaps);
		assert_int_equal(r.got, ROUNDS * BATCH);
		assert_int_equal(r.wrong, 0);
		assert_int_equal(r.gaps, 0);
		if (q + 1 < n)
			assert_int_equal(attached(env), id);
	}
	/* the last one gone, so is the program; nothing was pinned */
	assert_detached(env);
	end_destroy(tx);
}

/*
 * JOIN_ROUNDS times: NQ processes released at one instant (one write of a
 * byte for each to the pipe they wait on) each attach or join, so that
 * several find no program and race to attach one, and the others find one
 * being attached. From the
 * second round on they also find the last round's program while its link
 * is being released. Every process must end up in the one program that
 * stays, holding it: each gets every frame of its queue.
 */
#define JOIN_ROUNDS 8u

static void joined_at_once(void **state)
{
	struct env *env = *state;
	struct child c[NQ];
	struct rx_result r;
	struct end *tx = sender(env, NQ);
	uint32_t seq[NQ] = { 0 }, q, round, id;
	int gate[2];

	for (round = 0; round < JOIN_ROUNDS; round++) {
		assert_int_equal(pipe2(gate, O_CLOEXEC), 0);
		for (q = 0; q < NQ; q++)
			spawn_receiver(env, &c[q], q, &shared_opts, gate[0]);
		assert_int_equal(write(gate[1], "goes", NQ), NQ);
		close(gate[0]);
		close(gate[1]);
		for (q = 0; q < NQ; q++)
			await_receiver(&c[q]);
		id = attached(env);
		assert_true(id != 0);
		for (q = 0; q < NQ; q++) {
			seq[q] = 0;
			send_batch(env, tx, q, &seq[q]);
		}
		usleep(100000);
		assert_int_equal(attached(env), id);
		for (q = 0; q < NQ; q++) {
			stop_receiver(env, &c[q], &r);
			if (r.got != BATCH)
				fail_msg(
					"round %u: queue %u got %llu of %u frames (%llu of other queues)",
					round, q, (unsigned long long)r.got,
					BATCH, (unsigned long long)r.wrong);
			assert_int_equal(r.wrong, 0);
		}
	}
	assert_detached(env);
	end_destroy(tx);
}

static void two_processes(void **state)
{
	n_processes(*state, 2);
}

static void four_processes(void **state)
{
	n_processes(*state, 4);
}

/* ---------------------------------------------------------------- pins */

static void need_bpffs(void)
{
	if (!bpffs[0]) {
		printf("    SKIP: no private bpffs could be mounted\n");
		skip();
	}
}

/* A pin path of this case: the run's bpffs, @what. */
static const char *pin_path(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "%s/%s%u", bpffs, what, case_no);
	return buf;
}

/*
 * The map pinned by the process that attaches: it stays when the program
 * leaves (it was asked for), with the kernel's owner-only mode. A pinned
 * link keeps the program attached after every process has gone, until
 * the pin is removed.
 */
static void pinned_map_and_link(void **state)
{
	struct env *env = *state;
	struct child c;
	struct rx_result r;
	struct xsk_prog_opts po = shared_opts;
	char map[128], link[128];
	struct stat st;

	need_bpffs();
	po.pin_map = pin_path(map, sizeof(map), "map");
	po.pin_link = pin_path(link, sizeof(link), "link");
	start_receiver(env, &c, 0, &po);
	assert_int_equal(stat(map, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(link, &st), 0);
	stop_receiver(env, &c, &r);
	/* the pinned link holds the program */
	usleep(200000);
	assert_true(attached(env) != 0);
	assert_int_equal(unlink(link), 0);
	assert_detached(env);
	assert_int_equal(stat(map, &st), 0);
	assert_int_equal(unlink(map), 0);
}

struct other_uid {
	const char *map; /* the pin */
	int xsk_fd; /* a bound AF_XDP socket to steer with */
	const char *ifname;
	gid_t group; /* a supplementary group to keep; 0: none */
	int want; /* what xsk_prog_attach(.map_path) must say */
};

/* As uid 65534 with no capability: open the pin and put our socket into
 * the map; join the program. 0 if everything answered as @want says. */
static int as_other_uid(void *arg)
{
	struct other_uid *o = arg;
	struct xsk_prog *p = NULL;
	gid_t groups[1] = { o->group };
	int err;

	if (setgroups(o->group ? 1 : 0, groups) ||
	    setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) || kern_drop_caps(~0ull, true)) {
		fprintf(stderr, "dropping privileges: %s\n", strerror(errno));
		return 1;
	}
	err = xsk_prog_attach(&p, o->ifname, 0,
			      &XSK_OPTS(xsk_prog_opts,
					.flags = XSK_PROG_MAP_ONLY,
					.map_path = o->map));
	/* Before 6.5, kernel.unprivileged_bpf_disabled (Debian: 2) refuses
	 * every bpf(2) command to a process without CAP_BPF: said so. */
	if (err == -EPERM && !kern_release_at_least(6, 5) &&
	    strstr(xsk_errmsg(), "unprivileged_bpf_disabled")) {
		printf("    uid %d: %s\n", NOBODY, xsk_errmsg());
		fflush(stdout);
		return 0;
	}
	if (err != o->want) {
		fprintf(stderr, "map_path: %d (%s), want %d\n", err,
			xsk_errmsg(), o->want);
		return 1;
	}
	if (!err) {
		/* the group may steer: the positive control */
		err = xsk_prog_set_queue(p, 0, o->xsk_fd);
		xsk_prog_destroy(p);
		if (err) {
			fprintf(stderr, "steering: %s\n", xsk_errmsg());
			return 1;
		}
		return 0;
	}
	printf("    uid %d: %s\n", NOBODY, xsk_errmsg());
	fflush(stdout);
	/* nor through the attached program: that needs CAP_SYS_ADMIN */
	err = xsk_prog_attach(&p, o->ifname, 0, &shared_opts);
	if (err != -EPERM) {
		fprintf(stderr, "joining: %d (%s), want -EPERM\n", err,
			xsk_errmsg());
		if (!err)
			xsk_prog_destroy(p);
		return 1;
	}
	printf("    uid %d: %s\n", NOBODY, xsk_errmsg());
	fflush(stdout);
	return 0;
}

/*
 * Another uid can neither open a default pin nor join the program, so it
 * can't steer a queue into its socket; a pin given to a group with write
 * access (0660) lets the group in; read access alone (0640) is not enough,
 * since the map is opened for writing or not at all.
 */
static void pin_permissions(void **state)
{
	struct env *env = *state;
	struct end *e = end_new(env, 0);
	struct xsk_prog *prog;
	struct xsk_prog_opts po = shared_opts;
	struct other_uid o;
	char map[128];

	need_bpffs();
	/* the directory must let others reach the pin */
	assert_int_equal(chmod(bpffs, 0755), 0);
	end_umem(e, FRAME, 64, 0, 0, 0);
	end_socket(env, e, 0,
		   &(struct sock_cfg){ .queue = 0, .flags = XSK_SOCKET_NO_TX });
	po.pin_map = pin_path(map, sizeof(map), "perm");
	assert_int_equal(xsk_prog_attach(&prog, env->ifname[0], 0, &po), 0);
	e->prog = prog;
	o = (struct other_uid){ .map = map,
				.xsk_fd = xsk_socket_fd(e->xsk[0]),
				.ifname = env->ifname[0],
				.want = -EACCES };
	kern_in_child(as_other_uid, &o);
	assert_int_equal(unlink(map), 0);
	assert_int_equal(end_prog_destroy(e), 0);

	/* group read and write: the group may steer */
	po.pin_mode = 0660;
	po.pin_gid = PIN_GROUP;
	assert_int_equal(xsk_prog_attach(&prog, env->ifname[0], 0, &po), 0);
	e->prog = prog;
	o.group = PIN_GROUP;
	o.want = 0;
	kern_in_child(as_other_uid, &o);
	assert_int_equal(unlink(map), 0);
	assert_int_equal(end_prog_destroy(e), 0);

	/* read only: no way to write the map */
	po.pin_mode = 0640;
	assert_int_equal(xsk_prog_attach(&prog, env->ifname[0], 0, &po), 0);
	e->prog = prog;
	o.want = -EACCES;
	kern_in_child(as_other_uid, &o);
	assert_int_equal(unlink(map), 0);
	end_destroy(e);
	assert_detached(env);
}

/* ------------------------------------------------------------ refusals */

/* Each refusal with its errno, advice code and the words that explain. */
static void refusals(void **state)
{
	struct env *env = *state;
	const struct bpf_insn pass[] = {
		KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		KERN_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct xsk_prog *mine, *p = NULL;
	struct xsk_prog_opts po = shared_opts;
	char log[256];
	int fd;

	/* libxsk's private program: start everybody with XSK_PROG_SHARED */
	assert_int_equal(xsk_prog_attach(&mine, env->ifname[0], 0,
					 &XSK_OPTS(xsk_prog_opts,
						   .mode = XSK_ATTACH_NATIVE)),
			 0);
	assert_int_equal(xsk_prog_attach(&p, env->ifname[0], 0, &po), -EBUSY);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_JOIN);
	assert_non_null(strstr(xsk_errmsg(), "without XSK_PROG_SHARED"));
	printf("    %s\n", xsk_errmsg());
	assert_int_equal(xsk_prog_destroy(mine), 0);

	/* a shared one: attaching without XSK_PROG_SHARED says join it */
	assert_int_equal(xsk_prog_attach(&mine, env->ifname[0], 0, &po), 0);
	assert_int_equal(xsk_prog_attach(&p, env->ifname[0], 0, NULL), -EBUSY);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_JOIN);
	assert_non_null(strstr(xsk_errmsg(), "join it with XSK_PROG_SHARED"));
	printf("    %s\n", xsk_errmsg());
	assert_int_equal(xsk_prog_destroy(mine), 0);
	assert_detached(env);

	/* a program that is not libxsk's */
	fd = kern_xdp_prog(pass, 2, 0, log, sizeof(log));
	assert_true(fd >= 0);
	assert_int_equal(xsk_prog_attach(&mine, env->ifname[0], 0,
					 &XSK_OPTS(xsk_prog_opts,
						   .flags = XSK_PROG_OWN_PROG,
						   .prog_fd = fd,
						   .mode = XSK_ATTACH_NATIVE)),
			 0);
	close(fd);
	assert_int_equal(xsk_prog_attach(&p, env->ifname[0], 0, &po), -EBUSY);
	assert_non_null(strstr(xsk_errmsg(), "not libxsk's"));
	printf("    %s\n", xsk_errmsg());
	assert_int_equal(xsk_prog_destroy(mine), 0);

	/* pins off bpffs, or nowhere */
	po.pin_map = "/tmp/libxsk-not-bpffs-pin";
	assert_int_equal(xsk_prog_attach(&p, env->ifname[0], 0, &po), -EINVAL);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BPFFS);
	printf("    %s\n", xsk_errmsg());
	po.pin_map = "/nonexistent-libxsk-dir/map";
	assert_int_equal(xsk_prog_attach(&p, env->ifname[0], 0, &po), -ENOENT);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BPFFS);
	printf("    %s\n", xsk_errmsg());
	po = (struct xsk_prog_opts){ .sz = sizeof(po),
				     .flags = XSK_PROG_MAP_ONLY,
				     .map_path = "/tmp" };
	assert_int_equal(xsk_prog_attach(&p, env->ifname[0], 0, &po), -EINVAL);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BPFFS);
	/* nothing of the failures is left */
	assert_int_equal(attached(env), 0);
	assert_int_equal(access("/tmp/libxsk-not-bpffs-pin", F_OK), -1);
}

/* ------------------------------------------------------------ tokens */

struct token_job {
	int sock; /* to the parent, which mounts the delegated bpffs */
	const char *ifname;
};

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * In a user and mount namespace of its own, root there and nothing in the
 * initial one: the child asks for a bpffs (fsopen), the parent, privileged,
 * delegates it and mounts it (fsmount), and the child loads and attaches
 * with a token from it. Without the token, the same attach is refused.
 * Before 6.9 the bpffs can't be delegated: the parent mounts it plain, and
 * the token is refused with the kernel's version.
 */
static int token_child(void *arg)
{
	struct token_job *j = arg;
	struct xsk_prog *p = NULL;
	char path[64];
	int fs, mnt, err;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) ||
	    write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "0 0 1") ||
	    write_file("/proc/self/gid_map", "0 0 1")) {
		fprintf(stderr, "user namespace: %s\n", strerror(errno));
		return 1;
	}
	fs = fsopen("bpf", FSOPEN_CLOEXEC);
	if (fs < 0) {
		fprintf(stderr, "fsopen(bpf): %s\n", strerror(errno));
		return 1;
	}
	if (kern_send_fds(j->sock, &fs, 1) || kern_recv_fds(j->sock, &mnt, 1))
		return 1;
	err = xsk_prog_attach(&p, j->ifname, 0,
			      &XSK_OPTS(xsk_prog_opts,
					.mode = XSK_ATTACH_NATIVE));
	if (err != -EPERM) {
		fprintf(stderr, "without a token: %d (%s), want -EPERM\n", err,
			xsk_errmsg());
		return 1;
	}
	printf("    without a token: %s\n", xsk_errmsg());
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mnt);
	err = xsk_prog_attach(&p, j->ifname, 0,
			      &XSK_OPTS(xsk_prog_opts, .token_path = path,
					.mode = XSK_ATTACH_NATIVE));
	if (!kern_release_at_least(6, 9)) {
		printf("    before 6.9: %s\n", xsk_errmsg());
		fflush(stdout);
		return err == -EOPNOTSUPP && strstr(xsk_errmsg(), "Linux 6.9") ?
			       0 :
			       1;
	}
	if (err) {
		fprintf(stderr, "with a token: %s\n", xsk_errmsg());
		return 1;
	}
	printf("    with a token from the delegated bpffs: program attached, %u slots\n",
	       xsk_prog_nqueues(p));
	fflush(stdout);
	return xsk_prog_destroy(p) ? 1 : 0;
}

static void token_in_user_namespace(void **state)
{
	struct env *env = *state;
	struct token_job j = { .ifname = env->ifname[0] };
	static const char *const delegate[] = { "delegate_cmds",
						"delegate_maps",
						"delegate_progs",
						"delegate_attachs" };
	int sv[2], fs, mnt, status;
	unsigned int i;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	env_keep_fd(env, sv[0]);
	env_keep_fd(env, sv[1]);
	j.sock = sv[1];
	pid = env_fork(env);
	if (!pid)
		_exit(token_child(&j));
	env_close_fd(env, sv[1]);
	if (kern_recv_fds(sv[0], &fs, 1)) {
		env_wait(env, pid);
		fail_msg("the child gave no bpffs context");
	}
	if (kern_release_at_least(6, 9)) {
		for (i = 0; i < sizeof(delegate) / sizeof(delegate[0]); i++)
			assert_int_equal(fsconfig(fs, FSCONFIG_SET_STRING,
						  delegate[i], "any", 0),
					 0);
		assert_int_equal(
			fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), 0);
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	} else {
		/* Before 6.9 bpffs knows no delegation, and a bpffs made
		 * from a user namespace's context can't be created (5.10,
		 * 6.1): any directory serves for the refusal. */
		mnt = open("/", O_PATH | O_CLOEXEC);
	}
	assert_true(mnt >= 0);
	close(fs);
	assert_int_equal(kern_send_fds(sv[0], &mnt, 1), 0);
	close(mnt);
	status = env_wait(env, pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_detached(env);
}

/* A private mount namespace with a bpffs of its own, for the pins. */
static void mount_bpffs(void)
{
	char tmpl[] = "/tmp/libxsk-bpffs-XXXXXX";

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) || !mkdtemp(tmpl))
		return;
	if (mount("bpf", tmpl, "bpf", 0, "mode=0700")) {
		rmdir(tmpl);
		return;
	}
	snprintf(bpffs, sizeof(bpffs), "%s", tmpl);
}

static void unmount_bpffs(void)
{
	if (!bpffs[0])
		return;
	umount(bpffs);
	rmdir(bpffs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MP_CASE(two_processes),		  MP_CASE(four_processes),
		MP_CASE(joined_at_once),	  MP_CASE(pinned_map_and_link),
		MP_CASE(pin_permissions),	  MP_CASE(refusals),
		MP_CASE(token_in_user_namespace),
	};
	int ret = kern_init();

	if (ret)
		return ret;
	mount_bpffs();
	ret = cmocka_run_group_tests_name("several processes, real kernel",
					  tests, NULL, NULL);
	unmount_bpffs();
	return ret;
}
