/*
 * fuzz_markproto.c - the mark protocol as a client could send it: a
 * request that decodes encodes again to the same bytes' meaning.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "markproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mark_request req, again;
	struct muse_error e;
	char *buf;
	size_t len;

	if (mark_decode((const char *)data, size, &req, &e))
		return 0;
	if (mark_encode(req.name, req.files, req.nfiles, &buf, &len))
		abort();
	if (mark_decode(buf, len, &again, &e) || strcmp(req.name, again.name) ||
	    req.nfiles != again.nfiles)
		abort();
	for (uint32_t i = 0; i < req.nfiles; i++)
		if (strcmp(req.files[i].path, again.files[i].path) ||
		    req.files[i].kind != again.files[i].kind ||
		    req.files[i].size != again.files[i].size ||
		    req.files[i].content_len != again.files[i].content_len)
			abort();
	free(buf);
	mark_request_free(&again);
	mark_request_free(&req);
	return 0;
}
