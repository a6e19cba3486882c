/*
 * test_flash_io.c - MTD-shaped requests on the flash model: OOB modes and
 * how OOB spreads over pages, write splitting into program operations,
 * and the nand_base rules for what is rejected.
 */
#include "test.h"

#include <errno.h>

#include "flash_raw.h"
#include "flash_io.h"
#include "oob.h"

TEST(oob_auto_mode_uses_free_regions_in_order)
{
	struct muse_error e;
	struct geometry g;
	uint8_t area[64], in[16], out[16];
	uint32_t lo, hi;

	CHECK_INT(geometry_parse("nand-2k,oobfree=2:6+16:10,oobecc=40:24", &g, &e), 0);
	for (int i = 0; i < 16; i++)
		in[i] = (uint8_t)(0xa0 + i);
	memset(area, 0xff, sizeof(area));
	oob_scatter(&g, OOB_AUTO, in, 4, 5, area);
	/* AUTO bytes 4,5 are area 6,7; bytes 6,7,8 are area 16,17,18 */
	CHECK_INT(area[5], 0xff);
	CHECK_INT(area[6], 0xa0);
	CHECK_INT(area[7], 0xa1);
	CHECK_INT(area[8], 0xff);
	CHECK_INT(area[16], 0xa2);
	CHECK_INT(area[18], 0xa4);
	CHECK_INT(area[19], 0xff);
	oob_gather(&g, OOB_AUTO, area, 4, 5, out);
	CHECK_MEM(out, in, 5);
	oob_span(&g, OOB_AUTO, 4, 5, &lo, &hi);
	CHECK_INT(lo, 6);
	CHECK_INT(hi, 19);
	oob_span(&g, OOB_PLACE, 4, 5, &lo, &hi);
	CHECK_INT(lo, 4);
	CHECK_INT(hi, 9);
	CHECK_INT(oob_per_page(&g, OOB_AUTO), 16);
	CHECK_INT(oob_per_page(&g, OOB_RAW), 64);
}

struct programs {
	int n;
	struct flash_program p[8];
	uint8_t oob[8][64];
};

static int collect(void *ctx, const struct flash_program *p)
{
	struct programs *ps = ctx;

	ps->p[ps->n] = *p;
	if (p->ooblen)
		memcpy(ps->oob[ps->n], p->oob, p->ooblen);
	ps->n++;
	return 0;
}

TEST(split_write_one_program_per_nand_page)
{
	struct flash_io io = { .addr = 2048 + 1024, .len = 1024 + 2048 + 512,
			       .ooblen = 40, .ooboffs = 4, .mode = OOB_AUTO };
	static uint8_t data[4096], oob[64];
	struct programs ps = { 0 };
	struct muse_error e;
	struct geometry g;
	uint8_t scratch[64];

	CHECK_INT(geometry_parse("nand-2k", &g, &e), 0);
	for (int i = 0; i < 64; i++)
		oob[i] = (uint8_t)i;
	CHECK_INT(flash_io_check(&g, &io, true, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "crosses a page");
	io.ooboffs = 0;
	CHECK_INT(flash_io_check(&g, &io, true, &e), 0);
	CHECK_INT(flash_io_split_write(&g, &io, data, oob, scratch, collect, &ps), 0);
	CHECK_INT(ps.n, 3);
	CHECK_INT(ps.p[0].addr, 3072);
	CHECK_INT(ps.p[0].len, 1024);
	CHECK_INT(ps.p[1].addr, 4096);
	CHECK_INT(ps.p[1].len, 2048);
	CHECK_INT(ps.p[2].addr, 6144);
	CHECK_INT(ps.p[2].len, 512);
	/* 34 free bytes per page: page 1 takes OOB 0..33, page 2 34..39 */
	CHECK_INT(ps.p[0].oob_offset, 2);
	CHECK_INT(ps.p[0].ooblen, 34);
	CHECK(ps.p[0].oob_auto);
	CHECK_INT(ps.oob[0][0], 0);
	CHECK_INT(ps.oob[0][33], 33);
	CHECK_INT(ps.p[1].ooblen, 6);
	CHECK_INT(ps.oob[1][0], 34);
	CHECK_INT(ps.p[2].ooblen, 0);
}

TEST(split_write_nor_by_write_buffer)
{
	struct flash_io io = { .addr = 100, .len = 200 };
	static uint8_t data[200];
	struct programs ps = { 0 };
	struct muse_error e;
	struct geometry g;
	uint8_t scratch[1];

	CHECK_INT(geometry_parse("nor-64k", &g, &e), 0);
	CHECK_INT(flash_io_check(&g, &io, true, &e), 0);
	CHECK_INT(flash_io_split_write(&g, &io, data, NULL, scratch, collect, &ps), 0);
	CHECK_INT(ps.n, 4);
	CHECK_INT(ps.p[0].addr, 100);
	CHECK_INT(ps.p[0].len, 28);
	CHECK_INT(ps.p[1].addr, 128);
	CHECK_INT(ps.p[1].len, 64);
	CHECK_INT(ps.p[3].addr, 256);
	CHECK_INT(ps.p[3].len, 44);
}

TEST(oob_only_write_addresses_the_page)
{
	struct flash_io io = { .addr = 5 * 2048 + 700, .ooblen = 3,
			       .ooboffs = 1, .mode = OOB_PLACE };
	uint8_t oob[3] = { 1, 2, 3 }, scratch[64], area[64];
	struct flash *f = test_flash("nand-2k,size=1m");
	struct muse_error e;

	CHECK(f);
	CHECK_INT(flash_io_check(flash_geometry(f), &io, true, &e), 0);
	CHECK_INT(flash_io_write(f, &io, NULL, oob, scratch), 0);
	flash_read_oob_area(f, 5, area);
	CHECK_INT(area[0], 0xff);
	CHECK_INT(area[1], 1);
	CHECK_INT(area[3], 3);
	CHECK_INT(area[4], 0xff);
	flash_destroy(f);
}

TEST(read_spreads_oob_over_pages)
{
	struct flash_io w = { .addr = 0, .len = 4096, .ooblen = 68,
			      .mode = OOB_AUTO };
	struct flash_io r = { .addr = 1000, .len = 3000, .ooblen = 40,
			      .ooboffs = 10, .mode = OOB_AUTO };
	static uint8_t data[4096], oob[68], out[4096], outoob[68];
	struct flash *f = test_flash("nand-2k,size=1m");
	struct flash_ecc ecc;
	struct muse_error e;
	uint8_t scratch[64];

	CHECK(f);
	for (int i = 0; i < 4096; i++)
		data[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 68; i++)
		oob[i] = (uint8_t)(0x80 + i);
	CHECK_INT(flash_io_check(flash_geometry(f), &w, true, &e), 0);
	CHECK_INT(flash_io_write(f, &w, data, oob, scratch), 0);
	CHECK_INT(flash_io_check(flash_geometry(f), &r, false, &e), 0);
	flash_io_read(f, &r, out, outoob, &ecc);
	CHECK_MEM(out, data + 1000, 3000);
	/* page 0 from AUTO offset 10 (24 bytes), then page 1 from 0 */
	CHECK_MEM(outoob, oob + 10, 24);
	CHECK_MEM(outoob + 24, oob + 34, 16);
	CHECK_INT(ecc.failed, 0);
	flash_destroy(f);
}

TEST(oob_only_read_spans_pages)
{
	struct flash_io r = { .addr = 2048, .ooblen = 64 * 3,
			      .mode = OOB_PLACE };
	struct flash *f = test_flash("nand-2k,size=1m");
	uint8_t out[192], ff[192];
	struct flash_ecc ecc;
	struct muse_error e;

	CHECK(f);
	memset(ff, 0xff, sizeof(ff));
	CHECK_INT(flash_io_check(flash_geometry(f), &r, false, &e), 0);
	flash_io_read(f, &r, NULL, out, &ecc);
	CHECK_MEM(out, ff, sizeof(out));
	flash_destroy(f);
}

TEST(requests_rejected_like_nand_base)
{
	struct muse_error e;
	struct geometry g;
	struct flash_io io;

	CHECK_INT(geometry_parse("nand-2k,size=1m", &g, &e), 0);
	io = (struct flash_io){ .addr = 100, .len = 512 };
	CHECK_INT(flash_io_check(&g, &io, true, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "not aligned to 512");
	CHECK_INT(flash_io_check(&g, &io, false, &e), 0);
	io = (struct flash_io){ .addr = (1 << 20) - 512, .len = 1024 };
	CHECK_INT(flash_io_check(&g, &io, false, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "outside the chip");
	io = (struct flash_io){ .addr = (1 << 20) - 2048, .ooblen = 35,
				.mode = OOB_AUTO };
	CHECK_INT(flash_io_check(&g, &io, false, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "past the end");
	io = (struct flash_io){ .addr = 0, .ooblen = 1, .ooboffs = 34,
				.mode = OOB_AUTO };
	CHECK_INT(flash_io_check(&g, &io, false, &e), -EINVAL);
	io = (struct flash_io){ .addr = 0, .len = 2048, .ooblen = 70,
				.mode = OOB_PLACE };
	CHECK_INT(flash_io_check(&g, &io, false, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "do not fit");
	io = (struct flash_io){ .addr = 0, .ooblen = 1, .mode = 3 };
	CHECK_INT(flash_io_check(&g, &io, false, &e), -EINVAL);
	io = (struct flash_io){ .addr = 0 };
	CHECK_INT(flash_io_check(&g, &io, false, &e), -EINVAL);
	CHECK_INT(geometry_parse("nor-64k", &g, &e), 0);
	io = (struct flash_io){ .addr = 0, .ooblen = 1 };
	CHECK_INT(flash_io_check(&g, &io, false, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "without OOB");
}
