/*
 * sweep_cmd.c - "muse sweep": options in, sweep.h does the work, the exit
 * status out.
 */
#define _GNU_SOURCE
#include "sweep_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cut.h"
#include "kernels.h"
#include "util.h"
#include "pool.h"
#include "sweep.h"
#include "trace_kernel.h"
#include "uml.h"

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
	"  -r, --range A..B     cut points N from A to B, each N, mark:NAME or end,\n"
	"                       either left out for 0 or the end (default: from\n"
	"                       the mark mkfs-done to the end)\n"
	"      --from-mark X    from the mark X ...\n"
	"      --to-mark Y      ... to the mark Y\n"
	"      --every K        every K-th N only\n"
	"  -j, --jobs J         J workers in parallel (default: the number of CPUs)\n"
	"      --shard I/N      only the I-th of N equal, contiguous parts (with\n"
	"                       --budget or --points: every N-th point of the order)\n"
	"      --budget TIME    start no point after TIME (90s, 15m, 2h), checking\n"
	"                       distinct situations first: one point of every class\n"
	"                       (model, op in flight, where it lands, next to a\n"
	"                       mark), then the marks' neighbourhoods, erases, and\n"
	"                       the rest spread over the trace; the report gives\n"
	"                       coverage by class\n"
	"      --points K       the first K points of that order\n"
	"      --list           print the points in that order (N MODEL SEED CLASS),\n"
	"                       check nothing\n"
	"  -c, --check CMD      also run CMD (sh -c) in the mount; non-zero fails\n"
	"                       ($MUSE_MNT, $MUSE_CUT N:MODEL:SEED, $MUSE_MARK set)\n"
	"      --allow REGEX    kernel messages matching REGEX are not failures\n"
	"      --junit FILE     JUnit XML report\n"
	"      --json FILE      the summary as JSON: totals, per model, and each\n"
	"                       failure with its op, reason, reproduce command\n"
	"                       and kernel log\n"
	"      --html FILE      HTML report\n"
	"      --results FILE   results file (default TRACE.sweep.db)\n"
	"      --resume         keep earlier results, check only what is missing\n"
	"      --debug-checks MODE  UBI's and UBIFS's self-checks: sampled (default:\n"
	"                       the whole-filesystem walks at the marks' states and\n"
	"                       at one point in 8), full (all at every point), none\n"
	"      --no-debug-checks  the same as --debug-checks none\n"
	"  -k, --kernel K       host, or a UML kernel's name or path (as muse replay;\n"
	"                       default: the kernel that recorded the trace)\n"
	"      --mem SIZE       guest memory per worker (default 512M)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 every point passed, 1 some failed, 2 a tool error.\n"
	"\n"
	"example:\n"
	"  muse sweep t.db --models clean,torn --jobs 2 --junit sweep.xml\n"
	"  muse sweep t.db --models clean,torn --budget 15m --html sweep.html\n";

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
	if (!ret && !*mask)
		fprintf(stderr, "muse sweep: --models %s: clean, torn, erase, unstable\n", list);
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

static int parse_shard(const char *v, struct sweep_options *a)
{
	if (sscanf(v, "%u/%u", &a->shard, &a->shards) != 2 || !a->shards ||
	    a->shard < 1 || a->shard > a->shards) {
		fprintf(stderr, "muse sweep: --shard %s: I/N with 1 <= I <= N\n", v);
		return -1;
	}
	return 0;
}

enum { OPT_FROM = 256, OPT_TO, OPT_EVERY, OPT_SHARD, OPT_ALLOW, OPT_JUNIT,
       OPT_HTML, OPT_JSON, OPT_RESULTS, OPT_RESUME, OPT_NODEBUG, OPT_CHECKS, OPT_MEM, OPT_WORKER,
       OPT_BUDGET, OPT_POINTS, OPT_DEADLINE, OPT_LIST, OPT_TRACE_STAMP, OPT_CKPT_STAMP };

static int parse_budget(const char *v, struct sweep_options *a)
{
	uint64_t s;

	if (parse_duration(v, &s)) {
		fprintf(stderr, "muse sweep: --budget %s: a time such as 90s, 15m or 2h\n", v);
		return -1;
	}
	a->budget = (double)s;
	return 0;
}

static int parse_deadline(const char *v, struct sweep_options *a)
{
	char *end;

	a->deadline = strtod(v, &end);
	return *end || a->deadline <= 0 ? -1 : 0;
}

static int parse_option(int c, const char *v, struct sweep_options *a)
{
	uint64_t jobs;

	switch (c) {
	case 'm': return parse_models(v, &a->models);
	case 's': return parse_u64("--seeds", v, 1, &a->seeds);
	case 'r': a->range = v; return 0;
	case OPT_FROM: a->from_mark = v; return 0;
	case OPT_TO: a->to_mark = v; return 0;
	case OPT_EVERY: return parse_u64("--every", v, 1, &a->every);
	case 'j':
		if (parse_u64("--jobs", v, 1, &jobs) || jobs > POOL_MAX_SLOTS)
			return -1;
		a->jobs = (unsigned)jobs;
		return 0;
	case OPT_SHARD: return parse_shard(v, a);
	case 'c': a->check = v; return 0;
	case OPT_ALLOW:
		if (a->nallow == SWEEP_MAX_ALLOW)
			return -1;
		a->allow[a->nallow++] = v;
		return 0;
	case OPT_JUNIT: a->junit = v; return 0;
	case OPT_HTML: a->html = v; return 0;
	case OPT_JSON: a->json = v; return 0;
	case OPT_RESULTS: a->results = v; return 0;
	case OPT_RESUME: a->resume = true; return 0;
	case OPT_NODEBUG: a->checks = DEBUG_CHECKS_NONE; return 0;
	case OPT_CHECKS:
		if (!debug_checks_parse(v, &a->checks))
			return 0;
		fprintf(stderr, "muse sweep: --debug-checks %s: sampled, full or none\n", v);
		return -1;
	case 'k': a->kernel = v; return 0;
	case OPT_MEM: a->mem = v; return 0;
	case OPT_WORKER: a->worker = v; return 0;
	case OPT_BUDGET: return parse_budget(v, a);
	case OPT_POINTS: return parse_u64("--points", v, 1, &a->points);
	case OPT_DEADLINE: return parse_deadline(v, a);
	case OPT_TRACE_STAMP: a->trace_stamp = v; return 0;
	case OPT_CKPT_STAMP: a->ckpt_stamp = v; return 0;
	case OPT_LIST: a->list = true; return 0;
	}
	return -1;
}

static int parse(int argc, char **argv, struct sweep_options *a)
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
		{ "json", required_argument, NULL, OPT_JSON },
		{ "results", required_argument, NULL, OPT_RESULTS },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "no-debug-checks", no_argument, NULL, OPT_NODEBUG },
		{ "debug-checks", required_argument, NULL, OPT_CHECKS },
		{ "kernel", required_argument, NULL, 'k' },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "worker", required_argument, NULL, OPT_WORKER },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "points", required_argument, NULL, OPT_POINTS },
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		{ "trace-stamp", required_argument, NULL, OPT_TRACE_STAMP },
		{ "checkpoints-stamp", required_argument, NULL, OPT_CKPT_STAMP },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	*a = (struct sweep_options){ .models = 1u << CUT_CLEAN, .seeds = 1, .mem = "512M",
				  .jobs = cpus > 0 && cpus < POOL_MAX_SLOTS ? (unsigned)cpus : 1 };
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

/* the release of the kernel whose verdicts the results will hold */
static const char *judging_release(const struct sweep_options *a, char *buf,
				   size_t size)
{
	struct kernel_info k;
	struct utsname u;

	if (a->uml) {
		if (kernel_lookup(a->kernel, "uml", &k, &(struct muse_error){ 0 }) ||
		    !k.release[0])
			return NULL;
		snprintf(buf, size, "%s", k.release);
	} else {
		if (uname(&u))
			return NULL;
		snprintf(buf, size, "%s", u.release);
	}
	return buf;
}

int cmd_sweep(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct sweep_options a;
	char release[KERNEL_RELEASE_MAX];
	int ret = parse(argc, argv, &a);

	if (ret)
		return ret > 0 ? 0 : SWEEP_EXIT_TOOL;
	if (a.worker) {
		ret = sweep_run_worker(&a, &e);
	} else {
		ret = trace_kernel_choose(a.trace, "muse sweep", &a.kernel, &e);
		a.uml = ret == 1;
		if (ret >= 0)
			a.kernel_release = judging_release(&a, release, sizeof(release));
		if (ret >= 0)
			ret = sweep_run(&a, &e);
	}
	if (ret < 0) {
		fprintf(stderr, "muse sweep: %s\n", e.msg);
		return SWEEP_EXIT_TOOL;
	}
	return ret;
}
