/*
 * failures.c - a sweep's failures from its results file (see failures.h).
 */
#define _GNU_SOURCE
#include "failures.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "results.h"
#include "util.h"

struct failures {
	struct failure *v;
	size_t count, cap;
};

struct loading {
	struct failures *l;
	uint64_t last;
	const char *sha, *trace, *replay_args;
};

static char *text_line(const char *s)
{
	char *t;

	return asprintf(&t, "%s\n", s ? s : "") < 0 ? NULL : t;
}

static int add_failure(void *ctx, const struct result *x)
{
	struct loading *ld = ctx;
	struct failures *l = ld->l;
	char cmd[PATH_MAX + 4096];
	struct failure *f;

	if (x->verdict == VERDICT_PASS || x->n > ld->last ||
	    (x->model != CUT_CLEAN && x->n == ld->last))
		return 0;
	if (grow_array(&l->v, &l->cap, l->count + 1, sizeof(*f)))
		return -ENOMEM;
	f = &l->v[l->count++];
	*f = (struct failure){ .n = x->n, .seed = x->seed, .model = x->model };
	result_id(ld->sha, x, f->id, sizeof(f->id));
	result_repro(ld->trace, ld->replay_args, x, cmd, sizeof(cmd));
	f->verdict = text_line(verdict_name(x->verdict));
	f->reason = text_line(x->reason);
	f->log = strdup(x->log ? x->log : "");
	f->repro = text_line(cmd);
	return f->verdict && f->reason && f->log && f->repro ? 0 : -ENOMEM;
}

/* the results' trace must be this one: checked by content */
static int same_trace(struct results *r, const char *results_path,
		      const char *trace_path, char sha[65], struct muse_error *e)
{
	char theirs[80];
	uint8_t sum[32];
	uint64_t size;

	if (results_get_meta(r, "trace_sha256", theirs, sizeof(theirs)))
		return muse_fail(e, -EBADMSG, "%s names no trace; not a sweep's results"
				 " file", results_path);
	if (sha256_file(trace_path, sum, &size))
		return muse_fail(e, -EIO, "%s: %s", trace_path, strerror(errno));
	sha256_hex(sum, sha);
	if (strcmp(theirs, sha))
		return muse_fail(e, -EINVAL, "%s is the sweep of another trace (SHA-256"
				 " %.12s..., %s is %.12s...)", results_path, theirs,
				 trace_path, sha);
	return 0;
}

int failures_load(const char *trace_path, uint64_t last, const char *results_path,
		  struct failures **out, struct muse_error *e)
{
	char sha[65], args[4096], trace[PATH_MAX];
	struct loading ld = { .last = last, .sha = sha, .trace = trace };
	struct results *r;
	int ret;

	if (!(ld.l = calloc(1, sizeof(*ld.l))))
		return muse_fail(e, -ENOMEM, "out of memory");
	ret = results_open_readonly(results_path, &r, e);
	if (!ret) {
		ret = same_trace(r, results_path, trace_path, sha, e);
		if (!results_get_meta(r, "replay_args", args, sizeof(args)))
			ld.replay_args = args;
		/* a reproduce command that works from any directory */
		if (!realpath(trace_path, trace))
			snprintf(trace, sizeof(trace), "%s", trace_path);
		if (!ret && results_for_each(r, add_failure, &ld))
			ret = muse_fail(e, -EIO, "reading %s failed", results_path);
		results_close(r);
	}
	if (ret) {
		failures_free(ld.l);
		return ret;
	}
	*out = ld.l;
	return 0;
}

void failures_free(struct failures *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++) {
		free(l->v[i].verdict);
		free(l->v[i].reason);
		free(l->v[i].log);
		free(l->v[i].repro);
	}
	free(l->v);
	free(l);
}

size_t failures_count(const struct failures *l)
{
	return l->count;
}

const struct failure *failures_get(const struct failures *l, size_t i)
{
	return &l->v[i];
}

const char *const failure_files[] = {
	"verdict", "reason", "kernel.log", "reproduce", NULL,
};

const char *failure_text(const struct failure *f, const char *name)
{
	const char *const texts[] = { f->verdict, f->reason, f->log, f->repro };

	for (size_t i = 0; failure_files[i]; i++)
		if (!strcmp(name, failure_files[i]))
			return texts[i];
	return NULL;
}

int failures_find(const struct failures *l, const char *id, uint64_t *index)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcmp(l->v[i].id, id)) {
			*index = i;
			return 0;
		}
	return -ENOENT;
}
