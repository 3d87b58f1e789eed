// SPDX-License-Identifier: MIT
/*
 * Beyond one process: joining the libxsk program another process attached,
 * pinning its XSKMAP and link in bpffs, opening a pinned map, and BPF
 * tokens from a delegated bpffs.
 *
 * Who detaches when, with XSK_PROG_SHARED: nobody explicitly. Each process
 * holds a reference to the one BPF link that attaches the program (the
 * first made it; the others took it by id), and the kernel detaches the
 * program when the last reference goes: the last process's exit, a crash
 * included, or a pin of the link being removed after that. So no process's
 * exit can detach it under another that still runs.
 */
#include "gnu.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

#include "internal.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#define BPF_LINK_TYPE_XDP_ 6 /* enum bpf_link_type, 5.9 */
#define BPF_TOKEN_CREATE_ 36 /* 6.9 */
#define BPF_F_TOKEN_FD_ (1U << 16) /* 6.9 */
/* Where the 6.9 fields sit: after map_extra and value_type_btf_obj_fd,
 * and after core_relo_rec_size and log_true_size. */
#define MAP_TOKEN_OFF 76
#define MAP_FLAGS_OFF 16
#define PROG_TOKEN_OFF 144
#define PROG_FLAGS_OFF 44

_Static_assert(offsetof(union bpf_attr, map_flags) == MAP_FLAGS_OFF &&
		       offsetof(union bpf_attr, prog_flags) == PROG_FLAGS_OFF,
	       "the flags the token's flag goes into");
_Static_assert(XSK__ATTR_SIZE >= PROG_TOKEN_OFF + 4 &&
		       XSK__ATTR_SIZE >= sizeof(union bpf_attr),
	       "room for the 6.9 fields");

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int xsk__bpf_info(int fd, void *info, uint32_t len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = len;
	a.info.info = ptr(info);
	return xsk__sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
}

/* --------------------------------------------------------------- join */

static int explain_join_eperm(const struct xsk_prog *p, int err);

/* The object @id (a program, map or link) as a new fd: -ENOENT, not
 * explained, when it is gone (for a link: its last reference went, and the
 * kernel may not have detached it yet), -EAGAIN when it is a link still
 * being made; other failures explained. */
static int get_fd_by_id(const struct xsk_prog *p, int cmd, uint32_t id)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	if (cmd == BPF_LINK_GET_FD_BY_ID)
		a.link_id = id;
	else if (cmd == BPF_MAP_GET_FD_BY_ID)
		a.map_id = id;
	else
		a.prog_id = id;
	fd = xsk__sys_bpf(cmd, &a, sizeof(a));
	if (fd == -EPERM)
		return explain_join_eperm(p, fd);
	if (fd < 0 && fd != -ENOENT && fd != -EAGAIN)
		return xsk__err_sys(
			fd, "taking the shared XDP program's objects by id");
	return fd;
}

/* What we took went away meanwhile: look again (attach_shared()). */
static int gone(const struct xsk_prog *p, const char *what)
{
	return xsk__err(-EAGAIN, "%s of the XDP program on %s went away", what,
			p->ifname);
}

static int explain_join_eperm(const struct xsk_prog *p, int err)
{
	return xsk__err(
		err,
		"joining the XDP program on %s needs CAP_SYS_ADMIN: the kernel hands out a program, its map and its link by id only to it. Without it, have the first process pin the XSKMAP (xsk_prog_opts.pin_map) and open it by path (.map_path with XSK_PROG_MAP_ONLY), or take the map's fd from a privileged process",
		p->ifname);
}

/* The XSKMAP of the program: its only map, made by libxsk. */
static int join_map(struct xsk_prog *p, uint32_t map_id)
{
	struct bpf_map_info info;
	int fd, err;

	fd = get_fd_by_id(p, BPF_MAP_GET_FD_BY_ID, map_id);
	if (fd == -ENOENT)
		return gone(p, "the map");
	if (fd < 0)
		return fd;
	p->map_fd = fd;
	memset(&info, 0, sizeof(info));
	err = xsk__bpf_info(fd, &info, sizeof(info));
	if (err)
		return xsk__err_sys(err, "reading the shared XSKMAP's type");
	if (info.type != BPF_MAP_TYPE_XSKMAP || info.key_size != 4 ||
	    info.value_size != 4 || !info.max_entries ||
	    strncmp(info.name, XSK__MAP_NAME, sizeof(info.name)))
		return xsk__err(
			-EBUSY,
			"the XDP program on %s is named like libxsk's shared program but its map (id %u, type %u, \"%.*s\", %u slots) is not libxsk's XSKMAP: it is not libxsk's; leave it alone or remove it with `ip link set dev %s xdp off`",
			p->ifname, map_id, info.type, (int)sizeof(info.name),
			info.name, info.max_entries, p->ifname);
	p->nqueues = info.max_entries;
	return 0;
}

/*
 * The link that attaches program @id to our interface: the kernel does not
 * say which it is, so walk the links (there are few). None: the program
 * was attached with rtnetlink (kernels before 5.9, or XSK_PROG_NETLINK).
 * A link listed but not to be had (its last reference gone: the program
 * stays attached until the kernel releases the link, a moment later; or
 * still being made) may be that link: -EAGAIN, for a look again later.
 */
static int join_link(struct xsk_prog *p)
{
	struct bpf_link_info info;
	union bpf_attr a;
	uint32_t id = 0;
	bool unsure = false;
	int fd, err;

	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		err = xsk__sys_bpf(BPF_LINK_GET_NEXT_ID, &a, sizeof(a));
		if (err == -ENOENT || err == -EINVAL)
			break; /* the end, or no links before 5.8 */
		if (err == -EPERM)
			return explain_join_eperm(p, err);
		if (err)
			return xsk__err_sys(err, "looking for the XDP link");
		id = a.next_id;
		fd = get_fd_by_id(p, BPF_LINK_GET_FD_BY_ID, id);
		if (fd == -ENOENT || fd == -EAGAIN) {
			unsure = true;
			continue;
		}
		if (fd < 0)
			return fd;
		memset(&info, 0, sizeof(info));
		err = xsk__bpf_info(fd, &info, sizeof(info));
		/* A detached link says ifindex 0. */
		if (!err && info.type == BPF_LINK_TYPE_XDP_ &&
		    info.prog_id == p->prog_id &&
		    info.xdp.ifindex == p->ifindex) {
			p->link_fd = fd;
			return 0;
		}
		xsk__sys_close(fd);
	}
	return unsure ? gone(p, "the BPF link") : 0;
}

int xsk__join(struct xsk_prog *p, uint32_t id, bool pass_ok)
{
	struct bpf_prog_info info;
	uint32_t map_ids[2];
	char name[BPF_OBJ_NAME_LEN + 1];
	bool pass;
	int fd, err;

	fd = get_fd_by_id(p, BPF_PROG_GET_FD_BY_ID, id);
	if (fd == -ENOENT)
		return gone(p, "the program");
	if (fd < 0)
		return fd;
	p->prog_fd = fd;
	p->prog_id = id;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 2;
	info.map_ids = ptr(map_ids);
	err = xsk__bpf_info(fd, &info, sizeof(info));
	if (err)
		return xsk__err_sys(err, "reading the attached program's name");
	snprintf(name, sizeof(name), "%.*s", (int)sizeof(info.name), info.name);
	pass = !strcmp(name, XSK__PROG_SHARED_PASS);
	if (!strcmp(name, XSK__PROG_REDIRECT) || !strcmp(name, XSK__PROG_PASS))
		return xsk__err_advice(
			-EBUSY, XSK_ADVICE_JOIN,
			"%s has libxsk's program \"%s\" (id %u), attached without XSK_PROG_SHARED: the process that attached it removes it when it ends, so it can't be shared: start every process (the first one too) with XSK_PROG_SHARED",
			p->ifname, name, id);
	if (info.type != BPF_PROG_TYPE_XDP ||
	    (strcmp(name, XSK__PROG_SHARED) && !pass))
		return xsk__err(
			-EBUSY,
			"%s already has XDP program id %u (%s%s%s), which is not libxsk's: it can't be joined; remove it with `ip link set dev %s xdp off` (or, if a BPF link holds it, by closing that link: `bpftool link` lists them) if nothing needs it",
			p->ifname, id, name[0] ? "\"" : "no name", name,
			name[0] ? "\"" : "", p->ifname);
	if (pass && !pass_ok)
		return xsk__err(
			-EBUSY,
			"%s has libxsk's shared pass-only program (id %u): a sender attached it, and it has no XSKMAP to receive through; start the receivers first, then the senders",
			p->ifname, id);
	if (!pass && info.nr_map_ids != 1)
		return xsk__err(
			-EBUSY,
			"the XDP program on %s (id %u) is named like libxsk's shared program but uses %u maps: it is not libxsk's",
			p->ifname, id, info.nr_map_ids);
	if (!pass) {
		err = join_map(p, map_ids[0]);
		if (err)
			return err;
	}
	return join_link(p);
}

/* --------------------------------------------------------------- pins */

/* Is the directory of @path on a bpffs? */
static int check_bpffs(const char *path, const char *what)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	uint64_t type;
	int err;

	if (!path[0] || strlen(path) >= sizeof(dir))
		return xsk__err(-EINVAL, "%s: \"%s\" is not a path", what,
				path);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	err = xsk__sys_fstype(dir, &type);
	if (err == -ENOENT)
		return xsk__err_advice(
			err, XSK_ADVICE_BPFFS,
			"%s: %s does not exist: mount bpffs there or on a directory above it (mount -t bpf bpf /sys/fs/bpf) and create the directory",
			what, dir);
	if (err)
		return xsk__err(err, "%s: looking at %s: %s", what, dir,
				strerror(-err));
	if (type != BPF_FS_MAGIC)
		return xsk__err_advice(
			-EINVAL, XSK_ADVICE_BPFFS,
			"%s: %s is not on a BPF filesystem (bpffs), the only place the kernel pins BPF objects: use a path under a bpffs mount (mount -t bpf bpf /sys/fs/bpf)",
			what, dir);
	return 0;
}

int xsk__pin(int fd, const char *path, uint32_t mode, uint32_t gid,
	     const char *what)
{
	union bpf_attr a;
	int err;

	if (mode & ~0777u)
		return xsk__err(
			-EINVAL,
			"xsk_prog_opts.pin_mode 0%o: only permission bits (0777) go there",
			mode);
	err = check_bpffs(path, what);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.pathname = ptr(path);
	a.bpf_fd = (uint32_t)fd;
	/* The kernel makes the pin 0600 (less the umask), owned by us:
	 * nobody else can open it until we say so. */
	err = xsk__sys_bpf(BPF_OBJ_PIN, &a, sizeof(a));
	if (err == -EEXIST)
		return xsk__err(
			err,
			"%s: %s exists already: a pin of an earlier run? Remove it (rm %s) if nothing uses it, or choose another path",
			what, path, path);
	if (err)
		return xsk__err(err, "%s: pinning at %s: %s", what, path,
				strerror(-err));
	err = gid ? xsk__sys_chgrp(path, gid) : 0;
	if (err) {
		xsk__sys_unlink(path);
		return xsk__err(
			err,
			"%s: giving the pin %s to group %u: %s (a process may give its files only to groups it is in, without CAP_CHOWN)",
			what, path, gid, strerror(-err));
	}
	err = mode ? xsk__sys_chmod(path, mode) : 0;
	if (err) {
		xsk__sys_unlink(path);
		return xsk__err(err, "%s: chmod 0%o %s: %s", what, mode, path,
				strerror(-err));
	}
	return 0;
}

int xsk__pin_open(const char *path)
{
	union bpf_attr a;
	int err = check_bpffs(path, "xsk_prog_opts.map_path");

	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.pathname = ptr(path);
	/* read-write, or nothing: the pin's mode decides, never us */
	err = xsk__sys_bpf(BPF_OBJ_GET, &a, sizeof(a));
	if (err == -EPERM)
		return xsk__err(
			err,
			"the kernel refused bpf(2) to this process opening %s: before Linux 6.5, kernel.unprivileged_bpf_disabled (1 or 2, the default of most distributions) keeps a process without CAP_BPF from every bpf(2) command, opening pins included; a privileged process can hand it the map's fd instead",
			path);
	if (err == -EACCES)
		return xsk__err(
			err,
			"%s can't be opened for writing by this process: a pin is its owner's only (0600) unless the process that pinned it gave a group or mode (xsk_prog_opts.pin_mode, .pin_gid); ask for that, or run as its owner",
			path);
	if (err == -ENOENT)
		return xsk__err(err, "nothing is pinned at %s", path);
	if (err < 0)
		return xsk__err(err, "opening the pin %s: %s", path,
				strerror(-err));
	return err;
}

/* ------------------------------------------------------------- tokens */

bool xsk__in_user_namespace(void)
{
	char buf[128];
	unsigned long inside, outside, count;
	int fd = xsk__sys_open_read("/proc/self/uid_map"), n;

	if (fd < 0)
		return false;
	n = xsk__sys_read(fd, buf, sizeof(buf) - 1);
	xsk__sys_close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* the initial namespace maps all 2^32 - 1 uids from 0 */
	return sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
	       count != 4294967295ul;
}

/* Is the kernel release (uname -r) older than MAJOR.MINOR? An unreadable
 * release counts as new: the caller then keeps the kernel's own answer. */
static bool release_before(const char *release, unsigned int major,
			   unsigned int minor)
{
	unsigned int ma, mi;

	if (sscanf(release, "%u.%u", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

int xsk__token_create(const char *path)
{
	char release[64];
	union bpf_attr a;
	int dir, fd;

	dir = xsk__sys_open_dir(path);
	if (dir < 0)
		return xsk__err(
			dir,
			"xsk_prog_opts.token_path: opening %s: %s (it must be the mount point of a delegated bpffs)",
			path, strerror(-dir));
	memset(&a, 0, sizeof(a));
	/* token_create: { u32 flags; u32 bpffs_fd; } */
	memcpy((unsigned char *)&a + 4, &dir, sizeof(dir));
	fd = xsk__sys_bpf(BPF_TOKEN_CREATE_, &a, sizeof(a));
	xsk__sys_close(dir);
	if (fd >= 0)
		return fd;
	xsk__sys_release(release, sizeof(release));
	/* Kernels before 6.9 answer EINVAL to the unknown command, or EPERM
	 * to every bpf(2) command in a user namespace when unprivileged BPF
	 * is disabled (before 6.5): either way, no tokens. */
	if (fd == -EINVAL || (fd == -EPERM && release_before(release, 6, 9)))
		return xsk__err(
			-EOPNOTSUPP,
			"BPF tokens need Linux 6.9, and this kernel is %s: load as a process with CAP_BPF and CAP_NET_ADMIN in the initial user namespace, or have such a process pin the XSKMAP for this one (xsk_prog_opts.map_path)",
			release);
	if (fd == -EOPNOTSUPP)
		return xsk__err(
			fd,
			"%s is not a bpffs mounted for delegation: the kernel makes tokens only from a bpffs mounted in a user namespace other than the initial one, with delegate_cmds, delegate_maps, delegate_progs set by a privileged process",
			path);
	if (fd == -EPERM)
		return xsk__err(
			fd,
			"a BPF token from %s must be made in the user namespace the bpffs was mounted for, by a process with CAP_BPF there",
			path);
	if (fd == -ENOTDIR || fd == -EBADF)
		return xsk__err(fd, "%s is not the root of a bpffs mount",
				path);
	return xsk__err(fd, "creating a BPF token from %s: %s", path,
			strerror(-fd));
}

unsigned int xsk__attr_token(void *attr, int cmd, int token_fd)
{
	unsigned char *b = attr;
	unsigned int off = cmd == BPF_MAP_CREATE ? MAP_TOKEN_OFF :
						   PROG_TOKEN_OFF;
	unsigned int foff = cmd == BPF_MAP_CREATE ? MAP_FLAGS_OFF :
						    PROG_FLAGS_OFF;
	uint32_t flags;

	if (token_fd < 0)
		return sizeof(union bpf_attr);
	memcpy(&flags, b + foff, sizeof(flags));
	flags |= BPF_F_TOKEN_FD_;
	memcpy(b + foff, &flags, sizeof(flags));
	memcpy(b + off, &token_fd, sizeof(token_fd));
	return off + sizeof(token_fd) > sizeof(union bpf_attr) ?
		       off + (unsigned int)sizeof(token_fd) :
		       (unsigned int)sizeof(union bpf_attr);
}
