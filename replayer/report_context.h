/*
 * report_context.h - what surrounds a cut point, for reports: the op in
 * flight (op N+1, described) and the marks before and after it.
 */
#ifndef MUSE_REPORT_CONTEXT_H
#define MUSE_REPORT_CONTEXT_H

#include <stdint.h>

#include "trace.h"

struct point_context {
	char op[160];			/* "" when there is no op N+1 */
	struct trace_mark before;	/* the last mark at or before N; name NULL if none */
	struct trace_mark after;	/* the first mark after N; name NULL if none */
};

void point_context_get(struct trace *t, uint64_t n, struct point_context *c);
void point_context_free(struct point_context *c);

#endif
