/*
 * sweep_cmd.c - "muse sweep": every cut point of a trace, checked; and
 * "muse merge": the results of several shards as one.
 *
 * The host plans the cut points, splits what is left to do into one
 * contiguous run per job, and starts a worker per job (each in its own
 * boot of the bundled kernel unless this host has /dev/muse).  Workers
 * write their own results files and report progress on stdout; the host
 * merges them into TRACE.sweep.db and reports.
 */
#define _GNU_SOURCE
#include "sweep_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "hash.h"
#include "plan.h"
#include "point.h"
#include "results.h"
#include "spawn.h"
#include "sweep_report.h"
#include "sweep_worker.h"
#include "trace.h"
#include "uml.h"

#define MAX_JOBS 64
#define CHUNKS_PER_JOB 4
#define MIN_CHUNK 25
#define MAX_ALLOW 32
#define EXIT_FAILED 1
#define EXIT_TOOL 2

struct sweep_args {
	const char *trace;
	const char *models;
	uint64_t seeds;
	const char *range;
	const char *from_mark, *to_mark;
	uint64_t every;
	unsigned jobs;
	unsigned shard, shards;
	const char *check;
	const char *allow[MAX_ALLOW + 1];
	unsigned nallow;
	const char *junit;
	const char *html;
	const char *results;
	bool resume;
	bool no_debug_checks;
	const char *kernel;
	const char *mem;
	const char *worker;	/* internal: the list a worker runs */
	bool uml;		/* workers boot the bundled (or --kernel) kernel */
};

static const char usage[] =
	"usage: muse sweep TRACE [options]\n"
	"\n"
	"Checks every point where power could have died during the recorded\n"
	"workload: the state after op N with op N+1 cut, served, attached,\n"
	"mounted, recovered and checked (mount works, the kernel log is clean,\n"
	"it mounts again, what the marks declared durable is there, --check).\n"
	"Results go to TRACE.sweep.db; the summary names the first failure and\n"
	"the command that reproduces it.\n"
	"\n"
	"  -m, --models LIST    clean (default), torn, erase, unstable, comma-separated\n"
	"  -s, --seeds K        seeds 1..K for each random model (default 1)\n"
	"  -r, --range A..B     cut points N from A to B (default: from the mark\n"
	"                       mkfs-done to the end)\n"
	"      --from-mark X    from the mark X ...\n"
	"      --to-mark Y      ... to the mark Y\n"
	"      --every K        every K-th N only\n"
	"  -j, --jobs J         J workers in parallel (default: the number of CPUs)\n"
	"      --shard I/N      only the I-th of N equal, contiguous parts\n"
	"  -c, --check CMD      also run CMD (sh -c) in the mount; non-zero fails\n"
	"                       ($MUSE_MNT, $MUSE_CUT N:MODEL:SEED, $MUSE_MARK set)\n"
	"      --allow REGEX    kernel messages matching REGEX are not failures\n"
	"      --junit FILE     JUnit XML report\n"
	"      --html FILE      HTML report\n"
	"      --results FILE   results file (default TRACE.sweep.db)\n"
	"      --resume         keep earlier results, check only what is missing\n"
	"      --no-debug-checks  leave UBI's and UBIFS's self-checks off\n"
	"  -k, --kernel K       host, uml or a UML kernel (as muse uml)\n"
	"      --mem SIZE       guest memory per worker (default 512M)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 every point passed, 1 some failed, 2 a tool error.\n"
	"\n"
	"example:\n"
	"  muse sweep t.db --models clean,torn --jobs 2 --junit sweep.xml\n";

static int parse_models(const char *list, unsigned *mask)
{
	char *copy = strdup(list), *save = NULL;
	struct muse_error e;
	enum cut_model m;
	int ret = copy ? 0 : -1;

	*mask = 0;
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w && !ret;
	     w = strtok_r(NULL, ",", &save)) {
		if (cut_parse(w, &m, &e)) {
			fprintf(stderr, "muse sweep: --models: %s\n", e.msg);
			ret = -1;
		} else {
			*mask |= 1u << m;
		}
	}
	free(copy);
	return ret || !*mask ? -1 : 0;
}

static int parse_u64(const char *opt, const char *v, uint64_t min, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno || !*v || *end || *v == '-' || *out < min) {
		fprintf(stderr, "muse sweep: %s %s: a number of at least %" PRIu64 " is needed\n",
			opt, v, min);
		return -1;
	}
	return 0;
}

static int parse_shard(const char *v, struct sweep_args *a)
{
	if (sscanf(v, "%u/%u", &a->shard, &a->shards) != 2 || !a->shards ||
	    a->shard < 1 || a->shard > a->shards) {
		fprintf(stderr, "muse sweep: --shard %s: I/N with 1 <= I <= N\n", v);
		return -1;
	}
	return 0;
}

enum { OPT_FROM = 256, OPT_TO, OPT_EVERY, OPT_SHARD, OPT_ALLOW, OPT_JUNIT,
       OPT_HTML, OPT_RESULTS, OPT_RESUME, OPT_NODEBUG, OPT_MEM, OPT_WORKER };

static int parse_option(int c, const char *v, struct sweep_args *a)
{
	uint64_t jobs;

	switch (c) {
	case 'm': a->models = v; return 0;
	case 's': return parse_u64("--seeds", v, 1, &a->seeds);
	case 'r': a->range = v; return 0;
	case OPT_FROM: a->from_mark = v; return 0;
	case OPT_TO: a->to_mark = v; return 0;
	case OPT_EVERY: return parse_u64("--every", v, 1, &a->every);
	case 'j':
		if (parse_u64("--jobs", v, 1, &jobs) || jobs > MAX_JOBS)
			return -1;
		a->jobs = (unsigned)jobs;
		return 0;
	case OPT_SHARD: return parse_shard(v, a);
	case 'c': a->check = v; return 0;
	case OPT_ALLOW:
		if (a->nallow == MAX_ALLOW)
			return -1;
		a->allow[a->nallow++] = v;
		return 0;
	case OPT_JUNIT: a->junit = v; return 0;
	case OPT_HTML: a->html = v; return 0;
	case OPT_RESULTS: a->results = v; return 0;
	case OPT_RESUME: a->resume = true; return 0;
	case OPT_NODEBUG: a->no_debug_checks = true; return 0;
	case 'k': a->kernel = v; return 0;
	case OPT_MEM: a->mem = v; return 0;
	case OPT_WORKER: a->worker = v; return 0;
	}
	return -1;
}

static int parse(int argc, char **argv, struct sweep_args *a)
{
	static const struct option opts[] = {
		{ "models", required_argument, NULL, 'm' },
		{ "seeds", required_argument, NULL, 's' },
		{ "range", required_argument, NULL, 'r' },
		{ "from-mark", required_argument, NULL, OPT_FROM },
		{ "to-mark", required_argument, NULL, OPT_TO },
		{ "every", required_argument, NULL, OPT_EVERY },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "check", required_argument, NULL, 'c' },
		{ "allow", required_argument, NULL, OPT_ALLOW },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "results", required_argument, NULL, OPT_RESULTS },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "no-debug-checks", no_argument, NULL, OPT_NODEBUG },
		{ "kernel", required_argument, NULL, 'k' },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "worker", required_argument, NULL, OPT_WORKER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	*a = (struct sweep_args){ .models = "clean", .seeds = 1, .mem = "512M",
				  .jobs = cpus > 0 && cpus < MAX_JOBS ? (unsigned)cpus : 1 };
	while ((c = getopt_long(argc, argv, "m:s:r:j:c:k:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (c == '?' || parse_option(c, optarg, a)) {
			fputs("muse sweep: see muse sweep --help\n", stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "muse sweep: give one TRACE\n\n%s", usage);
		return -1;
	}
	a->trace = argv[optind];
	if (a->range && (a->from_mark || a->to_mark)) {
		fprintf(stderr, "muse sweep: --range or --from-mark/--to-mark, not both\n");
		return -1;
	}
	return 0;
}

/* ---- what to check ------------------------------------------------------- */

static int resolve_range(struct trace *t, const struct sweep_args *a,
			 struct plan_options *o, struct muse_error *e)
{
	char from[64], to[64];
	const char *dots;
	int ret;

	o->to = trace_last_seq(t);
	if (a->range) {
		dots = strstr(a->range, "..");
		if (!dots || dots == a->range || (size_t)(dots - a->range) >= sizeof(from) ||
		    strlen(dots + 2) >= sizeof(to) || !dots[2])
			return muse_fail(e, -EINVAL, "--range %s is not A..B", a->range);
		snprintf(from, sizeof(from), "%.*s", (int)(dots - a->range), a->range);
		snprintf(to, sizeof(to), "%s", dots + 2);
		ret = point_resolve(t, from, &o->from, e);
		return ret ? ret : point_resolve(t, to, &o->to, e);
	}
	snprintf(from, sizeof(from), "mark:%s", a->from_mark ? a->from_mark : "mkfs-done");
	ret = point_resolve(t, from, &o->from, e);
	if (ret == -ENOENT && !a->from_mark) {
		o->from = 0;	/* no preparation was recorded */
		ret = 0;
	}
	if (!ret && a->to_mark) {
		snprintf(to, sizeof(to), "mark:%s", a->to_mark);
		ret = point_resolve(t, to, &o->to, e);
	}
	return ret;
}

static int make_plan(const struct sweep_args *a, struct trace *t,
		     struct plan *p, struct muse_error *e)
{
	struct plan_options o = { .seeds = a->seeds, .every = a->every,
				  .shard = a->shard, .shards = a->shards };
	int ret;

	if (parse_models(a->models, &o.models))
		return muse_fail(e, -EINVAL, "--models %s: clean, torn, erase, unstable",
				 a->models);
	ret = resolve_range(t, a, &o, e);
	return ret ? ret : plan_build(t, &o, p, e);
}

/* ---- workers --------------------------------------------------------------- */

struct job {
	pid_t pid;
	int out;		/* its stdout */
	char list[4300];
	char db[4300];
	char log[4300];
	char buf[512];
	size_t len;
};

struct progress {
	size_t total, done, failed, errors;
	double t0, last_print;
	bool tty;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void show_progress(struct progress *pr, bool final)
{
	double el = now_s() - pr->t0, rate = el > 0 ? (double)pr->done / el : 0;
	double eta = rate > 0 ? (double)(pr->total - pr->done) / rate : 0;

	if (!pr->tty && !final && now_s() - pr->last_print < 10)
		return;
	pr->last_print = now_s();
	printf("%s%zu/%zu cut points, %zu failed, %zu errors, %.2f/s, ETA %.0f s%s",
	       pr->tty ? "\r" : "", pr->done, pr->total, pr->failed, pr->errors,
	       rate, eta, pr->tty && !final ? "  " : "\n");
	fflush(stdout);
}

static void worker_argv(const struct sweep_args *a, struct job *j, bool uml,
			char **argv)
{
	int n = 0;

	argv[n++] = (char *)spawn_self();
	if (uml) {
		argv[n++] = "uml";
		if (a->kernel) {
			argv[n++] = "--kernel";
			argv[n++] = (char *)a->kernel;
		}
		argv[n++] = "--mem";
		argv[n++] = (char *)a->mem;
		argv[n++] = "--log";
		argv[n++] = j->log;
		argv[n++] = "--";
		argv[n++] = (char *)spawn_self();
	}
	argv[n++] = "sweep";
	argv[n++] = "--worker";
	argv[n++] = j->list;
	argv[n++] = "--results";
	argv[n++] = j->db;
	if (a->check) {
		argv[n++] = "--check";
		argv[n++] = (char *)a->check;
	}
	for (unsigned i = 0; i < a->nallow; i++) {
		argv[n++] = "--allow";
		argv[n++] = (char *)a->allow[i];
	}
	if (a->no_debug_checks)
		argv[n++] = "--no-debug-checks";
	argv[n++] = (char *)a->trace;
	argv[n] = NULL;
}

static int start_job(const struct sweep_args *a, struct job *j, bool uml)
{
	char *argv[32 + 2 * MAX_ALLOW];
	int pipefd[2];

	worker_argv(a, j, uml, argv);
	if (pipe(pipefd))
		return -errno;
	fflush(NULL);
	j->pid = fork();
	if (j->pid == 0) {
		/* a worker whose sweep is gone must not write on */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	j->out = pipefd[0];
	return j->pid < 0 ? -errno : 0;
}

static void take_lines(struct job *j, struct progress *pr)
{
	ssize_t n = read(j->out, j->buf + j->len, sizeof(j->buf) - 1 - j->len);
	char *nl;

	if (n <= 0) {
		close(j->out);
		j->out = -1;
		return;
	}
	j->len += (size_t)n;
	j->buf[j->len] = '\0';
	while ((nl = strchr(j->buf, '\n'))) {
		*nl = '\0';
		if (!strncmp(j->buf, "done ", 5)) {
			pr->done++;
			pr->failed += strstr(j->buf, " fail") || strstr(j->buf, " workload");
			pr->errors += strstr(j->buf, " error") != NULL;
		} else {
			fprintf(stderr, "%s\n", j->buf);
		}
		j->len -= (size_t)(nl + 1 - j->buf);
		memmove(j->buf, nl + 1, j->len + 1);
	}
	if (j->len == sizeof(j->buf) - 1)
		j->len = 0;	/* a line too long to be ours */
}

/* ---- the host side ----------------------------------------------------------- */

struct sweep {
	const struct sweep_args *a;
	char results_path[4200];
	char dir[4210];
	char sha[65];
	struct results *results;
	struct plan plan;
	struct cut_point *todo;
	size_t ntodo;
};

static int write_list(const char *path, const struct cut_point *p, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%" PRIu64 " %s %" PRIu64 "\n", p[i].n,
			cut_name(p[i].model), p[i].seed);
	return fclose(f) ? -errno : 0;
}

/* Worker files an interrupted sweep left behind: their rows count */
static int collect_leftovers(struct sweep *s, struct muse_error *e)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	char path[4600];
	int ret = 0;

	while (d && !ret && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "worker-", 7) || len < 4 ||
		    strcmp(de->d_name + len - 3, ".db"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->dir, de->d_name);
		ret = results_merge(s->results, path, e);
		if (!ret)
			unlink(path);
	}
	if (d)
		closedir(d);
	return ret;
}

static int open_results(struct sweep *s, struct muse_error *e)
{
	char sha[65];
	int ret;

	if (!s->a->resume)
		unlink(s->results_path);
	ret = results_open(s->results_path, &s->results, e);
	if (ret)
		return ret;
	if (!results_get_meta(s->results, "trace_sha256", sha, sizeof(sha)) &&
	    strcmp(sha, s->sha))
		return muse_fail(e, -EINVAL, "%s holds the results of another trace;"
				 " remove it or drop --resume", s->results_path);
	ret = results_set_meta(s->results, "trace_sha256", s->sha);
	if (!ret)
		ret = results_set_meta(s->results, "trace", s->a->trace);
	if (ret)
		return muse_fail(e, ret, "writing %s failed", s->results_path);
	return s->a->resume ? collect_leftovers(s, e) : 0;
}

static int select_todo(struct sweep *s)
{
	s->todo = malloc((s->plan.count + 1) * sizeof(*s->todo));
	if (!s->todo)
		return -ENOMEM;
	for (size_t i = 0; i < s->plan.count; i++) {
		const struct cut_point *p = &s->plan.points[i];

		if (!results_has(s->results, p->n, p->model, p->seed))
			s->todo[s->ntodo++] = *p;
	}
	return 0;
}

/*
 * The points go out in chunks, several per job, to whichever job is
 * free: cut points differ in cost (a torn page makes recovery work), so
 * equal shares would leave a job idle at the end.  A chunk is at least
 * MIN_CHUNK points, as each costs a kernel boot.
 */
struct pool {
	struct sweep *s;
	bool uml;
	unsigned slots;
	size_t chunks, next, chunk_size;
	struct job job[MAX_JOBS];
	bool busy[MAX_JOBS];
	unsigned chunk_of[MAX_JOBS];
	int failed;
};

static int start_chunk(struct pool *p, unsigned slot)
{
	struct sweep *s = p->s;
	struct job *j = &p->job[slot];
	size_t first = p->next * p->chunk_size;
	size_t count = s->ntodo - first < p->chunk_size ? s->ntodo - first : p->chunk_size;
	unsigned k = (unsigned)++p->next;
	int ret;

	/* named by this run too: leftovers of a killed run never collide */
	snprintf(j->list, sizeof(j->list), "%s/worker-%d-%u.list", s->dir, (int)getpid(), k);
	snprintf(j->db, sizeof(j->db), "%s/worker-%d-%u.db", s->dir, (int)getpid(), k);
	snprintf(j->log, sizeof(j->log), "%s/worker-%d-%u.kernel.log", s->dir, (int)getpid(), k);
	j->len = 0;
	ret = write_list(j->list, s->todo + first, count);
	if (!ret)
		ret = start_job(s->a, j, p->uml);
	p->busy[slot] = !ret;
	p->chunk_of[slot] = k;
	return ret;
}

/* A job's output ended: collect it, merge its results, free the slot */
static void finish_chunk(struct pool *p, unsigned slot, struct muse_error *e)
{
	struct job *j = &p->job[slot];
	int status;

	if (waitpid(j->pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "muse sweep: worker %u stopped early (kernel log: %s)\n",
			p->chunk_of[slot], j->log);
		p->failed = 1;
	} else {
		unlink(j->log);
	}
	if (!results_merge(p->s->results, j->db, e))
		unlink(j->db);
	unlink(j->list);
	p->busy[slot] = false;
}

static void poll_jobs(struct pool *p, struct progress *pr, struct muse_error *e)
{
	struct pollfd fds[MAX_JOBS];
	unsigned slot[MAX_JOBS], open = 0;

	for (unsigned i = 0; i < p->slots; i++) {
		if (!p->busy[i])
			continue;
		fds[open] = (struct pollfd){ .fd = p->job[i].out, .events = POLLIN };
		slot[open++] = i;
	}
	if (poll(fds, open, 1000) < 0 && errno != EINTR)
		return;
	for (unsigned k = 0; k < open; k++) {
		if (!fds[k].revents)
			continue;
		take_lines(&p->job[slot[k]], pr);
		if (p->job[slot[k]].out < 0)
			finish_chunk(p, slot[k], e);
	}
	show_progress(pr, false);
}

static int run_workers(struct sweep *s, struct muse_error *e)
{
	const struct sweep_args *a = s->a;
	struct pool p = { .s = s, .slots = a->jobs };
	struct progress pr = { .total = s->ntodo, .t0 = now_s(), .tty = isatty(1) };
	int ret = 0;

	p.uml = a->uml;
	/* one kernel's messages cannot be told apart by worker */
	if (!p.uml && p.slots > 1) {
		fprintf(stderr, "muse sweep: one worker: this kernel's log is shared,"
			" so parallel workers need a kernel each (--kernel uml)\n");
		p.slots = 1;
	}
	p.chunk_size = s->ntodo / ((size_t)p.slots * CHUNKS_PER_JOB);
	if (p.chunk_size < MIN_CHUNK)
		p.chunk_size = MIN_CHUNK;
	p.chunks = (s->ntodo + p.chunk_size - 1) / p.chunk_size;
	for (;;) {
		bool running = false;

		for (unsigned i = 0; !ret && i < p.slots && p.next < p.chunks; i++)
			if (!p.busy[i])
				ret = start_chunk(&p, i);
		for (unsigned i = 0; i < p.slots; i++)
			running |= p.busy[i];
		if (!running)
			break;
		poll_jobs(&p, &pr, e);
	}
	show_progress(&pr, true);
	if (ret)
		return muse_fail(e, ret, "starting a worker: %s", strerror(-ret));
	return p.failed ? muse_fail(e, -EIO, "a worker failed; --resume continues") : 0;
}

static int prepare(struct sweep *s, struct muse_error *e)
{
	struct ckpt_options co = { 0 };
	struct ckpt *c = NULL;
	struct trace *t;
	uint8_t sum[32];
	uint64_t size;
	int ret = sha256_file(s->a->trace, sum, &size);

	if (ret)
		return muse_fail(e, ret, "%s: %s", s->a->trace, strerror(-ret));
	sha256_hex(sum, s->sha);
	ret = trace_open(s->a->trace, TRACE_READ, &t, e);
	if (ret)
		return ret;
	ret = make_plan(s->a, t, &s->plan, e);
	/* built once here, not by every worker at once */
	if (!ret)
		ret = ckpt_open(t, s->a->trace, &co, &c, e);
	ckpt_close(c);
	trace_close(t, NULL);
	return ret;
}

static int sweep_host(const struct sweep_args *a, struct muse_error *e)
{
	struct sweep s = { .a = a };
	int ret, status = 0;

	if (a->results)
		snprintf(s.results_path, sizeof(s.results_path), "%s", a->results);
	else
		snprintf(s.results_path, sizeof(s.results_path), "%s.sweep.db", a->trace);
	snprintf(s.dir, sizeof(s.dir), "%s.d", s.results_path);
	ret = prepare(&s, e);
	if (!ret && mkdir(s.dir, 0755) && errno != EEXIST)
		ret = muse_fail(e, -errno, "%s: %s", s.dir, strerror(errno));
	if (!ret)
		ret = open_results(&s, e);
	if (!ret)
		ret = select_todo(&s);
	if (!ret) {
		printf("%s: %zu cut points, %zu to check, %u jobs\n", a->trace,
		       s.plan.count, s.ntodo, a->jobs);
		fflush(stdout);
	}
	if (!ret && s.ntodo && run_workers(&s, e)) {
		fprintf(stderr, "muse sweep: %s\n", e->msg);
		status = EXIT_TOOL;
	}
	if (!ret) {
		struct report_options ro = { .trace = a->trace, .sha = s.sha,
					     .junit = a->junit, .html = a->html,
					     .plan = &s.plan };
		int rc = sweep_report(s.results, &ro, e);

		ret = rc < 0 ? rc : 0;
		status = status ? status : rc;
	}
	rmdir(s.dir);
	results_close(s.results);
	plan_free(&s.plan);
	free(s.todo);
	return ret ? ret : status;
}

static int run_worker(const struct sweep_args *a, struct muse_error *e)
{
	struct worker_options w = {
		.trace = a->trace, .list = a->worker, .results = a->results,
		.check = a->check, .allow = a->allow,
		.no_debug_checks = a->no_debug_checks,
	};

	if (!a->results)
		return muse_fail(e, -EINVAL, "--worker needs --results");
	return sweep_worker_run(&w, e);
}

int cmd_sweep(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct sweep_args a;
	int ret = parse(argc, argv, &a);

	if (ret)
		return ret > 0 ? 0 : EXIT_TOOL;
	if (a.worker) {
		ret = run_worker(&a, &e);
	} else {
		ret = uml_choose(&a.kernel, &e);
		a.uml = ret == 1;
		if (ret >= 0)
			ret = sweep_host(&a, &e);
	}
	if (ret < 0) {
		fprintf(stderr, "muse sweep: %s\n", e.msg);
		return EXIT_TOOL;
	}
	return ret;
}

/* ---- muse merge ------------------------------------------------------------------ */

static const char merge_usage[] =
	"usage: muse merge OUT RESULTS...\n"
	"\n"
	"Combines the results files of several sweeps of one trace (the shards\n"
	"of a CI matrix) into OUT, then reports on the whole as muse sweep does.\n"
	"\n"
	"  --junit FILE   JUnit XML report\n"
	"  --html FILE    HTML report\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options ro = { 0 };
	struct muse_error e = { 0 };
	struct results *out;
	char sha[65] = "", other[65], trace[4096] = "";
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == OPT_JUNIT)
			ro.junit = optarg;
		else if (c == OPT_HTML)
			ro.html = optarg;
		else {
			fputs(merge_usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : EXIT_TOOL;
		}
	}
	if (argc - optind < 2) {
		fputs(merge_usage, stderr);
		return EXIT_TOOL;
	}
	ret = results_open(argv[optind], &out, &e);
	if (ret)
		out = NULL;
	for (int i = optind + 1; !ret && i < argc; i++) {
		struct results *in = NULL;

		if (access(argv[i], R_OK)) {
			ret = muse_fail(&e, -errno, "%s: %s", argv[i], strerror(errno));
			break;
		}
		ret = results_open(argv[i], &in, &e);
		if (!ret && !results_get_meta(in, "trace_sha256", other, sizeof(other))) {
			if (!sha[0])
				snprintf(sha, sizeof(sha), "%s", other);
			else if (strcmp(sha, other))
				ret = muse_fail(&e, -EINVAL, "%s is from another trace", argv[i]);
		}
		if (!ret)
			results_get_meta(in, "trace", trace, sizeof(trace));
		results_close(in);
		if (!ret)
			ret = results_merge(out, argv[i], &e);
	}
	if (!ret) {
		ro.trace = trace[0] ? trace : "TRACE";
		ro.sha = sha;
		ret = sweep_report(out, &ro, &e);
	}
	results_close(out);
	if (ret < 0) {
		fprintf(stderr, "muse merge: %s\n", e.msg);
		return EXIT_TOOL;
	}
	return ret;
}
