/*
 * flash_raw.h - the back doors of the flash model.
 *
 * flash.h is the chip as a driver sees it: programs and erases checked
 * against the datasheet rules, reads through ECC.  What is here bypasses
 * all of that, for the code that must set or see cells exactly: images
 * loaded and saved, the initial state of a trace, checkpoints, the
 * damage a power cut leaves, and tests.
 */
#ifndef MUSE_FLASH_RAW_H
#define MUSE_FLASH_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "flash.h"

/*
 * Direct access for images and tests, bypassing the rules: the cells of
 * page @page (NAND; @oob may be NULL) or of @len bytes at @addr are set
 * exactly, any damage there is cleared, and the NOP and page order state
 * of the block is recomputed from its contents when next needed.
 */
void flash_load_page(struct flash *f, uint64_t page, const uint8_t *data,
		     const uint8_t *oob);
void flash_load_bytes(struct flash *f, uint64_t addr, const uint8_t *data,
		      uint32_t len);

/* Raw cells of page @page (NAND) or of @len bytes at @addr */
void flash_dump_page(struct flash *f, uint64_t page, uint8_t *data,
		     uint8_t *oob);
void flash_dump_bytes(struct flash *f, uint64_t addr, uint8_t *data,
		      uint32_t len);

/* Rebuilds the bad block table from the markers in the cells. */
void flash_scan_bad_blocks(struct flash *f);

/* Sets @block bad in the table only, leaving the cells alone. */
int flash_set_bad(struct flash *f, uint64_t block);

/*
 * @block reports bad from now on, as a block that went bad in use does,
 * with no marker in its cells yet: a markbad still erases it and writes
 * one (flash_set_bad() blocks are left as they are).
 */
int flash_set_grown_bad(struct flash *f, uint64_t block);

/*
 * A storage unit whole (flash_unit_size() bytes: in-band, then OOB): the
 * raw cells, or set exactly as flash_load_page() does.
 */
uint64_t flash_units(const struct flash *f);
void flash_dump_unit(struct flash *f, uint64_t unit, uint8_t *buf);
void flash_load_unit(struct flash *f, uint64_t unit, const uint8_t *buf);

/*
 * Blocks in stored form, for checkpoints: flash_block_span() bytes of
 * complemented cells (an erased cell is a zero bit), units in order.
 * flash_map_block() sets the cells of @block from @fd at @off: mapped
 * copy-on-write where page alignment allows (writes never reach the
 * file), read otherwise; damage is cleared and the rule state of the
 * block is derived from its contents when next needed.
 */
size_t flash_block_span(const struct flash *f);
const uint8_t *flash_block_stored(const struct flash *f, uint64_t block);
int flash_map_block(struct flash *f, uint64_t block, int fd, uint64_t off);

/*
 * Damage: the physical cells of the storage unit holding @addr differ from
 * the intended ones by @mask (unit_size bytes: the data, then the OOB).
 * An all-zero mask removes the damage.
 */
int flash_set_damage(struct flash *f, uint64_t addr, const uint8_t *mask);

/*
 * Unstable damage: the cells under @mask sit near the read threshold and
 * each read sees every one of them flipped or not, drawn afresh: read k
 * of the unit from (@seed, unit, k) alone.  A step whose draw stays within the ECC
 * strength reads as the intended data; beyond it, as differing raw bits.
 */
int flash_set_unstable(struct flash *f, uint64_t addr, const uint8_t *mask,
		       uint64_t seed);

/*
 * Forgets every unstable unit's reads: the next read of each is read 0
 * again.  A view that must show the same bytes on every read (muse mount)
 * rewinds before each.
 */
void flash_unstable_rewind(struct flash *f);

/*
 * Calls @fn for every unstable unit with how often it was read and how
 * many of those reads ECC could not correct; stops at a non-zero return.
 * Units come in no particular order.
 */
typedef int (*flash_unstable_fn)(void *ctx, uint64_t unit, uint32_t reads,
				 uint32_t failed);
int flash_unstable_history(const struct flash *f, flash_unstable_fn fn,
			   void *ctx);
void flash_get_damage(const struct flash *f, uint64_t addr, uint8_t *mask);
uint32_t flash_unit_size(const struct flash *f);

#endif
