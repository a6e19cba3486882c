/*
 * merge_cmd.c - "muse merge": the results of several sweeps of one trace
 * (the shards of a CI matrix) as one, reported as "muse sweep" reports.
 */
#define _GNU_SOURCE
#include "merge_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "results.h"
#include "sweep.h"
#include "sweep_report.h"

static const char merge_usage[] =
	"usage: muse merge OUT RESULTS...\n"
	"\n"
	"Combines the results files of several sweeps of one trace (the shards\n"
	"of a CI matrix) into OUT, then reports on the whole as muse sweep does.\n"
	"\n"
	"  --junit FILE   JUnit XML report\n"
	"  --html FILE    HTML report\n"
	"  --json FILE    the summary as JSON (as muse sweep --json)\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "junit", required_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "json", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_options ro = { 0 };
	struct muse_error e = { 0 };
	struct results *out;
	char sha[65] = "", other[65], release[65] = "", trace[PATH_MAX] = "";
	char replay_args[REPORT_ARGS_MAX] = "";
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j')
			ro.junit = optarg;
		else if (c == 'H')
			ro.html = optarg;
		else if (c == 'J')
			ro.json = optarg;
		else {
			fputs(merge_usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : SWEEP_EXIT_TOOL;
		}
	}
	if (argc - optind < 2) {
		fputs(merge_usage, stderr);
		return SWEEP_EXIT_TOOL;
	}
	ret = results_open(argv[optind], &out, &e);
	if (ret)
		out = NULL;
	for (int i = optind + 1; !ret && i < argc; i++) {
		struct results *in = NULL;

		if (access(argv[i], R_OK)) {
			ret = muse_fail(&e, -errno, "%s: %s", argv[i], strerror(errno));
			break;
		}
		ret = results_open_readonly(argv[i], &in, &e);
		if (!ret && !results_get_meta(in, "trace_sha256", other, sizeof(other))) {
			if (!sha[0])
				snprintf(sha, sizeof(sha), "%s", other);
			else if (strcmp(sha, other))
				ret = muse_fail(&e, -EINVAL, "%s is from another trace", argv[i]);
		}
		if (!ret && !results_get_meta(in, "kernel_release", other, sizeof(other))) {
			if (!release[0])
				snprintf(release, sizeof(release), "%s", other);
			else if (strcmp(release, other))
				ret = muse_fail(&e, -EINVAL, "%s was judged by Linux %s, the shards before it by %s",
						argv[i], other, release);
		}
		if (!ret)
			results_get_meta(in, "trace", trace, sizeof(trace));
		if (!ret && !replay_args[0])
			results_get_meta(in, "replay_args", replay_args, sizeof(replay_args));
		results_close(in);
		if (!ret)
			ret = results_merge(out, argv[i], &e);
	}
	if (!ret) {
		ro.trace = trace[0] ? trace : "TRACE";
		ro.sha = sha;
		ro.replay_args = replay_args;
		ret = sweep_report(out, &ro, &e);
	}
	results_close(out);
	if (ret < 0) {
		fprintf(stderr, "muse merge: %s\n", e.msg);
		return SWEEP_EXIT_TOOL;
	}
	return ret;
}
