/*
 * mtd_io.h - what an MTD request is, before any flash serves it.
 *
 * A request has the shape of struct mtd_oob_ops: in-band bytes at an
 * address and/or OOB bytes of the same pages (see oob.h for how OOB bytes
 * spread over pages).  Requests are checked as nand_base would check them;
 * a write is split into the chip's program operations (one per NAND page,
 * one per NOR write buffer, one per storage unit on RAM) so that each can
 * be journaled and applied on its own: each one is a possible cut point.
 * The protocol server, the flash model and the trace all speak these
 * types, so they live below all three.
 */
#ifndef MUSE_MTD_IO_H
#define MUSE_MTD_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "geometry.h"
#include "oob.h"

/*
 * One program operation of the chip: a NAND page program (in-band bytes
 * at addr..addr+len of one page, and/or OOB bytes of that page at
 * oob_offset, addressed as in PLACE mode), a NOR write-buffer program or
 * a RAM write.  With oob_auto set only the bytes of the span that lie in
 * free OOB regions were supplied; the others are 0xFF filler.
 */
struct flash_program {
	uint64_t addr;
	uint32_t len;
	const uint8_t *data;
	uint32_t oob_offset;
	uint32_t ooblen;
	const uint8_t *oob;
	bool oob_auto;
};

struct flash_ecc {
	uint32_t corrected;
	uint32_t failed;
	uint32_t max_bitflips;
};

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

/* The OOB bytes of @io after the first @done that go to the next page */
struct oob_share {
	uint32_t offs;	/* in the mode's addressing */
	uint32_t n;
};

struct oob_share flash_io_oob_share(const struct geometry *g,
				    const struct flash_io *io, uint32_t done);

#endif
