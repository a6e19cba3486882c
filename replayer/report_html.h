/*
 * report_html.h - a sweep's report as one self-contained HTML file: the
 * summary (points by verdict and model, time, coverage, kernel and
 * geometry), a timeline of the workload's ops with its marks and the
 * verdict of every point (zoom and pan, labels that never overlap), and
 * a table of the failures with filters, each with its reason, kernel
 * log, op in flight, marks around and reproduce command.  Its script
 * and style are embedded; it loads nothing.
 */
#ifndef MUSE_REPORT_HTML_H
#define MUSE_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "results.h"
#include "sweep_report.h"
#include "trace.h"

/* every row of a results file, and the counts by verdict */
struct report_rows {
	struct result *rows;	/* in (N, model, seed) order; strings owned */
	size_t count, cap;
	size_t passed, failed, errors, workload;
	size_t same;		/* verdicts taken from a clean point of the same state */
};

/* Text for an XML or HTML element or quoted attribute (control bytes as ?) */
void markup_bytes(FILE *f, const char *s, size_t n);
void markup_text(FILE *f, const char *s);

/* n[model][verdict]: the rows counted */
void report_counts_by_model(const struct report_rows *c, size_t n[CUT_MODELS][4]);

/* Writes o->html; @t (or NULL) gives the ops, marks and geometry */
int report_html(const struct report_rows *c, const struct report_options *o,
		const struct report_coverage *cov, struct results *r, struct trace *t,
		struct muse_error *e);

#endif
