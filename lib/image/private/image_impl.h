/*
 * image_impl.h - what an image format is made of, for the formats'
 * own files (fmt_*.c) and the code that picks one (image.c).
 */
#ifndef MUSE_IMAGE_IMPL_H
#define MUSE_IMAGE_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "image.h"

struct image_ops {
	enum image_format format;
	const char *name;
	/* 0 if @g can hold this format with @s's parameters, else why not */
	int (*check)(const struct geometry *g, const struct image_spec *s,
		     struct muse_error *e);
	/* the file size for @g; 0 if it varies */
	uint64_t (*size)(const struct geometry *g, const struct image_spec *s);
	/* @in holds @len bytes (checked against size() when it is fixed) */
	int (*load)(struct flash *f, FILE *in, uint64_t len,
		    const struct image_spec *s, struct muse_error *e);
	int (*save)(struct flash *f, FILE *out, const struct image_spec *s,
		    struct muse_error *e);
	/* a range of the image, for formats of a fixed size; else NULL */
	int (*read)(struct flash *f, const struct image_spec *s, uint64_t off,
		    uint8_t *out, size_t len);
};

extern const struct image_ops image_raw_ops, image_nanddump_oob_ops,
	image_interleaved_ops, image_ubi_ops, image_jffs2_ops;

/*
 * Formats that store every page as one record of the file: how a record
 * becomes the page's data and OOB and back, and where OOB byte 0 sits in
 * it (for bbm-swap).  @oob may be NULL for a record without OOB.
 */
struct page_codec {
	uint32_t rec;
	uint32_t oob0;
	void (*decode)(const struct geometry *g, const struct image_spec *s,
		       const uint8_t *rec, uint8_t *data, uint8_t *oob);
	void (*encode)(const struct geometry *g, const struct image_spec *s,
		       const uint8_t *data, const uint8_t *oob, uint8_t *rec);
};

int pages_load(struct flash *f, FILE *in, const struct page_codec *c,
	       const struct image_spec *s);
int pages_save(struct flash *f, FILE *out, const struct page_codec *c,
	       const struct image_spec *s);
/* @len bytes of the image from @off (within its size) */
int pages_read(struct flash *f, const struct page_codec *c,
	       const struct image_spec *s, uint64_t off, uint8_t *out,
	       size_t len);
/* -EINVAL with the reason when bbm-swap's offset is outside a record */
int pages_check_swap(const struct page_codec *c, const struct image_spec *s,
		     struct muse_error *e);

/* A block's in-band bytes (block_size), OOB left alone */
void block_read(struct flash *f, uint64_t block, uint8_t *buf);
/* Sets a block's in-band bytes; pages or chunks of 0xFF stay erased. */
void block_write(struct flash *f, uint64_t block, const uint8_t *buf);
bool all_ff(const uint8_t *p, size_t n);
/* fread/fwrite of exactly @n bytes: 0 or a negative errno */
int read_exact(FILE *in, void *buf, size_t n);
int write_exact(FILE *out, const void *buf, size_t n);

/* CRC-32 (poly 0xEDB88320) without the final inversion, as UBI and JFFS2 */
uint32_t crc32_raw(uint32_t seed, const void *buf, size_t len);

#endif
