/*
 * pool.h - running commands in parallel, a fixed number at a time, and
 * reading what each prints, line by line, as it comes.
 *
 * The caller hands out the commands (next), hears their lines (line) and
 * their end (done), and is called about once a second (tick).  A child
 * whose parent dies is killed, so an interrupted pool leaves no orphan
 * writing on.
 */
#ifndef MUSE_POOL_H
#define MUSE_POOL_H

#include <sys/types.h>

#include "error.h"

#define POOL_MAX_SLOTS 64

struct pool_ops {
	void *ctx;
	/* 1 with @argv set (valid until done), 0 when nothing is left, < 0 */
	int (*next)(void *ctx, unsigned slot, char ***argv);
	void (*line)(void *ctx, unsigned slot, const char *line);
	/* @status as waitpid() gives it, -1 if the child could not be waited for */
	void (*done)(void *ctx, unsigned slot, int status);
	void (*tick)(void *ctx);
};

/* Runs until next() has nothing left and every command has ended. */
int pool_run(unsigned slots, const struct pool_ops *ops, struct muse_error *e);

#endif
