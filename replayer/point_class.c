/*
 * point_class.c - classifying cut points (see point_class.h).
 */
#include "point_class.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_areas.h"
#include "trace_query.h"

#define JFFS2_MAGIC_LO 0x85	/* 0x1985, little-endian as Linux writes it */
#define JFFS2_MAGIC_HI 0x19

/* where an op lands: an enum area, or one of these for JFFS2 nodes */
enum {
	WHERE_JFFS2_DIRENT = AREAS,
	WHERE_JFFS2_INODE,
	WHERE_JFFS2_CLEANMARKER,
	WHERE_JFFS2_PADDING,
	WHERE_JFFS2_SUMMARY,
	WHERE_JFFS2_XATTR,
	WHERE_JFFS2_XREF,
	WHERE_JFFS2_OTHER,
	/* the same, continued: a program that goes on where one starting a
	 * node of that type ended (NOR writes a node in several programs) */
	WHERE_JFFS2_CONTINUED,
	WHERES = WHERE_JFFS2_CONTINUED + (WHERE_JFFS2_CONTINUED - WHERE_JFFS2_DIRENT)
};

enum { KIND_END, KIND_PROGRAM, KIND_ERASE, KIND_MARKBAD, KINDS };
enum { POS_NONE, POS_FIRST, POS_LAST, POS_MIDDLE, POSITIONS };

/* an op that leaves the cells as they were */
enum { CHANGES_CELLS, NOOP_PROGRAM, NOOP_ERASE };

struct op_info {
	uint8_t kind, where, pos, noop;
	int8_t mark_offset;
	bool mark;		/* a mark follows this op */
};

#define KEYS (CUT_MODELS * KINDS * WHERES * POSITIONS * 2)

static const char *const kinds[KINDS] = { "end of the trace", "program", "erase",
					  "markbad" };
static const char *const positions[POSITIONS] = {
	"", " at the start of its block", " at the end of its block",
	" in the middle of its block",
};

static uint8_t jffs2_node(const struct flash_program *p)
{
	static const uint16_t types[] = { 0xE001, 0xE002, 0x2003, 0x2004, 0x2006,
					  0xE008, 0xE009 };
	uint16_t type;

	if (p->len < 4 || p->data[0] != JFFS2_MAGIC_LO || p->data[1] != JFFS2_MAGIC_HI)
		return AREA_UNKNOWN;
	type = (uint16_t)(p->data[2] | p->data[3] << 8);
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (type == types[i])
			return (uint8_t)(WHERE_JFFS2_DIRENT + i);
	return WHERE_JFFS2_OTHER;
}

static const char *where_name(unsigned w)
{
	static const char *const jffs2[] = {
		"JFFS2 dirent node", "JFFS2 inode node", "JFFS2 cleanmarker",
		"JFFS2 padding", "JFFS2 summary", "JFFS2 xattr node", "JFFS2 xattr ref",
		"JFFS2 node of another type",
		"JFFS2 dirent node, continued", "JFFS2 inode node, continued",
		"JFFS2 cleanmarker, continued", "JFFS2 padding, continued",
		"JFFS2 summary, continued", "JFFS2 xattr node, continued",
		"JFFS2 xattr ref, continued", "JFFS2 node of another type, continued",
	};

	return w < AREAS ? area_name((enum area)w) : jffs2[w - AREAS];
}

struct block_tail {
	uint8_t node;		/* the node the last program started or went on */
	uint64_t end;		/* where the last program ended */
};

struct walk {
	const struct geometry *g;
	struct op_info *ops;	/* by seq: 1..last, last + 1 the end */
	uint64_t last;
	struct block_tail *tail;	/* by block */
	bool *erased;		/* by block: erased in the trace, nothing since */
};

static bool all_ones(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; p && i < n; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

/*
 * A program of nothing but 1 bits programs no cell; an erase of a block
 * the trace erased and never programmed since erases none.  A block the
 * trace did not erase may hold anything: never taken for erased.
 */
static uint8_t noop_of(struct walk *w, const struct trace_op *op)
{
	uint64_t block = op->prog.addr / w->g->block_size;
	bool none = false, *erased = block < geometry_blocks(w->g) ? &w->erased[block] : &none;
	uint8_t noop = CHANGES_CELLS;

	if (op->result)
		return CHANGES_CELLS;	/* a failed op: judged where it failed */
	if (op->kind == TRACE_ERASE) {
		noop = *erased ? NOOP_ERASE : CHANGES_CELLS;
		*erased = true;
	} else if (op->kind == TRACE_PROGRAM && all_ones(op->prog.data, op->prog.len) &&
		   all_ones(op->prog.oob, op->prog.ooblen)) {
		noop = NOOP_PROGRAM;
	} else {
		*erased = false;
	}
	return noop;
}

/* JFFS2 nodes by type, and what goes on where a node's program ended */
static uint8_t jffs2_where(struct walk *w, const struct trace_op *op)
{
	uint64_t block = op->prog.addr / w->g->block_size;
	struct block_tail none = { 0 }, *t = block < geometry_blocks(w->g) ?
		&w->tail[block] : &none;
	uint8_t node = op->prog.data ? jffs2_node(&op->prog) : AREA_UNKNOWN;

	if (node == AREA_UNKNOWN && t->node && op->prog.addr == t->end)
		node = t->node >= WHERE_JFFS2_CONTINUED ? t->node :
		       (uint8_t)(t->node - WHERE_JFFS2_DIRENT + WHERE_JFFS2_CONTINUED);
	t->node = node;
	t->end = op->prog.addr + op->prog.len;
	return node;
}

static int note_op(void *ctx, const struct trace_op *op, const struct op_area *a)
{
	struct walk *w = ctx;
	struct op_info *i = &w->ops[op->seq];
	uint64_t off = op->prog.addr % w->g->block_size;
	uint32_t unit = geometry_unit_data(w->g);

	i->kind = op->kind == TRACE_ERASE ? KIND_ERASE :
		  op->kind == TRACE_MARKBAD ? KIND_MARKBAD : KIND_PROGRAM;
	i->where = (uint8_t)a->area;
	i->noop = noop_of(w, op);
	if (op->kind == TRACE_ERASE && op->prog.addr / w->g->block_size <
	    geometry_blocks(w->g))
		w->tail[op->prog.addr / w->g->block_size] = (struct block_tail){ 0 };
	if (op->kind != TRACE_PROGRAM)
		return 0;
	if (a->area == AREA_UNKNOWN)
		i->where = jffs2_where(w, op);
	i->pos = off < unit ? POS_FIRST :
		 off + op->prog.len + unit > w->g->block_size ? POS_LAST : POS_MIDDLE;
	return 0;
}

/* The ops from MARK_BEFORE - 1 before a mark's op to MARK_AFTER after it */
static int note_mark(void *ctx, const struct trace_mark *m)
{
	struct walk *w = ctx;

	if (m->after_seq <= w->last)
		w->ops[m->after_seq].mark = true;
	for (int d = 1 - MARK_BEFORE; d <= MARK_AFTER; d++) {
		int64_t seq = (int64_t)m->after_seq + d;
		int8_t *have;

		if (seq < 1 || (uint64_t)seq > w->last + 1)
			continue;
		have = &w->ops[seq].mark_offset;
		/* the nearest mark wins, the later one on a tie */
		if (*have == MARK_NONE || abs(d) <= abs(*have))
			*have = (int8_t)d;
	}
	return 0;
}

static int op_infos(struct trace *t, const struct geometry *g, struct op_info **out,
		    struct muse_error *e)
{
	struct walk w = { .g = g, .last = trace_last_seq(t) };
	int ret;

	w.ops = calloc(w.last + 2, sizeof(*w.ops));
	w.tail = calloc(geometry_blocks(g), sizeof(*w.tail));
	w.erased = calloc(geometry_blocks(g), sizeof(*w.erased));
	if (!w.ops || !w.tail || !w.erased) {
		free(w.ops);
		free(w.tail);
		free(w.erased);
		return muse_fail(e, -ENOMEM, "out of memory");
	}
	for (uint64_t s = 0; s <= w.last + 1; s++)
		w.ops[s] = (struct op_info){ .kind = KIND_END, .mark_offset = MARK_NONE };
	ret = flash_areas_walk(t, g, note_op, &w, e);
	if (!ret)
		ret = trace_for_each_mark(t, note_mark, &w, e);
	free(w.tail);
	free(w.erased);
	if (ret) {
		free(w.ops);
		return ret;
	}
	*out = w.ops;
	return 0;
}

/* ---- classes ------------------------------------------------------------- */

static unsigned key_of(const struct cut_point *p, const struct op_info *i)
{
	unsigned near = i->mark_offset != MARK_NONE;

	return (((p->model * KINDS + i->kind) * WHERES + i->where) * POSITIONS +
		i->pos) * 2 + near;
}

static void name_class(char *buf, const struct cut_point *p, const struct op_info *i)
{
	bool where = i->where != AREA_UNKNOWN;

	snprintf(buf, POINT_CLASS_NAME, "%s: %s%s%s%s%s", cut_name(p->model),
		 kinds[i->kind], where ? " of " : "", where ? where_name(i->where) : "",
		 positions[i->pos], i->mark_offset != MARK_NONE ? ", next to a mark" : "");
}

static int alloc_classes(struct point_classes *c, size_t points)
{
	c->name = calloc(KEYS, sizeof(*c->name));
	c->of = calloc(points ? points : 1, sizeof(*c->of));
	c->erase = calloc(points ? points : 1, sizeof(*c->erase));
	c->mark_offset = calloc(points ? points : 1, sizeof(*c->mark_offset));
	c->same_as = malloc((points ? points : 1) * sizeof(*c->same_as));
	for (size_t i = 0; c->same_as && i < points; i++)
		c->same_as[i] = -1;
	return c->name && c->of && c->erase && c->mark_offset && c->same_as ? 0 : -ENOMEM;
}

static int classify(const struct plan *p, const struct op_info *ops,
		    struct point_classes *c)
{
	int32_t *class_of_key = malloc(KEYS * sizeof(*class_of_key));

	if (!class_of_key)
		return -ENOMEM;
	for (unsigned k = 0; k < KEYS; k++)
		class_of_key[k] = -1;
	for (size_t i = 0; i < p->count; i++) {
		const struct cut_point *pt = &p->points[i];
		const struct op_info *op = &ops[pt->n + 1];
		unsigned key = key_of(pt, op);

		if (class_of_key[key] < 0) {
			class_of_key[key] = (int32_t)c->count;
			name_class(c->name[c->count++], pt, op);
		}
		c->of[i] = (uint32_t)class_of_key[key];
		c->erase[i] = op->kind == KIND_ERASE;
		c->mark_offset[i] = op->mark_offset;
	}
	free(class_of_key);
	return 0;
}

/* ---- points whose state is another's ------------------------------------ */

/* The plan, still in (N, model, seed) order, has the clean point N */
static bool has_clean(const struct plan *p, uint64_t n)
{
	size_t lo = 0, hi = p->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cut_point *x = &p->points[mid];

		if (x->n < n || (x->n == n && x->model < CUT_CLEAN))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->count && p->points[lo].n == n && p->points[lo].model == CUT_CLEAN;
}

/*
 * The earliest clean point with the state after op @n: an erase of an
 * erased block changes no cell (only the erase counter, which nothing but
 * a fault plan reads); a mark after the op would change what the oracle
 * asks, so it stops there
 */
static uint64_t earliest_clean(const struct plan *p, const struct op_info *ops,
			       uint64_t n)
{
	while (n > 0 && ops[n].noop == NOOP_ERASE && !ops[n].mark && has_clean(p, n - 1))
		n--;
	return n;
}

/*
 * A cut of an op that changes no cell leaves the state after it: a torn
 * or unstable program of 1 bits only; on NAND, an interrupted erase of an
 * erased block (NOR pre-programs the sector to 0 first, so its cut does
 * change cells)
 */
static int64_t same_state(const struct plan *p, const struct op_info *ops,
			  const struct cut_point *x, bool nand)
{
	const struct op_info *next = &ops[x->n + 1];
	uint64_t n;

	if (x->model == CUT_CLEAN) {
		n = earliest_clean(p, ops, x->n);
		return n == x->n ? -1 : (int64_t)n;
	}
	if (next->mark || !has_clean(p, x->n + 1))
		return -1;
	if ((next->noop == NOOP_PROGRAM &&
	     (x->model == CUT_TORN || x->model == CUT_UNSTABLE)) ||
	    (next->noop == NOOP_ERASE && nand &&
	     (x->model == CUT_ERASE || x->model == CUT_UNSTABLE)))
		return (int64_t)earliest_clean(p, ops, x->n + 1);
	return -1;
}

static void find_same_states(const struct plan *p, const struct op_info *ops,
			     bool nand, struct point_classes *c)
{
	for (size_t i = 0; i < p->count; i++)
		c->same_as[i] = same_state(p, ops, &p->points[i], nand);
}

int point_classes_build(struct trace *t, const struct plan *p, bool same_states,
			struct point_classes *c, struct muse_error *e)
{
	struct op_info *ops = NULL;
	struct geometry g;
	int ret;

	*c = (struct point_classes){ 0 };
	ret = trace_geometry(t, &g, e);
	if (!ret)
		ret = op_infos(t, &g, &ops, e);
	if (ret)
		return ret;
	ret = alloc_classes(c, p->count);
	if (!ret)
		ret = classify(p, ops, c);
	/* a fault's damage is not in the cells a cut leaves alone */
	if (!ret && same_states && !trace_fault_count(t))
		find_same_states(p, ops, geometry_is_nand(&g), c);
	free(ops);
	if (ret) {
		point_classes_free(c);
		return muse_fail(e, ret, "classifying the cut points: %s", strerror(-ret));
	}
	return 0;
}

void point_classes_free(struct point_classes *c)
{
	free(c->name);
	free(c->of);
	free(c->erase);
	free(c->mark_offset);
	free(c->same_as);
	*c = (struct point_classes){ 0 };
}
