/*
 * fuzz_cmd.c - "muse fuzz faults": options in, fuzz_faults.h does the
 * work, the exit status out.  "muse fuzz run-one" is one run of a
 * campaign, as the campaign starts it.
 */
#define _GNU_SOURCE
#include "fuzz_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_plan.h"
#include "fuzz_faults.h"
#include "fuzz_image.h"
#include "kernels.h"
#include "pool.h"
#include "trace.h"
#include "trace_kernel.h"
#include "util.h"

static const char usage[] =
	"usage: muse fuzz faults [options] -- WORKLOAD [ARGS...]\n"
	"       muse fuzz image TRACE --at N [options]\n"
	"\n"
	"Records WORKLOAD again and again, each run on a chip that fails as a\n"
	"fault plan drawn from the seed says (docs/faults.md), and judges each\n"
	"run like a sweep point: a kernel crash (BUG, WARNING, KASAN, lockdep,\n"
	"a hung task, the guest dying), then the state the run ended with (or a\n"
	"power cut drawn within it): mount, remount, the files the marks\n"
	"declared, --check.  The workload failing (EIO, EROFS) is no finding.\n"
	"Every finding is kept in DIR/failures/ID with its plan, kernel log and\n"
	"the command that reproduces it; DIR/summary.json sums the campaign.\n"
	"Run again with the same DIR and seed, it goes on where it stopped.\n"
	"\n"
	"  -o, --out DIR        the campaign's directory (default muse-fuzz)\n"
	"  -n, --runs N         N runs (default 20 without --time)\n"
	"  -t, --time T         stop starting runs after T (90s, 15m, 2h)\n"
	"  -j, --jobs J         J runs in parallel (default: the number of CPUs)\n"
	"  -s, --seed S         the campaign's seed (default 1)\n"
	"      --kinds LIST     the faults drawn from, comma-separated (default\n"
	"                       all: program-fail, erase-fail, grown-bad, wear,\n"
	"                       read-disturb, retention, stuck-bits)\n"
	"      --cut-at-random  judge a power cut drawn within each run, not its end\n"
	"  -c, --check CMD      also run CMD (sh -c) in the mount; non-zero fails\n"
	"  -g, --geometry G     chip geometry (default nand-2k,size=16m)\n"
	"      --fs FS          ubifs (default) or jffs2\n"
	"  -k, --kernel K       a UML kernel's name or path (as muse record)\n"
	"  -h, --help           show this help\n"
	"\n"
	"\n"
	"image: the state of TRACE at N (N, mark:NAME, end) with its UBI, UBIFS or\n"
	"JFFS2 metadata mutated, CRCs recomputed, input after input: attached,\n"
	"mounted, read, written, unmounted, many per boot, on the KASAN/lockdep\n"
	"kernel when it is built.  A kernel BUG, WARNING, KASAN or lockdep report,\n"
	"a failed UBIFS assertion or a dead guest is a crash, kept in\n"
	"DIR/failures/I with the image, the mutation and the kernel log.\n"
	"      --at N           the state the inputs start from\n"
	"      --inputs N       N inputs (default 200 without --time)\n"
	"      --per-boot M     inputs one guest boot tries (default 50)\n"
	"      --first I        the first input's number (default 0)\n"
	"      --exercise CMD   run CMD (sh -c) in each mount instead of reading\n"
	"                       every file, writing one and syncing\n"
	"  (and -o, -t, -j, -s, -k as above)\n"
	"\n"
	"Exit status: 0 nothing found, 1 a crash or failure found, 2 runs that\n"
	"could not be judged or a tool error.\n"
	"\n"
	"examples:\n"
	"  muse fuzz faults --runs 50 --jobs 2 --fs ubifs -- ./workload.sh\n"
	"  muse fuzz image t.db --at mark:files-written --time 1h\n";

struct fuzz_args {
	struct fuzz_faults_options o;
	struct fuzz_image_options img;
	bool image, batch;
	bool run_one;
	const char *id;
	const char *plan;
	uint64_t first_op;
	uint64_t seed;
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int parse_kinds(const char *list, unsigned *kinds)
{
	char *copy = strdup(list), *rest = copy, *tok;
	enum fault_kind k;
	int ret = copy ? 0 : -ENOMEM;

	*kinds = 0;
	while (!ret && (tok = strsep(&rest, ","))) {
		if (fault_kind_from_name(tok, &k)) {
			fprintf(stderr, "muse fuzz: --kinds: unknown fault %s\n", tok);
			ret = -EINVAL;
		}
		*kinds |= 1u << k;
	}
	free(copy);
	return ret;
}

static int bad_value(const char *opt, const char *v)
{
	fprintf(stderr, "muse fuzz: %s %s is not valid\n", opt, v);
	return -1;
}

enum { OPT_KINDS = 256, OPT_CUT, OPT_FS, OPT_ID, OPT_PLAN, OPT_FIRST,
       OPT_AT, OPT_INPUTS, OPT_PER_BOOT, OPT_FIRST_INPUT, OPT_EXERCISE };

/* The options of "muse fuzz image" (and its batches) */
static int parse_image_option(int c, const char *v, struct fuzz_args *a)
{
	uint64_t n;

	switch (c) {
	case OPT_AT: a->img.at = v; return 0;
	case OPT_EXERCISE: a->img.exercise = v; return 0;
	case OPT_INPUTS:
		return parse_u64(v, &a->img.inputs) || !a->img.inputs ?
		       bad_value("--inputs", v) : 0;
	case OPT_PER_BOOT:
		if (parse_u64(v, &n) || !n || n > 100000)
			return bad_value("--per-boot", v);
		a->img.per_boot = (unsigned)n;
		return 0;
	case OPT_FIRST_INPUT:
		return parse_u64(v, &a->img.first) ? bad_value("--first", v) : 0;
	default:
		return 2;
	}
}

static int parse_option(int c, const char *v, struct fuzz_args *a)
{
	uint64_t n;
	int ret = parse_image_option(c, v, a);

	if (ret != 2)
		return ret;
	switch (c) {
	case 'o': a->o.out = v; return 0;
	case 'n':
		return parse_u64(v, &a->o.runs) || !a->o.runs ? bad_value("--runs", v) : 0;
	case 't': return parse_duration(v, &a->o.seconds) ? bad_value("--time", v) : 0;
	case 'j':
		if (parse_u64(v, &n) || !n || n > POOL_MAX_SLOTS)
			return bad_value("--jobs", v);
		a->o.jobs = (unsigned)n;
		return 0;
	case 's':
		if (parse_u64(v, &n))
			return bad_value("--seed", v);
		a->o.seed = a->seed = n;
		return 0;
	case OPT_KINDS: return parse_kinds(v, &a->o.kinds) ? -1 : 0;
	case OPT_CUT: a->o.cut_at_random = true; return 0;
	case 'c': a->o.check = v; return 0;
	case 'g': a->o.geometry = v; return 0;
	case OPT_FS: a->o.fs = v; return 0;
	case 'k': a->o.kernel = v; return 0;
	case OPT_ID: a->id = v; return 0;
	case OPT_PLAN: a->plan = v; return 0;
	case OPT_FIRST: return parse_u64(v, &a->first_op) ? bad_value("--first-op", v) : 0;
	case 'h': fputs(usage, stdout); return 1;
	default: fputs(usage, stderr); return -1;
	}
}

/* "muse fuzz image TRACE --at N": the shared options copied over */
static int image_args(int argc, char **argv, struct fuzz_args *a)
{
	struct fuzz_image_options *i = &a->img;

	if (optind + 1 != argc) {
		fprintf(stderr, "muse fuzz image: one TRACE is needed\n\n%s", usage);
		return -1;
	}
	if (!i->at) {
		fprintf(stderr, "muse fuzz image: --at N is needed\n\n%s", usage);
		return -1;
	}
	i->trace = argv[optind];
	i->out = a->o.out;
	i->seconds = a->o.seconds;
	i->jobs = a->o.jobs;
	i->seed = a->o.seed;
	i->kernel = a->o.kernel;
	i->mem = "512M";
	if (!i->per_boot)
		i->per_boot = 50;
	if (!i->inputs && !i->seconds)
		i->inputs = a->batch ? 1 : 200;
	return 0;
}

static int parse(int argc, char **argv, struct fuzz_args *a)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "runs", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' },
		{ "kinds", required_argument, NULL, OPT_KINDS },
		{ "cut-at-random", no_argument, NULL, OPT_CUT },
		{ "check", required_argument, NULL, 'c' },
		{ "geometry", required_argument, NULL, 'g' },
		{ "fs", required_argument, NULL, OPT_FS },
		{ "kernel", required_argument, NULL, 'k' },
		{ "id", required_argument, NULL, OPT_ID },
		{ "plan", required_argument, NULL, OPT_PLAN },
		{ "first-op", required_argument, NULL, OPT_FIRST },
		{ "at", required_argument, NULL, OPT_AT },
		{ "inputs", required_argument, NULL, OPT_INPUTS },
		{ "per-boot", required_argument, NULL, OPT_PER_BOOT },
		{ "first", required_argument, NULL, OPT_FIRST_INPUT },
		{ "exercise", required_argument, NULL, OPT_EXERCISE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c, ret;

	a->o = (struct fuzz_faults_options){
		.out = "muse-fuzz", .seed = 1, .kinds = (1u << FAULT_KINDS) - 1,
		.geometry = "nand-2k,size=16m", .fs = "ubifs",
		.jobs = cpus > 0 && cpus <= POOL_MAX_SLOTS ? (unsigned)cpus : 1,
	};
	a->seed = 1;
	/* a workload's own options are its own; a trace may come first */
	while ((c = getopt_long(argc, argv, a->image ? "o:n:t:j:s:c:g:k:h" :
				"+o:n:t:j:s:c:g:k:h", opts, NULL)) != -1)
		if ((ret = parse_option(c, optarg, a)))
			return ret;
	if (a->image)
		return image_args(argc, argv, a);
	if (optind >= argc) {
		fprintf(stderr, "muse fuzz: no workload given\n\n%s", usage);
		return -1;
	}
	if (strcmp(a->o.fs, "ubifs") && strcmp(a->o.fs, "jffs2")) {
		fprintf(stderr, "muse fuzz: --fs %s: ubifs or jffs2\n", a->o.fs);
		return -1;
	}
	if (!a->o.runs && !a->o.seconds)
		a->o.runs = 20;
	a->o.workload = argv + optind;
	return 0;
}

/* The debug kernel of the one that recorded the trace, when it is built */
static bool debug_kernel(const char *trace, struct kernel_info *k)
{
	struct muse_error e = { 0 };
	struct trace *t;
	char name[64];
	bool found;

	if (getenv("MUSE_KERNEL") || trace_open(trace, TRACE_READ, &t, &e))
		return false;
	found = !trace_get_meta(t, "kernel_name", name, sizeof(name)) &&
		strcmp(name, "host") && !kernel_lookup(name, "uml-debug", k, &e);
	trace_close(t, NULL);
	return found;
}

/* --kernel, else the recording kernel's KASAN/lockdep build, else its own */
static const char *image_kernel(const struct fuzz_image_options *o,
				struct kernel_info *k, struct muse_error *e)
{
	const char *kernel = o->kernel;
	int ret;

	if (!kernel && debug_kernel(o->trace, k)) {
		fprintf(stderr, "muse fuzz: on the KASAN/lockdep kernel %s (%s)\n",
			k->name, k->release);
		return k->path;
	}
	ret = trace_kernel_choose(o->trace, "muse fuzz", &kernel, e);
	if (ret < 0)
		return NULL;
	if (ret != 1) {
		muse_fail(e, -EINVAL, "image fuzzing runs in a UML kernel; --kernel host"
			  " is not supported");
		return NULL;
	}
	return kernel;
}

static int run_image(struct fuzz_args *a)
{
	struct muse_error e = { 0 };
	struct kernel_info k;
	int ret;

	if (a->batch) {
		ret = fuzz_image_batch(&a->img, &e);
	} else {
		ret = fuzz_image_check(&a->img, &e);
		a->img.kernel = ret ? NULL : image_kernel(&a->img, &k, &e);
		ret = a->img.kernel ? fuzz_image_campaign(&a->img, &e) : -1;
	}
	if (ret < 0) {
		fprintf(stderr, "muse fuzz: %s\n", e.msg);
		return 2;
	}
	return ret;
}

int cmd_fuzz(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct fuzz_args a = { 0 };
	int ret;

	if (argc < 2 || (strcmp(argv[1], "faults") && strcmp(argv[1], "run-one") &&
			 strcmp(argv[1], "image") && strcmp(argv[1], "image-batch"))) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			fputs(usage, stdout);
			return 0;
		}
		fprintf(stderr, "muse fuzz: faults or image\n\n%s", usage);
		return 2;
	}
	a.run_one = !strcmp(argv[1], "run-one");
	a.batch = !strcmp(argv[1], "image-batch");
	a.image = a.batch || !strcmp(argv[1], "image");
	ret = parse(argc - 1, argv + 1, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (a.image)
		return run_image(&a);
	if (a.run_one && (!a.id || !a.plan)) {
		fprintf(stderr, "muse fuzz run-one: --id and --plan are needed\n");
		return 2;
	}
	ret = a.run_one ? fuzz_faults_run_one(&a.o, a.id, a.plan, a.first_op, a.seed, &e) :
	      fuzz_faults_campaign(&a.o, &e);
	if (ret < 0) {
		fprintf(stderr, "muse fuzz: %s\n", e.msg);
		return 2;
	}
	return ret;
}
