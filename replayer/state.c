/*
 * state.c - the flash at a point of a trace.
 */
#include "state.h"

#include <string.h>

#include "point.h"

struct cut_ctx {
	struct point_state *s;
	enum cut_model m;
	uint64_t seed;
	struct muse_error *e;
	bool seen;
};

static int cut_next(void *ctx, const struct trace_op *op)
{
	struct cut_ctx *c = ctx;

	c->seen = true;
	point_describe_op(flash_geometry(c->s->f), op, c->s->op, sizeof(c->s->op));
	return cut_apply(c->s->f, op, c->m, c->seed, &c->s->cut, c->e);
}

int point_state_build(struct trace *t, struct ckpt *c, uint64_t seq,
		      enum cut_model m, uint64_t seed, struct point_state *s,
		      struct muse_error *e)
{
	struct cut_ctx cc = { s, m, seed, e, false };
	int ret;

	memset(s, 0, sizeof(*s));
	ret = ckpt_state(c, seq, &s->f, e);
	if (!ret && seq < trace_last_seq(t))
		ret = trace_for_each_op(t, seq + 1, seq + 1, cut_next, &cc, e);
	if (!ret && !cc.seen)
		ret = cut_apply(s->f, NULL, m, seed, &s->cut, e);
	if (ret) {
		flash_destroy(s->f);
		s->f = NULL;
	}
	return ret;
}
