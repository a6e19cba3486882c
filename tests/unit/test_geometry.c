/*
 * test_geometry.c - presets, key=value parsing, derived values, and the
 * messages of every rejection a user can hit.
 */
#include "test.h"

#include <errno.h>

#include "geometry.h"

static int parse(const char *spec, struct geometry *g, struct muse_error *e)
{
	memset(e, 0, sizeof(*e));
	return geometry_parse(spec, g, e);
}

TEST(geometry_nand_2k_preset_matches_nandsim_bch4)
{
	struct geometry g;
	struct muse_error e;

	CHECK_INT(parse("nand-2k", &g, &e), 0);
	CHECK_INT(g.type, FLASH_NAND);
	CHECK_INT(g.size, 64 << 20);
	CHECK_INT(g.page_size, 2048);
	CHECK_INT(g.oob_size, 64);
	CHECK_INT(g.block_size, 128 << 10);
	CHECK_INT(g.subpage_size, 512);
	CHECK_INT(g.nop, 4);
	CHECK(g.page_order);
	CHECK_INT(g.ecc_strength, 4);
	CHECK_INT(g.ecc_step, 512);
	CHECK_INT(g.bitflip_threshold, 3);
	/* nand_ooblayout_lp_ops with 4 steps of 7 BCH bytes */
	CHECK_INT(g.oobfree.count, 1);
	CHECK_INT(g.oobfree.region[0].offset, 2);
	CHECK_INT(g.oobfree.region[0].length, 34);
	CHECK_INT(g.oobecc.count, 1);
	CHECK_INT(g.oobecc.region[0].offset, 36);
	CHECK_INT(g.oobecc.region[0].length, 28);
	CHECK_INT(geometry_oob_avail(&g), 34);
}

TEST(geometry_default_is_nand_2k)
{
	struct geometry a, b;
	struct muse_error e;

	CHECK_INT(parse("", &a, &e), 0);
	CHECK_INT(parse("nand-2k", &b, &e), 0);
	CHECK_MEM(&a, &b, sizeof(a));
}

TEST(geometry_nand_4k_and_nor_presets)
{
	struct geometry g;
	struct muse_error e;

	CHECK_INT(parse("nand-4k", &g, &e), 0);
	CHECK_INT(g.page_size, 4096);
	CHECK_INT(g.oob_size, 224);
	CHECK_INT(g.block_size, 256 << 10);
	CHECK_INT(g.nop, 4);
	CHECK_INT(g.subpage_size, 4096);

	CHECK_INT(parse("nor-64k", &g, &e), 0);
	CHECK_INT(g.type, FLASH_NOR);
	CHECK_INT(g.block_size, 64 << 10);
	CHECK_INT(g.page_size, 1);
	CHECK_INT(g.writebuf_size, 64);
	CHECK_INT(g.oob_size, 0);
	CHECK_INT(g.nop, 0);
	CHECK(!g.page_order);
}

TEST(geometry_preset_with_overrides)
{
	struct geometry g;
	struct muse_error e;

	CHECK_INT(parse("nand-2k,size=16m", &g, &e), 0);
	CHECK_INT(g.size, 16 << 20);
	CHECK_INT(g.subpage_size, 512);
	CHECK_INT(geometry_oob_avail(&g), 34);
}

TEST(geometry_key_value_list)
{
	struct geometry g;
	struct muse_error e;

	CHECK_INT(parse("type=nand,page=2048,oob=64,block=128k,size=64m,"
			"subpage=512,nop=4,ecc=4/512", &g, &e), 0);
	CHECK_INT(g.subpage_size, 512);
	CHECK_INT(g.oobfree.region[0].length, 34);

	CHECK_INT(parse("type=nor,block=128k,writebuf=256,size=8m", &g, &e), 0);
	CHECK_INT(g.type, FLASH_NOR);
	CHECK_INT(g.writebuf_size, 256);
	CHECK_INT(g.oob_size, 0);
}

TEST(geometry_mlc_forces_nop_1_and_no_subpages)
{
	struct geometry g;
	struct muse_error e;

	CHECK_INT(parse("type=mlc-nand", &g, &e), 0);
	CHECK_INT(g.nop, 1);
	CHECK_INT(g.subpage_size, g.page_size);
	CHECK_INT(parse("mlc-4k,nop=4", &g, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "nop=4");
	CHECK_INT(parse("mlc-4k,subpage=1024", &g, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "MLC NAND has no subpages");
}

TEST(geometry_explicit_layout)
{
	struct geometry g;
	struct muse_error e;

	CHECK_INT(parse("nand-2k,oobfree=2:6+16:10,oobecc=40:24", &g, &e), 0);
	CHECK_INT(g.oobfree.count, 2);
	CHECK_INT(g.oobfree.region[1].offset, 16);
	CHECK_INT(geometry_oob_avail(&g), 16);
	/* the free layout of a dump's hardware alone: no ECC regions */
	CHECK_INT(parse("type=nand,page=2048,oob=64,ecc=8/512,oobfree=2:38", &g, &e), 0);
	CHECK_INT(g.oobecc.count, 0);
	CHECK_INT(geometry_oob_avail(&g), 38);
}

struct rejection {
	const char *spec;
	const char *message;
};

TEST(geometry_rejections_name_the_bad_value)
{
	static const struct rejection cases[] = {
		{ "nand-2k,page=3000", "page=3000 is not a power of two" },
		{ "nand-2k,oob=2048", "oob=2048 is not smaller than the page" },
		{ "nand-2k,oobfree=2:40+50:30", "lies outside the 64 byte OOB" },
		{ "nand-2k,oobfree=2:34+30:10,oobecc=none", "overlap" },
		{ "nand-2k,size=1000000", "size=1000000 is not a non-zero multiple of the block" },
		{ "nand-2k,nop=1", "subpage=512 needs nop >= 2" },
		{ "type=nor,oob=64", "nor flash has no OOB" },
		{ "type=nor,subpage=1,page=4,writebuf=64,subpage=2", "given twice" },
		{ "nor-64k,page=2,subpage=1", "no subpages" },
		{ "nor-64k,writebuf=96", "writebuf=96 is not a power-of-two multiple" },
		{ "nand-2k,writebuf=1024", "writebuf=1024 is not a power-of-two multiple" },
		{ "nand-2k,ecc=4/3000", "ECC step 3000" },
		{ "nand-2k,ecc=4,", "ecc=4 is not BITS/STEP" },
		{ "nand-2k,threshold=9", "threshold=9 exceeds the ECC strength 4" },
		{ "nand-9k", "unknown preset nand-9k" },
		{ "nand-2k,colour=blue", "unknown key colour" },
		{ "nand-2k,size=lots", "size=lots is not a size" },
		{ "nand-2k,oob=16,ecc=4/512", "no room for 2 marker bytes and 28 ECC bytes" },
	};
	struct geometry g;
	struct muse_error e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = parse(cases[i].spec, &g, &e);

		if (ret != -EINVAL || !strstr(e.msg, cases[i].message)) {
			test_fail(__FILE__, __LINE__,
				  "%s: got %d \"%s\", want \"%s\"", cases[i].spec,
				  ret, e.msg, cases[i].message);
			return;
		}
	}
}

TEST(geometry_format_reads_back)
{
	struct geometry a, b;
	struct muse_error e;
	char text[512];

	CHECK_INT(parse("nand-2k,oobfree=2:6+16:10,oobecc=40:24,size=8m", &a, &e), 0);
	geometry_format(&a, text, sizeof(text));
	CHECK_INT(parse(text, &b, &e), 0);
	CHECK_MEM(&a, &b, sizeof(a));
	CHECK_INT(parse("nor-64k,size=4m", &a, &e), 0);
	geometry_format(&a, text, sizeof(text));
	CHECK_INT(parse(text, &b, &e), 0);
	CHECK_MEM(&a, &b, sizeof(a));
}
