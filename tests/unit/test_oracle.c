/*
 * test_oracle.c - the durability oracle against real files: the old or
 * the next content is accepted, anything else refused with a reason, and
 * a workload error told from a filesystem failure.
 */
#include "test.h"

#include <sys/stat.h>

#include "hash.h"
#include "oracle.h"

/* ---- the oracle ----------------------------------------------------------- */

static void put_file(const char *dir, const char *name, const char *content)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static struct trace_mark_file decl(const char *path, enum trace_file_kind k,
				   const char *content)
{
	struct trace_mark_file f = { .path = path, .kind = k };

	if (content) {
		f.size = strlen(content);
		sha256_buf(content, f.size, f.sha256);
	}
	return f;
}

/*
 * marks: v1 after op 10 (a = "one", b absent), v2 after op 20 (a = "two"),
 * v3 after op 30 (silent about a)
 */
static struct oracle *load_oracle(void)
{
	struct trace_mark_file m1[] = { decl("a", TRACE_FILE_EXPECT, "one"),
					decl("b", TRACE_FILE_ABSENT, NULL) };
	struct trace_mark_file m2[] = { decl("a", TRACE_FILE_EXPECT, "two") };
	struct trace_mark_file m3[] = { decl("z", TRACE_FILE_ABSENT, NULL) };
	struct trace_mark marks[] = {
		{ .after_seq = 10, .name = "v1", .nfiles = 2, .files = m1 },
		{ .after_seq = 20, .name = "v2", .nfiles = 1, .files = m2 },
		{ .after_seq = 30, .name = "v3", .nfiles = 1, .files = m3 },
	};
	struct oracle *o = NULL;
	struct muse_error e;
	struct trace *t;
	char path[512];

	snprintf(path, sizeof(path), "%s/marks.db", test_tmpdir());
	if (trace_create(path, &t, &e))
		return NULL;
	trace_set_meta(t, "geometry", "nand-2k,size=1m");
	trace_begin(t);
	for (int i = 0; i < 3; i++)
		trace_add_mark(t, &marks[i]);
	if (!trace_commit(t, &e))
		oracle_load(t, &o, &e);
	trace_close(t, NULL);
	return o;
}

TEST(oracle_accepts_old_or_next_content_and_nothing_else)
{
	struct oracle *o = load_oracle();
	char dir[600], why[512];

	CHECK(o);
	snprintf(dir, sizeof(dir), "%s/mnt", test_tmpdir());
	CHECK_INT(mkdir(dir, 0755), 0);
	/* before the first mark nothing is declared */
	CHECK_INT(oracle_check(o, 5, dir, why, sizeof(why), NULL), 0);
	CHECK(!oracle_last_mark(o, 5));
	CHECK_STR(oracle_next_mark(o, 5), "v1");
	put_file(dir, "a", "one");
	CHECK_INT(oracle_check(o, 10, dir, why, sizeof(why), NULL), 0);
	CHECK_STR(oracle_last_mark(o, 15), "v1");
	/* the update declared at v2 may have landed already */
	put_file(dir, "a", "two");
	CHECK_INT(oracle_check(o, 15, dir, why, sizeof(why), NULL), 0);
	put_file(dir, "a", "tw");
	CHECK_INT(oracle_check(o, 15, dir, why, sizeof(why), NULL), 1);
	CHECK_CONTAINS(why, "a: 2 bytes");
	CHECK_CONTAINS(why, "the mark v1 declared it with other content");
	/* after v2 the old content is no longer good enough */
	put_file(dir, "a", "one");
	CHECK_INT(oracle_check(o, 25, dir, why, sizeof(why), NULL), 1);
	put_file(dir, "a", "two");
	CHECK_INT(oracle_check(o, 25, dir, why, sizeof(why), NULL), 0);
	/* declared absent, and present */
	put_file(dir, "b", "x");
	CHECK_INT(oracle_check(o, 25, dir, why, sizeof(why), NULL), 1);
	CHECK_CONTAINS(why, "b: 1 bytes");
	CHECK_CONTAINS(why, "declared it absent");
	oracle_free(o);
}

TEST(oracle_tells_a_workload_error_from_a_filesystem_failure)
{
	struct oracle *o = load_oracle();
	struct oracle_miss miss;
	char dir[600], why[512];

	CHECK(o);
	snprintf(dir, sizeof(dir), "%s/mnt", test_tmpdir());
	CHECK_INT(mkdir(dir, 0755), 0);
	put_file(dir, "a", "three");
	CHECK_INT(oracle_check(o, 25, dir, why, sizeof(why), &miss), 1);
	CHECK_STR(miss.path, "a");
	CHECK(miss.next_silent);
	CHECK_INT(miss.next_after, 30);
	/* still "three" at v3, which says nothing of a: the workload's doing */
	CHECK_INT(oracle_workload_error(o, &miss, dir, why, sizeof(why)), 1);
	CHECK_CONTAINS(why, "workload error: a changed after the mark v2");
	CHECK_CONTAINS(why, "declared again at the mark v3");
	/* back to "two" at v3: the cut lost it, the filesystem's failure */
	put_file(dir, "a", "two");
	CHECK_INT(oracle_workload_error(o, &miss, dir, why, sizeof(why)), 0);
	/* v2 declares a again: never a workload error */
	put_file(dir, "a", "three");
	CHECK_INT(oracle_check(o, 15, dir, why, sizeof(why), &miss), 1);
	CHECK(!miss.next_silent);
	oracle_free(o);
}
