/* SPDX-License-Identifier: MIT */
/*
 * Synthetic raw BTF for the tests: a small builder that writes types of
 * every kind and a string section, and blobs that look like the kernel's
 * /sys/kernel/btf/vmlinux with a chosen set of the RX metadata kfuncs.
 * Written from the format (include/uapi/linux/btf.h), independently of
 * src/btf.c, so that the two can check each other.
 */
#ifndef LIBXSK_TESTS_FAKEBTF_H
#define LIBXSK_TESTS_FAKEBTF_H

#include <stddef.h>
#include <stdint.h>

/* The kinds, as the format numbers them. */
enum {
	FBTF_INT = 1,
	FBTF_PTR,
	FBTF_ARRAY,
	FBTF_STRUCT,
	FBTF_UNION,
	FBTF_ENUM,
	FBTF_FWD,
	FBTF_TYPEDEF,
	FBTF_VOLATILE,
	FBTF_CONST,
	FBTF_RESTRICT,
	FBTF_FUNC,
	FBTF_FUNC_PROTO,
	FBTF_VAR,
	FBTF_DATASEC,
	FBTF_FLOAT,
	FBTF_DECL_TAG,
	FBTF_TYPE_TAG,
	FBTF_ENUM64,
	FBTF_NKINDS, /* the first kind a version 1 reader does not know */
};

struct fbtf {
	uint8_t *types;
	size_t types_len, types_cap;
	char *strs;
	size_t strs_len, strs_cap;
	uint32_t ntypes;
};

void fbtf_init(struct fbtf *b);
void fbtf_free(struct fbtf *b);
/* The offset of @s in the string section (added once per call). */
uint32_t fbtf_str(struct fbtf *b, const char *s);
/* A type record of @kind and @vlen with @data after it; its id. */
uint32_t fbtf_type(struct fbtf *b, const char *name, uint32_t kind,
		   uint32_t vlen, uint32_t size_or_type, const void *data,
		   size_t data_len);
/* A FUNC_PROTO returning int with parameters named @names (NULL: unnamed). */
uint32_t fbtf_proto(struct fbtf *b, unsigned int n, const char *const *names);
uint32_t fbtf_func(struct fbtf *b, const char *name, uint32_t proto);
/* One type of each kind with data of a few entries, names and all. */
void fbtf_every_kind(struct fbtf *b);
/* The blob: header, types, strings. malloc'ed. */
uint8_t *fbtf_blob(const struct fbtf *b, size_t *len);

/*
 * A vmlinux-like blob holding the RX metadata kfuncs of @hints (XSK_HINT_*
 * bits), among types of every kind and decoys (a variable and a prototype
 * named like a kfunc, a function with a similar name). ids[i] gets the id of
 * the kfunc of bit i, 0 if left out. The blob is built once per @hints and
 * kept: do not free it.
 */
const uint8_t *fbtf_vmlinux(unsigned int hints, size_t *len, uint32_t ids[3]);

#endif /* LIBXSK_TESTS_FAKEBTF_H */
