// SPDX-License-Identifier: MIT
/*
 * What the running kernel's AF_XDP can do, found by trying each feature
 * on throwaway sockets rather than by reading version numbers, which
 * backports and distribution kernels make meaningless. Nothing is bound
 * and nothing attached: the probes only register one-page UMEMs and ask
 * questions the kernel answers differently by version.
 *
 * One table, a row per feature: adding a feature is adding a row (and its
 * bit in xsk.h).
 */
#include "gnu.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

struct probe_env {
	int fd; /* an unbound AF_XDP socket with no UMEM */
	void *page; /* a page to register as a UMEM */
	size_t page_len;
	int err; /* a failure that is not an answer (e.g. ENOBUFS) */
	bool btf_read; /* hint_ids holds the answer */
	uint32_t hint_ids[XSK__NHINTS];
};

/* Does the option answer with @want bytes, the newest layout? */
static bool getsockopt_len(const struct probe_env *e, int name, size_t want)
{
	struct xdp_mmap_offsets buf; /* the largest of the three */
	socklen_t len = (socklen_t)want;

	if (want > sizeof(buf))
		return false;

	return !xsk__sys_getsockopt(e->fd, SOL_XDP, name, &buf, &len) &&
	       len == want;
}

static bool has_need_wakeup(struct probe_env *e)
{
	/* The v2 offsets, with the flags words, came with need_wakeup. */
	return getsockopt_len(e, XDP_MMAP_OFFSETS,
			      sizeof(struct xdp_mmap_offsets));
}

static bool has_stats_v2(struct probe_env *e)
{
	return getsockopt_len(e, XDP_STATISTICS, 6 * sizeof(uint64_t));
}

static bool has_options(struct probe_env *e)
{
	return getsockopt_len(e, XDP_OPTIONS, sizeof(struct xdp_options));
}

static bool has_busy_poll(struct probe_env *e)
{
	int off = 0;

	/* Turning it off needs no privilege. */
	return !xsk__sys_setsockopt(e->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL,
				    &off, sizeof(off));
}

/*
 * Sharing a UMEM across queues and devices (5.10) can't be asked without a
 * device and a bound socket, so the probe asks for what came in the same
 * release: the bpf() command BPF_PROG_BIND_MAP, which checks its program fd
 * (EBADF) where older kernels know no such command (EINVAL). Where bpf() is
 * not allowed (EPERM) this says nothing, and busy polling (5.11) still
 * implies the feature.
 */
static bool has_prog_bind_map(struct probe_env *e)
{
	/* prog_bind_map's prog_fd, map_fd and flags: no program, no map */
	const uint32_t attr[3] = { (uint32_t)-1, (uint32_t)-1, 0 };
	union bpf_attr a;

	(void)e;
	memset(&a, 0, sizeof(a));
	memcpy(&a, attr, sizeof(attr));
	return xsk__sys_bpf(XSK__BPF_PROG_BIND_MAP, &a, sizeof(attr)) == -EBADF;
}

static bool has_tx_skb_budget(struct probe_env *e)
{
	int v = 0;

	/* Out of range, so nothing changes: known options answer EINVAL. */
	return xsk__sys_setsockopt(e->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &v,
				   sizeof(v)) != -ENOPROTOOPT;
}

static bool has_multi_buffer(struct probe_env *e)
{
	struct sockaddr_xdp sx;

	/* bind() checks its flags before it looks for the device: with
	 * ifindex 0, unknown flags give EINVAL and known ones ENODEV. */
	memset(&sx, 0, sizeof(sx));
	sx.sxdp_family = AF_XDP;
	sx.sxdp_flags = XDP_USE_SG;
	return xsk__sys_bind(e->fd, (struct sockaddr *)&sx, sizeof(sx)) !=
	       -EINVAL;
}

/* Does the kernel take this registration? Each try needs a fresh socket:
 * a socket takes one registration. */
static bool umem_taken(struct probe_env *e, uint32_t chunk, uint32_t headroom,
		       uint32_t flags, uint32_t tx_metadata_len)
{
	const struct xsk__umem_reg reg = {
		.addr = (uintptr_t)e->page,
		.len = e->page_len,
		.chunk_size = chunk,
		.headroom = headroom,
		.flags = flags,
		.tx_metadata_len = tx_metadata_len,
	};
	int fd, err;

	if (e->err)
		return false;
	fd = xsk__sys_socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0) {
		e->err = fd;
		return false;
	}
	err = xsk__umem_reg(fd, &reg);
	xsk__sys_close(fd);
	if (err && err != -EINVAL)
		e->err = err;
	return !err;
}

static bool has_unaligned(struct probe_env *e)
{
	return umem_taken(e, 2048, 0, XDP_UMEM_UNALIGNED_CHUNK_FLAG, 0);
}

/* 24 bytes, struct xsk_tx_meta's size: recent kernels refuse less than 16
 * with XDP_UMEM_TX_METADATA_LEN. */
static bool has_tx_metadata(struct probe_env *e)
{
	return umem_taken(e, 2048, 0, XDP_UMEM_TX_SW_CSUM, 24);
}

static bool has_tx_metadata_flag(struct probe_env *e)
{
	return umem_taken(e, 2048, 0, XDP_UMEM_TX_METADATA_LEN, 24);
}

static bool has_large_headroom(struct probe_env *e)
{
	/* Above 2048 - 704, below 2048 - 256: only older kernels take it. */
	return umem_taken(e, 2048, 2048 - 640, 0, 0);
}

/*
 * An RX metadata kfunc is there if the kernel's BTF lists it with the
 * signature libxsk calls: read once for the three. That says nothing of a
 * device (its driver, native XDP) nor of the JIT, which xsk_prog_attach()
 * checks and explains; it needs no device and changes nothing.
 */
static bool has_hint(struct probe_env *e, unsigned int i)
{
	if (!e->btf_read) {
		e->btf_read = true;
		if (xsk__hint_kfunc_ids(e->hint_ids))
			memset(e->hint_ids, 0, sizeof(e->hint_ids));
	}
	return e->hint_ids[i] != 0;
}

static bool has_rx_timestamp(struct probe_env *e)
{
	return has_hint(e, 0);
}

static bool has_rx_hash(struct probe_env *e)
{
	return has_hint(e, 1);
}

static bool has_rx_vlan(struct probe_env *e)
{
	return has_hint(e, 2);
}

#define ROW(bit, name, version, probe, implies)            \
	{                                                  \
		bit, name " (" version ")", probe, implies \
	}

/*
 * A feature that can't be asked for is implied by one that can, of the
 * same Linux release or a later one: never by an earlier one, which would
 * claim what the kernel in between lacks (the bug 5.10 showed when busy
 * polling, 5.11, was all that implied 5.10's and 5.9's features).
 */
static const struct feature {
	uint64_t bit;
	const char *name; /* with the Linux version that brought it */
	bool (*probe)(struct probe_env *e); /* NULL: implied by another */
	uint64_t implies; /* features of the same or an earlier release */
} features[] = {
	ROW(XSK_FEATURE_NEED_WAKEUP, "need_wakeup", "5.4", has_need_wakeup, 0),
	ROW(XSK_FEATURE_UNALIGNED, "unaligned chunks", "5.4", has_unaligned, 0),
	ROW(XSK_FEATURE_STATS_V2, "statistics v2", "5.9", has_stats_v2,
	    XSK_FEATURE_BPF_LINK),
	ROW(XSK_FEATURE_OPTIONS, "XDP_OPTIONS zero-copy query", "5.3",
	    has_options, XSK_FEATURE_REDIRECT_FALLBACK),
	ROW(XSK_FEATURE_SHARED_UMEM_QUEUES,
	    "shared UMEM across queues and devices", "5.10", has_prog_bind_map,
	    XSK_FEATURE_BPF_LINK),
	ROW(XSK_FEATURE_BUSY_POLL, "preferred busy polling", "5.11",
	    has_busy_poll,
	    XSK_FEATURE_SHARED_UMEM_QUEUES | XSK_FEATURE_BPF_LINK),
	ROW(XSK_FEATURE_MULTI_BUFFER, "multi-buffer, XDP_USE_SG", "6.6",
	    has_multi_buffer, 0),
	ROW(XSK_FEATURE_TX_METADATA, "TX metadata", "6.8", has_tx_metadata, 0),
	ROW(XSK_FEATURE_TX_METADATA_FLAG, "XDP_UMEM_TX_METADATA_LEN", "6.11",
	    has_tx_metadata_flag, 0),
	ROW(XSK_FEATURE_TX_SKB_BUDGET, "XDP_MAX_TX_SKB_BUDGET", "6.17",
	    has_tx_skb_budget, 0),
	ROW(XSK_FEATURE_BPF_LINK, "BPF link for XDP", "5.9", NULL, 0),
	ROW(XSK_FEATURE_REDIRECT_FALLBACK, "redirect fallback action", "5.3",
	    NULL, 0),
	ROW(XSK_FEATURE_LARGE_HEADROOM, "UMEM headroom above frame size - 704",
	    "before 6.18", has_large_headroom, 0),
	ROW(XSK_FEATURE_RX_TIMESTAMP, "RX hint: hardware timestamp", "6.3",
	    has_rx_timestamp, 0),
	ROW(XSK_FEATURE_RX_HASH, "RX hint: RSS hash and type", "6.3",
	    has_rx_hash, 0),
	ROW(XSK_FEATURE_RX_VLAN, "RX hint: VLAN tag", "6.8", has_rx_vlan, 0),
};

#define NFEATURES (sizeof(features) / sizeof(features[0]))

/* XSK_FEATURE_ALL in xsk.h is the table's bits, one each. */
_Static_assert(XSK_FEATURE_ALL == (1ull << NFEATURES) - 1,
	       "XSK_FEATURE_ALL must cover exactly the rows of features[]");

static int probe(uint64_t *out)
{
	struct probe_env e = { 0 };
	uint64_t f = 0;
	size_t i;
	int err;

	e.fd = xsk__xdp_socket();
	if (e.fd < 0)
		return e.fd;
	e.page_len = (size_t)xsk__sys_page_size();
	err = xsk__sys_mmap(&e.page, e.page_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (err) {
		xsk__sys_close(e.fd);
		return xsk__err_sys(err, "mapping a page to probe UMEM flags");
	}
	for (i = 0; i < NFEATURES; i++)
		if (features[i].probe && features[i].probe(&e))
			f |= features[i].bit | features[i].implies;
	xsk__sys_munmap(e.page, e.page_len);
	xsk__sys_close(e.fd);
	if (e.err == -ENOBUFS)
		return xsk__err_advice(
			e.err, XSK_ADVICE_MEMLOCK,
			"probing needs one page of locked memory, and RLIMIT_MEMLOCK leaves none: raise the limit (ulimit -l) or run with CAP_IPC_LOCK");
	if (e.err)
		return xsk__err(e.err, "probing UMEM flags failed: %s",
				strerror(-e.err));
	*out = f;
	return 0;
}

/* The answer can't change while the kernel runs: ask once. A race between
 * two first calls only probes twice. */
static uint64_t cached;
static int have;

void xsk__probe_forget(void)
{
	__atomic_store_n(&have, 0, __ATOMIC_RELEASE);
}

int xsk_probe(uint64_t *features_out)
{
	uint64_t f = 0;
	int err;

	if (!features_out)
		return xsk__err(-EINVAL, "xsk_probe: features is NULL");
	if (__atomic_load_n(&have, __ATOMIC_ACQUIRE)) {
		*features_out = __atomic_load_n(&cached, __ATOMIC_RELAXED);
		return 0;
	}
	err = probe(&f);
	if (err)
		return err;
	__atomic_store_n(&cached, f, __ATOMIC_RELAXED);
	__atomic_store_n(&have, 1, __ATOMIC_RELEASE);
	*features_out = f;
	return 0;
}

const char *xsk_feature_name(uint64_t feature)
{
	size_t i;

	for (i = 0; i < NFEATURES; i++)
		if (features[i].bit == feature)
			return features[i].name;
	return NULL;
}
