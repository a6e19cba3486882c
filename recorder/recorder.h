/*
 * recorder.h - journaling every mutating flash operation while serving.
 *
 * The recorder is a struct muse_backend in front of the flash model.
 * Each program unit (one NAND page program, one NOR write buffer), erase
 * and markbad is applied to the flash and written to the journal before
 * the server answers the kernel, so the trace never lacks an operation
 * the kernel saw complete.  The journal is moved into the SQLite trace
 * in batches; a full disk stops the recording: every later mutating
 * request fails with -ENOSPC, and nothing acknowledged is lost.
 *
 * Marks come from another thread (the mark server); a mutex orders them
 * exactly between the operations before and after.
 */
#ifndef MUSE_RECORDER_H
#define MUSE_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "faults.h"
#include "flash.h"
#include "server.h"
#include "trace.h"

struct recorder;

struct recorder_options {
	const char *trace_path;
	bool force;			/* replace an existing trace */
	bool record_reads;
	/* provenance for the meta table; NULL entries are left out */
	const char *command_line;
	const char *fs;
	const char *geometry_spec;	/* canonical, from geometry_format() */
	const char *init_params;	/* the MUSE_INIT parameters, readable */
	/* the cells are all erased (a new chip): store them without reading */
	bool erased_chip;
};

/*
 * Creates the trace (refusing an existing one unless @force), stores the
 * provenance and the flash's current state as the initial state, and
 * creates the journal.
 */
int recorder_start(const struct recorder_options *o, struct flash *f,
		   struct recorder **out, struct muse_error *e);

void recorder_backend(struct recorder *r, struct muse_backend *be);

/*
 * Serves through @fa from now on, or from the first mark named
 * @from_mark if that is not NULL: every event it reports is journaled
 * (the trace's faults table) and printed on stderr.  @plan, the plan in
 * canonical form, goes into the trace's meta table.
 */
int recorder_set_faults(struct recorder *r, struct faults *fa,
			const char *plan, const char *from_mark);

/* Thread-safe: a mark between the operations done and those to come */
int recorder_add_mark(struct recorder *r, const struct trace_mark *m,
		      uint64_t *after_seq, struct muse_error *e);

/*
 * Moves everything into the trace and closes it; the journal goes away.
 * If that fails, the journal stays for "muse recover" and the message
 * says so.  Frees @r either way.
 */
int recorder_finish(struct recorder *r, struct muse_error *e);

struct recorder_stats {
	uint64_t ops;
	uint64_t programs;
	uint64_t erases;
	uint64_t markbads;
	uint64_t marks;
	uint64_t reads;
	uint64_t faults;
	uint64_t bytes_programmed;
	bool stopped;			/* a full disk (or worse) stopped it */
};

void recorder_get_stats(struct recorder *r, struct recorder_stats *s);

#endif
