/*
 * results.c - sweep results files (see results.h).
 */
#include "results.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_schema.h"
#include "sqlfile.h"
#include "util.h"

struct results {
	sqlite3 *db;
	sqlite3_stmt *add, *get;
};

static const struct sqlfile_kind results_kind = {
	"a sweep's results file", results_schema_steps, RESULTS_SCHEMA_VERSION
};

static const char *const verdicts[] = { "pass", "fail", "error", "workload" };

const char *verdict_name(enum verdict v)
{
	return (unsigned)v < 4 ? verdicts[v] : "error";
}

static enum verdict verdict_of(const char *s)
{
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(s, verdicts[i]))
			return (enum verdict)i;
	return VERDICT_ERROR;
}

static int open_file(const char *path, int flags, struct results **out,
		     struct muse_error *e)
{
	struct results *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return muse_fail(e, -ENOMEM, "out of memory");
	ret = sqlfile_open(path, flags, &results_kind, &r->db, e);
	if (!ret && ((flags & SQLITE_OPEN_READWRITE &&
		      sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO results VALUES"
					 " (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &r->add,
					 NULL) != SQLITE_OK) ||
		     sqlite3_prepare_v2(r->db, "SELECT verdict FROM results WHERE n = ?"
					" AND model = ? AND seed = ?", -1, &r->get,
					NULL) != SQLITE_OK))
		ret = muse_fail(e, -EIO, "results file %s: %s", path, sqlite3_errmsg(r->db));
	if (ret) {
		results_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

int results_open(const char *path, struct results **out, struct muse_error *e)
{
	return open_file(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, out, e);
}

int results_open_readonly(const char *path, struct results **out,
			  struct muse_error *e)
{
	return open_file(path, SQLITE_OPEN_READONLY, out, e);
}

void results_close(struct results *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->add);
	sqlite3_finalize(r->get);
	sqlite3_close(r->db);
	free(r);
}

int results_set_meta(struct results *r, const char *key, const char *value)
{
	return sqlfile_set_meta(r->db, key, value);
}

int results_get_meta(struct results *r, const char *key, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int ret = -ENOENT;

	if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
		ret = 0;
	}
	sqlite3_finalize(st);
	return ret;
}

int results_add(struct results *r, const struct result *x)
{
	sqlite3_stmt *s = r->add;
	int rc;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)x->n);
	sqlite3_bind_text(s, 2, cut_name(x->model), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)x->seed);
	sqlite3_bind_text(s, 4, verdict_name(x->verdict), -1, SQLITE_STATIC);
	if (x->reason)
		sqlite3_bind_text(s, 5, x->reason, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_double(s, 6, x->ms);
	if (x->log)
		sqlite3_bind_text(s, 7, x->log, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 7);
	if (x->same)
		sqlite3_bind_int64(s, 8, (sqlite3_int64)x->same_n);
	else
		sqlite3_bind_null(s, 8);
	if (x->at > 0)
		sqlite3_bind_double(s, 9, x->at);
	else
		sqlite3_bind_null(s, 9);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int results_add_same(struct results *r, uint64_t n, enum cut_model m, uint64_t seed,
		     uint64_t same_n, double at)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO results SELECT ?, ?, ?, verdict,"
			       " reason, 0, log, n, ? FROM results WHERE n = ? AND model = 'clean'"
			       " AND seed = 0", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)n);
	sqlite3_bind_text(s, 2, cut_name(m), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)seed);
	sqlite3_bind_double(s, 4, at);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)same_n);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return -EIO;
	return sqlite3_changes(r->db) ? 0 : -ENOENT;
}

int results_verdict(struct results *r, uint64_t n, enum cut_model m, uint64_t seed,
		    enum verdict *v)
{
	sqlite3_stmt *s = r->get;
	int ret = -ENOENT;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)n);
	sqlite3_bind_text(s, 2, cut_name(m), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)seed);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*v = verdict_of((const char *)sqlite3_column_text(s, 0));
		ret = 0;
	}
	sqlite3_reset(s);
	return ret;
}

bool results_has(struct results *r, uint64_t n, enum cut_model m, uint64_t seed)
{
	enum verdict v;

	return !results_verdict(r, n, m, seed, &v);
}

int results_set_coverage(struct results *r, const struct results_class *c, size_t n)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_exec(r->db, "BEGIN; DELETE FROM coverage", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db, "INSERT INTO coverage VALUES (?, ?, ?, ?, ?, ?)",
					-1, &s, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)i);
		sqlite3_bind_text(s, 2, c[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)c[i].points);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)c[i].checked);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)c[i].failed);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)c[i].errors);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	else
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : -EIO;
}

/* Does the attached file "other" have the results column @name? */
static bool other_has_column(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('results', 'other')"
			       " WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return yes;
}

int results_merge(struct results *r, const char *path, struct muse_error *e)
{
	char *sql = sqlite3_mprintf("ATTACH %Q AS other", path), *err = NULL;
	int rc = sql ? sqlite3_exec(r->db, sql, NULL, NULL, &err) : SQLITE_NOMEM;

	sqlite3_free(sql);
	/* a file of version 1 has no same_as (its points were all booted), of 2 no time */
	sql = rc == SQLITE_OK ? sqlite3_mprintf(
		"INSERT OR REPLACE INTO main.results SELECT n, model, seed, verdict,"
		" reason, duration_ms, log, %s, %s FROM other.results;"
		"INSERT OR IGNORE INTO main.meta SELECT * FROM other.meta",
		other_has_column(r->db, "same_as") ? "same_as" : "NULL",
		other_has_column(r->db, "checked_at") ? "checked_at" : "NULL") : NULL;
	if (rc == SQLITE_OK)
		rc = sql ? sqlite3_exec(r->db, sql, NULL, NULL, &err) : SQLITE_NOMEM;
	sqlite3_free(sql);
	sqlite3_exec(r->db, "DETACH other", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		muse_fail(e, -EIO, "merging %s: %s", path, err ? err : "out of memory");
		sqlite3_free(err);
		return -EIO;
	}
	return 0;
}

int results_for_each(struct results *r, results_fn fn, void *ctx)
{
	sqlite3_stmt *s;
	int ret = 0;

	/* a file of version 1, read as it is, has no same_as */
	if (sqlite3_prepare_v2(r->db, "SELECT n, model, seed, verdict, reason,"
			       " duration_ms, log, same_as FROM results ORDER BY n, model, seed",
			       -1, &s, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(r->db, "SELECT n, model, seed, verdict, reason,"
			       " duration_ms, log, NULL FROM results ORDER BY n, model, seed",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	while (!ret && sqlite3_step(s) == SQLITE_ROW) {
		struct muse_error e;
		struct result x = {
			.n = (uint64_t)sqlite3_column_int64(s, 0),
			.seed = (uint64_t)sqlite3_column_int64(s, 2),
			.verdict = verdict_of((const char *)sqlite3_column_text(s, 3)),
			.reason = (const char *)sqlite3_column_text(s, 4),
			.ms = sqlite3_column_double(s, 5),
			.log = (const char *)sqlite3_column_text(s, 6),
			.same = sqlite3_column_type(s, 7) != SQLITE_NULL,
			.same_n = (uint64_t)sqlite3_column_int64(s, 7),
		};

		cut_parse((const char *)sqlite3_column_text(s, 1), &x.model, &e);
		ret = fn(ctx, &x);
	}
	sqlite3_finalize(s);
	return ret;
}

void result_id(const char *sha, const struct result *x, char *buf, size_t size)
{
	snprintf(buf, size, "%.12s-%" PRIu64 "-%s-%" PRIu64, sha, x->n,
		 cut_name(x->model), x->seed);
}

void result_repro(const char *trace, const char *replay_args,
		  const struct result *x, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "muse replay");
	shell_append(buf, size, trace);
	n = strlen(buf);
	if (x->model == CUT_CLEAN)
		snprintf(buf + n, size - n, " --at %" PRIu64 " --verdict%s", x->n,
			 replay_args ? replay_args : "");
	else
		snprintf(buf + n, size - n, " --at %" PRIu64 " --cut %s --seed %" PRIu64
			 " --verdict%s", x->n, cut_name(x->model), x->seed,
			 replay_args ? replay_args : "");
}
