/*
 * flash_backend.h - a struct muse_backend that serves requests straight from a
 * flash model, reporting flash rule violations on a stream; with a fault
 * engine (faults.h), requests go through it and its events are printed.
 */
#ifndef MUSE_FLASH_BACKEND_H
#define MUSE_FLASH_BACKEND_H

#include <stdio.h>

#include "flash.h"
#include "backend.h"
#include "faults.h"

struct flash_backend {
	struct flash *flash;
	uint8_t *scratch;	/* one OOB area */
	struct faults *faults;	/* NULL: none */
	uint64_t seq;		/* ops so far, numbered as a trace would */
};

int flash_backend_init(struct flash_backend *fb, struct flash *f,
		       struct muse_backend *be);
void flash_backend_release(struct flash_backend *fb);

/* Serves through @fa from now on, printing its events on stderr. */
void flash_backend_set_faults(struct flash_backend *fb, struct faults *fa);

/* A fault_event_fn that prints one line per event to a FILE * */
void flash_log_fault(void *stream, const struct fault_event *ev);

/* A flash_violation_fn that prints one line per violation to a FILE * */
void flash_log_violation(void *stream, const struct flash_violation *v);

const char *flash_violation_name(enum flash_violation_kind kind);

/* The bad blocks of @f as "3,17-19,200"; -E2BIG if @size is too small. */
int muse_bad_block_list(const struct flash *f, char *buf, size_t size);

#endif
