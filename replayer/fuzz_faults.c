/*
 * fuzz_faults.c - fault injection campaigns (see fuzz_faults.h).
 *
 * The campaign process draws the plans and hands each run to a worker
 * (this program again, "muse fuzz run-one"), which records the workload
 * in its own UML guest and judges the result with "muse replay
 * --verdict" in another: two boots per run, nothing shared between runs
 * but the directory.
 */
#define _GNU_SOURCE
#include "fuzz_faults.h"

#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fault_plan.h"
#include "geometry.h"
#include "klog.h"
#include "rng.h"
#include "spawn.h"
#include "trace.h"
#include "util.h"

static const char *const verdict_names[FUZZ_VERDICTS] = {
	[FUZZ_PASS] = "pass", [FUZZ_WORKLOAD] = "workload", [FUZZ_LOSS] = "loss",
	[FUZZ_FAIL] = "fail",
	[FUZZ_CRASH] = "crash", [FUZZ_ERROR] = "error",
};

const char *fuzz_verdict_name(enum fuzz_verdict v)
{
	return v < FUZZ_VERDICTS ? verdict_names[v] : "?";
}

int fuzz_verdict_parse(const char *s, size_t len)
{
	for (int v = 0; v < FUZZ_VERDICTS; v++)
		if (strlen(verdict_names[v]) == len && !strncmp(s, verdict_names[v], len))
			return v;
	return -1;
}

/* ---- running a step ------------------------------------------------------------ */

static void path_of(char *buf, size_t size, const char *out, const char *id,
		    const char *what)
{
	snprintf(buf, size, "%s/runs/%s.%s", out, id, what);
}

/* The first line of @path that matches @re, into @why */
static bool find_line(const char *path, const char *re, char *why, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512];
	regex_t rx;
	bool found = false;

	if (!f)
		return false;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) {
		fclose(f);
		return false;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		if (regexec(&rx, line, 0, NULL, 0))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(why, size, "%s", line);
		found = true;
	}
	regfree(&rx);
	fclose(f);
	return found;
}

struct argv_buf {
	char *v[96];
	int n;
};

static void add(struct argv_buf *a, const char *s)
{
	if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void add_kernel(struct argv_buf *a, const struct fuzz_faults_options *o)
{
	if (o->kernel) {
		add(a, "--kernel");
		add(a, o->kernel);
	}
	if (o->mem) {
		add(a, "--mem");
		add(a, o->mem);
	}
}

/* "muse record" of the workload into @trace, under @plan if not NULL */
static void record_argv(struct argv_buf *a, const struct fuzz_faults_options *o,
			const char *trace, const char *log, const char *plan)
{
	add(a, spawn_self());
	add(a, "record");
	add(a, "--force");
	add(a, "--trace");
	add(a, trace);
	add(a, "--log");
	add(a, log);
	add(a, "--geometry");
	add(a, o->geometry);
	add(a, "--fs");
	add(a, o->fs);
	if (plan) {
		add(a, "--faults");
		add(a, plan);
	}
	add_kernel(a, o);
	add(a, "--");
	for (int i = 0; o->workload[i]; i++)
		add(a, o->workload[i]);
}

/* "muse replay --verdict" of @trace at @at (a cut @model with @seed) */
static void judge_argv(struct argv_buf *a, const struct fuzz_faults_options *o,
		       const char *trace, const char *at, const char *model,
		       const char *seed)
{
	add(a, spawn_self());
	add(a, "replay");
	add(a, trace);
	add(a, "--at");
	add(a, at);
	if (model) {
		add(a, "--cut");
		add(a, model);
		add(a, "--seed");
		add(a, seed);
	}
	add(a, "--verdict");
	if (o->check) {
		add(a, "--check");
		add(a, o->check);
	}
	add_kernel(a, o);
}

/* ---- one run ---------------------------------------------------------------------- */

struct run_paths {
	char trace[4096], log[4096], rec[4096], judge[4096], verdict[4096];
	char judge_cmd[4096];
};

static void run_paths(struct run_paths *p, const char *out, const char *id)
{
	path_of(p->trace, sizeof(p->trace), out, id, "db");
	path_of(p->log, sizeof(p->log), out, id, "kernel.log");
	path_of(p->rec, sizeof(p->rec), out, id, "record.out");
	path_of(p->judge, sizeof(p->judge), out, id, "verdict.out");
	path_of(p->verdict, sizeof(p->verdict), out, id, "verdict");
	path_of(p->judge_cmd, sizeof(p->judge_cmd), out, id, "judge");
}

/* @argv as a shell command line, one line into @path */
static void save_command(char *const argv[], const char *path)
{
	char line[16384];
	FILE *f;

	if (shell_join(argv, line, sizeof(line)) || !(f = fopen(path, "w")))
		return;
	fprintf(f, "%s\n", line);
	fclose(f);
}

static int note_kind(void *ctx, const struct trace_op *op)
{
	*(enum trace_op_kind *)ctx = op->kind;
	return 0;
}

/*
 * Where to judge: the end, or the state after an op N drawn from
 * [@first_op - 1, last - 1] with op N+1 cut, clean or as the model that
 * fits it (torn for a program, erase for an erase)
 */
static int pick_judged_point(const char *trace, uint64_t first_op, uint64_t seed,
			     bool cut, char *at, size_t size, const char **model)
{
	enum trace_op_kind kind = TRACE_MARKBAD;
	struct muse_error e;
	struct trace *t;
	uint64_t last, n, rng = seed ^ 0x6a09e667f3bcc909ull;
	int ret = 0;

	*model = NULL;
	snprintf(at, size, "end");
	if (!cut)
		return 0;
	if (trace_open(trace, TRACE_READ, &t, &e))
		return -EIO;
	last = trace_last_seq(t);
	if (last >= first_op && first_op) {
		n = first_op - 1 + splitmix64(&rng) % (last - first_op + 1);
		ret = trace_for_each_op(t, n + 1, n + 1, note_kind, &kind, &e);
		snprintf(at, size, "%" PRIu64, n);
		*model = splitmix64(&rng) % 2 || kind == TRACE_MARKBAD ? "clean" :
			 kind == TRACE_PROGRAM ? "torn" : "erase";
	}
	trace_close(t, NULL);
	return ret ? -EIO : 0;
}

/*
 * A failure that is the chip's loss, not the filesystem's: @plan damages
 * cells, and either nothing corrects them (no ECC: NOR) and the
 * filesystem's log shows it found the damage by its CRCs, or the loss was
 * reported as an I/O error, not silently
 */
static bool allowed_loss(const struct fuzz_faults_options *o, const char *plan,
			 const char *judged)
{
	struct muse_error e;
	struct geometry g;
	char line[512];

	if (!strstr(plan, "retention=") && !strstr(plan, "read-disturb=") &&
	    !strstr(plan, "stuck-bits@"))
		return false;
	if (find_line(judged, "^reason: .*Input/output error", line, sizeof(line)))
		return true;
	return !geometry_parse(o->geometry, &g, &e) && !g.ecc_strength &&
	       find_line(judged, "CRC failed|wrong data CRC|invalid CRC|[Bb]ad CRC",
			 line, sizeof(line));
}

static enum fuzz_verdict judge_run(const struct fuzz_faults_options *o,
				   const struct run_paths *p, const char *plan, int recorded,
				   uint64_t first_op, uint64_t seed, char *why,
				   size_t size)
{
	struct argv_buf a = { 0 };
	char at[32], seedstr[32];
	const char *model;
	struct stat st;
	int rc;

	if (find_line(p->log, klog_crash_pattern(), why, size))
		return FUZZ_CRASH;
	if (recorded >= 128) {
		snprintf(why, size, "the recording died (status %d; see %.300s)", recorded, p->rec);
		return FUZZ_CRASH;
	}
	if (stat(p->trace, &st) || pick_judged_point(p->trace, first_op, seed,
					       o->cut_at_random, at, sizeof(at), &model)) {
		snprintf(why, size, "no trace (record status %d; see %.300s)", recorded, p->rec);
		return FUZZ_ERROR;
	}
	snprintf(seedstr, sizeof(seedstr), "%" PRIu64, seed % 1000 + 1);
	judge_argv(&a, o, p->trace, at, model, seedstr);
	save_command(a.v, p->judge_cmd);
	rc = spawn_run_to(a.v, p->judge);
	if (rc == 1 || rc >= 128) {
		char line[512];

		if (find_line(p->judge, "^reason: ", line, sizeof(line)))
			snprintf(why, size, "at %s%s%s: %.400s", at, model ? " " : "",
				 model ? model : "", line + strlen("reason: "));
		else
			snprintf(why, size, "judged at %s: status %d", at, rc);
		if (rc == 1 && allowed_loss(o, plan, p->judge))
			return FUZZ_LOSS;
		return rc == 1 ? FUZZ_FAIL : FUZZ_CRASH;
	}
	if (rc) {
		snprintf(why, size, "judging at %s failed (status %d; see %.300s)", at, rc, p->judge);
		return FUZZ_ERROR;
	}
	snprintf(why, size, "%sjudged at %s%s%s", recorded ? "the workload failed; " : "",
		 at, model ? " " : "", model ? model : "");
	return recorded ? FUZZ_WORKLOAD : FUZZ_PASS;
}

int fuzz_faults_record(const struct fuzz_faults_options *o, const char *trace,
		       const char *log, const char *plan, const char *out)
{
	struct argv_buf a = { 0 };

	record_argv(&a, o, trace, log, plan);
	return spawn_run_to(a.v, out);
}

int fuzz_faults_run_one(const struct fuzz_faults_options *o, const char *id,
			const char *plan, uint64_t first_op, uint64_t seed,
			struct muse_error *e)
{
	struct run_paths p;
	enum fuzz_verdict v;
	char why[512];
	FILE *f;
	int rc;

	run_paths(&p, o->out, id);
	rc = fuzz_faults_record(o, p.trace, p.log, plan, p.rec);
	if (rc < 0)
		return muse_fail(e, rc, "cannot run muse record: %s", strerror(-rc));
	v = judge_run(o, &p, plan, rc, first_op, seed, why, sizeof(why));
	f = fopen(p.verdict, "w");
	if (!f)
		return muse_fail(e, -errno, "%s: %s", p.verdict, strerror(errno));
	fprintf(f, "%s\t%s\n", fuzz_verdict_name(v), why);
	fclose(f);
	printf("verdict: %s\t%s\n", fuzz_verdict_name(v), why);
	return 0;
}
