/*
 * fuzz_results.c - a fuzz campaign's results file (see fuzz_results.h);
 * the reports made from it are fuzz_report.c.
 */
#include "fuzz_results.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_results_impl.h"
#include "fuzz_schema.h"
#include "sqlfile.h"

struct fuzz_results {
	sqlite3 *db;
	sqlite3_stmt *add, *has;
};

static const struct sqlfile_kind fuzz_kind = {
	"a fuzz campaign's results file", fuzz_schema_steps, FUZZ_SCHEMA_VERSION
};

int fuzz_results_open(const char *dir, struct fuzz_results **out,
		      struct muse_error *e)
{
	struct fuzz_results *r = calloc(1, sizeof(*r));
	char path[PATH_MAX + 16];
	int ret;

	if (!r)
		return muse_fail(e, -ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/results.db", dir);
	ret = sqlfile_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &fuzz_kind,
			   &r->db, e);
	if (!ret && (sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO runs VALUES"
					" (?, ?, ?, ?, ?, ?, ?)", -1, &r->add, NULL) ||
		     sqlite3_prepare_v2(r->db, "SELECT 1 FROM runs WHERE id = ?", -1,
					&r->has, NULL)))
		ret = muse_fail(e, -EIO, "%s: %s", path, sqlite3_errmsg(r->db));
	if (ret) {
		fuzz_results_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

void fuzz_results_close(struct fuzz_results *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->add);
	sqlite3_finalize(r->has);
	sqlite3_close(r->db);
	free(r);
}

int fuzz_results_set_meta(struct fuzz_results *r, const char *key,
			  const char *value)
{
	return sqlfile_set_meta(r->db, key, value);
}

static void bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int fuzz_results_add(struct fuzz_results *r, const struct fuzz_row *x)
{
	sqlite3_stmt *s = r->add;
	int rc;

	bind_text(s, 1, x->id);
	bind_text(s, 2, x->verdict);
	bind_text(s, 3, x->reason);
	bind_text(s, 4, x->input ? x->input : "");
	sqlite3_bind_double(s, 5, x->seconds);
	bind_text(s, 6, x->log);
	bind_text(s, 7, x->reproduce);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

bool fuzz_results_has(struct fuzz_results *r, const char *id)
{
	bool found;

	sqlite3_bind_text(r->has, 1, id, -1, SQLITE_STATIC);
	found = sqlite3_step(r->has) == SQLITE_ROW;
	sqlite3_reset(r->has);
	return found;
}

int fuzz_results_for_each(struct fuzz_results *r, const char *where,
			  fuzz_row_fn fn, void *ctx)
{
	char *sql = sqlite3_mprintf("SELECT id, verdict, reason, input, seconds, log,"
				    " reproduce FROM runs %s ORDER BY id", where);
	sqlite3_stmt *s = NULL;
	int ret = 0;

	if (!sql || sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) != SQLITE_OK)
		ret = -EIO;
	sqlite3_free(sql);
	while (!ret && sqlite3_step(s) == SQLITE_ROW) {
		struct fuzz_row x = {
			.id = (const char *)sqlite3_column_text(s, 0),
			.verdict = (const char *)sqlite3_column_text(s, 1),
			.reason = (const char *)sqlite3_column_text(s, 2),
			.input = (const char *)sqlite3_column_text(s, 3),
			.seconds = sqlite3_column_double(s, 4),
			.log = (const char *)sqlite3_column_text(s, 5),
			.reproduce = (const char *)sqlite3_column_text(s, 6),
		};

		ret = fn(ctx, &x);
	}
	sqlite3_finalize(s);
	return ret;
}

int fuzz_results_meta_for_each(struct fuzz_results *r, fuzz_meta_fn fn, void *ctx)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(r->db, "SELECT key, value FROM meta ORDER BY key", -1,
			       &s, NULL) != SQLITE_OK)
		return -EIO;
	while (sqlite3_step(s) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(s, 0),
		   (const char *)sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	return 0;
}

int fuzz_results_counts(struct fuzz_results *r, uint64_t counts[FUZZ_VERDICTS])
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM runs WHERE verdict = ?", -1,
			       &s, NULL) != SQLITE_OK)
		return -EIO;
	for (int v = 0; v < FUZZ_VERDICTS; v++) {
		sqlite3_bind_text(s, 1, fuzz_verdict_name(v), -1, SQLITE_STATIC);
		counts[v] = sqlite3_step(s) == SQLITE_ROW ?
			    (uint64_t)sqlite3_column_int64(s, 0) : 0;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return 0;
}

static int claim(struct fuzz_results *r, const char *dir, const char *key,
		 const char *value, struct muse_error *e)
{
	sqlite3_stmt *st;
	int ret = 0;

	if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return muse_fail(e, -EIO, "%s/results.db: %s", dir, sqlite3_errmsg(r->db));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), value))
		ret = muse_fail(e, -EEXIST, "%s holds a campaign with %s %s, not %s: give"
				" another --out to start a new one", dir, key,
				(const char *)sqlite3_column_text(st, 0), value);
	sqlite3_finalize(st);
	if (!ret && fuzz_results_set_meta(r, key, value))
		ret = muse_fail(e, -EIO, "%s/results.db: %s", dir, sqlite3_errmsg(r->db));
	return ret;
}

int fuzz_results_claim(struct fuzz_results *r, const char *dir,
		       const char *const (*meta)[2], size_t n, struct muse_error *e)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; i++)
		ret = claim(r, dir, meta[i][0], meta[i][1], e);
	return ret;
}
