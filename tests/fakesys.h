/* SPDX-License-Identifier: MIT */
/*
 * A fake kernel for unit tests, linked in with -Wl,--wrap=<call> (see
 * tests/tests.mk). It plays AF_XDP well enough for setup and teardown to run
 * with no privilege, keeps a ledger of every fd and mapping it hands out, and
 * can make the Nth wrapped call fail with a chosen errno.
 *
 * Sockets of other families, and files, go to the real libc; AF_XDP sockets
 * are real fds too (so /proc/self/fd sees them) but every AF_XDP operation on
 * them is faked. Anonymous mmap() is real and recorded in the ledger.
 * Files are real too, but for the kernel's BTF, which is fake.btf.
 */
#ifndef LIBXSK_TESTS_FAKESYS_H
#define LIBXSK_TESTS_FAKESYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_IFINDEX 7 /* "fake0" */
#define FAKE_IFINDEX2 8 /* "fake1" */
#define FAKE_MAX_FDS 1024

struct fake_state {
	/* fault injection */
	unsigned int calls; /* calls that could have failed, so far */
	unsigned int fail_at; /* fail the call with this number (1-based) */
	int fail_errno; /* ...with this errno */
	const char *failed; /* the name of the call that was failed */

	/* errno to answer a given call with, every time, while non-zero */
	int bind_errno;
	int reg_errno; /* XDP_UMEM_REG */

	/* behaviour of the fake kernel */
	bool v1_offsets; /* answer like a kernel before 5.3: v1 offsets and
			  * statistics, no XDP_OPTIONS, no TX budget */
	bool zerocopy; /* what XDP_OPTIONS reports */
	bool headroom_704; /* headroom at most chunk - 704 (Linux 6.18) */
	bool mmap_bound; /* a bound socket's rings can be mapped (6.4) */
	bool no_busy_poll; /* SO_PREFER_BUSY_POLL unknown: before 5.11 */
	bool no_tx_budget; /* XDP_MAX_TX_SKB_BUDGET unknown: before 6.17 */
	bool no_prog_bind_map; /* BPF_PROG_BIND_MAP unknown: before 5.10 */
	const char *release; /* what uname() says the release is (NULL: real) */
	uint16_t bind_flags_known; /* set by fake_kernel() */
	uint32_t umem_flags_known;
	uint32_t last_reg_md_len; /* tx_metadata_len of the last XDP_UMEM_REG */
	uint32_t tx_budget; /* last XDP_MAX_TX_SKB_BUDGET set */
	uint32_t channels; /* what ETHTOOL_GCHANNELS reports (0: EOPNOTSUPP) */
	uint64_t memlock; /* RLIMIT_MEMLOCK reported by getrlimit */
	/* what open("/sys/kernel/btf/vmlinux") reads (NULL: ENOENT); set by
	 * fake_kernel() to the kfuncs of that kernel (fakebtf.h) */
	const void *btf;
	size_t btf_len;
	unsigned int btf_opens;

	/* the ledger */
	int live_fds; /* fake AF_XDP sockets open */
	int live_maps; /* recorded mappings not yet unmapped */
	int bad_closes; /* close() of an fd the ledger doesn't know */
	int bad_unmaps; /* munmap() of a range the ledger doesn't know */
	unsigned int binds; /* successful binds */
	unsigned int bind_calls; /* bind() calls on AF_XDP sockets */
	uint16_t last_bind_flags;
	uint32_t last_bind_shared_fd;
	unsigned int last_reg_len; /* optlen of the last XDP_UMEM_REG */
	unsigned int regs; /* XDP_UMEM_REG calls */
	uint32_t last_reg_flags;
	int last_socket_type; /* type argument of the last AF_XDP socket() */
	unsigned int sendtos, recvfroms, polls; /* wake-up syscalls made */

	/* memory: 2 MiB huge pages free for MAP_HUGETLB (too few: ENOMEM);
	 * what any /sys/class/net/IF/device/numa_node reads (NULL: ENOENT);
	 * the node of the last mbind() (-1: none yet), and those files still
	 * open */
	unsigned int huge_free;
	const char *numa_node;
	int mbind_node;
	int live_files;
};

extern struct fake_state fake;

/* Which kernel the fake plays: the flags it knows, the layouts it answers. */
enum fake_kernel {
	FAKE_NEWEST, /* everything, and the headroom limit of 6.18 */
	FAKE_6_8, /* TX metadata without XDP_UMEM_TX_METADATA_LEN */
	FAKE_6_1, /* no multi-buffer, no TX metadata */
	FAKE_5_10, /* no busy polling, nor anything newer */
	FAKE_4_18, /* v1 offsets and statistics, no need_wakeup, no XDP_OPTIONS */
};

void fake_kernel(enum fake_kernel k);

/* Forget all state (fds and mappings still live are reported as leaks);
 * play the newest kernel. */
void fake_reset(void);

/*
 * Count a call that can fail, and say whether it must: every wrap calls this
 * first. Sets errno when it returns true. Other fake modules use it too, so
 * that one counter covers every wrapped call.
 */
bool fake_fail(const char *call);

/* Record and forget fds and mappings made outside fakesys.c. */
void fake_ledger_fd(int fd, bool open);
/* @fd arrived over a Unix socket: if it is another fd of a fake AF_XDP
 * socket (same inode), it is that socket, in the same state. */
void fake_xsk_received(int fd);
/* @fd, maybe a fake AF_XDP socket, is being sent over a Unix socket. */
void fake_xsk_sending(int fd);

/* The kernel's BTF file as the fake kernel serves it. */
#define FAKE_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* The fake socket behind @fd: is it open, is it bound, has it an RX ring. */
bool fake_is_open(int fd);
bool fake_is_bound(int fd);
bool fake_has_rx(int fd);
#endif /* LIBXSK_TESTS_FAKESYS_H */
