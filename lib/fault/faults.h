/*
 * faults.h - a flash that fails the way worn and damaged flash fails.
 *
 * The fault engine stands in front of a flash model and carries out a
 * fault plan (fault_plan.h) on the requests that reach it: it applies an
 * operation, or fails it with -EIO and leaves the cells as a failed
 * program or erase leaves them, and it changes cells as reads and time
 * go by.  Every change to the cells is an event handed to a callback:
 * the unit it touched and that unit's whole damage mask afterwards (see
 * flash_set_damage()), so a trace that keeps the events rebuilds exactly
 * the cells the kernel saw, without running the plan again.
 *
 * Cells a fault changes are damage, never the intended contents: ECC sees
 * them (corrected within the strength, -EUCLEAN at the threshold,
 * -EBADMSG beyond), as on a real chip.  A failed program or erase leaves
 * the intended cells as they were and flips some of the bits it would
 * have changed.
 */
#ifndef MUSE_FAULTS_H
#define MUSE_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "fault_plan.h"
#include "flash.h"

struct fault_event {
	uint64_t seq;		/* takes effect after op @seq (0: before any) */
	enum fault_kind kind;
	uint64_t block;
	bool has_unit;
	uint64_t addr;		/* the unit's first in-band byte */
	const uint8_t *mask;	/* its damage now, flash_unit_size() bytes */
	uint32_t bits;		/* cells this fault changed */
	bool bad;		/* the block reads as bad from now on */
};

typedef void (*fault_event_fn)(void *ctx, const struct fault_event *ev);

struct faults;

int faults_create(const struct fault_plan *p, struct flash *f,
		  struct faults **out, struct muse_error *e);
void faults_destroy(struct faults *fa);
void faults_set_handler(struct faults *fa, fault_event_fn fn, void *ctx);

/* The most events one request can cause (a failed erase: one per unit) */
unsigned faults_max_events(const struct faults *fa);

/*
 * The requests, in the order the flash sees them.  @seq is the number
 * the op gets in the trace; a read passes the last op's.  Each returns
 * what the chip answers: 0, or -EIO for a failed program or erase.
 */
int faults_program(struct faults *fa, const struct flash_program *p,
		   uint64_t seq);
int faults_erase(struct faults *fa, uint64_t block, uint64_t seq);
int faults_mark_bad(struct faults *fa, uint64_t block, uint64_t seq);
int faults_is_bad(struct faults *fa, uint64_t block);
/* After a read of @io was served: the disturbance it causes */
void faults_after_read(struct faults *fa, const struct flash_io *io,
		       uint64_t seq);

struct fault_stats {
	uint64_t events[FAULT_KINDS];
	uint64_t failed_programs;
	uint64_t failed_erases;
};

void faults_get_stats(const struct faults *fa, struct fault_stats *s);

/* One line describing @ev, for logs: "op 12: program-fail block 3 ..." */
void fault_event_describe(const struct fault_event *ev, char *buf,
			  size_t size);

#endif
