/*
 * test_judge.c - where a sweep runs the self-checks that walk the whole
 * filesystem: at every state a mark declares, at about one point in
 * JUDGE_FULL_EVERY elsewhere, the same points every time; everywhere
 * with full checks, nowhere with none.
 */
#include "test.h"
#include "trace_fixture.h"

#include <errno.h>
#include <string.h>

#include "judge.h"

#define PAGE 2048
#define POINTS 4000

/* 30 programs, marks after ops 10 and 20, at @path */
static int marked_trace(const char *path)
{
	struct trace_mark m1 = { .after_seq = 10, .name = "one" };
	struct trace_mark m2 = { .after_seq = 20, .name = "two" };
	static uint8_t page[PAGE];
	struct muse_error e;
	struct trace *t = new_trace(path);

	if (!t)
		return -1;
	trace_begin(t);
	for (uint64_t seq = 1; seq <= 30; seq++)
		add_page_op(t, seq, TRACE_PROGRAM, (seq - 1) * PAGE, page);
	trace_add_mark(t, &m1);
	trace_add_mark(t, &m2);
	if (trace_commit(t, &e)) {
		trace_close(t, NULL);
		return -1;
	}
	return trace_close(t, &e);
}

/* Which of the points 0..POINTS-1 get the full checks, and how many */
static int full_points(const char *path, enum debug_checks mode, bool *full)
{
	struct judge_options o = { .trace = path, .checks = mode };
	struct muse_error e;
	struct judge *j = NULL;
	struct trace *t;
	int count = 0;

	if (trace_open(path, TRACE_READ, &t, &e))
		return -1;
	if (judge_open(t, &o, &j, &e)) {
		printf("    judge_open: %s\n", e.msg);
		trace_close(t, NULL);
		return -1;
	}
	for (uint64_t n = 0; n < POINTS; n++) {
		full[n] = judge_full_checks(j, n);
		count += full[n];
	}
	judge_close(j);
	trace_close(t, NULL);
	return count;
}

TEST(sampled_checks_run_at_marks_and_one_point_in_eight)
{
	static bool a[POINTS], b[POINTS];
	char path[512];
	int count;

	path_in_tmp(path, sizeof(path), "judge-marks.db");
	CHECK_INT(marked_trace(path), 0);
	count = full_points(path, DEBUG_CHECKS_SAMPLED, a);
	CHECK(a[10] && a[20]);
	/* a fixed hash: about POINTS / 8, never all, never none */
	CHECK(count > POINTS / JUDGE_FULL_EVERY / 2);
	CHECK(count < POINTS / JUDGE_FULL_EVERY * 2);
	CHECK_INT(full_points(path, DEBUG_CHECKS_SAMPLED, b), count);
	CHECK(!memcmp(a, b, sizeof(a)));
}

TEST(full_checks_everywhere_none_nowhere)
{
	static bool full[POINTS];
	char path[512];

	path_in_tmp(path, sizeof(path), "judge-modes.db");
	CHECK_INT(marked_trace(path), 0);
	CHECK_INT(full_points(path, DEBUG_CHECKS_FULL, full), POINTS);
	CHECK_INT(full_points(path, DEBUG_CHECKS_NONE, full), 0);
}

TEST(debug_checks_modes_by_name)
{
	enum debug_checks c = DEBUG_CHECKS_FULL;

	CHECK_INT(debug_checks_parse("sampled", &c), 0);
	CHECK_INT(c, DEBUG_CHECKS_SAMPLED);
	CHECK_INT(debug_checks_parse("none", &c), 0);
	CHECK_INT(c, DEBUG_CHECKS_NONE);
	CHECK_INT(debug_checks_parse("full", &c), 0);
	CHECK(!strcmp(debug_checks_name(c), "full"));
	CHECK_INT(debug_checks_parse("Full", &c), -EINVAL);
	CHECK_INT(debug_checks_parse("", &c), -EINVAL);
}
