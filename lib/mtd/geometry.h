/*
 * geometry.h - what a flash chip looks like: sizes, OOB layout, ECC, and
 * the datasheet rules (NOP, page order) the flash model enforces.
 *
 * A geometry is written as a preset name optionally followed by key=value
 * overrides ("nand-2k,size=16m"), or as key=value pairs alone
 * ("type=nand,page=2048,oob=64,block=128k,size=64m,subpage=512,nop=4,
 * ecc=4/512").  geometry_parse() fills in what depends on the keys given
 * (OOB layout from the ECC, bitflip threshold, ...) and validates the
 * result; every rejection names the offending value.  The keys are
 * listed in docs/flash-model.md, "Geometry".
 */
#ifndef MUSE_GEOMETRY_H
#define MUSE_GEOMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum flash_type {
	FLASH_NAND,
	FLASH_MLC_NAND,
	FLASH_NOR,
	FLASH_RAM,
};

#define GEOMETRY_MAX_OOB_REGIONS 16

/*
 * Bounds no real chip reaches (pages of at most 16 KiB plus OOB, a few
 * million blocks), which the MUSE driver enforces too
 * (docs/protocol.md): a geometry beyond them is a typo.
 */
#define GEOMETRY_MIN_NAND_PAGE 512u
#define GEOMETRY_MAX_PAGE (64u * 1024)
#define GEOMETRY_MAX_BLOCK (64u * 1024 * 1024)
#define GEOMETRY_MAX_BLOCKS (1u << 24)
#define GEOMETRY_NAME_MAX 64

struct oob_region {
	uint32_t offset;
	uint32_t length;
};

struct oob_layout {
	struct oob_region region[GEOMETRY_MAX_OOB_REGIONS];
	uint32_t count;
};

struct geometry {
	enum flash_type type;
	uint64_t size;
	uint32_t page_size;
	uint32_t block_size;
	uint32_t writebuf_size;
	uint32_t oob_size;
	uint32_t subpage_size;
	/* programs allowed per page between erases; 0 means no limit */
	uint32_t nop;
	/* NAND: pages of a block must be programmed in ascending order */
	bool page_order;
	/* correctable bits per ecc_step bytes; 0 means no ECC */
	uint32_t ecc_strength;
	uint32_t ecc_step;
	uint32_t bitflip_threshold;
	struct oob_layout oobfree;
	struct oob_layout oobecc;
};

/* Parses and validates @spec; on error @g is unspecified. */
int geometry_parse(const char *spec, struct geometry *g, struct muse_error *e);

int geometry_validate(const struct geometry *g, struct muse_error *e);

/* The canonical key=value form, which geometry_parse() reads back. */
int geometry_format(const struct geometry *g, char *buf, size_t size);

const char *flash_type_name(enum flash_type type);

static inline bool geometry_is_nand(const struct geometry *g)
{
	return g->type == FLASH_NAND || g->type == FLASH_MLC_NAND;
}

static inline uint32_t geometry_pages_per_block(const struct geometry *g)
{
	return g->block_size / g->page_size;
}

static inline uint64_t geometry_blocks(const struct geometry *g)
{
	return g->size / g->block_size;
}

static inline uint64_t geometry_pages(const struct geometry *g)
{
	return g->size / g->page_size;
}

static inline uint32_t geometry_oob_avail(const struct geometry *g)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i < g->oobfree.count; i++)
		sum += g->oobfree.region[i].length;
	return sum;
}

/* Minimum in-band write unit: the subpage on NAND, the page otherwise. */
static inline uint32_t geometry_min_io(const struct geometry *g)
{
	return g->subpage_size;
}

/*
 * In-band bytes per storage unit of the flash model: the page on NAND; on
 * NOR and RAM 4 KiB or the write buffer if larger, within a block.
 */
static inline uint32_t geometry_unit_data(const struct geometry *g)
{
	uint32_t n = g->writebuf_size > 4096 ? g->writebuf_size : 4096;

	if (geometry_is_nand(g))
		return g->page_size;
	return n < g->block_size ? n : g->block_size;
}

/* True if the key=value list in @spec sets @key itself */
bool geometry_spec_sets(const char *spec, const char *key);

#endif
