/*
 * killcheck.c - after a recorder was killed and its trace recovered:
 * does the trace hold what the kernel saw acknowledged?
 *
 *   muse-killcheck TRACE ACKS PAGEDIR
 *
 * ACKS has one line per write that returned success: "PAGE K" (the page
 * index written with the content of PAGEDIR/pageK).  The trace must pass
 * PRAGMA integrity_check, hold ops 1..N without a gap, and replay to a
 * flash that has every acknowledged page.  Prints what is wrong and exits
 * 1, or exits 0.  (In C because a Python start costs seconds in a guest.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flash_raw.h"
#include "rebuild.h"
#include "trace.h"
#include "trace_query.h"

static int check_acks(struct flash *f, const char *acks, const char *dir)
{
	uint8_t want[4096], got[4096];
	char path[4096];
	unsigned long page, k;
	FILE *in = fopen(acks, "r"), *pf;
	int bad = 0;

	if (!in)
		return 0;
	while (fscanf(in, "%lu %lu", &page, &k) == 2) {
		snprintf(path, sizeof(path), "%s/page%lu", dir, k);
		pf = fopen(path, "rb");
		if (!pf || fread(want, 1, 2048, pf) != 2048) {
			fprintf(stderr, "cannot read %s\n", path);
			bad++;
		} else {
			flash_dump_page(f, page, got, NULL);
			if (memcmp(want, got, 2048)) {
				fprintf(stderr, "acknowledged page %lu is not in the trace\n", page);
				bad++;
			}
		}
		if (pf)
			fclose(pf);
	}
	fclose(in);
	return bad;
}

int main(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct flash *f = NULL;
	struct trace *t;
	int bad = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: muse-killcheck TRACE ACKS PAGEDIR\n");
		return 2;
	}
	if (trace_open(argv[1], TRACE_READ, &t, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	if (trace_check_integrity(t, &e) && ++bad)
		fprintf(stderr, "%s\n", e.msg);
	if (rebuild_initial(t, &f, &e) || rebuild_range(t, f, 1, trace_last_seq(t), &e)) {
		fprintf(stderr, "replay: %s\n", e.msg);
		bad++;
	} else {
		bad += check_acks(f, argv[2], argv[3]);
	}
	printf("%" PRIu64 " ops\n", trace_last_seq(t));
	flash_destroy(f);
	trace_close(t, NULL);
	return bad ? 1 : 0;
}
