/*
 * tracefs.h - a trace as a tree of read-only files, whatever serves them
 * (muse mount serves it over FUSE; the unit tests call it directly):
 *
 *   summary                    what "muse inspect TRACE" says
 *   ops/N/flash.bin            the chip after op N, raw
 *   ops/N/flash.oob.bin        the same with OOB (nanddump --oob layout; NAND)
 *   marks/NAME                 a link to ops/N, N the op the mark follows
 *   cuts/N/MODEL-SEED.bin      after op N, op N+1 cut (nanddump --oob on
 *                              NAND, else raw); seed 1 listed, any seed served
 *   blocks/B/history           "muse inspect TRACE --block-history B"
 *   failures/ID/               with a sweep's results: each point that did not
 *                              pass (ID as the sweep report names it), holding
 *                              flash.bin, flash.oob.bin (NAND), verdict,
 *                              reason, kernel.log and reproduce
 *
 * A state is built from the trace's checkpoints when a file of it is
 * first read, and only the pages read are produced; a few states stay
 * cached.  Nothing writes the trace.
 */
#ifndef MUSE_TRACEFS_H
#define MUSE_TRACEFS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct tracefs;

int tracefs_open(const char *trace_path, struct tracefs **out,
		 struct muse_error *e);
void tracefs_close(struct tracefs *fs);

/*
 * Adds failures/ from the sweep results file @results_path, which must be
 * the sweep of this very trace (checked by SHA-256).  The file is read once
 * and never written.
 */
int tracefs_add_results(struct tracefs *fs, const char *results_path,
			struct muse_error *e);

enum tracefs_type { TRACEFS_DIR, TRACEFS_FILE, TRACEFS_LINK };

struct tracefs_stat {
	enum tracefs_type type;
	uint64_t size;		/* files: bytes; links: the target's length */
};

/* -ENOENT when @path names nothing */
int tracefs_stat(struct tracefs *fs, const char *path, struct tracefs_stat *st);

/* Calls @fill for each entry of directory @path; stops at its non-zero */
typedef int (*tracefs_fill_fn)(void *ctx, const char *name);
int tracefs_list(struct tracefs *fs, const char *path, tracefs_fill_fn fill,
		 void *ctx);

int tracefs_readlink(struct tracefs *fs, const char *path, char *buf,
		     size_t size);

/* Bytes read (short only at the end of the file), or a negative errno */
long tracefs_read(struct tracefs *fs, const char *path, uint64_t off,
		  void *buf, size_t len);

#endif
