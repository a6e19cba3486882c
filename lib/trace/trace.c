/*
 * trace.c - the trace database (see trace.h).
 *
 * The header of the file is checked by hand before SQLite sees it, so
 * that a foreign, truncated or newer file gets a message that says which.
 * Pages are 64 KiB: in a UML guest every system call is expensive, and a
 * larger page means fewer writes per committed kilobyte.
 */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "stamp.h"
#include "trace_schema.h"
#include "trace_impl.h"

#define TRACE_APP_ID 0x4d555345		/* "MUSE" */
#define TRACE_PAGE_SIZE 65536

const char *const trace_stmt_sql[ST_COUNT] = {
	[ST_BLOB_HAS] = "SELECT id FROM blobs WHERE hash = ?",
	[ST_BLOB_PUT] = "INSERT INTO blobs (hash, size, codec, data) VALUES (?, ?, ?, ?)",
	[ST_BLOB_GET] = "SELECT size, codec, data, hash FROM blobs WHERE id = ?",
	[ST_OP_PUT] = "INSERT INTO ops (seq, kind, addr, len, data, oob_offset, ooblen,"
		      " oob, oob_auto, result, time_ns)"
		      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_OPS_GET] = "SELECT " OPS_COLUMNS " FROM ops WHERE seq BETWEEN ? AND ?"
		       " ORDER BY seq",
	[ST_MARK_PUT] = "INSERT INTO marks (after_seq, name, time_ns) VALUES (?, ?, ?)",
	[ST_MARK_FILE_PUT] = "INSERT OR REPLACE INTO mark_files"
			     " (mark, path, kind, size, sha256, content)"
			     " VALUES (?, ?, ?, ?, ?, ?)",
	[ST_VIOLATION_PUT] = "INSERT INTO violations (seq, kind, block, page, detail)"
			     " VALUES (?, ?, ?, ?, ?)",
	[ST_READ_PUT] = "INSERT INTO reads (after_seq, addr, len, ooblen, mode,"
			" corrected, failed, time_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_INITIAL_PUT] = "INSERT INTO initial_units (addr, data) VALUES (?, ?)",
	[ST_META_PUT] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?",
	[ST_DICT_PUT] = "INSERT INTO dictionaries (id, data) VALUES (?, ?)",
	[ST_FAULT_PUT] = "INSERT INTO faults (seq, kind, block, addr, mask, bits,"
			 " bad, time_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
};

int trace_journal_path(const char *trace, char *buf, size_t size)
{
	if (snprintf(buf, size, "%s-journal.muse", trace) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int trace_sql_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return -EROFS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

int trace_sql_fail(struct trace *t, struct muse_error *e, int rc,
		   const char *what)
{
	return muse_fail(e, trace_sql_errno(rc), "%s: %s: %s", t->path, what,
			 t->db ? sqlite3_errmsg(t->db) : sqlite3_errstr(rc));
}

static int exec(struct trace *t, const char *sql, struct muse_error *e)
{
	int rc = sqlite3_exec(t->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : trace_sql_fail(t, e, rc, sql);
}

/* ---- the file header, read before SQLite -------------------------- */

struct file_header {
	uint32_t page_size;
	uint32_t page_count;
	uint32_t user_version;
	uint32_t app_id;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int read_header(const char *path, struct file_header *h,
		       struct muse_error *e)
{
	uint8_t buf[100];
	struct stat st;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return muse_fail(e, -errno, "trace %s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf), f);
	if (fstat(fileno(f), &st))
		st.st_size = 0;
	fclose(f);
	if (n < sizeof(buf) || memcmp(buf, "SQLite format 3", 16))
		return muse_fail(e, -EINVAL,
				 "%s is not a trace (not an SQLite database)", path);
	h->page_size = (uint32_t)buf[16] << 8 | buf[17];
	if (h->page_size == 1)
		h->page_size = 65536;
	h->page_count = be32(buf + 28);
	h->user_version = be32(buf + 60);
	h->app_id = be32(buf + 68);
	if (h->app_id != TRACE_APP_ID)
		return muse_fail(e, -EINVAL,
				 "%s is an SQLite database but not a MUSE trace", path);
	/* the page count is valid when the "version valid for" matches */
	if (be32(buf + 92) == be32(buf + 24) &&
	    (uint64_t)st.st_size < (uint64_t)h->page_size * h->page_count)
		return muse_fail(e, -EINVAL,
				 "trace %s is truncated: %lld of %" PRIu64 " bytes",
				 path, (long long)st.st_size,
				 (uint64_t)h->page_size * h->page_count);
	if (h->user_version > TRACE_SCHEMA_VERSION)
		return muse_fail(e, -EPROTONOSUPPORT,
				 "trace %s has schema version %" PRIu32
				 "; this muse reads versions up to %d (upgrade muse)",
				 path, h->user_version, TRACE_SCHEMA_VERSION);
	if (!h->user_version)
		return muse_fail(e, -EINVAL, "trace %s has no schema version", path);
	return 0;
}

static bool nonempty_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && st.st_size > 0;
}

static int check_complete(const char *path, struct muse_error *e)
{
	char j[4096], wal[4096];

	if (trace_journal_path(path, j, sizeof(j)) ||
	    snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
		return muse_fail(e, -ENAMETOOLONG, "%s: name too long", path);
	if (nonempty_file(j) || nonempty_file(wal))
		return muse_fail(e, -EAGAIN,
				 "the recording in %s was interrupted; \"muse recover %s\" completes it",
				 path, path);
	return 0;
}

/* ---- opening ------------------------------------------------------- */

/* "file:" URI for read-only opens; escapes what URIs treat specially */
static int ro_uri(const char *path, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "file:");

	for (const char *p = path; *p && n + 4 < size; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(buf + n, size - n, "%%%02X",
					      (unsigned char)*p);
		else
			buf[n++] = *p;
	}
	/* immutable: no locks, no journal; safe for readers in many guests */
	return snprintf(buf + n, size - n, "?mode=ro&immutable=1") >=
	       (int)(size - n) ? -ENAMETOOLONG : 0;
}

/* What every reader uses, whatever the schema version */
static bool reader_needs(int stmt)
{
	return stmt == ST_BLOB_GET || stmt == ST_OPS_GET || stmt == ST_META_GET;
}

static int prepare_all(struct trace *t, struct muse_error *e)
{
	for (int i = 0; i < ST_COUNT; i++) {
		/* a reader of an older schema lacks some tables: fine */
		if (sqlite3_prepare_v3(t->db, trace_stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &t->stmt[i],
				       NULL) == SQLITE_OK)
			continue;
		if (t->writer)
			return muse_fail(e, -EIO, "preparing \"%s\": %s",
					 trace_stmt_sql[i], sqlite3_errmsg(t->db));
		if (reader_needs(i))
			return muse_fail(e, -EBADMSG, "%s is damaged: %s", t->path,
					 sqlite3_errmsg(t->db));
	}
	return 0;
}

static int writer_pragmas(struct trace *t, struct muse_error *e)
{
	/* exclusive before WAL: the WAL index then lives in heap memory */
	int ret = exec(t, "PRAGMA locking_mode=EXCLUSIVE", e);

	if (!ret)
		ret = exec(t, "PRAGMA journal_mode=WAL", e);
	if (!ret)
		ret = exec(t, "PRAGMA synchronous=NORMAL", e);
	return ret;
}

static int migrate(struct trace *t, int from, struct muse_error *e)
{
	char sql[64];
	int ret = exec(t, "BEGIN", e);

	for (int v = from; !ret && v < TRACE_SCHEMA_VERSION; v++)
		ret = exec(t, trace_schema_steps[v], e);
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", TRACE_SCHEMA_VERSION);
	if (!ret)
		ret = exec(t, sql, e);
	if (!ret)
		ret = exec(t, "COMMIT", e);
	/* into the main file: readers check its header before SQLite does */
	if (!ret)
		ret = exec(t, "PRAGMA wal_checkpoint(TRUNCATE)", e);
	if (ret)
		sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
	else
		t->version = TRACE_SCHEMA_VERSION;
	return ret;
}

static struct trace *trace_alloc(const char *path, bool writer)
{
	struct trace *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->writer = writer;
	t->faults = -1;
	t->packer = packer_new();
	t->path = strdup(path);
	if (!t->packer || !t->path) {
		packer_free(t->packer);
		free(t->path);
		free(t);
		return NULL;
	}
	return t;
}

static void trace_free(struct trace *t)
{
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(t->stmt[i]);
	if (t->db)
		sqlite3_close(t->db);
	packer_free(t->packer);
	free(t->data.p);
	free(t->oob.p);
	free(t->path);
	free(t);
}

/* Readers need every dictionary; a writer packs on with the last one. */
static int load_dictionaries(struct trace *t)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (t->version < 3)
		return 0;
	if (sqlite3_prepare_v2(t->db, "SELECT data FROM dictionaries ORDER BY rowid",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	while (!ret && sqlite3_step(s) == SQLITE_ROW)
		ret = packer_add_dictionary(t->packer, sqlite3_column_blob(s, 0),
					    (size_t)sqlite3_column_bytes(s, 0), t->writer);
	sqlite3_finalize(s);
	return ret;
}

static int load_last_seq(struct trace *t)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(t->db, "SELECT coalesce(max(seq), 0) FROM ops",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW)
		t->last_seq = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int trace_create(const char *path, struct trace **out, struct muse_error *e)
{
	struct trace *t;
	struct stat st;
	char sql[64];
	int rc, ret;

	if (!stat(path, &st))
		return muse_fail(e, -EEXIST, "%s exists", path);
	t = trace_alloc(path, true);
	if (!t)
		return muse_fail(e, -ENOMEM, "out of memory");
	rc = sqlite3_open_v2(path, &t->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		ret = muse_fail(e, trace_sql_errno(rc), "creating %s: %s", path,
				sqlite3_errstr(rc));
		goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d", TRACE_APP_ID);
	ret = exec(t, "PRAGMA page_size=65536", e);
	if (!ret)
		ret = exec(t, sql, e);
	if (!ret)
		ret = writer_pragmas(t, e);
	if (!ret)
		ret = migrate(t, 0, e);
	if (!ret)
		ret = prepare_all(t, e);
	if (ret)
		goto fail;
	*out = t;
	return 0;
fail:
	trace_free(t);
	unlink(path);
	return ret;
}

/* Is @path the file @verified stamps? */
static bool still(const char *path, const struct file_stamp *verified)
{
	struct file_stamp now;

	return verified && !file_stamp_of_path(path, &now) && file_stamp_equal(&now, verified);
}

static int open_trace(const char *path, enum trace_mode mode,
		      const struct file_stamp *verified, struct trace **out,
		      struct muse_error *e)
{
	bool writer = mode == TRACE_WRITE, known = !writer && still(path, verified);
	struct file_header h = { 0 };
	struct trace *t;
	char uri[8192];
	int rc, ret;

	ret = read_header(path, &h, e);
	if (!ret && !writer)
		ret = check_complete(path, e);
	if (!ret && !writer && ro_uri(path, uri, sizeof(uri)))
		ret = muse_fail(e, -ENAMETOOLONG, "%s: name too long", path);
	if (ret)
		return ret;
	t = trace_alloc(path, writer);
	if (!t)
		return muse_fail(e, -ENOMEM, "out of memory");
	rc = writer ? sqlite3_open_v2(path, &t->db, SQLITE_OPEN_READWRITE, NULL) :
		      sqlite3_open_v2(uri, &t->db,
				      SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK)
		ret = muse_fail(e, trace_sql_errno(rc), "opening %s: %s", path,
				sqlite3_errstr(rc));
	t->version = (int)h.user_version;
	if (!ret && writer)
		ret = writer_pragmas(t, e);
	if (!ret && writer && t->version < TRACE_SCHEMA_VERSION)
		ret = migrate(t, t->version, e);
	if (!ret)
		ret = prepare_all(t, e);
	if (!ret && load_last_seq(t))
		ret = muse_fail(e, -EBADMSG, "%s: cannot read the ops: %s", path,
				sqlite3_errmsg(t->db));
	if (!ret && load_dictionaries(t))
		ret = muse_fail(e, -EBADMSG, "%s: a payload dictionary is damaged", path);
	if (!ret && !(known && still(path, verified)))
		ret = trace_verify_content(t, e);
	/* a writer changes the content: it seals the trace again when done */
	if (!ret && writer)
		ret = exec(t, "DELETE FROM meta WHERE key = '" TRACE_CONTENT_KEY "'", e);
	if (ret) {
		trace_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

int trace_open(const char *path, enum trace_mode mode, struct trace **out,
	       struct muse_error *e)
{
	return open_trace(path, mode, NULL, out, e);
}

int trace_open_verified(const char *path, const struct file_stamp *verified,
			struct trace **out, struct muse_error *e)
{
	return open_trace(path, TRACE_READ, verified, out, e);
}

int trace_close(struct trace *t, struct muse_error *e)
{
	int ret = 0;

	if (!t)
		return 0;
	if (t->writer) {
		if (t->in_txn)
			ret = trace_commit(t, e);
		for (int i = 0; i < ST_COUNT; i++) {
			sqlite3_finalize(t->stmt[i]);
			t->stmt[i] = NULL;
		}
		if (!ret)
			ret = exec(t, "PRAGMA wal_checkpoint(TRUNCATE)", e);
		/* back to a rollback journal: the WAL file goes away */
		if (!ret)
			ret = exec(t, "PRAGMA journal_mode=DELETE", e);
	}
	trace_free(t);
	return ret;
}

int trace_schema_version(struct trace *t)
{
	return t->version;
}

uint64_t trace_last_seq(struct trace *t)
{
	return t->last_seq;
}

/* ---- transactions and meta ----------------------------------------- */

int trace_begin(struct trace *t)
{
	int rc;

	if (t->in_txn)
		return 0;
	rc = sqlite3_exec(t->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return trace_sql_errno(rc);
	t->in_txn = true;
	return 0;
}

int trace_commit(struct trace *t, struct muse_error *e)
{
	int rc;

	if (!t->in_txn)
		return 0;
	rc = sqlite3_exec(t->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int ret = trace_sql_fail(t, e, rc, "committing the trace");

		trace_rollback(t);
		return ret;
	}
	t->in_txn = false;
	t->dict_pending = false;
	return 0;
}

void trace_rollback(struct trace *t)
{
	if (t->in_txn)
		sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
	t->in_txn = false;
	/* no payload may name a dictionary the file does not hold */
	if (t->dict_pending)
		packer_drop_dictionary(t->packer);
	t->dict_pending = false;
	load_last_seq(t);
}

int trace_run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : trace_sql_errno(rc);
}

int trace_set_meta(struct trace *t, const char *key, const char *value)
{
	sqlite3_stmt *s = t->stmt[ST_META_PUT];

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return trace_run(s);
}

int trace_get_meta(struct trace *t, const char *key, char *buf, size_t size)
{
	sqlite3_stmt *s = t->stmt[ST_META_GET];
	int ret = -ENOENT;

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(s, 0));
		ret = 0;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

