/*
 * oracle.c - the durability oracle (see oracle.h).
 */
#define _GNU_SOURCE
#include "oracle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hash.h"
#include "markproto.h"
#include "trace_query.h"
#include "util.h"

struct decl {
	char *path;
	enum trace_file_kind kind;
	uint64_t size;
	uint8_t sha[32];
	const char *mark;	/* the mark that declared it */
};

struct omark {
	uint64_t after;
	char *name;
	struct decl *files;
	size_t nfiles;
};

struct oracle {
	struct omark *marks;	/* in trace order */
	size_t count, cap;
};

static int copy_decl(struct decl *d, const struct trace_mark_file *mf,
		     const char *mark)
{
	*d = (struct decl){ .path = strdup(mf->path), .kind = mf->kind,
			    .size = mf->size, .mark = mark };
	memcpy(d->sha, mf->sha256, sizeof(d->sha));
	return d->path ? 0 : -ENOMEM;
}

static int add_mark(void *ctx, const struct trace_mark *tm)
{
	struct oracle *o = ctx;
	struct omark *m;
	int ret = 0;

	if (grow_array(&o->marks, &o->cap, o->count + 1, sizeof(*o->marks)))
		return -ENOMEM;
	m = &o->marks[o->count++];
	*m = (struct omark){ .after = tm->after_seq, .name = strdup(tm->name),
			     .files = calloc(tm->nfiles ? tm->nfiles : 1, sizeof(*m->files)) };
	if (!m->name || !m->files)
		return -ENOMEM;
	for (uint32_t i = 0; !ret && i < tm->nfiles; i++, m->nfiles++)
		ret = copy_decl(&m->files[i], &tm->files[i], m->name);
	return ret;
}

int oracle_load(struct trace *t, struct oracle **out, struct muse_error *e)
{
	struct oracle *o = calloc(1, sizeof(*o));
	int ret;

	if (!o)
		return muse_fail(e, -ENOMEM, "out of memory");
	ret = trace_for_each_mark(t, add_mark, o, e);
	if (ret) {
		oracle_free(o);
		return ret == -ENOMEM ? muse_fail(e, ret, "reading the marks: out of memory")
				      : muse_fail_context(e, "reading the marks");
	}
	*out = o;
	return 0;
}

void oracle_free(struct oracle *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->count; i++) {
		for (size_t j = 0; j < o->marks[i].nfiles; j++)
			free(o->marks[i].files[j].path);
		free(o->marks[i].files);
		free(o->marks[i].name);
	}
	free(o->marks);
	free(o);
}

/* Index of the first mark after op @n (o->count if none) */
static size_t first_after(const struct oracle *o, uint64_t n)
{
	size_t i = 0;

	while (i < o->count && o->marks[i].after <= n)
		i++;
	return i;
}

const char *oracle_last_mark(const struct oracle *o, uint64_t n)
{
	size_t i = first_after(o, n);

	return i ? o->marks[i - 1].name : NULL;
}

const char *oracle_next_mark(const struct oracle *o, uint64_t n)
{
	size_t i = first_after(o, n);

	return i < o->count ? o->marks[i].name : NULL;
}

bool oracle_at_mark(const struct oracle *o, uint64_t n)
{
	size_t i = first_after(o, n);

	return i && o->marks[i - 1].after == n;
}

static const struct decl *find(const struct omark *m, const char *path)
{
	for (size_t j = 0; j < m->nfiles; j++)
		if (!strcmp(m->files[j].path, path))
			return &m->files[j];
	return NULL;
}

/* The latest declaration of @path in marks [0, end) */
static const struct decl *latest(const struct oracle *o, size_t end,
				 const char *path)
{
	for (size_t i = end; i-- > 0;) {
		const struct decl *d = find(&o->marks[i], path);

		if (d)
			return d;
	}
	return NULL;
}

struct found {
	bool exists;
	uint64_t size;
	uint8_t sha[32];
};

static bool content_is(const struct found *f, const struct decl *d)
{
	if (!d)
		return false;
	if (d->kind == TRACE_FILE_ABSENT)
		return !f->exists;
	return f->exists && f->size == d->size && !memcmp(f->sha, d->sha, 32);
}

/* An in-place update of a file too large to keep: sizes in between */
static bool in_place_partial(const struct found *f, const struct decl *was,
			     const struct decl *next)
{
	uint64_t lo = was->size, hi = next && next->kind != TRACE_FILE_ABSENT ?
					      next->size : was->size;

	if (lo > hi) {
		uint64_t t = lo;

		lo = hi;
		hi = t;
	}
	return f->exists && was->size > MARK_CONTENT_MAX && f->size >= lo &&
	       f->size <= hi;
}

static void describe(const struct found *f, char *buf, size_t size)
{
	char hex[65];

	if (!f->exists) {
		snprintf(buf, size, "absent");
		return;
	}
	sha256_hex(f->sha, hex);
	snprintf(buf, size, "%" PRIu64 " bytes, sha256:%.16s", f->size, hex);
}

/* What is at @d's path under @mnt; 1 with @why if it cannot be read */
static int look(const char *mnt, const struct decl *d, struct found *f,
		char *why, size_t size)
{
	char path[8192];
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", mnt, d->path);
	if (!lstat(path, &st)) {
		if (!S_ISREG(st.st_mode)) {
			snprintf(why, size, "%s is not a regular file", d->path);
			return 1;
		}
		ret = sha256_file(path, f->sha, &f->size);
		if (ret) {
			snprintf(why, size, "%s cannot be read: %s", d->path, strerror(-ret));
			return 1;
		}
		f->exists = true;
	} else if (errno != ENOENT) {
		snprintf(why, size, "%s: %s", d->path, strerror(errno));
		return 1;
	}
	return 0;
}

static int check_path(const struct oracle *o, size_t next, const char *mnt,
		      const struct decl *d, char *why, size_t size)
{
	const struct decl *n = next < o->count ? find(&o->marks[next], d->path) : NULL;
	struct found f = { 0 };
	char got[128];

	if (look(mnt, d, &f, why, size))
		return 1;
	if (content_is(&f, d) || content_is(&f, n))
		return 0;
	/* in place now, or by the next mark: the update may be in flight */
	if ((d->kind == TRACE_FILE_IN_PLACE || (n && n->kind == TRACE_FILE_IN_PLACE)) &&
	    d->kind != TRACE_FILE_ABSENT && in_place_partial(&f, d, n))
		return 0;
	describe(&f, got, sizeof(got));
	snprintf(why, size, "%s: %s, but the mark %s declared it %s%s", d->path,
		 got, d->mark,
		 d->kind == TRACE_FILE_ABSENT ? "absent" : "with other content",
		 n ? " (and so does the next mark)" : "");
	return 1;
}

/*
 * Which mark's state tells a workload error: the first mark after the
 * cut if it is silent about the path; after the last mark, that mark, if
 * it came after the declaration (it is silent: the declaration is the
 * latest).
 */
static void describe_miss(const struct oracle *o, const struct decl *d,
			  size_t next, struct oracle_miss *miss)
{
	size_t mark = 0;

	while (mark < o->count && o->marks[mark].name != d->mark)
		mark++;
	miss->path = d->path;
	miss->mark = mark;
	miss->next = next < o->count ? next : next - 1;
	miss->next_silent = next < o->count ? !find(&o->marks[next], d->path) :
			    next - 1 > mark;
	miss->next_after = o->marks[miss->next].after;
}

int oracle_check(const struct oracle *o, uint64_t n, const char *mnt,
		 char *why, size_t size, struct oracle_miss *miss)
{
	size_t next = first_after(o, n);

	/* every path declared before the cut, judged by its latest word */
	for (size_t i = 0; i < next; i++) {
		for (size_t j = 0; j < o->marks[i].nfiles; j++) {
			const struct decl *d = &o->marks[i].files[j];
			int ret;

			if (latest(o, next, d->path) != d)
				continue;
			ret = check_path(o, next, mnt, d, why, size);
			if (ret && miss)
				describe_miss(o, d, next, miss);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int oracle_workload_error(const struct oracle *o, const struct oracle_miss *m,
			  const char *mnt, char *why, size_t size)
{
	const struct decl *d = m->mark < o->count ? find(&o->marks[m->mark], m->path) : NULL;
	size_t next = m->next;
	struct found f = { 0 };
	char ignored[256];

	if (!d || next >= o->count || look(mnt, d, &f, ignored, sizeof(ignored)))
		return 0;
	if (content_is(&f, d) ||
	    (d->kind == TRACE_FILE_IN_PLACE && in_place_partial(&f, d, NULL)))
		return 0;
	snprintf(why, size, "workload error: %s changed after the mark %s without being"
		 " declared again at the mark %s", d->path, d->mark, o->marks[next].name);
	return 1;
}
