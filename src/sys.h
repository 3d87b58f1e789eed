/* SPDX-License-Identifier: MIT */
/*
 * The syscall layer (sys.c): the only code in libxsk that reads errno. Each
 * call returns the syscall's non-negative result or a negative errno value,
 * so no other file looks at errno and a stale value can't leak out.
 */
#ifndef LIBXSK_SYS_H
#define LIBXSK_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

union bpf_attr;
struct msghdr;

int xsk__sys_socket(int domain, int type, int protocol);
void xsk__sys_close(int fd);
int xsk__sys_setsockopt(int fd, int level, int name, const void *val,
			socklen_t len);
int xsk__sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int xsk__sys_bind(int fd, const struct sockaddr *addr, socklen_t len);
int xsk__sys_mmap(void **addr, size_t len, int prot, int flags, int fd,
		  off_t off);
/* A shared read-write ring mapping of @fd placed over [@addr, @addr+@len),
 * replacing what is there. */
int xsk__sys_mmap_fixed(void *addr, size_t len, int fd, off_t off);
void xsk__sys_munmap(void *addr, size_t len);
int xsk__sys_ioctl(int fd, unsigned long req, void *arg);
int xsk__sys_sendto_wakeup(int fd);
int xsk__sys_recvfrom_wakeup(int fd);
int xsk__sys_poll(int fd, short events, int timeout_ms);
int xsk__sys_ifindex(const char *name);
int xsk__sys_ifname(uint32_t ifindex, char *name);
int xsk__sys_memlock_limit(uint64_t *bytes);
long xsk__sys_page_size(void);
void xsk__sys_sleep_ms(unsigned int ms);

/* bpf(2), F_DUPFD_CLOEXEC, the netlink socket calls, capget (sys.c). */
int xsk__sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);
/* mbind(2) MPOL_PREFERRED for @node, which must be below 1024. */
int xsk__sys_mbind_preferred(void *addr, size_t len, int node);
int xsk__sys_dupfd(int fd);
int xsk__sys_sendmsg(int fd, const struct msghdr *msg, int flags);
int xsk__sys_recvmsg(int fd, struct msghdr *msg, int flags);
/* The effective capability set, bit n = capability n (capget). */
int xsk__sys_capeff(uint64_t *caps);

/* memfd_create(@name, MFD_CLOEXEC), ftruncate(), and an fd's size and
 * whether it is a regular file (a memfd is), from fstat(). */
int xsk__sys_memfd(const char *name);
int xsk__sys_ftruncate(int fd, uint64_t len);
int xsk__sys_fsize(int fd, uint64_t *size, bool *regular);

/* Open a file read-only (close-on-exec) and read it: the kernel's BTF. */
int xsk__sys_open_read(const char *path);
int xsk__sys_read(int fd, void *buf, size_t len);

/* bpffs pins (share.c): the filesystem type of @path (statfs f_type),
 * a directory opened read-only, and the pin's owner group and mode. */
int xsk__sys_fstype(const char *path, uint64_t *type);
int xsk__sys_open_dir(const char *path);
int xsk__sys_chmod(const char *path, uint32_t mode);
int xsk__sys_chgrp(const char *path, uint32_t gid);
int xsk__sys_unlink(const char *path);
/* The running kernel's release ("6.18.4-amd64"), for messages. */
void xsk__sys_release(char *buf, size_t len);

#endif /* LIBXSK_SYS_H */
