/*
 * kernel_cmd.c - "muse kernel": list, build and locate the kernels muse
 * boots.
 */
#include "kernel_cmd.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernels.h"

static const char usage[] =
	"usage: muse kernel list\n"
	"       muse kernel build [--debug] VERSION\n"
	"       muse kernel build [--debug] --source DIR [--name NAME] [--config FILE]\n"
	"       muse kernel path [--debug] NAME\n"
	"\n"
	"The User-Mode Linux kernels with MUSE that record, replay, sweep and uml\n"
	"boot (--kernel NAME).  A kernel is named by its Linux version (6.1, 6.12:\n"
	"built from Debian's linux-source-VERSION) or by the name a build from a\n"
	"source tree was given.  A version's kernel is built on first use; builds\n"
	"are cached by a hash of their inputs.\n"
	"\n"
	"  list                 the kernels built, and those that can be built\n"
	"  build VERSION        build the kernel of VERSION\n"
	"  build --source DIR   build the kernel tree in DIR (Linux 6.1 or later,\n"
	"                       a vendor's for instance) with the MUSE series of\n"
	"                       the nearest version; NAME defaults to the tree's\n"
	"                       version.  --config FILE: the configuration whose\n"
	"                       UBI, UBIFS and JFFS2 options to keep (default: the\n"
	"                       tree's .config, if any)\n"
	"  path NAME            print where kernel NAME is (exit 1 if not built)\n"
	"  --debug              the debug variant (KASAN, lockdep, debug objects)\n"
	"  -h, --help           show this help\n"
	"\n"
	"docs/kernels.md tells more.\n";

struct list_state {
	const char *variant;
	int count;
};

static void print_kernel(const struct kernel_info *k, void *arg)
{
	struct list_state *st = arg;

	printf("%-12s %-10s %-20s built  %s\n", k->name[0] ? k->name : "?",
	       st->variant, k->release[0] ? k->release : "?", k->path);
	st->count++;
}

static bool tarball_present(const char *version)
{
	char path[256];

	snprintf(path, sizeof(path), "/usr/src/linux-source-%s.tar.xz", version);
	return !access(path, R_OK);
}

static int list_kernels(void)
{
	static const char *const variants[] = { "uml", "uml-debug" };
	struct kernel_info k;

	printf("%-12s %-10s %-20s %s\n", "NAME", "VARIANT", "RELEASE", "STATE");
	for (size_t i = 0; i < 2; i++) {
		struct list_state st = { .variant = variants[i] };

		kernels_each(variants[i], print_kernel, &st);
	}
	for (const char *const *v = kernel_versions(); *v; v++) {
		for (size_t i = 0; i < 2; i++) {
			if (!kernel_lookup(*v, variants[i], &k, &(struct muse_error){ 0 }))
				continue;
			printf("%-12s %-10s %-20s not built%s: muse kernel build%s %s\n",
			       *v, variants[i], "-",
			       tarball_present(*v) ? "" : " (needs the package linux-source-VERSION)",
			       i ? " --debug" : "", *v);
		}
	}
	return 0;
}

struct build_args {
	const char *source, *name, *config;
	bool debug;
};

static int parse_build(int argc, char **argv, struct build_args *a)
{
	static const struct option opts[] = {
		{ "debug", no_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ds:n:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->debug = true; break;
		case 's': a->source = optarg; break;
		case 'n': a->name = optarg; break;
		case 'c': a->config = optarg; break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return -1;
		}
	}
	return 0;
}

static int build(int argc, char **argv)
{
	struct build_args a = { 0 };
	struct muse_error e = { 0 };
	int ret = parse_build(argc, argv, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (a.source ? optind != argc : optind != argc - 1 || a.name || a.config) {
		fprintf(stderr, "muse kernel build: give a VERSION, or --source DIR\n\n%s", usage);
		return 2;
	}
	ret = kernel_build(a.source ? NULL : argv[optind], a.source, a.name,
			   a.config, a.debug ? "uml-debug" : "uml", &e);
	if (ret) {
		fprintf(stderr, "muse kernel build: %s\n", e.msg);
		return 1;
	}
	return 0;
}

static int path(int argc, char **argv)
{
	struct build_args a = { 0 };
	struct muse_error e = { 0 };
	struct kernel_info k;
	int ret = parse_build(argc, argv, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (optind != argc - 1 || a.source || a.name || a.config) {
		fprintf(stderr, "muse kernel path: give one kernel NAME\n\n%s", usage);
		return 2;
	}
	if (kernel_lookup(argv[optind], a.debug ? "uml-debug" : "uml", &k, &e)) {
		fprintf(stderr, "muse kernel path: %s\n", e.msg);
		return 1;
	}
	printf("%s\n", k.path);
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list") && argc == 2)
		return list_kernels();
	if (!strcmp(argv[1], "build"))
		return build(argc - 1, argv + 1);
	if (!strcmp(argv[1], "path"))
		return path(argc - 1, argv + 1);
	fprintf(stderr, "muse kernel: unknown subcommand %s\n\n%s", argv[1], usage);
	return 2;
}
