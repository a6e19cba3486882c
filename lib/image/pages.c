/*
 * pages.c - the page-record loop the page formats share, and the block
 * and byte helpers every format uses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "flash_raw.h"
#include "image_impl.h"

bool all_ff(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

int read_exact(FILE *in, void *buf, size_t n)
{
	if (fread(buf, 1, n, in) == n)
		return 0;
	return ferror(in) && errno ? -errno : -EIO;
}

int write_exact(FILE *out, const void *buf, size_t n)
{
	if (fwrite(buf, 1, n, out) == n)
		return 0;
	return errno ? -errno : -EIO;
}

/* zlib's crc32() inverts before and after; UBI and JFFS2 do neither */
uint32_t crc32_raw(uint32_t seed, const void *buf, size_t len)
{
	return ~(uint32_t)crc32(~seed & 0xffffffffu, buf, (uInt)len);
}

static void swap_bbm(uint8_t *rec, const struct page_codec *c,
		     const struct image_spec *s)
{
	uint8_t t;

	if (s->bbm_swap < 0)
		return;
	t = rec[s->bbm_swap];
	rec[s->bbm_swap] = rec[c->oob0];
	rec[c->oob0] = t;
}

int pages_check_swap(const struct page_codec *c, const struct image_spec *s,
		     struct muse_error *e)
{
	if (s->bbm_swap >= (int64_t)c->rec)
		return muse_fail(e, -EINVAL,
				 "bbm-swap=%lld is past the %u bytes a page has in this format",
				 (long long)s->bbm_swap, c->rec);
	return 0;
}

int pages_load(struct flash *f, FILE *in, const struct page_codec *c,
	       const struct image_spec *s)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *rec = malloc(c->rec), *data = malloc(g->page_size + g->oob_size);
	uint8_t *oob = c->oob0 < c->rec ? data + g->page_size : NULL;
	int ret = rec && data ? 0 : -ENOMEM;

	for (uint64_t p = 0; !ret && p < geometry_pages(g); p++) {
		ret = read_exact(in, rec, c->rec);
		if (ret || all_ff(rec, c->rec))
			continue;
		swap_bbm(rec, c, s);
		c->decode(g, s, rec, data, oob);
		flash_load_page(f, p, data, oob);
	}
	free(rec);
	free(data);
	return ret;
}

int pages_save(struct flash *f, FILE *out, const struct page_codec *c,
	       const struct image_spec *s)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *rec = malloc(c->rec), *data = malloc(g->page_size + g->oob_size);
	uint8_t *oob = c->oob0 < c->rec ? data + g->page_size : NULL;
	int ret = rec && data ? 0 : -ENOMEM;

	for (uint64_t p = 0; !ret && p < geometry_pages(g); p++) {
		flash_dump_page(f, p, data, oob);
		c->encode(g, s, data, oob, rec);
		swap_bbm(rec, c, s);
		ret = write_exact(out, rec, c->rec);
	}
	free(rec);
	free(data);
	return ret;
}

void block_read(struct flash *f, uint64_t block, uint8_t *buf)
{
	const struct geometry *g = flash_geometry(f);
	uint64_t first = block * geometry_pages_per_block(g);

	if (!geometry_is_nand(g)) {
		flash_dump_bytes(f, block * g->block_size, buf, g->block_size);
		return;
	}
	for (uint32_t i = 0; i < geometry_pages_per_block(g); i++)
		flash_dump_page(f, first + i, buf + (size_t)i * g->page_size, NULL);
}

void block_write(struct flash *f, uint64_t block, const uint8_t *buf)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t unit = geometry_is_nand(g) ? g->page_size : 4096;

	if (g->block_size % unit)
		unit = g->block_size;
	for (uint32_t off = 0; off < g->block_size; off += unit) {
		if (all_ff(buf + off, unit))
			continue;
		if (geometry_is_nand(g))
			flash_load_page(f, (block * g->block_size + off) / g->page_size,
					buf + off, NULL);
		else
			flash_load_bytes(f, block * g->block_size + off, buf + off, unit);
	}
}

/* the image bytes [off, off + len) of a page format, page by page */
int pages_read(struct flash *f, const struct page_codec *c,
	       const struct image_spec *s, uint64_t off, uint8_t *out,
	       size_t len)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *rec = malloc(c->rec), *data = malloc(g->page_size + g->oob_size);
	uint8_t *oob = c->oob0 < c->rec ? data + g->page_size : NULL;
	int ret = rec && data ? 0 : -ENOMEM;

	while (!ret && len) {
		uint64_t p = off / c->rec;
		uint32_t in = (uint32_t)(off % c->rec);
		size_t n = c->rec - in < len ? c->rec - in : len;

		flash_dump_page(f, p, data, oob);
		c->encode(g, s, data, oob, rec);
		swap_bbm(rec, c, s);
		memcpy(out, rec + in, n);
		out += n, off += n, len -= n;
	}
	free(rec);
	free(data);
	return ret;
}
