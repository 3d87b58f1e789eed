/* SPDX-License-Identifier: MIT */
/*
 * A fake bpf(2), rtnetlink, the netdev generic netlink family and capget
 * for unit tests, linked in with
 * -Wl,--wrap=syscall,sendmsg,recvmsg,fcntl (see tests/tests.mk). It keeps
 * maps, programs and links as objects behind real fds (memfds: an object
 * lives while an fd with its inode is open, so closes need no wrap and
 * fake_bpf_live() sees leaks), and the XDP
 * attachment of the two fake interfaces, with the kernel's rules: one
 * program per interface, native and generic exclusive, a link detaches when
 * its last fd closes, netlink attachments stay until removed.
 *
 * sendmsg and recvmsg on the fake AF_XDP sockets of fakesys.c answer as
 * the kernel's do; an XSKMAP takes any AF_XDP socket, bound or not, as the
 * kernel does since 5.10.
 *
 * Every wrapped call first asks fake_fail(), so the fault injection of
 * fakesys.h covers these calls too.
 */
#ifndef LIBXSK_TESTS_FAKEBPF_H
#define LIBXSK_TESTS_FAKEBPF_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

/* UAPI constants newer than the oldest headers: one place, internal.h. */
#include "internal.h"

#define FAKE_BPF_OBJS 64
#define FAKE_BPF_INSNS 64
#define FAKE_BPF_SLOTS 128
#define FAKE_NL_LOG 8
#define FAKE_NL_MSG 256

enum fake_bpf_kind { FAKE_NONE, FAKE_MAP, FAKE_PROG, FAKE_LINK, FAKE_TOKEN };

struct fake_bpf_obj {
	enum fake_bpf_kind kind;
	uint32_t id;
	uint32_t type; /* map or program type */
	char name[BPF_OBJ_NAME_LEN];
	/* map */
	uint32_t key_size, value_size, max_entries;
	int slots[FAKE_BPF_SLOTS]; /* socket fd per key, -1 = empty */
	/* program */
	struct bpf_insn insns[FAKE_BPF_INSNS];
	uint32_t insn_cnt;
	uint32_t prog_flags;
	uint32_t prog_ifindex; /* with BPF_F_XDP_DEV_BOUND_ONLY */
	char license[32];
	int map_obj; /* object the 64-bit immediate's map fd named, or -1 */
	/* link */
	int prog_obj;
	uint32_t ifindex;
	uint32_t link_flags;
	bool detached;
};

/*
 * A pin in the fake bpffs, under FAKE_BPFFS: it holds a real fd of its
 * object, so that the object stays live (and visible to fake_bpf_live())
 * until the pin is unlinked.
 */
#define FAKE_BPFFS "/fakebpffs"
#define FAKE_PINS 8
struct fake_pin {
	char path[128]; /* "": unused */
	int fd;
	uint32_t mode, gid;
};

/* The XDP state of one fake interface. */
struct fake_xdp_dev {
	uint32_t prog_id; /* 0: none */
	uint8_t mode; /* XDP_ATTACHED_DRV or XDP_ATTACHED_SKB */
	int link_obj; /* the link holding it, or -1 for rtnetlink */
};

struct fake_bpf_state {
	/* behaviour */
	uint64_t caps; /* effective capabilities capget reports */
	bool no_links; /* BPF_LINK_CREATE says EINVAL: kernel before 5.9 */
	bool no_replace; /* XDP_FLAGS_REPLACE says EINVAL: before 5.7 */
	bool no_frags; /* BPF_F_XDP_HAS_FRAGS says EINVAL: before 5.18 */
	bool no_native; /* the fake driver has no native XDP */
	bool verifier_refuses; /* BPF_PROG_LOAD: EACCES with a log */
	int load_errno; /* BPF_PROG_LOAD answers this, while non-zero */
	bool no_xsk_recvmsg; /* AF_XDP recvmsg says EOPNOTSUPP: before 5.11 */
	bool no_jit; /* kfunc calls: 524 (ENOTSUPP), "JIT is required" */
	/* the netdev generic netlink family: absent (before 6.3), or without
	 * xdp-rx-metadata-features (before 6.8), or these bits of it */
	bool no_netdev_family;
	bool no_rx_metadata;
	uint64_t rx_metadata; /* NETDEV_XDP_RX_METADATA_*: 7 = all three */
	unsigned int genl_requests;
	bool no_tokens; /* BPF_TOKEN_CREATE says EINVAL: before 6.9 */
	bool tokens_eperm; /* it says EPERM: a user namespace, and before 6.5
			    * unprivileged BPF disabled refuses every command */
	/* the caller is another uid than the pins' owner: BPF_OBJ_GET
	 * opens a pin only if its mode gives others read and write */
	bool other_uid;
	/* queue-get's xsk nest (6.15): queues of the fake interfaces an
	 * AF_XDP socket holds, a bit each */
	uint32_t xsk_queues;
	/* AF_XDP socket diagnostics: 0 answers ENOENT (no xsk_diag);
	 * otherwise the dump holds a socket with this inode bound to
	 * (FAKE_IFINDEX, diag_queue) */
	uint32_t diag_ino;
	uint32_t diag_queue;
	unsigned int diag_requests;
	/* a link whose last fd closed keeps its program attached, and stays
	 * listed (BPF_LINK_GET_NEXT_ID) but not to be had by id (ENOENT),
	 * for this many more looks at the interface: the kernel releases a
	 * link in a worker, a moment after its last reference goes */
	unsigned int link_release_looks;

	/* records */
	unsigned int loads; /* BPF_PROG_LOAD calls */
	uint32_t last_log_level;
	unsigned int link_detaches; /* BPF_LINK_DETACH calls */
	unsigned int token_uses; /* maps and programs made with a token */
	struct fake_pin pins[FAKE_PINS];
	unsigned int setlinks; /* RTM_SETLINK requests, logged below */
	unsigned char setlink[FAKE_NL_LOG][FAKE_NL_MSG];
	unsigned int getlinks;
	struct fake_xdp_dev dev[2]; /* FAKE_IFINDEX, FAKE_IFINDEX2 */
	struct fake_bpf_obj obj[FAKE_BPF_OBJS];
};

extern struct fake_bpf_state fbpf;

/* Forget every object and attachment; call after fake_reset(). */
void fake_bpf_reset(void);

/* The object behind @fd (a live fd of ours), or NULL. */
struct fake_bpf_obj *fake_bpf_obj(int fd);
/* The index of an object in fbpf.obj, for struct fake_bpf_obj fields. */
int fake_bpf_index(const struct fake_bpf_obj *o);
/* Objects of @kind that some open fd still refers to. */
int fake_bpf_live(enum fake_bpf_kind kind);
/* The program attached to fake interface @ifindex (0: none), after links
 * whose last fd closed have let go of it; *mode gets XDP_ATTACHED_*. */
uint32_t fake_bpf_attached(uint32_t ifindex, uint8_t *mode);
/* Make an object as the kernel would and return a new fd for it. */
int fake_bpf_new(enum fake_bpf_kind kind, uint32_t type, const char *name);
/* Attach program @id to @ifindex with rtnetlink semantics, as another
 * tool would have done. */
void fake_bpf_attach_foreign(uint32_t ifindex, uint32_t id, uint8_t mode);

/* The pin at @path, or NULL. */
struct fake_pin *fake_pin_find(const char *path);
/* Pins left. */
int fake_pins(void);
/* The fake bpffs's chmod, lchown and unlink (fakesys.c's wraps). */
int fake_pin_chmod(const char *path, uint32_t mode);
int fake_pin_chgrp(const char *path, uint32_t gid);
int fake_pin_unlink(const char *path);

#endif /* LIBXSK_TESTS_FAKEBPF_H */
