/*
 * test_coverage.c - classes of cut points (op in flight, where it lands,
 * next to a mark, model) and the order of a budgeted sweep: one point of
 * every class first, then the marks' neighbourhoods (their states first), then
 * erases, every point exactly once, shards that split it, and coverage
 * counted from a results file.
 */
#include "test.h"
#include "trace_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "cut.h"
#include "flash.h"
#include "flash_raw.h"
#include "rebuild.h"

#define PAGE 2048
#define BLOCK 131072

static uint8_t pages[4][PAGE];

static const uint8_t *jffs2(int i, uint16_t type)
{
	pages[i][0] = 0x85;
	pages[i][1] = 0x19;
	pages[i][2] = (uint8_t)type;
	pages[i][3] = (uint8_t)(type >> 8);
	return pages[i];
}

/*
 * Block 1: erased, a cleanmarker, an inode, a dirent, an inode in its
 * last page; block 2: erased, plain data, an inode; the mark "m" after
 * op 8; then two dirents
 */
static struct trace *coverage_trace(void)
{
	const uint8_t *clean = jffs2(0, 0x2003), *inode = jffs2(1, 0xE002),
		      *dirent = jffs2(2, 0xE001), *plain = pages[3];
	struct trace_mark m = { .after_seq = 8, .name = "m" };
	static int made;
	struct muse_error e;
	struct trace *t;
	char path[512];

	snprintf(path, sizeof(path), "%s/coverage-%d.db", test_tmpdir(), made++);
	t = new_trace(path);
	if (!t)
		return NULL;
	trace_begin(t);
	add_page_op(t, 1, TRACE_ERASE, BLOCK, NULL);
	add_page_op(t, 2, TRACE_PROGRAM, BLOCK, clean);
	add_page_op(t, 3, TRACE_PROGRAM, BLOCK + PAGE, inode);
	add_page_op(t, 4, TRACE_PROGRAM, BLOCK + 2 * PAGE, dirent);
	add_page_op(t, 5, TRACE_PROGRAM, 2 * BLOCK - PAGE, inode);
	add_page_op(t, 6, TRACE_ERASE, 2 * BLOCK, NULL);
	add_page_op(t, 7, TRACE_PROGRAM, 2 * BLOCK, plain);
	add_page_op(t, 8, TRACE_PROGRAM, 2 * BLOCK + PAGE, inode);
	trace_add_mark(t, &m);
	add_page_op(t, 9, TRACE_PROGRAM, 2 * BLOCK + 2 * PAGE, dirent);
	add_page_op(t, 10, TRACE_PROGRAM, 2 * BLOCK + 3 * PAGE, dirent);
	trace_commit(t, &e);
	return t;
}

struct fixture {
	struct trace *t;
	struct plan p;
	struct point_classes c;
};

static int setup(struct fixture *f)
{
	struct plan_options o = { .from = 0, .to = 10, .seeds = 1,
				  .models = 1u << CUT_CLEAN | 1u << CUT_TORN };
	struct muse_error e;

	f->t = coverage_trace();
	if (!f->t || plan_build(f->t, &o, &f->p, &e))
		return -1;
	return point_classes_build(f->t, &f->p, true, &f->c, &e);
}

static void teardown(struct fixture *f)
{
	point_classes_free(&f->c);
	plan_free(&f->p);
	trace_close(f->t, NULL);
}

static const char *class_of(const struct fixture *f, uint64_t n, enum cut_model m)
{
	for (size_t i = 0; i < f->p.count; i++)
		if (f->p.points[i].n == n && f->p.points[i].model == m)
			return f->c.name[f->c.of[i]];
	return "";
}

TEST(coverage_classes_name_op_place_and_marks)
{
	struct fixture f;

	CHECK_INT(setup(&f), 0);
	CHECK_STR(class_of(&f, 0, CUT_CLEAN), "clean: erase");
	CHECK_STR(class_of(&f, 1, CUT_TORN),
		  "torn: program of JFFS2 cleanmarker at the start of its block");
	CHECK_STR(class_of(&f, 2, CUT_TORN),
		  "torn: program of JFFS2 inode node in the middle of its block");
	/* op 5 is 3 before the mark's op 8: next to it */
	CHECK_STR(class_of(&f, 4, CUT_CLEAN),
		  "clean: program of JFFS2 inode node at the end of its block, next to a mark");
	CHECK_STR(class_of(&f, 5, CUT_CLEAN), "clean: erase, next to a mark");
	CHECK_STR(class_of(&f, 6, CUT_TORN),
		  "torn: program at the start of its block, next to a mark");
	CHECK_STR(class_of(&f, 10, CUT_CLEAN), "clean: end of the trace");
	/* the same situation is one class: dirents in mid-block next to the mark */
	CHECK(class_of(&f, 8, CUT_TORN) == class_of(&f, 9, CUT_TORN));
	teardown(&f);
}

static bool seen_before(const struct fixture *f, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (f->c.of[j] == f->c.of[i])
			return true;
	return false;
}

TEST(coverage_order_classes_then_marks_then_erases)
{
	struct fixture f;
	bool once[11][CUT_MODELS] = { { false } };
	size_t classes, i;
	int last_rank = -1;

	CHECK_INT(setup(&f), 0);
	classes = f.c.count;
	CHECK_INT(coverage_order(&f.p, &f.c), 0);
	for (i = 0; i < classes; i++)
		CHECK(!seen_before(&f, i));
	/*
	 * then what is next to the mark (op 8): first its state, op 9 in
	 * flight; then op 8, 7, 10, 6, 5
	 */
	for (; i < f.p.count && f.c.mark_offset[i] != MARK_NONE; i++) {
		static const int rank_of[] = { [0] = 5, [1] = 4, [2] = 2, [3] = 1,
					       [4] = 0, [5] = 3 };
		int rank = rank_of[f.c.mark_offset[i] + 3];

		CHECK(rank >= last_rank);
		last_rank = rank;
	}
	/* no erase is left: both were next to the mark or alone in a class */
	for (; i < f.p.count; i++)
		CHECK(!f.c.erase[i] && f.c.mark_offset[i] == MARK_NONE);
	for (i = 0; i < f.p.count; i++) {
		CHECK(!once[f.p.points[i].n][f.p.points[i].model]);
		once[f.p.points[i].n][f.p.points[i].model] = true;
	}
	CHECK_INT((long)f.p.count, 19);
	teardown(&f);
}

TEST(coverage_order_is_the_same_every_time_and_shards_split_it)
{
	struct fixture a, b, s1, s2;

	CHECK_INT(setup(&a), 0);
	CHECK_INT(setup(&b), 0);
	CHECK_INT(setup(&s1), 0);
	CHECK_INT(setup(&s2), 0);
	coverage_order(&a.p, &a.c);
	coverage_order(&b.p, &b.c);
	coverage_order(&s1.p, &s1.c);
	coverage_order(&s2.p, &s2.c);
	for (size_t i = 0; i < a.p.count; i++)
		CHECK(a.p.points[i].n == b.p.points[i].n &&
		      a.p.points[i].model == b.p.points[i].model &&
		      a.p.points[i].seed == b.p.points[i].seed);
	coverage_shard(&s1.p, &s1.c, 1, 2);
	coverage_shard(&s2.p, &s2.c, 2, 2);
	CHECK_INT((long)(s1.p.count + s2.p.count), (long)a.p.count);
	for (size_t i = 0; i < a.p.count; i++) {
		const struct cut_point *want = &a.p.points[i],
			*got = i % 2 ? &s2.p.points[i / 2] : &s1.p.points[i / 2];

		CHECK(got->n == want->n && got->model == want->model);
	}
	teardown(&a);
	teardown(&b);
	teardown(&s1);
	teardown(&s2);
}

TEST(coverage_counts_checked_points_by_class)
{
	struct results_class *k = NULL, all;
	struct results *r;
	struct fixture f;
	struct muse_error e;
	char path[512];
	struct result pass = { .n = 8, .model = CUT_TORN, .verdict = VERDICT_PASS, .seed = 1 };
	struct result fail = { .n = 9, .model = CUT_TORN, .verdict = VERDICT_FAIL, .seed = 1,
			       .reason = "x", .log = "" };
	size_t checked = 0;

	CHECK_INT(setup(&f), 0);
	snprintf(path, sizeof(path), "%s/coverage.sweep.db", test_tmpdir());
	CHECK_INT(results_open(path, &r, &e), 0);
	CHECK_INT(results_add(r, &pass), 0);
	CHECK_INT(results_add(r, &fail), 0);
	CHECK_INT(coverage_count(&f.p, &f.c, r, &k, &all), 0);
	CHECK_INT((long)all.points, 19);
	CHECK_INT((long)all.checked, 2);
	CHECK_INT((long)all.failed, 1);
	for (size_t i = 0; i < f.c.count; i++) {
		if (!strcmp(k[i].name, class_of(&f, 8, CUT_TORN))) {
			CHECK_INT((long)k[i].points, 2);
			CHECK_INT((long)k[i].checked, 2);
			CHECK_INT((long)k[i].failed, 1);
		}
		checked += k[i].checked;
	}
	CHECK_INT((long)checked, 2);
	CHECK_INT(results_set_coverage(r, k, f.c.count), 0);
	free(k);
	results_close(r);
	teardown(&f);
}

/*
 * Block 1 erased twice, then a page of 1 bits and a plain page; block 2
 * erased twice with the mark "m" after the second; a plain page
 */
static struct trace *same_state_trace(void)
{
	static uint8_t ones[PAGE], plain[PAGE];
	struct trace_mark m = { .after_seq = 6, .name = "m" };
	struct muse_error e;
	struct trace *t;
	char path[512];

	memset(ones, 0xFF, sizeof(ones));
	snprintf(path, sizeof(path), "%s/same.db", test_tmpdir());
	t = new_trace(path);
	if (!t)
		return NULL;
	trace_begin(t);
	add_page_op(t, 1, TRACE_ERASE, BLOCK, NULL);
	add_page_op(t, 2, TRACE_ERASE, BLOCK, NULL);
	add_page_op(t, 3, TRACE_PROGRAM, BLOCK, ones);
	add_page_op(t, 4, TRACE_PROGRAM, BLOCK + PAGE, plain);
	add_page_op(t, 5, TRACE_ERASE, 2 * BLOCK, NULL);
	add_page_op(t, 6, TRACE_ERASE, 2 * BLOCK, NULL);
	trace_add_mark(t, &m);
	add_page_op(t, 7, TRACE_PROGRAM, 2 * BLOCK, plain);
	trace_commit(t, &e);
	return t;
}

static long same_as(const struct plan *p, const struct point_classes *c, uint64_t n,
		    enum cut_model m)
{
	for (size_t i = 0; i < p->count; i++)
		if (p->points[i].n == n && p->points[i].model == m)
			return (long)c->same_as[i];
	return -99;
}

TEST(coverage_cuts_that_change_no_cell_are_a_clean_points_state)
{
	struct plan_options o = { .from = 0, .to = 7, .seeds = 1, .models = 0xF };
	struct trace *t = same_state_trace();
	struct point_classes c;
	struct muse_error e;
	struct plan p;

	CHECK(t);
	CHECK_INT(plan_build(t, &o, &p, &e), 0);
	CHECK_INT(point_classes_build(t, &p, true, &c, &e), 0);
	/* the second erase of block 1 changes no cell: after it is after op 1 */
	CHECK_INT(same_as(&p, &c, 2, CUT_CLEAN), 1);
	CHECK_INT(same_as(&p, &c, 1, CUT_ERASE), 1);
	CHECK_INT(same_as(&p, &c, 1, CUT_UNSTABLE), 1);
	/* a cut program of 1 bits: the state after it */
	CHECK_INT(same_as(&p, &c, 2, CUT_TORN), 3);
	CHECK_INT(same_as(&p, &c, 2, CUT_UNSTABLE), 3);
	/* ops that change cells, or a block the trace never erased before */
	CHECK_INT(same_as(&p, &c, 3, CUT_TORN), -1);
	CHECK_INT(same_as(&p, &c, 0, CUT_ERASE), -1);
	CHECK_INT(same_as(&p, &c, 1, CUT_CLEAN), -1);
	/* a mark after the op asks another question: no sharing across it */
	CHECK_INT(same_as(&p, &c, 6, CUT_CLEAN), -1);
	CHECK_INT(same_as(&p, &c, 5, CUT_ERASE), -1);
	point_classes_free(&c);
	CHECK_INT(point_classes_build(t, &p, false, &c, &e), 0);
	CHECK_INT(same_as(&p, &c, 2, CUT_CLEAN), -1);
	point_classes_free(&c);
	plan_free(&p);
	trace_close(t, NULL);
}

/* Every unit's cells and damage, and every page's program count */
static bool same_flash(struct flash *a, struct flash *b)
{
	uint32_t us = flash_unit_size(a);
	uint8_t *x = malloc(us), *y = malloc(us);
	bool same = x && y;

	for (uint64_t u = 0; same && u < flash_units(a); u++) {
		uint64_t addr = u * PAGE;

		flash_dump_unit(a, u, x);
		flash_dump_unit(b, u, y);
		same = !memcmp(x, y, us);
		flash_get_damage(a, addr, x);
		flash_get_damage(b, addr, y);
		same = same && !memcmp(x, y, us);
	}
	free(x);
	free(y);
	return same;
}

/* What point_class claims, checked against the cut models themselves */
TEST(coverage_same_state_claims_hold_on_the_flash_model)
{
	static uint8_t ones[PAGE], oob[64];
	struct trace_op prog = { .seq = 3, .kind = TRACE_PROGRAM, .prog.addr = BLOCK,
				 .prog.len = PAGE, .prog.data = ones, .prog.ooblen = 64,
				 .prog.oob = oob };
	struct trace_op erase = { .seq = 3, .kind = TRACE_ERASE, .prog.addr = BLOCK };
	enum cut_model models[] = { CUT_TORN, CUT_UNSTABLE, CUT_ERASE };
	struct cut_report r;
	struct muse_error e;

	memset(ones, 0xFF, sizeof(ones));
	memset(oob, 0xFF, sizeof(oob));
	for (unsigned i = 0; i < 3; i++) {
		struct trace_op *op = models[i] == CUT_ERASE ? &erase : &prog;
		struct flash *cut = test_flash("nand-2k,size=1m"),
			     *done = test_flash("nand-2k,size=1m");

		CHECK(cut && done);
		for (uint64_t seed = 1; cut && done && seed <= 8; seed++) {
			CHECK_INT(cut_apply(cut, op, models[i], seed, &r, &e), 0);
			CHECK_INT(rebuild_apply(done, op), 0);
			CHECK(same_flash(cut, done));
		}
		flash_destroy(cut);
		flash_destroy(done);
	}
}
