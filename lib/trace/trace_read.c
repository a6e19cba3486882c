/*
 * trace_read.c - reading a trace back: geometry, initial state, ops.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "flash_raw.h"
#include "trace_impl.h"

/* ---- reading -------------------------------------------------------- */

int trace_geometry(struct trace *t, struct geometry *g, struct muse_error *e)
{
	char spec[1024];

	if (trace_get_meta(t, "geometry", spec, sizeof(spec)))
		return muse_fail(e, -EBADMSG, "the trace has no geometry");
	return geometry_parse(spec, g, e);
}

int trace_load_initial(struct trace *t, struct flash *f, struct muse_error *e)
{
	uint32_t unit_data = geometry_unit_data(flash_geometry(f));
	size_t size = flash_unit_size(f);
	sqlite3_stmt *s = NULL;
	int ret = 0, rc;

	if (sqlite3_prepare_v2(t->db, "SELECT addr, data FROM initial_units ORDER BY addr",
			       -1, &s, NULL) != SQLITE_OK)
		return trace_sql_fail(t, e, SQLITE_ERROR, "reading the initial state");
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t addr = (uint64_t)sqlite3_column_int64(s, 0);
		ssize_t n = trace_blob_get(t, sqlite3_column_int64(s, 1), &t->data);

		if (n != (ssize_t)size || addr % unit_data ||
		    addr / unit_data >= flash_units(f))
			ret = muse_fail(e, -EBADMSG,
					"initial state at 0x%" PRIx64 " is damaged", addr);
		else
			flash_load_unit(f, addr / unit_data, t->data.p);
	}
	sqlite3_finalize(s);
	if (ret)
		return ret;
	flash_scan_bad_blocks(f);
	if (sqlite3_prepare_v2(t->db, "SELECT block FROM initial_bad_blocks", -1,
			       &s, NULL) != SQLITE_OK)
		return trace_sql_fail(t, e, SQLITE_ERROR, "reading the bad blocks");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		flash_set_bad(f, (uint64_t)sqlite3_column_int64(s, 0));
	sqlite3_finalize(s);
	return 0;
}

void trace_row_op_head(sqlite3_stmt *s, struct trace_op *op)
{
	memset(op, 0, sizeof(*op));
	op->seq = (uint64_t)sqlite3_column_int64(s, 0);
	op->kind = (enum trace_op_kind)sqlite3_column_int(s, 1);
	op->prog.addr = (uint64_t)sqlite3_column_int64(s, 2);
	op->prog.len = (uint32_t)sqlite3_column_int64(s, 3);
	op->prog.oob_offset = (uint32_t)sqlite3_column_int64(s, 5);
	op->prog.ooblen = (uint32_t)sqlite3_column_int64(s, 6);
	op->prog.oob_auto = sqlite3_column_int(s, 8);
	op->result = sqlite3_column_int(s, 9);
	op->time_ns = (uint64_t)sqlite3_column_int64(s, 10);
}

static int row_to_op(struct trace *t, sqlite3_stmt *s, struct trace_op *op)
{
	ssize_t n;

	trace_row_op_head(s, op);
	if (op->prog.len) {
		n = trace_blob_get(t, sqlite3_column_int64(s, 4), &t->data);
		if (n != op->prog.len)
			return -EBADMSG;
		op->prog.data = t->data.p;
	}
	if (op->prog.ooblen) {
		n = trace_blob_get(t, sqlite3_column_int64(s, 7), &t->oob);
		if (n != op->prog.ooblen)
			return -EBADMSG;
		op->prog.oob = t->oob.p;
	}
	return 0;
}

int trace_for_each_op(struct trace *t, uint64_t first, uint64_t last,
		      trace_op_fn fn, void *ctx, struct muse_error *e)
{
	sqlite3_stmt *s = t->stmt[ST_OPS_GET];
	uint64_t expect = first;
	struct trace_op op;
	int ret = 0, rc;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)first);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)last);
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		ret = row_to_op(t, s, &op);
		if (!ret && op.seq != expect)
			ret = -EBADMSG;
		if (ret)
			muse_fail(e, ret, "%s: op %" PRIu64 " is missing or damaged",
				  t->path, expect);
		else
			ret = fn(ctx, &op);
		expect++;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = trace_sql_fail(t, e, rc, "reading the ops");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}
