/*
 * test_journal.c - the recorder's journal: drained into the trace, and
 * what a killed recorder left recovered up to its last whole record.
 */
#include "test.h"

#include <errno.h>
#include <unistd.h>

#include "trace_fixture.h"

TEST(journal_drains_into_the_trace_and_recovers_after_a_kill)
{
	static const struct trace_mark_file files[] = {
		{ .path = "/mnt/a", .kind = TRACE_FILE_EXPECT, .size = 3,
		  .content = (const uint8_t *)"abc", .content_len = 3 },
		{ .path = "/mnt/b", .kind = TRACE_FILE_ABSENT },
	};
	struct trace_mark m = { .after_seq = 3, .name = "synced", .nfiles = 2,
				.files = files };
	struct trace_violation v = { .seq = 2, .kind = FLASH_VIOLATION_ORDER,
				     .block = 0, .page = 1, .detail = 2 };
	struct collected c = { 0 };
	struct muse_error e;
	struct journal *j;
	struct trace *t;
	uint8_t page[2048] = { 0 };
	char path[512], jpath[600];
	uint64_t ops;

	path_in_tmp(path, sizeof(path), "t.db");
	trace_journal_path(path, jpath, sizeof(jpath));
	t = new_trace(path);
	CHECK(t);
	CHECK_INT(journal_create(jpath, 64 * 1024, &j, &e), 0);
	CHECK_INT(add_ops(j, 1, 3, page), 0);
	CHECK_INT(journal_add_violation(j, &v), 0);
	CHECK_INT(journal_add_mark(j, &m), 0);
	CHECK_INT(journal_drain(j, t, &e), 0);
	CHECK_INT(trace_last_seq(t), 3);
	CHECK_INT(count_rows(t, "marks"), 1);
	CHECK_INT(count_rows(t, "mark_files"), 2);
	CHECK_INT(count_rows(t, "violations"), 1);
	/* the ring wraps several times between drains */
	for (uint64_t s = 4; s < 200; s += 20) {
		CHECK_INT(add_ops(j, s, s + 19, page), 0);
		CHECK_INT(journal_drain(j, t, &e), 0);
	}
	CHECK_INT(trace_last_seq(t), 203);
	/* killed: acknowledged records that no drain moved */
	CHECK_INT(add_ops(j, 204, 220, page), 0);
	CHECK_INT(journal_space(j) < 64 * 1024, 1);
	journal_close(j, 0);
	CHECK_INT(trace_close(t, &e), 0);
	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), -EAGAIN);

	CHECK_INT(trace_open(path, TRACE_WRITE, &t, &e), 0);
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(journal_recover(jpath, t, &ops, &e), 0);
	CHECK_INT(ops, 17);
	CHECK_INT(trace_commit(t, &e), 0);
	/* recovering again moves nothing twice */
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(journal_recover(jpath, t, &ops, &e), 0);
	CHECK_INT(ops, 0);
	CHECK_INT(trace_commit(t, &e), 0);
	CHECK_INT(trace_close(t, &e), 0);
	unlink(jpath);

	CHECK_INT(trace_open(path, TRACE_READ, &t, &e), 0);
	CHECK_INT(trace_last_seq(t), 220);
	CHECK_INT(trace_for_each_op(t, 215, 220, collect, &c, &e), 0);
	CHECK_INT(c.n, 6);
	CHECK_INT(c.first_byte[5], 220);
	CHECK_INT(trace_close(t, &e), 0);
}

TEST(journal_recovery_stops_at_a_torn_record)
{
	struct muse_error e;
	struct journal *j;
	struct trace *t;
	uint8_t page[2048] = { 0 };
	char path[512], jpath[600];
	uint64_t ops;
	FILE *f;

	path_in_tmp(path, sizeof(path), "t.db");
	trace_journal_path(path, jpath, sizeof(jpath));
	t = new_trace(path);
	CHECK(t);
	CHECK_INT(journal_create(jpath, 1 << 20, &j, &e), 0);
	CHECK_INT(add_ops(j, 1, 10, page), 0);
	journal_close(j, 0);
	/* flip a byte in the payload of the 7th record */
	f = fopen(jpath, "r+b");
	CHECK(f);
	fseek(f, 4096 + 6 * (long)journal_op_size(2048, 0) + 100, SEEK_SET);
	fputc(0x77, f);
	fclose(f);
	CHECK_INT(trace_begin(t), 0);
	CHECK_INT(journal_recover(jpath, t, &ops, &e), 0);
	CHECK_INT(ops, 6);
	CHECK_INT(trace_commit(t, &e), 0);
	CHECK_INT(trace_last_seq(t), 6);
	CHECK_INT(trace_close(t, &e), 0);
}
