/* SPDX-License-Identifier: MIT */
/*
 * libxsk: AF_XDP sockets from a few lines of C, with nothing but libc and the
 * Linux UAPI headers.
 *
 * Control path: UMEM and socket setup and teardown, wake-ups, and the
 * explanation of errors. The data path (ring helpers) is in <xsk/ring.h>,
 * the frame allocator in <xsk/frames.h> and the RX hints record in
 * <xsk/hints.h>, which this header includes; <xsk/multibuf.h> and
 * <xsk/txmeta.h> are there to include when needed.
 *
 * Conventions, for every function below:
 *  - success returns 0 (or a non-negative count); failure returns a negative
 *    errno value. errno itself is never the way an error is reported and may
 *    hold anything after a call;
 *  - constructors hand their object back through an out-parameter that is
 *    left untouched on failure;
 *  - when a call fails, xsk_errmsg() gives a sentence, in the calling thread,
 *    naming the rule that was broken and what to do about it;
 *  - options structs start with a size field @sz, set to sizeof(the struct)
 *    by the caller (or use the XSK_OPTS() macro), so that programs built
 *    against an older or newer libxsk keep working. A NULL options pointer
 *    means all defaults. A zero field means "the default" unless documented.
 *    Every function that takes one also returns -EINVAL for an @sz smaller
 *    than a size_t, and -EOPNOTSUPP for a struct from a newer libxsk that
 *    sets a field this one does not know (nothing is silently ignored);
 *  - a NULL handle never crashes an out-of-line function: those that return
 *    an int return -EINVAL, accessors return NULL, -1 (fds) or 0 (sizes,
 *    counts, ids), and the destroy functions do nothing and return 0. The
 *    inline data-path helpers of <xsk/ring.h> take no such care: they must
 *    stay a few instructions.
 */
#ifndef LIBXSK_XSK_H
#define LIBXSK_XSK_H

#include <stddef.h>
#include <stdint.h>
#include <xsk/ring.h>
#include <xsk/frames.h>
#include <xsk/hints.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version is edited here by hand and nowhere else: the Makefile reads it
 * and checks that the linker version script's newest node agrees. */
#define LIBXSK_VERSION_MAJOR 0
#define LIBXSK_VERSION_MINOR 3
#define LIBXSK_VERSION_PATCH 0

#ifndef XSK_API
#define XSK_API __attribute__((visibility("default")))
#endif

/**
 * XSK_OPTS() - declare and size an options struct in one go (C only)
 * @type: the struct's tag: xsk_umem_opts, xsk_socket_opts or xsk_prog_opts
 * @...: designated initializers for the other fields, if any
 *
 *	struct xsk_socket_opts o = XSK_OPTS(xsk_socket_opts, .queue_id = 1);
 *
 * A C99 compound literal with designated initializers: C++ has no
 * compound literals (g++ and clang++ take them as an extension and warn
 * under -pedantic). In C++, value-initialize the struct, which zeroes it,
 * then set @sz and the fields:
 *
 *	xsk_socket_opts o{};
 *	o.sz = sizeof(o);
 *	o.queue_id = 1;
 *
 * Return: a struct @type with @sz set to its size, the given fields set
 * and every other field zero (the default).
 */
#define XSK_OPTS(type, ...) \
	((struct type){ .sz = sizeof(struct type), __VA_ARGS__ })

/**
 * xsk_errmsg() - explain the last failure in this thread
 *
 * Return: a sentence that explains the most recent error a libxsk function
 * returned in the calling thread: which rule was broken and how to fix it
 * (for errors the kernel reports as a bare EINVAL, ENOBUFS, EBUSY, ENODEV,
 * EPERM or EOPNOTSUPP, the likely cause among the kernel's rules). The empty
 * string if no libxsk call has failed in this thread. The text stays valid
 * until the next failing libxsk call in the same thread. Never NULL.
 */
XSK_API const char *xsk_errmsg(void);

/* The advice of a failure, as a code: see xsk_erradvice(). */
enum xsk_advice {
	XSK_ADVICE_NONE = 0,
	XSK_ADVICE_MODE_COPY,
	XSK_ADVICE_MULTI_BUFFER,
	XSK_ADVICE_OWN_UMEM,
	XSK_ADVICE_SHARED_MODE,
	XSK_ADVICE_SHARED_WAKEUP,
	XSK_ADVICE_UNALIGNED,
	XSK_ADVICE_BIND_WAIT,
	XSK_ADVICE_QUEUE_ID,
	XSK_ADVICE_MEMLOCK,
	XSK_ADVICE_NET_RAW,
	XSK_ADVICE_NET_ADMIN,
	XSK_ADVICE_JOIN,
	XSK_ADVICE_BPFFS,
};

/**
 * xsk_erradvice() - the advice of the last failure in this thread, as a code
 *
 * Some failures come with advice that the user of a program acts on through
 * the program's own settings (a command-line option, a configuration key):
 * xsk_errmsg() words it in libxsk's terms (XSK_MODE_COPY, .bind_wait_ms).
 * The code, an enum xsk_advice, says which advice it is, so that a program
 * can show xsk_errcause() followed by the same advice in its own terms. It
 * is set by the same failing call as xsk_errmsg(), in the calling thread.
 * Advice meant for the programmer (a NULL handle, a field left unset, calls
 * in the wrong order) and sentences that only state a limit or the kernel
 * version a feature needs carry XSK_ADVICE_NONE. The codes:
 *
 *  XSK_ADVICE_MODE_COPY: the driver has no zero-copy AF_XDP: ask for
 *	XSK_MODE_COPY (or XSK_MODE_AUTO);
 *  XSK_ADVICE_MULTI_BUFFER: the driver has no multi-buffer zero-copy: ask
 *	for XSK_MODE_COPY, or for no XSK_SOCKET_MULTI_BUFFER;
 *  XSK_ADVICE_OWN_UMEM: a socket that shares a UMEM asked for
 *	multi-buffer: give it a UMEM of its own;
 *  XSK_ADVICE_SHARED_MODE: a socket that shares a UMEM asked for another
 *	mode than the UMEM's first socket: ask for XSK_MODE_AUTO or the same;
 *  XSK_ADVICE_SHARED_WAKEUP: a socket that shares a UMEM asked for
 *	need_wakeup differently from the UMEM's first socket: ask the same way;
 *  XSK_ADVICE_UNALIGNED: a frame size that is not a power of two: use 2048
 *	or 4096, or XSK_UMEM_UNALIGNED;
 *  XSK_ADVICE_BIND_WAIT: the queue is taken: close the other socket, or
 *	wait for the release of one closed a moment ago (.bind_wait_ms);
 *  XSK_ADVICE_QUEUE_ID: the queue does not exist: a lower queue id, or more
 *	channels (ethtool -L);
 *  XSK_ADVICE_MEMLOCK: RLIMIT_MEMLOCK is too low for the UMEM: raise it,
 *	run with CAP_IPC_LOCK, or make the UMEM smaller;
 *  XSK_ADVICE_NET_RAW: an AF_XDP socket needs CAP_NET_RAW: run with it, or
 *	have a privileged process open the socket (xsk_umem_create_fd());
 *  XSK_ADVICE_NET_ADMIN: a busy-polling setting needs CAP_NET_ADMIN: run
 *	with it, or do without busy polling;
 *  XSK_ADVICE_JOIN: the interface has libxsk's program, attached by another
 *	process: start every process that shares the interface with
 *	XSK_PROG_SHARED, the first one too;
 *  XSK_ADVICE_BPFFS: a pin path is not on a mounted BPF filesystem: mount
 *	one (mount -t bpf bpf /sys/fs/bpf) or use a path under it.
 *
 * Later versions may add codes: treat an unknown one as XSK_ADVICE_NONE.
 *
 * Return: an enum xsk_advice; XSK_ADVICE_NONE if the last failure gave no
 * advice to translate or no libxsk call has failed in this thread.
 */
XSK_API int xsk_erradvice(void);

/**
 * xsk_errcause() - the last failure's sentence without its advice
 *
 * Return: xsk_errmsg() up to where its advice begins, for a program that
 * words the advice of xsk_erradvice() itself: "queue 7 does not exist on
 * eth0, which has 2 active channel(s) (ethtool -l eth0)" where xsk_errmsg()
 * goes on ": use a queue id below 2, ...". The whole of xsk_errmsg() when
 * the code is XSK_ADVICE_NONE. Valid, and never NULL, as xsk_errmsg() is.
 */
XSK_API const char *xsk_errcause(void);

/* ------------------------------------------------------------------ UMEM */

#define XSK_DEFAULT_FRAME_SIZE 4096u
#define XSK_DEFAULT_NFRAMES 4096u
#define XSK_DEFAULT_RING_SIZE 2048u

/* xsk_umem_opts.flags */
/*
 * xsk_umem_opts.flags:
 * XSK_UMEM_UNALIGNED: unaligned chunk mode (Linux 5.4): frames of any size
 *	from 2048, anywhere in the UMEM (addresses carry an offset in their top
 *	16 bits, see xsk_umem__add_offset_to_addr());
 * XSK_UMEM_TX_SW_CSUM: checksums requested in TX metadata are computed in
 *	software (Linux 6.8, copy mode only);
 * XSK_UMEM_HUGE_PAGES: the memory libxsk maps is made of 2 MiB huge pages
 *	(MAP_HUGETLB), from the pool reserved with the vm.nr_hugepages sysctl:
 *	fewer TLB misses when frames all over a large UMEM are read. The
 *	mapping is rounded up to a whole number of huge pages. Not with a
 *	caller's @area (map it with MAP_HUGETLB yourself);
 * XSK_UMEM_HUGE_PAGES_OPTIONAL: with XSK_UMEM_HUGE_PAGES, take ordinary
 *	pages when too few huge pages are free instead of failing;
 *	xsk_umem_page_size() tells which were taken;
 * XSK_UMEM_MEMFD: libxsk allocates the UMEM in a memfd (memfd_create(2),
 *	Linux 3.17) mapped shared, instead of anonymous memory, so that a
 *	successor process can map the same pages: needed by
 *	xsk_socket_handover(); not with @area, XSK_UMEM_HUGE_PAGES or
 *	numa_ifname (see xsk_umem_memfd())
 */
#define XSK_UMEM_UNALIGNED (1u << 0)
#define XSK_UMEM_TX_SW_CSUM (1u << 1)
#define XSK_UMEM_HUGE_PAGES (1u << 2)
#define XSK_UMEM_HUGE_PAGES_OPTIONAL (1u << 3)
#define XSK_UMEM_MEMFD (1u << 4)

/**
 * struct xsk_umem_opts - how to build a UMEM
 * @sz: sizeof(struct xsk_umem_opts)
 * @area: memory the caller provides for the UMEM, page-aligned; NULL to let
 *	libxsk map anonymous memory (and unmap it at destroy)
 * @size: length of the UMEM in bytes. Required with @area; otherwise 0 means
 *	@nframes * @frame_size
 * @frame_size: chunk size: a power of two from 2048 to the page size, or any
 *	size from 2048 in unaligned mode. Default 4096
 * @nframes: number of frames. Default 4096, or @size / @frame_size when @size
 *	is given
 * @fill_size: fill ring entries, a power of two. Default 2048
 * @comp_size: completion ring entries, a power of two. Default 2048
 * @headroom: bytes the kernel leaves free in front of each received frame:
 *	at most @frame_size - 704 on Linux 6.18 and later (256 of XDP headroom,
 *	320 for the skb_shared_info, 128 of tailroom), @frame_size - 257 on
 *	older kernels (xsk_probe()'s XSK_FEATURE_LARGE_HEADROOM tells which;
 *	it is asked only for a headroom between the two)
 * @flags: XSK_UMEM_* flags
 * @tx_metadata_len: bytes of TX metadata (struct xsk_tx_meta, <xsk/txmeta.h>)
 *	in front of each TX frame's data: 0 for none, or a multiple of 8 from
 *	16 (recent kernels refuse less) to 248; 24 holds struct xsk_tx_meta.
 *	Needs Linux 6.8
 * @numa_ifname: the interface the UMEM will serve, or NULL: the memory
 *	libxsk maps is placed on the NUMA node of that interface's device
 *	(/sys/class/net/IF/device/numa_node), as a preference (MPOL_PREFERRED:
 *	another node when that one is out of memory). Nothing is placed when
 *	the device reports no node (virtual devices, machines of one node).
 *	Not with a caller's @area
 */
struct xsk_umem_opts {
	size_t sz;
	void *area;
	uint64_t size;
	uint32_t frame_size;
	uint32_t nframes;
	uint32_t fill_size;
	uint32_t comp_size;
	uint32_t headroom;
	uint32_t flags;
	uint32_t tx_metadata_len;
	const char *numa_ifname;
};

struct xsk_umem;

/**
 * xsk_umem_create() - create and register a UMEM
 * @umem: where the new UMEM is stored on success; untouched on failure
 * @opts: options, or NULL for the defaults (4096 frames of 4096 bytes)
 *
 * Maps the memory (unless @opts->area is given), opens an AF_XDP socket,
 * registers the memory with XDP_UMEM_REG, sizes the fill and completion
 * rings and maps them. Any failure undoes every step already taken. That
 * socket, the registration, is what the UMEM's first socket binds (see
 * xsk_socket_create()); its fill ring can be stocked before then through
 * xsk_umem_fill().
 *
 * Return: 0, or
 *  -EINVAL: an option breaks a rule (xsk_errmsg() names it; no syscall made
 *	other than, for a headroom above @frame_size - 704, the probe of
 *	this kernel's headroom rule);
 *  -EOVERFLOW: @nframes * @frame_size does not fit;
 *  -ENOMEM: out of memory; with XSK_UMEM_HUGE_PAGES (and not
 *	XSK_UMEM_HUGE_PAGES_OPTIONAL), too few free 2 MiB huge pages
 *	(xsk_errmsg() says how many to reserve with vm.nr_hugepages);
 *  -ENOBUFS: the locked-memory limit (RLIMIT_MEMLOCK) is too low for the UMEM;
 *  -EPERM, -EACCES: no CAP_NET_RAW to open an AF_XDP socket;
 *  -EAFNOSUPPORT: the kernel has no AF_XDP (CONFIG_XDP_SOCKETS);
 *  -ENODEV: @numa_ifname names no interface;
 *  other negative errno values from socket(2), setsockopt(2), mmap(2),
 *	mbind(2) and from reading the device's numa_node in sysfs.
 */
XSK_API int xsk_umem_create(struct xsk_umem **umem,
			    const struct xsk_umem_opts *opts);

/**
 * xsk_umem_create_fd() - create a UMEM on an AF_XDP socket made elsewhere
 * @umem: where the new UMEM is stored on success; untouched on failure
 * @fd: an unbound AF_XDP socket, for example one received from a privileged
 *	process over a Unix socket. On success the UMEM owns it and closes it at
 *	destroy; on failure it stays open and the caller keeps it (a failure
 *	after the registration leaves the UMEM registered on it: such an fd
 *	takes no other UMEM, so close it)
 * @opts: as for xsk_umem_create()
 *
 * Registering the UMEM and mapping rings need no privilege, so a process
 * that dropped its capabilities can finish the setup on such a socket.
 *
 * Return: as for xsk_umem_create(), plus -EBADF (@fd is negative) and
 * -ENOTSOCK / -ENOPROTOOPT (@fd is not an AF_XDP socket).
 */
XSK_API int xsk_umem_create_fd(struct xsk_umem **umem, int fd,
			       const struct xsk_umem_opts *opts);

/**
 * xsk_umem_destroy() - unmap the rings, unregister and free a UMEM
 * @umem: the UMEM, or NULL (nothing happens)
 *
 * Return: 0, or -EBUSY if sockets created on it still exist (destroy them
 * first, in any order; the UMEM is left intact).
 */
XSK_API int xsk_umem_destroy(struct xsk_umem *umem);

/** xsk_umem_area() - the UMEM's memory: frame address 0 is at this pointer */
XSK_API void *xsk_umem_area(const struct xsk_umem *umem);
/** xsk_umem_size() - the UMEM's length in bytes */
XSK_API uint64_t xsk_umem_size(const struct xsk_umem *umem);
/** xsk_umem_frame_size() - the chunk size */
XSK_API uint32_t xsk_umem_frame_size(const struct xsk_umem *umem);
/** xsk_umem_nframes() - the number of frames */
XSK_API uint32_t xsk_umem_nframes(const struct xsk_umem *umem);
/**
 * xsk_umem_page_size() - the size of the pages under the UMEM
 * @umem: the UMEM
 *
 * Return: 2097152 when libxsk mapped the UMEM on huge pages
 * (XSK_UMEM_HUGE_PAGES), otherwise the system's page size (for a caller's
 * area too: what libxsk checked its alignment against).
 */
XSK_API size_t xsk_umem_page_size(const struct xsk_umem *umem);
/**
 * xsk_umem_numa_node() - where the UMEM's memory was placed
 * @umem: the UMEM
 *
 * Return: the NUMA node the memory prefers (set from
 * xsk_umem_opts.numa_ifname), or -1 if libxsk placed it nowhere in
 * particular.
 */
XSK_API int xsk_umem_numa_node(const struct xsk_umem *umem);
/**
 * xsk_umem_get_bounds() - what the checked accessors of <xsk/ring.h> need
 * @umem: the UMEM
 * @bounds: filled in for xsk_umem__check_desc() and
 *	xsk_umem__get_data_checked(), and the multi-buffer reader
 *
 * Return: 0, or -EINVAL if @umem or @bounds is NULL.
 */
XSK_API int xsk_umem_get_bounds(const struct xsk_umem *umem,
				struct xsk_umem_bounds *bounds);
/**
 * xsk_umem_fd() - the registration's socket: the one the UMEM's first
 * socket binds
 *
 * Return: the fd, or -1 while the UMEM has no registration (its first
 * socket was destroyed; the next xsk_socket_create() registers it again).
 */
XSK_API int xsk_umem_fd(const struct xsk_umem *umem);
/**
 * xsk_umem_memfd() - the memfd holding the UMEM's memory
 * @umem: the UMEM
 *
 * Return: the fd (owned by the UMEM, closed at destroy) of a UMEM made
 * with XSK_UMEM_MEMFD or taken over with xsk_socket_adopt(); -1 otherwise.
 */
XSK_API int xsk_umem_memfd(const struct xsk_umem *umem);
/**
 * xsk_umem_fill() - the registration's fill ring, to stock before the first
 * socket is created (as libxdp programs do)
 * @umem: the UMEM
 *
 * The UMEM's first socket, and every socket sharing its (device, queue),
 * use this ring: xsk_socket_fill() returns the same pointer for them.
 *
 * Return: the ring, or NULL while the UMEM has no registration (see
 * xsk_umem_fd()).
 */
XSK_API struct xsk_ring_prod *xsk_umem_fill(struct xsk_umem *umem);
/** xsk_umem_comp() - the registration's completion ring, or NULL (as
 * xsk_umem_fill()) */
XSK_API struct xsk_ring_cons *xsk_umem_comp(struct xsk_umem *umem);

/* ---------------------------------------------------------------- socket */

/* xsk_socket_opts.mode */
enum xsk_mode {
	XSK_MODE_AUTO = 0, /* zero-copy if the driver can, else copy */
	XSK_MODE_COPY = 1, /* XDP_COPY */
	XSK_MODE_ZEROCOPY = 2, /* XDP_ZEROCOPY: fail if the driver can't */
};

/*
 * xsk_socket_opts.flags:
 * XSK_SOCKET_NO_RX: TX only, no RX ring;
 * XSK_SOCKET_NO_TX: RX only, no TX ring;
 * XSK_SOCKET_NO_NEED_WAKEUP: don't ask for XDP_USE_NEED_WAKEUP;
 * XSK_SOCKET_DEFER_BIND: set up now, bind later with xsk_socket_bind();
 * XSK_SOCKET_MULTI_BUFFER: XDP_USE_SG (Linux 6.6): a packet larger than a
 *	chunk arrives, and may be sent, as a chain of descriptors linked by
 *	XDP_PKT_CONTD (see <xsk/multibuf.h>); the interface's XDP program must
 *	be multi-buffer capable (XSK_PROG_FRAGS). Not for sockets that share a
 *	UMEM, which take no bind flags.
 */
#define XSK_SOCKET_NO_RX (1u << 0)
#define XSK_SOCKET_NO_TX (1u << 1)
#define XSK_SOCKET_NO_NEED_WAKEUP (1u << 2)
#define XSK_SOCKET_DEFER_BIND (1u << 3)
#define XSK_SOCKET_MULTI_BUFFER (1u << 4)

/**
 * struct xsk_socket_opts - how to build a socket
 * @sz: sizeof(struct xsk_socket_opts)
 * @ifname: interface name; if NULL, @ifindex is used
 * @ifindex: interface index, used when @ifname is NULL
 * @queue_id: the device queue to bind to
 * @rx_size: RX ring entries, a power of two. Default 2048
 * @tx_size: TX ring entries, a power of two. Default 2048
 * @fill_size: fill ring entries when this socket needs its own fill and
 *	completion rings (a shared UMEM on another device or queue). Default:
 *	the UMEM's
 * @comp_size: likewise for the completion ring
 * @mode: enum xsk_mode
 * @flags: XSK_SOCKET_* flags
 * @bind_wait_ms: if bind finds the queue taken (EBUSY), keep trying for up
 *	to this many milliseconds. The kernel releases the queue of a closed
 *	socket asynchronously, a few milliseconds later, so re-creating a
 *	socket on a queue just closed needs this; 100 is plenty. Default 0:
 *	fail at once
 */
struct xsk_socket_opts {
	size_t sz;
	const char *ifname;
	uint32_t ifindex;
	uint32_t queue_id;
	uint32_t rx_size;
	uint32_t tx_size;
	uint32_t fill_size;
	uint32_t comp_size;
	uint32_t mode;
	uint32_t flags;
	uint32_t bind_wait_ms;
};

struct xsk_socket;

/**
 * xsk_socket_create() - create an AF_XDP socket on a UMEM and bind it
 * @xsk: where the new socket is stored on success; untouched on failure
 * @umem: the UMEM frames come from; must outlive the socket
 * @opts: options; @opts->ifname or @opts->ifindex is required
 *
 * Each socket's role is decided here, once:
 *  - the UMEM's first socket binds the UMEM's registration (xsk_umem_fd())
 *    and uses its fill and completion rings (xsk_umem_fill()). Should the
 *    first socket have been destroyed, with no other left, the UMEM is
 *    registered again for the new one;
 *  - a further socket shares the UMEM (XDP_SHARED_UMEM): on a (device,
 *    queue) that already has a socket of this UMEM it shares those fill and
 *    completion rings; on another one it gets rings of its own (Linux 5.10).
 *    Sharers take the first socket's mode and need_wakeup.
 * Sets the RX and TX ring sizes, discovers the ring offsets (v2, or v1 on
 * kernels before 5.4), maps each ring and binds, with need_wakeup on unless
 * XSK_SOCKET_NO_NEED_WAKEUP. Any failure undoes every step already taken,
 * with one exception the kernel forces: a ring can't be unsized, so when
 * the UMEM's first socket fails after its RX or TX ring was sized (say, at
 * bind, with -EBUSY), those sizes stay on the registration, and the next
 * attempt on this UMEM must ask for the same ones (or use a new UMEM). The
 * registration's fill ring keeps what was stocked in it.
 *
 * Receiving also needs an XDP program that redirects the queue's frames to
 * this socket.
 *
 * Return: 0, or
 *  -EINVAL: an option breaks a rule, or the kernel refused the bind (for
 *	example a queue id beyond the device's active channels; see xsk_errmsg());
 *  -ENODEV: no such interface;
 *  -EBUSY: the queue is taken by another AF_XDP socket, or one was closed a
 *	moment ago (teardown is asynchronous: see @opts->bind_wait_ms);
 *  -EOPNOTSUPP: XSK_MODE_ZEROCOPY on a driver without zero-copy support;
 *  -EBADF: sharing the UMEM, but none of its sockets (on this queue, for a
 *	socket that shares the queue's fill ring) is bound yet;
 *  -EPERM, -EACCES: no CAP_NET_RAW;
 *  -ENOMEM, and other negative errno values from socket(2), setsockopt(2),
 *  getsockopt(2), mmap(2) and bind(2).
 */
XSK_API int xsk_socket_create(struct xsk_socket **xsk, struct xsk_umem *umem,
			      const struct xsk_socket_opts *opts);

/**
 * xsk_socket_create_fd() - like xsk_socket_create(), on a socket made elsewhere
 * @xsk: where the new socket is stored on success; untouched on failure
 * @umem: the UMEM, which must already have its first socket
 * @fd: an unbound AF_XDP socket; owned by the new socket on success, left
 *	open for the caller on failure (with any ring sizes already set on it:
 *	close it rather than retry on it)
 * @opts: as for xsk_socket_create()
 *
 * Return: as for xsk_socket_create(), plus -EBADF if @fd is negative and
 * -EINVAL if @fd is the UMEM's own socket or the UMEM has no socket yet
 * (its first socket is the registration's: use xsk_socket_create()).
 */
XSK_API int xsk_socket_create_fd(struct xsk_socket **xsk, struct xsk_umem *umem,
				 int fd, const struct xsk_socket_opts *opts);

/**
 * xsk_socket_bind() - bind a socket created with XSK_SOCKET_DEFER_BIND
 * @xsk: the socket
 *
 * Return: 0, or -EBUSY if it is already bound, -EINVAL if @xsk is NULL, or
 * the bind errors of xsk_socket_create().
 */
XSK_API int xsk_socket_bind(struct xsk_socket *xsk);

/**
 * xsk_socket_destroy() - unmap a socket's rings, close it and free it
 * @xsk: the socket, or NULL (nothing happens)
 *
 * Sockets of a UMEM can be destroyed in any order. Closing the socket
 * unbinds it and takes it out of every XSKMAP, so nothing of it receives
 * afterwards: frames for its queue go where the XDP program sends them when
 * the slot is empty (the built-in program: the network stack). This holds
 * for the UMEM's first socket too, whose registration closes with it.
 *
 * Fill and completion rings that other sockets on the same (device, queue)
 * still use stay, for them, until the last of them is destroyed. The kernel
 * keeps a socket alive while its rings are mapped, so when this socket made
 * those rings they are mapped again, at the same addresses, from one of the
 * others (Linux 6.4); on older kernels this socket then stays bound, though
 * its fd is no longer the caller's, until the last of them goes: take it
 * out of your XSKMAP first (xsk_prog_remove_socket()).
 *
 * Return: 0.
 */
XSK_API int xsk_socket_destroy(struct xsk_socket *xsk);

/** xsk_socket_fd() - the socket's file descriptor, for poll() and XSKMAPs
 * (-1 for NULL) */
XSK_API int xsk_socket_fd(const struct xsk_socket *xsk);

/**
 * xsk_socket__fd() - libxdp's name for xsk_socket_fd()
 * @xsk: the socket
 *
 * For data-path code written against libxdp (poll(), sendto() and
 * recvfrom() wake-ups on the socket's fd), which then compiles unchanged.
 * It is static inline, not an exported symbol, so that it never clashes
 * with libxdp's own in a program linked with both libraries.
 *
 * Return: as xsk_socket_fd().
 */
static inline int xsk_socket__fd(const struct xsk_socket *xsk)
{
	return xsk_socket_fd(xsk);
}

/** xsk_socket_ifindex() - the interface the socket binds to */
XSK_API uint32_t xsk_socket_ifindex(const struct xsk_socket *xsk);
/** xsk_socket_queue_id() - the queue the socket binds to */
XSK_API uint32_t xsk_socket_queue_id(const struct xsk_socket *xsk);
/*
 * The rings. Each accessor below returns the ring struct held in the
 * handle, for use through that pointer (xsk_ring_cons__peek(rx, ...)).
 *
 * A program may instead copy a ring struct by value into a struct of its
 * own, once, after set-up (xsk_socket_create(); xsk_umem_create() for
 * xsk_umem_fill() and xsk_umem_comp()), and from then on use only the
 * copy:
 *
 *	info->rx = *xsk_socket_rx(xsk);
 *	xsk_ring_cons__peek(&info->rx, 64, &idx);
 *
 * That is how libxdp programs hold their rings (xsk_socket__create() fills
 * in the caller's structs), so their data path compiles and runs
 * unchanged. It is sound because a ring struct holds only pointers into
 * the ring's shared mapping (producer, consumer, flags and entries), the
 * ring's size, and this user-space side's cached copies of the two
 * indices, which nothing else reads: libxsk's own calls (xsk_socket_kick_tx(),
 * xsk_socket_wake_rx()) look only at the shared flags word, which the copy
 * points to as well. What must not happen is two structs in use for one
 * ring: each would count from its own cached indices, and a producer would
 * hand out the same slots twice, a consumer release the same entries
 * twice. Sockets that share a UMEM on one queue share its fill and
 * completion rings: copy those once, not once per socket. A copy points
 * where the original does and is valid as long as it: the RX and TX rings
 * until their socket is destroyed, the fill and completion rings until the
 * last socket using them is.
 */
/** xsk_socket_rx() - the RX ring; NULL for a TX-only socket */
XSK_API struct xsk_ring_cons *xsk_socket_rx(struct xsk_socket *xsk);
/** xsk_socket_tx() - the TX ring; NULL for an RX-only socket */
XSK_API struct xsk_ring_prod *xsk_socket_tx(struct xsk_socket *xsk);
/** xsk_socket_fill() - the fill ring this socket's queue takes frames from */
XSK_API struct xsk_ring_prod *xsk_socket_fill(struct xsk_socket *xsk);
/** xsk_socket_comp() - the completion ring this socket's sent frames return on */
XSK_API struct xsk_ring_cons *xsk_socket_comp(struct xsk_socket *xsk);

/* ------------------------------------------------- several processes */

/*
 * A privileged process can open AF_XDP sockets (CAP_NET_RAW) and attach
 * the program (CAP_NET_ADMIN, CAP_BPF) and hand the sockets to workers
 * that have no capability at all: registering a UMEM, mapping rings,
 * binding, sending and receiving need none. A worker sets its socket up
 * with xsk_umem_create_fd() and xsk_socket_create(); the privileged side,
 * which keeps its own copy of the fd, then puts it in the XSKMAP with
 * xsk_prog_set_queue() (or hands the worker the map's fd to write).
 *
 * Locked memory: a UMEM's pages are charged to the registering process's
 * RLIMIT_MEMLOCK (unless it has CAP_IPC_LOCK), on every kernel version.
 * Raising the limit above its hard limit needs CAP_SYS_RESOURCE: raise it
 * (setrlimit(RLIMIT_MEMLOCK)) before dropping the capabilities.
 *
 * A worker can also hand its bound socket, with the UMEM's memory, to a
 * successor (xsk_socket_handover(), xsk_socket_adopt()): the socket stays
 * bound and in its XSKMAP slot the whole time, so the queue's frames wait
 * in its rings instead of going elsewhere.
 */

/* At most this many fds, and this many bytes of data, in one message. */
#define XSK_FDS_MAX 8u
#define XSK_FDS_DATA_MAX 4096u

/**
 * xsk_fds_send() - send file descriptors, and a few bytes, over a Unix socket
 * @sock: a connected AF_UNIX socket (stream, datagram or seqpacket)
 * @fds: the fds to send; they stay open in this process
 * @nfds: how many: 1 to XSK_FDS_MAX
 * @data: bytes to send with them (for example which queue the socket is
 *	for), or NULL
 * @len: length of @data: 0 to XSK_FDS_DATA_MAX
 *
 * One message, which xsk_fds_recv() takes whole: a small header that
 * marks it as libxsk's and says how many fds and bytes it carries, then
 * @data, with the fds as SCM_RIGHTS. A message never raises SIGPIPE.
 *
 * Return: 0, or
 *  -EINVAL: @fds NULL, @nfds or @len out of range, or @data NULL with @len;
 *  -EBADF: @sock or one of @fds is not an open fd;
 *  -ENOTSOCK, -EAFNOSUPPORT: @sock is not a socket, or not AF_UNIX;
 *  -EPIPE, -ECONNRESET, -ENOTCONN: nobody is at the other end;
 *  -ETOOMANYREFS: too many fds are in flight to a receiver that does not
 *	take them (the kernel's limit, RLIMIT_NOFILE);
 *  -EAGAIN: @sock is non-blocking and full;
 *  other negative errno values from sendmsg(2).
 */
XSK_API int xsk_fds_send(int sock, const int *fds, unsigned int nfds,
			 const void *data, size_t len);

/**
 * xsk_fds_recv() - receive what xsk_fds_send() sent
 * @sock: the other end of the Unix socket
 * @fds: where the fds are stored, close-on-exec, now this process's;
 *	untouched on failure
 * @nfds: how many are expected: exactly this many (1 to XSK_FDS_MAX)
 * @data: where the message's bytes go, or NULL when none are expected
 * @len: in, the size of @data; out, the bytes received. NULL with @data
 *	NULL
 *
 * Waits for the message unless @sock is non-blocking. On a stream socket
 * a message that arrives in pieces is read to its end. On any failure
 * every fd that arrived with the message is closed: nothing leaks.
 *
 * Return: 0, or
 *  -EINVAL: @fds NULL, @nfds out of range, or @data and @len disagree;
 *  -ECONNRESET: the other end closed before sending anything;
 *  -EPROTO: the message was cut short (the sender went away in the middle);
 *  -EBADMSG: not a message of xsk_fds_send() (another protocol on the
 *	socket), or another number of fds than @nfds, or fds missing
 *	from it;
 *  -EMSGSIZE: more data than @len holds, or the kernel cut the fds short
 *	(MSG_CTRUNC): more than XSK_FDS_MAX were sent, or this process is
 *	at its limit of open files (RLIMIT_NOFILE);
 *  -EAGAIN: @sock is non-blocking and nothing has arrived;
 *  -EBADF, -ENOTSOCK and other negative errno values from recvmsg(2).
 */
XSK_API int xsk_fds_recv(int sock, int *fds, unsigned int nfds, void *data,
			 size_t *len);

/**
 * xsk_socket_handover() - hand a bound socket and its UMEM to a successor
 * @xsk: a bound socket, the only one on a UMEM made with XSK_UMEM_MEMFD
 * @sock: a Unix socket to the successor, which calls xsk_socket_adopt()
 *
 * Sends the socket's fd, the UMEM's memfd and a description (the UMEM's
 * geometry, the ring sizes, the interface, queue and bind flags) with
 * xsk_fds_send(). The socket stays bound, in its XSKMAP slots, with its
 * rings: frames keep arriving in them, and the successor takes them from
 * where this process left off. Stop using the rings before the call
 * (release what was peeked, submit what was reserved), never touch them
 * after, then destroy the socket and the UMEM: that closes only this
 * process's references. Which frames this process held outside the rings
 * (a free list) the successor does not learn: hand them over yourself, or
 * keep every frame in the rings (receive and refill at once).
 *
 * The successor maps the rings of a bound socket, which Linux 6.4 and
 * later allow; that is checked here, before anything is sent.
 *
 * Return: 0, or
 *  -EINVAL: @xsk NULL or not bound, not the UMEM's only socket, or a
 *	UMEM without XSK_UMEM_MEMFD;
 *  -EOPNOTSUPP: the kernel is older than 6.4 (xsk_errmsg() says so);
 *  the errors of xsk_fds_send().
 */
XSK_API int xsk_socket_handover(struct xsk_socket *xsk, int sock);

/**
 * xsk_socket_adopt() - take over a socket and UMEM from xsk_socket_handover()
 * @xsk: where the socket is stored on success; untouched on failure
 * @umem: where its UMEM is stored on success; untouched on failure
 * @sock: the Unix socket the predecessor hands over on
 *
 * Receives the socket and the memfd, maps the UMEM and the socket's four
 * rings (without unbinding or binding anything) and builds the handles, as
 * xsk_umem_create() and xsk_socket_create() would have: the ring structs'
 * indices are where the predecessor left them. Destroy them as usual; the
 * socket is unbound when the last process holding it closes it. Needs no
 * capability. On failure the received fds are closed.
 *
 * Return: 0, or
 *  -EINVAL: @xsk, @umem NULL;
 *  -EBADMSG, -EPROTO: what arrived is not a hand-over of this libxsk
 *	version, or describes a UMEM larger than its memfd;
 *  -EOPNOTSUPP: the kernel refused to map the bound socket's rings (Linux
 *	before 6.4);
 *  -ENOMEM, the errors of xsk_fds_recv() and of mmap(2).
 */
XSK_API int xsk_socket_adopt(struct xsk_socket **xsk, struct xsk_umem **umem,
			     int sock);

/* ------------------------------------------------------------- wake-ups */

/**
 * xsk_socket_kick_tx() - tell the kernel there is something to send
 * @xsk: the socket
 *
 * Makes a sendto(MSG_DONTWAIT) only when it is needed: always without
 * need_wakeup or in busy-poll mode, otherwise only when the kernel set the
 * TX ring's need_wakeup flag. Cheap enough to call after every submit.
 *
 * Return: 0 (sent the wake-up, or none was needed), or
 *  -EINVAL: @xsk is NULL;
 *  -EAGAIN, -EBUSY: the kernel could not take the frames now (in copy mode,
 *	its budget per call ran out): reap the completion ring and kick again;
 *  -ENOBUFS: the socket has no TX ring;
 *  -ENETDOWN: the interface is down;
 *  -ENXIO: the socket is not bound.
 */
XSK_API int xsk_socket_kick_tx(struct xsk_socket *xsk);

/**
 * xsk_socket_wake_rx() - let the kernel refill the RX ring, without blocking
 * @xsk: the socket
 *
 * With need_wakeup, the driver may stop taking frames from the fill ring
 * until woken; this makes a recvfrom(MSG_DONTWAIT) only when the fill ring's
 * flag asks for it (always without need_wakeup, and in busy-poll mode, where
 * the call itself runs the driver).
 *
 * Return: 0, or -EINVAL (@xsk is NULL), -ENOBUFS (the socket has no RX
 * ring), -ENETDOWN (the interface is down), -ENXIO (not bound, checked
 * before anything else), or another negative errno value from recvfrom(2)
 * other than EAGAIN.
 */
XSK_API int xsk_socket_wake_rx(struct xsk_socket *xsk);

/**
 * xsk_socket_poll() - wait for the socket to become readable or writable
 * @xsk: the socket
 * @events: POLLIN, POLLOUT or both
 * @timeout_ms: as for poll(2): -1 waits for ever, 0 returns at once
 *
 * poll() on an AF_XDP socket also wakes the driver when need_wakeup asks.
 * Before Linux 5.19 that has a flaw: with need_wakeup in copy mode, a
 * poll() while frames wait on the TX ring and the completion ring is full
 * does not time out (it spins in the kernel until a signal comes), so reap
 * the completion ring before waiting.
 *
 * Return: the revents bits (0 on time-out), or -EINVAL (@xsk is NULL),
 * -EINTR, or another negative errno value from poll(2).
 */
XSK_API int xsk_socket_poll(struct xsk_socket *xsk, short events,
			    int timeout_ms);

/* ------------------------------------------------ statistics and options */

/* xsk_stats.flags */
#define XSK_STATS_V2 (1u << 0) /* the kernel filled the Linux 5.9 counters */

/**
 * struct xsk_stats - the kernel's counters for one socket (XDP_STATISTICS)
 * @sz: sizeof(struct xsk_stats), set by the caller
 * @flags: XSK_STATS_V2 when the last three counters are filled in; kernels
 *	before 5.9 report only the first three (the others read 0)
 * @rx_dropped: frames dropped for other reasons (e.g. larger than a frame)
 * @rx_invalid_descs: invalid descriptors in the fill ring
 * @tx_invalid_descs: invalid descriptors in the TX ring, skipped
 * @rx_ring_full: frames dropped because the RX ring was full
 * @rx_fill_ring_empty_descs: times the fill ring was found empty; in copy
 *	mode each such frame is also counted in @rx_dropped, so don't add the
 *	two
 * @tx_ring_empty_descs: times the TX ring was found empty on a kick
 */
struct xsk_stats {
	size_t sz;
	uint32_t flags;
	uint64_t rx_dropped;
	uint64_t rx_invalid_descs;
	uint64_t tx_invalid_descs;
	uint64_t rx_ring_full;
	uint64_t rx_fill_ring_empty_descs;
	uint64_t tx_ring_empty_descs;
};

/**
 * xsk_socket_stats() - read the socket's counters in one call
 * @xsk: the socket
 * @stats: filled in, up to @stats->sz bytes
 *
 * Return: 0, or -EINVAL if @xsk or @stats is NULL or @stats->sz too small,
 * -EPROTO
 * if the kernel answers with a layout libxsk doesn't know, or another
 * negative errno value from getsockopt(2).
 */
XSK_API int xsk_socket_stats(struct xsk_socket *xsk, struct xsk_stats *stats);

/**
 * xsk_socket_zerocopy() - does the bound socket run in zero-copy mode?
 * @xsk: the socket
 *
 * Return: 1 (zero-copy), 0 (copy), -EINVAL if @xsk is NULL, -ENXIO if not
 * bound yet, -EOPNOTSUPP on kernels before 5.3, which can't tell
 * (XDP_OPTIONS).
 */
XSK_API int xsk_socket_zerocopy(struct xsk_socket *xsk);

#define XSK_DEFAULT_BUSY_POLL_BUDGET 64

/**
 * xsk_socket_busy_poll() - turn preferred busy polling on or off
 * @xsk: the socket
 * @usecs: busy-poll time per call (SO_BUSY_POLL); 0 turns it off
 * @budget: packets per busy-poll run (SO_BUSY_POLL_BUDGET); 0 for 64
 *
 * Sets SO_PREFER_BUSY_POLL, SO_BUSY_POLL and SO_BUSY_POLL_BUDGET together:
 * if one fails, those already set are put back. In busy-poll mode the
 * wake-up helpers always make their syscall, which is what runs the driver;
 * pair it with the interface's napi_defer_hard_irqs and gro_flush_timeout.
 *
 * Return: 0, or -EINVAL (@xsk is NULL, values out of range), -EOPNOTSUPP
 * (kernel before 5.11), -EPERM (turning preferred busy polling on always
 * needs CAP_NET_ADMIN, as does raising SO_BUSY_POLL or SO_BUSY_POLL_BUDGET
 * above the socket's current value; turning it off needs nothing), or
 * another negative errno value from setsockopt(2).
 */
XSK_API int xsk_socket_busy_poll(struct xsk_socket *xsk, uint32_t usecs,
				 uint32_t budget);

/**
 * xsk_socket_set_tx_budget() - frames the kernel may send per kick
 * @xsk: the socket
 * @budget: from 32 (the kernel's default) to the TX ring size
 *
 * In copy mode the kernel sends at most this many frames per sendto()
 * (XDP_MAX_TX_SKB_BUDGET); a larger budget means fewer kicks. Kernels
 * without the option send a fixed 32 (16 before Linux 5.14).
 *
 * Return: 0, or -EINVAL (@xsk is NULL, no TX ring, or @budget out of
 * range), -EOPNOTSUPP
 * (kernel before 6.17), or another negative errno value from setsockopt(2).
 */
XSK_API int xsk_socket_set_tx_budget(struct xsk_socket *xsk, uint32_t budget);

/* ------------------------------------------------------ capability probe */

/*
 * Features of the running kernel's AF_XDP, each with the Linux version that
 * brought it. xsk_probe() tries each one; those marked "inferred" have no
 * probe without side effects and are taken from another feature of the same
 * Linux release or a later one (statistics v2 for BPF links, the bpf()
 * command BPF_PROG_BIND_MAP for shared UMEM across queues, busy polling for
 * both), never from an earlier one.
 */
#define XSK_FEATURE_NEED_WAKEUP (1ull << 0) /* 5.4 */
#define XSK_FEATURE_UNALIGNED (1ull << 1) /* 5.4 */
#define XSK_FEATURE_STATS_V2 (1ull << 2) /* 5.9 */
#define XSK_FEATURE_OPTIONS (1ull << 3) /* 5.3: xsk_socket_zerocopy() */
#define XSK_FEATURE_SHARED_UMEM_QUEUES (1ull << 4) /* 5.10, inferred */
#define XSK_FEATURE_BUSY_POLL (1ull << 5) /* 5.11 */
#define XSK_FEATURE_MULTI_BUFFER (1ull << 6) /* 6.6: XSK_SOCKET_MULTI_BUFFER */
#define XSK_FEATURE_TX_METADATA (1ull << 7) /* 6.8: tx_metadata_len */
#define XSK_FEATURE_TX_METADATA_FLAG (1ull << 8) /* 6.11 */
#define XSK_FEATURE_TX_SKB_BUDGET (1ull << 9) /* 6.17 */
#define XSK_FEATURE_BPF_LINK (1ull << 10) /* 5.9, inferred */
#define XSK_FEATURE_REDIRECT_FALLBACK (1ull << 11) /* 5.3, inferred */
/* Not a newer feature but an older rule: UMEM headroom up to the frame size
 * less 257, which Linux 6.18 lowered to the frame size less 704. */
#define XSK_FEATURE_LARGE_HEADROOM (1ull << 12) /* before 6.18 */
/* The RX hints' kfuncs (xsk_prog_opts.hints), found in the kernel's BTF
 * with the signature libxsk calls: whether a device's driver implements
 * them, and whether the BPF JIT is on, xsk_prog_attach() checks. */
#define XSK_FEATURE_RX_TIMESTAMP (1ull << 13) /* 6.3: XSK_HINT_TIMESTAMP */
#define XSK_FEATURE_RX_HASH (1ull << 14) /* 6.3: XSK_HINT_HASH */
#define XSK_FEATURE_RX_VLAN (1ull << 15) /* 6.8: XSK_HINT_VLAN */
#define XSK_FEATURE_ALL ((1ull << 16) - 1)

/**
 * xsk_probe() - which AF_XDP features the running kernel has
 * @features: where the XSK_FEATURE_* bits of the features found are stored
 *
 * Tries each feature on throwaway AF_XDP sockets: nothing is bound or
 * attached, and at most one page of UMEM is registered at a time; reads the
 * kernel's BTF (/sys/kernel/btf/vmlinux) for the RX hints. The answer is
 * kept, so later calls cost nothing. Thread-safe.
 *
 * Return: 0, or the errors of opening an AF_XDP socket (-EPERM without
 * CAP_NET_RAW, -EAFNOSUPPORT without AF_XDP), -ENOBUFS if not even a page
 * of locked memory is left (xsk_errmsg() says what to raise), -EINVAL if
 * @features is NULL.
 */
XSK_API int xsk_probe(uint64_t *features);

/**
 * xsk_feature_name() - a feature's name, with the Linux version that has it
 * @feature: one XSK_FEATURE_* bit
 *
 * Return: a constant string, or NULL if @feature is not exactly one known bit.
 */
XSK_API const char *xsk_feature_name(uint64_t feature);

/* ------------------------------------------------------ frame allocator */

/*
 * The allocator's struct and its inline fast paths (alloc, free, fill,
 * complete) are in <xsk/frames.h>; these two allocate and free its memory.
 */

/**
 * xsk_frames_init() - set up a frame allocator with every frame free
 * @f: the allocator to set up; untouched on failure
 * @base: the UMEM address of the first frame (0 for a whole UMEM; another
 *	value to give a part of the UMEM to this allocator)
 * @frame_size: bytes per frame: the UMEM's chunk size, a power of two
 *	unless XSK_FRAMES_UNALIGNED
 * @nframes: how many frames, from @base on
 * @flags: XSK_FRAMES_UNALIGNED (the UMEM is in unaligned chunk mode),
 *	XSK_FRAMES_DEBUG (check every free for double frees and foreign
 *	addresses), both from <xsk/frames.h>
 *
 * xsk_frames_alloc() hands frames out lowest address first.
 *
 * Return: 0, or
 *  -EINVAL: @f is NULL, unknown flags, zero @nframes or @frame_size, a
 *	@frame_size that is not a power of two or a @base that is not a
 *	multiple of it in aligned mode, or frames that do not fit in the
 *	address space (48 bits in unaligned mode); xsk_errmsg() says which;
 *  -ENOMEM: out of memory.
 */
XSK_API int xsk_frames_init(struct xsk_frames *f, uint64_t base,
			    uint32_t frame_size, uint32_t nframes,
			    uint32_t flags);

/**
 * xsk_frames_destroy() - free an allocator's memory
 * @f: an allocator set up by xsk_frames_init(), or NULL (nothing happens)
 *
 * Frames still in use are simply forgotten. @f is zeroed.
 */
XSK_API void xsk_frames_destroy(struct xsk_frames *f);

/* -------------------------------------------------- XDP program and XSKMAP */

/*
 * An AF_XDP socket receives nothing until an XDP program on its interface
 * redirects frames into an XSKMAP slot that holds the socket. An xsk_prog
 * is that arrangement for one interface: an XSKMAP with one slot per queue,
 * a small program built in C and loaded with bpf(2) (no libbpf, no ELF)
 * that redirects each frame to the slot of the queue it arrived on and
 * passes it to the network stack when the slot is empty, and the program's
 * attachment. Sockets on several queues share one xsk_prog.
 *
 * The program is attached through a BPF link (kernel 5.9) where the kernel
 * has them, so that it goes away when the process exits, even by a crash
 * (or, if children were forked since, when the last of them does);
 * otherwise, or with XSK_PROG_NETLINK, with rtnetlink, and then it stays on
 * the interface until xsk_prog_destroy() removes it (or `ip link set dev
 * IFNAME xdp off`). The built-in program needs kernel 5.3 (the fallback
 * action in bpf_redirect_map's flags).
 *
 * After fork(), the child's copy of a handle shares the map (the child may
 * put sockets into it), but only the process that called xsk_prog_attach()
 * detaches the program: see xsk_prog_destroy().
 *
 * Several processes: an interface carries one XDP program, so processes
 * that each serve some of its queues share one. Each calls
 * xsk_prog_attach() with XSK_PROG_SHARED: the first attaches a program
 * that the others join (libxsk names it "xsk_shared", so that a joining
 * process can tell it from a private one and from other programs), and
 * each puts its own queues' sockets into the one XSKMAP. Nobody detaches
 * it: every process holds a reference to its BPF link, and the kernel
 * removes the program when the last one is gone, whether that process
 * called xsk_prog_destroy(), exited or was killed. So no process's end
 * takes it away from another that still runs. Where the kernel has no XDP
 * links (before 5.9; or with XSK_PROG_NETLINK) the program is attached
 * with rtnetlink, which nothing counts: then it stays attached after the
 * last process, until `ip link set dev IFNAME xdp off` removes it.
 * Joining takes the program, its map and its link by id, which needs
 * CAP_SYS_ADMIN; a process without it opens a pinned map instead
 * (xsk_prog_opts.pin_map in the first process, .map_path in the others).
 * Processes may start at the same instant: of those that find no program,
 * one attaches it and the others join it. One that starts as the last
 * holder ends finds the program on its way out (the kernel releases the
 * link a moment after its last reference goes): it waits for it to go,
 * up to about a second, and attaches a new one. A program found without a
 * link is looked at again 20 ms later before it is joined as one attached
 * with rtnetlink.
 */

/* xsk_prog_opts.mode: where the program runs */
enum xsk_attach_mode {
	XSK_ATTACH_AUTO = 0, /* the kernel picks: native if the driver can */
	XSK_ATTACH_NATIVE = 1, /* in the driver (XDP_FLAGS_DRV_MODE) */
	XSK_ATTACH_GENERIC = 2, /* on the skb: any device (SKB_MODE) */
};

/* xsk_prog_opts.flags */
#define XSK_PROG_FRAGS (1u << 0) /* multi-buffer program (kernel 5.18) */
#define XSK_PROG_PASS_ONLY (1u << 1) /* pass everything, no map: TX only */
#define XSK_PROG_NETLINK (1u << 2) /* attach with rtnetlink, not a link */
#define XSK_PROG_OWN_PROG (1u << 3) /* attach the caller's @prog_fd */
#define XSK_PROG_OWN_MAP (1u << 4) /* use the caller's XSKMAP @map_fd */
#define XSK_PROG_MAP_ONLY (1u << 5) /* a map, but no program: attach none */
#define XSK_PROG_SHARED (1u << 6) /* join the interface's, or attach one */

/* The map size when the driver does not report its queue count. */
#define XSK_PROG_FALLBACK_QUEUES 64u

/**
 * struct xsk_prog_opts - which program, which map, how to attach
 * @sz: sizeof(struct xsk_prog_opts)
 * @flags: XSK_PROG_* flags:
 *	XSK_PROG_FRAGS: load the built-in program flagged for multi-buffer
 *	(BPF_F_XDP_HAS_FRAGS), for sockets bound with multi-buffer support;
 *	XSK_PROG_PASS_ONLY: load a program that passes every frame, and no map,
 *	for TX-only users whose driver transmits only with some XDP program;
 *	XSK_PROG_NETLINK: attach with rtnetlink even where BPF links exist;
 *	XSK_PROG_OWN_PROG: attach @prog_fd instead of the built-in program;
 *	without XSK_PROG_OWN_MAP there is then no map to put sockets in;
 *	XSK_PROG_OWN_MAP: put sockets into @map_fd, an XSKMAP, instead of a
 *	new map; the built-in program (unless XSK_PROG_OWN_PROG) redirects
 *	into it;
 *	XSK_PROG_MAP_ONLY: create (or, with XSK_PROG_OWN_MAP or @map_path,
 *	take) the map and load and attach nothing: the caller's own program
 *	uses the map;
 *	XSK_PROG_SHARED: share the program with other processes (see
 *	"Several processes" above): join the shared libxsk program attached
 *	to the interface, or, if there is none, attach one that others can
 *	join. Goes with none of XSK_PROG_OWN_PROG, XSK_PROG_OWN_MAP,
 *	XSK_PROG_MAP_ONLY, @map_path, @hints
 * @mode: enum xsk_attach_mode
 * @nqueues: slots in a new map. Default: the device's queue count
 *	(ETHTOOL_GCHANNELS), or XSK_PROG_FALLBACK_QUEUES if the driver does
 *	not say
 * @prog_fd: the caller's XDP program, with XSK_PROG_OWN_PROG. libxsk takes
 *	its own reference (a duplicate fd): the caller may close theirs
 * @map_fd: the caller's XSKMAP, with XSK_PROG_OWN_MAP; duplicated likewise
 * @log_buf: where the kernel's verifier log goes if it refuses the built-in
 *	program (NUL-terminated, cut to @log_size), or NULL. The last line of
 *	the log is in xsk_errmsg() either way
 * @log_size: size of @log_buf in bytes; at least 128 (older kernels refuse
 *	smaller logs), else @log_buf is left alone
 * @hints: XSK_HINT_* bits (<xsk/hints.h>): the RX hints the built-in program
 *	asks the driver for and writes in front of each frame, for
 *	xsk_rx_hints() to read; 0 for none. Needs Linux 6.3 (XSK_HINT_VLAN:
 *	6.8) with BTF (CONFIG_DEBUG_INFO_BTF) and the BPF JIT, native mode
 *	(XSK_ATTACH_AUTO means native then), and a driver that implements the
 *	hints' kfuncs; with XSK_PROG_FRAGS, Linux 6.7. The program is bound to
 *	the device (BPF_F_XDP_DEV_BOUND_ONLY). A hint the driver has no value
 *	for on a frame is marked invalid in that frame's record; the frame is
 *	delivered all the same
 * @pin_map: a path on a BPF filesystem (bpffs) where the XSKMAP is pinned
 *	once made, for other processes to open with @map_path; the pin stays
 *	until removed (rm PATH), and libxsk never removes it. Only the process
 *	that makes the map pins it: with XSK_PROG_SHARED, a joining process
 *	leaves pins alone. NULL: no pin
 * @pin_link: likewise for the BPF link that attaches the program: the
 *	program then stays attached after every process has gone, until the
 *	pin is removed. Needs a BPF link (Linux 5.9; not with
 *	XSK_PROG_NETLINK or XSK_PROG_MAP_ONLY)
 * @pin_mode: permission bits of the pins (a pin is opened for reading and
 *	writing: 0660 lets the group put sockets into the map, that is steer
 *	the interface's traffic). 0: the kernel's 0600 (less the umask), the
 *	owner only
 * @pin_gid: the group the pins are given to; 0: the creating process's
 *	group (a process may give a file only to a group it is in)
 * @map_path: the XSKMAP pinned at this path (by @pin_map, or by another
 *	program, a device plugin say) instead of a new map, as
 *	XSK_PROG_OWN_MAP does with @map_fd; it opens only if the pin's
 *	permissions let this process read and write it. With
 *	XSK_PROG_MAP_ONLY, what an unprivileged worker needs to put its socket
 *	into the map (no capability: the pin's permissions decide)
 * @token_path: the mount point of a bpffs delegated to this process's user
 *	namespace (delegate_cmds, delegate_maps, delegate_progs): the map is
 *	created and the program loaded with a BPF token from it, so that a
 *	process without CAP_BPF in the initial user namespace (a container)
 *	can load them. Linux 6.9; attaching still needs CAP_NET_ADMIN over the
 *	interface's network namespace. NULL: no token
 */
struct xsk_prog_opts {
	size_t sz;
	uint32_t flags;
	uint32_t mode;
	uint32_t nqueues;
	int prog_fd;
	int map_fd;
	char *log_buf;
	size_t log_size;
	uint32_t hints;
	const char *pin_map;
	const char *pin_link;
	uint32_t pin_mode;
	uint32_t pin_gid;
	const char *map_path;
	const char *token_path;
};

struct xsk_prog;

/**
 * xsk_prog_attach() - create an XSKMAP, load the redirect program, attach it
 * @prog: where the new handle is stored on success; untouched on failure
 * @ifname: interface name; if NULL, @ifindex is used
 * @ifindex: interface index, used when @ifname is NULL
 * @opts: options, or NULL: the built-in redirect program and a new map with
 *	one slot per queue, attached through a BPF link in the mode the kernel
 *	picks
 *
 * A BPF_LINK_CREATE that the kernel does not know (before 5.9) falls back to
 * rtnetlink. An interface carries one XDP program: if it already has one
 * (attached by anybody, in any mode) this fails with -EBUSY and changes
 * nothing, unless XSK_PROG_SHARED joins it. Any failure leaves no map,
 * program, link, pin or attachment behind.
 *
 * Return: 0, or
 *  -EINVAL: an option breaks a rule (xsk_errmsg() names it; @opts->hints
 *	with XSK_ATTACH_GENERIC is one), @map_fd is not an XSKMAP or @prog_fd
 *	not an XDP program, or the kernel refused the program or the
 *	attachment (see xsk_errmsg() and @opts->log_buf);
 *  -EBADMSG: @opts->hints, and the kernel's BTF is malformed;
 *  -EACCES: the verifier refused the built-in program (its last line is in
 *	xsk_errmsg(), the whole log in @opts->log_buf);
 *  -ENODEV: no such interface;
 *  -EPERM: a capability is missing: CAP_BPF (or CAP_SYS_ADMIN) and
 *	CAP_NET_ADMIN to create the map and load the program, CAP_NET_ADMIN to
 *	attach, CAP_SYS_ADMIN to join a shared program; or the BPF token of
 *	@opts->token_path does not allow it; xsk_errmsg() says which;
 *  -EBUSY, -EEXIST: the interface already has an XDP program; xsk_errmsg()
 *	says which (id, name, mode) and how to remove it, or, if it is
 *	libxsk's shared one, to join it (XSK_ADVICE_JOIN); with
 *	XSK_PROG_SHARED: the program there is not a shared libxsk program
 *	(another program, or libxsk's attached without XSK_PROG_SHARED), runs
 *	in another mode than @opts->mode asks, or is a pass-only program and
 *	this process receives;
 *  -EAGAIN: with XSK_PROG_SHARED, the program was on its way out, or
 *	went away, every time this process tried to join it (10 times, in
 *	about a second);
 *  -EACCES: @opts->map_path, and the pin's permissions don't let this
 *	process read and write it;
 *  -ENOENT: @opts->map_path names no pin, or a directory of a pin path
 *	does not exist (XSK_ADVICE_BPFFS);
 *  -EEXIST: @opts->pin_map or @opts->pin_link exists already (an earlier
 *	run's pin: remove it);
 *  -EOPNOTSUPP: XSK_ATTACH_NATIVE on a driver without native XDP, or
 *	multi-buffer where the driver has none; or RX hints (@opts->hints)
 *	this system can't give: a kernel before 6.3 (XSK_HINT_VLAN: 6.8), no
 *	kernel BTF, no BPF JIT, a driver without a hint's kfunc (as the kernel
 *	reports it from 6.8 on) or without native XDP; xsk_errmsg() says which;
 *  -ERANGE: the MTU is too large for XDP on this device;
 *  -EINVAL also: a pin path (or @opts->map_path) not on a BPF filesystem
 *	(XSK_ADVICE_BPFFS), @opts->map_path not an XSKMAP, @opts->pin_mode
 *	beyond 0777, or option combinations the flags above rule out;
 *  -EOPNOTSUPP also: @opts->token_path on a kernel before 6.9 (xsk_errmsg()
 *	names this one's version) or on a bpffs not delegated to this user
 *	namespace; @opts->pin_link where the kernel has no XDP links;
 *  other negative errno values from bpf(2), socket(2), rtnetlink and the
 *	pins' chmod(2) and lchown(2).
 */
XSK_API int xsk_prog_attach(struct xsk_prog **prog, const char *ifname,
			    uint32_t ifindex, const struct xsk_prog_opts *opts);

/**
 * xsk_prog_destroy() - detach the program, close the map, free the handle
 * @prog: the handle, or NULL (nothing happens)
 *
 * In the process that called xsk_prog_attach(), the program is detached at
 * once. A link is detached explicitly (BPF_LINK_DETACH), as closing it
 * detaches only when no forked child holds a copy. A program attached with
 * rtnetlink is removed only if it is still the one this handle attached
 * (XDP_FLAGS_REPLACE with IFLA_XDP_EXPECTED_FD, or a check of the program
 * id on kernels before 5.7): a program somebody else put there since is left
 * alone.
 *
 * A handle made with XSK_PROG_SHARED detaches nothing: it lets go of its
 * reference to the link, and the program leaves with the last one (see
 * "Several processes" above). Pins stay in any case.
 *
 * In a process that inherited the handle through fork(), only that
 * process's copies of the fds are closed: the program stays attached until
 * the attaching process destroys its handle or, for a link, until every
 * copy of the link is closed (every process holding one has exited).
 *
 * The handle is freed in every case.
 *
 * Return: 0, or the negative errno value of a failed netlink detach (the
 * program may still be attached; xsk_errmsg() says what to do).
 */
XSK_API int xsk_prog_destroy(struct xsk_prog *prog);

/**
 * xsk_prog_add_socket() - put a socket into its queue's slot
 * @prog: the handle
 * @xsk: a bound socket with an RX ring, on @prog's interface
 *
 * Frames arriving on the socket's queue go to it from now on. A socket
 * already in the slot is replaced.
 *
 * Return: 0, or
 *  -ENOENT: @prog has no map (XSK_PROG_PASS_ONLY, or XSK_PROG_OWN_PROG
 *	without XSK_PROG_OWN_MAP);
 *  -EINVAL: the socket is not bound, has no RX ring, or is bound to another
 *	interface; or @prog collects RX hints and the socket's UMEM headroom
 *	is not a multiple of 8 (the records would be misaligned);
 *  -E2BIG: the socket's queue is beyond the map's slots (set @nqueues);
 *  other negative errno values from BPF_MAP_UPDATE_ELEM.
 */
XSK_API int xsk_prog_add_socket(struct xsk_prog *prog, struct xsk_socket *xsk);

/**
 * xsk_prog_remove_socket() - empty the slot of a socket's queue
 * @prog: the handle
 * @xsk: the socket
 *
 * Frames on that queue go to the network stack again. The slot is emptied
 * whichever socket it holds. Closing a socket also takes it out of every
 * map.
 *
 * Return: 0, also when the slot was empty already (the kernel does not say
 * whether it held a socket, on any version), or -ENOENT if @prog has no map,
 * -E2BIG if the queue is beyond the map, or another negative errno value.
 */
XSK_API int xsk_prog_remove_socket(struct xsk_prog *prog,
				   struct xsk_socket *xsk);

/**
 * xsk_prog_set_queue() - put any AF_XDP socket fd into a queue's slot
 * @prog: the handle
 * @queue_id: the slot
 * @fd: a bound AF_XDP socket with an RX ring, for example one made by
 *	another library or process
 *
 * The kernel takes any AF_XDP socket into the map, although nothing can
 * arrive on one that is not bound or has no RX ring: the socket is asked
 * first (a blocking sendmsg() and recvmsg(), which an AF_XDP socket answers
 * at once, without moving a frame).
 *
 * Return: 0, or
 *  -ENOENT: @prog has no map (as for xsk_prog_add_socket());
 *  -E2BIG: @queue_id is beyond the map's slots;
 *  -EOPNOTSUPP: @fd is not an AF_XDP socket, or is one that is not bound or
 *	has no RX ring (except on Linux 5.10, which takes a bound socket
 *	without an RX ring and has no way to tell);
 *  -EBADF: @fd is not an open fd;
 *  -ENOTSOCK: @fd is not a socket;
 *  other negative errno values from getsockopt(2) and BPF_MAP_UPDATE_ELEM.
 */
XSK_API int xsk_prog_set_queue(struct xsk_prog *prog, uint32_t queue_id,
			       int fd);

/**
 * xsk_prog_clear_queue() - empty a queue's slot
 * @prog: the handle
 * @queue_id: the slot
 *
 * Return: as for xsk_prog_remove_socket().
 */
XSK_API int xsk_prog_clear_queue(struct xsk_prog *prog, uint32_t queue_id);

/**
 * xsk_prog_fd() - the attached program's fd
 * @prog: the handle
 *
 * Return: the fd, or -1 (XSK_PROG_MAP_ONLY, or @prog NULL).
 */
XSK_API int xsk_prog_fd(const struct xsk_prog *prog);
/** xsk_prog_map_fd() - the XSKMAP's fd, or -1 (no map, or @prog NULL) */
XSK_API int xsk_prog_map_fd(const struct xsk_prog *prog);
/** xsk_prog_nqueues() - slots in the map (0: no map, or @prog NULL) */
XSK_API uint32_t xsk_prog_nqueues(const struct xsk_prog *prog);
/**
 * xsk_prog_mode() - the mode the program runs in: XSK_ATTACH_NATIVE or
 * XSK_ATTACH_GENERIC as the kernel reports it, or XSK_ATTACH_AUTO when
 * nothing is attached (XSK_PROG_MAP_ONLY) or @prog is NULL
 */
XSK_API enum xsk_attach_mode xsk_prog_mode(const struct xsk_prog *prog);

/**
 * xsk_prog_query() - which XDP program an interface carries
 * @ifname: interface name; if NULL, @ifindex is used
 * @ifindex: interface index, used when @ifname is NULL
 * @prog_id: where the program's id is stored (0: none); may be NULL
 * @mode: where its mode is stored (XSK_ATTACH_AUTO: none); may be NULL
 *
 * Should several modes carry a program (possible with hardware offload),
 * the native one is reported; an offloaded one alone is reported as native.
 *
 * Return: 0, or -ENODEV, or another negative errno value from rtnetlink.
 */
XSK_API int xsk_prog_query(const char *ifname, uint32_t ifindex,
			   uint32_t *prog_id, enum xsk_attach_mode *mode);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LIBXSK_XSK_H */
