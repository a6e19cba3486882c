/*
 * fuzz_image.h - the kernel's flash parsers fuzzed through MUSE: a state
 * of a trace, its metadata mutated (mutate.h), attached, mounted, read,
 * written and unmounted, input after input, many per guest boot.
 *
 * Input I of a campaign is the state at the point with the mutation drawn
 * from (seed, I): the same trace, point, seed and I give the same input,
 * so a finding is kept as those numbers and the image they make.  An
 * input's verdict is "crash" when the kernel reports a BUG, a WARNING,
 * an Oops, KASAN, UBSAN, a lockdep splat, a hung task, a soft lockup or
 * a failed UBIFS assertion while it is on stage, or when the guest dies
 * with it on stage; anything else the kernel does with a broken image
 * (refusing it, an I/O error) is a "pass".
 *
 * The campaign's directory holds failures/ID/ (the image as nanddump
 * --oob or raw, the mutation, the kernel log, the reproduce command) and
 * summary.json.
 */
#ifndef MUSE_FUZZ_IMAGE_H
#define MUSE_FUZZ_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct fuzz_image_options {
	const char *trace;
	const char *at;			/* N, mark:NAME or end */
	const char *out;
	uint64_t inputs;		/* 0: as many as the time allows */
	uint64_t seconds;		/* 0: no limit */
	uint64_t first;			/* the first input's number */
	unsigned jobs;
	unsigned per_boot;		/* inputs one guest boot tries */
	uint64_t seed;
	const char *exercise;		/* sh -c in the mount; NULL: the default */
	const char *kernel;		/* a UML kernel's path; NULL: this one */
	const char *mem;
};

/* The trace opens and the point is in it, or a message saying why not */
int fuzz_image_check(const struct fuzz_image_options *o, struct muse_error *e);

/*
 * 0 nothing found, 1 a crash found, 2 batches that failed (and nothing
 * found), < 0 a tool error
 */
int fuzz_image_campaign(const struct fuzz_image_options *o, struct muse_error *e);

/*
 * Inputs @o->first.. (@o->inputs of them) in this kernel, one line each
 * on stdout: "start I", then "input I pass|crash\treason".
 */
int fuzz_image_batch(const struct fuzz_image_options *o, struct muse_error *e);

/* The input's image, for keeping: the state with input @i's mutation */
int fuzz_image_save(const struct fuzz_image_options *o, uint64_t i,
		    const char *path, char *what, size_t size,
		    struct muse_error *e);

#endif
