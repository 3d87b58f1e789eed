// SPDX-License-Identifier: MIT
/* Process-level pieces of the real-kernel tests: see kernutil.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <cmocka.h>

#include "kernutil.h"
#include "testutil.h"

struct kern_env kern = { .ns_fd = { -1, -1 } };

static int mac_of(const char *ifname, unsigned char *mac)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	err = fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	return err ? -1 : 0;
}

static int open_ns(int side, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	kern.ns_fd[side] = open(path, O_RDONLY | O_CLOEXEC);
	return kern.ns_fd[side] < 0 ? -1 : 0;
}

int kern_init(void)
{
	int err;

	kern.ifname = getenv("XSK_IF");
	kern.peer_if = getenv("XSK_PEER_IF");
	kern.ns = getenv("XSK_NS");
	kern.peer_ns = getenv("XSK_PEER_NS");
	if (!kern.ifname || !kern.peer_if || !kern.ns || !kern.peer_ns) {
		printf("SKIP: run through tests/netns.sh, which provides $XSK_IF, $XSK_NS, $XSK_PEER_IF and $XSK_PEER_NS\n");
		return 77;
	}
	if (open_ns(0, kern.ns) || open_ns(1, kern.peer_ns)) {
		printf("SKIP: can't open the namespaces %s and %s\n", kern.ns,
		       kern.peer_ns);
		return 77;
	}
	err = mac_of(kern.ifname, kern.mac);
	if (!err && !setns(kern.ns_fd[1], CLONE_NEWNET)) {
		err = mac_of(kern.peer_if, kern.peer_mac);
		if (setns(kern.ns_fd[0], CLONE_NEWNET))
			abort(); /* stranded in the wrong namespace */
	}
	if (err) {
		printf("SKIP: can't read the MAC addresses of the veth pair\n");
		return 77;
	}
	return 0;
}

void kern_enter(int side)
{
	if (setns(kern.ns_fd[side], CLONE_NEWNET))
		fail_msg("setns(%s): %s", side ? kern.peer_ns : kern.ns,
			 strerror(errno));
}

int kern_peer_socket(void)
{
	struct sockaddr_ll sll;
	int fd, one = 1;

	if (setns(kern.ns_fd[1], CLONE_NEWNET))
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0x0300; /* htons(ETH_P_ALL) */
	sll.sll_ifindex = (int)if_nametoindex(kern.peer_if);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
			setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
				   sizeof(one)))) {
		close(fd);
		fd = -1;
	}
	/* back home: the socket stays in the namespace it was made in */
	if (setns(kern.ns_fd[0], CLONE_NEWNET))
		abort();
	return fd;
}

long kern_peer_recv(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return (long)recv(fd, buf, len, MSG_DONTWAIT);
}

int kern_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st < 0 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

int kern_count_fds(void)
{
	return test_count_fds();
}

double kern_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int kern_drop_caps(uint64_t caps, bool for_good)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint32_t drop;
	int i;

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -1;
	for (i = 0; i < 2; i++) {
		drop = (uint32_t)(caps >> (32 * i));
		if (for_good) {
			d[i].permitted &= ~drop;
			d[i].inheritable &= ~drop;
		} else {
			d[i].effective = d[i].permitted;
		}
		d[i].effective &= ~drop;
	}
	if (syscall(SYS_capset, &h, d) || syscall(SYS_capget, &h, d))
		return -1;
	for (i = 0; i < 2; i++) {
		drop = (uint32_t)(caps >> (32 * i));
		if ((d[i].effective | (for_good ? d[i].permitted : 0)) & drop)
			return -1;
	}
	return 0;
}

void kern_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		fail_msg("child check %d failed", WEXITSTATUS(status));
}

int kern_send_fds(int sock, const int *fds, unsigned int n)
{
	char buf[CMSG_SPACE(2 * sizeof(int))], byte = 'f';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (n < 1 || n > 2)
		return -1;
	memset(buf, 0, sizeof(buf));
	m.msg_control = buf;
	m.msg_controllen = CMSG_SPACE(n * sizeof(int));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

int kern_recv_fds(int sock, int *fds, unsigned int n)
{
	char buf[CMSG_SPACE(2 * sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (n < 1 || n > 2)
		return -1;
	m.msg_control = buf;
	m.msg_controllen = sizeof(buf);
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return 0;
}

int kern_start_on_cpu0(int *peer)
{
	cpu_set_t cpu0;
	int ret = kern_init();

	if (ret)
		return ret;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	*peer = kern_peer_socket();
	if (*peer < 0 || sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		printf("SKIP: no AF_PACKET socket in %s, or can't run on CPU 0\n",
		       kern.peer_ns);
		return 77;
	}
	return 0;
}

int kern_in_peer(int (*fn)(void *), void *arg)
{
	int ret;

	if (setns(kern.ns_fd[1], CLONE_NEWNET))
		return -1;
	ret = fn(arg);
	if (setns(kern.ns_fd[0], CLONE_NEWNET))
		abort(); /* stranded in the wrong namespace */
	return ret;
}

int kern_xskmap(uint32_t n)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_XSKMAP;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = n;
	return (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

int kern_pass_prog(uint32_t prog_flags)
{
	const struct bpf_insn pass[] = {
		KERN_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		KERN_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	return kern_xdp_prog(pass, 2, prog_flags, NULL, 0);
}

int kern_xdp_prog(const struct bpf_insn *insns, unsigned int n,
		  uint32_t prog_flags, char *log, size_t log_size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t) "MIT";
	a.prog_flags = prog_flags;
	a.log_buf = (uintptr_t)log;
	a.log_size = (uint32_t)log_size;
	a.log_level = log ? 1 : 0; /* a level without a buffer is EINVAL */
	return (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

bool kern_release_at_least(unsigned int major, unsigned int minor)
{
	struct utsname u;
	unsigned int ma, mi;

	if (uname(&u) || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		abort();
	return ma > major || (ma == major && mi >= minor);
}
