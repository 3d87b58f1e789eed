// SPDX-License-Identifier: MIT
/* The fake bpf(2), rtnetlink and capget behind the unit tests: fakebpf.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "fakebpf.h"
#include "fakesys.h"

#ifndef BPF_F_XDP_HAS_FRAGS
#define BPF_F_XDP_HAS_FRAGS (1U << 5)
#endif

long __real_syscall(long nr, ...);
int __real_fcntl(int fd, int cmd, ...);
ssize_t __real_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t __real_recvmsg(int fd, struct msghdr *msg, int flags);
int __real_getsockopt(int fd, int level, int name, void *val, socklen_t *len);

struct fake_bpf_state fbpf;

/* Which object each fd we handed out refers to, and the inode it had. */
static struct {
	int obj;
	ino_t ino;
} fds[FAKE_MAX_FDS];

static uint32_t next_id = 100;

/* Replies waiting on the (one) fake rtnetlink socket. */
static struct {
	unsigned char buf[1024];
	size_t len;
} replies[4];
static unsigned int nreplies;

static int fail_with(int err)
{
	errno = err;
	return -1;
}

void fake_bpf_reset(void)
{
	unsigned int i;

	for (i = 0; i < FAKE_PINS; i++)
		if (fbpf.pins[i].path[0])
			close(fbpf.pins[i].fd);
	memset(&fbpf, 0, sizeof(fbpf));
	memset(fds, 0, sizeof(fds));
	nreplies = 0;
	fbpf.caps = ~0ull;
	fbpf.rx_metadata = 7;
	for (i = 0; i < 2; i++)
		fbpf.dev[i].link_obj = -1;
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static bool fd_is(int fd, int obj)
{
	return fd >= 0 && fd < FAKE_MAX_FDS && fds[fd].ino &&
	       fds[fd].obj == obj && ino_of(fd) == fds[fd].ino;
}

struct fake_bpf_obj *fake_bpf_obj(int fd)
{
	if (fd < 0 || fd >= FAKE_MAX_FDS || !fds[fd].ino ||
	    ino_of(fd) != fds[fd].ino)
		return NULL;
	return &fbpf.obj[fds[fd].obj];
}

int fake_bpf_index(const struct fake_bpf_obj *o)
{
	return (int)(o - fbpf.obj);
}

static bool obj_open(int obj)
{
	int fd;

	for (fd = 0; fd < FAKE_MAX_FDS; fd++)
		if (fd_is(fd, obj))
			return true;
	return false;
}

int fake_bpf_live(enum fake_bpf_kind kind)
{
	int i, n = 0;

	for (i = 0; i < FAKE_BPF_OBJS; i++)
		if (fbpf.obj[i].kind == kind && obj_open(i))
			n++;
	return n;
}

static struct fake_xdp_dev *dev_of(uint32_t ifindex)
{
	if (ifindex == FAKE_IFINDEX)
		return &fbpf.dev[0];
	if (ifindex == FAKE_IFINDEX2)
		return &fbpf.dev[1];
	return NULL;
}

/* A link lets go of its program when detached or when its last fd closes. */
static struct fake_xdp_dev *dev_state(uint32_t ifindex)
{
	struct fake_xdp_dev *d = dev_of(ifindex);

	if (d && d->link_obj >= 0 &&
	    (fbpf.obj[d->link_obj].detached || !obj_open(d->link_obj))) {
		if (!fbpf.obj[d->link_obj].detached &&
		    fbpf.link_release_looks) {
			fbpf.link_release_looks--;
			return d;
		}
		d->prog_id = 0;
		d->link_obj = -1;
	}
	return d;
}

uint32_t fake_bpf_attached(uint32_t ifindex, uint8_t *mode)
{
	struct fake_xdp_dev *d = dev_state(ifindex);

	if (mode)
		*mode = d && d->prog_id ? d->mode : XDP_ATTACHED_NONE;
	return d ? d->prog_id : 0;
}

void fake_bpf_attach_foreign(uint32_t ifindex, uint32_t id, uint8_t mode)
{
	struct fake_xdp_dev *d = dev_of(ifindex);

	d->prog_id = id;
	d->mode = mode;
	d->link_obj = -1;
}

static int new_fd(int obj)
{
	int fd = memfd_create("fakebpf", MFD_CLOEXEC);

	if (fd < 0 || fd >= FAKE_MAX_FDS)
		return fail_with(EMFILE);
	fds[fd].obj = obj;
	fds[fd].ino = ino_of(fd);
	return fd;
}

int fake_bpf_new(enum fake_bpf_kind kind, uint32_t type, const char *name)
{
	struct fake_bpf_obj *o;
	int i;

	for (i = 0; i < FAKE_BPF_OBJS; i++)
		if (fbpf.obj[i].kind == FAKE_NONE)
			break;
	if (i == FAKE_BPF_OBJS)
		return fail_with(ENOSPC);
	o = &fbpf.obj[i];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->type = type;
	o->id = next_id++;
	o->map_obj = o->prog_obj = -1;
	memset(o->slots, 0xff, sizeof(o->slots));
	if (name)
		strncpy(o->name, name, sizeof(o->name) - 1);
	return new_fd(i);
}

static struct fake_bpf_obj *obj_by_fd(int fd, enum fake_bpf_kind kind)
{
	struct fake_bpf_obj *o = fake_bpf_obj(fd);

	return o && o->kind == kind ? o : NULL;
}

/*
 * A BPF token in a 6.9 attribute (flag BPF_F_TOKEN_FD, the fd at
 * @off): 1 if one is given and valid, 0 if none, -1 (errno set) if bad.
 * A token stands in for the capabilities.
 */
static int token_of(const union bpf_attr *a, uint32_t flags, unsigned int off)
{
	struct fake_bpf_obj *t;
	int fd;

	if (!(flags & (1U << 16)))
		return 0;
	memcpy(&fd, (const unsigned char *)a + off, sizeof(fd));
	t = fake_bpf_obj(fd);
	if (!t || t->kind != FAKE_TOKEN) {
		errno = EBADF;
		return -1;
	}
	fbpf.token_uses++;
	return 1;
}

static int map_create(const union bpf_attr *a)
{
	struct fake_bpf_obj *o;
	int fd, token = token_of(a, a->map_flags, 76);

	if (token < 0)
		return -1;
	if (!token && (!(fbpf.caps & (1ull << 12)) ||
		       !(fbpf.caps & ((1ull << 39) | (1ull << 21)))))
		return fail_with(EPERM);
	if (a->map_type != BPF_MAP_TYPE_XSKMAP || a->key_size != 4 ||
	    a->value_size != 4 || !a->max_entries ||
	    a->max_entries > FAKE_BPF_SLOTS)
		return fail_with(EINVAL);
	fd = fake_bpf_new(FAKE_MAP, a->map_type, a->map_name);
	if (fd < 0)
		return fd;
	o = fake_bpf_obj(fd);
	o->key_size = a->key_size;
	o->value_size = a->value_size;
	o->max_entries = a->max_entries;
	return fd;
}

static int prog_load(const union bpf_attr *a)
{
	const struct bpf_insn *in = (const void *)(uintptr_t)a->insns;
	struct fake_bpf_obj *o, *m;
	char *log = (char *)(uintptr_t)a->log_buf;
	int fd, map_obj = -1;
	uint32_t i;

	int token = token_of(a, a->prog_flags, 144);

	fbpf.loads++;
	fbpf.last_log_level = a->log_level;
	if (token < 0)
		return -1;
	if (!token && !(fbpf.caps & ((1ull << 39) | (1ull << 21))))
		return fail_with(EPERM);
	if (fbpf.load_errno)
		return fail_with(fbpf.load_errno);
	if (a->prog_type != BPF_PROG_TYPE_XDP || !a->insn_cnt ||
	    a->insn_cnt > FAKE_BPF_INSNS || !a->license)
		return fail_with(EINVAL);
	if (a->prog_flags &
	    ~(BPF_F_XDP_HAS_FRAGS | BPF_F_XDP_DEV_BOUND_ONLY | (1U << 16)))
		return fail_with(EINVAL);
	if (fbpf.no_frags && (a->prog_flags & BPF_F_XDP_HAS_FRAGS))
		return fail_with(EINVAL);
	/* bpf_prog_dev_bound_init(): the device must exist and have XDP in
	 * its driver */
	if (a->prog_flags & BPF_F_XDP_DEV_BOUND_ONLY) {
		if (a->prog_ifindex != FAKE_IFINDEX &&
		    a->prog_ifindex != FAKE_IFINDEX2)
			return fail_with(EINVAL);
		if (fbpf.no_native)
			return fail_with(EOPNOTSUPP);
	} else if (a->prog_ifindex) {
		return fail_with(EINVAL);
	}
	for (i = 0; i < a->insn_cnt; i++) {
		if (in[i].code != (BPF_JMP | BPF_CALL) ||
		    in[i].src_reg != BPF_PSEUDO_KFUNC_CALL)
			continue;
		if (!fbpf.no_jit)
			continue;
		if (a->log_level && log && a->log_size)
			snprintf(
				log, a->log_size,
				"JIT is required for calling kernel function\n");
		return fail_with(524);
	}
	if (fbpf.verifier_refuses) {
		if (a->log_level && log && a->log_size)
			snprintf(
				log, a->log_size,
				"0: (61) r2 = *(u32 *)(r1 +16)\nR3 !read_ok\n");
		return fail_with(EACCES);
	}
	for (i = 0; i < a->insn_cnt; i++) {
		if (in[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
		    in[i].src_reg == BPF_PSEUDO_MAP_FD) {
			m = obj_by_fd(in[i].imm, FAKE_MAP);
			if (!m)
				return fail_with(EBADF);
			map_obj = fake_bpf_index(m);
		}
	}
	fd = fake_bpf_new(FAKE_PROG, a->prog_type, a->prog_name);
	if (fd < 0)
		return fd;
	o = fake_bpf_obj(fd);
	memcpy(o->insns, in, a->insn_cnt * sizeof(*in));
	o->insn_cnt = a->insn_cnt;
	o->prog_flags = a->prog_flags;
	o->prog_ifindex = a->prog_ifindex;
	o->map_obj = map_obj;
	strncpy(o->license, (const char *)(uintptr_t)a->license,
		sizeof(o->license) - 1);
	return fd;
}

/* The kernel's dev_xdp_attach() rules, for both ways in. */
static int xdp_attach(uint32_t ifindex, uint32_t flags, uint32_t prog_id,
		      int link_obj, const char **why)
{
	struct fake_xdp_dev *d = dev_state(ifindex);
	uint8_t mode;

	*why = NULL;
	if (!d)
		return -ENODEV;
	if (flags & XDP_FLAGS_SKB_MODE)
		mode = XDP_ATTACHED_SKB;
	else if (flags & XDP_FLAGS_DRV_MODE)
		mode = XDP_ATTACHED_DRV;
	else
		mode = fbpf.no_native ? XDP_ATTACHED_SKB : XDP_ATTACHED_DRV;
	if (mode == XDP_ATTACHED_DRV && fbpf.no_native) {
		*why = "Underlying driver does not support XDP in native mode";
		return -EOPNOTSUPP;
	}
	if (d->prog_id && d->mode != mode) {
		*why = "Native and generic XDP can't be active at the same time";
		return -EEXIST;
	}
	if (d->prog_id && d->link_obj >= 0) {
		*why = "Can't replace active BPF XDP link";
		return -EBUSY;
	}
	if (d->prog_id &&
	    (link_obj >= 0 || (flags & XDP_FLAGS_UPDATE_IF_NOEXIST))) {
		*why = "XDP program already attached";
		return -EBUSY;
	}
	d->prog_id = prog_id;
	d->mode = mode;
	d->link_obj = link_obj;
	return 0;
}

static int link_create(const union bpf_attr *a)
{
	struct fake_bpf_obj *p =
		obj_by_fd((int)a->link_create.prog_fd, FAKE_PROG);
	const char *why;
	int fd, obj, err;

	if (fbpf.no_links || a->link_create.attach_type != BPF_XDP ||
	    (a->link_create.flags & ~XDP_FLAGS_MODES))
		return fail_with(EINVAL);
	if (!(fbpf.caps & (1ull << 12)))
		return fail_with(EPERM);
	if (!p)
		return fail_with(EBADF);
	fd = fake_bpf_new(FAKE_LINK, 0, NULL);
	if (fd < 0)
		return fd;
	obj = fds[fd].obj;
	fbpf.obj[obj].prog_obj = fake_bpf_index(p);
	fbpf.obj[obj].ifindex = a->link_create.target_ifindex;
	fbpf.obj[obj].link_flags = a->link_create.flags;
	err = xdp_attach(a->link_create.target_ifindex, a->link_create.flags,
			 p->id, obj, &why);
	if (err) {
		close(fd);
		fbpf.obj[obj].kind = FAKE_NONE;
		return fail_with(-err);
	}
	return fd;
}

static int get_info(const union bpf_attr *a)
{
	struct fake_bpf_obj *o = fake_bpf_obj((int)a->info.bpf_fd);
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	struct bpf_link_info li;
	void *info = (void *)(uintptr_t)a->info.info;
	uint32_t len = a->info.info_len;

	if (!o)
		return fail_with(EBADF);
	if (o->kind == FAKE_PROG) {
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi, info, len < sizeof(pi) ? len : sizeof(pi));
		/* the map ids, as many as the caller has room for */
		if (o->map_obj >= 0 && pi.nr_map_ids && pi.map_ids)
			memcpy((void *)(uintptr_t)pi.map_ids,
			       &fbpf.obj[o->map_obj].id, sizeof(uint32_t));
		pi.nr_map_ids = o->map_obj >= 0;
		pi.type = o->type;
		pi.id = o->id;
		memcpy(pi.name, o->name, sizeof(pi.name));
		memcpy(info, &pi, len < sizeof(pi) ? len : sizeof(pi));
	} else if (o->kind == FAKE_LINK) {
		memset(&li, 0, sizeof(li));
		li.type = 6; /* BPF_LINK_TYPE_XDP */
		li.id = o->id;
		li.prog_id = fbpf.obj[o->prog_obj].id;
		li.xdp.ifindex = o->detached ? 0 : o->ifindex;
		memcpy(info, &li, len < sizeof(li) ? len : sizeof(li));
	} else if (o->kind == FAKE_MAP) {
		memset(&mi, 0, sizeof(mi));
		mi.type = o->type;
		mi.id = o->id;
		mi.key_size = o->key_size;
		mi.value_size = o->value_size;
		mi.max_entries = o->max_entries;
		memcpy(mi.name, o->name, sizeof(mi.name));
		memcpy(info, &mi, len < sizeof(mi) ? len : sizeof(mi));
	} else {
		return fail_with(EINVAL);
	}
	return 0;
}

static int fd_by_id(enum fake_bpf_kind kind, uint32_t id)
{
	int i;

	/* maps and links by id: CAP_SYS_ADMIN only */
	if (kind != FAKE_PROG && !(fbpf.caps & (1ull << 21)))
		return fail_with(EPERM);
	/* a link lives while an fd or pin holds it; a program or map also
	 * while an attachment or program does, which the fake doesn't count */
	for (i = 0; i < FAKE_BPF_OBJS; i++)
		if (fbpf.obj[i].kind == kind && fbpf.obj[i].id == id &&
		    (kind != FAKE_LINK || obj_open(i)))
			return new_fd(i);
	return fail_with(ENOENT);
}

/* A link the kernel has yet to release: it still holds its program. */
static bool link_releasing(int obj)
{
	return fbpf.link_release_looks &&
	       ((fbpf.dev[0].prog_id && fbpf.dev[0].link_obj == obj) ||
		(fbpf.dev[1].prog_id && fbpf.dev[1].link_obj == obj));
}

/* The link with the lowest id above @start, live or being released. */
static int link_next_id(union bpf_attr *a)
{
	uint32_t best = 0;
	int i;

	if (!(fbpf.caps & (1ull << 21)))
		return fail_with(EPERM);
	for (i = 0; i < FAKE_BPF_OBJS; i++)
		if (fbpf.obj[i].kind == FAKE_LINK &&
		    (obj_open(i) || link_releasing(i)) &&
		    fbpf.obj[i].id > a->start_id &&
		    (!best || fbpf.obj[i].id < best))
			best = fbpf.obj[i].id;
	if (!best)
		return fail_with(ENOENT);
	a->next_id = best;
	return 0;
}

/* ---------------------------------------------------------- pins */

struct fake_pin *fake_pin_find(const char *path)
{
	unsigned int i;

	for (i = 0; i < FAKE_PINS; i++)
		if (fbpf.pins[i].path[0] && !strcmp(fbpf.pins[i].path, path))
			return &fbpf.pins[i];
	return NULL;
}

int fake_pins(void)
{
	int i, n = 0;

	for (i = 0; i < FAKE_PINS; i++)
		n += fbpf.pins[i].path[0] != '\0';
	return n;
}

static bool in_bpffs(const char *path)
{
	size_t n = strlen(FAKE_BPFFS);

	return !strncmp(path, FAKE_BPFFS, n) && path[n] == '/' &&
	       !strchr(path + n + 1, '/');
}

static int obj_pin(const union bpf_attr *a)
{
	const char *path = (const char *)(uintptr_t)a->pathname;
	struct fake_bpf_obj *o = fake_bpf_obj((int)a->bpf_fd);
	unsigned int i;

	if (!o)
		return fail_with(EBADF);
	if (!in_bpffs(path))
		return fail_with(EPERM);
	if (fake_pin_find(path))
		return fail_with(EEXIST);
	for (i = 0; i < FAKE_PINS && fbpf.pins[i].path[0]; i++)
		;
	if (i == FAKE_PINS || strlen(path) >= sizeof(fbpf.pins[i].path))
		return fail_with(ENOSPC);
	fbpf.pins[i].fd = __real_fcntl((int)a->bpf_fd, F_DUPFD_CLOEXEC, 3);
	if (fbpf.pins[i].fd < 0)
		return -1;
	fds[fbpf.pins[i].fd] = fds[a->bpf_fd];
	snprintf(fbpf.pins[i].path, sizeof(fbpf.pins[i].path), "%s", path);
	fbpf.pins[i].mode = 0600;
	fbpf.pins[i].gid = 0;
	return 0;
}

static int obj_get(const union bpf_attr *a)
{
	const char *path = (const char *)(uintptr_t)a->pathname;
	struct fake_pin *p = fake_pin_find(path);

	if (!p)
		return fail_with(ENOENT);
	if (fbpf.other_uid && (p->mode & 06) != 06)
		return fail_with(EACCES);
	return new_fd(fds[p->fd].obj);
}

/* chmod (@gid -1) or lchown (@mode -1) of a pin. */
static int pin_set(const char *path, int64_t mode, int64_t gid)
{
	struct fake_pin *p = fake_pin_find(path);

	if (!p)
		return fail_with(ENOENT);
	if (mode >= 0)
		p->mode = (uint32_t)mode;
	if (gid >= 0)
		p->gid = (uint32_t)gid;
	return 0;
}

int fake_pin_chmod(const char *path, uint32_t mode)
{
	return pin_set(path, mode, -1);
}

int fake_pin_chgrp(const char *path, uint32_t gid)
{
	return pin_set(path, -1, gid);
}

int fake_pin_unlink(const char *path)
{
	struct fake_pin *p = fake_pin_find(path);

	if (!p)
		return fail_with(ENOENT);
	close(p->fd);
	p->path[0] = '\0';
	return 0;
}

static int token_create(const union bpf_attr *a)
{
	uint32_t dir;
	struct stat st;

	if (fbpf.no_tokens)
		return fail_with(EINVAL);
	if (fbpf.tokens_eperm)
		return fail_with(EPERM);
	memcpy(&dir, (const unsigned char *)a + 4, sizeof(dir));
	if (fstat((int)dir, &st))
		return fail_with(EBADF);
	if (!S_ISDIR(st.st_mode))
		return fail_with(ENOTDIR);
	return fake_bpf_new(FAKE_TOKEN, 0, NULL);
}

static int map_update(const union bpf_attr *a, bool del)
{
	struct fake_bpf_obj *m = obj_by_fd((int)a->map_fd, FAKE_MAP);
	uint32_t key, value;
	struct stat st;

	if (!m)
		return fail_with(EBADF);
	memcpy(&key, (void *)(uintptr_t)a->key, sizeof(key));
	if (key >= m->max_entries)
		return fail_with(del ? EINVAL : E2BIG);
	if (del) {
		m->slots[key] = -1;
		return 0;
	}
	memcpy(&value, (void *)(uintptr_t)a->value, sizeof(value));
	/* sockfd_lookup(), then the family: nothing more since 5.10 */
	if (fstat((int)value, &st))
		return fail_with(EBADF);
	if (!S_ISSOCK(st.st_mode))
		return fail_with(ENOTSOCK);
	if (!fake_is_open((int)value))
		return fail_with(EOPNOTSUPP);
	m->slots[key] = (int)value;
	return 0;
}

static long fake_bpf(int cmd, union bpf_attr *a)
{
	struct fake_bpf_obj *o;

	switch (cmd) {
	case BPF_MAP_CREATE:
		return map_create(a);
	case BPF_PROG_LOAD:
		return prog_load(a);
	case BPF_LINK_CREATE:
		return link_create(a);
	case 35: /* BPF_PROG_BIND_MAP, Linux 5.10 */
		if (fake.no_prog_bind_map)
			break;
		return fail_with(EBADF); /* no program: all xsk_probe() asks */
	case BPF_LINK_DETACH:
		o = obj_by_fd((int)a->link_detach.link_fd, FAKE_LINK);
		if (!o)
			return fail_with(EBADF);
		o->detached = true;
		fbpf.link_detaches++;
		return 0;
	case BPF_OBJ_GET_INFO_BY_FD:
		return get_info(a);
	case BPF_PROG_GET_FD_BY_ID:
		return fd_by_id(FAKE_PROG, a->prog_id);
	case BPF_MAP_GET_FD_BY_ID:
		return fd_by_id(FAKE_MAP, a->map_id);
	case BPF_LINK_GET_FD_BY_ID:
		return fd_by_id(FAKE_LINK, a->link_id);
	case BPF_LINK_GET_NEXT_ID:
		return link_next_id(a);
	case BPF_OBJ_PIN:
		return obj_pin(a);
	case BPF_OBJ_GET:
		return obj_get(a);
	case 36: /* BPF_TOKEN_CREATE */
		return token_create(a);
	case BPF_MAP_UPDATE_ELEM:
		return map_update(a, false);
	case BPF_MAP_DELETE_ELEM:
		return map_update(a, true);
	}
	return fail_with(EINVAL);
}

long __wrap_syscall(long nr, ...);
long __wrap_syscall(long nr, ...)
{
	struct __user_cap_data_struct *cd;
	long a1, a2, a3, a4, a5, a6;
	va_list ap;

	va_start(ap, nr);
	a1 = va_arg(ap, long);
	a2 = va_arg(ap, long);
	a3 = va_arg(ap, long);
	a4 = va_arg(ap, long);
	a5 = va_arg(ap, long);
	a6 = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf) {
		if (fake_fail("bpf"))
			return -1;
		return fake_bpf((int)a1, (union bpf_attr *)a2);
	}
	if (nr == __NR_mbind) {
		unsigned long mask = *(const unsigned long *)a4;

		if (fake_fail("mbind"))
			return -1;
		/* MPOL_PREFERRED, one node among the first 64 */
		if (a3 != 1 || !mask || mask & (mask - 1))
			return fail_with(EINVAL);
		fake.mbind_node = __builtin_ctzl(mask);
		return 0;
	}
	if (nr == __NR_capget) {
		if (fake_fail("capget"))
			return -1;
		cd = (struct __user_cap_data_struct *)a2;
		memset(cd, 0, 2 * sizeof(*cd));
		cd[0].effective = (uint32_t)fbpf.caps;
		cd[1].effective = (uint32_t)(fbpf.caps >> 32);
		return 0;
	}
	if (nr == __NR_memfd_create && fake_fail("memfd_create"))
		return -1;
	return __real_syscall(nr, a1, a2, a3, a4, a5, a6);
}

int __wrap_fcntl(int fd, int cmd, ...);
int __wrap_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;
	int nfd;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	if (fake_fail("fcntl"))
		return -1;
	nfd = __real_fcntl(fd, cmd, arg);
	/* A duplicate refers to the same object. */
	if (nfd >= 0 && nfd < FAKE_MAX_FDS &&
	    (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && fake_bpf_obj(fd)) {
		fds[nfd].obj = fds[fd].obj;
		fds[nfd].ino = fds[fd].ino;
	}
	return nfd;
}

static bool is_netlink(int fd)
{
	int domain = 0;
	socklen_t len = sizeof(domain);

	return !__real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) &&
	       domain == AF_NETLINK;
}

static bool is_genl(int fd)
{
	int proto = 0;
	socklen_t len = sizeof(proto);

	return !__real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) &&
	       proto == NETLINK_GENERIC;
}

static void *queue_reply(const struct nlmsghdr *req, uint16_t type,
			 uint16_t flags, size_t payload)
{
	struct nlmsghdr *nh;

	if (nreplies == sizeof(replies) / sizeof(replies[0]))
		return NULL;
	memset(replies[nreplies].buf, 0, sizeof(replies[nreplies].buf));
	nh = (struct nlmsghdr *)(void *)replies[nreplies].buf;
	nh->nlmsg_len = NLMSG_LENGTH(payload);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	nh->nlmsg_seq = req->nlmsg_seq;
	replies[nreplies].len = nh->nlmsg_len;
	nreplies++;
	return NLMSG_DATA(nh);
}

static void put_rta(struct nlmsghdr *nh, unsigned short type, const void *v,
		    unsigned short len)
{
	struct rtattr *rta =
		(struct rtattr *)(void *)((char *)nh +
					  NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), v, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* An ack (error 0) or an error with the kernel's extended ack message. */
static void queue_ack(const struct nlmsghdr *req, int err, const char *why)
{
	uint16_t flags = why ? NLM_F_CAPPED | NLM_F_ACK_TLVS : NLM_F_CAPPED;
	struct nlmsgerr *e = queue_reply(req, NLMSG_ERROR, flags, sizeof(*e));
	struct nlmsghdr *nh;

	if (!e)
		return;
	e->error = err;
	e->msg = *req;
	nh = (struct nlmsghdr *)(void *)replies[nreplies - 1].buf;
	if (why)
		put_rta(nh, NLMSGERR_ATTR_MSG, why,
			(unsigned short)(strlen(why) + 1));
	replies[nreplies - 1].len = nh->nlmsg_len;
}

static void getlink(const struct nlmsghdr *req, const struct ifinfomsg *ifi)
{
	struct fake_xdp_dev *d = dev_state((uint32_t)ifi->ifi_index);
	struct ifinfomsg *r;
	struct nlmsghdr *nh;
	struct rtattr *nest;
	uint8_t attached;
	uint32_t id;

	fbpf.getlinks++;
	if (!d) {
		queue_ack(req, -ENODEV, NULL);
		return;
	}
	r = queue_reply(req, RTM_NEWLINK, 0, sizeof(*r));
	r->ifi_index = ifi->ifi_index;
	nh = (struct nlmsghdr *)(void *)replies[nreplies - 1].buf;
	put_rta(nh, IFLA_IFNAME, "fake", 5);
	nest = (struct rtattr *)(void *)((char *)nh + nh->nlmsg_len);
	put_rta(nh, IFLA_XDP | NLA_F_NESTED, "", 0);
	attached = d->prog_id ? d->mode : XDP_ATTACHED_NONE;
	put_rta(nh, IFLA_XDP_ATTACHED, &attached, 1);
	if (d->prog_id) {
		id = d->prog_id;
		put_rta(nh, IFLA_XDP_PROG_ID, &id, 4);
		put_rta(nh,
			d->mode == XDP_ATTACHED_DRV ? IFLA_XDP_DRV_PROG_ID :
						      IFLA_XDP_SKB_PROG_ID,
			&id, 4);
	}
	nest->rta_len =
		(unsigned short)((char *)nh + nh->nlmsg_len - (char *)nest);
	replies[nreplies - 1].len = nh->nlmsg_len;
	queue_ack(req, 0, NULL);
}

static void setlink(const struct nlmsghdr *req, const struct ifinfomsg *ifi)
{
	const struct rtattr *rta, *x;
	struct fake_xdp_dev *d = dev_state((uint32_t)ifi->ifi_index);
	int32_t fd = -2, expected = -1;
	uint32_t flags = 0, len, xlen, mode, cur = 0;
	struct fake_bpf_obj *p, *e;
	const char *why = NULL;
	int err;

	if (fbpf.setlinks < FAKE_NL_LOG)
		memcpy(fbpf.setlink[fbpf.setlinks], req,
		       req->nlmsg_len < FAKE_NL_MSG ? req->nlmsg_len :
						      FAKE_NL_MSG);
	fbpf.setlinks++;
	if (!(fbpf.caps & (1ull << 12))) {
		queue_ack(req, -EPERM, NULL);
		return;
	}
	if (!d) {
		queue_ack(req, -ENODEV, NULL);
		return;
	}
	len = req->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	rta = (const struct rtattr *)(const void *)((const char *)ifi +
						    NLMSG_ALIGN(sizeof(*ifi)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if ((rta->rta_type & NLA_TYPE_MASK) != IFLA_XDP)
			continue;
		xlen = RTA_PAYLOAD(rta);
		for (x = RTA_DATA(rta); RTA_OK(x, xlen);
		     x = RTA_NEXT(x, xlen)) {
			if (x->rta_type == IFLA_XDP_FD)
				memcpy(&fd, RTA_DATA(x), 4);
			else if (x->rta_type == IFLA_XDP_FLAGS)
				memcpy(&flags, RTA_DATA(x), 4);
			else if (x->rta_type == IFLA_XDP_EXPECTED_FD)
				memcpy(&expected, RTA_DATA(x), 4);
		}
	}
	if (fd == -2 || (flags & ~XDP_FLAGS_MASK) ||
	    (fbpf.no_replace && (flags & XDP_FLAGS_REPLACE))) {
		queue_ack(req, -EINVAL, NULL);
		return;
	}
	if (fd >= 0) {
		p = obj_by_fd(fd, FAKE_PROG);
		if (!p) {
			queue_ack(req, -EBADF, NULL);
			return;
		}
		err = xdp_attach((uint32_t)ifi->ifi_index, flags, p->id, -1,
				 &why);
		queue_ack(req, err, why);
		return;
	}
	/* detach */
	mode = flags & XDP_FLAGS_SKB_MODE ? XDP_ATTACHED_SKB :
	       flags & XDP_FLAGS_DRV_MODE ? XDP_ATTACHED_DRV :
	       fbpf.no_native		  ? XDP_ATTACHED_SKB :
					    XDP_ATTACHED_DRV;
	if (d->prog_id && d->mode == mode)
		cur = d->prog_id;
	if (cur && d->link_obj >= 0) {
		queue_ack(req, -EBUSY, "Can't replace active BPF XDP link");
		return;
	}
	if (flags & XDP_FLAGS_REPLACE) {
		e = expected >= 0 ? obj_by_fd(expected, FAKE_PROG) : NULL;
		if ((e ? e->id : 0) != cur) {
			queue_ack(req, -EEXIST,
				  "Active program does not match expected");
			return;
		}
	}
	if (cur)
		d->prog_id = 0;
	queue_ack(req, 0, NULL);
}

/* xsk_sendmsg() and xsk_recvmsg(), in the kernel's order of checks; a
 * blocking call is refused before it could do anything. */
static ssize_t xsk_msg(int fd, int flags, bool send)
{
	bool wait = !(flags & MSG_DONTWAIT);

	if (!send && fbpf.no_xsk_recvmsg)
		return fail_with(EOPNOTSUPP); /* sock_no_recvmsg() */
	if (!fake_is_bound(fd))
		return fail_with(ENXIO);
	if (!send && !fake_has_rx(fd))
		return fail_with(ENOBUFS);
	if (wait)
		return fail_with(EOPNOTSUPP);
	return 0;
}

/* ------------------------------------- the netdev generic netlink family */

#define FAKE_NETDEV_FAMILY 0x1b
#define NETDEV_CMD_DEV_GET_ 1
#define NETDEV_A_DEV_IFINDEX_ 1
#define NETDEV_A_DEV_XDP_FEATURES_ 3
#define NETDEV_A_DEV_XDP_RX_METADATA_FEATURES_ 5
#define NETDEV_CMD_QUEUE_GET_ 10
#define NETDEV_A_QUEUE_ID_ 1
#define NETDEV_A_QUEUE_IFINDEX_ 2
#define NETDEV_A_QUEUE_TYPE_ 3
#define NETDEV_A_QUEUE_XSK_ 7

/* The first attribute of type @type in a generic netlink request. */
static const struct rtattr *genl_attr(const struct nlmsghdr *nh,
				      unsigned short type)
{
	const struct rtattr *rta;
	unsigned int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return NULL;
	len = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	rta = (const struct rtattr *)(const void *)((const char *)NLMSG_DATA(
							    nh) +
						    GENL_HDRLEN);
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == type)
			return rta;
	return NULL;
}

/* queue-get: the queue's id, device and type; the xsk nest (6.15) while
 * a bit of fbpf.xsk_queues holds it. */
static void queue_get(const struct nlmsghdr *req)
{
	const struct rtattr *a;
	struct genlmsghdr *r;
	struct nlmsghdr *nh;
	uint32_t ifindex = 0, id = 0, type = 0;

	a = genl_attr(req, NETDEV_A_QUEUE_IFINDEX_);
	if (a && RTA_PAYLOAD(a) >= 4)
		memcpy(&ifindex, RTA_DATA(a), 4);
	a = genl_attr(req, NETDEV_A_QUEUE_ID_);
	if (a && RTA_PAYLOAD(a) >= 4)
		memcpy(&id, RTA_DATA(a), 4);
	a = genl_attr(req, NETDEV_A_QUEUE_TYPE_);
	if (a && RTA_PAYLOAD(a) >= 4)
		memcpy(&type, RTA_DATA(a), 4);
	if (!dev_of(ifindex) || id >= fake.channels) {
		queue_ack(req, ifindex ? -EINVAL : -ENODEV, NULL);
		return;
	}
	r = queue_reply(req, FAKE_NETDEV_FAMILY, 0, sizeof(*r));
	r->cmd = NETDEV_CMD_QUEUE_GET_;
	nh = (struct nlmsghdr *)(void *)replies[nreplies - 1].buf;
	put_rta(nh, NETDEV_A_QUEUE_ID_, &id, 4);
	put_rta(nh, NETDEV_A_QUEUE_IFINDEX_, &ifindex, 4);
	put_rta(nh, NETDEV_A_QUEUE_TYPE_, &type, 4);
	if (id < 32 && (fbpf.xsk_queues & (1u << id)))
		put_rta(nh, NETDEV_A_QUEUE_XSK_ | NLA_F_NESTED, "", 0);
	replies[nreplies - 1].len = nh->nlmsg_len;
	queue_ack(req, 0, NULL);
}

static void genl(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = NLMSG_DATA(req);
	const struct rtattr *a;
	struct genlmsghdr *r;
	struct nlmsghdr *nh;
	uint16_t family = FAKE_NETDEV_FAMILY;
	uint32_t ifindex = 0;
	uint64_t v;

	fbpf.genl_requests++;
	if (req->nlmsg_type == GENL_ID_CTRL && g->cmd == CTRL_CMD_GETFAMILY) {
		a = genl_attr(req, CTRL_ATTR_FAMILY_NAME);
		if (!a || fbpf.no_netdev_family ||
		    strcmp(RTA_DATA(a), "netdev")) {
			queue_ack(req, -ENOENT, NULL);
			return;
		}
		r = queue_reply(req, GENL_ID_CTRL, 0, sizeof(*r));
		r->cmd = CTRL_CMD_NEWFAMILY;
		nh = (struct nlmsghdr *)(void *)replies[nreplies - 1].buf;
		put_rta(nh, CTRL_ATTR_FAMILY_NAME, "netdev", 7);
		put_rta(nh, CTRL_ATTR_FAMILY_ID, &family, sizeof(family));
		replies[nreplies - 1].len = nh->nlmsg_len;
		queue_ack(req, 0, NULL);
		return;
	}
	if (req->nlmsg_type == FAKE_NETDEV_FAMILY && !fbpf.no_netdev_family &&
	    g->cmd == NETDEV_CMD_QUEUE_GET_) {
		queue_get(req);
		return;
	}
	if (req->nlmsg_type != FAKE_NETDEV_FAMILY || fbpf.no_netdev_family ||
	    g->cmd != NETDEV_CMD_DEV_GET_) {
		queue_ack(req, -EOPNOTSUPP, NULL);
		return;
	}
	a = genl_attr(req, NETDEV_A_DEV_IFINDEX_);
	if (a && RTA_PAYLOAD(a) >= 4)
		memcpy(&ifindex, RTA_DATA(a), 4);
	if (!dev_of(ifindex)) {
		queue_ack(req, -ENODEV, NULL);
		return;
	}
	r = queue_reply(req, FAKE_NETDEV_FAMILY, 0, sizeof(*r));
	r->cmd = NETDEV_CMD_DEV_GET_;
	nh = (struct nlmsghdr *)(void *)replies[nreplies - 1].buf;
	put_rta(nh, NETDEV_A_DEV_IFINDEX_, &ifindex, 4);
	v = 0x7f;
	put_rta(nh, NETDEV_A_DEV_XDP_FEATURES_, &v, 8);
	if (!fbpf.no_rx_metadata)
		put_rta(nh, NETDEV_A_DEV_XDP_RX_METADATA_FEATURES_,
			&fbpf.rx_metadata, 8);
	replies[nreplies - 1].len = nh->nlmsg_len;
	queue_ack(req, 0, NULL);
}

/* ------------------------------- AF_XDP socket diagnostics (sock_diag) */

static bool is_proto(int fd, int want)
{
	int proto = -1;
	socklen_t len = sizeof(proto);

	return !__real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) &&
	       proto == want;
}

/* A dump: one socket bound to (FAKE_IFINDEX, diag_queue) with inode
 * diag_ino, and an unbound one; or ENOENT without the module. */
static void sock_diag(const struct nlmsghdr *req)
{
	struct {
		uint8_t family, type;
		uint16_t pad;
		uint32_t ino, cookie[2];
	} * m;
	uint32_t info[2];
	struct nlmsghdr *nh;
	unsigned int i;

	fbpf.diag_requests++;
	if (!fbpf.diag_ino || req->nlmsg_type != 20 /* SOCK_DIAG_BY_FAMILY */ ||
	    !(req->nlmsg_flags & NLM_F_DUMP)) {
		queue_ack(req, -ENOENT, NULL);
		return;
	}
	for (i = 0; i < 2; i++) {
		m = queue_reply(req, 20, NLM_F_MULTI, sizeof(*m));
		m->family = AF_XDP;
		m->type = SOCK_RAW;
		m->ino = i ? fbpf.diag_ino : fbpf.diag_ino + 1000;
		nh = (struct nlmsghdr *)(void *)replies[nreplies - 1].buf;
		if (i) {
			info[0] = FAKE_IFINDEX;
			info[1] = fbpf.diag_queue;
			put_rta(nh, 1 /* XDP_DIAG_INFO */, info, sizeof(info));
		}
		replies[nreplies - 1].len = nh->nlmsg_len;
	}
	queue_reply(req, NLMSG_DONE, NLM_F_MULTI, sizeof(int));
}

static ssize_t unix_sendmsg(int fd, const struct msghdr *msg, int flags);

ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	const struct nlmsghdr *nh;
	const struct ifinfomsg *ifi;

	if (fake_fail("sendmsg"))
		return -1;
	if (fake_is_open(fd))
		return xsk_msg(fd, flags, true);
	if (!is_netlink(fd))
		return unix_sendmsg(fd, msg, flags);
	nh = msg->msg_iov[0].iov_base;
	if (msg->msg_iovlen != 1 || msg->msg_iov[0].iov_len < NLMSG_HDRLEN ||
	    nh->nlmsg_len != msg->msg_iov[0].iov_len)
		return fail_with(EINVAL);
	if (is_genl(fd)) {
		nreplies = 0;
		genl(nh);
		return (ssize_t)nh->nlmsg_len;
	}
	if (is_proto(fd, NETLINK_SOCK_DIAG)) {
		nreplies = 0;
		sock_diag(nh);
		return (ssize_t)nh->nlmsg_len;
	}
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return fail_with(EINVAL);
	ifi = NLMSG_DATA(nh);
	nreplies = 0;
	if (nh->nlmsg_type == RTM_GETLINK)
		getlink(nh, ifi);
	else if (nh->nlmsg_type == RTM_SETLINK)
		setlink(nh, ifi);
	else
		queue_ack(nh, -EOPNOTSUPP, NULL);
	return (ssize_t)nh->nlmsg_len;
}

/* Hand every fd of @msg's SCM_RIGHTS messages to @fn. */
static void each_fd(const struct msghdr *msg, void (*fn)(int fd))
{
	struct cmsghdr *cm;
	size_t i, k;
	int r;

	for (cm = CMSG_FIRSTHDR(msg); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			memcpy(&r, CMSG_DATA(cm) + i * sizeof(int), sizeof(r));
			fn(r);
		}
	}
}

/* A real sendmsg; fake AF_XDP sockets among the fds are noted (fakesys.c). */
static ssize_t unix_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	each_fd(msg, fake_xsk_sending);
	return __real_sendmsg(fd, msg, flags);
}

/* A real recvmsg; fds of fake AF_XDP sockets that arrive are those
 * sockets (fakesys.c). */
static ssize_t unix_recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t n = __real_recvmsg(fd, msg, flags);

	if (n >= 0)
		each_fd(msg, fake_xsk_received);
	return n;
}

ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t len;

	if (fake_fail("recvmsg"))
		return -1;
	if (fake_is_open(fd))
		return xsk_msg(fd, flags, false);
	if (!is_netlink(fd))
		return unix_recvmsg(fd, msg, flags);
	if (!nreplies)
		return fail_with(EAGAIN); /* the kernel would block for ever */
	len = replies[0].len;
	msg->msg_flags = 0;
	if (len > msg->msg_iov[0].iov_len) {
		len = msg->msg_iov[0].iov_len;
		msg->msg_flags = MSG_TRUNC;
	}
	memcpy(msg->msg_iov[0].iov_base, replies[0].buf, len);
	memmove(&replies[0], &replies[1], sizeof(replies[0]) * (nreplies - 1));
	nreplies--;
	return (ssize_t)len;
}
