/*
 * stage.c - serving, attaching and mounting a state (see stage.h).
 */
#define _GNU_SOURCE
#include "stage.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flash_backend.h"
#include "init_params.h"
#include "daemon.h"
#include "flash_raw.h"
#include "spawn.h"
#include "util.h"

struct unstable_reads {
	uint64_t addr;
	uint32_t reads, failed;
};

struct read_list {
	struct unstable_reads *v;
	size_t count, cap;
	uint32_t unit_data;
};

static int note_reads(void *ctx, uint64_t unit, uint32_t reads, uint32_t failed)
{
	struct read_list *l = ctx;

	if (grow_array(&l->v, &l->cap, l->count + 1, sizeof(*l->v)))
		return -ENOMEM;
	l->v[l->count++] = (struct unstable_reads){ unit * l->unit_data, reads, failed };
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct unstable_reads *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* How often each unstable page was read, for the parent (stage_down) */
static void report_unstable_reads(struct flash *f, FILE *out)
{
	struct read_list l = { .unit_data = geometry_unit_data(flash_geometry(f)) };

	if (!flash_unstable_history(f, note_reads, &l)) {
		qsort(l.v, l.count, sizeof(*l.v), by_addr);
		for (size_t i = 0; i < l.count; i++)
			fprintf(out, "unstable 0x%" PRIx64 " %" PRIu32 " %" PRIu32 "\n",
				l.v[i].addr, l.v[i].reads, l.v[i].failed);
	}
	free(l.v);
	fflush(out);
}

static void serve_child(int fd, struct flash *f, stage_prepare_fn prepare,
			void *ctx, bool read_cache)
{
	struct muse_server_config cfg = {
		.geometry = flash_geometry(f),
		.extras = { .name = "muse-replay",
			    .readcache = read_cache ? MUSE_DEFAULT_READ_CACHE : 0 },
		/* a replayed flash is not strict: its programs never fail */
		.write_behind = true,
	};
	FILE *out = fdopen(fd, "w");
	struct muse_error e = { 0 };
	struct muse_server_stats st;
	struct flash_backend fb;
	struct muse_backend be;
	char bad[2048];
	bool served;

	if (!out)
		_exit(1);
	if (prepare && prepare(ctx, f, &e)) {
		fprintf(out, "error: %s\n", e.msg);
		_exit(1);
	}
	if (!muse_bad_block_list(f, bad, sizeof(bad)))
		cfg.extras.badblocks = bad;
	if (flash_backend_init(&fb, f, &be))
		_exit(1);
	if (serve_until_stopped(&cfg, &be, out, &served, &st, &e)) {
		if (!served)
			fprintf(out, "error: %s\n", e.msg);
		fflush(out);
		_exit(served ? 0 : 1);
	}
	report_unstable_reads(f, out);
	_exit(0);
}

static int make_dirs(struct stage *st, struct muse_error *e)
{
	int ret = spawn_workdir("replay", st->dir, sizeof(st->dir), e);

	if (!ret && snprintf(st->mnt, sizeof(st->mnt), "%s/mnt", st->dir) >=
	    (int)sizeof(st->mnt))
		ret = muse_fail(e, -ENAMETOOLONG, "%s: the name is too long", st->dir);
	if (!ret && mkdir(st->mnt, 0755))
		ret = muse_fail(e, -errno, "%s: %s", st->mnt, strerror(errno));
	return ret;
}

int stage_serve(struct stage *st, struct flash *f, stage_prepare_fn prepare,
		void *ctx, bool read_cache, struct muse_error *e)
{
	int pipefd[2], ret;
	char line[1024] = "";
	FILE *in;

	memset(st, 0, sizeof(*st));
	st->m.ubi = -1;
	ret = make_dirs(st, e);
	if (ret)
		return ret;
	if (pipe(pipefd))
		return muse_fail(e, -errno, "pipe: %s", strerror(errno));
	fflush(NULL);
	st->server = fork();
	if (st->server == 0) {
		close(pipefd[0]);
		serve_child(pipefd[1], f, prepare, ctx, read_cache);
	}
	close(pipefd[1]);
	in = fdopen(pipefd[0], "r");
	if (st->server > 0 && in && fgets(line, sizeof(line), in) &&
	    !strncmp(line, "/dev/mtd", 8)) {
		st->from_server = in;
		line[strcspn(line, "\n")] = '\0';
		snprintf(st->mtd, sizeof(st->mtd), "%.63s", line);
		st->m.mtd = st->mtd;
		st->m.dir = st->mnt;
		return 0;
	}
	if (in)
		fclose(in);
	line[strcspn(line, "\n")] = '\0';
	stage_down(st, NULL);
	return muse_fail(e, -EIO, "serving the flash failed: %s",
			 !strncmp(line, "error: ", 7) ? line + 7 : "see above");
}

int stage_mount(struct stage *st, const char *fs, bool no_mount,
		struct muse_error *e)
{
	int ret = 0;

	st->m.fs = fs;
	if (!strcmp(fs, "ubifs"))
		ret = fs_ubi_attach(&st->m, e);
	if (!ret && !no_mount && strcmp(fs, "none"))
		ret = fs_mount(&st->m, e);
	return ret;
}

int stage_remount(struct stage *st, struct muse_error *e)
{
	if (!st->m.mounted)
		return 0;
	if (umount(st->mnt))
		return muse_fail(e, -errno, "umount %s: %s", st->mnt, strerror(errno));
	st->m.mounted = false;
	return fs_mount(&st->m, e);
}

/* "ADDR READS/FAILED ..." from the server's last words */
static void read_unstable_report(struct stage *st)
{
	char line[128], addr[32];
	unsigned reads, failed;
	size_t used = 0;

	while (fgets(line, sizeof(line), st->from_server)) {
		int n;

		if (sscanf(line, "unstable %31s %u %u", addr, &reads, &failed) != 3)
			continue;
		n = snprintf(st->reads + used, sizeof(st->reads) - used, "%s%s %u/%u",
			     used ? " " : "", addr, reads, failed);
		if (n < 0 || (size_t)n >= sizeof(st->reads) - used) {
			st->reads[used] = '\0';
			snprintf(st->reads + used, sizeof(st->reads) - used, " ...");
			break;
		}
		used += (size_t)n;
	}
}

int stage_down(struct stage *st, struct muse_error *e)
{
	struct muse_error ignored;
	int ret = 0;

	if (st->m.fs)
		ret = fs_unmount(&st->m, e ? e : &ignored);
	if (st->server > 0) {
		kill(st->server, SIGTERM);
		waitpid(st->server, NULL, 0);
		st->server = 0;
	}
	if (st->from_server) {
		read_unstable_report(st);
		fclose(st->from_server);
		st->from_server = NULL;
	}
	if (st->dir[0]) {
		rmdir(st->mnt);
		rmdir(st->dir);
		st->dir[0] = '\0';
	}
	return ret;
}

int stage_run(const struct stage *st, char *const argv[])
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setenv("MUSE_MTD", st->mtd, 1);
		if (st->m.mounted)
			setenv("MUSE_MNT", st->mnt, 1);
		if (st->m.ubi >= 0) {
			char ubi[32];

			snprintf(ubi, sizeof(ubi), "/dev/ubi%d", st->m.ubi);
			setenv("MUSE_UBI", ubi, 1);
		}
		if (st->m.mounted && chdir(st->mnt))
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "muse: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
