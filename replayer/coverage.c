/*
 * coverage.c - the order of a budgeted sweep, and what it covered (see
 * coverage.h).
 */
#include "coverage.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* A fixed draw per point: which point of a class stands for it */
static uint64_t point_hash(const struct cut_point *p)
{
	uint64_t s = p->n * 0x9e3779b97f4a7c15ull ^ (uint64_t)p->model << 56 ^ p->seed;

	return splitmix64(&s);
}

struct ordering {
	const struct plan *p;
	const struct point_classes *c;
	bool *taken;
	size_t *order, count;
	int rank;		/* of the marks' neighbourhoods being taken */
};

static void take(struct ordering *o, size_t i)
{
	o->taken[i] = true;
	o->order[o->count++] = i;
}

/* One point of every class, classes in the order they first occur */
static int take_one_per_class(struct ordering *o)
{
	size_t *best = malloc((o->c->count + 1) * sizeof(*best));

	if (!best)
		return -ENOMEM;
	for (size_t k = 0; k < o->c->count; k++)
		best[k] = SIZE_MAX;
	for (size_t i = 0; i < o->p->count; i++) {
		size_t *b = &best[o->c->of[i]];

		if (*b == SIZE_MAX || point_hash(&o->p->points[i]) <
		    point_hash(&o->p->points[*b]))
			*b = i;
	}
	for (size_t k = 0; k < o->c->count; k++)
		if (best[k] != SIZE_MAX)
			take(o, best[k]);
	free(best);
	return 0;
}

static size_t reverse_bits(size_t x, unsigned bits)
{
	size_t r = 0;

	for (unsigned b = 0; b < bits; b++, x >>= 1)
		r = r << 1 | (x & 1);
	return r;
}

/*
 * The points @want says, in van der Corput order over their places in
 * the plan (the middle one, then the quarters, ...): checked points stay
 * spread over the whole trace wherever the sweep stops
 */
static int take_spread(struct ordering *o, bool (*want)(const struct ordering *, size_t))
{
	size_t *left = malloc((o->p->count + 1) * sizeof(*left)), n = 0;
	unsigned bits = 0;

	if (!left)
		return -ENOMEM;
	for (size_t i = 0; i < o->p->count; i++)
		if (!o->taken[i] && want(o, i))
			left[n++] = i;
	while (((size_t)1 << bits) < n)
		bits++;
	for (size_t k = 0; k < ((size_t)1 << bits); k++) {
		size_t r = reverse_bits(k, bits);

		if (r < n)
			take(o, left[r]);
	}
	free(left);
	return 0;
}

/*
 * Next to a mark, by rank: first the mark's own state (op N+1 the first
 * after it: where what it declared must hold for the first time, and
 * where a durability bug shows first), then its last op cut, then the
 * ops before that and after
 */
static const int8_t mark_ranks[] = { 1, 0, -1, 2, -2, -3 };

_Static_assert(sizeof(mark_ranks) == MARK_BEFORE + MARK_AFTER, "a rank for each offset");

static bool at_rank(const struct ordering *o, size_t i)
{
	return o->c->mark_offset[i] == mark_ranks[o->rank];
}

/* Each rank spread over the trace: a budget covers marks everywhere */
static int take_next_to_marks(struct ordering *o)
{
	int ret = 0;

	for (o->rank = 0; !ret && o->rank < (int)sizeof(mark_ranks); o->rank++)
		ret = take_spread(o, at_rank);
	return ret;
}

static bool is_erase(const struct ordering *o, size_t i)
{
	return o->c->erase[i];
}

static bool any(const struct ordering *o, size_t i)
{
	(void)o;
	(void)i;
	return true;
}

#define PERMUTE(array, order, n, tmp)                                   \
	do {                                                            \
		for (size_t i_ = 0; i_ < (n); i_++)                      \
			(tmp)[i_] = (array)[(order)[i_]];                \
		memcpy((array), (tmp), (n) * sizeof(*(array)));          \
	} while (0)

static int permute(struct plan *p, struct point_classes *c, const size_t *order)
{
	size_t n = p->count;
	/* large enough for the largest element */
	void *tmp = malloc((n + 1) * sizeof(struct cut_point));

	if (!tmp)
		return -ENOMEM;
	PERMUTE(p->points, order, n, (struct cut_point *)tmp);
	PERMUTE(c->of, order, n, (uint32_t *)tmp);
	PERMUTE(c->erase, order, n, (bool *)tmp);
	PERMUTE(c->mark_offset, order, n, (int8_t *)tmp);
	PERMUTE(c->same_as, order, n, (int64_t *)tmp);
	free(tmp);
	return 0;
}

int coverage_order(struct plan *p, struct point_classes *c)
{
	struct ordering o = { .p = p, .c = c };
	int ret;

	o.taken = calloc(p->count + 1, sizeof(*o.taken));
	o.order = malloc((p->count + 1) * sizeof(*o.order));
	ret = o.taken && o.order ? take_one_per_class(&o) : -ENOMEM;
	if (!ret)
		ret = take_next_to_marks(&o);
	if (!ret)
		ret = take_spread(&o, is_erase);
	if (!ret)
		ret = take_spread(&o, any);
	if (!ret)
		ret = permute(p, c, o.order);
	free(o.taken);
	free(o.order);
	return ret;
}

void coverage_shard(struct plan *p, struct point_classes *c, unsigned shard,
		    unsigned shards)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->count; i++) {
		if (i % shards != shard - 1)
			continue;
		p->points[kept] = p->points[i];
		c->of[kept] = c->of[i];
		c->erase[kept] = c->erase[i];
		c->mark_offset[kept] = c->mark_offset[i];
		c->same_as[kept] = c->same_as[i];
		kept++;
	}
	p->count = kept;
}

int coverage_count(const struct plan *p, const struct point_classes *c,
		   struct results *r, struct results_class **out,
		   struct results_class *all)
{
	struct results_class *k = calloc(c->count + 1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	*all = (struct results_class){ .name = "all" };
	for (size_t i = 0; i < c->count; i++)
		k[i].name = c->name[i];
	for (size_t i = 0; i < p->count; i++) {
		const struct cut_point *pt = &p->points[i];
		struct results_class *x = &k[c->of[i]];
		enum verdict v;

		x->points++;
		if (results_verdict(r, pt->n, pt->model, pt->seed, &v))
			continue;
		x->checked++;
		x->failed += v == VERDICT_FAIL || v == VERDICT_WORKLOAD;
		x->errors += v == VERDICT_ERROR;
	}
	for (size_t i = 0; i < c->count; i++) {
		all->points += k[i].points;
		all->checked += k[i].checked;
		all->failed += k[i].failed;
		all->errors += k[i].errors;
	}
	*out = k;
	return 0;
}
