// SPDX-License-Identifier: MIT
/* Facts about a network device, read to explain errors and size maps. */
#include "gnu.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "internal.h"

/*
 * The number of queues an AF_XDP socket may bind to: the kernel accepts a
 * queue id below both the device's real RX and TX queue counts, which
 * ethtool reports as combined channels plus dedicated RX (or TX) channels.
 */
int xsk_if_channels(uint32_t ifindex, uint32_t *count)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	uint32_t rxq, txq;
	int fd, err;

	memset(&ifr, 0, sizeof(ifr));
	err = xsk_sys_ifname(ifindex, ifr.ifr_name);
	if (err)
		return err;
	fd = xsk_sys_socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	ifr.ifr_data = (char *)&ch;
	err = xsk_sys_ioctl(fd, SIOCETHTOOL, &ifr);
	xsk_sys_close(fd);
	if (err)
		return err;
	rxq = ch.combined_count + ch.rx_count;
	txq = ch.combined_count + ch.tx_count;
	*count = txq && txq < rxq ? txq : rxq;
	return *count ? 0 : -EOPNOTSUPP;
}
