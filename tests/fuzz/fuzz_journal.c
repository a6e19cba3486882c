/*
 * fuzz_journal.c - recovering a journal of any content into a trace:
 * whatever the file holds, recovery fails cleanly or moves records.
 */
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "journal.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace *t;
	struct muse_error e;
	const char *path;
	uint64_t ops;

	if (!t) {
		path = fuzz_path("journal.db");
		unlink(path);
		if (trace_create(path, &t, &e) ||
		    trace_set_meta(t, "geometry", "nand-2k,size=1m"))
			abort();
	}
	path = fuzz_file("journal", data, size);
	if (trace_begin(t))
		abort();
	journal_recover(path, t, &ops, &e);
	trace_rollback(t);
	return 0;
}
