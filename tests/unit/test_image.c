/*
 * test_image.c - flash images: dumps keep bad blocks, raw NOR images,
 * truncated files refused with their sizes, the interleaved layout and
 * the marker swap byte by byte, ubinize and mkfs.jffs2 images placed as
 * the flashing tools place them and saved back unchanged, auto-detection.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <zlib.h>

#include "flash_raw.h"
#include "image.h"
#include "oob.h"

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, len, f);
	fclose(f);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 22);

	*len = f ? fread(buf, 1, 1 << 22, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static struct image_spec spec(const char *text)
{
	struct image_spec s;
	struct muse_error e;

	if (image_parse_spec(text, &s, &e))
		s.format = IMAGE_FORMATS;
	return s;
}

static const char *tmp(const char *name)
{
	static char path[4][512];
	static int n;

	n = (n + 1) % 4;
	snprintf(path[n], sizeof(path[n]), "%s/%s", test_tmpdir(), name);
	return path[n];
}

TEST(image_nanddump_oob_round_trip_keeps_bad_blocks)
{
	struct flash *a = test_flash("nand-2k,size=1m"), *b = test_flash("nand-2k,size=1m");
	uint8_t d[2048], out[2048], oob[64], outoob[64];
	struct flash_program p = { .addr = 9 * 2048, .len = 2048, .data = d,
				   .oob_offset = 8, .ooblen = 4, .oob = oob };
	struct image_spec s = image_spec_auto();
	struct muse_error e;

	CHECK(a && b);
	memset(d, 0x3c, sizeof(d));
	memset(oob, 0x11, sizeof(oob));
	CHECK_INT(flash_program(a, &p), 0);
	CHECK_INT(flash_mark_bad(a, 5), 0);
	CHECK_INT(image_save(a, tmp("dump"), &s, &e), 0);
	CHECK_INT(image_load(b, tmp("dump"), &s, NULL, &e), 0);
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
	struct image_spec raw = spec("raw"), oob = spec("nanddump-oob");
	struct muse_error e;
	uint8_t out[4];

	CHECK(a && b);
	CHECK_INT(flash_program(a, &p), 0);
	CHECK_INT(image_save(a, tmp("nor.img"), &raw, &e), 0);
	CHECK_INT(image_load(b, tmp("nor.img"), &raw, NULL, &e), 0);
	flash_dump_bytes(b, 70000, out, 4);
	CHECK_MEM(out, "\x01\x02\x03\x04", 4);
	CHECK_INT(image_save(a, tmp("nor.img"), &oob, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "needs a chip with OOB");
	flash_destroy(a);
	flash_destroy(b);
}

TEST(image_truncated_is_refused_with_sizes)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct image_spec s = image_spec_auto();
	struct muse_error e;
	static uint8_t junk[5000];

	CHECK(f);
	write_file(tmp("short"), junk, sizeof(junk));
	CHECK_INT(image_load(f, tmp("short"), &s, NULL, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "is 5000 bytes (truncated?)");
	CHECK_CONTAINS(e.msg, "1048576 (raw) or 1081344 (nanddump-oob)");
	CHECK_CONTAINS(e.msg, "nor does it open as a ubinize or mkfs.jffs2 image");
	CHECK_INT(image_load(f, "/nonexistent/x", &s, NULL, &e), -ENOENT);
	flash_destroy(f);
}

TEST(image_format_names_and_parameters)
{
	struct muse_error e;
	struct image_spec s;

	CHECK_INT(image_parse_spec("jpeg", &s, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "unknown image format jpeg");
	CHECK_INT(image_parse_spec("oob", &s, &e), 0);
	CHECK_INT(s.format, IMAGE_NANDDUMP_OOB);
	CHECK_INT(image_parse_spec("interleaved:step=1k,spare=32,bbm-swap=7", &s, &e), 0);
	CHECK_INT(s.step, 1024);
	CHECK_INT(s.spare, 32);
	CHECK_INT(s.bbm_swap, 7);
	CHECK_INT(image_parse_spec("ubi:ec=12", &s, &e), 0);
	CHECK_INT(s.ec, 12);
	CHECK_INT(image_parse_spec("raw:step=512", &s, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "image format raw takes no step");
	CHECK_INT(image_parse_spec("ubi:ec=x", &s, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "ec needs a number");
}

TEST(image_interleaved_layout_and_bbm_swap)
{
	struct flash *a = test_flash("nand-2k,size=1m"), *b = test_flash("nand-2k,size=1m");
	struct image_spec il = spec("interleaved:step=512,spare=16,bbm-swap");
	struct image_spec bad = spec("interleaved:step=300");
	uint8_t d[2048], oob[64], out[2048], outoob[64], *file;
	struct muse_error e;
	size_t len;

	CHECK(a && b);
	for (int i = 0; i < 2048; i++)
		d[i] = (uint8_t)(i / 8);
	for (int i = 0; i < 64; i++)
		oob[i] = (uint8_t)(0x80 + i);
	flash_load_page(a, 3, d, oob);
	CHECK_INT(image_save(a, tmp("il"), &il, &e), 0);
	file = read_file(tmp("il"), &len);
	CHECK_INT(len, 512 * 2112);
	file += 3 * 2112;
	CHECK_MEM(file + 1, d + 1, 511);	/* step 0, then its spare */
	CHECK_MEM(file + 512 + 1, oob + 1, 15);
	CHECK_MEM(file + 528, d + 512, 512);	/* step 1 */
	CHECK_MEM(file + 3 * 528 + 512, oob + 48, 16);
	/* the marker swap: OOB byte 0 at the page size, the byte from there in its place */
	CHECK_INT(file[2048], oob[0]);
	CHECK_INT(file[512], d[2000]);	/* record offset 2048: step 3, byte 464 */
	free(file - 3 * 2112);
	CHECK_INT(image_load(b, tmp("il"), &il, NULL, &e), 0);
	flash_dump_page(b, 3, out, outoob);
	CHECK_MEM(out, d, 2048);
	CHECK_MEM(outoob, oob, 64);
	CHECK_INT(image_save(a, tmp("il"), &bad, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "step=300 does not divide the 2048-byte page");
	flash_destroy(a);
	flash_destroy(b);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* UBI's CRC: the table CRC-32 from ~0, not inverted at the end */
static uint32_t ubi_crc(const uint8_t *p, size_t n)
{
	return ~(uint32_t)crc32(0, p, (uInt)n);
}

/* two PEBs as ubinize writes them: EC header, VID header at 512, data */
static uint8_t *ubinize_like(size_t *len, bool second_has_header)
{
	size_t peb = 128 * 1024;
	uint8_t *img = malloc(2 * peb);

	memset(img, 0xff, 2 * peb);
	for (int i = 0; i < 2; i++) {
		uint8_t *h = img + i * peb;
		uint32_t crc;

		if (i == 1 && !second_has_header)
			break;
		memset(h, 0, 64);
		memcpy(h, "UBI#\x01", 5);
		h[18] = 0x02;				/* VID header at 512 */
		h[22] = 0x08;				/* data at 2048 */
		h[26] = 0x10, h[27] = 0x92;		/* image_seq 4242 */
		crc = ubi_crc(h, 60);
		h[60] = (uint8_t)(crc >> 24), h[61] = (uint8_t)(crc >> 16);
		h[62] = (uint8_t)(crc >> 8), h[63] = (uint8_t)crc;
		memcpy(h + 512, "UBI!", 4);
		memset(h + 2048, 0x40 + i, 5000);
	}
	*len = 2 * peb;
	return img;
}

TEST(image_ubi_as_ubiformat_writes_it)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct image_spec ubi = spec("ubi"), ec5 = spec("ubi:ec=5");
	uint8_t page[2048], *saved;
	size_t len, saved_len;
	uint8_t *img = ubinize_like(&len, true);
	enum image_format picked;
	struct muse_error e;

	CHECK(f);
	write_file(tmp("u.ubi"), img, len);
	CHECK_INT(flash_mark_bad(f, 1), 0);
	CHECK_INT(image_load(f, tmp("u.ubi"), &ubi, NULL, &e), 0);
	flash_dump_page(f, 2 * 64 + 1, page, NULL);	/* PEB 1 skips bad block 1 */
	CHECK_MEM(page, img + 128 * 1024 + 2048, 2048);
	flash_dump_page(f, 5 * 64, page, NULL);		/* a header of its own */
	CHECK_MEM(page, "UBI#", 4);
	CHECK_INT(be32(page + 16), 512);
	CHECK_INT(be32(page + 24), 4242);
	CHECK_INT(be32(page + 60), ubi_crc(page, 60));
	flash_dump_page(f, 5 * 64 + 1, page, NULL);
	CHECK_INT(page[0] & page[2047], 0xff);
	CHECK_INT(image_save(f, tmp("back.ubi"), &ubi, &e), 0);
	saved = read_file(tmp("back.ubi"), &saved_len);
	CHECK_INT(saved_len, len);
	CHECK_MEM(saved, img, len);
	free(saved);
	flash_destroy(f);

	f = test_flash("nand-2k,size=1m");
	CHECK_INT(image_load(f, tmp("u.ubi"), &ec5, NULL, &e), 0);
	flash_dump_page(f, 6 * 64, page, NULL);
	CHECK_INT(page[15], 5);
	CHECK_INT(be32(page + 60), ubi_crc(page, 60));
	flash_destroy(f);

	f = test_flash("nand-2k,size=1m");
	CHECK_INT(image_load(f, tmp("u.ubi"), &(struct image_spec){ .format = IMAGE_AUTO,
		  .bbm_swap = -1, .ec = -1 }, &picked, &e), 0);
	CHECK_INT(picked, IMAGE_UBI);
	flash_destroy(f);
	free(img);
}

TEST(image_ubi_refuses_what_ubinize_does_not_make)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct image_spec ubi = spec("ubi");
	size_t len;
	uint8_t *img = ubinize_like(&len, false);
	struct muse_error e;

	CHECK(f);
	write_file(tmp("bad.ubi"), img, len);
	CHECK_INT(image_load(f, tmp("bad.ubi"), &ubi, NULL, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "PEB 1 of the image has no valid UBI erase counter header");
	write_file(tmp("bad.ubi"), img, 5000);
	CHECK_INT(image_load(f, tmp("bad.ubi"), &ubi, NULL, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "5000 bytes is no multiple of 131072");
	flash_destroy(f);
	free(img);
}

/* a JFFS2 node header (little-endian) with its CRC, then @len - 12 bytes */
static void jffs2_node(uint8_t *p, uint16_t type, uint32_t len)
{
	uint32_t crc;

	p[0] = 0x85, p[1] = 0x19, p[2] = (uint8_t)type, p[3] = (uint8_t)(type >> 8);
	for (int i = 0; i < 4; i++)
		p[4 + i] = (uint8_t)(len >> (8 * i));
	crc = ~(uint32_t)crc32(0xffffffffu, p, 8);	/* JFFS2's: from 0, no inversion */
	for (int i = 0; i < 4; i++)
		p[8 + i] = (uint8_t)(crc >> (8 * i));
	memset(p + 12, 0x5a, len - 12);
}

TEST(image_jffs2_nand_cleanmarkers_in_oob)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct image_spec j = spec("jffs2");
	const struct geometry *g;
	uint8_t node[40], page[2048], oob[64], cm[8], *saved;
	size_t len;
	struct muse_error e;

	CHECK(f);
	g = flash_geometry(f);
	jffs2_node(node, 0xe001, sizeof(node));
	write_file(tmp("j.img"), node, sizeof(node));
	CHECK_INT(flash_mark_bad(f, 2), 0);
	CHECK_INT(image_load(f, tmp("j.img"), &j, NULL, &e), 0);
	flash_dump_page(f, 0, page, oob);
	CHECK_MEM(page, node, sizeof(node));
	for (uint64_t b = 0; b < 8; b++) {
		if (b == 2)
			continue;
		flash_dump_page(f, b * 64, page, oob);
		oob_gather(g, OOB_AUTO, oob, 0, 8, cm);
		CHECK_MEM(cm, "\x85\x19\x03\x20\x08\x00\x00\x00", 8);
	}
	CHECK_INT(image_save(f, tmp("j2.img"), &j, &e), 0);
	saved = read_file(tmp("j2.img"), &len);
	CHECK_INT(len, sizeof(node));
	CHECK_MEM(saved, node, sizeof(node));
	free(saved);
	flash_destroy(f);

	f = test_flash("nand-2k,size=1m");
	jffs2_node(node, 0x2003, 12);
	write_file(tmp("j.img"), node, 12);
	CHECK_INT(image_load(f, tmp("j.img"), &j, NULL, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "make it with mkfs.jffs2 -n");
	flash_destroy(f);
}

TEST(image_jffs2_nor_cleanmarker_nodes_after_the_image)
{
	struct flash *f = test_flash("nor-64k,size=1m");
	struct image_spec j = spec("jffs2"), a = image_spec_auto();
	uint8_t node[40], cm[12], head[12], *saved;
	enum image_format picked;
	size_t len;
	struct muse_error e;

	CHECK(f);
	jffs2_node(node, 0xe002, sizeof(node));
	jffs2_node(cm, 0x2003, 12);
	write_file(tmp("jn.img"), node, sizeof(node));
	CHECK_INT(image_load(f, tmp("jn.img"), &a, &picked, &e), 0);
	CHECK_INT(picked, IMAGE_JFFS2);
	flash_dump_bytes(f, 0, head, 12);
	CHECK_MEM(head, node, 12);
	flash_dump_bytes(f, 5 * 65536, head, 12);
	CHECK_MEM(head, cm, 12);
	CHECK_INT(image_save(f, tmp("jn2.img"), &j, &e), 0);
	saved = read_file(tmp("jn2.img"), &len);
	CHECK_INT(len, sizeof(node));
	CHECK_MEM(saved, node, sizeof(node));
	free(saved);
	flash_destroy(f);
}

TEST(image_auto_refuses_an_ambiguous_size)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct image_spec a = image_spec_auto();
	uint8_t *img = calloc(1, 1 << 20);
	struct muse_error e;

	CHECK(f && img);
	jffs2_node(img, 0xe001, 40);
	write_file(tmp("amb"), img, 1 << 20);
	CHECK_INT(image_load(f, tmp("amb"), &a, NULL, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "give --format raw or jffs2");
	free(img);
	flash_destroy(f);
}

TEST(image_read_gives_the_saved_bytes_of_any_range)
{
	static const char *const formats[] = { "raw", "nanddump-oob",
		"interleaved:step=512,spare=16,bbm-swap" };
	struct flash *f = test_flash("nand-2k,size=1m");
	uint8_t d[2048], oob[64], buf[7000], *file;
	static const uint64_t offs[] = { 0, 1, 2047, 2048, 4200, 100000 };
	struct muse_error e;
	size_t len;

	CHECK(f);
	for (int p = 0; p < 60; p += 7) {
		memset(d, p, sizeof(d));
		memset(oob, 0x80 | p, sizeof(oob));
		flash_load_page(f, (uint64_t)p, d, oob);
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct image_spec s = spec(formats[i]);

		CHECK_INT(image_save(f, tmp("whole"), &s, &e), 0);
		file = read_file(tmp("whole"), &len);
		for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
			CHECK_INT(image_read(f, &s, offs[k], buf, sizeof(buf), &e), 0);
			CHECK_MEM(buf, file + offs[k], sizeof(buf));
		}
		CHECK_INT(image_read(f, &s, len - 10, buf, 11, &e), -EINVAL);
		free(file);
	}
	CHECK_INT(image_read(f, &(struct image_spec){ .format = IMAGE_UBI, .bbm_swap = -1,
		  .ec = -1 }, 0, buf, 1, &e), -EINVAL);
	flash_destroy(f);
}
