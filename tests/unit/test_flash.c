/*
 * test_flash.c - the flash model's physics and datasheet rules, byte by
 * byte: AND programs, erase, NOP, page order, 1 over 0, strict mode, bad
 * blocks, ECC through damage masks, RAM and NOR behaviour, backing files.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "flash_raw.h"
#include "flash.h"

struct recorded {
	int count;
	struct flash_violation last;
};

static void record_violation(void *ctx, const struct flash_violation *v)
{
	struct recorded *r = ctx;

	r->count++;
	r->last = *v;
}

static struct flash *make(const char *spec, bool strict, struct recorded *r)
{
	struct flash_options opt = { .strict = strict,
				     .on_violation = record_violation,
				     .ctx = r };
	struct muse_error e;
	struct geometry g;
	struct flash *f;

	memset(r, 0, sizeof(*r));
	if (geometry_parse(spec, &g, &e) || flash_create(&g, &opt, &f, &e)) {
		fprintf(stdout, "    setup: %s\n", e.msg);
		return NULL;
	}
	return f;
}

static int program(struct flash *f, uint64_t addr, const void *data,
		   uint32_t len)
{
	struct flash_program p = { .addr = addr, .len = len, .data = data };

	return flash_program(f, &p);
}

static int program_oob(struct flash *f, uint64_t page_addr, uint32_t offset,
		       const void *oob, uint32_t len)
{
	struct flash_program p = { .addr = page_addr, .oob_offset = offset,
				   .ooblen = len, .oob = oob };

	return flash_program(f, &p);
}

static uint8_t read_byte(struct flash *f, uint64_t addr)
{
	struct flash_ecc ecc = { 0 };
	uint8_t b;

	flash_read_data(f, addr, 1, false, &b, &ecc);
	return b;
}

TEST(flash_starts_erased)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	uint8_t data[2048], oob[64], ff[2048];

	CHECK(f);
	memset(ff, 0xff, sizeof(ff));
	flash_dump_page(f, 7, data, oob);
	CHECK_MEM(data, ff, sizeof(data));
	CHECK_MEM(oob, ff, sizeof(oob));
	flash_destroy(f);
}

TEST(flash_program_ands_into_cells)
{
	struct recorded r;
	struct flash *f = make("nor-64k,size=1m", false, &r);
	uint8_t a = 0xf0, b = 0x3c, c = 0x30;

	CHECK(f);
	CHECK_INT(program(f, 100, &a, 1), 0);
	CHECK_INT(read_byte(f, 100), 0xf0);
	/* 0x3c asks for bits 2-3 to be 1 where the cells hold 0: a violation */
	CHECK_INT(program(f, 100, &b, 1), 0);
	CHECK_INT(read_byte(f, 100), 0x30);
	CHECK_INT(r.count, 1);
	CHECK_INT(r.last.kind, FLASH_VIOLATION_ONE_OVER_ZERO);
	CHECK_INT(r.last.detail, 2);
	/* programming what is there, or fewer 1s, is fine */
	CHECK_INT(program(f, 100, &c, 1), 0);
	CHECK_INT(r.count, 1);
	flash_destroy(f);
}

/* A long program goes eight bytes a step: every byte still counts */
TEST(flash_program_ands_every_byte_of_a_long_run)
{
	struct recorded r;
	struct flash *f = make("nor-64k,size=1m", false, &r);
	uint8_t first[1003], second[1003], got[1003];
	struct flash_ecc ecc = { 0 };
	uint32_t bits = 0;

	CHECK(f);
	/* fewer 1s everywhere, but for one byte in the middle of a word */
	for (uint32_t i = 0; i < sizeof(first); i++) {
		first[i] = (uint8_t)(i * 37 + 11);
		second[i] = (uint8_t)(first[i] & (i * 101 + 7));
	}
	second[501] = 0xff;
	for (uint32_t i = 0; i < sizeof(first); i++)
		bits += (uint32_t)__builtin_popcount(second[i] & ~first[i] & 0xff);
	CHECK(bits > 0);
	/* at an odd address, so that whole words and tails both run */
	CHECK_INT(program(f, 4099, first, sizeof(first)), 0);
	CHECK_INT(r.count, 0);
	CHECK_INT(program(f, 4099, second, sizeof(second)), 0);
	CHECK_INT(r.count, 1);
	CHECK_INT(r.last.detail, bits);
	flash_read_data(f, 4099, sizeof(got), false, got, &ecc);
	for (uint32_t i = 0; i < sizeof(got); i++)
		CHECK_INT(got[i], first[i] & second[i]);
	flash_destroy(f);
}

TEST(flash_erase_returns_block_to_ff)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	uint8_t zero[2048] = { 0 }, data[2048], ff[2048];

	CHECK(f);
	memset(ff, 0xff, sizeof(ff));
	CHECK_INT(program(f, 128 << 10, zero, sizeof(zero)), 0);
	CHECK_INT(program(f, (128 << 10) + 63 * 2048, zero, sizeof(zero)), 0);
	CHECK_INT(flash_erase(f, 1), 0);
	flash_dump_page(f, 64, data, NULL);
	CHECK_MEM(data, ff, sizeof(data));
	flash_dump_page(f, 127, data, NULL);
	CHECK_MEM(data, ff, sizeof(data));
	/* after an erase, page 0 may be programmed again */
	CHECK_INT(program(f, 128 << 10, zero, sizeof(zero)), 0);
	CHECK_INT(r.count, 0);
	CHECK_INT(flash_erase(f, 8), -EINVAL);
	flash_destroy(f);
}

TEST(flash_nop_counts_every_program_of_a_page)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	uint8_t sub[512], oob[4] = { 0x12, 0x34, 0x56, 0x78 };

	CHECK(f);
	memset(sub, 0xa5, sizeof(sub));
	/* four subpage programs: the NOP of 4 is used up */
	for (int i = 0; i < 4; i++)
		CHECK_INT(program(f, 2048 + i * 512, sub, sizeof(sub)), 0);
	CHECK_INT(r.count, 0);
	/* an OOB-only program is a fifth program of the page */
	CHECK_INT(program_oob(f, 2048, 2, oob, sizeof(oob)), 0);
	CHECK_INT(r.count, 1);
	CHECK_INT(r.last.kind, FLASH_VIOLATION_NOP);
	CHECK_INT(r.last.block, 0);
	CHECK_INT(r.last.page, 1);
	CHECK_INT(r.last.detail, 5);
	flash_destroy(f);
}

TEST(flash_pages_in_ascending_order)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	uint8_t d[512];

	CHECK(f);
	memset(d, 0, sizeof(d));
	CHECK_INT(program(f, 5 * 2048, d, sizeof(d)), 0);
	/* a later subpage of the highest page is fine */
	CHECK_INT(program(f, 5 * 2048 + 512, d, sizeof(d)), 0);
	CHECK_INT(r.count, 0);
	CHECK_INT(program(f, 3 * 2048, d, sizeof(d)), 0);
	CHECK_INT(r.count, 1);
	CHECK_INT(r.last.kind, FLASH_VIOLATION_ORDER);
	CHECK_INT(r.last.page, 3);
	CHECK_INT(r.last.detail, 5);
	/* the data result is still the AND, as on a real chip */
	CHECK_INT(read_byte(f, 3 * 2048), 0);
	/* another block has its own order */
	CHECK_INT(program(f, (128 << 10) + 2048, d, sizeof(d)), 0);
	CHECK_INT(r.count, 1);
	flash_destroy(f);
}

TEST(flash_strict_refuses_violations)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", true, &r);
	uint8_t d[2048];

	CHECK(f);
	memset(d, 0x0f, sizeof(d));
	CHECK_INT(program(f, 4 * 2048, d, sizeof(d)), 0);
	memset(d, 0x00, sizeof(d));
	CHECK_INT(program(f, 2 * 2048, d, sizeof(d)), -EIO);
	CHECK_INT(read_byte(f, 2 * 2048), 0xff);
	memset(d, 0xf0, sizeof(d));
	CHECK_INT(program(f, 4 * 2048, d, sizeof(d)), -EIO);
	CHECK_INT(read_byte(f, 4 * 2048), 0x0f);
	CHECK_INT(r.count, 2);
	flash_destroy(f);
}

TEST(flash_ram_overwrites)
{
	struct recorded r;
	struct flash *f = make("ram,size=1m", false, &r);
	uint8_t a = 0x00, b = 0xff;

	CHECK(f);
	CHECK_INT(program(f, 9, &a, 1), 0);
	CHECK_INT(program(f, 9, &b, 1), 0);
	CHECK_INT(read_byte(f, 9), 0xff);
	CHECK_INT(r.count, 0);
	flash_destroy(f);
}

TEST(flash_mark_bad_writes_the_marker)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	uint8_t data[2048], oob[64], zero[2048] = { 0 };

	CHECK(f);
	CHECK_INT(program(f, 3 * (128 << 10), zero, sizeof(zero)), 0);
	CHECK_INT(flash_is_bad(f, 3), 0);
	CHECK_INT(flash_mark_bad(f, 3), 0);
	CHECK_INT(flash_is_bad(f, 3), 1);
	CHECK_INT(flash_bad_count(f), 1);
	flash_dump_page(f, 3 * 64, data, oob);
	CHECK_INT(oob[0], 0x00);
	CHECK_INT(oob[1], 0xff);
	CHECK_INT(data[0], 0xff);
	CHECK_INT(flash_erase(f, 3), -EIO);
	CHECK_INT(flash_mark_bad(f, 3), 0);
	CHECK_INT(flash_bad_count(f), 1);
	/* the table follows the markers */
	flash_scan_bad_blocks(f);
	CHECK_INT(flash_is_bad(f, 3), 1);
	CHECK_INT(flash_bad_count(f), 1);
	flash_destroy(f);
}

TEST(flash_nor_has_no_bad_blocks)
{
	struct recorded r;
	struct flash *f = make("nor-64k,size=1m", false, &r);

	CHECK(f);
	CHECK_INT(flash_mark_bad(f, 1), -EINVAL);
	flash_destroy(f);
}

static void damage_bits(struct flash *f, uint64_t page, const uint32_t *bits,
			int n)
{
	uint8_t mask[2048 + 64] = { 0 };

	for (int i = 0; i < n; i++)
		mask[bits[i] / 8] |= (uint8_t)(1u << (bits[i] % 8));
	flash_set_damage(f, page * 2048, mask);
}

TEST(flash_ecc_corrects_within_strength)
{
	static const uint32_t flips[] = { 3, 100, 4000 };	/* step 0 */
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	struct flash_ecc ecc = { 0 };
	uint8_t d[2048], out[2048];

	CHECK(f);
	for (int i = 0; i < 2048; i++)
		d[i] = (uint8_t)i;
	CHECK_INT(program(f, 0, d, sizeof(d)), 0);
	damage_bits(f, 0, flips, 3);
	flash_read_data(f, 0, 2048, false, out, &ecc);
	CHECK_MEM(out, d, sizeof(d));
	CHECK_INT(ecc.corrected, 3);
	CHECK_INT(ecc.max_bitflips, 3);
	CHECK_INT(ecc.failed, 0);
	/* a raw read shows the flipped cells */
	flash_read_data(f, 0, 1, true, out, &ecc);
	CHECK_INT(out[0], d[0] ^ 0x08);
	flash_destroy(f);
}

TEST(flash_ecc_fails_beyond_strength_with_raw_data)
{
	static const uint32_t flips[] = { 4096, 4097, 4098, 4099, 4100 };
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	struct flash_ecc ecc = { 0 };
	uint8_t d[2048], out[2048];

	CHECK(f);
	memset(d, 0x55, sizeof(d));
	CHECK_INT(program(f, 0, d, sizeof(d)), 0);
	damage_bits(f, 0, flips, 5);	/* 5 bits in step 1 (bytes 512..1023) */
	flash_read_data(f, 0, 2048, false, out, &ecc);
	CHECK_INT(ecc.failed, 1);
	CHECK_INT(ecc.corrected, 0);
	CHECK_INT(out[511], 0x55);
	CHECK_INT(out[512], 0x55 ^ 0x1f);
	CHECK_INT(out[1024], 0x55);
	/* reading only step 2 sees no error at all */
	memset(&ecc, 0, sizeof(ecc));
	flash_read_data(f, 1024, 512, false, out, &ecc);
	CHECK_INT(ecc.failed, 0);
	/* an erase clears the damage */
	CHECK_INT(flash_erase(f, 0), 0);
	memset(&ecc, 0, sizeof(ecc));
	flash_read_data(f, 0, 2048, false, out, &ecc);
	CHECK_INT(ecc.failed, 0);
	CHECK_INT(out[512], 0xff);
	flash_destroy(f);
}

TEST(flash_damage_reads_back)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	uint8_t mask[2048 + 64] = { 0 }, got[2048 + 64];

	CHECK(f);
	flash_get_damage(f, 3 * 2048, got);
	CHECK_MEM(got, mask, sizeof(mask));
	mask[5] = 0x10;
	mask[2048 + 1] = 0x01;
	CHECK_INT(flash_set_damage(f, 3 * 2048 + 100, mask), 0);
	flash_get_damage(f, 3 * 2048, got);
	CHECK_MEM(got, mask, sizeof(mask));
	memset(mask, 0, sizeof(mask));
	CHECK_INT(flash_set_damage(f, 3 * 2048, mask), 0);
	flash_get_damage(f, 3 * 2048, got);
	CHECK_MEM(got, mask, sizeof(mask));
	CHECK_INT(flash_set_damage(f, 1 << 20, mask), -EINVAL);
	flash_destroy(f);
}

/* Reads of page 0 then page 1, @first of them of page 0 first */
static void read_unstable(struct flash *f, int first, uint8_t out[2][4][2048],
			  uint32_t *failed)
{
	struct flash_ecc ecc = { 0 };
	int k0 = 0, k1 = 0;

	for (int i = 0; i < first; i++, k0++)
		flash_read_data(f, 0, 2048, false, out[0][k0], &ecc);
	for (; k1 < 4; k1++)
		flash_read_data(f, 2048, 2048, false, out[1][k1], &ecc);
	for (; k0 < 4; k0++)
		flash_read_data(f, 0, 2048, false, out[0][k0], &ecc);
	*failed = ecc.failed;
}

static struct flash *two_unstable_pages(void)
{
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m", false, &r);
	uint8_t mask[2048 + 64] = { 0 };

	memset(mask, 0xff, 64);		/* 512 undecided bits in step 0 */
	if (f && (flash_set_unstable(f, 0, mask, 7) || flash_set_unstable(f, 2048, mask, 7))) {
		flash_destroy(f);
		f = NULL;
	}
	return f;
}

static int count_history(void *ctx, uint64_t unit, uint32_t reads, uint32_t failed)
{
	uint32_t *h = ctx;

	if (unit > 1)
		return -1;
	h[2 * unit] = reads;
	h[2 * unit + 1] = failed;
	return 0;
}

/* Read k of a page draws from (seed, page, k): other pages' reads do not count */
TEST(flash_unstable_read_k_of_a_page_is_the_same_whatever_came_between)
{
	static uint8_t a[2][4][2048], b[2][4][2048];
	struct flash *f = two_unstable_pages(), *g = two_unstable_pages();
	uint32_t fa, fb, h[4] = { 0 };

	CHECK(f && g);
	read_unstable(f, 4, a, &fa);
	read_unstable(g, 1, b, &fb);
	CHECK_MEM(a, b, sizeof(a));
	CHECK_INT(fa, fb);
	CHECK(memcmp(a[0][0], a[0][1], 2048));	/* beyond ECC: reads differ */
	CHECK(memcmp(a[0][0], a[1][0], 2048));	/* and pages differ */
	CHECK_INT(flash_unstable_history(f, count_history, h), 0);
	CHECK_INT(h[0], 4);
	CHECK_INT(h[2], 4);
	CHECK_INT(h[1] + h[3], fa);
	flash_destroy(f);
	flash_destroy(g);
}

TEST(flash_program_over_damage_keeps_programmed_zeros)
{
	static const uint32_t flips[] = { 0, 1 };
	struct recorded r;
	struct flash *f = make("nand-2k,size=1m,ecc=none", false, &r);
	uint8_t zero = 0x00, out;
	struct flash_ecc ecc = { 0 };

	CHECK(f);
	damage_bits(f, 0, flips, 2);
	flash_read_data(f, 0, 1, false, &out, &ecc);
	CHECK_INT(out, 0xfc);
	CHECK_INT(program(f, 0, &zero, 1), 0);
	flash_read_data(f, 0, 1, false, &out, &ecc);
	CHECK_INT(out, 0x00);
	flash_destroy(f);
}

TEST(flash_backing_file_is_sparse_and_persistent)
{
	char path[512];
	struct flash_options opt = { 0 };
	struct muse_error e;
	struct geometry g;
	struct flash *f;
	struct stat st;
	uint8_t d[2048], out[2048];

	snprintf(path, sizeof(path), "%s/cells", test_tmpdir());
	opt.backing_path = path;
	CHECK_INT(geometry_parse("nand-2k,size=64m", &g, &e), 0);
	CHECK_INT(flash_create(&g, &opt, &f, &e), 0);
	memset(d, 0x42, sizeof(d));
	CHECK_INT(program(f, 70 * 2048, d, sizeof(d)), 0);
	CHECK_INT(flash_mark_bad(f, 9), 0);
	CHECK_INT(flash_sync(f), 0);
	flash_destroy(f);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_size, 32768ll * (2048 + 64));
	CHECK(st.st_blocks * 512 < 1 << 20);

	CHECK_INT(flash_create(&g, &opt, &f, &e), 0);
	flash_dump_page(f, 70, out, NULL);
	CHECK_MEM(out, d, sizeof(d));
	CHECK_INT(flash_is_bad(f, 9), 1);
	/* the block state of a reopened file is derived from its cells */
	CHECK_INT(program(f, 69 * 2048, d, sizeof(d)), 0);
	flash_destroy(f);

	CHECK_INT(geometry_parse("nand-2k,size=32m", &g, &e), 0);
	CHECK_INT(flash_create(&g, &opt, &f, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "this geometry needs");
}

TEST(flash_reopened_backing_file_knows_programmed_pages)
{
	char path[512];
	struct flash_options opt = { 0 };
	struct recorded r = { 0 };
	struct muse_error e;
	struct geometry g;
	struct flash *f;
	uint8_t d[2048] = { 0 };

	snprintf(path, sizeof(path), "%s/cells", test_tmpdir());
	opt.backing_path = path;
	CHECK_INT(geometry_parse("nand-2k,size=1m", &g, &e), 0);
	CHECK_INT(flash_create(&g, &opt, &f, &e), 0);
	CHECK_INT(program(f, 10 * 2048, d, sizeof(d)), 0);
	flash_destroy(f);
	opt.on_violation = record_violation;
	opt.ctx = &r;
	CHECK_INT(flash_create(&g, &opt, &f, &e), 0);
	CHECK_INT(program(f, 4 * 2048, d, sizeof(d)), 0);
	CHECK_INT(r.count, 1);
	CHECK_INT(r.last.kind, FLASH_VIOLATION_ORDER);
	flash_destroy(f);
}
