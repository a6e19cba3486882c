/*
 * journal.c - the write-ahead ring of the recorder (see journal.h).
 *
 * File layout: a 4 KiB header, then the ring.  A record is a 24-byte
 * header (magic, type, journal sequence number, payload length, CRC-32
 * of header and payload) and its payload padded to 8 bytes; it never
 * straddles the end of the ring: a WRAP record, or less than a header's
 * worth of space, sends the reader back to the start.  Positions are
 * monotonic byte counts; the ring offset is the position modulo its size.
 * The header records how far records were moved into the trace; the
 * trace records the same in its meta table ("journal_jseq") within the
 * same transaction, so a crash between the two moves nothing twice.
 */
#define _GNU_SOURCE
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define JOURNAL_MAGIC "MUSEJRN1"
#define JOURNAL_VERSION 1
#define HEADER_SIZE 4096u
#define REC_MAGIC 0x4d52454aU		/* "JERM" */

struct jheader {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint64_t ring_size;
	uint64_t id;			/* ties the journal to its trace */
	uint64_t moved_jseq;
	uint64_t moved_pos;
};

struct jrec {
	uint32_t magic;
	uint32_t type;
	uint64_t jseq;
	uint32_t len;
	uint32_t crc;
};

enum rec_type {
	REC_OP = 1,
	REC_MARK = 2,
	REC_VIOLATION = 3,
	REC_READ = 4,
	REC_WRAP = 5,
};

struct rec_op {
	uint64_t seq;
	uint64_t addr;
	uint64_t time_ns;
	uint32_t kind;
	uint32_t len;
	uint32_t oob_offset;
	uint32_t ooblen;
	uint32_t oob_auto;
	int32_t result;
};

struct rec_mark {
	uint64_t after_seq;
	uint64_t time_ns;
	uint32_t nfiles;
	uint32_t name_len;
};

struct rec_mark_file {
	uint64_t size;
	uint32_t kind;
	uint32_t path_len;
	uint32_t content_len;
	uint32_t has_content;
	uint8_t sha256[32];
};

struct rec_violation {
	uint64_t seq;
	uint64_t block;
	uint32_t kind;
	uint32_t page;
	uint32_t detail;
	uint32_t padding;
};

struct rec_read {
	uint64_t after_seq;
	uint64_t addr;
	uint64_t time_ns;
	uint32_t len;
	uint32_t ooblen;
	uint32_t mode;
	uint32_t corrected;
	uint32_t failed;
	uint32_t padding;
};

struct journal {
	char *path;
	int fd;
	uint8_t *map;
	size_t map_size;
	struct jheader *hdr;
	uint8_t *ring;
	uint64_t ring_size;
	uint64_t next_jseq;
	uint64_t write_pos;
	uint64_t moved_pos;
	uint64_t moved_jseq;
};

struct piece {
	const void *p;
	size_t len;
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static uint32_t record_crc(const struct jrec *h, const void *payload)
{
	struct jrec copy = *h;
	uLong crc;

	copy.crc = 0;
	crc = crc32(0L, (const Bytef *)&copy, sizeof(copy));
	return (uint32_t)crc32(crc, payload, h->len);
}

/* ---- creating and closing ------------------------------------------- */

static uint64_t new_id(void)
{
	uint64_t id = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &id, sizeof(id)) != sizeof(id))
			id = 0;
		close(fd);
	}
	return id ? id : (uint64_t)getpid() << 32 | (uint64_t)time(NULL);
}

int journal_create(const char *path, size_t ring_size, struct journal **out,
		   struct muse_error *e)
{
	struct journal *j = calloc(1, sizeof(*j));
	int err;

	if (!j)
		return muse_fail(e, -ENOMEM, "out of memory");
	j->ring_size = ring_size;
	j->map_size = HEADER_SIZE + ring_size;
	j->next_jseq = 1;
	j->path = strdup(path);
	j->fd = j->path ? open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;
	if (j->fd < 0) {
		err = j->path ? errno : ENOMEM;
		free(j->path);
		free(j);
		return muse_fail(e, -err, "journal %s: %s", path, strerror(err));
	}
	/* reserve the space now: an append must never find the disk full */
	err = posix_fallocate(j->fd, 0, (off_t)j->map_size);
	if (!err) {
		j->map = mmap(NULL, j->map_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, j->fd, 0);
		if (j->map == MAP_FAILED)
			err = errno;
	}
	if (err) {
		close(j->fd);
		unlink(path);
		free(j->path);
		free(j);
		return muse_fail(e, -err, "journal %s: %s", path, strerror(err));
	}
	/* fault every page in now: in a UML guest a fault costs ~0.1 ms */
	memset(j->map, 0, j->map_size);
	j->hdr = (struct jheader *)j->map;
	j->ring = j->map + HEADER_SIZE;
	memcpy(j->hdr->magic, JOURNAL_MAGIC, 8);
	j->hdr->version = JOURNAL_VERSION;
	j->hdr->header_size = HEADER_SIZE;
	j->hdr->ring_size = ring_size;
	j->hdr->id = new_id();
	*out = j;
	return 0;
}

void journal_close(struct journal *j, int remove)
{
	if (!j)
		return;
	munmap(j->map, j->map_size);
	close(j->fd);
	if (remove)
		unlink(j->path);
	free(j->path);
	free(j);
}

size_t journal_space(const struct journal *j)
{
	return (size_t)(j->ring_size - (j->write_pos - j->moved_pos));
}

size_t journal_pending(const struct journal *j)
{
	return (size_t)(j->write_pos - j->moved_pos);
}

size_t journal_op_size(uint32_t len, uint32_t ooblen)
{
	return sizeof(struct jrec) +
	       align8(sizeof(struct rec_op) + (size_t)len + ooblen);
}

/* ---- appending ------------------------------------------------------ */

static void put_header(struct journal *j, uint64_t off, uint32_t type,
		       uint32_t len)
{
	struct jrec h = {
		.magic = REC_MAGIC, .type = type, .jseq = j->next_jseq++,
		.len = len,
	};

	h.crc = record_crc(&h, j->ring + off + sizeof(h));
	/* the header last: a record without it is not a record */
	memcpy(j->ring + off, &h, sizeof(h));
}

static int append(struct journal *j, uint32_t type, const struct piece *pc,
		  int n)
{
	uint64_t off = j->write_pos % j->ring_size;
	uint64_t to_end = j->ring_size - off;
	size_t len = 0, total, need;
	uint8_t *dst;

	for (int i = 0; i < n; i++)
		len += pc[i].len;
	total = sizeof(struct jrec) + align8(len);
	if (total > JOURNAL_MAX_RECORD)
		return -EINVAL;
	need = total + (to_end < total ? to_end : 0);
	if (need > journal_space(j))
		return -ENOSPC;
	if (to_end < total) {
		if (to_end >= sizeof(struct jrec))
			put_header(j, off, REC_WRAP, 0);
		j->write_pos += to_end;
		off = 0;
	}
	dst = j->ring + off + sizeof(struct jrec);
	for (int i = 0; i < n; i++) {
		if (pc[i].len)
			memcpy(dst, pc[i].p, pc[i].len);
		dst += pc[i].len;
	}
	put_header(j, off, type, (uint32_t)len);
	j->write_pos += total;
	return 0;
}

int journal_add_op(struct journal *j, const struct trace_op *op)
{
	struct rec_op r = {
		.seq = op->seq, .addr = op->prog.addr, .time_ns = op->time_ns,
		.kind = op->kind, .len = op->prog.len, .oob_offset = op->prog.oob_offset,
		.ooblen = op->prog.ooblen, .oob_auto = op->prog.oob_auto,
		.result = op->result,
	};
	struct piece pc[] = {
		{ &r, sizeof(r) }, { op->prog.data, op->prog.len }, { op->prog.oob, op->prog.ooblen },
	};

	return append(j, REC_OP, pc, 3);
}

int journal_add_violation(struct journal *j, const struct trace_violation *v)
{
	struct rec_violation r = {
		.seq = v->seq, .block = v->block, .kind = v->kind,
		.page = v->page, .detail = v->detail,
	};
	struct piece pc[] = { { &r, sizeof(r) } };

	return append(j, REC_VIOLATION, pc, 1);
}

int journal_add_read(struct journal *j, const struct trace_read *rd)
{
	struct rec_read r = {
		.after_seq = rd->after_seq, .addr = rd->addr,
		.time_ns = rd->time_ns, .len = rd->len, .ooblen = rd->ooblen,
		.mode = rd->mode, .corrected = rd->corrected,
		.failed = rd->failed,
	};
	struct piece pc[] = { { &r, sizeof(r) } };

	return append(j, REC_READ, pc, 1);
}

#define MAX_MARK_FILES 64

int journal_add_mark(struct journal *j, const struct trace_mark *m)
{
	struct rec_mark r = {
		.after_seq = m->after_seq, .time_ns = m->time_ns,
		.nfiles = m->nfiles, .name_len = (uint32_t)strlen(m->name),
	};
	struct rec_mark_file f[MAX_MARK_FILES];
	struct piece pc[2 + 3 * MAX_MARK_FILES];
	int n = 0;

	if (m->nfiles > MAX_MARK_FILES)
		return -E2BIG;
	pc[n++] = (struct piece){ &r, sizeof(r) };
	pc[n++] = (struct piece){ m->name, r.name_len };
	for (uint32_t i = 0; i < m->nfiles; i++) {
		const struct trace_mark_file *mf = &m->files[i];

		f[i] = (struct rec_mark_file){
			.size = mf->size, .kind = mf->kind,
			.path_len = (uint32_t)strlen(mf->path),
			.content_len = mf->content ? mf->content_len : 0,
			.has_content = mf->content != NULL,
		};
		memcpy(f[i].sha256, mf->sha256, 32);
		pc[n++] = (struct piece){ &f[i], sizeof(f[i]) };
		pc[n++] = (struct piece){ mf->path, f[i].path_len };
		pc[n++] = (struct piece){ mf->content, f[i].content_len };
	}
	return append(j, REC_MARK, pc, n);
}

/* ---- reading -------------------------------------------------------- */

struct reader {
	const uint8_t *ring;
	uint64_t ring_size;
	uint64_t pos;
	uint64_t jseq;			/* expected next */
};

/* The next valid record, or none (0): the end of what was written */
static int next_record(struct reader *rd, struct jrec *h, const uint8_t **p)
{
	for (;;) {
		uint64_t off = rd->pos % rd->ring_size;
		uint64_t to_end = rd->ring_size - off;

		if (to_end < sizeof(*h)) {
			rd->pos += to_end;
			continue;
		}
		memcpy(h, rd->ring + off, sizeof(*h));
		if (h->magic != REC_MAGIC || h->jseq != rd->jseq ||
		    sizeof(*h) + (uint64_t)h->len > to_end ||
		    record_crc(h, rd->ring + off + sizeof(*h)) != h->crc)
			return 0;
		rd->jseq++;
		if (h->type == REC_WRAP) {
			rd->pos += to_end;
			continue;
		}
		*p = rd->ring + off + sizeof(*h);
		rd->pos += sizeof(*h) + align8(h->len);
		return 1;
	}
}

static int decode_op(const struct jrec *h, const uint8_t *p,
		     struct trace_op *op)
{
	struct rec_op r;

	if (h->len < sizeof(r))
		return -EBADMSG;
	memcpy(&r, p, sizeof(r));
	if ((uint64_t)sizeof(r) + r.len + r.ooblen != h->len)
		return -EBADMSG;
	*op = (struct trace_op){
		.seq = r.seq, .kind = (enum trace_op_kind)r.kind,
		.prog.addr = r.addr, .prog.len = r.len, .prog.data = p + sizeof(r),
		.prog.oob_offset = r.oob_offset, .prog.ooblen = r.ooblen,
		.prog.oob = p + sizeof(r) + r.len, .prog.oob_auto = r.oob_auto,
		.result = r.result, .time_ns = r.time_ns,
	};
	return 0;
}

static int apply_mark(struct trace *t, const struct jrec *h, const uint8_t *p)
{
	struct trace_mark_file files[MAX_MARK_FILES];
	char *strings[1 + MAX_MARK_FILES] = { NULL };
	const uint8_t *end = p + h->len;
	struct trace_mark m;
	struct rec_mark r;
	int ret = -EBADMSG;

	if (h->len < sizeof(r))
		return -EBADMSG;
	memcpy(&r, p, sizeof(r));
	p += sizeof(r);
	if (r.nfiles > MAX_MARK_FILES || r.name_len > (size_t)(end - p))
		return -EBADMSG;
	strings[0] = strndup((const char *)p, r.name_len);
	p += r.name_len;
	for (uint32_t i = 0; i < r.nfiles; i++) {
		struct rec_mark_file f;

		if ((size_t)(end - p) < sizeof(f))
			goto out;
		memcpy(&f, p, sizeof(f));
		p += sizeof(f);
		if ((size_t)(end - p) < (size_t)f.path_len + f.content_len)
			goto out;
		strings[1 + i] = strndup((const char *)p, f.path_len);
		p += f.path_len;
		files[i] = (struct trace_mark_file){
			.path = strings[1 + i], .kind = (enum trace_file_kind)f.kind,
			.size = f.size, .content = f.has_content ? p : NULL,
			.content_len = f.content_len,
		};
		memcpy(files[i].sha256, f.sha256, 32);
		p += f.content_len;
	}
	m = (struct trace_mark){ .after_seq = r.after_seq, .name = strings[0],
				 .time_ns = r.time_ns, .nfiles = r.nfiles,
				 .files = files };
	ret = trace_add_mark(t, &m);
out:
	for (uint32_t i = 0; i <= r.nfiles; i++)
		free(strings[i]);
	return ret;
}

static int apply_record(struct trace *t, const struct jrec *h,
			const uint8_t *p, uint64_t *ops)
{
	struct trace_violation v;
	struct trace_read rd;
	struct trace_op op;
	int ret;

	switch (h->type) {
	case REC_OP:
		ret = decode_op(h, p, &op);
		if (!ret)
			ret = trace_add_op(t, &op);
		*ops += !ret;
		return ret;
	case REC_MARK:
		return apply_mark(t, h, p);
	case REC_VIOLATION: {
		struct rec_violation r;

		if (h->len != sizeof(r))
			return -EBADMSG;
		memcpy(&r, p, sizeof(r));
		v = (struct trace_violation){ .seq = r.seq, .block = r.block,
			.kind = (enum flash_violation_kind)r.kind, .page = r.page,
			.detail = r.detail };
		return trace_add_violation(t, &v);
	}
	case REC_READ: {
		struct rec_read r;

		if (h->len != sizeof(r))
			return -EBADMSG;
		memcpy(&r, p, sizeof(r));
		rd = (struct trace_read){ .after_seq = r.after_seq,
			.addr = r.addr, .len = r.len, .ooblen = r.ooblen,
			.mode = r.mode, .corrected = r.corrected,
			.failed = r.failed, .time_ns = r.time_ns };
		return trace_add_read(t, &rd);
	}
	}
	return -EBADMSG;
}

static int set_moved(struct trace *t, uint64_t id, uint64_t jseq)
{
	char buf[32];
	int ret;

	snprintf(buf, sizeof(buf), "%" PRIu64, id);
	ret = trace_set_meta(t, "journal_id", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, jseq);
	return ret ? ret : trace_set_meta(t, "journal_jseq", buf);
}

int journal_drain(struct journal *j, struct trace *t, struct muse_error *e)
{
	struct reader rd = { j->ring, j->ring_size, j->moved_pos,
			     j->moved_jseq + 1 };
	uint64_t ops = 0;
	const uint8_t *p;
	struct jrec h;
	int ret;

	if (j->write_pos == j->moved_pos)
		return 0;
	ret = trace_begin(t);
	while (!ret && rd.pos < j->write_pos) {
		if (!next_record(&rd, &h, &p))
			ret = muse_fail(e, -EBADMSG,
					"journal record %" PRIu64 " is damaged", rd.jseq);
		else if ((ret = apply_record(t, &h, p, &ops)))
			muse_fail(e, ret, "moving journal record %" PRIu64
				  " into the trace: %s", h.jseq, strerror(-ret));
	}
	if (!ret && (ret = set_moved(t, j->hdr->id, rd.jseq - 1)))
		muse_fail(e, ret, "updating the trace: %s", strerror(-ret));
	if (!ret)
		ret = trace_commit(t, e);
	if (ret) {
		trace_rollback(t);
		return ret;
	}
	j->hdr->moved_jseq = j->moved_jseq = rd.jseq - 1;
	j->hdr->moved_pos = j->moved_pos = rd.pos;
	return 0;
}

static int moved_already(struct trace *t, uint64_t id, uint64_t *jseq)
{
	char buf[32];

	*jseq = 0;
	if (trace_get_meta(t, "journal_id", buf, sizeof(buf)))
		return 0;
	if (strtoull(buf, NULL, 10) != id)
		return -EXDEV;
	if (!trace_get_meta(t, "journal_jseq", buf, sizeof(buf)))
		*jseq = strtoull(buf, NULL, 10);
	return 0;
}

static int map_journal(const char *path, const uint8_t **map, size_t *size,
		       struct muse_error *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return muse_fail(e, -errno, "journal %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || st.st_size < (off_t)HEADER_SIZE) {
		close(fd);
		return muse_fail(e, -EBADMSG, "journal %s is too short", path);
	}
	*size = (size_t)st.st_size;
	*map = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*map == MAP_FAILED)
		return muse_fail(e, -errno, "journal %s: %s", path, strerror(errno));
	return 0;
}

int journal_recover(const char *path, struct trace *t, uint64_t *ops,
		    struct muse_error *e)
{
	const uint8_t *map, *p;
	struct jheader hdr;
	struct reader rd;
	uint64_t done;
	struct jrec h;
	size_t size = 0;
	int ret = map_journal(path, &map, &size, e);

	*ops = 0;
	if (ret)
		return ret;
	memcpy(&hdr, map, sizeof(hdr));
	if (memcmp(hdr.magic, JOURNAL_MAGIC, 8) || hdr.version != JOURNAL_VERSION ||
	    hdr.header_size != HEADER_SIZE ||
	    hdr.ring_size != size - HEADER_SIZE) {
		munmap((void *)map, size);
		return muse_fail(e, -EBADMSG, "%s is not a muse journal", path);
	}
	ret = moved_already(t, hdr.id, &done);
	if (ret)
		muse_fail(e, ret, "journal %s belongs to another trace", path);
	rd = (struct reader){ map + HEADER_SIZE, hdr.ring_size, hdr.moved_pos,
			      hdr.moved_jseq + 1 };
	while (!ret && next_record(&rd, &h, &p)) {
		if (h.jseq <= done)
			continue;
		ret = apply_record(t, &h, p, ops);
		if (ret)
			muse_fail(e, ret, "journal record %" PRIu64 ": %s", h.jseq,
				  strerror(-ret));
	}
	if (!ret && rd.jseq - 1 > done)
		ret = set_moved(t, hdr.id, rd.jseq - 1);
	munmap((void *)map, size);
	return ret;
}
