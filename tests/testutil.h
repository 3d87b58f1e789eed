/* SPDX-License-Identifier: MIT */
/* Assertions the cmocka tests share; include after <cmocka.h> and <xsk.h>. */
#ifndef LIBXSK_TESTS_TESTUTIL_H
#define LIBXSK_TESTS_TESTUTIL_H

#include <dirent.h>
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

/* Open file descriptors of this process, from /proc/self/fd; -1 if it
 * can't be read. */
static inline int test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

#endif /* LIBXSK_TESTS_TESTUTIL_H */
