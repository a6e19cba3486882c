/*
 * coverage.h - a sweep that covers distinct situations first: the order
 * in which a budgeted sweep checks its points, and how much of each
 * class of point (point_class.h) a sweep checked.
 *
 * The order: one point of every class, then the points next to marks
 * (the marks' own states first, then the nearest ops; each rank spread
 * over the trace), then every erase, then the rest in a low-discrepancy
 * order over the trace (halves, quarters, eighths...), so that stopping
 * anywhere leaves the checked points spread evenly.  It follows from the
 * plan alone: the same trace and options give the same order anywhere,
 * and shard I of N takes every N-th point of it.
 */
#ifndef MUSE_COVERAGE_H
#define MUSE_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "point_class.h"
#include "results.h"

/* Reorders @p and @c together; -ENOMEM */
int coverage_order(struct plan *p, struct point_classes *c);

/* Keeps shard @shard of @shards: every @shards-th point of the order */
void coverage_shard(struct plan *p, struct point_classes *c, unsigned shard,
		    unsigned shards);

/*
 * Per class of @c (c->count entries, named by @c; the caller frees the
 * array): the plan's points and what @r says of them; totals in @all
 */
int coverage_count(const struct plan *p, const struct point_classes *c,
		   struct results *r, struct results_class **out,
		   struct results_class *all);

#endif
