/*
 * sweep.c - checking every cut point of a trace, from the host (see
 * sweep.h).
 */
#define _GNU_SOURCE
#include "sweep.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "clock.h"
#include "hash.h"
#include "judge.h"
#include "plan.h"
#include "pool.h"
#include "results.h"
#include "spawn.h"
#include "sweep_plan.h"
#include "sweep_progress.h"
#include "sweep_report.h"
#include "util.h"
#include "sweep_worker.h"
#include "trace.h"
#include "uml.h"

#define CHUNKS_PER_JOB 4
#define MIN_CHUNK 25
/* a budgeted sweep's chunks: the order holds across chunks, not in one */
#define MAX_ORDERED_CHUNK 50

/* ---- the results file, and resuming ----------------------------------------- */

struct sweep {
	const struct sweep_options *a;
	char results_path[PATH_MAX];
	char dir[PATH_MAX];
	char sha[65];
	char replay_args[REPORT_ARGS_MAX];
	struct results *results;
	struct plan plan;
	struct point_classes classes;
	struct cut_point *todo;
	size_t ntodo;
	size_t nsame;		/* planned points that take a clean point's verdict */
	double deadline;	/* CLOCK_REALTIME seconds, 0: none */
	char trace_stamp[FILE_STAMP_TEXT];	/* the files as checked here: */
	char ckpt_stamp[FILE_STAMP_TEXT];	/* workers need not hash them again */
};

/*
 * Worker files an interrupted sweep left behind: their rows count.  One
 * that cannot be read (its worker died while creating it, or a dying
 * guest still holds it) is left alone: its points are checked again.
 */
static void collect_leftovers(struct sweep *s)
{
	DIR *d = opendir(s->dir);
	struct muse_error e;
	struct dirent *de;
	char path[PATH_MAX];

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "worker-", 7) || len < 4 ||
		    strcmp(de->d_name + len - 3, ".db"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", s->dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (!results_merge(s->results, path, &e))
			unlink(path);
		else
			fprintf(stderr, "muse sweep: %s; its points are checked again\n",
				e.msg);
	}
	if (d)
		closedir(d);
}

/* What "muse replay --verdict" needs to judge a point as the workers do */
static int judge_args(struct sweep *s, struct muse_error *e)
{
	const struct sweep_options *a = s->a;
	char *buf = s->replay_args;
	size_t size = sizeof(s->replay_args);
	int ret = 0;

	buf[0] = '\0';
	if (a->check)
		ret = shell_append(buf, size, "--check") ?: shell_append(buf, size, a->check);
	for (unsigned i = 0; !ret && i < a->nallow; i++)
		ret = shell_append(buf, size, "--allow") ?: shell_append(buf, size, a->allow[i]);
	if (!ret && a->checks != DEBUG_CHECKS_SAMPLED)
		ret = shell_append(buf, size, "--debug-checks") ?:
		      shell_append(buf, size, debug_checks_name(a->checks));
	return ret ? muse_fail(e, ret, "--check and --allow are too long to repeat"
			       " in a reproduce command") : 0;
}

static int open_results(struct sweep *s, struct muse_error *e)
{
	char sha[65];
	int ret;

	ret = judge_args(s, e);
	if (ret)
		return ret;
	if (!s->a->resume)
		unlink(s->results_path);
	ret = results_open(s->results_path, &s->results, e);
	if (ret)
		return ret;
	if (!results_get_meta(s->results, "trace_sha256", sha, sizeof(sha)) &&
	    strcmp(sha, s->sha))
		return muse_fail(e, -EINVAL, "%s holds the results of another trace;"
				 " remove it or drop --resume", s->results_path);
	/* verdicts of two kernels in one file would answer neither question */
	if (s->a->kernel_release &&
	    !results_get_meta(s->results, "kernel_release", sha, sizeof(sha)) &&
	    strcmp(sha, s->a->kernel_release))
		return muse_fail(e, -EINVAL, "%s holds results judged by Linux %s, not %s;"
				 " remove it, drop --resume or pass that kernel",
				 s->results_path, sha, s->a->kernel_release);
	ret = results_set_meta(s->results, "trace_sha256", s->sha);
	if (!ret && s->a->kernel_release)
		ret = results_set_meta(s->results, "kernel_release", s->a->kernel_release);
	if (!ret)
		ret = results_set_meta(s->results, "trace", s->a->trace);
	if (!ret)
		ret = results_set_meta(s->results, "replay_args", s->replay_args);
	if (ret)
		return muse_fail(e, ret, "writing %s failed", s->results_path);
	if (s->a->resume)
		collect_leftovers(s);
	return 0;
}

/* the points planned to be checked: the first --points of the order, or all */
static size_t planned(const struct sweep *s)
{
	return s->a->points && s->a->points < s->plan.count ? (size_t)s->a->points :
	       s->plan.count;
}

/*
 * What the workers check, in the order: a point whose state is a clean
 * point's is not booted; that clean point is checked instead, once
 */
static int select_todo(struct sweep *s)
{
	uint64_t top = 0;
	bool *queued;

	for (size_t i = 0; i < s->plan.count; i++)
		top = s->plan.points[i].n > top ? s->plan.points[i].n : top;
	queued = calloc(top + 1, sizeof(*queued));
	s->todo = malloc((s->plan.count + 1) * sizeof(*s->todo));
	if (!s->todo || !queued) {
		free(queued);
		return -ENOMEM;
	}
	for (size_t i = 0; i < planned(s); i++) {
		int64_t same = s->classes.same_as[i];
		struct cut_point q = same >= 0 ?
			(struct cut_point){ (uint64_t)same, CUT_CLEAN, 0 } : s->plan.points[i];

		if (same >= 0 && !results_has(s->results, s->plan.points[i].n,
					      s->plan.points[i].model, s->plan.points[i].seed))
			s->nsame++;
		if (q.model == CUT_CLEAN && queued[q.n])
			continue;
		if (q.model == CUT_CLEAN)
			queued[q.n] = true;
		if (!results_has(s->results, q.n, q.model, q.seed))
			s->todo[s->ntodo++] = q;
	}
	free(queued);
	return 0;
}

/* The points whose state a clean point checked has take its verdict */
static int take_same_verdicts(struct sweep *s, struct muse_error *e)
{
	for (size_t i = 0; i < planned(s); i++) {
		const struct cut_point *p = &s->plan.points[i];
		int64_t same = s->classes.same_as[i];
		int ret;

		if (same < 0 || results_has(s->results, p->n, p->model, p->seed))
			continue;
		ret = results_add_same(s->results, p->n, p->model, p->seed, (uint64_t)same,
				       clock_wall_s());
		if (ret && ret != -ENOENT)
			return muse_fail(e, ret, "writing %s failed", s->results_path);
	}
	return 0;
}

/* ---- the workers ------------------------------------------------------------ */

/*
 * The points go out in chunks, several per job, to whichever job is
 * free: cut points differ in cost (a torn page makes recovery work), so
 * equal shares would leave a job idle at the end.  A chunk is at least
 * MIN_CHUNK points, as each costs a kernel boot.
 */
struct chunk {
	unsigned number;
	char list[PATH_MAX];
	char db[PATH_MAX];
	char log[PATH_MAX];
	char deadline[32];
	char *argv[UML_SELF_ARGC + 22 + 2 * SWEEP_MAX_ALLOW];
};

struct chunks {
	struct sweep *s;
	struct progress pr;
	size_t count, next, size;
	struct chunk slot[POOL_MAX_SLOTS];
	int failed;
	struct muse_error *e;
};

static int by_n(const void *a, const void *b)
{
	const struct cut_point *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	if (x->model != y->model)
		return x->model < y->model ? -1 : 1;
	return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* A chunk's points in trace order: a worker steps from one to the next */
static int write_list(const char *path, const struct cut_point *p, size_t n)
{
	struct cut_point *sorted = malloc((n + 1) * sizeof(*sorted));
	FILE *f = sorted ? fopen(path, "w") : NULL;
	int ret = f ? 0 : sorted ? -errno : -ENOMEM;

	if (!ret) {
		memcpy(sorted, p, n * sizeof(*p));
		qsort(sorted, n, sizeof(*sorted), by_n);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%" PRIu64 " %s %" PRIu64 "\n", sorted[i].n,
				cut_name(sorted[i].model), sorted[i].seed);
		ret = fclose(f) ? -errno : 0;
	}
	free(sorted);
	return ret;
}

static void worker_args(const struct sweep *s, struct chunk *c)
{
	const struct sweep_options *a = s->a;
	struct uml_options o = { .kernel = a->kernel, .mem = a->mem, .log = c->log };
	char *args[22 + 2 * SWEEP_MAX_ALLOW];
	int n = 0;

	args[n++] = "sweep";
	args[n++] = "--worker";
	args[n++] = c->list;
	args[n++] = "--results";
	args[n++] = c->db;
	if (a->check) {
		args[n++] = "--check";
		args[n++] = (char *)a->check;
	}
	for (unsigned i = 0; i < a->nallow; i++) {
		args[n++] = "--allow";
		args[n++] = (char *)a->allow[i];
	}
	if (a->checks != DEBUG_CHECKS_SAMPLED) {
		args[n++] = "--debug-checks";
		args[n++] = (char *)debug_checks_name(a->checks);
	}
	if (s->deadline) {
		snprintf(c->deadline, sizeof(c->deadline), "%.3f", s->deadline);
		args[n++] = "--deadline";
		args[n++] = c->deadline;
	}
	if (s->trace_stamp[0]) {
		args[n++] = "--trace-stamp";
		args[n++] = (char *)s->trace_stamp;
	}
	if (s->ckpt_stamp[0]) {
		args[n++] = "--checkpoints-stamp";
		args[n++] = (char *)s->ckpt_stamp;
	}
	args[n++] = (char *)a->trace;
	args[n] = NULL;
	if (a->uml) {
		uml_self_argv(&o, args, c->argv);
		return;
	}
	c->argv[0] = (char *)spawn_self();
	memcpy(c->argv + 1, args, ((size_t)n + 1) * sizeof(*args));
}

/* Names carry this run's pid too: leftovers of a killed run never collide */
static int name_chunk(const struct sweep *s, struct chunk *c)
{
	const char *d = s->dir;
	int pid = (int)getpid();
	unsigned k = c->number;

	if (snprintf(c->list, sizeof(c->list), "%s/worker-%d-%u.list", d, pid, k) >=
	    (int)sizeof(c->list) ||
	    snprintf(c->db, sizeof(c->db), "%s/worker-%d-%u.db", d, pid, k) >=
	    (int)sizeof(c->db) ||
	    snprintf(c->log, sizeof(c->log), "%s/worker-%d-%u.kernel.log", d, pid, k) >=
	    (int)sizeof(c->log))
		return -ENAMETOOLONG;
	return 0;
}

static int next_chunk(void *ctx, unsigned slot, char ***argv)
{
	struct chunks *cs = ctx;
	struct sweep *s = cs->s;
	struct chunk *c = &cs->slot[slot];
	size_t first = cs->next * cs->size;
	size_t count = s->ntodo - first < cs->size ? s->ntodo - first : cs->size;
	int ret;

	if (cs->next == cs->count || (s->deadline && clock_wall_s() >= s->deadline))
		return 0;
	c->number = (unsigned)++cs->next;
	ret = name_chunk(s, c);
	if (!ret)
		ret = write_list(c->list, s->todo + first, count);
	if (ret)
		return ret;
	worker_args(s, c);
	*argv = c->argv;
	return 1;
}

static void worker_line(void *ctx, unsigned slot, const char *line)
{
	struct progress *pr = &((struct chunks *)ctx)->pr;

	(void)slot;
	if (strncmp(line, "done ", 5)) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	progress_note(pr, line);
}

/* A worker ended: merge what it found, whatever became of it */
static void worker_done(void *ctx, unsigned slot, int status)
{
	struct chunks *cs = ctx;
	struct chunk *c = &cs->slot[slot];

	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "muse sweep: worker %u stopped early (kernel log: %s)\n",
			c->number, c->log);
		cs->failed = 1;
	} else {
		unlink(c->log);
	}
	if (!results_merge(cs->s->results, c->db, cs->e))
		unlink(c->db);
	unlink(c->list);
}

static void worker_tick(void *ctx)
{
	progress_show(&((struct chunks *)ctx)->pr, false);
}

static int run_workers(struct sweep *s, struct muse_error *e)
{
	struct chunks cs = { .s = s, .e = e,
			     .pr = { .total = s->ntodo, .t0 = progress_now_s(), .tty = isatty(1) } };
	struct pool_ops ops = { .ctx = &cs, .next = next_chunk, .line = worker_line,
				.done = worker_done, .tick = worker_tick };
	unsigned jobs = s->a->jobs;
	int ret;

	/* one kernel's messages cannot be told apart by worker */
	if (!s->a->uml && jobs > 1) {
		fprintf(stderr, "muse sweep: one worker: this kernel's log is shared,"
			" so parallel workers need a kernel each (--kernel uml)\n");
		jobs = 1;
	}
	cs.size = s->ntodo / ((size_t)jobs * CHUNKS_PER_JOB);
	if (sweep_plan_ordered(s->a) && cs.size > MAX_ORDERED_CHUNK)
		cs.size = MAX_ORDERED_CHUNK;
	if (cs.size < MIN_CHUNK)
		cs.size = MIN_CHUNK;
	cs.count = (s->ntodo + cs.size - 1) / cs.size;
	ret = pool_run(jobs, &ops, e);
	progress_show(&cs.pr, true);
	progress_show_phases(&cs.pr);
	if (ret)
		return ret;
	return cs.failed ? muse_fail(e, -EIO, "a worker failed; --resume continues") : 0;
}

/* ---- the whole ------------------------------------------------------------------ */

/* The stamps of the trace and checkpoint files whose digests were checked */
static void note_stamps(struct sweep *s, const struct file_stamp *before,
			const struct ckpt *c)
{
	struct file_stamp after;

	if (!file_stamp_of_path(s->a->trace, &after) && file_stamp_equal(before, &after))
		file_stamp_format(before, s->trace_stamp);
	if (!ckpt_stamp(c, &after))
		file_stamp_format(&after, s->ckpt_stamp);
}

static int prepare(struct sweep *s, struct muse_error *e)
{
	struct ckpt_options co = { 0 };
	struct file_stamp before = { 0 };
	struct ckpt *c = NULL;
	struct trace *t;
	uint8_t sum[32];
	uint64_t size;
	int ret = file_stamp_of_path(s->a->trace, &before);

	if (!ret)
		ret = sha256_file(s->a->trace, sum, &size);
	if (ret)
		return muse_fail(e, ret, "%s: %s", s->a->trace, strerror(-ret));
	sha256_hex(sum, s->sha);
	ret = trace_open(s->a->trace, TRACE_READ, &t, e);
	if (ret)
		return ret;
	ret = sweep_plan_make(s->a, t, &s->plan, &s->classes, e);
	/* built once here, not by every worker at once */
	if (!ret)
		ret = ckpt_open(t, s->a->trace, &co, &c, e);
	if (!ret)
		note_stamps(s, &before, c);
	ckpt_close(c);
	trace_close(t, NULL);
	return ret;
}

static int set_paths(struct sweep *s, struct muse_error *e)
{
	const struct sweep_options *a = s->a;
	int n = a->results ?
		snprintf(s->results_path, sizeof(s->results_path), "%s", a->results) :
		snprintf(s->results_path, sizeof(s->results_path), "%s.sweep.db", a->trace);

	if (n >= (int)sizeof(s->results_path) ||
	    snprintf(s->dir, sizeof(s->dir), "%s.d", s->results_path) >= (int)sizeof(s->dir))
		return muse_fail(e, -ENAMETOOLONG, "%s: the name is too long", a->trace);
	return 0;
}

static int start(struct sweep *s, struct muse_error *e)
{
	int ret = set_paths(s, e);

	if (!ret)
		ret = prepare(s, e);
	if (!ret && mkdir(s->dir, 0755) && errno != EEXIST)
		ret = muse_fail(e, -errno, "%s: %s", s->dir, strerror(errno));
	if (!ret)
		ret = open_results(s, e);
	if (!ret)
		ret = select_todo(s);
	if (!ret) {
		printf("%s: %zu cut points in %zu classes, %zu to check", s->a->trace,
		       s->plan.count, s->classes.count, s->ntodo);
		if (s->nsame)
			printf(" (%zu more have the state of a clean point)", s->nsame);
		if (s->a->budget)
			printf(" within %.0f s", s->a->budget);
		printf(", %u jobs\n", s->a->jobs);
		fflush(stdout);
	}
	return ret;
}

int sweep_run(const struct sweep_options *a, struct muse_error *e)
{
	struct sweep s = { .a = a, .deadline = a->budget ? clock_wall_s() + a->budget : 0 };
	int ret, status = 0;

	if (a->list)
		return sweep_plan_list(a, e);
	ret = start(&s, e);

	if (!ret && s.ntodo && run_workers(&s, e)) {
		fprintf(stderr, "muse sweep: %s\n", e->msg);
		status = SWEEP_EXIT_TOOL;
	}
	if (!ret)
		ret = take_same_verdicts(&s, e);
	if (!ret) {
		struct report_options ro = { .trace = a->trace, .sha = s.sha,
					     .junit = a->junit, .html = a->html, .json = a->json,
					     .plan = &s.plan, .classes = &s.classes,
					     .replay_args = s.replay_args };
		int rc = sweep_report(s.results, &ro, e);

		ret = rc < 0 ? rc : 0;
		status = status ? status : rc;
	}
	rmdir(s.dir);
	results_close(s.results);
	plan_free(&s.plan);
	point_classes_free(&s.classes);
	free(s.todo);
	return ret ? ret : status;
}

int sweep_run_worker(const struct sweep_options *a, struct muse_error *e)
{
	struct worker_options w = {
		.trace = a->trace, .list = a->worker, .results = a->results,
		.check = a->check, .allow = a->allow,
		.checks = a->checks, .deadline = a->deadline,
		.trace_stamp = a->trace_stamp, .ckpt_stamp = a->ckpt_stamp,
	};

	if (!a->results)
		return muse_fail(e, -EINVAL, "--worker needs --results");
	return sweep_worker_run(&w, e);
}
