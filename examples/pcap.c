// SPDX-License-Identifier: MIT
/*
 * rx --pcap: the classic pcap file format, which tcpdump, Wireshark and
 * every capture tool read, written with stdio: a file header, then per
 * frame a record header (time, lengths) and the frame's bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define PCAP_MAGIC 0xa1b2c3d4 /* times in microseconds */
#define PCAP_ETHERNET 1

int pcap_open(struct app *a)
{
	/* In this machine's byte order, which the magic tells readers. */
	const struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} h = { PCAP_MAGIC, 2, 4, 0, 0, PCAP_SNAPLEN, PCAP_ETHERNET };

	a->pcap = fopen(a->o.pcap, "wb");
	if (!a->pcap || fwrite(&h, sizeof(h), 1, a->pcap) != 1) {
		fprintf(stderr, "%s: --pcap %s: %s\n", a->name, a->o.pcap,
			strerror(errno));
		return 1;
	}
	return 0;
}

int pcap_write(struct app *a, const uint8_t *frame, uint32_t len)
{
	struct timespec ts;
	uint32_t rec[4];
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	rec[0] = (uint32_t)ts.tv_sec;
	rec[1] = (uint32_t)(ts.tv_nsec / 1000);
	rec[2] = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
	rec[3] = len;
	/* One record at a time: the queues' threads share the file. */
	flockfile(a->pcap);
	if (fwrite(rec, sizeof(rec), 1, a->pcap) != 1 ||
	    fwrite(frame, rec[2], 1, a->pcap) != 1)
		err = -errno;
	funlockfile(a->pcap);
	return err;
}
