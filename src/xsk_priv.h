/* SPDX-License-Identifier: MIT */
/*
 * libxsk internals: the thin syscall layer, error reporting and the handle
 * layouts. Nothing here is exported.
 */
#ifndef LIBXSK_PRIV_H
#define LIBXSK_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <xsk.h>

/*
 * Constants newer than the oldest UAPI headers libxsk builds against, with
 * the kernel version that brought each.
 */
#ifndef SO_BUSY_POLL
#define SO_BUSY_POLL 46 /* 4.5 */
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69 /* 5.11 */
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70 /* 5.11 */
#endif
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4) /* 6.6 */
#endif
#ifndef XDP_UMEM_TX_SW_CSUM
#define XDP_UMEM_TX_SW_CSUM (1 << 1) /* 6.8 */
#endif
#ifndef XDP_UMEM_TX_METADATA_LEN
#define XDP_UMEM_TX_METADATA_LEN (1 << 2) /* 6.11 */
#endif
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9 /* 6.17 */
#endif

/*
 * The syscall layer (sys.c): the only code that reads errno. Each returns
 * the syscall's non-negative result or a negative errno value.
 */
int xsk_sys_socket(int domain, int type, int protocol);
void xsk_sys_close(int fd);
int xsk_sys_setsockopt(int fd, int level, int name, const void *val,
		       socklen_t len);
int xsk_sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int xsk_sys_bind(int fd, const struct sockaddr *addr, socklen_t len);
int xsk_sys_mmap(void **addr, size_t len, int prot, int flags, int fd,
		 off_t off);
void xsk_sys_munmap(void *addr, size_t len);
int xsk_sys_ioctl(int fd, unsigned long req, void *arg);
int xsk_sys_sendto_wakeup(int fd);
int xsk_sys_recvfrom_wakeup(int fd);
int xsk_sys_poll(int fd, short events, int timeout_ms);
int xsk_sys_ifindex(const char *name);
int xsk_sys_ifname(uint32_t ifindex, char *name);
int xsk_sys_memlock_limit(uint64_t *bytes);
long xsk_sys_page_size(void);
void xsk_sys_sleep_ms(unsigned int ms);

/*
 * Error reporting (error.c). xsk_err() records a sentence for xsk_errmsg()
 * and returns @err (a negative errno value) so that a failure path reads
 * "return xsk_err(-EINVAL, ...)". xsk_err_sys() records strerror(-err)
 * after a short context, for failures with nothing more to explain.
 */
int xsk_err(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int xsk_err_sys(int err, const char *what);
/* Like xsk_err() with a constant sentence and no formatting, for errors
 * that a hot loop meets often. */
int xsk_err_const(int err, const char *msg);

/*
 * Copy a caller's sized options struct (NULL: all zero) into @dst, checking
 * its .sz (opts.c).
 */
int xsk_opts_load(void *dst, size_t dst_sz, const void *src, const char *type);

/* Device facts used to explain errors (ifinfo.c). */
int xsk_if_channels(uint32_t ifindex, uint32_t *count);

/* A mapping recorded as it is made, so that one routine can undo it. */
struct xsk_mapping {
	void *addr;
	size_t len;
};

void xsk_mapping_release(struct xsk_mapping *m);

/*
 * The fill and completion rings of one (device, queue) that a UMEM is bound
 * to. The first context of a UMEM lives on the UMEM's own socket; another
 * (device, queue) gets a context on the first socket bound there.
 */
struct xsk_ctx {
	struct xsk_ctx *next;
	struct xsk_umem *umem;
	int fd; /* the socket that owns the rings: the bind partner */
	bool bound;
	uint32_t ifindex;
	uint32_t queue_id;
	unsigned int users; /* sockets that use these rings */
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_mapping fill_map;
	struct xsk_mapping comp_map;
};

struct xsk_umem {
	void *area;
	uint64_t size;
	uint32_t frame_size;
	uint32_t nframes;
	uint32_t headroom;
	uint32_t flags;
	uint32_t tx_metadata_len;
	uint32_t fill_size;
	uint32_t comp_size;
	int fd; /* the UMEM's own socket: registration and first context */
	bool fd_taken; /* a socket has been created on @fd */
	bool v1; /* the kernel answered the v1 ring offsets (before 5.4) */
	uint16_t bind_flags; /* of the first socket; sharers inherit them */
	uint32_t mode; /* enum xsk_mode asked for by the first socket */
	/* RX and TX ring sizes already set on @fd: a ring can't be unsized,
	 * so they outlive a failed first xsk_socket_create() */
	uint32_t rx_kept, tx_kept;
	unsigned int sockets; /* live sockets */
	struct xsk_mapping area_map; /* set only when libxsk mapped the area */
	struct xsk_ctx own; /* the context on @fd */
	struct xsk_ctx *ctxs; /* every context, @own first */
};

struct xsk_socket {
	struct xsk_umem *umem;
	struct xsk_ctx *ctx; /* the fill and completion rings it uses */
	struct xsk_ctx *own_ctx; /* set when @ctx was made for this socket */
	int fd;
	bool bound;
	bool need_wakeup;
	bool busy_poll; /* wake-ups drive the driver: always make them */
	uint32_t bind_wait_ms;
	uint32_t ifindex;
	uint32_t queue_id;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_mapping rx_map; /* addr NULL: no RX ring */
	struct xsk_mapping tx_map; /* addr NULL: no TX ring */
};

/* Ring setup shared by the UMEM and the socket (ring.c). */
int xsk_ring_setsize(int fd, int opt, uint32_t size, const char *name);
/* Returns 0 for the v2 layout, 1 for the v1 layout (kernels before 5.4,
 * which take no XDP_USE_NEED_WAKEUP), or a negative errno value. */
int xsk_mmap_offsets(int fd, struct xdp_mmap_offsets *off);
int xsk_ring_map(int fd, const struct xdp_ring_offset *off, uint32_t size,
		 size_t entry, off_t pgoff, const char *name,
		 struct xsk_mapping *m);

/* Fill and completion rings of a context (umem.c). */
int xsk_ctx_setsizes(int fd, uint32_t fill_size, uint32_t comp_size);
int xsk_ctx_map(struct xsk_ctx *ctx, const struct xdp_mmap_offsets *off,
		uint32_t fill_size, uint32_t comp_size);
void xsk_ctx_release(struct xsk_ctx *ctx);

/* Forget what xsk_probe() found, for tests that play other kernels. */
void xsk_probe_forget(void);

/* Explain a failed socket(AF_XDP) (umem.c). */
int xsk_explain_socket(int err);

static inline bool xsk_is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* ------------------------------------------ XDP program and XSKMAP (prog.c) */

union bpf_attr;
struct msghdr;

/* bpf(2), F_DUPFD_CLOEXEC, the netlink socket calls, capget (sys.c). */
int xsk_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);
int xsk_sys_dupfd(int fd);
int xsk_sys_sendmsg(int fd, const struct msghdr *msg, int flags);
int xsk_sys_recvmsg(int fd, struct msghdr *msg, int flags);
/* The effective capability set, bit n = capability n (capget). */
int xsk_sys_capeff(uint64_t *caps);

/*
 * What rtnetlink says about the XDP programs on a device (netlink.c):
 * @attached is IFLA_XDP_ATTACHED (XDP_ATTACHED_NONE/DRV/SKB/HW/MULTI), and
 * the program ids per mode are 0 where that mode has none.
 */
struct xsk_xdp_query {
	uint8_t attached;
	uint32_t drv_id;
	uint32_t skb_id;
	uint32_t hw_id;
};

/*
 * RTM_SETLINK with a nested IFLA_XDP: attach @prog_fd (or detach with -1)
 * with XDP_FLAGS_* @flags; @expected_fd >= 0 adds IFLA_XDP_EXPECTED_FD (with
 * XDP_FLAGS_REPLACE in @flags). On failure, @why receives the kernel's
 * extended ack message (empty if none) and the negative errno is returned.
 * *@state (if not NULL) says whose error it is: XSK_NL_ANSWERED means the
 * kernel's; XSK_NL_UNANSWERED means the request went out but its answer
 * could not be read, so the kernel may have carried it out.
 */
enum xsk_nl_state { XSK_NL_UNSENT, XSK_NL_UNANSWERED, XSK_NL_ANSWERED };
int xsk_nl_set_xdp(uint32_t ifindex, int prog_fd, int expected_fd,
		   uint32_t flags, char *why, size_t whylen,
		   enum xsk_nl_state *state);
int xsk_nl_query_xdp(uint32_t ifindex, struct xsk_xdp_query *q);

struct xsk_prog {
	uint32_t ifindex;
	char ifname[16]; /* IF_NAMESIZE, for messages */
	uint32_t flags; /* XSK_PROG_* */
	uint32_t xdp_flags; /* the XDP_FLAGS_* mode bits attached with */
	uint32_t mode; /* enum xsk_attach_mode actually in use */
	uint32_t nqueues; /* slots in the map */
	uint32_t prog_id;
	int map_fd; /* -1 if none */
	int prog_fd; /* -1 if none */
	int link_fd; /* -1 unless attached through a BPF link */
	bool nl_attached; /* attached with rtnetlink: detach explicitly */
};

#endif /* LIBXSK_PRIV_H */
