/* SPDX-License-Identifier: MIT */
/*
 * What the files behind common.h share among themselves, and the loops
 * don't need: common.c (setup, threads, teardown) calls into options.c
 * (the command line) and figures.c (the line a second, the summary).
 */
#ifndef EXAMPLES_INTERNAL_H
#define EXAMPLES_INTERNAL_H

#include "common.h"

/* Exit code 2 for a bad command line, as getopt-based tools do. */
#define EXIT_USAGE 2

/* Say what is wrong with the command line. Return: EXIT_USAGE. */
int __attribute__((format(printf, 2, 3)))
bad_arg(const char *name, const char *fmt, ...);

/*
 * Fill @a->o from the command line of a program of @kind; print --help and
 * exit if asked. Return: 0, or EXIT_USAGE (the reason is printed).
 */
int parse_options(struct app *a, int argc, char **argv, unsigned int kind);

/* rx --pcap: create the file, write its header. Return: 0, or 1 (the
 * reason is printed). */
int pcap_open(struct app *a);

/* The interface's counters and state now (all its traffic; 32-bit
 * counters, so compare them modulo 2^32). Return: 0 or a negative errno. */
int if_read(const char *ifname, struct if_counters *c);

/* What a queue has done so far: its counters and its sockets' stats. */
struct snapshot {
	struct counters c;
	struct xsk_stats st;
};

/*
 * The line for second @at of the run, and one per queue if there are
 * several: what the queues did in the @secs seconds since @prev. Takes
 * each queue's snapshot into @cur, then copies it to @prev.
 */
void print_second(struct app *a, struct snapshot *cur, struct snapshot *prev,
		  double at, double secs);

/*
 * The summary of a run of @secs seconds, in key=value form: a line per
 * queue if there are several, then the totals. Takes each queue's last
 * snapshot into @cur.
 */
void print_summary(const struct app *a, struct snapshot *cur, double secs);

#endif /* EXAMPLES_INTERNAL_H */
