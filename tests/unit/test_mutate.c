/*
 * test_mutate.c - image mutations: the same seed the same bytes, the
 * structures found and changed with their CRCs recomputed, noise for
 * anything else.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "flash.h"
#include "flash_raw.h"
#include "mutate.h"

#define PAGE 2048
#define OOB 64
#define BLOCK (128 * 1024)

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A UBI PEB: EC header, VID header at 512, two UBIFS nodes at 2048 */
static void ubi_block(struct flash *f, uint64_t block)
{
	uint8_t page[PAGE], oob[OOB];

	memset(oob, 0xff, OOB);
	memset(page, 0xff, PAGE);
	memset(page, 0, 64);
	put_be32(page, 0x55424923);
	put_be32(page + 16, 512);
	put_be32(page + 20, 2048);
	put_be32(page + 60, mutate_crc32(0xffffffffu, page, 60));
	memset(page + 512, 0, 64);
	put_be32(page + 512, 0x55424921);
	put_be32(page + 512 + 12, 3);
	put_be32(page + 512 + 60, mutate_crc32(0xffffffffu, page + 512, 60));
	flash_load_page(f, block * (BLOCK / PAGE), page, oob);
	memset(page, 0xff, PAGE);
	for (int n = 0; n < 2; n++) {
		uint8_t *node = page + n * 64;

		memset(node, 0x11 * (n + 1), 64);
		put_le32(node, 0x06101831);
		put_le32(node + 16, 64);
		node[20] = 1;
		put_le32(node + 4, mutate_crc32(0xffffffffu, node + 8, 56));
	}
	flash_load_page(f, block * (BLOCK / PAGE) + 1, page, oob);
}

static uint64_t hash_flash(struct flash *f)
{
	uint8_t page[PAGE], oob[OOB];
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t p = 0; p < 1024 * 1024 / PAGE; p++) {
		flash_dump_page(f, p, page, oob);
		for (int i = 0; i < PAGE; i++)
			h = (h ^ page[i]) * 0x100000001b3ull;
	}
	return h;
}

TEST(mutate_crc32_is_the_kernels)
{
	/* crc32_le(~0, "123456789") without the final inversion */
	CHECK_INT(mutate_crc32(0xffffffffu, "123456789", 9), 0x340bc6d9u);
}

TEST(mutate_same_seed_same_bytes_and_crcs_recomputed)
{
	unsigned ec = 0, vid = 0, node = 0, noise = 0;

	for (uint64_t seed = 1; seed <= 120; seed++) {
		struct flash *f = test_flash("nand-2k,size=1m");
		struct flash *g = test_flash("nand-2k,size=1m");
		uint8_t page[PAGE], oob[OOB];
		struct mutation m, n;

		ubi_block(f, 3);
		ubi_block(g, 3);
		CHECK_INT(mutate_flash(f, "ubifs", seed, &m), 0);
		CHECK_INT(mutate_flash(g, "ubifs", seed, &n), 0);
		CHECK_STR(m.what, n.what);
		CHECK(hash_flash(f) == hash_flash(g));
		CHECK(m.changes >= 1 && m.changes <= 3);
		CHECK_CONTAINS(m.what, "block 3: ");
		flash_dump_page(f, 3 * (BLOCK / PAGE), page, oob);
		if (!strstr(m.what, "bits flipped")) {
			CHECK_INT(be32(page + 60), mutate_crc32(0xffffffffu, page, 60));
			CHECK_INT(be32(page + 572), mutate_crc32(0xffffffffu, page + 512, 60));
		}
		if (strstr(m.what, "UBIFS node") && !strstr(m.what, "len") &&
		    !strstr(m.what, "bits flipped")) {
			flash_dump_page(f, 3 * (BLOCK / PAGE) + 1, page, oob);
			for (int k = 0; k < 2; k++)
				CHECK_INT(le32(page + k * 64 + 4),
					  mutate_crc32(0xffffffffu, page + k * 64 + 8, 56));
		}
		ec += strstr(m.what, "EC header") != NULL;
		vid += strstr(m.what, "VID header") != NULL;
		node += strstr(m.what, "UBIFS node") != NULL;
		noise += strstr(m.what, "bits flipped") != NULL;
		flash_destroy(f);
		flash_destroy(g);
	}
	CHECK(ec > 5 && vid > 5 && node > 5 && noise > 5);
}

TEST(mutate_an_erased_flash_has_nothing_to_change)
{
	struct flash *f = test_flash("nand-2k,size=1m");
	struct mutation m;

	CHECK_INT(mutate_flash(f, "ubifs", 1, &m), -ENOENT);
	flash_destroy(f);
}
