/*
 * report_html.c - the sweep's HTML report (see report_html.h).  The page
 * is written here; the timeline and the filters are drawn by the script
 * in report/report.js from the JSON block the page carries.
 */
#include "report_html.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_areas.h"
#include "geometry.h"
#include "report_assets.h"
#include "report_context.h"
#include "trace_query.h"

#define TIMELINE_OPS 20000	/* ops drawn at most: every erase, a sample of the rest */
#define LOG_LINES 60		/* kernel log lines shown per failure */

void markup_bytes(FILE *f, const char *s, size_t n)
{
	for (const char *end = s + n; s < end; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* control bytes are not allowed in XML 1.0 */
			fputc(ch < 0x20 && ch != '\n' && ch != '\t' ? '?' : ch, f);
		}
	}
}

void markup_text(FILE *f, const char *s)
{
	if (s)
		markup_bytes(f, s, strlen(s));
}

void report_counts_by_model(const struct report_rows *c, size_t n[CUT_MODELS][4])
{
	memset(n, 0, sizeof(size_t[CUT_MODELS][4]));
	for (size_t i = 0; i < c->count; i++)
		n[c->rows[i].model][c->rows[i].verdict]++;
}

/* a JSON string that stays inside its <script> element, whatever it holds */
static void script_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&')
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* the models present, in enum order: their rows in the verdict band */
struct model_rows {
	int row[CUT_MODELS];	/* -1: absent */
	int count;
};

static void find_models(const struct report_rows *c, struct model_rows *m)
{
	bool seen[CUT_MODELS] = { false };

	for (size_t i = 0; i < c->count; i++)
		seen[c->rows[i].model] = true;
	m->count = 0;
	for (int k = 0; k < CUT_MODELS; k++)
		m->row[k] = seen[k] ? m->count++ : -1;
}

/* ---- the data the script draws ---------------------------------------------- */

/* what each op wrote (flash_areas.h), for colours, failures and filters */
struct op_info {
	uint8_t area;
	int32_t vol_id, lnum;
};

struct op_sample {
	FILE *f;
	uint64_t step, block_size, last;
	struct op_info *info;	/* [last + 1], or NULL */
	bool first;
};

static int sample_op(void *ctx, const struct trace_op *op, const struct op_area *a)
{
	struct op_sample *s = ctx;

	if (s->info && op->seq <= s->last)
		s->info[op->seq] = (struct op_info){ (uint8_t)a->area, (int32_t)a->vol_id,
						     (int32_t)a->lnum };
	if (!s->f || (op->kind != TRACE_ERASE && op->seq % s->step))
		return 0;
	fprintf(s->f, "%s[%" PRIu64 ",%d,%" PRIu64 ",%d]", s->first ? "" : ",", op->seq,
		op->kind == TRACE_ERASE ? 1 : op->kind == TRACE_PROGRAM ? 0 : 2,
		op->prog.addr / s->block_size, (int)a->area);
	s->first = false;
	return 0;
}

static int list_mark(void *ctx, const struct trace_mark *m)
{
	struct op_sample *s = ctx;

	fprintf(s->f, "%s[%" PRIu64 ",", s->first ? "" : ",", m->after_seq);
	script_string(s->f, m->name);
	fputc(']', s->f);
	s->first = false;
	return 0;
}

static void data_trace(FILE *f, struct trace *t, uint64_t last, const struct geometry *g,
		       struct op_info *info)
{
	struct op_sample s = { .f = f, .step = last / TIMELINE_OPS + 1,
			       .block_size = g->block_size, .last = last, .info = info,
			       .first = true };

	fputs(",\n\"areas\":[", f);
	for (int a = 0; a < AREAS; a++)
		fprintf(f, "%s\"%s\"", a ? "," : "", area_name((enum area)a));
	fputs("],\n\"ops\":[", f);
	if (t && g->block_size)
		flash_areas_walk(t, g, sample_op, &s, NULL);
	fputs("],\n\"marks\":[", f);
	s.first = true;
	if (t)
		trace_for_each_mark(t, list_mark, &s, NULL);
	fputs("]", f);
}

static void data_points(FILE *f, const struct report_rows *c,
			const struct report_options *o, const struct model_rows *m)
{
	char id[128];
	bool first = true;

	fputs(",\n\"points\":[", f);
	for (size_t i = 0; i < c->count; i++)
		fprintf(f, "%s[%" PRIu64 ",%d,%d]", i ? "," : "", c->rows[i].n,
			m->row[c->rows[i].model], (int)c->rows[i].verdict);
	fputs("],\n\"failures\":[", f);
	for (size_t i = 0; i < c->count; i++) {
		if (c->rows[i].verdict == VERDICT_PASS)
			continue;
		result_id(o->sha, &c->rows[i], id, sizeof(id));
		fprintf(f, "%s[%" PRIu64 ",%d,", first ? "" : ",", c->rows[i].n,
			m->row[c->rows[i].model]);
		script_string(f, id);
		fputc(']', f);
		first = false;
	}
	fputs("]", f);
}

static void write_data(FILE *f, const struct report_rows *c, const struct report_options *o,
		       struct trace *t, uint64_t last, const struct geometry *g,
		       const struct model_rows *m, struct op_info *info)
{
	uint64_t start = c->count ? c->rows[0].n : 0;

	fprintf(f, "<script type=\"application/json\" id=\"data\">\n{\"start\":%" PRIu64
		",\"last\":%" PRIu64 ",\"blocks\":%" PRIu64 ",\"models\":[", start, last,
		g->block_size ? geometry_blocks(g) : 1);
	for (int k = 0, n = 0; k < CUT_MODELS; k++)
		if (m->row[k] >= 0)
			fprintf(f, "%s\"%s\"", n++ ? "," : "", cut_name((enum cut_model)k));
	fputs("]", f);
	data_trace(f, t, last, g, info);
	data_points(f, c, o, m);
	fputs("}\n</script>\n", f);
}

/* ---- the summary ------------------------------------------------------------------ */

static void count_row(FILE *f, const char *name, const size_t n[4])
{
	fprintf(f, "<tr><th>%s</th><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
		name, n[0] + n[1] + n[2] + n[3], n[VERDICT_PASS], n[VERDICT_FAIL],
		n[VERDICT_ERROR], n[VERDICT_WORKLOAD]);
}

static void summary_counts(FILE *f, const struct report_rows *c)
{
	size_t n[CUT_MODELS][4];
	size_t all[4] = { c->passed, c->failed, c->errors, c->workload };

	report_counts_by_model(c, n);
	fputs("<table class=\"counts\"><tr><th>model</th><th>points</th><th>passed</th>"
	      "<th>failed</th><th>errors</th><th>workload</th></tr>\n", f);
	for (int m = 0; m < CUT_MODELS; m++)
		if (n[m][0] + n[m][1] + n[m][2] + n[m][3])
			count_row(f, cut_name((enum cut_model)m), n[m]);
	count_row(f, "all", all);
	fputs("</table>\n", f);
}

/* Checked points by class of situation, in the order a budget covers them */
static void coverage_table(FILE *f, const struct report_coverage *cov)
{
	if (!cov->classes)
		return;
	fputs("<details id=\"coverage\"><summary>Coverage by class</summary>\n"
	      "<table class=\"counts\"><tr><th>class</th><th>points</th><th>checked</th>"
	      "<th>failed</th><th>errors</th></tr>\n", f);
	for (size_t i = 0; i < cov->classes; i++) {
		const struct results_class *k = &cov->by_class[i];

		fputs("<tr><td>", f);
		markup_text(f, k->name);
		fprintf(f, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
			k->points, k->checked, k->failed, k->errors);
	}
	fputs("</table></details>\n", f);
}

static void fact(FILE *f, const char *name, const char *value)
{
	fprintf(f, "<dt>%s</dt><dd>", name);
	markup_text(f, value);
	fputs("</dd>\n", f);
}

static void summary_facts(FILE *f, const struct report_rows *c, const struct report_options *o,
			  const struct report_coverage *cov, struct results *r,
			  const struct geometry *g)
{
	char buf[256];
	double ms = 0;

	for (size_t i = 0; i < c->count; i++)
		ms += c->rows[i].ms;
	fputs("<dl class=\"facts\">\n", f);
	fact(f, "trace", o->trace);
	fact(f, "SHA-256", o->sha);
	if (!results_get_meta(r, "kernel_release", buf, sizeof(buf)))
		fact(f, "kernel", buf);
	if (g->block_size && !geometry_format(g, buf, sizeof(buf)))
		fact(f, "geometry", buf);
	snprintf(buf, sizeof(buf), "%.1f s (the sum over the workers; %.0f ms a point)",
		 ms / 1000, c->count ? ms / (double)c->count : 0);
	fact(f, "checking time", buf);
	if (cov->classes)
		snprintf(buf, sizeof(buf), "%zu of the %zu points planned (%zu left unchecked),"
			 " %zu of %zu classes", cov->all.checked, cov->all.points,
			 cov->all.points - cov->all.checked, cov->classes_checked,
			 cov->classes);
	else if (o->plan)
		snprintf(buf, sizeof(buf), "%zu points checked; this sweep planned %zu",
			 c->count, o->plan->count);
	else
		snprintf(buf, sizeof(buf), "%zu points checked", c->count);
	fact(f, "coverage", buf);
	fputs("</dl>\n", f);
}

/* ---- the failures ------------------------------------------------------------------- */

static void log_head(FILE *f, const char *log)
{
	const char *p = log;

	for (int lines = 0; p && *p && lines < LOG_LINES; lines++) {
		const char *nl = strchr(p, '\n');

		p = nl ? nl + 1 : p + strlen(p);
	}
	fputs("<pre>", f);
	if (log)
		markup_bytes(f, log, (size_t)(p - log));
	if (p && *p)
		fprintf(f, "[... the rest is in the results file, and in muse mount --results]");
	fputs("</pre>", f);
}

/* what op N+1 writes, as UBI and UBIFS see it: "" when nothing is known */
static void area_words(const struct op_info *info, uint64_t last, uint64_t n, char *buf,
		       size_t size)
{
	const struct op_info *i = info && n + 1 <= last ? &info[n + 1] : NULL;

	buf[0] = '\0';
	if (!i || i->area == AREA_UNKNOWN)
		return;
	if (i->vol_id < 0)
		snprintf(buf, size, "%s", area_name((enum area)i->area));
	else if ((uint32_t)i->vol_id >= UBI_INTERNAL_VOLUMES)
		snprintf(buf, size, "%s (UBI's internal volume %d, LEB %d)",
			 area_name((enum area)i->area), (int)i->vol_id, (int)i->lnum);
	else
		snprintf(buf, size, "%s (volume %d, LEB %d)", area_name((enum area)i->area),
			 (int)i->vol_id, (int)i->lnum);
}

static void failure_facts(FILE *f, const struct point_context *pc, const struct result *x,
			  const char *area)
{
	char buf[256];

	fputs("<dl class=\"facts\">", f);
	if (pc->op[0])
		fact(f, "op in flight", pc->op);
	if (area[0])
		fact(f, "it writes", area);
	if (pc->before.name) {
		snprintf(buf, sizeof(buf), "%s (after op %" PRIu64 ")", pc->before.name,
			 pc->before.after_seq);
		fact(f, "after the mark", buf);
	}
	if (pc->after.name) {
		snprintf(buf, sizeof(buf), "%s (after op %" PRIu64 ")", pc->after.name,
			 pc->after.after_seq);
		fact(f, "before the mark", buf);
	}
	snprintf(buf, sizeof(buf), "%.0f ms", x->ms);
	fact(f, "time", buf);
	fputs("</dl>\n", f);
}

static void failure(FILE *f, const struct report_options *o, const struct result *x,
		    struct trace *t, const struct op_info *info, uint64_t last)
{
	struct point_context pc = { .op = "" };
	char id[128], cmd[REPRO_MAX], area[128];
	const char *v = verdict_name(x->verdict);

	result_id(o->sha, x, id, sizeof(id));
	result_repro(o->trace, o->replay_args, x, cmd, sizeof(cmd));
	if (t)
		point_context_get(t, x->n, &pc);
	area_words(info, last, x->n, area, sizeof(area));
	fprintf(f, "<details id=\"%s\" class=\"v-%s\" data-n=\"%" PRIu64 "\" data-model=\"%s\""
		" data-verdict=\"%s\" data-area=\"%s\" data-mark=\"", id, v, x->n,
		cut_name(x->model), v, info && x->n + 1 <= last ?
		area_name((enum area)info[x->n + 1].area) : "unknown");
	markup_text(f, pc.before.name);
	fprintf(f, "\"><summary>%s: N %" PRIu64 " %s seed %" PRIu64 " &mdash; ", v, x->n,
		cut_name(x->model), x->seed);
	markup_text(f, x->reason);
	fputs("</summary>\n", f);
	failure_facts(f, &pc, x, area);
	fputs("<p>reproduce: <code>", f);
	markup_text(f, cmd);
	fputs("</code> <button class=\"copy\" type=\"button\">Copy</button></p>\n", f);
	log_head(f, x->log);
	fputs("</details>\n", f);
	point_context_free(&pc);
}

static void option(FILE *f, const char *value)
{
	fputs("<option value=\"", f);
	markup_text(f, value);
	fputs("\">", f);
	markup_text(f, value);
	fputs("</option>", f);
}

/* the marks the failures follow, each once, for the mark filter */
static void mark_options(FILE *f, const struct report_rows *c, struct trace *t)
{
	char last[256] = "";
	struct point_context pc;

	for (size_t i = 0; t && i < c->count; i++) {
		if (c->rows[i].verdict == VERDICT_PASS)
			continue;
		point_context_get(t, c->rows[i].n, &pc);
		if (pc.before.name && strcmp(pc.before.name, last)) {
			option(f, pc.before.name);
			snprintf(last, sizeof(last), "%s", pc.before.name);
		}
		point_context_free(&pc);
	}
}

/* the areas op N+1 of the failures writes, each once */
static void area_options(FILE *f, const struct report_rows *c, const struct op_info *info,
			 uint64_t last)
{
	bool seen[AREAS] = { false };

	for (size_t i = 0; info && i < c->count; i++)
		if (c->rows[i].verdict != VERDICT_PASS && c->rows[i].n + 1 <= last)
			seen[info[c->rows[i].n + 1].area] = true;
	for (int a = 0; a < AREAS; a++)
		if (seen[a])
			option(f, area_name((enum area)a));
}

static void failures(FILE *f, const struct report_rows *c, const struct report_options *o,
		     struct trace *t, const struct model_rows *m, const struct op_info *info,
		     uint64_t last)
{
	fputs("<section id=\"failures\"><h2>Failures and errors</h2>\n<div class=\"filters\">"
	      "<label>model <select id=\"fmodel\"><option value=\"\">any</option>", f);
	for (int k = 0; k < CUT_MODELS; k++)
		if (m->row[k] >= 0)
			option(f, cut_name((enum cut_model)k));
	fputs("</select></label><label>verdict <select id=\"fverdict\"><option value=\"\">"
	      "any</option>", f);
	for (int v = VERDICT_FAIL; v <= VERDICT_WORKLOAD; v++)
		option(f, verdict_name((enum verdict)v));
	fputs("</select></label><label>after the mark <select id=\"fmark\"><option value=\"\">"
	      "any</option>", f);
	mark_options(f, c, t);
	fputs("</select></label><label>op N+1 writes <select id=\"farea\"><option value=\"\">"
	      "any</option>", f);
	area_options(f, c, info, last);
	fputs("</select></label><label>text <input id=\"ftext\" type=\"search\""
	      " placeholder=\"reason or kernel message\"></label> <span id=\"fcount\"></span>"
	      "</div>\n", f);
	for (size_t i = 0; i < c->count; i++)
		if (c->rows[i].verdict != VERDICT_PASS)
			failure(f, o, &c->rows[i], t, info, last);
	if (!c->failed && !c->errors && !c->workload)
		fputs("<p>None: every cut point passed.</p>\n", f);
	fputs("</section>\n", f);
}

/* ---- the page ------------------------------------------------------------------------ */

static const char timeline[] =
	"<section><h2>Timeline</h2>\n<div class=\"controls\">"
	"<button id=\"zin\" type=\"button\">Zoom in (+)</button>"
	"<button id=\"zout\" type=\"button\">Zoom out (&minus;)</button>"
	"<button id=\"zfirst\" type=\"button\">Checked points (0)</button>"
	"<button id=\"zall\" type=\"button\">Whole trace (a)</button> <span id=\"range\"></span>"
	"</div>\n<div id=\"tl\" tabindex=\"0\" aria-label=\"timeline of the workload: arrow"
	" keys pan, + and - zoom, 0 shows the checked points, a the whole trace\">"
	"<canvas id=\"ops\"></canvas><div id=\"labels\"></div><canvas id=\"verdicts\"></canvas>"
	"</div>\n<p class=\"legend\">Ops over time (x) by eraseblock (y): "
	"<span class=\"sw\" style=\"background:#888\"></span> programs, "
	"<span class=\"sw\" style=\"background:#c33\"></span> erases, "
	"<span class=\"sw\" style=\"background:#36c\"></span> marks. Below, one row per cut"
	" model: <span class=\"sw\" style=\"background:#3a3\"></span> pass, "
	"<span class=\"sw\" style=\"background:#d00\"></span> fail, "
	"<span class=\"sw\" style=\"background:#f90\"></span> error, "
	"<span class=\"sw\" style=\"background:#93c\"></span> workload error; click a failure"
	" to open it. Wheel or +/- zooms, dragging or the arrow keys pan.</p>"
	"<p class=\"legend\" id=\"areas\"></p></section>\n";

int report_html(const struct report_rows *c, const struct report_options *o,
		const struct report_coverage *cov, struct results *r, struct trace *t,
		struct muse_error *e)
{
	struct geometry g = { 0 };
	struct model_rows m;
	uint64_t ops = t ? trace_last_seq(t) : 0, last = ops;
	struct op_info *info = calloc(ops + 1, sizeof(*info));
	FILE *f = info ? fopen(o->html, "w") : NULL;

	if (!f) {
		free(info);
		return muse_fail(e, info ? -errno : -ENOMEM, "%s: %s", o->html,
				 info ? strerror(errno) : "out of memory");
	}
	if (t && trace_geometry(t, &g, NULL))
		memset(&g, 0, sizeof(g));
	if (!last)
		last = c->count ? c->rows[c->count - 1].n + 1 : 1;
	find_models(c, &m);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width\"><title>muse sweep: ");
	markup_text(f, o->trace);
	fprintf(f, "</title>\n<style>\n%s</style></head><body>\n<h1>muse sweep: ", report_css);
	markup_text(f, o->trace);
	fprintf(f, "</h1>\n<p id=\"totals\">%zu cut points: %zu passed, %zu failed, %zu errors,"
		" %zu workload errors.</p>\n<section id=\"summary\"><h2>Summary</h2>\n",
		c->count, c->passed, c->failed, c->errors, c->workload);
	summary_counts(f, c);
	summary_facts(f, c, o, cov, r, &g);
	coverage_table(f, cov);
	fputs("</section>\n", f);
	fputs(timeline, f);
	/* the data first: the walk over the ops also says what each wrote */
	write_data(f, c, o, t, last, &g, &m, info);
	failures(f, c, o, t, &m, info, ops);
	fputs("<pre id=\"selftest\"></pre>\n", f);
	fprintf(f, "<script>\n%s</script>\n</body></html>\n", report_js);
	free(info);
	return fclose(f) ? muse_fail(e, -errno, "%s: %s", o->html, strerror(errno)) : 0;
}
