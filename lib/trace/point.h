/*
 * point.h - naming points of a trace: "N", "mark:NAME", "end"; and
 * saying in words what an op is.
 */
#ifndef MUSE_POINT_H
#define MUSE_POINT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "geometry.h"
#include "trace.h"

/* The op count at @at: N, mark:NAME (after the op it follows) or end */
int point_resolve(struct trace *t, const char *at, uint64_t *seq,
		  struct muse_error *e);

/*
 * "A..B" of points, either side left out meaning 0 or the end: the
 * states after op A to after op B.  -ERANGE if A comes after B.
 */
int point_resolve_range(struct trace *t, const char *range, uint64_t *first,
			uint64_t *last, struct muse_error *e);

/* "op 985, program of page 3 of block 69" and the like */
void point_describe_op(const struct geometry *g, const struct trace_op *op,
		       char *buf, size_t size);

#endif
