/*
 * oob.h - moving OOB bytes between an MTD user's buffer and a page's OOB
 * area, in the three modes of struct mtd_oob_ops.
 *
 * PLACE and RAW address the OOB area directly; AUTO addresses only the
 * free bytes of the layout, in region order.  A request's first page
 * starts at its ooboffs and later pages at 0; each page takes at most
 * oob_per_page() bytes.  These rules are the MUSE protocol's (see
 * docs/protocol.md) and match how the kernel splits requests.
 */
#ifndef MUSE_OOB_H
#define MUSE_OOB_H

#include <stdint.h>

#include "geometry.h"

enum oob_mode {
	OOB_PLACE = 0,
	OOB_AUTO = 1,
	OOB_RAW = 2,
};

/* OOB bytes one page contributes in @mode: oobavail or oobsize */
uint32_t oob_per_page(const struct geometry *g, enum oob_mode mode);

/* Copies @n bytes starting at @offs (in @mode's addressing) out of @area. */
void oob_gather(const struct geometry *g, enum oob_mode mode,
		const uint8_t *area, uint32_t offs, uint32_t n, uint8_t *out);

/* Copies @n bytes from @in into @area at @offs (in @mode's addressing). */
void oob_scatter(const struct geometry *g, enum oob_mode mode,
		 const uint8_t *in, uint32_t offs, uint32_t n, uint8_t *area);

/* The OOB area bytes [*lo, *hi) that [offs, offs + n) in @mode covers */
void oob_span(const struct geometry *g, enum oob_mode mode, uint32_t offs,
	      uint32_t n, uint32_t *lo, uint32_t *hi);

#endif
