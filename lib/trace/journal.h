/*
 * journal.h - the recorder's write-ahead journal.
 *
 * The recorder must have an operation on record before the kernel hears
 * that it completed, and in a UML guest every system call costs about as
 * much as a MUSE request.  So each record goes into a ring in a shared
 * file mapping next to the trace (TRACE-journal.muse): a memory copy, no
 * system call, and the page cache keeps it when the process dies.
 * journal_drain() moves records into the SQLite trace in batches; after
 * a crash, journal_recover() moves what the last batch did not.
 *
 * Records carry a sequence number and a CRC-32, so a reader takes exactly
 * the valid prefix of what was written, however the pages reached the
 * disk.  One writer; a mutex is the caller's business.
 */
#ifndef MUSE_JOURNAL_H
#define MUSE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "trace.h"

struct journal;

/* Largest record: one program of a page and its OOB, plus headers */
#define JOURNAL_MAX_RECORD (64u * 1024 + 4096)

/* A new journal of @ring_size bytes at @path, whose pages are touched once */
int journal_create(const char *path, size_t ring_size, struct journal **out,
		   struct muse_error *e);

/* Unmaps; removes the file when @remove (everything was drained). */
void journal_close(struct journal *j, int remove);

/* Free bytes: an append of up to this much (records and headers) fits */
size_t journal_space(const struct journal *j);
size_t journal_pending(const struct journal *j);

/* Appends one record; -ENOSPC if it does not fit (drain first). */
int journal_add_op(struct journal *j, const struct trace_op *op);
int journal_add_mark(struct journal *j, const struct trace_mark *m);
int journal_add_violation(struct journal *j, const struct trace_violation *v);
int journal_add_read(struct journal *j, const struct trace_read *r);
int journal_add_fault(struct journal *j, const struct trace_fault *f);

/* Bytes a record of these needs (for reserving space ahead) */
size_t journal_op_size(uint32_t len, uint32_t ooblen);
size_t journal_fault_size(uint32_t mask_len);

/*
 * Moves every pending record into @t in one transaction and marks them
 * moved.  On failure (a full disk) nothing is marked moved, the trace is
 * unchanged, and the records stay in the journal.
 */
int journal_drain(struct journal *j, struct trace *t, struct muse_error *e);

/*
 * Moves the records of the journal at @path that @t lacks into @t and
 * reports how many operations that gave.  The caller commits and removes
 * the journal file.
 */
int journal_recover(const char *path, struct trace *t, uint64_t *ops,
		    struct muse_error *e);

#endif
