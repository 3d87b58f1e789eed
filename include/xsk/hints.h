/* SPDX-License-Identifier: MIT */
/*
 * libxsk RX hints (Linux 6.3; the VLAN tag 6.8): what the NIC computed for
 * a received frame (the RSS hash and its type, the VLAN tag it stripped,
 * its hardware receive timestamp), read by the built-in XDP program from
 * the driver with the kernel's RX metadata kfuncs and written into the
 * metadata area in front of the frame, which AF_XDP delivers into the
 * UMEM right before the frame's data.
 *
 * To use it: attach the program with xsk_prog_opts.hints set to the
 * XSK_HINT_* bits wanted (native mode only: xsk_prog_attach() explains
 * every refusal), and read each received frame's record with
 * xsk_rx_hints(). No UMEM headroom is needed: the record lies in the 256
 * bytes the kernel keeps in front of every received frame
 * (XDP_PACKET_HEADROOM), after the UMEM's own headroom, which stays
 * untouched. That headroom must be a multiple of 8, so that the record is
 * aligned (xsk_prog_add_socket() checks).
 *
 * A record belongs to the first descriptor of a packet: in a multi-buffer
 * packet the other descriptors carry none. And a chunk keeps the last
 * record written into it: a frame delivered without one (no program with
 * hints, a driver without an XDP metadata area) shows an earlier frame's.
 *
 * This header stands alone (it includes <xsk/ring.h>) and compiles as C11
 * and C++.
 */
#ifndef LIBXSK_HINTS_H
#define LIBXSK_HINTS_H

#include <stdint.h>
#include <xsk/ring.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The hints: bits of xsk_prog_opts.hints (which to collect) and of
 * struct xsk_hints.valid (which the driver gave for this frame).
 */
#define XSK_HINT_TIMESTAMP (1u << 0) /* bpf_xdp_metadata_rx_timestamp, 6.3 */
#define XSK_HINT_HASH (1u << 1) /* bpf_xdp_metadata_rx_hash, 6.3 */
#define XSK_HINT_VLAN (1u << 2) /* bpf_xdp_metadata_rx_vlan_tag, 6.8 */
#define XSK_HINT_ALL (XSK_HINT_TIMESTAMP | XSK_HINT_HASH | XSK_HINT_VLAN)

/*
 * struct xsk_hints.hash_type: the kernel's enum xdp_rss_hash_type, which is
 * not in its UAPI headers. Which headers the hash covers, as bits: an L4
 * hash has XSK_RSS_L4 and, when the driver knows it, the protocol's bit
 * (veth reports XSK_RSS_L4 alone: the socket buffer it hashes from keeps no
 * more than "L4 or not").
 */
#define XSK_RSS_L3_IPV4 (1u << 0)
#define XSK_RSS_L3_IPV6 (1u << 1)
#define XSK_RSS_L3_DYNHDR (1u << 2) /* IPv4 options, IPv6 extension headers */
#define XSK_RSS_L4 (1u << 3)
#define XSK_RSS_L4_TCP (1u << 4)
#define XSK_RSS_L4_UDP (1u << 5)
#define XSK_RSS_L4_SCTP (1u << 6)
#define XSK_RSS_L4_IPSEC (1u << 7) /* the hash includes the IPsec SPI */
#define XSK_RSS_L4_ICMP (1u << 8)

#define XSK_HINTS_VERSION 1

/**
 * struct xsk_hints - the record in front of a received frame
 * @timestamp: the hardware receive time, in ns of the device's clock
 *	(valid with XSK_HINT_TIMESTAMP)
 * @hash: the RSS hash (valid with XSK_HINT_HASH)
 * @hash_type: XSK_RSS_* bits: what @hash covers (valid with XSK_HINT_HASH)
 * @vlan_proto: the stripped tag's protocol (TPID) in network byte order, as
 *	on the wire: 0x8100 (802.1Q) is bytes 81 00 (valid with XSK_HINT_VLAN)
 * @vlan_tci: the stripped tag's TCI: priority (3 bits), DEI (1), VLAN id
 *	(12), in host byte order (valid with XSK_HINT_VLAN)
 * @valid: XSK_HINT_* bits of the fields the driver gave for this frame; a
 *	hint asked for but not given (the driver lacks it, or has none for this
 *	frame) is left out, its fields 0
 * @reserved: 0
 * @size: the record's size in bytes, at least sizeof(struct xsk_hints)
 * @version: XSK_HINTS_VERSION or later
 *
 * The record ends where the frame's data begins. A later version only adds
 * fields in front of these, so this layout stays the last 24 bytes: a
 * reader built against version 1 reads newer records unchanged.
 */
struct xsk_hints {
	uint64_t timestamp;
	uint32_t hash;
	uint32_t hash_type;
	uint16_t vlan_proto;
	uint16_t vlan_tci;
	uint8_t valid;
	uint8_t reserved;
	uint8_t size;
	uint8_t version;
};

/**
 * xsk_rx_hints() - the hints record of a received frame
 * @u: the UMEM's bounds (xsk_umem_get_bounds())
 * @desc: an RX descriptor, the first of its packet
 *
 * Checks what can be checked without trusting the descriptor: that it lies
 * in the UMEM (xsk_umem__check_desc()), that the record lies between the
 * start of the frame's chunk and its data, aligned, and that it is one
 * (a version, a size that fits). Reads nothing else.
 *
 * Return: the record, in the UMEM (valid until the frame is reused), or
 * NULL if there is none or the descriptor fails a check.
 */
static inline const struct xsk_hints *
xsk_rx_hints(const struct xsk_umem_bounds *u, const struct xdp_desc *desc)
{
	const struct xsk_hints *h;
	__u64 addr = desc->addr, before;

	if (xsk_umem__check_desc(u, addr, desc->len) != XSK_DESC_OK)
		return NULL;
	if (u->unaligned) {
		/* the kernel's offset from the chunk the fill ring gave */
		before = xsk_umem__extract_offset(addr);
		addr = xsk_umem__add_offset_to_addr(addr);
	} else {
		before = addr & (u->chunk_size - 1);
	}
	if (before < sizeof(*h))
		return NULL;
	h = (const struct xsk_hints *)(const void *)((const char *)u->area +
						     addr - sizeof(*h));
	if ((uintptr_t)h % sizeof(uint64_t))
		return NULL;
	if (h->version < XSK_HINTS_VERSION || h->size < sizeof(*h) ||
	    h->size > before)
		return NULL;
	return h;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LIBXSK_HINTS_H */
