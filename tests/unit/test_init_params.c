/*
 * test_init_params.c - the MUSE_INIT reply a daemon sends, byte for byte.
 */
#define _GNU_SOURCE
#include "test.h"

#include <errno.h>

#include "init_params.h"

TEST(init_params_for_the_kernel)
{
	static const char want[] =
		"name=chip\0type=nand\0size=16777216\0erasesize=131072\0"
		"writesize=2048\0writebufsize=2048\0oobsize=64\0oobavail=34\0"
		"oobfree=2:34\0oobecc=36:28\0subpage_shift=2\0ecc_strength=4\0"
		"ecc_step=512\0bitflip_threshold=3\0badblocks=3,17-19\0"
		"readcache=64\0readahead=32\0mtdparts=1m(a),-(b)";
	struct muse_init_extras x = { .name = "chip", .mtdparts = "1m(a),-(b)",
				      .badblocks = "3,17-19", .readcache = 64,
				      .readahead = 32 };
	struct geometry g;
	struct muse_error e;
	char buf[4096];
	int n;

	CHECK_INT(geometry_parse("nand-2k,size=16m", &g, &e), 0);
	n = muse_init_params(&g, &x, buf, sizeof(buf), &e);
	CHECK_INT(n, sizeof(want));
	CHECK_MEM(buf, want, sizeof(want));
	CHECK_INT(muse_init_params(&g, &x, buf, 64, &e), -E2BIG);
	x.name = "";
	CHECK_INT(muse_init_params(&g, &x, buf, sizeof(buf), &e), -EINVAL);
}

TEST(init_params_nor_has_no_nand_keys)
{
	static const char want[] =
		"name=n\0type=nor\0size=8388608\0erasesize=65536\0writesize=1\0"
		"writebufsize=64";
	struct muse_init_extras x = { .name = "n", .badblocks = "",
				      .readcache = 64, .readahead = 8 };
	struct geometry g;
	struct muse_error e;
	char buf[4096];

	CHECK_INT(geometry_parse("nor-64k,size=8m", &g, &e), 0);
	CHECK_INT(muse_init_params(&g, &x, buf, sizeof(buf), &e), sizeof(want));
	CHECK_MEM(buf, want, sizeof(want));
}

/* Whether @key=... is among the parameters for @spec */
static bool has_param(const char *spec, const struct muse_init_extras *x,
		      const char *key)
{
	char buf[4096], want[64];
	struct geometry g;
	struct muse_error e;
	int n;

	if (geometry_parse(spec, &g, &e))
		return false;
	n = muse_init_params(&g, x, buf + 1, sizeof(buf) - 1, &e);
	buf[0] = '\0';
	snprintf(want, sizeof(want), "%c%s", 0, key);
	return n > 0 && memmem(buf, (size_t)n + 1, want, strlen(key) + 1);
}

/* No read-ahead without a cache to keep its pages */
TEST(init_params_read_ahead_needs_the_cache)
{
	struct muse_init_extras x = { .name = "c", .readahead = 32 };

	CHECK(!has_param("nand-2k,size=16m", &x, "readahead="));
	x.readcache = 64;
	CHECK(has_param("nand-2k,size=16m", &x, "readahead=32"));
}

TEST(init_params_read_only_clears_writeable)
{
	struct muse_init_extras x = { .name = "ro", .read_only = true };
	struct geometry g;
	struct muse_error e;
	char buf[4096];
	int n;

	CHECK_INT(geometry_parse("nand-2k,size=16m", &g, &e), 0);
	n = muse_init_params(&g, &x, buf, sizeof(buf), &e);
	CHECK(n > 0);
	CHECK(memmem(buf, (size_t)n, "\0flags=0x0\0", 11) != NULL);
	CHECK_INT(geometry_parse("ram,size=1m", &g, &e), 0);
	n = muse_init_params(&g, &x, buf, sizeof(buf), &e);
	CHECK(memmem(buf, (size_t)n, "\0flags=0x1000\0", 14) != NULL);
}
