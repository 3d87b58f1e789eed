// SPDX-License-Identifier: MIT
/* Facts about a network device, read to explain errors and size maps. */
#include "gnu.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
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
/* Queues of one direction as sysfs lists them (rx-0, rx-1, ...). */
static uint32_t sysfs_queues(const char *ifname, const char *prefix)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *de;
	uint32_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

int xsk__if_channels(uint32_t ifindex, uint32_t *count)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	uint32_t rxq = 0, txq = 0;
	int fd, err;

	memset(&ifr, 0, sizeof(ifr));
	err = xsk__sys_ifname(ifindex, ifr.ifr_name);
	if (err)
		return err;
	fd = xsk__sys_socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return fd;
	ifr.ifr_data = (char *)&ch;
	err = xsk__sys_ioctl(fd, SIOCETHTOOL, &ifr);
	xsk__sys_close(fd);
	if (!err) {
		rxq = ch.combined_count + ch.rx_count;
		txq = ch.combined_count + ch.tx_count;
	}
	/* Drivers without ethtool channels (veth before 5.13, for one):
	 * the real queue counts are in sysfs. */
	if (!rxq) {
		rxq = sysfs_queues(ifr.ifr_name, "rx-");
		txq = sysfs_queues(ifr.ifr_name, "tx-");
	}
	*count = txq && txq < rxq ? txq : rxq;
	return *count ? 0 : err ? err : -EOPNOTSUPP;
}
