/*
 * fuzz_request.c - the MUSE request decoder on whatever /dev/muse could
 * hand the daemon: a decoded request never points outside the buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct muse_request req;
	struct muse_error e;
	uint8_t *buf = malloc(size ? size : 1);
	volatile uint8_t sink = 0;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (!muse_decode_request(buf, size, &req, &e) && req.opcode == MUSE_WRITE) {
		/* the payload must lie inside the buffer: touch every byte */
		for (uint32_t i = 0; req.data && i < req.in.io.len; i++)
			sink ^= req.data[i];
		for (uint32_t i = 0; req.oob && i < req.in.io.ooblen; i++)
			sink ^= req.oob[i];
	}
	(void)sink;
	free(buf);
	return 0;
}
