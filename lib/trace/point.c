/*
 * point.c - naming points of a trace (see point.h).
 */
#include "point.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "trace_query.h"
#include "util.h"

int point_resolve(struct trace *t, const char *at, uint64_t *seq,
		  struct muse_error *e)
{
	char *end;

	if (!strcmp(at, "end")) {
		*seq = trace_last_seq(t);
		return 0;
	}
	if (strncmp(at, "mark:", 5)) {
		errno = 0;
		*seq = strtoull(at, &end, 10);
		if (!*at || *end || *at == '-' || errno)
			return muse_fail(e, -EINVAL, "\"%s\" is not N, mark:NAME or end", at);
		if (*seq > trace_last_seq(t))
			return muse_fail(e, -ERANGE, "%s: the trace has %" PRIu64 " ops",
					 at, trace_last_seq(t));
		return 0;
	}
	if (trace_find_mark(t, at + 5, seq))
		return muse_fail(e, -ENOENT, "the trace has no mark \"%s\"", at + 5);
	return 0;
}

int point_resolve_range(struct trace *t, const char *range, uint64_t *first,
			uint64_t *last, struct muse_error *e)
{
	char from[256], to[256];
	int ret;

	if (split_range(range, from, to, sizeof(from)))
		return muse_fail(e, -EINVAL, "%s is not A..B", range);
	*first = 0;
	*last = trace_last_seq(t);
	ret = *from ? point_resolve(t, from, first, e) : 0;
	if (!ret && *to)
		ret = point_resolve(t, to, last, e);
	if (!ret && *first > *last)
		ret = muse_fail(e, -ERANGE, "%s: %" PRIu64 " comes after %" PRIu64,
				range, *first, *last);
	return ret;
}

void point_describe_op(const struct geometry *g, const struct trace_op *op,
		       char *buf, size_t size)
{
	uint64_t block = op->prog.addr / g->block_size;
	uint64_t page = (op->prog.addr % g->block_size) / g->page_size;

	if (op->kind == TRACE_PROGRAM && geometry_is_nand(g))
		snprintf(buf, size, "op %" PRIu64 ", program of page %" PRIu64
			 " of block %" PRIu64, op->seq, page, block);
	else if (op->kind == TRACE_PROGRAM)
		snprintf(buf, size, "op %" PRIu64 ", program of %" PRIu32
			 " bytes at %#" PRIx64, op->seq, op->prog.len, op->prog.addr);
	else
		snprintf(buf, size, "op %" PRIu64 ", %s of block %" PRIu64, op->seq,
			 trace_op_kind_name(op->kind), block);
}
