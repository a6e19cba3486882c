/*
 * sweep_progress.h - what a sweep's host says while its workers run: a
 * progress line (on a terminal, rewritten; in a log, every 10 seconds)
 * from the workers' "done N MODEL SEED VERDICT MS..." lines, and at the
 * end where the time of a point went, phase by phase.
 */
#ifndef MUSE_SWEEP_PROGRESS_H
#define MUSE_SWEEP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "judge.h"

struct progress {
	size_t total, done, failed, errors;
	double t0, last_print;
	bool tty;
	size_t timed;			/* points with their phases */
	double phase_ms[JUDGE_PHASES];	/* summed */
};

/* Seconds on a monotonic clock, for t0 */
double progress_now_s(void);
/* Counts a worker's "done ..." line */
void progress_note(struct progress *pr, const char *line);
/* The progress line; @final: the last one, whatever the time */
void progress_show(struct progress *pr, bool final);
/* "time per cut point: ..." */
void progress_show_phases(const struct progress *pr);

#endif
