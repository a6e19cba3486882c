/*
 * replay_cmd.c - "muse replay": the flash as it was when power died.
 *
 * Rebuilds the state after op N (from checkpoints, see checkpoint.h),
 * cuts op N+1 as a model says (cut.h), then either writes the result as
 * an image or serves it over MUSE, attaches and mounts the filesystem
 * the trace recorded, and runs a command in it.  The served flash lives
 * in this process's memory: nothing UBI, the filesystem's recovery or
 * the command writes reaches the trace, which is only ever read.
 */
#define _GNU_SOURCE
#include "replay_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cut.h"
#include "image.h"
#include "judge.h"
#include "kmsg.h"
#include "listing.h"
#include "point.h"
#include "rebuild.h"
#include "spawn.h"
#include "stage.h"
#include "state.h"
#include "trace.h"
#include "trace_query.h"
#include "trace_kernel.h"
#include "uml.h"

/* the filesystem did not come up: attach or mount failed */
#define EXIT_NO_MOUNT 4
#define REPLAY_MAX_ALLOW 32

struct replay_args {
	const char *trace;
	const char *at;
	enum cut_model model;
	uint64_t seed;
	const char *export;
	struct image_spec fmt;
	bool no_mount;
	bool inside;
	const char *kernel;
	const char *mem;
	const char *log;
	char **cmd;
	bool verdict;
	struct judge_options judge;
	bool checks_given;	/* --debug-checks or --no-debug-checks */
	const char *allow[REPLAY_MAX_ALLOW + 1];
	unsigned nallow;
};

static const char usage[] =
	"usage: muse replay TRACE --at POINT [--cut MODEL [--seed S]]\n"
	"                   [--export FILE [--format F] | [--no-mount] [-- CMD...] |\n"
	"                    --verdict [--check CMD] [--allow REGEX]]\n"
	"\n"
	"Rebuilds the flash as it was after op N (0: before the first op), at a\n"
	"mark, or at the end, with op N+1 cut short as MODEL says.  With --export,\n"
	"writes it as an image.  Otherwise serves it over MUSE (inside the kernel\n"
	"that recorded the trace, unless --kernel says otherwise) on a copy in\n"
	"memory, attaches and\n"
	"mounts the filesystem the trace recorded, and runs CMD there with the\n"
	"mount point in $MUSE_MNT (default: a shell on a terminal, else a listing\n"
	"of the files with sizes and SHA-256).  The trace is only read.\n"
	"\n"
	"  -a, --at POINT     N, mark:NAME or end\n"
	"  -c, --cut MODEL    clean (default), torn, erase or unstable\n"
	"  -s, --seed S       the cut's seed (default 1)\n"
	"  -e, --export FILE  write the state to FILE instead of serving it\n"
	"  -f, --format F     image format: nanddump-oob (default for NAND), raw,\n"
	"                     interleaved, ubi or jffs2 (docs/images.md)\n"
	"      --no-mount     only the MTD (NAND/NOR) and UBI (UBIFS traces) attached\n"
	"  -k, --kernel K     host, or a UML kernel's name (6.1, 6.12, see muse\n"
	"                     kernel list) or path (default: $MUSE_KERNEL, else the\n"
	"                     kernel that recorded the trace)\n"
	"      --mem SIZE     guest memory (default 512M)\n"
	"      --log FILE     the guest's kernel log\n"
	"  -V, --verdict      judge the point as muse sweep does (same checks, same\n"
	"                     reads in the same order) and print the verdict\n"
	"      --check CMD    with --verdict: also run CMD (sh -c) in the mount\n"
	"      --allow REGEX  with --verdict: kernel messages that are no failure\n"
	"      --debug-checks MODE  with --verdict: UBI's and UBIFS's self-checks,\n"
	"                     sampled (default, as muse sweep), full or none\n"
	"      --no-debug-checks  the same as --debug-checks none\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: CMD's; with --verdict 0 pass, 1 fail; 4 when attach or\n"
	"mount failed; 2 on errors (bad arguments, a trace that cannot be used).\n"
	"\n"
	"examples:\n"
	"  muse replay t.db --at mark:saved -- ls -l '$MUSE_MNT'\n"
	"  muse replay t.db --at 1200 --cut torn --seed 7\n"
	"  muse replay t.db --at 1200 --cut erase --export cut.bin\n"
	"  muse replay t.db --at 1200 --cut unstable --seed 2 --verdict\n";

static int parse_seed(const char *s, uint64_t *seed)
{
	char *end;

	errno = 0;
	*seed = strtoull(s, &end, 0);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

/* --check, --allow and --debug-checks belong to --verdict */
static int check_verdict_args(struct replay_args *a)
{
	bool judging = a->judge.check || a->nallow || a->checks_given;

	if (judging && !a->verdict) {
		fprintf(stderr, "muse replay: --check, --allow and --debug-checks"
			" need --verdict\n");
		return -1;
	}
	if (a->verdict && (a->cmd || a->no_mount)) {
		fprintf(stderr, "muse replay: --verdict runs the sweep's checks; it takes"
			" no command and mounts\n");
		return -1;
	}
	a->judge.trace = a->trace;
	a->judge.allow = a->allow;
	return 0;
}

/* --check, --no-debug-checks, --debug-checks and --allow */
static int parse_judging(int c, const char *v, struct replay_args *a,
			 struct muse_error *e)
{
	switch (c) {
	case 'C':
		a->judge.check = v;
		return 0;
	case 'D':
		a->judge.checks = DEBUG_CHECKS_NONE;
		break;
	case 'H':
		if (debug_checks_parse(v, &a->judge.checks))
			return muse_fail(e, -EINVAL, "--debug-checks %s: sampled, full or none", v);
		break;
	default:
		if (a->nallow == REPLAY_MAX_ALLOW)
			return muse_fail(e, -E2BIG, "at most %d --allow", REPLAY_MAX_ALLOW);
		a->allow[a->nallow++] = v;
		return 0;
	}
	a->checks_given = true;
	return 0;
}

static int parse(int argc, char **argv, struct replay_args *a)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "cut", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "export", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-mount", no_argument, NULL, 'N' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "mem", required_argument, NULL, 'M' },
		{ "log", required_argument, NULL, 'L' },
		{ "inside", no_argument, NULL, 'I' },
		{ "verdict", no_argument, NULL, 'V' },
		{ "check", required_argument, NULL, 'C' },
		{ "allow", required_argument, NULL, 'A' },
		{ "no-debug-checks", no_argument, NULL, 'D' },
		{ "debug-checks", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct muse_error e = { 0 };
	int c;

	*a = (struct replay_args){ .model = CUT_CLEAN, .seed = 1,
				   .fmt = image_spec_auto(), .mem = "512M" };
	while ((c = getopt_long(argc, argv, "a:c:s:e:f:k:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': a->at = optarg; break;
		case 'c':
			if (cut_parse(optarg, &a->model, &e))
				goto bad;
			break;
		case 's':
			if (parse_seed(optarg, &a->seed)) {
				muse_fail(&e, -EINVAL, "--seed %s is not a number", optarg);
				goto bad;
			}
			break;
		case 'e': a->export = optarg; break;
		case 'f':
			if (image_parse_spec(optarg, &a->fmt, &e))
				goto bad;
			break;
		case 'N': a->no_mount = true; break;
		case 'k': a->kernel = optarg; break;
		case 'M': a->mem = optarg; break;
		case 'L': a->log = optarg; break;
		case 'I': a->inside = true; break;
		case 'V': a->verdict = true; break;
		case 'C':
		case 'D':
		case 'H':
		case 'A':
			if (parse_judging(c, optarg, a, &e))
				goto bad;
			break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return -1;
		}
	}
	if (optind >= argc || !a->at) {
		fprintf(stderr, "muse replay: give TRACE and --at\n\n%s", usage);
		return -1;
	}
	/* getopt moved the operands last: TRACE, then the command after -- */
	a->trace = argv[optind++];
	a->cmd = optind < argc ? argv + optind : NULL;
	if (a->export && (a->cmd || a->no_mount || a->verdict)) {
		fprintf(stderr, "muse replay: --export writes an image; it runs no command\n");
		return -1;
	}
	return check_verdict_args(a);
bad:
	fprintf(stderr, "muse replay: %s\n", e.msg);
	return -1;
}

/* ---- the state ------------------------------------------------------------ */

struct state {
	struct trace *t;
	struct flash *f;
	uint64_t seq;
	char fs[16];
	struct cut_report cut;
	char op[96];		/* op N+1, described */
};

static int apply_cut(const struct replay_args *a, struct state *s,
		     struct ckpt *c, struct muse_error *e)
{
	struct point_state ps;
	int ret = point_state_build(s->t, c, s->seq, a->model, a->seed, &ps, e);

	if (ret)
		return ret;
	s->f = ps.f;
	s->cut = ps.cut;
	memcpy(s->op, ps.op, sizeof(s->op));
	return 0;
}

/* Cut points before mkfs-done are not meant to survive: say so */
static void note_preparation(struct state *s)
{
	uint64_t mkfs;

	if (!trace_find_mark(s->t, "mkfs-done", &mkfs) && s->seq < mkfs)
		printf("note: this is before the mark mkfs-done (after op %" PRIu64 "): the"
		       " filesystem was still being prepared, which is not power-cut safe\n",
		       mkfs);
}

static int load_state(const struct replay_args *a, struct state *s,
		      struct muse_error *e)
{
	struct ckpt_options o = { 0 };
	struct ckpt *c = NULL;
	int ret = trace_open(a->trace, TRACE_READ, &s->t, e);

	if (ret)
		return ret;
	if (trace_get_meta(s->t, "fs", s->fs, sizeof(s->fs)))
		snprintf(s->fs, sizeof(s->fs), "none");
	ret = point_resolve(s->t, a->at, &s->seq, e);
	if (!ret)
		ret = ckpt_open(s->t, a->trace, &o, &c, e);
	if (!ret)
		ret = apply_cut(a, s, c, e);
	ckpt_close(c);
	if (!ret) {
		printf("%s: the flash after op %" PRIu64 " of %" PRIu64, a->trace,
		       s->seq, trace_last_seq(s->t));
		if (s->op[0] && a->model == CUT_CLEAN)
			printf("; %s never happened", s->op);
		else if (s->op[0])
			printf("; %s cut (%s, seed %" PRIu64 "): %s", s->op,
			       cut_name(a->model), a->seed, s->cut.what);
		printf("\n");
		note_preparation(s);
		fflush(stdout);
	}
	return ret;
}

static void free_state(struct state *s)
{
	flash_destroy(s->f);
	if (s->t)
		trace_close(s->t, NULL);
}

static int export_state(const struct replay_args *a, struct state *s,
			struct muse_error *e)
{
	int ret = image_save(s->f, a->export, &a->fmt, e);

	if (!ret)
		printf("written to %s\n", a->export);
	if (!ret && a->model != CUT_CLEAN)
		printf("note: an image holds the raw cells only; served again it loses"
		       " the ECC verdicts of this cut%s\n",
		       a->model == CUT_UNSTABLE ? " and keeps one draw of its unstable bits" : "");
	return ret;
}

/* ---- serving it ------------------------------------------------------------ */

/* Attaches and mounts as the trace recorded; the kernel's words go along */
static int bring_up(struct stage *st, const char *fs, bool no_mount,
		    struct muse_error *e)
{
	int kfd = kmsg_open();
	int ret = stage_mount(st, fs, no_mount, e);

	if (!ret)
		printf("%s%s%s%s\n", st->mtd, st->m.ubi >= 0 ? ": UBI attached" : "",
		       st->m.mounted ? ", mounted on " : "",
		       st->m.mounted ? st->mnt : "");
	else
		printf("%s: %s\n", st->mtd, e->msg);
	if (kmsg_drain(kfd, stdout, "  kernel: ") == 0 && kfd >= 0)
		printf("  kernel: (no messages)\n");
	kmsg_close(kfd);
	fflush(stdout);
	return ret;
}

static int run_command(const struct replay_args *a, const struct stage *st)
{
	char *shell[] = { getenv("SHELL") ? getenv("SHELL") : "/bin/sh", NULL };

	if (!a->cmd && !isatty(0))
		return st->m.mounted ? listing_print(st->mnt, stdout) : 0;
	return stage_run(st, a->cmd ? a->cmd : shell);
}

static int serve_state(const struct replay_args *a, struct state *s,
		       struct muse_error *e)
{
	struct stage st;
	int ret = stage_serve(&st, s->f, NULL, NULL, a->model != CUT_UNSTABLE, e);
	int status = 0;

	if (ret)
		return ret;
	if (bring_up(&st, s->fs, a->no_mount, e))
		status = EXIT_NO_MOUNT;
	else
		status = run_command(a, &st);
	if (stage_down(&st, e)) {
		fprintf(stderr, "muse replay: %s\n", e->msg);
		status = status ? status : 1;
	}
	return status;
}

/* Judges the state as a sweep worker would: 0 pass, 1 fail, or -errno */
static int judge_state(const struct replay_args *a, struct state *s,
		       struct muse_error *e)
{
	struct cut_point p = { s->seq, a->model, a->model == CUT_CLEAN ? 0 : a->seed };
	struct judge *j;
	struct judged r;
	int ret = judge_open(s->t, &a->judge, &j, e);

	if (ret)
		return ret;
	judge_point(j, s->f, NULL, NULL, &p, &r);
	judge_close(j);
	printf("verdict: %s\n", verdict_name(r.verdict));
	if (r.verdict != VERDICT_PASS)
		printf("reason: %s\n", r.why);
	if (r.reads[0])
		printf("unstable reads: %s\n", r.reads);
	if (r.log && *r.log)
		printf("kernel log:\n%s", r.log);
	fflush(stdout);
	ret = r.verdict == VERDICT_PASS ? 0 : r.verdict == VERDICT_ERROR ?
	      muse_fail(e, -EIO, "%s", r.why) : 1;
	judged_free(&r);
	return ret;
}

/* ---- where it runs ---------------------------------------------------------- */

int cmd_replay(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct replay_args a;
	struct state s = { 0 };
	int ret = parse(argc, argv, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	/* an export needs no kernel; inside the guest, this one is it */
	if (!a.inside && !a.export)
		ret = trace_kernel_choose(a.trace, "muse replay", &a.kernel, &e);
	if (ret == 1) {
		ret = uml_run_self(&(struct uml_options){ .kernel = a.kernel, .mem = a.mem,
							  .log = a.log },
				   "replay", argc, argv, &e);
	} else if (!ret) {
		ret = load_state(&a, &s, &e);
		if (!ret)
			ret = a.export ? export_state(&a, &s, &e) :
			      a.verdict ? judge_state(&a, &s, &e) : serve_state(&a, &s, &e);
		free_state(&s);
	}
	if (ret < 0) {
		fprintf(stderr, "muse replay: %s\n", e.msg);
		return 2;
	}
	return ret;
}
