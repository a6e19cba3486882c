/*
 * oracle.h - what must hold in a filesystem after a cut, from the marks.
 *
 * For a cut after op N (op N+1 cut or never done), the marks at or
 * before N are "before the cut"; the first mark after N is "the next".
 * A path's last declaration before the cut decides:
 *
 *   expect    the file exists with the declared size and SHA-256, or
 *             with what the next mark declares for it (an update in
 *             flight may or may not have landed), or is absent if the
 *             next mark declares it absent;
 *   in-place  the declared content, the next mark's, or (larger than
 *             what a mark stores, 4 KiB) any size between the two: the
 *             pages of an in-place update land one by one;
 *   absent    no such file, or the next mark's content for it.
 *
 * Paths are relative to the mount point.  docs/sweeping.md says more.
 */
#ifndef MUSE_ORACLE_H
#define MUSE_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "trace.h"

struct oracle;

int oracle_load(struct trace *t, struct oracle **out, struct muse_error *e);
void oracle_free(struct oracle *o);

/* The name of the last mark at or before op @n, or NULL */
const char *oracle_last_mark(const struct oracle *o, uint64_t n);

/* The name of the first mark after op @n, or NULL */
const char *oracle_next_mark(const struct oracle *o, uint64_t n);

/* Whether a mark follows op @n: the state after it is one a mark declares */
bool oracle_at_mark(const struct oracle *o, uint64_t n);

/* A violation: the path, and what the marks around the cut say of it */
struct oracle_miss {
	const char *path;
	size_t mark;		/* index of the mark whose word was broken */
	size_t next;		/* the first mark after the cut, or the last */
	bool next_silent;	/* that mark came later and says nothing of it */
	uint64_t next_after;	/* the op that mark follows */
};

/*
 * 0: holds; 1: violated (@why says how, @miss where); negative: could
 * not check.
 */
int oracle_check(const struct oracle *o, uint64_t n, const char *mnt,
		 char *why, size_t size, struct oracle_miss *miss);

/*
 * For a violation where a later mark (the next after the cut, or after
 * the last mark the last one) is silent about the path: does the state
 * at that mark (mounted at @mnt) still break the earlier word?  1 yes:
 * the workload changed a declared file without declaring it again, a
 * workload error (@why says so); 0 no.
 */
int oracle_workload_error(const struct oracle *o, const struct oracle_miss *m,
			  const char *mnt, char *why, size_t size);

#endif
