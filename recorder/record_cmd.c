/*
 * record_cmd.c - "muse record": a filesystem workload, recorded.
 *
 * On a host without /dev/muse the command boots a UML kernel and
 * runs itself inside ("--inside").  There it starts "muse serve --trace",
 * prepares the filesystem (UBIFS on UBI, JFFS2, or nothing), marks
 * "mkfs-done" once it is mounted and synced, runs the workload with the
 * mount point in $MUSE_MNT and "muse mark" on its PATH, unmounts, stops
 * the recorder and prints a summary of the trace.
 */
#define _GNU_SOURCE
#include "record_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsmount.h"
#include "geometry.h"
#include "journal.h"
#include "spawn.h"
#include "trace.h"
#include "trace_query.h"
#include "uml.h"

struct record_args {
	const char *trace;
	const char *geometry;
	const char *fs;
	const char *image;
	const char *format;
	const char *mkfs_opts;
	const char *mount_opts;
	const char *kernel;
	const char *mem;
	const char *log;
	const char *save;
	const char *faults;
	bool force;
	bool record_reads;
	bool inside;
	char **cmd;
	char trace_path[PATH_MAX];	/* absolute */
	char default_log[PATH_MAX];	/* TRACE.kernel.log */
};

static const char usage[] =
	"usage: muse record --trace FILE [options] -- CMD [ARGS...]\n"
	"\n"
	"Records a workload: every program, erase and markbad the kernel performs\n"
	"on an emulated flash, in order, into the SQLite trace FILE.  Prepares the\n"
	"filesystem first (recorded too, then marked \"mkfs-done\"), runs CMD with the\n"
	"mount point in $MUSE_MNT, the device in $MUSE_MTD and \"muse mark\" on its\n"
	"PATH, unmounts and prints a summary.  Without /dev/muse on this host it\n"
	"runs inside a User-Mode Linux kernel with MUSE (6.12 unless told), whose\n"
	"release the trace keeps: replay and sweep use the same kernel.\n"
	"\n"
	"  -t, --trace FILE     the trace to write (refused if it exists)\n"
	"  -g, --geometry G     chip geometry (default nand-2k); see muse serve\n"
	"      --fs FS          ubifs (default), jffs2 or none\n"
	"  -i, --image FILE     start from this image instead of an erased chip\n"
	"  -f, --format F       its format (default auto; docs/images.md)\n"
	"      --mkfs-opts O    extra options for ubiformat (ubifs) or\n"
	"                       flash_erase (jffs2)\n"
	"      --mount-opts O   mount options\n"
	"      --force          replace an existing trace\n"
	"      --record-reads   record reads too\n"
	"      --faults PLAN    a flash that fails as PLAN says once the filesystem\n"
	"                       is prepared (mark mkfs-done; docs/faults.md);\n"
	"                       every fault goes into the trace\n"
	"  -s, --save FILE      also write the flash at the end to FILE\n"
	"  -k, --kernel K       host (use /dev/muse here), a UML kernel's name (6.1,\n"
	"                       6.12, see muse kernel list) or path (default:\n"
	"                       $MUSE_KERNEL, else host with /dev/muse, else 6.12)\n"
	"      --mem SIZE       guest memory (default 512M)\n"
	"      --log FILE       kernel log of the guest\n"
	"  -h, --help           show this help\n"
	"\n"
	"example:\n"
	"  muse record --trace t.db --geometry nand-2k --fs ubifs -- ./my-workload.sh\n";

static int parse(int argc, char **argv, struct record_args *a)
{
	enum { OPT_FS = 256, OPT_MKFS, OPT_MOUNT, OPT_FORCE, OPT_READS,
	       OPT_MEM, OPT_LOG, OPT_INSIDE, OPT_FAULTS };
	static const struct option opts[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "geometry", required_argument, NULL, 'g' },
		{ "fs", required_argument, NULL, OPT_FS },
		{ "image", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "mkfs-opts", required_argument, NULL, OPT_MKFS },
		{ "mount-opts", required_argument, NULL, OPT_MOUNT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "record-reads", no_argument, NULL, OPT_READS },
		{ "faults", required_argument, NULL, OPT_FAULTS },
		{ "save", required_argument, NULL, 's' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "inside", no_argument, NULL, OPT_INSIDE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct record_args){ .geometry = "nand-2k", .fs = "ubifs",
				   .mem = "512M" };
	while ((c = getopt_long(argc, argv, "+t:g:i:f:k:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': a->trace = optarg; break;
		case 'g': a->geometry = optarg; break;
		case OPT_FS: a->fs = optarg; break;
		case 'i': a->image = optarg; break;
		case 'f': a->format = optarg; break;
		case OPT_MKFS: a->mkfs_opts = optarg; break;
		case OPT_MOUNT: a->mount_opts = optarg; break;
		case OPT_FORCE: a->force = true; break;
		case OPT_READS: a->record_reads = true; break;
		case OPT_FAULTS: a->faults = optarg; break;
		case 's': a->save = optarg; break;
		case 'k': a->kernel = optarg; break;
		case OPT_MEM: a->mem = optarg; break;
		case OPT_LOG: a->log = optarg; break;
		case OPT_INSIDE: a->inside = true; break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return -1;
		}
	}
	if (!a->trace || optind >= argc) {
		fprintf(stderr, "muse record: %s\n\n%s",
			a->trace ? "no command given" : "--trace FILE is required", usage);
		return -1;
	}
	if (strcmp(a->fs, "ubifs") && strcmp(a->fs, "jffs2") && strcmp(a->fs, "none")) {
		fprintf(stderr, "muse record: --fs %s: ubifs, jffs2 or none\n", a->fs);
		return -1;
	}
	a->cmd = argv + optind;
	return 0;
}

/* ---- the recording daemon --------------------------------------------- */

struct session {
	const struct record_args *a;
	char dir[PATH_MAX - 64];
	char mnt[PATH_MAX];
	char socket[PATH_MAX];
	char mtd[64];
	struct fs_mount fs;
	pid_t daemon;
};

static char *join_words(char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int start_daemon(struct session *s, struct muse_error *e)
{
	const struct record_args *a = s->a;
	char *cmdline = join_words(a->cmd);
	char *argv[32];
	int n = 0, pipefd[2];
	char line[64] = "";
	FILE *in;

	if (!cmdline || pipe(pipefd))
		return muse_fail(e, -ENOMEM, "cannot start the recorder");
	argv[n++] = (char *)spawn_self();
	argv[n++] = "serve";
	argv[n++] = "--geometry";
	argv[n++] = (char *)a->geometry;
	argv[n++] = "--trace";
	argv[n++] = (char *)a->trace;
	argv[n++] = "--mark-socket";
	argv[n++] = s->socket;
	argv[n++] = "--command-line";
	argv[n++] = cmdline;
	argv[n++] = "--fs";
	argv[n++] = (char *)a->fs;
	if (a->image) {
		argv[n++] = "--image";
		argv[n++] = (char *)a->image;
	}
	if (a->format) {
		argv[n++] = "--format";
		argv[n++] = (char *)a->format;
	}
	if (a->force)
		argv[n++] = "--force";
	if (a->record_reads)
		argv[n++] = "--record-reads";
	if (a->faults) {
		argv[n++] = "--faults";
		argv[n++] = (char *)a->faults;
		argv[n++] = "--faults-from-mark";
		argv[n++] = "mkfs-done";
	}
	if (a->save) {
		argv[n++] = "--save";
		argv[n++] = (char *)a->save;
	}
	argv[n] = NULL;
	s->daemon = fork();
	if (s->daemon == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	free(cmdline);
	close(pipefd[1]);
	in = fdopen(pipefd[0], "r");
	if (!in || !fgets(line, sizeof(line), in) || strncmp(line, "/dev/mtd", 8)) {
		if (in)
			fclose(in);
		waitpid(s->daemon, NULL, 0);
		s->daemon = 0;
		return muse_fail(e, -EIO, "the recorder did not start (see above)");
	}
	/* the daemon's later stdout (more partitions) is not ours to read */
	fclose(in);
	line[strcspn(line, "\n")] = '\0';
	snprintf(s->mtd, sizeof(s->mtd), "%s", line);
	return 0;
}

static int stop_daemon(struct session *s)
{
	int status;

	if (!s->daemon)
		return -1;
	kill(s->daemon, SIGTERM);
	if (waitpid(s->daemon, &status, 0) < 0)
		return -1;
	s->daemon = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the filesystem ------------------------------------------------------ */

static int prepare_ubifs(struct session *s, struct muse_error *e)
{
	char opts[1024] = "", ubi[32];
	char *argv[64] = { "ubiformat", "-q", "-y" };
	char *mkvol[] = { "ubimkvol", ubi, "-N", "data", "-m", NULL };
	int n, ret;

	if (s->a->mkfs_opts)
		snprintf(opts, sizeof(opts), "%s", s->a->mkfs_opts);
	n = spawn_add_words(argv, 3, 62, opts);
	argv[n++] = s->mtd;
	argv[n] = NULL;
	ret = spawn_must_run(argv, e);
	if (!ret)
		ret = fs_ubi_attach(&s->fs, e);
	snprintf(ubi, sizeof(ubi), "/dev/ubi%d", s->fs.ubi);
	if (!ret)
		ret = spawn_must_run(mkvol, e);
	return ret ? ret : fs_mount(&s->fs, e);
}

static int prepare_jffs2(struct session *s, struct muse_error *e)
{
	char opts[1024] = "";
	char *argv[64] = { "flash_erase", "-q", "-j" };
	int n, ret;

	if (s->a->mkfs_opts)
		snprintf(opts, sizeof(opts), "%s", s->a->mkfs_opts);
	n = spawn_add_words(argv, 3, 60, opts);
	argv[n++] = s->mtd;
	argv[n++] = "0";
	argv[n++] = "0";
	argv[n] = NULL;
	ret = spawn_must_run(argv, e);
	return ret ? ret : fs_mount(&s->fs, e);
}

static int mark(struct session *s, const char *name, struct muse_error *e)
{
	char *argv[] = { (char *)spawn_self(), "mark", (char *)name, "--socket",
			 s->socket, NULL };

	return spawn_must_run(argv, e);
}

static int prepare(struct session *s, struct muse_error *e)
{
	int ret = 0;

	s->fs = (struct fs_mount){ .fs = s->a->fs, .mtd = s->mtd, .dir = s->mnt,
				   .options = s->a->mount_opts, .ubi = -1 };
	if (!strcmp(s->a->fs, "ubifs"))
		ret = prepare_ubifs(s, e);
	else if (!strcmp(s->a->fs, "jffs2"))
		ret = prepare_jffs2(s, e);
	sync();
	return ret ? ret : mark(s, "mkfs-done", e);
}

static void teardown(struct session *s)
{
	struct muse_error e = { 0 };

	if (s->fs.fs && fs_unmount(&s->fs, &e))
		fprintf(stderr, "muse record: %s\n", e.msg);
}

/* ---- the workload ---------------------------------------------------------- */

static int run_workload(struct session *s)
{
	char bin[PATH_MAX], path[8192];
	char *copy = strdup(spawn_self());
	const char *old = getenv("PATH");
	int status;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s", copy ? dirname(copy) : ".");
	free(copy);
	snprintf(path, sizeof(path), "%s:%s", bin, old ? old : "/usr/bin:/bin");
	pid = fork();
	if (pid == 0) {
		setenv("PATH", path, 1);
		setenv("MUSE_MTD", s->mtd, 1);
		setenv("MUSE_MARK_SOCKET", s->socket, 1);
		if (strcmp(s->a->fs, "none"))
			setenv("MUSE_MNT", s->mnt, 1);
		execvp(s->a->cmd[0], s->a->cmd);
		fprintf(stderr, "muse record: cannot run %s: %s\n", s->a->cmd[0],
			strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the summary --------------------------------------------------------- */

static void summary(const char *path, double seconds)
{
	struct muse_error e;
	struct trace *t = NULL;
	struct stat st = { 0 };
	struct trace_stats c;

	if (trace_open(path, TRACE_READ, &t, &e) || trace_get_stats(t, &c, &e)) {
		fprintf(stderr, "muse record: %s\n", e.msg);
		trace_close(t, NULL);
		return;
	}
	stat(path, &st);
	printf("trace %s\n", path);
	printf("  ops        %" PRIu64 ": %" PRIu64 " programs (%" PRIu64
	       " pages), %" PRIu64 " erases, %" PRIu64 " markbads\n",
	       c.ops, c.programs, c.programmed_pages, c.erases, c.markbads);
	printf("  blocks     %" PRIu64 " erased\n", c.erased_blocks);
	printf("  violations %" PRIu64 "\n", c.violations);
	printf("  marks      %" PRIu64 "\n", c.marks);
	printf("  size       %lld bytes on disk for %" PRIu64 " bytes programmed (%.2f of them)\n",
	       (long long)st.st_size, c.bytes_programmed,
	       c.bytes_programmed ? (double)st.st_size / (double)c.bytes_programmed : 0.0);
	printf("  duration   %.1f s\n", seconds);
	trace_close(t, NULL);
}

/* ---- inside: the whole recording -------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int make_dirs(struct session *s, struct muse_error *e)
{
	int ret = spawn_workdir("record", s->dir, sizeof(s->dir), e);

	if (ret)
		return ret;
	snprintf(s->mnt, sizeof(s->mnt), "%s/mnt", s->dir);
	snprintf(s->socket, sizeof(s->socket), "%s/mark.sock", s->dir);
	if (mkdir(s->mnt, 0755))
		return muse_fail(e, -errno, "%s: %s", s->mnt, strerror(errno));
	return 0;
}

/* The recorder died: what it acknowledged is in its journal */
static void recover_after_crash(const char *trace)
{
	char *argv[] = { (char *)spawn_self(), "recover", (char *)trace, NULL };

	fprintf(stderr, "muse record: the recorder did not stop cleanly; recovering its journal\n");
	spawn_run(argv, NULL, 0);
}

static int record_inside(const struct record_args *a, struct muse_error *e)
{
	struct session s = { .a = a };
	struct timespec t0;
	int ret, status = 0, daemon;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = make_dirs(&s, e);
	if (!ret)
		ret = start_daemon(&s, e);
	if (!ret)
		ret = prepare(&s, e);
	if (!ret)
		status = run_workload(&s);
	teardown(&s);
	daemon = stop_daemon(&s);
	if (daemon != 0 && daemon != 3 && daemon != -1)
		recover_after_crash(a->trace);
	rmdir(s.mnt);
	rmdir(s.dir);
	if (ret)
		return ret;
	summary(a->trace, seconds_since(&t0));
	if (daemon == 3)
		fprintf(stderr, "muse record: the flash saw datasheet rule violations (see the trace)\n");
	if (status) {
		fprintf(stderr, "muse record: the workload exited with status %d; the trace is complete\n",
			status);
		return status;
	}
	return daemon == 0 ? 0 : daemon == 3 ? 3 : 1;
}

/* ---- outside: where to run ------------------------------------------------ */

static int check_trace_path(struct record_args *a, struct muse_error *e)
{
	char *abs = a->trace_path;
	size_t size = sizeof(a->trace_path);
	char dir[PATH_MAX], *copy = strdup(a->trace), *d;
	struct stat st;

	if (!copy)
		return muse_fail(e, -ENOMEM, "out of memory");
	d = dirname(copy);
	if (!realpath(d, dir)) {
		free(copy);
		return muse_fail(e, -errno, "%s: %s", a->trace, strerror(errno));
	}
	free(copy);
	copy = strdup(a->trace);
	if (!copy || snprintf(abs, size, "%s/%s", dir, basename(copy)) >= (int)size) {
		free(copy);
		return muse_fail(e, -ENAMETOOLONG, "%s: name too long", a->trace);
	}
	free(copy);
	if (!a->force && !stat(abs, &st))
		return muse_fail(e, -EEXIST, "%s exists; --force replaces it", abs);
	if (access(dir, W_OK))
		return muse_fail(e, -errno, "cannot write a trace in %s: %s", dir,
				 strerror(errno));
	a->trace = abs;
	if (!a->log && snprintf(a->default_log, sizeof(a->default_log), "%s.kernel.log",
				abs) < (int)sizeof(a->default_log))
		a->log = a->default_log;
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct muse_error e = { 0 };
	struct record_args a;
	int ret;

	ret = parse(argc, argv, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	ret = check_trace_path(&a, &e);
	if (!ret && !a.inside) {
		ret = uml_choose(&a.kernel, &e);
		if (ret == 1) {
			ret = uml_run_self(&(struct uml_options){ .kernel = a.kernel,
								  .mem = a.mem, .log = a.log },
					   "record", argc, argv, &e);
			if (ret >= 0)
				return ret;
		}
	}
	if (!ret)
		ret = record_inside(&a, &e);
	if (ret < 0) {
		fprintf(stderr, "muse record: %s\n", e.msg);
		return 1;
	}
	return ret;
}
