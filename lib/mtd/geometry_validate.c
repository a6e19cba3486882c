/*
 * geometry_validate.c - whether a geometry describes a chip the kernel
 * (MUSE, nand_base, UBI) and the flash model can both work with, with a
 * message that names the value that is not (see geometry.h).
 */
#include "geometry.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int validate_layout(const struct geometry *g, const char *key,
			   const struct oob_layout *l, struct muse_error *e)
{
	if (l->count > GEOMETRY_MAX_OOB_REGIONS)
		return muse_fail(e, -EINVAL, "geometry: more than %d %s regions",
				 GEOMETRY_MAX_OOB_REGIONS, key);
	for (uint32_t i = 0; i < l->count; i++) {
		const struct oob_region *r = &l->region[i];

		if (r->offset >= g->oob_size || r->length > g->oob_size - r->offset)
			return muse_fail(e, -EINVAL,
					 "geometry: %s region %" PRIu32 ":%" PRIu32
					 " lies outside the %" PRIu32 " byte OOB",
					 key, r->offset, r->length, g->oob_size);
		for (uint32_t j = 0; j < i; j++) {
			const struct oob_region *o = &l->region[j];

			if (r->offset < o->offset + o->length &&
			    o->offset < r->offset + r->length)
				return muse_fail(e, -EINVAL,
						 "geometry: %s regions overlap at byte %" PRIu32,
						 key, r->offset);
		}
	}
	return 0;
}

/* What no chip has: pages or blocks too large, too many blocks */
static int validate_bounds(const struct geometry *g, struct muse_error *e)
{
	if (g->page_size > GEOMETRY_MAX_PAGE)
		return muse_fail(e, -EINVAL, "geometry: page=%" PRIu32 " exceeds %u",
				 g->page_size, GEOMETRY_MAX_PAGE);
	if (geometry_is_nand(g) && !g->oob_size)
		return muse_fail(e, -EINVAL, "geometry: NAND has an OOB area (oob=0)");
	if (geometry_is_nand(g) && g->page_size < GEOMETRY_MIN_NAND_PAGE)
		return muse_fail(e, -EINVAL, "geometry: NAND pages are at least %u bytes"
				 " (page=%" PRIu32 ")", GEOMETRY_MIN_NAND_PAGE, g->page_size);
	if (g->block_size > GEOMETRY_MAX_BLOCK)
		return muse_fail(e, -EINVAL, "geometry: block=%" PRIu32 " exceeds %u",
				 g->block_size, GEOMETRY_MAX_BLOCK);
	if (g->size / g->block_size > GEOMETRY_MAX_BLOCKS)
		return muse_fail(e, -EINVAL, "geometry: size=%" PRIu64 " is more than %u"
				 " blocks", g->size, GEOMETRY_MAX_BLOCKS);
	return 0;
}

static int validate_sizes(const struct geometry *g, struct muse_error *e)
{
	if (g->type != FLASH_NAND && g->type != FLASH_MLC_NAND &&
	    g->type != FLASH_NOR && g->type != FLASH_RAM)
		return muse_fail(e, -EINVAL, "geometry: unknown flash type %d", (int)g->type);
	if (!is_pow2(g->page_size))
		return muse_fail(e, -EINVAL,
				 "geometry: page=%" PRIu32 " is not a power of two",
				 g->page_size);
	if (!is_pow2(g->block_size) || g->block_size < g->page_size)
		return muse_fail(e, -EINVAL,
				 "geometry: block=%" PRIu32
				 " is not a power-of-two multiple of the page (%" PRIu32 ")",
				 g->block_size, g->page_size);
	if (!g->size || g->size % g->block_size)
		return muse_fail(e, -EINVAL,
				 "geometry: size=%" PRIu64
				 " is not a non-zero multiple of the block (%" PRIu32 ")",
				 g->size, g->block_size);
	if (validate_bounds(g, e))
		return -EINVAL;
	if (!is_pow2(g->writebuf_size) || g->writebuf_size < g->page_size ||
	    g->writebuf_size > g->block_size)
		return muse_fail(e, -EINVAL,
				 "geometry: writebuf=%" PRIu32
				 " is not a power-of-two multiple of the page (%" PRIu32
				 ") within a block",
				 g->writebuf_size, g->page_size);
	return 0;
}

static int validate_nand(const struct geometry *g, struct muse_error *e)
{
	bool nand = geometry_is_nand(g);

	if (!nand && g->oob_size)
		return muse_fail(e, -EINVAL,
				 "geometry: %s flash has no OOB (oob=%" PRIu32 ")",
				 flash_type_name(g->type), g->oob_size);
	if (g->oob_size >= g->page_size)
		return muse_fail(e, -EINVAL,
				 "geometry: oob=%" PRIu32
				 " is not smaller than the page (%" PRIu32 ")",
				 g->oob_size, g->page_size);
	if (!is_pow2(g->subpage_size) || g->subpage_size > g->page_size ||
	    g->page_size / g->subpage_size > 128)
		return muse_fail(e, -EINVAL,
				 "geometry: subpage=%" PRIu32
				 " is not a power of two dividing the page (%" PRIu32 ")",
				 g->subpage_size, g->page_size);
	if (g->subpage_size < g->page_size && !nand)
		return muse_fail(e, -EINVAL,
				 "geometry: %s flash has no subpages (subpage=%" PRIu32 ")",
				 flash_type_name(g->type), g->subpage_size);
	if (g->subpage_size < g->page_size && g->type == FLASH_MLC_NAND)
		return muse_fail(e, -EINVAL,
				 "geometry: MLC NAND has no subpages (subpage=%" PRIu32 ")",
				 g->subpage_size);
	if (g->type == FLASH_MLC_NAND && g->nop != 1)
		return muse_fail(e, -EINVAL,
				 "geometry: MLC NAND allows one program per page (nop=%" PRIu32 ")",
				 g->nop);
	if (g->subpage_size < g->page_size && g->nop && g->nop < 2)
		return muse_fail(e, -EINVAL,
				 "geometry: subpage=%" PRIu32 " needs nop >= 2 (nop=%" PRIu32 ")",
				 g->subpage_size, g->nop);
	return 0;
}

static int validate_ecc(const struct geometry *g, struct muse_error *e)
{
	if (!g->ecc_strength) {
		if (g->bitflip_threshold)
			return muse_fail(e, -EINVAL,
					 "geometry: threshold=%" PRIu32 " needs ecc",
					 g->bitflip_threshold);
		return 0;
	}
	if (!is_pow2(g->ecc_step) || g->ecc_step > g->page_size)
		return muse_fail(e, -EINVAL,
				 "geometry: ECC step %" PRIu32
				 " is not a power of two dividing the page (%" PRIu32 ")",
				 g->ecc_step, g->page_size);
	if (g->ecc_strength > g->ecc_step * 8)
		return muse_fail(e, -EINVAL,
				 "geometry: ECC strength %" PRIu32
				 " exceeds the bits of a %" PRIu32 " byte step",
				 g->ecc_strength, g->ecc_step);
	if (g->bitflip_threshold > g->ecc_strength)
		return muse_fail(e, -EINVAL,
				 "geometry: threshold=%" PRIu32 " exceeds the ECC strength %" PRIu32,
				 g->bitflip_threshold, g->ecc_strength);
	return 0;
}

static int validate_oob(const struct geometry *g, struct muse_error *e)
{
	int ret = validate_layout(g, "oobfree", &g->oobfree, e);

	if (!ret)
		ret = validate_layout(g, "oobecc", &g->oobecc, e);
	if (ret)
		return ret;
	if (geometry_oob_avail(g) > g->oob_size)
		return muse_fail(e, -EINVAL,
				 "geometry: oobavail %" PRIu32 " exceeds oob=%" PRIu32,
				 geometry_oob_avail(g), g->oob_size);
	for (uint32_t i = 0; i < g->oobecc.count; i++) {
		for (uint32_t j = 0; j < g->oobfree.count; j++) {
			const struct oob_region *a = &g->oobecc.region[i];
			const struct oob_region *b = &g->oobfree.region[j];

			if (a->offset < b->offset + b->length &&
			    b->offset < a->offset + a->length)
				return muse_fail(e, -EINVAL,
						 "geometry: oobecc and oobfree overlap at byte %" PRIu32,
						 a->offset > b->offset ? a->offset : b->offset);
		}
	}
	return 0;
}

int geometry_validate(const struct geometry *g, struct muse_error *e)
{
	int ret = validate_sizes(g, e);

	if (!ret)
		ret = validate_nand(g, e);
	if (!ret)
		ret = validate_ecc(g, e);
	if (!ret)
		ret = validate_oob(g, e);
	return ret;
}
