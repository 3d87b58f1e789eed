// SPDX-License-Identifier: MIT
/*
 * The examples' figures: the line a second and the summary. See common.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void add_stats(struct xsk_stats *sum, struct xsk_socket *xsk)
{
	struct xsk_stats st = { .sz = sizeof(st) };

	if (xsk_socket_stats(xsk, &st))
		return;
	sum->rx_dropped += st.rx_dropped;
	sum->rx_invalid_descs += st.rx_invalid_descs;
	sum->tx_invalid_descs += st.tx_invalid_descs;
	sum->rx_ring_full += st.rx_ring_full;
	sum->rx_fill_ring_empty_descs += st.rx_fill_ring_empty_descs;
	sum->tx_ring_empty_descs += st.tx_ring_empty_descs;
}

static void take_snapshot(struct queue *q, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->c.rx_packets = __atomic_load_n(&q->c.rx_packets, __ATOMIC_RELAXED);
	s->c.rx_bytes = __atomic_load_n(&q->c.rx_bytes, __ATOMIC_RELAXED);
	s->c.tx_packets = __atomic_load_n(&q->c.tx_packets, __ATOMIC_RELAXED);
	s->c.tx_bytes = __atomic_load_n(&q->c.tx_bytes, __ATOMIC_RELAXED);
	s->c.bad = __atomic_load_n(&q->c.bad, __ATOMIC_RELAXED);
	add_stats(&s->st, q->xsk);
	if (q->out != q->xsk)
		add_stats(&s->st, q->out);
}

static void add_snapshot(struct snapshot *sum, const struct snapshot *s)
{
	sum->c.rx_packets += s->c.rx_packets;
	sum->c.rx_bytes += s->c.rx_bytes;
	sum->c.tx_packets += s->c.tx_packets;
	sum->c.tx_bytes += s->c.tx_bytes;
	sum->c.bad += s->c.bad;
	sum->st.rx_dropped += s->st.rx_dropped;
	sum->st.rx_invalid_descs += s->st.rx_invalid_descs;
	sum->st.tx_invalid_descs += s->st.tx_invalid_descs;
	sum->st.rx_ring_full += s->st.rx_ring_full;
	sum->st.rx_fill_ring_empty_descs += s->st.rx_fill_ring_empty_descs;
	sum->st.tx_ring_empty_descs += s->st.tx_ring_empty_descs;
}

/*
 * Frames the kernel dropped on their way to us. A frame that finds the
 * fill ring empty is counted both in rx_dropped and in
 * rx_fill_ring_empty_descs, so the latter is shown but not added.
 */
static uint64_t drops(const struct xsk_stats *st)
{
	return st->rx_dropped + st->rx_ring_full + st->rx_invalid_descs +
	       st->tx_invalid_descs;
}

/* One line: the rates between @prev and @cur, over @secs seconds. */
static void print_rates(const char *label, const struct snapshot *cur,
			const struct snapshot *prev, double secs)
{
	double rxp = (double)(cur->c.rx_packets - prev->c.rx_packets) / secs;
	double rxb = (double)(cur->c.rx_bytes - prev->c.rx_bytes) / secs;
	double txp = (double)(cur->c.tx_packets - prev->c.tx_packets) / secs;
	double txb = (double)(cur->c.tx_bytes - prev->c.tx_bytes) / secs;

	printf("%s RX %9.0f pps %8.1f Mb/s | TX %9.0f pps %8.1f Mb/s | "
	       "drop %" PRIu64 " ring-full %" PRIu64 " fill-empty %" PRIu64
	       " tx-invalid %" PRIu64 "\n",
	       label, rxp, rxb * 8e-6, txp, txb * 8e-6,
	       drops(&cur->st) - drops(&prev->st),
	       cur->st.rx_ring_full - prev->st.rx_ring_full,
	       cur->st.rx_fill_ring_empty_descs -
		       prev->st.rx_fill_ring_empty_descs,
	       cur->st.tx_invalid_descs - prev->st.tx_invalid_descs);
}

/* The count a program is about: received, or sent (tx), or sent back
 * (fwd: a frame counts once the kernel has completed it). */
static uint64_t packets(const struct app *a, const struct counters *c)
{
	return a->kind == APP_RX ? c->rx_packets : c->tx_packets;
}

static void print_counts(const struct app *a, const struct snapshot *s,
			 double secs)
{
	uint64_t p = packets(a, &s->c);

	printf(" packets=%" PRIu64 " pps=%.0f rx_packets=%" PRIu64
	       " rx_bytes=%" PRIu64 " tx_packets=%" PRIu64 " tx_bytes=%" PRIu64
	       " drops=%" PRIu64 " rx_dropped=%" PRIu64 " rx_ring_full=%" PRIu64
	       " rx_fill_empty=%" PRIu64 " rx_invalid=%" PRIu64
	       " tx_invalid=%" PRIu64 " bad=%" PRIu64,
	       p, secs > 0 ? (double)p / secs : 0.0, s->c.rx_packets,
	       s->c.rx_bytes, s->c.tx_packets, s->c.tx_bytes, drops(&s->st),
	       s->st.rx_dropped, s->st.rx_ring_full,
	       s->st.rx_fill_ring_empty_descs, s->st.rx_invalid_descs,
	       s->st.tx_invalid_descs, s->c.bad);
}

void print_second(const struct app *a, struct snapshot *cur,
		  struct snapshot *prev, double at, double secs)
{
	struct snapshot total = { 0 }, total_prev = { 0 };
	char label[64];

	for (uint32_t i = 0; i < a->nq; i++) {
		take_snapshot(&a->q[i], &cur[i]);
		add_snapshot(&total, &cur[i]);
		add_snapshot(&total_prev, &prev[i]);
	}
	snprintf(label, sizeof(label), "%s %4.0fs", a->name, at);
	print_rates(label, &total, &total_prev, secs);
	for (uint32_t i = 0; a->nq > 1 && i < a->nq; i++) {
		snprintf(label, sizeof(label), "%*s q%-3u",
			 (int)strlen(a->name), "", a->q[i].id);
		print_rates(label, &cur[i], &prev[i], secs);
	}
	memcpy(prev, cur, a->nq * sizeof(*cur));
	fflush(stdout);
}

/* The hash types drivers report (XSK_RSS_* bits), by name; the last
 * slot counts any other. */
static const struct {
	uint32_t type;
	const char *name;
} hash_types[HINT_TYPES] = {
	{ 0, "none" },
	{ XSK_RSS_L3_IPV4, "ipv4" },
	{ XSK_RSS_L3_IPV6, "ipv6" },
	{ XSK_RSS_L4, "l4" },
	{ XSK_RSS_L3_IPV4 | XSK_RSS_L4 | XSK_RSS_L4_TCP, "ipv4_tcp" },
	{ XSK_RSS_L3_IPV4 | XSK_RSS_L4 | XSK_RSS_L4_UDP, "ipv4_udp" },
	{ XSK_RSS_L3_IPV6 | XSK_RSS_L4 | XSK_RSS_L4_TCP, "ipv6_tcp" },
	{ XSK_RSS_L3_IPV6 | XSK_RSS_L4 | XSK_RSS_L4_UDP, "ipv6_udp" },
	{ XSK_RSS_L3_IPV4 | XSK_RSS_L4 | XSK_RSS_L4_ICMP, "ipv4_icmp" },
	{ UINT32_MAX, "other" },
};

unsigned int hash_type_index(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < HINT_TYPES - 1; i++)
		if (hash_types[i].type == type)
			break;
	return i;
}

const char *hash_type_name(unsigned int index)
{
	return hash_types[index < HINT_TYPES ? index : HINT_TYPES - 1].name;
}

void hint_count_vlan(struct hint_counts *c, uint16_t proto, uint16_t vid,
		     uint64_t n)
{
	unsigned int i;

	for (i = 0; i < HINT_VLANS; i++) {
		if (!c->vlan[i].n) {
			c->vlan[i].proto = proto;
			c->vlan[i].vid = vid;
		}
		if (c->vlan[i].proto == proto && c->vlan[i].vid == vid) {
			c->vlan[i].n += n;
			return;
		}
	}
	c->vlan_other += n;
}

/* rx --hints: "rx: hints records=... hash_l4=... vlan_8100_5=..." */
static void print_hints(const struct app *a)
{
	struct hint_counts sum = { 0 };
	const struct hint_counts *h;
	uint32_t q, i;

	for (q = 0; q < a->nq; q++) {
		h = &a->q[q].hints;
		sum.records += h->records;
		sum.no_record += h->no_record;
		sum.timestamps += h->timestamps;
		sum.no_hash += h->no_hash;
		sum.untagged += h->untagged;
		sum.vlan_other += h->vlan_other;
		for (i = 0; i < HINT_TYPES; i++)
			sum.types[i] += h->types[i];
		for (i = 0; i < HINT_VLANS && h->vlan[i].n; i++)
			hint_count_vlan(&sum, h->vlan[i].proto, h->vlan[i].vid,
					h->vlan[i].n);
	}
	printf("%s: hints records=%" PRIu64 " no_record=%" PRIu64
	       " timestamps=%" PRIu64 " no_hash=%" PRIu64,
	       a->name, sum.records, sum.no_record, sum.timestamps,
	       sum.no_hash);
	for (i = 0; i < HINT_TYPES; i++)
		if (sum.types[i])
			printf(" hash_%s=%" PRIu64, hash_type_name(i),
			       sum.types[i]);
	printf(" untagged=%" PRIu64, sum.untagged);
	for (i = 0; i < HINT_VLANS && sum.vlan[i].n; i++)
		printf(" vlan_%04x_%u=%" PRIu64, sum.vlan[i].proto,
		       sum.vlan[i].vid, sum.vlan[i].n);
	if (sum.vlan_other)
		printf(" vlan_other=%" PRIu64, sum.vlan_other);
	printf("\n");
}

void print_summary(const struct app *a, struct snapshot *cur, double secs)
{
	struct snapshot total = { 0 };
	const char *mode = "unknown", *xdp = "none";
	int zc = xsk_socket_zerocopy(a->q[0].xsk);

	if (zc >= 0)
		mode = zc ? "zero-copy" : "copy";
	if (a->prog)
		xdp = xsk_prog_mode(a->prog) == XSK_ATTACH_NATIVE  ? "native" :
		      xsk_prog_mode(a->prog) == XSK_ATTACH_GENERIC ? "generic" :
								     "none";
	for (uint32_t i = 0; i < a->nq; i++) {
		take_snapshot(&a->q[i], &cur[i]);
		add_snapshot(&total, &cur[i]);
		if (a->nq > 1) {
			printf("%s: queue=%u", a->name, a->q[i].id);
			print_counts(a, &cur[i], secs);
			printf("\n");
		}
	}
	printf("%s: summary prog=%s if=%s queues=%u-%u seconds=%.2f", a->name,
	       a->name, a->o.ifname, a->q[0].id, a->q[a->nq - 1].id, secs);
	print_counts(a, &total, secs);
	printf(" mode=%s xdp=%s\n", mode, xdp);
	if (a->o.hints)
		print_hints(a);
	fflush(stdout);
}
