/*
 * image.h - flash images on disk, in the formats tools and controllers use.
 *
 * A format is named "NAME[:key=value,...]":
 *
 *   raw            the in-band bytes of the whole chip, nothing else
 *   nanddump-oob   every page followed by its OOB area, bad blocks
 *                  included: "nanddump --oob --bb=dumpbad", "nandwrite -o -N"
 *   interleaved    each page as data and OOB interleaved per ECC step
 *                  (data0 oob0 data1 oob1 ... rest of OOB), the way many
 *                  SoC controllers lay a page out: step=BYTES (default the
 *                  chip's ECC step, else 512), spare=BYTES (default an
 *                  equal share of the OOB)
 *   ubi            the output of ubinize (whole PEBs, no OOB), on the chip
 *                  as "ubiformat -f" leaves it: bad blocks skipped, every
 *                  other PEB given an erase counter header, pages of 0xFF
 *                  left unprogrammed; ec=N sets the erase counters
 *   jffs2          the output of mkfs.jffs2, on the chip as "flash_erase -j"
 *                  and a copy leave it: cleanmarkers in OOB on NAND (make
 *                  the image with -n), in band on NOR
 *   auto           the one the size and content say, or an error naming
 *                  the candidates
 *
 * nanddump-oob and interleaved take bbm-swap[=OFFSET]: in each page as
 * the file holds it, the byte at OFFSET (default the page size: where
 * the chip keeps its factory bad block marker) and OOB byte 0 are
 * exchanged, as controllers that move the marker do.
 *
 * Loading derives the bad block table from the markers in the image
 * (formats with OOB) or leaves the chip without bad blocks.
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
	IMAGE_INTERLEAVED,
	IMAGE_UBI,
	IMAGE_JFFS2,
	IMAGE_FORMATS
};

struct image_spec {
	enum image_format format;
	uint32_t step;		/* interleaved: data bytes per step; 0: default */
	uint32_t spare;		/* interleaved: OOB bytes per step; 0: default */
	int64_t bbm_swap;	/* offset exchanged with OOB byte 0; -1: none */
	int64_t ec;		/* ubi: erase counter to write; -1: the image's */
};

/* auto, no parameters */
struct image_spec image_spec_auto(void);

/* Parses "NAME[:key=value,...]" (the names above; "oob" = nanddump-oob) */
int image_parse_spec(const char *text, struct image_spec *s,
		     struct muse_error *e);
const char *image_format_name(enum image_format fmt);

/* Bytes an image of this chip has; 0 if it varies or the chip cannot */
uint64_t image_size(const struct geometry *g, const struct image_spec *s);

/*
 * The chip size an image of @file_size bytes implies for geometry @g
 * (nanddump-oob preferred where the size fits both); -EINVAL if it
 * implies none (ubi and jffs2 images never do: they fill part of a chip).
 */
int image_infer_size(const struct geometry *g, uint64_t file_size,
		     const struct image_spec *s, uint64_t *size);

/*
 * Loads an image into an erased chip; auto picks the format (and says
 * which in @picked, if not NULL).
 */
int image_load(struct flash *f, const char *path, const struct image_spec *s,
	       enum image_format *picked, struct muse_error *e);

/*
 * Bytes [@off, @off + @len) of the image the chip would save as, for the
 * formats of a fixed size (raw, nanddump-oob, interleaved; not auto),
 * without writing the rest: -EINVAL for others or a range past the end.
 */
int image_read(struct flash *f, const struct image_spec *s, uint64_t off,
	       void *buf, size_t len, struct muse_error *e);

/* Writes the chip as an image; auto is nanddump-oob on NAND, else raw. */
int image_save(struct flash *f, const char *path, const struct image_spec *s,
	       struct muse_error *e);

#endif
