/*
 * stage.c - serving, attaching and mounting a state (see stage.h).
 */
#define _GNU_SOURCE
#include "stage.h"

#include <errno.h>
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
#include "spawn.h"

static void serve_child(int fd, struct flash *f, stage_prepare_fn prepare,
			void *ctx, bool read_cache)
{
	struct muse_server_config cfg = {
		.geometry = flash_geometry(f),
		.extras = { .name = "muse-replay",
			    .readcache = read_cache ? MUSE_DEFAULT_READ_CACHE : 0 },
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
		_exit(served ? 0 : 1);
	}
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
		fclose(in);
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
