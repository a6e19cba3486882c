/*
 * image.c - loading and saving whole-chip images.
 */
#include "image.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flash_raw.h"

int image_parse_format(const char *name, enum image_format *fmt,
		       struct muse_error *e)
{
	if (!strcmp(name, "raw"))
		*fmt = IMAGE_RAW;
	else if (!strcmp(name, "nanddump-oob") || !strcmp(name, "oob"))
		*fmt = IMAGE_NANDDUMP_OOB;
	else if (!strcmp(name, "auto"))
		*fmt = IMAGE_AUTO;
	else
		return muse_fail(e, -EINVAL,
				 "unknown image format %s (raw, nanddump-oob)",
				 name);
	return 0;
}

const char *image_format_name(enum image_format fmt)
{
	return fmt == IMAGE_RAW ? "raw" :
	       fmt == IMAGE_NANDDUMP_OOB ? "nanddump-oob" : "auto";
}

uint64_t image_size(const struct geometry *g, enum image_format fmt)
{
	if (fmt == IMAGE_RAW)
		return g->size;
	if (fmt == IMAGE_NANDDUMP_OOB && g->oob_size)
		return geometry_pages(g) * (g->page_size + g->oob_size);
	return 0;
}

int image_infer_size(const struct geometry *g, uint64_t file_size,
		     enum image_format fmt, uint64_t *size)
{
	uint64_t block_rec = (uint64_t)geometry_pages_per_block(g) *
			     (g->page_size + g->oob_size);

	if (fmt != IMAGE_RAW && g->oob_size && file_size &&
	    file_size % block_rec == 0) {
		*size = file_size / block_rec * g->block_size;
		return 0;
	}
	if (fmt != IMAGE_NANDDUMP_OOB && file_size &&
	    file_size % g->block_size == 0) {
		*size = file_size;
		return 0;
	}
	return -EINVAL;
}

static int pick_format(const struct geometry *g, const char *path,
		       uint64_t size, enum image_format *fmt,
		       struct muse_error *e)
{
	uint64_t raw = image_size(g, IMAGE_RAW);
	uint64_t oob = image_size(g, IMAGE_NANDDUMP_OOB);
	char need[96];

	if (*fmt == IMAGE_AUTO)
		*fmt = size == oob && oob ? IMAGE_NANDDUMP_OOB : IMAGE_RAW;
	if (size == image_size(g, *fmt) && size)
		return 0;
	if (*fmt == IMAGE_NANDDUMP_OOB && !oob)
		return muse_fail(e, -EINVAL,
				 "image %s: format nanddump-oob needs a chip with OOB",
				 path);
	if (oob)
		snprintf(need, sizeof(need), "%" PRIu64 " (raw) or %" PRIu64
			 " (nanddump-oob)", raw, oob);
	else
		snprintf(need, sizeof(need), "%" PRIu64 " (raw)", raw);
	return muse_fail(e, -EINVAL, "image %s is %" PRIu64 " bytes%s; this chip needs %s",
			 path, size,
			 size < image_size(g, *fmt) ? " (truncated?)" : "", need);
}

static bool all_ff(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

static int load_pages(struct flash *f, FILE *in, bool with_oob)
{
	const struct geometry *g = flash_geometry(f);
	size_t rec = g->page_size + (with_oob ? g->oob_size : 0);
	uint8_t *buf = malloc(rec);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t p = 0; p < geometry_pages(g); p++) {
		if (fread(buf, 1, rec, in) != rec) {
			ret = ferror(in) ? -errno : -EIO;
			break;
		}
		if (!all_ff(buf, rec))
			flash_load_page(f, p, buf, with_oob ? buf + g->page_size :
					NULL);
	}
	free(buf);
	return ret;
}

static int load_bytes(struct flash *f, FILE *in)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t chunk = g->block_size;
	uint8_t *buf = malloc(chunk);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t addr = 0; addr < g->size; addr += chunk) {
		if (fread(buf, 1, chunk, in) != chunk) {
			ret = ferror(in) ? -errno : -EIO;
			break;
		}
		if (!all_ff(buf, chunk))
			flash_load_bytes(f, addr, buf, chunk);
	}
	free(buf);
	return ret;
}

int image_load(struct flash *f, const char *path, enum image_format fmt,
	       struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	struct stat st;
	FILE *in;
	int ret;

	in = fopen(path, "rb");
	if (!in)
		return muse_fail(e, -errno, "image %s: %s", path, strerror(errno));
	if (fstat(fileno(in), &st)) {
		ret = muse_fail(e, -errno, "image %s: %s", path, strerror(errno));
		goto out;
	}
	ret = pick_format(g, path, (uint64_t)st.st_size, &fmt, e);
	if (ret)
		goto out;
	if (geometry_is_nand(g))
		ret = load_pages(f, in, fmt == IMAGE_NANDDUMP_OOB);
	else
		ret = load_bytes(f, in);
	if (ret)
		ret = muse_fail(e, ret, "image %s: read error: %s", path,
				strerror(-ret));
	else
		flash_scan_bad_blocks(f);
out:
	fclose(in);
	return ret;
}

static int save_cells(struct flash *f, FILE *out, bool with_oob)
{
	const struct geometry *g = flash_geometry(f);
	uint32_t rec = geometry_is_nand(g) ? g->page_size : g->block_size;
	size_t oob = with_oob ? g->oob_size : 0;
	uint8_t *buf = malloc(rec + oob);
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t addr = 0; addr < g->size && !ret; addr += rec) {
		if (geometry_is_nand(g))
			flash_dump_page(f, addr / rec, buf,
					with_oob ? buf + rec : NULL);
		else
			flash_dump_bytes(f, addr, buf, rec);
		if (fwrite(buf, 1, rec + oob, out) != rec + oob)
			ret = -errno;
	}
	free(buf);
	return ret;
}

int image_save(struct flash *f, const char *path, enum image_format fmt,
	       struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	char tmp[4096];
	FILE *out;
	int ret;

	if (fmt == IMAGE_AUTO)
		fmt = g->oob_size ? IMAGE_NANDDUMP_OOB : IMAGE_RAW;
	if (!image_size(g, fmt))
		return muse_fail(e, -EINVAL, "%s: a chip without OOB has no %s image",
				 path, image_format_name(fmt));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return muse_fail(e, -ENAMETOOLONG, "%s: name too long", path);
	out = fopen(tmp, "wb");
	if (!out)
		return muse_fail(e, -errno, "%s: %s", tmp, strerror(errno));
	ret = save_cells(f, out, fmt == IMAGE_NANDDUMP_OOB);
	if (!ret && fflush(out))
		ret = -errno;
	if (!ret && fsync(fileno(out)))
		ret = -errno;
	if (fclose(out) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return muse_fail(e, ret, "saving %s: %s", path, strerror(-ret));
	}
	return 0;
}
