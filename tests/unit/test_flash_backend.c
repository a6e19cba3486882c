/*
 * test_flash_backend.c - the flash model as the protocol server sees it.
 */
#define _GNU_SOURCE
#include "test.h"

#include <errno.h>

#include "flash_backend.h"

TEST(bad_block_list_compresses_ranges)
{
	struct flash_options opt = { 0 };
	struct muse_error e;
	struct geometry g;
	struct flash *f;
	char buf[64];

	CHECK_INT(geometry_parse("nand-2k,size=16m", &g, &e), 0);
	CHECK_INT(flash_create(&g, &opt, &f, &e), 0);
	CHECK_INT(muse_bad_block_list(f, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	for (int b = 17; b <= 19; b++)
		flash_mark_bad(f, b);
	flash_mark_bad(f, 3);
	flash_mark_bad(f, 127);
	CHECK_INT(muse_bad_block_list(f, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "3,17-19,127");
	CHECK_INT(muse_bad_block_list(f, buf, 6), -E2BIG);
	flash_destroy(f);
}
