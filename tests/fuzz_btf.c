// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the raw BTF reader (src/btf.c). The first input
 * byte picks how the rest becomes BTF (its low two bits):
 *  - 1 or 3: the rest is the blob, as is;
 *  - 0: a valid vmlinux-like blob from tests/fakebtf.c (the kfuncs of the
 *    byte's bits 2-4) is edited: each 5 bytes of input set one of its
 *    bytes (a 32-bit offset, then the value); bit 5 also truncates it to
 *    the length in the last 4 bytes;
 *  - 2: the rest is a script for the builder of tests/fakebtf.c: types of
 *    every kind, functions named like the kfuncs (or not) pointing at new
 *    prototypes (right or wrong in count and names) or at any type,
 *    variables named like them, kinds from the future. The script's own
 *    record says what the reader must answer: exactly the ids built, or a
 *    refusal.
 * Either way the blob sits in a buffer of exactly its size, so that
 * AddressSanitizer sees any read past it.
 *
 * The reader must return 0 or -EBADMSG / -EOPNOTSUPP with an explanation
 * and every id 0. When it finds a kfunc, a walker written here, from the
 * format, must find at that id a function of that name whose prototype
 * takes the kfunc's parameter count: a wrong id is worse than none.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakebtf.h"
#include "fuzzutil.h"
#include "internal.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The record of type @id: its offset in the type section, or -1. */
static int64_t type_at(const uint8_t *types, uint32_t len, uint32_t id)
{
	static const uint8_t fixed[FBTF_NKINDS] = {
		[FBTF_INT] = 4,
		[FBTF_ARRAY] = 12,
		[FBTF_VAR] = 4,
		[FBTF_DECL_TAG] = 4,
	};
	static const uint8_t per_entry[FBTF_NKINDS] = {
		[FBTF_STRUCT] = 12,    [FBTF_UNION] = 12,   [FBTF_ENUM] = 8,
		[FBTF_FUNC_PROTO] = 8, [FBTF_DATASEC] = 12, [FBTF_ENUM64] = 12,
	};
	uint64_t pos = 0;
	uint32_t n, info, kind;

	for (n = 1; pos + 12 <= len; n++) {
		if (n == id)
			return (int64_t)pos;
		info = rd32(types + pos + 4);
		kind = info >> 24 & 0x1f;
		if (!kind || kind >= FBTF_NKINDS)
			return -1;
		pos += 12 + fixed[kind] +
		       (uint64_t)per_entry[kind] * (info & 0xffff);
	}
	return -1;
}

static void oracle(const uint8_t *blob, const uint32_t ids[3],
		   const struct xsk__btf_func *want)
{
	uint32_t hdr = rd32(blob + 4), tlen = rd32(blob + 12);
	const uint8_t *types = blob + hdr + rd32(blob + 8);
	const char *strs = (const char *)blob + hdr + rd32(blob + 16);
	int64_t f, p;

	for (int i = 0; i < 3; i++) {
		if (!ids[i])
			continue;
		f = type_at(types, tlen, ids[i]);
		CHECK(f >= 0);
		CHECK((rd32(types + f + 4) >> 24 & 0x1f) == FBTF_FUNC);
		CHECK(!strcmp(strs + rd32(types + f), want[i].name));
		p = type_at(types, tlen, rd32(types + f + 8));
		CHECK(p >= 0);
		CHECK((rd32(types + p + 4) >> 24 & 0x1f) == FBTF_FUNC_PROTO);
		CHECK((rd32(types + p + 4) & 0xffff) == want[i].nparams);
	}
}

/* What a script built, for the answer it calls for. */
#define SCRIPT_TYPES 1024
struct script {
	struct fbtf b;
	bool doomed; /* a kind from the future */
	uint8_t kind[SCRIPT_TYPES]; /* by type id */
	uint8_t nparams[SCRIPT_TYPES]; /* of prototypes */
	const char *params[SCRIPT_TYPES][3]; /* their names, NULL: none */
	uint32_t funcs[3]; /* FUNCs named like kfunc i */
	uint32_t id[3], target[3];
};

static const char *const script_names[5] = {
	"bpf_xdp_metadata_rx_timestamp",
	"bpf_xdp_metadata_rx_hash",
	"bpf_xdp_metadata_rx_vlan_tag",
	"bpf_xdp_metadata_rx_hash_type",
	"",
};

static void note(struct script *sc, uint32_t id, uint8_t kind)
{
	if (id < SCRIPT_TYPES)
		sc->kind[id] = kind;
}

static void script_op(struct script *sc, const struct xsk__btf_func *want,
		      uint8_t op, uint8_t arg)
{
	static const char *const wrong[3] = { "ctx", "oops", "oops" };
	const char *names[3] = { NULL, NULL, NULL };
	const char *name = script_names[arg % 5];
	unsigned int i, n, k = arg % 5;
	uint32_t id, target, d = 1;

	if (sc->b.ntypes >= SCRIPT_TYPES - 64)
		return;
	switch (op % 6) {
	case 0:
		id = sc->b.ntypes + 1;
		fbtf_every_kind(&sc->b);
		for (; id <= sc->b.ntypes; id++)
			note(sc, id, FBTF_INT); /* none of them a prototype */
		return;
	case 1: /* a function with a prototype of its own */
		n = arg >> 3 & 3;
		for (i = 0; i < n; i++) {
			if (arg & 0x20)
				names[i] = k < 3 && i < want[k].nparams ?
						   want[k].params[i] :
						   "x";
			else if (arg & 0x40)
				names[i] = wrong[i];
		}
		target = fbtf_proto(&sc->b, n, names);
		note(sc, target, FBTF_FUNC_PROTO);
		sc->nparams[target] = (uint8_t)n;
		memcpy(sc->params[target], names, sizeof(names));
		break;
	case 2: /* a function pointing at any id, there or not */
		target = arg >> 3;
		break;
	case 3:
		id = fbtf_proto(&sc->b, arg & 3, NULL);
		note(sc, id, FBTF_FUNC_PROTO);
		sc->nparams[id] = arg & 3;
		return;
	case 4:
		note(sc, fbtf_type(&sc->b, name, FBTF_VAR, 0, 1, &d, 4),
		     FBTF_VAR);
		return;
	default:
		fbtf_type(&sc->b, name, FBTF_NKINDS + arg % 12, 0, 0, NULL, 0);
		sc->doomed = true;
		return;
	}
	id = fbtf_func(&sc->b, name, target);
	note(sc, id, FBTF_FUNC);
	if (k < 3) {
		sc->funcs[k]++;
		sc->id[k] = id;
		sc->target[k] = target;
	}
}

/* Does what the script built call for these ids (false: a refusal)? */
static bool script_expects(const struct script *sc,
			   const struct xsk__btf_func *want, uint32_t ids[3])
{
	const char *name;
	uint32_t t;

	if (sc->doomed)
		return false;
	for (int k = 0; k < 3; k++) {
		ids[k] = 0;
		if (!sc->funcs[k])
			continue;
		t = sc->target[k];
		if (sc->funcs[k] > 1 || t > sc->b.ntypes ||
		    sc->kind[t] != FBTF_FUNC_PROTO ||
		    sc->nparams[t] != want[k].nparams)
			return false;
		for (unsigned int i = 0; i < want[k].nparams; i++) {
			name = sc->params[t][i];
			if (name && name[0] && strcmp(name, want[k].params[i]))
				return false;
		}
		ids[k] = sc->id[k];
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsk__btf_func want[3];
	const uint8_t *tmpl;
	uint32_t ids[3];
	uint8_t *blob;
	size_t len, i;
	int err;

	static struct script sc;
	uint32_t expect[3];
	bool scripted = false, succeed = false;

	if (!size)
		return 0;
	for (i = 0; i < 3; i++)
		want[i] = xsk__hint_kfuncs[i].f;
	if ((data[0] & 3) == 2) {
		memset(&sc, 0, sizeof(sc));
		fbtf_init(&sc.b);
		for (i = 1; i + 2 <= size && i < 400; i += 2)
			script_op(&sc, want, data[i], data[i + 1]);
		blob = fbtf_blob(&sc.b, &len);
		scripted = true;
		succeed = script_expects(&sc, want, expect);
		fbtf_free(&sc.b);
	} else if (data[0] & 1) {
		len = size - 1;
		blob = malloc(len ? len : 1);
		CHECK(blob);
		memcpy(blob, data + 1, len);
	} else {
		tmpl = fbtf_vmlinux(data[0] >> 2 & 7, &len, NULL);
		blob = malloc(len);
		CHECK(blob);
		memcpy(blob, tmpl, len);
		for (i = 1; i + 5 <= size; i += 5)
			blob[rd32(data + i) % len] = data[i + 4];
		if (data[0] & 0x20 && size >= 5) {
			len = rd32(data + size - 4) % (len + 1);
			tmpl = blob;
			blob = malloc(len ? len : 1);
			CHECK(blob);
			memcpy(blob, tmpl, len);
			free((void *)tmpl);
		}
	}
	memset(ids, 0x5a, sizeof(ids));
	err = xsk__btf_find_funcs(blob, len, want, 3, ids);
	if (err) {
		CHECK(err == -EBADMSG || err == -EOPNOTSUPP);
		CHECK(xsk_errmsg()[0]);
		CHECK(!ids[0] && !ids[1] && !ids[2]);
	} else {
		oracle(blob, ids, want);
	}
	if (scripted) {
		CHECK(succeed == !err);
		if (succeed)
			CHECK(!memcmp(ids, expect, sizeof(ids)));
	}
	free(blob);
	return 0;
}
