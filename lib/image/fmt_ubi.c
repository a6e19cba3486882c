/*
 * fmt_ubi.c - the output of ubinize: whole PEBs without OOB, each opening
 * with an erase counter header.  Loaded as "ubiformat -f" writes it: the
 * image's PEBs into the good blocks in order, every other good block an
 * erase counter header alone; saved as the PEBs that hold volume data
 * (a VID header), in block order.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "image_impl.h"

/* struct ubi_ec_hdr (drivers/mtd/ubi/ubi-media.h), big-endian */
#define EC_MAGIC	0x55424923u	/* "UBI#" */
#define VID_MAGIC	0x55424921u	/* "UBI!" */
#define EC_HDR_SIZE	64
#define EC_OFF_EC	8
#define EC_OFF_VID	16
#define EC_OFF_DATA	20
#define EC_OFF_CRC	60

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static bool ec_hdr_valid(const uint8_t *peb, uint32_t peb_size)
{
	return get_be32(peb) == EC_MAGIC &&
	       get_be32(peb + EC_OFF_CRC) == crc32_raw(0xffffffffu, peb, EC_OFF_CRC) &&
	       get_be32(peb + EC_OFF_VID) + 4 <= peb_size &&
	       get_be32(peb + EC_OFF_DATA) <= peb_size;
}

static void ec_hdr_set(uint8_t *peb, int64_t ec)
{
	if (ec >= 0)
		put_be64(peb + EC_OFF_EC, (uint64_t)ec);
	put_be32(peb + EC_OFF_CRC, crc32_raw(0xffffffffu, peb, EC_OFF_CRC));
}

static int ubi_check(const struct geometry *g, const struct image_spec *s,
		     struct muse_error *e)
{
	(void)g;
	if (s->bbm_swap >= 0)
		return muse_fail(e, -EINVAL, "a ubi image has no OOB: no bbm-swap");
	return 0;
}

static uint64_t ubi_size(const struct geometry *g, const struct image_spec *s)
{
	(void)g;
	(void)s;
	return 0;
}

static uint64_t good_blocks(struct flash *f)
{
	return geometry_blocks(flash_geometry(f)) - flash_bad_count(f);
}

/* the image's PEBs into the good blocks; *hdr keeps the first's header */
static int load_pebs(struct flash *f, FILE *in, uint64_t pebs, uint8_t *hdr,
		     const struct image_spec *s, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *buf = malloc(g->block_size);
	uint64_t b = 0;
	int ret = buf ? 0 : -ENOMEM;

	for (uint64_t i = 0; !ret && i < pebs; i++, b++) {
		while (flash_is_bad(f, b))
			b++;
		ret = read_exact(in, buf, g->block_size);
		if (!ret && !ec_hdr_valid(buf, g->block_size))
			ret = muse_fail(e, -EINVAL,
					"PEB %" PRIu64 " of the image has no valid UBI erase counter header (a ubinize image for %u-byte PEBs?)",
					i, g->block_size);
		if (ret)
			break;
		if (i == 0)
			memcpy(hdr, buf, EC_HDR_SIZE);
		ec_hdr_set(buf, s->ec);
		block_write(f, b, buf);
	}
	free(buf);
	return ret;
}

static int ubi_load(struct flash *f, FILE *in, uint64_t len,
		    const struct image_spec *s, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	uint64_t pebs = len / g->block_size, good = good_blocks(f);
	uint8_t hdr[EC_HDR_SIZE], *buf;
	int ret;

	if (!len || len % g->block_size)
		return muse_fail(e, -EINVAL,
				 "a ubinize image is whole PEBs: %" PRIu64 " bytes is no multiple of %u (ubinize -p %u)",
				 len, g->block_size, g->block_size);
	if (pebs > good)
		return muse_fail(e, -ENOSPC,
				 "the image has %" PRIu64 " PEBs; the chip has %" PRIu64 " good blocks",
				 pebs, good);
	ret = load_pebs(f, in, pebs, hdr, s, e);
	buf = malloc(g->block_size);
	if (ret || !buf) {
		free(buf);
		return ret ? ret : -ENOMEM;
	}
	memset(buf, 0xff, g->block_size);
	memcpy(buf, hdr, EC_HDR_SIZE);
	ec_hdr_set(buf, s->ec);
	for (uint64_t b = 0, i = 0; b < geometry_blocks(g); b++)
		if (!flash_is_bad(f, b) && i++ >= pebs)
			block_write(f, b, buf);
	free(buf);
	return 0;
}

static int ubi_save(struct flash *f, FILE *out, const struct image_spec *s,
		    struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	uint8_t *buf = malloc(g->block_size);
	uint64_t saved = 0;
	int ret = buf ? 0 : -ENOMEM;

	(void)s;
	for (uint64_t b = 0; !ret && b < geometry_blocks(g); b++) {
		if (flash_is_bad(f, b))
			continue;
		block_read(f, b, buf);
		if (!ec_hdr_valid(buf, g->block_size) ||
		    get_be32(buf + get_be32(buf + EC_OFF_VID)) != VID_MAGIC)
			continue;
		ret = write_exact(out, buf, g->block_size);
		saved++;
	}
	free(buf);
	if (!ret && !saved)
		ret = muse_fail(e, -EINVAL, "no PEB of this chip holds UBI volume data");
	return ret;
}

const struct image_ops image_ubi_ops = {
	.format = IMAGE_UBI, .name = "ubi", .check = ubi_check,
	.size = ubi_size, .load = ubi_load, .save = ubi_save,
};
