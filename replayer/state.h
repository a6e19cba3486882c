/*
 * state.h - the flash at a point of a trace: after op N, with op N+1
 * interrupted as a cut model says (or not at all, for the clean model).
 * What "muse replay --at N --cut M --seed S" serves or exports, and what
 * "muse mount" shows.
 */
#ifndef MUSE_STATE_H
#define MUSE_STATE_H

#include <stdint.h>

#include "checkpoint.h"
#include "cut.h"
#include "flash.h"
#include "trace.h"

struct point_state {
	struct flash *f;
	struct cut_report cut;
	char op[96];		/* op N+1, described; "" after the last op */
};

/* Builds @s->f from @c's checkpoints of @t; the caller destroys it. */
int point_state_build(struct trace *t, struct ckpt *c, uint64_t seq,
		      enum cut_model m, uint64_t seed, struct point_state *s,
		      struct muse_error *e);

#endif
