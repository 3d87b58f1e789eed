// SPDX-License-Identifier: MIT
/*
 * syscount.so: counts an AF_XDP program's wake-up syscalls, exactly and
 * at the cost of one relaxed atomic add per call.
 *
 *	LD_PRELOAD=syscount.so BENCH_SYSCOUNT=FILE program ...
 *
 * Interposes sendto(), recvfrom(), poll() and ppoll(), counts each call,
 * and passes it on to libc. At exit it writes one line to FILE:
 *
 *	sendto=N recvfrom=N poll=N other=N
 *
 * A wake-up is what AF_XDP makes of these calls: sendto() and recvfrom()
 * with no buffer (a TX kick, an RX wake-up), and every poll() or ppoll().
 * Calls that move data (netlink, say) are counted apart as "other".
 *
 * Tracing syscalls instead (strace -c, perf trace, even perf stat on the
 * syscall tracepoints) slows every syscall it counts, which is what the
 * benchmark measures; this costs a few nanoseconds per call, outside the
 * kernel, the same for every program it is preloaded into. It sees only
 * calls made through libc's dynamic symbols, which is how libxsk and
 * libxdp make them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static uint64_t n_sendto, n_recvfrom, n_poll, n_other;

static ssize_t (*real_sendto)(int, const void *, size_t, int,
			      const struct sockaddr *, socklen_t);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *,
				socklen_t *);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static int (*real_ppoll)(struct pollfd *, nfds_t, const struct timespec *,
			 const sigset_t *);

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* ISO C has no conversion from void * to a function pointer: store
 * dlsym()'s result through a void **, as POSIX's own example does. */
#define RESOLVE(fn)                                                   \
	do {                                                          \
		if (!real_##fn)                                       \
			*(void **)&real_##fn = dlsym(RTLD_NEXT, #fn); \
	} while (0)

__attribute__((constructor)) static void syscount_init(void)
{
	RESOLVE(sendto);
	RESOLVE(recvfrom);
	RESOLVE(poll);
	RESOLVE(ppoll);
}

__attribute__((visibility("default"))) ssize_t sendto(int fd, const void *buf,
						      size_t len, int flags,
						      const struct sockaddr *to,
						      socklen_t tolen)
{
	RESOLVE(sendto);
	count(buf || len ? &n_other : &n_sendto);
	return real_sendto(fd, buf, len, flags, to, tolen);
}

__attribute__((visibility("default"))) ssize_t recvfrom(int fd, void *buf,
							size_t len, int flags,
							struct sockaddr *from,
							socklen_t *fromlen)
{
	RESOLVE(recvfrom);
	count(buf || len ? &n_other : &n_recvfrom);
	return real_recvfrom(fd, buf, len, flags, from, fromlen);
}

__attribute__((visibility("default"))) int poll(struct pollfd *fds, nfds_t nfds,
						int timeout)
{
	RESOLVE(poll);
	count(&n_poll);
	return real_poll(fds, nfds, timeout);
}

__attribute__((visibility("default"))) int ppoll(struct pollfd *fds,
						 nfds_t nfds,
						 const struct timespec *ts,
						 const sigset_t *mask)
{
	RESOLVE(ppoll);
	count(&n_poll);
	return real_ppoll(fds, nfds, ts, mask);
}

__attribute__((destructor)) static void syscount_report(void)
{
	const char *path = getenv("BENCH_SYSCOUNT");
	char line[160];
	int fd, n;

	if (!path)
		return;
	n = snprintf(line, sizeof(line),
		     "sendto=%llu recvfrom=%llu poll=%llu other=%llu\n",
		     (unsigned long long)n_sendto,
		     (unsigned long long)n_recvfrom, (unsigned long long)n_poll,
		     (unsigned long long)n_other);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		perror("syscount");
	close(fd);
}
