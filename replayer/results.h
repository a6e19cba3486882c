/*
 * results.h - sweep verdicts in an SQLite file.
 *
 * One row per cut point (N, model, seed): pass, fail, error (a problem
 * of the tool, never counted as the filesystem's) or workload (a file
 * the workload changed without declaring it again), the reason,
 * the duration, when it was reached and, for what did not pass, the
 * kernel log.  Workers each
 * write their own file; the host merges them into TRACE.sweep.db.
 */
#ifndef MUSE_RESULTS_H
#define MUSE_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cut.h"
#include "error.h"

enum verdict {
	VERDICT_PASS,
	VERDICT_FAIL,
	VERDICT_ERROR,
	VERDICT_WORKLOAD,	/* the workload's marks, not the filesystem */
};

struct result {
	uint64_t n;
	enum cut_model model;
	uint64_t seed;
	enum verdict verdict;
	const char *reason;	/* NULL for a pass */
	double ms;
	const char *log;	/* NULL for a pass */
	bool same;		/* the verdict of the clean point same_n, whose */
	uint64_t same_n;	/* state this point's is: checked without a boot */
	double at;		/* when the verdict came (s since the epoch) */
};

struct results;

/* Opens (creating if needed) a results file */
int results_open(const char *path, struct results **out, struct muse_error *e);
/* Opens an existing results file of this version for reading only */
int results_open_readonly(const char *path, struct results **out,
			  struct muse_error *e);
void results_close(struct results *r);

int results_set_meta(struct results *r, const char *key, const char *value);
/* Copies the value of @key into @buf; -ENOENT if absent */
int results_get_meta(struct results *r, const char *key, char *buf, size_t size);

int results_add(struct results *r, const struct result *x);
bool results_has(struct results *r, uint64_t n, enum cut_model m, uint64_t seed);
/* The verdict of a point; -ENOENT if it has none */
int results_verdict(struct results *r, uint64_t n, enum cut_model m, uint64_t seed,
		    enum verdict *v);

/*
 * Point (n, m, seed) takes the verdict, reason and log of the clean point
 * @same_n, whose state is its own, at time @at (result.at); -ENOENT if
 * that one has no verdict
 */
int results_add_same(struct results *r, uint64_t n, enum cut_model m, uint64_t seed,
		     uint64_t same_n, double at);

/* A class of cut points (point_class.h) and how much of it was checked */
struct results_class {
	const char *name;
	size_t points, checked, failed, errors;
};

/* Replaces the file's coverage table (by class, in order) */
int results_set_coverage(struct results *r, const struct results_class *c, size_t n);

/* Copies every row of the results file @path into @r (newer rows win) */
int results_merge(struct results *r, const char *path, struct muse_error *e);

typedef int (*results_fn)(void *ctx, const struct result *x);
/* Every row in (N, model, seed) order */
int results_for_each(struct results *r, results_fn fn, void *ctx);

const char *verdict_name(enum verdict v);

/* A point's stable ID: the trace's SHA-256 (first 12 hex digits), N, model, seed */
void result_id(const char *sha, const struct result *x, char *buf, size_t size);

/*
 * "muse replay TRACE --at N --cut MODEL --seed S --verdict REPLAY_ARGS":
 * the point checked as the sweep checked it (REPLAY_ARGS may be NULL)
 */
void result_repro(const char *trace, const char *replay_args,
		  const struct result *x, char *buf, size_t size);

#endif
