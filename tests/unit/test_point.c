/*
 * test_point.c - naming points of a trace: N, mark:NAME and end, alone
 * and as A..B ranges with either side left out; anything else refused
 * with a message.
 */
#include "test.h"

#include <errno.h>

#include "point.h"
#include "trace.h"

static struct trace *marked_trace(void)
{
	char path[512];
	struct trace *t;

	snprintf(path, sizeof(path), "%s/points.db", test_tmpdir());
	if (trace_create(path, &t, NULL))
		return NULL;
	trace_set_meta(t, "geometry", "nand-2k,size=1m");
	trace_begin(t);
	for (uint64_t s = 1; s <= 10; s++)
		trace_add_op(t, &(struct trace_op){ .seq = s, .kind = TRACE_ERASE,
						    .prog.addr = 131072 });
	trace_add_mark(t, &(struct trace_mark){ .after_seq = 4, .name = "four" });
	trace_add_mark(t, &(struct trace_mark){ .after_seq = 7, .name = "seven" });
	trace_commit(t, NULL);
	return t;
}

TEST(point_names_resolve_to_op_counts)
{
	struct trace *t = marked_trace();
	struct muse_error e;
	uint64_t n;

	CHECK(t);
	CHECK_INT(point_resolve(t, "3", &n, &e), 0);
	CHECK_INT(n, 3);
	CHECK_INT(point_resolve(t, "end", &n, &e), 0);
	CHECK_INT(n, 10);
	CHECK_INT(point_resolve(t, "mark:seven", &n, &e), 0);
	CHECK_INT(n, 7);
	CHECK_INT(point_resolve(t, "mark:eight", &n, &e), -ENOENT);
	CHECK_CONTAINS(e.msg, "no mark \"eight\"");
	CHECK_INT(point_resolve(t, "11", &n, &e), -ERANGE);
	CHECK_CONTAINS(e.msg, "the trace has 10 ops");
	CHECK_INT(point_resolve(t, "-1", &n, &e), -EINVAL);
	CHECK_INT(point_resolve(t, "3x", &n, &e), -EINVAL);
	trace_close(t, NULL);
}

TEST(point_ranges_leave_out_either_side)
{
	struct trace *t = marked_trace();
	struct muse_error e;
	uint64_t a, b;

	CHECK(t);
	CHECK_INT(point_resolve_range(t, "mark:four..mark:seven", &a, &b, &e), 0);
	CHECK_INT(a, 4);
	CHECK_INT(b, 7);
	CHECK_INT(point_resolve_range(t, "..5", &a, &b, &e), 0);
	CHECK_INT(a, 0);
	CHECK_INT(b, 5);
	CHECK_INT(point_resolve_range(t, "mark:seven..", &a, &b, &e), 0);
	CHECK_INT(a, 7);
	CHECK_INT(b, 10);
	CHECK_INT(point_resolve_range(t, "8..2", &a, &b, &e), -ERANGE);
	CHECK_INT(point_resolve_range(t, "2-8", &a, &b, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "is not A..B");
	CHECK_INT(point_resolve_range(t, "0..99", &a, &b, &e), -ERANGE);
	trace_close(t, NULL);
}
