/*
 * proto.h - decoding MUSE requests and framing replies, without any IO.
 *
 * A request buffer is exactly what one read() of /dev/muse returned.
 * Decoding checks the framing and the size of every argument against the
 * opcode; it never trusts a length it has not checked against the buffer.
 */
#ifndef MUSE_PROTO_H
#define MUSE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "wire.h"

struct muse_request {
	uint32_t opcode;
	uint64_t unique;
	union {
		struct muse_init_in init;
		struct muse_io_in io;
		struct muse_erase_in erase;
		struct muse_block_in block;
	} in;
	/* MUSE_WRITE payload, pointing into the request buffer */
	const uint8_t *data;
	const uint8_t *oob;
};

/*
 * Returns 0, or a negative errno for the reply: -EINVAL for arguments of
 * the wrong size, -ENOSYS for an unknown opcode.  -EPROTO means the buffer
 * is not even a request header; there is nobody to reply to.
 */
int muse_decode_request(const uint8_t *buf, size_t len,
			struct muse_request *req, struct muse_error *e);

/* Fills a reply header for @payload bytes after it. */
void muse_reply_header(struct muse_out_header *h, uint64_t unique, int error,
		       size_t payload);

const char *muse_opcode_name(uint32_t opcode);

#endif
