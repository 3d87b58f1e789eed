// SPDX-License-Identifier: MIT
/*
 * rx: receive frames on AF_XDP sockets and count them; on request check
 * each one (--verify), read it (--touch) or print it (--dump), and read
 * what the NIC computed for it (--hints).
 *
 *	rx -i eth0                 count what arrives on queue 0
 *	rx -i eth0 -q 0-3 -w poll  four queues, four threads, sleeping when idle
 *
 * The loop, per queue: the fill ring holds free frames for the kernel to
 * receive into; each received frame comes back as a descriptor on the RX
 * ring; once looked at, the frame goes back to the allocator, and from
 * there to the fill ring again. Nothing is copied.
 */
#include <arpa/inet.h>
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
		 const uint8_t *pkt, uint32_t nr, const struct xsk_hints *h)
{
	char out[16384];
	size_t n, len = d->len < 1024 ? d->len : 1024;

	n = (size_t)snprintf(out, sizeof(out),
			     "frame %u: queue %u, %u bytes at UMEM 0x%llx\n",
			     nr, q->id, d->len, (unsigned long long)d->addr);
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

static void rx_loop(struct queue *q)
{
	struct app *a = q->app;
	const struct options *o = &a->o;
	struct xsk_ring_cons *rx = xsk_socket_rx(q->xsk);
	struct xsk_ring_prod *fill = xsk_socket_fill(q->xsk);
	volatile uint8_t sink = 0; /* what --touch read: not optimized out */
	struct xsk_umem_bounds bounds;
	const struct xsk_hints *h = NULL;
	uint32_t idx = 0, n;

	xsk_umem_get_bounds(q->umem, &bounds);

	/* Every frame on the fill ring is one the kernel can receive into:
	 * give it as many as it takes. */
	xsk_frames_fill(&q->frames, fill, UINT32_MAX);

	while (!app_stopping(a)) {
		uint64_t bytes = 0, bad = 0;
		uint8_t sum = 0;

		n = xsk_ring_cons__peek(rx, o->batch, &idx);
		if (!n) {
			/* Nothing came. With need_wakeup the kernel may be
			 * waiting for a syscall before it looks at the fill
			 * ring again; or sleep, as --wait says. */
			queue_wait(q, q->xsk, POLLIN);
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct xdp_desc *d =
				xsk_ring_cons__rx_desc(rx, idx + i);
			const uint8_t *pkt =
				xsk_umem__get_data(q->area, d->addr);

			bytes += d->len;
			/* The record lies right before the frame's data:
			 * read it before the frame goes back to the kernel. */
			if (o->hints) {
				h = xsk_rx_hints(&bounds, d);
				count_hints(&q->hints, h);
			}
			if (o->touch)
				for (uint32_t k = 0; k < d->len; k++)
					sum ^= pkt[k];
			if (o->verify && !frame_check(pkt, d->len, o))
				bad++;
			if (o->dump &&
			    __atomic_load_n(&dumped, __ATOMIC_RELAXED) <
				    o->dump) {
				uint32_t nr = __atomic_fetch_add(
					&dumped, 1, __ATOMIC_RELAXED);

				if (nr < o->dump)
					dump(q, d, pkt, nr + 1, h);
			}
			/* In copy mode d->addr points past the headroom,
			 * into the frame: the allocator takes it as is. */
			xsk_frames_free(&q->frames, d->addr);
		}
		/* The descriptors are read: the kernel may reuse the slots. */
		xsk_ring_cons__release(rx, n);
		/* The frames just freed go straight back to the kernel. */
		xsk_frames_fill(&q->frames, fill, n);

		sink = sum;
		count_add(&q->c.rx_packets, n);
		count_add(&q->c.rx_bytes, bytes);
		count_add(&q->c.bad, bad);
		app_handled(a, n);
	}
	(void)sink;
}

int main(int argc, char **argv)
{
	struct app a;
	int rc = app_setup(&a, argc, argv, "rx", APP_RX);

	if (rc)
		return rc;
	return app_run(&a, rx_loop);
}
