/*
 * journal_replay.c - moving journal records into the trace: while the
 * recorder runs (journal_drain) and after it was killed (journal_recover).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal_format.h"

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

static int apply_fault(struct trace *t, const struct jrec *h, const uint8_t *p)
{
	struct rec_fault r;
	char kind[32];

	if (h->len < sizeof(r))
		return -EBADMSG;
	memcpy(&r, p, sizeof(r));
	if (r.kind_len >= sizeof(kind) ||
	    (uint64_t)sizeof(r) + r.kind_len + r.mask_len != h->len)
		return -EBADMSG;
	memcpy(kind, p + sizeof(r), r.kind_len);
	kind[r.kind_len] = 0;
	return trace_add_fault(t, &(struct trace_fault){
		.seq = r.seq, .kind = kind, .block = r.block,
		.has_unit = r.has_unit, .addr = r.addr,
		.mask = r.mask_len ? p + sizeof(r) + r.kind_len : NULL,
		.mask_len = r.mask_len, .bits = r.bits, .bad = r.bad,
		.time_ns = r.time_ns });
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
	case REC_FAULT:
		return apply_fault(t, h, p);
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
