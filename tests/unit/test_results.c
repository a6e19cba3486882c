/*
 * test_results.c - the sweep's results store: merged and resumed, one row
 * per point.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "results.h"

TEST(results_merge_and_resume_keep_one_row_per_point)
{
	struct result x = { .n = 4, .model = CUT_TORN, .seed = 2,
			    .verdict = VERDICT_FAIL, .reason = "bad", .ms = 3, .log = "l" };
	char a[600], b[600], meta[80];
	struct results *ra, *rb;
	struct muse_error e;

	snprintf(a, sizeof(a), "%s/a.db", test_tmpdir());
	snprintf(b, sizeof(b), "%s/b.db", test_tmpdir());
	CHECK_INT(results_open(a, &ra, &e), 0);
	CHECK_INT(results_open(b, &rb, &e), 0);
	CHECK_INT(results_set_meta(rb, "trace_sha256", "abc"), 0);
	CHECK_INT(results_add(rb, &x), 0);
	x.n = 5;
	x.verdict = VERDICT_PASS;
	CHECK_INT(results_add(rb, &x), 0);
	CHECK(!results_has(ra, 4, CUT_TORN, 2));
	CHECK_INT(results_merge(ra, b, &e), 0);
	CHECK_INT(results_merge(ra, b, &e), 0);	/* twice: still one row each */
	CHECK(results_has(ra, 4, CUT_TORN, 2));
	CHECK(!results_has(ra, 4, CUT_TORN, 1));
	CHECK_INT(results_get_meta(ra, "trace_sha256", meta, sizeof(meta)), 0);
	CHECK_STR(meta, "abc");
	results_close(rb);
	results_close(ra);
	CHECK_INT(results_open(a, &ra, &e), 0);
	CHECK(results_has(ra, 5, CUT_TORN, 2));
	results_close(ra);
}

TEST(results_file_of_a_newer_version_is_refused)
{
	struct results *r = NULL;
	struct muse_error e;
	char path[512], cmd[700];

	snprintf(path, sizeof(path), "%s/newer.db", test_tmpdir());
	CHECK_INT(results_open(path, &r, &e), 0);
	results_close(r);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'PRAGMA user_version = 99'", path);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(results_open(path, &r, &e), -EPROTONOSUPPORT);
	CHECK_CONTAINS(e.msg, "version 99");
}

/* A file of the first version (no coverage table): read as it is, upgraded to write */
TEST(results_file_of_an_older_version_reads_and_upgrades)
{
	struct result x = { .n = 7, .model = CUT_CLEAN, .verdict = VERDICT_FAIL,
			    .reason = "r", .log = "" };
	struct results_class k = { .name = "clean: erase", .points = 2, .checked = 1 };
	struct results *r = NULL;
	struct muse_error e;
	enum verdict v;
	char path[512], cmd[1400];

	snprintf(path, sizeof(path), "%s/v1.db", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' < schema/results/001-initial.sql &&"
		 " sqlite3 '%s' \"INSERT INTO results VALUES (7, 'clean', 0, 'fail', 'r', 1,"
		 " ''); PRAGMA user_version = 1\"", path, path);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(results_open_readonly(path, &r, &e), 0);
	CHECK_INT(results_verdict(r, 7, CUT_CLEAN, 0, &v), 0);
	CHECK_INT(v, VERDICT_FAIL);
	results_close(r);
	CHECK_INT(results_open(path, &r, &e), 0);
	CHECK_INT(results_add(r, &x), 0);
	CHECK_INT(results_set_coverage(r, &k, 1), 0);
	results_close(r);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 '%s' 'PRAGMA user_version;"
		 " SELECT class, points, checked FROM coverage')\" = \"3\nclean: erase|2|1\"",
		 path);
	CHECK_INT(system(cmd), 0);
}

static int sql_says(const char *path, const char *query, const char *expect)
{
	char cmd[1400];

	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 '%s' \"%s\")\" = '%s'", path, query,
		 expect);
	return system(cmd);
}

/* When each verdict came, kept through a merge; unknown in an older worker's file */
TEST(results_keep_when_each_verdict_came)
{
	struct result x = { .n = 9, .model = CUT_CLEAN, .verdict = VERDICT_PASS,
			    .ms = 2, .at = 1764000000.25 };
	char a[512], b[512], old[512], cmd[1400];
	struct results *ra, *rb;
	struct muse_error e;

	snprintf(a, sizeof(a), "%s/at-a.db", test_tmpdir());
	snprintf(b, sizeof(b), "%s/at-b.db", test_tmpdir());
	snprintf(old, sizeof(old), "%s/at-v2.db", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "cat schema/results/001-initial.sql"
		 " schema/results/002-coverage.sql | sqlite3 '%s' && sqlite3 '%s'"
		 " \"INSERT INTO results VALUES (3, 'clean', 0, 'pass', NULL, 1, NULL, NULL);"
		 " PRAGMA user_version = 2\"", old, old);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(results_open(a, &ra, &e), 0);
	CHECK_INT(results_open(b, &rb, &e), 0);
	CHECK_INT(results_add(rb, &x), 0);
	results_close(rb);
	CHECK_INT(results_merge(ra, b, &e), 0);
	CHECK_INT(results_merge(ra, old, &e), 0);
	CHECK_INT(results_add_same(ra, 9, CUT_TORN, 1, 9, 1764000001.5), 0);
	results_close(ra);
	CHECK_INT(sql_says(a, "SELECT checked_at FROM results WHERE n = 9 AND model = 'clean'",
			   "1764000000.25"), 0);
	CHECK_INT(sql_says(a, "SELECT count(*) FROM results WHERE n = 3 AND checked_at IS NULL",
			   "1"), 0);
	/* a point judged without a boot: when it was planned */
	CHECK_INT(sql_says(a, "SELECT checked_at FROM results WHERE model = 'torn'",
			   "1764000001.5"), 0);
}
