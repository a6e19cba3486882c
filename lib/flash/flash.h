/*
 * flash.h - the flash model: what a chip holds and how it changes.
 *
 * The chip is stored as a sequence of units: on NAND a unit is a page
 * followed by its OOB; on NOR and RAM it is a run of cells (at least
 * 4 KiB, at least one write buffer).  Physics first:
 *
 *  - a NAND or NOR program ANDs into the cells (a 1 over a 0 changes
 *    nothing), a RAM write overwrites;
 *  - an erase sets a block to 0xFF and clears any damage;
 *  - markbad erases the block and writes the bad block marker (OOB byte 0
 *    of the block's first page), and the bad block table follows the
 *    markers of a loaded dump.
 *
 * Datasheet rules are checked on every program: NOP (programs per page
 * between erases, OOB-only programs included), ascending page order within
 * a NAND block (partial programs of the highest page allowed), and no 1
 * programmed over a 0 in the bytes the caller supplied.  A violation is
 * counted and reported through the callback; the program still happens,
 * unless the flash is strict, in which case it is refused with -EIO.
 *
 * ECC: the model keeps the intended cells (what was programmed) and, for
 * damaged units only, a mask of the bits where the physical cells differ.
 * Reading an ECC step whose difference is within the strength returns the
 * intended bytes and counts the corrected bits; beyond it, the raw cells
 * and a failed step.  OOB bytes and raw reads always return raw cells.
 *
 * Storage is RAM or a backing file; either way it is a sparse mapping that
 * holds the bitwise complement of the cells, so never-programmed regions
 * are holes and a large chip costs only what is programmed (in memory:
 * ever programmed, since erased pages are kept for speed).
 */
#ifndef MUSE_FLASH_H
#define MUSE_FLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "geometry.h"
#include "mtd_io.h"

struct flash;

enum flash_violation_kind {
	FLASH_VIOLATION_NOP,
	FLASH_VIOLATION_ORDER,
	FLASH_VIOLATION_ONE_OVER_ZERO,
	FLASH_VIOLATION_KINDS
};

struct flash_violation {
	enum flash_violation_kind kind;
	uint64_t block;
	uint32_t page;		/* page within the block (NAND), else 0 */
	uint32_t detail;	/* programs so far, highest page, or bits */
};

typedef void (*flash_violation_fn)(void *ctx, const struct flash_violation *v);

struct flash_options {
	const char *backing_path;	/* NULL: anonymous memory */
	bool strict;
	flash_violation_fn on_violation;
	void *ctx;
};

struct flash_stats {
	uint64_t programs;
	uint64_t erases;
	uint64_t markbads;
	uint64_t violations[FLASH_VIOLATION_KINDS];
};


int flash_create(const struct geometry *g, const struct flash_options *opt,
		 struct flash **out, struct muse_error *e);
void flash_destroy(struct flash *f);

const struct geometry *flash_geometry(const struct flash *f);

/* Replaces the violation callback given at creation. */
void flash_set_violation_handler(struct flash *f, flash_violation_fn fn,
				 void *ctx);

/* Applies one program operation; 0, -EIO (strict violation) or -EINVAL. */
int flash_program(struct flash *f, const struct flash_program *p);

/* Erases @block; -EIO for a bad block, as nand_base refuses those. */
int flash_erase(struct flash *f, uint64_t block);

int flash_is_bad(const struct flash *f, uint64_t block);
int flash_mark_bad(struct flash *f, uint64_t block);
uint32_t flash_bad_count(const struct flash *f);

/* In-band bytes at @addr (within one page on NAND), through ECC unless @raw */
void flash_read_data(struct flash *f, uint64_t addr, uint32_t len, bool raw,
		     uint8_t *out, struct flash_ecc *ecc);

/* The whole OOB area of NAND page @page, as the cells hold it */
void flash_read_oob_area(struct flash *f, uint64_t page, uint8_t *out);

/* Flushes a backing file to disk. */
int flash_sync(struct flash *f);

void flash_get_stats(const struct flash *f, struct flash_stats *s);

/*
 * Everything that changes from flash_undo_begin() on (cells, program
 * counts, bad blocks, damage, unstable reads, counters) is taken back by
 * flash_undo_end().  One at a time per flash: -EBUSY for a second;
 * -ENOMEM.
 */
int flash_undo_begin(struct flash *f);
void flash_undo_end(struct flash *f);

#endif
