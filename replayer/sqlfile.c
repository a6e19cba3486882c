/*
 * sqlfile.c - opening and versioning the replayer's SQLite files (see
 * sqlfile.h).
 */
#include "sqlfile.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

/* connection settings; the tables are the schema's */
static const char pragmas[] =
	"PRAGMA journal_mode = DELETE;"
	"PRAGMA synchronous = NORMAL;";

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Another program's database: some table, and no version of ours */
static bool has_tables(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool any = true;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		any = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return any;
}

static int migrate(sqlite3 *db, const char *path, const struct sqlfile_kind *k,
		   bool writable, struct muse_error *e)
{
	int v = user_version(db);
	char sql[64];

	if (v > k->version)
		return muse_fail(e, -EPROTONOSUPPORT, "%s is %s of version %d; this muse"
				 " knows up to %d", path, k->what, v, k->version);
	if ((v == 0 && has_tables(db)) || (!writable && v < 1))
		return muse_fail(e, -EBADMSG, "%s is not %s", path, k->what);
	/* an older file reads as it is: the steps only add to what it has */
	if (!writable)
		return 0;
	for (; v >= 0 && v < k->version; v++)
		if (sqlite3_exec(db, k->steps[v], NULL, NULL, NULL) != SQLITE_OK)
			return muse_fail(e, -EIO, "%s: %s", path, sqlite3_errmsg(db));
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", k->version);
	if (v < 0 || (writable && sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK))
		return muse_fail(e, -EIO, "%s: %s", path, sqlite3_errmsg(db));
	return 0;
}

int sqlfile_set_meta(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta VALUES (?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int sqlfile_open(const char *path, int flags, const struct sqlfile_kind *k,
		 sqlite3 **out, struct muse_error *e)
{
	bool writable = flags & SQLITE_OPEN_READWRITE;
	sqlite3 *db = NULL;
	int ret = 0;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
	    (writable && sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK))
		ret = muse_fail(e, -EIO, "%s: %s", path, db ? sqlite3_errmsg(db) :
				"out of memory");
	if (!ret)
		ret = migrate(db, path, k, writable, e);
	if (ret) {
		sqlite3_close(db);
		return ret;
	}
	*out = db;
	return 0;
}
