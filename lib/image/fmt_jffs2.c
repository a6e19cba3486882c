/*
 * fmt_jffs2.c - the output of mkfs.jffs2, loaded as "flash_erase -j" and
 * a copy (nandwrite, or cp to a NOR) leave it: on NAND every good block
 * gets a cleanmarker in its first page's free OOB and the image's blocks
 * go into the good ones in order (the image is made without in-band
 * cleanmarkers: mkfs.jffs2 -n); on NOR the image goes in place and every
 * block after it opens with a cleanmarker node.  Saved as mkfs.jffs2
 * writes it: the in-band bytes of the good blocks up to the end of the
 * last node that is not a cleanmarker.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flash_raw.h"
#include "image_impl.h"
#include "oob.h"

#define JFFS2_MAGIC		0x1985
#define JFFS2_CLEANMARKER	0x2003
#define NODE_HDR		12	/* magic, nodetype, totlen, hdr_crc */
#define NAND_CLEANMARKER	8	/* the OOB one has no CRC */

struct endian {
	bool big;
};

static uint32_t get(const struct endian *en, const uint8_t *p, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint32_t)p[en->big ? n - 1 - i : i] << (8 * i);
	return v;
}

static void put(const struct endian *en, uint8_t *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[en->big ? n - 1 - i : i] = (uint8_t)v;
}

/* the node header at @p: its total length if valid, else 0 */
static uint32_t node_len(const struct endian *en, const uint8_t *p, uint32_t room)
{
	uint32_t len;

	if (room < NODE_HDR || get(en, p, 2) != JFFS2_MAGIC)
		return 0;
	len = get(en, p + 4, 4);
	if (len < NODE_HDR || len > room ||
	    get(en, p + 8, 4) != crc32_raw(0, p, 8))
		return 0;
	return len;
}

static void cleanmarker(const struct endian *en, uint8_t *p, uint32_t len)
{
	put(en, p, JFFS2_MAGIC, 2);
	put(en, p + 2, JFFS2_CLEANMARKER, 2);
	put(en, p + 4, len, 4);
	if (len >= NODE_HDR)
		put(en, p + 8, crc32_raw(0, p, 8), 4);
}

static int jffs2_check(const struct geometry *g, const struct image_spec *s,
		       struct muse_error *e)
{
	if (s->bbm_swap >= 0)
		return muse_fail(e, -EINVAL, "a jffs2 image has no OOB: no bbm-swap");
	if (geometry_is_nand(g) && oob_per_page(g, OOB_AUTO) < NAND_CLEANMARKER)
		return muse_fail(e, -EINVAL,
				 "JFFS2 on NAND keeps an 8-byte cleanmarker in free OOB; this chip has %u free bytes",
				 oob_per_page(g, OOB_AUTO));
	return 0;
}

static uint64_t jffs2_size(const struct geometry *g, const struct image_spec *s)
{
	(void)g;
	(void)s;
	return 0;
}

/* block @b: @data (NAND: its first page's OOB gets the cleanmarker) */
static void put_block(struct flash *f, uint64_t b, uint8_t *data,
		      const struct endian *en, bool image_block)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *oob = data + g->block_size, cm[NAND_CLEANMARKER];

	if (!geometry_is_nand(g)) {
		if (!image_block)
			cleanmarker(en, data, NODE_HDR);
		block_write(f, b, data);
		return;
	}
	block_write(f, b, data);
	memset(oob, 0xff, g->oob_size);
	cleanmarker(en, cm, NAND_CLEANMARKER);
	oob_scatter(g, OOB_AUTO, cm, 0, sizeof(cm), oob);
	flash_load_page(f, b * geometry_pages_per_block(g), data, oob);
}

static int check_first_node(const struct geometry *g, const uint8_t *buf,
			    uint64_t len, struct endian *en, struct muse_error *e)
{
	uint32_t room = len < g->block_size ? (uint32_t)len : g->block_size;

	en->big = buf[0] == 0x19 && buf[1] == 0x85;
	if (!node_len(en, buf, room))
		return muse_fail(e, -EINVAL,
				 "not a JFFS2 image: no valid node at its start");
	if (geometry_is_nand(g) && get(en, buf + 2, 2) == JFFS2_CLEANMARKER)
		return muse_fail(e, -EINVAL,
				 "this JFFS2 image has in-band cleanmarkers; NAND keeps them in OOB (make it with mkfs.jffs2 -n)");
	return 0;
}

static int jffs2_load(struct flash *f, FILE *in, uint64_t len,
		      const struct image_spec *s, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	uint64_t blocks = (len + g->block_size - 1) / g->block_size, i = 0;
	uint64_t good = geometry_blocks(g) - flash_bad_count(f);
	/* a block, then room for an OOB area */
	uint8_t *buf = malloc(g->block_size + g->oob_size);
	struct endian en = { false };
	int ret = buf ? 0 : -ENOMEM;

	(void)s;
	if (!ret && blocks > good)
		ret = muse_fail(e, -ENOSPC,
				"the image fills %" PRIu64 " blocks; the chip has %" PRIu64 " good ones",
				blocks, good);
	for (uint64_t b = 0; !ret && b < geometry_blocks(g); b++) {
		uint64_t n = i < blocks ? len - i * g->block_size : 0;

		if (flash_is_bad(f, b))
			continue;
		memset(buf, 0xff, g->block_size);
		n = n > g->block_size ? g->block_size : n;
		ret = read_exact(in, buf, n);
		if (!ret && i == 0)
			ret = check_first_node(g, buf, len, &en, e);
		if (!ret)
			put_block(f, b, buf, &en, i++ < blocks);
	}
	free(buf);
	return ret;
}

/* where the last node that is not a cleanmarker ends in the block */
static uint32_t block_data_end(const struct geometry *g, const uint8_t *buf,
			       struct endian *en)
{
	uint32_t end = 0, len;

	for (uint32_t off = 0; off + NODE_HDR <= g->block_size;) {
		en->big = buf[off] == 0x19 && buf[off + 1] == 0x85;
		len = node_len(en, buf + off, g->block_size - off);
		if (!len) {
			off += 4;
			continue;
		}
		if (get(en, buf + off + 2, 2) != JFFS2_CLEANMARKER)
			end = off + len;
		off += (len + 3) & ~3u;
	}
	return (end + 3) & ~3u;
}

static int jffs2_save(struct flash *f, FILE *out, const struct image_spec *s,
		      struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *buf = malloc(g->block_size);
	uint64_t end = 0, at = 0, b;
	struct endian en;
	uint32_t used;
	int ret = buf ? 0 : -ENOMEM;

	(void)s;
	for (b = 0; !ret && b < geometry_blocks(g); b++) {
		if (flash_is_bad(f, b))
			continue;
		block_read(f, b, buf);
		used = block_data_end(g, buf, &en);
		if (used)
			end = at + used;
		at += g->block_size;
	}
	if (!ret && !end)
		ret = muse_fail(e, -EINVAL, "no JFFS2 node on this chip");
	for (b = 0, at = 0; !ret && at < end; b++) {
		if (flash_is_bad(f, b))
			continue;
		block_read(f, b, buf);
		ret = write_exact(out, buf, end - at < g->block_size ? end - at : g->block_size);
		at += g->block_size;
	}
	free(buf);
	return ret;
}

const struct image_ops image_jffs2_ops = {
	.format = IMAGE_JFFS2, .name = "jffs2", .check = jffs2_check,
	.size = jffs2_size, .load = jffs2_load, .save = jffs2_save,
};
