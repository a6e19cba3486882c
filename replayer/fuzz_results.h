/*
 * fuzz_results.h - what a fuzz campaign judged, kept and reported: one row
 * per run ("muse fuzz faults") or input ("muse fuzz image") in
 * DIR/results.db (schema/fuzz/), written as verdicts come in, and from
 * it DIR/junit.xml and DIR/report.html at the end of the campaign.
 *
 * A row's verdict is one of pass, workload, fail, crash, error; fail and
 * crash are findings, error a run the tool could not judge.
 */
#ifndef MUSE_FUZZ_RESULTS_H
#define MUSE_FUZZ_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct fuzz_row {
	const char *id;		/* the run's ID, or the input's number */
	const char *verdict;
	const char *reason;	/* NULL for a pass */
	const char *input;	/* the fault plan or the mutation; may be "" */
	double seconds;
	const char *log;	/* the kernel's messages, for findings; or NULL */
	const char *reproduce;	/* or NULL */
};

struct fuzz_results;

/* Opens (creating if needed) DIR/results.db */
int fuzz_results_open(const char *dir, struct fuzz_results **out,
		      struct muse_error *e);
void fuzz_results_close(struct fuzz_results *r);

int fuzz_results_set_meta(struct fuzz_results *r, const char *key,
			  const char *value);
/*
 * Sets each of the @n keys of @meta ({ key, value } pairs) to its value,
 * or refuses when the campaign in @dir already has another value for one
 * (a seed, a trace): a directory holds one campaign
 */
int fuzz_results_claim(struct fuzz_results *r, const char *dir,
		       const char *const (*meta)[2], size_t n, struct muse_error *e);
/* Adds or replaces the row of x->id */
int fuzz_results_add(struct fuzz_results *r, const struct fuzz_row *x);
bool fuzz_results_has(struct fuzz_results *r, const char *id);

/* what the report says of the campaign beyond its rows */
struct fuzz_report_facts {
	const char *title;	/* "muse fuzz faults", "muse fuzz image" */
	const char *unit;	/* "run", "input" */
	double seconds;		/* this start's time */
	uint64_t judged;	/* rows judged since this start */
};

/*
 * DIR/junit.xml (a test case per row, a failure per finding, an error per
 * error) and DIR/report.html (the counts, the campaign's settings from
 * the meta table, the findings with filters, each with its input, reason,
 * kernel log and reproduce command)
 */
int fuzz_results_report(struct fuzz_results *r, const char *dir,
			const struct fuzz_report_facts *facts,
			struct muse_error *e);

#endif
