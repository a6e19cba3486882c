/*
 * flash_backend.h - a struct muse_backend that serves requests straight from a
 * flash model, reporting flash rule violations on a stream.
 */
#ifndef MUSE_FLASH_BACKEND_H
#define MUSE_FLASH_BACKEND_H

#include <stdio.h>

#include "flash.h"
#include "backend.h"

struct flash_backend {
	struct flash *flash;
	uint8_t *scratch;	/* one OOB area */
};

int flash_backend_init(struct flash_backend *fb, struct flash *f,
		       struct muse_backend *be);
void flash_backend_release(struct flash_backend *fb);

/* A flash_violation_fn that prints one line per violation to a FILE * */
void flash_log_violation(void *stream, const struct flash_violation *v);

const char *flash_violation_name(enum flash_violation_kind kind);

/* The bad blocks of @f as "3,17-19,200"; -E2BIG if @size is too small. */
int muse_bad_block_list(const struct flash *f, char *buf, size_t size);

#endif
