/*
 * test_plan.c - planning a sweep: each model only where it fits the op in
 * flight, and shards that cover every point once.
 */
#include "test.h"

#include <errno.h>

#include "plan.h"

/* A trace with ops: 1 erase, 2..5 programs, 6 markbad, 7 failed program */
static struct trace *plan_trace(const char *name)
{
	static uint8_t page[2048];
	struct muse_error e;
	struct trace *t;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	if (trace_create(path, &t, &e))
		return NULL;
	trace_set_meta(t, "geometry", "nand-2k,size=1m");
	trace_begin(t);
	for (uint64_t s = 1; s <= 7; s++) {
		struct trace_op op = { .seq = s, .kind = TRACE_PROGRAM,
				       .prog.addr = (s - 2) * 2048, .prog.len = 2048, .prog.data = page };

		if (s == 1)
			op = (struct trace_op){ .seq = 1, .kind = TRACE_ERASE };
		if (s == 6)
			op = (struct trace_op){ .seq = 6, .kind = TRACE_MARKBAD, .prog.addr = 131072 };
		if (s == 7)
			op.result = -EIO;
		trace_add_op(t, &op);
	}
	trace_commit(t, &e);
	return t;
}

TEST(plan_visits_each_model_where_it_fits)
{
	struct plan_options o = { .from = 0, .to = 7, .seeds = 2,
				  .models = 1u << CUT_CLEAN | 1u << CUT_TORN | 1u << CUT_ERASE };
	struct trace *t = plan_trace("plan.db");
	struct muse_error e;
	struct plan p;
	char got[512] = "";

	CHECK(t);
	CHECK_INT(plan_build(t, &o, &p, &e), 0);
	for (size_t i = 0; i < p.count; i++) {
		char one[32];

		snprintf(one, sizeof(one), "%llu%c%llu ", (unsigned long long)p.points[i].n,
			 cut_name(p.points[i].model)[0],
			 (unsigned long long)p.points[i].seed);
		strcat(got, one);
	}
	/* N=0: erase next; 1..4: programs next; 5: markbad; 6: refused op; 7: end */
	CHECK_STR(got, "0c0 0e1 0e2 1c0 1t1 1t2 2c0 2t1 2t2 3c0 3t1 3t2 4c0 4t1 4t2 5c0 6c0 7c0 ");
	plan_free(&p);
	o.every = 3;
	o.models = 1u << CUT_CLEAN;
	CHECK_INT(plan_build(t, &o, &p, &e), 0);
	CHECK_INT(p.count, 3);	/* 0, 3, 6 */
	CHECK_INT(p.points[2].n, 6);
	plan_free(&p);
	o.to = 8;
	CHECK_INT(plan_build(t, &o, &p, &e), -ERANGE);
	trace_close(t, NULL);
}

TEST(plan_shards_cover_every_point_once)
{
	struct plan_options o = { .to = 7, .seeds = 3,
				  .models = 1u << CUT_CLEAN | 1u << CUT_TORN };
	struct trace *t = plan_trace("shard.db");
	struct muse_error e;
	struct plan all, part;
	size_t seen = 0;

	CHECK(t);
	CHECK_INT(plan_build(t, &o, &all, &e), 0);
	for (unsigned i = 1; i <= 3; i++) {
		o.shard = i;
		o.shards = 3;
		CHECK_INT(plan_build(t, &o, &part, &e), 0);
		CHECK(part.count > 0);
		for (size_t k = 0; k < part.count; k++, seen++) {
			CHECK_INT(part.points[k].n, all.points[seen].n);
			CHECK_INT(part.points[k].model, all.points[seen].model);
			CHECK_INT(part.points[k].seed, all.points[seen].seed);
		}
		plan_free(&part);
	}
	CHECK_INT(seen, all.count);
	plan_free(&all);
	trace_close(t, NULL);
}
