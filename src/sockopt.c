// SPDX-License-Identifier: MIT
/*
 * Per-socket options after setup: statistics, the zero-copy query, busy
 * polling and the copy-mode TX budget. Each says "unsupported" cleanly on
 * kernels that predate it.
 */
#include "gnu.h"

#include <errno.h>
#include <string.h>

#include "internal.h"

/*
 * The counters of struct xsk_stats follow the kernel's struct
 * xdp_statistics, in its order, so the kernel writes straight into them:
 * v1 (Linux 4.18) is the first three, v2 (5.9) all six.
 */
#define XSK_KSTATS_V1 (3 * sizeof(uint64_t))
#define XSK_KSTATS_V2 (6 * sizeof(uint64_t))
_Static_assert(offsetof(struct xsk_stats, tx_ring_empty_descs) -
			       offsetof(struct xsk_stats, rx_dropped) ==
		       XSK_KSTATS_V2 - sizeof(uint64_t),
	       "xsk_stats counters must be contiguous");

int xsk_socket_stats(struct xsk_socket *xsk, struct xsk_stats *stats)
{
	struct xsk_stats out;
	socklen_t len = XSK_KSTATS_V2;
	int err;

	if (!xsk)
		return xsk__err(-EINVAL,
				"xsk_socket_stats: the socket is NULL");
	if (!stats || stats->sz < offsetof(struct xsk_stats, rx_ring_full))
		return xsk__err(
			-EINVAL,
			"struct xsk_stats: set .sz to sizeof(struct xsk_stats)");
	memset(&out, 0, sizeof(out));
	err = xsk__sys_getsockopt(xsk->fd, SOL_XDP, XDP_STATISTICS,
				  &out.rx_dropped, &len);
	if (err)
		return xsk__err_sys(
			err, "reading the statistics (XDP_STATISTICS) failed");
	if (len != XSK_KSTATS_V2 && len != XSK_KSTATS_V1)
		return xsk__err(
			-EPROTO,
			"XDP_STATISTICS answered %u bytes, neither the v1 (%zu) nor the v2 (%zu) layout",
			(unsigned int)len, XSK_KSTATS_V1, XSK_KSTATS_V2);
	out.flags = len == XSK_KSTATS_V2 ? XSK_STATS_V2 : 0;
	/* Fill what the caller's (perhaps older) struct has room for. */
	out.sz = stats->sz;
	memcpy(stats, &out, stats->sz < sizeof(out) ? stats->sz : sizeof(out));
	return 0;
}

int xsk_socket_zerocopy(struct xsk_socket *xsk)
{
	struct xdp_options o = { 0 };
	socklen_t len = sizeof(o);
	int err;

	if (!xsk)
		return xsk__err(-EINVAL,
				"xsk_socket_zerocopy: the socket is NULL");
	if (!xsk->bound)
		return xsk__err(
			-ENXIO,
			"the socket is not bound yet: the mode is chosen at bind");
	err = xsk__sys_getsockopt(xsk->fd, SOL_XDP, XDP_OPTIONS, &o, &len);
	if (err == -ENOPROTOOPT)
		return xsk__err(
			-EOPNOTSUPP,
			"this kernel can't tell copy from zero-copy mode (XDP_OPTIONS needs Linux 5.3)");
	if (err)
		return xsk__err_sys(
			err, "reading the socket's mode (XDP_OPTIONS) failed");
	return o.flags & XDP_OPTIONS_ZEROCOPY ? 1 : 0;
}

static int sol_socket_get(int fd, int name, int *val)
{
	socklen_t len = sizeof(*val);

	return xsk__sys_getsockopt(fd, SOL_SOCKET, name, val, &len);
}

static int explain_busy_poll(int err, const char *what)
{
	if (err == -ENOPROTOOPT)
		return xsk__err(
			-EOPNOTSUPP,
			"this kernel has no preferred busy polling (SO_PREFER_BUSY_POLL and SO_BUSY_POLL_BUDGET need Linux 5.11)");
	if (err == -EPERM)
		return xsk__err_advice(
			err, XSK_ADVICE_NET_ADMIN,
			"setting %s needs CAP_NET_ADMIN (SO_PREFER_BUSY_POLL always does; the others above the system's defaults)",
			what);
	return xsk__err(err, "setting %s failed: %s", what, strerror(-err));
}

int xsk_socket_busy_poll(struct xsk_socket *xsk, uint32_t usecs,
			 uint32_t budget)
{
	static const int names[3] = { SO_PREFER_BUSY_POLL, SO_BUSY_POLL,
				      SO_BUSY_POLL_BUDGET };
	static const char *const what[3] = { "SO_PREFER_BUSY_POLL",
					     "SO_BUSY_POLL",
					     "SO_BUSY_POLL_BUDGET" };
	int want[3] = { usecs ? 1 : 0, (int)usecs,
			budget ? (int)budget : XSK_DEFAULT_BUSY_POLL_BUDGET };
	int old[3], i, failed, err;

	if (!xsk)
		return xsk__err(-EINVAL,
				"xsk_socket_busy_poll: the socket is NULL");
	if (usecs > INT32_MAX || budget > UINT16_MAX)
		return xsk__err(
			-EINVAL,
			"busy-poll time %u us or budget %u out of range (the budget is at most 65535)",
			usecs, budget);
	/* Read the old values first, so that a failure can put them back.
	 * The budget, which can't be read, is set last: nothing comes after
	 * it that could fail. */
	for (i = 0; i < 2; i++) {
		err = sol_socket_get(xsk->fd, names[i], &old[i]);
		if (err)
			return explain_busy_poll(err, what[i]);
	}
	for (i = 0; i < 3; i++) {
		err = xsk__sys_setsockopt(xsk->fd, SOL_SOCKET, names[i],
					  &want[i], sizeof(want[i]));
		if (err)
			break;
	}
	if (!err) {
		xsk->busy_poll = usecs != 0;
		return 0;
	}
	for (failed = i; i-- > 0;)
		xsk__sys_setsockopt(xsk->fd, SOL_SOCKET, names[i], &old[i],
				    sizeof(old[i]));
	return explain_busy_poll(err, what[failed]);
}

int xsk_socket_set_tx_budget(struct xsk_socket *xsk, uint32_t budget)
{
	int v = (int)budget;
	int err;

	if (!xsk || !xsk->tx_map.addr)
		return xsk__err(-EINVAL,
				"the socket is NULL or has no TX ring");
	if (budget < 32 || budget > xsk->tx.size)
		return xsk__err(
			-EINVAL,
			"TX budget %u out of range: it must be from 32 to the TX ring size, %u",
			budget, xsk->tx.size);
	err = xsk__sys_setsockopt(xsk->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &v,
				  sizeof(v));
	if (err == -ENOPROTOOPT)
		return xsk__err(
			-EOPNOTSUPP,
			"this kernel has no XDP_MAX_TX_SKB_BUDGET (Linux 6.17): it sends its fixed budget per call, 32 frames (16 before Linux 5.14)");
	if (err)
		return xsk__err_sys(
			err,
			"setting the TX budget (XDP_MAX_TX_SKB_BUDGET) failed");
	return 0;
}
