/*
 * point.c - naming points of a trace (see point.h).
 */
#include "point.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int point_resolve(struct trace *t, const char *at, uint64_t *seq,
		  struct muse_error *e)
{
	sqlite3_stmt *st;
	char *end;
	int found;

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
	if (sqlite3_prepare_v2(trace_db(t), "SELECT after_seq FROM marks WHERE name = ?"
			       " ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return muse_fail(e, -EIO, "reading the marks failed");
	sqlite3_bind_text(st, 1, at + 5, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return found ? 0 : muse_fail(e, -ENOENT, "the trace has no mark \"%s\"", at + 5);
}

void point_describe_op(const struct geometry *g, const struct trace_op *op,
		       char *buf, size_t size)
{
	uint64_t block = op->addr / g->block_size;
	uint64_t page = (op->addr % g->block_size) / g->page_size;

	if (op->kind == TRACE_PROGRAM && geometry_is_nand(g))
		snprintf(buf, size, "op %" PRIu64 ", program of page %" PRIu64
			 " of block %" PRIu64, op->seq, page, block);
	else if (op->kind == TRACE_PROGRAM)
		snprintf(buf, size, "op %" PRIu64 ", program of %" PRIu32
			 " bytes at %#" PRIx64, op->seq, op->len, op->addr);
	else
		snprintf(buf, size, "op %" PRIu64 ", %s of block %" PRIu64, op->seq,
			 op->kind == TRACE_ERASE ? "erase" : "markbad", block);
}
