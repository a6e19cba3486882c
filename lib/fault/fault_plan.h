/*
 * fault_plan.h - what faults a served flash shows, as the user writes it.
 *
 * A plan is a comma-separated list (docs/faults.md):
 *
 *   seed=S                       the seed every drawn fault follows
 *   program-fail@op=K            the first program at or after op K fails
 *   erase-fail@op=K              the first erase at or after op K fails
 *   program-fail@block=B         every program of block B fails
 *   erase-fail@block=B           every erase of block B fails
 *   grown-bad@op=K               the block of the first op at or after K
 *                                fails it and reads as bad from then on
 *   wear=E                       a block fails its programs and erases
 *                                after E erase cycles, spread by the seed
 *                                over [E/2, 3E/2)
 *   read-disturb=R               every R reads of a block flip one more
 *                                bit in the page after the one read
 *   retention=T                  every T requests, one programmed bit of
 *                                a block (more likely the more it was
 *                                erased) loses its charge
 *   stuck-bits@block=B,page=P,n=N  N cells of page P no longer change
 *
 * Ops are numbered as the trace numbers them (program units, erases,
 * markbads, from 1).  The same plan and seed give the same faults for the
 * same requests.
 */
#ifndef MUSE_FAULT_PLAN_H
#define MUSE_FAULT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "geometry.h"

enum fault_kind {
	FAULT_PROGRAM_FAIL,
	FAULT_ERASE_FAIL,
	FAULT_GROWN_BAD,
	FAULT_WEAR,
	FAULT_READ_DISTURB,
	FAULT_RETENTION,
	FAULT_STUCK_BITS,
	FAULT_KINDS
};

/* How an item is placed: at an op, on a block, or at a rate */
enum fault_where {
	FAULT_AT_OP,
	FAULT_ON_BLOCK,
	FAULT_RATE,
};

struct fault_item {
	enum fault_kind kind;
	enum fault_where where;
	uint64_t value;		/* op, block, or the rate's E, R or T */
	uint32_t page;		/* stuck-bits */
	uint32_t n;		/* stuck-bits */
};

#define FAULT_PLAN_MAX 64

struct fault_plan {
	uint64_t seed;
	unsigned count;
	struct fault_item items[FAULT_PLAN_MAX];
};

/*
 * Parses @spec; every item is checked against @g (blocks and pages that
 * exist, rates above zero), with a message naming the item at fault.
 */
int fault_plan_parse(const char *spec, const struct geometry *g,
		     struct fault_plan *p, struct muse_error *e);

/* The canonical form, which fault_plan_parse() reads back. */
int fault_plan_format(const struct fault_plan *p, char *buf, size_t size);

/*
 * A plan drawn from @seed for a fuzzing run: one to three items of the
 * kinds in @kinds (bits 1 << enum fault_kind; those the chip cannot have
 * are left out), at ops in [@first_op, @last_op], on blocks of @g, at
 * rates that show within a short workload.  Stuck cells are at most the
 * ECC strength, so ECC can always correct them.  -EINVAL if no kind fits.
 */
int fault_plan_draw(uint64_t seed, const struct geometry *g, uint64_t first_op,
		    uint64_t last_op, unsigned kinds, struct fault_plan *p);

/* "program-fail", "erase-fail", ... */
const char *fault_kind_name(enum fault_kind kind);
int fault_kind_from_name(const char *name, enum fault_kind *kind);

#endif
