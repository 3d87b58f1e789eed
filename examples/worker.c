// SPDX-License-Identifier: MIT
/*
 * xsk-worker: receive on one queue in a worker process that has no
 * capability at all, fed by a small privileged supervisor; and, with
 * --restart, replace the worker every few seconds without losing the
 * queue. Installed as xsk-worker by make install.
 *
 *	xsk-worker -i eth0 -q 2 -d 10               one worker, 10 seconds
 *	xsk-worker -i eth0 --restart 2 -d 10        a new worker every 2 s
 *
 * The supervisor (root, or CAP_NET_RAW + CAP_NET_ADMIN + CAP_BPF +
 * CAP_SETUID + CAP_SETGID) attaches the XDP program, opens the AF_XDP
 * socket, and starts the worker, which becomes --user (default nobody):
 * with that, every capability is gone. The socket reaches the worker over
 * a Unix socket (xsk_fds_send()); the worker registers its UMEM, maps the
 * rings and binds, and the supervisor puts its own copy of the socket in
 * the XSKMAP. A restart starts the next worker first and hands the old
 * worker a Unix socket to it: the old worker passes its bound socket and
 * UMEM on (xsk_socket_handover(), Linux 6.4) and exits; the new one adopts
 * them (xsk_socket_adopt()) and goes on from where the rings stand. The
 * socket never leaves its queue or its XSKMAP slot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xsk.h>

#define NAME "xsk-worker"
#define NFRAMES 1024u
#define FRAME 4096u

struct cfg {
	const char *ifname;
	uint32_t queue;
	const char *user;
	double seconds;
	double restart;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " NAME " -i IFNAME [options]\n"
		"Receive on one queue in a worker process with no "
		"capabilities, set up by a\nprivileged supervisor; with "
		"--restart, hand the bound socket to a new worker\nevery few "
		"seconds without losing the queue.\n\n"
		"  -i, --interface IFNAME  the interface\n"
		"  -q, --queue Q           the queue (0)\n"
		"  -u, --user USER         the worker runs as USER (nobody)\n"
		"  -d, --duration SECONDS  stop after this long (10), or at "
		"SIGINT or SIGTERM\n"
		"  -r, --restart SECONDS   start a new worker this often, "
		"handing it the socket\n"
		"                          (Linux 6.4; 0, the default: never)\n"
		"  -h, --help              this text\n\n"
		"Run as root. Prints one line per worker and the total.\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	fprintf(stderr, NAME ": %s: %s\n", what, xsk_errmsg());
	return 1;
}

/* ------------------------------------------------------------- worker */

/* Become @user: with the uid change from root every capability goes. The
 * locked-memory limit was raised by the supervisor beforehand. */
static int drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		fprintf(stderr, NAME ": no user %s\n", user);
		return -1;
	}
	if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		fprintf(stderr, NAME ": becoming %s: %s\n", user,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Receive until the supervisor hands over (a message with a successor's
 * socket) or hangs up; report the count on @ctl. */
static int work(int ctl, struct xsk_socket *xsk)
{
	struct xsk_ring_cons *rx = xsk_socket_rx(xsk);
	struct xsk_ring_prod *fq = xsk_socket_fill(xsk);
	struct pollfd p[2] = { { .fd = xsk_socket_fd(xsk), .events = POLLIN },
			       { .fd = ctl, .events = POLLIN } };
	struct xsk_stats st = { .sz = sizeof(st) };
	uint64_t rep[2] = { 0, 0 }; /* frames, and the socket's drops */
	uint64_t got = 0;
	uint32_t n, i, idx, fidx;
	int succ, err;

	for (;;) {
		xsk_socket_wake_rx(xsk);
		n = xsk_ring_cons__peek(rx, 64, &idx);
		if (n) {
			/* every frame goes straight back to the fill ring,
			 * so that all of them are always in the rings: a
			 * successor then knows where each one is */
			while (xsk_ring_prod__reserve(fq, n, &fidx) != n)
				;
			for (i = 0; i < n; i++)
				*xsk_ring_prod__fill_addr(fq, fidx + i) =
					xsk_umem__extract_addr(
						xsk_ring_cons__rx_desc(rx,
								       idx + i)
							->addr) &
					~(uint64_t)(FRAME - 1);
			xsk_ring_cons__release(rx, n);
			xsk_ring_prod__submit(fq, n);
			got += n;
			continue;
		}
		if (poll(p, 2, 100) <= 0 ||
		    !(p[1].revents & (POLLIN | POLLHUP)))
			continue;
		/* counted on the socket since its bind, whoever held it */
		if (!xsk_socket_stats(xsk, &st))
			rep[1] = st.rx_dropped + st.rx_ring_full;
		err = xsk_fds_recv(ctl, &succ, 1, NULL, NULL);
		if (!err) {
			err = xsk_socket_handover(xsk, succ);
			close(succ);
			if (err)
				return die("handing over");
		} else if (err != -ECONNRESET) {
			return die("the supervisor's message");
		}
		printf("worker %d (uid %d): %llu frames%s\n", (int)getpid(),
		       (int)getuid(), (unsigned long long)got,
		       err ? "" : ", then handed the socket over");
		fflush(stdout);
		rep[0] = got;
		if (write(ctl, rep, sizeof(rep)) != sizeof(rep))
			return 1;
		return 0;
	}
}

/* The first worker: set the socket up (no capability needed). */
static int first_worker(const struct cfg *c, int ctl)
{
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = NFRAMES,
					   .fill_size = NFRAMES,
					   .flags = XSK_UMEM_MEMFD);
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = c->ifname,
			 .queue_id = c->queue, .flags = XSK_SOCKET_NO_TX);
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	uint32_t i, idx;
	int fd, rc;

	if (xsk_fds_recv(ctl, &fd, 1, NULL, NULL))
		return die("receiving the socket");
	if (xsk_umem_create_fd(&umem, fd, &uo))
		return die("xsk_umem_create_fd");
	if (xsk_socket_create(&xsk, umem, &so))
		return die("xsk_socket_create");
	if (xsk_ring_prod__reserve(xsk_socket_fill(xsk), NFRAMES, &idx) !=
	    NFRAMES)
		return 1;
	for (i = 0; i < NFRAMES; i++)
		*xsk_ring_prod__fill_addr(xsk_socket_fill(xsk), idx + i) =
			(uint64_t)i * FRAME;
	xsk_ring_prod__submit(xsk_socket_fill(xsk), NFRAMES);
	if (write(ctl, "b", 1) != 1)
		return 1;
	rc = work(ctl, xsk);
	xsk_socket_destroy(xsk);
	xsk_umem_destroy(umem);
	return rc;
}

/* A later worker: adopt the predecessor's socket and UMEM from @from. */
static int next_worker(int ctl, int from)
{
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	int rc;

	if (xsk_socket_adopt(&xsk, &umem, from))
		return die("adopting the socket");
	close(from);
	rc = work(ctl, xsk);
	xsk_socket_destroy(xsk);
	xsk_umem_destroy(umem);
	return rc;
}

/* --------------------------------------------------------- supervisor */

/* SIGINT or SIGTERM: stop as at the end of --duration, totals printed. */
static volatile sig_atomic_t stop_asked;

static void on_signal(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* read() that a signal does not cut short */
static ssize_t read_on(int fd, void *buf, size_t len)
{
	ssize_t n;

	while ((n = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	return n;
}

struct child {
	pid_t pid;
	int ctl; /* the supervisor's end */
};

/* In a new worker: close every fd but the standard ones, @a and @b, so
 * that it holds nothing of the supervisor's (the program, the map, other
 * workers' sockets). */
static void close_others(int a, int b)
{
	long fd, max = sysconf(_SC_OPEN_MAX);

	for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		if (fd != a && fd != b)
			close((int)fd);
}

/* Fork a worker as @user: the first (@from < 0) or a successor adopting
 * on @from. */
static int spawn(const struct cfg *c, int from, struct child *w)
{
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		return -1;
	fflush(stdout);
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (!w->pid) {
		close_others(sp[1], from);
		if (drop_privileges(c->user))
			_exit(1);
		_exit(from < 0 ? first_worker(c, sp[1]) :
				 next_worker(sp[1], from));
	}
	close(sp[1]);
	w->ctl = sp[0];
	return 0;
}

/* Collect a worker's count once it is done; *@drops gets the socket's
 * drops so far. */
static uint64_t reap(struct child *w, uint64_t *drops)
{
	uint64_t rep[2] = { 0, 0 };
	int st;

	if (read_on(w->ctl, rep, sizeof(rep)) != sizeof(rep))
		rep[0] = 0;
	close(w->ctl);
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, NAME ": worker %d failed\n", (int)w->pid);
	*drops = rep[1];
	return rep[0];
}

/* Replace @w: start the successor, hand @w a socket to it. */
static int restart(const struct cfg *c, struct child *w, uint64_t *total)
{
	struct child next;
	uint64_t drops;
	int sp[2], err;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		return -1;
	err = spawn(c, sp[1], &next);
	close(sp[1]);
	if (!err)
		err = xsk_fds_send(w->ctl, &sp[0], 1, NULL, 0);
	close(sp[0]);
	if (err)
		return die("starting the next worker");
	*total += reap(w, &drops);
	*w = next;
	return 0;
}

static int supervise(const struct cfg *c)
{
	/* the worker's UMEM, 4 MiB, is charged to its RLIMIT_MEMLOCK, which
	 * it could not raise itself once unprivileged */
	struct rlimit rl = { 2ull * NFRAMES * FRAME, 2ull * NFRAMES * FRAME };
	struct sigaction sa = { .sa_handler = on_signal };
	struct xsk_prog *prog;
	struct child w;
	uint64_t total = 0, drops = 0;
	double end = now() + c->seconds, next_restart;
	int fd;
	char b;

	signal(SIGPIPE, SIG_IGN);
	/* the workers inherit it: one Ctrl-C reaches the whole process
	 * group, and only the supervisor decides when a worker stops */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (setrlimit(RLIMIT_MEMLOCK, &rl) && !getrlimit(RLIMIT_MEMLOCK, &rl)) {
		/* no CAP_SYS_RESOURCE (a container): up to the hard limit */
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &rl);
		if (rl.rlim_cur < (rlim_t)NFRAMES * FRAME)
			fprintf(stderr,
				NAME ": RLIMIT_MEMLOCK is %llu KiB, less than "
				     "the %u KiB of the worker's UMEM\n",
				(unsigned long long)rl.rlim_cur >> 10,
				NFRAMES * FRAME >> 10);
	}
	if (xsk_prog_attach(&prog, c->ifname, 0, NULL))
		return die("attaching the program");
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror(NAME ": AF_XDP socket");
		return 1;
	}
	/* the worker gets the socket only through the Unix socket */
	if (spawn(c, -1, &w) || xsk_fds_send(w.ctl, &fd, 1, NULL, 0))
		return die("starting the worker");
	if (read_on(w.ctl, &b, 1) != 1) {
		fprintf(stderr, NAME ": the worker failed to set up\n");
		return 1;
	}
	/* bound by the worker: our copy of the fd goes in the map, and the
	 * socket stays there whichever worker holds it */
	if (xsk_prog_set_queue(prog, c->queue, fd))
		return die("xsk_prog_set_queue");
	close(fd);
	printf("worker %d receives on %s queue %u\n", (int)w.pid, c->ifname,
	       c->queue);
	fflush(stdout);
	next_restart = c->restart > 0 ? now() + c->restart : end;
	while (now() < end && !stop_asked) {
		usleep(10000);
		if (now() < next_restart || now() >= end)
			continue;
		if (restart(c, &w, &total))
			break;
		next_restart += c->restart;
	}
	shutdown(w.ctl, SHUT_WR); /* the last worker stops */
	total += reap(&w, &drops);
	printf("total: %llu frames, %llu dropped by the socket\n",
	       (unsigned long long)total, (unsigned long long)drops);
	xsk_prog_destroy(prog);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "user", required_argument, NULL, 'u' },
		{ "duration", required_argument, NULL, 'd' },
		{ "restart", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cfg c = { .user = "nobody", .seconds = 10 };
	int o;

	while ((o = getopt_long(argc, argv, "i:q:u:d:r:h", lo, NULL)) != -1) {
		switch (o) {
		case 'i':
			c.ifname = optarg;
			break;
		case 'q':
			c.queue = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'u':
			c.user = optarg;
			break;
		case 'd':
			c.seconds = atof(optarg);
			break;
		case 'r':
			c.restart = atof(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!c.ifname || optind != argc || c.seconds <= 0 || c.restart < 0) {
		usage(stderr);
		return 2;
	}
	return supervise(&c);
}
