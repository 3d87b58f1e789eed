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

/* What a queue has done so far: its counters and its sockets' stats. */
struct snapshot {
	struct counters c;
	struct xsk_stats st;
};

void take_snapshot(struct queue *q, struct snapshot *s);
void add_snapshot(struct snapshot *sum, const struct snapshot *s);

/* One line: the rates between @prev and @cur, over @secs seconds. */
void print_rates(const char *label, const struct snapshot *cur,
		 const struct snapshot *prev, double secs);

/* The summary of a run of @secs seconds: a line per queue if several,
 * then the totals, in key=value form. */
void print_summary(struct app *a, struct snapshot *per_queue, double secs);

#endif /* EXAMPLES_INTERNAL_H */
