/*
 * replay_cmd.c - "muse replay": the flash as it was at a point of a trace.
 *
 * This first version rebuilds the state after op N (or at a mark, or at
 * the end) and exports it as an image.  Serving it, and cutting the op in
 * flight, come with the replayer.
 */
#define _GNU_SOURCE
#include "replay_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "replay.h"
#include "trace.h"

static const char usage[] =
	"usage: muse replay TRACE --at N|mark:NAME|end --export FILE [--format F]\n"
	"\n"
	"Rebuilds the flash as it was after op N (0: before the first op), at the\n"
	"mark NAME, or after the last op, and writes it to FILE: raw, or\n"
	"nanddump-oob (page and OOB, what nanddump --oob writes; the default for\n"
	"NAND).  The trace is opened read-only.\n"
	"\n"
	"  -a, --at POINT     N, mark:NAME or end\n"
	"  -e, --export FILE  the image to write\n"
	"  -f, --format F     raw or nanddump-oob\n"
	"  -h, --help         show this help\n"
	"\n"
	"example:\n"
	"  muse replay t.db --at mark:mkfs-done --export flash.bin\n";

/* Op count at a point: a number, mark:NAME (after the op it follows), end */
static int resolve_point(struct trace *t, const char *at, uint64_t *seq,
			 struct muse_error *e)
{
	sqlite3_stmt *st;
	char *end;
	int found;

	if (!strcmp(at, "end")) {
		*seq = trace_last_seq(t);
		return 0;
	}
	if (strncmp(at, "mark:", 5)) {
		*seq = strtoull(at, &end, 10);
		if (!*at || *end)
			return muse_fail(e, -EINVAL, "--at %s is not N, mark:NAME or end", at);
		if (*seq > trace_last_seq(t))
			return muse_fail(e, -ERANGE, "the trace has %" PRIu64 " ops, not %" PRIu64,
					 trace_last_seq(t), *seq);
		return 0;
	}
	if (sqlite3_prepare_v2(trace_db(t), "SELECT after_seq FROM marks WHERE name = ?"
			       " ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return muse_fail(e, -EIO, "reading the marks failed");
	sqlite3_bind_text(st, 1, at + 5, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return found ? 0 : muse_fail(e, -ENOENT, "the trace has no mark %s", at + 5);
}

static int export_state(const char *path, const char *at, const char *out,
			enum image_format fmt, struct muse_error *e)
{
	struct flash *f = NULL;
	struct trace *t;
	uint64_t seq = 0;
	int ret = trace_open(path, TRACE_READ, &t, e);

	if (ret)
		return ret;
	ret = resolve_point(t, at, &seq, e);
	if (!ret)
		ret = replay_initial(t, &f, e);
	if (!ret)
		ret = replay_range(t, f, 1, seq, e);
	if (!ret)
		ret = image_save(f, out, fmt, e);
	if (!ret)
		printf("%s: the flash after op %" PRIu64 " of %" PRIu64 " -> %s\n",
		       path, seq, trace_last_seq(t), out);
	flash_destroy(f);
	trace_close(t, NULL);
	return ret;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "export", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *at = NULL, *out = NULL;
	enum image_format fmt = IMAGE_AUTO;
	struct muse_error e = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "a:e:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': at = optarg; break;
		case 'e': out = optarg; break;
		case 'f':
			if (image_parse_format(optarg, &fmt, &e)) {
				fprintf(stderr, "muse replay: %s\n", e.msg);
				return 2;
			}
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || !at || !out) {
		fprintf(stderr, "muse replay: give TRACE, --at and --export\n\n%s", usage);
		return 2;
	}
	if (export_state(argv[optind], at, out, fmt, &e)) {
		fprintf(stderr, "muse replay: %s\n", e.msg);
		return 1;
	}
	return 0;
}
