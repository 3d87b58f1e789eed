// SPDX-License-Identifier: MIT
/* Synthetic raw BTF for the tests: see fakebtf.h. */
#include <stdlib.h>
#include <string.h>

#include "fakebtf.h"

static void *grow(void *p, size_t len)
{
	void *q = realloc(p, len);

	if (!q)
		abort();
	return q;
}

/* Room for @more bytes after @len in a buffer of *@cap, doubling. */
static void *room(void *p, size_t len, size_t more, size_t *cap)
{
	if (len + more <= *cap)
		return p;
	while (len + more > *cap)
		*cap = *cap ? *cap * 2 : 256;
	return grow(p, *cap);
}

void fbtf_init(struct fbtf *b)
{
	memset(b, 0, sizeof(*b));
	b->strs = room(NULL, 0, 1, &b->strs_cap);
	b->strs[0] = '\0';
	b->strs_len = 1;
}

void fbtf_free(struct fbtf *b)
{
	free(b->types);
	free(b->strs);
	memset(b, 0, sizeof(*b));
}

uint32_t fbtf_str(struct fbtf *b, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = (uint32_t)b->strs_len;

	if (!s[0])
		return 0;
	b->strs = room(b->strs, b->strs_len, n, &b->strs_cap);
	memcpy(b->strs + b->strs_len, s, n);
	b->strs_len += n;
	return off;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

uint32_t fbtf_type(struct fbtf *b, const char *name, uint32_t kind,
		   uint32_t vlen, uint32_t size_or_type, const void *data,
		   size_t data_len)
{
	uint8_t *t;

	b->types = room(b->types, b->types_len, 12 + data_len, &b->types_cap);
	t = b->types + b->types_len;
	put32(t, name ? fbtf_str(b, name) : 0);
	put32(t + 4, kind << 24 | vlen);
	put32(t + 8, size_or_type);
	if (data_len)
		memcpy(t + 12, data, data_len);
	b->types_len += 12 + data_len;
	return ++b->ntypes;
}

uint32_t fbtf_proto(struct fbtf *b, unsigned int n, const char *const *names)
{
	uint32_t params[16];
	unsigned int i;

	for (i = 0; i < n && i < 8; i++) {
		params[2 * i] = names && names[i] ? fbtf_str(b, names[i]) : 0;
		params[2 * i + 1] = 1; /* the first type: an int */
	}
	return fbtf_type(b, NULL, FBTF_FUNC_PROTO, n, 1, params, n * 8);
}

uint32_t fbtf_func(struct fbtf *b, const char *name, uint32_t proto)
{
	return fbtf_type(b, name, FBTF_FUNC, 1 /* global */, proto, NULL, 0);
}

void fbtf_every_kind(struct fbtf *b)
{
	uint32_t d[9], e[6], i;

	d[0] = 32; /* INT: 32 bits, signed */
	d[0] |= 1u << 24;
	fbtf_type(b, "int", FBTF_INT, 0, 4, d, 4);
	fbtf_type(b, NULL, FBTF_PTR, 0, 1, NULL, 0);
	d[0] = 1, d[1] = 1, d[2] = 16; /* ARRAY: int[16] */
	fbtf_type(b, NULL, FBTF_ARRAY, 0, 0, d, 12);
	for (i = 0; i < 3; i++) {
		d[3 * i] = fbtf_str(b, i ? "data_end" : "data");
		d[3 * i + 1] = 1;
		d[3 * i + 2] = 32 * i;
	}
	fbtf_type(b, "xdp_md", FBTF_STRUCT, 3, 12, d, 36);
	fbtf_type(b, "u", FBTF_UNION, 2, 4, d, 24);
	for (i = 0; i < 3; i++) {
		e[2 * i] =
			fbtf_str(b, i ? "XDP_RSS_L3_IPV6" : "XDP_RSS_L3_IPV4");
		e[2 * i + 1] = 1u << i;
	}
	fbtf_type(b, "xdp_rss_hash_type", FBTF_ENUM, 3, 4, e, 24);
	fbtf_type(b, "sk_buff", FBTF_FWD, 0, 0, NULL, 0);
	fbtf_type(b, "u32", FBTF_TYPEDEF, 0, 1, NULL, 0);
	fbtf_type(b, NULL, FBTF_VOLATILE, 0, 1, NULL, 0);
	fbtf_type(b, NULL, FBTF_CONST, 0, 1, NULL, 0);
	fbtf_type(b, NULL, FBTF_RESTRICT, 0, 2, NULL, 0);
	d[0] = 1; /* VAR: global */
	fbtf_type(b, "jiffies", FBTF_VAR, 0, 1, d, 4);
	d[0] = b->ntypes, d[1] = 0, d[2] = 4;
	fbtf_type(b, ".data", FBTF_DATASEC, 1, 4, d, 12);
	fbtf_type(b, "double", FBTF_FLOAT, 0, 8, NULL, 0);
	d[0] = (uint32_t)-1; /* DECL_TAG on the type itself */
	fbtf_type(b, "bpf_kfunc", FBTF_DECL_TAG, 0, 1, d, 4);
	fbtf_type(b, "user", FBTF_TYPE_TAG, 0, 2, NULL, 0);
	for (i = 0; i < 2; i++) {
		d[3 * i] = fbtf_str(b, i ? "BIG" : "SMALL");
		d[3 * i + 1] = i;
		d[3 * i + 2] = i;
	}
	fbtf_type(b, "e64", FBTF_ENUM64, 2, 8, d, 24);
}

uint8_t *fbtf_blob(const struct fbtf *b, size_t *len)
{
	uint8_t *p = grow(NULL, 24 + b->types_len + b->strs_len);
	uint16_t magic = 0xeb9f;

	memcpy(p, &magic, 2);
	p[2] = 1; /* version */
	p[3] = 0; /* flags */
	put32(p + 4, 24); /* header length */
	put32(p + 8, 0);
	put32(p + 12, (uint32_t)b->types_len);
	put32(p + 16, (uint32_t)b->types_len);
	put32(p + 20, (uint32_t)b->strs_len);
	if (b->types_len)
		memcpy(p + 24, b->types, b->types_len);
	memcpy(p + 24 + b->types_len, b->strs, b->strs_len);
	*len = 24 + b->types_len + b->strs_len;
	return p;
}

static const char *const kfunc_names[3] = {
	"bpf_xdp_metadata_rx_timestamp",
	"bpf_xdp_metadata_rx_hash",
	"bpf_xdp_metadata_rx_vlan_tag",
};

static const char *const kfunc_params[3][3] = {
	{ "ctx", "timestamp" },
	{ "ctx", "hash", "rss_type" },
	{ "ctx", "vlan_proto", "vlan_tci" },
};

static const unsigned int kfunc_nparams[3] = { 2, 3, 3 };

const uint8_t *fbtf_vmlinux(unsigned int hints, size_t *len, uint32_t ids[3])
{
	static struct {
		uint8_t *blob;
		size_t len;
		uint32_t ids[3];
	} cache[8];
	struct fbtf b;
	uint32_t d, proto;
	unsigned int i;

	hints &= 7;
	if (!cache[hints].blob) {
		fbtf_init(&b);
		fbtf_every_kind(&b);
		/* decoys: not functions, or not these functions */
		d = 1;
		fbtf_type(&b, kfunc_names[1], FBTF_VAR, 0, 1, &d, 4);
		fbtf_type(&b, kfunc_names[2], FBTF_FUNC_PROTO, 0, 1, NULL, 0);
		fbtf_func(&b, "bpf_xdp_metadata_rx_hash_type",
			  fbtf_proto(&b, 1, NULL));
		for (i = 0; i < 3; i++) {
			cache[hints].ids[i] = 0;
			if (!(hints & (1u << i)))
				continue;
			proto = fbtf_proto(&b, kfunc_nparams[i],
					   kfunc_params[i]);
			cache[hints].ids[i] =
				fbtf_func(&b, kfunc_names[i], proto);
		}
		fbtf_every_kind(&b);
		cache[hints].blob = fbtf_blob(&b, &cache[hints].len);
		fbtf_free(&b);
	}
	*len = cache[hints].len;
	if (ids)
		memcpy(ids, cache[hints].ids, sizeof(cache[hints].ids));
	return cache[hints].blob;
}
