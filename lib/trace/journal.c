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
#include "journal_format.h"

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

size_t journal_fault_size(uint32_t mask_len)
{
	/* the longest kind name is short */
	return sizeof(struct jrec) + align8(sizeof(struct rec_fault) + 32 + mask_len);
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

int journal_add_fault(struct journal *j, const struct trace_fault *f)
{
	struct rec_fault r = {
		.seq = f->seq, .block = f->block, .addr = f->addr,
		.time_ns = f->time_ns, .bits = f->bits, .has_unit = f->has_unit,
		.bad = f->bad, .kind_len = (uint32_t)strlen(f->kind),
		.mask_len = f->mask ? f->mask_len : 0,
	};
	struct piece pc[] = {
		{ &r, sizeof(r) }, { f->kind, r.kind_len }, { f->mask, r.mask_len },
	};

	return append(j, REC_FAULT, pc, 3);
}

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
