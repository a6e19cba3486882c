/*
 * muse.c - the "muse" command: one program, one subcommand per job.
 *
 * Also the init of the guests that "muse uml" boots: the kernel runs
 * this program as PID 1 with MUSE_JOB in its environment.
 */
#include <stdio.h>
#include <string.h>

#include "inspect_cmd.h"
#include "convert_cmd.h"
#include "fuzz_cmd.h"
#include "kernel_cmd.h"
#include "mount_cmd.h"
#include "mark_cmd.h"
#include "merge_cmd.h"
#include "record_cmd.h"
#include "recover_cmd.h"
#include "replay_cmd.h"
#include "serve_cmd.h"
#include "sweep_cmd.h"
#include "uml.h"
#include "uml_cmd.h"
#include "version.h"

static const char usage[] =
	"usage: muse COMMAND [options]\n"
	"\n"
	"Flash (MTD) devices in userspace over MUSE, for power-cut testing.\n"
	"\n"
	"commands:\n"
	"  serve    create an MTD device backed by a flash chip in this process\n"
	"           (--trace FILE records every operation)\n"
	"  record   record a filesystem workload into a trace\n"
	"  mark     name a point of the workload in the trace being recorded\n"
	"  inspect  what a trace holds: summary, ops, marks, block history\n"
	"  recover  complete the trace of an interrupted recording\n"
	"  replay   the flash as it was at a point of a trace\n"
	"  sweep    check every cut point of a trace\n"
	"  merge    combine the results of sweep shards\n"
	"  fuzz     fuzzing campaigns: a workload on failing flash, mutated images\n"
	"  convert  a flash image from one format to another (dumps, ubinize,\n"
	"           mkfs.jffs2, controller layouts)\n"
	"  mount    every state of a trace as read-only files (FUSE)\n"
	"  uml      run a command inside a User-Mode Linux kernel with MUSE\n"
	"  kernel   list, build and locate those kernels (6.1, 6.12, any tree)\n"
	"  version  print the version\n"
	"\n"
	"\"muse COMMAND --help\" describes a command.\n";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("muse %s\n", MUSE_VERSION);
	return 0;
}

static const struct command commands[] = {
	{ "serve", cmd_serve },
	{ "record", cmd_record },
	{ "mark", cmd_mark },
	{ "inspect", cmd_inspect },
	{ "recover", cmd_recover },
	{ "replay", cmd_replay },
	{ "sweep", cmd_sweep },
	{ "merge", cmd_merge },
	{ "fuzz", cmd_fuzz },
	{ "convert", cmd_convert },
	{ "mount", cmd_mount },
	{ "uml", cmd_uml },
	{ "kernel", cmd_kernel },
	{ "version", cmd_version },
};

int main(int argc, char **argv)
{
	if (uml_is_guest_init())
		uml_guest_main();
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "muse: unknown command %s\n\n%s", argv[1], usage);
	return 2;
}
