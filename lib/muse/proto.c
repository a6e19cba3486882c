/*
 * proto.c - MUSE request decoding and reply framing.
 */
#include "proto.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

const char *muse_opcode_name(uint32_t opcode)
{
	switch (opcode) {
	case MUSE_INIT:
		return "INIT";
	case MUSE_ERASE:
		return "ERASE";
	case MUSE_READ:
		return "READ";
	case MUSE_WRITE:
		return "WRITE";
	case MUSE_MARKBAD:
		return "MARKBAD";
	case MUSE_ISBAD:
		return "ISBAD";
	case MUSE_SYNC:
		return "SYNC";
	case FUSE_INTERRUPT_OPCODE:
		return "INTERRUPT";
	}
	return "unknown";
}

/* Size of the fixed argument each opcode carries */
static int fixed_arg_size(uint32_t opcode, size_t *size)
{
	switch (opcode) {
	case MUSE_INIT:
		*size = sizeof(struct muse_init_in);
		return 0;
	case MUSE_READ:
	case MUSE_WRITE:
		*size = sizeof(struct muse_io_in);
		return 0;
	case MUSE_ERASE:
		*size = sizeof(struct muse_erase_in);
		return 0;
	case MUSE_MARKBAD:
	case MUSE_ISBAD:
		*size = sizeof(struct muse_block_in);
		return 0;
	case MUSE_SYNC:
		*size = 0;
		return 0;
	case FUSE_INTERRUPT_OPCODE:
		*size = sizeof(uint64_t);
		return 0;
	}
	return -ENOSYS;
}

int muse_decode_request(const uint8_t *buf, size_t len,
			struct muse_request *req, struct muse_error *e)
{
	struct muse_in_header h;
	size_t fixed, args;

	memset(req, 0, sizeof(*req));
	if (len < sizeof(h))
		return muse_fail(e, -EPROTO, "request of %zu bytes has no header",
				 len);
	memcpy(&h, buf, sizeof(h));
	if (h.len != len)
		return muse_fail(e, -EPROTO,
				 "request header says %" PRIu32 " bytes, read %zu",
				 h.len, len);
	req->opcode = h.opcode;
	req->unique = h.unique;
	if (fixed_arg_size(h.opcode, &fixed))
		return muse_fail(e, -ENOSYS, "unknown opcode %" PRIu32, h.opcode);
	args = len - sizeof(h);
	if (args < fixed)
		return muse_fail(e, -EINVAL, "%s request is %zu bytes short",
				 muse_opcode_name(h.opcode), fixed - args);
	if (fixed && h.opcode != FUSE_INTERRUPT_OPCODE)
		memcpy(&req->in, buf + sizeof(h), fixed);
	args -= fixed;
	if (h.opcode == MUSE_WRITE) {
		uint64_t payload = (uint64_t)req->in.io.len + req->in.io.ooblen;

		if (args != payload)
			return muse_fail(e, -EINVAL,
					 "WRITE carries %zu payload bytes, expected %" PRIu64,
					 args, payload);
		req->data = buf + sizeof(h) + fixed;
		req->oob = req->data + req->in.io.len;
		return 0;
	}
	if (args)
		return muse_fail(e, -EINVAL, "%s request has %zu extra bytes",
				 muse_opcode_name(h.opcode), args);
	return 0;
}

void muse_reply_header(struct muse_out_header *h, uint64_t unique, int error,
		       size_t payload)
{
	h->len = (uint32_t)(sizeof(*h) + payload);
	h->error = error;
	h->unique = unique;
}
