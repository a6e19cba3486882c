/*
 * recorder.c - the recording backend (see recorder.h).
 *
 * Order for every mutating request: make room in the journal (moving
 * records into the trace if needed), apply the operation to the flash,
 * journal it with its result, and only then let the server answer.  Room
 * is made before the flash changes, so an operation the recorder cannot
 * journal is refused whole instead of applied unrecorded.
 */
#define _GNU_SOURCE
#include "recorder.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "flash_backend.h"
#include "clock.h"
#include "flash_io.h"
#include "flash_raw.h"
#include "hash.h"
#include "journal.h"
#include "trace_query.h"
#include "version.h"

#define RING_SIZE (4u << 20)
#define DRAIN_BYTES (1u << 20)
#define MIN_FREE (64ull << 20)
/* a program can break all three datasheet rules at once */
#define VIOLATION_ROOM 256

struct recorder {
	struct flash *flash;
	struct trace *trace;
	struct journal *journal;
	char *trace_path;
	char *journal_path;
	pthread_mutex_t lock;		/* journal, trace, seq, stats */
	uint64_t seq;			/* last op journaled */
	uint64_t t0;
	bool record_reads;
	struct faults *faults;		/* NULL: none (yet) */
	struct faults *waiting;		/* armed by the mark named faults_from */
	char *faults_from;
	size_t fault_room;		/* journal bytes one request's faults need */
	int stopped;			/* errno that ended the recording */
	uint8_t *scratch;
	struct recorder_stats stats;
};

static uint64_t elapsed(struct recorder *r)
{
	return clock_ns() - r->t0;
}

static void stop(struct recorder *r, int err, const char *why)
{
	if (r->stopped)
		return;
	r->stopped = err ? err : -EIO;
	r->stats.stopped = true;
	fprintf(stderr, "muse: recording stopped: %s; every later write fails "
		"with ENOSPC; the trace holds every acknowledged operation\n", why);
}

static int drain(struct recorder *r)
{
	struct muse_error e;
	int ret = journal_drain(r->journal, r->trace, &e);

	if (ret)
		stop(r, ret, e.msg);
	return ret;
}

/* Called with the lock held, before the flash changes */
static int make_room(struct recorder *r, size_t need)
{
	if (r->stopped)
		return -ENOSPC;
	if (journal_pending(r->journal) >= DRAIN_BYTES ||
	    journal_space(r->journal) < need + JOURNAL_MAX_RECORD) {
		if (drain(r))
			return -ENOSPC;
	}
	return 0;
}

static void on_violation(void *ctx, const struct flash_violation *v)
{
	struct recorder *r = ctx;
	struct trace_violation tv = {
		.seq = r->seq + 1, .kind = v->kind, .block = v->block,
		.page = v->page, .detail = v->detail,
	};

	flash_log_violation(stderr, v);
	/* room was made for it with the program */
	journal_add_violation(r->journal, &tv);
}

static void on_fault(void *ctx, const struct fault_event *ev)
{
	struct recorder *r = ctx;
	struct trace_fault tf = {
		.seq = ev->seq, .kind = fault_kind_name(ev->kind),
		.block = ev->block, .has_unit = ev->has_unit, .addr = ev->addr,
		.mask = ev->has_unit ? ev->mask : NULL,
		.mask_len = flash_unit_size(r->flash), .bits = ev->bits,
		.bad = ev->bad, .time_ns = elapsed(r),
	};

	flash_log_fault(stderr, ev);
	/* room was made for it with the request */
	journal_add_fault(r->journal, &tf);
	r->stats.faults++;
}

int recorder_set_faults(struct recorder *r, struct faults *fa, const char *plan,
			const char *from_mark)
{
	int ret;

	pthread_mutex_lock(&r->lock);
	r->fault_room = faults_max_events(fa) *
			journal_fault_size(flash_unit_size(r->flash));
	faults_set_handler(fa, on_fault, r);
	ret = trace_set_meta(r->trace, "faults", plan);
	if (!ret && from_mark) {
		r->waiting = fa;
		r->faults_from = strdup(from_mark);
		ret = r->faults_from ? trace_set_meta(r->trace, "faults_from_mark",
						      from_mark) : -ENOMEM;
	} else if (!ret) {
		r->faults = fa;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static void journal_op(struct recorder *r, struct trace_op *op)
{
	op->seq = ++r->seq;
	op->time_ns = elapsed(r);
	/* fits: make_room() reserved it */
	journal_add_op(r->journal, op);
	r->stats.ops++;
}

static int rec_program(void *ctx, const struct flash_program *p)
{
	struct recorder *r = ctx;
	struct trace_op op = { .kind = TRACE_PROGRAM, .prog = *p };
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = make_room(r, journal_op_size(p->len, p->ooblen) + VIOLATION_ROOM +
			r->fault_room);
	if (!ret) {
		op.result = r->faults ? faults_program(r->faults, p, r->seq + 1) :
			    flash_program(r->flash, p);
		journal_op(r, &op);
		r->stats.programs++;
		r->stats.bytes_programmed += p->len + p->ooblen;
		ret = op.result;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static int rec_write(void *ctx, const struct flash_io *io, const uint8_t *data,
		     const uint8_t *oob)
{
	struct recorder *r = ctx;

	return flash_io_split_write(flash_geometry(r->flash), io, data, oob,
				    r->scratch, rec_program, r);
}

static int block_op(struct recorder *r, enum trace_op_kind kind,
		    uint64_t block)
{
	if (r->faults && kind == TRACE_ERASE)
		return faults_erase(r->faults, block, r->seq + 1);
	if (r->faults)
		return faults_mark_bad(r->faults, block, r->seq + 1);
	return kind == TRACE_ERASE ? flash_erase(r->flash, block) :
	       flash_mark_bad(r->flash, block);
}

/* Erase and markbad: one block, one op */
static int rec_block_op(struct recorder *r, enum trace_op_kind kind,
			uint64_t block)
{
	const struct geometry *g = flash_geometry(r->flash);
	struct trace_op op = { .kind = kind, .prog.addr = block * g->block_size };
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = make_room(r, journal_op_size(0, 0) + r->fault_room);
	if (!ret) {
		op.result = block_op(r, kind, block);
		journal_op(r, &op);
		if (kind == TRACE_ERASE)
			r->stats.erases++;
		else
			r->stats.markbads++;
		ret = op.result;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static int rec_erase(void *ctx, uint64_t block)
{
	return rec_block_op(ctx, TRACE_ERASE, block);
}

static int rec_mark_bad(void *ctx, uint64_t block)
{
	return rec_block_op(ctx, TRACE_MARKBAD, block);
}

static int rec_is_bad(void *ctx, uint64_t block)
{
	struct recorder *r = ctx;
	int ret;

	/* fault_room is set before serving; faults is armed under the lock */
	if (!r->fault_room)
		return flash_is_bad(r->flash, block);
	pthread_mutex_lock(&r->lock);
	ret = r->faults ? faults_is_bad(r->faults, block) :
	      flash_is_bad(r->flash, block);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

/* The faults a read causes, journaled like the rest */
static void read_faults(struct recorder *r, const struct flash_io *io)
{
	pthread_mutex_lock(&r->lock);
	if (r->faults && !make_room(r, r->fault_room))
		faults_after_read(r->faults, io, r->seq);
	pthread_mutex_unlock(&r->lock);
}

static void rec_read(void *ctx, const struct flash_io *io, uint8_t *data,
		     uint8_t *oob, struct flash_ecc *ecc)
{
	struct recorder *r = ctx;
	struct trace_read rd;

	flash_io_read(r->flash, io, data, oob, ecc);
	if (r->fault_room)
		read_faults(r, io);
	if (!r->record_reads)
		return;
	pthread_mutex_lock(&r->lock);
	if (!make_room(r, 128)) {
		rd = (struct trace_read){
			.after_seq = r->seq, .addr = io->addr, .len = io->len,
			.ooblen = io->ooblen, .mode = io->mode,
			.corrected = ecc->corrected, .failed = ecc->failed,
			.time_ns = elapsed(r),
		};
		journal_add_read(r->journal, &rd);
		r->stats.reads++;
	}
	pthread_mutex_unlock(&r->lock);
}

/* The kernel syncs on unmount: a good moment to bring the trace up to date */
static int rec_sync(void *ctx)
{
	struct recorder *r = ctx;

	pthread_mutex_lock(&r->lock);
	if (!r->stopped)
		drain(r);
	pthread_mutex_unlock(&r->lock);
	return flash_sync(r->flash);
}

void recorder_backend(struct recorder *r, struct muse_backend *be)
{
	*be = (struct muse_backend){
		.ctx = r, .read = rec_read, .write = rec_write,
		.erase = rec_erase, .is_bad = rec_is_bad,
		.mark_bad = rec_mark_bad, .sync = rec_sync,
	};
}

int recorder_add_mark(struct recorder *r, const struct trace_mark *m,
		      uint64_t *after_seq, struct muse_error *e)
{
	struct trace_mark copy = *m;
	size_t need = 256 + strlen(m->name);
	int ret;

	for (uint32_t i = 0; i < m->nfiles; i++)
		need += 128 + strlen(m->files[i].path) + m->files[i].content_len;
	pthread_mutex_lock(&r->lock);
	ret = make_room(r, need);
	if (!ret) {
		copy.after_seq = r->seq;
		copy.time_ns = elapsed(r);
		ret = journal_add_mark(r->journal, &copy);
	}
	if (!ret) {
		*after_seq = r->seq;
		r->stats.marks++;
		if (r->faults_from && !strcmp(m->name, r->faults_from))
			r->faults = r->waiting;
	}
	pthread_mutex_unlock(&r->lock);
	if (ret)
		return muse_fail(e, ret, "cannot record the mark: %s",
				 r->stopped ? "the recording stopped" :
				 strerror(-ret));
	return 0;
}

void recorder_get_stats(struct recorder *r, struct recorder_stats *s)
{
	pthread_mutex_lock(&r->lock);
	*s = r->stats;
	pthread_mutex_unlock(&r->lock);
}

/* ---- start and finish -------------------------------------------------- */

static void iso_time(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int check_room(const char *trace, struct muse_error *e)
{
	char *copy = strdup(trace);
	struct statvfs vfs;
	const char *dir;
	int ret = 0;

	if (!copy)
		return muse_fail(e, -ENOMEM, "out of memory");
	dir = dirname(copy);
	if (access(dir, W_OK))
		ret = muse_fail(e, -errno, "cannot write a trace in %s: %s", dir,
				strerror(errno));
	else if (!statvfs(dir, &vfs) &&
		 (uint64_t)vfs.f_bavail * vfs.f_frsize < MIN_FREE)
		ret = muse_fail(e, -ENOSPC,
				"only %" PRIu64 " MiB free in %s; a trace needs room (64 MiB)",
				(uint64_t)vfs.f_bavail * vfs.f_frsize >> 20, dir);
	free(copy);
	return ret;
}

static void remove_old(const char *trace, const char *journal)
{
	char wal[4096];

	unlink(trace);
	unlink(journal);
	snprintf(wal, sizeof(wal), "%s-wal", trace);
	unlink(wal);
}

static void put_meta(struct trace *t, const char *key, const char *value)
{
	if (value)
		trace_set_meta(t, key, value);
}

/* a guest's kernel has the name its host gave; no guest, no UML kernel */
static const char *kernel_name(void)
{
	if (getenv("MUSE_KERNEL_NAME"))
		return getenv("MUSE_KERNEL_NAME");
	return getenv("MUSE_KERNEL_DIR") ? NULL : "host";
}

static void put_provenance(struct recorder *r, const struct recorder_options *o)
{
	const char *config = getenv("MUSE_KERNEL_CONFIG");
	char buf[512], hex[65];
	struct utsname u;
	uint8_t hash[32];
	uint64_t size;

	put_meta(r->trace, "geometry", o->geometry_spec);
	put_meta(r->trace, "init_params", o->init_params);
	put_meta(r->trace, "command_line", o->command_line);
	put_meta(r->trace, "fs", o->fs);
	put_meta(r->trace, "tool_version", MUSE_VERSION);
	put_meta(r->trace, "record_reads", o->record_reads ? "1" : "0");
	if (!uname(&u)) {
		snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release,
			 u.version);
		put_meta(r->trace, "kernel", buf);
		/* what replay and sweep boot by default: the same kernel */
		put_meta(r->trace, "kernel_release", u.release);
		put_meta(r->trace, "kernel_name", kernel_name());
	}
	if (config && !sha256_file(config, hash, &size)) {
		sha256_hex(hash, hex);
		put_meta(r->trace, "kernel_config_sha256", hex);
	}
	iso_time(buf, sizeof(buf));
	put_meta(r->trace, "started", buf);
	put_meta(r->trace, "status", "recording");
}

static int paths(struct recorder *r, const char *trace)
{
	char j[4096];

	if (trace_journal_path(trace, j, sizeof(j)))
		return -ENAMETOOLONG;
	r->trace_path = strdup(trace);
	r->journal_path = strdup(j);
	return r->trace_path && r->journal_path ? 0 : -ENOMEM;
}

static void recorder_free(struct recorder *r)
{
	free(r->trace_path);
	free(r->journal_path);
	free(r->faults_from);
	free(r->scratch);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static int create_trace(struct recorder *r, const struct recorder_options *o,
			struct muse_error *e)
{
	int ret;

	if (o->force)
		remove_old(r->trace_path, r->journal_path);
	ret = check_room(r->trace_path, e);
	if (!ret)
		ret = trace_create(r->trace_path, &r->trace, e);
	if (ret == -EEXIST)
		return muse_fail(e, ret, "%s exists; --force replaces it",
				 r->trace_path);
	if (ret)
		return ret;
	put_provenance(r, o);
	if (trace_begin(r->trace) ||
	    (o->erased_chip ? trace_add_initial_erased(r->trace, r->flash) :
			      trace_add_initial(r->trace, r->flash)))
		ret = muse_fail(e, -EIO, "storing the initial flash in %s failed",
				r->trace_path);
	if (!ret)
		ret = trace_commit(r->trace, e);
	if (!ret)
		ret = journal_create(r->journal_path, RING_SIZE, &r->journal, e);
	if (ret) {
		trace_close(r->trace, NULL);
		remove_old(r->trace_path, r->journal_path);
	}
	return ret;
}

int recorder_start(const struct recorder_options *o, struct flash *f,
		   struct recorder **out, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	struct recorder *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return muse_fail(e, -ENOMEM, "out of memory");
	pthread_mutex_init(&r->lock, NULL);
	r->flash = f;
	r->record_reads = o->record_reads;
	r->scratch = malloc(g->oob_size ? g->oob_size : 1);
	ret = r->scratch ? paths(r, o->trace_path) : -ENOMEM;
	if (ret)
		ret = muse_fail(e, ret, "%s", strerror(-ret));
	else
		ret = create_trace(r, o, e);
	if (ret) {
		recorder_free(r);
		return ret;
	}
	r->t0 = clock_ns();
	flash_set_violation_handler(f, on_violation, r);
	*out = r;
	return 0;
}

int recorder_finish(struct recorder *r, struct muse_error *e)
{
	char buf[64];
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = r->stopped ? r->stopped : journal_drain(r->journal, r->trace, e);
	if (!ret) {
		iso_time(buf, sizeof(buf));
		trace_set_meta(r->trace, "ended", buf);
		snprintf(buf, sizeof(buf), "%" PRIu64, elapsed(r));
		trace_set_meta(r->trace, "duration_ns", buf);
		trace_set_meta(r->trace, "status", "complete");
		ret = trace_seal(r->trace, e);
	}
	if (!ret)
		ret = trace_close(r->trace, e);
	else
		trace_close(r->trace, NULL);
	journal_close(r->journal, !ret);
	flash_set_violation_handler(r->flash, flash_log_violation, stderr);
	pthread_mutex_unlock(&r->lock);
	if (ret)
		muse_fail(e, ret,
			  "the trace %s lacks acknowledged operations, kept in %s; "
			  "free space, then run \"muse recover %s\"",
			  r->trace_path, r->journal_path, r->trace_path);
	recorder_free(r);
	return ret;
}
