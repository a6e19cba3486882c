/*
 * report_context.c - what surrounds a cut point (see report_context.h).
 */
#include "report_context.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "point.h"
#include "trace_query.h"

struct walk {
	struct point_context *c;
	const struct geometry *g;
	uint64_t n;
};

static int describe_next(void *ctx, const struct trace_op *op)
{
	struct walk *w = ctx;

	point_describe_op(w->g, op, w->c->op, sizeof(w->c->op));
	return 0;
}

static int find_neighbours(void *ctx, const struct trace_mark *m)
{
	struct walk *w = ctx;
	struct trace_mark *slot = m->after_seq <= w->n ? &w->c->before :
				  w->c->after.name ? NULL : &w->c->after;

	if (!slot)
		return 0;
	free((char *)slot->name);
	*slot = (struct trace_mark){ .after_seq = m->after_seq, .name = strdup(m->name) };
	return slot->name ? 0 : -ENOMEM;
}

void point_context_get(struct trace *t, uint64_t n, struct point_context *c)
{
	struct walk w = { .c = c, .n = n };
	struct geometry g;

	memset(c, 0, sizeof(*c));
	if (!trace_geometry(t, &g, NULL) && n < trace_last_seq(t)) {
		w.g = &g;
		trace_for_each_op(t, n + 1, n + 1, describe_next, &w, NULL);
	}
	trace_for_each_mark(t, find_neighbours, &w, NULL);
}

void point_context_free(struct point_context *c)
{
	free((char *)c->before.name);
	free((char *)c->after.name);
	c->before.name = c->after.name = NULL;
}
