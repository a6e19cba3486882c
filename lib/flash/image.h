/*
 * image.h - flash images on disk.
 *
 * raw: the in-band bytes of the whole chip, nothing else.
 * nanddump-oob: every page followed by its OOB area (PLACE layout), bad
 * blocks included; what "nanddump --oob --bb=dumpbad" writes and
 * "nandwrite -o -N" reads.  Loading one derives the bad block table from
 * the markers in it.
 */
#ifndef MUSE_IMAGE_H
#define MUSE_IMAGE_H

#include <stdint.h>

#include "error.h"
#include "flash.h"

enum image_format {
	IMAGE_AUTO,
	IMAGE_RAW,
	IMAGE_NANDDUMP_OOB,
};

int image_parse_format(const char *name, enum image_format *fmt,
		       struct muse_error *e);
const char *image_format_name(enum image_format fmt);

/* Bytes an image of this chip has in @fmt; 0 if the chip cannot have it */
uint64_t image_size(const struct geometry *g, enum image_format fmt);

/*
 * The chip size an image of @file_size bytes implies for geometry @g
 * (nanddump-oob preferred where the size fits both); -EINVAL if none.
 */
int image_infer_size(const struct geometry *g, uint64_t file_size,
		     enum image_format fmt, uint64_t *size);

/* Loads a whole-chip image; the size must match exactly. */
int image_load(struct flash *f, const char *path, enum image_format fmt,
	       struct muse_error *e);

/* Writes the chip's raw cells; IMAGE_AUTO picks nanddump-oob for NAND. */
int image_save(struct flash *f, const char *path, enum image_format fmt,
	       struct muse_error *e);

#endif
