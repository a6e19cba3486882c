/*
 * plan.h - the cut points a sweep visits, in order.
 *
 * A cut point is (N, model, seed): the state after op N with op N+1
 * cut as the model says.  Points go by N, then model, then seed; only
 * models that apply to op N+1 are planned, and clean (which has no
 * randomness) with seed 0 only.  A shard is a contiguous run of the
 * plan, so that a worker steps from one state to the next by one op.
 */
#ifndef MUSE_PLAN_H
#define MUSE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "cut.h"
#include "error.h"
#include "trace.h"

struct cut_point {
	uint64_t n;
	enum cut_model model;
	uint64_t seed;
};

struct plan_options {
	uint64_t from, to;		/* N from..to, inclusive */
	unsigned models;		/* bit per enum cut_model */
	uint64_t seeds;			/* seeds 1..seeds for the random models */
	uint64_t every;			/* every K-th N from @from; 0 or 1: all */
	unsigned shard, shards;		/* shard 1..shards; 0 0: everything */
};

struct plan {
	struct cut_point *points;
	size_t count;
};

int plan_build(struct trace *t, const struct plan_options *o, struct plan *p,
	       struct muse_error *e);
void plan_free(struct plan *p);

/* Points [first, first + count) of @p split into @parts contiguous runs */
void plan_part(size_t total, unsigned parts, unsigned index, size_t *first,
	       size_t *count);

#endif
