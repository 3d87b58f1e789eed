/* SPDX-License-Identifier: MIT */
/* Assertions the cmocka tests share; include after <cmocka.h> and <xsk.h>. */
#ifndef LIBXSK_TESTS_TESTUTIL_H
#define LIBXSK_TESTS_TESTUTIL_H

#include <string.h>

/* The last failure's explanation mentions @needle. A macro, so that a
 * failure points at the caller's line. */
#define assert_msg(needle)                                                 \
	do {                                                               \
		if (!strstr(xsk_errmsg(), (needle)))                       \
			fail_msg("xsk_errmsg() is \"%s\", expected it to " \
				 "mention \"%s\"",                         \
				 xsk_errmsg(), (needle));                  \
	} while (0)

#endif /* LIBXSK_TESTS_TESTUTIL_H */
