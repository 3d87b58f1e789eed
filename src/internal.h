/* SPDX-License-Identifier: MIT */
/*
 * libxsk internals: error reporting, the handle layouts and the functions
 * the source files share. Nothing here is exported. The syscall layer has
 * its own header, sys.h. Dependencies go one way:
 *
 *	sys.c -> xdpsock.c -> ctx.c, umem.c -> socket.c, sockopt.c -> share.c
 *	-> prog.c
 *
 * with error.c, opts.c, ifinfo.c and probe.c (which uses only sys.c and
 * xdpsock.c) beside them; handover.c (fd passing, a bound socket handed to
 * another process) builds on umem.c and socket.c, and holder.c (who holds
 * a queue) on netlink.c.
 */
#ifndef LIBXSK_INTERNAL_H
#define LIBXSK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <xsk.h>

#include "sys.h"

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
#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6) /* 6.3 */
#endif
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2 /* 5.13 */
#endif
/* an enum bpf_cmd value, which #ifndef can't see */
#define XSK__BPF_PROG_BIND_MAP 35 /* 5.10 */
#ifndef BPF_JMP32
#define BPF_JMP32 0x06 /* 5.1 */
#endif

/*
 * Error reporting (error.c). xsk__err() records a sentence for xsk_errmsg()
 * and returns @err (a negative errno value) so that a failure path reads
 * "return xsk__err(-EINVAL, ...)". xsk__err_sys() records strerror(-err)
 * after a short context, for failures with nothing more to explain.
 */
int xsk__err(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int xsk__err_sys(int err, const char *what);
/* Like xsk__err() for a sentence whose advice a program may word in its own
 * terms (see xsk_erradvice()): it ends in ": ADVICE", and xsk_errcause() is
 * what comes before. */
int xsk__err_advice(int err, enum xsk_advice advice, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like xsk__err() with a constant sentence and no formatting, for errors
 * that a hot loop meets often. */
int xsk__err_const(int err, const char *msg);

/*
 * Copy a caller's sized options struct (NULL: all zero) into @dst, checking
 * its .sz (opts.c).
 */
int xsk__opts_load(void *dst, size_t dst_sz, const void *src, const char *type);

/* Device facts used to explain errors (ifinfo.c). */
int xsk__if_channels(uint32_t ifindex, uint32_t *count);

/* A mapping recorded as it is made, so that one routine can undo it. */
struct xsk__mapping {
	void *addr;
	size_t len;
};

/*
 * The kernel's AF_XDP setup calls, each wrapped once (xdpsock.c).
 */

/* socket(AF_XDP), with the failure explained. */
int xsk__xdp_socket(void);
/* XDP_UMEM_REG with a zeroed, full-size struct xdp_umem_reg (Linux 6.8
 * layout): a shorter optlen makes the kernel ignore the flags, and 6.8 to
 * 6.10 read any padding as tx_metadata_len. Not explained: callers know. */
struct xsk__umem_reg {
	uint64_t addr;
	uint64_t len;
	uint32_t chunk_size;
	uint32_t headroom;
	uint32_t flags;
	uint32_t tx_metadata_len;
};
int xsk__umem_reg(int fd, const struct xsk__umem_reg *reg);
int xsk__ring_setsize(int fd, int opt, uint32_t size, const char *name);
/* Returns 0 for the v2 layout, 1 for the v1 layout (kernels before 5.4,
 * which take no XDP_USE_NEED_WAKEUP), or a negative errno value. */
int xsk__mmap_offsets(int fd, struct xdp_mmap_offsets *off);
int xsk__ring_map(int fd, const struct xdp_ring_offset *off, uint32_t size,
		  size_t entry, off_t pgoff, const char *name,
		  struct xsk__mapping *m);
void xsk__mapping_release(struct xsk__mapping *m);

/*
 * A fill and completion ring pair (ctx.c): the rings of one (device, queue)
 * a UMEM is bound to, made on the socket that binds there first and used by
 * every socket of the UMEM on that (device, queue). Counted: it lives until
 * its last user puts it. The mappings keep the socket they were made on
 * alive in the kernel (a mapping holds the file), so @fd says which socket
 * that is: ctx.c moves the mappings to another user's socket when that one
 * goes (Linux 6.4 maps a bound socket's shared rings).
 */
struct xsk__ctx {
	unsigned int refs;
	int fd; /* the socket the rings are mapped from */
	int close_fd; /* closed with the last reference, or -1 */
	uint32_t fill_size, comp_size;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk__mapping fill_map;
	struct xsk__mapping comp_map;
};

/* Size the rings on @fd, map them, and hand back a context with one
 * reference. Nothing is left behind on failure but the sizes on @fd.
 * Returns 0, 1 if the kernel answered the v1 ring offsets (before 5.4), or
 * a negative errno value. */
int xsk__ctx_create(struct xsk__ctx **ctx, int fd, uint32_t fill_size,
		    uint32_t comp_size);
/* The same on a socket whose rings another process sized (and bound):
 * map them only. */
int xsk__ctx_adopt(struct xsk__ctx **ctx, int fd, uint32_t fill_size,
		   uint32_t comp_size);
void xsk__ctx_get(struct xsk__ctx *ctx);
/* Drop a reference: the last one unmaps the rings and frees @ctx. */
void xsk__ctx_put(struct xsk__ctx *ctx);
/* Map the rings again from @fd, a bound socket that shares them, so that
 * the socket they were mapped from can go. 0, or a negative errno value
 * (kernels before 6.4 refuse: the rings stay where they are). */
int xsk__ctx_move(struct xsk__ctx *ctx, int fd);

/* What a socket is to its UMEM, decided once at creation. */
enum xsk__role {
	/* The UMEM's registration socket: binds without XDP_SHARED_UMEM,
	 * with the registration's fill and completion rings. */
	XSK_ROLE_UMEM,
	/* First on its (device, queue) but not the registration: shares the
	 * UMEM with its own fill and completion rings (Linux 5.10). */
	XSK_ROLE_CTX_OWNER,
	/* Joins the context of its (device, queue): shares the rings. */
	XSK_ROLE_SHARER,
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
	struct xsk__mapping area_map; /* set only when libxsk mapped the area */
	size_t page_size; /* of the area: huge or the system's */
	int numa_node; /* the node the area prefers; -1: none */
	int memfd; /* the area's memfd (XSK_UMEM_MEMFD, or adopted), or -1 */
	/*
	 * The registration: an AF_XDP socket with the UMEM registered and
	 * its fill and completion rings, for the next XSK_ROLE_UMEM socket.
	 * -1 / NULL when there is none: its socket was destroyed, and the
	 * next first socket registers the UMEM again.
	 */
	int reg_fd;
	struct xsk__ctx *reg_ctx;
	bool reg_taken; /* a socket binds @reg_fd */
	bool v1; /* the kernel answered the v1 ring offsets (before 5.4) */
	/* RX and TX ring sizes already set on @reg_fd: a ring can't be
	 * unsized, so they outlive a failed first xsk_socket_create() */
	uint32_t rx_kept, tx_kept;
	/* Of the registration's socket; sharers inherit them. */
	uint16_t bind_flags;
	uint32_t mode; /* enum xsk_mode */
	unsigned int nsockets;
	struct xsk_socket *sockets; /* every live socket, newest first */
};

/*
 * pages.c: map @size bytes for a UMEM into @map (recorded as soon as it is
 * made, so the caller unmaps it on a later failure), on huge pages if
 * @flags asks, placed on @numa_ifname's node if it reports one; the page
 * size used into *@page_size and the node into *@node (-1: none).
 */
int xsk__pages_map(struct xsk__mapping *map, uint64_t size, uint32_t flags,
		   const char *numa_ifname, size_t *page_size, int *node);

/* umem.c: the only writers of struct xsk_umem. */
/* Register the UMEM again if its registration is gone (0 if there is one),
 * for a first socket after the previous one was destroyed. */
int xsk__umem_register(struct xsk_umem *u);
/* Close the registration and its rings (unused by any socket). */
void xsk__umem_unregister(struct xsk_umem *u);
/* Will the next socket be the registration's (no other socket to share
 * the UMEM with)? */
bool xsk__umem_first_free(const struct xsk_umem *u);
/* The context for a new socket on (@ifindex, @queue_id), or NULL. */
struct xsk__ctx *xsk__umem_find_ctx(const struct xsk_umem *u, uint32_t ifindex,
				    uint32_t queue_id);
/* A bound socket to share the UMEM through: one using @ctx, or, with @ctx
 * NULL, any. NULL if there is none. */
struct xsk_socket *xsk__umem_partner(const struct xsk_umem *u,
				     const struct xsk__ctx *ctx);
/* Record that @s set these RX/TX sizes on the registration socket. */
void xsk__umem_keep_sizes(struct xsk_umem *u, uint32_t rx, uint32_t tx);
/* A new socket joins (after its setup succeeded) or leaves the UMEM. */
void xsk__umem_attach(struct xsk_umem *u, struct xsk_socket *s,
		      uint16_t bind_flags, uint32_t mode);
void xsk__umem_detach(struct xsk_umem *u, struct xsk_socket *s);

struct xsk_socket {
	struct xsk_socket *next; /* in the UMEM's list */
	struct xsk_umem *umem;
	struct xsk__ctx *ctx; /* the fill and completion rings it uses */
	enum xsk__role role;
	int fd;
	bool adopted; /* @fd came from the caller */
	bool registered; /* its creation registered the UMEM again */
	uint16_t bind_flags; /* XDP_SHARED_UMEM unless XSK_ROLE_UMEM */
	bool bound;
	bool need_wakeup;
	bool busy_poll; /* wake-ups drive the driver: always make them */
	uint32_t bind_wait_ms;
	uint32_t ifindex;
	uint32_t queue_id;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk__mapping rx_map; /* addr NULL: no RX ring */
	struct xsk__mapping tx_map; /* addr NULL: no TX ring */
};

/*
 * What xsk_socket_handover() sends with the socket and the UMEM's memfd
 * (handover.c): all the successor needs to map the same rings and memory
 * and to know what it has. Fixed-size fields in host order: both ends run
 * on one machine. @version changes with the layout.
 */
#define XSK__HANDOVER_VERSION 1
struct xsk__handover {
	uint32_t version;
	uint32_t ifindex;
	uint32_t queue_id;
	uint32_t frame_size;
	uint32_t nframes;
	uint32_t headroom;
	uint32_t umem_flags; /* XSK_UMEM_* */
	uint32_t tx_metadata_len;
	uint32_t fill_size, comp_size;
	uint32_t rx_size, tx_size; /* 0: no such ring */
	uint32_t bind_flags; /* XDP_* the socket was bound with */
	uint32_t mode; /* enum xsk_mode */
	uint64_t size; /* of the UMEM */
};

/* A UMEM over @memfd (mapped whole) whose registration is @fd, a bound
 * socket whose fill and completion rings are mapped again here (Linux
 * 6.4). On failure @fd and @memfd stay the caller's. */
int xsk__umem_adopt(struct xsk_umem **umem, const struct xsk__handover *h,
		    int fd, int memfd);
/* The socket of such a UMEM: its RX and TX rings mapped again. */
int xsk__socket_adopt(struct xsk_socket **xsk, struct xsk_umem *u,
		      const struct xsk__handover *h);

/* Forget what xsk_probe() found, for tests that play other kernels. */
void xsk__probe_forget(void);

static inline bool xsk__is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* ------------------------------------------ XDP program and XSKMAP (prog.c) */

/*
 * What rtnetlink says about the XDP programs on a device (netlink.c):
 * @attached is IFLA_XDP_ATTACHED (XDP_ATTACHED_NONE/DRV/SKB/HW/MULTI), and
 * the program ids per mode are 0 where that mode has none.
 */
struct xsk__xdp_query {
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
enum xsk__nl_state { XSK_NL_UNSENT, XSK_NL_UNANSWERED, XSK_NL_ANSWERED };
int xsk__nl_set_xdp(uint32_t ifindex, int prog_fd, int expected_fd,
		    uint32_t flags, char *why, size_t whylen,
		    enum xsk__nl_state *state);
int xsk__nl_query_xdp(uint32_t ifindex, struct xsk__xdp_query *q);

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
	/* The process that attached: only it detaches. A child forked later
	 * holds copies of the fds but not the attachment. */
	pid_t owner;
	uint32_t hints; /* XSK_HINT_* the program collects */
	uint32_t hint_ids[3]; /* their kfuncs' BTF ids, by bit number */
	/* XSK_PROG_SHARED: no process detaches; the program leaves with the
	 * last reference to its link */
	bool shared;
	int token_fd; /* a BPF token while the handle is made, or -1 */
};

/* ------------------------------------ sharing, pins, tokens (share.c) */

/* The names libxsk gives its programs and map: how a joining process
 * tells libxsk's from another's, and a shared one from a private one. */
#define XSK__PROG_REDIRECT "xsk_redirect"
#define XSK__PROG_PASS "xsk_pass"
#define XSK__PROG_SHARED "xsk_shared"
#define XSK__PROG_SHARED_PASS "xsk_shared_pass"
#define XSK__MAP_NAME "xsk_map"

/* BPF_OBJ_GET_INFO_BY_FD into @info of @len bytes; not explained. */
int xsk__bpf_info(int fd, void *info, uint32_t len);

/*
 * Join the program @id attached to @p's interface: take its fd, its XSKMAP
 * (unless @pass_ok and it has none), and a reference to the BPF link that
 * holds it, after checking that it is a shared libxsk program. 0, -EAGAIN
 * when it went away meanwhile (look again), or an explained negative errno.
 */
int xsk__join(struct xsk_prog *p, uint32_t id, bool pass_ok);

/* Pin @fd at @path in bpffs with @mode (0: 0600) and group @gid (0: the
 * caller's); @what names it for messages. Nothing is left pinned on
 * failure. 0, or an explained negative errno. */
int xsk__pin(int fd, const char *path, uint32_t mode, uint32_t gid,
	     const char *what);

/* The object pinned at @path, opened read-write: its fd, or an explained
 * negative errno. */
int xsk__pin_open(const char *path);

/* Does this process run in a user namespace other than the initial one
 * (its /proc/self/uid_map maps less than every uid)? False if unsure. */
bool xsk__in_user_namespace(void);

/* A BPF token from the delegated bpffs mounted at @path (Linux 6.9): its
 * fd, or an explained negative errno. */
int xsk__token_create(const char *path);

/* Put @token_fd into a BPF_MAP_CREATE or BPF_PROG_LOAD attribute buffer
 * (the fields came in 6.9, after the oldest UAPI headers): the size to
 * pass to bpf(2). Without a token (-1), sizeof(union bpf_attr). */
unsigned int xsk__attr_token(void *attr, int cmd, int token_fd);
/* Room for the token's field beyond the oldest union bpf_attr. */
#define XSK__ATTR_SIZE 160

/* ------------------------------------------------- kernel BTF (btf.c) */

#define XSK__BTF_MAX_PARAMS 4
#define XSK__BTF_MAX_FUNCS 8

/*
 * A function to find in BTF: a FUNC named @name whose prototype takes
 * @nparams parameters, named @params where the BTF names them (a kernel
 * that changed the signature must not get a call with the old one).
 */
struct xsk__btf_func {
	const char *name;
	unsigned int nparams;
	const char *params[XSK__BTF_MAX_PARAMS];
};

/*
 * Find @n (at most XSK__BTF_MAX_FUNCS) functions in the raw BTF @data of
 * @len bytes: ids[i] gets the type id of want[i], or 0 if there is none.
 * Every type is checked on the way, whatever it is. Returns 0, or (with
 * every id 0 and the reason in xsk_errmsg())
 *  -EBADMSG: the BTF is malformed (truncated, offsets out of bounds, a
 *	name without its NUL, a function named twice);
 *  -EOPNOTSUPP: a BTF version or type kind this reader does not know, or
 *	a function found with another signature.
 */
int xsk__btf_find_funcs(const void *data, size_t len,
			const struct xsk__btf_func *want, unsigned int n,
			uint32_t *ids);

/* Read a whole file (the kernel's BTF) into a buffer to free(). 0, or a
 * negative errno value (-EFBIG beyond 256 MB), not explained. */
int xsk__btf_read(const char *path, void **data, size_t *len);

#define XSK__VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* The RX metadata kfuncs, indexed by the bit number of their XSK_HINT_*
 * flag, with the kernel that brought each. */
#define XSK__NHINTS 3
struct xsk__hint_kfunc {
	struct xsk__btf_func f;
	uint32_t hint; /* XSK_HINT_* */
	const char *flag; /* "XSK_HINT_...", for messages */
	const char *since; /* Linux version */
};
extern const struct xsk__hint_kfunc xsk__hint_kfuncs[XSK__NHINTS];

/*
 * The kfuncs' ids in the running kernel's BTF (0 for those it lacks).
 * Returns 0, or an explained negative errno value: -EOPNOTSUPP when the
 * kernel has no BTF (CONFIG_DEBUG_INFO_BTF) or BTF this reader does not
 * know, -EBADMSG when it is malformed, another value from reading it.
 */
int xsk__hint_kfunc_ids(uint32_t ids[XSK__NHINTS]);

/*
 * Which RX metadata kfuncs the driver of @ifindex implements, as XSK_HINT_*
 * bits, from the netdev generic netlink family (netlink.c). Returns 0, or
 * -ENOENT (no netdev family: before Linux 6.3), -ENODATA (the kernel does
 * not say: before 6.8), or another negative errno value (not explained).
 */
int xsk__nl_rx_metadata(uint32_t ifindex, uint32_t *hints);

/*
 * Whether an AF_XDP socket holds queue @queue_id of @ifindex, from netdev
 * netlink (Linux 6.15; netlink.c): 0 with *@held, -ENOENT (no netdev
 * family), -ENODATA (no answer for the queue), or another negative errno
 * value from netlink. Not explained.
 */
int xsk__nl_queue_xsk(uint32_t ifindex, uint32_t queue_id, bool *held);
/* The inode of the AF_XDP socket bound to (@ifindex, @queue_id) in this
 * network namespace (0: none), from AF_XDP socket diagnostics: 0, or
 * -ENOENT without CONFIG_XDP_SOCKETS_DIAG, or another negative errno
 * value. Not explained. */
int xsk__nl_xsk_diag(uint32_t ifindex, uint32_t queue_id, uint32_t *ino);

/* Who holds a queue (holder.c), as far as this kernel can tell. */
struct xsk__holder {
	bool netdev; /* netdev netlink reports an AF_XDP socket on it */
	uint32_t ino; /* the socket's inode, from socket diagnostics; or 0 */
	int pid; /* a process that has it open; or 0 */
	char comm[32];
};

/* Fill @h; true if anything is known. */
bool xsk__queue_holder(uint32_t ifindex, uint32_t queue_id,
		       struct xsk__holder *h);
/* A phrase for messages: "an AF_XDP socket, socket:[N] of process P (c)". */
void xsk__holder_text(const struct xsk__holder *h, char *buf, size_t len);

#endif /* LIBXSK_INTERNAL_H */
