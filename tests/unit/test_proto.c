/*
 * test_proto.c - MUSE request decoding: well-formed requests, and
 * malformed ones refused.
 */
#include "test.h"

#include <errno.h>

#include "proto.h"

static size_t request(uint8_t *buf, uint32_t opcode, const void *arg,
		      size_t arglen, size_t extra)
{
	struct muse_in_header h = { .opcode = opcode, .unique = 77 };

	h.len = (uint32_t)(sizeof(h) + arglen + extra);
	memcpy(buf, &h, sizeof(h));
	if (arglen)
		memcpy(buf + sizeof(h), arg, arglen);
	memset(buf + sizeof(h) + arglen, 0xab, extra);
	return h.len;
}

TEST(proto_decodes_requests)
{
	static uint8_t buf[8192];
	struct muse_io_in io = { .addr = 4096, .len = 100, .ooblen = 8,
				 .mode = MUSE_OOB_AUTO };
	struct muse_erase_in er = { .addr = 1 << 17, .len = 1 << 17 };
	struct muse_request r;
	struct muse_error e;
	size_t n;

	n = request(buf, MUSE_WRITE, &io, sizeof(io), 108);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
	CHECK_INT(r.opcode, MUSE_WRITE);
	CHECK_INT(r.unique, 77);
	CHECK_INT(r.in.io.addr, 4096);
	CHECK(r.data == buf + 40 + 24);
	CHECK(r.oob == r.data + 100);
	n = request(buf, MUSE_ERASE, &er, sizeof(er), 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
	CHECK_INT(r.in.erase.len, 1 << 17);
	n = request(buf, MUSE_SYNC, NULL, 0, 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
}

TEST(proto_rejects_malformed_requests)
{
	static uint8_t buf[8192];
	struct muse_io_in io = { .len = 100 };
	struct muse_request r;
	struct muse_error e;
	size_t n;

	CHECK_INT(muse_decode_request(buf, 12, &r, &e), -EPROTO);
	n = request(buf, MUSE_READ, &io, sizeof(io), 0);
	CHECK_INT(muse_decode_request(buf, n - 1, &r, &e), -EPROTO);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), 0);
	n = request(buf, MUSE_READ, &io, sizeof(io), 4);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "extra bytes");
	n = request(buf, MUSE_WRITE, &io, sizeof(io), 99);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "expected 100");
	n = request(buf, MUSE_ERASE, &io, 8, 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -EINVAL);
	CHECK_CONTAINS(e.msg, "short");
	n = request(buf, 4242, NULL, 0, 0);
	CHECK_INT(muse_decode_request(buf, n, &r, &e), -ENOSYS);
	CHECK_INT(r.unique, 77);
}
