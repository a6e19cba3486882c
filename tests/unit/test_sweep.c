/*
 * test_sweep.c - the sweep's judges without a kernel: kernel log rules,
 * the plan (models that fit each op, ranges, shards), the durability
 * oracle against real files, and results files merged.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "klog.h"
#include "oracle.h"
#include "plan.h"
#include "results.h"
#include "trace.h"

static const char ecc_log[] =
	"notice UBIFS (ubi0:0): recovery needed\n"
	"err    ubi0 error: 0x6025c6d9: error -74 (ECC error) while reading 2048 bytes from PEB 70:4096, read 2048 bytes\n"
	"warn   CPU: 0 UID: 0 PID: 18 Comm: muse Not tainted 6.12.117 #7\n"
	"warn   Stack:\n"
	"warn    00000000 603585c0 603585c0 602f4b45\n"
	"warn   Call Trace:\n"
	"warn    [<600270d7>] ? 0x00000000600270d7\n"
	"err    UBIFS error (ubi0:0 pid 18): 0x601552b4: garbage\n"
	"notice UBIFS (ubi0:0): recovery completed\n";

TEST(klog_ecc_reports_pass_only_under_damaging_models)
{
	struct klog_rules *clean, *torn;
	struct muse_error e;
	char why[256];

	CHECK_INT(klog_rules_new(CUT_CLEAN, NULL, &clean, &e), 0);
	CHECK_INT(klog_rules_new(CUT_TORN, NULL, &torn, &e), 0);
	CHECK(klog_clean(torn, ecc_log, why, sizeof(why)));
	CHECK(!klog_clean(clean, ecc_log, why, sizeof(why)));
	CHECK_CONTAINS(why, "ECC error");
	CHECK(klog_clean(clean, "notice ubi0: attaching mtd0\ninfo   whatever\n", why,
			 sizeof(why)));
	klog_rules_free(clean);
	klog_rules_free(torn);
}

TEST(klog_trouble_fails_even_where_errors_are_allowed)
{
	static const char *const extra[] = { "UBIFS error .*: expected oddity", NULL };
	struct klog_rules *r;
	struct muse_error e;
	char why[256];

	CHECK_INT(klog_rules_new(CUT_TORN, extra, &r, &e), 0);
	CHECK(!klog_clean(r, "warn   WARNING: CPU: 0 PID: 9 at fs/ubifs/io.c:123\n", why,
			  sizeof(why)));
	CHECK_CONTAINS(why, "WARNING");
	/* a stack dump that follows no allowed message is trouble */
	CHECK(!klog_clean(r, "warn   Call Trace:\n", why, sizeof(why)));
	CHECK(!klog_clean(r, "err    UBIFS error (ubi0:0 pid 1): bad LEB 3\n", why,
			  sizeof(why)));
	CHECK(klog_clean(r, "err    UBIFS error (ubi0:0 pid 1): expected oddity\n", why,
			 sizeof(why)));
	/* errors of other subsystems are not the filesystem's */
	CHECK(klog_clean(r, "err    hostfs: something\n", why, sizeof(why)));
	klog_rules_free(r);
	CHECK_INT(klog_rules_new(CUT_CLEAN, (const char *const[]){ "(", NULL }, &r, &e),
		  -EINVAL);
	CHECK_CONTAINS(e.msg, "bad pattern");
}

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
