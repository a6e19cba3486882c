/*
 * uml_cmd.c - "muse uml": run a command inside a UML kernel with MUSE.
 */
#include "uml_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uml.h"

static const char usage[] =
	"usage: muse uml [options] -- CMD [ARGS...]\n"
	"\n"
	"Boots a User-Mode Linux kernel with MUSE, MTD, UBI, UBIFS and JFFS2\n"
	"with this machine's / as its root, runs CMD there as root with the\n"
	"current directory and environment, and exits with CMD's exit status.\n"
	"CMD's output appears here; the kernel's console goes to the log.\n"
	"stdin reaches CMD only when it is a terminal (then CMD gets the\n"
	"terminal); otherwise CMD reads /dev/null.\n"
	"\n"
	"  -k, --kernel NAME   kernel to boot: a version (6.1, 6.12), a name from\n"
	"                      \"muse kernel list\", or a path (default: $MUSE_KERNEL,\n"
	"                      else 6.12; a version is built on first use)\n"
	"  -m, --mem SIZE      guest memory (default 512M)\n"
	"  -l, --log FILE      kernel console log (default $TMPDIR/muse-uml.log)\n"
	"  -t, --timeout SECS  kill the guest after SECS seconds (exit 124)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: CMD's; 124 on timeout; 125 if the kernel stopped before\n"
	"CMD finished (see the log); 126/127 if CMD could not be run.\n"
	"\n"
	"examples:\n"
	"  muse uml -- cat /proc/mtd\n"
	"  muse uml --log boot.log -- sh -c 'muse serve & sleep 1; mtdinfo -a'\n";

static char default_log[4096];

static const char *default_log_path(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(default_log, sizeof(default_log), "%s/muse-uml.log",
		 tmp && *tmp == '/' ? tmp : "/tmp");
	return default_log;
}

int cmd_uml(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "mem", required_argument, NULL, 'm' },
		{ "log", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct uml_options o = { .mem = "512M" };
	struct muse_error e = { 0 };
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+k:m:l:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o.kernel = optarg; break;
		case 'm': o.mem = optarg; break;
		case 'l': o.log = optarg; break;
		case 't':
			o.timeout = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, "muse uml: --timeout %s is not a number of seconds\n",
					optarg);
				return 2;
			}
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "muse uml: no command given\n\n%s", usage);
		return 2;
	}
	if (!o.log)
		o.log = default_log_path();
	o.argv = argv + optind;
	ret = uml_run(&o, &e);
	if (ret < 0) {
		fprintf(stderr, "muse uml: %s\n", e.msg);
		return UML_EXIT_NO_STATUS;
	}
	return ret;
}
