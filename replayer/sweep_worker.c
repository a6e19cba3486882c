/*
 * sweep_worker.c - checking cut points inside one kernel (see
 * sweep_worker.h).
 */
#define _GNU_SOURCE
#include "sweep_worker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "clock.h"
#include "judge.h"
#include "plan.h"
#include "rebuild.h"
#include "results.h"

struct worker {
	const struct worker_options *o;
	struct trace *t;
	struct ckpt *ckpt;
	struct judge_options jo;
	struct judge *judge;
	struct results *results;
	struct flash *base;	/* the state after op base_n */
	uint64_t base_n;
	/* op N+1 of the point in hand, copied out of the trace */
	struct trace_op next;
	uint8_t *next_data, *next_oob;
	bool have_next;
};

/* ---- the state ---------------------------------------------------------- */

static int copy_op(void *ctx, const struct trace_op *op)
{
	struct worker *w = ctx;

	w->next = *op;
	free(w->next_data);
	free(w->next_oob);
	w->next_data = op->prog.len ? malloc(op->prog.len) : NULL;
	w->next_oob = op->prog.ooblen ? malloc(op->prog.ooblen) : NULL;
	if ((op->prog.len && !w->next_data) || (op->prog.ooblen && !w->next_oob))
		return -ENOMEM;
	if (op->prog.len)
		memcpy(w->next_data, op->prog.data, op->prog.len);
	if (op->prog.ooblen)
		memcpy(w->next_oob, op->prog.oob, op->prog.ooblen);
	w->next.prog.data = w->next_data;
	w->next.prog.oob = w->next_oob;
	w->have_next = true;
	return 0;
}

/* The base state after op @n, stepping forward where that is cheaper */
static int move_to(struct worker *w, uint64_t n, struct muse_error *e)
{
	int ret = 0;

	/* several models and seeds share one N: state and op N+1 are at hand */
	if (w->base && n == w->base_n)
		return 0;
	if (!w->base || n < w->base_n || n - w->base_n > CKPT_DEFAULT_INTERVAL) {
		flash_destroy(w->base);
		w->base = NULL;
		ret = ckpt_state(w->ckpt, n, &w->base, e);
	} else if (n > w->base_n) {
		ret = rebuild_range(w->t, w->base, w->base_n + 1, n, e);
	}
	if (ret)
		return ret;
	w->base_n = n;
	w->have_next = false;
	if (n < trace_last_seq(w->t))
		ret = trace_for_each_op(w->t, n + 1, n + 1, copy_op, w, e);
	return ret;
}

struct cut_job {
	struct worker *w;
	const struct cut_point *p;
};

/* Runs in the serving child, on its copy of the state */
static int cut_in_copy(void *ctx, struct flash *f, struct muse_error *e)
{
	struct cut_job *j = ctx;
	struct cut_report r;

	return cut_apply(f, j->w->have_next ? &j->w->next : NULL, j->p->model,
			 j->p->seed, &r, e);
}

/* Budgets are wall time, shared by the host and its guests' clocks */
static bool past_deadline(const struct worker_options *o)
{
	return o->deadline && clock_wall_s() >= o->deadline;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The unstable pages' reads go with a failure: a replay must match them */
static void note_reads(struct judged *r)
{
	size_t len = strlen(r->why);

	if (r->reads[0] && len < sizeof(r->why) - 1)
		snprintf(r->why + len, sizeof(r->why) - len, " [unstable reads %s]",
			 r->reads);
}

static int run_point(struct worker *w, const struct cut_point *p,
		     struct muse_error *e)
{
	struct result x = { .n = p->n, .model = p->model, .seed = p->seed };
	struct cut_job job = { w, p };
	struct judged r;
	double t0 = now_ms(), state_ms;
	int ret = move_to(w, p->n, e);

	if (ret)
		return ret;
	state_ms = now_ms() - t0;
	judge_point(w->judge, w->base, cut_in_copy, &job, p, &r);
	r.ms[JUDGE_STATE] = state_ms;
	x.ms = now_ms() - t0;
	x.at = clock_wall_s();
	x.verdict = r.verdict;
	if (x.verdict != VERDICT_PASS) {
		note_reads(&r);
		x.reason = r.why;
		x.log = r.log;
	}
	ret = results_add(w->results, &x);
	if (ret) {
		judged_free(&r);
		return muse_fail(e, ret, "writing %s failed", w->o->results);
	}
	printf("done %" PRIu64 " %s %" PRIu64 " %s", p->n, cut_name(p->model),
	       p->seed, verdict_name(x.verdict));
	for (int ph = 0; ph < JUDGE_PHASES; ph++)
		printf(" %.1f", r.ms[ph]);
	printf("\n");
	fflush(stdout);
	judged_free(&r);
	return 0;
}

/* ---- setting up ------------------------------------------------------------ */

static int read_point(FILE *in, struct cut_point *p)
{
	char model[32];
	struct muse_error e;

	if (fscanf(in, "%" SCNu64 " %31s %" SCNu64, &p->n, model, &p->seed) != 3)
		return -1;
	return cut_parse(model, &p->model, &e) ? -1 : 0;
}

/* A stamp the host passed, or NULL: the file is then checked here */
static const struct file_stamp *stamp_of(const char *text, struct file_stamp *s)
{
	return text && !file_stamp_parse(text, s) ? s : NULL;
}

static int open_all(struct worker *w, struct muse_error *e)
{
	struct file_stamp ts, cs;
	struct ckpt_options co = { .quiet = true,
				   .verified = stamp_of(w->o->ckpt_stamp, &cs) };
	int ret = trace_open_verified(w->o->trace, stamp_of(w->o->trace_stamp, &ts),
				      &w->t, e);

	w->jo = (struct judge_options){ .trace = w->o->trace, .check = w->o->check,
					.allow = w->o->allow,
					.checks = w->o->checks };
	if (!ret)
		ret = ckpt_open(w->t, w->o->trace, &co, &w->ckpt, e);
	w->jo.ckpt = w->ckpt;
	if (!ret)
		ret = judge_open(w->t, &w->jo, &w->judge, e);
	if (!ret)
		ret = results_open(w->o->results, &w->results, e);
	return ret;
}

static void close_all(struct worker *w)
{
	results_close(w->results);
	judge_close(w->judge);
	flash_destroy(w->base);
	ckpt_close(w->ckpt);
	if (w->t)
		trace_close(w->t, NULL);
	free(w->next_data);
	free(w->next_oob);
}

int sweep_worker_run(const struct worker_options *o, struct muse_error *e)
{
	struct worker w = { .o = o };
	struct cut_point p;
	FILE *in = fopen(o->list, "r");
	int ret;

	if (!in)
		return muse_fail(e, -errno, "%s: %s", o->list, strerror(errno));
	ret = open_all(&w, e);
	while (!ret && !past_deadline(o) && !read_point(in, &p))
		ret = run_point(&w, &p, e);
	fclose(in);
	close_all(&w);
	return ret;
}
