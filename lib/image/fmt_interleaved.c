/*
 * fmt_interleaved.c - a page as its controller lays it out on the chip:
 * for each ECC step, the step's data then its share of the OOB (spare
 * bytes, often the step's ECC), and what OOB is left after the last.
 */
#include <errno.h>
#include <string.h>

#include "image_impl.h"

struct layout {
	uint32_t step, spare, steps;
};

static struct layout layout_of(const struct geometry *g,
			       const struct image_spec *s)
{
	struct layout l;

	l.step = s->step ? s->step : g->ecc_step ? g->ecc_step : 512;
	l.steps = l.step <= g->page_size ? g->page_size / l.step : 1;
	l.spare = s->spare ? s->spare : g->oob_size / l.steps;
	return l;
}

static void il_decode(const struct geometry *g, const struct image_spec *s,
		      const uint8_t *rec, uint8_t *data, uint8_t *oob)
{
	struct layout l = layout_of(g, s);
	uint32_t rest = g->oob_size - l.steps * l.spare;

	for (uint32_t i = 0; i < l.steps; i++) {
		memcpy(data + i * l.step, rec, l.step);
		memcpy(oob + i * l.spare, rec + l.step, l.spare);
		rec += l.step + l.spare;
	}
	memcpy(oob + l.steps * l.spare, rec, rest);
}

static void il_encode(const struct geometry *g, const struct image_spec *s,
		      const uint8_t *data, const uint8_t *oob, uint8_t *rec)
{
	struct layout l = layout_of(g, s);
	uint32_t rest = g->oob_size - l.steps * l.spare;

	for (uint32_t i = 0; i < l.steps; i++) {
		memcpy(rec, data + i * l.step, l.step);
		memcpy(rec + l.step, oob + i * l.spare, l.spare);
		rec += l.step + l.spare;
	}
	memcpy(rec, oob + l.steps * l.spare, rest);
}

static struct page_codec il_codec(const struct geometry *g,
				  const struct image_spec *s)
{
	struct layout l = layout_of(g, s);

	return (struct page_codec){ .rec = g->page_size + g->oob_size,
				    .oob0 = l.spare ? l.step : g->page_size,
				    .decode = il_decode, .encode = il_encode };
}

static int il_check(const struct geometry *g, const struct image_spec *s,
		    struct muse_error *e)
{
	struct layout l = layout_of(g, s);
	struct page_codec c = il_codec(g, s);

	if (!g->oob_size)
		return muse_fail(e, -EINVAL, "format interleaved needs a chip with OOB");
	if (l.step > g->page_size || g->page_size % l.step)
		return muse_fail(e, -EINVAL,
				 "interleaved: step=%u does not divide the %u-byte page",
				 l.step, g->page_size);
	if ((uint64_t)l.steps * l.spare > g->oob_size)
		return muse_fail(e, -EINVAL,
				 "interleaved: %u steps of spare=%u exceed the %u-byte OOB",
				 l.steps, l.spare, g->oob_size);
	return pages_check_swap(&c, s, e);
}

static uint64_t il_size(const struct geometry *g, const struct image_spec *s)
{
	(void)s;
	return g->oob_size ? geometry_pages(g) * (g->page_size + g->oob_size) : 0;
}

static int il_load(struct flash *f, FILE *in, uint64_t len,
		   const struct image_spec *s, struct muse_error *e)
{
	struct page_codec c = il_codec(flash_geometry(f), s);

	(void)len;
	(void)e;
	return pages_load(f, in, &c, s);
}

static int il_save(struct flash *f, FILE *out, const struct image_spec *s,
		   struct muse_error *e)
{
	struct page_codec c = il_codec(flash_geometry(f), s);

	(void)e;
	return pages_save(f, out, &c, s);
}

static int il_read(struct flash *f, const struct image_spec *s, uint64_t off,
		   uint8_t *out, size_t len)
{
	struct page_codec c = il_codec(flash_geometry(f), s);

	return pages_read(f, &c, s, off, out, len);
}

const struct image_ops image_interleaved_ops = {
	.format = IMAGE_INTERLEAVED, .name = "interleaved", .check = il_check,
	.size = il_size, .load = il_load, .save = il_save, .read = il_read,
};
