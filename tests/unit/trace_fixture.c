/*
 * trace_fixture.c - small traces and ways to look into them, shared by the
 * trace store's tests (see trace_fixture.h).
 */
#include "trace_fixture.h"

#include <sqlite3.h>
#include <stdio.h>

#include "journal.h"
#include "test.h"
#include "trace_impl.h"

void path_in_tmp(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", test_tmpdir(), name);
}

struct trace *new_trace(const char *path)
{
	struct muse_error e;
	struct trace *t;

	if (trace_create(path, &t, &e)) {
		printf("    create: %s\n", e.msg);
		return NULL;
	}
	trace_set_meta(t, "geometry", "nand-2k,size=1m");
	return t;
}

struct trace_op program_op(uint64_t seq, uint64_t addr,
				  const uint8_t *data, uint32_t len)
{
	return (struct trace_op){ .seq = seq, .kind = TRACE_PROGRAM,
				  .prog.addr = addr, .prog.len = len, .prog.data = data,
				  .time_ns = seq * 1000 };
}

void add_page_op(struct trace *t, uint64_t seq, enum trace_op_kind kind, uint64_t addr,
		 const uint8_t *data)
{
	struct trace_op op = { .seq = seq, .kind = kind, .prog.addr = addr,
			       .prog.len = data ? 2048 : 0, .prog.data = data };

	trace_add_op(t, &op);
}

int collect(void *ctx, const struct trace_op *op)
{
	struct collected *c = ctx;

	if (c->n < 16) {
		c->op[c->n] = *op;
		c->first_byte[c->n] = op->prog.len ? op->prog.data[0] : 0;
	}
	c->n++;
	return 0;
}

int count_rows(struct trace *t, const char *table)
{
	char sql[128];
	sqlite3_stmt *s;
	int n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(t->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

int add_ops(struct journal *j, uint64_t first, uint64_t last,
		   uint8_t *page)
{
	for (uint64_t s = first; s <= last; s++) {
		struct trace_op op = program_op(s, (s % 64) * 2048, page, 2048);

		page[0] = (uint8_t)s;
		if (journal_add_op(j, &op))
			return -1;
	}
	return 0;
}
