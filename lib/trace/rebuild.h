/*
 * rebuild.h - the flash as a trace says it was.
 *
 * A trace stores what was programmed, not what the cells became; applying
 * the ops in order to the initial state gives the cells exactly (a
 * program ANDs, an erase clears, a markbad erases and marks).  Ops the
 * flash refused (a non-zero result) are skipped: what a failed program or
 * erase did to the cells is in the trace's faults, applied after the op
 * they follow, as is every other change a fault plan made to the cells.
 */
#ifndef MUSE_REBUILD_H
#define MUSE_REBUILD_H

#include <stdint.h>

#include "error.h"
#include "flash.h"
#include "trace.h"

/* A new flash in memory with the trace's geometry and initial state */
int rebuild_initial(struct trace *t, struct flash **out, struct muse_error *e);

/* Applies one op to @f */
int rebuild_apply(struct flash *f, const struct trace_op *op);

/* Applies ops @first..@last of @t to @f */
int rebuild_range(struct trace *t, struct flash *f, uint64_t first,
		 uint64_t last, struct muse_error *e);

#endif
