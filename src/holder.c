// SPDX-License-Identifier: MIT
/*
 * Who holds a queue that bind() found taken (EBUSY). Two sources, each on
 * the kernels that have it: netdev netlink says whether an AF_XDP socket
 * holds the queue (Linux 6.15), and AF_XDP socket diagnostics give the
 * holding socket's inode (CONFIG_XDP_SOCKETS_DIAG, often a module,
 * xsk_diag), which /proc/PID/fd links name as "socket:[INODE]". Either may
 * be missing; then the caller says what it said before.
 */
#include "gnu.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The first process with @ino open, by a scan of /proc; false if none can
 * be seen (another PID namespace, or another user's /proc/PID/fd). */
static bool find_owner(uint32_t ino, struct xsk__holder *h)
{
	char want[32], path[600], link[64];
	struct dirent *p, *f;
	DIR *procs, *fds;
	bool found = false;
	ssize_t n;
	FILE *comm;

	snprintf(want, sizeof(want), "socket:[%u]", ino);
	procs = opendir("/proc");
	if (!procs)
		return false;
	while (!found && (p = readdir(procs))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!found && (f = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			found = !strcmp(link, want);
		}
		closedir(fds);
		if (!found)
			continue;
		h->pid = atoi(p->d_name);
		snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
		comm = fopen(path, "re");
		if (comm) {
			if (fgets(h->comm, sizeof(h->comm), comm))
				h->comm[strcspn(h->comm, "\n")] = '\0';
			fclose(comm);
		}
	}
	closedir(procs);
	return found;
}

bool xsk__queue_holder(uint32_t ifindex, uint32_t queue_id,
		       struct xsk__holder *h)
{
	bool held = false;
	uint32_t ino = 0;

	memset(h, 0, sizeof(*h));
	h->netdev = !xsk__nl_queue_xsk(ifindex, queue_id, &held) && held;
	if (!xsk__nl_xsk_diag(ifindex, queue_id, &ino) && ino) {
		h->ino = ino;
		find_owner(ino, h);
	}
	return h->netdev || h->ino;
}

/* "an AF_XDP socket (...)": what is known of the holder. */
void xsk__holder_text(const struct xsk__holder *h, char *buf, size_t len)
{
	if (h->pid)
		snprintf(buf, len,
			 "an AF_XDP socket, socket:[%u] of process %d (%s)",
			 h->ino, h->pid, h->comm);
	else if (h->ino)
		snprintf(
			buf, len,
			"an AF_XDP socket, socket:[%u], of a process this one can't see (another user's, or in another PID namespace)",
			h->ino);
	else
		snprintf(
			buf, len,
			"an AF_XDP socket (as netdev netlink reports; which process holds it, AF_XDP socket diagnostics would tell: CONFIG_XDP_SOCKETS_DIAG, modprobe xsk_diag)");
}
