/*
 * sweep_worker.h - one sweep worker: the cut points of a list, in order,
 * each served, attached, mounted and checked, inside one kernel.
 *
 * The worker keeps the state after op N in memory and steps it forward
 * op by op; each point is served from a copy-on-write copy of that state
 * with op N+1 cut in the copy, so nothing a check writes carries over.
 * Verdicts go to the worker's own results file, and one line per point
 * ("done N MODEL SEED VERDICT" and the milliseconds of each judge_phase)
 * to stdout for the host's progress and its time per phase.
 */
#ifndef MUSE_SWEEP_WORKER_H
#define MUSE_SWEEP_WORKER_H

#include <stdbool.h>

#include "error.h"
#include "judge.h"

struct worker_options {
	const char *trace;
	const char *list;	/* lines "N MODEL SEED" */
	const char *results;
	const char *check;	/* a shell command, or NULL */
	const char *const *allow;	/* extra kernel log patterns */
	enum debug_checks checks;
	double deadline;	/* CLOCK_REALTIME seconds: no point starts later; 0 none */
	const char *trace_stamp;	/* the trace and checkpoint files as the */
	const char *ckpt_stamp;		/* host checked them (stamp.h), or NULL */
};

int sweep_worker_run(const struct worker_options *o, struct muse_error *e);

#endif
