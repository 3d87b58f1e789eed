// SPDX-License-Identifier: MIT
/*
 * rx: receive frames on AF_XDP sockets and count them; on request check
 * each one (--verify), read it (--touch), print it (--dump) or write it to
 * a file (--pcap), and read what the NIC computed for it (--hints).
 *
 *	rx -i eth0                 count what arrives on queue 0
 *	rx -i eth0 -q 0-3 -w poll  four queues, four threads, sleeping when idle
 *	rx -i eth0 --pcap f.pcap   and write it all to f.pcap for tcpdump
 *
 * The loop, per queue: the fill ring holds free frames for the kernel to
 * receive into; each received frame comes back as a descriptor on the RX
 * ring (with --multi-buffer, a packet longer than a frame as a chain of
 * them); once looked at, the frame goes back to the allocator, and from
 * there to the fill ring again. Nothing is copied, but a chain that is to
 * be checked, printed or written out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* "  hints: hash 0x... (ipv4_udp) vlan 8100/5 prio 3 timestamp 0" */
static size_t print_hints(char *out, size_t size, const struct xsk_hints *h)
{
	size_t n;

	if (!h)
		return (size_t)snprintf(out, size, "  hints: none\n");
	n = (size_t)snprintf(out, size, "  hints:");
	if (h->valid & XSK_HINT_HASH)
		n += (size_t)snprintf(
			out + n, size - n, " hash 0x%08x (%s)", h->hash,
			hash_type_name(hash_type_index(h->hash_type)));
	if (h->valid & XSK_HINT_VLAN)
		n += (size_t)snprintf(out + n, size - n,
				      " vlan %04x/%u prio %u",
				      ntohs(h->vlan_proto), h->vlan_tci & 0xfff,
				      h->vlan_tci >> 13);
	if (h->valid & XSK_HINT_TIMESTAMP)
		n += (size_t)snprintf(out + n, size - n, " timestamp %llu",
				      (unsigned long long)h->timestamp);
	if (!h->valid)
		n += (size_t)snprintf(out + n, size - n, " none given");
	return n + (size_t)snprintf(out + n, size - n, "\n");
}

/* Count what a frame's record says (rx --hints). */
static void count_hints(struct hint_counts *c, const struct xsk_hints *h)
{
	if (!h) {
		c->no_record++;
		return;
	}
	c->records++;
	c->timestamps += !!(h->valid & XSK_HINT_TIMESTAMP);
	if (h->valid & XSK_HINT_HASH)
		c->types[hash_type_index(h->hash_type)]++;
	else
		c->no_hash++;
	if (h->valid & XSK_HINT_VLAN)
		hint_count_vlan(c, ntohs(h->vlan_proto), h->vlan_tci & 0xfff,
				1);
	else
		c->untagged++;
}

/* Print a frame as hex, in one write so that threads don't interleave. */
static void dump(const struct queue *q, const struct xdp_desc *d,
		 const uint8_t *pkt, uint32_t pkt_len, uint32_t nr,
		 const struct xsk_hints *h)
{
	char out[16384];
	size_t n, len = pkt_len < 1024 ? pkt_len : 1024;

	n = (size_t)snprintf(out, sizeof(out),
			     "frame %u: queue %u, %u bytes at UMEM 0x%llx\n",
			     nr, q->id, pkt_len, (unsigned long long)d->addr);
	if (q->app->o.hints)
		n += print_hints(out + n, sizeof(out) - n, h);
	for (size_t i = 0; i < len; i += 16) {
		n += (size_t)snprintf(out + n, sizeof(out) - n, "  %04zx ", i);
		for (size_t j = i; j < i + 16; j++)
			n += (size_t)snprintf(out + n, sizeof(out) - n,
					      j < len ? " %02x" : "   ",
					      pkt[j]);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "  ");
		for (size_t j = i; j < i + 16 && j < len; j++)
			out[n++] = pkt[j] >= 0x20 && pkt[j] < 0x7f ?
					   (char)pkt[j] :
					   '.';
		out[n++] = '\n';
	}
	out[n] = '\0';
	fputs(out, stdout);
}

static uint32_t dumped; /* frames printed so far, all queues together */

/* rx --verify: count a frame that failed, and say why if it is the first
 * of its kind on this queue. */
static void check(struct queue *q, const uint8_t *pkt, uint32_t len)
{
	enum frame_verdict v = frame_check(pkt, len, &q->app->o, NULL, 0);

	if (v == FRAME_NOT_OURS) {
		if (!q->c.not_ours)
			frame_check(pkt, len, &q->app->o, q->not_ours_why,
				    sizeof(q->not_ours_why));
		count_add(&q->c.not_ours, 1);
	} else if (v == FRAME_CORRUPT) {
		if (!q->c.corrupt)
			frame_check(pkt, len, &q->app->o, q->corrupt_why,
				    sizeof(q->corrupt_why));
		count_add(&q->c.corrupt, 1);
	}
}

/* Look at one whole packet, as the options say. Return: 0, or a negative
 * errno (writing --pcap failed). */
static int look(struct queue *q, const struct xdp_desc *d, const uint8_t *pkt,
		uint32_t len, const struct xsk_hints *h)
{
	const struct options *o = &q->app->o;
	if (o->touch)
		frame_touch(pkt, len);
	if (o->verify)
		check(q, pkt, len);
	if (o->dump && __atomic_load_n(&dumped, __ATOMIC_RELAXED) < o->dump) {
		uint32_t nr = __atomic_fetch_add(&dumped, 1, __ATOMIC_RELAXED);

		if (nr < o->dump)
			dump(q, d, pkt, len, nr + 1, h);
	}
	return q->app->pcap ? pcap_write(q->app, pkt, len) : 0;
}

/*
 * A packet from the reader (or, if not @whole, a malformed chain): looked
 * at as the options say, then its frames go back to the allocator.
 * Return: 0, or a negative errno (writing --pcap failed).
 */
static int take(struct queue *q, struct xsk_ring_cons *rx,
		const struct xsk_umem_bounds *bounds,
		const struct xsk_mb_pkt *pkt, bool whole)
{
	const struct options *o = &q->app->o;
	const struct xdp_desc *d = xsk_ring_cons__rx_desc(rx, pkt->idx);
	const struct xsk_hints *h = NULL;
	const uint8_t *data;
	int err = 0;

	/* The record lies right before the first frame's data: read it
	 * before the frame goes back to the kernel. */
	if (whole && o->hints) {
		h = xsk_rx_hints(bounds, d);
		count_hints(&q->hints, h);
	}

	if (whole && (o->touch || o->verify || o->dump || q->app->pcap)) {
		data = xsk_umem__get_data(
			q->area, xsk_umem__add_offset_to_addr(d->addr));
		/* A packet in several frames is copied into one buffer to
		 * be looked at. */
		if (pkt->nfrags > 1)
			data = xsk_mb_rx_copy(bounds, rx, pkt, q->buf,
					      XSK_MB_MAX_FRAGS *
						      (size_t)o->frame_size) ?
				       NULL : /* the ring changed under us */
				       q->buf;
		if (data)
			err = look(q, d, data, (uint32_t)pkt->len, h);
	}
	/* In copy mode an address points past the headroom, into the
	 * frame: the allocator takes it as is. */
	for (uint32_t i = 0; i < pkt->nfrags; i++)
		xsk_frames_free(&q->frames,
				xsk_ring_cons__rx_desc(rx, pkt->idx + i)->addr);
	return err;
}

static void rx_loop(struct queue *q)
{
	struct app *a = q->app;
	const struct options *o = &a->o;
	struct xsk_ring_cons *rx = xsk_socket_rx(q->xsk);
	struct xsk_ring_prod *fill = xsk_socket_fill(q->xsk);
	struct xsk_umem_bounds bounds;
	struct xsk_mb_rx r;
	struct xsk_mb_pkt pkt;
	uint32_t n, got, nfrags;
	uint32_t pf = rx->cached_cons; /* --touch: the first not prefetched */
	int ret, err;

	/* Every frame on the fill ring is one the kernel can receive into:
	 * give it as many as it takes. */
	xsk_frames_fill(&q->frames, fill, UINT32_MAX);
	/* Packets come whole from the reader: one descriptor each, or with
	 * --multi-buffer a chain of them. */
	xsk_umem_get_bounds(q->umem, &bounds);
	xsk_mb_rx_init(&r, rx, 0, &bounds);
	r.batch = o->batch;

	while (!app_stopping(a)) {
		uint64_t bytes = 0;

		for (n = got = nfrags = 0; n < o->batch; n++) {
			ret = xsk_mb_rx_next(&r, rx, &pkt);
			if (ret == 0 || ret == -EINVAL)
				break;
			/* The next frames' bytes are on their way to this
			 * CPU's cache while this one is read. */
			if (o->touch)
				xsk_rx_prefetch(rx, q->area, &pf, pkt.idx,
						r.end, o->prefetch);
			err = take(q, rx, &bounds, &pkt, ret > 0);
			if (err) {
				queue_fail(q, err, "writing --pcap");
				return;
			}
			nfrags += pkt.nfrags;
			if (ret > 0) {
				got++;
				bytes += pkt.len;
			}
		}
		if (!nfrags) {
			/* Nothing came. With need_wakeup the kernel may be
			 * waiting for a syscall before it looks at the fill
			 * ring again; or sleep, as --wait says. */
			queue_wait(q, q->xsk, POLLIN);
			continue;
		}
		queue_saw_traffic(q, now_sec());
		/* The descriptors are read: the kernel may reuse the slots. */
		xsk_mb_rx_release(&r, rx);
		/* The frames just freed go straight back to the kernel. */
		xsk_frames_fill(&q->frames, fill, nfrags);

		count_add(&q->c.rx_packets, got);
		count_add(&q->c.rx_bytes, bytes);
		app_handled(a, got);
	}
}

int main(int argc, char **argv)
{
	struct app a;
	int rc = app_setup(&a, argc, argv, "rx", APP_RX);

	if (rc)
		return rc;
	return app_run(&a, rx_loop);
}
