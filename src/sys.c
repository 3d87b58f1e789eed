// SPDX-License-Identifier: MIT
/*
 * The thin syscall layer: the one place libxsk reads errno. Every other
 * file gets a negative errno value back and never looks at errno, so a
 * stale errno can't leak into a return value.
 */
#include "gnu.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

int xsk__sys_socket(int domain, int type, int protocol)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

	return fd < 0 ? neg_errno() : fd;
}

void xsk__sys_close(int fd)
{
	/* Linux releases the descriptor even when close() reports an error, so
	 * retrying would close someone else's fd: there is nothing to do. */
	if (fd >= 0)
		close(fd);
}

int xsk__sys_setsockopt(int fd, int level, int name, const void *val,
			socklen_t len)
{
	return setsockopt(fd, level, name, val, len) ? neg_errno() : 0;
}

int xsk__sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	return getsockopt(fd, level, name, val, len) ? neg_errno() : 0;
}

int xsk__sys_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return bind(fd, addr, len) ? neg_errno() : 0;
}

int xsk__sys_mmap(void **addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return neg_errno();
	*addr = p;
	return 0;
}

int xsk__sys_mmap_fixed(void *addr, size_t len, int fd, off_t off)
{
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, off);

	return p == MAP_FAILED ? neg_errno() : 0;
}

void xsk__sys_munmap(void *addr, size_t len)
{
	if (addr)
		munmap(addr, len);
}

int xsk__sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? neg_errno() : 0;
}

int xsk__sys_sendto_wakeup(int fd)
{
	return sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 ? neg_errno() : 0;
}

int xsk__sys_recvfrom_wakeup(int fd)
{
	return recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 ?
		       neg_errno() :
		       0;
}

int xsk__sys_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return neg_errno();
	return n ? p.revents : 0;
}

int xsk__sys_ifindex(const char *name)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx)
		return errno > 0 ? -errno : -ENODEV;
	return (int)idx;
}

int xsk__sys_ifname(uint32_t ifindex, char *name)
{
	return if_indextoname(ifindex, name) ? 0 : neg_errno();
}

int xsk__sys_memlock_limit(uint64_t *bytes)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return neg_errno();
	*bytes = rl.rlim_cur;
	return 0;
}

long xsk__sys_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? ps : 4096;
}

void xsk__sys_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ----------------------------------------------------- BPF and rtnetlink */

#include <fcntl.h>
#include <sys/syscall.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/mempolicy.h>

int xsk__sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? neg_errno() : (int)ret;
}

int xsk__sys_mbind_preferred(void *addr, size_t len, int node)
{
	unsigned long mask[1024 / (8 * sizeof(unsigned long))] = { 0 };

	if (node < 0 || node >= 1024)
		return -EINVAL;
	mask[node / (8 * sizeof(unsigned long))] |=
		1ul << (node % (8 * sizeof(unsigned long)));
	/* maxnode is one more than the bits given: the kernel reads
	 * maxnode - 1 of them. */
	if (syscall(__NR_mbind, addr, len, MPOL_PREFERRED, mask, 1024 + 1, 0))
		return neg_errno();
	return 0;
}

int xsk__sys_dupfd(int fd)
{
	/* Above the standard streams, close-on-exec like every fd we make. */
	int ret = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return ret < 0 ? neg_errno() : ret;
}

int xsk__sys_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t n = sendmsg(fd, msg, flags);

	return n < 0 ? neg_errno() : (int)n;
}

int xsk__sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t n;

	do
		n = recvmsg(fd, msg, flags);
	while (n < 0 && errno == EINTR);
	return n < 0 ? neg_errno() : (int)n;
}

int xsk__sys_capeff(uint64_t *caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(__NR_capget, &hdr, data))
		return neg_errno();
	*caps = data[0].effective | (uint64_t)data[1].effective << 32;
	return 0;
}

/* ------------------------------------------------------------- files */

int xsk__sys_memfd(const char *name)
{
	/* The syscall, not glibc's wrapper (2.27): older C libraries lack it,
	 * and kernels before 3.17 answer ENOSYS either way. */
	long fd = syscall(__NR_memfd_create, name, 1u /* MFD_CLOEXEC */);

	return fd < 0 ? neg_errno() : (int)fd;
}

int xsk__sys_ftruncate(int fd, uint64_t len)
{
	if (len > (uint64_t)INT64_MAX)
		return -EFBIG;
	return ftruncate(fd, (off_t)len) ? neg_errno() : 0;
}

int xsk__sys_fsize(int fd, uint64_t *size, bool *regular)
{
	struct stat st;

	if (fstat(fd, &st))
		return neg_errno();
	*size = (uint64_t)st.st_size;
	*regular = S_ISREG(st.st_mode);
	return 0;
}

int xsk__sys_open_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? neg_errno() : fd;
}

int xsk__sys_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	if (len > INT_MAX)
		len = INT_MAX;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? neg_errno() : (int)n;
}

/* ------------------------------------------------------------ bpffs */

#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

int xsk__sys_fstype(const char *path, uint64_t *type)
{
	struct statfs st;

	if (statfs(path, &st))
		return neg_errno();
	*type = (uint64_t)st.f_type;
	return 0;
}

int xsk__sys_open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? neg_errno() : fd;
}

int xsk__sys_chmod(const char *path, uint32_t mode)
{
	return chmod(path, (mode_t)mode) ? neg_errno() : 0;
}

int xsk__sys_chgrp(const char *path, uint32_t gid)
{
	/* a pin is never a symbolic link: don't follow one */
	return lchown(path, (uid_t)-1, (gid_t)gid) ? neg_errno() : 0;
}

int xsk__sys_unlink(const char *path)
{
	return unlink(path) ? neg_errno() : 0;
}

void xsk__sys_release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%s", u.release);
}
