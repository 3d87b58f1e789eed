// SPDX-License-Identifier: MIT
/*
 * Explained errors: each failing call leaves a sentence for xsk_errmsg() in
 * a thread-local buffer. A constructor that fails has no handle to hang a
 * message on, so the message belongs to the thread, like errno, but it is
 * only ever written on failure and never read to decide anything.
 *
 * A sentence that gives advice an application's user acts on carries its
 * code (enum xsk_advice), so that a program can word that advice in its own
 * terms: it shows xsk_errcause(), the sentence without the advice, and its
 * own wording of the code. Such a sentence ends in ": ADVICE", so the cause is
 * everything before its last ": ".
 */
#include "gnu.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local char errbuf[512];
static _Thread_local char causebuf[512];
static _Thread_local const char *errmsg; /* errbuf or a constant */
static _Thread_local const char *errcause; /* causebuf, or errmsg */
static _Thread_local enum xsk_advice erradvice;

const char *xsk_errmsg(void)
{
	return errmsg ? errmsg : "";
}

const char *xsk_errcause(void)
{
	return errcause ? errcause : "";
}

int xsk_erradvice(void)
{
	return erradvice;
}

static void __attribute__((format(printf, 2, 0)))
record(enum xsk_advice advice, const char *fmt, va_list ap)
{
	const char *p, *start = NULL;

	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	errmsg = errbuf;
	errcause = errbuf;
	erradvice = advice;
	if (advice == XSK_ADVICE_NONE)
		return;
	for (p = strstr(errbuf, ": "); p; p = strstr(p + 1, ": "))
		start = p;
	if (start) {
		memcpy(causebuf, errbuf, (size_t)(start - errbuf));
		causebuf[start - errbuf] = '\0';
		errcause = causebuf;
	}
}

int xsk__err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(XSK_ADVICE_NONE, fmt, ap);
	va_end(ap);
	return err;
}

int xsk__err_advice(int err, enum xsk_advice advice, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(advice, fmt, ap);
	va_end(ap);
	return err;
}

int xsk__err_const(int err, const char *msg)
{
	errmsg = msg;
	errcause = msg;
	erradvice = XSK_ADVICE_NONE;
	return err;
}

int xsk__err_sys(int err, const char *what)
{
	return xsk__err(err, "%s: %s", what, strerror(-err));
}
