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

/*
 * UBI's and UBIFS's self-checks.  Sampled (the default): the checks whose
 * cost is that of the filesystem's size (UBIFS's chk_fs, chk_index,
 * chk_lprops and chk_orphans walk or scan all of it) run at the states
 * the marks declare (N is a mark's op) and at one point in
 * JUDGE_FULL_EVERY elsewhere, chosen by a fixed hash of N, so every model
 * at one N, every run and every replay of it agree; the others run
 * everywhere.  Full: all of them at every point.
 */
enum debug_checks { DEBUG_CHECKS_SAMPLED, DEBUG_CHECKS_FULL, DEBUG_CHECKS_NONE };

#define JUDGE_FULL_EVERY 8

/* "sampled", "full", "none"; -EINVAL for anything else */
int debug_checks_parse(const char *s, enum debug_checks *out);
const char *debug_checks_name(enum debug_checks c);

struct ckpt;

struct judge_options {
	const char *trace;	/* the path, for its checkpoints */
	struct ckpt *ckpt;	/* the caller's checkpoints, borrowed; or NULL */
	const char *check;	/* a shell command, or NULL */
	const char *const *allow;	/* extra kernel log patterns */
	enum debug_checks checks;
};

struct judge;

/*
 * Where a point's time goes, in order; JUDGE_STATE is the worker's (the
 * state after op N), the rest judge_point()'s.
 */
enum judge_phase {
	JUDGE_STATE,	/* the state after op N, from a checkpoint or stepped */
	JUDGE_SERVE,	/* fork, op N+1 cut in the copy, the MTD device up */
	JUDGE_ATTACH,	/* ubiattach (UBI's self-checks on attach) */
	JUDGE_MOUNT,	/* the first mount: recovery, UBIFS's mount checks */
	JUDGE_FILES,	/* the declared files read, the user's --check */
	JUDGE_REMOUNT,	/* unmount and the second mount */
	JUDGE_DOWN,	/* unmount, detach, the server stopped */
	JUDGE_LOG,	/* the kernel log read and judged */
	JUDGE_PHASES
};

const char *judge_phase_name(enum judge_phase ph);

/* What a point came to; free with judged_free() */
struct judged {
	enum verdict verdict;
	double ms[JUDGE_PHASES];	/* JUDGE_STATE is the caller's */
	char why[1024];
	char *log;		/* the kernel's messages */
	char reads[512];	/* unstable: "PAGE READS/FAILED ..." or "" */
};

int judge_open(struct trace *t, const struct judge_options *o,
	       struct judge **out, struct muse_error *e);
void judge_close(struct judge *j);

/* Whether point N gets the full self-checks */
bool judge_full_checks(const struct judge *j, uint64_t n);

/*
 * Judges point @p: serves @f (changed first by @prepare in the serving
 * child, if given), attaches, mounts, checks, brings it down.
 */
void judge_point(struct judge *j, struct flash *f, stage_prepare_fn prepare,
		 void *ctx, const struct cut_point *p, struct judged *out);
void judged_free(struct judged *r);

#endif
