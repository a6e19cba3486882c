/*
 * test_flash_undo.c - taking back every change made to a served state:
 * cells, program counts, page order, bad blocks, damage, unstable reads
 * and counters come back as they were, whatever changed them.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "flash_raw.h"
#include "flash.h"

#define UNITS 512		/* 1 MiB of 2 KiB pages */
#define UNIT (2048 + 64)
#define UNSTABLE 260	/* its reads draw anew: its mask is compared */

struct picture {
	uint8_t cells[UNITS][UNIT];
	int bad[8];
	uint32_t reads[UNITS];
	struct flash_stats stats;
};

static int note_reads(void *ctx, uint64_t unit, uint32_t reads, uint32_t failed)
{
	struct picture *p = ctx;

	(void)failed;
	p->reads[unit] = reads;
	return 0;
}

/* Everything a reader or the rules could tell apart */
static void take(struct flash *f, struct picture *p)
{
	memset(p, 0, sizeof(*p));
	for (uint64_t u = 0; u < UNITS; u++) {
		if (u == UNSTABLE)
			flash_get_damage(f, u * 2048, p->cells[u]);
		else
			flash_dump_unit(f, u, p->cells[u]);
	}
	for (int b = 0; b < 8; b++)
		p->bad[b] = flash_is_bad(f, (uint64_t)b);
	flash_unstable_history(f, note_reads, p);
	flash_get_stats(f, &p->stats);
}

static int program(struct flash *f, uint64_t addr, uint8_t byte, uint32_t len)
{
	uint8_t buf[2048];
	struct flash_program p = { .addr = addr, .len = len, .data = buf };

	memset(buf, byte, len);
	return flash_program(f, &p);
}

static struct flash *make(struct muse_error *e)
{
	struct flash_options opt = { .strict = true };
	struct geometry g;
	struct flash *f = NULL;

	if (geometry_parse("nand-2k,size=1m,subpage=2048,nop=1,order=on", &g, e) ||
	    flash_create(&g, &opt, &f, e)) {
		fprintf(stdout, "    setup: %s\n", e->msg);
		return NULL;
	}
	return f;
}

/* A state with programs, damage and a bad block, as a replay serves */
static void before(struct flash *f)
{
	uint8_t mask[UNIT] = { 0 };

	program(f, 0, 0x11, 2048);
	program(f, 64 * 2048 + 2048 * 3, 0x22, 2048);
	memset(mask, 0xff, 64);
	flash_set_unstable(f, 2048 * UNSTABLE, mask, 9);
	flash_mark_bad(f, 6);
}

/* What a mount, its recovery and a cut do to it while served */
static void during(struct flash *f)
{
	uint8_t mask[UNIT] = { 0 }, page[2048], oob[64];
	struct flash_ecc ecc = { 0 };

	CHECK_INT(flash_erase(f, 0), 0);
	CHECK_INT(program(f, 2048, 0x33, 2048), 0);
	CHECK_INT(flash_erase(f, 1), 0);
	CHECK_INT(program(f, 64 * 2048, 0x44, 512), 0);
	CHECK_INT(flash_mark_bad(f, 2), 0);
	memset(page, 0x55, sizeof(page));
	memset(oob, 0x66, sizeof(oob));
	flash_load_page(f, 200, page, oob);
	flash_load_bytes(f, 300 * 2048 + 7, page, 100);
	mask[9] = 0x80;
	CHECK_INT(flash_set_damage(f, 2048 * 7, mask), 0);
	flash_read_data(f, 2048 * UNSTABLE, 2048, false, page, &ecc);
	flash_read_data(f, 2048 * UNSTABLE, 2048, false, page, &ecc);
}

TEST(flash_undo_takes_back_every_change)
{
	static struct picture a, b, c;
	struct muse_error e;
	struct flash *f = make(&e);

	CHECK(f);
	before(f);
	take(f, &a);
	CHECK_INT(flash_undo_begin(f), 0);
	CHECK_INT(flash_undo_begin(f), -EBUSY);
	during(f);
	take(f, &b);
	CHECK(memcmp(&a, &b, sizeof(a)));
	flash_undo_end(f);
	take(f, &c);
	CHECK_MEM(&c, &a, sizeof(a));
	/* the rules see the page programmed before: NOP 1 refuses it */
	CHECK_INT(program(f, 0, 0x01, 2048), -EIO);
	CHECK_INT(program(f, 2048, 0x01, 2048), 0);
	/* and a second round takes back only its own changes */
	take(f, &a);
	CHECK_INT(flash_undo_begin(f), 0);
	during(f);
	flash_undo_end(f);
	take(f, &c);
	CHECK_MEM(&c, &a, sizeof(a));
	flash_destroy(f);
}

TEST(flash_undo_ends_with_the_flash)
{
	struct muse_error e;
	struct flash *f = make(&e);

	CHECK(f);
	CHECK_INT(flash_undo_begin(f), 0);
	during(f);
	flash_destroy(f);	/* no leak under ASan, nothing restored */
}
