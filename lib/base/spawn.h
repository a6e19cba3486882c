/*
 * spawn.h - running the tools a session needs (mtd-utils, this program).
 */
#ifndef MUSE_SPAWN_H
#define MUSE_SPAWN_H

#include <stddef.h>

#include "error.h"

/* The absolute path of this program */
const char *spawn_self(void);

/*
 * Runs @argv and waits: its exit status, 128 + signal, or a negative
 * errno.  With @out its stdout is captured there (NUL-terminated).
 */
int spawn_run(char *const argv[], char *out, size_t outlen);

/* Runs @argv with its stdout and stderr into the file @path, and waits */
int spawn_run_to(char *const argv[], const char *path);

/*
 * Runs @argv and returns all its stdout in a new buffer (@len bytes, not
 * NUL-terminated); NULL if it could not run or did not exit 0
 */
char *spawn_capture(char *const argv[], size_t *len);

/* Runs a tool quietly; on failure shows its output and fails @e */
int spawn_must_run(char *const argv[], struct muse_error *e);

/* Splits @words at blanks into @argv from @at; returns the new count */
int spawn_add_words(char **argv, int at, int max, char *words);

/* A private working directory "muse-TAG.XXXXXX" under /run or $TMPDIR */
int spawn_workdir(const char *tag, char *buf, size_t size,
		  struct muse_error *e);

#endif
