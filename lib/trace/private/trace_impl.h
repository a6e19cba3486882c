/*
 * trace_impl.h - what the trace store's own files share: the connection,
 * its prepared statements and the payload helpers.  Not for use outside
 * lib/trace/.
 */
#ifndef MUSE_TRACE_IMPL_H
#define MUSE_TRACE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "packer.h"
#include "trace.h"

enum stmt_id {
	ST_BLOB_HAS, ST_BLOB_PUT, ST_BLOB_GET, ST_OP_PUT, ST_OPS_GET,
	ST_MARK_PUT, ST_MARK_FILE_PUT, ST_VIOLATION_PUT, ST_READ_PUT,
	ST_INITIAL_PUT, ST_META_PUT, ST_META_GET, ST_DICT_PUT, ST_FAULT_PUT,
	ST_COUNT
};

extern const char *const trace_stmt_sql[ST_COUNT];

/* The columns of an op row, as trace_row_op_head() reads them */
#define OPS_COLUMNS "seq, kind, addr, len, data, oob_offset, ooblen, oob," \
		    " oob_auto, result, time_ns"

struct buffer {
	uint8_t *p;
	size_t size;
};

/* the meta key of the content digest (trace_seal) */
#define TRACE_CONTENT_KEY "content_sha256"

/* trace_query.c: -EBADMSG when a sealed trace's content has changed */
int trace_verify_content(struct trace *t, struct muse_error *e);

/* no payload is larger than a block of the largest geometry */
#define TRACE_BLOB_MAX ((sqlite3_int64)GEOMETRY_MAX_BLOCK + GEOMETRY_MAX_PAGE)

struct trace {
	sqlite3 *db;
	bool writer;
	char *path;		/* for messages */
	bool in_txn;
	int version;
	uint64_t last_seq;
	sqlite3_stmt *stmt[ST_COUNT];
	struct packer *packer;
	bool dict_pending;		/* adopted in the open transaction */
	int64_t faults;			/* a reader's fault count, -1 until asked */
	struct buffer data;		/* decompressed payloads */
	struct buffer oob;
};

/* SQLite result codes as negative errnos */
int trace_sql_errno(int rc);
int trace_sql_fail(struct trace *t, struct muse_error *e, int rc,
		   const char *what);

/* Runs a prepared statement to completion and resets it. */
int trace_run(sqlite3_stmt *s);

/* Stores @data (if new); its blob id goes to @id. */
int trace_blob_put(struct trace *t, const void *data, size_t len,
		   sqlite3_int64 *id);

/* Fetches blob @id into @b; returns its size or a negative errno. */
ssize_t trace_blob_get(struct trace *t, sqlite3_int64 id, struct buffer *b);

/*
 * An op from a row in the column order of ST_OPS_GET (OPS_COLUMNS),
 * without its payloads: prog.data and prog.oob stay NULL.
 */
void trace_row_op_head(sqlite3_stmt *s, struct trace_op *op);

#endif
