// SPDX-License-Identifier: MIT
/*
 * The rest of AF_XDP on the fake kernel (fakesys.c), played as several
 * kernel generations: the capability probe, TX metadata registration with
 * its retry for 6.8 to 6.10, multi-buffer binding, and the TX metadata
 * layout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <xsk.h>
#include "testutil.h"
#include <xsk/txmeta.h>
#include "fakesys.h"
#include "internal.h"

#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif

static const struct xsk_socket_opts sock_q0 = {
	.sz = sizeof(struct xsk_socket_opts),
	.ifname = "fake0",
};

static void assert_no_leak(void)
{
	assert_int_equal(fake.live_fds, 0);
	assert_int_equal(fake.live_maps, 0);
	assert_int_equal(fake.bad_closes, 0);
	assert_int_equal(fake.bad_unmaps, 0);
}

static int setup(void **state)
{
	(void)state;
	fake_reset();
	xsk__probe_forget();
	return 0;
}

static uint64_t probe_as(enum fake_kernel k)
{
	uint64_t f = 0;

	fake_kernel(k);
	xsk__probe_forget();
	if (xsk_probe(&f))
		fail_msg("xsk_probe: %s", xsk_errmsg());
	assert_no_leak();
	return f;
}

static void probe_generations(void **state)
{
	/* what 5.10 has: 5.9's BPF links and statistics v2, 5.10's shared
	 * UMEM across queues, and everything older */
	const uint64_t v5_10 =
		XSK_FEATURE_NEED_WAKEUP | XSK_FEATURE_UNALIGNED |
		XSK_FEATURE_STATS_V2 | XSK_FEATURE_OPTIONS |
		XSK_FEATURE_SHARED_UMEM_QUEUES | XSK_FEATURE_BPF_LINK |
		XSK_FEATURE_REDIRECT_FALLBACK | XSK_FEATURE_LARGE_HEADROOM;
	uint64_t f;

	(void)state;
	/* the fake's newest kernel has everything it can be asked about */
	assert_int_equal(probe_as(FAKE_NEWEST),
			 XSK_FEATURE_ALL & ~XSK_FEATURE_LARGE_HEADROOM);
	f = probe_as(FAKE_6_8);
	assert_true(f & XSK_FEATURE_TX_METADATA);
	assert_false(f & XSK_FEATURE_TX_METADATA_FLAG);
	assert_true(f & XSK_FEATURE_MULTI_BUFFER);
	assert_true(f & XSK_FEATURE_LARGE_HEADROOM);
	assert_true(f & XSK_FEATURE_RX_VLAN);
	assert_int_equal(probe_as(FAKE_6_1), v5_10 | XSK_FEATURE_BUSY_POLL);
	assert_int_equal(probe_as(FAKE_5_10), v5_10);
	assert_int_equal(probe_as(FAKE_4_18), XSK_FEATURE_LARGE_HEADROOM);

	/* asked once, then remembered */
	fake.calls = 0;
	assert_int_equal(xsk_probe(&f), 0);
	assert_int_equal(fake.calls, 0);
	assert_int_equal(xsk_probe(NULL), -EINVAL);

	for (unsigned int i = 0; i < 16; i++)
		assert_non_null(xsk_feature_name(1ull << i));
	assert_null(xsk_feature_name(1ull << 16));
	assert_null(xsk_feature_name(3));
	assert_non_null(
		strstr(xsk_feature_name(XSK_FEATURE_MULTI_BUFFER), "6.6"));
}

/* The inferred features come from a feature of their own release or a
 * later one: where bpf() is refused (no CAP_BPF), 5.10's shared UMEM
 * across queues can only be known from 5.11's busy polling, and 5.9's BPF
 * links still from 5.9's statistics. */
static uint64_t probe_without_bpf(enum fake_kernel k)
{
	uint64_t f = 0;

	fake_kernel(k);
	fake.no_prog_bind_map = true; /* as bpf() says EPERM */
	xsk__probe_forget();
	assert_int_equal(xsk_probe(&f), 0);
	assert_no_leak();
	return f;
}

static void probe_infers_from_the_same_release(void **state)
{
	uint64_t f;

	(void)state;
	f = probe_without_bpf(FAKE_5_10);
	assert_false(f & XSK_FEATURE_SHARED_UMEM_QUEUES);
	assert_true(f & XSK_FEATURE_BPF_LINK);
	f = probe_without_bpf(FAKE_6_1);
	assert_true(f & XSK_FEATURE_SHARED_UMEM_QUEUES);
	assert_true(f & XSK_FEATURE_BPF_LINK);
}

static void probe_fault_injection(void **state)
{
	const int errs[] = { EPERM, ENOBUFS, EIO };
	unsigned int n, i, points;
	uint64_t f;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		points = 0;
		for (n = 1;; n++) {
			fake_reset();
			xsk__probe_forget();
			fake.fail_at = n;
			fake.fail_errno = errs[i];
			f = 0xdead;
			rc = xsk_probe(&f);
			assert_no_leak();
			if (!fake.failed)
				break;
			/* a question the kernel answers "no" is a feature
			 * missing, not a failure: only socket(), mmap() and
			 * registration errors other than EINVAL fail */
			if (rc) {
				assert_int_equal(rc, -errs[i]);
				assert_int_equal(f, 0xdead);
				/* a registration short of locked memory says
				 * what to raise */
				if (errs[i] == ENOBUFS &&
				    !strcmp(fake.failed, "setsockopt")) {
					assert_msg("RLIMIT_MEMLOCK");
					assert_int_equal(xsk_erradvice(),
							 XSK_ADVICE_MEMLOCK);
				}
				points++;
			}
		}
		assert_int_equal(rc, 0);
		/* the first socket, the page, and four registrations'
		 * sockets and setsockopts */
		assert_int_equal(points, 10);
	}
}

static void tx_metadata_registration(void **state)
{
	struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts, .tx_metadata_len = 24,
					  .flags = XSK_UMEM_TX_SW_CSUM);
	struct xsk_umem *umem = NULL;

	(void)state;
	/* the rules, before any syscall */
	const uint32_t bad_len[] = { 4, 8, 12, 256, 1000 };
	for (unsigned int i = 0; i < 5; i++) {
		struct xsk_umem_opts b = o;

		b.tx_metadata_len = bad_len[i];
		fake.calls = 0;
		assert_int_equal(xsk_umem_create(&umem, &b), -EINVAL);
		assert_msg("a multiple of 8 from 16 to 248");
		assert_int_equal(fake.calls, 0);
	}
	struct xsk_umem_opts csum_only =
		XSK_OPTS(xsk_umem_opts, .flags = XSK_UMEM_TX_SW_CSUM);
	assert_int_equal(xsk_umem_create(&umem, &csum_only), -EINVAL);
	assert_msg("does nothing without TX metadata");
	assert_null(umem);

	/* newest: the length comes with XDP_UMEM_TX_METADATA_LEN */
	assert_int_equal(xsk_umem_create(&umem, &o), 0);
	assert_int_equal(fake.last_reg_flags, (1 << 1) | (1 << 2));
	assert_int_equal(fake.last_reg_md_len, 24);
	assert_int_equal(xsk_umem_destroy(umem), 0);

	/* a kernel with the flag that refuses the registration is not asked
	 * again without the flag, which it would take and then ignore the
	 * length */
	uint64_t f;
	assert_int_equal(xsk_probe(&f), 0);
	fake.reg_errno = EINVAL;
	fake.regs = 0;
	assert_int_equal(xsk_umem_create(&umem, &o), -EINVAL);
	assert_int_equal(fake.regs, 1);
	fake.reg_errno = 0;
	xsk__probe_forget();

	/* 6.8 to 6.10 refuse the flag: retried without it, after the probe
	 * has shown that this kernel reads tx_metadata_len at all */
	fake_kernel(FAKE_6_8);
	assert_int_equal(xsk_umem_create(&umem, &o), 0);
	assert_int_equal(fake.last_reg_flags, 1 << 1);
	assert_int_equal(fake.last_reg_md_len, 24);
	assert_int_equal(xsk_umem_destroy(umem), 0);

	/* before 6.8 the length would be ignored: refused, explained */
	xsk__probe_forget();
	fake_kernel(FAKE_6_1);
	umem = NULL;
	assert_int_equal(xsk_umem_create(&umem, &o), -EOPNOTSUPP);
	assert_msg("needs Linux 6.8");
	assert_null(umem);
	assert_no_leak();
}

static void multi_buffer_bind(void **state)
{
	struct xsk_socket_opts o = sock_q0;
	struct xsk_socket *xsk, *shared = NULL;
	struct xsk_umem *umem;

	(void)state;
	o.flags = XSK_SOCKET_MULTI_BUFFER;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);
	assert_int_equal(fake.last_bind_flags,
			 XDP_USE_SG | XDP_USE_NEED_WAKEUP);
	/* sharers take no bind flags: refused rather than ignored */
	assert_int_equal(xsk_socket_create(&shared, umem, &o), -EINVAL);
	assert_msg("can't ask for multi-buffer");
	assert_null(shared);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);

	/* a kernel before 6.6 */
	fake_kernel(FAKE_6_1);
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), -EINVAL);
	assert_msg("needs Linux 6.6");
	assert_int_equal(xsk_umem_destroy(umem), 0);
	assert_no_leak();
}

static void wake_rx_without_rx_ring(void **state)
{
	struct xsk_socket_opts o = sock_q0;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;

	(void)state;
	o.flags = XSK_SOCKET_NO_RX | XSK_SOCKET_NO_NEED_WAKEUP;
	assert_int_equal(xsk_umem_create(&umem, NULL), 0);
	assert_int_equal(xsk_socket_create(&xsk, umem, &o), 0);
	fake.calls = 0;
	assert_int_equal(xsk_socket_wake_rx(xsk), -ENOBUFS);
	assert_msg("no RX ring");
	assert_int_equal(fake.calls, 0);
	assert_int_equal(xsk_socket_destroy(xsk), 0);
	assert_int_equal(xsk_umem_destroy(umem), 0);
}

static void tx_meta_layout(void **state)
{
	static uint64_t area[4096 / 8];
	struct xsk_tx_meta *m;

	(void)state;
	/* the kernel's struct xsk_tx_metadata, field by field */
	assert_int_equal(sizeof(struct xsk_tx_meta), 24);
	assert_int_equal(offsetof(struct xsk_tx_meta, request.csum_start), 8);
	assert_int_equal(offsetof(struct xsk_tx_meta, request.csum_offset), 10);
	assert_int_equal(offsetof(struct xsk_tx_meta, request.launch_time), 16);
	assert_int_equal(offsetof(struct xsk_tx_meta, completion.tx_timestamp),
			 8);

	m = xsk_tx_meta(area, 256, 24);
	assert_ptr_equal((char *)m, (char *)area + 232);
	memset(m, 0xff, sizeof(*m));
	xsk_tx_meta_clear(m);
	xsk_tx_meta_checksum(m, 34, 6);
	xsk_tx_meta_timestamp(m);
	assert_int_equal(m->flags, XSK_TXMD_CHECKSUM | XSK_TXMD_TIMESTAMP);
	assert_int_equal(m->request.csum_start, 34);
	assert_int_equal(m->request.csum_offset, 6);
	xsk_tx_meta_launch_time(m, 12345);
	assert_int_equal(m->request.launch_time, 12345);
	assert_true(m->flags & XSK_TXMD_LAUNCH_TIME);
	m->completion.tx_timestamp = 777;
	assert_int_equal(xsk_tx_meta_completion_time(m), 777);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(probe_generations, setup),
		cmocka_unit_test_setup(probe_infers_from_the_same_release,
				       setup),
		cmocka_unit_test_setup(probe_fault_injection, setup),
		cmocka_unit_test_setup(tx_metadata_registration, setup),
		cmocka_unit_test_setup(multi_buffer_bind, setup),
		cmocka_unit_test_setup(wake_rx_without_rx_ring, setup),
		cmocka_unit_test_setup(tx_meta_layout, setup),
	};

	return cmocka_run_group_tests_name("features", tests, NULL, NULL);
}
