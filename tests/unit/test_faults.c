/*
 * test_faults.c - fault plans and what each fault does to the cells and
 * to the ECC verdict: exact ops, the physics (a failed program only
 * leaves 1s the program would have cleared, a failed erase only 1s where
 * there were 0s), same seed same bytes, and events that rebuild the
 * cells on another flash exactly as a trace replays them.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "faults.h"
#include "flash_raw.h"
#include "flash_io.h"

#define PAGE 2048
#define OOB 64
#define UNIT (PAGE + OOB)
#define BLOCK (128 * 1024)

static struct flash_program page_prog(uint64_t addr, const uint8_t *d)
{
	return (struct flash_program){ .addr = addr, .len = PAGE, .data = d };
}

/* Every event, applied to a second flash as a trace's rebuild would */
struct mirror {
	struct flash *f;
	unsigned events;
	struct fault_event last;
};

static void mirror_event(void *ctx, const struct fault_event *ev)
{
	struct mirror *m = ctx;

	if (ev->has_unit)
		flash_set_damage(m->f, ev->addr, ev->mask);
	if (ev->bad)
		flash_set_grown_bad(m->f, ev->block);
	m->last = *ev;
	m->last.mask = NULL;
	m->events++;
}

static struct faults *engine(const char *plan, struct flash *f, struct mirror *m)
{
	struct fault_plan p;
	struct muse_error e;
	struct faults *fa = NULL;

	if (fault_plan_parse(plan, flash_geometry(f), &p, &e) ||
	    faults_create(&p, f, &fa, &e)) {
		test_fail(__FILE__, __LINE__, "%s: %s", plan, e.msg);
		return NULL;
	}
	faults_set_handler(fa, mirror_event, m);
	return fa;
}

/* The op on @fa's flash and, unless it failed, on the mirror */
static int program(struct faults *fa, struct mirror *m, uint64_t seq,
		   const struct flash_program *p)
{
	int ret = faults_program(fa, p, seq);

	if (!ret)
		flash_program(m->f, p);
	return ret;
}

static bool same_cells(struct flash *a, struct flash *b, uint64_t units)
{
	uint8_t ua[UNIT], ub[UNIT];

	for (uint64_t u = 0; u < units; u++) {
		flash_dump_unit(a, u, ua);
		flash_dump_unit(b, u, ub);
		if (memcmp(ua, ub, UNIT))
			return false;
	}
	return true;
}

TEST(fault_plan_round_trip_and_refusals)
{
	struct muse_error e;
	struct fault_plan p;
	struct geometry nand, nor;
	char buf[512];

	CHECK_INT(geometry_parse("nand-2k,size=1m", &nand, &e), 0);
	CHECK_INT(geometry_parse("nor-64k,size=1m", &nor, &e), 0);
	CHECK_INT(fault_plan_parse("program-fail@op=7,seed=3,stuck-bits@block=2,page=5,n=4,"
				   "wear=100,read-disturb=50,retention=9,erase-fail@block=1,"
				   "grown-bad@op=20", &nand, &p, &e), 0);
	CHECK_INT(p.count, 7);
	CHECK_INT(p.seed, 3);
	CHECK_INT(fault_plan_format(&p, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "seed=3,program-fail@op=7,stuck-bits@block=2,page=5,n=4,wear=100,"
		  "read-disturb=50,retention=9,erase-fail@block=1,grown-bad@op=20");
	CHECK_INT(fault_plan_parse(buf, &nand, &p, &e), 0);
	CHECK_INT(fault_plan_parse("bit-rot=3", &nand, &p, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "\"bit-rot=3\": unknown fault");
	CHECK_INT(fault_plan_parse("program-fail@block=8", &nand, &p, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "has 8 blocks");
	CHECK_INT(fault_plan_parse("wear@block=1", &nand, &p, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "\"wear@block=1\": expected wear=E");
	CHECK_INT(fault_plan_parse("grown-bad@block=1", &nand, &p, &e), -EINVAL);
	CHECK_INT(fault_plan_parse("read-disturb=0", &nand, &p, &e), -EINVAL);
	CHECK_INT(fault_plan_parse("stuck-bits@block=1,page=64", &nand, &p, &e), -EINVAL);
	CHECK_INT(fault_plan_parse("seed=1,,wear=3", &nand, &p, &e), -EINVAL);
	CHECK_INT(fault_plan_parse("wear=3,", &nand, &p, &e), -EINVAL);
	CHECK_INT(fault_plan_parse("page=3", &nand, &p, &e), -EINVAL);
	CHECK_INT(fault_plan_parse("grown-bad@op=3", &nor, &p, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "no bad blocks");
	CHECK_INT(fault_plan_parse("program-fail@op=x", &nand, &p, &e), -EINVAL);
}

TEST(fault_program_fail_at_op_leaves_a_partial_program_ecc_cannot_fix)
{
	struct flash *f = test_flash("nand-2k,size=1m"), *g = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = g };
	struct faults *fa = engine("seed=5,program-fail@op=2", f, &m);
	uint8_t d[PAGE], raw[UNIT], out[PAGE];
	struct flash_program p0 = page_prog(BLOCK, d), p1 = page_prog(BLOCK + PAGE, d);
	struct flash_ecc ecc = { 0 };
	uint32_t left = 0, cleared = 0;

	CHECK(fa);
	test_pattern(d, PAGE, 1);
	CHECK_INT(program(fa, &m, 1, &p0), 0);
	CHECK_INT(program(fa, &m, 2, &p1), -EIO);
	CHECK_INT(m.events, 1);
	CHECK_INT(m.last.seq, 2);
	CHECK_INT(m.last.kind, FAULT_PROGRAM_FAIL);
	CHECK_INT(m.last.addr, BLOCK + PAGE);
	/* some of the program's 0s are there, none it did not write */
	flash_dump_page(f, (BLOCK + PAGE) / PAGE, raw, raw + PAGE);
	for (int i = 0; i < PAGE; i++) {
		CHECK((raw[i] & d[i]) == d[i]);
		cleared += (uint32_t)__builtin_popcount((uint8_t)~raw[i]);
		left += (uint32_t)__builtin_popcount(raw[i] & (uint8_t)~d[i]);
	}
	CHECK(cleared > 0 && left > 0);
	CHECK_INT(m.last.bits, cleared);
	flash_read_data(f, BLOCK + PAGE, PAGE, false, out, &ecc);
	CHECK(ecc.failed > 0);
	/* fired once: the next program is fine */
	CHECK_INT(program(fa, &m, 3, &(struct flash_program){ .addr = BLOCK + 2 * PAGE,
							   .len = PAGE, .data = d }), 0);
	CHECK(same_cells(f, g, 1024 * 1024 / PAGE));
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(g);
}

TEST(fault_erase_fail_on_block_only_sets_bits_that_were_programmed)
{
	struct flash *f = test_flash("nand-2k,size=1m"), *g = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = g };
	struct faults *fa = engine("seed=9,erase-fail@block=2", f, &m);
	uint8_t d[PAGE], raw[UNIT];
	uint32_t back = 0;

	CHECK(fa);
	test_pattern(d, PAGE, 2);
	for (int pg = 0; pg < 4; pg++)
		CHECK_INT(program(fa, &m, 1 + pg, &(struct flash_program){
			.addr = 2 * BLOCK + pg * PAGE, .len = PAGE, .data = d }), 0);
	CHECK_INT(faults_erase(fa, 2, 5), -EIO);
	CHECK_INT(faults_erase(fa, 2, 6), -EIO);
	CHECK_INT(faults_erase(fa, 1, 7), 0);
	flash_erase(g, 1);
	for (int pg = 0; pg < 4; pg++) {
		flash_dump_page(f, (2 * BLOCK) / PAGE + pg, raw, raw + PAGE);
		for (int i = 0; i < PAGE; i++) {
			CHECK((raw[i] & d[i]) == d[i]);
			back += (uint32_t)__builtin_popcount(raw[i] & (uint8_t)~d[i]);
		}
	}
	CHECK(back > 0);
	CHECK(same_cells(f, g, 1024 * 1024 / PAGE));
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(g);
}

TEST(fault_grown_bad_reports_the_block_bad_and_fails_it)
{
	struct flash *f = test_flash("nand-2k,size=1m"), *g = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = g };
	struct faults *fa = engine("grown-bad@op=3", f, &m);
	uint8_t d[PAGE];

	CHECK(fa);
	test_pattern(d, PAGE, 3);
	for (int pg = 0; pg < 3; pg++)
		CHECK_INT(program(fa, &m, 0, &(struct flash_program){
			.addr = 6 * BLOCK + pg * PAGE, .len = PAGE, .data = d }), 0);
	CHECK_INT(faults_erase(fa, 4, 1), 0);
	CHECK_INT(faults_erase(fa, 5, 2), 0);
	CHECK_INT(faults_is_bad(fa, 6), 0);
	CHECK_INT(faults_erase(fa, 6, 3), -EIO);
	CHECK(faults_is_bad(fa, 6) > 0);
	CHECK(flash_is_bad(g, 6) > 0);
	CHECK_INT(faults_erase(fa, 6, 4), -EIO);
	CHECK_INT(faults_erase(fa, 7, 5), 0);
	/* the kernel marks it: erased, the marker written, on both alike */
	CHECK_INT(faults_mark_bad(fa, 6, 6), 0);
	CHECK_INT(flash_mark_bad(g, 6), 0);
	CHECK(same_cells(f, g, 1024 * 1024 / PAGE));
	{
		uint8_t raw[UNIT];

		flash_dump_page(f, 6 * BLOCK / PAGE, raw, raw + PAGE);
		CHECK_INT(raw[PAGE], 0);
	}
	CHECK_INT(flash_bad_count(f), 1);
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(g);
}

TEST(fault_wear_fails_a_block_within_half_to_one_and_a_half_times_e)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = test_flash("nand-2k,size=1m") };
	struct faults *fa = engine("seed=4,wear=20", f, &m);
	uint64_t seq = 0;

	CHECK(fa);
	for (uint64_t b = 0; b < 8; b++) {
		unsigned n = 0;

		while (!faults_erase(fa, b, ++seq))
			n++;
		CHECK(n >= 10 && n < 30);
		CHECK_INT(faults_erase(fa, b, ++seq), -EIO);
	}
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(m.f);
}

static void read_page(struct faults *fa, struct flash *f, uint64_t addr,
		      struct flash_ecc *ecc, uint64_t seq)
{
	struct flash_io io = { .addr = addr, .len = PAGE };
	uint8_t out[PAGE];

	*ecc = (struct flash_ecc){ 0 };
	flash_io_read(f, &io, out, NULL, ecc);
	faults_after_read(fa, &io, seq);
}

TEST(fault_read_disturb_flips_the_next_page_until_erase)
{
	struct flash *f = test_flash("nand-2k,size=1m"), *g = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = g };
	struct faults *fa = engine("seed=2,read-disturb=10", f, &m);
	struct flash_ecc ecc;

	CHECK(fa);
	for (int i = 0; i < 29; i++)
		read_page(fa, f, 3 * BLOCK, &ecc, 0);
	CHECK_INT(m.events, 2);
	CHECK_INT(m.last.kind, FAULT_READ_DISTURB);
	CHECK_INT(m.last.addr, 3 * BLOCK + PAGE);
	read_page(fa, f, 3 * BLOCK + PAGE, &ecc, 0);
	CHECK_INT(ecc.corrected, 2);
	CHECK_INT(ecc.failed, 0);
	CHECK(same_cells(f, g, 1024 * 1024 / PAGE));
	CHECK_INT(faults_erase(fa, 3, 1), 0);
	read_page(fa, f, 3 * BLOCK + PAGE, &ecc, 1);
	CHECK_INT(ecc.corrected, 0);
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(g);
}

TEST(fault_retention_drains_programmed_cells)
{
	struct flash *f = test_flash("nand-2k,size=1m"), *g = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = g };
	struct faults *fa = engine("seed=8,retention=5", f, &m);
	uint8_t d[PAGE], raw[UNIT];
	struct flash_ecc ecc;
	uint64_t seq = 0;

	CHECK(fa);
	memset(d, 0, PAGE);
	/* every page programmed: the drained cell is somewhere */
	for (uint64_t pg = 0; pg < 1024 * 1024 / PAGE; pg++)
		CHECK_INT(program(fa, &m, ++seq, &(struct flash_program){
			.addr = pg * PAGE, .len = PAGE, .data = d }), 0);
	/* every fifth request drains a cell if it finds a programmed one */
	CHECK(m.events > 80 && m.events <= 1024 * 1024 / PAGE / 5);
	CHECK_INT(m.last.kind, FAULT_RETENTION);
	flash_dump_page(f, m.last.addr / PAGE, raw, raw + PAGE);
	CHECK(raw[0] || memcmp(raw, raw + 1, PAGE - 1));
	read_page(fa, f, m.last.addr, &ecc, seq);
	CHECK(ecc.corrected >= 1);
	CHECK_INT(ecc.failed, 0);
	CHECK(same_cells(f, g, 1024 * 1024 / PAGE));
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(g);
}

TEST(fault_stuck_bits_keep_their_value_through_program_and_erase)
{
	struct flash *f = test_flash("nand-2k,size=1m"), *g = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = g };
	struct faults *fa = engine("seed=6,stuck-bits@block=1,page=3,n=3", f, &m);
	uint8_t d[PAGE], raw[UNIT];
	uint64_t addr = BLOCK + 3 * PAGE;
	struct flash_program p = page_prog(addr, d);

	CHECK(fa);
	memset(d, 0, PAGE);
	CHECK_INT(program(fa, &m, 1, &p), 0);
	flash_dump_page(f, addr / PAGE, raw, raw + PAGE);
	{
		uint32_t ones = 0;

		for (int i = 0; i < PAGE; i++)
			ones += (uint32_t)__builtin_popcount(raw[i]);
		CHECK_INT(ones, 3);	/* stuck erased: they stay 1 */
	}
	CHECK_INT(m.last.kind, FAULT_STUCK_BITS);
	CHECK_INT(faults_erase(fa, 1, 2), 0);
	flash_erase(g, 1);
	flash_dump_page(f, addr / PAGE, raw, raw + PAGE);
	for (int i = 0; i < PAGE; i++)
		CHECK_INT(raw[i], 0xff);
	CHECK(same_cells(f, g, 1024 * 1024 / PAGE));
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(g);
}

/* A fixed run under a plan: the cells at the end, hashed */
static uint64_t run_plan(const char *plan)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct mirror m = { .f = test_flash("nand-2k,size=1m") };
	struct faults *fa = engine(plan, f, &m);
	uint8_t d[PAGE], raw[UNIT];
	struct flash_ecc ecc;
	uint64_t h = 0xcbf29ce484222325ull, seq = 0;

	for (int round = 0; fa && round < 3; round++) {
		for (uint64_t b = 0; b < 8; b++)
			faults_erase(fa, b, ++seq);
		for (uint64_t pg = 0; pg < 1024 * 1024 / PAGE; pg++) {
			struct flash_program p = page_prog(pg * PAGE, d);

			test_pattern(d, PAGE, (uint32_t)(pg + round));
			faults_program(fa, &p, ++seq);
			read_page(fa, f, pg * PAGE, &ecc, seq);
		}
	}
	for (uint64_t u = 0; u < 1024 * 1024 / PAGE; u++) {
		flash_dump_unit(f, u, raw);
		for (int i = 0; i < UNIT; i++)
			h = (h ^ raw[i]) * 0x100000001b3ull;
	}
	faults_destroy(fa);
	flash_destroy(f);
	flash_destroy(m.f);
	return h;
}

TEST(fault_same_seed_same_bytes_other_seed_other_bytes)
{
	const char *a = "seed=1,wear=3,read-disturb=3,retention=7,program-fail@op=100";
	const char *b = "seed=2,wear=3,read-disturb=3,retention=7,program-fail@op=100";

	CHECK(run_plan(a) == run_plan(a));
	CHECK(run_plan(a) != run_plan(b));
}

TEST(fault_plan_draw_is_seeded_valid_and_fits_the_chip)
{
	struct fault_plan p, q;
	struct geometry nand, nor;
	struct muse_error e;
	char a[512], b[512];

	CHECK_INT(geometry_parse("nand-2k,size=16m", &nand, &e), 0);
	CHECK_INT(geometry_parse("nor-64k,size=8m", &nor, &e), 0);
	for (uint64_t seed = 1; seed < 300; seed++) {
		CHECK_INT(fault_plan_draw(seed, &nand, 400, 900, ~0u, &p), 0);
		CHECK_INT(fault_plan_draw(seed, &nand, 400, 900, ~0u, &q), 0);
		CHECK_INT(fault_plan_format(&p, a, sizeof(a)), 0);
		CHECK_INT(fault_plan_format(&q, b, sizeof(b)), 0);
		CHECK_STR(a, b);
		CHECK_INT(fault_plan_parse(a, &nand, &q, &e), 0);
		CHECK(p.count >= 1 && p.count <= 3);
		for (unsigned i = 0; i < p.count; i++) {
			const struct fault_item *it = &p.items[i];

			if (it->where == FAULT_AT_OP)
				CHECK(it->value >= 400 && it->value <= 900);
			if (it->kind == FAULT_STUCK_BITS)
				CHECK(it->n >= 1 && it->n <= nand.ecc_strength);
		}
		CHECK_INT(fault_plan_draw(seed, &nor, 400, 900, ~0u, &p), 0);
		for (unsigned i = 0; i < p.count; i++)
			CHECK(p.items[i].kind != FAULT_GROWN_BAD);
	}
	CHECK_INT(fault_plan_draw(1, &nor, 1, 9, 1u << FAULT_GROWN_BAD, &p), -EINVAL);
	CHECK_INT(fault_plan_draw(1, &nand, 9, 1, ~0u, &p), -EINVAL);
	CHECK_INT(fault_plan_draw(1, &nand, 1, 9, 1u << FAULT_WEAR, &p), 0);
	CHECK_INT(p.items[0].kind, FAULT_WEAR);
}
