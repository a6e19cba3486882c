/*
 * tracefs.c - a trace as a tree of read-only files.  Served one request
 * at a time (muse mount runs FUSE single-threaded): no locks.
 */
#include "tracefs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "failures.h"
#include "flash_raw.h"
#include "image.h"
#include "spawn.h"
#include "state.h"
#include "trace.h"
#include "trace_query.h"
#include "util.h"

#define STATE_SLOTS 4
#define TEXT_SLOTS 8

struct state_slot {
	struct flash *f;
	uint64_t seq, seed, used;
	enum cut_model model;
};

struct text_slot {
	char path[64];
	char *buf;
	size_t len;
};

struct tracefs {
	char *path;
	struct failures *failures;	/* NULL without a results file */
	struct trace *t;
	struct ckpt *ckpt;
	struct geometry g;
	uint64_t last;
	uint64_t clock;
	struct state_slot states[STATE_SLOTS];
	struct text_slot texts[TEXT_SLOTS];
	unsigned next_text;
};

enum kind {
	K_ROOT, K_SUMMARY, K_OPS, K_OP, K_OP_RAW, K_OP_OOB, K_MARKS, K_MARK,
	K_CUTS, K_CUT_DIR, K_CUT_FILE, K_BLOCKS, K_BLOCK, K_HISTORY,
	K_FAILURES, K_FAILURE, K_FAIL_RAW, K_FAIL_OOB, K_FAIL_TEXT,
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct node {
	enum kind kind;
	uint64_t n;		/* op, block, or index in failures */
	enum cut_model model;
	uint64_t seed;
	const char *file;	/* K_FAIL_TEXT: which */
};

int tracefs_open(const char *trace_path, struct tracefs **out,
		 struct muse_error *e)
{
	struct ckpt_options o = { .quiet = true };
	struct tracefs *fs = calloc(1, sizeof(*fs));
	int ret = fs ? 0 : muse_fail(e, -ENOMEM, "out of memory");

	if (!ret && !(fs->path = strdup(trace_path)))
		ret = muse_fail(e, -ENOMEM, "out of memory");
	if (!ret)
		ret = trace_open(trace_path, TRACE_READ, &fs->t, e);
	if (!ret)
		ret = trace_geometry(fs->t, &fs->g, e);
	if (!ret)
		ret = ckpt_open(fs->t, trace_path, &o, &fs->ckpt, e);
	if (ret) {
		tracefs_close(fs);
		return ret;
	}
	fs->last = trace_last_seq(fs->t);
	*out = fs;
	return 0;
}

void tracefs_close(struct tracefs *fs)
{
	if (!fs)
		return;
	for (int i = 0; i < STATE_SLOTS; i++)
		flash_destroy(fs->states[i].f);
	for (int i = 0; i < TEXT_SLOTS; i++)
		free(fs->texts[i].buf);
	failures_free(fs->failures);
	ckpt_close(fs->ckpt);
	if (fs->t)
		trace_close(fs->t, NULL);
	free(fs->path);
	free(fs);
}

/* ---- names ---------------------------------------------------------------- */

/* a decimal number as the tree names it: no sign, no leading zero */
static bool parse_index(const char *s, uint64_t max, uint64_t *n)
{
	char *end;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	*n = strtoull(s, &end, 10);
	return !*end && !errno && *n <= max;
}

static bool parse_cut_file(const char *name, struct node *nd)
{
	char model[32];
	const char *dash = strrchr(name, '-');
	size_t len = dash ? (size_t)(dash - name) : 0;
	char seed[32];
	const char *dot;

	if (!dash || len >= sizeof(model) || !(dot = strstr(dash, ".bin")) || dot[4] ||
	    (size_t)(dot - dash - 1) >= sizeof(seed))
		return false;
	memcpy(model, name, len);
	model[len] = '\0';
	memcpy(seed, dash + 1, (size_t)(dot - dash - 1));
	seed[dot - dash - 1] = '\0';
	return !cut_parse(model, &nd->model, NULL) && nd->model != CUT_CLEAN &&
	       parse_index(seed, UINT64_MAX, &nd->seed);
}

static bool parse_top(struct tracefs *fs, const char *c0, struct node *nd)
{
	if (fs->failures && !strcmp(c0, "failures")) {
		nd->kind = K_FAILURES;
		return true;
	}
	static const struct { const char *name; enum kind kind; } top[] = {
		{ "summary", K_SUMMARY }, { "ops", K_OPS }, { "marks", K_MARKS },
		{ "cuts", K_CUTS }, { "blocks", K_BLOCKS },
	};

	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (!strcmp(c0, top[i].name)) {
			nd->kind = top[i].kind;
			return true;
		}
	return false;
}

static bool parse_failure(struct tracefs *fs, const char *id, const char *file,
			  struct node *nd)
{
	if (failures_find(fs->failures, id, &nd->n))
		return false;
	nd->file = file;
	nd->kind = !file ? K_FAILURE : !strcmp(file, "flash.bin") ? K_FAIL_RAW :
		   !strcmp(file, "flash.oob.bin") && fs->g.oob_size ? K_FAIL_OOB :
		   failure_text(failures_get(fs->failures, nd->n), file) ? K_FAIL_TEXT : K_ROOT;
	return nd->kind != K_ROOT;
}

/* the second and third components, under the directory parse_top found */
static bool parse_below(struct tracefs *fs, const char *c1, const char *c2,
			struct node *nd)
{
	uint64_t after;

	switch (nd->kind) {
	case K_OPS:
		if (!parse_index(c1, fs->last, &nd->n))
			return false;
		nd->kind = !c2 ? K_OP : !strcmp(c2, "flash.bin") ? K_OP_RAW :
			   !strcmp(c2, "flash.oob.bin") && fs->g.oob_size ? K_OP_OOB : K_ROOT;
		return nd->kind != K_ROOT;
	case K_MARKS:
		nd->kind = K_MARK;
		if (c2 || trace_find_mark(fs->t, c1, &after))
			return false;
		nd->n = after;
		return true;
	case K_CUTS:
		if (!fs->last || !parse_index(c1, fs->last - 1, &nd->n))
			return false;
		nd->kind = c2 ? K_CUT_FILE : K_CUT_DIR;
		return !c2 || parse_cut_file(c2, nd);
	case K_BLOCKS:
		if (!parse_index(c1, geometry_blocks(&fs->g) - 1, &nd->n))
			return false;
		nd->kind = c2 ? K_HISTORY : K_BLOCK;
		return !c2 || !strcmp(c2, "history");
	case K_FAILURES:
		return parse_failure(fs, c1, c2, nd);
	default:
		return false;
	}
}

static int parse_path(struct tracefs *fs, const char *path, struct node *nd)
{
	char buf[512], *c[4] = { 0 }, *save = NULL;
	int n = 0;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save))
		if (n < 4)
			c[n++] = p;
		else
			return -ENOENT;
	memset(nd, 0, sizeof(*nd));
	if (n == 0)
		return 0;
	if (n > 3 || !parse_top(fs, c[0], nd))
		return -ENOENT;
	if (n == 1)
		return 0;
	if (nd->kind == K_SUMMARY || !parse_below(fs, c[1], c[2], nd))
		return -ENOENT;
	return 0;
}

/* ---- contents --------------------------------------------------------------- */

struct op_probe {
	struct trace_op op;
	bool seen;
};

static int keep_op(void *ctx, const struct trace_op *op)
{
	struct op_probe *p = ctx;

	p->op = *op;
	p->seen = true;
	return 0;
}

/* whether @m can cut op @n + 1 (trace_op payloads are not kept) */
static bool cut_exists(struct tracefs *fs, uint64_t n, enum cut_model m)
{
	struct op_probe p = { .seen = false };

	if (trace_for_each_op(fs->t, n + 1, n + 1, keep_op, &p, NULL) || !p.seen)
		return false;
	p.op.prog.data = NULL;
	p.op.prog.oob = NULL;
	return !cut_applicable(m, &fs->g, &p.op, NULL);
}

static struct flash *state(struct tracefs *fs, uint64_t seq, enum cut_model m,
			   uint64_t seed, struct muse_error *e)
{
	struct state_slot *victim = &fs->states[0];
	struct point_state ps;

	for (int i = 0; i < STATE_SLOTS; i++) {
		struct state_slot *s = &fs->states[i];

		if (s->f && s->seq == seq && s->model == m && s->seed == seed) {
			s->used = ++fs->clock;
			return s->f;
		}
		if (s->used < victim->used)
			victim = s;
	}
	if (point_state_build(fs->t, fs->ckpt, seq, m, seed, &ps, e))
		return NULL;
	flash_destroy(victim->f);
	*victim = (struct state_slot){ ps.f, seq, seed, ++fs->clock, m };
	return ps.f;
}

static struct text_slot *text(struct tracefs *fs, const struct node *nd)
{
	char key[64], block[32];
	char *argv[] = { (char *)spawn_self(), "inspect", fs->path, NULL, NULL, NULL };
	struct text_slot *t;

	snprintf(key, sizeof(key), "%d/%" PRIu64, nd->kind, nd->n);
	for (int i = 0; i < TEXT_SLOTS; i++)
		if (fs->texts[i].buf && !strcmp(fs->texts[i].path, key))
			return &fs->texts[i];
	if (nd->kind == K_HISTORY) {
		snprintf(block, sizeof(block), "%" PRIu64, nd->n);
		argv[3] = "--block-history";
		argv[4] = block;
	}
	t = &fs->texts[fs->next_text++ % TEXT_SLOTS];
	free(t->buf);
	t->buf = spawn_capture(argv, &t->len);
	snprintf(t->path, sizeof(t->path), "%s", key);
	return t->buf ? t : NULL;
}

/*
 * The bytes of a text file: 1 if @nd is one (-EIO if it cannot be made),
 * 0 if it is not a text file
 */
static int node_text(struct tracefs *fs, const struct node *nd, const char **p,
		     size_t *len)
{
	struct text_slot *t;

	switch (nd->kind) {
	case K_SUMMARY:
	case K_HISTORY:
		t = text(fs, nd);
		if (!t)
			return -EIO;
		*p = t->buf;
		*len = t->len;
		return 1;
	case K_FAIL_TEXT:
		*p = failure_text(failures_get(fs->failures, nd->n), nd->file);
		break;
	default:
		return 0;
	}
	*len = strlen(*p);
	return 1;
}

/* which state, in which layout */
struct state_ref {
	uint64_t n, seed;
	enum cut_model model;
	struct image_spec spec;
};

/* Whether @nd is a state file, and if so which */
static bool node_state(struct tracefs *fs, const struct node *nd,
		       struct state_ref *ref)
{
	enum image_format fmt;

	*ref = (struct state_ref){ .n = nd->n, .model = CUT_CLEAN };
	switch (nd->kind) {
	case K_OP_RAW:
	case K_FAIL_RAW:
		fmt = IMAGE_RAW;
		break;
	case K_OP_OOB:
	case K_FAIL_OOB:
		fmt = IMAGE_NANDDUMP_OOB;
		break;
	case K_CUT_FILE:
		/* as muse replay --export saves a cut state */
		fmt = fs->g.oob_size ? IMAGE_NANDDUMP_OOB : IMAGE_RAW;
		ref->model = nd->model;
		ref->seed = nd->seed;
		break;
	default:
		return false;
	}
	if (nd->kind == K_FAIL_RAW || nd->kind == K_FAIL_OOB) {
		const struct failure *f = failures_get(fs->failures, nd->n);

		*ref = (struct state_ref){ .n = f->n, .seed = f->seed, .model = f->model };
	}
	ref->spec = (struct image_spec){ .format = fmt, .bbm_swap = -1, .ec = -1 };
	return true;
}

/* ---- the tree ----------------------------------------------------------------- */

int tracefs_stat(struct tracefs *fs, const char *path, struct tracefs_stat *st)
{
	struct state_ref ref;
	struct node nd;
	const char *p;
	size_t len;
	int ret = parse_path(fs, path, &nd);

	if (ret)
		return ret;
	if (nd.kind == K_CUT_FILE && !cut_exists(fs, nd.n, nd.model))
		return -ENOENT;
	*st = (struct tracefs_stat){ TRACEFS_DIR, 0 };
	if (node_state(fs, &nd, &ref)) {
		*st = (struct tracefs_stat){ TRACEFS_FILE, image_size(&fs->g, &ref.spec) };
	} else if ((ret = node_text(fs, &nd, &p, &len))) {
		if (ret < 0)
			return ret;
		*st = (struct tracefs_stat){ TRACEFS_FILE, len };
	} else if (nd.kind == K_MARK) {
		char link[64];

		*st = (struct tracefs_stat){ TRACEFS_LINK,
			(uint64_t)snprintf(link, sizeof(link), "../ops/%" PRIu64, nd.n) };
	}
	return 0;
}

struct mark_list {
	tracefs_fill_fn fill;
	void *ctx;
	char **seen;
	size_t n;
	int ret;
};

/* each name once (a link names its first mark), and only those a file can have */
static int list_mark(void *ctx, const struct trace_mark *m)
{
	struct mark_list *l = ctx;
	char **more;

	if (!m->name[0] || strchr(m->name, '/') || !strcmp(m->name, ".") ||
	    !strcmp(m->name, ".."))
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->seen[i], m->name))
			return 0;
	more = realloc(l->seen, (l->n + 1) * sizeof(*more));
	if (!more || !(more[l->n] = strdup(m->name))) {
		l->seen = more ? more : l->seen;
		return -ENOMEM;
	}
	l->seen = more;
	l->n++;
	return l->fill(l->ctx, m->name);
}

static int list_marks(struct tracefs *fs, tracefs_fill_fn fill, void *ctx)
{
	struct mark_list l = { fill, ctx, NULL, 0, 0 };
	int ret = trace_for_each_mark(fs->t, list_mark, &l, NULL);

	for (size_t i = 0; i < l.n; i++)
		free(l.seen[i]);
	free(l.seen);
	return ret < 0 ? ret : 0;
}

static int list_numbers(uint64_t count, tracefs_fill_fn fill, void *ctx)
{
	char name[32];
	int ret = 0;

	for (uint64_t i = 0; !ret && i < count; i++) {
		snprintf(name, sizeof(name), "%" PRIu64, i);
		ret = fill(ctx, name);
	}
	return ret;
}

static int list_cuts(struct tracefs *fs, uint64_t n, tracefs_fill_fn fill,
		     void *ctx)
{
	char name[64];
	int ret = 0;

	for (int m = CUT_CLEAN + 1; !ret && m < CUT_MODELS; m++) {
		if (!cut_exists(fs, n, (enum cut_model)m))
			continue;
		snprintf(name, sizeof(name), "%s-1.bin", cut_name((enum cut_model)m));
		ret = fill(ctx, name);
	}
	return ret;
}

int tracefs_add_results(struct tracefs *fs, const char *results_path,
			struct muse_error *e)
{
	return failures_load(fs->path, fs->last, results_path, &fs->failures, e);
}

static int list_failures(struct tracefs *fs, tracefs_fill_fn fill, void *ctx)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < failures_count(fs->failures); i++)
		ret = fill(ctx, failures_get(fs->failures, i)->id);
	return ret;
}

static int list_failure(struct tracefs *fs, tracefs_fill_fn fill, void *ctx)
{
	int ret = fill(ctx, "flash.bin");

	if (!ret && fs->g.oob_size)
		ret = fill(ctx, "flash.oob.bin");
	for (size_t i = 0; !ret && failure_files[i]; i++)
		ret = fill(ctx, failure_files[i]);
	return ret;
}

int tracefs_list(struct tracefs *fs, const char *path, tracefs_fill_fn fill,
		 void *ctx)
{
	static const char *const top[] = { "summary", "ops", "marks", "cuts", "blocks" };
	struct node nd;
	int ret = parse_path(fs, path, &nd);

	if (ret)
		return ret;
	switch (nd.kind) {
	case K_ROOT:
		for (size_t i = 0; !ret && i < ARRAY_LEN(top); i++)
			ret = fill(ctx, top[i]);
		return ret || !fs->failures ? ret : fill(ctx, "failures");
	case K_OPS:
		return list_numbers(fs->last + 1, fill, ctx);
	case K_OP:
		ret = fill(ctx, "flash.bin");
		return ret || !fs->g.oob_size ? ret : fill(ctx, "flash.oob.bin");
	case K_MARKS:
		return list_marks(fs, fill, ctx);
	case K_CUTS:
		return list_numbers(fs->last, fill, ctx);
	case K_CUT_DIR:
		return list_cuts(fs, nd.n, fill, ctx);
	case K_BLOCKS:
		return list_numbers(geometry_blocks(&fs->g), fill, ctx);
	case K_BLOCK:
		return fill(ctx, "history");
	case K_FAILURES:
		return list_failures(fs, fill, ctx);
	case K_FAILURE:
		return list_failure(fs, fill, ctx);
	default:
		return -ENOTDIR;
	}
}

int tracefs_readlink(struct tracefs *fs, const char *path, char *buf,
		     size_t size)
{
	struct node nd;
	int ret = parse_path(fs, path, &nd);

	if (ret)
		return ret;
	if (nd.kind != K_MARK)
		return -EINVAL;
	snprintf(buf, size, "../ops/%" PRIu64, nd.n);
	return 0;
}

static long read_state(struct tracefs *fs, const struct state_ref *ref,
		       uint64_t off, void *buf, size_t len)
{
	uint64_t size = image_size(&fs->g, &ref->spec);
	struct flash *f;

	if (off >= size)
		return 0;
	len = len < size - off ? len : (size_t)(size - off);
	f = state(fs, ref->n, ref->model, ref->seed, NULL);
	if (!f)
		return -EIO;
	/* unstable cells read as --export's one read saw them, every time */
	flash_unstable_rewind(f);
	return image_read(f, &ref->spec, off, buf, len, NULL) ? -EIO : (long)len;
}

long tracefs_read(struct tracefs *fs, const char *path, uint64_t off,
		  void *buf, size_t len)
{
	struct state_ref ref;
	struct node nd;
	const char *p;
	size_t size;
	int ret = parse_path(fs, path, &nd);

	if (ret)
		return ret;
	if (nd.kind == K_CUT_FILE && !cut_exists(fs, nd.n, nd.model))
		return -ENOENT;
	if (node_state(fs, &nd, &ref))
		return read_state(fs, &ref, off, buf, len);
	ret = node_text(fs, &nd, &p, &size);
	if (ret <= 0)
		return ret ? ret : -EISDIR;
	if (off >= size)
		return 0;
	len = len < size - off ? len : (size_t)(size - off);
	memcpy(buf, p + off, len);
	return (long)len;
}
