/*
 * fuzz_results_impl.h - reading a results file back, for the reports
 * made from it (fuzz_report.c).
 */
#ifndef MUSE_FUZZ_RESULTS_IMPL_H
#define MUSE_FUZZ_RESULTS_IMPL_H

#include "fuzz_faults.h"
#include "fuzz_results.h"

typedef int (*fuzz_row_fn)(void *ctx, const struct fuzz_row *x);
typedef void (*fuzz_meta_fn)(void *ctx, const char *key, const char *value);

/* Every row (@where: "" or an SQL WHERE clause), in ID order */
int fuzz_results_for_each(struct fuzz_results *r, const char *where,
			  fuzz_row_fn fn, void *ctx);
int fuzz_results_meta_for_each(struct fuzz_results *r, fuzz_meta_fn fn, void *ctx);
int fuzz_results_counts(struct fuzz_results *r, uint64_t counts[FUZZ_VERDICTS]);

#endif
