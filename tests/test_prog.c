// SPDX-License-Identifier: MIT
/*
 * XDP program and XSKMAP unit tests, on the fake kernel (fakesys.c for
 * AF_XDP, fakebpf.c for bpf(2), rtnetlink and capget): no privilege.
 *
 * The program's instructions and the rtnetlink requests are decoded and
 * checked field by field; every wrapped call of every setup path is failed
 * in turn, with several errno values, and nothing may be left behind: no
 * fd, no map, program or link, no attachment.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include "fakebpf.h"
#include "fakesys.h"
#include "progutil.h"

/* A map or program the caller made itself, through the same bpf(2). */
static int user_map(uint32_t type, uint32_t entries)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_XSKMAP;
	a.key_size = a.value_size = 4;
	a.max_entries = entries;
	fd = (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	assert_true(fd >= 0);
	fake_bpf_obj(fd)->type = type;
	return fd;
}

static int user_prog(uint32_t type)
{
	int fd = fake_bpf_new(FAKE_PROG, type, "mine");

	assert_true(fd >= 0);
	return fd;
}

/* --------------------------------------------------- the instructions */

static void redirect_program(void **state)
{
	struct xsk_prog *p = NULL;
	struct fake_bpf_obj *o, *m;
	uint8_t mode;

	(void)state;
	fake.channels = 3;
	assert_int_equal(attach(&p, NULL), 0);
	o = attached_prog(FAKE_IFINDEX);
	assert_non_null(o);
	assert_int_equal(o->type, BPF_PROG_TYPE_XDP);
	assert_int_equal(o->prog_flags, 0);
	assert_string_equal(o->name, "xsk_redirect");
	assert_string_equal(o->license, "Dual MIT/GPL");
	assert_int_equal(o->insn_cnt, 6);
	/* r2 = ctx->rx_queue_index */
	check_insn(&o->insns[0], BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2,
		   BPF_REG_1, 16, 0);
	/* r1 = the map, a two-slot 64-bit immediate naming the map's fd */
	check_insn(&o->insns[1], BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1,
		   BPF_PSEUDO_MAP_FD, 0, xsk_prog_map_fd(p));
	check_insn(&o->insns[2], 0, 0, 0, 0, 0);
	/* r3 = XDP_PASS: what an empty slot does */
	check_insn(&o->insns[3], BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0,
		   XDP_PASS);
	check_insn(&o->insns[4], BPF_JMP | BPF_CALL, 0, 0, 0,
		   BPF_FUNC_redirect_map);
	check_insn(&o->insns[5], BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	/* the map: an XSKMAP of u32 -> u32, one slot per queue */
	m = fake_bpf_obj(xsk_prog_map_fd(p));
	assert_non_null(m);
	assert_int_equal(fake_bpf_index(m), o->map_obj);
	assert_int_equal(m->type, BPF_MAP_TYPE_XSKMAP);
	assert_int_equal(m->key_size, 4);
	assert_int_equal(m->value_size, 4);
	assert_int_equal(m->max_entries, 3);
	assert_int_equal(xsk_prog_nqueues(p), 3);

	/* through a link, in the mode the kernel picks (native here) */
	assert_int_equal(fake_bpf_live(FAKE_LINK), 1);
	assert_int_equal(fbpf.setlinks, 0);
	fake_bpf_attached(FAKE_IFINDEX, &mode);
	assert_int_equal(mode, XDP_ATTACHED_DRV);
	assert_int_equal(xsk_prog_mode(p), XSK_ATTACH_NATIVE);
	assert_int_equal(fbpf.last_log_level, 0); /* no log unless refused */
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();
}

static void frags_and_pass_programs(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_FRAGS);
	struct xsk_prog *p = NULL;
	struct fake_bpf_obj *po;

	(void)state;
	assert_int_equal(attach(&p, &o), 0);
	po = attached_prog(FAKE_IFINDEX);
	assert_int_equal(po->prog_flags, BPF_F_XDP_HAS_FRAGS);
	assert_int_equal(po->insn_cnt, 6);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();

	o.flags = XSK_PROG_PASS_ONLY;
	assert_int_equal(attach(&p, &o), 0);
	po = attached_prog(FAKE_IFINDEX);
	assert_string_equal(po->name, "xsk_pass");
	assert_int_equal(po->insn_cnt, 2);
	check_insn(&po->insns[0], BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
		   XDP_PASS);
	check_insn(&po->insns[1], BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	assert_int_equal(xsk_prog_map_fd(p), -1);
	assert_int_equal(xsk_prog_nqueues(p), 0);
	assert_int_equal(fake_bpf_live(FAKE_MAP), 0);
	assert_int_equal(xsk_prog_set_queue(p, 0, 5), -ENOENT);
	assert_msg("XSK_PROG_PASS_ONLY");
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();

	fbpf.no_frags = true;
	o.flags = XSK_PROG_FRAGS;
	p = SENTINEL;
	assert_int_equal(attach(&p, &o), -EINVAL);
	assert_ptr_equal(p, SENTINEL);
	assert_msg("5.18");
	assert_clean();
}

/* ------------------------------------------------------------ rtnetlink */

struct nl_xdp {
	uint16_t type, flags;
	int32_t ifindex;
	bool nested;
	int32_t fd, expected;
	uint32_t xdp_flags;
	bool has_flags, has_expected;
};

static struct nl_xdp decode_setlink(unsigned int i)
{
	const struct nlmsghdr *nh = (const void *)fbpf.setlink[i];
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta, *x;
	unsigned int len, xlen;
	struct nl_xdp r;
	int n = 0;

	memset(&r, 0, sizeof(r));
	r.type = nh->nlmsg_type;
	r.flags = nh->nlmsg_flags;
	r.ifindex = ifi->ifi_index;
	assert_int_equal(ifi->ifi_family, AF_UNSPEC);
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	rta = (const void *)((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		assert_int_equal(rta->rta_type & NLA_TYPE_MASK, IFLA_XDP);
		n++;
		r.nested = rta->rta_type & NLA_F_NESTED;
		xlen = RTA_PAYLOAD(rta);
		for (x = RTA_DATA(rta); RTA_OK(x, xlen);
		     x = RTA_NEXT(x, xlen)) {
			assert_int_equal(RTA_PAYLOAD(x), 4);
			if (x->rta_type == IFLA_XDP_FD) {
				memcpy(&r.fd, RTA_DATA(x), 4);
			} else if (x->rta_type == IFLA_XDP_FLAGS) {
				memcpy(&r.xdp_flags, RTA_DATA(x), 4);
				r.has_flags = true;
			} else if (x->rta_type == IFLA_XDP_EXPECTED_FD) {
				memcpy(&r.expected, RTA_DATA(x), 4);
				r.has_expected = true;
			} else {
				fail_msg("unexpected IFLA_XDP attribute %u",
					 x->rta_type);
			}
		}
		assert_int_equal(xlen, 0);
	}
	assert_int_equal(len, 0);
	assert_int_equal(n, 1);
	return r;
}

static void netlink_requests(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts,
					  .flags = XSK_PROG_NETLINK,
					  .mode = XSK_ATTACH_GENERIC);
	struct xsk_prog *p = NULL;
	struct nl_xdp r;
	uint8_t mode;
	int prog_fd;

	(void)state;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(fake_bpf_live(FAKE_LINK), 0);
	assert_true(fake_bpf_attached(FAKE_IFINDEX, &mode) != 0);
	assert_int_equal(mode, XDP_ATTACHED_SKB);
	assert_int_equal(xsk_prog_mode(p), XSK_ATTACH_GENERIC);
	prog_fd = xsk_prog_fd(p);
	assert_int_equal(fbpf.setlinks, 1);
	r = decode_setlink(0);
	assert_int_equal(r.type, RTM_SETLINK);
	assert_int_equal(r.flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(r.ifindex, FAKE_IFINDEX);
	assert_true(r.nested);
	assert_int_equal(r.fd, prog_fd);
	assert_true(r.has_flags);
	/* never replace a program that is there already */
	assert_int_equal(r.xdp_flags,
			 XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_SKB_MODE);
	assert_false(r.has_expected);

	/* destroy detaches: fd -1, only if the program is still ours */
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_int_equal(fbpf.setlinks, 2);
	r = decode_setlink(1);
	assert_int_equal(r.type, RTM_SETLINK);
	assert_int_equal(r.fd, -1);
	assert_int_equal(r.xdp_flags, XDP_FLAGS_REPLACE | XDP_FLAGS_SKB_MODE);
	assert_true(r.has_expected);
	assert_int_equal(r.expected, prog_fd);
	assert_clean();
}

static void netlink_fallback_without_links(void **state)
{
	struct xsk_prog *p = NULL;
	struct nl_xdp r;

	(void)state;
	fbpf.no_links = true; /* kernel before 5.9 */
	fbpf.no_replace = true; /* and before 5.7 */
	assert_int_equal(attach(&p, NULL), 0);
	assert_int_equal(fbpf.setlinks, 1);
	r = decode_setlink(0);
	assert_int_equal(r.xdp_flags, XDP_FLAGS_UPDATE_IF_NOEXIST);
	assert_int_equal(xsk_prog_mode(p), XSK_ATTACH_NATIVE);
	/* XDP_FLAGS_REPLACE refused: the id is checked, then a plain detach
	 * in the mode the program runs in */
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_int_equal(fbpf.setlinks, 3);
	r = decode_setlink(2);
	assert_int_equal(r.fd, -1);
	assert_int_equal(r.xdp_flags, XDP_FLAGS_DRV_MODE);
	assert_false(r.has_expected);
	assert_clean();
}

static void netlink_detach_spares_others(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_NETLINK);
	struct xsk_prog *p = NULL;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fake_reset();
		fake_bpf_reset();
		fbpf.no_replace = i;
		assert_int_equal(attach(&p, &o), 0);
		/* someone else replaced our program meanwhile */
		fake_bpf_attach_foreign(FAKE_IFINDEX, 4242, XDP_ATTACHED_DRV);
		assert_int_equal(xsk_prog_destroy(p), 0);
		assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), 4242);
		assert_int_equal(fake_bpf_live(FAKE_PROG), 0);
		assert_int_equal(fake_bpf_live(FAKE_MAP), 0);
	}
}

/* ------------------------------------------------------ explained errors */

static void busy_interface(void **state)
{
	struct xsk_prog_opts nl =
		XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_NETLINK);
	struct xsk_prog_opts gen =
		XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_GENERIC);
	struct xsk_prog *p = SENTINEL;
	int theirs;
	uint32_t id;

	(void)state;
	theirs = user_prog(BPF_PROG_TYPE_XDP);
	id = fake_bpf_obj(theirs)->id;
	fake_bpf_attach_foreign(FAKE_IFINDEX, id, XDP_ATTACHED_DRV);

	assert_int_equal(attach(&p, NULL), -EBUSY);
	assert_ptr_equal(p, SENTINEL);
	assert_msg("already has XDP program id");
	assert_msg("\"mine\"");
	assert_msg("native mode");
	assert_msg("ip link set dev fake0 xdpdrv off");
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), id);

	assert_int_equal(attach(&p, &nl), -EBUSY);
	assert_msg("xdpdrv off");
	assert_int_equal(attach(&p, &gen), -EEXIST);
	assert_msg("native and generic mode can't both be in use");
	assert_ptr_equal(p, SENTINEL);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), id);

	close(theirs);
	fake_bpf_attach_foreign(FAKE_IFINDEX, 0, 0);
	assert_clean();
}

static void second_attach_is_busy(void **state)
{
	struct xsk_prog *p = NULL, *q = SENTINEL;
	uint32_t id;

	(void)state;
	assert_int_equal(attach(&p, NULL), 0);
	id = fake_bpf_attached(FAKE_IFINDEX, NULL);
	assert_int_equal(attach(&q, NULL), -EBUSY);
	assert_ptr_equal(q, SENTINEL);
	assert_msg("xsk_redirect");
	assert_msg("closing that link");
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), id);
	assert_int_equal(fake_bpf_live(FAKE_MAP), 1);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();
}

static void permissions(void **state)
{
	struct xsk_prog *p = SENTINEL;

	(void)state;
	fbpf.caps = 0;
	assert_int_equal(attach(&p, NULL), -EPERM);
	assert_msg("CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN");

	fbpf.caps = 1ull << 39; /* CAP_BPF only */
	assert_int_equal(attach(&p, NULL), -EPERM);
	assert_msg("needs CAP_NET_ADMIN");
	assert_false(strstr(xsk_errmsg(), "CAP_BPF (or"));
	assert_ptr_equal(p, SENTINEL);
	assert_clean();
}

static void attach_needs_net_admin(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(
		xsk_prog_opts, .flags = XSK_PROG_OWN_PROG, .prog_fd = -1);
	struct xsk_prog *p = SENTINEL;

	(void)state;
	o.prog_fd = user_prog(BPF_PROG_TYPE_XDP);
	fbpf.caps = 1ull << 39;
	assert_int_equal(attach(&p, &o), -EPERM);
	assert_msg("needs CAP_NET_ADMIN, which this process lacks");
	assert_ptr_equal(p, SENTINEL);
	close(o.prog_fd);
	assert_clean();
}

static void native_unsupported(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_NATIVE);
	struct xsk_prog *p = SENTINEL;

	(void)state;
	fbpf.no_native = true;
	assert_int_equal(attach(&p, &o), -EOPNOTSUPP);
	assert_msg("native mode");
	assert_msg("XSK_ATTACH_GENERIC");
	assert_clean();

	/* through rtnetlink, the kernel's own words come along */
	o.flags = XSK_PROG_NETLINK;
	assert_int_equal(attach(&p, &o), -EOPNOTSUPP);
	assert_msg("Underlying driver does not support XDP in native mode");
	assert_ptr_equal(p, SENTINEL);
	assert_clean();

	/* automatic mode: the kernel picks generic */
	o.flags = 0;
	o.mode = XSK_ATTACH_AUTO;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_mode(p), XSK_ATTACH_GENERIC);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();
}

static void verifier_log(void **state)
{
	char log[256];
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .log_buf = log,
					  .log_size = sizeof(log));
	struct xsk_prog *p = SENTINEL;

	(void)state;
	fbpf.verifier_refuses = true;
	assert_int_equal(attach(&p, &o), -EACCES);
	assert_ptr_equal(p, SENTINEL);
	assert_int_equal(fbpf.loads, 2); /* once quietly, once with a log */
	assert_int_equal(fbpf.last_log_level, 1);
	assert_non_null(strstr(log, "r2 = *(u32 *)(r1 +16)"));
	assert_msg("verifier refused the redirect program: R3 !read_ok");
	assert_msg("full log in .log_buf");
	assert_clean();

	/* without a buffer of the caller's, the last line still comes */
	assert_int_equal(attach(&p, NULL), -EACCES);
	assert_msg("R3 !read_ok (pass .log_buf");
	assert_clean();

	/* a refusal other than the verifier's is not retried */
	fbpf.verifier_refuses = false;
	fbpf.load_errno = ENOMEM;
	fbpf.loads = 0;
	assert_int_equal(attach(&p, NULL), -ENOMEM);
	assert_int_equal(fbpf.loads, 1);
	assert_clean();
}

static void bad_options(void **state)
{
	static const struct {
		struct xsk_prog_opts o;
		const char *msg;
	} bad[] = {
		{ { .sz = sizeof(struct xsk_prog_opts), .flags = 1u << 30 },
		  "unknown bits" },
		{ { .sz = sizeof(struct xsk_prog_opts), .mode = 3 },
		  "enum xsk_attach_mode" },
		{ { .sz = sizeof(struct xsk_prog_opts),
		    .flags = XSK_PROG_PASS_ONLY | XSK_PROG_OWN_MAP },
		  "XSK_PROG_PASS_ONLY" },
		{ { .sz = sizeof(struct xsk_prog_opts),
		    .flags = XSK_PROG_MAP_ONLY | XSK_PROG_OWN_PROG },
		  "XSK_PROG_MAP_ONLY" },
		{ { .sz = sizeof(struct xsk_prog_opts),
		    .flags = XSK_PROG_FRAGS | XSK_PROG_OWN_PROG },
		  "XSK_PROG_FRAGS" },
		{ { .sz = sizeof(struct xsk_prog_opts),
		    .flags = XSK_PROG_OWN_MAP,
		    .nqueues = 4 },
		  "nqueues" },
		{ { .sz = sizeof(struct xsk_prog_opts), .log_buf = (char *)"" },
		  "log_size" },
		{ { .sz = 0 }, ".sz" },
	};
	struct xsk_prog *p = SENTINEL;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake.calls = 0;
		assert_int_equal(attach(&p, &bad[i].o), -EINVAL);
		assert_msg(bad[i].msg);
		assert_int_equal(fake.calls, 0); /* no syscall made */
	}
	assert_int_equal(xsk_prog_attach(&p, NULL, 0, NULL), -EINVAL);
	assert_int_equal(xsk_prog_attach(&p, "nosuch0", 0, NULL), -ENODEV);
	assert_msg("nosuch0");
	assert_int_equal(xsk_prog_attach(&p, NULL, 99, NULL), -ENODEV);
	assert_int_equal(xsk_prog_attach(NULL, "fake0", 0, NULL), -EINVAL);
	assert_ptr_equal(p, SENTINEL);
	assert_clean();
}

/* --------------------------------------------- maps and programs of one's own */

static void map_sizes(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .nqueues = 9);
	struct xsk_prog *p = NULL;

	(void)state;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_nqueues(p), 9);
	assert_int_equal(xsk_prog_destroy(p), 0);

	fake.channels = 0; /* the driver doesn't answer ETHTOOL_GCHANNELS */
	assert_int_equal(attach(&p, NULL), 0);
	assert_int_equal(xsk_prog_nqueues(p), XSK_PROG_FALLBACK_QUEUES);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();
}

static void own_map_and_prog(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_OWN_MAP);
	struct xsk_prog *p = NULL, *q = SENTINEL;
	struct fake_bpf_obj *po;
	int map, map_id, prog, ret;
	unsigned int n;

	(void)state;
	/* the built-in program, into the caller's map */
	map = user_map(BPF_MAP_TYPE_XSKMAP, 5);
	map_id = fake_bpf_index(fake_bpf_obj(map));
	o.map_fd = map;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_nqueues(p), 5);
	assert_int_not_equal(xsk_prog_map_fd(p),
			     map); /* a reference of its own */
	po = attached_prog(FAKE_IFINDEX);
	assert_int_equal(po->map_obj, map_id);
	close(map); /* the caller may close theirs */
	assert_int_equal(fake_bpf_live(FAKE_MAP), 1);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();

	/* map only: nothing loaded, nothing attached */
	o.flags = XSK_PROG_MAP_ONLY;
	fbpf.loads = 0;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_fd(p), -1);
	assert_int_equal(xsk_prog_mode(p), XSK_ATTACH_AUTO);
	assert_int_equal(fbpf.loads, 0);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), 0);
	assert_int_equal(fake_bpf_live(FAKE_MAP), 1);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_clean();

	/* the caller's program: attached as it is, the caller's fd stays */
	prog = user_prog(BPF_PROG_TYPE_XDP);
	o.flags = XSK_PROG_OWN_PROG;
	o.prog_fd = prog;
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL),
			 fake_bpf_obj(prog)->id);
	assert_int_equal(xsk_prog_map_fd(p), -1);
	assert_int_equal(fake_bpf_live(FAKE_MAP), 0);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_non_null(fake_bpf_obj(prog));
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), 0);
	close(prog);

	/* the wrong kinds of fds */
	prog = user_prog(BPF_PROG_TYPE_SOCKET_FILTER);
	o.prog_fd = prog;
	assert_int_equal(attach(&q, &o), -EINVAL);
	assert_msg("not an XDP program");
	close(prog);
	map = user_map(BPF_MAP_TYPE_ARRAY, 4);
	o.flags = XSK_PROG_OWN_MAP;
	o.map_fd = map;
	assert_int_equal(attach(&q, &o), -EINVAL);
	assert_msg("not an XSKMAP");
	close(map);
	o.map_fd = -1;
	assert_int_equal(attach(&q, &o), -EBADF);
	o.map_fd = 0; /* stdin: a valid fd, not a map */
	assert_int_equal(attach(&q, &o), -EINVAL);
	assert_msg("not a BPF map");
	assert_ptr_equal(q, SENTINEL);
	assert_clean();

	/* Before 6.5 with unprivileged BPF disabled, even reading a
	 * program's info needs CAP_BPF: that, not "not a program" */
	prog = user_prog(BPF_PROG_TYPE_XDP);
	o.flags = XSK_PROG_OWN_PROG;
	o.prog_fd = prog;
	for (n = 1, ret = 0; n < 10; n++) {
		fake.calls = 0;
		fake.failed = NULL;
		fake.fail_at = n;
		fake.fail_errno = EPERM;
		ret = attach(&q, &o);
		if (fake.failed && !strcmp(fake.failed, "bpf"))
			break;
	}
	fake.fail_at = 0;
	assert_int_equal(ret, -EPERM);
	assert_msg("kernel.unprivileged_bpf_disabled");
	assert_msg("CAP_NET_ADMIN");
	assert_ptr_equal(q, SENTINEL);
	close(prog);
	assert_clean();
}

/* ------------------------------------------------------------- sockets */

struct sockets {
	struct xsk_umem *umem;
	struct xsk_socket *q0, *q2, *other, *txonly;
};

static void sockets_make(struct sockets *s)
{
	struct xsk_socket_opts so =
		XSK_OPTS(xsk_socket_opts, .ifname = "fake0");
	struct xsk_umem_opts uo = XSK_OPTS(xsk_umem_opts, .nframes = 64);

	memset(s, 0, sizeof(*s));
	assert_int_equal(xsk_umem_create(&s->umem, &uo), 0);
	assert_int_equal(xsk_socket_create(&s->q0, s->umem, &so), 0);
	so.queue_id = 2;
	assert_int_equal(xsk_socket_create(&s->q2, s->umem, &so), 0);
	so.queue_id = 0;
	so.ifname = "fake1";
	assert_int_equal(xsk_socket_create(&s->other, s->umem, &so), 0);
	so.ifname = "fake0";
	so.queue_id = 1;
	so.flags = XSK_SOCKET_NO_RX;
	assert_int_equal(xsk_socket_create(&s->txonly, s->umem, &so), 0);
}

static void sockets_free(struct sockets *s)
{
	assert_int_equal(xsk_socket_destroy(s->txonly), 0);
	assert_int_equal(xsk_socket_destroy(s->other), 0);
	assert_int_equal(xsk_socket_destroy(s->q2), 0);
	assert_int_equal(xsk_socket_destroy(s->q0), 0);
	assert_int_equal(xsk_umem_destroy(s->umem), 0);
}

static void add_and_remove_sockets(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .nqueues = 2);
	struct xsk_prog *p = NULL;
	struct fake_bpf_obj *m;
	struct sockets s;

	(void)state;
	fake.channels = 4;
	sockets_make(&s);
	assert_int_equal(attach(&p, NULL), 0);
	m = fake_bpf_obj(xsk_prog_map_fd(p));
	if (xsk_prog_add_socket(p, s.q0))
		fail_msg("%s", xsk_errmsg());
	assert_int_equal(xsk_prog_add_socket(p, s.q2), 0);
	assert_int_equal(m->slots[0], xsk_socket_fd(s.q0));
	assert_int_equal(m->slots[1], -1);
	assert_int_equal(m->slots[2], xsk_socket_fd(s.q2));
	assert_int_equal(xsk_prog_remove_socket(p, s.q0), 0);
	assert_int_equal(m->slots[0], -1);
	assert_int_equal(m->slots[2], xsk_socket_fd(s.q2));
	/* The kernel empties a slot without saying whether it held a socket,
	 * and an XSKMAP can't be read from user space: emptying an empty
	 * slot is no error. */
	assert_int_equal(xsk_prog_remove_socket(p, s.q0), 0);
	assert_int_equal(xsk_prog_clear_queue(p, 1), 0);
	assert_int_equal(m->slots[2], xsk_socket_fd(s.q2));

	assert_int_equal(xsk_prog_add_socket(p, s.other), -EINVAL);
	assert_msg("frames can only go to a socket on the device");
	assert_int_equal(xsk_prog_add_socket(p, s.txonly), -EINVAL);
	assert_msg("no RX ring");
	assert_int_equal(xsk_prog_add_socket(p, NULL), -EINVAL);
	assert_int_equal(xsk_prog_set_queue(p, 1, -1), -EBADF);
	assert_int_equal(xsk_prog_set_queue(p, 4, xsk_socket_fd(s.q0)), -E2BIG);
	assert_msg("beyond the XSKMAP's 4 slots");
	assert_int_equal(xsk_prog_clear_queue(p, 4), -E2BIG);
	assert_int_equal(xsk_prog_destroy(p), 0);

	/* a map too small for the socket's queue */
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_add_socket(p, s.q2), -E2BIG);
	assert_msg("nqueues above 2");
	assert_int_equal(xsk_prog_destroy(p), 0);
	sockets_free(&s);
	assert_clean();
}

/* The raw variant takes any fd: it must refuse what the kernel would put
 * into the map although nothing can arrive there. */
static void set_queue_checks_the_fd(void **state)
{
	struct xsk_prog *p = NULL;
	struct fake_bpf_obj *m;
	struct sockets s;
	int unbound, unix_fd, pipefd[2];

	(void)state;
	sockets_make(&s);
	assert_int_equal(attach(&p, NULL), 0);
	m = fake_bpf_obj(xsk_prog_map_fd(p));
	unbound = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(unbound >= 0);
	unix_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(unix_fd >= 0);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);

	assert_int_equal(xsk_prog_set_queue(p, 1, unbound), -EOPNOTSUPP);
	assert_msg("not bound");
	assert_int_equal(xsk_prog_set_queue(p, 1, xsk_socket_fd(s.txonly)),
			 -EOPNOTSUPP);
	assert_msg("no RX ring");
	assert_int_equal(xsk_prog_set_queue(p, 1, unix_fd), -EOPNOTSUPP);
	assert_msg("not an AF_XDP socket");
	assert_int_equal(xsk_prog_set_queue(p, 1, pipefd[0]), -ENOTSOCK);
	assert_int_equal(m->slots[1], -1);
	assert_int_equal(xsk_prog_set_queue(p, 1, xsk_socket_fd(s.q0)), 0);
	assert_int_equal(m->slots[1], xsk_socket_fd(s.q0));
	close(pipefd[1]);
	assert_int_equal(xsk_prog_set_queue(p, 1, pipefd[1]), -EBADF);

	/* Linux 5.10 has no AF_XDP recvmsg to say whether there is an RX
	 * ring: only an unbound socket is refused */
	fbpf.no_xsk_recvmsg = true;
	assert_int_equal(xsk_prog_set_queue(p, 2, unbound), -EOPNOTSUPP);
	assert_msg("not bound");
	assert_int_equal(xsk_prog_set_queue(p, 2, xsk_socket_fd(s.txonly)), 0);

	close(pipefd[0]);
	close(unix_fd);
	close(unbound);
	assert_int_equal(xsk_prog_destroy(p), 0);
	sockets_free(&s);
	assert_clean();
}

/* No function crashes on a NULL handle. */
static void null_handles(void **state)
{
	struct xsk_prog *p = NULL;
	struct sockets s;

	(void)state;
	fake.calls = 0;
	assert_int_equal(xsk_prog_fd(NULL), -1);
	assert_int_equal(xsk_prog_map_fd(NULL), -1);
	assert_int_equal(xsk_prog_nqueues(NULL), 0);
	assert_int_equal(xsk_prog_mode(NULL), XSK_ATTACH_AUTO);
	assert_int_equal(xsk_prog_destroy(NULL), 0);
	assert_int_equal(xsk_prog_set_queue(NULL, 0, 3), -EINVAL);
	assert_msg("no xsk_prog");
	assert_int_equal(xsk_prog_clear_queue(NULL, 0), -EINVAL);
	assert_msg("no xsk_prog");
	assert_int_equal(xsk_prog_add_socket(NULL, NULL), -EINVAL);
	assert_msg("no xsk_prog");
	assert_int_equal(xsk_prog_remove_socket(NULL, NULL), -EINVAL);
	assert_msg("no xsk_prog");
	assert_int_equal(fake.calls, 0);

	sockets_make(&s);
	assert_int_equal(attach(&p, NULL), 0);
	assert_int_equal(xsk_prog_add_socket(NULL, s.q0), -EINVAL);
	assert_int_equal(xsk_prog_add_socket(p, NULL), -EINVAL);
	assert_msg("no socket");
	assert_int_equal(xsk_prog_remove_socket(NULL, s.q0), -EINVAL);
	assert_int_equal(xsk_prog_remove_socket(p, NULL), -EINVAL);
	assert_msg("no socket");
	assert_int_equal(xsk_prog_destroy(p), 0);
	sockets_free(&s);
	assert_clean();
}

/* ----------------------------------------------------------------- fork */

/* In a forked child: destroy its copy of @p. Nothing may be detached,
 * every fd of the child's copy must be closed. The exit status says which
 * rule broke. */
static int child_destroy(struct xsk_prog *p)
{
	unsigned int setlinks = fbpf.setlinks, detaches = fbpf.link_detaches;

	if (xsk_prog_destroy(p))
		return 1;
	if (fbpf.link_detaches != detaches)
		return 2; /* BPF_LINK_DETACH */
	if (fbpf.setlinks != setlinks)
		return 3; /* an rtnetlink detach */
	if (fake_bpf_live(FAKE_MAP) || fake_bpf_live(FAKE_PROG) ||
	    fake_bpf_live(FAKE_LINK))
		return 4;
	return 0;
}

static void fork_child_detaches_nothing(void **state)
{
	static const uint32_t flags[] = { 0, XSK_PROG_NETLINK,
					  XSK_PROG_MAP_ONLY };
	struct xsk_prog *p = NULL;
	unsigned int i;
	int status;
	uint32_t id;
	pid_t pid;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_int_equal(
			attach(&p, &XSK_OPTS(xsk_prog_opts, .flags = flags[i])),
			0);
		id = fake_bpf_attached(FAKE_IFINDEX, NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid)
			_exit(child_destroy(p));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status))
			fail_msg(
				"flags 0x%x: the child's destroy broke rule %d",
				flags[i], WEXITSTATUS(status));
		assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), id);
		/* the process that attached detaches */
		assert_int_equal(xsk_prog_destroy(p), 0);
		assert_clean();
	}
}

/* The attaching process detaches even while another reference to the link
 * exists (a forked child's copy; a dup here, which the fake can see). */
static void owner_detaches_despite_copies(void **state)
{
	struct fake_bpf_obj *o;
	struct xsk_prog *p = NULL;
	int fd, copy = -1;

	(void)state;
	assert_int_equal(attach(&p, NULL), 0);
	for (fd = 0; fd < FAKE_MAX_FDS && copy < 0; fd++) {
		o = fake_bpf_obj(fd);
		if (o && o->kind == FAKE_LINK)
			copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	}
	assert_true(copy >= 0);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), 0);
	close(copy);
	assert_clean();
}

/* ------------------------------------------------------ fault injection */

/*
 * Fail each wrapped call of attach (and of destroy) in turn, with each of
 * @errnos, until a run makes fewer calls than the one to fail. A failed
 * attach leaves nothing; a successful one is destroyed and leaves nothing,
 * unless the failed call was destroy's rtnetlink detach, which must say so.
 */
static void fault_loop(const struct xsk_prog_opts *o, bool with_prog,
		       bool with_map, void (*prep)(void))
{
	static const int errnos[] = { EIO, EINVAL, EPERM, EBUSY, EEXIST };
	struct xsk_prog_opts oo;
	struct xsk_prog *p;
	unsigned int e, n, fails;
	int ret, own_prog = -1, own_map = -1;

	for (e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++) {
		fails = 0;
		for (n = 1;; n++) {
			fake_reset();
			fake_bpf_reset();
			if (prep)
				prep();
			oo = *o;
			if (with_prog)
				oo.prog_fd = own_prog =
					user_prog(BPF_PROG_TYPE_XDP);
			if (with_map)
				oo.map_fd = own_map =
					user_map(BPF_MAP_TYPE_XSKMAP, 2);
			fake.calls = 0;
			fake.fail_at = n;
			fake.fail_errno = errnos[e];
			p = SENTINEL;
			ret = attach(&p, &oo);
			if (ret) {
				assert_true(ret < 0);
				assert_ptr_equal(p, SENTINEL);
				assert_non_null(fake.failed);
				assert_true(xsk_errmsg()[0] != '\0');
				fails++;
			} else {
				ret = xsk_prog_destroy(p);
				if (ret) {
					/* the detach itself failed: it says
					 * so, and the program stays */
					assert_non_null(fake.failed);
					assert_msg("ip link set dev fake0");
					fake_bpf_attach_foreign(FAKE_IFINDEX, 0,
								0);
				}
			}
			if (own_prog >= 0)
				close(own_prog);
			if (own_map >= 0)
				close(own_map);
			own_prog = own_map = -1;
			if (fake_bpf_attached(FAKE_IFINDEX, NULL))
				fail_msg(
					"errno %d, call %u (%s) failed: attach %d, left attached; %s",
					errnos[e], n, fake.failed, ret,
					xsk_errmsg());
			assert_clean();
			if (!fake.failed)
				break;
		}
		assert_true(fails > 0);
	}
}

static void faults_default(void **state)
{
	(void)state;
	fault_loop(&XSK_OPTS(xsk_prog_opts), false, false, NULL);
}

static void faults_netlink(void **state)
{
	(void)state;
	fault_loop(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_NETLINK,
			     .mode = XSK_ATTACH_NATIVE),
		   false, false, NULL);
}

static void old_kernel(void)
{
	fbpf.no_links = fbpf.no_replace = true;
}

static void faults_old_kernel(void **state)
{
	(void)state;
	fault_loop(&XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_GENERIC), false,
		   false, old_kernel);
}

static void faults_own(void **state)
{
	(void)state;
	fault_loop(&XSK_OPTS(xsk_prog_opts,
			     .flags = XSK_PROG_OWN_PROG | XSK_PROG_OWN_MAP),
		   true, true, NULL);
	fault_loop(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_OWN_MAP), false,
		   true, NULL);
	fault_loop(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_PASS_ONLY), false,
		   false, NULL);
	fault_loop(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_MAP_ONLY), false,
		   false, NULL);
}

/* Fail each wrapped call of xsk_prog_add_socket() and of
 * xsk_prog_set_queue() in turn: the slot is set exactly when 0 comes back.
 * A failed question to the fd is no verdict: the kernel has the last word. */
static void faults_socket_into_map(void **state)
{
	struct xsk_prog *p = NULL;
	struct fake_bpf_obj *m;
	unsigned int n, raw, fails;
	struct sockets s;
	int ret;

	(void)state;
	for (raw = 0; raw < 2; raw++) {
		fails = 0;
		for (n = 1;; n++) {
			fake_reset();
			fake_bpf_reset();
			sockets_make(&s);
			assert_int_equal(attach(&p, NULL), 0);
			m = fake_bpf_obj(xsk_prog_map_fd(p));
			fake.calls = 0;
			fake.fail_at = n;
			fake.fail_errno = EIO;
			ret = raw ? xsk_prog_set_queue(p, 2,
						       xsk_socket_fd(s.q2)) :
				    xsk_prog_add_socket(p, s.q2);
			fake.fail_at = 0;
			if (ret) {
				assert_int_equal(ret, -EIO);
				assert_int_equal(m->slots[2], -1);
				fails++;
			} else {
				assert_int_equal(m->slots[2],
						 xsk_socket_fd(s.q2));
			}
			assert_int_equal(xsk_prog_destroy(p), 0);
			sockets_free(&s);
			assert_clean();
			if (!fake.failed)
				break;
		}
		assert_true(fails > 0);
	}
}

static void query(void **state)
{
	struct xsk_prog_opts o =
		XSK_OPTS(xsk_prog_opts, .mode = XSK_ATTACH_GENERIC);
	enum xsk_attach_mode mode = XSK_ATTACH_NATIVE;
	struct xsk_prog *p = NULL;
	uint32_t id = 1;

	(void)state;
	assert_int_equal(xsk_prog_query("fake0", 0, &id, &mode), 0);
	assert_int_equal(id, 0);
	assert_int_equal(mode, XSK_ATTACH_AUTO);
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(xsk_prog_query(NULL, FAKE_IFINDEX, &id, &mode), 0);
	assert_int_equal(id, fake_bpf_attached(FAKE_IFINDEX, NULL));
	assert_int_equal(mode, XSK_ATTACH_GENERIC);
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_int_equal(xsk_prog_query("nosuch0", 0, NULL, NULL), -ENODEV);
	assert_int_equal(xsk_prog_destroy(NULL), 0);
	assert_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(redirect_program, setup),
		cmocka_unit_test_setup(frags_and_pass_programs, setup),
		cmocka_unit_test_setup(netlink_requests, setup),
		cmocka_unit_test_setup(netlink_fallback_without_links, setup),
		cmocka_unit_test_setup(netlink_detach_spares_others, setup),
		cmocka_unit_test_setup(busy_interface, setup),
		cmocka_unit_test_setup(second_attach_is_busy, setup),
		cmocka_unit_test_setup(permissions, setup),
		cmocka_unit_test_setup(attach_needs_net_admin, setup),
		cmocka_unit_test_setup(native_unsupported, setup),
		cmocka_unit_test_setup(verifier_log, setup),
		cmocka_unit_test_setup(bad_options, setup),
		cmocka_unit_test_setup(map_sizes, setup),
		cmocka_unit_test_setup(own_map_and_prog, setup),
		cmocka_unit_test_setup(add_and_remove_sockets, setup),
		cmocka_unit_test_setup(set_queue_checks_the_fd, setup),
		cmocka_unit_test_setup(null_handles, setup),
		cmocka_unit_test_setup(fork_child_detaches_nothing, setup),
		cmocka_unit_test_setup(owner_detaches_despite_copies, setup),
		cmocka_unit_test_setup(faults_default, setup),
		cmocka_unit_test_setup(faults_netlink, setup),
		cmocka_unit_test_setup(faults_old_kernel, setup),
		cmocka_unit_test_setup(faults_own, setup),
		cmocka_unit_test_setup(faults_socket_into_map, setup),
		cmocka_unit_test_setup(query, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
