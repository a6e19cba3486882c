/*
 * test_oob.c - how OOB bytes spread over a page in AUTO mode: the free
 * regions, in order.
 */
#include "test.h"

#include "flash_io.h"

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
