/*
 * trace_store.c - adding rows to a trace: payloads (content-addressed and
 * packed), ops, marks, violations, reads and the initial state.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flash_raw.h"
#include "hash.h"
#include "names.h"
#include "trace_impl.h"
#include "util.h"

/* ---- blobs ---------------------------------------------------------- */

/* The id of the blob with @hash, or 0 */
static sqlite3_int64 blob_find(struct trace *t, const uint8_t hash[32])
{
	sqlite3_stmt *s = t->stmt[ST_BLOB_HAS];
	sqlite3_int64 id = 0;

	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

/* Keeps the dictionary the packer just adopted, in the open transaction */
static int dictionary_put(struct trace *t)
{
	sqlite3_stmt *s = t->stmt[ST_DICT_PUT];
	const void *data;
	uint32_t id;
	size_t len;

	if (packer_dictionary(t->packer, &id, &data, &len))
		return -ENOENT;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob(s, 2, data, (int)len, SQLITE_STATIC);
	t->dict_pending = true;
	return trace_run(s);
}

int trace_blob_put(struct trace *t, const void *data, size_t len,
		    sqlite3_int64 *id)
{
	sqlite3_stmt *s = t->stmt[ST_BLOB_PUT];
	struct packed packed;
	uint8_t hash[32];
	int ret;

	sha256_buf(data, len, hash);
	*id = blob_find(t, hash);
	if (*id)
		return 0;
	ret = packer_pack(t->packer, data, len, &packed);
	if (ret)
		return ret;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)len);
	sqlite3_bind_int(s, 3, packed.codec);
	sqlite3_bind_blob(s, 4, packed.data, (int)packed.len, SQLITE_STATIC);
	ret = trace_run(s);
	*id = sqlite3_last_insert_rowid(t->db);
	if (!ret && packer_learn(t->packer, data, len))
		ret = dictionary_put(t);
	return ret;
}

/* A payload is stored under the SHA-256 of its bytes: a changed bit shows */
static bool blob_intact(sqlite3_stmt *s, const uint8_t *data, size_t len)
{
	uint8_t hash[32];

	if (sqlite3_column_bytes(s, 3) != 32)
		return false;
	sha256_buf(data, len, hash);
	return !memcmp(hash, sqlite3_column_blob(s, 3), 32);
}

ssize_t trace_blob_get(struct trace *t, sqlite3_int64 id, struct buffer *b)
{
	sqlite3_stmt *s = t->stmt[ST_BLOB_GET];
	ssize_t ret = -EBADMSG;

	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		sqlite3_int64 size = sqlite3_column_int64(s, 0);
		const void *p = sqlite3_column_blob(s, 2);
		size_t n = (size_t)sqlite3_column_bytes(s, 2);

		if (size < 0 || size > TRACE_BLOB_MAX)
			ret = -EBADMSG;
		else if (reserve_bytes(&b->p, &b->size, size ? (size_t)size : 1))
			ret = -ENOMEM;
		else
			ret = packer_unpack(t->packer, sqlite3_column_int(s, 1), p, n,
					    b->p, (size_t)size);
		if (ret >= 0 && !blob_intact(s, b->p, (size_t)ret))
			ret = -EBADMSG;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

/* ---- adding rows ---------------------------------------------------- */

int trace_add_op(struct trace *t, const struct trace_op *op)
{
	sqlite3_stmt *s = t->stmt[ST_OP_PUT];
	sqlite3_int64 did = 0, oid = 0;
	int ret;

	if (op->seq != t->last_seq + 1)
		return -EINVAL;
	if (op->prog.len && (ret = trace_blob_put(t, op->prog.data, op->prog.len, &did)))
		return ret;
	if (op->prog.ooblen && (ret = trace_blob_put(t, op->prog.oob, op->prog.ooblen, &oid)))
		return ret;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)op->seq);
	sqlite3_bind_int(s, 2, op->kind);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)op->prog.addr);
	sqlite3_bind_int64(s, 4, op->prog.len);
	if (op->prog.len)
		sqlite3_bind_int64(s, 5, did);
	sqlite3_bind_int64(s, 6, op->prog.oob_offset);
	sqlite3_bind_int64(s, 7, op->prog.ooblen);
	if (op->prog.ooblen)
		sqlite3_bind_int64(s, 8, oid);
	sqlite3_bind_int(s, 9, op->prog.oob_auto);
	sqlite3_bind_int(s, 10, op->result);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)op->time_ns);
	ret = trace_run(s);
	if (!ret)
		t->last_seq = op->seq;
	return ret;
}

static int add_mark_file(struct trace *t, sqlite3_int64 mark,
			 const struct trace_mark_file *mf)
{
	sqlite3_stmt *s = t->stmt[ST_MARK_FILE_PUT];
	sqlite3_int64 cid = 0;
	int ret;

	if (mf->content && (ret = trace_blob_put(t, mf->content, mf->content_len, &cid)))
		return ret;
	sqlite3_bind_int64(s, 1, mark);
	sqlite3_bind_text(s, 2, mf->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, trace_file_kind_name(mf->kind), -1, SQLITE_STATIC);
	if (mf->kind != TRACE_FILE_ABSENT) {
		sqlite3_bind_int64(s, 4, (sqlite3_int64)mf->size);
		sqlite3_bind_blob(s, 5, mf->sha256, 32, SQLITE_STATIC);
	}
	if (mf->content)
		sqlite3_bind_int64(s, 6, cid);
	return trace_run(s);
}

int trace_add_mark(struct trace *t, const struct trace_mark *m)
{
	sqlite3_stmt *s = t->stmt[ST_MARK_PUT];
	sqlite3_int64 id;
	int ret;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)m->after_seq);
	sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)m->time_ns);
	ret = trace_run(s);
	id = sqlite3_last_insert_rowid(t->db);
	for (uint32_t i = 0; !ret && i < m->nfiles; i++)
		ret = add_mark_file(t, id, &m->files[i]);
	return ret;
}

int trace_add_violation(struct trace *t, const struct trace_violation *v)
{
	sqlite3_stmt *s = t->stmt[ST_VIOLATION_PUT];

	if (!s)
		return -EROFS;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)v->seq);
	sqlite3_bind_text(s, 2, trace_violation_kind_name(v->kind), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)v->block);
	sqlite3_bind_int64(s, 4, v->page);
	sqlite3_bind_int64(s, 5, v->detail);
	return trace_run(s);
}

int trace_add_read(struct trace *t, const struct trace_read *r)
{
	sqlite3_stmt *s = t->stmt[ST_READ_PUT];

	if (!s)
		return -EROFS;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)r->after_seq);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)r->addr);
	sqlite3_bind_int64(s, 3, r->len);
	sqlite3_bind_int64(s, 4, r->ooblen);
	sqlite3_bind_int64(s, 5, r->mode);
	sqlite3_bind_int64(s, 6, r->corrected);
	sqlite3_bind_int64(s, 7, r->failed);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)r->time_ns);
	return trace_run(s);
}

int trace_add_fault(struct trace *t, const struct trace_fault *f)
{
	sqlite3_stmt *s = t->stmt[ST_FAULT_PUT];
	sqlite3_int64 mid = 0;
	int ret;

	if (!s)
		return -EROFS;
	if (f->mask && (ret = trace_blob_put(t, f->mask, f->mask_len, &mid)))
		return ret;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)f->seq);
	sqlite3_bind_text(s, 2, f->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)f->block);
	if (f->has_unit)
		sqlite3_bind_int64(s, 4, (sqlite3_int64)f->addr);
	if (f->mask)
		sqlite3_bind_int64(s, 5, mid);
	sqlite3_bind_int64(s, 6, f->bits);
	sqlite3_bind_int(s, 7, f->bad);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)f->time_ns);
	return trace_run(s);
}

static bool all_ff(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

int trace_add_initial(struct trace *t, struct flash *f)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t unit_data = geometry_unit_data(g);
	size_t size = flash_unit_size(f);
	uint8_t *buf = malloc(size);
	sqlite3_stmt *s = t->stmt[ST_INITIAL_PUT];
	sqlite3_int64 id;
	int ret = buf ? 0 : -ENOMEM;

	for (uint64_t u = 0; !ret && u < flash_units(f); u++) {
		flash_dump_unit(f, u, buf);
		if (all_ff(buf, size))
			continue;
		ret = trace_blob_put(t, buf, size, &id);
		if (ret)
			break;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)(u * unit_data));
		sqlite3_bind_int64(s, 2, id);
		ret = trace_run(s);
	}
	free(buf);
	return ret ? ret : trace_add_initial_erased(t, f);
}

int trace_add_initial_erased(struct trace *t, struct flash *f)
{
	const struct geometry *g = flash_geometry(f);
	sqlite3_stmt *bad = NULL;
	int ret = 0;

	if (sqlite3_prepare_v2(t->db, "INSERT INTO initial_bad_blocks VALUES (?)",
			       -1, &bad, NULL) != SQLITE_OK)
		ret = -EIO;
	for (uint64_t b = 0; !ret && b < geometry_blocks(g); b++) {
		if (flash_is_bad(f, b) != 1)
			continue;
		sqlite3_bind_int64(bad, 1, (sqlite3_int64)b);
		ret = trace_run(bad);
	}
	sqlite3_finalize(bad);
	return ret;
}

