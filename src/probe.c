// SPDX-License-Identifier: MIT
/*
 * What the running kernel's AF_XDP can do, found by trying each feature
 * on throwaway sockets rather than by reading version numbers, which
 * backports and distribution kernels make meaningless. Nothing is bound
 * and nothing attached: the probes only register one-page UMEMs and ask
 * questions the kernel answers differently by version.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "xsk_priv.h"

/* Does the kernel take these UMEM flags? Each try needs a fresh socket:
 * a socket takes one registration. */
static int umem_flags_taken(void *page, size_t len, uint32_t flags,
			    uint32_t tx_metadata_len, bool *taken)
{
	struct {
		uint64_t addr, len;
		uint32_t chunk_size, headroom, flags, tx_metadata_len;
	} reg = { (uintptr_t)page, len, 2048, 0, flags, tx_metadata_len };
	int fd = xsk_sys_socket(AF_XDP, SOCK_RAW, 0);
	int err;

	if (fd < 0)
		return fd;
	err = xsk_sys_setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg));
	xsk_sys_close(fd);
	*taken = !err;
	return err && err != -EINVAL ? err : 0;
}

/*
 * bind() checks its flags before it looks for the device: with ifindex 0,
 * unknown flags give EINVAL and known ones ENODEV.
 */
static bool bind_flags_known(int fd, uint16_t flags)
{
	struct sockaddr_xdp sx;

	memset(&sx, 0, sizeof(sx));
	sx.sxdp_family = AF_XDP;
	sx.sxdp_flags = flags;
	return xsk_sys_bind(fd, (struct sockaddr *)&sx, sizeof(sx)) != -EINVAL;
}

static int probe(uint64_t *features)
{
	struct xdp_mmap_offsets off;
	uint64_t stats[6], f = 0;
	struct xdp_options opt;
	socklen_t len;
	size_t page = (size_t)xsk_sys_page_size();
	void *area;
	bool taken;
	int fd, one = 0, err;

	fd = xsk_sys_socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		return xsk_explain_socket(fd);
	len = sizeof(off);
	if (!xsk_sys_getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len) &&
	    len == sizeof(off))
		f |= XSK_FEATURE_NEED_WAKEUP;
	len = sizeof(stats);
	if (!xsk_sys_getsockopt(fd, SOL_XDP, XDP_STATISTICS, stats, &len) &&
	    len == sizeof(stats))
		f |= XSK_FEATURE_STATS_V2;
	len = sizeof(opt);
	if (!xsk_sys_getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opt, &len))
		f |= XSK_FEATURE_OPTIONS | XSK_FEATURE_REDIRECT_FALLBACK;
	if (!xsk_sys_setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one,
				sizeof(one)))
		f |= XSK_FEATURE_BUSY_POLL | XSK_FEATURE_SHARED_UMEM_QUEUES |
		     XSK_FEATURE_BPF_LINK;
	if (xsk_sys_setsockopt(fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &one,
			       sizeof(one)) != -ENOPROTOOPT)
		f |= XSK_FEATURE_TX_SKB_BUDGET;
	if (bind_flags_known(fd, XDP_USE_SG))
		f |= XSK_FEATURE_MULTI_BUFFER;
	xsk_sys_close(fd);

	err = xsk_sys_mmap(&area, page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (err)
		return xsk_err_sys(err, "mapping a page to probe UMEM flags");
	err = umem_flags_taken(area, page, XDP_UMEM_UNALIGNED_CHUNK_FLAG, 0,
			       &taken);
	if (!err && taken)
		f |= XSK_FEATURE_UNALIGNED;
	if (!err)
		err = umem_flags_taken(area, page, XDP_UMEM_TX_SW_CSUM, 8,
				       &taken);
	if (!err && taken)
		f |= XSK_FEATURE_TX_METADATA;
	if (!err)
		err = umem_flags_taken(area, page, XDP_UMEM_TX_METADATA_LEN, 8,
				       &taken);
	if (!err && taken)
		f |= XSK_FEATURE_TX_METADATA_FLAG;
	xsk_sys_munmap(area, page);
	if (err)
		return xsk_err(err, "probing UMEM flags failed: %s",
			       strerror(-err));
	*features = f;
	return 0;
}

/* The answer can't change while the kernel runs: ask once. A race between
 * two first calls only probes twice. */
static uint64_t cached;
static int have;

void xsk_probe_forget(void)
{
	__atomic_store_n(&have, 0, __ATOMIC_RELEASE);
}

int xsk_probe(uint64_t *features)
{
	uint64_t f = 0;
	int err;

	if (!features)
		return xsk_err(-EINVAL, "xsk_probe: features is NULL");
	if (__atomic_load_n(&have, __ATOMIC_ACQUIRE)) {
		*features = __atomic_load_n(&cached, __ATOMIC_RELAXED);
		return 0;
	}
	err = probe(&f);
	if (err)
		return err;
	__atomic_store_n(&cached, f, __ATOMIC_RELAXED);
	__atomic_store_n(&have, 1, __ATOMIC_RELEASE);
	*features = f;
	return 0;
}

const char *xsk_feature_name(uint64_t feature)
{
	static const char *const names[] = {
		"need_wakeup (5.4)",
		"unaligned chunks (5.4)",
		"statistics v2 (5.9)",
		"XDP_OPTIONS zero-copy query (5.3)",
		"shared UMEM across queues and devices (5.10)",
		"preferred busy polling (5.11)",
		"multi-buffer, XDP_USE_SG (6.6)",
		"TX metadata (6.8)",
		"XDP_UMEM_TX_METADATA_LEN (6.11)",
		"XDP_MAX_TX_SKB_BUDGET (6.17)",
		"BPF link for XDP (5.9)",
		"redirect fallback action (5.3)",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (feature == 1ull << i)
			return names[i];
	return NULL;
}
