/* SPDX-License-Identifier: MIT */
/* What the libFuzzer targets (tests/fuzz_*.c) share. */
#ifndef LIBXSK_TESTS_FUZZUTIL_H
#define LIBXSK_TESTS_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A broken invariant: say which, and crash, for libFuzzer to keep the
 * input. */
#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #c);                                 \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* LIBXSK_TESTS_FUZZUTIL_H */
