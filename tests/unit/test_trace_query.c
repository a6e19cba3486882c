/*
 * test_trace_query.c - the questions asked of a trace: statistics, marks
 * with their files, op headers through a filter, violations, integrity
 * and the fingerprint that tells two recordings apart.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "names.h"
#include "trace.h"
#include "trace_impl.h"
#include "trace_query.h"

static struct trace *query_trace(const char *name)
{
	static uint8_t page[2048];
	struct trace_mark_file files[2] = {
		{ .path = "b", .kind = TRACE_FILE_ABSENT },
		{ .path = "a", .kind = TRACE_FILE_IN_PLACE, .size = 5 },
	};
	struct trace_violation v = { .seq = 3, .kind = FLASH_VIOLATION_ORDER,
				     .block = 1, .page = 2, .detail = 7 };
	char path[512];
	struct trace *t;

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	if (trace_create(path, &t, NULL))
		return NULL;
	trace_set_meta(t, "geometry", "nand-2k,size=1m");
	trace_begin(t);
	memset(page, 0x5a, sizeof(page));
	for (uint64_t s = 1; s <= 6; s++) {
		struct trace_op op = { .seq = s, .kind = TRACE_PROGRAM,
				       .prog.addr = (s % 3) * 131072, .prog.len = 2048,
				       .prog.data = page, .time_ns = s };

		if (s == 2 || s == 5)
			op = (struct trace_op){ .seq = s, .kind = TRACE_ERASE,
						.prog.addr = 131072 };
		trace_add_op(t, &op);
	}
	trace_add_mark(t, &(struct trace_mark){ .after_seq = 4, .name = "late" });
	trace_add_mark(t, &(struct trace_mark){ .after_seq = 2, .name = "files",
						.nfiles = 2, .files = files });
	trace_add_violation(t, &v);
	trace_commit(t, NULL);
	return t;
}

TEST(query_stats_count_what_the_trace_holds)
{
	struct trace *t = query_trace("stats.db");
	struct trace_stats s;

	CHECK(t);
	CHECK_INT(trace_get_stats(t, &s, NULL), 0);
	CHECK_INT(s.ops, 6);
	CHECK_INT(s.programs, 4);
	CHECK_INT(s.programmed_pages, 2);
	CHECK_INT(s.erases, 2);
	CHECK_INT(s.erased_blocks, 1);
	CHECK_INT(s.markbads, 0);
	CHECK_INT(s.bytes_programmed, 4 * 2048);
	CHECK_INT(s.marks, 2);
	CHECK_INT(s.violations, 1);
	CHECK_INT(s.payloads, 1);
	CHECK_INT(s.payload_bytes, 2048);
	CHECK(s.payload_stored > 0 && s.payload_stored < 2048);
	trace_close(t, NULL);
}

struct marks_seen {
	int n;
	char names[4][16];
	uint64_t after[4];
	char files[64];
};

static int see_mark(void *ctx, const struct trace_mark *m)
{
	struct marks_seen *s = ctx;

	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", m->name);
	s->after[s->n++] = m->after_seq;
	for (uint32_t i = 0; i < m->nfiles; i++)
		snprintf(s->files + strlen(s->files), sizeof(s->files) - strlen(s->files),
			 "%s:%s:%llu ", m->files[i].path,
			 trace_file_kind_name(m->files[i].kind),
			 (unsigned long long)m->files[i].size);
	return 0;
}

TEST(query_marks_come_in_trace_order_with_their_files)
{
	struct trace *t = query_trace("marks.db");
	struct marks_seen s = { 0 };
	uint64_t at = 0;

	CHECK(t);
	CHECK_INT(trace_for_each_mark(t, see_mark, &s, NULL), 0);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.names[0], "files");
	CHECK_INT(s.after[0], 2);
	CHECK_STR(s.names[1], "late");
	CHECK_STR(s.files, "a:in-place:5 b:absent:0 ");
	CHECK_INT(trace_find_mark(t, "late", &at), 0);
	CHECK_INT(at, 4);
	CHECK_INT(trace_find_mark(t, "nowhere", &at), -ENOENT);
	trace_close(t, NULL);
}

TEST(query_marks_refuse_an_unknown_file_kind)
{
	struct trace *t = query_trace("kind.db");
	struct marks_seen s = { 0 };
	struct muse_error e = { 0 };

	CHECK(t);
	CHECK_INT(sqlite3_exec(t->db, "PRAGMA ignore_check_constraints = 1;"
			       " UPDATE mark_files SET kind = 'gone' WHERE path = 'b'",
			       NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(trace_for_each_mark(t, see_mark, &s, &e), -EBADMSG);
	CHECK_CONTAINS(e.msg, "unknown kind \"gone\"");
	trace_close(t, NULL);
}

static int list_seq(void *ctx, const struct trace_op *op)
{
	char *out = ctx;

	if (op->prog.data || op->prog.oob)
		return -EINVAL;
	sprintf(out + strlen(out), "%llu ", (unsigned long long)op->seq);
	return 0;
}

TEST(query_op_heads_pass_through_the_filter)
{
	struct trace *t = query_trace("heads.db");
	struct trace_op_filter f = TRACE_ALL_OPS;
	char out[64] = "";

	CHECK(t);
	CHECK_INT(trace_for_each_op_head(t, &f, list_seq, out, NULL), 0);
	CHECK_STR(out, "1 2 3 4 5 6 ");
	out[0] = '\0';
	f = (struct trace_op_filter){ .first = 2, .last = 5, .kind = TRACE_PROGRAM,
				      .block = -1 };
	CHECK_INT(trace_for_each_op_head(t, &f, list_seq, out, NULL), 0);
	CHECK_STR(out, "3 4 ");
	out[0] = '\0';
	f = (struct trace_op_filter){ .first = 1, .last = UINT64_MAX, .block = 1 };
	CHECK_INT(trace_for_each_op_head(t, &f, list_seq, out, NULL), 0);
	CHECK_STR(out, "1 2 4 5 ");
	trace_close(t, NULL);
}

static int see_violation(void *ctx, const struct trace_violation *v)
{
	*(struct trace_violation *)ctx = *v;
	return 0;
}

TEST(query_violations_come_back_by_name)
{
	struct trace *t = query_trace("violations.db");
	struct trace_violation v = { 0 };

	CHECK(t);
	CHECK_INT(trace_for_each_violation(t, see_violation, &v, NULL), 0);
	CHECK_INT(v.seq, 3);
	CHECK_INT(v.kind, FLASH_VIOLATION_ORDER);
	CHECK_INT(v.page, 2);
	CHECK_INT(v.detail, 7);
	trace_close(t, NULL);
}

TEST(query_integrity_finds_a_gap)
{
	struct trace *t = query_trace("gap.db");
	struct muse_error e = { 0 };

	CHECK(t);
	CHECK_INT(trace_check_integrity(t, &e), 0);
	CHECK_INT(sqlite3_exec(t->db, "DELETE FROM ops WHERE seq = 3", NULL, NULL, NULL),
		  SQLITE_OK);
	CHECK_INT(trace_check_integrity(t, &e), -EBADMSG);
	CHECK_CONTAINS(e.msg, "gaps");
	trace_close(t, NULL);
}

/* Changes one op's address in the sealed trace at @path behind its back */
static int change_an_op(const char *path)
{
	struct muse_error e;
	struct trace *t;
	int rc;

	if (trace_open(path, TRACE_WRITE, &t, &e))
		return -1;
	/* through the writer's connection: the digest it removed is put back */
	rc = trace_seal(t, &e) ? -1 :
	     sqlite3_exec(t->db, "UPDATE ops SET addr = addr + 2048 WHERE seq = 4",
			  NULL, NULL, NULL);
	trace_close(t, NULL);
	return rc;
}

TEST(query_sealed_trace_refuses_a_changed_op)
{
	struct trace *t = query_trace("sealed.db");
	struct muse_error e = { 0 };
	char path[512], hex[80];

	CHECK(t);
	snprintf(path, sizeof(path), "%s/sealed.db", test_tmpdir());
	CHECK_INT(trace_seal(t, &e), 0);
	CHECK_INT(trace_close(t, &e), 0);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_get_meta(t, "content_sha256", hex, sizeof(hex)), 0);
	trace_close(t, NULL);
	/* a writer takes the seal away until it seals again */
	CHECK_INT(trace_open(path, TRACE_WRITE, &t, &e), 0);
	CHECK_INT(trace_get_meta(t, "content_sha256", hex, sizeof(hex)), -ENOENT);
	trace_close(t, NULL);
	CHECK_INT(change_an_op(path), SQLITE_OK);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EBADMSG);
	CHECK_CONTAINS(e.msg, "differ from what was recorded");
}

/* A digest checked elsewhere holds for the file it was checked on, only */
TEST(query_trace_verified_elsewhere_is_trusted_while_unchanged)
{
	struct trace *t = query_trace("stamped.db");
	struct muse_error e = { 0 };
	struct file_stamp checked;
	char path[512];

	CHECK(t);
	snprintf(path, sizeof(path), "%s/stamped.db", test_tmpdir());
	CHECK_INT(trace_seal(t, &e), 0);
	CHECK_INT(trace_close(t, &e), 0);
	CHECK_INT(file_stamp_of_path(path, &checked), 0);
	CHECK_INT(trace_open_verified(path, &checked, &t, &e), 0);
	trace_close(t, NULL);
	CHECK_INT(change_an_op(path), SQLITE_OK);
	/* changed since: its digest is computed, and it is refused */
	CHECK_INT(trace_open_verified(path, &checked, &t, &e), -EBADMSG);
	/* what the stamp vouches for is not checked again: the change goes by */
	CHECK_INT(file_stamp_of_path(path, &checked), 0);
	CHECK_INT(trace_open_verified(path, &checked, &t, &e), 0);
	trace_close(t, NULL);
}

TEST(query_fingerprints_differ_between_recordings)
{
	struct trace *a = query_trace("fa.db"), *b = query_trace("fb.db");
	uint8_t fa[32], fa2[32], fb[32];

	CHECK(a && b);
	CHECK_INT(trace_fingerprint(a, fa, NULL), 0);
	CHECK_INT(trace_fingerprint(a, fa2, NULL), 0);
	CHECK_MEM(fa, fa2, 32);
	trace_set_meta(b, "started", "another day");
	CHECK_INT(trace_fingerprint(b, fb, NULL), 0);
	CHECK(memcmp(fa, fb, 32) != 0);
	trace_close(a, NULL);
	trace_close(b, NULL);
}
