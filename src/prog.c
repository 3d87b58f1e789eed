// SPDX-License-Identifier: MIT
/*
 * Receiving without libbpf: the XSKMAP, the redirect program built from a
 * handful of instructions, loaded with raw bpf(2), attached through a BPF
 * link (or rtnetlink), and the sockets put into their queue's slot.
 *
 * A handle records every fd and the attachment as they are made;
 * prog_release() undoes whatever is recorded, for rollback and destroy
 * alike.
 */
#include "gnu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

#include "internal.h"

#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#endif
#ifndef XDP_FLAGS_REPLACE
#define XDP_FLAGS_REPLACE (1U << 4)
#endif

#define CAPBIT_NET_ADMIN 12
#define CAPBIT_SYS_ADMIN 21
#define CAPBIT_BPF 39

#define PROG_FLAGS                                                  \
	(XSK_PROG_FRAGS | XSK_PROG_PASS_ONLY | XSK_PROG_NETLINK |   \
	 XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP | XSK_PROG_MAP_ONLY | \
	 XSK_PROG_SHARED)

/* The verifier log kept when the caller gives no buffer: enough for the
 * last line of a refusal of a six-instruction program. */
#define LOG_SIZE 4096

#ifndef AF_XDP
#define AF_XDP 44
#endif

static const char license[] = "Dual MIT/GPL";

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

/*
 * The default program, in six instruction slots:
 *
 *	r2 = *(u32 *)(r1 + offsetof(struct xdp_md, rx_queue_index))
 *	r1 = map_fd ll           (two slots: a 64-bit immediate that the
 *	                          verifier turns into the map's address)
 *	r3 = XDP_PASS            (action when the slot is empty: kernel 5.3)
 *	call bpf_redirect_map
 *	exit                     (r0 is the helper's verdict)
 *
 * The pass-only program is "r0 = XDP_PASS; exit".
 */
static unsigned int build_prog(struct bpf_insn *p, int map_fd, bool pass_only)
{
	unsigned int n = 0;

	if (pass_only) {
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
			      XDP_PASS);
		p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return n;
	}
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1,
		      (int16_t)offsetof(struct xdp_md, rx_queue_index), 0);
	p[n++] = insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD,
		      0, map_fd);
	p[n++] = insn(0, 0, 0, 0, 0);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, XDP_PASS);
	p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map);
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

/* ------------------------------------------------------------ RX hints */

/* The kernel's own "not supported" (ENOTSUPP, not in libc's errno.h),
 * which bpf(2) hands out as is when the verifier can't call kfuncs. */
#define KERNEL_ENOTSUPP 524
#define XDP_MD_DATA 0
#define XDP_MD_DATA_META 8

#define HINTS_SIZE ((int32_t)sizeof(struct xsk_hints))

_Static_assert(sizeof(((struct xsk_prog *)0)->hint_ids) ==
		       XSK__NHINTS * sizeof(uint32_t),
	       "a kfunc id for each hint");
_Static_assert(sizeof(struct xsk_hints) == 24 &&
		       offsetof(struct xsk_hints, version) == 23,
	       "the record's layout is ABI: it ends with its version byte");

/* Where each kfunc writes in the record (by hint bit number): its second
 * and third arguments; -1: it takes no third. */
static const int16_t hint_args[XSK__NHINTS][2] = {
	{ offsetof(struct xsk_hints, timestamp), -1 },
	{ offsetof(struct xsk_hints, hash),
	  offsetof(struct xsk_hints, hash_type) },
	{ offsetof(struct xsk_hints, vlan_proto),
	  offsetof(struct xsk_hints, vlan_tci) },
};

/* r = record + off */
static unsigned int record_ptr(struct bpf_insn *p, uint8_t reg, int16_t off)
{
	unsigned int n = 0;

	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, reg, BPF_REG_7, 0, 0);
	if (off)
		p[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, reg, 0, 0, off);
	return n;
}

/*
 * The prologue the redirect program gains with RX hints, for all three
 * (record offsets as in struct xsk_hints; r6 to r9 survive calls):
 *
 *	r6 = r1                          the context
 *	r2 = -24
 *	call bpf_xdp_adjust_meta         grow the metadata area by a record
 *	if r0 != 0 goto out              no room: deliver without a record
 *	r7 = *(u32 *)(r6 + 8)            data_meta: the record
 *	r8 = *(u32 *)(r6 + 0)            data
 *	r1 = r7
 *	r1 += 24
 *	if r1 > r8 goto out              (the verifier wants the bound)
 *	*(u64 *)(r7 + 0) = 0             three times: fields not given read 0
 *	r9 = 0                           the valid bits
 *	r1 = r6; r2 = r7
 *	call bpf_xdp_metadata_rx_timestamp   (kfunc: the call's imm is its
 *	if w0 != 0 goto +1                    BTF id, src_reg 2; it returns int)
 *	r9 |= 1
 *	r1 = r6; r2 = r7; r2 += 8; r3 = r7; r3 += 12
 *	call bpf_xdp_metadata_rx_hash
 *	if w0 != 0 goto +1
 *	r9 |= 2
 *	r1 = r6; r2 = r7; r2 += 16; r3 = r7; r3 += 18
 *	call bpf_xdp_metadata_rx_vlan_tag
 *	if w0 != 0 goto +1
 *	r9 |= 4
 *	*(u8 *)(r7 + 20) = r9
 *	*(u8 *)(r7 + 22) = 24            the size
 *	*(u8 *)(r7 + 23) = 1             the version, last
 * out:
 *	r1 = r6                          and on with the redirect program
 *
 * The kfuncs write straight into the record (packet memory, which the
 * verifier lets them write once bounded), as the kernel's own tests do.
 */
static unsigned int hints_prologue(struct bpf_insn *p, const struct xsk_prog *x)
{
	unsigned int n = 0, i, no_meta, no_room;

	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	p[n++] =
		insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, -HINTS_SIZE);
	p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_xdp_adjust_meta);
	no_meta = n;
	p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_7, BPF_REG_6,
		      XDP_MD_DATA_META, 0);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_8, BPF_REG_6,
		      XDP_MD_DATA, 0);
	n += record_ptr(p + n, BPF_REG_1, HINTS_SIZE);
	no_room = n;
	p[n++] = insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_1, BPF_REG_8, 0, 0);
	for (i = 0; i < HINTS_SIZE / 8; i++)
		p[n++] = insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_7, 0,
			      (int16_t)(i * 8), 0);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_9, 0, 0, 0);
	for (i = 0; i < XSK__NHINTS; i++) {
		if (!(x->hints & (1u << i)))
			continue;
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6,
			      0, 0);
		n += record_ptr(p + n, BPF_REG_2, hint_args[i][0]);
		if (hint_args[i][1] >= 0)
			n += record_ptr(p + n, BPF_REG_3, hint_args[i][1]);
		p[n++] = insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0,
			      (int32_t)x->hint_ids[i]);
		p[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_0, 0, 1, 0);
		p[n++] = insn(BPF_ALU64 | BPF_OR | BPF_K, BPF_REG_9, 0, 0,
			      (int32_t)(1u << i));
	}
	p[n++] = insn(BPF_STX | BPF_MEM | BPF_B, BPF_REG_7, BPF_REG_9,
		      offsetof(struct xsk_hints, valid), 0);
	p[n++] = insn(BPF_ST | BPF_MEM | BPF_B, BPF_REG_7, 0,
		      offsetof(struct xsk_hints, size), HINTS_SIZE);
	p[n++] = insn(BPF_ST | BPF_MEM | BPF_B, BPF_REG_7, 0,
		      offsetof(struct xsk_hints, version), XSK_HINTS_VERSION);
	p[no_meta].off = (int16_t)(n - no_meta - 1);
	p[no_room].off = (int16_t)(n - no_room - 1);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0);
	return n;
}

static int check_hints(const struct xsk_prog_opts *o)
{
	uint32_t f = o->flags;

	if (!o->hints)
		return 0;
	if (o->hints & ~XSK_HINT_ALL)
		return xsk__err(-EINVAL,
				"xsk_prog_opts.hints has unknown bits 0x%x",
				o->hints & ~XSK_HINT_ALL);
	if (f & (XSK_PROG_PASS_ONLY | XSK_PROG_OWN_PROG | XSK_PROG_MAP_ONLY))
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.hints asks the built-in redirect program for RX hints: it goes with none of XSK_PROG_PASS_ONLY, XSK_PROG_OWN_PROG, XSK_PROG_MAP_ONLY");
	if (o->mode == XSK_ATTACH_GENERIC)
		return xsk__err(
			-EINVAL,
			"RX hints can't be collected in generic mode: they come from the driver, and a generic-mode program runs after it, on the socket buffer, where the kernel refuses device-bound programs. Attach in native mode (XSK_ATTACH_NATIVE or XSK_ATTACH_AUTO), or leave xsk_prog_opts.hints 0");
	return 0;
}

/* Human names of XSK_HINT_* bits, for messages. */
static void hint_names(uint32_t hints, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < XSK__NHINTS && n < len; i++)
		if (hints & xsk__hint_kfuncs[i].hint)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? ", " : "",
					      xsk__hint_kfuncs[i].flag);
	if (!n)
		snprintf(buf, len, "none");
}

/*
 * Before anything is made: the kfuncs' ids from the kernel's BTF, and, where
 * the kernel says (6.8), whether the driver implements them. The program
 * must then run in the driver: native mode, even for XSK_ATTACH_AUTO.
 */
static int hints_resolve(struct xsk_prog *p, uint32_t hints)
{
	const struct xsk__hint_kfunc *k;
	uint32_t ids[XSK__NHINTS], have;
	char names[64];
	unsigned int i;
	int err;

	if (!hints)
		return 0;
	err = xsk__hint_kfunc_ids(ids);
	if (err)
		return err;
	for (i = 0; i < XSK__NHINTS; i++) {
		k = &xsk__hint_kfuncs[i];
		if (!(hints & k->hint))
			continue;
		if (!ids[i])
			return xsk__err(
				-EOPNOTSUPP,
				"%s needs Linux %s: this kernel has no %s (its BTF does not list it); leave %s out of xsk_prog_opts.hints",
				k->flag, k->since, k->f.name, k->flag);
		p->hint_ids[i] = ids[i];
	}
	/* Advisory: a kernel that can't say loads the program all the same,
	 * and the driver's missing hints are marked invalid on each frame. */
	if (!xsk__nl_rx_metadata(p->ifindex, &have) && (hints & ~have)) {
		hint_names(hints & ~have, names, sizeof(names));
		return xsk__err(
			-EOPNOTSUPP,
			"the driver of %s does not implement the RX hints %s (the kernel's netdev family says so, in xdp-rx-metadata-features): leave them out of xsk_prog_opts.hints, or use a device whose driver has them",
			p->ifname, names);
	}
	p->hints = hints;
	if (p->mode == XSK_ATTACH_AUTO) {
		p->mode = XSK_ATTACH_NATIVE;
		p->xdp_flags = XDP_FLAGS_DRV_MODE;
	}
	return 0;
}

/* A refusal of the hints program that has a reason of its own, or 0. */
static int explain_hints_load(const struct xsk_prog *p,
			      const struct xsk_prog_opts *o, int err,
			      const char *line, size_t n)
{
	if (err == -KERNEL_ENOTSUPP || (n && strstr(line, "JIT is required")))
		return xsk__err(
			-EOPNOTSUPP,
			"RX hints need the BPF JIT: only JIT-compiled programs can call the kernel's functions, and this kernel runs BPF in its interpreter (sysctl net.core.bpf_jit_enable is 0: set it to 1)%s%.*s",
			n ? "; the verifier says: " : "", (int)n, line);
	if (n && strstr(line, "JIT does not support calling kernel"))
		return xsk__err(
			-EOPNOTSUPP,
			"RX hints need a BPF JIT that calls kernel functions, which this architecture's lacks");
	if (n)
		return 0;
	if (err == -EOPNOTSUPP || err == -EINVAL)
		return xsk__err(
			-EOPNOTSUPP,
			"the kernel refused a program bound to %s (BPF_F_XDP_DEV_BOUND_ONLY, which RX hints need): its driver has no native XDP%s",
			p->ifname,
			o->flags & XSK_PROG_FRAGS ?
				", or the kernel is older than 6.7, which first takes multi-buffer (XSK_PROG_FRAGS) device-bound programs" :
				"");
	return 0;
}

static bool has_cap(int bit)
{
	uint64_t caps;

	/* If capget fails, don't claim a capability is missing. */
	if (xsk__sys_capeff(&caps))
		return true;
	return caps & (1ull << bit);
}

/* EPERM from BPF_MAP_CREATE or BPF_PROG_LOAD: name what is missing. */
static int explain_bpf_eperm(int err, const char *what)
{
	/* XDP programs and XSKMAPs need both; CAP_SYS_ADMIN stands in for
	 * either (bpf_token_capable() in kernel/bpf/syscall.c). */
	bool bpf = has_cap(CAPBIT_BPF) || has_cap(CAPBIT_SYS_ADMIN);
	bool net = has_cap(CAPBIT_NET_ADMIN) || has_cap(CAPBIT_SYS_ADMIN);

	if (!bpf || !net)
		return xsk__err(err,
				"%s needs %s%s%s: run as root or grant %s%s%s",
				what, bpf ? "" : "CAP_BPF (or CAP_SYS_ADMIN)",
				!bpf && !net ? " and " : "",
				net ? "" : "CAP_NET_ADMIN",
				bpf ? "" : "cap_bpf", !bpf && !net ? "," : "",
				net ? "" : "cap_net_admin");
	if (xsk__in_user_namespace())
		return xsk__err(
			err,
			"%s was refused: this process's capabilities are those of a user namespace (a container), and the kernel wants CAP_BPF in the initial one; load with a BPF token from a bpffs delegated to this namespace (xsk_prog_opts.token_path, Linux 6.9), or have a process of the initial namespace load it and pin the map (xsk_prog_opts.pin_map, .map_path)",
			what);
	return xsk__err(
		err,
		"%s was refused although CAP_BPF and CAP_NET_ADMIN are held: on kernels before 5.11 BPF memory counts against RLIMIT_MEMLOCK (raise it), or a security module or kernel lockdown forbids bpf(2)",
		what);
}

/* A bpf(2) attribute with room for the fields of newer kernels. */
union attr {
	union bpf_attr a;
	unsigned char raw[XSK__ATTR_SIZE];
};

static int map_create(struct xsk_prog *p, uint32_t nqueues)
{
	union attr u;
	unsigned int size;
	int fd;

	memset(&u, 0, sizeof(u));
	u.a.map_type = BPF_MAP_TYPE_XSKMAP;
	u.a.key_size = sizeof(uint32_t);
	u.a.value_size = sizeof(uint32_t);
	u.a.max_entries = nqueues;
	memcpy(u.a.map_name, XSK__MAP_NAME, sizeof(XSK__MAP_NAME));
	size = xsk__attr_token(&u, BPF_MAP_CREATE, p->token_fd);
	fd = xsk__sys_bpf(BPF_MAP_CREATE, &u.a, size);
	if (fd == -EPERM && p->token_fd >= 0)
		return xsk__err(
			fd,
			"creating an XSKMAP with the BPF token was refused: the bpffs must delegate BPF_MAP_CREATE (delegate_cmds) and XSKMAPs (delegate_maps), and this process needs CAP_NET_ADMIN in the token's user namespace");
	if (fd == -EPERM)
		return explain_bpf_eperm(fd, "creating an XSKMAP");
	if (fd == -EINVAL)
		return xsk__err(
			fd,
			"the kernel refused an XSKMAP of %u slots: it needs CONFIG_XDP_SOCKETS (kernel 4.18)",
			nqueues);
	if (fd < 0)
		return xsk__err_sys(fd, "creating an XSKMAP");
	p->map_fd = fd;
	p->nqueues = nqueues;
	return 0;
}

/* Take a reference of our own on the caller's map and check what it is. */
/*
 * BPF_OBJ_GET_INFO_BY_FD refused on the caller's fd @fd (.@field): EPERM is
 * no verdict on the fd. Before Linux 6.5, while unprivileged BPF is
 * disabled (Debian's default), the kernel checks CAP_BPF for every bpf(2)
 * command, this one too; from 6.5 only for creating maps and programs.
 */
static int explain_info(int err, const char *field, int fd, const char *kind)
{
	if (err == -EPERM)
		return xsk__err(
			err,
			"reading .%s %d (BPF_OBJ_GET_INFO_BY_FD) was refused: with unprivileged BPF disabled (sysctl kernel.unprivileged_bpf_disabled), kernels before 6.5 refuse every bpf(2) command without CAP_BPF (or CAP_SYS_ADMIN), and attaching a program needs CAP_NET_ADMIN: run as root or grant cap_bpf,cap_net_admin",
			field, fd);
	return xsk__err(err == -EBADF ? -EINVAL : err,
			".%s %d is not a BPF %s (BPF_OBJ_GET_INFO_BY_FD: %s)",
			field, fd, kind, strerror(-err));
}

static int map_adopt(struct xsk_prog *p, int fd)
{
	struct bpf_map_info info;
	int err;

	if (fd < 0)
		return xsk__err(
			-EBADF,
			"XSK_PROG_OWN_MAP needs .map_fd, the XSKMAP's fd (got %d)",
			fd);
	err = xsk__sys_dupfd(fd);
	if (err < 0)
		return xsk__err_sys(err, "duplicating .map_fd");
	p->map_fd = err;
	memset(&info, 0, sizeof(info));
	err = xsk__bpf_info(p->map_fd, &info, sizeof(info));
	if (err)
		return explain_info(err, "map_fd", fd, "map");
	if (info.type != BPF_MAP_TYPE_XSKMAP)
		return xsk__err(
			-EINVAL,
			".map_fd %d is a BPF map of type %u, not an XSKMAP (%u)",
			fd, info.type, BPF_MAP_TYPE_XSKMAP);
	p->nqueues = info.max_entries;
	return 0;
}

/* The XSKMAP pinned at @path: a map of the caller's, found by path. */
static int map_open(struct xsk_prog *p, const char *path)
{
	struct bpf_map_info info;
	int err, fd = xsk__pin_open(path);

	if (fd < 0)
		return fd;
	p->map_fd = fd;
	memset(&info, 0, sizeof(info));
	err = xsk__bpf_info(fd, &info, sizeof(info));
	if (err)
		return xsk__err_sys(err, "reading the pinned map's type");
	/* a program's or link's info has its type first as well */
	if (info.type != BPF_MAP_TYPE_XSKMAP || info.key_size != 4 ||
	    info.value_size != 4)
		return xsk__err(
			-EINVAL,
			"%s does not hold an XSKMAP (a BPF object of type %u; an XSKMAP is a map of type %u)",
			path, info.type, BPF_MAP_TYPE_XSKMAP);
	p->nqueues = info.max_entries;
	return 0;
}

static int prog_adopt(struct xsk_prog *p, int fd)
{
	struct bpf_prog_info info;
	int err;

	if (fd < 0)
		return xsk__err(
			-EBADF,
			"XSK_PROG_OWN_PROG needs .prog_fd, the XDP program's fd (got %d)",
			fd);
	err = xsk__sys_dupfd(fd);
	if (err < 0)
		return xsk__err_sys(err, "duplicating .prog_fd");
	p->prog_fd = err;
	memset(&info, 0, sizeof(info));
	err = xsk__bpf_info(p->prog_fd, &info, sizeof(info));
	if (err)
		return explain_info(err, "prog_fd", fd, "program");
	if (info.type != BPF_PROG_TYPE_XDP)
		return xsk__err(
			-EINVAL,
			".prog_fd %d is a BPF program of type %u, not an XDP program (%u)",
			fd, info.type, BPF_PROG_TYPE_XDP);
	p->prog_id = info.id;
	return 0;
}

/* The last non-empty line of a verifier log: usually the reason. */
static const char *last_line(char *log, size_t *len)
{
	size_t end = strlen(log), start;

	while (end && (log[end - 1] == '\n' || log[end - 1] == ' '))
		end--;
	start = end;
	while (start && log[start - 1] != '\n')
		start--;
	*len = end - start;
	return log + start;
}

static int explain_load(const struct xsk_prog *p, int err,
			const struct xsk_prog_opts *o, char *log)
{
	const char *line;
	size_t n = 0;
	int ret;

	if (err == -EPERM)
		return explain_bpf_eperm(err, "loading an XDP program");
	line = log ? last_line(log, &n) : "";
	if (p->hints) {
		ret = explain_hints_load(p, o, err, line, n);
		if (ret)
			return ret;
	}
	if (n)
		return xsk__err(
			err,
			"the kernel's verifier refused the %s program: %.*s%s",
			o->flags & XSK_PROG_PASS_ONLY ? "pass" : "redirect",
			(int)n, line,
			o->log_buf ? " (full log in .log_buf)" :
				     " (pass .log_buf for the full log)");
	if (err == -EINVAL && (o->flags & XSK_PROG_FRAGS))
		return xsk__err(
			err,
			"the kernel refused the multi-buffer program: BPF_F_XDP_HAS_FRAGS needs kernel 5.18; drop XSK_PROG_FRAGS on older kernels");
	if (err == -EINVAL)
		return xsk__err(
			err,
			"the kernel refused to load an XDP program before verifying it: it may lack CONFIG_BPF_SYSCALL or XDP");
	return xsk__err_sys(err, "loading the XDP program");
}

/*
 * Load without a log first, as the kernel is fastest that way; only a
 * refusal is loaded again with a log, to say why.
 */
static int prog_load(struct xsk_prog *p, const struct xsk_prog_opts *o)
{
	bool pass = o->flags & XSK_PROG_PASS_ONLY;
	bool shared = o->flags & XSK_PROG_SHARED;
	const char *name =
		pass ? (shared ? XSK__PROG_SHARED_PASS : XSK__PROG_PASS) :
		       (shared ? XSK__PROG_SHARED : XSK__PROG_REDIRECT);
	struct bpf_prog_info info;
	struct bpf_insn insns[64];
	char *log = o->log_buf;
	size_t log_size = o->log_size;
	unsigned int size;
	union attr u;
	int fd, err = 0;

	memset(&u, 0, sizeof(u));
	u.a.prog_type = BPF_PROG_TYPE_XDP;
	u.a.insn_cnt = p->hints ? hints_prologue(insns, p) : 0;
	u.a.insn_cnt += build_prog(insns + u.a.insn_cnt, p->map_fd, pass);
	u.a.insns = ptr(insns);
	u.a.license = ptr(license);
	u.a.prog_flags = o->flags & XSK_PROG_FRAGS ? BPF_F_XDP_HAS_FRAGS : 0;
	if (p->hints) {
		/* the kfuncs resolve to this device's driver */
		u.a.prog_flags |= BPF_F_XDP_DEV_BOUND_ONLY;
		u.a.prog_ifindex = p->ifindex;
	}
	memcpy(u.a.prog_name, name, strlen(name) + 1);
	size = xsk__attr_token(&u, BPF_PROG_LOAD, p->token_fd);
	fd = xsk__sys_bpf(BPF_PROG_LOAD, &u.a, size);
	if (fd == -EACCES || fd == -EINVAL || fd == -KERNEL_ENOTSUPP) {
		if (!log || log_size < 128) {
			log = malloc(LOG_SIZE);
			log_size = log ? LOG_SIZE : 0;
		}
		if (log) {
			log[0] = '\0';
			u.a.log_level = 1;
			u.a.log_buf = ptr(log);
			u.a.log_size = (uint32_t)(log_size > UINT32_MAX ?
							  UINT32_MAX :
							  log_size);
			fd = xsk__sys_bpf(BPF_PROG_LOAD, &u.a, size);
			log[log_size - 1] = '\0';
		}
	}
	if (fd == -EPERM && p->token_fd >= 0)
		err = xsk__err(
			fd,
			"loading the XDP program with the BPF token was refused: the bpffs must delegate BPF_PROG_LOAD (delegate_cmds) and XDP programs (delegate_progs), and this process needs CAP_NET_ADMIN in the token's user namespace");
	else if (fd < 0)
		err = explain_load(p, fd, o, log);
	if (log && log != o->log_buf)
		free(log);
	if (fd < 0)
		return err;
	p->prog_fd = fd;
	memset(&info, 0, sizeof(info));
	err = xsk__bpf_info(fd, &info, sizeof(info));
	if (err)
		return xsk__err_sys(err, "reading the loaded program's id");
	p->prog_id = info.id;
	return 0;
}

static uint32_t mode_bits(uint32_t mode)
{
	if (mode == XSK_ATTACH_NATIVE)
		return XDP_FLAGS_DRV_MODE;
	if (mode == XSK_ATTACH_GENERIC)
		return XDP_FLAGS_SKB_MODE;
	return 0;
}

static const char *mode_name(uint32_t mode)
{
	if (mode == XSK_ATTACH_NATIVE)
		return "native";
	if (mode == XSK_ATTACH_GENERIC)
		return "generic";
	return "automatic";
}

static void name_of(uint32_t id, char *name, size_t len)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	int fd;

	name[0] = '\0';
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = xsk__sys_bpf(BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!xsk__bpf_info(fd, &info, sizeof(info)))
		snprintf(name, len, "%.*s", (int)sizeof(info.name), info.name);
	xsk__sys_close(fd);
}

/* EBUSY or EEXIST: another program holds the interface. Say whose. */
static int explain_busy(const struct xsk_prog *p, int err, const char *why)
{
	struct xsk__xdp_query q;
	const char *mode, *ipmode;
	char name[BPF_OBJ_NAME_LEN + 1];
	uint32_t id;

	memset(&q, 0, sizeof(q));
	xsk__nl_query_xdp(p->ifindex, &q);
	if (q.drv_id)
		id = q.drv_id, mode = "native", ipmode = "xdpdrv";
	else if (q.skb_id)
		id = q.skb_id, mode = "generic", ipmode = "xdpgeneric";
	else if (q.hw_id)
		id = q.hw_id, mode = "offload", ipmode = "xdpoffload";
	else
		return xsk__err(
			err,
			"%s already has an XDP program, or had one a moment ago%s%s: check with `ip link show dev %s`",
			p->ifname, why[0] ? ": " : "", why, p->ifname);
	name_of(id, name, sizeof(name));
	if (!strcmp(name, XSK__PROG_SHARED) ||
	    !strcmp(name, XSK__PROG_SHARED_PASS))
		return xsk__err_advice(
			err, XSK_ADVICE_JOIN,
			"%s already has libxsk's shared program (id %u \"%s\", %s mode), which other processes hold%s: join it with XSK_PROG_SHARED instead of attaching another",
			p->ifname, id, name, mode,
			err == -EEXIST ?
				" (and native and generic mode can't both be in use)" :
				"");
	if (!strcmp(name, XSK__PROG_REDIRECT) || !strcmp(name, XSK__PROG_PASS))
		return xsk__err_advice(
			err, XSK_ADVICE_JOIN,
			"%s already has libxsk's program (id %u \"%s\", %s mode%s), attached by a process without XSK_PROG_SHARED, which removes it when it ends (to remove it now: `ip link set dev %s %s off`, or, if a BPF link holds it, closing that link, which `bpftool link` lists); to serve other queues of %s from other processes: start every one of them (the first one too) with XSK_PROG_SHARED",
			p->ifname, id, name, mode,
			err == -EEXIST ?
				"; native and generic mode can't both be in use" :
				"",
			p->ifname, ipmode, p->ifname);
	return xsk__err(
		err,
		"%s already has XDP program id %u%s%s%s attached in %s mode%s: an interface takes one program; remove it with `ip link set dev %s %s off` or, if a BPF link holds it, by closing that link (`bpftool link` lists them); a program that is not libxsk's can't be joined, but one with an XSKMAP can take sockets: give its map with XSK_PROG_OWN_MAP | XSK_PROG_MAP_ONLY (or its pin with .map_path)",
		p->ifname, id, name[0] ? " \"" : "", name, name[0] ? "\"" : "",
		mode,
		err == -EEXIST ?
			" (native and generic mode can't both be in use)" :
			"",
		p->ifname, ipmode);
}

static int explain_attach(const struct xsk_prog *p, int err, const char *how,
			  const char *why)
{
	const char *sep = why[0] ? ": " : "";

	if (err == -EBUSY || err == -EEXIST)
		return explain_busy(p, err, why);
	if (err == -EPERM || err == -EACCES)
		return xsk__err(
			err,
			"attaching an XDP program to %s needs CAP_NET_ADMIN%s%s%s",
			p->ifname,
			has_cap(CAPBIT_NET_ADMIN) ?
				" in the interface's network namespace" :
				", which this process lacks",
			sep, why);
	if (err == -EOPNOTSUPP)
		return xsk__err(
			err,
			"%s can't run XDP in %s mode%s%s: its driver has no native XDP (use XSK_ATTACH_GENERIC or XSK_ATTACH_AUTO)%s",
			p->ifname, mode_name(p->mode), sep, why,
			p->flags & XSK_PROG_FRAGS ?
				", or no multi-buffer XDP (drop XSK_PROG_FRAGS)" :
				"");
	if (err == -ERANGE)
		return xsk__err(
			err,
			"%s refused XDP%s%s: the MTU is too large for XDP on this device; lower it or use XSK_PROG_FRAGS",
			p->ifname, sep, why);
	if (err == -ENODEV)
		return xsk__err(err, "%s went away while attaching", p->ifname);
	return xsk__err(
		err,
		"attaching the XDP program to %s in %s mode with %s failed: %s%s%s",
		p->ifname, mode_name(p->mode), how, strerror(-err), sep, why);
}

static int attach_link(struct xsk_prog *p)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)p->prog_fd;
	a.link_create.target_ifindex = p->ifindex;
	a.link_create.attach_type = BPF_XDP;
	a.link_create.flags = p->xdp_flags;
	fd = xsk__sys_bpf(BPF_LINK_CREATE, &a, sizeof(a));
	if (fd < 0)
		return fd;
	p->link_fd = fd;
	return 0;
}

static int attach_netlink(struct xsk_prog *p, char *why, size_t whylen)
{
	enum xsk__nl_state state;
	/* Never replace a program that is already there. */
	int err = xsk__nl_set_xdp(p->ifindex, p->prog_fd, -1,
				  XDP_FLAGS_UPDATE_IF_NOEXIST | p->xdp_flags,
				  why, whylen, &state);

	/* An answer lost after the request went out: the program may be
	 * attached, so the rollback must try to detach it. The detach names
	 * our program as the one expected, so it can't remove another. */
	if (!err || state == XSK_NL_UNANSWERED)
		p->nl_attached = true;
	return err;
}

static int prog_attach(struct xsk_prog *p)
{
	char why[256] = "";
	const char *how = "rtnetlink";
	int err = -EINVAL;

	if (!(p->flags & XSK_PROG_NETLINK)) {
		how = "a BPF link";
		err = attach_link(p);
		if (err != -EINVAL)
			goto out;
		/* Kernels before 5.9 know no XDP link (before 5.7 no
		 * BPF_LINK_CREATE at all): both say EINVAL. rtnetlink says
		 * the same EINVAL with the kernel's reason if there is
		 * another. */
		how = "rtnetlink (after BPF_LINK_CREATE said EINVAL)";
	}
	err = attach_netlink(p, why, sizeof(why));
out:
	return err ? explain_attach(p, err, how, why) : 0;
}

/* Which mode did the kernel put the program in? Needed for messages and
 * for a netlink detach, which must name the mode. */
static int prog_find_mode(struct xsk_prog *p)
{
	struct xsk__xdp_query q;
	int err = xsk__nl_query_xdp(p->ifindex, &q);

	if (err)
		return xsk__err_sys(
			err,
			"asking rtnetlink which mode the XDP program runs in");
	if (p->prog_id && q.drv_id == p->prog_id) {
		p->mode = XSK_ATTACH_NATIVE;
		p->xdp_flags = XDP_FLAGS_DRV_MODE;
	} else if (p->prog_id && q.skb_id == p->prog_id) {
		p->mode = XSK_ATTACH_GENERIC;
		p->xdp_flags = XDP_FLAGS_SKB_MODE;
	} else {
		return xsk__err(
			-EAGAIN,
			"the XDP program attached to %s is gone already: something else replaced or removed it",
			p->ifname);
	}
	return 0;
}

static int netlink_detach(struct xsk_prog *p)
{
	enum xsk__nl_state st;
	struct xsk__xdp_query q;
	char why[256];
	uint32_t cur;
	int err;

	err = xsk__nl_set_xdp(p->ifindex, -1, p->prog_fd,
			      p->xdp_flags | XDP_FLAGS_REPLACE, why,
			      sizeof(why), &st);
	/* The kernel says EEXIST: the attached program is not ours any more;
	 * ENODEV: the device, and its program, are gone. Either way nothing
	 * of ours is left. */
	if (!err ||
	    (st == XSK_NL_ANSWERED && (err == -EEXIST || err == -ENODEV)))
		return 0;
	if (st != XSK_NL_ANSWERED || err != -EINVAL)
		goto fail;
	/* Before 5.7 there is no XDP_FLAGS_REPLACE: check the id, then
	 * detach (a narrow race with another attacher remains). */
	err = xsk__nl_query_xdp(p->ifindex, &q);
	if (err)
		goto fail;
	if (p->xdp_flags == XDP_FLAGS_SKB_MODE)
		cur = q.skb_id;
	else if (p->xdp_flags == XDP_FLAGS_DRV_MODE)
		cur = q.drv_id;
	else /* mode unknown (rollback): flags 0 pick the mode attach did */
		cur = q.skb_id == p->prog_id ? q.skb_id : q.drv_id;
	if (cur != p->prog_id)
		return 0;
	err = xsk__nl_set_xdp(p->ifindex, -1, -1, p->xdp_flags, why,
			      sizeof(why), &st);
	if (!err || (st == XSK_NL_ANSWERED && err == -ENODEV))
		return 0;
fail:
	return xsk__err(
		err,
		"removing XDP program id %u from %s failed: %s; remove it with `ip link set dev %s %s off`",
		p->prog_id, p->ifname, strerror(-err), p->ifname,
		p->xdp_flags == XDP_FLAGS_SKB_MODE ? "xdpgeneric" : "xdpdrv");
}

/*
 * Undo whatever is recorded: the one teardown for rollback and destroy.
 * Without @detach (a process that inherited the handle) only this process's
 * fds are closed.
 */
static int prog_release(struct xsk_prog *p, bool detach)
{
	union bpf_attr a;
	int err = 0;

	/* A shared program leaves with the last reference to its link. */
	detach = detach && !p->shared;
	if (p->link_fd >= 0 && detach) {
		/* Closing detaches only with the last copy of the link fd, and
		 * a forked child may hold one: detach explicitly (BPF_LINK_DETACH
		 * came in 5.9 with XDP links). */
		memset(&a, 0, sizeof(a));
		a.link_detach.link_fd = (uint32_t)p->link_fd;
		xsk__sys_bpf(BPF_LINK_DETACH, &a, sizeof(a));
	}
	xsk__sys_close(p->link_fd);
	p->link_fd = -1;
	if (p->nl_attached && detach)
		err = netlink_detach(p);
	p->nl_attached = false;
	xsk__sys_close(p->prog_fd);
	p->prog_fd = -1;
	xsk__sys_close(p->map_fd);
	p->map_fd = -1;
	return err;
}

static int check_opts(const struct xsk_prog_opts *o)
{
	uint32_t f = o->flags;

	if (f & ~PROG_FLAGS)
		return xsk__err(-EINVAL,
				"xsk_prog_opts.flags has unknown bits 0x%x",
				f & ~PROG_FLAGS);
	if (o->mode > XSK_ATTACH_GENERIC)
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.mode %u is not an enum xsk_attach_mode",
			o->mode);
	if ((f & XSK_PROG_PASS_ONLY) &&
	    (f & (XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP | XSK_PROG_MAP_ONLY)))
		return xsk__err(
			-EINVAL,
			"XSK_PROG_PASS_ONLY loads a program without a map: it goes with none of XSK_PROG_OWN_PROG, XSK_PROG_OWN_MAP, XSK_PROG_MAP_ONLY");
	if ((f & XSK_PROG_MAP_ONLY) && (f & XSK_PROG_OWN_PROG))
		return xsk__err(
			-EINVAL,
			"XSK_PROG_MAP_ONLY attaches no program: it can't go with XSK_PROG_OWN_PROG");
	if ((f & XSK_PROG_FRAGS) && (f & XSK_PROG_OWN_PROG))
		return xsk__err(
			-EINVAL,
			"XSK_PROG_FRAGS flags the built-in program: a program of your own (XSK_PROG_OWN_PROG) carries BPF_F_XDP_HAS_FRAGS from its own load");
	if (o->nqueues && (f & XSK_PROG_OWN_MAP))
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.nqueues sizes a new map: with XSK_PROG_OWN_MAP the map's own size counts; leave it 0");
	if (o->log_buf && !o->log_size)
		return xsk__err(-EINVAL,
				"xsk_prog_opts.log_buf needs .log_size");
	return check_hints(o);
}

/* The rules of sharing, pins and tokens. */
static int check_share_opts(const struct xsk_prog_opts *o)
{
	uint32_t f = o->flags;

	if ((f & XSK_PROG_SHARED) &&
	    (f & (XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP | XSK_PROG_MAP_ONLY)))
		return xsk__err(
			-EINVAL,
			"XSK_PROG_SHARED shares libxsk's own program and map: it goes with none of XSK_PROG_OWN_PROG, XSK_PROG_OWN_MAP, XSK_PROG_MAP_ONLY");
	if ((f & XSK_PROG_SHARED) && o->map_path)
		return xsk__err(
			-EINVAL,
			"XSK_PROG_SHARED finds the map through the attached program; xsk_prog_opts.map_path opens one by path: give one of them");
	if ((f & XSK_PROG_SHARED) && o->hints)
		return xsk__err(
			-EINVAL,
			"XSK_PROG_SHARED with RX hints is not supported: a joining process can't tell which hints the attached program collects");
	if (o->map_path && (f & XSK_PROG_OWN_MAP))
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.map_path and XSK_PROG_OWN_MAP both name the map: give one of them");
	if (o->map_path && o->pin_map)
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.map_path opens a pinned map: pinning it again (.pin_map) makes no sense");
	if (o->pin_map && (f & XSK_PROG_PASS_ONLY))
		return xsk__err(
			-EINVAL,
			"XSK_PROG_PASS_ONLY has no map to pin (.pin_map)");
	if (o->pin_map && (f & XSK_PROG_OWN_PROG) && !(f & XSK_PROG_OWN_MAP))
		return xsk__err(
			-EINVAL,
			"XSK_PROG_OWN_PROG without XSK_PROG_OWN_MAP has no map to pin (.pin_map)");
	if (o->pin_link && (f & (XSK_PROG_MAP_ONLY | XSK_PROG_NETLINK)))
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.pin_link pins the BPF link that attaches the program: there is none with %s",
			f & XSK_PROG_MAP_ONLY ? "XSK_PROG_MAP_ONLY" :
						"XSK_PROG_NETLINK");
	if ((o->pin_mode || o->pin_gid) && !o->pin_map && !o->pin_link)
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.pin_mode and .pin_gid are for the pins of .pin_map and .pin_link, and neither is given");
	return 0;
}

static int resolve_if(struct xsk_prog *p, const char *ifname, uint32_t ifindex)
{
	int ret;

	if (ifname) {
		if (strlen(ifname) >= sizeof(p->ifname))
			return xsk__err(-EINVAL,
					"interface name \"%s\" is too long",
					ifname);
		ret = xsk__sys_ifindex(ifname);
		if (ret < 0)
			return xsk__err(ret, "no interface \"%s\" here: %s",
					ifname, strerror(-ret));
		p->ifindex = (uint32_t)ret;
		strcpy(p->ifname, ifname);
		return 0;
	}
	if (!ifindex)
		return xsk__err(
			-EINVAL,
			"xsk_prog_attach() needs an interface name or index");
	ret = xsk__sys_ifname(ifindex, p->ifname);
	if (ret)
		return xsk__err(ret == -ENXIO ? -ENODEV : ret,
				"no interface with index %u here", ifindex);
	p->ifindex = ifindex;
	return 0;
}

/* The map for a new program: the caller's, a pinned one, or a new one. */
static int map_get(struct xsk_prog *p, const struct xsk_prog_opts *o)
{
	uint32_t n = o->nqueues;

	if (o->flags & XSK_PROG_OWN_MAP)
		return map_adopt(p, o->map_fd);
	if (o->map_path)
		return map_open(p, o->map_path);
	/* A driver without ETHTOOL_GCHANNELS: guess generously, as an unused
	 * slot costs a pointer. */
	if (!n && xsk__if_channels(p->ifindex, &n))
		n = XSK_PROG_FALLBACK_QUEUES;
	return map_create(p, n);
}

/* Make (or take) the map, load (or take) the program, attach it, pin what
 * is asked for. Nothing is left on failure. */
static int attach_new(struct xsk_prog *p, const struct xsk_prog_opts *o)
{
	bool want_map = !(o->flags & XSK_PROG_PASS_ONLY) &&
			(!(o->flags & XSK_PROG_OWN_PROG) ||
			 (o->flags & XSK_PROG_OWN_MAP));
	bool map_pinned = false;
	int err = 0;

	if (o->token_path && p->token_fd < 0) {
		err = xsk__token_create(o->token_path);
		if (err < 0)
			return err;
		p->token_fd = err;
		err = 0;
	}
	if (want_map)
		err = map_get(p, o);
	if (!err && o->pin_map) {
		err = xsk__pin(p->map_fd, o->pin_map, o->pin_mode, o->pin_gid,
			       "xsk_prog_opts.pin_map");
		map_pinned = !err;
	}
	if (err || (o->flags & XSK_PROG_MAP_ONLY))
		goto out;
	if (o->flags & XSK_PROG_OWN_PROG)
		err = prog_adopt(p, o->prog_fd);
	else
		err = prog_load(p, o);
	if (!err)
		err = prog_attach(p);
	if (!err)
		err = prog_find_mode(p);
	if (!err && o->pin_link && p->link_fd < 0)
		err = xsk__err(
			-EOPNOTSUPP,
			"xsk_prog_opts.pin_link pins the program's BPF link, and this kernel has no XDP links (Linux 5.9): the program was attached with rtnetlink and stays until removed");
	else if (!err && o->pin_link)
		err = xsk__pin(p->link_fd, o->pin_link, o->pin_mode, o->pin_gid,
			       "xsk_prog_opts.pin_link");
out:
	if (err) {
		if (map_pinned)
			xsk__sys_unlink(o->pin_map);
		prog_release(p, true);
	}
	return err;
}

/* XSK_PROG_SHARED with a program there: take it, if it is ours to take. */
static int join(struct xsk_prog *p, const struct xsk_prog_opts *o, uint32_t id)
{
	int err = xsk__join(p, id, o->flags & XSK_PROG_PASS_ONLY);

	if (!err)
		err = prog_find_mode(p);
	if (!err && o->mode != XSK_ATTACH_AUTO && o->mode != p->mode)
		err = xsk__err(
			-EBUSY,
			"the shared program on %s runs in %s mode, and this process asked for %s mode: ask for the same mode, or XSK_ATTACH_AUTO",
			p->ifname, mode_name(p->mode), mode_name(o->mode));
	if (err)
		prog_release(p, false);
	return err;
}

/* A program taken without a link (attached with rtnetlink, as far as the
 * walk of links could tell) is still the interface's a moment later: a
 * link released in the instant between our walk and its detach is not
 * (prog_find_mode() says -EAGAIN). */
#define NETLINK_CONFIRM_MS 20

static int confirm_netlink(struct xsk_prog *p)
{
	xsk__sys_sleep_ms(NETLINK_CONFIRM_MS);
	return prog_find_mode(p);
}

#define JOIN_TRIES 10

/*
 * Join the shared program on the interface, or attach one. Two processes
 * starting together may both find none and both attach: the kernel takes
 * one, the other says EBUSY and joins it. A program that goes away while
 * we take it (its last holder exited, and the kernel releases its link a
 * moment later) is looked for again, after 1, 2, 4 ... ms (about 1 s in
 * all).
 */
static int attach_shared(struct xsk_prog *p, const struct xsk_prog_opts *o)
{
	struct xsk__xdp_query q;
	char last[256];
	uint32_t id;
	int i, err = 0;

	for (i = 0; i < JOIN_TRIES; i++) {
		if (err == -EAGAIN)
			xsk__sys_sleep_ms(1u << (i - 1));
		p->mode = o->mode;
		p->xdp_flags = mode_bits(o->mode);
		err = xsk__nl_query_xdp(p->ifindex, &q);
		if (err)
			return xsk__err_sys(
				err,
				"asking rtnetlink for the interface's XDP program");
		id = q.drv_id ? q.drv_id : q.skb_id ? q.skb_id : q.hw_id;
		if (id)
			err = join(p, o, id);
		else
			err = attach_new(p, o);
		if (!err && id && p->link_fd < 0) {
			err = confirm_netlink(p);
			if (err)
				prog_release(p, false);
		}
		if (!err) {
			p->shared = true;
			return 0;
		}
		if (err != -EAGAIN && (id || (err != -EBUSY && err != -EEXIST)))
			return err;
	}
	snprintf(last, sizeof(last), "%s", xsk_errmsg());
	return xsk__err(
		err,
		"the XDP program on %s came and went %d times while this process joined it; the last time: %s",
		p->ifname, JOIN_TRIES, last);
}

int xsk_prog_attach(struct xsk_prog **prog, const char *ifname,
		    uint32_t ifindex, const struct xsk_prog_opts *opts)
{
	struct xsk_prog_opts o;
	struct xsk_prog *p;
	int err;

	if (!prog)
		return xsk__err(
			-EINVAL,
			"xsk_prog_attach() needs somewhere to store the handle");
	err = xsk__opts_load(&o, sizeof(o), opts, "xsk_prog_opts");
	if (err)
		return err;
	err = check_opts(&o);
	if (!err)
		err = check_share_opts(&o);
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p)
		return xsk__err(-ENOMEM, "out of memory");
	p->owner = getpid();
	p->map_fd = p->prog_fd = p->link_fd = p->token_fd = -1;
	p->flags = o.flags;
	p->mode = o.mode;
	p->xdp_flags = mode_bits(o.mode);
	err = resolve_if(p, ifname, ifindex);
	if (!err)
		err = hints_resolve(p, o.hints);
	if (err)
		goto out_free;

	if (o.flags & XSK_PROG_SHARED)
		err = attach_shared(p, &o);
	else
		err = attach_new(p, &o);
	xsk__sys_close(p->token_fd);
	p->token_fd = -1;
	if (err)
		goto out_free;
	*prog = p;
	return 0;

out_free:
	free(p);
	return err;
}

int xsk_prog_destroy(struct xsk_prog *prog)
{
	int err;

	if (!prog)
		return 0;
	err = prog_release(prog, prog->owner == getpid());
	free(prog);
	return err;
}

static int check_slot(const struct xsk_prog *p, uint32_t queue_id)
{
	if (!p)
		return xsk__err(-EINVAL, "no xsk_prog given");
	if (p->map_fd < 0)
		return xsk__err(
			-ENOENT,
			"this xsk_prog has no XSKMAP: it was made with %s",
			p->flags & XSK_PROG_PASS_ONLY ?
				"XSK_PROG_PASS_ONLY (for TX-only sockets)" :
				"XSK_PROG_OWN_PROG and no XSK_PROG_OWN_MAP");
	if (queue_id >= p->nqueues)
		return xsk__err(
			-E2BIG,
			"queue %u is beyond the XSKMAP's %u slots: create the map with xsk_prog_opts.nqueues above %u",
			queue_id, p->nqueues, queue_id);
	return 0;
}

/*
 * The kernel puts any AF_XDP socket into an XSKMAP, bound or not, with or
 * without an RX ring (since 5.10; before, any with an RX and a fill ring);
 * frames redirected to a socket that can't take them are dropped. Ask the
 * socket itself. A blocking sendmsg() or recvmsg() on an AF_XDP socket
 * never blocks and never moves a frame: both refuse to wait (EOPNOTSUPP),
 * after saying ENXIO when the socket is not bound; recvmsg() says ENOBUFS
 * first when there is no RX ring (5.11; before, it is EOPNOTSUPP alone).
 * Any other answer (ENETDOWN: the interface is down) leaves the decision
 * to the kernel.
 */
static int check_fd(int fd)
{
	int domain = 0, err;
	socklen_t len = sizeof(domain);
	struct msghdr m;

	if (fd < 0)
		return xsk__err(-EBADF, "socket fd %d is not valid", fd);
	err = xsk__sys_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
	if (err == -EBADF || err == -ENOTSOCK)
		return xsk__err(err, "fd %d is not %s", fd,
				err == -EBADF ? "open" : "a socket");
	if (err)
		return xsk__err_sys(err, "asking the socket for its family");
	if (domain != AF_XDP)
		return xsk__err(
			-EOPNOTSUPP,
			"fd %d is not an AF_XDP socket (its family is %d): an XSKMAP takes AF_XDP sockets only",
			fd, domain);
	memset(&m, 0, sizeof(m));
	if (xsk__sys_sendmsg(fd, &m, 0) == -ENXIO)
		return xsk__err(
			-EOPNOTSUPP,
			"the AF_XDP socket fd %d is not bound: bind it first, as nothing arrives on an unbound socket",
			fd);
	if (xsk__sys_recvmsg(fd, &m, 0) == -ENOBUFS)
		return xsk__err(
			-EOPNOTSUPP,
			"the AF_XDP socket fd %d has no RX ring: there is nothing to redirect to",
			fd);
	return 0;
}

static int map_set(struct xsk_prog *prog, uint32_t queue_id, int fd)
{
	union bpf_attr a;
	uint32_t value = (uint32_t)fd;
	int err;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)prog->map_fd;
	a.key = ptr(&queue_id);
	a.value = ptr(&value);
	a.flags = BPF_ANY;
	err = xsk__sys_bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
	if (err == -EOPNOTSUPP)
		return xsk__err(
			err,
			"fd %d can't go into the XSKMAP: only an AF_XDP socket that is bound and has an RX ring can",
			fd);
	if (err)
		return xsk__err_sys(err, "putting the socket into the XSKMAP");
	return 0;
}

int xsk_prog_set_queue(struct xsk_prog *prog, uint32_t queue_id, int fd)
{
	int err = check_slot(prog, queue_id);

	if (!err)
		err = check_fd(fd);
	return err ? err : map_set(prog, queue_id, fd);
}

int xsk_prog_clear_queue(struct xsk_prog *prog, uint32_t queue_id)
{
	union bpf_attr a;
	int err = check_slot(prog, queue_id);

	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)prog->map_fd;
	a.key = ptr(&queue_id);
	/* An empty slot is no error: the kernel empties it all the same
	 * (xsk_map_delete_elem() answers 0), and an XSKMAP can't be read
	 * from user space to tell. */
	err = xsk__sys_bpf(BPF_MAP_DELETE_ELEM, &a, sizeof(a));
	if (err)
		return xsk__err_sys(err, "emptying an XSKMAP slot");
	return 0;
}

static int check_socket(const struct xsk_prog *p, struct xsk_socket *x)
{
	if (!p || !x)
		return xsk__err(-EINVAL, "no xsk_prog or no socket given");
	if (!x->bound)
		return xsk__err(
			-EINVAL,
			"the socket is not bound yet: an XSKMAP takes bound sockets only (xsk_socket_bind())");
	if (!xsk_socket_rx(x))
		return xsk__err(
			-EINVAL,
			"the socket has no RX ring (XSK_SOCKET_NO_RX): there is nothing to redirect to");
	if (xsk_socket_ifindex(x) != p->ifindex)
		return xsk__err(
			-EINVAL,
			"the socket is bound to interface index %u, the program to %s (index %u): frames can only go to a socket on the device they arrived on",
			xsk_socket_ifindex(x), p->ifname, p->ifindex);
	if (p->hints && x->umem->headroom % 8)
		return xsk__err(
			-EINVAL,
			"the program writes RX hints in front of each frame, 8-byte aligned only if the UMEM headroom is a multiple of 8, and this UMEM's is %u: round it",
			x->umem->headroom);
	return 0;
}

int xsk_prog_add_socket(struct xsk_prog *prog, struct xsk_socket *xsk)
{
	int err = check_socket(prog, xsk);

	if (!err)
		err = check_slot(prog, xsk_socket_queue_id(xsk));
	/* the handle knows what check_fd() would ask */
	return err ? err :
		     map_set(prog, xsk_socket_queue_id(xsk),
			     xsk_socket_fd(xsk));
}

int xsk_prog_remove_socket(struct xsk_prog *prog, struct xsk_socket *xsk)
{
	if (!prog || !xsk)
		return xsk__err(-EINVAL, "no xsk_prog or no socket given");
	return xsk_prog_clear_queue(prog, xsk_socket_queue_id(xsk));
}

int xsk_prog_fd(const struct xsk_prog *prog)
{
	return prog ? prog->prog_fd : -1;
}

int xsk_prog_map_fd(const struct xsk_prog *prog)
{
	return prog ? prog->map_fd : -1;
}

uint32_t xsk_prog_nqueues(const struct xsk_prog *prog)
{
	return prog && prog->map_fd >= 0 ? prog->nqueues : 0;
}

enum xsk_attach_mode xsk_prog_mode(const struct xsk_prog *prog)
{
	return prog && prog->prog_fd >= 0 ? (enum xsk_attach_mode)prog->mode :
					    XSK_ATTACH_AUTO;
}

int xsk_prog_query(const char *ifname, uint32_t ifindex, uint32_t *prog_id,
		   enum xsk_attach_mode *mode)
{
	struct xsk_prog p;
	struct xsk__xdp_query q;
	enum xsk_attach_mode m = XSK_ATTACH_AUTO;
	uint32_t id = 0;
	int err;

	memset(&p, 0, sizeof(p));
	err = resolve_if(&p, ifname, ifindex);
	if (err)
		return err;
	err = xsk__nl_query_xdp(p.ifindex, &q);
	if (err)
		return xsk__err_sys(
			err,
			"asking rtnetlink for the interface's XDP program");
	if (q.drv_id)
		id = q.drv_id, m = XSK_ATTACH_NATIVE;
	else if (q.skb_id)
		id = q.skb_id, m = XSK_ATTACH_GENERIC;
	else if (q.hw_id)
		id = q.hw_id, m = XSK_ATTACH_NATIVE;
	if (prog_id)
		*prog_id = id;
	if (mode)
		*mode = m;
	return 0;
}
