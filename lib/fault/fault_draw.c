/*
 * fault_draw.c - fault plans drawn from a seed, for fuzzing campaigns
 * (see fault_plan.h).  The ranges are chosen so that each kind shows
 * within a workload of a few thousand ops: a wear limit of a few cycles,
 * a disturb every few reads, a drained cell every few hundred requests.
 */
#include "fault_plan.h"

#include <errno.h>

#include "rng.h"

static uint64_t between(uint64_t *rng, uint64_t lo, uint64_t hi)
{
	return lo + splitmix64(rng) % (hi - lo + 1);
}

static bool fits(enum fault_kind k, const struct geometry *g)
{
	return k != FAULT_GROWN_BAD || geometry_is_nand(g);
}

static void draw_item(uint64_t *rng, enum fault_kind k, const struct geometry *g,
		      uint64_t first_op, uint64_t last_op, struct fault_item *it)
{
	uint32_t pages = g->block_size / geometry_unit_data(g);
	bool at_op = k == FAULT_GROWN_BAD ||
		     ((k == FAULT_PROGRAM_FAIL || k == FAULT_ERASE_FAIL) &&
		      splitmix64(rng) % 2);

	*it = (struct fault_item){ .kind = k, .n = 1 };
	switch (k) {
	case FAULT_WEAR:
		it->where = FAULT_RATE;
		it->value = between(rng, 2, 20);
		return;
	case FAULT_READ_DISTURB:
		it->where = FAULT_RATE;
		it->value = between(rng, 1, 100);
		return;
	case FAULT_RETENTION:
		it->where = FAULT_RATE;
		it->value = between(rng, 20, 2000);
		return;
	default:
		break;
	}
	it->where = at_op ? FAULT_AT_OP : FAULT_ON_BLOCK;
	it->value = at_op ? between(rng, first_op, last_op) :
		    splitmix64(rng) % geometry_blocks(g);
	if (k == FAULT_STUCK_BITS) {
		it->page = (uint32_t)(splitmix64(rng) % pages);
		it->n = (uint32_t)between(rng, 1, g->ecc_strength ? g->ecc_strength : 1);
	}
}

int fault_plan_draw(uint64_t seed, const struct geometry *g, uint64_t first_op,
		    uint64_t last_op, unsigned kinds, struct fault_plan *p)
{
	enum fault_kind usable[FAULT_KINDS];
	uint64_t rng = seed;
	unsigned n = 0, items;

	for (int k = 0; k < FAULT_KINDS; k++)
		if ((kinds & 1u << k) && fits((enum fault_kind)k, g))
			usable[n++] = (enum fault_kind)k;
	if (!n || !first_op || first_op > last_op)
		return -EINVAL;
	*p = (struct fault_plan){ .seed = splitmix64(&rng) % 1000000 };
	items = (unsigned)between(&rng, 1, 3);
	for (unsigned i = 0; i < items; i++)
		draw_item(&rng, usable[splitmix64(&rng) % n], g, first_op, last_op,
			  &p->items[p->count++]);
	return 0;
}
