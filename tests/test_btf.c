// SPDX-License-Identifier: MIT
/*
 * The raw BTF reader (src/btf.c) on synthetic blobs from tests/fakebtf.c,
 * a builder written separately from the format: valid blobs with types of
 * every kind, where the ids found must be the builder's; every truncation of
 * one; and hostile blobs, each bending one rule, each refused with the
 * error and the explanation that rule has. A refusal never leaves an id.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include "fakebtf.h"
#include "fakesys.h"
#include "internal.h"

/* The three kfuncs, as src/btf.c is asked for them. */
static struct xsk__btf_func want[3];

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	fake_reset();
	for (i = 0; i < 3; i++)
		want[i] = xsk__hint_kfuncs[i].f;
	return 0;
}

/* Find the kfuncs in @blob; every id is 0 on failure. */
static int find(const void *blob, size_t len, uint32_t ids[3])
{
	int err;

	memset(ids, 0xa5, 3 * sizeof(*ids));
	err = xsk__btf_find_funcs(blob, len, want, 3, ids);
	if (err) {
		assert_true(err < 0);
		for (int i = 0; i < 3; i++)
			assert_int_equal(ids[i], 0);
	}
	return err;
}

static void set32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void finds_the_builders_ids(void **state)
{
	uint32_t ids[3], expect[3];
	const uint8_t *blob;
	unsigned int hints;
	size_t len;

	(void)state;
	for (hints = 0; hints < 8; hints++) {
		blob = fbtf_vmlinux(hints, &len, expect);
		assert_int_equal(find(blob, len, ids), 0);
		for (int i = 0; i < 3; i++) {
			assert_int_equal(ids[i], expect[i]);
			assert_int_equal(ids[i] != 0, !!(hints & (1u << i)));
		}
	}
}

/* A blob built by the test: every kind, then @fn's additions. */
static uint8_t *build(void (*fn)(struct fbtf *b), size_t *len)
{
	struct fbtf b;
	uint8_t *blob;

	fbtf_init(&b);
	fbtf_every_kind(&b);
	if (fn)
		fn(&b);
	blob = fbtf_blob(&b, len);
	fbtf_free(&b);
	return blob;
}

static void three_kfuncs(struct fbtf *b)
{
	static const char *const ts[] = { "ctx", "timestamp" };
	static const char *const hash[] = { "ctx", "hash", "rss_type" };
	static const char *const vlan[] = { "ctx", "vlan_proto", "vlan_tci" };

	fbtf_func(b, "bpf_xdp_metadata_rx_timestamp", fbtf_proto(b, 2, ts));
	fbtf_func(b, "bpf_xdp_metadata_rx_hash", fbtf_proto(b, 3, hash));
	fbtf_func(b, "bpf_xdp_metadata_rx_vlan_tag", fbtf_proto(b, 3, vlan));
}

static void every_truncation_is_refused(void **state)
{
	uint32_t ids[3];
	uint8_t *blob, *cut;
	size_t len, n;

	(void)state;
	blob = build(three_kfuncs, &len);
	assert_int_equal(find(blob, len, ids), 0);
	for (n = 0; n < len; n++) {
		/* a copy of exactly n bytes: ASan sees any read beyond */
		cut = malloc(n ? n : 1);
		memcpy(cut, blob, n);
		assert_int_equal(find(cut, n, ids), -EBADMSG);
		assert_msg("malformed");
		free(cut);
	}
	free(blob);
}

/* Offsets in a blob from fbtf_blob(): header fields, then the sections. */
#define HDR_LEN 4
#define TYPE_OFF 8
#define TYPE_LEN 12
#define STR_OFF 16
#define STR_LEN 20

struct bend {
	const char *what;
	void (*fn)(uint8_t *blob, size_t len);
	int err;
	const char *msg;
};

static void bad_magic(uint8_t *p, size_t len)
{
	(void)len;
	p[0] = 0x7f;
}

static void swapped_magic(uint8_t *p, size_t len)
{
	(void)len;
	p[0] = 0xeb;
	p[1] = 0x9f;
}

static void version_2(uint8_t *p, size_t len)
{
	(void)len;
	p[2] = 2;
}

static void short_header(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, HDR_LEN, 20);
}

static void huge_header(uint8_t *p, size_t len)
{
	set32(p, HDR_LEN, (uint32_t)len + 1);
}

static void types_past_end(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, TYPE_LEN, get32(p, TYPE_LEN) + get32(p, STR_LEN) + 1);
}

static void types_offset_wraps(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, TYPE_OFF, 0xfffffff0u);
}

static void strings_past_end(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, STR_LEN, get32(p, STR_LEN) + 1);
}

static void sections_overlap(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, STR_OFF, get32(p, STR_OFF) - 4);
}

static void strings_unterminated(uint8_t *p, size_t len)
{
	p[len - 1] = 'x';
}

static void strings_empty(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, STR_LEN, 0);
}

static void first_string_not_empty(uint8_t *p, size_t len)
{
	(void)len;
	p[24 + get32(p, STR_OFF)] = 'x';
}

/* The first type record, right after the header: "int". */
static void type_name_outside(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, 24, get32(p, STR_LEN));
}

static void kind_zero(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, 28, 0);
}

static void kind_unknown(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, 28, (uint32_t)FBTF_NKINDS << 24);
}

static void vlen_past_end(uint8_t *p, size_t len)
{
	(void)len;
	/* the fourth type is struct xdp_md, after int (16 bytes), a pointer
	 * (12) and an array (24) */
	set32(p, 24 + 52 + 4, FBTF_STRUCT << 24 | 0xffff);
}

static void member_name_outside(uint8_t *p, size_t len)
{
	(void)len;
	set32(p, 24 + 52 + 12, get32(p, STR_LEN) + 100);
}

struct bent_blob {
	uint8_t *p;
	size_t len;
};

static void dup_func(struct fbtf *b)
{
	three_kfuncs(b);
	fbtf_func(b, "bpf_xdp_metadata_rx_hash", b->ntypes - 1);
}

static void func_to_nowhere(struct fbtf *b)
{
	fbtf_func(b, "bpf_xdp_metadata_rx_hash", b->ntypes + 100);
}

static void func_to_int(struct fbtf *b)
{
	fbtf_func(b, "bpf_xdp_metadata_rx_hash", 1);
}

static void hash_of_6_2(struct fbtf *b)
{
	static const char *const old[] = { "ctx", "hash" };

	fbtf_func(b, "bpf_xdp_metadata_rx_hash", fbtf_proto(b, 2, old));
}

static void vlan_swapped(struct fbtf *b)
{
	static const char *const p[] = { "ctx", "vlan_tci", "vlan_proto" };

	fbtf_func(b, "bpf_xdp_metadata_rx_vlan_tag", fbtf_proto(b, 3, p));
}

static void unknown_kind_after(struct fbtf *b)
{
	three_kfuncs(b);
	fbtf_type(b, "future", FBTF_NKINDS, 0, 0, NULL, 0);
}

static void hostile_headers_and_types(void **state)
{
	static const struct bend bends[] = {
		{ "magic", bad_magic, -EBADMSG, "not BTF" },
		{ "byte order", swapped_magic, -EBADMSG, "other byte order" },
		{ "version", version_2, -EOPNOTSUPP, "version 2" },
		{ "short header", short_header, -EBADMSG, "header length 20" },
		{ "huge header", huge_header, -EBADMSG, "header length" },
		{ "types past end", types_past_end, -EBADMSG, "type section" },
		{ "types wrap", types_offset_wraps, -EBADMSG, "type section" },
		{ "strings past end", strings_past_end, -EBADMSG,
		  "string section" },
		{ "overlap", sections_overlap, -EBADMSG, "overlap" },
		{ "unterminated", strings_unterminated, -EBADMSG, "NUL" },
		{ "no strings", strings_empty, -EBADMSG, "NUL" },
		{ "first string", first_string_not_empty, -EBADMSG, "NUL" },
		{ "type name", type_name_outside, -EBADMSG,
		  "type 1: name offset" },
		{ "kind 0", kind_zero, -EBADMSG, "kind 0" },
		{ "kind 20", kind_unknown, -EOPNOTSUPP, "kind 20" },
		{ "vlen", vlen_past_end, -EBADMSG, "type 4 (kind 4)" },
		{ "member name", member_name_outside, -EBADMSG,
		  "type 4, entry 0" },
	};
	uint32_t ids[3];
	uint8_t *blob;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(bends) / sizeof(bends[0]); i++) {
		blob = build(three_kfuncs, &len);
		bends[i].fn(blob, len);
		if (find(blob, len, ids) != bends[i].err)
			fail_msg("%s: got \"%s\"", bends[i].what, xsk_errmsg());
		assert_msg(bends[i].msg);
		free(blob);
	}
}

static void hostile_functions(void **state)
{
	static const struct {
		void (*fn)(struct fbtf *b);
		int err;
		const char *msg;
	} cases[] = {
		{ dup_func, -EBADMSG,
		  "two functions bpf_xdp_metadata_rx_hash" },
		{ func_to_nowhere, -EBADMSG, "beyond the last" },
		{ func_to_int, -EBADMSG, "not a prototype" },
		{ hash_of_6_2, -EOPNOTSUPP, "takes 2 parameters" },
		{ vlan_swapped, -EOPNOTSUPP,
		  "parameter 2 is \"vlan_tci\" in this kernel, not \"vlan_proto\"" },
		{ unknown_kind_after, -EOPNOTSUPP, "kind 20" },
	};
	uint32_t ids[3];
	uint8_t *blob;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		blob = build(cases[i].fn, &len);
		if (find(blob, len, ids) != cases[i].err)
			fail_msg("case %zu: got \"%s\"", i, xsk_errmsg());
		assert_msg(cases[i].msg);
		free(blob);
	}
}

static void unnamed_params(struct fbtf *b)
{
	fbtf_func(b, "bpf_xdp_metadata_rx_hash", fbtf_proto(b, 3, NULL));
}

static void tolerated(void **state)
{
	uint32_t ids[3];
	uint8_t *blob, *longer;
	size_t len;

	(void)state;
	/* parameters without names: the count is all there is to check */
	blob = build(unnamed_params, &len);
	assert_int_equal(find(blob, len, ids), 0);
	assert_int_equal(ids[0], 0);
	assert_true(ids[1] != 0);
	free(blob);

	/* a newer kernel's longer header: the sections are where it says */
	blob = build(three_kfuncs, &len);
	longer = calloc(1, len + 8);
	memcpy(longer, blob, 24);
	set32(longer, HDR_LEN, 32);
	set32(longer, 24, 0xdeadbeef);
	memcpy(longer + 32, blob + 24, len - 24);
	assert_int_equal(find(longer, len + 8, ids), 0);
	assert_true(ids[0] && ids[1] && ids[2]);
	free(longer);

	/* no types at all, and nothing after the sections counts */
	set32(blob, TYPE_LEN, 0);
	assert_int_equal(find(blob, len, ids), 0);
	assert_int_equal(ids[0] | ids[1] | ids[2], 0);
	free(blob);

	assert_int_equal(xsk__btf_find_funcs(NULL, 0, want, 9, ids), -EINVAL);
}

static void reads_files(void **state)
{
	char path[] = "/tmp/libxsk-btf-XXXXXX";
	size_t len = 0, big = (3u << 20) + 5, i;
	uint8_t *data, *back = NULL;
	int fd;

	(void)state;
	/* larger than the first buffer, so that it grows */
	data = malloc(big);
	for (i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 7);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, big), (ssize_t)big);
	close(fd);
	assert_int_equal(xsk__btf_read(path, (void **)&back, &len), 0);
	assert_int_equal(len, big);
	assert_memory_equal(back, data, big);
	free(back);
	unlink(path);
	free(data);
	assert_int_equal(xsk__btf_read(path, (void **)&back, &len), -ENOENT);
}

static void kernel_generations(void **state)
{
	uint32_t ids[3], expect[3];
	size_t len;

	(void)state;
	fbtf_vmlinux(7, &len, expect);
	assert_int_equal(xsk__hint_kfunc_ids(ids), 0);
	assert_memory_equal(ids, expect, sizeof(ids));
	assert_int_equal(fake.btf_opens, 1);

	fake_kernel(FAKE_6_1);
	assert_int_equal(xsk__hint_kfunc_ids(ids), 0);
	assert_int_equal(ids[0] | ids[1] | ids[2], 0);

	fake_kernel(FAKE_4_18);
	assert_int_equal(xsk__hint_kfunc_ids(ids), -EOPNOTSUPP);
	assert_msg("CONFIG_DEBUG_INFO_BTF");

	fake_reset();
	fake.fail_at = 1;
	fake.fail_errno = EACCES;
	assert_int_equal(xsk__hint_kfunc_ids(ids), -EACCES);
	assert_msg("reading /sys/kernel/btf/vmlinux");
	fake.fail_at = 2; /* the first read */
	fake.calls = 0;
	fake.fail_errno = EIO;
	assert_int_equal(xsk__hint_kfunc_ids(ids), -EIO);
	assert_int_equal(fake.live_fds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(finds_the_builders_ids, setup),
		cmocka_unit_test_setup(every_truncation_is_refused, setup),
		cmocka_unit_test_setup(hostile_headers_and_types, setup),
		cmocka_unit_test_setup(hostile_functions, setup),
		cmocka_unit_test_setup(tolerated, setup),
		cmocka_unit_test_setup(reads_files, setup),
		cmocka_unit_test_setup(kernel_generations, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
