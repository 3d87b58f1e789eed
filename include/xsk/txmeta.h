/* SPDX-License-Identifier: MIT */
/*
 * libxsk TX metadata (Linux 6.8): per-frame requests to the kernel or the
 * driver, written in the tx_metadata_len bytes in front of a TX frame's
 * data, and a completion timestamp read back from the same place.
 *
 * To use it: create the UMEM with xsk_umem_opts.tx_metadata_len (at least
 * sizeof(struct xsk_tx_meta), 24) and place each TX frame's data at least
 * that far into its chunk; before submitting, fill the metadata with the
 * functions below and set XDP_TX_METADATA in the descriptor's options.
 * In copy mode checksum requests need XSK_UMEM_TX_SW_CSUM; timestamps and
 * launch time need driver support (and launch time Linux 6.15).
 *
 * This header stands alone (it includes <xsk/ring.h>) and compiles as C11
 * and C++.
 */
#ifndef LIBXSK_TXMETA_H
#define LIBXSK_TXMETA_H

#include <stdint.h>
#include <string.h>
#include <xsk/ring.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef XDP_TX_METADATA
#define XDP_TX_METADATA (1 << 1) /* xdp_desc.options: metadata is valid */
#endif

/* struct xsk_tx_meta.flags, the kernel's XDP_TXMD_FLAGS_* */
#define XSK_TXMD_TIMESTAMP (1u << 0) /* fill completion.tx_timestamp */
#define XSK_TXMD_CHECKSUM (1u << 1) /* checksum from csum_start on */
#define XSK_TXMD_LAUNCH_TIME (1u << 2) /* send at request.launch_time */

/*
 * The kernel's struct xsk_tx_metadata as of Linux 6.15, under a name of its
 * own so that it never clashes with the installed headers' (older ones lack
 * launch_time). Requests are read when the frame is sent; the completion
 * overwrites them when it is done. The union's two members have named
 * types, declared outside it: C++ allows no type declared inside an
 * anonymous union (clang++ -pedantic warns).
 */
struct xsk_tx_meta_request {
	uint16_t csum_start; /* from the data start */
	uint16_t csum_offset; /* of the checksum, from csum_start */
	uint32_t reserved;
	uint64_t launch_time; /* ns, on the device's PTP clock */
};

struct xsk_tx_meta_completion {
	uint64_t tx_timestamp; /* ns, on the device's clock */
};

struct xsk_tx_meta {
	uint64_t flags;
	union {
		struct xsk_tx_meta_request request;
		struct xsk_tx_meta_completion completion;
	};
};

/**
 * xsk_tx_meta() - the metadata in front of a TX frame's data
 * @umem_area: the UMEM (xsk_umem_area())
 * @addr: the frame's UMEM address, as it goes in the TX descriptor
 * @tx_metadata_len: the UMEM's tx_metadata_len
 *
 * Return: a pointer @tx_metadata_len bytes before the data at @addr.
 */
static inline struct xsk_tx_meta *xsk_tx_meta(void *umem_area, uint64_t addr,
					      uint32_t tx_metadata_len)
{
	return (struct xsk_tx_meta *)(void *)((char *)xsk_umem__get_data(
						      umem_area, addr) -
					      tx_metadata_len);
}

/**
 * xsk_tx_meta_clear() - no requests: start a frame's metadata afresh
 * @m: the metadata
 *
 * A completion leaves its timestamp behind, so clear before reusing a frame.
 */
static inline void xsk_tx_meta_clear(struct xsk_tx_meta *m)
{
	memset(m, 0, sizeof(*m));
}

/**
 * xsk_tx_meta_checksum() - ask for a checksum to be computed on the way out
 * @m: the metadata
 * @start: where summing starts, from the frame's data (e.g. the UDP header)
 * @offset: where the result goes, from @start (6 for UDP, 16 for TCP)
 *
 * As with any checksum offload, the field must hold the folded (not
 * inverted) pseudo-header sum beforehand.
 */
static inline void xsk_tx_meta_checksum(struct xsk_tx_meta *m, uint16_t start,
					uint16_t offset)
{
	m->flags |= XSK_TXMD_CHECKSUM;
	m->request.csum_start = start;
	m->request.csum_offset = offset;
}

/**
 * xsk_tx_meta_timestamp() - ask for the time the frame left the device
 * @m: the metadata
 *
 * Read it with xsk_tx_meta_completion_time() once the frame's address came
 * back on the completion ring; 0 there means the driver gave none.
 */
static inline void xsk_tx_meta_timestamp(struct xsk_tx_meta *m)
{
	m->flags |= XSK_TXMD_TIMESTAMP;
}

/**
 * xsk_tx_meta_launch_time() - ask the device to send the frame at a time
 * @m: the metadata
 * @ns: nanoseconds on the device's PTP clock
 */
static inline void xsk_tx_meta_launch_time(struct xsk_tx_meta *m, uint64_t ns)
{
	m->flags |= XSK_TXMD_LAUNCH_TIME;
	m->request.launch_time = ns;
}

/**
 * xsk_tx_meta_completion_time() - the timestamp of a completed frame
 * @m: the metadata of a frame whose address came back on the completion ring
 *
 * Return: nanoseconds on the device's clock, or 0 if none was taken.
 */
static inline uint64_t xsk_tx_meta_completion_time(const struct xsk_tx_meta *m)
{
	return m->completion.tx_timestamp;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LIBXSK_TXMETA_H */
