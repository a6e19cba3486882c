/*
 * fmt_nanddump.c - every page followed by its whole OOB area, as
 * "nanddump --oob" writes and "nandwrite -o" reads.
 */
#include <errno.h>
#include <string.h>

#include "image_impl.h"

static void dump_decode(const struct geometry *g, const struct image_spec *s,
			const uint8_t *rec, uint8_t *data, uint8_t *oob)
{
	(void)s;
	memcpy(data, rec, g->page_size);
	memcpy(oob, rec + g->page_size, g->oob_size);
}

static void dump_encode(const struct geometry *g, const struct image_spec *s,
			const uint8_t *data, const uint8_t *oob, uint8_t *rec)
{
	(void)s;
	memcpy(rec, data, g->page_size);
	memcpy(rec + g->page_size, oob, g->oob_size);
}

static struct page_codec dump_codec(const struct geometry *g)
{
	return (struct page_codec){ .rec = g->page_size + g->oob_size,
				    .oob0 = g->page_size,
				    .decode = dump_decode, .encode = dump_encode };
}

static int dump_check(const struct geometry *g, const struct image_spec *s,
		      struct muse_error *e)
{
	struct page_codec c = dump_codec(g);

	if (!g->oob_size)
		return muse_fail(e, -EINVAL, "format nanddump-oob needs a chip with OOB");
	return pages_check_swap(&c, s, e);
}

static uint64_t dump_size(const struct geometry *g, const struct image_spec *s)
{
	(void)s;
	return g->oob_size ? geometry_pages(g) * (g->page_size + g->oob_size) : 0;
}

static int dump_load(struct flash *f, FILE *in, uint64_t len,
		     const struct image_spec *s, struct muse_error *e)
{
	struct page_codec c = dump_codec(flash_geometry(f));

	(void)len;
	(void)e;
	return pages_load(f, in, &c, s);
}

static int dump_save(struct flash *f, FILE *out, const struct image_spec *s,
		     struct muse_error *e)
{
	struct page_codec c = dump_codec(flash_geometry(f));

	(void)e;
	return pages_save(f, out, &c, s);
}

static int dump_read(struct flash *f, const struct image_spec *s, uint64_t off,
		     uint8_t *out, size_t len)
{
	struct page_codec c = dump_codec(flash_geometry(f));

	return pages_read(f, &c, s, off, out, len);
}

const struct image_ops image_nanddump_oob_ops = {
	.format = IMAGE_NANDDUMP_OOB, .name = "nanddump-oob", .check = dump_check,
	.size = dump_size, .load = dump_load, .save = dump_save, .read = dump_read,
};
