// SPDX-License-Identifier: MIT
/*
 * The memory under a UMEM that libxsk maps: ordinary pages or 2 MiB huge
 * pages, placed on the NUMA node of the device it will serve. umem.c
 * records the mapping; this file only decides how to make it.
 *
 * Huge pages: a frame read anywhere in a large UMEM costs a TLB miss on
 * 4 KiB pages (64 MiB is 16384 of them); 32 huge pages cover it. They come
 * from the pool the administrator reserves (vm.nr_hugepages), and mmap()
 * fails with ENOMEM when too few are free, at the mapping, not at the first
 * touch, because a private hugetlb mapping reserves its pages up front.
 *
 * NUMA: the pages are faulted in by XDP_UMEM_REG, which pins them, after
 * this policy is set: they are born on the device's node and never moved.
 */
#include "gnu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define XSK_HUGE_PAGE (2u << 20)
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

/* The NUMA node of @ifname's device into *@node: -1 if it reports none. */
static int device_node(const char *ifname, int *node)
{
	char path[96], buf[16];
	int fd, n, err;
	long v;

	*node = -1;
	err = xsk__sys_ifindex(ifname);
	if (err == -ENODEV)
		return xsk__err(
			err,
			"numa_ifname: no interface named \"%s\" in this network namespace (ip link show)",
			ifname);
	if (err < 0)
		return xsk__err_sys(err, "looking up the interface");
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node",
		 ifname);
	fd = xsk__sys_open_read(path);
	if (fd == -ENOENT)
		return 0; /* a virtual device: no node */
	if (fd < 0)
		return xsk__err(fd, "reading %s failed: %s", path,
				strerror(-fd));
	n = xsk__sys_read(fd, buf, sizeof(buf) - 1);
	xsk__sys_close(fd);
	if (n < 0)
		return xsk__err(n, "reading %s failed: %s", path, strerror(-n));
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	/* -1: a machine of one node, or a firmware that doesn't say. */
	if (v >= 0 && v < 1024)
		*node = (int)v;
	return 0;
}

static int map_huge(struct xsk__mapping *map, uint64_t size, uint32_t flags)
{
	uint64_t len = (size + XSK_HUGE_PAGE - 1) &
		       ~(uint64_t)(XSK_HUGE_PAGE - 1);
	int err = xsk__sys_mmap(&map->addr, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
					MAP_HUGE_2MB,
				-1, 0);

	if (!err) {
		map->len = len;
		return 0;
	}
	if (err == -ENOMEM && flags & XSK_UMEM_HUGE_PAGES_OPTIONAL)
		return 1;
	if (err == -ENOMEM)
		return xsk__err(
			err,
			"no %llu free 2 MiB huge pages for a UMEM of %llu bytes: reserve them with sysctl vm.nr_hugepages (see /proc/meminfo, HugePages_Free), or add XSK_UMEM_HUGE_PAGES_OPTIONAL to take ordinary pages instead",
			(unsigned long long)(len / XSK_HUGE_PAGE),
			(unsigned long long)size);
	return xsk__err(
		err,
		"mapping %llu bytes of 2 MiB huge pages for the UMEM failed: %s",
		(unsigned long long)len, strerror(-err));
}

int xsk__pages_map(struct xsk__mapping *map, uint64_t size, uint32_t flags,
		   const char *numa_ifname, size_t *page_size, int *node)
{
	int err, huge = 0;

	*node = -1;
	if (numa_ifname) {
		err = device_node(numa_ifname, node);
		if (err)
			return err;
	}
	if (flags & XSK_UMEM_HUGE_PAGES) {
		huge = map_huge(map, size, flags);
		if (huge < 0)
			return huge;
		huge = !huge;
	}
	*page_size = huge ? XSK_HUGE_PAGE : (size_t)xsk__sys_page_size();
	if (!huge) {
		err = xsk__sys_mmap(&map->addr, size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (err)
			return xsk__err(
				err,
				"mapping %llu bytes for the UMEM failed: %s",
				(unsigned long long)size, strerror(-err));
		map->len = size;
	}
	/* The kernel pins whole pages: the area must start on one, of the
	 * size actually used. */
	if ((uintptr_t)map->addr % *page_size)
		return xsk__err(
			-EFAULT,
			"the UMEM mapping at %p is not aligned to its %zu-byte pages",
			map->addr, *page_size);
	if (*node >= 0) {
		err = xsk__sys_mbind_preferred(map->addr, map->len, *node);
		if (err)
			return xsk__err(
				err,
				"placing the UMEM on NUMA node %d (the node of %s) failed: %s",
				*node, numa_ifname, strerror(-err));
	}
	return 0;
}
