// SPDX-License-Identifier: MIT
/*
 * The frames tx sends and rx --verify checks. See common.h.
 */
#include <string.h>

#include "common.h"

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void frame_init(uint8_t *f, uint32_t len, const uint8_t src[6],
		const uint8_t dst[6], uint32_t queue)
{
	static const uint8_t ip[] = {
		0x45, 0,  0,	0, /* version 4, 20 bytes; total length */
		0,    0,  0x40, 0, /* id 0, don't fragment */
		64,   17, 0,	0, /* TTL, UDP; checksum */
		198,  18, 0,	1, 198, 18, 0, 2,
	};

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, 0x0800);
	memcpy(f + 14, ip, sizeof(ip));
	put16(f + 16, len - 14);
	put16(f + 24, ip_checksum(f + 14, 20));
	put16(f + 34, 9);
	put16(f + 36, 9);
	put16(f + 38, len - 34);
	put16(f + 40, 0); /* no UDP checksum: allowed over IPv4 */
	memcpy(f + 42, "XSK1", 4);
	for (int i = 0; i < 4; i++)
		f[FRAME_QUEUE_OFF + i] = (uint8_t)(queue >> (24 - 8 * i));
	memset(f + FRAME_SEQ_OFF, 0, 8);
	for (uint32_t i = FRAME_SEQ_OFF + 8; i < len; i++)
		f[i] = (uint8_t)i;
}

bool frame_check(const uint8_t *f, uint32_t len, const struct options *o)
{
	uint8_t want[FRAME_MIN_LEN];
	uint32_t queue;

	if (len < FRAME_MIN_LEN)
		return false;
	queue = (uint32_t)f[FRAME_QUEUE_OFF] << 24 |
		(uint32_t)f[FRAME_QUEUE_OFF + 1] << 16 |
		(uint32_t)f[FRAME_QUEUE_OFF + 2] << 8 | f[FRAME_QUEUE_OFF + 3];
	/* The headers as frame_init() writes them for this length, with
	 * the frame's own MACs unless the options say which to expect. */
	frame_init(want, FRAME_MIN_LEN, o->have_src_mac ? o->src_mac : f + 6,
		   o->have_dst_mac ? o->dst_mac : f, queue);
	put16(want + 16, len - 14);
	put16(want + 24, 0);
	put16(want + 24, ip_checksum(want + 14, 20));
	put16(want + 38, len - 34);
	if (memcmp(f, want, FRAME_SEQ_OFF))
		return false;
	for (uint32_t i = FRAME_SEQ_OFF + 8; i < len; i++)
		if (f[i] != (uint8_t)i)
			return false;
	return true;
}
