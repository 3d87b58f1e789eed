/* SPDX-License-Identifier: MIT */
/*
 * What the XDP program tests on the fake kernel share (test_prog.c,
 * test_hints.c): the set-up, the check that nothing is left, the program
 * attached and its instructions. Include after <cmocka.h>, <xsk.h>,
 * fakebpf.h and fakesys.h.
 */
#ifndef LIBXSK_TESTS_PROGUTIL_H
#define LIBXSK_TESTS_PROGUTIL_H

#include <dirent.h>

#define SENTINEL ((struct xsk_prog *)0x5a5a5a5a)

/* The fds open when the test began. */
static int base_fds;

static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* Nothing of ours is left: no fd, no object, no attachment. */
static inline void assert_clean(void)
{
	assert_int_equal(fake_bpf_live(FAKE_MAP), 0);
	assert_int_equal(fake_bpf_live(FAKE_PROG), 0);
	assert_int_equal(fake_bpf_live(FAKE_LINK), 0);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), 0);
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(count_fds(), base_fds);
}

static inline int setup(void **state)
{
	(void)state;
	fake_reset();
	fake_bpf_reset();
	base_fds = count_fds();
	return 0;
}

static inline int attach(struct xsk_prog **p, const struct xsk_prog_opts *o)
{
	return xsk_prog_attach(p, "fake0", 0, o);
}

static inline void check_insn(const struct bpf_insn *i, uint8_t code,
			      uint8_t dst, uint8_t src, int16_t off,
			      int32_t imm)
{
	assert_int_equal(i->code, code);
	assert_int_equal(i->dst_reg, dst);
	assert_int_equal(i->src_reg, src);
	assert_int_equal(i->off, off);
	assert_int_equal(i->imm, imm);
}

/* The program the fake interface @ifindex carries, or NULL. */
static inline struct fake_bpf_obj *attached_prog(uint32_t ifindex)
{
	uint32_t id = fake_bpf_attached(ifindex, NULL);
	int i;

	for (i = 0; i < FAKE_BPF_OBJS; i++)
		if (fbpf.obj[i].kind == FAKE_PROG && fbpf.obj[i].id == id)
			return &fbpf.obj[i];
	return NULL;
}

#endif /* LIBXSK_TESTS_PROGUTIL_H */
