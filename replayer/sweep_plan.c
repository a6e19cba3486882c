/*
 * sweep_plan.c - what a sweep checks, from its options (see sweep_plan.h).
 */
#include "sweep_plan.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "coverage.h"
#include "point.h"
#include "trace_query.h"

static int resolve_range(struct trace *t, const struct sweep_options *a,
			 struct plan_options *o, struct muse_error *e)
{
	char point[PATH_MAX];
	int ret;

	if (a->range)
		return point_resolve_range(t, a->range, &o->from, &o->to, e);
	o->to = trace_last_seq(t);
	snprintf(point, sizeof(point), "mark:%s", a->from_mark ? a->from_mark : "mkfs-done");
	ret = point_resolve(t, point, &o->from, e);
	if (ret == -ENOENT && !a->from_mark) {
		o->from = 0;	/* no preparation was recorded */
		ret = 0;
	}
	if (!ret && a->to_mark) {
		snprintf(point, sizeof(point), "mark:%s", a->to_mark);
		ret = point_resolve(t, point, &o->to, e);
	}
	return ret;
}

bool sweep_plan_ordered(const struct sweep_options *a)
{
	return a->points || a->budget || a->list;
}

/*
 * The plan, classified; a budgeted sweep's in coverage order, whose
 * shards take every N-th point rather than a contiguous part
 */
int sweep_plan_make(const struct sweep_options *a, struct trace *t,
		     struct plan *p, struct point_classes *c, struct muse_error *e)
{
	struct plan_options o = { .models = a->models, .seeds = a->seeds,
				  .every = a->every };
	int ret = resolve_range(t, a, &o, e);

	if (!sweep_plan_ordered(a)) {
		o.shard = a->shard;
		o.shards = a->shards;
	}
	if (!ret)
		ret = plan_build(t, &o, p, e);
	if (!ret)
		/* a --check may read $MUSE_CUT: each point its own boot */
		ret = point_classes_build(t, p, !a->check, c, e);
	if (!ret && sweep_plan_ordered(a) && coverage_order(p, c))
		ret = muse_fail(e, -ENOMEM, "out of memory");
	if (!ret && sweep_plan_ordered(a) && a->shards)
		coverage_shard(p, c, a->shard, a->shards);
	return ret;
}

/* "N MODEL SEED CLASS" a line, in the order a sweep checks them */
int sweep_plan_list(const struct sweep_options *a, struct muse_error *e)
{
	struct plan p = { 0 };
	struct point_classes c = { 0 };
	struct trace *t;
	int ret = trace_open(a->trace, TRACE_READ, &t, e);

	if (ret)
		return ret;
	ret = sweep_plan_make(a, t, &p, &c, e);
	for (size_t i = 0; !ret && i < p.count && (!a->points || i < a->points); i++)
		printf("%" PRIu64 " %s %" PRIu64 " %s\n", p.points[i].n,
		       cut_name(p.points[i].model), p.points[i].seed, c.name[c.of[i]]);
	plan_free(&p);
	point_classes_free(&c);
	trace_close(t, NULL);
	return ret;
}
