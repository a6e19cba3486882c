/*
 * test_cut.c - cut models: exact bytes and ECC verdicts for fixed seeds,
 * determinism, seeds that differ, and bits that only move the way the
 * physics allows (a cut program only leaves 1s that the program would
 * have cleared; a cut erase only leaves 0s that were there).
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "flash_raw.h"
#include "cut.h"
#include "flash.h"

#define PAGE 2048
#define OOB 64
#define UNIT (PAGE + OOB)

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static struct trace_op page_op(uint64_t seq, uint64_t addr, const uint8_t *d,
			       const uint8_t *oob)
{
	struct trace_op op = {
		.seq = seq, .kind = TRACE_PROGRAM, .prog.addr = addr, .prog.len = PAGE,
		.prog.data = d, .prog.ooblen = oob ? OOB : 0, .prog.oob = oob,
	};

	return op;
}

/*
 * A cut program holds what the program meant plus some 1s it would have
 * cleared: never a 0 the program did not write, never a 1 where the cell
 * was already 0.  @before NULL: an erased page.
 */
static bool only_program_bits_missing(const uint8_t *before,
				      const uint8_t *after, const uint8_t *raw,
				      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t was = before ? before[i] : 0xff;

		if ((after[i] & ~raw[i]) || (raw[i] & ~after[i] & ~was))
			return false;
	}
	return true;
}

/* A NAND chip with page 0 of block 1 about to be programmed */
static struct flash *nand_torn(uint64_t seed, enum cut_model m,
			       struct cut_report *r, uint8_t *after)
{
	static uint8_t d[PAGE], oob[OOB];
	struct trace_op op = page_op(7, 128 * 1024, d, oob);
	struct flash *f = test_flash("nand-2k,size=1m");
	struct muse_error e;

	test_pattern(d, PAGE, 1);
	memset(oob, 0xff, OOB);
	memcpy(oob + 2, "\x12\x34\x56\x78", 4);
	if (after) {
		memcpy(after, d, PAGE);
		memcpy(after + PAGE, oob, OOB);
	}
	if (f && cut_apply(f, &op, m, seed, r, &e)) {
		printf("    cut: %s\n", e.msg);
		flash_destroy(f);
		return NULL;
	}
	return f;
}

TEST(cut_names_parse_and_typos_are_refused)
{
	struct muse_error e;
	enum cut_model m;

	CHECK_INT(cut_parse("torn", &m, &e), 0);
	CHECK_INT(m, CUT_TORN);
	CHECK_STR(cut_name(CUT_UNSTABLE), "unstable");
	CHECK_INT(cut_parse("tron", &m, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "unknown cut model \"tron\"");
}

TEST(cut_models_that_do_not_fit_the_op_are_refused)
{
	struct geometry nand, ram;
	struct trace_op prog = { .seq = 5, .kind = TRACE_PROGRAM };
	struct trace_op erase = { .seq = 6, .kind = TRACE_ERASE };
	struct trace_op bad = { .seq = 7, .kind = TRACE_MARKBAD };
	struct trace_op failed = { .seq = 8, .kind = TRACE_ERASE, .result = -5 };
	struct muse_error e;

	CHECK_INT(geometry_parse("nand-2k", &nand, &e), 0);
	CHECK_INT(geometry_parse("ram", &ram, &e), 0);
	CHECK_INT(cut_applicable(CUT_CLEAN, &nand, NULL, &e), 0);
	CHECK_INT(cut_applicable(CUT_TORN, &nand, &prog, &e), 0);
	CHECK_INT(cut_applicable(CUT_UNSTABLE, &nand, &erase, &e), 0);
	CHECK_INT(cut_applicable(CUT_ERASE, &nand, &prog, &e), -ENOTSUP);
	CHECK_CONTAINS(e.msg, "op 5 is a program");
	CHECK_INT(cut_applicable(CUT_TORN, &nand, &erase, &e), -ENOTSUP);
	CHECK_CONTAINS(e.msg, "op 6 is an erase");
	CHECK_INT(cut_applicable(CUT_TORN, &nand, &bad, &e), -ENOTSUP);
	CHECK_CONTAINS(e.msg, "markbad");
	CHECK_INT(cut_applicable(CUT_ERASE, &nand, &failed, &e), -ENOTSUP);
	CHECK_CONTAINS(e.msg, "refused by the flash");
	CHECK_INT(cut_applicable(CUT_TORN, &nand, NULL, &e), -ENOTSUP);
	CHECK_CONTAINS(e.msg, "no op follows");
	CHECK_INT(cut_applicable(CUT_TORN, &ram, &prog, &e), -ENOTSUP);
	CHECK_CONTAINS(e.msg, "RAM");
}

TEST(cut_clean_leaves_the_flash_alone)
{
	struct cut_report r;
	uint8_t cells[UNIT];
	struct flash *f = nand_torn(1, CUT_CLEAN, &r, NULL);

	CHECK(f);
	flash_dump_unit(f, 64, cells);
	for (int i = 0; i < UNIT; i++)
		CHECK_INT(cells[i], 0xff);
	flash_destroy(f);
}

/* Per seed: bits undone, FNV-1a of the raw page + OOB, ECC verdicts */
static const struct {
	uint64_t seed;
	uint64_t bits;
	uint64_t raw;
	uint32_t corrected, failed;
} torn_expected[] = {
	{ 1, 1028, 0xb6701f8a86139014ull, 0, 4 },	/* every step beyond ECC */
	{ 7, 4, 0x9b2c9ec8397d7d93ull, 4, 0 },		/* ECC hides it */
	{ 21, 11, 0x32ddb081c0e5a6d3ull, 11, 0 },	/* spread: all corrected */
	{ 23, 10, 0xcc6c5b460742296eull, 5, 1 },	/* one step beyond */
};

TEST(cut_torn_nand_exact_bytes_and_verdicts)
{
	int mismatches = 0;

	for (size_t t = 0; t < sizeof(torn_expected) / sizeof(torn_expected[0]); t++) {
		struct flash_ecc ecc = { 0 };
		uint8_t raw[UNIT], after[UNIT], out[PAGE];
		bool bad;
		struct cut_report r;
		struct flash *f = nand_torn(torn_expected[t].seed, CUT_TORN, &r, after);

		CHECK(f);
		flash_dump_unit(f, 64, raw);
		flash_read_data(f, 128 * 1024, PAGE, false, out, &ecc);
		bad = r.bits != torn_expected[t].bits ||
		      fnv1a(raw, UNIT) != torn_expected[t].raw ||
		      ecc.corrected != torn_expected[t].corrected ||
		      ecc.failed != torn_expected[t].failed;
		mismatches += bad;
		if (bad)
			printf("    seed %llu: %llu bits, raw %#llx, corrected %u failed %u (%s)\n",
			       (unsigned long long)torn_expected[t].seed,
			       (unsigned long long)r.bits,
			       (unsigned long long)fnv1a(raw, UNIT), ecc.corrected,
			       ecc.failed, r.what);
		CHECK(only_program_bits_missing(NULL, after, raw, UNIT));
		/* a step within the strength reads as the program meant */
		if (!ecc.failed)
			CHECK_MEM(out, after, PAGE);
		flash_destroy(f);
	}
	CHECK_INT(mismatches, 0);
}

TEST(cut_torn_is_deterministic_and_seeds_differ)
{
	uint8_t a[UNIT], b[UNIT], c[UNIT];
	struct cut_report r;
	struct flash *f1 = nand_torn(11, CUT_TORN, &r, NULL);
	struct flash *f2 = nand_torn(11, CUT_TORN, &r, NULL);
	struct flash *f3 = nand_torn(12, CUT_TORN, &r, NULL);

	CHECK(f1 && f2 && f3);
	flash_dump_unit(f1, 64, a);
	flash_dump_unit(f2, 64, b);
	flash_dump_unit(f3, 64, c);
	CHECK_MEM(a, b, UNIT);
	CHECK(memcmp(a, c, UNIT));
	flash_destroy(f1);
	flash_destroy(f2);
	flash_destroy(f3);
}

/* Block 1 programmed with patterns, then its erase cut */
static struct flash *nand_erase_cut(uint64_t seed, enum cut_model m,
				    struct cut_report *r, uint8_t *before)
{
	struct trace_op op = { .seq = 90, .kind = TRACE_ERASE, .prog.addr = 128 * 1024 };
	struct flash *f = test_flash("nand-2k,size=1m");
	uint8_t d[PAGE];
	struct muse_error e;

	for (uint32_t p = 0; f && p < 64; p++) {
		struct flash_program prog = { .addr = 128 * 1024 + p * PAGE,
					      .len = PAGE, .data = d };

		test_pattern(d, PAGE, p);
		flash_program(f, &prog);
		flash_dump_unit(f, 64 + p, before + (size_t)p * UNIT);
	}
	if (f && cut_apply(f, &op, m, seed, r, &e)) {
		printf("    cut: %s\n", e.msg);
		flash_destroy(f);
		return NULL;
	}
	return f;
}

static const struct {
	uint64_t seed;
	uint64_t bits;
	uint64_t raw;
	uint32_t corrected, failed;
} erase_expected[] = {
	{ 1, 3, 0xafddb0e8657e5a1aull, 3, 0 },		/* pages 5..21, ECC hides it */
	{ 2, 685, 0x923ef69c95438f5cull, 424, 46 },
	{ 3, 162002, 0x98685a0532f716ecull, 0, 256 },
	{ 5, 10269, 0x89ab2b81d8bac527ull, 0, 256 },
};

TEST(cut_erase_nand_exact_bytes_and_verdicts)
{
	static uint8_t before[64 * UNIT], raw[64 * UNIT];
	int mismatches = 0;

	for (size_t t = 0; t < sizeof(erase_expected) / sizeof(erase_expected[0]); t++) {
		struct flash_ecc ecc = { 0 };
		uint8_t out[PAGE];
		struct cut_report r;
		bool bad;
		struct flash *f = nand_erase_cut(erase_expected[t].seed, CUT_ERASE,
						 &r, before);

		CHECK(f);
		for (uint32_t p = 0; p < 64; p++) {
			flash_dump_unit(f, 64 + p, raw + (size_t)p * UNIT);
			flash_read_data(f, 128 * 1024 + p * PAGE, PAGE, false, out, &ecc);
		}
		bad = r.bits != erase_expected[t].bits ||
		      fnv1a(raw, sizeof(raw)) != erase_expected[t].raw ||
		      ecc.corrected != erase_expected[t].corrected ||
		      ecc.failed != erase_expected[t].failed;
		mismatches += bad;
		if (bad)
			printf("    seed %llu: %llu bits, raw %#llx, corrected %u failed %u (%s)\n",
			       (unsigned long long)erase_expected[t].seed,
			       (unsigned long long)r.bits,
			       (unsigned long long)fnv1a(raw, sizeof(raw)), ecc.corrected,
			       ecc.failed, r.what);
		/* an erase only turns 0s into 1s */
		for (size_t i = 0; i < sizeof(raw); i++)
			CHECK_INT(before[i] & ~raw[i] & 0xff, 0);
		flash_destroy(f);
	}
	CHECK_INT(mismatches, 0);
}

TEST(cut_erase_within_strength_reads_erased_and_erase_clears_it)
{
	static uint8_t before[64 * UNIT];
	uint8_t mask[UNIT], out[PAGE], ff[PAGE];
	struct cut_report r;
	bool saw_corrected = false, saw_failed = false;

	memset(ff, 0xff, PAGE);
	for (uint64_t seed = 1; seed < 40 && !(saw_corrected && saw_failed); seed++) {
		struct flash *f = nand_erase_cut(seed, CUT_ERASE, &r, before);

		CHECK(f);
		for (uint32_t p = 0; p < 64; p++) {
			struct flash_ecc ecc = { 0 };

			flash_read_data(f, 128 * 1024 + p * PAGE, PAGE, false, out, &ecc);
			if (!ecc.failed)
				CHECK_MEM(out, ff, PAGE);
			saw_corrected |= ecc.corrected > 0 && !ecc.failed;
			saw_failed |= ecc.failed > 0;
		}
		CHECK_INT(flash_erase(f, 1), 0);
		flash_get_damage(f, 128 * 1024, mask);
		for (int i = 0; i < UNIT; i++)
			CHECK_INT(mask[i], 0);
		flash_destroy(f);
	}
	CHECK(saw_corrected);
	CHECK(saw_failed);
}

TEST(cut_unstable_reads_differ_beyond_strength_only)
{
	uint8_t after[UNIT], out1[PAGE], out2[PAGE], mask[UNIT];
	bool saw_stable = false, saw_unstable = false;
	struct cut_report r;

	for (uint64_t seed = 1; seed < 60 && !(saw_stable && saw_unstable); seed++) {
		struct flash *f = nand_torn(seed, CUT_UNSTABLE, &r, after);

		CHECK(f);
		flash_get_damage(f, 128 * 1024, mask);
		for (uint32_t s = 0; s < 4; s++) {
			struct flash_ecc e1 = { 0 }, e2 = { 0 };
			uint64_t addr = 128 * 1024 + s * 512;
			uint32_t marginal = 0;

			for (int i = 0; i < 512; i++)
				marginal += (uint32_t)__builtin_popcount(mask[s * 512 + i]);
			flash_read_data(f, addr, 512, false, out1, &e1);
			flash_read_data(f, addr, 512, false, out2, &e2);
			if (marginal <= 4) {
				/* never beyond the strength: always the data */
				CHECK_INT(e1.failed + e2.failed, 0);
				CHECK_MEM(out1, after + s * 512, 512);
				CHECK_MEM(out2, after + s * 512, 512);
				saw_stable = true;
			} else if (marginal > 64 && e1.failed && e2.failed) {
				CHECK(memcmp(out1, out2, 512));
				saw_unstable = true;
			}
		}
		flash_destroy(f);
	}
	CHECK(saw_stable);
	CHECK(saw_unstable);
}

static struct flash *nor_cut(const char *at, uint64_t seed, enum cut_model m,
			     struct cut_report *r, uint8_t *before,
			     uint8_t *after)
{
	static uint8_t d[64];
	struct trace_op prog = { .seq = 3, .kind = TRACE_PROGRAM,
				 .prog.addr = 65536 + 128, .prog.len = 64, .prog.data = d };
	struct trace_op erase = { .seq = 3, .kind = TRACE_ERASE, .prog.addr = 65536 };
	struct flash_program old = { .addr = 65536, .len = 64, .data = d };
	struct flash *f = test_flash("nor-64k,size=1m");
	struct muse_error e;

	test_pattern(d, sizeof(d), 9);
	if (f)
		flash_program(f, &old);	/* something for an erase to remove */
	test_pattern(d, sizeof(d), 10);
	if (f && before)
		flash_dump_bytes(f, 65536, before, 65536);
	if (f && cut_apply(f, !strcmp(at, "erase") ? &erase : &prog, m, seed,
			   r, &e)) {
		printf("    cut: %s\n", e.msg);
		flash_destroy(f);
		return NULL;
	}
	if (after)
		memcpy(after, d, sizeof(d));
	return f;
}

TEST(cut_torn_nor_is_a_word_prefix)
{
	uint8_t after[64], raw[64];
	struct cut_report r;
	int mismatches = 0;
	static const uint64_t expected[][2] = {	/* seed, FNV-1a of the 64 bytes */
		{ 1, 0x9dc241f46ac8c1c7ull }, { 2, 0x421dd41fb0aba14eull },
		{ 3, 0xfd7c6bc0ba59eb17ull },
	};

	for (size_t t = 0; t < 3; t++) {
		struct flash *f = nor_cut("program", expected[t][0], CUT_TORN, &r,
					  NULL, after);
		uint32_t first_undone = 64;

		CHECK(f);
		flash_dump_bytes(f, 65536 + 128, raw, 64);
		if (fnv1a(raw, 64) != expected[t][1]) {
			printf("    seed %llu: raw %#llx (%s)\n",
			       (unsigned long long)expected[t][0],
			       (unsigned long long)fnv1a(raw, 64), r.what);
			mismatches++;
		}
		CHECK(only_program_bits_missing(NULL, after, raw, 64));
		for (uint32_t i = 0; i < 64; i++)
			if (raw[i] != after[i] && first_undone == 64)
				first_undone = i;
		/* past the word in flight nothing is programmed */
		for (uint32_t i = (first_undone / 2 + 1) * 2; i < 64; i++)
			CHECK_INT(raw[i], 0xff);
		flash_destroy(f);
	}
	CHECK_INT(mismatches, 0);
}

TEST(cut_erase_nor_preprograms_tail_first_or_erases_partly)
{
	static uint8_t before[65536], raw[65536];
	struct cut_report r;
	bool saw_tail = false, saw_erase = false;

	for (uint64_t seed = 1; seed < 20; seed++) {
		struct flash *f = nor_cut("erase", seed, CUT_ERASE, &r, before, NULL);
		uint32_t zeros = 0;

		CHECK(f);
		flash_dump_bytes(f, 65536, raw, sizeof(raw));
		if (strstr(r.what, "pre-programming cut")) {
			/* a tail of zeros over the old contents */
			while (zeros < sizeof(raw) && !raw[sizeof(raw) - 1 - zeros])
				zeros++;
			CHECK_MEM(raw, before, sizeof(raw) - zeros);
			saw_tail = true;
		} else {
			/* everything was 0 once: no 0 the erase could not make */
			CHECK_CONTAINS(r.what, "after pre-programming");
			saw_erase = true;
		}
		flash_destroy(f);
	}
	CHECK(saw_tail);
	CHECK(saw_erase);
}

/* NOR erase and NAND unstable: FNV-1a of what the first reads return */
TEST(cut_nor_erase_and_unstable_exact_bytes)
{
	static uint8_t block[65536];
	static const uint64_t nor_erase[][2] = {
		{ 1, 0x52044f6fe645ae6cull },	/* erase phase */
		{ 2, 0xf9dc3344abbccc50ull },
		{ 3, 0x2dd479eae8a02002ull },	/* pre-programming, tail first */
	};
	static const uint64_t unstable[][3] = {	/* seed, bytes, failed steps */
		{ 1, 0x8e8121a261e61e6bull, 3 },	/* 33 bits undecided */
		{ 4, 0xa7648f9685e6c333ull, 0 },	/* 6: ECC always wins */
	};
	struct cut_report r;
	int mismatches = 0;

	for (size_t t = 0; t < 3; t++) {
		struct flash *f = nor_cut("erase", nor_erase[t][0], CUT_ERASE, &r,
					  NULL, NULL);

		CHECK(f);
		flash_dump_bytes(f, 65536, block, sizeof(block));
		if (fnv1a(block, sizeof(block)) != nor_erase[t][1]) {
			printf("    nor erase seed %llu: %#llx (%s)\n",
			       (unsigned long long)nor_erase[t][0],
			       (unsigned long long)fnv1a(block, sizeof(block)), r.what);
			mismatches++;
		}
		flash_destroy(f);
	}
	for (size_t t = 0; t < 2; t++) {
		struct flash *f = nand_torn(unstable[t][0], CUT_UNSTABLE, &r, NULL);
		struct flash_ecc ecc = { 0 };
		uint8_t out[3 * PAGE];

		CHECK(f);
		for (int i = 0; i < 3; i++)
			flash_read_data(f, 128 * 1024, PAGE, false, out + i * PAGE, &ecc);
		if (fnv1a(out, sizeof(out)) != unstable[t][1] || ecc.failed != unstable[t][2]) {
			printf("    unstable seed %llu: %#llx, %u failed (%s)\n",
			       (unsigned long long)unstable[t][0],
			       (unsigned long long)fnv1a(out, sizeof(out)), ecc.failed, r.what);
			mismatches++;
		}
		flash_destroy(f);
	}
	CHECK_INT(mismatches, 0);
}
