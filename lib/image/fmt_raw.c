/*
 * fmt_raw.c - the in-band bytes of the whole chip, in address order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flash_raw.h"
#include "image_impl.h"

static void raw_decode(const struct geometry *g, const struct image_spec *s,
		       const uint8_t *rec, uint8_t *data, uint8_t *oob)
{
	(void)s;
	(void)oob;
	memcpy(data, rec, g->page_size);
}

static void raw_encode(const struct geometry *g, const struct image_spec *s,
		       const uint8_t *data, const uint8_t *oob, uint8_t *rec)
{
	(void)s;
	(void)oob;
	memcpy(rec, data, g->page_size);
}

static struct page_codec raw_codec(const struct geometry *g)
{
	return (struct page_codec){ .rec = g->page_size, .oob0 = g->page_size,
				    .decode = raw_decode, .encode = raw_encode };
}

static int raw_check(const struct geometry *g, const struct image_spec *s,
		     struct muse_error *e)
{
	(void)g;
	if (s->bbm_swap >= 0)
		return muse_fail(e, -EINVAL, "a raw image has no OOB: no bbm-swap");
	return 0;
}

static uint64_t raw_size(const struct geometry *g, const struct image_spec *s)
{
	(void)s;
	return g->size;
}

static int raw_load(struct flash *f, FILE *in, uint64_t len,
		    const struct image_spec *s, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	struct page_codec c = raw_codec(g);
	uint8_t *buf;
	int ret = 0;

	(void)len;
	(void)e;
	if (geometry_is_nand(g))
		return pages_load(f, in, &c, s);
	buf = malloc(g->block_size);
	if (!buf)
		return -ENOMEM;
	for (uint64_t b = 0; !ret && b < geometry_blocks(g); b++) {
		ret = read_exact(in, buf, g->block_size);
		if (!ret)
			block_write(f, b, buf);
	}
	free(buf);
	return ret;
}

static int raw_save(struct flash *f, FILE *out, const struct image_spec *s,
		    struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	struct page_codec c = raw_codec(g);
	uint8_t *buf;
	int ret = 0;

	(void)e;
	if (geometry_is_nand(g))
		return pages_save(f, out, &c, s);
	buf = malloc(g->block_size);
	if (!buf)
		return -ENOMEM;
	for (uint64_t b = 0; !ret && b < geometry_blocks(g); b++) {
		block_read(f, b, buf);
		ret = write_exact(out, buf, g->block_size);
	}
	free(buf);
	return ret;
}

static int raw_read(struct flash *f, const struct image_spec *s, uint64_t off,
		    uint8_t *out, size_t len)
{
	const struct geometry *g = flash_geometry(f);
	struct page_codec c = raw_codec(g);

	if (geometry_is_nand(g))
		return pages_read(f, &c, s, off, out, len);
	flash_dump_bytes(f, off, out, (uint32_t)len);
	return 0;
}

const struct image_ops image_raw_ops = {
	.format = IMAGE_RAW, .name = "raw", .check = raw_check,
	.size = raw_size, .load = raw_load, .save = raw_save, .read = raw_read,
};
