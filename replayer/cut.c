/*
 * cut.c - cut models for the op in flight (see cut.h, docs/cut-models.md).
 *
 * How much of an interrupted operation is left undone is drawn
 * log-uniformly: a cut early in a program or erase leaves most cells
 * undone, a cut near the end only a few, and it is the few that decide
 * whether ECC hides the cut or reports it.  A uniform draw would almost
 * never leave a step within the ECC strength.
 */
#include "cut.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_raw.h"
#include "rebuild.h"
#include "rng.h"
#include "util.h"

/* NOR programs 16-bit words in turn (x16 parts, the common bus width) */
#define NOR_WORD 2
/* The smallest share of an interrupted erase's zeros still left */
#define ERASE_MIN_LEFT 1e-5

static const char *const names[CUT_MODELS] = {
	[CUT_CLEAN] = "clean",
	[CUT_TORN] = "torn",
	[CUT_ERASE] = "erase",
	[CUT_UNSTABLE] = "unstable",
};

int cut_parse(const char *name, enum cut_model *m, struct muse_error *e)
{
	for (int i = 0; i < CUT_MODELS; i++) {
		if (!strcmp(name, names[i])) {
			*m = (enum cut_model)i;
			return 0;
		}
	}
	return muse_fail(e, -EINVAL,
			 "unknown cut model \"%s\": clean, torn, erase or unstable",
			 name);
}

const char *cut_name(enum cut_model m)
{
	return m < CUT_MODELS ? names[m] : "?";
}

static const char *op_kind_name(enum trace_op_kind k)
{
	return k == TRACE_PROGRAM ? "a program" : k == TRACE_ERASE ? "an erase" :
	       "a markbad";
}

int cut_applicable(enum cut_model m, const struct geometry *g,
		   const struct trace_op *op, struct muse_error *e)
{
	if (m == CUT_CLEAN)
		return 0;
	if (!op)
		return muse_fail(e, -ENOTSUP,
				 "%s does not apply: no op follows this point",
				 cut_name(m));
	if (op->result)
		return muse_fail(e, -ENOTSUP,
				 "%s does not apply: op %" PRIu64 " was refused by the flash (%d) and changed nothing",
				 cut_name(m), op->seq, op->result);
	if (g->type == FLASH_RAM)
		return muse_fail(e, -ENOTSUP,
				 "%s does not apply to RAM: only clean cuts", cut_name(m));
	if (op->kind == TRACE_MARKBAD)
		return muse_fail(e, -ENOTSUP,
				 "%s does not apply: op %" PRIu64 " is a markbad",
				 cut_name(m), op->seq);
	if ((m == CUT_TORN && op->kind != TRACE_PROGRAM) ||
	    (m == CUT_ERASE && op->kind != TRACE_ERASE))
		return muse_fail(e, -ENOTSUP,
				 "%s does not apply: op %" PRIu64 " is %s",
				 cut_name(m), op->seq, op_kind_name(op->kind));
	return 0;
}

/* ---- seeded draws ------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	return splitmix64(&r->s);
}

/* Seeded by everything that names the cut, so cuts never share draws */
static void rng_init(struct rng *r, uint64_t seed, uint64_t seq,
		     enum cut_model m)
{
	r->s = seed;
	r->s = rng_next(r) ^ seq;
	r->s = rng_next(r) ^ (uint64_t)m;
	rng_next(r);
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/*
 * 1..n (0 if n is 0), log-uniform: as likely to be 1..9 as 10..99.  Never
 * 0 of n: a cut that left nothing undone is the next cut point, clean.
 */
static uint64_t rng_log_count(struct rng *r, uint64_t n)
{
	double v = floor(pow((double)n + 1.0, rng_unit(r)));

	return v < 1 ? (n ? 1 : 0) : v > (double)n ? n : (uint64_t)v;
}

/* ---- bit sets ---------------------------------------------------------- */

/* @out gets @k bits of @set (which has @total), each subset equally likely */
static int pick_bits(struct rng *r, const uint8_t *set, size_t n,
		     uint64_t total, uint64_t k, uint8_t *out)
{
	uint32_t *idx = malloc(total * sizeof(*idx) + 1);
	uint64_t count = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			if (set[i] >> b & 1)
				idx[count++] = (uint32_t)(i * 8 + (size_t)b);
	memset(out, 0, n);
	for (uint64_t i = 0; i < k && i < count; i++) {
		uint64_t j = i + rng_below(r, count - i);
		uint32_t t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
		out[idx[i] / 8] |= (uint8_t)(1u << (idx[i] % 8));
	}
	free(idx);
	return 0;
}

/* Each bit of @set kept with probability @p */
static void keep_bits(struct rng *r, const uint8_t *set, size_t n, double p,
		      uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t v = 0;

		for (int b = 0; set[i] && b < 8; b++)
			if ((set[i] >> b & 1) && rng_unit(r) < p)
				v |= (uint8_t)(1u << b);
		out[i] = v;
	}
}

/* ---- putting the undone cells on the chip --------------------------- */

/*
 * The cells of @unit differ from what the chip meant to hold (already in
 * @f) by @mask: served through ECC where the chip has it, unstable when
 * asked, otherwise simply what the cells hold.
 */
static int place(struct flash *f, uint64_t unit, const uint8_t *mask,
		 bool unstable, struct rng *r)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t us = flash_unit_size(f);
	uint64_t addr = unit * geometry_unit_data(g);
	uint8_t *cells;

	if (unstable)
		return flash_set_unstable(f, addr, mask, rng_next(r));
	if (g->ecc_strength)
		return flash_set_damage(f, addr, mask);
	cells = malloc(us);
	if (!cells)
		return -ENOMEM;
	flash_dump_unit(f, unit, cells);
	for (uint32_t i = 0; i < us; i++)
		cells[i] ^= mask[i];
	flash_load_unit(f, unit, cells);
	free(cells);
	return 0;
}

struct unit_buf {
	uint32_t size;
	uint8_t *before;
	uint8_t *after;
	uint8_t *set;
	uint8_t *mask;
};

static int unit_buf_init(struct unit_buf *b, uint32_t size)
{
	b->size = size;
	b->before = malloc(size);
	b->after = malloc(size);
	b->set = malloc(size);
	b->mask = malloc(size);
	return b->before && b->after && b->set && b->mask ? 0 : -ENOMEM;
}

static void unit_buf_free(struct unit_buf *b)
{
	free(b->before);
	free(b->after);
	free(b->set);
	free(b->mask);
}

/* ---- programs ------------------------------------------------------------ */

/*
 * NAND programs every cell of the page at once, so an interrupted program
 * leaves a random subset of its 1->0 transitions undone (torn) or
 * undecided (unstable).
 */
static int cut_page_program(struct flash *f, const struct trace_op *op,
			    bool unstable, struct rng *r, struct cut_report *rep)
{
	const struct geometry *g = flash_geometry(f);
	uint64_t unit = op->prog.addr / geometry_unit_data(g);
	struct unit_buf b;
	uint64_t total, left;
	int ret = unit_buf_init(&b, flash_unit_size(f));

	if (!ret) {
		flash_dump_unit(f, unit, b.before);
		ret = rebuild_apply(f, op);
	}
	if (!ret) {
		flash_dump_unit(f, unit, b.after);
		for (uint32_t i = 0; i < b.size; i++)
			b.set[i] = b.before[i] & (uint8_t)~b.after[i];
		total = popcount_bytes(b.set, b.size);
		left = rng_log_count(r, total);
		ret = pick_bits(r, b.set, b.size, total, left, b.mask);
	}
	if (!ret)
		ret = place(f, unit, b.mask, unstable, r);
	if (!ret) {
		rep->units = 1;
		rep->bits = left;
		snprintf(rep->what, sizeof(rep->what),
			 "%" PRIu64 " of the program's %" PRIu64 " 1->0 bits %s",
			 left, total, unstable ? "undecided" : "undone");
	}
	unit_buf_free(&b);
	return ret;
}

/*
 * NOR programs a write buffer word by word: the words before the cut are
 * done, the word in flight has some of its bits, the rest none.
 */
static int cut_nor_program(struct flash *f, const struct trace_op *op,
			   struct rng *r, struct cut_report *rep)
{
	uint32_t words = (op->prog.len + NOR_WORD - 1) / NOR_WORD, done;
	uint8_t *before = malloc(op->prog.len), *after = malloc(op->prog.len);
	int ret = before && after ? 0 : -ENOMEM;

	if (!ret) {
		flash_dump_bytes(f, op->prog.addr, before, op->prog.len);
		ret = rebuild_apply(f, op);
	}
	if (!ret) {
		flash_dump_bytes(f, op->prog.addr, after, op->prog.len);
		done = (uint32_t)rng_below(r, words + 1);
		rep->bits = 0;
		for (uint32_t i = done * NOR_WORD; i < op->prog.len; i++) {
			uint8_t undone = before[i] & (uint8_t)~after[i];

			if (i < (done + 1) * NOR_WORD)
				undone &= (uint8_t)rng_next(r);
			after[i] |= undone;
			rep->bits += (uint64_t)__builtin_popcount(undone);
		}
		flash_load_bytes(f, op->prog.addr, after, op->prog.len);
		rep->units = 1;
		snprintf(rep->what, sizeof(rep->what),
			 "%" PRIu32 " of %" PRIu32 " words programmed, %" PRIu64 " bits undone",
			 done, words, rep->bits);
	}
	free(before);
	free(after);
	return ret;
}

/* ---- erases ---------------------------------------------------------------- */

struct erase_cut {
	uint64_t first;		/* first unit of the block */
	uint32_t units;
	uint32_t from, to;	/* units where zeros are left */
	double left;		/* share of zeros left there */
};

static int place_erase_units(struct flash *f, const struct erase_cut *c,
			     uint8_t *const *before, bool unstable,
			     struct rng *r, struct cut_report *rep)
{
	uint32_t us = flash_unit_size(f);
	uint8_t *mask = malloc(us), *set = malloc(us);
	int ret = mask && set ? 0 : -ENOMEM;

	for (uint32_t u = c->from; !ret && u < c->to; u++) {
		for (uint32_t i = 0; i < us; i++)
			set[i] = (uint8_t)~before[u][i];
		keep_bits(r, set, us, c->left, mask);
		rep->bits += popcount_bytes(mask, us);
		ret = place(f, c->first + u, mask, unstable, r);
	}
	rep->units = c->to - c->from;
	free(mask);
	free(set);
	return ret;
}

/*
 * An erase raises the threshold of every programmed cell of the block
 * together but not at one speed: cut short, some 0 bits remain, across
 * the block or concentrated in the pages of slower word lines.
 */
static int cut_nand_erase(struct flash *f, const struct trace_op *op,
			  bool unstable, struct rng *r, struct cut_report *rep)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t us = flash_unit_size(f);
	struct erase_cut c = {
		.units = g->block_size / geometry_unit_data(g),
		.left = exp(log(ERASE_MIN_LEFT) * rng_unit(r)),
	};
	uint64_t block = op->prog.addr / g->block_size;
	uint8_t **before = calloc(c.units, sizeof(*before));
	int ret = before ? 0 : -ENOMEM;

	c.first = block * c.units;
	for (uint32_t u = 0; !ret && u < c.units; u++) {
		before[u] = malloc(us);
		if (!before[u])
			ret = -ENOMEM;
		else
			flash_dump_unit(f, c.first + u, before[u]);
	}
	c.to = c.units;
	if (!ret && rng_next(r) & 1) {
		c.from = (uint32_t)rng_below(r, c.units);
		c.to = c.from + 1 + (uint32_t)rng_below(r, c.units - c.from);
	}
	if (!ret)
		ret = flash_erase(f, block);
	if (!ret)
		ret = place_erase_units(f, &c, before, unstable, r, rep);
	if (!ret)
		snprintf(rep->what, sizeof(rep->what),
			 "%" PRIu64 " zero bits %s in pages %" PRIu32 "..%" PRIu32
			 " of block %" PRIu64 " (%.2g of them)", rep->bits,
			 unstable ? "undecided" : "left", c.from, c.to - 1, block,
			 c.left);
	for (uint32_t u = 0; before && u < c.units; u++)
		free(before[u]);
	free(before);
	return ret;
}

/*
 * A NOR erase first programs the whole sector to 0 (many parts from the
 * end backwards) so that every cell starts the erase alike, then raises
 * them all.  Cut in the first phase: a tail of zeros over old data; in
 * the second: zeros, some already back to 1.
 */
static int cut_nor_erase(struct flash *f, const struct trace_op *op,
			 bool unstable, struct rng *r, struct cut_report *rep)
{
	const struct geometry *g = flash_geometry(f);
	uint64_t block = op->prog.addr / g->block_size, base = block * g->block_size;
	uint32_t n = g->block_size, words = n / NOR_WORD, zeros;
	uint8_t *cells = malloc(n), *set = malloc(n);
	int ret = cells && set ? 0 : -ENOMEM;
	double left;

	if (!ret && !unstable && rng_next(r) & 1) {
		flash_dump_bytes(f, base, cells, n);
		zeros = (uint32_t)rng_below(r, words + 1) * NOR_WORD;
		memset(cells + n - zeros, 0, zeros);
		ret = flash_erase(f, block);
		flash_load_bytes(f, base, cells, n);
		rep->bits = 8ull * zeros;
		snprintf(rep->what, sizeof(rep->what),
			 "pre-programming cut: the last %" PRIu32 " of %" PRIu32
			 " bytes of block %" PRIu64 " at 0", zeros, n, block);
	} else if (!ret) {
		left = exp(log(ERASE_MIN_LEFT) * rng_unit(r));
		memset(set, 0xff, n);
		keep_bits(r, set, n, left, cells);
		ret = flash_erase(f, block);
		for (uint32_t u = 0; !ret && u < n / flash_unit_size(f); u++)
			ret = place(f, base / geometry_unit_data(g) + u,
				    cells + (size_t)u * flash_unit_size(f),
				    unstable, r);
		rep->bits = popcount_bytes(cells, n);
		snprintf(rep->what, sizeof(rep->what),
			 "erase cut after pre-programming: %" PRIu64 " bits of block %"
			 PRIu64 " %s at 0", rep->bits, block,
			 unstable ? "undecided" : "still");
	}
	rep->units = n / flash_unit_size(f);
	free(cells);
	free(set);
	return ret;
}

int cut_apply(struct flash *f, const struct trace_op *op, enum cut_model m,
	      uint64_t seed, struct cut_report *rep, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	bool nand = geometry_is_nand(g), unstable = m == CUT_UNSTABLE;
	struct rng r;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (cut_applicable(m, g, op, e))
		return -ENOTSUP;
	if (m == CUT_CLEAN) {
		snprintf(rep->what, sizeof(rep->what), "the op after the cut never happened");
		return 0;
	}
	rng_init(&r, seed, op->seq, m);
	if (op->kind == TRACE_ERASE)
		ret = nand ? cut_nand_erase(f, op, unstable, &r, rep) :
		      cut_nor_erase(f, op, unstable, &r, rep);
	else if (nand || unstable)
		ret = cut_page_program(f, op, unstable, &r, rep);
	else
		ret = cut_nor_program(f, op, &r, rep);
	if (ret)
		return muse_fail(e, ret, "cutting op %" PRIu64 ": %s", op->seq,
				 strerror(-ret));
	return 0;
}
