/*
 * judge.c - the verdict on one cut point (see judge.h).
 */
#define _GNU_SOURCE
#include "judge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "clock.h"
#include "klog.h"
#include "kmsg.h"
#include "oracle.h"
#include "rng.h"
#include "trace_query.h"

struct judge {
	const struct judge_options *o;
	struct trace *t;
	struct ckpt *ckpt;	/* our own, when the caller has none */
	struct oracle *oracle;
	struct klog_rules *rules[CUT_MODELS];
	char fs[16];
	int walks_on;		/* UBIFS's whole-filesystem checks: -1 unknown */
};

int debug_checks_parse(const char *s, enum debug_checks *out)
{
	for (int c = DEBUG_CHECKS_SAMPLED; c <= DEBUG_CHECKS_NONE; c++) {
		if (!strcmp(s, debug_checks_name((enum debug_checks)c))) {
			*out = (enum debug_checks)c;
			return 0;
		}
	}
	return -EINVAL;
}

const char *debug_checks_name(enum debug_checks c)
{
	switch (c) {
	case DEBUG_CHECKS_SAMPLED:
		return "sampled";
	case DEBUG_CHECKS_FULL:
		return "full";
	case DEBUG_CHECKS_NONE:
		return "none";
	}
	return "?";
}

bool judge_full_checks(const struct judge *j, uint64_t n)
{
	uint64_t h = n;

	if (j->o->checks != DEBUG_CHECKS_SAMPLED)
		return j->o->checks == DEBUG_CHECKS_FULL;
	return oracle_at_mark(j->oracle, n) || splitmix64(&h) % JUDGE_FULL_EVERY == 0;
}

int judge_open(struct trace *t, const struct judge_options *o,
	       struct judge **out, struct muse_error *e)
{
	struct judge *j = calloc(1, sizeof(*j));
	int ret;

	if (!j)
		return muse_fail(e, -ENOMEM, "out of memory");
	j->o = o;
	j->t = t;
	if (trace_get_meta(t, "fs", j->fs, sizeof(j->fs)))
		snprintf(j->fs, sizeof(j->fs), "none");
	j->walks_on = -1;
	ret = oracle_load(t, &j->oracle, e);
	for (int m = 0; !ret && m < CUT_MODELS; m++) {
		ret = klog_rules_new((enum cut_model)m, o->allow, &j->rules[m], e);
		if (!ret && trace_fault_count(t))
			ret = klog_rules_allow_faults(j->rules[m], e);
	}
	if (ret)
		judge_close(j);
	else
		*out = j;
	return ret;
}

void judge_close(struct judge *j)
{
	if (!j)
		return;
	for (int m = 0; m < CUT_MODELS; m++)
		klog_rules_free(j->rules[m]);
	oracle_free(j->oracle);
	ckpt_close(j->ckpt);
	free(j);
}

const char *judge_phase_name(enum judge_phase ph)
{
	static const char *const names[JUDGE_PHASES] = {
		"state", "serve", "attach", "mount", "files", "remount", "down", "log",
	};

	return ph < JUDGE_PHASES ? names[ph] : "?";
}

/* Adds the time since *@t0 to phase @ph and starts the next one */
static void lap(struct judged *r, enum judge_phase ph, uint64_t *t0)
{
	uint64_t t = clock_ns();

	r->ms[ph] += (double)(t - *t0) / 1e6;
	*t0 = t;
}

void judged_free(struct judged *r)
{
	free(r->log);
	r->log = NULL;
}

/* ---- the checks ---------------------------------------------------------- */

static void write_flag(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(value, f);
		fclose(f);
	}
}

/*
 * UBIFS's self-checks are global: set before each mount, written only
 * when they change (each write is a few system calls in a guest).
 */
static void ubifs_checks_set(struct judge *j, bool full)
{
	static const char *const light[] = { "chk_general" };
	static const char *const walks[] = {
		"chk_index", "chk_orphans", "chk_lprops", "chk_fs",
	};
	bool on = j->o->checks != DEBUG_CHECKS_NONE;
	char path[128];

	if (j->walks_on < 0) {
		for (size_t i = 0; i < sizeof(light) / sizeof(light[0]); i++) {
			snprintf(path, sizeof(path), "/sys/kernel/debug/ubifs/%s", light[i]);
			write_flag(path, on ? "1\n" : "0\n");
		}
	}
	full = on && full;
	if (j->walks_on == (int)full)
		return;
	for (size_t i = 0; i < sizeof(walks) / sizeof(walks[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/ubifs/%s", walks[i]);
		write_flag(path, full ? "1\n" : "0\n");
	}
	j->walks_on = full;
}

/* UBI's own self-checks, on between its attach and the mount */
static void ubi_checks_on(const struct judge *j, const struct stage *st)
{
	char path[128];

	if (j->o->checks == DEBUG_CHECKS_NONE || st->m.ubi < 0)
		return;
	snprintf(path, sizeof(path), "/sys/kernel/debug/ubi/ubi%d/chk_gen", st->m.ubi);
	write_flag(path, "1\n");
	snprintf(path, sizeof(path), "/sys/kernel/debug/ubi/ubi%d/chk_io", st->m.ubi);
	write_flag(path, "1\n");
}

static int user_check(struct judge *j, const struct stage *st,
		      const struct cut_point *p, char *why, size_t size)
{
	char cut[96], *argv[] = { "sh", "-c", (char *)j->o->check, NULL };
	const char *mark = oracle_last_mark(j->oracle, p->n);
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
 * The caller's checkpoints, or ours, opened at the first miss: checking
 * a checkpoint file's digest costs seconds, and nearly no point misses
 */
static struct ckpt *checkpoints(struct judge *j, struct muse_error *e)
{
	struct ckpt_options co = { .quiet = true };

	if (j->o->ckpt)
		return j->o->ckpt;
	if (!j->ckpt && ckpt_open(j->t, j->o->trace, &co, &j->ckpt, e))
		return NULL;
	return j->ckpt;
}

/*
 * A declared file found changed: if it is still changed at the next
 * mark, which says nothing of it, the workload changed it undeclared.
 */
static bool workload_error(struct judge *j, const struct oracle_miss *m,
			   char *why, size_t size)
{
	struct muse_error e = { 0 };
	struct flash *f = NULL;
	struct ckpt *c;
	struct stage st;
	bool yes = false;

	if (!m->next_silent)
		return false;
	c = checkpoints(j, &e);
	if (!c || ckpt_state(c, m->next_after, &f, &e))
		return false;
	if (!stage_serve(&st, f, NULL, NULL, true, &e)) {
		if (!stage_mount(&st, j->fs, false, &e))
			yes = oracle_workload_error(j->oracle, m, st.mnt, why, size) == 1;
		stage_down(&st, &e);
	}
	flash_destroy(f);
	return yes;
}

/*
 * The declared files, read once, or JUDGE_UNSTABLE_PASSES times with the
 * caches dropped in between when reads may differ: a page that read well
 * once can fail the next time.
 */
static int check_declared(struct judge *j, const struct stage *st,
			  const struct cut_point *p, char *why, size_t size,
			  struct oracle_miss *miss)
{
	int passes = p->model == CUT_UNSTABLE ? JUDGE_UNSTABLE_PASSES : 1;
	int ret = 0;

	for (int i = 0; !ret && i < passes; i++) {
		if (i) {
			sync();
			write_flag("/proc/sys/vm/drop_caches", "3\n");
		}
		ret = oracle_check(j->oracle, p->n, st->mnt, why, size, miss);
	}
	return ret;
}

/* The checks on a mounted state: 0 pass, 1 fail, 2 workload error (@why) */
static int check_mounted(struct judge *j, struct stage *st,
			 const struct cut_point *p, struct judged *r, uint64_t *t0)
{
	struct muse_error e = { 0 };
	struct oracle_miss miss;
	size_t size = sizeof(r->why);
	char *why = r->why;
	int ret = 0;

	if (st->m.mounted)
		ret = check_declared(j, st, p, why, size, &miss);
	if (ret == 1 && workload_error(j, &miss, why, size))
		return 2;
	if (ret < 0)
		snprintf(why, size, "the oracle could not check the files");
	if (!ret && j->o->check)
		ret = user_check(j, st, p, why, size);
	lap(r, JUDGE_FILES, t0);
	if (!ret && stage_remount(st, &e)) {
		snprintf(why, size, "mounting again after recovery: %s", e.msg);
		ret = 1;
	}
	lap(r, JUDGE_REMOUNT, t0);
	return ret ? 1 : 0;
}

static int attach_and_mount(struct judge *j, struct stage *st,
			    struct judged *r, uint64_t *t0, struct muse_error *e)
{
	int ret = stage_mount(st, j->fs, true, e);

	if (!ret)
		ubi_checks_on(j, st);
	lap(r, JUDGE_ATTACH, t0);
	if (!ret && strcmp(j->fs, "none"))
		ret = fs_mount(&st->m, e);
	lap(r, JUDGE_MOUNT, t0);
	return ret;
}

/* Serves, mounts and checks; the verdict before the kernel log's */
static enum verdict judge_served(struct judge *j, struct flash *f,
				 stage_prepare_fn prepare, void *ctx,
				 const struct cut_point *p, struct judged *r,
				 uint64_t *t0)
{
	enum verdict v = VERDICT_PASS;
	struct muse_error e = { 0 };
	struct stage st;
	int ret = stage_serve(&st, f, prepare, ctx, p->model != CUT_UNSTABLE, &e);

	lap(r, JUDGE_SERVE, t0);
	if (ret) {
		snprintf(r->why, sizeof(r->why), "%s", e.msg);
		return VERDICT_ERROR;
	}
	if (attach_and_mount(j, &st, r, t0, &e)) {
		v = VERDICT_FAIL;
		snprintf(r->why, sizeof(r->why), "%s", e.msg);
	} else {
		int c = check_mounted(j, &st, p, r, t0);

		v = c == 2 ? VERDICT_WORKLOAD : c ? VERDICT_FAIL : VERDICT_PASS;
	}
	if (stage_down(&st, &e) && v == VERDICT_PASS) {
		v = VERDICT_FAIL;
		snprintf(r->why, sizeof(r->why), "%s", e.msg);
	}
	lap(r, JUDGE_DOWN, t0);
	snprintf(r->reads, sizeof(r->reads), "%s", st.reads);
	return v;
}

void judge_point(struct judge *j, struct flash *f, stage_prepare_fn prepare,
		 void *ctx, const struct cut_point *p, struct judged *r)
{
	uint64_t t0 = clock_ns();
	size_t loglen;
	FILE *klog;
	int kfd;

	*r = (struct judged){ 0 };
	ubifs_checks_set(j, judge_full_checks(j, p->n));
	klog = open_memstream(&r->log, &loglen);
	kfd = kmsg_open();
	r->verdict = judge_served(j, f, prepare, ctx, p, r, &t0);
	kmsg_drain(kfd, klog, "");
	kmsg_close(kfd);
	fclose(klog);
	if (r->verdict == VERDICT_PASS && r->log && *r->log &&
	    !klog_clean(j->rules[p->model], r->log, r->why, sizeof(r->why)))
		r->verdict = VERDICT_FAIL;
	lap(r, JUDGE_LOG, &t0);
}
