// SPDX-License-Identifier: MIT
/*
 * The frames tx and pingpong send and rx --verify checks. See common.h.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

#define ETH_LEN 14
#define VLAN_LEN 4
#define IP4_LEN 20
#define IP6_LEN 40
#define UDP_LEN 8
#define MARK_LEN 16 /* "XSK1", the queue, the sequence number */
#define PORT 9 /* discard */

static const uint8_t ip4_src[4] = { 198, 18, 0, 1 },
		     ip4_dst[4] = { 198, 18, 0, 2 };
static const uint8_t ip6_src[16] = { 0x20, 1, 0, 2, [15] = 1 },
		     ip6_dst[16] = { 0x20, 1, 0, 2, [15] = 2 };

/* Where things are in a frame of one layout. */
struct layout {
	uint32_t l3, l4, mark, seq, hdr;
};

static struct layout layout(bool vlan, bool ipv6)
{
	struct layout w;

	w.l3 = ETH_LEN + (vlan ? VLAN_LEN : 0);
	w.l4 = w.l3 + (ipv6 ? IP6_LEN : IP4_LEN);
	w.mark = w.l4 + UDP_LEN;
	w.seq = w.mark + 8;
	w.hdr = w.mark + MARK_LEN;
	return w;
}

uint32_t frame_hdr_len(bool vlan, bool ipv6)
{
	return layout(vlan, ipv6).hdr;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* The ones' complement sum of @len bytes, added to @sum, not folded. */
static uint64_t sum16(uint64_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The UDP checksum of an IPv6 frame: over the pseudo-header and the UDP
 * header and payload, with the checksum field as it is. */
static uint16_t udp6_sum(const uint8_t *f, uint32_t len, struct layout w)
{
	uint32_t ulen = len - w.l4;
	uint64_t sum = sum16(0, f + w.l3 + 8, 32); /* the two addresses */

	sum += ulen + 17;
	return fold(sum16(sum, f + w.l4, ulen));
}

/* The source port of the frame with sequence number @seq. */
static uint32_t flow_port(const struct frame_spec *s, uint64_t seq)
{
	return s->flows > 1 ? FRAME_FLOW_PORT + (uint32_t)(seq % s->flows) :
			      PORT;
}

/* The headers up to the sequence number (0), with the IPv4 checksum and
 * no UDP checksum. */
static void write_headers(uint8_t *f, const struct frame_spec *s,
			  struct layout w)
{
	uint8_t *ip = f + w.l3, *udp = f + w.l4;

	memcpy(f, s->dst, 6);
	memcpy(f + 6, s->src, 6);
	if (s->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, s->vlan);
	}
	put16(f + w.l3 - 2, s->ipv6 ? 0x86dd : 0x0800);
	if (s->ipv6) {
		memset(ip, 0, IP6_LEN);
		ip[0] = 0x60;
		put16(ip + 4, s->len - w.l4);
		ip[6] = 17; /* UDP */
		ip[7] = 64; /* hop limit */
		memcpy(ip + 8, ip6_src, 16);
		memcpy(ip + 24, ip6_dst, 16);
	} else {
		memset(ip, 0, IP4_LEN);
		ip[0] = 0x45;
		put16(ip + 2, s->len - w.l3);
		ip[6] = 0x40; /* don't fragment */
		ip[8] = 64; /* TTL */
		ip[9] = 17; /* UDP */
		memcpy(ip + 12, ip4_src, 4);
		memcpy(ip + 16, ip4_dst, 4);
		put16(ip + 10, (uint16_t)~fold(sum16(0, ip, IP4_LEN)));
	}
	put16(udp, flow_port(s, 0));
	put16(udp + 2, PORT);
	put16(udp + 4, s->len - w.l4);
	put16(udp + 6, 0); /* none: allowed over IPv4 */
	memcpy(f + w.mark, "XSK1", 4);
	for (int i = 0; i < 4; i++)
		f[w.mark + 4 + i] = (uint8_t)(s->queue >> (24 - 8 * i));
	memset(f + w.seq, 0, 8);
}

void frame_template(uint8_t *f, const struct frame_spec *s)
{
	struct layout w = layout(s->vlan != 0, s->ipv6);

	write_headers(f, s, w);
	for (uint32_t i = w.hdr; i < s->len; i++)
		f[i] = (uint8_t)i;
	if (s->ipv6) {
		/* Over IPv6 a UDP checksum is required; 0 goes as 0xffff. */
		uint16_t c = (uint16_t)~udp6_sum(f, s->len, w);

		put16(f + w.l4 + 6, c ? c : 0xffff);
	}
}

void frame_stamp(uint8_t *f, const uint8_t *t, const struct frame_spec *s,
		 uint64_t seq)
{
	struct layout w = layout(s->vlan != 0, s->ipv6);
	uint32_t port = flow_port(s, seq);

	memcpy(f, t, w.hdr);
	put16(f + w.l4, port);
	for (int k = 0; k < 8; k++)
		f[w.seq + k] = (uint8_t)(seq >> (56 - 8 * k));
	if (s->ipv6) {
		/* The template's checksum, updated for the words that changed
		 * (RFC 1624): its sequence number was 0, its port 9. */
		uint64_t sum = (uint16_t)~get16(t + w.l4 + 6);
		uint16_t c;

		sum += port + (uint16_t)~get16(t + w.l4);
		sum = sum16(sum, f + w.seq, 8);
		c = (uint16_t)~fold(sum);
		put16(f + w.l4 + 6, c ? c : 0xffff);
	}
}

/* ------------------------------------------------------------ checking */

/* What a frame is, when it is not ours: "IPv6 ICMPv6 type 135 (neighbour
 * solicitation)". */
static void describe_other(char *why, size_t n, uint32_t type,
			   const uint8_t *l3, uint32_t left)
{
	static const struct {
		uint8_t type;
		const char *name;
	} icmp6[] = {
		{ 133, "router solicitation" },
		{ 134, "router advertisement" },
		{ 135, "neighbour solicitation" },
		{ 136, "neighbour advertisement" },
		{ 143, "multicast listener report" },
	};
	const char *name = "";
	uint32_t next = 0, off = IP6_LEN;

	if (type == 0x86dd && left >= IP6_LEN) {
		/* Past the hop-by-hop options that MLD reports carry, and
		 * the other extension headers of that form. */
		next = l3[6];
		while ((next == 0 || next == 43 || next == 60) &&
		       left >= off + 2) {
			next = l3[off];
			off += 8 * (l3[off + 1] + 1u);
		}
	}
	if (type == 0x0806) {
		snprintf(why, n, "ARP");
	} else if (type == 0x86dd && next == 58 && left > off) {
		for (size_t i = 0; i < sizeof(icmp6) / sizeof(icmp6[0]); i++)
			if (icmp6[i].type == l3[off])
				name = icmp6[i].name;
		snprintf(why, n, "IPv6 ICMPv6 type %u%s%s%s", l3[off],
			 *name ? " (" : "", name, *name ? ")" : "");
	} else if (type == 0x86dd && left >= IP6_LEN) {
		snprintf(why, n, "IPv6 next header %u", next);
	} else if (type == 0x0800 && left >= IP4_LEN) {
		snprintf(why, n, "IPv4 protocol %u", l3[9]);
	} else {
		snprintf(why, n, "ethertype 0x%04x", type);
	}
}

/* The name of the header field at byte @i of a frame laid out as @w. */
static const char *field_name(uint32_t i, struct layout w, bool ipv6)
{
	static const char *const ip4[IP4_LEN] = {
		"IPv4 version",	 "IPv4 TOS",
		"IPv4 length",	 "IPv4 length",
		"IPv4 id",	 "IPv4 id",
		"IPv4 flags",	 "IPv4 fragment offset",
		"IPv4 TTL",	 "IPv4 protocol",
		"IPv4 checksum", "IPv4 checksum",
	};
	static const char *const udp[UDP_LEN / 2] = { "UDP source port",
						      "UDP destination port",
						      "UDP length",
						      "UDP checksum" };

	if (i < 6)
		return "destination MAC";
	if (i < 12)
		return "source MAC";
	if (i < w.l3)
		return "ethertype or VLAN tag";
	if (i < w.l4 && !ipv6)
		return i - w.l3 < 12 ? ip4[i - w.l3] :
		       i - w.l3 < 16 ? "IPv4 source" :
				       "IPv4 destination";
	if (i < w.l4)
		return i - w.l3 < 4  ? "IPv6 version and flow label" :
		       i - w.l3 < 6  ? "IPv6 payload length" :
		       i - w.l3 < 8  ? "IPv6 next header or hop limit" :
		       i - w.l3 < 24 ? "IPv6 source" :
				       "IPv6 destination";
	if (i < w.mark)
		return udp[(i - w.l4) / 2];
	return i < w.mark + 4 ? "mark" : i < w.seq ? "queue" : "sequence";
}

enum frame_verdict frame_check(const uint8_t *f, uint32_t len,
			       const struct options *o, char *why,
			       size_t whylen)
{
	uint8_t want[128];
	struct frame_spec s;
	struct layout w;
	uint32_t type, l3 = ETH_LEN;
	bool vlan = false, ipv6;

	if (len < ETH_LEN) {
		if (why)
			snprintf(why, whylen, "a runt of %u bytes", len);
		return FRAME_NOT_OURS;
	}
	type = get16(f + 12);
	if (type == 0x8100 && len >= ETH_LEN + VLAN_LEN) {
		vlan = true;
		l3 += VLAN_LEN;
		type = get16(f + 16);
	}
	ipv6 = type == 0x86dd;
	w = layout(vlan, ipv6);
	/* Ours: IPv4 or IPv6, UDP to port 9, the mark. */
	if ((type != 0x0800 && !ipv6) || len < w.mark + 4 ||
	    f[l3 + (ipv6 ? 6 : 9)] != 17 || (!ipv6 && (f[l3] & 0xf) != 5) ||
	    get16(f + w.l4 + 2) != PORT || memcmp(f + w.mark, "XSK1", 4)) {
		if (why && (type == 0x0800 || ipv6) && len >= w.mark + 4 &&
		    f[l3 + (ipv6 ? 6 : 9)] == 17)
			snprintf(why, whylen,
				 get16(f + w.l4 + 2) != PORT ?
					 "UDP to port %u" :
					 "UDP to port %u without the XSK1 mark",
				 get16(f + w.l4 + 2));
		else if (why)
			describe_other(why, whylen, type, f + l3, len - l3);
		return FRAME_NOT_OURS;
	}
	if (len < w.hdr || len < FRAME_MIN_LEN) {
		if (why)
			snprintf(why, whylen, "cut short: %u bytes", len);
		return FRAME_CORRUPT;
	}

	/* The headers as frame_template() writes them for this length and
	 * the frame's own VLAN id, queue and source port, with the frame's
	 * MACs unless the options say which to expect. */
	memset(&s, 0, sizeof(s));
	s.len = len;
	memcpy(s.src, o->have_src_mac ? o->src_mac : f + 6, 6);
	memcpy(s.dst, o->have_dst_mac ? o->dst_mac : f, 6);
	s.vlan = vlan ? (uint16_t)get16(f + 14) : 0;
	s.ipv6 = ipv6;
	s.flows = 1;
	s.queue = (uint32_t)f[w.mark + 4] << 24 |
		  (uint32_t)f[w.mark + 5] << 16 | (uint32_t)f[w.mark + 6] << 8 |
		  f[w.mark + 7];
	write_headers(want, &s, w);
	put16(want + w.l4, get16(f + w.l4));
	if (ipv6)
		put16(want + w.l4 + 6, get16(f + w.l4 + 6));
	for (uint32_t i = 0; i < w.seq; i++) {
		if (f[i] == want[i])
			continue;
		if (why)
			snprintf(why, whylen,
				 "byte %u (%s) is 0x%02x, want 0x%02x", i,
				 field_name(i, w, ipv6), f[i], want[i]);
		return FRAME_CORRUPT;
	}
	for (uint32_t i = w.hdr; i < len; i++) {
		if (f[i] == (uint8_t)i)
			continue;
		if (why)
			snprintf(why, whylen,
				 "payload byte %u is 0x%02x, want 0x%02x", i,
				 f[i], (uint8_t)i);
		return FRAME_CORRUPT;
	}
	if (ipv6 && udp6_sum(f, len, w) != 0xffff) {
		if (why)
			snprintf(why, whylen,
				 "its UDP checksum 0x%04x does not add up",
				 get16(f + w.l4 + 6));
		return FRAME_CORRUPT;
	}
	return FRAME_OK;
}

uint64_t frame_seq(const uint8_t *f)
{
	bool vlan = get16(f + 12) == 0x8100;
	bool ipv6 = get16(f + (vlan ? 16 : 12)) == 0x86dd;
	const uint8_t *p = f + layout(vlan, ipv6).seq;
	uint64_t seq = 0;

	for (int k = 0; k < 8; k++)
		seq = seq << 8 | p[k];
	return seq;
}
