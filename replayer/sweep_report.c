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

#include "point.h"
#include "trace.h"
#include "trace_query.h"
#include "util.h"

#define LISTED_FAILURES 10
#define TIMELINE_OPS 20000

struct row {
	struct result x;	/* reason and log owned */
};

struct collected {
	struct row *rows;
	size_t count, cap;
	size_t passed, failed, errors, workload;
};

static int collect(void *ctx, const struct result *x)
{
	struct collected *c = ctx;
	struct row *r;

	if (grow_array(&c->rows, &c->cap, c->count + 1, sizeof(*c->rows)))
		return -ENOMEM;
	r = &c->rows[c->count++];
	r->x = *x;
	r->x.reason = x->reason ? strdup(x->reason) : NULL;
	r->x.log = x->log ? strdup(x->log) : NULL;
	c->passed += x->verdict == VERDICT_PASS;
	c->failed += x->verdict == VERDICT_FAIL;
	c->errors += x->verdict == VERDICT_ERROR;
	c->workload += x->verdict == VERDICT_WORKLOAD;
	return 0;
}

static void free_rows(struct collected *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free((char *)c->rows[i].x.reason);
		free((char *)c->rows[i].x.log);
	}
	free(c->rows);
}

static void point_id(const struct report_options *o, const struct result *x,
		     char *buf, size_t size)
{
	result_id(o->sha, x, buf, size);
}

#define REPRO_MAX (PATH_MAX + 192 + REPORT_ARGS_MAX)

static void repro(const struct report_options *o, const struct result *x,
		  char *buf, size_t size)
{
	result_repro(o->trace, o->replay_args, x, buf, size);
}

/* ---- the trace, for context ----------------------------------------------- */

struct op_words {
	const struct geometry *g;
	char text[160];
	uint64_t n;
	struct trace_mark before, after;	/* the marks around n */
};

static int describe_next(void *ctx, const struct trace_op *op)
{
	struct op_words *w = ctx;

	point_describe_op(w->g, op, w->text, sizeof(w->text));
	return 0;
}

/* The last mark at or before @n and the first after it */
static int find_neighbours(void *ctx, const struct trace_mark *m)
{
	struct op_words *w = ctx;
	struct trace_mark *slot = m->after_seq <= w->n ? &w->before :
				  w->after.name ? NULL : &w->after;

	if (!slot)
		return 0;
	free((char *)slot->name);
	*slot = (struct trace_mark){ .after_seq = m->after_seq, .name = strdup(m->name) };
	return slot->name ? 0 : -ENOMEM;
}

static void print_context(struct trace *t, uint64_t n)
{
	struct op_words w = { .n = n };
	struct muse_error e;
	struct geometry g;

	if (!trace_geometry(t, &g, &e) && n < trace_last_seq(t)) {
		w.g = &g;
		trace_for_each_op(t, n + 1, n + 1, describe_next, &w, &e);
		printf("  op in flight: %s\n", w.text);
	}
	trace_for_each_mark(t, find_neighbours, &w, &e);
	if (w.before.name)
		printf("  after the mark %s (after op %" PRIu64 ")\n", w.before.name,
		       w.before.after_seq);
	if (w.after.name)
		printf("  before the mark %s (after op %" PRIu64 ")\n", w.after.name,
		       w.after.after_seq);
	free((char *)w.before.name);
	free((char *)w.after.name);
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

static void print_summary(const struct collected *c, const struct report_options *o,
			  struct trace *t)
{
	const struct row *first = NULL;
	char id[128], cmd[REPRO_MAX];
	size_t listed = 0;

	printf("%s: %zu cut points checked: %zu passed, %zu failed, %zu errors",
	       o->trace, c->count, c->passed, c->failed, c->errors);
	if (c->workload)
		printf(", %zu workload errors (files changed without a mark saying so)",
		       c->workload);
	printf("\n");
	for (size_t i = 0; i < c->count && !first; i++)
		if (c->rows[i].x.verdict != VERDICT_PASS)
			first = &c->rows[i];
	if (!first)
		return;
	point_id(o, &first->x, id, sizeof(id));
	repro(o, &first->x, cmd, sizeof(cmd));
	printf("first %s: N=%" PRIu64 " %s seed %" PRIu64 " (id %s)\n",
	       verdict_name(first->x.verdict), first->x.n, cut_name(first->x.model),
	       first->x.seed, id);
	if (t)
		print_context(t, first->x.n);
	printf("  reason: %s\n  reproduce: %s\n  kernel log:\n",
	       first->x.reason ? first->x.reason : "?", cmd);
	print_log(first->x.log);
	for (size_t i = 0; i < c->count && listed < LISTED_FAILURES; i++) {
		const struct result *x = &c->rows[i].x;

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

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* control bytes are not allowed in XML 1.0 */
			if (ch < 0x20 && ch != '\n' && ch != '\t')
				fputc('?', f);
			else
				fputc(ch, f);
		}
	}
}

/* A run of passing points of one model, from row @i; returns its end */
static size_t junit_passes(FILE *f, const struct collected *c, size_t i)
{
	size_t j = i;
	double ms = 0;

	while (j < c->count && c->rows[j].x.verdict == VERDICT_PASS &&
	       c->rows[j].x.model == c->rows[i].x.model) {
		ms += c->rows[j].x.ms;
		j++;
	}
	fprintf(f, "  <testcase classname=\"sweep.%s\" name=\"N %" PRIu64 "..%" PRIu64
		" (%zu points pass)\" time=\"%.3f\"/>\n", cut_name(c->rows[i].x.model),
		c->rows[i].x.n, c->rows[j - 1].x.n, j - i, ms / 1000);
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
	xml_text(f, id);
	fprintf(f, ")\" time=\"%.3f\">\n    <%s message=\"", x->ms / 1000, tag);
	xml_text(f, x->reason);
	fprintf(f, "\">reproduce: ");
	xml_text(f, cmd);
	fputs("\n\n", f);
	xml_text(f, x->log);
	fprintf(f, "</%s>\n  </testcase>\n", tag);
}

static int write_junit(const struct collected *c, const struct report_options *o,
		       struct muse_error *e)
{
	FILE *f = fopen(o->junit, "w");

	if (!f)
		return muse_fail(e, -errno, "%s: %s", o->junit, strerror(errno));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		"<testsuite name=\"muse sweep ");
	xml_text(f, o->trace);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", c->count,
		c->failed + c->workload, c->errors);
	for (size_t i = 0; i < c->count;) {
		if (c->rows[i].x.verdict == VERDICT_PASS) {
			i = junit_passes(f, c, i);
		} else {
			junit_failure(f, o, &c->rows[i].x);
			i++;
		}
	}
	fputs("</testsuite>\n</testsuites>\n", f);
	return fclose(f) ? muse_fail(e, -errno, "%s: %s", o->junit, strerror(errno)) : 0;
}

/* ---- HTML ------------------------------------------------------------------------- */

#define W 1000.0
#define H_OPS 240.0

struct timeline {
	FILE *f;
	uint64_t last, step, blocks;
	const struct geometry *g;
};

/* Every erase, and a sample of the other ops */
static int html_op(void *ctx, const struct trace_op *op)
{
	struct timeline *tl = ctx;
	double x, y;

	if (op->kind != TRACE_ERASE && op->seq % tl->step)
		return 0;
	x = (double)op->seq * W / (double)tl->last;
	y = (double)(op->prog.addr / tl->g->block_size) * H_OPS / (double)tl->blocks;
	fprintf(tl->f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"1\" height=\"%.1f\"/>\n",
		op->kind == TRACE_ERASE ? "er" : "pg", x, y,
		H_OPS / (double)tl->blocks + 0.5);
	return 0;
}

static void html_ops(FILE *f, struct trace *t, uint64_t last)
{
	struct trace_op_filter all = TRACE_ALL_OPS;
	struct muse_error e;
	struct geometry g;
	struct timeline tl = { .f = f, .last = last, .step = last / TIMELINE_OPS + 1,
			       .g = &g };

	if (trace_geometry(t, &g, &e))
		return;
	tl.blocks = geometry_blocks(&g);
	trace_for_each_op_head(t, &all, html_op, &tl, &e);
}

static int html_mark(void *ctx, const struct trace_mark *m)
{
	struct timeline *tl = ctx;
	double x = (double)m->after_seq * W / (double)tl->last;

	fprintf(tl->f, "<line class=\"mk\" x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%.0f\"/>"
		"<text x=\"%.1f\" y=\"%.0f\" class=\"ml\"><title>", x, x, H_OPS + 40,
		x + 2, H_OPS + 52);
	xml_text(tl->f, m->name);
	fputs("</title>", tl->f);
	xml_text(tl->f, m->name);
	fputs("</text>\n", tl->f);
	return 0;
}

static void html_marks(FILE *f, struct trace *t, uint64_t last)
{
	struct timeline tl = { .f = f, .last = last };
	struct muse_error e;

	trace_for_each_mark(t, html_mark, &tl, &e);
}

static void html_verdicts(FILE *f, const struct collected *c,
			  const struct report_options *o, uint64_t last)
{
	for (size_t i = 0; i < c->count; i++) {
		const struct result *x = &c->rows[i].x;
		double px = (double)x->n * W / (double)(last ? last : 1);
		char id[128];

		point_id(o, x, id, sizeof(id));
		if (x->verdict != VERDICT_PASS)
			fprintf(f, "<a href=\"#%s\">", id);
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.0f\" width=\"%s\" height=\"24\">"
			"<title>N %" PRIu64 " %s seed %" PRIu64 ": %s</title></rect>",
			verdict_name(x->verdict), px, H_OPS + 10,
			x->verdict == VERDICT_PASS ? "1" : "3", x->n, cut_name(x->model),
			x->seed, verdict_name(x->verdict));
		fputs(x->verdict != VERDICT_PASS ? "</a>\n" : "\n", f);
	}
}

static void html_failures(FILE *f, const struct collected *c,
			  const struct report_options *o)
{
	char id[128], cmd[REPRO_MAX];

	fputs("<h2>Failures and errors</h2>\n", f);
	for (size_t i = 0; i < c->count; i++) {
		const struct result *x = &c->rows[i].x;

		if (x->verdict == VERDICT_PASS)
			continue;
		point_id(o, x, id, sizeof(id));
		repro(o, x, cmd, sizeof(cmd));
		fprintf(f, "<details id=\"%s\"><summary>%s: N %" PRIu64 " %s seed %" PRIu64
			" &mdash; ", id, verdict_name(x->verdict), x->n, cut_name(x->model),
			x->seed);
		xml_text(f, x->reason);
		fputs("</summary><p>reproduce: <code>", f);
		xml_text(f, cmd);
		fputs("</code></p><pre>", f);
		xml_text(f, x->log);
		fputs("</pre></details>\n", f);
	}
	if (!c->failed && !c->errors && !c->workload)
		fputs("<p>None: every cut point passed.</p>\n", f);
}

static int write_html(const struct collected *c, const struct report_options *o,
		      struct trace *t, struct muse_error *e)
{
	FILE *f = fopen(o->html, "w");
	uint64_t last = t ? trace_last_seq(t) : 0;

	if (!f)
		return muse_fail(e, -errno, "%s: %s", o->html, strerror(errno));
	if (!last)
		last = c->count ? c->rows[c->count - 1].x.n + 1 : 1;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>muse sweep</title>\n"
	      "<style>body{font-family:sans-serif;margin:1em}svg{border:1px solid #ccc}"
	      ".pg{fill:#888}.er{fill:#c33}.pass{fill:#3a3}.fail{fill:#d00}"
	      ".error{fill:#f90}.workload{fill:#93c}.mk{stroke:#36c}.ml{font-size:10px;fill:#36c}"
	      "pre{background:#f4f4f4;padding:.5em;overflow:auto}</style></head><body>\n"
	      "<h1>muse sweep: ", f);
	xml_text(f, o->trace);
	fprintf(f, "</h1>\n<p id=\"totals\">%zu cut points: %zu passed, %zu failed,"
		" %zu errors, %zu workload errors.</p>\n<p>Ops over time (x) by eraseblock (y): programs grey,"
		" erases red; marks blue; below, the verdict at each cut point.</p>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">\n",
		c->count, c->passed, c->failed, c->errors, c->workload, W + 60, H_OPS + 60);
	if (t) {
		html_ops(f, t, last);
		html_marks(f, t, last);
	}
	html_verdicts(f, c, o, last);
	fputs("</svg>\n", f);
	html_failures(f, c, o);
	fputs("</body></html>\n", f);
	return fclose(f) ? muse_fail(e, -errno, "%s: %s", o->html, strerror(errno)) : 0;
}

/* ---- JSON -------------------------------------------------------------------- */

static void json_counts(FILE *f, const size_t n[4])
{
	fprintf(f, "{\"points\": %zu, \"passed\": %zu, \"failed\": %zu, \"errors\": %zu,"
		" \"workload\": %zu}", n[0] + n[1] + n[2] + n[3], n[VERDICT_PASS],
		n[VERDICT_FAIL], n[VERDICT_ERROR], n[VERDICT_WORKLOAD]);
}

static void json_by_model(FILE *f, const struct collected *c)
{
	size_t n[CUT_MODELS][4] = { { 0 } };
	bool first = true;

	for (size_t i = 0; i < c->count; i++)
		n[c->rows[i].x.model][c->rows[i].x.verdict]++;
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
	struct op_words w = { .n = x->n };
	char id[128], cmd[REPRO_MAX];
	struct geometry g;

	point_id(o, x, id, sizeof(id));
	repro(o, x, cmd, sizeof(cmd));
	if (t && !trace_geometry(t, &g, NULL) && x->n < trace_last_seq(t)) {
		w.g = &g;
		trace_for_each_op(t, x->n + 1, x->n + 1, describe_next, &w, NULL);
	}
	fputs("    {\"id\": ", f);
	json_string(f, id);
	fprintf(f, ", \"n\": %" PRIu64 ", \"model\": \"%s\", \"seed\": %" PRIu64
		", \"verdict\": \"%s\", \"ms\": %.1f,\n     \"op_in_flight\": ", x->n,
		cut_name(x->model), x->seed, verdict_name(x->verdict), x->ms);
	json_string(f, w.text);
	fputs(",\n     \"reason\": ", f);
	json_string(f, x->reason);
	fputs(",\n     \"reproduce\": ", f);
	json_string(f, cmd);
	fputs(",\n     \"kernel_log\": ", f);
	json_string(f, x->log);
	fputc('}', f);
}

static int write_json(const struct collected *c, const struct report_options *o,
		      struct results *r, struct trace *t, struct muse_error *e)
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
	fputs(",\n", f);
	json_by_model(f, c);
	fputs("  \"failures\": [", f);
	for (size_t i = 0; i < c->count; i++) {
		if (c->rows[i].x.verdict == VERDICT_PASS)
			continue;
		fputs(first ? "\n" : ",\n", f);
		json_failure(f, o, &c->rows[i].x, t);
		first = false;
	}
	fputs(first ? "]\n}\n" : "\n  ]\n}\n", f);
	return fclose(f) ? muse_fail(e, -errno, "%s: %s", o->json, strerror(errno)) : 0;
}

int sweep_report(struct results *r, const struct report_options *o,
		 struct muse_error *e)
{
	struct collected c = { 0 };
	struct muse_error te;
	struct trace *t = NULL;
	int ret = results_for_each(r, collect, &c);

	if (ret) {
		free_rows(&c);
		return muse_fail(e, ret, "reading the results failed");
	}
	if (o->trace && trace_open(o->trace, TRACE_READ, &t, &te))
		t = NULL;	/* reports without op details */
	print_summary(&c, o, t);
	if (o->junit)
		ret = write_junit(&c, o, e);
	if (!ret && o->html)
		ret = write_html(&c, o, t, e);
	if (!ret && o->json)
		ret = write_json(&c, o, r, t, e);
	if (t)
		trace_close(t, NULL);
	if (!ret)
		ret = c.errors ? 2 : c.failed || c.workload ? 1 : 0;
	free_rows(&c);
	return ret;
}
