/*
 * checkpoint.c - checkpoint files (see checkpoint.h).
 *
 * Layout (little-endian, every offset a multiple of 4096 where it says
 * "page"):
 *
 *   0       header: magic, version, geometry of the stored form, trace
 *           identity, interval, count, offset of the index, the file's
 *           size and the SHA-256 of everything after the header page
 *   page    block images: flash_block_span() bytes each, written sparse
 *           (an erased page of cells is a hole), one per block and change
 *   ...     per checkpoint, a table: one u64 image offset per block (0:
 *           erased), then one byte per block (1: bad)
 *   ...     the index: per checkpoint, u64 seq and u64 table offset
 */
#define _GNU_SOURCE
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_raw.h"
#include "hash.h"
#include "rebuild.h"
#include "trace_query.h"

#define CKPT_MAGIC "MUSECKPT"
#define CKPT_VERSION 2
#define CKPT_ALIGN 4096u

struct ckpt_header {
	char magic[8];
	uint32_t version;
	uint32_t unit_size;
	uint64_t blocks;
	uint64_t block_span;
	uint64_t interval;
	uint64_t count;
	uint64_t index_offset;
	uint8_t identity[32];
	uint64_t file_size;
	uint8_t digest[32];	/* of bytes [CKPT_ALIGN, file_size) */
};

struct ckpt_entry {
	uint64_t seq;
	uint64_t table;
};

struct ckpt {
	struct trace *t;
	struct geometry g;
	int fd;			/* -1: no file, replay from the start */
	struct ckpt_header h;
	struct ckpt_entry *index;
	struct file_stamp stamp;	/* of the file at fd, before it was checked */
};

int ckpt_path(const char *trace_path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s.checkpoints", trace_path);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

bool ckpt_available(const struct ckpt *c)
{
	return c->fd >= 0;
}

static uint64_t align_up(uint64_t v)
{
	return (v + CKPT_ALIGN - 1) / CKPT_ALIGN * CKPT_ALIGN;
}

static int write_all(int fd, const void *p, size_t n, uint64_t off)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = pwrite(fd, b, n, (off_t)off);

		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* SHA-256 of bytes [CKPT_ALIGN, @size) of @fd: a changed byte is a stale file */
static int body_digest(int fd, uint64_t size, uint8_t out[32])
{
	void *map;

	if (size <= CKPT_ALIGN) {
		sha256_buf("", 0, out);
		return 0;
	}
	map = mmap(NULL, size - CKPT_ALIGN, PROT_READ, MAP_PRIVATE, fd, CKPT_ALIGN);
	if (map == MAP_FAILED)
		return -errno;
	sha256_buf(map, size - CKPT_ALIGN, out);
	munmap(map, size - CKPT_ALIGN);
	return 0;
}

/* ---- building ---------------------------------------------------------- */

struct builder {
	struct ckpt *c;
	struct flash *f;
	int fd;
	uint64_t end;		/* next free offset */
	uint64_t *image;	/* per block: its latest image */
	uint8_t *dirty;		/* per block: changed since the last checkpoint */
	struct ckpt_entry *index;
	uint64_t count;
};

/* Writes a block's cells, leaving erased pages as holes */
static int write_image(struct builder *b, uint64_t block, uint64_t *off)
{
	const uint8_t *cells = flash_block_stored(b->f, block);
	size_t span = flash_block_span(b->f);
	int ret = 0;

	if (zero(cells, span)) {
		*off = 0;
		return 0;
	}
	*off = b->end;
	for (size_t at = 0; !ret && at < span; at += CKPT_ALIGN) {
		size_t n = span - at < CKPT_ALIGN ? span - at : CKPT_ALIGN;

		if (!zero(cells + at, n))
			ret = write_all(b->fd, cells + at, n, b->end + at);
	}
	b->end = align_up(b->end + span);
	return ret;
}

static int write_checkpoint(struct builder *b, uint64_t seq)
{
	uint64_t blocks = b->c->h.blocks;
	size_t table = blocks * sizeof(uint64_t) + blocks;
	uint8_t *buf;
	int ret = 0;

	for (uint64_t i = 0; !ret && i < blocks; i++) {
		if (b->dirty[i])
			ret = write_image(b, i, &b->image[i]);
		b->dirty[i] = 0;
	}
	buf = ret ? NULL : malloc(table);
	if (!buf)
		return ret ? ret : -ENOMEM;
	memcpy(buf, b->image, blocks * sizeof(uint64_t));
	for (uint64_t i = 0; i < blocks; i++)
		buf[blocks * sizeof(uint64_t) + i] = flash_is_bad(b->f, i) > 0;
	ret = write_all(b->fd, buf, table, b->end);
	free(buf);
	b->index[b->count].seq = seq;
	b->index[b->count++].table = b->end;
	b->end = align_up(b->end + table);
	return ret;
}

static int apply_marking(void *ctx, const struct trace_op *op)
{
	struct builder *b = ctx;
	uint64_t block = op->prog.addr / b->c->g.block_size;

	if (block < b->c->h.blocks)
		b->dirty[block] = 1;
	return rebuild_apply(b->f, op);
}

static int build_into(struct builder *b, struct muse_error *e)
{
	struct ckpt *c = b->c;
	uint64_t last = trace_last_seq(c->t), k = c->h.interval;
	int ret = rebuild_initial(c->t, &b->f, e);

	memset(b->dirty, 1, c->h.blocks);
	if (!ret && (ret = write_checkpoint(b, 0)))
		muse_fail(e, ret, "writing checkpoints: %s", strerror(-ret));
	for (uint64_t first = 1; !ret && first <= last; first += k) {
		uint64_t to = first + k - 1 < last ? first + k - 1 : last;

		ret = trace_for_each_op(c->t, first, to, apply_marking, b, e);
		if (!ret && to == first + k - 1 && (ret = write_checkpoint(b, to)))
			muse_fail(e, ret, "writing checkpoints: %s", strerror(-ret));
	}
	c->h.count = b->count;
	c->h.index_offset = b->end;
	c->h.file_size = b->end + b->count * sizeof(*b->index);
	if (!ret)
		ret = write_all(b->fd, b->index, b->count * sizeof(*b->index), b->end);
	if (!ret)
		ret = body_digest(b->fd, c->h.file_size, c->h.digest);
	if (!ret)
		ret = write_all(b->fd, &c->h, sizeof(c->h), 0);
	if (!ret && fsync(b->fd))
		ret = -errno;
	if (ret && !e->msg[0])
		muse_fail(e, ret, "writing checkpoints: %s", strerror(-ret));
	flash_destroy(b->f);
	return ret;
}

static int build(struct ckpt *c, const char *path, const struct ckpt_options *o,
		 struct muse_error *e)
{
	uint64_t last = trace_last_seq(c->t);
	struct builder b = { .c = c, .end = CKPT_ALIGN };
	char tmp[PATH_MAX];
	int ret;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return muse_fail(e, -ENAMETOOLONG, "%s: the name is too long", path);
	b.fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (b.fd < 0)
		return muse_fail(e, -errno, "cannot write %s: %s", tmp, strerror(errno));
	b.image = calloc(c->h.blocks, sizeof(*b.image));
	b.dirty = malloc(c->h.blocks);
	b.index = calloc(last / c->h.interval + 2, sizeof(*b.index));
	if (!o->quiet)
		fprintf(stderr, "muse: building checkpoints of %" PRIu64 " ops in %s\n",
			last, path);
	ret = b.image && b.dirty && b.index ? build_into(&b, e) :
	      muse_fail(e, -ENOMEM, "out of memory");
	free(b.image);
	free(b.dirty);
	free(b.index);
	close(b.fd);
	if (!ret && rename(tmp, path))
		ret = muse_fail(e, -errno, "%s: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	return ret;
}

/* ---- reading ----------------------------------------------------------- */

static int read_all(int fd, void *p, size_t n, uint64_t off)
{
	ssize_t r = pread(fd, p, n, (off_t)off);

	return r == (ssize_t)n ? 0 : r < 0 ? -errno : -EIO;
}

/* The header of a file made for this trace, whose body is intact */
static bool header_matches(int fd, const struct ckpt_header *h,
			   const struct ckpt_header *want, bool digest_known)
{
	uint8_t digest[32];
	struct stat st;

	if (memcmp(h->magic, want->magic, 8) || h->version != want->version ||
	    h->unit_size != want->unit_size || h->blocks != want->blocks ||
	    h->block_span != want->block_span || h->interval != want->interval ||
	    memcmp(h->identity, want->identity, 32) || !h->count)
		return false;
	if (fstat(fd, &st) || (uint64_t)st.st_size != h->file_size ||
	    h->index_offset < CKPT_ALIGN || h->count > h->file_size / sizeof(struct ckpt_entry) ||
	    h->index_offset + h->count * sizeof(struct ckpt_entry) != h->file_size)
		return false;
	if (digest_known)
		return true;
	return !body_digest(fd, h->file_size, digest) && !memcmp(digest, h->digest, 32);
}

/* Every table of the index, and every image a table names, in the file */
static bool index_sane(const struct ckpt *c, int fd, const struct ckpt_header *h)
{
	uint64_t tsize = h->blocks * (sizeof(uint64_t) + 1);
	uint64_t *offs = malloc(h->blocks * sizeof(*offs));
	bool ok = offs != NULL;

	for (uint64_t i = 0; ok && i < h->count; i++) {
		const struct ckpt_entry *x = &c->index[i];

		ok = !(i && x->seq <= c->index[i - 1].seq) && x->table >= CKPT_ALIGN &&
		     x->table <= h->index_offset && tsize <= h->index_offset - x->table &&
		     !read_all(fd, offs, h->blocks * sizeof(*offs), x->table);
		for (uint64_t b = 0; ok && b < h->blocks; b++)
			ok = !offs[b] || (offs[b] >= CKPT_ALIGN && offs[b] <= h->index_offset &&
					  h->block_span <= h->index_offset - offs[b]);
	}
	free(offs);
	return ok;
}

/*
 * Opens @path if it is a checkpoint file of this very trace, whole and
 * unchanged since it was built; -ESTALE otherwise (it is rebuilt).
 */
static int load(struct ckpt *c, const char *path, const struct ckpt_header *want,
		const struct file_stamp *verified)
{
	struct ckpt_header h;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool known;

	if (fd < 0)
		return -errno;
	known = !file_stamp_of_fd(fd, &c->stamp) && verified &&
		file_stamp_equal(&c->stamp, verified);
	if (read_all(fd, &h, sizeof(h), 0) || !header_matches(fd, &h, want, known)) {
		close(fd);
		return -ESTALE;
	}
	c->index = calloc(h.count, sizeof(*c->index));
	if (!c->index || read_all(fd, c->index, h.count * sizeof(*c->index),
				  h.index_offset) || !index_sane(c, fd, &h)) {
		free(c->index);
		c->index = NULL;
		close(fd);
		return -ESTALE;
	}
	c->h = h;
	c->fd = fd;
	return 0;
}

static int expected_header(struct ckpt *c, const struct ckpt_options *o,
			   struct muse_error *e)
{
	struct flash_options none = { 0 };
	struct flash *probe;
	int ret = trace_geometry(c->t, &c->g, e);

	if (!ret)
		ret = flash_create(&c->g, &none, &probe, e);
	if (ret)
		return ret;
	memcpy(c->h.magic, CKPT_MAGIC, 8);
	c->h.version = CKPT_VERSION;
	c->h.unit_size = flash_unit_size(probe);
	c->h.blocks = geometry_blocks(&c->g);
	c->h.block_span = flash_block_span(probe);
	c->h.interval = o->interval ? o->interval : CKPT_DEFAULT_INTERVAL;
	flash_destroy(probe);
	if (trace_fingerprint(c->t, c->h.identity, NULL))
		return muse_fail(e, -EIO, "cannot read the trace's meta table");
	return 0;
}

int ckpt_open(struct trace *t, const char *trace_path,
	      const struct ckpt_options *o, struct ckpt **out,
	      struct muse_error *e)
{
	struct ckpt *c = calloc(1, sizeof(*c));
	struct muse_error be = { 0 };
	struct ckpt_header want;
	char path[4096];
	int ret;

	if (!c)
		return muse_fail(e, -ENOMEM, "out of memory");
	c->t = t;
	c->fd = -1;
	ret = expected_header(c, o, e);
	if (!ret && ckpt_path(trace_path, path, sizeof(path)))
		ret = muse_fail(e, -ENAMETOOLONG, "%s: name too long", trace_path);
	if (ret) {
		free(c);
		return ret;
	}
	/* checkpoints keep cells, not the damage a fault left: start over */
	if (trace_fault_count(t)) {
		*out = c;
		return 0;
	}
	want = c->h;
	ret = load(c, path, &want, o->verified);
	if (ret == -ESTALE && !o->quiet)
		fprintf(stderr, "muse: %s was not made from this trace by this version"
			" of muse, or has changed since; building it again\n", path);
	if (ret && !o->no_build) {
		ret = build(c, path, o, &be);
		if (!ret)
			load(c, path, &want, NULL);
		/* a damaged trace fails the same way from the start: say so now */
		if (ret == -EBADMSG) {
			ckpt_close(c);
			return muse_fail(e, ret, "%s", be.msg);
		}
		if (ret && !o->quiet)
			fprintf(stderr, "muse: no checkpoints (%s); replaying from the start\n",
				be.msg);
	}
	*out = c;
	return 0;
}

int ckpt_stamp(const struct ckpt *c, struct file_stamp *out)
{
	if (c->fd < 0)
		return -ENOENT;
	*out = c->stamp;
	return 0;
}

void ckpt_close(struct ckpt *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->index);
	free(c);
}

/* The last checkpoint at or before @seq */
static const struct ckpt_entry *nearest(const struct ckpt *c, uint64_t seq)
{
	uint64_t lo = 0, hi = c->h.count;

	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (c->index[mid].seq <= seq)
			lo = mid;
		else
			hi = mid;
	}
	return &c->index[lo];
}

static int map_checkpoint(struct ckpt *c, const struct ckpt_entry *at,
			  struct flash *f, struct muse_error *e)
{
	uint64_t blocks = c->h.blocks;
	size_t size = blocks * sizeof(uint64_t) + blocks;
	uint8_t *table = malloc(size);
	int ret = table ? read_all(c->fd, table, size, at->table) : -ENOMEM;

	for (uint64_t b = 0; !ret && b < blocks; b++) {
		uint64_t off;

		memcpy(&off, table + b * sizeof(off), sizeof(off));
		if (off)
			ret = flash_map_block(f, b, c->fd, off);
		if (!ret && table[blocks * sizeof(off) + b])
			ret = flash_set_bad(f, b);
	}
	free(table);
	return ret ? muse_fail(e, ret, "reading checkpoint %" PRIu64 ": %s",
			       at->seq, strerror(-ret)) : 0;
}

int ckpt_state(struct ckpt *c, uint64_t seq, struct flash **out,
	       struct muse_error *e)
{
	struct flash_options none = { 0 };
	const struct ckpt_entry *at;
	int ret;

	if (seq > trace_last_seq(c->t))
		return muse_fail(e, -ERANGE, "the trace has %" PRIu64 " ops, not %" PRIu64,
				 trace_last_seq(c->t), seq);
	if (c->fd < 0) {
		ret = rebuild_initial(c->t, out, e);
		if (!ret && (ret = rebuild_range(c->t, *out, 1, seq, e))) {
			flash_destroy(*out);
			*out = NULL;
		}
		return ret;
	}
	at = nearest(c, seq);
	ret = flash_create(&c->g, &none, out, e);
	if (!ret)
		ret = map_checkpoint(c, at, *out, e);
	if (!ret)
		ret = rebuild_range(c->t, *out, at->seq + 1, seq, e);
	if (ret) {
		flash_destroy(*out);
		*out = NULL;
	}
	return ret;
}
