/*
 * plan.c - planning a sweep (see plan.h).
 */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace_query.h"
#include "util.h"

void plan_part(size_t total, unsigned parts, unsigned index, size_t *first,
	       size_t *count)
{
	size_t lo = total * index / parts, hi = total * (index + 1) / parts;

	*first = lo;
	*count = hi - lo;
}

static int push(struct plan *p, size_t *cap, uint64_t n, enum cut_model m,
		uint64_t seed)
{
	if (grow_array(&p->points, cap, p->count + 1, sizeof(*p->points)))
		return -ENOMEM;
	p->points[p->count++] = (struct cut_point){ n, m, seed };
	return 0;
}

/* The points at N, given op N+1 (kind 0: none) */
static int plan_one(struct plan *p, size_t *cap, const struct geometry *g,
		    const struct plan_options *o, uint64_t n,
		    const struct trace_op *next)
{
	struct muse_error ignored;
	int ret = 0;

	for (int m = 0; !ret && m < CUT_MODELS; m++) {
		if (!(o->models & (1u << m)) ||
		    cut_applicable((enum cut_model)m, g, next, &ignored))
			continue;
		if (m == CUT_CLEAN) {
			ret = push(p, cap, n, CUT_CLEAN, 0);
			continue;
		}
		for (uint64_t s = 1; !ret && s <= o->seeds; s++)
			ret = push(p, cap, n, (enum cut_model)m, s);
	}
	return ret;
}

struct planning {
	struct plan *p;
	size_t cap;
	const struct geometry *g;
	const struct plan_options *o;
	uint64_t every;
};

/* Op @next follows cut point next->seq - 1 */
static int plan_before(void *ctx, const struct trace_op *next)
{
	struct planning *pl = ctx;
	uint64_t n = next->seq - 1;

	if ((n - pl->o->from) % pl->every)
		return 0;
	return plan_one(pl->p, &pl->cap, pl->g, pl->o, n, next);
}

int plan_build(struct trace *t, const struct plan_options *o, struct plan *p,
	       struct muse_error *e)
{
	uint64_t last = trace_last_seq(t);
	struct geometry g;
	struct planning pl = { .p = p, .g = &g, .o = o,
			       .every = o->every > 1 ? o->every : 1 };
	struct trace_op_filter f = { .first = o->from + 1, .last = o->to + 1,
				     .block = -1 };
	int ret = trace_geometry(t, &g, e);

	*p = (struct plan){ 0 };
	if (ret)
		return ret;
	if (o->from > o->to || o->to > last)
		return muse_fail(e, -ERANGE, "the range %" PRIu64 "..%" PRIu64
				 " is not within the trace's 0..%" PRIu64, o->from, o->to, last);
	ret = trace_for_each_op_head(t, &f, plan_before, &pl, e);
	/* the state after the last op has no op in flight */
	if (!ret && o->to == last && (last - o->from) % pl.every == 0)
		ret = plan_one(p, &pl.cap, &g, o, last, NULL);
	if (!ret && o->shards) {
		size_t first, count;

		plan_part(p->count, o->shards, o->shard - 1, &first, &count);
		memmove(p->points, p->points + first, count * sizeof(*p->points));
		p->count = count;
	}
	if (ret) {
		plan_free(p);
		return muse_fail(e, ret, "planning the sweep: %s", strerror(-ret));
	}
	return 0;
}

void plan_free(struct plan *p)
{
	free(p->points);
	*p = (struct plan){ 0 };
}
