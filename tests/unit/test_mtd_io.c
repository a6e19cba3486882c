/*
 * test_mtd_io.c - MTD requests: checked as nand_base checks them, and
 * writes split into one program operation per NAND page or NOR write
 * buffer.
 */
#include "test.h"

#include <errno.h>

#include "flash_io.h"

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
