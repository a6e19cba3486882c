/*
 * trace.h - the trace database: one recording of flash operations.
 *
 * A trace is one SQLite file (schema in schema/, documented in
 * docs/trace-format.md).  It holds the geometry and provenance, the flash
 * as it was before the first operation, every program, erase and markbad
 * in order with gapless sequence numbers, the marks the workload placed,
 * rule violations and, optionally, reads.  Payloads are content-addressed
 * (SHA-256 of the bytes), so a repeated page costs one row, and packed
 * as packer.h says (zstd, with a dictionary learned from the recording).
 *
 * A trace opened for writing holds the database exclusively (one writer,
 * WAL without shared memory, which hostfs could not share anyway); added
 * rows become part of the file at trace_commit().  trace_close() leaves a
 * single self-contained file.  Readers open it read-only and never change
 * it; several may read the same trace at once, from several guests.
 *
 * The recorder does not write here directly while serving: see journal.h.
 */
#ifndef MUSE_TRACE_H
#define MUSE_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "flash.h"
#include "geometry.h"
#include "stamp.h"

enum trace_op_kind {
	TRACE_PROGRAM = 1,
	TRACE_ERASE = 2,
	TRACE_MARKBAD = 3,
};

/*
 * One op of a recording.  A program keeps what was programmed in @prog; an
 * erase or a markbad only @prog.addr, the start of its block.
 */
struct trace_op {
	uint64_t seq;
	enum trace_op_kind kind;
	struct flash_program prog;
	int32_t result;
	uint64_t time_ns;
};

enum trace_file_kind {
	TRACE_FILE_EXPECT,
	TRACE_FILE_IN_PLACE,
	TRACE_FILE_ABSENT,
};

struct trace_mark_file {
	const char *path;
	enum trace_file_kind kind;
	uint64_t size;
	uint8_t sha256[32];
	const uint8_t *content;		/* NULL unless the file is small */
	uint32_t content_len;
};

struct trace_mark {
	uint64_t after_seq;
	const char *name;
	uint64_t time_ns;
	uint32_t nfiles;
	const struct trace_mark_file *files;
};

struct trace_violation {
	uint64_t seq;
	enum flash_violation_kind kind;
	uint64_t block;
	uint32_t page;
	uint32_t detail;
};

struct trace_read {
	uint64_t after_seq;
	uint64_t addr;
	uint32_t len;
	uint32_t ooblen;
	uint32_t mode;
	uint32_t corrected;
	uint32_t failed;
	uint64_t time_ns;
};

/*
 * A fault's change (muse record --faults): after op @seq, the unit at
 * @addr has damage @mask (flash_set_damage()), and/or @block reads bad.
 */
struct trace_fault {
	uint64_t seq;
	const char *kind;	/* "program-fail", ... (schema/trace/004) */
	uint64_t block;
	bool has_unit;
	uint64_t addr;
	const uint8_t *mask;	/* mask_len bytes: the flash's unit size */
	uint32_t mask_len;
	uint32_t bits;
	bool bad;
	uint64_t time_ns;
};

struct trace;

enum trace_mode {
	TRACE_READ,
	TRACE_WRITE,
};

/* A new, empty trace at @path; fails if anything exists there. */
int trace_create(const char *path, struct trace **out, struct muse_error *e);

/*
 * Opens an existing trace.  Refuses, with a message saying so, a file that
 * is not SQLite, an SQLite file that is not a trace, a truncated one, one
 * from a newer schema, and one whose recording was interrupted (its
 * journal must be recovered first).  Writing upgrades an older schema.
 */
int trace_open(const char *path, enum trace_mode mode, struct trace **out,
	       struct muse_error *e);

/*
 * Opens for reading a trace whose content digest another process checked
 * when its file had the stamp @verified: while it still has, the digest is
 * not computed again (trace_open's other checks all run)
 */
int trace_open_verified(const char *path, const struct file_stamp *verified,
			struct trace **out, struct muse_error *e);

/* Commits, and for a writer folds the WAL back: one file remains. */
int trace_close(struct trace *t, struct muse_error *e);

/* The file of an interrupted recording's journal, next to the trace */
int trace_journal_path(const char *trace, char *buf, size_t size);

int trace_set_meta(struct trace *t, const char *key, const char *value);
/* Copies the value of @key; -ENOENT if absent. */
int trace_get_meta(struct trace *t, const char *key, char *buf, size_t size);
int trace_schema_version(struct trace *t);

int trace_begin(struct trace *t);
int trace_commit(struct trace *t, struct muse_error *e);
void trace_rollback(struct trace *t);

int trace_add_initial(struct trace *t, struct flash *f);
/*
 * The same for a chip whose cells are all erased, without reading them:
 * only its bad block table is stored.  (Reading every page of a large
 * chip would fault in all of its memory.)
 */
int trace_add_initial_erased(struct trace *t, struct flash *f);
int trace_add_op(struct trace *t, const struct trace_op *op);
int trace_add_mark(struct trace *t, const struct trace_mark *m);
int trace_add_violation(struct trace *t, const struct trace_violation *v);
int trace_add_read(struct trace *t, const struct trace_read *r);
int trace_add_fault(struct trace *t, const struct trace_fault *f);

/* Highest op sequence number (0 for none) */
uint64_t trace_last_seq(struct trace *t);

/* The geometry the trace was recorded with */
int trace_geometry(struct trace *t, struct geometry *g, struct muse_error *e);

/* Puts the initial state into @f, a fresh flash of the trace's geometry. */
int trace_load_initial(struct trace *t, struct flash *f, struct muse_error *e);

typedef int (*trace_op_fn)(void *ctx, const struct trace_op *op);

/* Calls @fn for ops @first..@last in order, payloads decompressed. */
int trace_for_each_op(struct trace *t, uint64_t first, uint64_t last,
		      trace_op_fn fn, void *ctx, struct muse_error *e);

#endif
