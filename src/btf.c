// SPDX-License-Identifier: MIT
/*
 * A small reader of raw BTF, the kernel's description of its own types
 * (/sys/kernel/btf/vmlinux): enough to find the type ids of the functions
 * the hints program calls, with no libbpf.
 *
 * The input is treated as hostile: it may be truncated, come from a newer
 * kernel, or have been crafted. Every offset is checked before it is used
 * (the header, both sections, every type's own data and every string
 * offset in it), the string section must end in a NUL so that no name can
 * run past it, and a kind or version this reader does not know stops the
 * walk with an explained error: the size of an unknown kind's data is
 * unknown, so every id after it would be a guess.
 *
 * The format (include/uapi/linux/btf.h): a header, then a type section
 * of records (12 bytes, then data whose size depends on the kind and on
 * the vlen in the record), then a string section. Type ids count the
 * records from 1; id 0 is void.
 */
#include "gnu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BTF_MAGIC 0xeb9f
#define BTF_VERSION 1
#define BTF_HDR_LEN 24 /* the version 1 header */
#define BTF_TYPE_LEN 12

/* The kinds of BTF version 1 as of Linux 6.18, with the kernel that
 * brought each: their own data decides where the next type starts. */
enum {
	KIND_UNKN = 0,
	KIND_INT = 1,
	KIND_PTR = 2,
	KIND_ARRAY = 3,
	KIND_STRUCT = 4,
	KIND_UNION = 5,
	KIND_ENUM = 6,
	KIND_FWD = 7,
	KIND_TYPEDEF = 8,
	KIND_VOLATILE = 9,
	KIND_CONST = 10,
	KIND_RESTRICT = 11,
	KIND_FUNC = 12, /* 5.0 */
	KIND_FUNC_PROTO = 13, /* 5.0 */
	KIND_VAR = 14, /* 5.2 */
	KIND_DATASEC = 15, /* 5.2 */
	KIND_FLOAT = 16, /* 5.13 */
	KIND_DECL_TAG = 17, /* 5.16 */
	KIND_TYPE_TAG = 18, /* 5.17 */
	KIND_ENUM64 = 19, /* 6.0 */
	KIND_MAX = KIND_ENUM64,
};

/* One type as the walk sees it, its data bounds-checked. */
struct btf_rec {
	uint32_t id;
	uint32_t kind;
	uint32_t vlen;
	uint32_t name_off;
	uint32_t type; /* size or type, by kind */
	const uint8_t *data; /* the kind's own data */
};

struct btf {
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t ntypes; /* known after a complete walk */
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int malformed(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int malformed(const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return xsk__err(-EBADMSG, "the kernel's BTF is malformed: %s", what);
}

static int parse_header(struct btf *b, const uint8_t *p, size_t len)
{
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint64_t body;
	uint16_t magic;

	if (len < BTF_HDR_LEN)
		return xsk__err(
			-EBADMSG,
			"the kernel's BTF is malformed: %zu bytes, less than a header",
			len);
	memcpy(&magic, p, sizeof(magic));
	if (magic == 0x9feb)
		return xsk__err(
			-EBADMSG,
			"the kernel's BTF is in the other byte order: it is not this machine's");
	if (magic != BTF_MAGIC)
		return xsk__err(
			-EBADMSG,
			"the kernel's BTF is not BTF: magic 0x%04x, not 0x%04x",
			magic, BTF_MAGIC);
	if (p[2] != BTF_VERSION)
		return xsk__err(
			-EOPNOTSUPP,
			"the kernel's BTF is version %u; this libxsk reads version %u",
			p[2], BTF_VERSION);
	hdr_len = get32(p + 4);
	type_off = get32(p + 8);
	type_len = get32(p + 12);
	str_off = get32(p + 16);
	str_len = get32(p + 20);
	/* A longer header is a newer kernel's: the fields it adds describe
	 * sections beyond the two read here, which stay where it says. */
	if (hdr_len < BTF_HDR_LEN || hdr_len > len)
		return malformed("header length %u in %zu bytes", hdr_len, len);
	body = len - hdr_len;
	if ((uint64_t)type_off + type_len > body)
		return malformed(
			"the type section (%u bytes at %u) runs past the end (%u)",
			type_len, type_off, (uint32_t)body);
	if ((uint64_t)str_off + str_len > body)
		return malformed(
			"the string section (%u bytes at %u) runs past the end (%u)",
			str_len, str_off, (uint32_t)body);
	if (type_len && str_len &&
	    (uint64_t)type_off < (uint64_t)str_off + str_len &&
	    (uint64_t)str_off < (uint64_t)type_off + type_len)
		return malformed(
			"the type section (at %u) and the string section (at %u) overlap",
			type_off, str_off);
	b->types = p + hdr_len + type_off;
	b->types_len = type_len;
	b->strs = (const char *)p + hdr_len + str_off;
	b->strs_len = str_len;
	/* Offset 0 is the empty name, and a NUL at the end bounds every
	 * name: no string read can leave the section. */
	if (!str_len || b->strs[0] || b->strs[str_len - 1])
		return malformed(
			"the string section (%u bytes) does not start and end with a NUL",
			str_len);
	return 0;
}

/* The size of a kind's own data after its record, or -1 if unknown. */
static int64_t kind_data_len(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case KIND_INT:
	case KIND_VAR:
	case KIND_DECL_TAG:
		return 4;
	case KIND_ARRAY:
		return 12;
	case KIND_STRUCT:
	case KIND_UNION:
	case KIND_DATASEC:
	case KIND_ENUM64:
		return (int64_t)vlen * 12;
	case KIND_ENUM:
	case KIND_FUNC_PROTO:
		return (int64_t)vlen * 8;
	case KIND_PTR:
	case KIND_FWD:
	case KIND_TYPEDEF:
	case KIND_VOLATILE:
	case KIND_CONST:
	case KIND_RESTRICT:
	case KIND_FUNC:
	case KIND_FLOAT:
	case KIND_TYPE_TAG:
		return 0;
	}
	return -1;
}

/* The names inside a kind's data (members, enumerators, parameters):
 * each entry starts with a name offset. */
static int check_names(const struct btf *b, const struct btf_rec *t)
{
	uint32_t step, i, off;

	switch (t->kind) {
	case KIND_STRUCT:
	case KIND_UNION:
	case KIND_ENUM64:
		step = 12;
		break;
	case KIND_ENUM:
	case KIND_FUNC_PROTO:
		step = 8;
		break;
	default:
		return 0;
	}
	for (i = 0; i < t->vlen; i++) {
		off = get32(t->data + (size_t)i * step);
		if (off >= b->strs_len)
			return malformed(
				"type %u, entry %u: name offset %u is outside the string section",
				t->id, i, off);
	}
	return 0;
}

typedef int (*btf_visit)(const struct btf *b, const struct btf_rec *t,
			 void *arg);

/*
 * Check every type and hand each to @visit (which may stop the walk with
 * a non-zero return). A walk that completes sets b->ntypes.
 */
static int walk(struct btf *b, btf_visit visit, void *arg)
{
	struct btf_rec t;
	uint32_t pos = 0, info;
	int64_t extra;
	int err;

	for (t.id = 1; pos < b->types_len; t.id++) {
		if (b->types_len - pos < BTF_TYPE_LEN)
			return malformed(
				"type %u: its record (%u bytes left) is cut off",
				t.id, b->types_len - pos);
		t.name_off = get32(b->types + pos);
		info = get32(b->types + pos + 4);
		t.type = get32(b->types + pos + 8);
		t.kind = (info >> 24) & 0x1f;
		t.vlen = info & 0xffff;
		pos += BTF_TYPE_LEN;
		if (t.kind == KIND_UNKN)
			return malformed("type %u has kind 0 (unknown)", t.id);
		extra = kind_data_len(t.kind, t.vlen);
		if (extra < 0)
			return xsk__err(
				-EOPNOTSUPP,
				"the kernel's BTF has type %u of kind %u, which this libxsk does not know (it knows kinds 1 to %u): the kernel is newer than the library; update libxsk",
				t.id, t.kind, KIND_MAX);
		if ((uint64_t)extra > b->types_len - pos)
			return malformed(
				"type %u (kind %u): its data runs past the type section by %u bytes",
				t.id, t.kind,
				(uint32_t)((uint64_t)extra -
					   (b->types_len - pos)));
		if (t.name_off >= b->strs_len)
			return malformed(
				"type %u: name offset %u is outside the string section (%u bytes)",
				t.id, t.name_off, b->strs_len);
		t.data = b->types + pos;
		err = check_names(b, &t);
		if (err)
			return err;
		pos += (uint32_t)extra;
		if (visit) {
			err = visit(b, &t, arg);
			if (err)
				return err;
		}
	}
	b->ntypes = t.id - 1;
	return 0;
}

struct find_funcs {
	const struct xsk__btf_func *want;
	unsigned int n;
	uint32_t *ids;
	uint32_t *protos;
};

static int visit_func(const struct btf *b, const struct btf_rec *t, void *arg)
{
	struct find_funcs *f = arg;
	unsigned int i;

	if (t->kind != KIND_FUNC)
		return 0;
	for (i = 0; i < f->n; i++) {
		if (strcmp(b->strs + t->name_off, f->want[i].name))
			continue;
		/* Two functions of one name: which one the kernel would
		 * call is not for a guess to decide. */
		if (f->ids[i])
			return xsk__err(
				-EBADMSG,
				"the kernel's BTF names two functions %s (types %u and %u)",
				f->want[i].name, f->ids[i], t->id);
		f->ids[i] = t->id;
		f->protos[i] = t->type;
	}
	return 0;
}

struct check_proto {
	const struct xsk__btf_func *want;
	uint32_t func_id;
	uint32_t proto_id;
};

static int visit_proto(const struct btf *b, const struct btf_rec *t, void *arg)
{
	const struct check_proto *c = arg;
	const struct xsk__btf_func *w = c->want;
	const char *name;
	uint32_t i;

	if (t->id != c->proto_id)
		return 0;
	if (t->kind != KIND_FUNC_PROTO)
		return malformed(
			"function type %u refers to type %u, of kind %u, not a prototype",
			c->func_id, t->id, t->kind);
	if (t->vlen != w->nparams)
		return xsk__err(
			-EOPNOTSUPP,
			"%s takes %u parameters in this kernel, not the %u this libxsk passes: its signature changed; update libxsk",
			w->name, t->vlen, w->nparams);
	for (i = 0; i < t->vlen && i < XSK__BTF_MAX_PARAMS; i++) {
		name = b->strs + get32(t->data + (size_t)i * 8);
		/* The kernel's BTF names the parameters; should one day a
		 * kernel not, the count is all there is to check. */
		if (name[0] && w->params[i] && strcmp(name, w->params[i]))
			return xsk__err(
				-EOPNOTSUPP,
				"%s's parameter %u is \"%s\" in this kernel, not \"%s\": its signature changed; update libxsk",
				w->name, i + 1, name, w->params[i]);
	}
	return 1; /* found: stop */
}

int xsk__btf_find_funcs(const void *data, size_t len,
			const struct xsk__btf_func *want, unsigned int n,
			uint32_t *ids)
{
	uint32_t protos[XSK__BTF_MAX_FUNCS];
	struct find_funcs f = { want, n, ids, protos };
	struct check_proto c;
	struct btf b;
	unsigned int i;
	int err;

	if (n > XSK__BTF_MAX_FUNCS)
		return xsk__err(-EINVAL, "at most %d functions at a time",
				XSK__BTF_MAX_FUNCS);
	memset(ids, 0, n * sizeof(*ids));
	memset(&b, 0, sizeof(b));
	err = parse_header(&b, data, len);
	if (!err)
		err = walk(&b, visit_func, &f);
	for (i = 0; !err && i < n; i++) {
		if (!ids[i])
			continue;
		c.want = &want[i];
		c.func_id = ids[i];
		c.proto_id = protos[i];
		if (!protos[i] || protos[i] > b.ntypes)
			err = malformed(
				"function type %u refers to type %u, beyond the last (%u)",
				ids[i], protos[i], b.ntypes);
		else
			err = walk(&b, visit_proto, &c);
		if (err == 1)
			err = 0;
	}
	if (err)
		memset(ids, 0, n * sizeof(*ids));
	return err;
}

/* Enough for any vmlinux BTF seen so far (6.18: 5.5 MB) many times over;
 * a file larger than this is not BTF. */
#define BTF_MAX_SIZE (256u << 20)

int xsk__btf_read(const char *path, void **data, size_t *len)
{
	size_t cap = 1u << 20, n = 0;
	uint8_t *buf = NULL, *bigger;
	int fd, r = 0;

	fd = xsk__sys_open_read(path);
	if (fd < 0)
		return fd;
	for (;;) {
		if (n == cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > BTF_MAX_SIZE) {
				r = -EFBIG;
				break;
			}
			bigger = realloc(buf, cap);
			if (!bigger) {
				r = -ENOMEM;
				break;
			}
			buf = bigger;
		}
		r = xsk__sys_read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	xsk__sys_close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* -------------------------------------------- the RX metadata kfuncs */

/* Their signatures in net/core/xdp.c; vlan_tag takes (proto, tci) since
 * it was merged, whatever the order of the driver callback behind it. */
const struct xsk__hint_kfunc xsk__hint_kfuncs[XSK__NHINTS] = {
	{ { "bpf_xdp_metadata_rx_timestamp", 2, { "ctx", "timestamp" } },
	  XSK_HINT_TIMESTAMP,
	  "XSK_HINT_TIMESTAMP",
	  "6.3" },
	{ { "bpf_xdp_metadata_rx_hash", 3, { "ctx", "hash", "rss_type" } },
	  XSK_HINT_HASH,
	  "XSK_HINT_HASH",
	  "6.3" },
	{ { "bpf_xdp_metadata_rx_vlan_tag",
	    3,
	    { "ctx", "vlan_proto", "vlan_tci" } },
	  XSK_HINT_VLAN,
	  "XSK_HINT_VLAN",
	  "6.8" },
};

int xsk__hint_kfunc_ids(uint32_t ids[XSK__NHINTS])
{
	struct xsk__btf_func want[XSK__NHINTS];
	size_t len = 0;
	void *data = NULL;
	unsigned int i;
	int err;

	err = xsk__btf_read(XSK__VMLINUX_BTF, &data, &len);
	if (err == -ENOENT)
		return xsk__err(
			-EOPNOTSUPP,
			"the kernel describes no types (" XSK__VMLINUX_BTF
			" is missing): RX hints need a kernel built with CONFIG_DEBUG_INFO_BTF, whose BTF gives the ids of the kfuncs to call");
	if (err)
		return xsk__err(err, "reading " XSK__VMLINUX_BTF ": %s",
				strerror(-err));
	for (i = 0; i < XSK__NHINTS; i++)
		want[i] = xsk__hint_kfuncs[i].f;
	err = xsk__btf_find_funcs(data, len, want, XSK__NHINTS, ids);
	free(data);
	return err;
}
