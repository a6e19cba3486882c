/*
 * sweep.h - checking every cut point of a trace, from the host.
 *
 * The host plans the cut points, splits what is left to do into chunks,
 * and runs a worker per chunk (each in its own boot of the UML kernel
 * unless this host has /dev/muse), as many at a time as there are jobs.
 * Workers write their own results files and report progress on stdout;
 * the host merges them into the results file (TRACE.sweep.db), which a
 * later --resume continues, and reports.
 */
#ifndef MUSE_SWEEP_H
#define MUSE_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "judge.h"

#define SWEEP_MAX_ALLOW 32
#define SWEEP_EXIT_FAILED 1
#define SWEEP_EXIT_TOOL 2

struct sweep_options {
	const char *trace;
	unsigned models;	/* a bit per enum cut_model */
	uint64_t seeds;
	const char *range;
	const char *from_mark, *to_mark;
	uint64_t every;
	unsigned jobs;
	unsigned shard, shards;
	uint64_t points;	/* the first K points of the coverage order; 0 all */
	double budget;		/* seconds: no point starts later; 0 none */
	bool list;		/* print the plan, in order, with classes; check nothing */
	const char *check;
	const char *allow[SWEEP_MAX_ALLOW + 1];
	unsigned nallow;
	const char *junit;
	const char *html;
	const char *json;
	const char *results;
	bool resume;
	enum debug_checks checks;
	const char *kernel;
	const char *mem;
	const char *worker;	/* internal: the list a worker runs */
	double deadline;	/* internal: a worker's end (CLOCK_REALTIME s) */
	const char *trace_stamp;	/* internal: the files whose digests the */
	const char *ckpt_stamp;		/* host checked (stamp.h), or NULL */
	bool uml;		/* workers boot a UML kernel (the --kernel one) */
	const char *kernel_release;	/* of the kernel that judges */
};

/* SWEEP_EXIT_FAILED if a point failed, 0 if none did, or a negative errno */
int sweep_run(const struct sweep_options *o, struct muse_error *e);

/* A worker's part: the points of o->worker, into o->results */
int sweep_run_worker(const struct sweep_options *o, struct muse_error *e);

#endif
