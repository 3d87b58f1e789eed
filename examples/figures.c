// SPDX-License-Identifier: MIT
/*
 * The examples' figures: the line a second, the summary, and what a drop
 * means. In text, or with --json one JSON object a line. See common.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------- a line of them */

static void put(struct kv *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct kv *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->n >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->n, sizeof(l->buf) - l->n, fmt, ap);
	va_end(ap);
	l->n += n > 0 ? (size_t)n : 0;
}

/* @v as a JSON string: quoted, with quotes, backslashes and controls
 * escaped. */
static void put_json_string(struct kv *l, const char *v)
{
	put(l, "\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			put(l, "\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			put(l, "\\u%04x", (unsigned char)*v);
		else
			put(l, "%c", *v);
	}
	put(l, "\"");
}

void kv_begin(struct kv *l, const struct app *a, const char *type)
{
	l->a = a;
	l->n = 0;
	if (a->o.json)
		put(l, "{\"tool\":\"%s\",\"type\":\"%s\"", a->name, type);
	else if (strcmp(type, "queue"))
		put(l, "%s: %s", a->name, type);
	else
		put(l, "%s:", a->name);
}

void kv_u64(struct kv *l, const char *key, uint64_t v)
{
	put(l, l->a->o.json ? ",\"%s\":%" PRIu64 : " %s=%" PRIu64, key, v);
}

void kv_num(struct kv *l, const char *key, double v, int decimals)
{
	put(l, l->a->o.json ? ",\"%s\":%.*f" : " %s=%.*f", key, decimals, v);
}

void kv_str(struct kv *l, const char *key, const char *v)
{
	if (!l->a->o.json) {
		put(l, " %s=%s", key, v);
		return;
	}
	put(l, ",\"%s\":", key);
	put_json_string(l, v);
}

void kv_json(struct kv *l, const char *key, const char *json)
{
	if (l->a->o.json)
		put(l, ",\"%s\":%s", key, json);
}

void kv_end(struct kv *l)
{
	put(l, l->a->o.json ? "}\n" : "\n");
	fwrite(l->buf, 1, l->n < sizeof(l->buf) ? l->n : sizeof(l->buf),
	       stdout);
}

void print_note(const struct app *a, const char *fmt, ...)
{
	char text[1024];
	struct kv l;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!a->o.json) {
		printf("%s: %s\n", a->name, text);
		return;
	}
	kv_begin(&l, a, "note");
	kv_str(&l, "text", text);
	kv_end(&l);
}

/* ------------------------------------------------------------- counting */

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
	s->c.not_ours = __atomic_load_n(&q->c.not_ours, __ATOMIC_RELAXED);
	s->c.corrupt = __atomic_load_n(&q->c.corrupt, __ATOMIC_RELAXED);
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
	sum->c.not_ours += s->c.not_ours;
	sum->c.corrupt += s->c.corrupt;
	sum->st.rx_dropped += s->st.rx_dropped;
	sum->st.rx_invalid_descs += s->st.rx_invalid_descs;
	sum->st.tx_invalid_descs += s->st.tx_invalid_descs;
	sum->st.rx_ring_full += s->st.rx_ring_full;
	sum->st.rx_fill_ring_empty_descs += s->st.rx_fill_ring_empty_descs;
	sum->st.tx_ring_empty_descs += s->st.tx_ring_empty_descs;
}

/*
 * Frames the kernel dropped on their way to us, or did not send. A frame
 * that finds the fill ring empty is counted both in rx_dropped and in
 * rx_fill_ring_empty_descs, so the latter is shown but not added.
 */
static uint64_t drops(const struct xsk_stats *st)
{
	return st->rx_dropped + st->rx_ring_full + st->rx_invalid_descs +
	       st->tx_invalid_descs;
}

/* ----------------------------------------------------- the line a second */

/*
 * One line: the rates between @prev and @cur, over @secs seconds. @dev_drop:
 * frames the device dropped after the socket handed them over (tx and fwd,
 * the whole line only).
 */
static void print_rates(const struct app *a, const char *label, int queue,
			double at, const struct snapshot *cur,
			const struct snapshot *prev, double secs,
			uint64_t dev_drop)
{
	double rxp = (double)(cur->c.rx_packets - prev->c.rx_packets) / secs;
	double rxb = (double)(cur->c.rx_bytes - prev->c.rx_bytes) / secs;
	double txp = (double)(cur->c.tx_packets - prev->c.tx_packets) / secs;
	double txb = (double)(cur->c.tx_bytes - prev->c.tx_bytes) / secs;
	uint64_t drop = drops(&cur->st) - drops(&prev->st) + dev_drop;
	uint64_t full = cur->st.rx_ring_full - prev->st.rx_ring_full;
	uint64_t empty = cur->st.rx_fill_ring_empty_descs -
			 prev->st.rx_fill_ring_empty_descs;
	uint64_t inval = cur->st.tx_invalid_descs - prev->st.tx_invalid_descs;
	struct kv l;

	if (!a->o.json) {
		printf("%s RX %9.0f pps %8.1f Mb/s | TX %9.0f pps %8.1f Mb/s | "
		       "drop %" PRIu64 " ring-full %" PRIu64
		       " fill-empty %" PRIu64 " tx-invalid %" PRIu64 "\n",
		       label, rxp, rxb * 8e-6, txp, txb * 8e-6, drop, full,
		       empty, inval);
		return;
	}
	kv_begin(&l, a, "second");
	kv_num(&l, "t", at, 0);
	if (queue >= 0)
		kv_u64(&l, "queue", (uint64_t)queue);
	kv_num(&l, "rx_pps", rxp, 0);
	kv_num(&l, "rx_mbps", rxb * 8e-6, 1);
	kv_num(&l, "tx_pps", txp, 0);
	kv_num(&l, "tx_mbps", txb * 8e-6, 1);
	kv_u64(&l, "drops", drop);
	kv_u64(&l, "rx_ring_full", full);
	kv_u64(&l, "rx_fill_empty", empty);
	kv_u64(&l, "tx_invalid", inval);
	kv_end(&l);
}

/*
 * What was sent, all queues together, is what the kernel completed less
 * what the device then dropped: set @total and @prev so, from the device's
 * counter now and at the last line. Return: what it dropped since then.
 */
static uint64_t not_dropped(struct app *a, struct snapshot *total,
			    struct snapshot *prev)
{
	struct if_counters dev;
	uint64_t dropped, sent, done = total->c.tx_packets, gone;

	if (if_read(a->o.out_ifname ? a->o.out_ifname : a->o.ifname, &dev))
		return 0;
	dropped = (uint32_t)(dev.tx_dropped - a->if_start.tx_dropped);
	gone = (uint32_t)(dev.tx_dropped - a->if_last.tx_dropped);
	a->if_last = dev;
	/* The device counts a drop before the frame completes: a frame
	 * may be dropped here and not yet completed. Never less than the
	 * last line said. */
	sent = done > dropped ? done - dropped : 0;
	sent = sent > a->sent_last ? sent : a->sent_last;
	total->c.tx_bytes = done ? (uint64_t)((double)total->c.tx_bytes *
					      (double)sent / (double)done) :
				   0;
	total->c.tx_packets = sent;
	prev->c.tx_packets = a->sent_last;
	prev->c.tx_bytes = a->sent_bytes_last;
	a->sent_last = sent;
	a->sent_bytes_last = total->c.tx_bytes;
	return gone;
}

void print_second(struct app *a, struct snapshot *cur, struct snapshot *prev,
		  double at, double secs)
{
	struct snapshot total = { 0 }, total_prev = { 0 };
	uint64_t dev_drop = 0;
	char label[64];

	for (uint32_t i = 0; i < a->nq; i++) {
		take_snapshot(&a->q[i], &cur[i]);
		add_snapshot(&total, &cur[i]);
		add_snapshot(&total_prev, &prev[i]);
	}
	if (a->kind == APP_TX || a->kind == APP_FWD)
		dev_drop = not_dropped(a, &total, &total_prev);
	snprintf(label, sizeof(label), "%s %4.0fs", a->name, at);
	print_rates(a, label, -1, at, &total, &total_prev, secs, dev_drop);
	for (uint32_t i = 0; a->nq > 1 && i < a->nq; i++) {
		snprintf(label, sizeof(label), "%*s q%-3u",
			 (int)strlen(a->name), "", a->q[i].id);
		print_rates(a, label, (int)a->q[i].id, at, &cur[i], &prev[i],
			    secs, 0);
	}
	memcpy(prev, cur, a->nq * sizeof(*cur));
	fflush(stdout);
}

/* ------------------------------------------------------------ the summary */

/* The count a program is about: received (rx), or sent (tx, fwd: a frame
 * counts once the kernel has completed it; pingpong: pings sent). */
static uint64_t packets(const struct app *a, const struct counters *c)
{
	return a->kind == APP_RX ? c->rx_packets : c->tx_packets;
}

/* The seconds traffic flowed on queues @q[0..n-1]: from the first frame
 * any of them handled to the last. */
static double traffic_secs(const struct queue *q, uint32_t n)
{
	double first = 0, last = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (q[i].t_first == 0)
			continue;
		if (first == 0 || q[i].t_first < first)
			first = q[i].t_first;
		if (q[i].t_last > last)
			last = q[i].t_last;
	}
	return last - first;
}

static void put_counts(struct kv *l, const struct app *a,
		       const struct snapshot *s, uint64_t p, double secs)
{
	kv_u64(l, "packets", p);
	kv_num(l, "pps", secs > 0 ? (double)p / secs : 0.0, 0);
	kv_u64(l, "rx_packets", s->c.rx_packets);
	kv_u64(l, "rx_bytes", s->c.rx_bytes);
	kv_u64(l, "tx_packets", s->c.tx_packets);
	kv_u64(l, "tx_bytes", s->c.tx_bytes);
	kv_u64(l, "drops", drops(&s->st));
	kv_u64(l, "rx_dropped", s->st.rx_dropped);
	kv_u64(l, "rx_ring_full", s->st.rx_ring_full);
	kv_u64(l, "rx_fill_empty", s->st.rx_fill_ring_empty_descs);
	kv_u64(l, "rx_invalid", s->st.rx_invalid_descs);
	kv_u64(l, "tx_invalid", s->st.tx_invalid_descs);
	if (a->kind == APP_RX) {
		kv_u64(l, "bad", s->c.not_ours + s->c.corrupt);
		kv_u64(l, "not_ours", s->c.not_ours);
		kv_u64(l, "corrupt", s->c.corrupt);
	}
}

/* What each drop counter that moved means, and what helps. */
static void explain_drops(const struct app *a, const struct snapshot *s,
			  const struct if_counters *dev)
{
	const struct xsk_stats *st = &s->st;
	uint64_t other = st->rx_dropped > st->rx_fill_ring_empty_descs ?
				 st->rx_dropped - st->rx_fill_ring_empty_descs :
				 0;

	if (st->rx_ring_full)
		print_note(a,
			   "%" PRIu64 " frames dropped with the RX ring full "
			   "(rx_ring_full): this program did not take them "
			   "fast enough; a deeper --rx-ring, a larger -b or "
			   "more queues help",
			   st->rx_ring_full);
	if (st->rx_fill_ring_empty_descs)
		print_note(a,
			   "%" PRIu64 " frames dropped with no free frame on "
			   "the fill ring (rx_fill_empty, also in rx_dropped): "
			   "frames did not come back fast enough; more frames "
			   "(-F) or a deeper --fill-ring help",
			   st->rx_fill_ring_empty_descs);
	if (other)
		print_note(a,
			   "%" PRIu64 " frames dropped by the kernel for this "
			   "socket (rx_dropped) other than for an empty fill "
			   "ring: longer than a frame less its headroom%s",
			   other,
			   a->o.multi_buffer ?
				   ", or too few free frames for all the "
				   "fragments" :
				   " (use --multi-buffer, or a larger -f)");
	if (st->rx_invalid_descs)
		print_note(a,
			   "%" PRIu64 " descriptors the kernel found invalid "
			   "on the receive side (rx_invalid)",
			   st->rx_invalid_descs);
	if (st->tx_invalid_descs)
		print_note(a,
			   "%" PRIu64 " frames not sent: the kernel refused "
			   "their TX descriptors (tx_invalid: an address or "
			   "length outside the UMEM, or a packet of too many "
			   "frames)",
			   st->tx_invalid_descs);
	if (a->kind != APP_RX && dev->tx_dropped)
		print_note(a,
			   "%" PRIu64 " frames dropped by %s after the socket "
			   "handed them over (its tx_dropped counter): %s",
			   dev->tx_dropped,
			   a->o.out_ifname ? a->o.out_ifname : a->o.ifname,
			   dev->carrier ? "its queue was full, or a veth's "
					  "peer could not take them" :
					  "it has no carrier (link down, or a "
					  "veth's peer is down)");
}

/* rx --verify: what was wrong with the first frame that failed, of one
 * kind, on any queue; NULL if none was recorded. */
static const char *first_reason(const struct app *a, bool corrupt)
{
	for (uint32_t i = 0; i < a->nq; i++) {
		const char *why = corrupt ? a->q[i].corrupt_why :
					    a->q[i].not_ours_why;

		if (*why)
			return why;
	}
	return NULL;
}

/* rx --verify: the frames that failed, by kind, with the first reason. */
static void explain_bad(const struct app *a, const struct snapshot *s)
{
	const char *why = first_reason(a, false);

	if (s->c.not_ours && why)
		print_note(a,
			   "%" PRIu64 " frames not ours (not what tx sends; "
			   "another sender on the link): the first was %s",
			   s->c.not_ours, why);
	why = first_reason(a, true);
	if (s->c.corrupt && why)
		print_note(a,
			   "%" PRIu64 " frames corrupted (tx made them, but "
			   "they changed on the way): in the first, %s",
			   s->c.corrupt, why);
}

/* The interface counters that moved during the run (32-bit, so taken
 * modulo 2^32). */
static void if_delta(const struct app *a, struct if_counters *d)
{
	const struct if_counters *s = &a->if_start;
	struct if_counters e;

	if (if_read(a->o.out_ifname ? a->o.out_ifname : a->o.ifname, &e)) {
		memset(d, 0, sizeof(*d));
		return;
	}
	d->rx_packets = (uint32_t)(e.rx_packets - s->rx_packets);
	d->rx_dropped = (uint32_t)(e.rx_dropped - s->rx_dropped);
	d->tx_packets = (uint32_t)(e.tx_packets - s->tx_packets);
	d->tx_dropped = (uint32_t)(e.tx_dropped - s->tx_dropped);
	d->up = e.up;
	d->carrier = e.carrier;
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
	char key[32];
	struct kv l;
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
	kv_begin(&l, a, "hints");
	kv_u64(&l, "records", sum.records);
	kv_u64(&l, "no_record", sum.no_record);
	kv_u64(&l, "timestamps", sum.timestamps);
	kv_u64(&l, "no_hash", sum.no_hash);
	for (i = 0; i < HINT_TYPES; i++) {
		if (!sum.types[i])
			continue;
		snprintf(key, sizeof(key), "hash_%s", hash_type_name(i));
		kv_u64(&l, key, sum.types[i]);
	}
	kv_u64(&l, "untagged", sum.untagged);
	for (i = 0; i < HINT_VLANS && sum.vlan[i].n; i++) {
		snprintf(key, sizeof(key), "vlan_%04x_%u", sum.vlan[i].proto,
			 sum.vlan[i].vid);
		kv_u64(&l, key, sum.vlan[i].n);
	}
	if (sum.vlan_other)
		kv_u64(&l, "vlan_other", sum.vlan_other);
	kv_end(&l);
}

void print_summary(const struct app *a, struct snapshot *cur, double secs)
{
	struct snapshot total = { 0 };
	struct if_counters dev;
	const char *mode = "unknown", *xdp = "none";
	int zc = xsk_socket_zerocopy(a->q[0].xsk);
	char cpus[256] = "";
	size_t n = 0;
	uint64_t p;
	double active;
	struct kv l;

	if (zc >= 0)
		mode = zc ? "zero-copy" : "copy";
	if (a->prog)
		xdp = xsk_prog_mode(a->prog) == XSK_ATTACH_NATIVE  ? "native" :
		      xsk_prog_mode(a->prog) == XSK_ATTACH_GENERIC ? "generic" :
								     "none";
	if_delta(a, &dev);
	for (uint32_t i = 0; i < a->nq; i++) {
		const struct queue *q = &a->q[i];

		take_snapshot(&a->q[i], &cur[i]);
		add_snapshot(&total, &cur[i]);
		if (n < sizeof(cpus))
			n += (size_t)snprintf(cpus + n, sizeof(cpus) - n,
					      q->cpu < 0 ? "%sany" : "%s%d",
					      i ? "," : "", q->cpu);
		if (a->nq > 1) {
			kv_begin(&l, a, "queue");
			kv_u64(&l, "queue", q->id);
			put_counts(&l, a, &cur[i], packets(a, &cur[i].c),
				   traffic_secs(q, 1));
			kv_end(&l);
		}
	}
	/* A sender's frames count as sent once completed, less those the
	 * device then dropped (its counter covers all its traffic). */
	p = packets(a, &total.c);
	if (a->kind == APP_TX || a->kind == APP_FWD)
		p = p > dev.tx_dropped ? p - dev.tx_dropped : 0;
	active = traffic_secs(a->q, a->nq);
	kv_begin(&l, a, "summary");
	kv_str(&l, "prog", a->name);
	kv_str(&l, "if", a->o.ifname);
	if (a->o.json) {
		kv_u64(&l, "queue_first", a->q[0].id);
		kv_u64(&l, "queue_last", a->q[a->nq - 1].id);
	} else {
		put(&l, " queues=%u-%u", a->q[0].id, a->q[a->nq - 1].id);
	}
	kv_num(&l, "seconds", secs, 2);
	kv_num(&l, "active_seconds", active, 2);
	put_counts(&l, a, &total, p, active);
	kv_u64(&l, "if_rx_packets", dev.rx_packets);
	kv_u64(&l, "if_rx_dropped", dev.rx_dropped);
	kv_u64(&l, "if_tx_packets", dev.tx_packets);
	kv_u64(&l, "if_tx_dropped", dev.tx_dropped);
	kv_str(&l, "cpus", cpus);
	if (a->summary)
		a->summary(a, &l);
	kv_str(&l, "mode", mode);
	kv_str(&l, "xdp", xdp);
	kv_end(&l);
	if (a->o.hints)
		print_hints(a);
	explain_drops(a, &total, &dev);
	explain_bad(a, &total);
	fflush(stdout);
}
