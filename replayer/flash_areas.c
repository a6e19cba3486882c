/*
 * flash_areas.c - decoding UBI and UBIFS from a trace's programs (see
 * flash_areas.h).  The layouts are those of the kernel's ubi-media.h and
 * ubifs-media.h; only the fields read here are named.
 */
#include "flash_areas.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace_query.h"

#define UBI_EC_MAGIC	0x55424923	/* "UBI#" */
#define UBI_VID_MAGIC	0x55424921	/* "UBI!" */
#define UBIFS_MAGIC	0x06101831
#define UBIFS_SB_TYPE	6
#define UBI_HDR_ALIGN	64	/* headers sit at multiples of this (min. I/O >= 64) */
#define MAX_VOLUMES	128

struct block_state {
	int64_t vol_id, lnum;
};

struct ubifs_layout {
	int64_t vol_id;		/* -1: free slot */
	uint32_t log_lebs, lpt_lebs, orph_lebs;
};

struct walker {
	const struct geometry *g;
	struct block_state *blocks;
	int64_t vid_offset;	/* from the EC headers; -1 until one is seen */
	int64_t data_offset;
	struct ubifs_layout fs[MAX_VOLUMES];
	op_area_fn fn;
	void *ctx;
};

static const char *const names[AREAS] = {
	"unknown", "UBI EC header", "UBI VID header", "UBI volume table", "UBI volume data",
	"UBIFS superblock", "UBIFS master", "UBIFS log", "UBIFS LPT", "UBIFS orphan",
	"UBIFS main",
};

const char *area_name(enum area a)
{
	return (unsigned)a < AREAS ? names[a] : "unknown";
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static struct ubifs_layout *layout_of(struct walker *w, int64_t vol_id, bool add)
{
	for (int i = 0; i < MAX_VOLUMES; i++) {
		if (w->fs[i].vol_id == vol_id)
			return &w->fs[i];
		if (add && w->fs[i].vol_id < 0) {
			w->fs[i].vol_id = vol_id;
			return &w->fs[i];
		}
	}
	return NULL;
}

/* the UBI headers in a program: *area set, the block's LEB noted */
static bool ubi_headers(struct walker *w, const struct flash_program *p, uint32_t off,
			struct block_state *b, enum area *area)
{
	bool found = false;

	for (uint32_t i = 0; i + 24 <= p->len; i += UBI_HDR_ALIGN) {
		uint32_t magic = be32(p->data + i);

		if (magic == UBI_EC_MAGIC && off + i == 0) {
			w->vid_offset = be32(p->data + i + 16);
			w->data_offset = be32(p->data + i + 20);
			*area = AREA_UBI_EC;
			found = true;
		} else if (magic == UBI_VID_MAGIC && off + i == w->vid_offset) {
			/* only where UBI puts it: file data may hold the magic too */
			b->vol_id = be32(p->data + i + 8);
			b->lnum = be32(p->data + i + 12);
			*area = AREA_UBI_VID;
			return true;
		}
	}
	return found;
}

static void read_superblock(struct walker *w, const struct flash_program *p,
			    int64_t vol_id)
{
	struct ubifs_layout *l;

	if (p->len < 68 || le32(p->data) != UBIFS_MAGIC || p->data[20] != UBIFS_SB_TYPE)
		return;
	l = layout_of(w, vol_id, true);
	if (!l)
		return;
	l->log_lebs = le32(p->data + 56);
	l->lpt_lebs = le32(p->data + 60);
	l->orph_lebs = le32(p->data + 64);
}

static enum area ubifs_area(const struct ubifs_layout *l, int64_t lnum)
{
	int64_t log = 3, lpt = log + l->log_lebs, orph = lpt + l->lpt_lebs,
		main = orph + l->orph_lebs;

	return lnum == 0 ? AREA_UBIFS_SB : lnum < log ? AREA_UBIFS_MASTER :
	       lnum < lpt ? AREA_UBIFS_LOG : lnum < orph ? AREA_UBIFS_LPT :
	       lnum < main ? AREA_UBIFS_ORPHAN : AREA_UBIFS_MAIN;
}

static enum area data_area(struct walker *w, const struct flash_program *p, uint32_t off,
			   const struct block_state *b)
{
	struct ubifs_layout *l;

	if (b->vol_id < 0)
		return AREA_UNKNOWN;
	if ((uint64_t)b->vol_id >= UBI_INTERNAL_VOLUMES)
		return AREA_UBI_VTBL;
	if (b->lnum == 0 && w->data_offset >= 0 && off == (uint64_t)w->data_offset)
		read_superblock(w, p, b->vol_id);
	l = layout_of(w, b->vol_id, false);
	return l ? ubifs_area(l, b->lnum) : AREA_UBI_DATA;
}

static int visit(void *ctx, const struct trace_op *op)
{
	struct walker *w = ctx;
	uint64_t block = op->prog.addr / w->g->block_size;
	uint32_t off = (uint32_t)(op->prog.addr % w->g->block_size);
	struct block_state none = { -1, -1 }, *b = block < geometry_blocks(w->g) ?
		&w->blocks[block] : &none;
	struct op_area a = { AREA_UNKNOWN, b->vol_id, b->lnum };

	if (op->kind == TRACE_ERASE) {
		a.area = b->vol_id < 0 ? AREA_UNKNOWN : data_area(w, &op->prog, ~0u, b);
		*b = none;
	} else if (op->kind == TRACE_PROGRAM && op->prog.data) {
		if (!ubi_headers(w, &op->prog, off, b, &a.area))
			a.area = data_area(w, &op->prog, off, b);
		a.vol_id = b->vol_id;
		a.lnum = b->lnum;
	}
	return w->fn(w->ctx, op, &a);
}

int flash_areas_walk(struct trace *t, const struct geometry *g, op_area_fn fn,
		     void *ctx, struct muse_error *e)
{
	struct walker w = { .g = g, .vid_offset = -1, .data_offset = -1, .fn = fn,
			    .ctx = ctx };
	uint64_t blocks = geometry_blocks(g);
	int ret;

	w.blocks = malloc(blocks * sizeof(*w.blocks));
	if (!w.blocks)
		return muse_fail(e, -ENOMEM, "out of memory");
	for (uint64_t i = 0; i < blocks; i++)
		w.blocks[i] = (struct block_state){ -1, -1 };
	for (int i = 0; i < MAX_VOLUMES; i++)
		w.fs[i].vol_id = -1;
	ret = trace_for_each_op(t, 1, trace_last_seq(t), visit, &w, e);
	free(w.blocks);
	return ret;
}
