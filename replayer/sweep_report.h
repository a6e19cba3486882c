/*
 * sweep_report.h - what a sweep found: the summary on stdout (counts,
 * the first failure with its op, the marks around it, the command that
 * reproduces it and the kernel's log), a JUnit XML file, an HTML file
 * and the summary as JSON.  Every failure has a stable ID: the trace's SHA-256 (first 12
 * hex digits), N, model and seed.
 */
#ifndef MUSE_SWEEP_REPORT_H
#define MUSE_SWEEP_REPORT_H

#include <limits.h>

#include "error.h"
#include "plan.h"
#include "point_class.h"
#include "results.h"

struct report_options {
	const char *trace;	/* for op details and the repro commands */
	const char *sha;	/* the trace's SHA-256 in hex */
	const char *junit;	/* or NULL */
	const char *html;	/* or NULL */
	const char *json;	/* the summary as JSON, or NULL */
	const struct plan *plan;	/* points not checked yet; or NULL */
	const struct point_classes *classes;	/* of the plan's points; or NULL */
	/* "muse replay --verdict" options matching the sweep's, or NULL */
	const char *replay_args;
};

/* the longest replay_args, and the longest reproduce command */
#define REPORT_ARGS_MAX 2048
#define REPRO_MAX (PATH_MAX + 192 + REPORT_ARGS_MAX)

/* what the plan's classes of points got checked (classes 0: not known) */
struct report_coverage {
	struct results_class *by_class;
	size_t classes;
	size_t classes_checked;	/* classes with a point checked */
	struct results_class all;
};

/* 0 all passed, 1 some failed, 2 a tool error; negative if reporting failed */
int sweep_report(struct results *r, const struct report_options *o,
		 struct muse_error *e);

#endif
