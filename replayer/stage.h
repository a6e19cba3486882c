/*
 * stage.h - a flash state on stage: served over MUSE, attached, mounted.
 *
 * A thread serves the caller's flash, and whatever UBI, a filesystem's
 * recovery or a command writes to it is taken back when the stage comes
 * down (flash_undo_begin()): the caller's flash is as it was.  A prepare
 * function may change it first (a cut, in the sweep); that is taken back
 * too.  The caller leaves the flash alone while it is on stage.
 */
#ifndef MUSE_STAGE_H
#define MUSE_STAGE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"
#include "flash.h"
#include "fsmount.h"

typedef int (*stage_prepare_fn)(void *ctx, struct flash *f,
				struct muse_error *e);

struct serving;

struct stage {
	pthread_t thread;
	struct serving *serving;	/* NULL: not served */
	char mtd[64];
	char dir[PATH_MAX];
	char mnt[PATH_MAX];
	struct fs_mount m;
	FILE *from_server;
	/* after stage_down: each unstable page's reads, "ADDR READS/FAILED ..." */
	char reads[480];
};

/*
 * Makes a private working directory and serves @f (after @prepare, run
 * by the serving thread, if not NULL).  @read_cache: let the kernel cache
 * pages (not for unstable cells, whose reads must differ).
 */
int stage_serve(struct stage *st, struct flash *f, stage_prepare_fn prepare,
		void *ctx, bool read_cache, struct muse_error *e);

/*
 * Attaches UBI (fs "ubifs") and, unless @no_mount, mounts @fs ("ubifs",
 * "jffs2"; "none" mounts nothing) on st->mnt.
 */
int stage_mount(struct stage *st, const char *fs, bool no_mount,
		struct muse_error *e);

/* Unmounts and mounts again (recovery must have left it mountable) */
int stage_remount(struct stage *st, struct muse_error *e);

/* Unmounts, detaches, stops the server, removes the directory */
int stage_down(struct stage *st, struct muse_error *e);

/* Runs @argv in the mount point with MUSE_MTD, MUSE_MNT, MUSE_UBI set */
int stage_run(const struct stage *st, char *const argv[]);

#endif
