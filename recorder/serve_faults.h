/*
 * serve_faults.h - a fault plan on the flash "muse serve" serves: parsed
 * against the chip, started, its events sent into the trace (recording)
 * or to stderr, and summed up when the serving ends.
 */
#ifndef MUSE_SERVE_FAULTS_H
#define MUSE_SERVE_FAULTS_H

#include <stddef.h>

#include "error.h"
#include "faults.h"
#include "flash_backend.h"
#include "recorder.h"

/* The engine for @spec on @f; the plan's canonical form into @plan */
int serve_faults_start(const char *spec, struct flash *f, struct faults **fa,
		       char *plan, size_t size, struct muse_error *e);

/*
 * Requests go through @fa: journaled by @r when recording (from the mark
 * @from, if not NULL), else served by @fb with events on stderr.
 */
int serve_faults_use(struct faults *fa, const char *plan, const char *from,
		     struct recorder *r, struct flash_backend *fb,
		     struct muse_error *e);

/* One line on stderr: failed programs and erases, events by kind */
void serve_faults_summary(const struct faults *fa);

#endif
