/*
 * backend.h - what the protocol server asks of the flash behind it.
 *
 * The single interface through which requests reach a flash: the flash
 * model (flash_backend.h), or the recorder that journals each program
 * operation before applying it.  Requests arrive checked (mtd_io.h).
 */
#ifndef MUSE_BACKEND_H
#define MUSE_BACKEND_H

#include <stdint.h>

#include "mtd_io.h"

struct muse_backend {
	void *ctx;
	void (*read)(void *ctx, const struct flash_io *io, uint8_t *data,
		     uint8_t *oob, struct flash_ecc *ecc);
	int (*write)(void *ctx, const struct flash_io *io, const uint8_t *data,
		     const uint8_t *oob);
	int (*erase)(void *ctx, uint64_t block);
	int (*is_bad)(void *ctx, uint64_t block);
	int (*mark_bad)(void *ctx, uint64_t block);
	int (*sync)(void *ctx);
};

#endif
