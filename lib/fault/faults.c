/*
 * faults.c - the fault engine (see faults.h).
 *
 * Draws come from one seeded stream in request order, so the same plan
 * and seed give the same faults for the same requests.  Counters (erase
 * cycles, reads since the last erase, requests) start at zero when the
 * engine starts.
 */
#include "faults.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_raw.h"
#include "rng.h"

/* a failed erase leaves at most this many units partly erased */
#define ERASE_FAIL_UNITS 64
/* tries to find a programmed bit for retention to drain */
#define RETENTION_TRIES 16

struct stuck {
	uint64_t unit;
	uint32_t n;
	uint32_t *bit;		/* in-band bit positions */
	uint8_t *value;		/* the value each cell is stuck at */
};

struct faults {
	struct fault_plan plan;
	struct flash *f;
	const struct geometry *g;
	uint64_t blocks;
	uint32_t units_per_block;
	uint32_t unit_size;	/* in-band + OOB */
	uint32_t unit_data;	/* in-band */
	uint64_t rng;
	uint32_t *erases;	/* per block, since the engine started */
	uint32_t *reads;	/* per block, since its last erase */
	uint32_t *endurance;	/* per block, with wear=E */
	uint8_t *grown_bad;
	bool fired[FAULT_PLAN_MAX];	/* @op items done */
	uint64_t requests;
	uint32_t max_erases;
	struct stuck *stuck;
	unsigned nstuck;
	uint8_t *before, *after, *mask, *mask0;
	fault_event_fn fn;
	void *ctx;
	struct fault_stats stats;
};

static uint64_t draw(struct faults *fa, uint64_t below)
{
	return below ? splitmix64(&fa->rng) % below : 0;
}

static const struct fault_item *rate_item(const struct faults *fa,
					  enum fault_kind kind)
{
	for (unsigned i = 0; i < fa->plan.count; i++)
		if (fa->plan.items[i].kind == kind &&
		    fa->plan.items[i].where == FAULT_RATE)
			return &fa->plan.items[i];
	return NULL;
}

static void emit(struct faults *fa, struct fault_event *ev)
{
	fa->stats.events[ev->kind]++;
	if (fa->fn)
		fa->fn(fa->ctx, ev);
}

/* ---- cells ------------------------------------------------------------------ */

static uint64_t unit_addr(const struct faults *fa, uint64_t unit)
{
	return unit * fa->unit_data;
}

/* The intended cells of @unit into fa->before, its damage into fa->mask0 */
static void load_unit_state(struct faults *fa, uint64_t unit)
{
	flash_dump_unit(fa->f, unit, fa->before);
	flash_get_damage(fa->f, unit_addr(fa, unit), fa->mask0);
	for (uint32_t i = 0; i < fa->unit_size; i++)
		fa->before[i] ^= fa->mask0[i];
}

/* Damage fa->mask on @unit, and the event saying so */
static void set_mask(struct faults *fa, uint64_t unit, uint64_t seq,
		     enum fault_kind kind, uint32_t bits)
{
	struct fault_event ev = {
		.seq = seq, .kind = kind, .block = unit / fa->units_per_block,
		.has_unit = true, .addr = unit_addr(fa, unit), .mask = fa->mask,
		.bits = bits,
	};

	flash_set_damage(fa->f, ev.addr, fa->mask);
	emit(fa, &ev);
}

/* fa->mask = fa->mask0 plus about half of the bits set in @cand */
static uint32_t flip_some(struct faults *fa, const uint8_t *cand)
{
	uint32_t bits = 0;

	for (uint32_t i = 0; i < fa->unit_size; i++) {
		uint8_t flip = cand[i] & (uint8_t)splitmix64(&fa->rng) &
			       (uint8_t)~fa->mask0[i];

		fa->mask[i] = fa->mask0[i] | flip;
		bits += (uint32_t)__builtin_popcount(flip);
	}
	return bits;
}

/* ---- stuck cells -------------------------------------------------------------- */

static void stuck_refresh(struct faults *fa, const struct stuck *s, uint64_t seq)
{
	load_unit_state(fa, s->unit);
	memcpy(fa->mask, fa->mask0, fa->unit_size);
	for (uint32_t i = 0; i < s->n; i++) {
		uint32_t byte = s->bit[i] / 8;
		uint8_t bit = (uint8_t)(1u << (s->bit[i] % 8));
		uint8_t want = ((fa->before[byte] & bit) ? 1 : 0) ^ s->value[i];

		fa->mask[byte] = (uint8_t)((fa->mask[byte] & ~bit) | (want ? bit : 0));
	}
	if (memcmp(fa->mask, fa->mask0, fa->unit_size))
		set_mask(fa, s->unit, seq, FAULT_STUCK_BITS, s->n);
}

static void stuck_after_op(struct faults *fa, uint64_t block, uint64_t seq)
{
	for (unsigned i = 0; i < fa->nstuck; i++)
		if (fa->stuck[i].unit / fa->units_per_block == block)
			stuck_refresh(fa, &fa->stuck[i], seq);
}

static int stuck_init(struct faults *fa, const struct fault_item *it,
		      struct stuck *s)
{
	uint32_t bits = fa->unit_data * 8;

	s->unit = it->value * fa->units_per_block + it->page;
	s->n = it->n;
	s->bit = calloc(it->n, sizeof(*s->bit));
	s->value = calloc(it->n, 1);
	if (!s->bit || !s->value)
		return -ENOMEM;
	flash_dump_unit(fa->f, s->unit, fa->before);
	for (uint32_t i = 0; i < it->n; i++) {
		uint32_t b;
		bool dup;

		do {
			b = (uint32_t)draw(fa, bits);
			dup = false;
			for (uint32_t j = 0; j < i; j++)
				dup |= s->bit[j] == b;
		} while (dup);
		s->bit[i] = b;
		s->value[i] = (fa->before[b / 8] >> (b % 8)) & 1;
	}
	return 0;
}

/* ---- failed programs and erases ------------------------------------------------ */

static int fail_program(struct faults *fa, const struct flash_program *p,
			uint64_t seq, enum fault_kind kind)
{
	uint64_t unit = p->addr / fa->unit_data;
	uint32_t bits;

	load_unit_state(fa, unit);
	/* what the program would have done, then the cells as they were */
	flash_program(fa->f, p);
	flash_dump_unit(fa->f, unit, fa->after);
	flash_get_damage(fa->f, p->addr, fa->mask);
	for (uint32_t i = 0; i < fa->unit_size; i++)
		fa->after[i] = (uint8_t)(fa->before[i] & ~(fa->after[i] ^ fa->mask[i]));
	flash_load_unit(fa->f, unit, fa->before);
	bits = flip_some(fa, fa->after);
	set_mask(fa, unit, seq, kind, bits);
	fa->stats.failed_programs++;
	return -EIO;
}

static int fail_erase(struct faults *fa, uint64_t block, uint64_t seq,
		      enum fault_kind kind)
{
	uint64_t first = block * fa->units_per_block;
	unsigned touched = 0;

	for (uint32_t u = 0; u < fa->units_per_block && touched < ERASE_FAIL_UNITS; u++) {
		uint32_t bits;

		load_unit_state(fa, first + u);
		for (uint32_t i = 0; i < fa->unit_size; i++)
			fa->after[i] = (uint8_t)~fa->before[i];
		bits = flip_some(fa, fa->after);
		if (bits) {
			set_mask(fa, first + u, seq, kind, bits);
			touched++;
		}
	}
	if (!touched)
		emit(fa, &(struct fault_event){ .seq = seq, .kind = kind,
						.block = block });
	fa->stats.failed_erases++;
	return -EIO;
}

/* The item that fails an op on @block now, or FAULT_KINDS for none */
static enum fault_kind op_fault(struct faults *fa, enum fault_kind fail,
				uint64_t block, uint64_t seq)
{
	for (unsigned i = 0; i < fa->plan.count; i++) {
		const struct fault_item *it = &fa->plan.items[i];

		if (it->kind == fail && it->where == FAULT_ON_BLOCK &&
		    it->value == block)
			return fail;
		if ((it->kind == fail || it->kind == FAULT_GROWN_BAD) &&
		    it->where == FAULT_AT_OP && !fa->fired[i] && seq >= it->value) {
			fa->fired[i] = true;
			return it->kind;
		}
	}
	if (fa->grown_bad[block])
		return FAULT_GROWN_BAD;
	if (fa->endurance && fa->erases[block] >= fa->endurance[block])
		return FAULT_WEAR;
	return FAULT_KINDS;
}

static void grow_bad(struct faults *fa, uint64_t block, uint64_t seq)
{
	if (fa->grown_bad[block])
		return;
	fa->grown_bad[block] = 1;
	flash_set_grown_bad(fa->f, block);
	emit(fa, &(struct fault_event){ .seq = seq, .kind = FAULT_GROWN_BAD,
					.block = block, .bad = true });
}

/* ---- time and reads ------------------------------------------------------------- */

static uint64_t pick_block_by_wear(struct faults *fa)
{
	uint64_t b = draw(fa, fa->blocks);

	for (int i = 0; i < RETENTION_TRIES; i++) {
		if (draw(fa, fa->max_erases + 1ull) <= fa->erases[b])
			break;
		b = draw(fa, fa->blocks);
	}
	return b;
}

/* One programmed in-band bit of some unit reads erased */
static void retention_drain(struct faults *fa, uint64_t seq)
{
	for (int t = 0; t < RETENTION_TRIES; t++) {
		uint64_t unit = pick_block_by_wear(fa) * fa->units_per_block +
				draw(fa, fa->units_per_block);
		uint32_t zeros = 0, k;

		if (fa->grown_bad[unit / fa->units_per_block] ||
		    flash_is_bad(fa->f, unit / fa->units_per_block) > 0)
			continue;
		load_unit_state(fa, unit);
		for (uint32_t i = 0; i < fa->unit_data; i++)
			zeros += (uint32_t)__builtin_popcount((uint8_t)~(fa->before[i] | fa->mask0[i]));
		if (!zeros)
			continue;
		k = (uint32_t)draw(fa, zeros);
		memcpy(fa->mask, fa->mask0, fa->unit_size);
		for (uint32_t i = 0; i < fa->unit_data * 8; i++) {
			uint8_t bit = (uint8_t)(1u << (i % 8));

			if ((fa->before[i / 8] | fa->mask0[i / 8]) & bit)
				continue;
			if (!k--) {
				fa->mask[i / 8] |= bit;
				break;
			}
		}
		set_mask(fa, unit, seq, FAULT_RETENTION, 1);
		return;
	}
}

static void tick(struct faults *fa, uint64_t seq)
{
	const struct fault_item *it = rate_item(fa, FAULT_RETENTION);

	fa->requests++;
	if (it && fa->requests % it->value == 0)
		retention_drain(fa, seq);
}

void faults_after_read(struct faults *fa, const struct flash_io *io,
		       uint64_t seq)
{
	const struct fault_item *it = rate_item(fa, FAULT_READ_DISTURB);
	uint64_t unit = io->addr / fa->unit_data;
	uint64_t block = unit / fa->units_per_block;
	uint64_t victim;
	uint32_t b;

	tick(fa, seq);
	if (!it || block >= fa->blocks || ++fa->reads[block] % it->value)
		return;
	victim = block * fa->units_per_block + (unit + 1) % fa->units_per_block;
	load_unit_state(fa, victim);
	memcpy(fa->mask, fa->mask0, fa->unit_size);
	b = (uint32_t)draw(fa, fa->unit_data * 8ull);
	if (fa->mask[b / 8] & (1u << (b % 8)))
		return;	/* that cell was already off: nothing more to see */
	fa->mask[b / 8] |= (uint8_t)(1u << (b % 8));
	set_mask(fa, victim, seq, FAULT_READ_DISTURB, 1);
}

/* ---- requests --------------------------------------------------------------------- */

int faults_program(struct faults *fa, const struct flash_program *p,
		   uint64_t seq)
{
	uint64_t block = p->addr / fa->g->block_size;
	enum fault_kind k = op_fault(fa, FAULT_PROGRAM_FAIL, block, seq);
	int ret;

	if (k == FAULT_GROWN_BAD)
		grow_bad(fa, block, seq);
	ret = k == FAULT_KINDS ? flash_program(fa->f, p) :
	      fail_program(fa, p, seq, k);
	stuck_after_op(fa, block, seq);
	tick(fa, seq);
	return ret;
}

int faults_erase(struct faults *fa, uint64_t block, uint64_t seq)
{
	enum fault_kind k = op_fault(fa, FAULT_ERASE_FAIL, block, seq);
	int ret;

	if (k == FAULT_GROWN_BAD)
		grow_bad(fa, block, seq);
	if (k != FAULT_KINDS) {
		ret = fail_erase(fa, block, seq, k);
	} else {
		ret = flash_erase(fa->f, block);
		if (!ret) {
			fa->reads[block] = 0;
			if (++fa->erases[block] > fa->max_erases)
				fa->max_erases = fa->erases[block];
		}
	}
	stuck_after_op(fa, block, seq);
	tick(fa, seq);
	return ret;
}

int faults_mark_bad(struct faults *fa, uint64_t block, uint64_t seq)
{
	int ret = flash_mark_bad(fa->f, block);

	stuck_after_op(fa, block, seq);
	tick(fa, seq);
	return ret;
}

int faults_is_bad(struct faults *fa, uint64_t block)
{
	return flash_is_bad(fa->f, block);
}

/* ---- life ------------------------------------------------------------------------- */

unsigned faults_max_events(const struct faults *fa)
{
	unsigned erase = fa->units_per_block < ERASE_FAIL_UNITS ?
			 fa->units_per_block : ERASE_FAIL_UNITS;

	/* the failure, the stuck cells of the block, retention, grown bad */
	return erase + fa->nstuck + 2;
}

static int wear_init(struct faults *fa)
{
	const struct fault_item *it = rate_item(fa, FAULT_WEAR);

	if (!it)
		return 0;
	fa->endurance = calloc(fa->blocks, sizeof(*fa->endurance));
	if (!fa->endurance)
		return -ENOMEM;
	for (uint64_t b = 0; b < fa->blocks; b++)
		fa->endurance[b] = (uint32_t)(it->value / 2 + draw(fa, it->value));
	return 0;
}

static int buffers_init(struct faults *fa)
{
	fa->erases = calloc(fa->blocks, sizeof(*fa->erases));
	fa->reads = calloc(fa->blocks, sizeof(*fa->reads));
	fa->grown_bad = calloc(fa->blocks, 1);
	fa->before = malloc(fa->unit_size);
	fa->after = malloc(fa->unit_size);
	fa->mask = malloc(fa->unit_size);
	fa->mask0 = malloc(fa->unit_size);
	fa->stuck = calloc(fa->plan.count + 1, sizeof(*fa->stuck));
	if (!fa->erases || !fa->reads || !fa->grown_bad || !fa->before ||
	    !fa->after || !fa->mask || !fa->mask0 || !fa->stuck)
		return -ENOMEM;
	return 0;
}

int faults_create(const struct fault_plan *p, struct flash *f,
		  struct faults **out, struct muse_error *e)
{
	struct faults *fa = calloc(1, sizeof(*fa));
	int ret = fa ? 0 : -ENOMEM;

	if (fa) {
		fa->plan = *p;
		fa->f = f;
		fa->g = flash_geometry(f);
		fa->blocks = geometry_blocks(fa->g);
		fa->unit_data = geometry_unit_data(fa->g);
		fa->units_per_block = fa->g->block_size / fa->unit_data;
		fa->unit_size = flash_unit_size(f);
		fa->rng = p->seed;
		ret = buffers_init(fa);
	}
	if (!ret)
		ret = wear_init(fa);
	for (unsigned i = 0; !ret && i < p->count; i++)
		if (p->items[i].kind == FAULT_STUCK_BITS)
			ret = stuck_init(fa, &p->items[i], &fa->stuck[fa->nstuck++]);
	if (ret) {
		faults_destroy(fa);
		return muse_fail(e, ret, "fault engine: %s", strerror(-ret));
	}
	*out = fa;
	return 0;
}

void faults_destroy(struct faults *fa)
{
	if (!fa)
		return;
	for (unsigned i = 0; i < fa->nstuck; i++) {
		free(fa->stuck[i].bit);
		free(fa->stuck[i].value);
	}
	free(fa->stuck);
	free(fa->erases);
	free(fa->reads);
	free(fa->endurance);
	free(fa->grown_bad);
	free(fa->before);
	free(fa->after);
	free(fa->mask);
	free(fa->mask0);
	free(fa);
}

void faults_set_handler(struct faults *fa, fault_event_fn fn, void *ctx)
{
	fa->fn = fn;
	fa->ctx = ctx;
}

void faults_get_stats(const struct faults *fa, struct fault_stats *s)
{
	*s = fa->stats;
}

void fault_event_describe(const struct fault_event *ev, char *buf, size_t size)
{
	int n = snprintf(buf, size, "after op %" PRIu64 ": %s, block %" PRIu64,
			 ev->seq, fault_kind_name(ev->kind), ev->block);

	if (n >= 0 && (size_t)n < size && ev->has_unit)
		n += snprintf(buf + n, size - (size_t)n, ", unit at 0x%" PRIx64
			      ", %" PRIu32 " cells changed", ev->addr, ev->bits);
	if (n >= 0 && (size_t)n < size && ev->bad)
		snprintf(buf + n, size - (size_t)n, ", now reported bad");
}
