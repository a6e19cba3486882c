/*
 * cut.h - the operation in flight when power died.
 *
 * A cut model turns op N+1 of a trace into what the chip holds if power
 * failed while it ran.  Every model is a pure function of the flash after
 * op N, the op, the model and a seed: the same inputs give the same cells
 * and the same ECC verdicts, on any machine.  docs/cut-models.md explains
 * the physics behind each.
 *
 *   clean     the op never happened
 *   torn      NAND: a seeded subset of the program's 1->0 transitions is
 *             missing, data and OOB together, served through ECC;
 *             NOR: a prefix of 16-bit words done, the word in flight partly
 *   erase     NAND: a seeded subset of the block's 0 bits still 0, across
 *             the block or in a range of pages, served through ECC;
 *             NOR: the sector partly pre-programmed to 0 (tail first), or
 *             pre-programmed and partly erased
 *   unstable  the cells torn or erase would leave undecided sit near the
 *             read threshold: each read sees them anew (NAND: through ECC)
 *
 * A model that does not fit op N+1 (erase when it is a program, any cut
 * of a markbad, or of a RAM write) is refused with a reason.
 */
#ifndef MUSE_CUT_H
#define MUSE_CUT_H

#include <stdint.h>

#include "error.h"
#include "flash.h"
#include "trace.h"

enum cut_model {
	CUT_CLEAN,
	CUT_TORN,
	CUT_ERASE,
	CUT_UNSTABLE,
	CUT_MODELS
};

int cut_parse(const char *name, enum cut_model *m, struct muse_error *e);
const char *cut_name(enum cut_model m);

/*
 * 0 when @m can cut @op (NULL: there is no op after the state) on a chip
 * of geometry @g; otherwise -ENOTSUP and the reason in @e.
 */
int cut_applicable(enum cut_model m, const struct geometry *g,
		   const struct trace_op *op, struct muse_error *e);

/* What a cut did, for the user */
struct cut_report {
	uint32_t units;		/* storage units touched */
	uint64_t bits;		/* bits left undone, or left undecided */
	char what[160];		/* one line: e.g. "341 of 8012 bits undone" */
};

/*
 * Applies @op to @f interrupted as @m says, deterministically from
 * @seed.  @f holds the state after the op before @op and no damage.
 */
int cut_apply(struct flash *f, const struct trace_op *op, enum cut_model m,
	      uint64_t seed, struct cut_report *r, struct muse_error *e);

#endif
