/*
 * recover_cmd.c - "muse recover": complete the trace of an interrupted
 * recording from its journal.
 */
#include "recover_cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "trace.h"
#include "trace_query.h"

static const char usage[] =
	"usage: muse recover TRACE\n"
	"\n"
	"Completes a trace whose recorder was killed or stopped by a full disk:\n"
	"moves the acknowledged operations still in TRACE-journal.muse into it,\n"
	"then removes the journal.  A complete trace is left alone.\n"
	"\n"
	"Exit status: 0, or 2 when TRACE cannot be used (the message says why).\n";

static int recover(const char *path, struct muse_error *e)
{
	char journal[4096], status[96];
	struct trace *t;
	uint64_t ops = 0;
	struct stat st;
	int ret;

	if (trace_journal_path(path, journal, sizeof(journal)))
		return muse_fail(e, -ENAMETOOLONG, "%s: name too long", path);
	ret = trace_open(path, TRACE_WRITE, &t, e);
	if (ret)
		return ret;
	/* recovering into a damaged file would bury the damage */
	ret = trace_check_integrity(t, e);
	if (ret) {
		trace_close(t, NULL);
		return ret;
	}
	if (!stat(journal, &st)) {
		ret = trace_begin(t);
		if (!ret)
			ret = journal_recover(journal, t, &ops, e);
		snprintf(status, sizeof(status), "recovered (%" PRIu64
			 " ops from the journal)", ops);
		if (!ret)
			ret = trace_set_meta(t, "status", status);
		if (!ret)
			ret = trace_commit(t, e);
		else
			trace_rollback(t);
	}
	/* opening it for writing took the digest away; the content is final */
	if (!ret)
		ret = trace_seal(t, e);
	printf("%s: %" PRIu64 " operations recovered; the trace ends at op %" PRIu64 "\n",
	       path, ops, trace_last_seq(t));
	if (ret) {
		trace_close(t, NULL);
		return ret;
	}
	ret = trace_close(t, e);
	if (!ret)
		unlink(journal);
	return ret;
}

int cmd_recover(int argc, char **argv)
{
	struct muse_error e = { 0 };

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (recover(argv[1], &e)) {
		fprintf(stderr, "muse recover: %s\n", e.msg);
		return 2;
	}
	return 0;
}
