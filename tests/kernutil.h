/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the real-kernel tests (tests/kern_*.c), which
 * tests/netns.sh runs inside a private network namespace holding one end
 * of a veth pair ($XSK_IF); the other end ($XSK_PEER_IF) is in a second
 * private namespace ($XSK_PEER_NS). Frames go only between the two.
 */
#ifndef LIBXSK_TESTS_KERNUTIL_H
#define LIBXSK_TESTS_KERNUTIL_H

#include <stddef.h>
#include <stdint.h>

struct kern_env {
	const char *ifname; /* our end */
	const char *peer_if; /* the other end, in peer_ns */
	const char *peer_ns;
	unsigned char mac[6]; /* our end's MAC address */
	unsigned char peer_mac[6];
};

extern struct kern_env kern;

/*
 * Read the environment netns.sh sets up. Returns 0, or prints one SKIP line
 * and returns 77 when the program was not started that way.
 */
int kern_init(void);

/* An AF_PACKET socket on the peer end (made in the peer namespace, which
 * it stays in), sending with PACKET_QDISC_BYPASS; -1 on failure. */
int kern_peer_socket(void);

/* Receive one frame on a peer socket within @timeout_ms: its length, or -1. */
long kern_peer_recv(int fd, void *buf, size_t len, int timeout_ms);

/* Run @fn in the peer's namespace and come back: its result, or -1 if the
 * namespace could not be entered. */
int kern_in_peer(int (*fn)(void *), void *arg);

/* Run a shell command (printf-style); its exit status, or -1. */
int kern_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open file descriptors of this process. */
int kern_count_fds(void);

/* Seconds on the monotonic clock. */
double kern_now(void);

#endif /* LIBXSK_TESTS_KERNUTIL_H */
