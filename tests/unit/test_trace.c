/*
 * test_trace.c - the trace store: what goes in comes out, payloads are
 * shared and compressed, foreign and damaged files are refused with a
 * message that says why, older schemas are upgraded, and a killed writer
 * leaves a file that opens.
 */
#include "test.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flash_raw.h"
#include "trace_schema.h"
#include "trace_fixture.h"
#include "trace_impl.h"

TEST(trace_ops_round_trip_with_shared_payloads)
{
	uint8_t page[2048], other[2048], oob[4] = { 1, 2, 3, 4 };
	struct trace_op op;
	struct collected c = { 0 };
	struct muse_error e;
	struct trace *t;
	char path[512], value[64];

	path_in_tmp(path, sizeof(path), "t.db");
	memset(page, 0x5a, sizeof(page));
	memset(other, 0xff, sizeof(other));
	t = new_trace(path);
	CHECK(t);
	CHECK_INT(trace_begin(t), 0);
	op = program_op(1, 0, page, 2048);
	CHECK_INT(trace_add_op(t, &op), 0);
	op = program_op(2, 2048, page, 2048);	/* the same bytes again */
	op.prog.oob = oob;
	op.prog.ooblen = 4;
	op.prog.oob_offset = 2;
	op.prog.oob_auto = true;
	CHECK_INT(trace_add_op(t, &op), 0);
	op = (struct trace_op){ .seq = 3, .kind = TRACE_ERASE, .prog.addr = 0 };
	CHECK_INT(trace_add_op(t, &op), 0);
	op = program_op(4, 0, other, 2048);
	CHECK_INT(trace_add_op(t, &op), 0);
	op = program_op(6, 0, other, 2048);	/* a gap */
	CHECK_INT(trace_add_op(t, &op), -EINVAL);
	CHECK_INT(trace_commit(t, &e), 0);
	CHECK_INT(count_rows(t, "blobs"), 3);
	CHECK_INT(trace_close(t, &e), 0);

	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_last_seq(t), 4);
	CHECK_INT(trace_get_meta(t, "geometry", value, sizeof(value)), 0);
	CHECK_STR(value, "nand-2k,size=1m");
	CHECK_INT(trace_for_each_op(t, 1, 4, collect, &c, &e), 0);
	CHECK_INT(c.n, 4);
	CHECK_INT(c.op[1].prog.addr, 2048);
	CHECK_INT(c.op[1].prog.ooblen, 4);
	CHECK_INT(c.op[1].prog.oob_offset, 2);
	CHECK(c.op[1].prog.oob_auto);
	CHECK_INT(c.first_byte[1], 0x5a);
	CHECK_INT(c.op[2].kind, TRACE_ERASE);
	CHECK_INT(c.first_byte[3], 0xff);
	CHECK_INT(c.op[3].time_ns, 4000);
	CHECK_INT(trace_close(t, &e), 0);
}

TEST(trace_compresses_payloads)
{
	static uint8_t page[4096];
	struct muse_error e;
	struct trace *t;
	sqlite3_stmt *s;
	char path[512];
	int stored = -1;

	path_in_tmp(path, sizeof(path), "t.db");
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i / 64);
	t = new_trace(path);
	CHECK(t);
	struct trace_op op = program_op(1, 0, page, sizeof(page));
	CHECK_INT(trace_add_op(t, &op), 0);
	CHECK(sqlite3_prepare_v2(t->db, "SELECT length(data), codec FROM blobs",
				 -1, &s, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	stored = sqlite3_column_int(s, 0);
	CHECK_INT(sqlite3_column_int(s, 1), 1);
	sqlite3_finalize(s);
	CHECK(stored > 0 && stored < 400);
	CHECK_INT(trace_close(t, &e), 0);
}

TEST(trace_initial_state_round_trip)
{
	struct flash *a = test_flash("nand-2k,size=1m"), *b = test_flash("nand-2k,size=1m");
	uint8_t d[2048], out[2048], oob[64];
	struct flash_program p = { .addr = 5 * 2048, .len = 2048, .data = d };
	struct muse_error e;
	struct trace *t;
	char path[512];

	CHECK(a && b);
	path_in_tmp(path, sizeof(path), "t.db");
	memset(d, 0x31, sizeof(d));
	CHECK_INT(flash_program(a, &p), 0);
	CHECK_INT(flash_mark_bad(a, 6), 0);
	t = new_trace(path);
	CHECK(t);
	CHECK_INT(trace_add_initial(t, a), 0);
	CHECK_INT(count_rows(t, "initial_units"), 2);	/* page 5, marker */
	CHECK_INT(trace_close(t, &e), 0);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_load_initial(t, b, &e), 0);
	flash_dump_page(b, 5, out, oob);
	CHECK_MEM(out, d, sizeof(d));
	CHECK_INT(flash_is_bad(b, 6), 1);
	CHECK_INT(flash_bad_count(b), 1);
	CHECK_INT(trace_close(t, &e), 0);
	flash_destroy(a);
	flash_destroy(b);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	fwrite(p, 1, n, f);
	fclose(f);
}

TEST(trace_refuses_what_is_not_a_good_trace)
{
	struct muse_error e;
	struct trace *t;
	sqlite3 *db;
	char path[512], jpath[600];
	struct stat st;

	path_in_tmp(path, sizeof(path), "notes.txt");
	write_bytes(path, "hello, this is not a database at all, sorry......"
			  "......................................................",
		    104);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "not a trace (not an SQLite database)");

	path_in_tmp(path, sizeof(path), "other.db");
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	sqlite3_exec(db, "CREATE TABLE x (y); INSERT INTO x VALUES (1)", NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "an SQLite database but not a MUSE trace");

	path_in_tmp(path, sizeof(path), "new.db");
	t = new_trace(path);
	CHECK(t);
	CHECK_INT(trace_close(t, &e), 0);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL);
	sqlite3_close(db);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EPROTONOSUPPORT);
	char want[80];
	snprintf(want, sizeof(want), "schema version 99; this muse reads versions up to %d",
		 TRACE_SCHEMA_VERSION);
	CHECK_CONTAINS(e.msg, want);

	path_in_tmp(path, sizeof(path), "cut.db");
	t = new_trace(path);
	CHECK(t);
	CHECK_INT(trace_close(t, &e), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(truncate(path, st.st_size - 70000), 0);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "is truncated");

	path_in_tmp(path, sizeof(path), "busy.db");
	t = new_trace(path);
	CHECK(t);
	CHECK_INT(trace_close(t, &e), 0);
	trace_journal_path(path, jpath, sizeof(jpath));
	write_bytes(jpath, "x", 1);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EAGAIN);
	CHECK_CONTAINS(e.msg, "was interrupted; \"muse recover");
	CHECK_INT(trace_create(path, &t, &e), -EEXIST);
}

TEST(trace_upgrades_schema_1_when_writing)
{
	struct trace_violation v = { .seq = 1, .kind = FLASH_VIOLATION_NOP };
	struct muse_error e;
	struct trace *t;
	char path[512];
	sqlite3 *db;

	path_in_tmp(path, sizeof(path), "v1.db");
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA page_size=65536; PRAGMA application_id=1297437509",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, trace_schema_steps[0], NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "INSERT INTO meta VALUES ('geometry', 'nand-2k');"
			   "PRAGMA user_version=1", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_schema_version(t), 1);
	CHECK_INT(trace_add_violation(t, &v), -EROFS);
	CHECK_INT(trace_close(t, &e), 0);

	CHECK_INT(trace_open(path, TRACE_WRITE, &t, &e), 0);
	CHECK_INT(trace_schema_version(t), TRACE_SCHEMA_VERSION);
	CHECK_INT(trace_add_violation(t, &v), 0);
	CHECK_INT(trace_close(t, &e), 0);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_schema_version(t), TRACE_SCHEMA_VERSION);
	CHECK_INT(count_rows(t, "violations"), 1);
	CHECK_INT(count_rows(t, "dictionaries"), 0);
	CHECK_INT(trace_close(t, &e), 0);
}

TEST(trace_of_a_killed_writer_opens_and_recovers)
{
	struct muse_error e;
	struct journal *j;
	struct trace *t;
	uint8_t page[2048] = { 0 };
	char path[512], jpath[600];
	uint64_t ops;
	pid_t pid;
	int status;

	path_in_tmp(path, sizeof(path), "killed.db");
	trace_journal_path(path, jpath, sizeof(jpath));
	pid = fork();
	if (pid == 0) {
		/* a recorder that dies without closing anything */
		t = new_trace(path);
		if (!t || journal_create(jpath, 64 * 1024, &j, &e) ||
		    add_ops(j, 1, 30, page) || journal_drain(j, t, &e) ||
		    add_ops(j, 31, 40, page))
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EAGAIN);
	CHECK_INT(trace_open(path, TRACE_WRITE, &t, &e), 0);
	CHECK_INT(trace_last_seq(t), 30);
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(journal_recover(jpath, t, &ops, &e), 0);
	CHECK_INT(ops, 10);
	CHECK_INT(trace_commit(t, &e), 0);
	CHECK_INT(trace_close(t, &e), 0);
	unlink(jpath);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_last_seq(t), 40);
	CHECK_INT(trace_close(t, &e), 0);
}
