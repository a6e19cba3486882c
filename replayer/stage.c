/*
 * stage.c - serving, attaching and mounting a state (see stage.h).
 */
#define _GNU_SOURCE
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flash_backend.h"
#include "daemon.h"
#include "init_params.h"
#include "server.h"
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

/*
 * A replayed state is read once, by a mount and the checks after it,
 * which read nodes scattered over the filesystem's blocks: the kernel
 * may keep up to 1,024 pages (within its 16 MiB) and fetch 32 at a miss
 * while that pays.
 */
#define STAGE_READ_CACHE 1024u
#define STAGE_READ_AHEAD 32u

static void set_read_cache(struct muse_init_extras *x, const struct geometry *g)
{
	x->readcache = STAGE_READ_CACHE;
	if ((uint64_t)x->readcache * g->page_size > MUSE_MAX_READ_CACHE_BYTES)
		x->readcache = (uint32_t)(MUSE_MAX_READ_CACHE_BYTES / g->page_size);
	x->readahead = x->readcache < STAGE_READ_AHEAD ? x->readcache :
							  STAGE_READ_AHEAD;
}

/* Ends the connection of a serving thread: see stage_serve() */
struct serving {
	struct flash *f;
	stage_prepare_fn prepare;
	void *ctx;
	bool read_cache;
	FILE *out;		/* to stage_serve() and stage_down() */
	pthread_mutex_t lock;	/* protects @server and @stop */
	struct muse_server *server;
	bool stop;
	bool announced;		/* the devices went out */
};

static void serve_config(struct serving *sv, struct muse_server_config *cfg,
			 char *bad, size_t size)
{
	*cfg = (struct muse_server_config){
		.geometry = flash_geometry(sv->f),
		.extras = { .name = "muse-replay" },
		/* a replayed flash is not strict: its programs never fail */
		.write_behind = true,
	};
	if (sv->read_cache)
		set_read_cache(&cfg->extras, cfg->geometry);
	if (!muse_bad_block_list(sv->f, bad, size))
		cfg->extras.badblocks = bad;
}

/* Makes the server reachable by stage_down(); false if it came too late */
static bool publish(struct serving *sv, struct muse_server *s)
{
	bool stop;

	pthread_mutex_lock(&sv->lock);
	stop = sv->stop;
	if (!stop)
		sv->server = s;
	pthread_mutex_unlock(&sv->lock);
	return !stop;
}

/* Serves until stage_down(); what stage_serve() waits for goes to sv->out */
static int serve(struct serving *sv, const struct muse_backend *be,
		 struct muse_error *e)
{
	struct muse_server_config cfg;
	struct muse_mtd_list list;
	struct muse_server *s;
	char bad[2048];
	int ret;

	serve_config(sv, &cfg, bad, sizeof(bad));
	ret = muse_server_start(&cfg, be, &s, e);
	if (ret)
		return ret;
	if (!publish(sv, s)) {
		muse_server_close(s);
		return muse_fail(e, -EINTR, "stopped before serving");
	}
	ret = muse_server_wait_mtd(s, 10000, &list, e);
	if (!ret) {
		print_devices(sv->out, &list);
		sv->announced = true;
		ret = muse_server_run(s, e);
	}
	pthread_mutex_lock(&sv->lock);
	sv->server = NULL;
	pthread_mutex_unlock(&sv->lock);
	muse_server_close(s);
	return ret;
}

static void *serving_thread(void *arg)
{
	struct serving *sv = arg;
	struct muse_error e = { 0 };
	struct flash_backend fb;
	struct muse_backend be;
	int ret = 0;

	if (sv->prepare)
		ret = sv->prepare(sv->ctx, sv->f, &e);
	if (!ret)
		ret = flash_backend_init(&fb, sv->f, &be);
	if (!ret) {
		if (serve(sv, &be, &e) && !sv->announced)
			fprintf(sv->out, "error: %s\n", e.msg);
		flash_backend_release(&fb);
	} else {
		fprintf(sv->out, "error: %s\n", e.msg[0] ? e.msg : strerror(-ret));
	}
	report_unstable_reads(sv->f, sv->out);
	fclose(sv->out);
	return NULL;
}

static void on_stop_signal(int sig)
{
	(void)sig;	/* only there to make a blocked read return EINTR */
}

/* Ends the connection: a read about to start reads EOF, one blocked EINTR */
static void stop_serving(struct stage *st)
{
	struct serving *sv = st->serving;

	pthread_mutex_lock(&sv->lock);
	sv->stop = true;
	if (sv->server)
		muse_server_interrupt(sv->server);
	pthread_mutex_unlock(&sv->lock);
	pthread_kill(st->thread, SIGUSR2);
}

static int start_serving(struct stage *st, struct serving *sv, int fd)
{
	static const struct sigaction sa = { .sa_handler = on_stop_signal };
	int ret;

	sigaction(SIGUSR2, &sa, NULL);
	sv->out = fdopen(fd, "w");
	if (!sv->out) {
		close(fd);
		return -errno;
	}
	pthread_mutex_init(&sv->lock, NULL);
	st->serving = sv;
	ret = flash_undo_begin(sv->f);
	if (!ret)
		ret = -pthread_create(&st->thread, NULL, serving_thread, sv);
	if (ret) {
		flash_undo_end(sv->f);
		fclose(sv->out);
		pthread_mutex_destroy(&sv->lock);
		st->serving = NULL;
	}
	return ret;
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
	struct serving *sv = calloc(1, sizeof(*sv));
	int pipefd[2], ret;
	char line[1024] = "";
	FILE *in;

	memset(st, 0, sizeof(*st));
	st->m.ubi = -1;
	if (!sv)
		return muse_fail(e, -ENOMEM, "out of memory");
	*sv = (struct serving){ .f = f, .prepare = prepare, .ctx = ctx,
				.read_cache = read_cache };
	ret = make_dirs(st, e);
	if (!ret && pipe2(pipefd, O_CLOEXEC))
		ret = muse_fail(e, -errno, "pipe: %s", strerror(errno));
	if (ret) {
		free(sv);
		stage_down(st, NULL);
		return ret;
	}
	in = fdopen(pipefd[0], "r");
	ret = in ? start_serving(st, sv, pipefd[1]) : -errno;
	if (ret) {
		if (in)
			fclose(in);
		else
			close(pipefd[0]);
		free(sv);
		stage_down(st, NULL);
		return muse_fail(e, ret, "serving the flash: %s", strerror(-ret));
	}
	/* read until the thread ends: it must never write to a closed pipe */
	st->from_server = in;
	if (fgets(line, sizeof(line), in) && !strncmp(line, "/dev/mtd", 8)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(st->mtd, sizeof(st->mtd), "%.63s", line);
		st->m.mtd = st->mtd;
		st->m.dir = st->mnt;
		return 0;
	}
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

/* "ADDR READS/FAILED ..." from the server's last words, read to the end */
static void read_unstable_report(struct stage *st)
{
	char line[128], addr[32];
	unsigned reads, failed;
	size_t used = 0;
	bool full = false;

	while (fgets(line, sizeof(line), st->from_server)) {
		int n;

		if (full || sscanf(line, "unstable %31s %u %u", addr, &reads,
				   &failed) != 3)
			continue;
		n = snprintf(st->reads + used, sizeof(st->reads) - used, "%s%s %u/%u",
			     used ? " " : "", addr, reads, failed);
		if (n < 0 || (size_t)n >= sizeof(st->reads) - used) {
			st->reads[used] = '\0';
			snprintf(st->reads + used, sizeof(st->reads) - used, " ...");
			full = true;
			continue;
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
	if (st->serving) {
		stop_serving(st);
		if (st->from_server)
			read_unstable_report(st);
		pthread_join(st->thread, NULL);
		/* whatever UBI, the filesystem and the cut wrote is taken back */
		flash_undo_end(st->serving->f);
		pthread_mutex_destroy(&st->serving->lock);
		free(st->serving);
		st->serving = NULL;
	}
	if (st->from_server) {
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
