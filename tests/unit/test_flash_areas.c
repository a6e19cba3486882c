/*
 * test_flash_areas.c - decoding UBI and UBIFS from a trace's programs:
 * headers, volumes, LEBs and UBIFS areas by the superblock's sizes, and
 * magic numbers in file data taken for nothing.
 */
#include "test.h"
#include "trace_fixture.h"

#include <string.h>

#include "flash_areas.h"

#define PAGE 2048
#define BLOCK 131072

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void le32_put(uint8_t *p, uint32_t v)
{
	p[3] = (uint8_t)(v >> 24), p[2] = (uint8_t)(v >> 16), p[1] = (uint8_t)(v >> 8);
	p[0] = (uint8_t)v;
}

static uint8_t pages[8][PAGE];

/*
 * Block 2: EC header, VID (volume 0, LEB 0), the UBIFS superblock (log 4,
 * LPT 2, orphan 1 LEBs).  Block 3: VID of LEB 5 (log), data; block 4: VID
 * of LEB 9 (orphan), then data holding "UBI!" where UBI never puts it;
 * block 3 erased.
 */
static struct trace *areas_trace(void)
{
	uint8_t *ec = pages[0], *vid0 = pages[1], *sb = pages[2], *vid5 = pages[3],
		*vid9 = pages[4], *data = pages[5];
	struct muse_error e;
	struct trace *t;
	char path[512];

	memcpy(ec, "UBI#", 4);
	be32_put(ec + 16, PAGE);	/* VID header offset */
	be32_put(ec + 20, 2 * PAGE);	/* data offset */
	memcpy(vid0, "UBI!", 4);
	memcpy(vid5, "UBI!", 4);
	be32_put(vid5 + 12, 5);
	memcpy(vid9, "UBI!", 4);
	be32_put(vid9 + 12, 9);
	le32_put(sb, 0x06101831);
	sb[20] = 6;
	le32_put(sb + 56, 4);
	le32_put(sb + 60, 2);
	le32_put(sb + 64, 1);
	memcpy(data + 64, "UBI!", 4);
	snprintf(path, sizeof(path), "%s/areas.db", test_tmpdir());
	t = new_trace(path);
	if (!t)
		return NULL;
	trace_begin(t);
	add_page_op(t, 1, TRACE_ERASE, 2 * BLOCK, NULL);
	add_page_op(t, 2, TRACE_PROGRAM, 2 * BLOCK, ec);
	add_page_op(t, 3, TRACE_PROGRAM, 2 * BLOCK + PAGE, vid0);
	add_page_op(t, 4, TRACE_PROGRAM, 2 * BLOCK + 2 * PAGE, sb);
	add_page_op(t, 5, TRACE_PROGRAM, 3 * BLOCK + PAGE, vid5);
	add_page_op(t, 6, TRACE_PROGRAM, 3 * BLOCK + 2 * PAGE, data);
	add_page_op(t, 7, TRACE_PROGRAM, 4 * BLOCK + PAGE, vid9);
	add_page_op(t, 8, TRACE_PROGRAM, 4 * BLOCK + 2 * PAGE, data);
	add_page_op(t, 9, TRACE_PROGRAM, 4 * BLOCK + 3 * PAGE, data);
	add_page_op(t, 10, TRACE_ERASE, 3 * BLOCK, NULL);
	add_page_op(t, 11, TRACE_PROGRAM, 3 * BLOCK + 2 * PAGE, data);
	trace_commit(t, &e);
	return t;
}

static int note(void *ctx, const struct trace_op *op, const struct op_area *a)
{
	char *got = ctx, one[64];

	snprintf(one, sizeof(one), "%llu:%s:%lld/%lld\n", (unsigned long long)op->seq,
		 area_name(a->area), (long long)a->vol_id, (long long)a->lnum);
	strcat(got, one);
	return 0;
}

TEST(flash_areas_decode_ubi_and_ubifs)
{
	struct trace *t = areas_trace();
	struct geometry g;
	struct muse_error e;
	char got[2048] = "";

	CHECK(t);
	CHECK_INT(geometry_parse("nand-2k,size=1m", &g, &e), 0);
	CHECK_INT(flash_areas_walk(t, &g, note, got, &e), 0);
	CHECK_STR(got,
		  "1:unknown:-1/-1\n"
		  "2:UBI EC header:-1/-1\n"
		  "3:UBI VID header:0/0\n"
		  "4:UBIFS superblock:0/0\n"
		  "5:UBI VID header:0/5\n"
		  "6:UBIFS log:0/5\n"
		  "7:UBI VID header:0/9\n"
		  "8:UBIFS orphan:0/9\n"
		  "9:UBIFS orphan:0/9\n"
		  "10:UBIFS log:0/5\n"
		  "11:unknown:-1/-1\n");
	trace_close(t, NULL);
}
