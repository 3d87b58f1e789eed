// SPDX-License-Identifier: MIT
/* The fake kernel behind the unit tests: see fakesys.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>

#include "fakebpf.h"
#include "fakebtf.h"
#include "fakesys.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

int __real_socket(int domain, int type, int protocol);
int __real_close(int fd);
int __real_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len);
int __real_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __real_bind(int fd, const struct sockaddr *addr, socklen_t len);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
int __real_munmap(void *addr, size_t len);
int __real_ioctl(int fd, unsigned long req, ...);
int __real_getrlimit(int res, struct rlimit *rl);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __real_open(const char *path, int flags, ...);
ssize_t __real_read(int fd, void *buf, size_t len);
int __real_statfs(const char *path, struct statfs *st);
int __real_chmod(const char *path, mode_t mode);
int __real_lchown(const char *path, uid_t uid, gid_t gid);
int __real_unlink(const char *path);
int __real_uname(struct utsname *u);

struct fake_state fake;

/* What the fake kernel knows about one AF_XDP socket. */
struct fake_sock {
	bool xdp;
	bool umem;
	bool bound;
	uint32_t fill, comp, rx, tx; /* ring sizes, 0 = not set */
	uint32_t pool_fill, pool_comp; /* of the rings it binds with */
	uint32_t ifindex, queue;
};

static struct fake_sock socks[FAKE_MAX_FDS];
static bool numa_files[FAKE_MAX_FDS]; /* fds of open numa_node files */

/* Fake sockets sent over Unix sockets, by inode: the sender may close its
 * fd before the receiver takes the message, as with the kernel's. */
static struct {
	ino_t ino;
	struct fake_sock s;
} in_flight[16];

struct fake_map {
	void *addr;
	size_t len;
};

static struct fake_map maps[256];

/* Ring layout the fake answers XDP_MMAP_OFFSETS with. */
#define OFF_PROD 0
#define OFF_CONS 64
#define OFF_FLAGS 128
#define OFF_DESC 192

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	memset(socks, 0, sizeof(socks));
	memset(maps, 0, sizeof(maps));
	memset(in_flight, 0, sizeof(in_flight));
	fake.channels = 4;
	fake.memlock = RLIM_INFINITY;
	fake.mbind_node = -1;
	fake_kernel(FAKE_NEWEST);
}

void fake_kernel(enum fake_kernel k)
{
	static const uint16_t bind_known[] = {
		[FAKE_NEWEST] = 0x1f, /* + XDP_USE_SG */
		[FAKE_6_8] = 0x1f,    [FAKE_6_1] = 0xf, [FAKE_5_10] = 0xf,
		[FAKE_4_18] = 0x7, /* no XDP_USE_NEED_WAKEUP */
	};
	static const uint32_t umem_known[] = {
		[FAKE_NEWEST] = 0x7, /* + XDP_UMEM_TX_METADATA_LEN (6.11) */
		[FAKE_6_8] = 0x3, /* + XDP_UMEM_TX_SW_CSUM */
		[FAKE_6_1] = 0x1,    [FAKE_5_10] = 0x1, [FAKE_4_18] = 0x0,
	};

	/* the RX metadata kfuncs: 6.3 (timestamp, hash), 6.8 (VLAN); no
	 * BTF file at all for the oldest */
	fake.btf = k == FAKE_4_18 ?
			   NULL :
			   fbtf_vmlinux(k == FAKE_6_1 || k == FAKE_5_10 ? 0 : 7,
					&fake.btf_len, NULL);
	fake.bind_flags_known = bind_known[k];
	fake.umem_flags_known = umem_known[k];
	fake.v1_offsets = k == FAKE_4_18;
	fake.headroom_704 = k == FAKE_NEWEST;
	fake.mmap_bound = k == FAKE_NEWEST || k == FAKE_6_8;
	fake.no_busy_poll = k == FAKE_5_10 || k == FAKE_4_18;
	fake.no_tx_budget = k != FAKE_NEWEST;
	fake.no_prog_bind_map = k == FAKE_4_18;
}

bool fake_fail(const char *call)
{
	fake.calls++;
	if (fake.fail_at && fake.calls == fake.fail_at) {
		fake.failed = call;
		errno = fake.fail_errno;
		return true;
	}
	return false;
}

static int fail_with(int err)
{
	errno = err;
	return -1;
}

static struct fake_sock *xdp_sock(int fd)
{
	if (fd < 0 || fd >= FAKE_MAX_FDS || !socks[fd].xdp)
		return NULL;
	return &socks[fd];
}

bool fake_is_open(int fd)
{
	return xdp_sock(fd) != NULL;
}

bool fake_is_bound(int fd)
{
	struct fake_sock *s = xdp_sock(fd);

	return s && s->bound;
}

bool fake_has_rx(int fd)
{
	struct fake_sock *s = xdp_sock(fd);

	return s && s->rx;
}

void fake_xsk_sending(int fd)
{
	struct stat st;
	unsigned int i;

	if (!xdp_sock(fd) || fstat(fd, &st))
		return;
	for (i = 0; i < sizeof(in_flight) / sizeof(in_flight[0]); i++) {
		if (in_flight[i].ino && in_flight[i].ino != st.st_ino)
			continue;
		in_flight[i].ino = st.st_ino;
		in_flight[i].s = socks[fd];
		return;
	}
}

void fake_xsk_received(int fd)
{
	struct stat a, b;
	unsigned int k;
	int i;

	if (fd < 0 || fd >= FAKE_MAX_FDS || fstat(fd, &a))
		return;
	for (k = 0; k < sizeof(in_flight) / sizeof(in_flight[0]); k++) {
		if (in_flight[k].ino != a.st_ino)
			continue;
		socks[fd] = in_flight[k].s;
		fake_ledger_fd(fd, true);
		return;
	}
	for (i = 0; i < FAKE_MAX_FDS; i++) {
		if (i == fd || !socks[i].xdp || fstat(i, &b) ||
		    a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			continue;
		socks[fd] = socks[i];
		fake_ledger_fd(fd, true);
		return;
	}
}

int __real_ftruncate(int fd, off_t len);
int __wrap_ftruncate(int fd, off_t len);
int __wrap_ftruncate(int fd, off_t len)
{
	if (fake_fail("ftruncate"))
		return -1;
	return __real_ftruncate(fd, len);
}

void fake_ledger_fd(int fd, bool open)
{
	if (fd < 0 || fd >= FAKE_MAX_FDS)
		return;
	socks[fd].xdp = open;
	fake.live_fds += open ? 1 : -1;
}

int __wrap_socket(int domain, int type, int protocol);
int __wrap_socket(int domain, int type, int protocol)
{
	int fd;

	if (fake_fail("socket"))
		return -1;
	if (domain != AF_XDP)
		return __real_socket(domain, type, protocol);
	fake.last_socket_type = type;
	fd = __real_socket(AF_UNIX, SOCK_DGRAM | (type & SOCK_CLOEXEC), 0);
	if (fd < 0 || fd >= FAKE_MAX_FDS)
		return fail_with(EMFILE);
	memset(&socks[fd], 0, sizeof(socks[fd]));
	fake_ledger_fd(fd, true);
	return fd;
}

int __wrap_close(int fd);
int __wrap_close(int fd)
{
	int ret;

	if (xdp_sock(fd))
		fake_ledger_fd(fd, false);
	if (fd >= 0 && fd < FAKE_MAX_FDS && numa_files[fd]) {
		numa_files[fd] = false;
		fake.live_files--;
	}
	ret = __real_close(fd);
	if (ret && errno == EBADF)
		fake.bad_closes++;
	return ret;
}

static int set_ring(struct fake_sock *s, uint32_t *ring, const void *val,
		    socklen_t len)
{
	int entries;

	if (s->bound)
		return fail_with(EBUSY);
	if (len < sizeof(int))
		return fail_with(EINVAL);
	memcpy(&entries, val, sizeof(entries));
	if (entries <= 0 || (entries & (entries - 1)) || *ring)
		return fail_with(EINVAL);
	*ring = (uint32_t)entries;
	return 0;
}

int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len);
int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len)
{
	struct fake_sock *s = xdp_sock(fd);
	struct xdp_umem_reg reg;
	uint32_t md_len;

	if (fake_fail("setsockopt"))
		return -1;
	if (s && level == SOL_SOCKET && fake.no_busy_poll &&
	    (name == SO_PREFER_BUSY_POLL || name == SO_BUSY_POLL_BUDGET))
		return fail_with(ENOPROTOOPT);
	if (!s || level != SOL_XDP)
		return __real_setsockopt(fd, level, name, val, len);
	switch (name) {
	case XDP_UMEM_REG:
		fake.regs++;
		fake.last_reg_len = len;
		if (len < 24)
			return fail_with(EINVAL);
		if (s->umem || s->bound)
			return fail_with(EBUSY);
		if (fake.reg_errno)
			return fail_with(fake.reg_errno);
		memset(&reg, 0, sizeof(reg));
		memcpy(&reg, val, len < sizeof(reg) ? len : sizeof(reg));
		if (reg.flags & ~fake.umem_flags_known)
			return fail_with(EINVAL);
		/* tx_metadata_len, in what was padding before Linux 6.8 */
		memcpy(&md_len, (const char *)val + 28, sizeof(md_len));
		/* 6.18: with XDP_UMEM_TX_METADATA_LEN, 16 bytes at least */
		if (fake.headroom_704 && reg.flags & (1 << 2) && md_len < 16)
			return fail_with(EINVAL);
		/* Linux 6.18's headroom rule, or the older one */
		if (reg.headroom >= reg.chunk_size - 256 ||
		    (fake.headroom_704 && reg.headroom > reg.chunk_size - 704))
			return fail_with(EINVAL);
		fake.last_reg_flags = reg.flags;
		fake.last_reg_md_len = md_len;
		s->umem = true;
		return 0;
	case XDP_UMEM_FILL_RING:
		return set_ring(s, &s->fill, val, len);
	case XDP_UMEM_COMPLETION_RING:
		return set_ring(s, &s->comp, val, len);
	case XDP_RX_RING:
		return set_ring(s, &s->rx, val, len);
	case XDP_TX_RING:
		return set_ring(s, &s->tx, val, len);
	case 9: /* XDP_MAX_TX_SKB_BUDGET, Linux 6.17 */
		if (fake.no_tx_budget)
			break;
		memcpy(&fake.tx_budget, val, sizeof(fake.tx_budget));
		return 0;
	}
	return fail_with(ENOPROTOOPT);
}

static void fake_ring_off(struct xdp_ring_offset *o)
{
	o->producer = OFF_PROD;
	o->consumer = OFF_CONS;
	o->flags = OFF_FLAGS;
	o->desc = OFF_DESC;
}

int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct xdp_mmap_offsets off;
	uint64_t v1[12];
	int i;

	if (fake_fail("getsockopt"))
		return -1;
	/* the fake's AF_XDP sockets are AF_UNIX ones underneath */
	if (xdp_sock(fd) && level == SOL_SOCKET && name == SO_DOMAIN &&
	    *len >= sizeof(int)) {
		i = AF_XDP;
		memcpy(val, &i, sizeof(i));
		*len = sizeof(i);
		return 0;
	}
	if (!xdp_sock(fd) || level != SOL_XDP)
		return __real_getsockopt(fd, level, name, val, len);
	if (name == XDP_STATISTICS) {
		/* counters 1..6; kernels before 5.9 have only the first 3 */
		uint64_t st[6] = { 1, 2, 3, 4, 5, 6 };
		socklen_t n = fake.v1_offsets ? 24 : sizeof(st);

		if (*len < n)
			return fail_with(EINVAL);
		memcpy(val, st, n);
		*len = n;
		return 0;
	}
	if (name == XDP_OPTIONS && !fake.v1_offsets) {
		struct xdp_options o = { fake.zerocopy ? XDP_OPTIONS_ZEROCOPY :
							 0 };

		memcpy(val, &o, sizeof(o));
		*len = sizeof(o);
		return 0;
	}
	if (name != XDP_MMAP_OFFSETS)
		return fail_with(ENOPROTOOPT);
	if (fake.v1_offsets) {
		/* producer, consumer, desc for rx, tx, fill, completion */
		for (i = 0; i < 4; i++) {
			v1[i * 3] = OFF_PROD;
			v1[i * 3 + 1] = OFF_CONS;
			v1[i * 3 + 2] = OFF_FLAGS;
		}
		if (*len < sizeof(v1))
			return fail_with(EINVAL);
		memcpy(val, v1, sizeof(v1));
		*len = sizeof(v1);
		return 0;
	}
	fake_ring_off(&off.rx);
	fake_ring_off(&off.tx);
	fake_ring_off(&off.fr);
	fake_ring_off(&off.cr);
	if (*len < sizeof(off))
		return fail_with(EINVAL);
	memcpy(val, &off, sizeof(off));
	*len = sizeof(off);
	return 0;
}

int __wrap_bind(int fd, const struct sockaddr *addr, socklen_t len);
int __wrap_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct fake_sock *s = xdp_sock(fd), *partner, *o;
	struct sockaddr_xdp sx;
	int i;

	if (fake_fail("bind"))
		return -1;
	if (!s)
		return __real_bind(fd, addr, len);
	fake.bind_calls++;
	if (len < sizeof(sx))
		return fail_with(EINVAL);
	memcpy(&sx, addr, sizeof(sx));
	/* the kernel's order: flags, state, device, then the rest */
	if (sx.sxdp_flags & ~fake.bind_flags_known)
		return fail_with(EINVAL);
	if (s->bound)
		return fail_with(EBUSY);
	if (fake.bind_errno)
		return fail_with(fake.bind_errno);
	if (sx.sxdp_ifindex != FAKE_IFINDEX && sx.sxdp_ifindex != FAKE_IFINDEX2)
		return fail_with(ENODEV);
	if (!s->rx && !s->tx)
		return fail_with(EINVAL);
	if (fake.channels && sx.sxdp_queue_id >= fake.channels)
		return fail_with(EINVAL);
	if (sx.sxdp_flags & XDP_SHARED_UMEM) {
		if (sx.sxdp_flags != XDP_SHARED_UMEM)
			return fail_with(EINVAL);
		partner = xdp_sock((int)sx.sxdp_shared_umem_fd);
		if (!partner)
			return fail_with(ENOPROTOOPT);
		if (!partner->bound)
			return fail_with(EBADF);
		bool same = partner->ifindex == sx.sxdp_ifindex &&
			    partner->queue == sx.sxdp_queue_id;
		bool own = s->fill || s->comp;
		if (same == own)
			return fail_with(EINVAL);
		if (same) {
			s->pool_fill = partner->pool_fill;
			s->pool_comp = partner->pool_comp;
		}
	} else {
		if (!s->umem || !s->fill || !s->comp)
			return fail_with(EINVAL);
		for (i = 0; i < FAKE_MAX_FDS; i++) {
			o = &socks[i];
			if (o->xdp && o->bound &&
			    o->ifindex == sx.sxdp_ifindex &&
			    o->queue == sx.sxdp_queue_id)
				return fail_with(EBUSY);
		}
	}
	if (s->fill) {
		s->pool_fill = s->fill;
		s->pool_comp = s->comp;
	}
	s->bound = true;
	s->ifindex = sx.sxdp_ifindex;
	s->queue = sx.sxdp_queue_id;
	fake.binds++;
	fake.last_bind_flags = sx.sxdp_flags;
	fake.last_bind_shared_fd = sx.sxdp_shared_umem_fd;
	return 0;
}

static void *record_map(void *p, size_t len)
{
	unsigned int i;

	if (p == MAP_FAILED)
		return p;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (!maps[i].addr) {
			maps[i].addr = p;
			maps[i].len = len;
			fake.live_maps++;
			return p;
		}
	}
	__real_munmap(p, len);
	errno = ENOMEM;
	return MAP_FAILED;
}

/* MAP_HUGETLB, played with ordinary pages at a 2 MiB boundary: a real
 * private hugetlb mapping takes its pages from the pool when it is made. */
static void *map_huge(size_t len, int prot)
{
	const size_t huge = 2u << 20;
	uint8_t *p, *start;

	if (len % huge || len / huge > fake.huge_free) {
		errno = len % huge ? EINVAL : ENOMEM;
		return MAP_FAILED;
	}
	p = __real_mmap(NULL, len + huge, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			0);
	if (p == MAP_FAILED)
		return p;
	start = (uint8_t *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
	if (start > p)
		__real_munmap(p, (size_t)(start - p));
	__real_munmap(start + len, (size_t)(p + huge - start));
	return record_map(start, len);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	struct fake_sock *s = xdp_sock(fd);
	uint32_t entries;
	size_t entry;

	if (fake_fail("mmap")) {
		return MAP_FAILED;
	}
	if (!s) {
		if (flags & MAP_HUGETLB)
			return map_huge(len, prot);
		return record_map(__real_mmap(addr, len, prot, flags, fd, off),
				  len);
	}
	/* Before 6.4 the kernel maps no ring of a bound socket. */
	if (s->bound && !fake.mmap_bound) {
		errno = EBUSY;
		return MAP_FAILED;
	}
	switch ((uint64_t)off) {
	case XDP_PGOFF_RX_RING:
		entries = s->rx, entry = sizeof(struct xdp_desc);
		break;
	case XDP_PGOFF_TX_RING:
		entries = s->tx, entry = sizeof(struct xdp_desc);
		break;
	/* Linux 6.4 maps a bound socket's rings: those it binds with, its
	 * own or the ones it shares. */
	case XDP_UMEM_PGOFF_FILL_RING:
		entries = s->bound && fake.mmap_bound ? s->pool_fill : s->fill;
		entry = sizeof(uint64_t);
		break;
	case XDP_UMEM_PGOFF_COMPLETION_RING:
		entries = s->bound && fake.mmap_bound ? s->pool_comp : s->comp;
		entry = sizeof(uint64_t);
		break;
	default:
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!entries || len > OFF_DESC + entries * entry) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	/* The same kernel ring over an existing mapping: the fake's ring
	 * memory stays where it is, as the kernel's pages would. */
	if (flags & MAP_FIXED)
		return addr;
	return record_map(__real_mmap(NULL, len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			  len);
}

int __wrap_munmap(void *addr, size_t len);
int __wrap_munmap(void *addr, size_t len)
{
	unsigned int i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (maps[i].addr == addr && maps[i].len == len) {
			maps[i].addr = NULL;
			fake.live_maps--;
			return __real_munmap(addr, len);
		}
	}
	fake.bad_unmaps++;
	return __real_munmap(addr, len);
}

int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct ethtool_channels ch;
	struct ifreq *ifr;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fake_fail("ioctl"))
		return -1;
	if (req != SIOCETHTOOL)
		return __real_ioctl(fd, req, arg);
	ifr = arg;
	memcpy(&ch, ifr->ifr_data, sizeof(ch));
	if (ch.cmd != ETHTOOL_GCHANNELS || !fake.channels)
		return fail_with(EOPNOTSUPP);
	memset(&ch, 0, sizeof(ch));
	ch.cmd = ETHTOOL_GCHANNELS;
	ch.combined_count = fake.channels;
	ch.max_combined = fake.channels;
	memcpy(ifr->ifr_data, &ch, sizeof(ch));
	return 0;
}

unsigned int __wrap_if_nametoindex(const char *name);
unsigned int __wrap_if_nametoindex(const char *name)
{
	if (fake_fail("if_nametoindex"))
		return 0;
	if (!strcmp(name, "fake0"))
		return FAKE_IFINDEX;
	if (!strcmp(name, "fake1"))
		return FAKE_IFINDEX2;
	errno = ENODEV;
	return 0;
}

char *__wrap_if_indextoname(unsigned int ifindex, char *name);
char *__wrap_if_indextoname(unsigned int ifindex, char *name)
{
	if (fake_fail("if_indextoname"))
		return NULL;
	if (ifindex != FAKE_IFINDEX && ifindex != FAKE_IFINDEX2) {
		errno = ENXIO;
		return NULL;
	}
	strcpy(name, ifindex == FAKE_IFINDEX ? "fake0" : "fake1");
	return name;
}

int __wrap_getrlimit(int res, struct rlimit *rl);
int __wrap_getrlimit(int res, struct rlimit *rl)
{
	if (fake_fail("getrlimit"))
		return -1;
	if (res != RLIMIT_MEMLOCK)
		return __real_getrlimit(res, rl);
	rl->rlim_cur = rl->rlim_max = fake.memlock;
	return 0;
}

/* sendto() and recvfrom() on an AF_XDP socket are wake-ups, nothing more. */
static ssize_t wakeup(int fd, int flags, const char *call, unsigned int *count)
{
	struct fake_sock *s = xdp_sock(fd);

	if (fake_fail(call))
		return -1;
	(*count)++;
	if (!s)
		return fail_with(ENOTSOCK);
	if (!(flags & MSG_DONTWAIT))
		return fail_with(EOPNOTSUPP);
	if (!s->bound)
		return fail_with(ENXIO);
	if (count == &fake.sendtos && !s->tx)
		return fail_with(ENOBUFS);
	return 0;
}

ssize_t __wrap_sendto(int fd, const void *buf, size_t len, int flags,
		      const struct sockaddr *to, socklen_t tolen);
ssize_t __wrap_sendto(int fd, const void *buf, size_t len, int flags,
		      const struct sockaddr *to, socklen_t tolen)
{
	(void)buf, (void)len, (void)to, (void)tolen;
	return wakeup(fd, flags, "sendto", &fake.sendtos);
}

ssize_t __wrap_recvfrom(int fd, void *buf, size_t len, int flags,
			struct sockaddr *from, socklen_t *fromlen);
ssize_t __wrap_recvfrom(int fd, void *buf, size_t len, int flags,
			struct sockaddr *from, socklen_t *fromlen)
{
	(void)buf, (void)len, (void)from, (void)fromlen;
	return wakeup(fd, flags, "recvfrom", &fake.recvfroms);
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	nfds_t i;

	if (fake_fail("poll"))
		return -1;
	fake.polls++;
	for (i = 0; i < n; i++)
		if (!xdp_sock(fds[i].fd))
			return __real_poll(fds, n, timeout);
	/* Nothing ever arrives on a fake socket: time out at once. */
	for (i = 0; i < n; i++)
		fds[i].revents = 0;
	return 0;
}

/* The kernel's BTF comes from fake.btf, through a memfd: a real fd, so that
 * a leak shows in /proc/self/fd. */
/* A device's numa_node file, as fake.numa_node says. */
static int open_numa_node(void)
{
	size_t len;
	int fd;

	if (!fake.numa_node)
		return fail_with(ENOENT);
	fd = memfd_create("numa_node", MFD_CLOEXEC);
	if (fd < 0 || fd >= FAKE_MAX_FDS)
		return fail_with(EMFILE);
	len = strlen(fake.numa_node);
	if (write(fd, fake.numa_node, len) != (ssize_t)len ||
	    lseek(fd, 0, SEEK_SET)) {
		__real_close(fd);
		return fail_with(EIO);
	}
	numa_files[fd] = true;
	fake.live_files++;
	return fd;
}

int __wrap_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	int mode, fd;

	va_start(ap, flags);
	mode = flags & O_CREAT ? va_arg(ap, int) : 0;
	va_end(ap);
	if (fake_fail("open"))
		return -1;
	if (!strncmp(path, "/sys/class/net/", 15) &&
	    strstr(path, "/device/numa_node"))
		return open_numa_node();
	if (strcmp(path, FAKE_VMLINUX_BTF))
		return __real_open(path, flags, mode);
	fake.btf_opens++;
	if (!fake.btf)
		return fail_with(ENOENT);
	fd = memfd_create("vmlinux", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, fake.btf, fake.btf_len) != (ssize_t)fake.btf_len ||
	    lseek(fd, 0, SEEK_SET)) {
		__real_close(fd);
		return fail_with(EIO);
	}
	return fd;
}

ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	if (fake_fail("read"))
		return -1;
	return __real_read(fd, buf, len);
}

/* ------------------------------------------------- the fake bpffs */

static bool fake_path(const char *path)
{
	size_t n = strlen(FAKE_BPFFS);

	return !strncmp(path, FAKE_BPFFS, n) && (!path[n] || path[n] == '/');
}

int __wrap_statfs(const char *path, struct statfs *st);
int __wrap_statfs(const char *path, struct statfs *st)
{
	if (fake_fail("statfs"))
		return -1;
	if (!fake_path(path))
		return __real_statfs(path, st);
	if (strcmp(path, FAKE_BPFFS) && !fake_pin_find(path))
		return fail_with(ENOENT);
	memset(st, 0, sizeof(*st));
	st->f_type = 0xcafe4a11; /* BPF_FS_MAGIC */
	return 0;
}

int __wrap_chmod(const char *path, mode_t mode);
int __wrap_chmod(const char *path, mode_t mode)
{
	if (fake_fail("chmod"))
		return -1;
	return fake_path(path) ? fake_pin_chmod(path, mode) :
				 __real_chmod(path, mode);
}

int __wrap_lchown(const char *path, uid_t uid, gid_t gid);
int __wrap_lchown(const char *path, uid_t uid, gid_t gid)
{
	if (fake_fail("lchown"))
		return -1;
	return fake_path(path) ? fake_pin_chgrp(path, gid) :
				 __real_lchown(path, uid, gid);
}

int __wrap_unlink(const char *path);
int __wrap_unlink(const char *path)
{
	if (fake_fail("unlink"))
		return -1;
	return fake_path(path) ? fake_pin_unlink(path) : __real_unlink(path);
}

int __wrap_uname(struct utsname *u);
int __wrap_uname(struct utsname *u)
{
	if (__real_uname(u))
		return -1;
	if (fake.release)
		snprintf(u->release, sizeof(u->release), "%s", fake.release);
	return 0;
}
