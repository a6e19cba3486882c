/*
 * flash_areas.h - what each op of a trace wrote, as UBI and UBIFS see
 * it: an erase counter or volume identifier header, or the data of
 * which volume and LEB, and for UBIFS the area of the LEB (superblock,
 * master, log, LPT, orphan, main).  Decoded from the trace alone, in op
 * order: UBI's headers say which volume and LEB a block holds until it
 * is erased, and UBIFS's superblock (LEB 0) gives the area sizes.  A
 * trace without UBI (JFFS2, raw) has only unknown areas.
 */
#ifndef MUSE_FLASH_AREAS_H
#define MUSE_FLASH_AREAS_H

#include <stdint.h>

#include "error.h"
#include "geometry.h"
#include "trace.h"

enum area {
	AREA_UNKNOWN,
	AREA_UBI_EC,		/* an erase counter header */
	AREA_UBI_VID,		/* a volume identifier header */
	AREA_UBI_VTBL,		/* UBI's own volumes (volume table, fastmap) */
	AREA_UBI_DATA,		/* a volume whose UBIFS superblock is not known */
	AREA_UBIFS_SB,
	AREA_UBIFS_MASTER,
	AREA_UBIFS_LOG,
	AREA_UBIFS_LPT,
	AREA_UBIFS_ORPHAN,
	AREA_UBIFS_MAIN,
	AREAS
};

const char *area_name(enum area a);

/* volume IDs from here up are UBI's own (volume table, fastmap) */
#define UBI_INTERNAL_VOLUMES (0x7FFFFFFFu - 4096)

struct op_area {
	enum area area;
	int64_t vol_id;		/* -1: not known */
	int64_t lnum;		/* -1: not known */
};

/* Called for every op, payloads included, with what it wrote or erased */
typedef int (*op_area_fn)(void *ctx, const struct trace_op *op, const struct op_area *a);

int flash_areas_walk(struct trace *t, const struct geometry *g, op_area_fn fn,
		     void *ctx, struct muse_error *e);

#endif
