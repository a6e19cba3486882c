/*
 * sweep_report.c - reporting a sweep (see sweep_report.h).
 */
#define _GNU_SOURCE
#include "sweep_report.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "report_context.h"
#include "report_html.h"
#include "trace.h"
#include "trace_query.h"
#include "util.h"

#define LISTED_FAILURES 10

static int collect(void *ctx, const struct result *x)
{
	struct report_rows *c = ctx;
	struct result *r;

	if (grow_array(&c->rows, &c->cap, c->count + 1, sizeof(*c->rows)))
		return -ENOMEM;
	r = &c->rows[c->count++];
	*r = *x;
	r->reason = x->reason ? strdup(x->reason) : NULL;
	r->log = x->log ? strdup(x->log) : NULL;
	c->passed += x->verdict == VERDICT_PASS;
	c->failed += x->verdict == VERDICT_FAIL;
	c->errors += x->verdict == VERDICT_ERROR;
	c->workload += x->verdict == VERDICT_WORKLOAD;
	c->same += x->same;
	return 0;
}

static void free_rows(struct report_rows *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free((char *)c->rows[i].reason);
		free((char *)c->rows[i].log);
	}
	free(c->rows);
}

static void point_id(const struct report_options *o, const struct result *x,
		     char *buf, size_t size)
{
	result_id(o->sha, x, buf, size);
}


static void repro(const struct report_options *o, const struct result *x,
		  char *buf, size_t size)
{
	result_repro(o->trace, o->replay_args, x, buf, size);
}

/* ---- the trace, for context ----------------------------------------------- */

static void print_context(struct trace *t, uint64_t n)
{
	struct point_context c;

	point_context_get(t, n, &c);
	if (c.op[0])
		printf("  op in flight: %s\n", c.op);
	if (c.before.name)
		printf("  after the mark %s (after op %" PRIu64 ")\n", c.before.name,
		       c.before.after_seq);
	if (c.after.name)
		printf("  before the mark %s (after op %" PRIu64 ")\n", c.after.name,
		       c.after.after_seq);
	point_context_free(&c);
}

static void print_log(const char *log)
{
	int lines = 0;

	for (const char *p = log; p && *p && lines < 40; lines++) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("    %.*s\n", len, p);
		p = nl ? nl + 1 : NULL;
	}
}

/* The totals; by class too when the sweep left points unchecked */
static void print_coverage(const struct report_coverage *cov)
{
	const struct results_class *a = &cov->all;

	if (!cov->classes)
		return;
	printf("coverage: %zu of %zu points (%.1f%%), %zu of %zu classes",
	       a->checked, a->points, a->points ? 100.0 * (double)a->checked /
	       (double)a->points : 100.0, cov->classes_checked, cov->classes);
	if (a->checked == a->points) {
		printf("\n");
		return;
	}
	printf("; %zu points left unchecked\n  checked/points failed  class\n",
	       a->points - a->checked);
	for (size_t i = 0; i < cov->classes; i++) {
		const struct results_class *k = &cov->by_class[i];

		printf("  %7zu/%-6zu %6zu  %s\n", k->checked, k->points, k->failed, k->name);
	}
}

static void print_summary(const struct report_rows *c, const struct report_options *o,
			  const struct report_coverage *cov, struct trace *t)
{
	const struct result *first = NULL;
	char id[128], cmd[REPRO_MAX];
	size_t listed = 0;

	printf("%s: %zu cut points checked: %zu passed, %zu failed, %zu errors",
	       o->trace, c->count, c->passed, c->failed, c->errors);
	if (c->workload)
		printf(", %zu workload errors (files changed without a mark saying so)",
		       c->workload);
	printf("\n");
	if (c->same)
		printf("%zu of them had the state of a clean point checked (a cut of an op"
		       " that changes no cell) and took its verdict without a boot\n", c->same);
	print_coverage(cov);
	for (size_t i = 0; i < c->count && !first; i++)
		if (c->rows[i].verdict != VERDICT_PASS)
			first = &c->rows[i];
	if (!first)
		return;
	point_id(o, first, id, sizeof(id));
	repro(o, first, cmd, sizeof(cmd));
	printf("first %s: N=%" PRIu64 " %s seed %" PRIu64 " (id %s)\n",
	       verdict_name(first->verdict), first->n, cut_name(first->model),
	       first->seed, id);
	if (t)
		print_context(t, first->n);
	printf("  reason: %s\n  reproduce: %s\n  kernel log:\n",
	       first->reason ? first->reason : "?", cmd);
	print_log(first->log);
	for (size_t i = 0; i < c->count && listed < LISTED_FAILURES; i++) {
		const struct result *x = &c->rows[i];

		if (x->verdict == VERDICT_PASS || &c->rows[i] == first)
			continue;
		if (!listed++)
			printf("more:\n");
		repro(o, x, cmd, sizeof(cmd));
		printf("  %s N=%" PRIu64 " %s seed %" PRIu64 ": %s\n    %s\n",
		       verdict_name(x->verdict), x->n, cut_name(x->model), x->seed,
		       x->reason ? x->reason : "?", cmd);
	}
}

/* ---- JUnit ------------------------------------------------------------------- */


/* A run of passing points of one model, from row @i; returns its end */
static size_t junit_passes(FILE *f, const struct report_rows *c, size_t i)
{
	size_t j = i;
	double ms = 0;

	while (j < c->count && c->rows[j].verdict == VERDICT_PASS &&
	       c->rows[j].model == c->rows[i].model) {
		ms += c->rows[j].ms;
		j++;
	}
	fprintf(f, "  <testcase classname=\"sweep.%s\" name=\"N %" PRIu64 "..%" PRIu64
		" (%zu points pass)\" time=\"%.3f\"/>\n", cut_name(c->rows[i].model),
		c->rows[i].n, c->rows[j - 1].n, j - i, ms / 1000);
	return j;
}

static void junit_failure(FILE *f, const struct report_options *o,
			  const struct result *x)
{
	const char *tag = x->verdict == VERDICT_ERROR ? "error" : "failure";
	char id[128], cmd[REPRO_MAX];

	point_id(o, x, id, sizeof(id));
	repro(o, x, cmd, sizeof(cmd));
	fprintf(f, "  <testcase classname=\"sweep.%s\" name=\"N %" PRIu64 " seed %" PRIu64
		" (", cut_name(x->model), x->n, x->seed);
	markup_text(f, id);
	fprintf(f, ")\" time=\"%.3f\">\n    <%s message=\"", x->ms / 1000, tag);
	markup_text(f, x->reason);
	fprintf(f, "\">reproduce: ");
	markup_text(f, cmd);
	fputs("\n\n", f);
	markup_text(f, x->log);
	fprintf(f, "</%s>\n  </testcase>\n", tag);
}

static void junit_property(FILE *f, const char *name, size_t checked, size_t points)
{
	fputs("    <property name=\"", f);
	markup_text(f, name);
	fprintf(f, "\" value=\"%zu/%zu\"/>\n", checked, points);
}

/* coverage: checked/points, in all and by class */
static void junit_coverage(FILE *f, const struct report_coverage *cov)
{
	char name[POINT_CLASS_NAME + 16];

	if (!cov->classes)
		return;
	fputs("  <properties>\n", f);
	junit_property(f, "coverage.points", cov->all.checked, cov->all.points);
	junit_property(f, "coverage.classes", cov->classes_checked, cov->classes);
	for (size_t i = 0; i < cov->classes; i++) {
		snprintf(name, sizeof(name), "coverage.class %s", cov->by_class[i].name);
		junit_property(f, name, cov->by_class[i].checked, cov->by_class[i].points);
	}
	fputs("  </properties>\n", f);
}

static int write_junit(const struct report_rows *c, const struct report_options *o,
		       const struct report_coverage *cov, struct muse_error *e)
{
	FILE *f = fopen(o->junit, "w");

	if (!f)
		return muse_fail(e, -errno, "%s: %s", o->junit, strerror(errno));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		"<testsuite name=\"muse sweep ");
	markup_text(f, o->trace);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", c->count,
		c->failed + c->workload, c->errors);
	junit_coverage(f, cov);
	for (size_t i = 0; i < c->count;) {
		if (c->rows[i].verdict == VERDICT_PASS) {
			i = junit_passes(f, c, i);
		} else {
			junit_failure(f, o, &c->rows[i]);
			i++;
		}
	}
	fputs("</testsuite>\n</testsuites>\n", f);
	return fclose(f) ? muse_fail(e, -errno, "%s: %s", o->junit, strerror(errno)) : 0;
}

/* ---- JSON -------------------------------------------------------------------- */

static void json_counts(FILE *f, const size_t n[4])
{
	fprintf(f, "{\"points\": %zu, \"passed\": %zu, \"failed\": %zu, \"errors\": %zu,"
		" \"workload\": %zu}", n[0] + n[1] + n[2] + n[3], n[VERDICT_PASS],
		n[VERDICT_FAIL], n[VERDICT_ERROR], n[VERDICT_WORKLOAD]);
}

static void json_by_model(FILE *f, const struct report_rows *c)
{
	size_t n[CUT_MODELS][4];
	bool first = true;

	report_counts_by_model(c, n);
	fputs("  \"by_model\": {", f);
	for (int m = 0; m < CUT_MODELS; m++) {
		if (!n[m][0] && !n[m][1] && !n[m][2] && !n[m][3])
			continue;
		fprintf(f, "%s\n    \"%s\": ", first ? "" : ",", cut_name((enum cut_model)m));
		json_counts(f, n[m]);
		first = false;
	}
	fputs("\n  },\n", f);
}

static void json_failure(FILE *f, const struct report_options *o,
			 const struct result *x, struct trace *t)
{
	struct point_context pc = { .op = "" };
	char id[128], cmd[REPRO_MAX];

	point_id(o, x, id, sizeof(id));
	repro(o, x, cmd, sizeof(cmd));
	if (t)
		point_context_get(t, x->n, &pc);
	fputs("    {\"id\": ", f);
	json_string(f, id);
	fprintf(f, ", \"n\": %" PRIu64 ", \"model\": \"%s\", \"seed\": %" PRIu64
		", \"verdict\": \"%s\", \"ms\": %.1f,\n     \"op_in_flight\": ", x->n,
		cut_name(x->model), x->seed, verdict_name(x->verdict), x->ms);
	json_string(f, pc.op);
	fputs(",\n     \"reason\": ", f);
	json_string(f, x->reason);
	fputs(",\n     \"reproduce\": ", f);
	json_string(f, cmd);
	fputs(",\n     \"kernel_log\": ", f);
	json_string(f, x->log);
	fputc('}', f);
	point_context_free(&pc);
}

static void json_class(FILE *f, const struct results_class *k)
{
	fputs("{\"class\": ", f);
	json_string(f, k->name);
	fprintf(f, ", \"points\": %zu, \"checked\": %zu, \"failed\": %zu, \"errors\": %zu}",
		k->points, k->checked, k->failed, k->errors);
}

static void json_coverage(FILE *f, const struct report_coverage *cov)
{
	if (!cov->classes)
		return;
	fprintf(f, "  \"coverage\": {\"points\": %zu, \"checked\": %zu, \"unchecked\": %zu,"
		" \"classes\": %zu, \"classes_checked\": %zu,\n    \"by_class\": [",
		cov->all.points, cov->all.checked, cov->all.points - cov->all.checked,
		cov->classes, cov->classes_checked);
	for (size_t i = 0; i < cov->classes; i++) {
		fputs(i ? ",\n      " : "\n      ", f);
		json_class(f, &cov->by_class[i]);
	}
	fputs("]},\n", f);
}

static int write_json(const struct report_rows *c, const struct report_options *o,
		      const struct report_coverage *cov, struct results *r, struct trace *t,
		      struct muse_error *e)
{
	size_t totals[4] = { c->passed, c->failed, c->errors, c->workload };
	char release[128] = "";
	bool first = true;
	FILE *f = fopen(o->json, "w");

	if (!f)
		return muse_fail(e, -errno, "%s: %s", o->json, strerror(errno));
	results_get_meta(r, "kernel_release", release, sizeof(release));
	fputs("{\n  \"trace\": ", f);
	json_string(f, o->trace);
	fputs(",\n  \"trace_sha256\": ", f);
	json_string(f, o->sha);
	fputs(",\n  \"kernel_release\": ", f);
	json_string(f, release);
	fputs(",\n  \"totals\": ", f);
	json_counts(f, totals);
	fprintf(f, ",\n  \"same_state\": %zu,\n", c->same);
	json_by_model(f, c);
	json_coverage(f, cov);
	fputs("  \"failures\": [", f);
	for (size_t i = 0; i < c->count; i++) {
		if (c->rows[i].verdict == VERDICT_PASS)
			continue;
		fputs(first ? "\n" : ",\n", f);
		json_failure(f, o, &c->rows[i], t);
		first = false;
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", f);
	return fclose(f) ? muse_fail(e, -errno, "%s: %s", o->json, strerror(errno)) : 0;
}

/* Counted from the plan's classes, and kept in the results file */
static int count_coverage(struct results *r, const struct report_options *o,
			  struct report_coverage *cov, struct muse_error *e)
{
	int ret;

	*cov = (struct report_coverage){ 0 };
	if (!o->plan || !o->classes)
		return 0;
	ret = coverage_count(o->plan, o->classes, r, &cov->by_class, &cov->all);
	if (ret)
		return muse_fail(e, ret, "counting the coverage: %s", strerror(-ret));
	cov->classes = o->classes->count;
	for (size_t i = 0; i < cov->classes; i++)
		cov->classes_checked += cov->by_class[i].checked > 0;
	if (results_set_coverage(r, cov->by_class, cov->classes))
		return muse_fail(e, -EIO, "writing the coverage into the results failed");
	return 0;
}

int sweep_report(struct results *r, const struct report_options *o,
		 struct muse_error *e)
{
	struct report_rows c = { 0 };
	struct report_coverage cov;
	struct muse_error te;
	struct trace *t = NULL;
	int ret = results_for_each(r, collect, &c);

	if (ret) {
		free_rows(&c);
		return muse_fail(e, ret, "reading the results failed");
	}
	ret = count_coverage(r, o, &cov, e);
	if (ret) {
		free_rows(&c);
		return ret;
	}
	if (o->trace && trace_open(o->trace, TRACE_READ, &t, &te))
		t = NULL;	/* reports without op details */
	print_summary(&c, o, &cov, t);
	if (o->junit)
		ret = write_junit(&c, o, &cov, e);
	if (!ret && o->html)
		ret = report_html(&c, o, &cov, r, t, e);
	if (!ret && o->json)
		ret = write_json(&c, o, &cov, r, t, e);
	if (t)
		trace_close(t, NULL);
	if (!ret)
		ret = c.errors ? 2 : c.failed || c.workload ? 1 : 0;
	free(cov.by_class);
	free_rows(&c);
	return ret;
}
