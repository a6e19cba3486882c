/*
 * test_markproto.c - what "muse mark" sends the recorder: round trip, and
 * garbage refused.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>

#include "markproto.h"

TEST(mark_requests_round_trip_and_reject_garbage)
{
	static const struct trace_mark_file files[] = {
		{ .path = "dir/a b", .kind = TRACE_FILE_EXPECT, .size = 5,
		  .sha256 = { 1, 2, 3 }, .content = (const uint8_t *)"a\0b\nc",
		  .content_len = 5 },
		{ .path = "gone", .kind = TRACE_FILE_ABSENT },
		{ .path = "log", .kind = TRACE_FILE_IN_PLACE, .size = 100000 },
	};
	struct mark_request req;
	struct muse_error e;
	char *buf;
	size_t len;

	CHECK_INT(mark_encode("synced", files, 3, &buf, &len), 0);
	CHECK_INT(mark_decode(buf, len, &req, &e), 0);
	CHECK_STR(req.name, "synced");
	CHECK_INT(req.nfiles, 3);
	CHECK_STR(req.files[0].path, "dir/a b");
	CHECK_INT(req.files[0].content_len, 5);
	CHECK_MEM(req.files[0].content, "a\0b\nc", 5);
	CHECK_INT(req.files[0].sha256[2], 3);
	CHECK_INT(req.files[1].kind, TRACE_FILE_ABSENT);
	CHECK(!req.files[2].content);
	CHECK_INT(req.files[2].size, 100000);
	mark_request_free(&req);
	CHECK_INT(mark_decode(buf, len - 1, &req, &e), -EINVAL);
	buf[0] = 'X';
	CHECK_INT(mark_decode(buf, len, &req, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "malformed");
	free(buf);
}
