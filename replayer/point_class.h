/*
 * point_class.h - what situation a cut point is in: the model, what op
 * N+1 is (program, erase, markbad, or none at the end), where it lands
 * (for UBI its EC or VID header or a volume's data, for UBIFS the area,
 * for JFFS2 the node type it starts), whether it is the first or last
 * page of its block, and whether it is next to a mark, where a workload
 * makes its files durable.  A budgeted sweep checks one point of every
 * class first, and reports coverage by class.
 */
#ifndef MUSE_POINT_CLASS_H
#define MUSE_POINT_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "plan.h"
#include "trace.h"

/* op N+1 is this close to a mark: up to MARK_BEFORE ops before it (the
 * sync that makes the declared files durable) or MARK_AFTER after */
#define MARK_BEFORE 4
#define MARK_AFTER 2

#define POINT_CLASS_NAME 112

struct point_classes {
	size_t count;			/* classes */
	char (*name)[POINT_CLASS_NAME];	/* by class, in order of first point */
	uint32_t *of;			/* by plan point: its class */
	bool *erase;			/* by plan point: op N+1 is an erase */
	int8_t *mark_offset;		/* by plan point: (N+1) - the mark's op;
					 * MARK_NONE if not next to a mark */
	int64_t *same_as;		/* by plan point: the N of the clean point
					 * whose state it is, or -1 */
};

#define MARK_NONE INT8_MIN

/*
 * Classifies every point of @p (points of trace @t, in plan_build's
 * order) and, if @same_states, finds the points whose flash state is, to
 * the bit and the program count, that of a clean point of the plan with
 * the same marks around it: a torn or unstable program of nothing but 1
 * bits (the state after it), an erase of an erased block (the state
 * before it), on NAND an interrupted one (after it).  A trace with
 * faults has none: their damage is not in the cells.
 */
int point_classes_build(struct trace *t, const struct plan *p, bool same_states,
			struct point_classes *c, struct muse_error *e);
void point_classes_free(struct point_classes *c);

#endif
