/*
 * fuzz_campaign.c - the campaign side of fuzz_faults.h: the baseline,
 * the plans, the workers, the progress line, the failures kept and the
 * summary.
 */
#define _GNU_SOURCE
#include "fuzz_faults.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fault_plan.h"
#include "fuzz_results.h"
#include "pool.h"
#include "rng.h"
#include "spawn.h"
#include "trace.h"
#include "trace_query.h"
#include "util.h"

struct slot {
	char id[48];
	char plan[1024];
	char first[32], seed[32];
	char *argv[128];
	char verdict[600];
	uint64_t started_ns;
};

struct campaign {
	const struct fuzz_faults_options *o;
	struct fuzz_faults_options opts;	/* with the directory absolute */
	char out[4096];
	struct geometry g;
	uint64_t first_op, last_op;	/* the workload's ops in the baseline */
	uint64_t next;			/* the next run's number */
	uint64_t started_ns;
	uint64_t printed_ns;		/* the last progress line, off a terminal */
	bool tty;
	uint64_t counts[FUZZ_VERDICTS];
	uint64_t done;
	uint64_t resumed;		/* runs done before this start */
	struct fuzz_results *results;
	FILE *found;			/* the summary's list, as it grows */
	bool first_found;
	struct slot slots[POOL_MAX_SLOTS];
};

static int make_dirs(const char *out, struct muse_error *e)
{
	char path[4096];
	const char *sub[] = { "", "/runs", "/failures" };

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", out, sub[i]);
		if (mkdir(path, 0755) && errno != EEXIST)
			return muse_fail(e, -errno, "%s: %s", path, strerror(errno));
	}
	return 0;
}

/* ---- the baseline: the workload on a healthy chip ---------------------------------- */

static int record_baseline(struct campaign *c, const char *trace,
			   struct muse_error *e)
{
	const struct fuzz_faults_options *o = c->o;
	char log[4096], out[4096];
	int rc;

	snprintf(log, sizeof(log), "%s/baseline.kernel.log", o->out);
	snprintf(out, sizeof(out), "%s/baseline.out", o->out);
	fprintf(stderr, "muse fuzz: recording the workload on a healthy chip first\n");
	rc = fuzz_faults_record(o, trace, log, NULL, out);
	if (rc)
		return muse_fail(e, -EINVAL, "the workload fails without faults (status %d;"
				 " see %s)", rc, out);
	return 0;
}

static int load_baseline(struct campaign *c, struct muse_error *e)
{
	char trace[4096];
	struct trace *t;
	struct stat st;
	uint64_t mkfs = 0;
	int ret;

	snprintf(trace, sizeof(trace), "%s/baseline.db", c->o->out);
	if (stat(trace, &st) && (ret = record_baseline(c, trace, e)))
		return ret;
	ret = trace_open(trace, TRACE_READ, &t, e);
	if (ret)
		return ret;
	ret = trace_geometry(t, &c->g, e);
	trace_find_mark(t, "mkfs-done", &mkfs);
	c->first_op = mkfs + 1;
	c->last_op = trace_last_seq(t);
	trace_close(t, NULL);
	if (!ret && c->last_op < c->first_op)
		ret = muse_fail(e, -EINVAL, "the workload wrote nothing to the flash (%s)",
				trace);
	return ret;
}

/* ---- handing out runs ----------------------------------------------------------------- */

static bool time_left(const struct campaign *c)
{
	return !c->o->seconds ||
	       clock_ns() - c->started_ns < c->o->seconds * 1000000000ull;
}

/* The verdict of a run done before (a resumed campaign), or -1 */
static int earlier_verdict(const struct campaign *c, const char *id)
{
	char path[4096], line[64];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), "%s/runs/%s.verdict", c->o->out, id);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		v = fuzz_verdict_parse(line, strcspn(line, "\t\n"));
	fclose(f);
	return v;
}

static void fill_argv(struct campaign *c, struct slot *s)
{
	const struct fuzz_faults_options *o = c->o;
	int n = 0;

	s->argv[n++] = (char *)spawn_self();
	s->argv[n++] = "fuzz";
	s->argv[n++] = "run-one";
	s->argv[n++] = "--out";
	s->argv[n++] = (char *)o->out;
	s->argv[n++] = "--id";
	s->argv[n++] = s->id;
	s->argv[n++] = "--plan";
	s->argv[n++] = s->plan;
	s->argv[n++] = "--first-op";
	s->argv[n++] = s->first;
	s->argv[n++] = "--seed";
	s->argv[n++] = s->seed;
	s->argv[n++] = "--geometry";
	s->argv[n++] = (char *)o->geometry;
	s->argv[n++] = "--fs";
	s->argv[n++] = (char *)o->fs;
	if (o->kernel) {
		s->argv[n++] = "--kernel";
		s->argv[n++] = (char *)o->kernel;
	}
	if (o->check) {
		s->argv[n++] = "--check";
		s->argv[n++] = (char *)o->check;
	}
	if (o->cut_at_random)
		s->argv[n++] = "--cut-at-random";
	s->argv[n++] = "--";
	for (int i = 0; o->workload[i] && n < 126; i++)
		s->argv[n++] = o->workload[i];
	s->argv[n] = NULL;
}

static void count(struct campaign *c, int v)
{
	c->counts[v]++;
	c->done++;
}

static int next_run(void *ctx, unsigned slot, char ***argv)
{
	struct campaign *c = ctx;
	struct slot *s = &c->slots[slot];
	struct fault_plan p;
	uint64_t rng;
	int v;

	while (time_left(c) && (!c->o->runs || c->next < c->o->runs)) {
		uint64_t i = c->next++;

		rng = c->o->seed ^ splitmix64(&(uint64_t){ i });
		snprintf(s->id, sizeof(s->id), "%06" PRIu64 "-%016" PRIx64, i, rng);
		if ((v = earlier_verdict(c, s->id)) >= 0) {
			count(c, v);
			c->resumed++;
			continue;
		}
		if (fault_plan_draw(rng, &c->g, c->first_op, c->last_op, c->o->kinds, &p) ||
		    fault_plan_format(&p, s->plan, sizeof(s->plan)))
			return -EINVAL;
		snprintf(s->first, sizeof(s->first), "%" PRIu64, c->first_op);
		snprintf(s->seed, sizeof(s->seed), "%" PRIu64, rng);
		s->verdict[0] = 0;
		s->started_ns = clock_ns();
		fill_argv(c, s);
		*argv = s->argv;
		return 1;
	}
	return 0;
}

static void run_line(void *ctx, unsigned slot, const char *line)
{
	struct campaign *c = ctx;

	if (!strncmp(line, "verdict: ", 9))
		snprintf(c->slots[slot].verdict, sizeof(c->slots[slot].verdict), "%s",
			 line + 9);
}

/* ---- what a run found ----------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* failures/ID: the plan, the verdict, the kernel log, how to see it again */
static void keep_failure(struct campaign *c, const struct slot *s)
{
	const struct fuzz_faults_options *o = c->o;
	char dir[4096], src[4096], line[16384];
	size_t len = 0;
	char *buf = NULL, *judge;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/failures/%s", o->out, s->id);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return;
	write_file(dir, "plan", s->plan);
	write_file(dir, "verdict", s->verdict);
	snprintf(src, sizeof(src), "%s/runs/%s.kernel.log", o->out, s->id);
	buf = read_text_file(src, NULL);
	/* no kernel log: the verdict says why */
	if (buf)
		write_file(dir, "kernel.log", buf);
	free(buf);
	snprintf(src, sizeof(src), "%s/runs/%s.judge", o->out, s->id);
	judge = read_text_file(src, NULL);
	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f) {
		free(judge);
		return;
	}
	fputs("# the verdict again, on the run's trace\n", f);
	fputs(judge ? judge : "# (the run made no trace)\n", f);
	free(judge);
	fputs("# the whole run again: recorded under the same plan, judged\n", f);
	if (!shell_join(s->argv, line, sizeof(line)))
		fprintf(f, "%s\n", line);
	fclose(f);
	write_file(dir, "reproduce", buf);
	free(buf);
}

static void note_found(struct campaign *c, const struct slot *s, int v)
{
	const char *why = strchr(s->verdict, '\t');

	keep_failure(c, s);
	fprintf(stderr, "%smuse fuzz: %s: %s: %s\n  plan %s\n  %s/failures/%s/reproduce\n",
		c->tty ? "\n" : "",
		s->id, fuzz_verdict_name(v), why ? why + 1 : "", s->plan, c->o->out, s->id);
	fprintf(c->found, "%s{\"id\": ", c->first_found ? "" : ", ");
	json_string(c->found, s->id);
	fprintf(c->found, ", \"verdict\": \"%s\", \"plan\": ", fuzz_verdict_name(v));
	json_string(c->found, s->plan);
	fputs(", \"reason\": ", c->found);
	json_string(c->found, why ? why + 1 : "");
	fputc('}', c->found);
	c->first_found = false;
}

/* The run's row in results.db: the kernel log and the commands for findings */
static void add_row(struct campaign *c, const struct slot *s, int v)
{
	const char *why = strchr(s->verdict, '\t');
	bool found = v == FUZZ_FAIL || v == FUZZ_CRASH || v == FUZZ_ERROR;
	char path[4200];
	char *log = NULL, *repro = NULL;
	struct fuzz_row row = {
		.id = s->id, .verdict = fuzz_verdict_name(v),
		.reason = why ? why + 1 : NULL, .input = s->plan,
		.seconds = (double)(clock_ns() - s->started_ns) / 1e9,
	};

	if (found) {
		snprintf(path, sizeof(path), "%s/runs/%s.kernel.log", c->o->out, s->id);
		row.log = log = read_text_file(path, NULL);
		snprintf(path, sizeof(path), "%s/failures/%s/reproduce", c->o->out, s->id);
		row.reproduce = repro = read_text_file(path, NULL);
	}
	if (fuzz_results_add(c->results, &row))
		fprintf(stderr, "muse fuzz: %s/results.db: cannot add run %s\n", c->o->out,
			s->id);
	free(log);
	free(repro);
}

static void run_done(void *ctx, unsigned slot, int status)
{
	struct campaign *c = ctx;
	struct slot *s = &c->slots[slot];
	int v = fuzz_verdict_parse(s->verdict, strcspn(s->verdict, "\t"));

	if (v < 0) {
		v = FUZZ_ERROR;
		snprintf(s->verdict, sizeof(s->verdict), "error\tthe run ended with status %d",
			 status);
	}
	count(c, v);
	if (v == FUZZ_FAIL || v == FUZZ_CRASH || v == FUZZ_ERROR)
		note_found(c, s, v);
	add_row(c, s, v);
}

static double runs_per_second(const struct campaign *c)
{
	double s = (double)(clock_ns() - c->started_ns) / 1e9;

	return s > 0 ? (double)(c->done - c->resumed) / s : 0;
}

/* In place on a terminal; off one (CI), a line every 30 s and at the end */
static void show_progress(struct campaign *c, bool final)
{
	uint64_t now = clock_ns();

	if (!c->tty && !final && now - c->printed_ns < 30000000000ull)
		return;
	c->printed_ns = now;
	fprintf(stderr, "%smuse fuzz: %" PRIu64 " runs, %" PRIu64 " crash, %" PRIu64
		" fail, %" PRIu64 " loss, %" PRIu64 " workload, %" PRIu64 " error, %.3f runs/s%s",
		c->tty ? "\r" : "", c->done, c->counts[FUZZ_CRASH], c->counts[FUZZ_FAIL],
		c->counts[FUZZ_LOSS], c->counts[FUZZ_WORKLOAD], c->counts[FUZZ_ERROR],
		runs_per_second(c), c->tty && !final ? "  " : "\n");
}

static void progress(void *ctx)
{
	show_progress(ctx, false);
}

/* ---- the campaign ---------------------------------------------------------------------- */

/* results.db, claimed for this campaign's settings (a resumed one has them) */
static int open_results(struct campaign *c, struct muse_error *e)
{
	const struct fuzz_faults_options *o = c->o;
	char kinds[256] = "", seed[32], workload[4096] = "";
	const char *const meta[][2] = {
		{ "campaign", "muse fuzz faults" }, { "seed", seed }, { "geometry", o->geometry },
		{ "fs", o->fs }, { "kinds", kinds }, { "workload", workload },
		{ "cut at random", o->cut_at_random ? "yes" : "no" },
		{ "check", o->check ? o->check : "" },
		{ "kernel", o->kernel ? o->kernel : "the default" },
	};
	int ret = fuzz_results_open(c->out, &c->results, e);

	snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
	for (int k = 0; k < FAULT_KINDS; k++)
		if (o->kinds & 1u << k)
			snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), "%s%s",
				 kinds[0] ? "," : "", fault_kind_name(k));
	shell_join(o->workload, workload, sizeof(workload));
	return ret ? ret : fuzz_results_claim(c->results, c->out, meta,
					      sizeof(meta) / sizeof(meta[0]), e);
}

static int report(struct campaign *c, struct muse_error *e)
{
	struct fuzz_report_facts facts = {
		.title = "muse fuzz faults", .unit = "run",
		.seconds = (double)(clock_ns() - c->started_ns) / 1e9,
		.judged = c->done - c->resumed,
	};

	return fuzz_results_report(c->results, c->out, &facts, e);
}

static int write_summary(struct campaign *c, const char *found)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/summary.json", c->o->out);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "{\"runs\": %" PRIu64, c->done);
	for (int v = 0; v < FUZZ_VERDICTS; v++)
		fprintf(f, ", \"%s\": %" PRIu64, fuzz_verdict_name(v), c->counts[v]);
	fprintf(f, ", \"seconds\": %.1f, \"runs_per_second\": %.4f, \"found\": [%s]}\n",
		(double)(clock_ns() - c->started_ns) / 1e9, runs_per_second(c), found);
	return fclose(f) ? -errno : 0;
}

int fuzz_faults_campaign(const struct fuzz_faults_options *o,
			 struct muse_error *e)
{
	struct campaign *c = calloc(1, sizeof(*c));
	struct pool_ops ops = { .next = next_run, .line = run_line,
				.done = run_done, .tick = progress };
	char *found = NULL;
	size_t found_len = 0;
	int ret;

	if (!c)
		return muse_fail(e, -ENOMEM, "out of memory");
	c->o = o;
	c->first_found = true;
	ops.ctx = c;
	ret = make_dirs(o->out, e);
	if (!ret && !realpath(o->out, c->out))
		ret = muse_fail(e, -errno, "%s: %s", o->out, strerror(errno));
	if (!ret) {
		c->opts = *o;
		c->opts.out = c->out;
		c->o = &c->opts;
		ret = open_results(c, e);
	}
	if (!ret)
		ret = load_baseline(c, e);
	c->found = ret ? NULL : open_memstream(&found, &found_len);
	if (!ret && !c->found)
		ret = muse_fail(e, -ENOMEM, "out of memory");
	c->started_ns = c->printed_ns = clock_ns();
	c->tty = isatty(2);
	if (!ret)
		ret = pool_run(o->jobs, &ops, e);
	if (c->found)
		fclose(c->found);
	if (!ret) {
		show_progress(c, true);
		if (write_summary(c, found ? found : ""))
			ret = muse_fail(e, -EIO, "%s/summary.json: cannot write it", c->out);
		else
			ret = report(c, e);
	}
	if (!ret && c->counts[FUZZ_CRASH] + c->counts[FUZZ_FAIL])
		ret = 1;
	else if (!ret && c->counts[FUZZ_ERROR])
		ret = 2;
	fuzz_results_close(c->results);
	free(found);
	free(c);
	return ret;
}
