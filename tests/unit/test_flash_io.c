/*
 * test_flash_io.c - MTD reads served by the flash model: OOB spread over
 * the pages of a read, and OOB-only reads spanning pages.
 */
#include "test.h"

#include "flash_io.h"

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
