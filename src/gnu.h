/* SPDX-License-Identifier: MIT */
/*
 * Included first by every source file: the Linux and GNU interfaces libxsk
 * uses (struct ifreq, MAP_POPULATE, F_DUPFD_CLOEXEC, syscall(), ...) stay
 * visible under strict ISO C (-std=c99, -std=c11), so that a vendored build
 * needs no -D flag.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
