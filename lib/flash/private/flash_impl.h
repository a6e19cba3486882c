/*
 * flash_impl.h - what the flash model's own files share (flash.c, the
 * chip; flash_damage.c, cells that differ from what was programmed;
 * flash_raw.c, the back doors).  Not for use outside lib/flash/.
 */
#ifndef MUSE_FLASH_IMPL_H
#define MUSE_FLASH_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash.h"
#include "flash_raw.h"

#define TOP_ERASED (-1)

struct damage_entry {
	uint64_t unit;
	uint8_t *mask;
	uint64_t unstable;	/* 0, or the seed of its per-read draws */
	uint32_t reads;		/* unstable: reads so far */
	uint32_t failed;	/* unstable: reads ECC could not correct */
};

/* Open-addressing map from unit index to damage mask; small in practice */
struct damage_map {
	struct damage_entry *slots;
	size_t cap;
	size_t count;
};

struct flash {
	struct geometry g;
	struct flash_options opt;
	uint32_t unit_data;	/* in-band bytes per storage unit */
	uint32_t unit_size;	/* unit_data + OOB */
	uint64_t units;
	uint8_t *cells;		/* complemented */
	size_t map_size;
	int fd;
	uint8_t *nop_count;	/* per NAND page, saturating */
	int32_t *top_page;	/* per NAND block: highest page programmed */
	uint8_t *state_unknown;	/* per NAND block: recompute the two above */
	uint8_t *bad;		/* per block */
	uint32_t bad_count;
	struct damage_map damage;
	uint8_t *unstable_view;	/* one unit: this read's unstable bits */
	struct flash_stats stats;
	struct flash_undo *undo;	/* NULL until the first undo */
};

static inline uint8_t *flash_unit_cells(const struct flash *f, uint64_t unit)
{
	return f->cells + unit * f->unit_size;
}

static inline bool flash_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* flash_bits.c: the stored cells are complemented (0: erased) */
void flash_copy_complement(uint8_t *dst, const uint8_t *src, size_t n);
uint32_t flash_bits_and_count(const uint8_t *v, const uint8_t *stored,
			      uint32_t n);
void flash_bits_program(uint8_t *stored, const uint8_t *v, uint32_t n);

/* flash_undo.c: called before the cells of @block change */
void flash_undo_note(struct flash *f, uint64_t block);
void flash_undo_free(struct flash *f);

static inline uint64_t flash_unit_block(const struct flash *f, uint64_t unit)
{
	return unit * f->unit_data / f->g.block_size;
}

/* flash.c */
void flash_forget_block_state(struct flash *f, uint64_t block);
void flash_read_raw(const uint8_t *stored, const uint8_t *mask, uint32_t n,
		    uint8_t *out);

/* flash_damage.c */
const uint8_t *flash_damage_read(struct flash *f, uint64_t unit);
void flash_damage_read_failed(struct flash *f, uint64_t unit);
void flash_damage_filter(struct flash *f, uint64_t first, uint64_t end);
void flash_damage_program(struct flash *f, uint64_t unit, uint32_t off,
			  const uint8_t *v, uint32_t n);

#endif
