/*
 * failures.h - the points of a sweep that did not pass, read from its
 * results file for showing as files (muse mount --results): each with
 * the ID the sweep report gives it, the texts of its verdict, reason and
 * kernel log, and the command that checks it again.
 */
#ifndef MUSE_FAILURES_H
#define MUSE_FAILURES_H

#include <stddef.h>
#include <stdint.h>

#include "cut.h"
#include "error.h"

struct failure {
	char id[96];
	uint64_t n, seed;
	enum cut_model model;
	/* NUL-terminated file contents */
	char *verdict, *reason, *log, *repro;
};

/* the names of a failure's text files, NULL-terminated */
extern const char *const failure_files[];
/* the text of file @name of @f, or NULL if it has none of that name */
const char *failure_text(const struct failure *f, const char *name);

struct failures;

/*
 * Reads @results_path, which must be the sweep of the trace at @trace_path
 * (the trace's SHA-256 is checked); points past op @last are left out.
 * The file is opened read-only.
 */
int failures_load(const char *trace_path, uint64_t last, const char *results_path,
		  struct failures **out, struct muse_error *e);
void failures_free(struct failures *l);

size_t failures_count(const struct failures *l);
const struct failure *failures_get(const struct failures *l, size_t i);
/* -ENOENT if no failure has ID @id */
int failures_find(const struct failures *l, const char *id, uint64_t *index);

#endif
