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
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "image.h"
#include "spawn.h"
#include "state.h"
#include "trace.h"
#include "trace_query.h"

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
};

struct node {
	enum kind kind;
	uint64_t n;		/* op, or block */
	enum cut_model model;
	uint64_t seed;
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

static bool parse_top(const char *c0, struct node *nd)
{
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
	if (n > 3 || !parse_top(c[0], nd))
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

/* what "muse ARGS..." prints, whole, in a new buffer */
static char *capture(char *const argv[], size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap);
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (!buf || pipe(pipefd)) {
		free(buf);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	*len = 0;
	while (pid > 0 && buf && (n = read(pipefd[0], buf + *len, cap - *len)) > 0) {
		char *bigger;

		if ((*len += (size_t)n) < cap)
			continue;
		bigger = realloc(buf, cap *= 2);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || !buf) {
		free(buf);
		return NULL;
	}
	return buf;
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
	t->buf = capture(argv, &t->len);
	snprintf(t->path, sizeof(t->path), "%s", key);
	return t->buf ? t : NULL;
}

static uint64_t image_bytes(struct tracefs *fs, enum image_format fmt)
{
	return image_size(&fs->g, &(struct image_spec){ .format = fmt, .bbm_swap = -1,
							 .ec = -1 });
}

/* a cut state is saved as muse replay --export saves it */
static enum image_format cut_format(const struct tracefs *fs)
{
	return fs->g.oob_size ? IMAGE_NANDDUMP_OOB : IMAGE_RAW;
}

/* ---- the tree ----------------------------------------------------------------- */

int tracefs_stat(struct tracefs *fs, const char *path, struct tracefs_stat *st)
{
	struct text_slot *t;
	struct node nd;
	char link[64];
	int ret = parse_path(fs, path, &nd);

	if (ret)
		return ret;
	*st = (struct tracefs_stat){ TRACEFS_DIR, 0 };
	switch (nd.kind) {
	case K_SUMMARY:
	case K_HISTORY:
		t = text(fs, &nd);
		if (!t)
			return -EIO;
		*st = (struct tracefs_stat){ TRACEFS_FILE, t->len };
		break;
	case K_OP_RAW:
		*st = (struct tracefs_stat){ TRACEFS_FILE, image_bytes(fs, IMAGE_RAW) };
		break;
	case K_OP_OOB:
		*st = (struct tracefs_stat){ TRACEFS_FILE, image_bytes(fs, IMAGE_NANDDUMP_OOB) };
		break;
	case K_CUT_FILE:
		if (!cut_exists(fs, nd.n, nd.model))
			return -ENOENT;
		*st = (struct tracefs_stat){ TRACEFS_FILE, image_bytes(fs, cut_format(fs)) };
		break;
	case K_MARK:
		*st = (struct tracefs_stat){ TRACEFS_LINK,
			(uint64_t)snprintf(link, sizeof(link), "../ops/%" PRIu64, nd.n) };
		break;
	default:
		break;
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
		for (size_t i = 0; !ret && i < sizeof(top) / sizeof(top[0]); i++)
			ret = fill(ctx, top[i]);
		return ret;
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

static long read_state(struct tracefs *fs, const struct node *nd, uint64_t off,
		       void *buf, size_t len)
{
	struct image_spec s = { .format = nd->kind == K_OP_RAW ? IMAGE_RAW :
					  nd->kind == K_OP_OOB ? IMAGE_NANDDUMP_OOB : cut_format(fs),
				.bbm_swap = -1, .ec = -1 };
	uint64_t size = image_size(&fs->g, &s);
	bool cut = nd->kind == K_CUT_FILE;
	struct flash *f;

	if (cut && !cut_exists(fs, nd->n, nd->model))
		return -ENOENT;
	if (off >= size)
		return 0;
	len = len < size - off ? len : (size_t)(size - off);
	f = state(fs, nd->n, cut ? nd->model : CUT_CLEAN, cut ? nd->seed : 0, NULL);
	if (!f)
		return -EIO;
	return image_read(f, &s, off, buf, len, NULL) ? -EIO : (long)len;
}

long tracefs_read(struct tracefs *fs, const char *path, uint64_t off,
		  void *buf, size_t len)
{
	struct text_slot *t;
	struct node nd;
	int ret = parse_path(fs, path, &nd);

	if (ret)
		return ret;
	switch (nd.kind) {
	case K_SUMMARY:
	case K_HISTORY:
		t = text(fs, &nd);
		if (!t)
			return -EIO;
		if (off >= t->len)
			return 0;
		len = len < t->len - off ? len : (size_t)(t->len - off);
		memcpy(buf, t->buf + off, len);
		return (long)len;
	case K_OP_RAW:
	case K_OP_OOB:
	case K_CUT_FILE:
		return read_state(fs, &nd, off, buf, len);
	default:
		return -EISDIR;
	}
}
