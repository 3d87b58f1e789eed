// SPDX-License-Identifier: MIT
/*
 * livegen: the benchmark's traffic source, and its bare XDP_DROP sink.
 *
 *	livegen -i IF [--park IF2] [-d SEC] [-n N] [-l LEN] [-b BATCH] [-C CPU]
 *	livegen --drop IF [-d SEC]
 *
 * Sending uses the kernel's own XDP test runner in "live frames" mode
 * (Linux 5.18): BPF_PROG_RUN runs a two-instruction program, "return
 * XDP_TX", over a 64-byte frame as if it had arrived on IF, and the
 * kernel really transmits each result out of IF, in batches, from a page
 * pool it sets up per call. On a veth pair that is several times faster
 * than any user-space sender (AF_XDP copy-mode TX or AF_PACKET stop near
 * 1 Mpps), fast enough to load an AF_XDP receiver on the other end. The
 * other end must accept XDP frames: it needs an XDP program (the
 * receiver's, or --drop's) or GRO.
 *
 * Each call has a fixed cost: the kernel puts the program into its XDP
 * dispatcher at the start and takes it out at the end, and each change
 * waits for an RCU grace period (about 15 ms each on a 2-vCPU VM, in
 * bpf_dispatcher_change_prog(): half of the time of 50 ms calls). The
 * dispatcher changes only for a program it does not hold yet, so --park
 * IF2 attaches the same program to IF2, an interface that carries no
 * traffic (a spare veth end: down will do), for as long as livegen runs;
 * then a call costs nothing but its frames. Calls are sized from the rate
 * measured so far to last about 200 ms, so that -d is kept to within a
 * call. A signal ends the current call early (the kernel checks for one
 * between batches) and the run with it.
 *
 * --drop attaches "return XDP_DROP" to IF through a BPF link and holds it
 * until -d runs out or a signal comes: the cheapest receiver there is,
 * to measure what the sender alone can deliver.
 *
 * Everything is raw bpf(2), no libbpf. Prints one summary line:
 *	livegen: summary packets=N seconds=S pps=P calls=C batch=B
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

/* The kernel refuses a larger batch (TEST_XDP_MAX_BATCH). */
#define MAX_BATCH 256
/* How long one BPF_PROG_RUN call should take. */
#define CALL_NS 200000000.0

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "r0 = @action; exit" */
static int load_prog(int action)
{
	struct bpf_insn insns[2];
	static char log[4096];
	union bpf_attr a;
	int fd;

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].dst_reg = BPF_REG_0;
	insns[0].imm = action;
	insns[1].code = BPF_JMP | BPF_EXIT;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uint64_t)(uintptr_t) "Dual MIT/GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		fprintf(stderr, "livegen: BPF_PROG_LOAD: %s\n%s",
			strerror(errno), log);
	return fd;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet 02:00:00:00:00:01 to 02:00:00:00:00:02, IPv4 198.18.0.1 to
 * 198.18.0.2, UDP port 9 to 9, zero payload. */
static void make_frame(uint8_t *f, unsigned int len)
{
	uint32_t sum = 0;

	memset(f, 0, len);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(f + 12, 0x0800);
	f[14] = 0x45;
	put16(f + 16, len - 14);
	f[20] = 0x40; /* don't fragment */
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(f + 24, ~sum & 0xffff);
	put16(f + 34, 9);
	put16(f + 36, 9);
	put16(f + 38, len - 34);
}

/* Attach @prog to @ifindex through a BPF link: gone with the process. */
static int attach(int prog, unsigned int ifindex, const char *what)
{
	union bpf_attr a;
	int link;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.target_ifindex = ifindex;
	a.link_create.attach_type = BPF_XDP;
	link = (int)sys_bpf(BPF_LINK_CREATE, &a);
	if (link < 0)
		fprintf(stderr, "livegen: attaching %s: %s\n", what,
			strerror(errno));
	return link;
}

static int drop(unsigned int ifindex, double secs)
{
	double end = now() + secs;
	int prog = load_prog(XDP_DROP), link;

	if (prog < 0)
		return 1;
	link = attach(prog, ifindex, "XDP_DROP");
	if (link < 0)
		return 1;
	printf("livegen: XDP_DROP attached\n");
	fflush(stdout);
	/* The link goes with the process: nothing to detach. */
	while (!stop && (secs <= 0 || now() < end))
		usleep(20000);
	close(link);
	close(prog);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: livegen -i IF [--park IF2] [-d SEC] [-n PACKETS] [-l LEN] [-b BATCH] [-C CPU]\n"
		"       livegen --drop IF [-d SEC]\n"
		"Sends LEN-byte frames out of IF with BPF_PROG_RUN live frames "
		"(XDP_TX),\nfor SEC seconds (default 3) or PACKETS packets, "
		"whichever comes first;\nor holds an XDP_DROP program on IF.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "drop", required_argument, NULL, 'D' },
		{ "park", required_argument, NULL, 'P' },
		{ 0 },
	};
	const char *ifname = NULL, *drop_if = NULL, *park_if = NULL;
	double secs = 3, start, t, spent;
	unsigned long long count = 0, sent = 0, want, calls = 0;
	unsigned int len = 64, batch = MAX_BATCH, ifindex;
	struct sigaction sa = { .sa_handler = on_signal };
	double per_call = 65536;
	uint8_t frame[1514];
	struct xdp_md ctx;
	union bpf_attr a;
	int c, cpu = -1, prog;

	while ((c = getopt_long(argc, argv, "i:d:n:l:b:C:", lopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'D':
			drop_if = optarg;
			break;
		case 'P':
			park_if = optarg;
			break;
		case 'd':
			secs = atof(optarg);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			len = (unsigned int)atoi(optarg);
			break;
		case 'b':
			batch = (unsigned int)atoi(optarg);
			break;
		case 'C':
			cpu = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if ((!ifname == !drop_if) || optind < argc || len < 60 ||
	    len > sizeof(frame) || batch < 1 || batch > MAX_BATCH)
		usage();
	if (secs <= 0 && !count && !drop_if)
		secs = 3; /* never unbounded */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ifindex = if_nametoindex(drop_if ? drop_if : ifname);
	if (!ifindex) {
		fprintf(stderr, "livegen: %s: %s\n", drop_if ? drop_if : ifname,
			strerror(errno));
		return 1;
	}
	if (drop_if)
		return drop(ifindex, secs);

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fprintf(stderr, "livegen: cannot pin to CPU %d\n", cpu);
	}
	prog = load_prog(XDP_TX);
	if (prog < 0)
		return 1;
	if (park_if) {
		unsigned int park = if_nametoindex(park_if);

		if (!park) {
			fprintf(stderr, "livegen: %s: %s\n", park_if,
				strerror(errno));
			return 1;
		}
		if (attach(prog, park, "the program to --park") < 0)
			return 1;
	}
	make_frame(frame, len);
	memset(&ctx, 0, sizeof(ctx));
	ctx.data_end = len; /* the kernel wants data_end == the frame size */
	ctx.ingress_ifindex = ifindex;

	start = now();
	while (!stop) {
		t = now();
		spent = t - start;
		if (secs > 0 && spent >= secs)
			break;
		want = (unsigned long long)per_call;
		if (secs > 0 && sent && spent > 0) {
			/* What fits in the time left at the rate so far. */
			double left = (secs - spent) * (double)sent / spent;

			if (want > left + 1)
				want = (unsigned long long)left + 1;
		}
		if (count && want > count - sent)
			want = count - sent;
		if (!want)
			break;

		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)prog;
		a.test.data_in = (uint64_t)(uintptr_t)frame;
		a.test.data_size_in = len;
		a.test.ctx_in = (uint64_t)(uintptr_t)&ctx;
		a.test.ctx_size_in = sizeof(ctx);
		a.test.repeat = (uint32_t)want;
		a.test.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
		a.test.batch_size = batch;
		if (sys_bpf(BPF_PROG_RUN, &a)) {
			if (errno == EINTR)
				break; /* how far the call got is unknown */
			fprintf(stderr,
				"livegen: BPF_PROG_RUN live frames on %s: %s%s\n",
				ifname, strerror(errno),
				errno == EINVAL ?
					" (live frames need Linux 5.18)" :
					"");
			return 1;
		}
		sent += want;
		calls++;
		/* Size the next call from this one's rate. */
		t = now() - t;
		if (t > 0)
			per_call = (double)want / t * CALL_NS * 1e-9;
		if (per_call < 4096)
			per_call = 4096;
		if (per_call > 1 << 30)
			per_call = 1 << 30;
	}
	t = now() - start;
	printf("livegen: summary packets=%llu seconds=%.3f pps=%.0f calls=%llu batch=%u\n",
	       sent, t, t > 0 ? (double)sent / t : 0.0, calls, batch);
	close(prog);
	return 0;
}
