/*
 * checkpoint.h - the flash after any op of a trace, at a cost that does
 * not grow with N.
 *
 * The first replay of a trace builds a checkpoint file next to it
 * (TRACE.checkpoints; the trace itself is never written): the state
 * every few thousand ops, each block stored once per change, in the
 * flash model's own stored form.  The state after op N is then the
 * nearest checkpoint at or before N, its blocks mapped copy-on-write from
 * the file (nothing is read until used, nothing written goes back), plus
 * at most one interval of ops.  docs/trace-format.md describes the file.
 *
 * Several processes, even in several guests, may read one checkpoint
 * file: it is only ever replaced whole, by rename.  Where it cannot be
 * written, states are rebuilt from the start of the trace instead.
 */
#ifndef MUSE_CHECKPOINT_H
#define MUSE_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "flash.h"
#include "stamp.h"
#include "trace.h"

#define CKPT_DEFAULT_INTERVAL 1024

struct ckpt_options {
	uint64_t interval;	/* ops between checkpoints; 0: the default */
	bool no_build;		/* use a file that exists, never build one */
	bool quiet;		/* no line on stderr when building */
	/* the file whose digest another process checked (ckpt_stamp): if it
	 * is still that file, its body is not hashed again */
	const struct file_stamp *verified;
};

struct ckpt;

/*
 * Opens the checkpoints of @t (opened from @trace_path), building them
 * when missing or made for another trace.  Failing to build is not an
 * error: the result then replays from the start.
 */
int ckpt_open(struct trace *t, const char *trace_path,
	      const struct ckpt_options *o, struct ckpt **out,
	      struct muse_error *e);
void ckpt_close(struct ckpt *c);

/* True when states come from a checkpoint file */
bool ckpt_available(const struct ckpt *c);

/* The stamp of the file opened, taken before its digest was checked */
int ckpt_stamp(const struct ckpt *c, struct file_stamp *out);

/* The path of the checkpoint file of @trace_path */
int ckpt_path(const char *trace_path, char *buf, size_t size);

/* A new flash in memory holding the state after op @seq */
int ckpt_state(struct ckpt *c, uint64_t seq, struct flash **out,
	       struct muse_error *e);

#endif
