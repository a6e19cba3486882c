/*
 * sweep_plan.h - what a sweep checks, from its options: the range (by
 * default from the mark mkfs-done to the end), the models and seeds, the
 * points classified (point_class.h) and, for a budgeted sweep (--budget,
 * --points, --list), put in coverage order (coverage.h), its shards
 * taking every N-th point; otherwise shards are contiguous parts.
 */
#ifndef MUSE_SWEEP_PLAN_H
#define MUSE_SWEEP_PLAN_H

#include <stdbool.h>

#include "error.h"
#include "plan.h"
#include "point_class.h"
#include "sweep.h"
#include "trace.h"

/* The sweep checks points in coverage order */
bool sweep_plan_ordered(const struct sweep_options *a);

int sweep_plan_make(const struct sweep_options *a, struct trace *t, struct plan *p,
		    struct point_classes *c, struct muse_error *e);

/* Prints "N MODEL SEED CLASS" a line, in the order the sweep would check them */
int sweep_plan_list(const struct sweep_options *a, struct muse_error *e);

#endif
