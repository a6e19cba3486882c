/*
 * test_image.c - flash images: a nanddump --oob dump round trip keeps bad
 * blocks, raw NOR images, truncated files refused with their sizes.
 */
#include "test.h"

#include <errno.h>

#include "flash_raw.h"
#include "image.h"

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, len, f);
	fclose(f);
}

TEST(image_nanddump_oob_round_trip_keeps_bad_blocks)
{
	struct flash *a = test_flash("nand-2k,size=1m"), *b = test_flash("nand-2k,size=1m");
	uint8_t d[2048], out[2048], oob[64], outoob[64];
	struct flash_program p = { .addr = 9 * 2048, .len = 2048, .data = d,
				   .oob_offset = 8, .ooblen = 4, .oob = oob };
	struct muse_error e;
	char path[512];

	CHECK(a && b);
	snprintf(path, sizeof(path), "%s/dump", test_tmpdir());
	memset(d, 0x3c, sizeof(d));
	memset(oob, 0x11, sizeof(oob));
	CHECK_INT(flash_program(a, &p), 0);
	CHECK_INT(flash_mark_bad(a, 5), 0);
	CHECK_INT(image_save(a, path, IMAGE_AUTO, &e), 0);
	CHECK_INT(image_load(b, path, IMAGE_AUTO, &e), 0);
	flash_dump_page(b, 9, out, outoob);
	CHECK_MEM(out, d, sizeof(d));
	CHECK_INT(outoob[7], 0xff);
	CHECK_INT(outoob[8], 0x11);
	CHECK_INT(outoob[12], 0xff);
	CHECK_INT(flash_is_bad(b, 5), 1);
	CHECK_INT(flash_bad_count(b), 1);
	flash_destroy(a);
	flash_destroy(b);
}

TEST(image_raw_for_nor)
{
	struct flash *a = test_flash("nor-64k,size=1m"), *b = test_flash("nor-64k,size=1m");
	struct flash_program p = { .addr = 70000, .len = 4, .data = (const uint8_t *)"\x01\x02\x03\x04" };
	struct muse_error e;
	char path[512];
	uint8_t out[4];

	CHECK(a && b);
	snprintf(path, sizeof(path), "%s/nor.img", test_tmpdir());
	CHECK_INT(flash_program(a, &p), 0);
	CHECK_INT(image_save(a, path, IMAGE_AUTO, &e), 0);
	CHECK_INT(image_load(b, path, IMAGE_RAW, &e), 0);
	flash_dump_bytes(b, 70000, out, 4);
	CHECK_MEM(out, "\x01\x02\x03\x04", 4);
	CHECK_INT(image_save(a, path, IMAGE_NANDDUMP_OOB, &e), -EINVAL);
	flash_destroy(a);
	flash_destroy(b);
}

TEST(image_truncated_is_refused_with_sizes)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct muse_error e;
	char path[512];
	static uint8_t junk[5000];

	CHECK(f);
	snprintf(path, sizeof(path), "%s/short", test_tmpdir());
	write_file(path, junk, sizeof(junk));
	CHECK_INT(image_load(f, path, IMAGE_AUTO, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "is 5000 bytes (truncated?)");
	CHECK_CONTAINS(e.msg, "1048576 (raw) or 1081344 (nanddump-oob)");
	CHECK_INT(image_load(f, "/nonexistent/x", IMAGE_AUTO, &e), -ENOENT);
	CHECK_INT(image_parse_format("jpeg", &(enum image_format){ 0 }, &e), -EINVAL);
	flash_destroy(f);
}
