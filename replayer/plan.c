/*
 * plan.c - planning a sweep (see plan.h).
 */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
	if (p->count == *cap) {
		size_t more = *cap ? *cap * 2 : 1024;
		struct cut_point *q = realloc(p->points, more * sizeof(*q));

		if (!q)
			return -ENOMEM;
		p->points = q;
		*cap = more;
	}
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

int plan_build(struct trace *t, const struct plan_options *o, struct plan *p,
	       struct muse_error *e)
{
	uint64_t every = o->every > 1 ? o->every : 1, last = trace_last_seq(t);
	sqlite3_stmt *st;
	struct geometry g;
	size_t cap = 0;
	int ret = trace_geometry(t, &g, e);

	*p = (struct plan){ 0 };
	if (ret)
		return ret;
	if (o->from > o->to || o->to > last)
		return muse_fail(e, -ERANGE, "the range %" PRIu64 "..%" PRIu64
				 " is not within the trace's 0..%" PRIu64, o->from, o->to, last);
	if (sqlite3_prepare_v2(trace_db(t), "SELECT seq, kind, result FROM ops"
			       " WHERE seq BETWEEN ? AND ? ORDER BY seq", -1, &st,
			       NULL) != SQLITE_OK)
		return muse_fail(e, -EIO, "reading the ops failed");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)o->from + 1);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)o->to + 1);
	for (uint64_t n = o->from; !ret && n <= o->to; n++) {
		struct trace_op next = { 0 };
		bool have = n < last && sqlite3_step(st) == SQLITE_ROW;

		if (have) {
			next.seq = (uint64_t)sqlite3_column_int64(st, 0);
			next.kind = (enum trace_op_kind)sqlite3_column_int(st, 1);
			next.result = sqlite3_column_int(st, 2);
		}
		if ((n - o->from) % every == 0)
			ret = plan_one(p, &cap, &g, o, n, have ? &next : NULL);
	}
	sqlite3_finalize(st);
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
