/*
 * sqlfile.h - the SQLite files the replayer keeps beside the trace store
 * (a sweep's results, a fuzz campaign's results): opened with the same
 * settings, versioned by PRAGMA user_version and brought up to date by
 * the steps their schema/NAME/ directory embeds.
 */
#ifndef MUSE_SQLFILE_H
#define MUSE_SQLFILE_H

#include "error.h"

struct sqlite3;

struct sqlfile_kind {
	const char *what;		/* "a sweep's results file" */
	const char *const *steps;	/* the schema's steps, version 1 first */
	int version;			/* the newest this muse knows */
};

/*
 * Opens @path (@flags: SQLite's open flags) and, when it may write, brings
 * it to k->version; refuses a newer version and another program's
 * database.  Read-only, any version up to k->version: a schema's steps
 * only add tables and columns, so what an older file has reads alike.
 */
int sqlfile_open(const char *path, int flags, const struct sqlfile_kind *k,
		 struct sqlite3 **db, struct muse_error *e);

/* Sets @key in the file's meta table (key TEXT PRIMARY KEY, value TEXT) */
int sqlfile_set_meta(struct sqlite3 *db, const char *key, const char *value);

#endif
