// SPDX-License-Identifier: MIT
/* Shared pieces of the real-kernel tests: see kernutil.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>

#include "kernutil.h"

struct kern_env kern;

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

int kern_in_peer(int (*fn)(void *), void *arg)
{
	char path[256];
	int own, peer, ret = -1;

	snprintf(path, sizeof(path), "/var/run/netns/%s", kern.peer_ns);
	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	peer = open(path, O_RDONLY | O_CLOEXEC);
	if (own >= 0 && peer >= 0 && !setns(peer, CLONE_NEWNET)) {
		ret = fn(arg);
		if (setns(own, CLONE_NEWNET))
			abort(); /* stranded in the wrong namespace */
	}
	if (own >= 0)
		close(own);
	if (peer >= 0)
		close(peer);
	return ret;
}

static int peer_mac(void *arg)
{
	(void)arg;
	return mac_of(kern.peer_if, kern.peer_mac);
}

int kern_init(void)
{
	kern.ifname = getenv("XSK_IF");
	kern.peer_if = getenv("XSK_PEER_IF");
	kern.peer_ns = getenv("XSK_PEER_NS");
	if (!kern.ifname || !kern.peer_if || !kern.peer_ns) {
		printf("SKIP: run through tests/netns.sh, which provides $XSK_IF, $XSK_PEER_IF and $XSK_PEER_NS\n");
		return 77;
	}
	if (mac_of(kern.ifname, kern.mac) || kern_in_peer(peer_mac, NULL)) {
		printf("SKIP: can't read the MAC addresses of the veth pair\n");
		return 77;
	}
	return 0;
}

static int open_packet(void *arg)
{
	struct sockaddr_ll sll;
	int fd, one = 1;

	(void)arg;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0x0300; /* htons(ETH_P_ALL) */
	sll.sll_ifindex = (int)if_nametoindex(kern.peer_if);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one))) {
		close(fd);
		return -1;
	}
	return fd;
}

int kern_peer_socket(void)
{
	return kern_in_peer(open_packet, NULL);
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
	char cmd[512];
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
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

double kern_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
