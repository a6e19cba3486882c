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
#include "klog.h"
#include "kmsg.h"
#include "oracle.h"
#include "plan.h"
#include "rebuild.h"
#include "results.h"
#include "stage.h"

struct worker {
	const struct worker_options *o;
	struct trace *t;
	struct ckpt *ckpt;
	struct oracle *oracle;
	struct results *results;
	struct klog_rules *rules[CUT_MODELS];
	char fs[16];
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

/* ---- the checks ---------------------------------------------------------- */

static void write_flag(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

/* UBIFS's and UBI's own self-checks, where the kernel has them */
static void debug_checks_on(const struct stage *st, bool global)
{
	static const char *const ubifs[] = {
		"chk_general", "chk_index", "chk_orphans", "chk_lprops", "chk_fs",
	};
	char path[128];

	for (size_t i = 0; global && i < sizeof(ubifs) / sizeof(ubifs[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/ubifs/%s", ubifs[i]);
		write_flag(path);
	}
	if (st && st->m.ubi >= 0) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/ubi/ubi%d/chk_gen", st->m.ubi);
		write_flag(path);
		snprintf(path, sizeof(path), "/sys/kernel/debug/ubi/ubi%d/chk_io", st->m.ubi);
		write_flag(path);
	}
}

static int user_check(struct worker *w, const struct stage *st,
		      const struct cut_point *p, char *why, size_t size)
{
	char cut[96], *argv[] = { "sh", "-c", (char *)w->o->check, NULL };
	const char *mark = oracle_last_mark(w->oracle, p->n);
	int rc;

	snprintf(cut, sizeof(cut), "%" PRIu64 ":%s:%" PRIu64, p->n,
		 cut_name(p->model), p->seed);
	setenv("MUSE_CUT", cut, 1);
	setenv("MUSE_MARK", mark ? mark : "", 1);
	rc = stage_run(st, argv);
	if (rc)
		snprintf(why, size, "--check exited with status %d", rc);
	return rc ? 1 : 0;
}

/*
 * A declared file found changed: if it is still changed at the next
 * mark, which says nothing of it, the workload changed it undeclared.
 */
static bool workload_error(struct worker *w, const struct oracle_miss *m,
			   char *why, size_t size)
{
	struct muse_error e = { 0 };
	struct flash *f = NULL;
	struct stage st;
	bool yes = false;

	if (!m->next_silent || ckpt_state(w->ckpt, m->next_after, &f, &e))
		return false;
	if (!stage_serve(&st, f, NULL, NULL, true, &e)) {
		if (!stage_mount(&st, w->fs, false, &e))
			yes = oracle_workload_error(w->oracle, m, st.mnt, why, size) == 1;
		stage_down(&st, &e);
	}
	flash_destroy(f);
	return yes;
}

/* The checks on a mounted state: 0 pass, 1 fail, 2 workload error (@why) */
static int check_mounted(struct worker *w, struct stage *st,
			 const struct cut_point *p, char *why, size_t size)
{
	struct muse_error e = { 0 };
	struct oracle_miss miss;
	int ret = 0;

	if (st->m.mounted)
		ret = oracle_check(w->oracle, p->n, st->mnt, why, size, &miss);
	if (ret == 1 && workload_error(w, &miss, why, size))
		return 2;
	if (ret < 0)
		snprintf(why, size, "the oracle could not check the files");
	if (!ret && w->o->check)
		ret = user_check(w, st, p, why, size);
	if (!ret && stage_remount(st, &e)) {
		snprintf(why, size, "mounting again after recovery: %s", e.msg);
		ret = 1;
	}
	return ret ? 1 : 0;
}

/* UBI's self-checks go on between its attach and the mount */
static int attach_and_mount(struct worker *w, struct stage *st,
			    struct muse_error *e)
{
	int ret = stage_mount(st, w->fs, true, e);

	if (!ret && !w->o->no_debug_checks)
		debug_checks_on(st, false);
	if (!ret && strcmp(w->fs, "none"))
		ret = fs_mount(&st->m, e);
	return ret;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Serves, mounts and checks one point; fills @x */
static void check_point(struct worker *w, const struct cut_point *p,
			struct result *x, char *why, size_t size, char **log)
{
	struct cut_job job = { w, p };
	struct muse_error e = { 0 };
	struct stage st;
	size_t loglen;
	FILE *klog = open_memstream(log, &loglen);
	int kfd = kmsg_open(), ret;

	x->verdict = VERDICT_PASS;
	ret = stage_serve(&st, w->base, cut_in_copy, &job,
			  p->model != CUT_UNSTABLE, &e);
	if (ret) {
		x->verdict = VERDICT_ERROR;
		snprintf(why, size, "%s", e.msg);
	} else {
		if (attach_and_mount(w, &st, &e)) {
			x->verdict = VERDICT_FAIL;
			snprintf(why, size, "%s", e.msg);
		} else {
			int c = check_mounted(w, &st, p, why, size);

			x->verdict = c == 2 ? VERDICT_WORKLOAD : c ? VERDICT_FAIL :
				     VERDICT_PASS;
		}
		if (stage_down(&st, &e) && x->verdict == VERDICT_PASS) {
			x->verdict = VERDICT_FAIL;
			snprintf(why, size, "%s", e.msg);
		}
	}
	kmsg_drain(kfd, klog, "");
	kmsg_close(kfd);
	fclose(klog);
	if (x->verdict == VERDICT_PASS && *log &&
	    !klog_clean(w->rules[p->model], *log, why, size))
		x->verdict = VERDICT_FAIL;
}

static int run_point(struct worker *w, const struct cut_point *p,
		     struct muse_error *e)
{
	struct result x = { .n = p->n, .model = p->model, .seed = p->seed };
	char why[1024] = "";
	char *log = NULL;
	double t0 = now_ms();
	int ret = move_to(w, p->n, e);

	if (ret)
		return ret;
	check_point(w, p, &x, why, sizeof(why), &log);
	x.ms = now_ms() - t0;
	if (x.verdict != VERDICT_PASS) {
		x.reason = why;
		x.log = log;
	}
	ret = results_add(w->results, &x);
	free(log);
	if (ret)
		return muse_fail(e, ret, "writing %s failed", w->o->results);
	printf("done %" PRIu64 " %s %" PRIu64 " %s\n", p->n, cut_name(p->model),
	       p->seed, verdict_name(x.verdict));
	fflush(stdout);
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

static int open_all(struct worker *w, struct muse_error *e)
{
	struct ckpt_options co = { .quiet = true };
	int ret = trace_open(w->o->trace, TRACE_READ, &w->t, e);

	if (!ret && trace_get_meta(w->t, "fs", w->fs, sizeof(w->fs)))
		snprintf(w->fs, sizeof(w->fs), "none");
	if (!ret)
		ret = ckpt_open(w->t, w->o->trace, &co, &w->ckpt, e);
	if (!ret)
		ret = oracle_load(w->t, &w->oracle, e);
	for (int m = 0; !ret && m < CUT_MODELS; m++)
		ret = klog_rules_new((enum cut_model)m, w->o->allow, &w->rules[m], e);
	if (!ret)
		ret = results_open(w->o->results, &w->results, e);
	return ret;
}

static void close_all(struct worker *w)
{
	results_close(w->results);
	for (int m = 0; m < CUT_MODELS; m++)
		klog_rules_free(w->rules[m]);
	oracle_free(w->oracle);
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
	if (!ret && !o->no_debug_checks)
		debug_checks_on(NULL, true);
	while (!ret && !read_point(in, &p))
		ret = run_point(&w, &p, e);
	fclose(in);
	close_all(&w);
	return ret;
}
