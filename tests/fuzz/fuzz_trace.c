/*
 * fuzz_trace.c - opening a trace file of any content and rebuilding the
 * flash from it: a clean error, or a state, never a crash.
 */
#include <stdlib.h>
#include <unistd.h>

#include "flash.h"
#include "fuzz.h"
#include "rebuild.h"
#include "trace.h"
#include "trace_query.h"

/* ops rebuilt at most, so that one input costs little */
#define FUZZ_MAX_OPS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("trace.db", data, size);
	struct flash *f = NULL;
	struct muse_error e;
	struct trace *t;
	uint64_t last;

	if (trace_open(path, TRACE_READ, &t, &e))
		return 0;
	trace_check_integrity(t, &e);
	last = trace_last_seq(t);
	if (!rebuild_initial(t, &f, &e))
		rebuild_range(t, f, 1, last < FUZZ_MAX_OPS ? last : FUZZ_MAX_OPS, &e);
	flash_destroy(f);
	trace_close(t, NULL);
	return 0;
}
