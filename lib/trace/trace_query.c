/*
 * trace_query.c - questions asked of a trace (see trace_query.h).
 *
 * Op kinds are bound as parameters from their enum, never written as
 * numbers in the SQL.
 */
#define _GNU_SOURCE
#include "trace_query.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "names.h"
#include "trace_impl.h"
#include "util.h"

static int prepare(struct trace *t, const char *sql, sqlite3_stmt **st,
		   struct muse_error *e)
{
	int rc = sqlite3_prepare_v2(t->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : trace_sql_fail(t, e, rc, "querying the trace");
}

/* Ends a row loop: the error of a step that was neither a row nor done */
static int finish(struct trace *t, sqlite3_stmt *st, int ret, int rc,
		  struct muse_error *e)
{
	if (!ret && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = trace_sql_fail(t, e, rc, "reading the trace");
	sqlite3_finalize(st);
	return ret;
}

/* One row of a query, turned into what the caller's callback takes */
struct rows {
	void (*fn)(void);	/* the caller's callback, cast back by @row */
	void *ctx;
	struct muse_error *e;
	int (*row)(struct rows *r, sqlite3_stmt *st);
};

/* Steps @st (NULL after a failed prepare, which @ret holds) row by row */
static int each_row(struct trace *t, sqlite3_stmt *st, int ret, struct rows *r)
{
	int rc = SQLITE_DONE;

	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = r->row(r, st);
	return finish(t, st, ret, rc, r->e);
}

static const char *text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? (const char *)s : "";
}

/* ---- statistics -------------------------------------------------------- */

/* One number; @kind, if not 0, is bound to ?1 */
static uint64_t count(struct trace *t, const char *sql, int kind)
{
	sqlite3_stmt *st = NULL;
	uint64_t v = 0;

	if (sqlite3_prepare_v2(t->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (kind)
		sqlite3_bind_int(st, 1, kind);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void count_ops(struct trace *t, struct trace_stats *s)
{
	static const char by_kind[] = "SELECT count(*) FROM ops WHERE kind = ?1";
	static const char places[] = "SELECT count(DISTINCT addr) FROM ops WHERE kind = ?1";

	s->ops = t->last_seq;
	s->programs = count(t, by_kind, TRACE_PROGRAM);
	s->programmed_pages = count(t, places, TRACE_PROGRAM);
	s->erases = count(t, by_kind, TRACE_ERASE);
	s->erased_blocks = count(t, places, TRACE_ERASE);
	s->markbads = count(t, by_kind, TRACE_MARKBAD);
	s->bytes_programmed = count(t, "SELECT coalesce(sum(len + ooblen), 0) FROM ops"
				    " WHERE kind = ?1", TRACE_PROGRAM);
}

int trace_get_stats(struct trace *t, struct trace_stats *s,
		    struct muse_error *e)
{
	(void)e;
	memset(s, 0, sizeof(*s));
	count_ops(t, s);
	s->marks = count(t, "SELECT count(*) FROM marks", 0);
	if (t->version >= 2)
		s->violations = count(t, "SELECT count(*) FROM violations", 0);
	s->payloads = count(t, "SELECT count(*) FROM blobs", 0);
	s->payload_bytes = count(t, "SELECT coalesce(sum(size), 0) FROM blobs", 0);
	s->payload_stored = count(t, "SELECT coalesce(sum(length(data)), 0) FROM blobs", 0);
	if (t->version >= 3)
		s->dictionary_bytes = count(t, "SELECT coalesce(sum(length(data)), 0)"
					    " FROM dictionaries", 0);
	return 0;
}

/* ---- provenance ------------------------------------------------------------ */

static int meta_row(struct rows *r, sqlite3_stmt *st)
{
	return ((trace_meta_fn)r->fn)(r->ctx, text(st, 0), text(st, 1));
}

int trace_for_each_meta(struct trace *t, trace_meta_fn fn, void *ctx,
			struct muse_error *e)
{
	struct rows r = { (void (*)(void))fn, ctx, e, meta_row };
	sqlite3_stmt *st = NULL;
	int ret = prepare(t, "SELECT key, value FROM meta ORDER BY key", &st, e);

	return each_row(t, st, ret, &r);
}

static int print_meta(void *ctx, const char *key, const char *value)
{
	fprintf(ctx, "%s|%s|\n", key, value);
	return 0;
}

/* Op @seq with its payloads' hashes as one line of @m */
static int print_sample(sqlite3_stmt *st, uint64_t seq, FILE *m)
{
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	if (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++)
			fprintf(m, "%s|", text(st, i));
		fputc('\n', m);
	}
	sqlite3_reset(st);
	return 0;
}

int trace_fingerprint(struct trace *t, uint8_t out[32], struct muse_error *e)
{
	static const char op_sql[] =
		"SELECT o.seq, o.kind, o.addr, o.len, o.result, o.time_ns,"
		" hex(d.hash), hex(b.hash) FROM ops o LEFT JOIN blobs d ON d.id = o.data"
		" LEFT JOIN blobs b ON b.id = o.oob WHERE o.seq = ?";
	uint64_t last = t->last_seq;
	sqlite3_stmt *st = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int ret;

	if (!m)
		return muse_fail(e, -ENOMEM, "out of memory");
	ret = trace_for_each_meta(t, print_meta, m, e);
	fprintf(m, "ops=%" PRIu64 "\n", last);
	if (!ret)
		ret = prepare(t, op_sql, &st, e);
	for (uint64_t i = 0; !ret && last && i <= 16; i++)
		ret = print_sample(st, 1 + (last - 1) * i / 16, m);
	sqlite3_finalize(st);
	fclose(m);
	if (!ret)
		sha256_buf(buf, len, out);
	free(buf);
	return ret;
}

/* ---- the content digest ------------------------------------------------------ */

/*
 * Everything that decides a state or a verdict, in a fixed order: the
 * ops with their payloads' hashes, the initial units, the marks and
 * their files.  A payload's own bytes are checked against its hash when
 * read (trace_store.c), so its hash stands for it here.
 */
static const char *const content_sql[] = {
	"SELECT o.seq, o.kind, o.addr, o.len, o.oob_offset, o.ooblen, o.oob_auto,"
	" o.result, o.time_ns, d.hash, b.hash FROM ops o LEFT JOIN blobs d ON"
	" d.id = o.data LEFT JOIN blobs b ON b.id = o.oob ORDER BY o.seq",
	"SELECT u.addr, d.hash FROM initial_units u LEFT JOIN blobs d ON"
	" d.id = u.data ORDER BY u.addr",
	"SELECT block FROM initial_bad_blocks ORDER BY block",
	"SELECT id, after_seq, name, time_ns FROM marks ORDER BY id",
	"SELECT f.mark, f.path, f.kind, f.size, f.sha256, c.hash FROM mark_files f"
	" LEFT JOIN blobs c ON c.id = f.content ORDER BY f.mark, f.path",
	/* from schema version 4 */
	"SELECT f.id, f.seq, f.kind, f.block, f.addr, f.bits, f.bad, f.time_ns,"
	" m.hash FROM faults f LEFT JOIN blobs m ON m.id = f.mask ORDER BY f.id",
};

/* Every column of every row of @st, typed and length-prefixed, into @m */
static int digest_rows(sqlite3_stmt *st, FILE *m)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			int type = sqlite3_column_type(st, i);
			sqlite3_int64 v = sqlite3_column_int64(st, i);
			const void *p = sqlite3_column_blob(st, i);
			uint32_t n = (uint32_t)sqlite3_column_bytes(st, i);

			fputc(type, m);
			if (type == SQLITE_INTEGER)
				fwrite(&v, sizeof(v), 1, m);
			else if (type != SQLITE_NULL && fwrite(&n, sizeof(n), 1, m) && n)
				fwrite(p, 1, n, m);
		}
	}
	return rc == SQLITE_DONE ? 0 : -EBADMSG;
}

int trace_content_digest(struct trace *t, uint8_t out[32], struct muse_error *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int ret = m ? 0 : muse_fail(e, -ENOMEM, "out of memory");

	size_t n = sizeof(content_sql) / sizeof(content_sql[0]) - (t->version < 4);

	for (size_t i = 0; !ret && i < n; i++) {
		sqlite3_stmt *st = NULL;

		ret = prepare(t, content_sql[i], &st, e);
		if (!ret && digest_rows(st, m))
			ret = muse_fail(e, -EBADMSG, "%s is damaged: %s", t->path,
					sqlite3_errmsg(t->db));
		sqlite3_finalize(st);
		fputc('\n', m);
	}
	if (m)
		fclose(m);
	if (!ret)
		sha256_buf(buf, len, out);
	free(buf);
	return ret;
}

int trace_seal(struct trace *t, struct muse_error *e)
{
	uint8_t digest[32];
	char hex[65];
	int ret = trace_content_digest(t, digest, e);

	if (ret)
		return ret;
	sha256_hex(digest, hex);
	ret = trace_set_meta(t, TRACE_CONTENT_KEY, hex);
	return ret ? muse_fail(e, ret, "%s: writing its digest: %s", t->path,
			       strerror(-ret)) : 0;
}

int trace_verify_content(struct trace *t, struct muse_error *e)
{
	uint8_t digest[32];
	char want[80], hex[65];
	int ret;

	if (trace_get_meta(t, TRACE_CONTENT_KEY, want, sizeof(want)))
		return 0;	/* recorded before traces were sealed, or unfinished */
	ret = trace_content_digest(t, digest, e);
	if (ret)
		return ret;
	sha256_hex(digest, hex);
	if (strcmp(hex, want))
		return muse_fail(e, -EBADMSG, "%s is damaged: its ops, marks or initial"
				 " state differ from what was recorded", t->path);
	return 0;
}

/* ---- marks ------------------------------------------------------------------ */

int trace_find_mark(struct trace *t, const char *name, uint64_t *after_seq)
{
	sqlite3_stmt *st = NULL;
	int ret = -ENOENT;

	if (prepare(t, "SELECT after_seq FROM marks WHERE name = ? ORDER BY id LIMIT 1",
		    &st, NULL))
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*after_seq = (uint64_t)sqlite3_column_int64(st, 0);
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

/* A mark being gathered from its rows; strings point into the statement */
struct mark_rows {
	struct trace_mark mark;
	struct trace_mark_file *files;
	size_t cap;
	char **strings;			/* owned copies, freed per mark */
	size_t nstrings, strings_cap;
};

static const char *keep(struct mark_rows *r, const char *s)
{
	char *copy = strdup(s);

	if (!copy || grow_array(&r->strings, &r->strings_cap, r->nstrings + 1,
				sizeof(*r->strings))) {
		free(copy);
		return NULL;
	}
	r->strings[r->nstrings++] = copy;
	return copy;
}

static void drop_strings(struct mark_rows *r)
{
	for (size_t i = 0; i < r->nstrings; i++)
		free(r->strings[i]);
	r->nstrings = 0;
}

static int add_file(struct mark_rows *r, sqlite3_stmt *st, struct muse_error *e)
{
	struct trace_mark_file *mf;

	if (grow_array(&r->files, &r->cap, r->mark.nfiles + 1, sizeof(*r->files)))
		return muse_fail(e, -ENOMEM, "out of memory");
	mf = &r->files[r->mark.nfiles];
	memset(mf, 0, sizeof(*mf));
	if (trace_file_kind_parse(text(st, 5), &mf->kind))
		return muse_fail(e, -EBADMSG, "mark %s: file %s has an unknown kind \"%s\"",
				 r->mark.name, text(st, 4), text(st, 5));
	mf->path = keep(r, text(st, 4));
	if (!mf->path)
		return muse_fail(e, -ENOMEM, "out of memory");
	mf->size = (uint64_t)sqlite3_column_int64(st, 6);
	if (sqlite3_column_bytes(st, 7) == 32)
		memcpy(mf->sha256, sqlite3_column_blob(st, 7), 32);
	r->mark.nfiles++;
	return 0;
}

static int start_mark(struct mark_rows *r, sqlite3_stmt *st, struct muse_error *e)
{
	drop_strings(r);
	r->mark = (struct trace_mark){
		.after_seq = (uint64_t)sqlite3_column_int64(st, 1),
		.name = keep(r, text(st, 2)),
		.time_ns = (uint64_t)sqlite3_column_int64(st, 3),
	};
	return r->mark.name ? 0 : muse_fail(e, -ENOMEM, "out of memory");
}

int trace_for_each_mark(struct trace *t, trace_mark_fn fn, void *ctx,
			struct muse_error *e)
{
	static const char sql[] =
		"SELECT m.id, m.after_seq, m.name, m.time_ns, f.path, f.kind, f.size,"
		" f.sha256 FROM marks m LEFT JOIN mark_files f ON f.mark = m.id"
		" ORDER BY m.after_seq, m.id, f.path";
	struct mark_rows r = { 0 };
	sqlite3_stmt *st = NULL;
	int64_t id = -1;
	int ret = prepare(t, sql, &st, e), rc = SQLITE_DONE;

	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != id) {
			if (id >= 0)
				ret = fn(ctx, &r.mark);
			if (!ret)
				ret = start_mark(&r, st, e);
			id = sqlite3_column_int64(st, 0);
		}
		if (!ret && sqlite3_column_type(st, 4) != SQLITE_NULL)
			ret = add_file(&r, st, e);
		r.mark.files = r.files;
	}
	if (!ret && id >= 0 && rc == SQLITE_DONE)
		ret = fn(ctx, &r.mark);
	ret = finish(t, st, ret, rc, e);
	drop_strings(&r);
	free(r.strings);
	free(r.files);
	return ret;
}

/* ---- ops and violations --------------------------------------------------- */

static int op_head_row(struct rows *r, sqlite3_stmt *st)
{
	struct trace_op op;

	trace_row_op_head(st, &op);
	return ((trace_op_fn)r->fn)(r->ctx, &op);
}

int trace_for_each_op_head(struct trace *t, const struct trace_op_filter *f,
			   trace_op_fn fn, void *ctx, struct muse_error *e)
{
	static const char sql[] =
		"SELECT " OPS_COLUMNS " FROM ops WHERE seq BETWEEN ?1 AND ?2"
		" AND (?3 = 0 OR kind = ?3) AND (?4 < 0 OR addr / ?5 = ?4) ORDER BY seq";
	struct rows r = { (void (*)(void))fn, ctx, e, op_head_row };
	sqlite3_stmt *st = NULL;
	struct geometry g;
	int ret = prepare(t, sql, &st, e);

	/* the block size matters only when a block is asked for */
	if (!ret && f->block >= 0) {
		ret = trace_geometry(t, &g, e);
		if (!ret)
			sqlite3_bind_int64(st, 5, (sqlite3_int64)g.block_size);
	}
	if (!ret) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)f->first);
		sqlite3_bind_int64(st, 2, f->last > INT64_MAX ? INT64_MAX :
					  (sqlite3_int64)f->last);
		sqlite3_bind_int(st, 3, f->kind);
		sqlite3_bind_int64(st, 4, f->block);
	}
	return each_row(t, st, ret, &r);
}

static int violation_row(struct rows *r, sqlite3_stmt *st)
{
	struct trace_violation v = {
		.seq = (uint64_t)sqlite3_column_int64(st, 0),
		.block = (uint64_t)sqlite3_column_int64(st, 2),
		.page = (uint32_t)sqlite3_column_int64(st, 3),
		.detail = (uint32_t)sqlite3_column_int64(st, 4),
	};

	if (trace_violation_kind_parse(text(st, 1), &v.kind))
		return muse_fail(r->e, -EBADMSG, "op %" PRIu64 ": unknown violation"
				 " kind \"%s\"", v.seq, text(st, 1));
	return ((trace_violation_fn)r->fn)(r->ctx, &v);
}

int trace_for_each_violation(struct trace *t, trace_violation_fn fn, void *ctx,
			     struct muse_error *e)
{
	struct rows r = { (void (*)(void))fn, ctx, e, violation_row };
	sqlite3_stmt *st = NULL;
	int ret;

	if (t->version < 2)
		return 0;
	ret = prepare(t, "SELECT seq, kind, block, page, detail FROM violations"
		      " ORDER BY seq", &st, e);
	return each_row(t, st, ret, &r);
}

/* ---- faults ----------------------------------------------------------------- */

/* Asked before every rebuilt range: a reader's trace never changes, count once */
uint64_t trace_fault_count(struct trace *t)
{
	uint64_t n;

	if (t->faults >= 0)
		return (uint64_t)t->faults;
	n = t->version < 4 ? 0 : count(t, "SELECT count(*) FROM faults", 0);
	if (!t->writer)
		t->faults = (int64_t)n;
	return n;
}

static int fault_row(struct trace *t, sqlite3_stmt *st, struct buffer *mask,
		     struct trace_fault *f, struct muse_error *e)
{
	ssize_t n = 0;

	*f = (struct trace_fault){
		.seq = (uint64_t)sqlite3_column_int64(st, 0),
		.kind = text(st, 1),
		.block = (uint64_t)sqlite3_column_int64(st, 2),
		.has_unit = sqlite3_column_type(st, 3) != SQLITE_NULL,
		.addr = (uint64_t)sqlite3_column_int64(st, 3),
		.bits = (uint32_t)sqlite3_column_int64(st, 5),
		.bad = sqlite3_column_int(st, 6) != 0,
		.time_ns = (uint64_t)sqlite3_column_int64(st, 7),
	};
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		n = trace_blob_get(t, sqlite3_column_int64(st, 4), mask);
		if (n < 0)
			return muse_fail(e, (int)n, "%s: the mask of a fault after op %"
					 PRIu64 " is damaged", t->path, f->seq);
		f->mask = mask->p;
		f->mask_len = (uint32_t)n;
	}
	return 0;
}

int trace_for_each_fault(struct trace *t, uint64_t first, uint64_t last,
			 trace_fault_fn fn, void *ctx, struct muse_error *e)
{
	struct buffer mask = { 0 };
	sqlite3_stmt *st = NULL;
	struct trace_fault f;
	int ret, rc = SQLITE_DONE;

	if (t->version < 4)
		return 0;
	ret = prepare(t, "SELECT seq, kind, block, addr, mask, bits, bad, time_ns"
		      " FROM faults WHERE seq BETWEEN ? AND ? ORDER BY seq, id", &st, e);
	if (!ret) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)first);
		sqlite3_bind_int64(st, 2, last > INT64_MAX ? INT64_MAX :
					  (sqlite3_int64)last);
	}
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = fault_row(t, st, &mask, &f, e);
		if (!ret)
			ret = fn(ctx, &f);
	}
	free(mask.p);
	return finish(t, st, ret, rc, e);
}

/* ---- integrity and storage ------------------------------------------------- */

int trace_check_integrity(struct trace *t, struct muse_error *e)
{
	sqlite3_stmt *st = NULL;
	int ret = prepare(t, "PRAGMA integrity_check", &st, e);
	bool ok = false;

	if (ret)
		return ret;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = !strcmp(text(st, 0), "ok");
	sqlite3_finalize(st);
	if (!ok)
		return muse_fail(e, -EBADMSG, "%s is damaged: SQLite's integrity check"
				 " fails", t->path);
	if (count(t, "SELECT count(*) FROM ops", 0) != t->last_seq ||
	    (t->last_seq && count(t, "SELECT min(seq) FROM ops", 0) != 1))
		return muse_fail(e, -EBADMSG, "%s is damaged: the op sequence numbers"
				 " have gaps", t->path);
	return 0;
}

static int payload_row(struct rows *r, sqlite3_stmt *st)
{
	struct trace_payload p = {
		.size = (uint64_t)sqlite3_column_int64(st, 0),
		.codec = sqlite3_column_int(st, 1),
		.stored = sqlite3_column_blob(st, 2),
		.stored_len = (size_t)sqlite3_column_bytes(st, 2),
	};

	return ((trace_payload_fn)r->fn)(r->ctx, &p);
}

int trace_for_each_payload(struct trace *t, trace_payload_fn fn, void *ctx,
			   struct muse_error *e)
{
	struct rows r = { (void (*)(void))fn, ctx, e, payload_row };
	sqlite3_stmt *st = NULL;
	int ret = prepare(t, "SELECT size, codec, data FROM blobs", &st, e);

	return each_row(t, st, ret, &r);
}

static int dictionary_row(struct rows *r, sqlite3_stmt *st)
{
	return ((trace_dictionary_fn)r->fn)(r->ctx, sqlite3_column_blob(st, 0),
					    (size_t)sqlite3_column_bytes(st, 0));
}

int trace_for_each_dictionary(struct trace *t, trace_dictionary_fn fn,
			      void *ctx, struct muse_error *e)
{
	struct rows r = { (void (*)(void))fn, ctx, e, dictionary_row };
	sqlite3_stmt *st = NULL;
	int ret;

	if (t->version < 3)
		return 0;
	ret = prepare(t, "SELECT data FROM dictionaries", &st, e);
	return each_row(t, st, ret, &r);
}
