/* SPDX-License-Identifier: MIT */
/*
 * Process-level pieces of the real-kernel tests (tests/kern_*.c), which
 * tests/netns.sh runs inside a private network namespace ($XSK_NS) holding
 * one end of a veth pair ($XSK_IF); the other end ($XSK_PEER_IF) is in a
 * second private namespace ($XSK_PEER_NS). Frames go only between the two.
 * The test harness itself (frames, ends, lanes, the mode matrix) is in
 * traffic.h.
 */
#ifndef LIBXSK_TESTS_KERNUTIL_H
#define LIBXSK_TESTS_KERNUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kern_env {
	const char *ifname; /* our end */
	const char *peer_if; /* the other end, in peer_ns */
	const char *ns; /* our namespace */
	const char *peer_ns;
	int ns_fd[2]; /* [0] ours, [1] the peer's */
	unsigned char mac[6]; /* our end's MAC address */
	unsigned char peer_mac[6];
};

extern struct kern_env kern;

/*
 * Read the environment netns.sh sets up. Returns 0, or prints one SKIP line
 * and returns 77 when the program was not started that way.
 */
int kern_init(void);

/* Move this thread into namespace @side (0 ours, 1 the peer's); sockets
 * made there stay there. Fails the test if it can't. */
void kern_enter(int side);

/* An AF_PACKET socket on the peer end (made in the peer namespace, which
 * it stays in), sending with PACKET_QDISC_BYPASS; -1 on failure. */
int kern_peer_socket(void);

/*
 * kern_init(), then a peer socket into *@peer and, for cases that send and
 * receive on one queue, this process pinned to CPU 0 (frames from CPU 0
 * arrive on queue 0). Returns 0, or kern_init()'s result, or prints one
 * SKIP line and returns 77.
 */
int kern_start_on_cpu0(int *peer);

/* Receive one frame on a peer socket within @timeout_ms: its length, or -1. */
long kern_peer_recv(int fd, void *buf, size_t len, int timeout_ms);

/* Is the running kernel (uname) at least @major.@minor? For what no
 * feature bit tells apart: a kernel bug, or a version the test is about.
 * Aborts if the release can't be read. */
bool kern_release_at_least(unsigned int major, unsigned int minor);

/* Run @fn in the peer's namespace and come back: its result, or -1 if the
 * namespace could not be entered. */
int kern_in_peer(int (*fn)(void *), void *arg);

/* Run a shell command (printf-style); its exit status, or -1. */
int kern_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open file descriptors of this process. */
int kern_count_fds(void);

/* Seconds on the monotonic clock. */
double kern_now(void);

/* A capability's bit for kern_drop_caps(): KERN_CAP(CAP_NET_RAW). */
#define KERN_CAP(n) (1ull << (n))

/*
 * Take the capabilities @caps (KERN_CAP bits; ~0ull: all) out of this
 * process's effective set. With @for_good, out of its permitted and
 * inheritable sets too, so that they can't come back; without, every other
 * permitted capability is made effective, so kern_drop_caps(0, false)
 * restores what an earlier call without @for_good took. 0, or -1 if the
 * kernel refused or a capability of @caps is still there.
 */
int kern_drop_caps(uint64_t caps, bool for_good);

/* Run @fn(@arg) in a child process; fail the test unless it returns 0.
 * The child must not use cmocka's assertions. */
void kern_in_child(int (*fn)(void *), void *arg);

/* Raw bpf(2) for the tests' own XDP programs, no libbpf: one instruction
 * (struct bpf_insn, <linux/bpf.h>). */
#define KERN_INSN(c, d, s, o, i)            \
	((struct bpf_insn){ .code = (c),    \
			    .dst_reg = (d), \
			    .src_reg = (s), \
			    .off = (o),     \
			    .imm = (i) })

struct bpf_insn;

/* An XSKMAP of @n slots: its fd, or -1 (errno says why). */
int kern_xskmap(uint32_t n);

/* Load an XDP program of @n instructions with @prog_flags (e.g.
 * BPF_F_XDP_HAS_FRAGS), the verifier's log in @log: its fd, or -1. */
int kern_xdp_prog(const struct bpf_insn *insns, unsigned int n,
		  uint32_t prog_flags, char *log, size_t log_size);

/* A program that passes every frame, loaded with @prog_flags: its fd, or -1
 * (errno says why). Whether the kernel takes BPF_F_XDP_HAS_FRAGS (5.18), so
 * asked, does not depend on libxsk. */
int kern_pass_prog(uint32_t prog_flags);

/* Pass @n (1 or 2) file descriptors over a Unix socket; 0 or -1. */
int kern_send_fds(int sock, const int *fds, unsigned int n);
int kern_recv_fds(int sock, int *fds, unsigned int n);

#endif /* LIBXSK_TESTS_KERNUTIL_H */
