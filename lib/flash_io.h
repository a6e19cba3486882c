/*
 * flash_io.h - MTD reads and writes on the flash model.
 *
 * A request has the shape of struct mtd_oob_ops: in-band bytes at an
 * address and/or OOB bytes of the same pages (see oob.h for how OOB bytes
 * spread over pages).  Requests are checked as nand_base would check them;
 * a write is split into the chip's program operations (one per NAND page,
 * one per NOR write buffer, one per storage unit on RAM) so that each can
 * be journaled and applied on its own: each one is a possible cut point.
 */
#ifndef MUSE_FLASH_IO_H
#define MUSE_FLASH_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "flash.h"
#include "oob.h"

struct flash_io {
	uint64_t addr;
	uint32_t len;
	uint32_t ooblen;
	uint32_t ooboffs;
	enum oob_mode mode;
};

/* -EINVAL (with a message naming the problem) if @io is not acceptable */
int flash_io_check(const struct geometry *g, const struct flash_io *io,
		   bool write, struct muse_error *e);

typedef int (*flash_program_fn)(void *ctx, const struct flash_program *p);

/*
 * Calls @fn for each program operation of a checked write, in order, and
 * stops at the first error, which it returns.  @scratch holds one OOB area
 * (oob_size bytes); program operations may point into it.
 */
int flash_io_split_write(const struct geometry *g, const struct flash_io *io,
			 const uint8_t *data, const uint8_t *oob,
			 uint8_t *scratch, flash_program_fn fn, void *ctx);

/* Reads a checked request; ECC results of in-band data go to @ecc. */
void flash_io_read(struct flash *f, const struct flash_io *io, uint8_t *data,
		   uint8_t *oob, struct flash_ecc *ecc);

/* Applies a checked write to @f directly. */
int flash_io_write(struct flash *f, const struct flash_io *io,
		   const uint8_t *data, const uint8_t *oob, uint8_t *scratch);

#endif
