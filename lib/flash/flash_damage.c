/*
 * flash_damage.c - cells that differ from what was programmed: a torn
 * program, an interrupted erase, cells near the read threshold (see
 * flash_raw.h).  The model keeps a mask per damaged storage unit; reads
 * apply it, programs and erases change or clear it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flash_impl.h"
#include "rng.h"

static size_t damage_slot(const struct damage_map *m, uint64_t unit)
{
	size_t i = (size_t)(unit * 0x9e3779b97f4a7c15ull) & (m->cap - 1);

	while (m->slots[i].mask && m->slots[i].unit != unit)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static struct damage_entry *damage_entry(const struct flash *f, uint64_t unit)
{
	const struct damage_map *m = &f->damage;
	struct damage_entry *d;

	if (!m->count)
		return NULL;
	d = &m->slots[damage_slot(m, unit)];
	return d->mask ? d : NULL;
}

static const uint8_t *damage_find(const struct flash *f, uint64_t unit)
{
	const struct damage_entry *d = damage_entry(f, unit);

	return d ? d->mask : NULL;
}

/*
 * The difference one read sees.  Unstable bits are drawn afresh on every
 * read, each one way or the other, so two reads of a step beyond the ECC
 * strength differ.  Read k of a unit draws from (seed, unit, k) alone:
 * what one page returns never depends on the reads of other pages, so a
 * replay that reads each page as often as before sees the same bits.
 */
const uint8_t *flash_damage_read(struct flash *f, uint64_t unit)
{
	struct damage_entry *d = damage_entry(f, unit);
	uint8_t *view = f->unstable_view;
	uint64_t state;

	if (!d || !d->unstable)
		return d ? d->mask : NULL;
	state = d->unstable ^ splitmix64(&(uint64_t){ unit }) ^
		splitmix64(&(uint64_t){ ~(uint64_t)d->reads });
	d->reads++;
	for (uint32_t i = 0; i < f->unit_size; i += 8) {
		uint64_t r = splitmix64(&state);

		for (uint32_t j = 0; j < 8 && i + j < f->unit_size; j++)
			view[i + j] = d->mask[i + j] & (uint8_t)(r >> (8 * j));
	}
	return view;
}

void flash_damage_read_failed(struct flash *f, uint64_t unit)
{
	struct damage_entry *d = damage_entry(f, unit);

	if (d && d->unstable)
		d->failed++;
}

void flash_unstable_rewind(struct flash *f)
{
	struct damage_map *m = &f->damage;

	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].mask && m->slots[i].unstable)
			m->slots[i].reads = m->slots[i].failed = 0;
}

int flash_unstable_history(const struct flash *f, flash_unstable_fn fn,
			   void *ctx)
{
	const struct damage_map *m = &f->damage;
	int ret = 0;

	for (size_t i = 0; !ret && i < m->cap; i++) {
		const struct damage_entry *d = &m->slots[i];

		if (d->mask && d->unstable)
			ret = fn(ctx, d->unit, d->reads, d->failed);
	}
	return ret;
}

static int damage_grow(struct damage_map *m)
{
	struct damage_map bigger = { .cap = m->cap ? m->cap * 2 : 64 };

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].mask)
			bigger.slots[damage_slot(&bigger, m->slots[i].unit)] =
				m->slots[i];
	}
	bigger.count = m->count;
	free(m->slots);
	*m = bigger;
	return 0;
}

/* Drops the damage of units [first, end), then rehashes the rest. */
void flash_damage_filter(struct flash *f, uint64_t first, uint64_t end)
{
	struct damage_map *m = &f->damage;
	struct damage_entry *old = m->slots;
	size_t cap = m->cap;

	if (!m->count)
		return;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		/* keep the old table: stale damage beats losing it all */
		m->slots = old;
		return;
	}
	m->count = 0;
	for (size_t i = 0; i < cap; i++) {
		if (!old[i].mask)
			continue;
		if (old[i].unit >= first && old[i].unit < end) {
			free(old[i].mask);
			continue;
		}
		m->slots[damage_slot(m, old[i].unit)] = old[i];
		m->count++;
	}
	free(old);
}


int flash_set_damage(struct flash *f, uint64_t addr, const uint8_t *mask)
{
	uint64_t unit = addr / f->unit_data;
	struct damage_map *m = &f->damage;
	uint8_t *copy;
	size_t i;

	if (unit >= f->units)
		return -EINVAL;
	if (flash_all_zero(mask, f->unit_size)) {
		flash_damage_filter(f, unit, unit + 1);
		return 0;
	}
	if ((m->count + 1) * 2 > m->cap && damage_grow(m))
		return -ENOMEM;
	i = damage_slot(m, unit);
	copy = m->slots[i].mask;
	if (!copy) {
		copy = malloc(f->unit_size);
		if (!copy)
			return -ENOMEM;
		m->slots[i].unit = unit;
		m->slots[i].mask = copy;
		m->count++;
	}
	memcpy(copy, mask, f->unit_size);
	m->slots[i].unstable = 0;
	m->slots[i].reads = 0;
	m->slots[i].failed = 0;
	return 0;
}

int flash_set_unstable(struct flash *f, uint64_t addr, const uint8_t *mask,
		       uint64_t seed)
{
	struct damage_entry *d;
	int ret;

	if (!f->unstable_view && !(f->unstable_view = malloc(f->unit_size)))
		return -ENOMEM;
	ret = flash_set_damage(f, addr, mask);
	d = ret ? NULL : damage_entry(f, addr / f->unit_data);
	if (d)
		d->unstable = seed | 1;
	return ret;
}

void flash_get_damage(const struct flash *f, uint64_t addr, uint8_t *mask)
{
	const uint8_t *d = damage_find(f, addr / f->unit_data);

	if (d)
		memcpy(mask, d, f->unit_size);
	else
		memset(mask, 0, f->unit_size);
}

/* A program clears the difference wherever it writes a 0 */
void flash_damage_program(struct flash *f, uint64_t unit, uint32_t off,
			   const uint8_t *v, uint32_t n)
{
	uint8_t *mask = (uint8_t *)damage_find(f, unit);

	if (!mask)
		return;
	for (uint32_t i = 0; i < n; i++)
		mask[off + i] &= v[i];
}
