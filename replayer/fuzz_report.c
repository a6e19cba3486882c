/*
 * fuzz_report.c - a fuzz campaign's JUnit XML and HTML report, made from
 * its results file (see fuzz_results.h).
 */
#define _GNU_SOURCE
#include "fuzz_results.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_results_impl.h"
#include "report_assets.h"
#include "report_html.h"

/* a kernel log longer than this is cut to its end in the reports */
#define LOG_MAX (48 * 1024)

struct report {
	FILE *f;
	const struct fuzz_report_facts *facts;
	uint64_t counts[FUZZ_VERDICTS];
	uint64_t rows, findings, errors;
};

static bool is_finding(const char *verdict)
{
	return !strcmp(verdict, "fail") || !strcmp(verdict, "crash");
}

static const char *log_tail(const char *log)
{
	size_t n = log ? strlen(log) : 0;

	return n > LOG_MAX ? log + n - LOG_MAX : log;
}

static void count_rows(struct report *r, struct fuzz_results *res)
{
	fuzz_results_counts(res, r->counts);
	for (int v = 0; v < FUZZ_VERDICTS; v++)
		r->rows += r->counts[v];
	r->findings = r->counts[FUZZ_FAIL] + r->counts[FUZZ_CRASH];
	r->errors = r->counts[FUZZ_ERROR];
}

/* ---- JUnit ---------------------------------------------------------------------------- */

static int junit_row(void *ctx, const struct fuzz_row *x)
{
	struct report *r = ctx;
	const char *tag = is_finding(x->verdict) ? "failure" :
			  !strcmp(x->verdict, "error") ? "error" : NULL;
	FILE *f = r->f;

	fprintf(f, "  <testcase classname=\"muse.fuzz.%s\" name=\"", r->facts->unit);
	markup_text(f, x->id);
	fprintf(f, "\" time=\"%.3f\"", x->seconds);
	if (!tag) {
		fputs("/>\n", f);
		return 0;
	}
	fprintf(f, ">\n    <%s type=\"%s\" message=\"", tag, x->verdict);
	markup_text(f, x->reason ? x->reason : "");
	fputs("\">", f);
	fprintf(f, "%s: ", r->facts->unit);
	markup_text(f, x->input);
	if (x->reproduce) {
		fputs("\nreproduce: ", f);
		markup_text(f, x->reproduce);
	}
	if (x->log) {
		fputs("\n\n", f);
		markup_text(f, log_tail(x->log));
	}
	fprintf(f, "</%s>\n  </testcase>\n", tag);
	return 0;
}

static int write_junit(struct report *r, struct fuzz_results *res, const char *path,
		       struct muse_error *e)
{
	r->f = fopen(path, "w");
	if (!r->f)
		return muse_fail(e, -errno, "%s: %s", path, strerror(errno));
	fprintf(r->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		"<testsuite name=\"%s\" tests=\"%" PRIu64 "\" failures=\"%" PRIu64
		"\" errors=\"%" PRIu64 "\" time=\"%.1f\">\n", r->facts->title, r->rows,
		r->findings, r->errors, r->facts->seconds);
	fuzz_results_for_each(res, "", junit_row, r);
	fputs("</testsuite>\n</testsuites>\n", r->f);
	return fclose(r->f) ? muse_fail(e, -errno, "%s: %s", path, strerror(errno)) : 0;
}

/* ---- HTML ----------------------------------------------------------------------------- */

static void fact(void *ctx, const char *key, const char *value)
{
	struct report *r = ctx;

	fputs("<dt>", r->f);
	markup_text(r->f, key);
	fputs("</dt><dd>", r->f);
	markup_text(r->f, value);
	fputs("</dd>\n", r->f);
}

static void html_summary(struct report *r, struct fuzz_results *res)
{
	const struct fuzz_report_facts *k = r->facts;
	FILE *f = r->f;

	fputs("<section id=\"summary\"><h2>Summary</h2>\n<table class=\"counts\"><tr>", f);
	for (int v = 0; v < FUZZ_VERDICTS; v++)
		fprintf(f, "<th>%s</th>", fuzz_verdict_name(v));
	fputs("</tr>\n<tr>", f);
	for (int v = 0; v < FUZZ_VERDICTS; v++)
		fprintf(f, "<td>%" PRIu64 "</td>", r->counts[v]);
	fputs("</tr></table>\n<dl class=\"facts\">\n", f);
	fuzz_results_meta_for_each(res, fact, r);
	fprintf(f, "<dt>this start</dt><dd>%" PRIu64 " %ss in %.0f s: %.3f %ss/s</dd>\n",
		k->judged, k->unit, k->seconds, k->seconds > 0 ? k->judged / k->seconds : 0,
		k->unit);
	fputs("</dl></section>\n", f);
}

static int html_finding(void *ctx, const struct fuzz_row *x)
{
	struct report *r = ctx;
	FILE *f = r->f;

	fputs("<details class=\"finding\" id=\"", f);
	markup_text(f, x->id);
	fprintf(f, "\" data-verdict=\"%s\"><summary><span class=\"v-%s\">%s</span> ",
		x->verdict, x->verdict, x->verdict);
	markup_text(f, x->id);
	fputs(": ", f);
	markup_text(f, x->reason ? x->reason : "");
	fprintf(f, "</summary>\n<dl class=\"facts\"><dt>%s</dt><dd><code>", r->facts->unit);
	markup_text(f, x->input);
	fprintf(f, "</code></dd><dt>seconds</dt><dd>%.1f</dd></dl>\n", x->seconds);
	if (x->reproduce) {
		fputs("<p>reproduce: <code>", f);
		markup_text(f, x->reproduce);
		fputs("</code> <button class=\"copy\" type=\"button\">Copy</button></p>\n", f);
	}
	if (x->log) {
		fputs("<pre>", f);
		markup_text(f, log_tail(x->log));
		fputs("</pre>\n", f);
	}
	fputs("</details>\n", f);
	return 0;
}

static void html_findings(struct report *r, struct fuzz_results *res)
{
	FILE *f = r->f;

	fputs("<section id=\"findings\"><h2>Findings and errors</h2>\n<div class=\"filters\">"
	      "<label>verdict <select id=\"fverdict\"><option value=\"\">any</option>"
	      "<option>crash</option><option>fail</option><option>error</option></select>"
	      "</label><label>text <input id=\"ftext\" type=\"search\" placeholder=\"reason,"
	      " input or kernel message\"></label> <span id=\"fcount\"></span></div>\n", f);
	fuzz_results_for_each(res, "WHERE verdict IN ('crash', 'fail', 'error')",
			      html_finding, r);
	if (!r->findings && !r->errors)
		fprintf(f, "<p>None: every %s passed.</p>\n", r->facts->unit);
	fputs("</section>\n", f);
}

static int write_html(struct report *r, struct fuzz_results *res, const char *path,
		      struct muse_error *e)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return muse_fail(e, -errno, "%s: %s", path, strerror(errno));
	r->f = f;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title>\n"
		"<style>\n%s</style></head><body>\n<h1>%s</h1>\n", r->facts->title, report_css,
		r->facts->title);
	fprintf(f, "<p id=\"totals\">%" PRIu64 " %ss: %" PRIu64 " passed, ", r->rows,
		r->facts->unit, r->counts[FUZZ_PASS]);
	/* an image input is passed or crashed: the other verdicts are runs' */
	if (!strcmp(r->facts->unit, "run"))
		fprintf(f, "%" PRIu64 " workload errors, %" PRIu64 " losses the chip explains, %"
			PRIu64 " failed, ", r->counts[FUZZ_WORKLOAD], r->counts[FUZZ_LOSS],
			r->counts[FUZZ_FAIL]);
	fprintf(f, "%" PRIu64 " crashes, %" PRIu64 " errors.</p>\n", r->counts[FUZZ_CRASH],
		r->errors);
	html_summary(r, res);
	html_findings(r, res);
	fprintf(f, "<script>\n%s</script>\n</body></html>\n", fuzz_js);
	return fclose(f) ? muse_fail(e, -errno, "%s: %s", path, strerror(errno)) : 0;
}

int fuzz_results_report(struct fuzz_results *res, const char *dir,
			const struct fuzz_report_facts *facts,
			struct muse_error *e)
{
	struct report r = { .facts = facts };
	char path[PATH_MAX + 16];
	int ret;

	count_rows(&r, res);
	snprintf(path, sizeof(path), "%s/junit.xml", dir);
	ret = write_junit(&r, res, path, e);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	return ret ? ret : write_html(&r, res, path, e);
}
