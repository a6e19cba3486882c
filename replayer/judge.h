/*
 * judge.h - the verdict on one cut point: the state served over MUSE,
 * attached, mounted and checked, exactly as the sweep does it.
 *
 * The sweep's workers and "muse replay --verdict" both judge through
 * here, so a reproduce command runs the same reads in the same order as
 * the sweep did: under the unstable model, what a read returns depends
 * on how often that page was read before (see flash_raw.h).
 *
 * The checks, in order: UBI attach and mount (with UBI's and UBIFS's
 * self-checks on unless turned off), the files the marks declared (read
 * JUDGE_UNSTABLE_PASSES times, caches dropped in between, under the
 * unstable model), the user's --check command, a second mount, then the
 * kernel log against the model's rules.
 */
#ifndef MUSE_JUDGE_H
#define MUSE_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "plan.h"
#include "results.h"
#include "stage.h"
#include "trace.h"

/* reads of the declared files under the unstable model */
#define JUDGE_UNSTABLE_PASSES 4

struct judge_options {
	const char *trace;	/* the path, for its checkpoints */
	const char *check;	/* a shell command, or NULL */
	const char *const *allow;	/* extra kernel log patterns */
	bool no_debug_checks;
};

struct judge;

/* What a point came to; free with judged_free() */
struct judged {
	enum verdict verdict;
	char why[1024];
	char *log;		/* the kernel's messages */
	char reads[512];	/* unstable: "PAGE READS/FAILED ..." or "" */
};

int judge_open(struct trace *t, const struct judge_options *o,
	       struct judge **out, struct muse_error *e);
void judge_close(struct judge *j);

/* Turns UBIFS's global self-checks on (once per kernel) */
void judge_debug_checks_on(const struct judge *j);

/*
 * Judges point @p: serves @f (changed first by @prepare in the serving
 * child, if given), attaches, mounts, checks, brings it down.
 */
void judge_point(struct judge *j, struct flash *f, stage_prepare_fn prepare,
		 void *ctx, const struct cut_point *p, struct judged *out);
void judged_free(struct judged *r);

#endif
