/*
 * flash_undo.c - taking back every change since a point (see flash.h).
 *
 * A replayed state is served from the caller's own memory, by a thread,
 * and restored afterwards: a forked server would read it through a copy
 * whose every page faults on first touch, and a page fault in a UML
 * guest costs more than a MUSE request.  A block's cells are saved at
 * their first change; the per-page and per-block state, the damage and
 * the counters are small and saved whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_impl.h"

struct flash_undo {
	bool active;
	uint8_t *saved;		/* per block: its cells are in @cells */
	uint64_t *blocks;	/* the blocks saved, in order */
	uint8_t *cells;		/* their cells, a block span each */
	size_t count, cap;
	uint8_t *nop_count;
	int32_t *top_page;
	uint8_t *state_unknown;
	uint8_t *bad;
	struct damage_map damage;
	uint32_t bad_count;
	struct flash_stats stats;
};

static void *copy_of(void **keep, const void *src, size_t n)
{
	if (!src)
		return NULL;
	if (!*keep)
		*keep = malloc(n ? n : 1);
	if (*keep)
		memcpy(*keep, src, n);
	return *keep;
}

static int copy_damage(struct damage_map *dst, const struct damage_map *src,
		       uint32_t unit_size)
{
	*dst = (struct damage_map){ .cap = src->cap, .count = src->count };
	if (!src->cap)
		return 0;
	dst->slots = calloc(src->cap, sizeof(*dst->slots));
	if (!dst->slots)
		return -ENOMEM;
	for (size_t i = 0; i < src->cap; i++) {
		if (!src->slots[i].mask)
			continue;
		dst->slots[i] = src->slots[i];
		dst->slots[i].mask = malloc(unit_size);
		if (!dst->slots[i].mask)
			return -ENOMEM;
		memcpy(dst->slots[i].mask, src->slots[i].mask, unit_size);
	}
	return 0;
}

static void free_damage(struct damage_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].mask);
	free(m->slots);
	*m = (struct damage_map){ 0 };
}

/* The whole per-page and per-block state, into buffers kept for reuse */
static int save_state(struct flash *f, struct flash_undo *u)
{
	uint64_t blocks = geometry_blocks(&f->g);
	bool ok = copy_of((void **)&u->bad, f->bad, blocks);

	if (f->nop_count)
		ok = ok && copy_of((void **)&u->nop_count, f->nop_count,
				   geometry_pages(&f->g));
	if (f->top_page)
		ok = ok && copy_of((void **)&u->top_page, f->top_page,
				   blocks * sizeof(*f->top_page));
	if (f->state_unknown)
		ok = ok && copy_of((void **)&u->state_unknown, f->state_unknown,
				   blocks);
	if (!ok || copy_damage(&u->damage, &f->damage, f->unit_size)) {
		free_damage(&u->damage);
		return -ENOMEM;
	}
	u->bad_count = f->bad_count;
	u->stats = f->stats;
	return 0;
}

int flash_undo_begin(struct flash *f)
{
	struct flash_undo *u = f->undo;

	if (u && u->active)
		return -EBUSY;
	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return -ENOMEM;
		u->saved = calloc(geometry_blocks(&f->g), 1);
		f->undo = u;
		if (!u->saved)
			return -ENOMEM;
	}
	if (save_state(f, u))
		return -ENOMEM;
	u->count = 0;
	u->active = true;
	return 0;
}

static void grow(struct flash_undo *u, size_t span)
{
	size_t cap = u->cap ? u->cap * 2 : 16;
	uint64_t *blocks = realloc(u->blocks, cap * sizeof(*blocks));
	uint8_t *cells = blocks ? realloc(u->cells, cap * span) : NULL;

	if (blocks)
		u->blocks = blocks;
	if (!cells) {
		/* a change that cannot be taken back would alter the caller's state */
		fprintf(stderr, "flash: out of memory saving a block to take back\n");
		abort();
	}
	u->cells = cells;
	u->cap = cap;
}

void flash_undo_note(struct flash *f, uint64_t block)
{
	struct flash_undo *u = f->undo;
	size_t span = flash_block_span(f);

	if (!u || !u->active || u->saved[block])
		return;
	if (u->count == u->cap)
		grow(u, span);
	memcpy(u->cells + u->count * span, f->cells + block * span, span);
	u->blocks[u->count++] = block;
	u->saved[block] = 1;
}

static void restore(void *dst, const void *src, size_t n)
{
	if (dst)
		memcpy(dst, src, n);
}

void flash_undo_end(struct flash *f)
{
	struct flash_undo *u = f->undo;
	uint64_t blocks = geometry_blocks(&f->g);
	size_t span = flash_block_span(f);

	if (!u || !u->active)
		return;
	for (size_t i = 0; i < u->count; i++) {
		memcpy(f->cells + u->blocks[i] * span, u->cells + i * span, span);
		u->saved[u->blocks[i]] = 0;
	}
	memcpy(f->bad, u->bad, blocks);
	restore(f->nop_count, u->nop_count, geometry_pages(&f->g));
	restore(f->top_page, u->top_page, blocks * sizeof(*f->top_page));
	restore(f->state_unknown, u->state_unknown, blocks);
	free_damage(&f->damage);
	f->damage = u->damage;
	u->damage = (struct damage_map){ 0 };
	f->bad_count = u->bad_count;
	f->stats = u->stats;
	u->active = false;
}

void flash_undo_free(struct flash *f)
{
	struct flash_undo *u = f->undo;

	if (!u)
		return;
	free_damage(&u->damage);
	free(u->saved);
	free(u->blocks);
	free(u->cells);
	free(u->nop_count);
	free(u->top_page);
	free(u->state_unknown);
	free(u->bad);
	free(u);
	f->undo = NULL;
}
