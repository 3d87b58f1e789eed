// SPDX-License-Identifier: MIT
/*
 * Several processes on one interface, on the fake kernel (fakebpf.c): the
 * shared program joined by a second handle (as a second process would),
 * who detaches when, the pins and their modes, a pinned map opened by
 * path, BPF tokens, the refusals; and every wrapped call of each new setup
 * path failed in turn, leaving no fd, object, pin or attachment behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include "fakebpf.h"
#include "fakesys.h"
#include "progutil.h"

#define MAP_PIN FAKE_BPFFS "/map"
#define LINK_PIN FAKE_BPFFS "/link"

static const struct xsk_prog_opts shared = {
	.sz = sizeof(struct xsk_prog_opts),
	.flags = XSK_PROG_SHARED,
};

/* Pin @fd as another program would. */
static int syscall_pin(int fd, const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	return (int)syscall(__NR_bpf, BPF_OBJ_PIN, &a, sizeof(a));
}

static uint32_t map_id(const struct xsk_prog *p)
{
	return fake_bpf_obj(xsk_prog_map_fd(p))->id;
}

/* Nothing left, pins included. */
static void assert_all_clean(void)
{
	assert_int_equal(fake_pins(), 0);
	assert_clean();
}

/* -------------------------------------------------------------- join */

/* The first attaches "xsk_shared", the second joins it: one program, one
 * map; the program stays while either holds it, whichever goes first, and
 * nobody detaches it explicitly. */
static void join_and_leave(void **state)
{
	struct xsk_prog *a = NULL, *b = NULL;
	struct fake_bpf_obj *o;
	uint32_t id;
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		assert_int_equal(attach(&a, &shared), 0);
		o = attached_prog(FAKE_IFINDEX);
		assert_non_null(o);
		assert_string_equal(o->name, "xsk_shared");
		id = o->id;
		assert_int_equal(attach(&b, &shared), 0);
		assert_int_equal(xsk_prog_fd(b) >= 0, 1);
		assert_int_equal(map_id(a), map_id(b));
		assert_int_equal(xsk_prog_nqueues(b), xsk_prog_nqueues(a));
		assert_int_equal(xsk_prog_mode(b), XSK_ATTACH_NATIVE);
		assert_int_equal(fake_bpf_live(FAKE_PROG), 1);
		assert_int_equal(fake_bpf_live(FAKE_MAP), 1);
		assert_int_equal(xsk_prog_destroy(order ? b : a), 0);
		assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), id);
		assert_int_equal(xsk_prog_destroy(order ? a : b), 0);
		assert_int_equal(fbpf.link_detaches, 0);
		assert_all_clean();
	}
}

/* A process that ends without xsk_prog_destroy() (killed) only drops its
 * references, as the kernel closes its fds: the other's keep the program. */
static void creator_killed(void **state)
{
	struct xsk_prog *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(attach(&a, &shared), 0);
	assert_int_equal(attach(&b, &shared), 0);
	close(a->link_fd);
	close(a->prog_fd);
	close(a->map_fd);
	free(a);
	assert_true(fake_bpf_attached(FAKE_IFINDEX, NULL) != 0);
	assert_int_equal(xsk_prog_destroy(b), 0);
	assert_all_clean();
}

/* The last holder gone, the kernel releases its link a moment later, and
 * until then the program is still attached and its link still listed: a
 * process starting meanwhile must not join the program on its way out, but
 * wait for it to go and attach its own. However many looks the release
 * takes (the last: the link no longer listed, the program still there). */
static void join_while_released(void **state)
{
	struct xsk_prog *a = NULL, *b = NULL;
	uint32_t old;
	unsigned int looks;

	(void)state;
	for (looks = 1; looks <= 6; looks++) {
		assert_int_equal(attach(&a, &shared), 0);
		old = fake_bpf_attached(FAKE_IFINDEX, NULL);
		assert_int_equal(xsk_prog_destroy(a), 0);
		fbpf.link_release_looks = looks;
		assert_int_equal(attach(&b, &shared), 0);
		assert_int_equal(fbpf.link_release_looks, 0);
		assert_true(fake_bpf_attached(FAKE_IFINDEX, NULL) != old);
		assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL),
				 fake_bpf_obj(xsk_prog_fd(b))->id);
		assert_true(b->link_fd >= 0);
		assert_int_equal(xsk_prog_destroy(b), 0);
		assert_all_clean();
	}
}

/* What can't be joined, each with its reason; nothing is left of the
 * attempt, and the program there stays. */
static void join_refusals(void **state)
{
	struct xsk_prog *a = NULL, *b = SENTINEL;
	struct xsk_prog_opts o = shared;
	uint32_t id;
	int fd;

	(void)state;
	/* libxsk's private program */
	assert_int_equal(attach(&a, NULL), 0);
	assert_int_equal(attach(&b, &shared), -EBUSY);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_JOIN);
	assert_msg("attached without XSK_PROG_SHARED");
	assert_int_equal(xsk_prog_destroy(a), 0);

	/* another program */
	fd = fake_bpf_new(FAKE_PROG, BPF_PROG_TYPE_XDP, "other");
	assert_int_equal(attach(&a, &XSK_OPTS(xsk_prog_opts,
					      .flags = XSK_PROG_OWN_PROG,
					      .prog_fd = fd)),
			 0);
	close(fd);
	assert_int_equal(attach(&b, &shared), -EBUSY);
	assert_msg("\"other\"), which is not libxsk's");
	assert_int_equal(xsk_prog_destroy(a), 0);

	/* a shared pass-only program can't receive */
	o.flags |= XSK_PROG_PASS_ONLY;
	assert_int_equal(attach(&a, &o), 0);
	assert_string_equal(attached_prog(FAKE_IFINDEX)->name,
			    "xsk_shared_pass");
	assert_int_equal(attach(&b, &shared), -EBUSY);
	assert_msg("pass-only");
	/* but a sender may join it, and a sender joins a receiving one */
	assert_int_equal(attach(&b, &o), 0);
	assert_int_equal(xsk_prog_map_fd(b), -1);
	assert_int_equal(xsk_prog_destroy(b), 0);
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_int_equal(attach(&a, &shared), 0);
	b = SENTINEL;
	assert_int_equal(attach(&b, &o), 0);
	assert_int_equal(xsk_prog_destroy(b), 0);

	/* another mode than the one asked for */
	id = fake_bpf_attached(FAKE_IFINDEX, NULL);
	b = SENTINEL;
	o = shared;
	o.mode = XSK_ATTACH_GENERIC;
	assert_int_equal(attach(&b, &o), -EBUSY);
	assert_msg("runs in native mode");

	/* no CAP_SYS_ADMIN: the ids are the kernel's secret */
	fbpf.caps &= ~(1ull << 21);
	assert_int_equal(attach(&b, &shared), -EPERM);
	assert_msg("needs CAP_SYS_ADMIN");
	assert_msg(".map_path");
	fbpf.caps = ~0ull;
	assert_ptr_equal(b, SENTINEL);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), id);
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_all_clean();
}

/* Attaching without XSK_PROG_SHARED over a shared program says to join. */
static void busy_says_join(void **state)
{
	struct xsk_prog *a = NULL, *b = SENTINEL;

	(void)state;
	assert_int_equal(attach(&a, &shared), 0);
	assert_int_equal(attach(&b, NULL), -EBUSY);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_JOIN);
	assert_msg("join it with XSK_PROG_SHARED");
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_all_clean();
}

/* Without XDP links (before 5.9) the shared program is attached with
 * rtnetlink, which nothing counts: no process detaches it, and joining
 * works without a link. */
static void shared_without_links(void **state)
{
	struct xsk_prog *a = NULL, *b = NULL;
	uint32_t id;

	(void)state;
	fbpf.no_links = true;
	assert_int_equal(attach(&a, &shared), 0);
	id = fake_bpf_attached(FAKE_IFINDEX, NULL);
	assert_true(id != 0);
	assert_int_equal(attach(&b, &shared), 0);
	assert_int_equal(map_id(a), map_id(b));
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_int_equal(xsk_prog_destroy(b), 0);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), id);
	assert_int_equal(fbpf.setlinks, 1); /* the attach, no detach */
	fake_bpf_attach_foreign(FAKE_IFINDEX, 0, 0);
	assert_all_clean();
}

/* -------------------------------------------------------------- pins */

static void pins(void **state)
{
	struct xsk_prog_opts o = shared;
	struct xsk_prog *a = NULL, *b = NULL, *w = NULL;
	struct fake_pin *p;

	(void)state;
	o.pin_map = MAP_PIN;
	o.pin_link = LINK_PIN;
	assert_int_equal(attach(&a, &o), 0);
	p = fake_pin_find(MAP_PIN);
	assert_non_null(p);
	assert_int_equal(p->mode, 0600);
	assert_int_equal(fake_bpf_obj(p->fd)->id, map_id(a));
	assert_non_null(fake_pin_find(LINK_PIN));
	/* a joining process leaves the pins alone */
	assert_int_equal(attach(&b, &o), 0);
	/* a worker opens the map by path and steers nothing else */
	assert_int_equal(attach(&w, &XSK_OPTS(xsk_prog_opts,
					      .flags = XSK_PROG_MAP_ONLY,
					      .map_path = MAP_PIN)),
			 0);
	assert_int_equal(map_id(w), map_id(a));
	assert_int_equal(xsk_prog_fd(w), -1);
	assert_int_equal(xsk_prog_destroy(w), 0);
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_int_equal(xsk_prog_destroy(b), 0);
	/* the pinned link keeps the program */
	assert_true(fake_bpf_attached(FAKE_IFINDEX, NULL) != 0);
	assert_int_equal(unlink(LINK_PIN), 0);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), 0);
	assert_int_equal(unlink(MAP_PIN), 0);
	assert_all_clean();

	/* a group and mode, on both pins */
	o.pin_mode = 0660;
	o.pin_gid = 4242;
	assert_int_equal(attach(&a, &o), 0);
	p = fake_pin_find(MAP_PIN);
	assert_int_equal(p->mode, 0660);
	assert_int_equal(p->gid, 4242);
	assert_int_equal(fake_pin_find(LINK_PIN)->mode, 0660);
	/* a pin that exists already: nothing made, nothing removed */
	b = SENTINEL;
	o.flags = 0;
	assert_int_equal(xsk_prog_attach(&b, "fake1", 0, &o), -EEXIST);
	assert_msg("rm " MAP_PIN);
	assert_ptr_equal(b, SENTINEL);
	assert_int_equal(fake_pins(), 2);
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_int_equal(unlink(LINK_PIN), 0);
	assert_int_equal(unlink(MAP_PIN), 0);
	assert_all_clean();
}

/* Another uid opens a default pin not at all, a 0660 one (group) yes. */
static void pin_other_uid(void **state)
{
	struct xsk_prog_opts o = shared,
			     w = XSK_OPTS(xsk_prog_opts,
					  .flags = XSK_PROG_MAP_ONLY,
					  .map_path = MAP_PIN);
	struct xsk_prog *a = NULL, *b = SENTINEL;

	(void)state;
	o.pin_map = MAP_PIN;
	assert_int_equal(attach(&a, &o), 0);
	fbpf.other_uid = true;
	assert_int_equal(attach(&b, &w), -EACCES);
	assert_msg("can't be opened for writing");
	assert_ptr_equal(b, SENTINEL);
	fbpf.other_uid = false;
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_int_equal(unlink(MAP_PIN), 0);

	o.pin_mode = 0666;
	assert_int_equal(attach(&a, &o), 0);
	fbpf.other_uid = true;
	assert_int_equal(attach(&b, &w), 0);
	assert_int_equal(xsk_prog_destroy(b), 0);
	assert_int_equal(xsk_prog_destroy(a), 0);
	assert_int_equal(unlink(MAP_PIN), 0);
	assert_all_clean();
}

/* Pin paths the kernel can't take, each explained before anything is
 * made; a map_path that holds no XSKMAP. */
static void pin_refusals(void **state)
{
	struct xsk_prog *p = SENTINEL;
	struct xsk_prog_opts o = shared;
	int fd;

	(void)state;
	o.pin_map = "/tmp/libxsk-test-pin";
	assert_int_equal(attach(&p, &o), -EINVAL);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BPFFS);
	assert_msg("is not on a BPF filesystem");
	o.pin_map = "/nonexistent-libxsk/map";
	assert_int_equal(attach(&p, &o), -ENOENT);
	assert_int_equal(xsk_erradvice(), XSK_ADVICE_BPFFS);
	assert_msg("mount -t bpf bpf /sys/fs/bpf");
	o.pin_map = MAP_PIN;
	o.pin_mode = 01777;
	assert_int_equal(attach(&p, &o), -EINVAL);
	assert_msg("only permission bits");
	o = XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_MAP_ONLY,
		     .map_path = FAKE_BPFFS "/none");
	assert_int_equal(attach(&p, &o), -ENOENT);
	assert_msg("nothing is pinned at");
	/* a pinned program is no XSKMAP */
	fd = fake_bpf_new(FAKE_PROG, BPF_PROG_TYPE_XDP, "other");
	assert_int_equal(syscall_pin(fd, MAP_PIN), 0);
	close(fd);
	o.map_path = MAP_PIN;
	assert_int_equal(attach(&p, &o), -EINVAL);
	assert_msg("does not hold an XSKMAP");
	assert_int_equal(unlink(MAP_PIN), 0);
	/* pin_link needs a link */
	fbpf.no_links = true;
	o = shared;
	o.pin_map = MAP_PIN;
	o.pin_link = LINK_PIN;
	assert_int_equal(attach(&p, &o), -EOPNOTSUPP);
	assert_msg("no XDP links");
	assert_ptr_equal(p, SENTINEL);
	assert_int_equal(fake_bpf_attached(FAKE_IFINDEX, NULL), 0);
	assert_all_clean();
}

/* Options that contradict each other. */
static void bad_share_options(void **state)
{
	static const struct {
		struct xsk_prog_opts o;
		const char *says;
	} bad[] = {
		{ { .flags = XSK_PROG_SHARED | XSK_PROG_MAP_ONLY },
		  "XSK_PROG_SHARED shares" },
		{ { .flags = XSK_PROG_SHARED, .map_path = MAP_PIN },
		  "give one of them" },
		{ { .flags = XSK_PROG_SHARED, .hints = XSK_HINT_HASH },
		  "RX hints" },
		{ { .flags = XSK_PROG_OWN_MAP, .map_path = MAP_PIN },
		  "both name the map" },
		{ { .map_path = MAP_PIN, .pin_map = MAP_PIN },
		  "pinning it again" },
		{ { .flags = XSK_PROG_PASS_ONLY, .pin_map = MAP_PIN },
		  "no map to pin" },
		{ { .flags = XSK_PROG_MAP_ONLY, .pin_link = LINK_PIN },
		  "there is none with XSK_PROG_MAP_ONLY" },
		{ { .flags = XSK_PROG_NETLINK, .pin_link = LINK_PIN },
		  "there is none with XSK_PROG_NETLINK" },
		{ { .pin_mode = 0660 }, "neither is given" },
	};
	struct xsk_prog_opts o;
	struct xsk_prog *p = SENTINEL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = bad[i].o;
		o.sz = sizeof(o);
		assert_int_equal(attach(&p, &o), -EINVAL);
		assert_msg(bad[i].says);
		assert_ptr_equal(p, SENTINEL);
	}
	assert_int_equal(fbpf.loads, 0);
	assert_all_clean();
}

/* ------------------------------------------------------------ tokens */

static void tokens(void **state)
{
	struct xsk_prog_opts o = XSK_OPTS(xsk_prog_opts, .token_path = "/");
	struct xsk_prog *p = NULL;

	(void)state;
	/* a token stands in for the capabilities */
	fbpf.caps = 1ull << 12; /* CAP_NET_ADMIN, to attach */
	assert_int_equal(attach(&p, &o), 0);
	assert_int_equal(fbpf.token_uses, 2); /* the map and the program */
	assert_int_equal(fake_bpf_live(FAKE_TOKEN), 0); /* not kept */
	assert_int_equal(xsk_prog_destroy(p), 0);
	assert_all_clean();

	/* before 6.9: refused, with the version */
	fbpf.no_tokens = true;
	p = SENTINEL;
	assert_int_equal(attach(&p, &o), -EOPNOTSUPP);
	assert_msg("BPF tokens need Linux 6.9, and this kernel is ");
	fbpf.no_tokens = false;
	/* 5.10 in a user namespace: EPERM to every bpf(2) command */
	fbpf.tokens_eperm = true;
	fake.release = "5.10.0-32-cloud-amd64";
	assert_int_equal(attach(&p, &o), -EOPNOTSUPP);
	assert_msg("BPF tokens need Linux 6.9, and this kernel is 5.10.0-32");
	/* 6.9 and later: the bpffs is another namespace's */
	fake.release = "6.12.1";
	assert_int_equal(attach(&p, &o), -EPERM);
	assert_msg("must be made in the user namespace the bpffs was mounted");
	fake.release = NULL;
	fbpf.tokens_eperm = false;
	o.token_path = "/nonexistent-libxsk-bpffs";
	assert_int_equal(attach(&p, &o), -ENOENT);
	assert_msg("delegated bpffs");
	o.token_path = "/proc/self/exe";
	assert_int_equal(attach(&p, &o), -ENOTDIR);
	assert_ptr_equal(p, SENTINEL);
	assert_int_equal(fbpf.loads, 1);
	assert_all_clean();
}

/* ------------------------------------------------------ fault injection */

/* Before each run: the state the attach meets (NULL: a quiet interface). */
typedef void (*prep_fn)(struct xsk_prog **held);

/* Another process's shared program, with its pins. */
static void prep_shared(struct xsk_prog **held)
{
	struct xsk_prog_opts o = shared;

	o.pin_map = MAP_PIN;
	assert_int_equal(attach(held, &o), 0);
}

/*
 * Fail each wrapped call of attach (then of destroy) in turn, with each of
 * several errno values, until a run makes fewer calls than the one to
 * fail. A failed attach leaves nothing of its own: no fd, object, pin or
 * attachment beyond what @prep made; a successful one is destroyed, and
 * only the pins it was asked for stay (removed here).
 */
static void share_faults(const struct xsk_prog_opts *o, prep_fn prep)
{
	static const int errnos[] = { EIO, EINVAL, EPERM, EBUSY, ENOENT };
	struct xsk_prog *p, *held;
	unsigned int e, n, fails;
	int ret, pins0;
	uint32_t id0;

	for (e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++) {
		fails = 0;
		for (n = 1;; n++) {
			fake_reset();
			fake_bpf_reset();
			held = NULL;
			if (prep)
				prep(&held);
			pins0 = fake_pins();
			id0 = fake_bpf_attached(FAKE_IFINDEX, NULL);
			fake.calls = 0;
			fake.fail_at = n;
			fake.fail_errno = errnos[e];
			p = SENTINEL;
			ret = attach(&p, o);
			if (ret) {
				assert_true(ret < 0);
				assert_ptr_equal(p, SENTINEL);
				assert_true(xsk_errmsg()[0] != '\0');
				assert_int_equal(fake_pins(), pins0);
				assert_int_equal(fake_bpf_attached(FAKE_IFINDEX,
								   NULL),
						 id0);
				fails++;
			} else {
				assert_int_equal(xsk_prog_destroy(p), 0);
			}
			fake.fail_at = 0;
			/* EINVAL from BPF_LINK_CREATE is a kernel without XDP
			 * links: a shared program then goes on with rtnetlink
			 * and stays, as documented */
			if (!ret && fbpf.dev[0].prog_id &&
			    fbpf.dev[0].link_obj < 0 && !id0 &&
			    !strcmp(fake.failed ? fake.failed : "", "bpf") &&
			    errnos[e] == EINVAL)
				fake_bpf_attach_foreign(FAKE_IFINDEX, 0, 0);
			xsk_prog_destroy(held);
			unlink(LINK_PIN);
			unlink(MAP_PIN);
			if (fake_bpf_attached(FAKE_IFINDEX, NULL))
				fail_msg(
					"errno %d, call %u (%s): attach %d, left attached: %s",
					errnos[e], n, fake.failed, ret,
					xsk_errmsg());
			assert_all_clean();
			if (!fake.failed)
				break;
		}
		assert_true(fails > 0);
	}
}

static void faults_shared_first(void **state)
{
	struct xsk_prog_opts o = shared;

	(void)state;
	share_faults(&o, NULL);
	o.pin_map = MAP_PIN;
	o.pin_link = LINK_PIN;
	o.pin_mode = 0660;
	o.pin_gid = 4242;
	share_faults(&o, NULL);
}

static void faults_join(void **state)
{
	struct xsk_prog_opts o = shared;

	(void)state;
	share_faults(&o, prep_shared);
	o.flags |= XSK_PROG_PASS_ONLY;
	share_faults(&o, prep_shared);
}

static void faults_map_path(void **state)
{
	(void)state;
	share_faults(&XSK_OPTS(xsk_prog_opts, .flags = XSK_PROG_MAP_ONLY,
			       .map_path = MAP_PIN),
		     prep_shared);
}

static void faults_token(void **state)
{
	(void)state;
	share_faults(&XSK_OPTS(xsk_prog_opts, .token_path = "/",
			       .pin_map = MAP_PIN),
		     NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(join_and_leave, setup),
		cmocka_unit_test_setup(creator_killed, setup),
		cmocka_unit_test_setup(join_while_released, setup),
		cmocka_unit_test_setup(join_refusals, setup),
		cmocka_unit_test_setup(busy_says_join, setup),
		cmocka_unit_test_setup(shared_without_links, setup),
		cmocka_unit_test_setup(pins, setup),
		cmocka_unit_test_setup(pin_other_uid, setup),
		cmocka_unit_test_setup(pin_refusals, setup),
		cmocka_unit_test_setup(bad_share_options, setup),
		cmocka_unit_test_setup(tokens, setup),
		cmocka_unit_test_setup(faults_shared_first, setup),
		cmocka_unit_test_setup(faults_join, setup),
		cmocka_unit_test_setup(faults_map_path, setup),
		cmocka_unit_test_setup(faults_token, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
