/*
 * flash_io.h - MTD requests (mtd_io.h) served by the flash model.
 */
#ifndef MUSE_FLASH_IO_H
#define MUSE_FLASH_IO_H

#include <stdint.h>

#include "flash.h"
#include "mtd_io.h"

/* Reads a checked request; ECC results of in-band data go to @ecc. */
void flash_io_read(struct flash *f, const struct flash_io *io, uint8_t *data,
		   uint8_t *oob, struct flash_ecc *ecc);

/* Applies a checked write to @f directly. */
int flash_io_write(struct flash *f, const struct flash_io *io,
		   const uint8_t *data, const uint8_t *oob, uint8_t *scratch);

#endif
