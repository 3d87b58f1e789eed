// SPDX-License-Identifier: MIT
/*
 * Explained errors: each failing call leaves a sentence for xsk_errmsg() in
 * a thread-local buffer. A constructor that fails has no handle to hang a
 * message on, so the message belongs to the thread, like errno, but it is
 * only ever written on failure and never read to decide anything.
 */
#include "gnu.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local char errbuf[512];
static _Thread_local const char *errmsg; /* errbuf or a constant */

const char *xsk_errmsg(void)
{
	return errmsg ? errmsg : "";
}

int xsk_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	errmsg = errbuf;
	return err;
}

int xsk_err_const(int err, const char *msg)
{
	errmsg = msg;
	return err;
}

int xsk_err_sys(int err, const char *what)
{
	return xsk_err(err, "%s: %s", what, strerror(-err));
}
