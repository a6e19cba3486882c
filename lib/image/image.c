/*
 * image.c - naming a format, picking one for a file, and loading or
 * saving a whole chip through the format's own file (fmt_*.c).
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
#include "image_impl.h"
#include "util.h"

static const struct image_ops *const formats[IMAGE_FORMATS] = {
	[IMAGE_RAW] = &image_raw_ops,
	[IMAGE_NANDDUMP_OOB] = &image_nanddump_oob_ops,
	[IMAGE_INTERLEAVED] = &image_interleaved_ops,
	[IMAGE_UBI] = &image_ubi_ops,
	[IMAGE_JFFS2] = &image_jffs2_ops,
};

struct image_spec image_spec_auto(void)
{
	return (struct image_spec){ .format = IMAGE_AUTO, .bbm_swap = -1, .ec = -1 };
}

const char *image_format_name(enum image_format fmt)
{
	return fmt > IMAGE_AUTO && fmt < IMAGE_FORMATS ? formats[fmt]->name : "auto";
}

static int parse_name(const char *name, size_t len, enum image_format *fmt)
{
	if (len == 3 && !strncmp(name, "oob", 3)) {
		*fmt = IMAGE_NANDDUMP_OOB;
		return 0;
	}
	for (int i = 0; i < IMAGE_FORMATS; i++) {
		const char *n = image_format_name(i);

		if (strlen(n) == len && !strncmp(name, n, len)) {
			*fmt = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_number(const char *key, const char *v, uint64_t max,
			uint64_t *out, struct muse_error *e)
{
	if (!v || parse_size(v, out) || *out > max)
		return muse_fail(e, -EINVAL, "image format: %s needs a number up to %" PRIu64,
				 key, max);
	return 0;
}

/* one key[=value] of @s's format */
static int parse_param(char *kv, struct image_spec *s, struct muse_error *e)
{
	char *v = strchr(kv, '=');
	enum image_format f = s->format;
	uint64_t n = 0;
	int ret;

	if (v)
		*v++ = '\0';
	if (!strcmp(kv, "bbm-swap") && (f == IMAGE_NANDDUMP_OOB || f == IMAGE_INTERLEAVED)) {
		ret = v ? parse_number(kv, v, UINT32_MAX, &n, e) : 0;
		s->bbm_swap = v ? (int64_t)n : 0x7fffffff;	/* the page size */
	} else if ((!strcmp(kv, "step") || !strcmp(kv, "spare")) && f == IMAGE_INTERLEAVED) {
		ret = parse_number(kv, v, 1u << 20, &n, e);
		*(kv[1] == 't' ? &s->step : &s->spare) = (uint32_t)n;
	} else if (!strcmp(kv, "ec") && f == IMAGE_UBI) {
		ret = parse_number(kv, v, INT32_MAX, &n, e);
		s->ec = (int64_t)n;
	} else {
		ret = muse_fail(e, -EINVAL, "image format %s takes no %s (see muse serve --help)",
				image_format_name(f), kv);
	}
	return ret;
}

int image_parse_spec(const char *text, struct image_spec *s,
		     struct muse_error *e)
{
	const char *colon = strchr(text, ':');
	char *params, *kv, *save = NULL;
	int ret = 0;

	*s = image_spec_auto();
	if (parse_name(text, colon ? (size_t)(colon - text) : strlen(text), &s->format))
		return muse_fail(e, -EINVAL,
				 "unknown image format %s (raw, nanddump-oob, interleaved, ubi, jffs2, auto)",
				 text);
	if (!colon)
		return 0;
	params = strdup(colon + 1);
	if (!params)
		return muse_fail(e, -ENOMEM, "out of memory");
	for (kv = strtok_r(params, ",", &save); kv && !ret; kv = strtok_r(NULL, ",", &save))
		ret = parse_param(kv, s, e);
	free(params);
	return ret;
}

/* bbm-swap without an offset means the page size, known only now */
static struct image_spec resolved(const struct geometry *g,
				  const struct image_spec *s)
{
	struct image_spec r = *s;

	if (r.bbm_swap == 0x7fffffff)
		r.bbm_swap = g->page_size;
	return r;
}

uint64_t image_size(const struct geometry *g, const struct image_spec *s)
{
	struct image_spec r = resolved(g, s);

	if (r.format <= IMAGE_AUTO || r.format >= IMAGE_FORMATS)
		return 0;
	return formats[r.format]->size(g, &r);
}

int image_infer_size(const struct geometry *g, uint64_t file_size,
		     const struct image_spec *s, uint64_t *size)
{
	uint64_t block_rec = (uint64_t)geometry_pages_per_block(g) *
			     (g->page_size + g->oob_size);
	enum image_format f = s->format;

	if (f == IMAGE_UBI || f == IMAGE_JFFS2 || !file_size)
		return -EINVAL;
	if (f != IMAGE_RAW && g->oob_size && file_size % block_rec == 0) {
		*size = file_size / block_rec * g->block_size;
		return 0;
	}
	if ((f == IMAGE_AUTO || f == IMAGE_RAW) && file_size % g->block_size == 0) {
		*size = file_size;
		return 0;
	}
	return -EINVAL;
}

static void size_choices(const struct geometry *g, char *buf, size_t n)
{
	uint64_t oob = image_size(g, &(struct image_spec){ .format = IMAGE_NANDDUMP_OOB });

	if (oob)
		snprintf(buf, n, "%" PRIu64 " (raw) or %" PRIu64 " (nanddump-oob)",
			 g->size, oob);
	else
		snprintf(buf, n, "%" PRIu64 " (raw)", g->size);
}

static int wrong_size(const struct geometry *g, const char *path, uint64_t size,
		      uint64_t want, const char *also, struct muse_error *e)
{
	char need[96];

	size_choices(g, need, sizeof(need));
	return muse_fail(e, -EINVAL, "image %s is %" PRIu64 " bytes%s; this chip needs %s%s",
			 path, size, size < want ? " (truncated?)" : "", need, also);
}

/* a format's own message, prefixed with the file and the format */
static void name_file(struct muse_error *e, const char *path,
		      enum image_format fmt)
{
	muse_fail_context(e, "image %s (%s)", path, image_format_name(fmt));
}

/* auto: a whole-chip size first, then what the content opens with */
static int detect(const struct geometry *g, const char *path, FILE *in,
		  uint64_t size, enum image_format *fmt, struct muse_error *e)
{
	uint8_t head[4] = { 0 };
	bool ubi, jffs2;

	if (fread(head, 1, sizeof(head), in) != sizeof(head))
		clearerr(in);
	rewind(in);
	ubi = !memcmp(head, "UBI#", 4);
	jffs2 = (head[0] == 0x85 && head[1] == 0x19) || (head[0] == 0x19 && head[1] == 0x85);
	if (size && size == image_size(g, &(struct image_spec){ .format = IMAGE_NANDDUMP_OOB }))
		*fmt = IMAGE_NANDDUMP_OOB;
	else if (size == g->size && jffs2 && geometry_is_nand(g))
		return muse_fail(e, -EINVAL,
				 "image %s could be a raw dump or a mkfs.jffs2 image padded to the chip (their OOB differs): give --format raw or jffs2",
				 path);
	else if (size == g->size)
		*fmt = IMAGE_RAW;
	else if (size < g->size && ubi && size % g->block_size == 0)
		*fmt = IMAGE_UBI;
	else if (size < g->size && jffs2)
		*fmt = IMAGE_JFFS2;
	else if (size > g->size && (ubi || jffs2))
		return muse_fail(e, -EINVAL,
				 "image %s (%s by its start, %" PRIu64 " bytes) is larger than the %" PRIu64 "-byte chip",
				 path, ubi ? "ubinize output" : "mkfs.jffs2 output", size, g->size);
	else
		return wrong_size(g, path, size, g->size,
				  "; nor does it open as a ubinize or mkfs.jffs2 image", e);
	return 0;
}

int image_load(struct flash *f, const char *path, const struct image_spec *s,
	       enum image_format *picked, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	struct image_spec r = resolved(g, s);
	uint64_t want;
	struct stat st;
	FILE *in = fopen(path, "rb");
	int ret;

	if (!in)
		return muse_fail(e, -errno, "image %s: %s", path, strerror(errno));
	e->msg[0] = '\0';
	ret = fstat(fileno(in), &st) ? muse_fail(e, -errno, "image %s: %s", path, strerror(errno)) : 0;
	if (!ret && r.format == IMAGE_AUTO)
		ret = detect(g, path, in, (uint64_t)st.st_size, &r.format, e);
	if (!ret && (ret = formats[r.format]->check(g, &r, e)))
		name_file(e, path, r.format);
	want = ret ? 0 : formats[r.format]->size(g, &r);
	if (!ret && want && (uint64_t)st.st_size != want)
		ret = wrong_size(g, path, (uint64_t)st.st_size, want, "", e);
	if (!ret && !want && (uint64_t)st.st_size > g->size)
		ret = muse_fail(e, -EINVAL, "image %s (%s, %" PRIu64 " bytes) is larger than the %" PRIu64 "-byte chip",
				path, image_format_name(r.format), (uint64_t)st.st_size, g->size);
	if (!ret && (ret = formats[r.format]->load(f, in, (uint64_t)st.st_size, &r, e))) {
		if (e->msg[0])
			name_file(e, path, r.format);
		else
			muse_fail(e, ret, "image %s: read error: %s", path, strerror(-ret));
	}
	if (!ret && r.format != IMAGE_UBI && r.format != IMAGE_JFFS2)
		flash_scan_bad_blocks(f);
	if (!ret && picked)
		*picked = r.format;
	fclose(in);
	return ret;
}

int image_save(struct flash *f, const char *path, const struct image_spec *s,
	       struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	struct image_spec r = resolved(g, s);
	char tmp[4096];
	FILE *out;
	int ret;

	if (r.format == IMAGE_AUTO)
		r.format = g->oob_size ? IMAGE_NANDDUMP_OOB : IMAGE_RAW;
	ret = formats[r.format]->check(g, &r, e);
	if (ret)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return muse_fail(e, -ENAMETOOLONG, "%s: name too long", path);
	out = fopen(tmp, "wb");
	if (!out)
		return muse_fail(e, -errno, "%s: %s", tmp, strerror(errno));
	e->msg[0] = '\0';
	ret = formats[r.format]->save(f, out, &r, e);
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
		if (!e->msg[0])
			muse_fail(e, ret, "saving %s: %s", path, strerror(-ret));
		return ret;
	}
	return 0;
}

int image_read(struct flash *f, const struct image_spec *s, uint64_t off,
	       void *buf, size_t len, struct muse_error *e)
{
	const struct geometry *g = flash_geometry(f);
	struct image_spec r = resolved(g, s);
	uint64_t size;
	int ret;

	if (r.format <= IMAGE_AUTO || r.format >= IMAGE_FORMATS || !formats[r.format]->read)
		return muse_fail(e, -EINVAL, "a %s image cannot be read by range",
				 image_format_name(r.format));
	ret = formats[r.format]->check(g, &r, e);
	size = ret ? 0 : formats[r.format]->size(g, &r);
	if (!ret && (off > size || len > size - off))
		ret = muse_fail(e, -EINVAL, "bytes %" PRIu64 "+%zu are past the %" PRIu64 "-byte image",
				off, len, size);
	return ret ? ret : formats[r.format]->read(f, &r, off, buf, len);
}
