/*
 * trace_fixture.h - helpers of the trace store's unit tests: a trace in
 * the test's scratch directory, program ops, collecting what a trace
 * gives back, counting the rows of a table.
 */
#ifndef MUSE_TRACE_FIXTURE_H
#define MUSE_TRACE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "trace.h"

/* @name in the test's scratch directory */
void path_in_tmp(char *buf, size_t size, const char *name);

/* A new trace at @path with a nand-2k,size=1m geometry; NULL on error */
struct trace *new_trace(const char *path);

/* A program of @len bytes of @data at @addr, recorded at seq * 1 us */
struct trace_op program_op(uint64_t seq, uint64_t addr, const uint8_t *data,
			   uint32_t len);

/* Adds op @seq: a program of a 2 KiB page of @data at @addr, or (@data
 * NULL) an op of @kind on the block at @addr */
void add_page_op(struct trace *t, uint64_t seq, enum trace_op_kind kind, uint64_t addr,
		 const uint8_t *data);

struct collected {
	int n;
	struct trace_op op[16];
	uint8_t first_byte[16];
};

/* A trace_op_fn keeping the first 16 ops and their first byte */
int collect(void *ctx, const struct trace_op *op);

/* Rows of @table, -1 if it cannot be counted */
int count_rows(struct trace *t, const char *table);

/* Journals programs of 2 KiB pages for ops @first..@last, page[0] the seq */
int add_ops(struct journal *j, uint64_t first, uint64_t last, uint8_t *page);

#endif
